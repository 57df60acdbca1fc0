"""``!!! type "Titel"`` admonitions and ``??? type "Titel"`` / ``???+`` collapsibles.

The opener line becomes a colon fence of our own directives, which take the
MkDocs header as it was written (``{md-admonition} example "Titel"``), so the
translation needs no option lines. Admonitions are docutils ``admonition`` nodes
with the type as class; collapsibles are sphinx-design dropdowns, which are plain
containers (printed open) in every builder except HTML.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from sphinx.util.docutils import SphinxDirective
from sphinx_design.dropdown import DropdownDirective

from .lines import Emitter, body_unit, colons_for, dedent, indent_width, indented, indented_body_end

if TYPE_CHECKING:
    from sphinx.application import Sphinx

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
    base = indent_width(match["indent"])
    end = indented_body_end(lines, index + 1, base)
    body = lines[index + 1 : end]
    unit = body_unit(body, base)
    inner = recurse([dedent(line, base + unit) for line in body])
    fence = " " * base + colons_for(inner)
    out.append(f"{fence}{{{DIRECTIVE_OF_MARKER[match['marker']]}}} {match['header']}")
    out.extend([indented(line, base) for line in inner])
    return out.close(fence, lines, end)


class MdAdmonition(SphinxDirective):
    """``!!! type "Titel"``: a docutils admonition with the type as class."""

    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True

    def run(self) -> list[nodes.Node]:
        kind, classes, title = parse_header(self.arguments[0] if self.arguments else "")
        node = nodes.admonition("\n".join(self.content), classes=[kind, *classes])
        self.set_source_info(node)
        if title:
            text_nodes, messages = self.state.inline_text(title, self.lineno)
            heading = nodes.title(title, "", *text_nodes)
            self.set_source_info(heading)
            node += heading
            node += messages
        self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


class MdDetails(SphinxDirective):
    """``??? type "Titel"``: a sphinx-design dropdown, closed; ``???+`` opens it."""

    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True
    opened: ClassVar[bool] = False

    def run(self) -> list[nodes.Node]:
        kind, classes, title = parse_header(self.arguments[0] if self.arguments else "")
        options: dict[str, object] = {"class-container": ["kaderpers-details", kind, *classes]}
        if self.opened:
            options["open"] = None
        dropdown = DropdownDirective(
            "dropdown", [title] if title else [], options, self.content, self.lineno, self.content_offset, self.block_text, self.state, self.state_machine
        )
        return dropdown.run()


class MdDetailsOpen(MdDetails):
    opened = True


def setup(app: Sphinx) -> None:
    app.add_directive("md-admonition", MdAdmonition)
    app.add_directive("md-details", MdDetails)
    app.add_directive("md-details-open", MdDetailsOpen)
