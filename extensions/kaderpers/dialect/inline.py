"""The inline pass: attribute lists and shortcodes on Markdown lines, never inside code."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..core.dialect.lines import outside_code
from . import attributes, icons

_CODE_SPAN = re.compile(r"(?P<ticks>`+)(?:.*?[^`])?(?P=ticks)(?!`)")


def outside_code_spans(text: str, rewrite: Callable[[str], str]) -> str:
    """Apply ``rewrite`` to the parts of ``text`` that are not inline code (or role content)."""
    pieces: list[str] = []
    position = 0
    for span in _CODE_SPAN.finditer(text):
        pieces.append(rewrite(text[position : span.start()]))
        pieces.append(span[0])
        position = span.end()
    pieces.append(rewrite(text[position:]))
    return "".join(pieces)


def _rewrite_text(text: str) -> str:
    return icons.rewrite(attributes.rewrite_inline(text))


def translate_inline(lines: list[str]) -> list[str]:
    result = list(lines)
    for index, markdown in outside_code(lines):
        line = lines[index]
        if markdown and line.strip():
            result[index] = outside_code_spans(attributes.rewrite_heading(line), _rewrite_text)
    return result
