"""Pages the publication adds to the site, made from the kader rather than read from the tree.

* ``traceerbaarheid/``: vereisten against maatregelen and hulpmiddelen, maatregelen against
  audit frameworks, and the gap report (:mod:`kaderpers.sphinxext.traceability`), its tables
  with the filter layer and exports;
* ``wijzigingen/`` (with ``--compare-to``): what changed since the compared version
  (:mod:`kaderpers.sphinxext.changes`);
* ``beslishulp/`` (with a decision tree): the beslishulp AI-verordening (:mod:`.beslishulp`);
* ``mijn-checklist/`` (when the kader has vereisten): the reader's checklist (:mod:`.checklist`);
* ``id/`` (in a release of a versioned site): every record id with its page (:mod:`.versions`).

Each is rendered from docutils nodes into the site's layout and linked from the footer
of every page.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.util import logging

from ..sphinxext.changes import CHANGES_PAGE, CHANGES_TITLE, changes_section
from ..sphinxext.domain import kader, kader_domain
from ..sphinxext.tables import DocLinks
from ..sphinxext.traceability import TRACEABILITY_PAGE, TRACEABILITY_TITLE, traceability, traceability_section
from . import interactive
from .beslishulp import BESLISHULP_PAGE, CHECKLIST_PAGE, beslishulp_section
from .beslishulp import TITLE as BESLISHULP_TITLE
from .checklist import TITLE as CHECKLIST_TITLE
from .checklist import checklist_section, has_checklist
from .exports import EXPORT_FOLDER, TableExport, dataset, download_links, export_tasks
from .versions import ID_PAGE, ID_TITLE, id_page, is_release

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)

STYLESHEET = "kader-changes.css"
FOOTER_TEMPLATE = "kaderpers-publication-links.html"


@dataclass(frozen=True)
class GeneratedPage:
    pagename: str
    title: str
    #: The page's body as HTML, made when it is written.
    body: Callable[[Sphinx], str]
    #: The page has tables for the filter layer.
    interactive: bool = False


def changes_page(app: Sphinx) -> str:
    domain = kader_domain(app.env)
    assert domain.changes is not None
    return app.builder.render_partial(changes_section(domain.changes, domain.changes_label, DocLinks(CHANGES_PAGE, app.builder).to))["fragment"]


def traceability_page(app: Sphinx) -> str:
    """The traceability page; its tables are exported as CSV, XLSX and ODS like every kader table with ``export``.

    It is made on every build, incremental ones too, and making it takes a good part of a
    small rebuild: the body is kept beside the doctrees and made again only when what it
    shows changed (:meth:`Traceability.digest`, and the code that renders it)."""
    index = kader(app.env)
    content = traceability(index)
    for table in content.tables:
        export = TableExport(Path(app.builder.outdir, EXPORT_FOLDER), table.name, dataset(app, table.model))
        if not export.is_current():
            export_tasks(app).add_task(TableExport.write, export)
    link_style = (app.builder.name, app.config.html_file_suffix, app.config.html_link_suffix)
    digest = f"{content.digest(index)}-{code_digest()}-{link_style}"
    cache = Path(app.doctreedir, "kaderpers-generated", "traceerbaarheid.json")
    try:
        cached = json.loads(cache.read_text("utf-8"))
        if cached.get("digest") == digest:
            return str(cached["body"])
    except (OSError, ValueError, TypeError, AttributeError):
        pass  # no (usable) cache: make the page
    section = traceability_section(index, content, DocLinks(TRACEABILITY_PAGE, app.builder))
    for table in content.tables:
        assert table.container is not None
        table.container.insert(0, download_links(app, TRACEABILITY_PAGE, table.name))
    body = app.builder.render_partial(section)["fragment"]
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps({"digest": digest, "body": body}), encoding="utf-8")
    except OSError:
        pass  # the next build makes it again
    return body


def beslishulp_page(app: Sphinx) -> str:
    tree = kader_domain(app.env).decision_tree
    assert tree is not None
    return app.builder.render_partial(beslishulp_section(app, tree))["fragment"]


def checklist_page(app: Sphinx) -> str:
    return app.builder.render_partial(checklist_section(app))["fragment"]


@functools.cache
def code_digest() -> str:
    """A fingerprint of the code that renders the generated pages, so a new version never shows a cached page."""
    digest = hashlib.sha1(usedforsecurity=False)
    package = Path(__file__).resolve().parents[1]
    for module in sorted([*package.glob("core/*.py"), *package.glob("sphinxext/*.py"), *package.glob("site/*.py")]):
        digest.update(module.read_bytes())
    return digest.hexdigest()


#: Every page this module can add, whether this build adds it or not.
PAGENAMES = (TRACEABILITY_PAGE, CHANGES_PAGE, BESLISHULP_PAGE, CHECKLIST_PAGE, ID_PAGE)


def generated_pages(app: Sphinx) -> list[GeneratedPage]:
    """The pages this build adds; a page of the tree with the same name wins (and is warned about once)."""
    domain = kader_domain(app.env)
    found = [GeneratedPage(TRACEABILITY_PAGE, TRACEABILITY_TITLE, traceability_page, interactive=True)]
    if domain.changes is not None:
        found.append(GeneratedPage(CHANGES_PAGE, CHANGES_TITLE, changes_page))
    if domain.decision_tree is not None:
        found.append(GeneratedPage(BESLISHULP_PAGE, BESLISHULP_TITLE, beslishulp_page))
    if has_checklist(app):
        found.append(GeneratedPage(CHECKLIST_PAGE, CHECKLIST_TITLE, checklist_page))
    if is_release(app):
        found.append(GeneratedPage(ID_PAGE, ID_TITLE, id_page))
    taken = [page for page in found if page.pagename in app.env.found_docs]
    for page in taken:
        if domain.mark_warned(page.pagename):
            logger.warning(
                "the tree has its own page %s, so the generated %s page is left out; rename that page to publish both",
                page.pagename, page.title, type="kaderpers", subtype="generated-page",
            )  # fmt: skip
    return [page for page in found if page not in taken]


def on_html_collect_pages(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    if not hasattr(app.builder, "fignumbers"):
        app.builder.fignumbers = {}  # see kaderpers.sphinxext.glossary: set only when documents are written
    for page in generated_pages(app):
        yield page.pagename, {"title": page.title, "body": page.body(app)}, "page.html"


def on_html_page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    pages = generated_pages(app)
    if not pages:
        return
    context["kaderpers_publication_links"] = [(page.title, context["pathto"](page.pagename), page.pagename == pagename) for page in pages]
    if any(page.interactive and page.pagename == pagename for page in pages):
        interactive.add_page_scripts(app, interactive.PROFILE_SCRIPT, interactive.SCRIPT)
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
    """The generated pages (traceability, changes, beslishulp, checklist): collected, given context, removed when no longer made."""
    app.add_css_file(STYLESHEET)
    app.connect("html-collect-pages", on_html_collect_pages)
    app.connect("html-page-context", on_html_page_context)
    app.connect("build-finished", remove_pages_not_generated)
