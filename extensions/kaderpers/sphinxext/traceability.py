"""The traceability page (``traceerbaarheid/``) and the PDF appendix, as docutils nodes.

Three parts, all read from :mod:`kaderpers.core.traceability`:

* a matrix of vereisten against the maatregelen and hulpmiddelen that meet them: a
  kader table (columns from :data:`kaderpers.core.columns.COLUMNS`), so on the site
  it gets the filter layer and CSV/XLSX/ODS exports like any other;
* the maatregelen with the audit-framework codes of their ``sources`` (ADR, ARK);
* the gap report: vereisten no maatregel meets, maatregelen that meet no vereiste,
  hulpmiddelen linked to nothing, vocabulary values no record uses, dangling references.

In print the tables keep only the columns an A4 page holds (:data:`PRINT_COLUMNS`).
"""

from __future__ import annotations

from dataclasses import dataclass

from docutils import nodes

from ..core.columns import COLUMNS, value_label
from ..core.model import FOLDER_OF, KIND_OF_REFERENCE_FIELD, Kader, Page, PageKind
from ..core.traceability import Gaps, framework_codes, gaps
from .tables import DocLinks, Row, TableModel, json_island, render_table, table_data

TRACEABILITY_PAGE = "traceerbaarheid/index"
TRACEABILITY_ID = "traceerbaarheid"
TRACEABILITY_TITLE = "Traceerbaarheid"

MATRIX_COLUMNS = ("id", "title", "wetcode", "levenscyclus", "maatregelen", "hulpmiddelen")
SOURCES_COLUMNS = ("id", "title", "levenscyclus", "bronnen")
#: What an A4 page in portrait holds: the rest is on the site.
PRINT_COLUMNS = {"matrix": ("id", "title", "maatregelen", "hulpmiddelen"), "bronnen": ("id", "title", "bronnen")}
NONE_TEXT = "Geen."


@dataclass
class TraceTable:
    """One table of the page: its export name, its rows, and the node that holds it."""

    name: str
    model: TableModel
    container: nodes.Element


def _model(index: Kader, kind: PageKind, columns: tuple[str, ...], pages: list[Page]) -> TableModel:
    model = TableModel(kind, list(columns), [COLUMNS[name].header_for(kind) for name in columns])
    model.rows = [Row(page, [COLUMNS[name].cell(index, page) for name in columns]) for page in pages]
    return model


def _table(index: Kader, name: str, model: TableModel, links: DocLinks, in_print: bool) -> TraceTable:
    if in_print:
        return TraceTable(name, model, render_table(index, model, links, ["kp-trace", "colwidths-given"]))
    container = nodes.container(classes=["kp-list", "kp-search", "kp-export", "kp-trace"], ids=[f"kp-{name}"])
    container += render_table(index, model, links, ["kp-search", "kp-export"])
    container += json_island("kp-table-data", table_data(index, model))
    return TraceTable(name, model, container)


def _section(title: str, anchor: str) -> nodes.section:
    section = nodes.section(ids=[anchor], names=[anchor])
    section += nodes.title(title, title)
    return section


def _paragraph(text: str) -> nodes.paragraph:
    return nodes.paragraph(text, text)


def traceability_section(index: Kader, links: DocLinks, in_print: bool = False) -> tuple[nodes.section, list[TraceTable]]:
    """The whole page as one section, and its tables (which the site exports)."""
    section = _section(TRACEABILITY_TITLE, TRACEABILITY_ID)
    section += _paragraph(
        "Welke maatregelen en hulpmiddelen bij elke vereiste horen, welke auditkaders de maatregelen noemen, "
        "en waar het kader nog gaten heeft."
    )
    tables = []

    vereisten = index.of_kind(PageKind.VEREISTE)
    matrix = _section("Vereisten en maatregelen", "traceerbaarheid-matrix")
    matrix += _paragraph(
        "Per vereiste de maatregelen die eraan bijdragen, en de hulpmiddelen bij de vereiste of bij een van die maatregelen."
    )
    columns = PRINT_COLUMNS["matrix"] if in_print else MATRIX_COLUMNS
    tables.append(_table(index, "traceerbaarheid-vereisten", _model(index, PageKind.VEREISTE, columns, vereisten), links, in_print))
    matrix += tables[-1].container
    section += matrix

    view = framework_codes(index)
    sources = _section("Maatregelen en auditkaders", "traceerbaarheid-auditkaders")
    total = len(index.of_kind(PageKind.MAATREGEL))
    if view.rows:
        named = ", ".join(view.frameworks)
        sources += _paragraph(f"{len(view.rows)} van de {total} maatregelen noemen in hun bronnen een code van een auditkader ({named}).")
        columns = PRINT_COLUMNS["bronnen"] if in_print else SOURCES_COLUMNS
        model = _model(index, PageKind.MAATREGEL, columns, [row.maatregel for row in view.rows])
        tables.append(_table(index, "traceerbaarheid-auditkaders", model, links, in_print))
        sources += tables[-1].container
    else:
        sources += _paragraph("Geen maatregel noemt in zijn bronnen een code van een auditkader.")
    section += sources

    section += gaps_section(index, gaps(index), links)
    return section, tables


def _page_list(pages: tuple[Page, ...], links: DocLinks) -> nodes.Element:
    if not pages:
        return _paragraph(NONE_TEXT)
    listing = nodes.bullet_list(classes=["kp-gap-list"])
    for page in pages:
        paragraph = nodes.paragraph()
        if page.record_id:
            paragraph += nodes.inline(page.short_id, page.short_id, classes=["kp-chip", "kp-chip-id"])
            paragraph += nodes.Text(" ")
        paragraph += links.to(page.docname, page.title)
        listing += nodes.list_item("", paragraph)
    return listing


def gaps_section(index: Kader, found: Gaps, links: DocLinks) -> nodes.section:
    section = _section(f"Hiaten ({found.count})", "traceerbaarheid-hiaten")
    parts = (
        ("Vereisten zonder maatregel", "hiaat-vereisten", found.vereisten_without_maatregel),
        ("Maatregelen zonder vereiste", "hiaat-maatregelen", found.maatregelen_without_vereiste),
        ("Hulpmiddelen zonder koppeling", "hiaat-hulpmiddelen", found.unlinked_hulpmiddelen),
    )
    for title, anchor, pages in parts:
        part = _section(f"{title} ({len(pages)})", anchor)
        part += _page_list(pages, links)
        section += part

    unused = _section(f"Waarden die geen record gebruikt ({len(found.unused_values)})", "hiaat-waarden")
    if found.unused_values:
        listing = nodes.bullet_list(classes=["kp-gap-list"])
        for field_name, value in found.unused_values:
            text = f"{field_name}: {value_label(index, field_name, value)} ({value})"
            listing += nodes.list_item("", _paragraph(text))
        unused += listing
    else:
        unused += _paragraph(NONE_TEXT)
    section += unused

    dangling = _section(f"Verwijzingen naar niets ({len(found.dangling)})", "hiaat-verwijzingen")
    if found.dangling:
        listing = nodes.bullet_list(classes=["kp-gap-list"])
        for item in found.dangling:
            paragraph = nodes.paragraph()
            paragraph += links.to(item.page.docname, item.page.title)
            missing = f"{FOLDER_OF[KIND_OF_REFERENCE_FIELD[item.field]]}/{item.stem}.md"
            paragraph += nodes.Text(f": {item.field} noemt ")
            paragraph += nodes.literal(missing, missing)
            paragraph += nodes.Text(", die niet bestaat")
            listing += nodes.list_item("", paragraph)
        dangling += listing
    else:
        dangling += _paragraph(NONE_TEXT)
    section += dangling
    return section
