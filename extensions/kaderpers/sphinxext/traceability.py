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

import hashlib
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
    """One table of the page: its export name, its rows, and (once rendered) the node that holds it."""

    name: str
    model: TableModel
    container: nodes.Element | None = None


@dataclass
class Traceability:
    """What the page shows, before any node is made: cheap to compute, and what its digest is taken of."""

    matrix: TraceTable
    sources: TraceTable | None
    frameworks: tuple[str, ...]
    maatregelen: int
    gaps: Gaps

    @property
    def tables(self) -> list[TraceTable]:
        return [table for table in (self.matrix, self.sources) if table is not None]

    def digest(self, index: Kader) -> str:
        """A fingerprint of everything the page renders: cells, chips and links of both tables, the gaps,
        and the taxonomy pages and phases the chips link to and are ordered by."""
        digest = hashlib.sha1(usedforsecurity=False)
        for table in self.tables:
            rows = [(row.page.docname if row.page else None, row.cells) for row in table.model.rows]
            digest.update(repr((table.name, table.model.columns, table.model.headers, rows)).encode())
        digest.update(repr((self.frameworks, self.maatregelen)).encode())
        digest.update(repr(self.gaps).encode())
        digest.update(repr([sorted(index.taxonomy(key)) for key in ("levenscyclus", "rollen", "onderwerp")]).encode())
        digest.update(repr([phase.stem for phase in index.phases]).encode())
        return digest.hexdigest()


def _model(index: Kader, kind: PageKind, columns: tuple[str, ...], pages: list[Page]) -> TableModel:
    model = TableModel(kind, list(columns), [COLUMNS[name].header_for(kind) for name in columns])
    model.rows = [Row(page, [COLUMNS[name].cell(index, page) for name in columns]) for page in pages]
    return model


def traceability(index: Kader, in_print: bool = False) -> Traceability:
    columns = PRINT_COLUMNS if in_print else {"matrix": MATRIX_COLUMNS, "bronnen": SOURCES_COLUMNS}
    matrix = TraceTable("traceerbaarheid-vereisten", _model(index, PageKind.VEREISTE, columns["matrix"], index.of_kind(PageKind.VEREISTE)))
    view = framework_codes(index)
    sources = None
    if view.maatregelen:
        model = _model(index, PageKind.MAATREGEL, columns["bronnen"], list(view.maatregelen))
        sources = TraceTable("traceerbaarheid-auditkaders", model)
    return Traceability(matrix, sources, view.frameworks, len(index.of_kind(PageKind.MAATREGEL)), gaps(index))


def _render(index: Kader, table: TraceTable, links: DocLinks, in_print: bool) -> nodes.Element:
    if in_print:
        table.container = render_table(index, table.model, links, ["kp-trace", "colwidths-given"])
        return table.container
    container = nodes.container(classes=["kp-list", "kp-search", "kp-export", "kp-trace"], ids=[f"kp-{table.name}"])
    container += render_table(index, table.model, links, ["kp-search", "kp-export"])
    container += json_island("kp-table-data", table_data(index, table.model))
    table.container = container
    return container


def _section(title: str, anchor: str) -> nodes.section:
    section = nodes.section(ids=[anchor], names=[anchor])
    section += nodes.title(title, title)
    return section


def _paragraph(text: str) -> nodes.paragraph:
    return nodes.paragraph(text, text)


def traceability_section(index: Kader, content: Traceability, links: DocLinks, in_print: bool = False) -> nodes.section:
    """The whole page as one section; each table's node is kept on it (the site adds download links)."""
    section = _section(TRACEABILITY_TITLE, TRACEABILITY_ID)
    section += _paragraph(
        "Welke maatregelen en hulpmiddelen bij elke vereiste horen, welke auditkaders de maatregelen noemen, "
        "en waar het kader nog gaten heeft."
    )
    matrix = _section("Vereisten en maatregelen", "traceerbaarheid-matrix")
    matrix += _paragraph(
        "Per vereiste de maatregelen die eraan bijdragen, en de hulpmiddelen bij de vereiste of bij een van die maatregelen."
    )
    matrix += _render(index, content.matrix, links, in_print)
    section += matrix

    sources = _section("Maatregelen en auditkaders", "traceerbaarheid-auditkaders")
    if content.sources is not None:
        named = ", ".join(content.frameworks)
        rows = len(content.sources.model.rows)
        sources += _paragraph(f"{rows} van de {content.maatregelen} maatregelen noemen in hun bronnen een code van een auditkader ({named}).")
        sources += _render(index, content.sources, links, in_print)
    else:
        sources += _paragraph("Geen maatregel noemt in zijn bronnen een code van een auditkader.")
    section += sources

    section += gaps_section(index, content.gaps, links)
    return section


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
