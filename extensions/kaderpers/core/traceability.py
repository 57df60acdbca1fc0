"""Traceability: which maatregelen and hulpmiddelen meet each vereiste, which audit-framework
codes each maatregel covers, and where the kader has gaps.

* :func:`matrix`: a row per vereiste with the maatregelen linked to it (a maatregel's
  ``vereiste`` names it, or its own ``maatregel`` names the maatregel) and the
  hulpmiddelen that help: linked to the vereiste itself or to one of those maatregelen.
* :func:`framework_codes`: per maatregel, the codes of each audit framework in its
  ``sources`` front matter (``ADR: SV.8``, ``ARK: 2.10``), frameworks in first-seen order.
* :func:`gaps`: vereisten that no maatregel meets, maatregelen that meet no vereiste,
  hulpmiddelen linked to nothing, vocabulary values that no record uses, and
  references that name no record.

Everything is read from the indexed :class:`~kaderpers.core.model.Kader`; nothing here
knows about Sphinx. The site's ``traceerbaarheid`` page and the PDF appendix render it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import RECORD_KINDS, VOCABULARY_FIELDS, Kader, Page, PageKind, natural_key


@dataclass(frozen=True)
class TraceRow:
    vereiste: Page
    maatregelen: tuple[Page, ...]
    hulpmiddelen: tuple[Page, ...]


def _sorted(pages: dict[str, Page]) -> tuple[Page, ...]:
    return tuple(sorted(pages.values(), key=lambda page: page.sort_key))


def hulpmiddelen_for(kader: Kader, vereiste: Page) -> tuple[Page, ...]:
    """The hulpmiddelen linked to a vereiste itself or to one of the maatregelen that meet it."""
    found = {page.docname: page for page in kader.related(vereiste, PageKind.HULPMIDDEL)}
    for maatregel in kader.related(vereiste, PageKind.MAATREGEL):
        found.update((page.docname, page) for page in kader.related(maatregel, PageKind.HULPMIDDEL))
    return _sorted(found)


def matrix(kader: Kader) -> list[TraceRow]:
    return [
        TraceRow(vereiste, tuple(kader.related(vereiste, PageKind.MAATREGEL)), hulpmiddelen_for(kader, vereiste))
        for vereiste in kader.of_kind(PageKind.VEREISTE)
    ]


@dataclass(frozen=True)
class CodeRow:
    maatregel: Page
    #: Per framework (in :attr:`FrameworkView.frameworks` order), its codes.
    codes: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class FrameworkView:
    frameworks: tuple[str, ...]
    rows: tuple[CodeRow, ...]

    def maatregelen_of(self, framework: str) -> dict[str, list[Page]]:
        """Per code of ``framework`` (naturally sorted), the maatregelen that cite it."""
        position = self.frameworks.index(framework)
        found: dict[str, list[Page]] = {}
        for row in self.rows:
            for code in row.codes[position]:
                found.setdefault(code, []).append(row.maatregel)
        return {code: found[code] for code in sorted(found, key=natural_key)}


def sources_of(page: Page) -> dict[str, tuple[str, ...]]:
    sources = page.meta.get("sources")
    return sources if isinstance(sources, dict) else {}


def framework_codes(kader: Kader) -> FrameworkView:
    """The maatregelen that cite an audit framework in ``sources``, with their codes per framework."""
    maatregelen = [page for page in kader.of_kind(PageKind.MAATREGEL) if any(sources_of(page).values())]
    frameworks = tuple(dict.fromkeys(name for page in maatregelen for name, codes in sources_of(page).items() if codes))
    rows = tuple(CodeRow(page, tuple(tuple(sources_of(page).get(name, ())) for name in frameworks)) for page in maatregelen)
    return FrameworkView(frameworks, rows)


@dataclass(frozen=True)
class Dangling:
    page: Page
    field: str
    stem: str


@dataclass(frozen=True)
class Gaps:
    vereisten_without_maatregel: tuple[Page, ...]
    maatregelen_without_vereiste: tuple[Page, ...]
    unlinked_hulpmiddelen: tuple[Page, ...]
    #: (field, value) pairs of a vocabulary that no record uses.
    unused_values: tuple[tuple[str, str], ...]
    dangling: tuple[Dangling, ...]

    @property
    def count(self) -> int:
        return sum(len(part) for part in (self.vereisten_without_maatregel, self.maatregelen_without_vereiste, self.unlinked_hulpmiddelen, self.unused_values, self.dangling))


def gaps(kader: Kader) -> Gaps:
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
    dangling = tuple(
        Dangling(page, key, stem)
        for page in sorted(kader.pages.values(), key=lambda page: page.path)
        for key, stem in kader.dangling(page)
    )
    return Gaps(vereisten, maatregelen, hulpmiddelen, tuple(unused), dangling)


def _value_order(kader: Kader, key: str):  # noqa: ANN202 - a sort key
    if key == "levenscyclus":
        return kader.phase_order
    vocabulary = list(kader.vocabulary.values(key) or ())
    return lambda value: (vocabulary.index(value) if value in vocabulary else len(vocabulary), natural_key(value))
