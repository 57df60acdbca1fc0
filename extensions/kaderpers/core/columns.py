"""The columns of the kader tables, each declared once.

A :class:`Column` says everything the rest of the package needs to know about it:

* its ``name``, which is the flag word (``no-<name>`` hides it, ``add-<name>`` shows
  it: :mod:`kaderpers.core.grammar`) and the CSS class of its cells (``kp-col-<name>``);
* its header, and the record kinds it is shown for by default;
* how a cell is computed from a record (:class:`Cell`), as text or as chips of a
  front-matter field (chips link to taxonomy pages on the web and print as
  plain text in the PDF: :mod:`kaderpers.pdf.printing`);
* its relative width and whether the filter layer offers a multi-select for it.

The table model (:mod:`kaderpers.sphinxext.tables`), the digest that decides which
pages an incremental build writes again (:mod:`kaderpers.sphinxext.collector`), the
HTML, the exports and the PDF all read :data:`COLUMNS`. Adding a column is adding
one :class:`Column` to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .model import RECORD_KINDS, TAXONOMY_FIELDS, Kader, Page, PageKind
from .traceability import hulpmiddelen_for, sources_of

if TYPE_CHECKING:
    from .grammar import ListSpec

VEREISTE, MAATREGEL, HULPMIDDEL = RECORD_KINDS


@dataclass(frozen=True)
class Cell:
    """One cell of a kader table: its text, and a link target, chips or a dangling mark where it has them."""

    text: str
    #: For title cells: the record's docname.
    target: str | None = None
    #: For chip cells: (value, label) pairs.
    chips: tuple[tuple[str, str], ...] = ()
    dangling: bool = False


@dataclass(frozen=True)
class Column:
    """A column of the kader tables, declared once: its flag word, header, width and cells."""

    #: The flag word (``no-<name>``, ``add-<name>``) and CSS class (``kp-col-<name>``).
    name: str
    header: str
    #: Relative width (print lays out columns by these; the web leaves it to the browser).
    width: int
    #: The cell of a record; None for chip columns, whose cells are the chips of ``chip_field``.
    text: Callable[[Kader, Page], Cell] | None = None
    #: The front-matter field whose values this column shows as chips.
    chip_field: str | None = None
    #: Lists of these records show the column unless ``no-<name>``.
    default_for: frozenset[PageKind] = frozenset()
    #: Lists of these records can show it at all (``add-<name>`` included).
    only_for: frozenset[PageKind] = frozenset(RECORD_KINDS)
    #: Shown in the lists of a record's own references (``list_vereisten_on_maatregelen_page``).
    on_own_page: bool = False
    #: The filter layer offers a multi-select for it.
    filterable: bool = False
    #: Header per kind of record, where it differs from ``header``.
    kind_headers: Mapping[PageKind, str] = field(default_factory=dict)

    def header_for(self, kind: PageKind) -> str:
        """The header above this column in a table of ``kind`` records."""
        return self.kind_headers.get(kind, self.header)

    def cell(self, index: Kader, page: Page) -> Cell:
        """This column's cell for ``page``: its own text, or the labelled chips of ``chip_field``."""
        if self.text is not None:
            return self.text(index, page)
        assert self.chip_field is not None
        chips = tuple((value, value_label(index, self.chip_field, value)) for value in ordered_values(index, page, self.chip_field))
        return Cell("; ".join(label for _, label in chips), chips=chips)


def value_label(index: Kader, field_name: str, value: str) -> str:
    """The text of a chip: vocabulary label, or the value made readable."""
    if field_name not in TAXONOMY_FIELDS:
        label = index.vocabulary.label(field_name, value)
        if label != value:
            return label
    text = value.replace("-", " ").strip()
    return text[:1].upper() + text[1:]


def ordered_values(index: Kader, page: Page, field_name: str) -> list[str]:
    """The values of ``field_name`` on ``page``; levenscyclus values in phase order."""
    values = list(page.values(field_name))
    if field_name == "levenscyclus":
        values.sort(key=index.phase_order)
    return values


def record_chips(pages: Iterable[Page]) -> Cell:
    """Chips of linked records (value: the stem, which links; label: the short id, or the title of a record without one)."""
    chips = tuple((page.stem, page.short_id if page.record_id else page.title) for page in pages)
    return Cell("; ".join(label for _, label in chips), chips=chips)


def source_chips(index: Kader, page: Page) -> Cell:
    """The audit-framework codes of a record's ``sources``, as ``ADR: SV.8``."""
    chips = tuple((code, code) for code in items_of_sources(page))
    return Cell("; ".join(label for _, label in chips), chips=chips)


def items_of_sources(page: Page) -> list[str]:
    """The page's audit-framework codes as ``framework: code`` items."""
    return [f"{framework}: {code}" for framework, codes in sources_of(page).items() for code in codes]


ALL = frozenset(RECORD_KINDS)

#: Every column, in the order tables show them.
COLUMNS: dict[str, Column] = {
    column.name: column
    for column in (
        Column("id", "ID", 10, lambda index, page: Cell(page.short_id), default_for=frozenset({VEREISTE, MAATREGEL}), on_own_page=True),
        Column(
            "title",
            "",
            40,
            lambda index, page: Cell(page.title, target=page.docname),
            default_for=ALL,
            on_own_page=True,
            kind_headers={VEREISTE: "Vereiste", MAATREGEL: "Maatregel", HULPMIDDEL: "Hulpmiddel"},
        ),  # fmt: skip
        Column(
            "wetcode",
            "Wetgeving",
            16,
            lambda index, page: Cell(index.law_name(page)),
            default_for=frozenset({VEREISTE}),
            only_for=frozenset({VEREISTE}),
            filterable=True,
        ),  # fmt: skip
        Column("categorie", "Categorie", 14, chip_field="categorie", default_for=frozenset({HULPMIDDEL}), filterable=True),
        Column("rol", "Rollen", 14, chip_field="rollen", default_for=ALL, filterable=True),
        Column("levenscyclus", "Levenscyclus", 18, chip_field="levenscyclus", default_for=ALL, filterable=True),
        Column("onderwerp", "Onderwerpen", 18, chip_field="onderwerp", default_for=ALL, filterable=True),
        # Traceability (kaderpers.core.traceability); lists show them with add-<name>.
        Column(
            "maatregelen",
            "Maatregelen",
            30,
            lambda index, page: record_chips(index.related(page, MAATREGEL)),
            chip_field="maatregel",
            only_for=frozenset({VEREISTE}),
            filterable=True,
        ),  # fmt: skip
        Column(
            "hulpmiddelen",
            "Hulpmiddelen",
            24,
            lambda index, page: record_chips(hulpmiddelen_for(index, page)),
            chip_field="hulpmiddel",
            only_for=frozenset({VEREISTE}),
            filterable=True,
        ),  # fmt: skip
        Column("bronnen", "Auditkaders", 22, source_chips, chip_field="sources", filterable=True),
    )
}


def columns_for(spec: ListSpec) -> list[Column]:
    """The columns a list directive shows, in table order."""
    record = spec.kind.record
    shown = []
    for column in COLUMNS.values():
        default = column.on_own_page if spec.kind.own_field else record in column.default_for
        if record in column.only_for and (default or column.name in spec.added) and column.name not in spec.hidden:
            shown.append(column)
    return shown
