"""``<div class="grid cards" markdown>`` landing grids and other ``<div markdown>`` blocks.

A grid of cards is a list inside the div; each item is a card whose first line is
its title (a heading marker is dropped) and whose first thematic break (``---``)
separates the title from the body, as Material draws it. It becomes a
sphinx-design ``grid`` of ``grid-item-card``\\ s, so other builders can print the
cards as a list. Any other ``<div ... markdown>`` becomes a docutils
``container`` with the div's classes (inline styles are dropped: the site runs
under a strict Content-Security-Policy).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .lines import Emitter, colons_for, dedent, has_heading, indent_width, indented_body_end, is_blank, outside_code

OPENER = re.compile(r"^(?P<indent>[ \t]*)<div\b(?P<attrs>[^>]*\bmarkdown\b[^>]*)>[ \t]*$")
_CLASS = re.compile(r"""\bclass\s*=\s*(?:"(?P<double>[^"]*)"|'(?P<single>[^']*)'|(?P<bare>[^\s>]+))""")
_DIV_OPEN = re.compile(r"<div\b", re.IGNORECASE)
_DIV_CLOSE = re.compile(r"</div\s*>", re.IGNORECASE)
_ITEM = re.compile(r"^(?P<marker>[ \t]*[-*+][ \t]+)(?P<text>\S.*)$")
_HEADING_MARK = re.compile(r"^#{1,6}[ \t]+")
_THEMATIC_BREAK = re.compile(r"^[ \t]*(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
#: Columns of the grid at widths xs, sm, md and lg.
GRID_COLUMNS = "1 1 2 2"


def classes_of(attrs: str) -> list[str]:
    """The class names of a ``class`` attribute in ``attrs`` (only names of word characters and ``-``)."""
    match = _CLASS.search(attrs)
    value = (match["double"] or match["single"] or match["bare"] or "") if match else ""
    return [name for name in value.split() if re.fullmatch(r"[\w-]+", name)]


def closing_div(lines: list[str], start: int) -> int | None:
    """Index of the ``</div>`` that closes the div opened on ``lines[start]``."""
    depth = 0
    for index, markdown in outside_code(lines[start:]):
        if not markdown:
            continue
        line = lines[start + index]
        depth += len(_DIV_OPEN.findall(line)) - len(_DIV_CLOSE.findall(line))
        if depth <= 0:
            return start + index
    return None


def translate(lines: list[str], index: int, match: re.Match[str], out: Emitter, recurse: Callable[[list[str]], list[str]]) -> int:
    """Translate a ``<div ... markdown>`` (a grid of cards, or a container) up to its ``</div>``; the index after it."""
    close = closing_div(lines, index)
    if close is None or close == index:
        out.append(lines[index])
        return index + 1
    base = indent_width(match["indent"])
    body = [dedent(line, base) for line in lines[index + 1 : close]]
    classes = classes_of(match["attrs"])
    cards = _cards(body) if {"grid", "cards"} <= set(classes) else None
    prefix = " " * base
    if cards is None:
        inner = recurse(body)
        if not classes or has_heading(inner):  # nothing to keep but the content; headings stay sections
            out.append("")
            out.extend_body(inner, base)
            out.append("")
            return close + 1
        fence = prefix + colons_for(inner)
        out.append(f"{fence}{{container}} {' '.join(classes)}".rstrip())
        out.extend_body(inner, base)
        out.append(fence)
        return close + 1
    return _emit_cards(cards, body, base, out, recurse, close)


def _cards(body: list[str]) -> list[tuple[int, int]] | None:
    """(first line, end) of each list item in ``body``; None when the body is not one list."""
    items: list[tuple[int, int]] = []
    index = 0
    while index < len(body):
        line = body[index]
        if is_blank(line):
            index += 1
            continue
        if indent_width(line) >= 4 or not _ITEM.match(line):
            return None
        end = indented_body_end(body, index + 1, indent_width(line))
        items.append((index, end))
        index = end
    return items or None


def _emit_cards(cards: list[tuple[int, int]], body: list[str], base: int, out: Emitter, recurse: Callable[[list[str]], list[str]], close: int) -> int:
    prefix = " " * base
    translated: list[tuple[str, list[str], int, int]] = []
    for start, end in cards:
        item = _ITEM.match(body[start])
        assert item is not None
        content_column = len(item["marker"].expandtabs(4))
        card_body = [dedent(line, content_column) for line in body[start + 1 : end]]
        first = next((n for n, line in enumerate(card_body) if not is_blank(line)), None)
        if first is not None and _THEMATIC_BREAK.match(card_body[first]):
            card_body[first] = ""  # the title's rule: the card draws its own
        title = _HEADING_MARK.sub("", item["text"]).strip()
        translated.append((title, recurse(card_body), start, end))
    card_fence = prefix + colons_for([line for _, inner, _, _ in translated for line in inner])
    # the <div> line opens the grid
    out.append(f"{card_fence}:{{grid}} {GRID_COLUMNS}")
    position = 0
    for title, inner, start, end in translated:
        out.extend(body[position:start])  # blank lines between cards
        out.append(f"{card_fence}{{grid-item-card}} {title}")
        out.extend_body(inner, base)
        position = out.close(card_fence, body, end)
    out.extend(body[position:])
    # the </div> line closes it
    out.append(f"{card_fence}:")
    return close + 1
