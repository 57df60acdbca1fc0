"""Pages the publication adds to the site, made from the kader rather than read from the tree.

* ``wijzigingen/`` (with ``--compare-to``): what changed since the compared version
  (:mod:`kaderpers.sphinxext.changes`).

Each is rendered from docutils nodes in the site's layout and linked from the footer
of every page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.util import logging
from sphinx.util.nodes import make_refnode

from ..sphinxext.changes import CHANGES_PAGE, CHANGES_TITLE, changes_section
from ..sphinxext.domain import kader_domain

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)

STYLESHEET = "kader-changes.css"
FOOTER_TEMPLATE = "kaderpers-publication-links.html"


@dataclass(frozen=True)
class GeneratedPage:
    pagename: str
    title: str
    #: The page's content, given a function that links to a page of the tree.
    render: Callable[[Callable[[str, str], nodes.Node]], nodes.section]


#: Every page this module can add, whether this build adds it or not.
PAGENAMES = (CHANGES_PAGE,)


def generated_pages(app: Sphinx) -> list[GeneratedPage]:
    """The pages this build adds; a page of the tree with the same name wins (and is warned about once)."""
    domain = kader_domain(app.env)
    found = []
    if domain.changes is not None:
        diff, label = domain.changes, domain.changes_label
        found.append(GeneratedPage(CHANGES_PAGE, CHANGES_TITLE, lambda links: changes_section(diff, label, links)))
    taken = [page for page in found if page.pagename in app.env.found_docs]
    for page in taken:
        if page.pagename not in domain.warned:
            domain.warned.add(page.pagename)
            logger.warning(
                "the tree has its own page %s, so the generated %s page is left out; rename that page to publish both",
                page.pagename, page.title, type="kaderpers", subtype="generated-page",
            )  # fmt: skip
    return [page for page in found if page not in taken]


def links_from(app: Sphinx, pagename: str) -> Callable[[str, str], nodes.Node]:
    def link(docname: str, text: str) -> nodes.Node:
        if docname not in app.env.all_docs:
            return nodes.Text(text)
        return make_refnode(app.builder, pagename, docname, None, nodes.inline(text, text, classes=["doc"]))

    return link


def on_html_collect_pages(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    if not hasattr(app.builder, "fignumbers"):
        app.builder.fignumbers = {}  # see kaderpers.sphinxext.glossary: set only when documents are written
    for page in generated_pages(app):
        body = app.builder.render_partial(page.render(links_from(app, page.pagename)))["fragment"]
        yield page.pagename, {"title": page.title, "body": body, "kaderpers_generated": True}, "page.html"


def on_html_page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    pages = generated_pages(app)
    if not pages:
        return
    context["kaderpers_publication_links"] = [(page.title, context["pathto"](page.pagename), page.pagename == pagename) for page in pages]
    footer = list(context.get("theme_footer_start") or [])
    if FOOTER_TEMPLATE not in footer:
        context["theme_footer_start"] = [*footer, FOOTER_TEMPLATE]


def remove_pages_not_generated(app: Sphinx, exception: BaseException | None) -> None:
    """A page an earlier build added but this one does not (built without ``--compare-to`` now) is deleted."""
    if exception is not None or app.builder.format != "html":
        return
    generated = {page.pagename for page in generated_pages(app)}
    outdir = Path(app.outdir).resolve()
    for pagename in PAGENAMES:
        if pagename in generated or pagename in app.env.found_docs:
            continue
        (outdir / app.builder.get_target_uri(pagename)).unlink(missing_ok=True)


def setup(app: Sphinx) -> None:
    app.add_css_file(STYLESHEET)
    app.connect("html-collect-pages", on_html_collect_pages)
    app.connect("html-page-context", on_html_page_context)
    app.connect("build-finished", remove_pages_not_generated)
