"""The one reading of the MkDocs-Material dialect's blocks: their translation to MyST, as text.

The build (:mod:`kaderpers.dialect`, in ``source-read``), ``check``
(:mod:`kaderpers.core.markup`) and the nesting limit (:mod:`kaderpers.core.limits`)
all read a page's blocks through this package, so a construct is added once.
Indentation follows Python-Markdown as MkDocs runs it (:mod:`.lines`): tab length 4,
a body one tab stop deeper than its opener, ended by the first line indented less.
The translation keeps every line where it was except the closing fences it must add
(:class:`.lines.Translation` maps back to the editor's lines). The Sphinx directives
these blocks become are :mod:`kaderpers.dialect`'s.

The block pass: MkDocs-Material block constructs → MyST, recursively for nested bodies.

Each construct lives in its own module and offers ``OPENER`` (a regex matched
against a line) and ``translate(lines, index, match, out, recurse)``, which
emits MyST into ``out`` and returns the index of the next line to read. Fenced
code is copied as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol

from . import admonitions, blocks, grids, tabs
from .lines import TAB_WIDTH, Emitter, Translation, code_fence, fenced_block_end, indent_width


class Construct(Protocol):
    """A block construct of the dialect: its opener and its translation to MyST."""

    OPENER: object

    def translate(self, lines: list[str], index: int, match: object, out: Emitter, recurse: Callable[[list[str]], list[str]]) -> int:
        """Emit the block opened at ``lines[index]`` into ``out``; the index of the next line to read."""
        ...


CONSTRUCTS: tuple[Construct, ...] = (admonitions, tabs, grids, blocks)  # type: ignore[assignment]
#: Openers of the blocks whose body is indented under them (``!!!``, ``???``, ``===``).
INDENTED_OPENERS = (admonitions.OPENER, tabs.OPENER)


def on_tab_stop(match: re.Match[str]) -> bool:
    """Whether an opener stands on a tab stop: Python-Markdown reads ``  !!! note`` as text."""
    return indent_width(match["indent"]) % TAB_WIDTH == 0


def indented_opener(line: str) -> re.Match[str] | None:
    """The match of an indented block's opener on ``line``, or None."""
    for opener in INDENTED_OPENERS:
        if (match := opener.match(line)) and on_tab_stop(match):
            return match
    return None


def translate_blocks(lines: list[str]) -> Translation:
    """A page's lines with every MkDocs-Material block translated to MyST, mapped back to the editor's lines."""
    out = Emitter()
    index = 0
    while index < len(lines):
        line = lines[index]
        if code_fence(line):
            end = fenced_block_end(lines, index)
            out.extend(lines[index:end])
            index = end
            continue
        for construct in CONSTRUCTS:
            if (match := construct.OPENER.match(line)) and (construct.OPENER not in INDENTED_OPENERS or on_tab_stop(match)):  # type: ignore[attr-defined]
                index = construct.translate(lines, index, match, out, translate_blocks)
                break
        else:
            out.append(line)
            index += 1
    return out.result()
