"""Heading anchors as MkDocs makes them, so ``page.md#anker`` links keep working.

Python-Markdown's ``toc`` extension: accents folded to ASCII (``één`` → ``een``),
everything but letters, digits, ``_``, ``-`` and spaces removed, trimmed, lower
case, and runs of spaces and hyphens joined into one hyphen.
"""

from __future__ import annotations

import re
import unicodedata

_NOT_SLUG = re.compile(r"[^\w\s-]")
_SEPARATORS = re.compile(r"[-\s]+")


def mkdocs_slug(title: str) -> str:
    """The anchor MkDocs gives a heading: ASCII, lower case, words joined by ``-``."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    return _SEPARATORS.sub("-", _NOT_SLUG.sub("", ascii_title).strip().lower())
