"""Which PDF documents a build writes, and which pages each holds in which order.

A :class:`PdfDocument` is an outline: a tree of :class:`Part` nodes, each either
a page of the tree (``docname``) or a heading the PDF adds (``title`` only).
The full edition follows the navigation; a handout holds one levenscyclus phase
page and the vereisten and maatregelen of that phase; a role handout one rol page
and that rol's vereisten and maatregelen, by phase. Nothing here imports
rinohtype, so the orchestrator and the tests can use it cheaply.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ..core.model import NO_PHASE_TITLE, Kader, PageKind
from ..sphinxext.navigation import ROOT, Navigation

EDITION = "algoritmekader"
HANDOUT_FOLDER = "handouts"
#: Headings a handout adds above its records.
HANDOUT_SECTIONS = ((PageKind.VEREISTE, "Vereisten in deze fase"), (PageKind.MAATREGEL, "Maatregelen in deze fase"))
#: Headings a role handout adds in each phase.
ROLE_SECTIONS = ((PageKind.VEREISTE, "Vereisten"), (PageKind.MAATREGEL, "Maatregelen"))


@dataclass
class Part:
    """A page (``docname``), a heading of the PDF's own (``title``, ``key``), with children,
    or content made from the kader (``generated``: a name in :data:`kaderpers.pdf.builder.GENERATED`)."""

    docname: str | None = None
    title: str | None = None
    key: str | None = None
    children: list[Part] = field(default_factory=list)
    generated: str | None = None

    def walk(self, depth: int = 1) -> Iterator[tuple[int, Part]]:
        yield depth, self
        for child in self.children:
            yield from child.walk(depth + 1)


@dataclass
class PdfDocument:
    """One PDF: its target (path below OUT/pdf without ``.pdf``), title and outline."""

    target: str
    title: str
    subtitle: str
    parts: list[Part]
    kind: str  # "edition", "handout" (per phase) or "rol-handout"

    @property
    def docnames(self) -> list[str]:
        return [part.docname for top in self.parts for _, part in top.walk() if part.docname]

    @property
    def filename(self) -> str:
        return f"{self.target}.pdf"

    @property
    def handout_name(self) -> str | None:
        """What ``--handouts`` calls this handout: its phase (``ontwerp``) or ``rollen/<rol>``; None for the edition."""
        prefix = f"{HANDOUT_FOLDER}/"
        return self.target.removeprefix(prefix) if self.target.startswith(prefix) else None

    def wanted_by(self, names: set[str]) -> bool:
        """Whether ``kaderpers_pdf_documents`` asks for this document: by its kind (:data:`DOCUMENT_KINDS`) or its handout's name."""
        return any(self.kind in DOCUMENT_KINDS.get(name, ()) for name in names) or self.handout_name in names


def edition(navigation: Navigation, title: str, subtitle: str) -> PdfDocument:
    """The whole kader in navigation order: the home page, then each top entry as a chapter."""

    def part(docname: str) -> Part:
        return Part(docname, children=[part(entry.docname) for entry in navigation.children.get(docname, [])])

    root = Part(ROOT)
    parts = [root, *(part(entry.docname) for entry in navigation.children.get(ROOT, []))]
    return PdfDocument(EDITION, title, subtitle, parts, "edition")


def handouts(kader: Kader, title: str) -> list[PdfDocument]:
    """One handout per levenscyclus phase, in phase order."""
    documents = []
    for phase in kader.phases:
        parts = [Part(phase.docname)]
        for kind, heading in HANDOUT_SECTIONS:
            records = kader.select(kind, [("levenscyclus", phase.stem)])
            if records:
                parts.append(Part(title=heading, key=f"kp-{kind.plural}", children=[Part(r.docname) for r in records]))
        documents.append(PdfDocument(f"{HANDOUT_FOLDER}/{phase.stem}", title, f"Handout {phase.heading or phase.title}", parts, "handout"))
    return documents


ROLE_HANDOUT_FOLDER = f"{HANDOUT_FOLDER}/rollen"
#: What ``kaderpers_pdf_documents`` names → the kinds of document it selects.
DOCUMENT_KINDS = {"edition": {"edition"}, "handouts": {"handout", "rol-handout"}, "rollen": {"rol-handout"}, "fasen": {"handout"}}


def role_handouts(kader: Kader, title: str) -> list[PdfDocument]:
    """One handout per rol: the rol's page, then its vereisten and maatregelen in full, by phase.

    A record of several phases is printed once, under its first phase; records without
    a phase come last.
    """
    documents = []
    for rol in kader.taxonomy("rollen").values():
        groups: dict[str, dict[PageKind, list[Part]]] = {}
        for kind, _ in HANDOUT_SECTIONS:
            for record in kader.select(kind, [("rollen", rol.stem)]):
                phases = sorted(filter(kader.is_phase, record.values("levenscyclus")), key=kader.phase_order)
                groups.setdefault(phases[0] if phases else "", {}).setdefault(kind, []).append(Part(record.docname))
        parts = [Part(rol.docname)]
        for phase in [*kader.phases, None]:
            stem = phase.stem if phase else ""
            if stem not in groups:
                continue
            children = [
                Part(title=heading, key=f"kp-{stem or 'zonder-fase'}-{kind.plural}", children=groups[stem][kind])
                for kind, heading in ROLE_SECTIONS
                if groups[stem].get(kind)
            ]
            parts.append(Part(title=phase.title if phase else NO_PHASE_TITLE, key=f"kp-fase-{stem or 'zonder-fase'}", children=children))
        documents.append(PdfDocument(f"{ROLE_HANDOUT_FOLDER}/{rol.stem}", title, f"Handout voor de rol {rol.title}", parts, "rol-handout"))
    return documents


def unknown_handouts(documents: list[PdfDocument], names: set[str]) -> list[str]:
    """The names in ``names`` that are neither a kind of document nor the name of one of ``documents``' handouts."""
    known = {document.handout_name for document in documents}
    return sorted(name for name in names if name not in DOCUMENT_KINDS and name not in known)


def select(documents: list[PdfDocument], names: set[str], shard: tuple[int, int] = (0, 1)) -> list[PdfDocument]:
    """The documents that ``names`` asks for (kinds or handout names) that process ``index`` of ``count`` writes.

    Every process computes the same split: largest document first onto the
    least loaded process (pages as the measure of work), so the full edition
    gets a process of its own while the handouts share the others.
    """
    index, count = shard
    wanted = [document for document in documents if document.wanted_by(names)]
    loads = [0] * count
    mine = []
    for document in sorted(wanted, key=lambda d: -len(d.docnames)):
        process = loads.index(min(loads))
        loads[process] += len(document.docnames)
        if process == index:
            mine.append(document)
    return sorted(mine, key=wanted.index)
