"""``!!! type "Titel"`` admonitions and ``??? type "Titel"`` / ``???+`` collapsibles.

The opener line becomes a colon fence of our own directives, which take the
MkDocs header as it was written (``{md-admonition} example "Titel"``), so the
translation needs no option lines. The directives are :mod:`kaderpers.dialect.admonitions`'.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .lines import Emitter, block_body_end, body_indent, dedent, indent_width

OPENER = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>!!!|\?\?\?\+?)[ \t]+(?P<header>\S.*?)[ \t]*$")
_HEADER = re.compile(r'^(?P<types>[\w-]+(?:[ \t]+[\w-]+)*)?[ \t]*(?:"(?P<title>.*)")?$')

DIRECTIVE_OF_MARKER = {"!!!": "md-admonition", "???": "md-details", "???+": "md-details-open"}

#: Titles of admonitions written without one, in Dutch (MkDocs shows the type in English,
#: capitalised; Material translates no admonition titles). The PDF uses the same words.
DEFAULT_TITLES = {
    "note": "Opmerking",
    "abstract": "Samenvatting",
    "summary": "Samenvatting",
    "info": "Info",
    "todo": "Te doen",
    "tip": "Tip",
    "hint": "Tip",
    "success": "Gelukt",
    "check": "Gelukt",
    "done": "Gedaan",
    "question": "Vraag",
    "help": "Hulp",
    "faq": "Veelgestelde vraag",
    "warning": "Waarschuwing",
    "caution": "Let op",
    "attention": "Let op",
    "important": "Belangrijk",
    "failure": "Mislukt",
    "fail": "Mislukt",
    "missing": "Ontbreekt",
    "danger": "Gevaar",
    "error": "Fout",
    "bug": "Fout",
    "example": "Voorbeeld",
    "quote": "Citaat",
    "cite": "Citaat",
}


def parse_header(text: str) -> tuple[str, list[str], str]:
    """``example extra "Titel"`` → (``example``, [``extra``], ``Titel``); an empty title means none."""
    match = _HEADER.match(text.strip())
    types = (match["types"] if match and match["types"] else "note").split()
    kind = types[0].lower()
    if match and match["title"] is not None:
        title = match["title"].replace('\\"', '"')
    elif match is None:
        title = text.strip().strip('"')
    else:
        title = DEFAULT_TITLES.get(kind, kind.replace("-", " ").capitalize())
    return kind, types[1:], title


def translate(lines: list[str], index: int, match: re.Match[str], out: Emitter, recurse: Callable[[list[str]], list[str]]) -> int:
    """Translate an admonition (``!!!``, ``???``, ``???+``) and its indented body; the index after it."""
    base = indent_width(match["indent"])
    end = block_body_end(lines, index + 1, base)
    body = lines[index + 1 : end]
    inner = recurse([dedent(line, body_indent(base)) for line in body])
    fence = " " * base + out.fence_for(inner, match["header"])
    out.append(f"{fence}{{{DIRECTIVE_OF_MARKER[match['marker']]}}} {match['header']}")
    out.extend_body(inner, base)
    return out.close(fence, lines, end)


