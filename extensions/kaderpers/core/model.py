"""The content model of the Algoritmekader: pages, records, taxonomies and relations.

Nothing here reads files or knows about Sphinx. :mod:`kaderpers.core.loader` builds
:class:`Page` objects from Markdown files; :class:`Kader` indexes a set of pages
once, so that every lookup afterwards is a dictionary access (no O(n²) scans).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class PageKind(StrEnum):
    """What a page is: one of the three kinds of record, a levenscyclus, rol or onderwerp page, or another page."""

    VEREISTE = "vereiste"
    MAATREGEL = "maatregel"
    HULPMIDDEL = "hulpmiddel"
    LEVENSCYCLUS = "levenscyclus"
    ROL = "rol"
    ONDERWERP = "onderwerp"
    PAGE = "pagina"

    @property
    def is_record(self) -> bool:
        """Whether pages of this kind are records (vereiste, maatregel, hulpmiddel)."""
        return self in RECORD_KINDS

    @property
    def plural(self) -> str:
        """The Dutch plural, as in folder names and list titles."""
        return PLURALS[self]


RECORD_KINDS = (PageKind.VEREISTE, PageKind.MAATREGEL, PageKind.HULPMIDDEL)

PLURALS = {
    PageKind.VEREISTE: "vereisten",
    PageKind.MAATREGEL: "maatregelen",
    PageKind.HULPMIDDEL: "hulpmiddelen",
    PageKind.LEVENSCYCLUS: "levenscyclus",
    PageKind.ROL: "rollen",
    PageKind.ONDERWERP: "onderwerpen",
    PageKind.PAGE: "pagina's",
}

#: Where each kind of page lives in the Algoritmekader layout.
FOLDERS: dict[str, PageKind] = {
    "voldoen-aan-wetten-en-regels/vereisten": PageKind.VEREISTE,
    "voldoen-aan-wetten-en-regels/maatregelen": PageKind.MAATREGEL,
    "voldoen-aan-wetten-en-regels/hulpmiddelen": PageKind.HULPMIDDEL,
    "levenscyclus": PageKind.LEVENSCYCLUS,
    "rollen": PageKind.ROL,
    "onderwerpen": PageKind.ONDERWERP,
}
FOLDER_OF = {kind: folder for folder, kind in FOLDERS.items()}

#: Front-matter fields whose values are the stems of taxonomy pages.
TAXONOMY_FIELDS: dict[str, PageKind] = {
    "levenscyclus": PageKind.LEVENSCYCLUS,
    "rollen": PageKind.ROL,
    "onderwerp": PageKind.ONDERWERP,
}

#: Front-matter fields that refer to records by file stem.
REFERENCE_FIELDS: dict[str, PageKind] = {
    "vereiste": PageKind.VEREISTE,
    "maatregel": PageKind.MAATREGEL,
}
#: The field a record of this kind is referred to by (also a filter key).
REFERENCE_FIELD_OF: dict[PageKind, str] = {
    PageKind.VEREISTE: "vereiste",
    PageKind.MAATREGEL: "maatregel",
    PageKind.HULPMIDDEL: "hulpmiddel",
}
KIND_OF_REFERENCE_FIELD: dict[str, PageKind] = {name: kind for kind, name in REFERENCE_FIELD_OF.items()}

#: The kinds of record that carry an id, and the id's type code.
ID_TYPE_CODES = {PageKind.VEREISTE: "ver", PageKind.MAATREGEL: "mtr"}
ID_PATTERN = re.compile(r"^urn:nl:ak:(?P<type>ver|mtr):(?P<code>[a-z]+-\d{2,})$")

#: AI-verordening label fields, in the order readers see them.
AI_ACT_FIELDS = (
    "soort-toepassing",
    "risicogroep",
    "rol-ai-act",
    "transparantieverplichting",
    "systeemrisico",
    "open-source",
)

#: Fields whose values come from a vocabulary (pages of the tree or the vocabulary file).
VOCABULARY_FIELDS = (*TAXONOMY_FIELDS, *AI_ACT_FIELDS, "categorie")

_PHASE_IN_TITLE = re.compile(r"\bfase\s+(\d+)\b", re.IGNORECASE)
_DIGITS = re.compile(r"(\d+)")


def classify(docname: str) -> PageKind:
    """The kind of page at ``docname`` (a posix path without suffix)."""
    folder, _, stem = docname.rpartition("/")
    if stem == "index":
        return PageKind.PAGE
    return FOLDERS.get(folder, PageKind.PAGE)


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort ``aia-2`` before ``aia-10``, ignoring case."""
    return tuple(int(part) if part.isdigit() else part for part in _DIGITS.split(text.lower()))


@dataclass(frozen=True)
class SourceLines:
    """Line numbers (1-based, in the file) of front-matter keys and list items."""

    keys: Mapping[str, int] = field(default_factory=dict)
    items: Mapping[tuple[str, str], int] = field(default_factory=dict)

    def of(self, key: str, item: str | None = None) -> int | None:
        """The line of ``key``, or of its list ``item`` where that is known; ``None`` when neither is."""
        if item is not None and (key, item) in self.items:
            return self.items[key, item]
        return self.keys.get(key)


@dataclass
class Page:
    """One Markdown file of the tree, with its normalised front matter.

    List-valued fields hold tuples of strings; values that could not be
    normalised were reported by the loader and left out.
    """

    docname: str
    path: str
    kind: PageKind
    meta: dict[str, Any]
    lines: SourceLines = field(default_factory=SourceLines)
    heading: str | None = None
    body_line: int = 1

    @property
    def stem(self) -> str:
        """The file name without folder and suffix."""
        return self.docname.rpartition("/")[2]

    @property
    def title(self) -> str:
        """The front matter's title, else the first heading, else the file name."""
        title = self.meta.get("title")
        if isinstance(title, str) and title.strip():
            return title.strip()
        return self.heading or self.stem

    def values(self, key: str) -> tuple[str, ...]:
        """The list values of ``key`` (empty when it has none or is not a list)."""
        value = self.meta.get(key)
        return value if isinstance(value, tuple) else ()

    def text(self, key: str) -> str:
        """The text value of ``key``, stripped (empty when it has none or is not text)."""
        value = self.meta.get(key)
        return value.strip() if isinstance(value, str) else ""

    @property
    def is_record(self) -> bool:
        """Whether the page is a vereiste, maatregel or hulpmiddel."""
        return self.kind.is_record

    @property
    def record_id(self) -> str:
        """The ``id`` of the front matter (empty when there is none)."""
        return self.text("id")

    @property
    def short_id(self) -> str:
        """``urn:nl:ak:ver:aia-03`` → ``aia-03``; records without id show their stem."""
        match = ID_PATTERN.match(self.record_id)
        return match["code"] if match else self.stem

    @property
    def law_code(self) -> str:
        """The law a vereiste comes from, by its file-name prefix (``avg``, ``aia``)."""
        return self.stem.split("-", 1)[0].lower() if self.kind is PageKind.VEREISTE else ""

    @property
    def phase(self) -> int | None:
        """Order of a levenscyclus phase page (0 to 8), from ``fase`` or the title."""
        if self.kind is not PageKind.LEVENSCYCLUS:
            return None
        explicit = self.meta.get("fase")
        if isinstance(explicit, int):
            return explicit
        match = _PHASE_IN_TITLE.search(self.title)
        return int(match[1]) if match else None

    @property
    def sort_key(self) -> tuple[Any, ...]:
        """The order of pages in lists: by file name, numbers as numbers."""
        return natural_key(self.stem)


@dataclass(frozen=True)
class Vocabulary:
    """Vocabularies that are declared in a file rather than by pages of the tree."""

    labels: Mapping[str, Mapping[str, str]]
    categorie: Mapping[str, str]
    keys: Mapping[str, str]
    #: Label texts of the beslishulp AI-verordening → the (field, value) pairs they stand for.
    beslishulp: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    def values(self, key: str) -> Mapping[str, str] | None:
        """The values of ``key`` with their labels, or ``None`` when the vocabulary does not declare it."""
        if key == "categorie":
            return self.categorie
        return self.labels.get(key)

    def label(self, key: str, value: str) -> str:
        """The label of a value (the value itself when it has none)."""
        return (self.values(key) or {}).get(value, value)


@dataclass(frozen=True)
class Glossary:
    """Abbreviations and terms (``*[AVG]: Algemene verordening gegevensbescherming``)."""

    terms: Mapping[str, str] = field(default_factory=dict)

    def expand(self, term: str) -> str:
        """The definition of an abbreviation (also written in capitals), without a final period; empty if unknown."""
        definition = self.terms.get(term) or self.terms.get(term.upper()) or ""
        return definition.rstrip(".").strip()


#: The heading of the records that name no levenscyclus phase, where records are grouped by phase.
NO_PHASE_TITLE = "Zonder fase"


class Kader:
    """An indexed set of pages: records by kind and stem, taxonomies, relations.

    Built once per build (or per ``kaderpers check``); every query afterwards is
    a lookup in a dictionary made here.
    """

    def __init__(self, pages: Iterable[Page], vocabulary: Vocabulary, glossary: Glossary | None = None):
        self.vocabulary = vocabulary
        self.glossary = glossary or Glossary()
        self.pages: dict[str, Page] = {page.docname: page for page in pages}
        self._by_stem: dict[PageKind, dict[str, Page]] = defaultdict(dict)
        self._by_stem_folded: dict[PageKind, dict[str, Page]] = defaultdict(dict)
        for page in sorted(self.pages.values(), key=lambda p: p.sort_key):
            self._by_stem[page.kind][page.stem] = page
            self._by_stem_folded[page.kind].setdefault(page.stem.lower(), page)
        self.phases: list[Page] = sorted(
            (p for p in self._by_stem[PageKind.LEVENSCYCLUS].values() if p.phase is not None),
            key=lambda p: (p.phase, p.stem),
        )
        self._phase_order = {page.stem: page.phase for page in self.phases}
        # Values that name no phase sort after every phase, however the phases are numbered.
        self._after_phases = max(self._phase_order.values(), default=-1) + 1
        self._related: dict[tuple[str, PageKind], list[Page]] = defaultdict(list)
        self._dangling: dict[str, list[tuple[str, str]]] = defaultdict(list)
        #: (kind, field) → value → records, made on first use by :meth:`select`.
        self._value_index: dict[tuple[PageKind, str], dict[str, list[Page]]] = {}
        self._link_records()

    # -- lookups ---------------------------------------------------------

    def of_kind(self, kind: PageKind) -> list[Page]:
        """Pages of one kind, in the kader's order (file name, naturally sorted)."""
        return list(self._by_stem[kind].values())

    def get(self, kind: PageKind, stem: str) -> Page | None:
        """A page by kind and stem; a stem differing only in case also matches."""
        return self._by_stem[kind].get(stem) or self._by_stem_folded[kind].get(stem.lower())

    def taxonomy(self, field_name: str) -> dict[str, Page]:
        """The pages that define the values of a taxonomy field, by stem."""
        kind = TAXONOMY_FIELDS[field_name]
        if kind is PageKind.LEVENSCYCLUS:
            return {page.stem: page for page in self.phases}
        return dict(self._by_stem[kind])

    def allowed_values(self, key: str) -> set[str] | None:
        """The vocabulary of a front-matter field, or None when it has none."""
        if key in TAXONOMY_FIELDS:
            return set(self.taxonomy(key))
        values = self.vocabulary.values(key)
        return set(values) if values is not None else None

    def phase_order(self, stem: str) -> int:
        """The position of a levenscyclus page in the phases; other pages after all phases."""
        return self._phase_order.get(stem, self._after_phases)

    def is_phase(self, stem: str) -> bool:
        """Whether ``stem`` is a phase of the levenscyclus."""
        return stem in self._phase_order

    # -- relations -------------------------------------------------------

    def _link_records(self) -> None:
        for page in self.pages.values():
            if not page.is_record:
                continue
            for key, target_kind in REFERENCE_FIELDS.items():
                for stem in page.values(key):
                    target = self.get(target_kind, stem)
                    if target is None:
                        self._dangling[page.docname].append((key, stem))
                        continue
                    self._related[page.docname, target_kind].append(target)
                    self._related[target.docname, page.kind].append(page)
        for key, related in self._related.items():
            unique = {page.docname: page for page in related}
            self._related[key] = sorted(unique.values(), key=lambda p: p.sort_key)

    def related(self, page: Page, kind: PageKind) -> list[Page]:
        """Records of ``kind`` linked to ``page`` in either direction."""
        return self._related.get((page.docname, kind), [])

    def dangling(self, page: Page) -> list[tuple[str, str]]:
        """(field, stem) pairs of ``page`` that name no record."""
        return self._dangling.get(page.docname, [])

    # -- selections --------------------------------------------------------

    def matches(self, page: Page, key: str, value: str) -> bool:
        """Whether a record satisfies one ``key/value`` filter (a whole-value match)."""
        if key in KIND_OF_REFERENCE_FIELD:
            return any(other.stem == value for other in self.related(page, KIND_OF_REFERENCE_FIELD[key]))
        return value in page.values(key)

    def select(self, kind: PageKind, filters: Iterable[tuple[str, str]] = ()) -> list[Page]:
        """Records of ``kind`` that satisfy every filter, in table order.

        The first filter is looked up, not tested on every record: every vereiste page
        lists its maatregelen, so a scan would make the site quadratic in the kader's size.
        """
        filters = list(filters)
        if not filters:
            return self.of_kind(kind)
        (key, value), rest = filters[0], filters[1:]
        return [page for page in self._having(kind, key, value) if all(self.matches(page, k, v) for k, v in rest)]

    def _having(self, kind: PageKind, key: str, value: str) -> list[Page]:
        """The records of ``kind`` that satisfy one filter, in table order (see :meth:`matches`)."""
        if key in KIND_OF_REFERENCE_FIELD:
            target = self._by_stem[KIND_OF_REFERENCE_FIELD[key]].get(value)
            return self.related(target, kind) if target is not None else []
        index = self._value_index.get((kind, key))
        if index is None:
            index = self._value_index[kind, key] = defaultdict(list)
            for page in self.of_kind(kind):
                for listed in dict.fromkeys(page.values(key)):
                    index[listed].append(page)
        return index.get(value, [])

    def law_name(self, page: Page) -> str:
        """The Wetgeving of a vereiste: its law code expanded through the glossary."""
        code = page.law_code
        return self.glossary.expand(code) or code.upper()
