"""The directive of ``=== "Tab"`` content tabs: a sphinx-design tab set.

The translation to MyST is :mod:`kaderpers.core.dialect.tabs`'.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.util.docutils import SphinxDirective
from sphinx_design.shared import create_component
from sphinx_design.tabs import TabItemDirective

from ..core.dialect.tabs import first_tab_end

if TYPE_CHECKING:
    from sphinx.application import Sphinx


class MdTabs(SphinxDirective):
    """A tab set whose content starts with the first tab's body, followed by ``{tab-item}``\\ s."""

    has_content = True
    required_arguments = 1
    final_argument_whitespace = True

    def run(self) -> list[nodes.Node]:
        split = first_tab_end(list(self.content))
        tab_set = create_component("tab-set", classes=["sd-tab-set", "kaderpers-tabs"])
        self.set_source_info(tab_set)
        first = TabItemDirective(
            "tab-item", [self.arguments[0]], {}, self.content[:split], self.lineno, self.content_offset, self.block_text, self.state, self.state_machine
        )
        parent, self.state_machine.node = self.state_machine.node, tab_set  # a tab-item checks it is made in a set
        try:
            tab_set.extend(first.run())
        finally:
            self.state_machine.node = parent
        self.state.nested_parse(self.content[split:], self.content_offset + split, tab_set)
        return [tab_set]


def setup(app: Sphinx) -> None:
    """Register the directive that a run of ``===`` tabs becomes."""
    app.add_directive("md-tabs", MdTabs)
