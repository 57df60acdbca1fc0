"""Line helpers shared by the translators: indentation, code fences, fence closers.

The translators work on lists of lines and keep their number where they can, so
that warnings still point at the line an editor wrote. A construct that needs an
extra line (a closing fence) takes the blank line after it when there is one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

TAB_WIDTH = 4  # Python-Markdown expands tabs to four columns
_CODE_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_COLON_FENCE = re.compile(r"^[ \t]*(?P<colons>:{3,})")


def indent_width(line: str) -> int:
    """Columns of leading whitespace, tabs expanded to the next multiple of four."""
    width = 0
    for char in line:
        if char == " ":
            width += 1
        elif char == "\t":
            width += TAB_WIDTH - width % TAB_WIDTH
        else:
            break
    return width


def is_blank(line: str) -> bool:
    return not line.strip()


def dedent(line: str, width: int) -> str:
    """Remove up to ``width`` columns of leading whitespace (tabs count as four)."""
    column = 0
    for position, char in enumerate(line):
        if column >= width or char not in " \t":
            rest = line[position:]
            return " " * (column - width) + rest if column > width else rest
        column += 1 if char == " " else TAB_WIDTH - column % TAB_WIDTH
    return ""


def indented(line: str, width: int) -> str:
    return " " * width + line if line.strip() else ""


def code_fence(line: str) -> re.Match[str] | None:
    return _CODE_FENCE.match(line)


def closes_fence(line: str, opener: re.Match[str]) -> bool:
    fence = opener["fence"]
    stripped = line.strip()
    return bool(stripped) and set(stripped) == {fence[0]} and len(stripped) >= len(fence) and indent_width(line) < indent_width(opener["indent"]) + 4


def outside_code(lines: list[str]) -> Iterator[tuple[int, bool]]:
    """Each line index with whether it is Markdown (True) or inside a fenced code block."""
    opener: re.Match[str] | None = None
    for index, line in enumerate(lines):
        if opener is not None:
            yield index, False
            if closes_fence(line, opener):
                opener = None
        elif match := code_fence(line):
            opener = match
            yield index, False
        else:
            yield index, True


def fenced_block_end(lines: list[str], start: int) -> int:
    """Index after the code block whose opening fence is ``lines[start]``."""
    opener = code_fence(lines[start])
    assert opener is not None
    for index in range(start + 1, len(lines)):
        if closes_fence(lines[index], opener):
            return index + 1
    return len(lines)


def indented_body_end(lines: list[str], start: int, base: int) -> int:
    """Index after the last non-blank line, from ``start`` on, indented deeper than ``base``."""
    end = start
    index = start
    while index < len(lines):
        line = lines[index]
        if is_blank(line):
            index += 1
            continue
        if indent_width(line) <= base:
            break
        if code_fence(line):
            index = fenced_block_end(lines, index)
        else:
            index += 1
        end = index
    return end


_ATX_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}(?:[ \t]|$)")


def has_heading(lines: list[str]) -> bool:
    """Whether Markdown ``lines`` hold a heading (which no container can hold: it starts a section)."""
    return any(markdown and _ATX_HEADING.match(lines[index]) for index, markdown in outside_code(lines))


def body_unit(lines: list[str], base: int) -> int:
    """How far a body is indented beyond ``base``: the first line's extra indent, at most one level."""
    first = next((line for line in lines if not is_blank(line)), None)
    if first is None:
        return TAB_WIDTH
    return max(1, min(TAB_WIDTH, indent_width(first) - base))


def colons_for(body: list[str]) -> str:
    """A colon fence longer than any inside ``body``, so nested directives close correctly."""
    longest = max((len(m["colons"]) for line in body if (m := _COLON_FENCE.match(line))), default=2)
    return ":" * max(3, longest + 1)


class Emitter:
    """Collects translated lines; places fences on blank lines where it can."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def extend(self, lines: list[str]) -> None:
        self.lines.extend(lines)

    def append(self, line: str) -> None:
        self.lines.append(line)

    def close(self, fence: str, lines: list[str], index: int) -> int:
        """Close a fenced block whose body ended before ``lines[index]``; returns the next index.

        The fence goes on that line when it is blank. At the end of ``lines`` no fence is
        written: the enclosing block (or the document) ends there and closes it, which
        keeps nested blocks that end together from needing a line each.
        """
        if index >= len(lines):
            return index
        self.lines.append(fence)
        return index + 1 if is_blank(lines[index]) else index
