"""rinohtype renderings of docutils nodes as kaderpers prints them.

Defining a subclass named after a node type registers it in rinohtype's table of
docutils node renderings (its metaclass maps class names to node tags). This
module takes that registration back at once, and :mod:`kaderpers.pdf.compat`
puts :data:`RENDERINGS` in the table only around a kaderpers PDF build. After
:mod:`kaderpers.pdf.printing` every admonition is a generic ``admonition`` node
whose first class is its type; here that type becomes rinohtype's
``admonition_type``, which the style sheet selects on; every table has its
column widths as percentages.
"""

from __future__ import annotations

import rinoh as rt
from rinoh.dimension import PERCENT
from rinoh.frontend.rst import DocutilsNode
from rinoh.frontend.rst import nodes as rst

# rinohtype's own renderings, as they were before the classes below replaced them.
_RINOHTYPE_OWN = {name: DocutilsNode._mapping[name] for name in ("admonition", "table")}


class Admonition(rst.Admonition):
    def build_flowable(self):
        classes = self.get("classes")
        kind = classes[0] if classes else "note"
        try:
            title = self.title.styled_text()
        except AttributeError:
            title = None
        content = rt.AdmonitionFlowables(self.children_flowables())
        return rt.Admonition(rt.DummyFlowable(), content, type=kind, title=title)


class Table(rst.Table):
    """Column widths as shares of the text width.

    rinohtype measures the content of every cell (at two widths, in every
    layout pass) unless all columns have a fixed width; relative widths do not
    spare that. :class:`kaderpers.pdf.printing.TablesForPrint` gives every table
    its proportions, which become percentages here.
    """

    def build_flowable(self):
        tgroup = self.tgroup
        weights = [float(colspec.get("colwidth") or 1) for colspec in tgroup.colspec]
        total = sum(weights) or 1
        widths = [weight / total * 99.8 * PERCENT for weight in weights]  # a hair under 100%: rounding would exceed the width
        head = tgroup.thead.get_table_section() if "thead" in _child_tags(tgroup) else None
        body = tgroup.tbody.get_table_section() if "tbody" in _child_tags(tgroup) else None
        table = rt.Table(body, head=head, column_widths=widths)
        try:
            caption = rt.Caption(self.title.process_content())
        except AttributeError:
            return table
        with_caption = rt.TableWithCaption([caption, table])
        with_caption.classes.extend(self.get("classes"))
        return with_caption


def _child_tags(node) -> set[str]:
    return {child.tag_name for child in node.getchildren()}


#: The kader's renderings, by node tag; installed by kaderpers.pdf.compat.
RENDERINGS = {"admonition": Admonition, "table": Table}
DocutilsNode._mapping.update(_RINOHTYPE_OWN)
