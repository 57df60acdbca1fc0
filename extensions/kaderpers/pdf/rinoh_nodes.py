"""rinohtype renderings of docutils nodes as kaderpers prints them.

Defining a subclass named after a node type registers it in rinohtype's table of
docutils node renderings (its metaclass maps class names to node tags). At its end
this module takes back every registration its classes made, whatever their names,
into :data:`RENDERINGS`; :mod:`kaderpers.pdf.compat` makes each a ``Patch``, which
puts it in the table only around a kaderpers PDF build. After
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

# rinohtype's own table of renderings, as it was before the classes below registered themselves.
_RINOHTYPE_OWN = dict(DocutilsNode._mapping)


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


def _taken_back(rinohtype_own: dict[str, type]) -> dict[str, type]:
    """What the classes above registered (by node tag), with rinohtype's table put back as it was."""
    registered = {tag: rendering for tag, rendering in DocutilsNode._mapping.items() if rinohtype_own.get(tag) is not rendering}
    DocutilsNode._mapping.clear()
    DocutilsNode._mapping.update(rinohtype_own)
    return registered


#: The kader's renderings, by node tag: every class defined above; installed by kaderpers.pdf.compat.
RENDERINGS = _taken_back(_RINOHTYPE_OWN)
