"""The beslishulp AI-verordening as a page of the site: ``beslishulp/index.html``.

The decision tree (``beslishulp.yaml`` beside the tree, ``kaderpers_beslishulp_file``
or ``kaderpers build --beslishulp FILE``) is read and checked once per HTML build;
its findings are build warnings. The page is one of the publication's generated pages
(:mod:`kaderpers.site.pages`, the theme's ``page.html``): a short introduction that
also serves readers without JavaScript, and the tree as an inert JSON island that
``kaderpers-beslishulp.js`` walks. The conclusion links to the vereisten overview
with the AI-verordening profile in its query, and to Mijn checklist.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes

from ..core.beslishulp import DecisionTree, check_file, find_decision_tree, opens_beslishulp, page_data, shown_as
from ..core.model import PageKind
from ..dialect.attributes import NO_SEARCH_CLASS
from ..sphinxext.collector import report
from ..sphinxext.config import get_config
from ..sphinxext.domain import kader, kader_domain
from ..sphinxext.tables import json_island
from .interactive import add_page_scripts

if TYPE_CHECKING:
    from sphinx.application import Sphinx

BESLISHULP_PAGE = "beslishulp/index"
CHECKLIST_PAGE = "mijn-checklist/index"
VEREISTEN_OVERVIEW = "voldoen-aan-wetten-en-regels/vereisten/index"
SCRIPT = "kaderpers-beslishulp.js"
TITLE = "Beslishulp AI-verordening"
INTRO = (
    "Beantwoord een paar vragen over je toepassing. De beslishulp vertelt je dan of de AI-verordening "
    "geldt, in welke rol en risicogroep je valt en wat je moet doen. Daarna zie je welke vereisten bij "
    "jouw situatie horen."
)
WITHOUT_SCRIPT = (
    "De beslishulp stelt de vragen één voor één en heeft daarvoor JavaScript nodig. Zonder JavaScript "
    "kun je de vereisten zelf filteren op je rol en risicogroep in het "
)


def decision_tree(app: Sphinx) -> DecisionTree | None:
    """The decision tree of this build, read in ``builder-inited``."""
    return kader_domain(app.env).decision_tree


def load(app: Sphinx) -> None:
    """Read and check the decision tree once per HTML build; the PDF builds do not use it."""
    domain = kader_domain(app.env)
    if app.builder.format != "html":
        return
    root = Path(app.srcdir)
    file = find_decision_tree(root, get_config(app).beslishulp_file, Path(app.confdir))
    if file is None:
        return
    tree, findings = check_file(file, domain.vocabulary, shown_as(file, root))
    domain.record_decision_tree(tree)
    for finding in findings:
        report(finding, srcdir=app.srcdir)


def page_uri(app: Sphinx, from_page: str, to_page: str) -> str | None:
    """A relative link between two pages (documents or pages this module adds), or None."""
    generated = {BESLISHULP_PAGE: decision_tree(app) is not None, CHECKLIST_PAGE: bool(kader(app.env).of_kind(PageKind.VEREISTE))}
    if to_page not in app.env.all_docs and not generated.get(to_page):
        return None
    return app.builder.get_relative_uri(from_page, to_page)


def beslishulp_section(app: Sphinx, tree: DecisionTree) -> nodes.section:
    """The page: an introduction (with links for readers without JavaScript), the wizard's place, the tree."""
    # Sphinx's search index holds documents only (it prunes other pages before writing it).
    section = nodes.section("", nodes.title(TITLE, TITLE), ids=["beslishulp"], classes=[NO_SEARCH_CLASS])
    section += nodes.paragraph(INTRO, INTRO)
    vereisten = page_uri(app, BESLISHULP_PAGE, VEREISTEN_OVERVIEW)
    fallback = nodes.paragraph(classes=["kp-without-js"])
    fallback += nodes.Text(WITHOUT_SCRIPT)
    if vereisten:
        fallback += nodes.reference("", "overzicht van de vereisten", refuri=vereisten)
    else:
        fallback += nodes.Text("overzicht van de vereisten")
    checklist = page_uri(app, BESLISHULP_PAGE, CHECKLIST_PAGE)
    if checklist:
        fallback += nodes.Text(", of je eigen lijst samenstellen in ")
        fallback += nodes.reference("", "Mijn checklist", refuri=checklist)
    fallback += nodes.Text(".")
    section += fallback
    section += nodes.container("", classes=["kp-beslishulp"], ids=["kp-beslishulp"])
    data = page_data(tree, kader_domain(app.env).vocabulary)
    data["links"] = {"vereisten": vereisten or "", "checklist": checklist or ""}
    section += json_island("kp-beslishulp-data", data)
    return section


def on_html_page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    if pagename == BESLISHULP_PAGE:
        add_page_scripts(app, SCRIPT)
        context["meta"] = {**(context.get("meta") or {}), "html_theme.sidebar_secondary.remove": True}


def beslishulp_link(app: Sphinx, from_page: str) -> str | None:
    """Where the tree's ``showModal(…'beslishulp…')`` links lead: this site's page, when there is one."""
    return page_uri(app, from_page, BESLISHULP_PAGE) if decision_tree(app) is not None else None


def on_script_link(app: Sphinx, docname: str, handler: str) -> str | None:
    """``showModal(…'beslishulp…')`` in the tree's raw HTML leads to this site's beslishulp page."""
    return beslishulp_link(app, docname) if opens_beslishulp(handler) else None


def setup(app: Sphinx) -> None:
    """The beslishulp: its decision tree read per HTML build, its script and its page context."""
    app.connect("builder-inited", load, priority=600)  # after the collector has read the vocabulary
    app.connect("kaderpers-script-link", on_script_link)
    app.connect("html-page-context", on_html_page_context)
