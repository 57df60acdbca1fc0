"""``=== "Tab"`` content tabs → a sphinx-design tab set.

Consecutive tabs at one indentation form one set (``===!`` starts a new one).
The first tab's line opens ``{md-tabs} Label``, a directive of our own that holds
the first tab's body and then the other tabs as ``{tab-item}`` directives; it
needs no line of its own for the set, so the translation adds no lines when
the tabs are separated by blank lines, as they usually are.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.util.docutils import SphinxDirective
from sphinx_design.shared import create_component
from sphinx_design.tabs import TabItemDirective

from .lines import Emitter, body_unit, colons_for, dedent, indent_width, indented, indented_body_end, is_blank

if TYPE_CHECKING:
    from sphinx.application import Sphinx

OPENER = re.compile(r'^(?P<indent>[ \t]*)===(?P<flags>[!+]*)[ \t]+"(?P<label>.*)"[ \t]*$')
_ITEM_FENCE = re.compile(r"^(?P<colons>:{3,})\{tab-item\}")


def translate(lines: list[str], index: int, match: re.Match[str], out: Emitter, recurse: Callable[[list[str]], list[str]]) -> int:
    base = indent_width(match["indent"])
    tabs: list[tuple[str, list[str], int]] = []  # (label, translated body, index after the body)
    while True:
        end = indented_body_end(lines, index + 1, base)
        body = lines[index + 1 : end]
        unit = body_unit(body, base)
        tabs.append((match["label"], recurse([dedent(line, base + unit) for line in body]), end))
        following = end
        while following < len(lines) and is_blank(lines[following]):
            following += 1
        next_match = OPENER.match(lines[following]) if following < len(lines) else None
        if next_match is None or indent_width(next_match["indent"]) != base or "!" in next_match["flags"]:
            break
        index, match = following, next_match
    item_fence = " " * base + colons_for([line for _, body, _ in tabs for line in body])
    for position, (label, body, end) in enumerate(tabs):
        out.append(f"{item_fence}:{{md-tabs}} {label}" if position == 0 else f"{item_fence}{{tab-item}} {label}")
        out.extend([indented(line, base) for line in body])
        if position == len(tabs) - 1:
            return out.close(f"{item_fence}:", lines, end)
        # {md-tabs} ends the first tab's body itself at the next {tab-item}; later tabs close
        following = end if position == 0 else out.close(item_fence, lines, end)
        while is_blank(lines[following]):  # blank lines between two tabs stay as they were
            out.append(lines[following])
            following += 1
    raise AssertionError("unreachable: the last tab returns")


class MdTabs(SphinxDirective):
    """A tab set whose content starts with the first tab's body, followed by ``{tab-item}``\\ s."""

    has_content = True
    required_arguments = 1
    final_argument_whitespace = True

    def run(self) -> list[nodes.Node]:
        fences = [(index, len(match["colons"])) for index, line in enumerate(self.content) if (match := _ITEM_FENCE.match(line))]
        longest = max((length for _, length in fences), default=0)
        split = next((index for index, length in fences if length == longest), len(self.content))
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
    app.add_directive("md-tabs", MdTabs)
