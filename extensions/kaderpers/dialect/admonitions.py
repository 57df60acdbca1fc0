"""The directives of ``!!!`` admonitions and ``???`` / ``???+`` collapsibles.

The translation to MyST is :mod:`kaderpers.core.dialect.admonitions`'. Admonitions are
docutils ``admonition`` nodes with the type as class; collapsibles are sphinx-design
dropdowns, which are plain containers (printed open) in every builder except HTML.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from sphinx.util.docutils import SphinxDirective
from sphinx_design.dropdown import DropdownDirective

from ..core.dialect.admonitions import DEFAULT_TITLES, parse_header

if TYPE_CHECKING:
    from sphinx.application import Sphinx

__all__ = ["DEFAULT_TITLES", "MdAdmonition", "MdDetails", "MdDetailsOpen", "setup"]


class MdAdmonition(SphinxDirective):
    """``!!! type "Titel"``: a docutils admonition with the type as class."""

    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True

    def run(self) -> list[nodes.Node]:
        kind, classes, title = parse_header(self.arguments[0] if self.arguments else "")
        node = nodes.admonition("\n".join(self.content), classes=[kind, *classes])
        self.set_source_info(node)
        if title:
            text_nodes, messages = self.state.inline_text(title, self.lineno)
            heading = nodes.title(title, "", *text_nodes)
            self.set_source_info(heading)
            node += heading
            node += messages
        self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


class MdDetails(SphinxDirective):
    """``??? type "Titel"``: a sphinx-design dropdown, closed; ``???+`` opens it."""

    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True
    opened: ClassVar[bool] = False

    def run(self) -> list[nodes.Node]:
        kind, classes, title = parse_header(self.arguments[0] if self.arguments else "")
        options: dict[str, object] = {"class-container": ["kaderpers-details", kind, *classes]}
        if self.opened:
            options["open"] = None
        dropdown = DropdownDirective(
            "dropdown", [title] if title else [], options, self.content, self.lineno, self.content_offset, self.block_text, self.state, self.state_machine
        )
        return dropdown.run()


class MdDetailsOpen(MdDetails):
    opened = True


def setup(app: Sphinx) -> None:
    """Register the directives that ``!!!``, ``???`` and ``???+`` blocks become."""
    app.add_directive("md-admonition", MdAdmonition)
    app.add_directive("md-details", MdDetails)
    app.add_directive("md-details-open", MdDetailsOpen)
