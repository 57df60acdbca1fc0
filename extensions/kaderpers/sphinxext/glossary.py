"""Abbreviations and the Woordenlijst.

* ``*[AVG]: Algemene verordening gegevensbescherming`` lines define
  abbreviations (a page's own are taken out of its text by
  :mod:`kaderpers.dialect.abbreviations`). The glossary file (``includes/begrippenlijst.md``, found by
  :func:`kaderpers.sphinxext.collector.glossary_path`) applies to every page without being
  pasted into it, and a page's own definitions apply to that page (and win).
  Every case-sensitive whole-word occurrence in the text becomes a docutils
  ``abbreviation`` node with the definition as explanation (``<abbr title>`` in
  HTML), by one compiled regular expression.
* :func:`woordenlijst_nodes` gives the glossary as docutils nodes, for any
  builder. HTML gets a generated page ``woordenlijst.html`` in the site's layout
  and a link to it in the footer of every page, unless a page of the tree
  shows the Woordenlijst itself with the ``{kader-woordenlijst}`` directive.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx.util.docutils import SphinxDirective

from ..core.slugs import mkdocs_slug
from .domain import glossary, kader_domain

if TYPE_CHECKING:
    from sphinx.application import Sphinx

    from ..core.model import Glossary

#: ``env.current_document`` key of the terms a page defines itself (``*[TERM]: …``, :mod:`kaderpers.dialect.abbreviations`).
PAGE_TERMS = "kaderpers_abbreviations"
WOORDENLIJST_PAGE = "woordenlijst"
WOORDENLIJST_TITLE = "Woordenlijst"
WOORDENLIJST_CLASS = "kaderpers-woordenlijst"
FOOTER_LINK_TEMPLATE = "kaderpers-woordenlijst-link.html"
#: Text inside these is never wrapped: code, raw markup, existing abbreviations, titles.
_SKIP = (nodes.FixedTextElement, nodes.literal, nodes.raw, nodes.abbreviation, nodes.title, nodes.comment, nodes.target)


# -- the transform ------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    if not terms:
        return None
    alternatives = "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


def _text_nodes(node: nodes.Node) -> Iterator[nodes.Text]:
    for child in node.children:
        if isinstance(child, nodes.Text):
            yield child
        elif isinstance(child, nodes.Element) and not isinstance(child, _SKIP) and WOORDENLIJST_CLASS not in child.get("classes", ()):
            yield from _text_nodes(child)


def wrap_abbreviations(document: nodes.Node, terms: Mapping[str, str]) -> int:
    """Wrap every whole-word occurrence of a term in an ``abbreviation`` node; returns how many."""
    pattern = _pattern(tuple(sorted(terms)))
    if pattern is None:
        return 0
    count = 0
    for text in list(_text_nodes(document)):
        value = text.astext()
        pieces: list[nodes.Node] = []
        position = 0
        for match in pattern.finditer(value):
            pieces.append(nodes.Text(value[position : match.start()]))
            term = match[0]
            pieces.append(nodes.abbreviation(term, term, explanation=terms[term].strip()))
            position = match.end()
        if not pieces:
            continue
        pieces.append(nodes.Text(value[position:]))
        text.parent.replace(text, [piece for piece in pieces if not isinstance(piece, nodes.Text) or piece.astext()])
        count += len(pieces) // 2
    return count


class Abbreviations(SphinxTransform):
    """The glossary's and the page's own abbreviations, on every page."""

    default_priority = 800  # after the dialect and directive transforms have shaped the text

    def apply(self, **kwargs: Any) -> None:
        page_terms = self.env.current_document.get(PAGE_TERMS) or {}
        terms = {**glossary(self.env).terms, **page_terms}
        wrap_abbreviations(self.document, terms)


# -- the Woordenlijst ---------------------------------------------------------------------


def sorted_terms(source: Glossary) -> list[tuple[str, str]]:
    """Terms as the real site lists them: by lower-cased term, definitions as written."""
    return sorted(source.terms.items(), key=lambda item: item[0].lower())


def woordenlijst_nodes(source: Glossary) -> list[nodes.Node]:
    """The glossary as a definition list (one ``dt``/``dd`` per term, each with an anchor)."""
    if not source.terms:
        return [nodes.paragraph("", "De woordenlijst is leeg.")]
    listing = nodes.definition_list(classes=[WOORDENLIJST_CLASS])
    seen: set[str] = set()
    for term, definition in sorted_terms(source):
        anchor = "begrip-" + (mkdocs_slug(term) or "term")
        while anchor in seen:
            anchor += "-"
        seen.add(anchor)
        item = nodes.definition_list_item()
        item += nodes.term(term, term, ids=[anchor])
        item += nodes.definition("", nodes.paragraph(definition, definition.strip()))
        listing += item
    return [listing]


class WoordenlijstDirective(SphinxDirective):
    """``{kader-woordenlijst}``: this page shows the Woordenlijst."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        kader_domain(self.env).note_woordenlijst(self.env.docname)
        return woordenlijst_nodes(glossary(self.env))


def woordenlijst_target(app: Sphinx) -> str | None:
    """The page name of the Woordenlijst in this build, if there is one."""
    own = kader_domain(app.env).woordenlijst_pages
    if own:
        return own[0]
    return WOORDENLIJST_PAGE if glossary(app.env).terms else None


def on_html_collect_pages(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    if kader_domain(app.env).woordenlijst_pages or not glossary(app.env).terms:
        return
    section = nodes.section("", nodes.title(WOORDENLIJST_TITLE, WOORDENLIJST_TITLE), ids=["woordenlijst"])
    section += nodes.paragraph("", "Betekenis van de begrippen en afkortingen die in het Algoritmekader worden gebruikt.")
    section.extend(woordenlijst_nodes(glossary(app.env)))
    # prepare_writing() sets fignumbers, but Sphinx skips it when no document is
    # out of date; the Woordenlijst is written on every build all the same.
    if not hasattr(app.builder, "fignumbers"):
        app.builder.fignumbers = {}
    body = app.builder.render_partial(section)["fragment"]
    yield WOORDENLIJST_PAGE, {"title": WOORDENLIJST_TITLE, "body": body}, "page.html"


def on_html_page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    target = woordenlijst_target(app)
    if target is None:
        return
    context["kaderpers_woordenlijst_url"] = context["pathto"](target)
    context["kaderpers_woordenlijst_current"] = pagename == target
    footer = list(context.get("theme_footer_start") or [])
    if FOOTER_LINK_TEMPLATE not in footer:
        context["theme_footer_start"] = [*footer, FOOTER_LINK_TEMPLATE]


def setup(app: Sphinx) -> None:
    """Abbreviations expanded on every page, the ``kader-woordenlijst`` directive and the generated Woordenlijst page."""
    app.add_transform(Abbreviations)
    app.add_directive("kader-woordenlijst", WoordenlijstDirective)
    app.connect("html-collect-pages", on_html_collect_pages)
    app.connect("html-page-context", on_html_page_context)
