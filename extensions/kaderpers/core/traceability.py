"""Traceability: which maatregelen and hulpmiddelen meet each vereiste, which audit-framework
codes each maatregel cites, and where the kader has gaps.

* The matrix is a kader table: a vereiste's maatregelen are the records linked to it (a
  maatregel's ``vereiste`` names it, or its own ``maatregel`` names the maatregel), its
  hulpmiddelen those of :func:`hulpmiddelen_for`; the columns are in
  :data:`kaderpers.core.columns.COLUMNS` (``maatregelen``, ``hulpmiddelen``, ``bronnen``).
* :func:`framework_codes`: the maatregelen whose ``sources`` cite an audit framework
  (``ADR: SV.8``, ``ARK: 2.10``), and the frameworks they cite.
* :func:`gaps`: vereisten that no maatregel meets, maatregelen that meet no vereiste,
  hulpmiddelen linked to nothing, vocabulary values that no record uses, and
  references that name no record.

Everything is read from the indexed :class:`~kaderpers.core.model.Kader`; nothing here
knows about Sphinx. The site's ``traceerbaarheid`` page and the PDF appendix render it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import RECORD_KINDS, VOCABULARY_FIELDS, Kader, Page, PageKind, natural_key


def _sorted(pages: dict[str, Page]) -> tuple[Page, ...]:
    return tuple(sorted(pages.values(), key=lambda page: page.sort_key))


def hulpmiddelen_for(kader: Kader, vereiste: Page) -> tuple[Page, ...]:
    """The hulpmiddelen linked to a vereiste itself or to one of the maatregelen that meet it."""
    found = {page.docname: page for page in kader.related(vereiste, PageKind.HULPMIDDEL)}
    for maatregel in kader.related(vereiste, PageKind.MAATREGEL):
        found.update((page.docname, page) for page in kader.related(maatregel, PageKind.HULPMIDDEL))
    return _sorted(found)


def sources_of(page: Page) -> dict[str, tuple[str, ...]]:
    """The audit-framework codes a page cites, by framework (empty when it cites none)."""
    sources = page.meta.get("sources")
    return sources if isinstance(sources, dict) else {}


@dataclass(frozen=True)
class FrameworkView:
    """The maatregelen by the audit frameworks they cite: the columns of the auditkaders matrix."""

    #: The audit frameworks the maatregelen cite, in first-seen order.
    frameworks: tuple[str, ...]
    #: The maatregelen that cite at least one code, in the kader's order.
    maatregelen: tuple[Page, ...]


def framework_codes(kader: Kader) -> FrameworkView:
    """The maatregelen that cite an audit framework in ``sources``, and which frameworks those are."""
    maatregelen = tuple(page for page in kader.of_kind(PageKind.MAATREGEL) if any(sources_of(page).values()))
    frameworks = tuple(dict.fromkeys(name for page in maatregelen for name, codes in sources_of(page).items() if codes))
    return FrameworkView(frameworks, maatregelen)


@dataclass(frozen=True)
class Dangling:
    """A reference to a record that does not exist: the page, the field and the missing stem."""

    page: Page
    field: str
    stem: str


@dataclass(frozen=True)
class Gaps:
    """What the kader does not connect: unmet vereisten, unlinked records, unused values, dangling references."""

    vereisten_without_maatregel: tuple[Page, ...]
    maatregelen_without_vereiste: tuple[Page, ...]
    unlinked_hulpmiddelen: tuple[Page, ...]
    #: (field, value) pairs of a vocabulary that no record uses.
    unused_values: tuple[tuple[str, str], ...]
    dangling: tuple[Dangling, ...]

    @property
    def count(self) -> int:
        """How many gaps there are in all."""
        return sum(
            len(part)
            for part in (self.vereisten_without_maatregel, self.maatregelen_without_vereiste, self.unlinked_hulpmiddelen, self.unused_values, self.dangling)
        )


def gaps(kader: Kader) -> Gaps:
    """The gaps of the kader, for the traceability page's gap report."""
    vereisten = tuple(page for page in kader.of_kind(PageKind.VEREISTE) if not kader.related(page, PageKind.MAATREGEL))
    maatregelen = tuple(page for page in kader.of_kind(PageKind.MAATREGEL) if not kader.related(page, PageKind.VEREISTE))
    hulpmiddelen = tuple(
        page for page in kader.of_kind(PageKind.HULPMIDDEL) if not any(kader.related(page, kind) for kind in RECORD_KINDS if kind is not PageKind.HULPMIDDEL)
    )
    records = [page for kind in RECORD_KINDS for page in kader.of_kind(kind)]
    unused = []
    for key in VOCABULARY_FIELDS:
        allowed = kader.allowed_values(key)
        if not allowed:
            continue
        used = {value for page in records for value in page.values(key)}
        ordered = allowed if key != "levenscyclus" else [phase.stem for phase in kader.phases]
        unused.extend((key, value) for value in sorted(ordered, key=_value_order(kader, key)) if value not in used)
    dangling = tuple(Dangling(page, key, stem) for page in sorted(kader.pages.values(), key=lambda page: page.path) for key, stem in kader.dangling(page))
    return Gaps(vereisten, maatregelen, hulpmiddelen, tuple(unused), dangling)


def _value_order(kader: Kader, key: str):  # noqa: ANN202 - a sort key
    if key == "levenscyclus":
        return kader.phase_order
    vocabulary = list(kader.vocabulary.values(key) or ())
    return lambda value: (vocabulary.index(value) if value in vocabulary else len(vocabulary), natural_key(value))
