"""The traceability page (``traceerbaarheid/``) and the PDF appendix, as docutils nodes.

Three parts, all read from :mod:`kaderpers.core.traceability`:

* a matrix of vereisten against the maatregelen and hulpmiddelen that meet them: a
  kader table (columns from :data:`kaderpers.core.columns.COLUMNS`), so on the site
  it gets the filter layer and CSV/XLSX/ODS exports like any other;
* the maatregelen with the audit-framework codes of their ``sources`` (ADR, ARK);
* the gap report: vereisten no maatregel meets, maatregelen that meet no vereiste,
  hulpmiddelen linked to nothing, vocabulary values no record uses, dangling references.

In print (the PDF appendix) the matrix is split by levenscyclus phase, one subsection per
phase in the kader's order and a last one for vereisten without a phase, so an A4 page in
portrait holds every other column (:data:`PRINT_MATRIX_WIDTHS`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from docutils import nodes

from ..core.columns import COLUMNS, value_label
from ..core.model import FOLDER_OF, KIND_OF_REFERENCE_FIELD, NO_PHASE_TITLE, Kader, Page, PageKind
from ..core.traceability import Gaps, framework_codes, gaps
from .tables import DocLinks, Row, TableModel, json_island, render_table, table_data

TRACEABILITY_PAGE = "traceerbaarheid/index"
TRACEABILITY_ID = "traceerbaarheid"
TRACEABILITY_TITLE = "Traceerbaarheid"

MATRIX_COLUMNS = ("id", "title", "wetcode", "levenscyclus", "maatregelen", "hulpmiddelen")
SOURCES_COLUMNS = ("id", "title", "levenscyclus", "bronnen")
#: The matrix in print: one table per phase, whose heading names it, so every other column, with
#: widths for A4 in portrait (not the lists' :data:`~kaderpers.core.columns.COLUMNS` ones): the
#: hulpmiddelen, the longest cells, get the most room, which keeps the rows low.
PRINT_MATRIX_WIDTHS = {"id": 9, "title": 25, "wetcode": 17, "maatregelen": 24, "hulpmiddelen": 40}
NONE_TEXT = "Geen."
#: An empty cell in print: the reader sees "none" rather than a gap.
EMPTY_CELL = "\u2014"


@dataclass
class TraceTable:
    """One table of the page: its export name, its rows, and (once rendered) the node that holds it."""

    name: str
    model: TableModel
    container: nodes.Element | None = None


@dataclass
class PhaseGroup:
    """The matrix rows of one levenscyclus phase (``phase`` None: the vereisten without one), in print."""

    phase: Page | None
    table: TraceTable

    @property
    def title(self) -> str:
        return (self.phase.heading or self.phase.title) if self.phase is not None else NO_PHASE_TITLE

    @property
    def anchor(self) -> str:
        return nodes.make_id(f"traceerbaarheid-fase-{self.phase.stem if self.phase is not None else 'zonder'}")


@dataclass
class Traceability:
    """What the page shows, before any node is made: cheap to compute, and what its digest is taken of."""

    matrix: TraceTable
    sources: TraceTable | None
    frameworks: tuple[str, ...]
    maatregelen: int
    gaps: Gaps
    #: In print: the matrix by phase (a vereiste in every phase it names); on the site none.
    by_phase: list[PhaseGroup] = field(default_factory=list)

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
    vereisten = index.of_kind(PageKind.VEREISTE)
    matrix = TraceTable("traceerbaarheid-vereisten", _model(index, PageKind.VEREISTE, MATRIX_COLUMNS, vereisten))
    view = framework_codes(index)
    sources = None
    if view.maatregelen:
        sources = TraceTable("traceerbaarheid-auditkaders", _model(index, PageKind.MAATREGEL, SOURCES_COLUMNS, list(view.maatregelen)))
    content = Traceability(matrix, sources, view.frameworks, len(index.of_kind(PageKind.MAATREGEL)), gaps(index))
    if in_print:
        content.by_phase = [
            PhaseGroup(phase, TraceTable(matrix.name, _model(index, PageKind.VEREISTE, tuple(PRINT_MATRIX_WIDTHS), pages)))
            for phase, pages in _by_phase(index, vereisten)
        ]
    return content


def _by_phase(index: Kader, vereisten: list[Page]) -> list[tuple[Page | None, list[Page]]]:
    """Each phase of the kader with the vereisten that name it, in order; then those that name no phase
    of the kader (none, or only unknown values), when there are any."""
    groups: list[tuple[Page | None, list[Page]]] = [(phase, index.select(PageKind.VEREISTE, [("levenscyclus", phase.stem)])) for phase in index.phases]
    phases = index.taxonomy("levenscyclus")
    without = [page for page in vereisten if not any(value in phases for value in page.values("levenscyclus"))]
    if without:
        groups.append((None, without))
    return groups


def _render(index: Kader, table: TraceTable, links: DocLinks, in_print: bool, widths: dict[str, int] | None = None) -> nodes.Element:
    if in_print:
        table.container = render_table(index, table.model, links, ["kp-trace", "colwidths-given"])
        if widths:
            for colspec, column in zip(table.container.findall(nodes.colspec), table.model.columns, strict=True):
                colspec["colwidth"] = widths[column]
        for entry in table.container.findall(nodes.entry):
            if not entry.astext().strip():
                entry[0] += nodes.Text(EMPTY_CELL)
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
        "Welke maatregelen en hulpmiddelen bij elke vereiste horen, welke auditkaders de maatregelen noemen, en waar het kader nog gaten heeft."
    )
    matrix = _section("Vereisten en maatregelen", "traceerbaarheid-matrix")
    matrix += _paragraph("Per vereiste de maatregelen die eraan bijdragen, en de hulpmiddelen bij de vereiste of bij een van die maatregelen.")
    if content.by_phase:
        matrix += _paragraph("Per fase van de levenscyclus; een vereiste staat bij elke fase die ze noemt.")
    else:
        matrix += _render(index, content.matrix, links, in_print)
    for group in content.by_phase:
        part = _section(group.title, group.anchor)
        part += _render(index, group.table, links, in_print, PRINT_MATRIX_WIDTHS) if group.table.model.rows else _paragraph(NONE_TEXT)
        matrix += part
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
