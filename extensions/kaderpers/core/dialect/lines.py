"""Line helpers shared by the translators: indentation, code fences, fence closers.

The translators work on lists of lines and keep their number where they can, so
that warnings still point at the line an editor wrote. A construct that needs an
extra line (a closing fence) takes the blank line after it when there is one.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

TAB_WIDTH = 4  # Python-Markdown expands tabs to four columns
_CODE_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_COLON_FENCE = re.compile(r"^[ \t]*(?P<colons>:{3,})")
_BACKTICK_FENCE = re.compile(r"^[ \t]*(?P<backticks>`{3,})")


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
    """Whether ``line`` holds only whitespace."""
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
    """``line`` indented ``width`` columns; a blank line stays empty."""
    return " " * width + line if line.strip() else ""


def code_fence(line: str) -> re.Match[str] | None:
    """The match of a fenced code block's opening fence on ``line``, or None."""
    return _CODE_FENCE.match(line)


def closes_fence(line: str, opener: re.Match[str]) -> bool:
    """Whether ``line`` closes the fenced code block ``opener`` opened."""
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


def body_indent(opener_indent: int) -> int:
    """The indentation of an indented block's body (``!!!``, ``???``, ``===``): one tab stop more than its opener."""
    return opener_indent + TAB_WIDTH


def block_body_end(lines: list[str], start: int, opener_indent: int) -> int:
    """Index after the body of an indented block whose opener is indented ``opener_indent``.

    As Python-Markdown reads ``admonition``, ``pymdownx.details`` and ``pymdownx.tabbed``:
    the body is the lines indented at least one tab stop (4 columns, a tab counting as 4)
    more than the opener; the first line indented less ends the block, blank lines inside it stay.
    """
    return indented_body_end(lines, start, body_indent(opener_indent) - 1)


_ATX_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}(?:[ \t]|$)")


def has_heading(lines: list[str]) -> bool:
    """Whether Markdown ``lines`` hold a heading (which no container can hold: it starts a section)."""
    return any(markdown and _ATX_HEADING.match(lines[index]) for index, markdown in outside_code(lines))


def colons_for(body: list[str]) -> str:
    """A colon fence longer than any inside ``body``, so nested directives close correctly."""
    longest = max((len(m["colons"]) for line in body if (m := _COLON_FENCE.match(line))), default=2)
    return ":" * max(3, longest + 1)


def backticks_for(body: list[str]) -> str:
    """A backtick fence longer than any inside ``body``."""
    longest = max((len(m["backticks"]) for line in body if (m := _BACKTICK_FENCE.match(line))), default=2)
    return "`" * max(3, longest + 1)


class Translation(list[str]):
    """Translated lines, with the positions of the lines the translation added.

    Every other line stands where its source line stood, shifted down by the added lines above it.
    """

    def __init__(self, lines: list[str], inserted: list[int]) -> None:
        super().__init__(lines)
        self.inserted = sorted(inserted)

    def source_index(self, index: int) -> int:
        """The index in the source of translated line ``index`` (an added line: the line after it)."""
        return index - bisect.bisect_left(self.inserted, index)


class Emitter:
    """Collects translated lines; places fences on blank lines where it can."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        #: Positions in ``lines`` of the closing fences the translation added (see :meth:`close`).
        self.inserted: list[int] = []

    def fence_for(self, body: list[str], argument: str) -> str:
        """The fence of a directive around ``body``: colons, except on the first line of a block's body.

        MyST reads the content of a colon-fenced directive that is the very first line of
        another directive's content one line too low; a backtick fence it reads right (an
        argument with a backtick cannot stand after one, so those keep colons).
        """
        if not self.lines and "`" not in argument:
            return backticks_for(body)
        return colons_for(body)

    def extend(self, lines: list[str]) -> None:
        """Add lines as they are."""
        self.lines.extend(lines)

    def append(self, line: str) -> None:
        """Add one line as it is."""
        self.lines.append(line)

    def extend_body(self, body: list[str], base: int) -> None:
        """A translated body, indented ``base`` columns; the fences added inside it are kept track of."""
        start = len(self.lines)
        self.lines.extend(indented(line, base) for line in body)
        self.inserted.extend(start + position for position in getattr(body, "inserted", ()))

    def result(self) -> Translation:
        """The translated lines with the positions of the fences that were added."""
        return Translation(self.lines, self.inserted)

    def close(self, fence: str, lines: list[str], index: int) -> int:
        """Close a fenced block whose body ended before ``lines[index]``; returns the next index.

        The fence goes on that line when it is blank. At the end of ``lines`` no fence is
        written: the enclosing block (or the document) ends there and closes it, which
        keeps nested blocks that end together from needing a line each.
        """
        if index >= len(lines):
            return index
        if not is_blank(lines[index]):
            self.inserted.append(len(self.lines))
        self.lines.append(fence)
        return index + 1 if is_blank(lines[index]) else index
