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

from .lines import Emitter, block_body_end, body_indent, colons_for, dedent, indent_width, is_blank

OPENER = re.compile(r'^(?P<indent>[ \t]*)===(?P<flags>[!+]*)[ \t]+"(?P<label>.*)"[ \t]*$')
#: The body of a tab the editor left empty: a MyST comment, added (not one of the editor's lines).
EMPTY_TAB = "% een leeg tabblad"
_ITEM_FENCE = re.compile(r"^(?P<colons>:{3,})\{tab-item\}")


def first_tab_end(content: list[str]) -> int:
    """Where the first tab's body ends in the content of ``{md-tabs}``: at the set's first ``{tab-item}``.

    The set's own items have a fence longer than any other colon fence there (nested tab sets,
    their items and other directives have shorter ones): a set of one tab has no item, and then
    the longest fence is a nested set's, not the end of the first tab.
    """
    longest = len(colons_for(content)) - 1  # the longest colon fence in the content
    return next((index for index, line in enumerate(content) if (match := _ITEM_FENCE.match(line)) and len(match["colons"]) == longest), len(content))


def translate(lines: list[str], index: int, match: re.Match[str], out: Emitter, recurse: Callable[[list[str]], list[str]]) -> int:
    """Emit a run of ``===`` tabs at one indentation as one ``{md-tabs}`` set; returns the index after the last tab's body."""
    base = indent_width(match["indent"])
    tabs: list[tuple[str, list[str], int]] = []  # (label, translated body, index after the body)
    while True:
        end = block_body_end(lines, index + 1, base)
        body = lines[index + 1 : end]
        tabs.append((match["label"], recurse([dedent(line, body_indent(base)) for line in body]), end))
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
        out.extend_body(body, base)
        if all(is_blank(line) for line in body):  # a tab-item needs content: Python-Markdown shows an empty tab
            out.inserted.append(len(out.lines))
            out.append(" " * base + EMPTY_TAB)
        if position == len(tabs) - 1:
            return out.close(f"{item_fence}:", lines, end)
        # {md-tabs} ends the first tab's body itself at the next {tab-item}; later tabs close
        following = end if position == 0 else out.close(item_fence, lines, end)
        while is_blank(lines[following]):  # blank lines between two tabs stay as they were
            out.append(lines[following])
            following += 1
    raise AssertionError("unreachable: the last tab returns")
