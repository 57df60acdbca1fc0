"""Mijn checklist: ``mijn-checklist/index.html``, the reader's own list of vereisten and maatregelen.

The reader picks rollen, fasen, onderwerpen and an AI-verordening profile (or
arrives from a beslishulp conclusion with that profile in the query). The
selection lives in the query with the front-matter keys as names
(``?rollen=jurist&levenscyclus=ontwerp&rol-ai-act=aanbieder``); within one key
any chosen value counts, all keys together must hold. Shown are:

* the vereisten that match, the AI-verordening profile as the vereisten overview
  applies it (labels and ``uitzondering``);
* the maatregelen that match the chosen rollen, fasen and onderwerpen and meet at
  least one of those vereisten;
* in a part of their own ("Ook voor jouw rol en fase"), the maatregelen that match
  but meet none of those vereisten; a maatregel every vereiste of which the
  AI-verordening profile rules out is left out (its obligations do not apply);

grouped by phase (a record under the first chosen phase it belongs to). The page
is one of the publication's generated pages (:mod:`kaderpers.site.pages`); the records go in as a JSON island and
``kaderpers-checklist.js`` does the rest: checkboxes and notes in localStorage per
selection, a CSV export, print. Without JavaScript the page explains itself and
links to the overviews and the pages per rol and fase, which list the same records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docutils import nodes

from ..core.columns import value_label
from ..core.model import AI_ACT_FIELDS, Kader, Page, PageKind
from ..dialect.attributes import NO_SEARCH_CLASS
from ..sphinxext.domain import kader
from ..sphinxext.tables import PROFILE_NOT_ASKED, PROFILE_QUESTIONS, SILENT_LABELS, json_island, parsed_exceptions
from .beslishulp import CHECKLIST_PAGE, VEREISTEN_OVERVIEW, page_uri
from .interactive import PROFILE_SCRIPT, add_page_scripts

if TYPE_CHECKING:
    from sphinx.application import Sphinx

SCRIPT = "kaderpers-checklist.js"
TITLE = "Mijn checklist"
MAATREGELEN_OVERVIEW = "voldoen-aan-wetten-en-regels/maatregelen/index"
#: The selection keys, in the order the form shows them, with their legend.
SELECTION = (("rollen", "Rollen"), ("levenscyclus", "Fasen"), ("onderwerp", "Onderwerpen"))
INTRO = (
    "Stel je eigen checklist samen: kies je rol, de fasen waarin je werkt, de onderwerpen en, als je met AI "
    "werkt, je situatie onder de AI-verordening. Je ziet dan de vereisten die voor jou gelden en de "
    "maatregelen die je helpen eraan te voldoen, per fase. Vink af wat je gedaan hebt en maak notities: "
    "je browser onthoudt ze. Je kunt de lijst ook als CSV opslaan of afdrukken."
)
WITHOUT_SCRIPT = (
    "Deze pagina heeft JavaScript nodig om de lijst samen te stellen. Zonder JavaScript vind je dezelfde "
    "vereisten en maatregelen op de overzichten en op de pagina's per rol en per fase:"
)


def _record(app: Sphinx, index: Kader, page: Page) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": page.short_id,
        "title": page.title,
        "url": app.builder.get_relative_uri(CHECKLIST_PAGE, page.docname),
        "rollen": list(page.values("rollen")),
        "levenscyclus": sorted(page.values("levenscyclus"), key=index.phase_order),
        "onderwerp": list(page.values("onderwerp")),
    }
    if page.kind is PageKind.VEREISTE:
        entry["labels"] = {key: list(page.values(key)) for key in AI_ACT_FIELDS if page.values(key)}
        entry["uitzondering"] = parsed_exceptions(page)
    return entry


def checklist_data(app: Sphinx, index: Kader) -> dict[str, Any]:
    """What the page needs: the choices of the form and every vereiste and maatregel, related both ways."""
    vereisten = index.of_kind(PageKind.VEREISTE)
    maatregelen = index.of_kind(PageKind.MAATREGEL)
    position = {page.docname: at for at, page in enumerate(vereisten)}
    records_m = []
    for page in maatregelen:
        entry = _record(app, index, page)
        entry["vereisten"] = [position[v.docname] for v in index.related(page, PageKind.VEREISTE) if v.docname in position]
        records_m.append(entry)
    choices = {key: [[stem, value_label(index, key, stem)] for stem in index.taxonomy(key)] for key, _ in SELECTION}
    profile = []
    for key, question in PROFILE_QUESTIONS.items():
        values = [[value, label] for value, label in (index.vocabulary.values(key) or {}).items() if value not in SILENT_LABELS]
        if values:
            profile.append({"field": key, "label": question, "choices": values})
    return {
        "selection": [{"field": key, "legend": legend, "choices": choices[key]} for key, legend in SELECTION],
        "profile": profile,
        "notAsked": PROFILE_NOT_ASKED,
        "phases": [[phase.stem, phase.title] for phase in index.phases],
        "vereisten": [_record(app, index, page) for page in vereisten],
        "maatregelen": records_m,
    }


def _links(app: Sphinx, index: Kader) -> nodes.bullet_list:
    """Links to the overviews and the rol and fase pages, for readers without JavaScript."""
    items = nodes.bullet_list()
    targets = [(VEREISTEN_OVERVIEW, "Alle vereisten"), (MAATREGELEN_OVERVIEW, "Alle maatregelen")]
    targets += [(page.docname, f"Rol: {page.title}") for page in index.taxonomy("rollen").values()]
    targets += [(page.docname, page.title) for page in index.phases]
    for docname, text in targets:
        uri = page_uri(app, CHECKLIST_PAGE, docname)
        if uri:
            items += nodes.list_item("", nodes.paragraph("", "", nodes.reference("", text, refuri=uri)))
    return items


def has_checklist(app: Sphinx) -> bool:
    return bool(kader(app.env).of_kind(PageKind.VEREISTE))


def checklist_section(app: Sphinx) -> nodes.section:
    """The page: an introduction, links for readers without JavaScript, the checklist's place, the records."""
    index = kader(app.env)
    # Sphinx's search index holds documents only (it prunes other pages before writing it).
    section = nodes.section("", nodes.title(TITLE, TITLE), ids=["mijn-checklist"], classes=[NO_SEARCH_CLASS])
    section += nodes.paragraph(INTRO, INTRO)
    fallback = nodes.container("", nodes.paragraph(WITHOUT_SCRIPT, WITHOUT_SCRIPT), _links(app, index), classes=["kp-without-js"])
    section += fallback
    section += nodes.container("", classes=["kp-checklist"], ids=["kp-checklist"])
    section += json_island("kp-checklist-data", checklist_data(app, index))
    return section


def on_html_page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    if pagename == CHECKLIST_PAGE:
        add_page_scripts(app, PROFILE_SCRIPT, SCRIPT)
        context["meta"] = {**(context.get("meta") or {}), "html_theme.sidebar_secondary.remove": True}


def setup(app: Sphinx) -> None:
    """The Mijn checklist page's context."""
    app.connect("html-page-context", on_html_page_context)
