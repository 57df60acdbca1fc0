"""The block pass: MkDocs-Material block constructs → MyST, recursively for nested bodies.

Each construct lives in its own module and offers ``OPENER`` (a regex matched
against a line) and ``translate(lines, index, match, out, recurse)``, which
emits MyST into ``out`` and returns the index of the next line to read. Fenced
code is copied as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from . import admonitions, blocks, grids, tabs
from .lines import Emitter, code_fence, fenced_block_end


class Construct(Protocol):
    OPENER: object

    def translate(self, lines: list[str], index: int, match: object, out: Emitter, recurse: Callable[[list[str]], list[str]]) -> int: ...


CONSTRUCTS: tuple[Construct, ...] = (admonitions, tabs, grids, blocks)  # type: ignore[assignment]


def translate_blocks(lines: list[str]) -> list[str]:
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
            if match := construct.OPENER.match(line):  # type: ignore[attr-defined]
                index = construct.translate(lines, index, match, out, translate_blocks)
                break
        else:
            out.append(line)
            index += 1
    return out.lines
