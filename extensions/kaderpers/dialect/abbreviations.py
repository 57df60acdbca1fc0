"""Abbreviation definitions, ``*[AVG]: Algemene verordening gegevensbescherming``, as MkDocs' abbr extension writes them.

A page's own definition lines are blanked (outside code, so line numbers stay)
and kept for that page in ``env.current_document[PAGE_TERMS]``. The transform that
wraps the terms in the text, with the glossary's, is
:class:`kaderpers.sphinxext.glossary.Abbreviations`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..core.dialect.lines import outside_code
from ..core.loader import parse_glossary
from ..sphinxext.glossary import PAGE_TERMS

if TYPE_CHECKING:
    from sphinx.environment import BuildEnvironment

#: Where a page's own definitions are kept while it is read.
_DEFINITION_LINE = re.compile(r"^\*\[[^\]]+\]:")


def take_definitions(env: BuildEnvironment, lines: list[str]) -> list[str]:
    """Blank the page's ``*[TERM]: …`` lines (outside code) and keep their terms for this page."""
    found: list[str] = []
    result = list(lines)
    for index, markdown in outside_code(lines):
        if markdown and _DEFINITION_LINE.match(lines[index]):
            found.append(lines[index])
            result[index] = ""
    env.current_document[PAGE_TERMS] = dict(parse_glossary("\n".join(found)).terms) if found else {}
    return result
