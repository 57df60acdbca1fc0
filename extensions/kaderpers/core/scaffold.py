"""A new record: its file name, its code and id, its front matter and its sections.

``kaderpers new`` writes what :func:`new_record` returns. The code is the next free
one for the record's prefix, counted over the file names and the ids of the tree
(a maatregel's prefix is its phase, ``2-owp``; a vereiste's its law, ``avg``). The
front matter lists every field of the kind with the values its vocabulary allows,
as comments to choose from; the sections come from the tree's ``templates/`` when
it has them (in the tree or the folder above, the MkDocs layout), else from
:data:`DEFAULT_SECTIONS`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from .findings import suggestion
from .loader import LoadedTree, find_beside, split_front_matter
from .model import AI_ACT_FIELDS, FOLDER_OF, ID_PATTERN, ID_TYPE_CODES, Kader, PageKind

#: Words of the title kept in the file name.
SLUG_WORDS = 8
TEMPLATE = "templates/template-{kind}.md"
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_MAATREGEL_STEM = re.compile(r"^(?P<phase>\d+)-(?P<code>[a-z]+)-(?P<number>\d+)(?:-|$)", re.IGNORECASE)
_VEREISTE_STEM = re.compile(r"^(?P<code>[a-z]+)-(?P<number>\d+)(?:-|$)", re.IGNORECASE)
_MAATREGELEN_MARKER = re.compile(r"(<!--\s*list_maatregelen\b[^>]*?\bvereiste/)[^\s>]+")

#: The fields of each kind, in the order the kader's records write them.
FIELDS: dict[PageKind, tuple[str, ...]] = {
    PageKind.VEREISTE: ("levenscyclus", "onderwerp", "rollen", *AI_ACT_FIELDS),
    PageKind.MAATREGEL: ("vereiste", "levenscyclus", "onderwerp", "rollen"),
    PageKind.HULPMIDDEL: ("categorie", "vereiste", "maatregel", "levenscyclus", "onderwerp", "rollen"),
}
#: MkDocs-Material's `hide:`, as the kader's records have it.
HIDE: dict[PageKind, tuple[str, ...]] = {
    PageKind.VEREISTE: ("navigation",),
    PageKind.MAATREGEL: ("navigation", "toc"),
    PageKind.HULPMIDDEL: ("navigation",),
}
#: Sections of a record when the tree has no template for its kind ({stem}: the new file's stem).
DEFAULT_SECTIONS: dict[PageKind, str] = {
    PageKind.VEREISTE: """<!-- tags -->

## Vereiste

Wat een organisatie moet doen, in één of twee zinnen.

## Toelichting

Wat de regel inhoudt, wanneer hij geldt en hoe hij wordt uitgelegd.

## Bronnen

- [Artikel en wet](https://wetten.overheid.nl/)

## Van toepassing op

<!-- tags-ai-act -->

## Risico

Wat er mis kan gaan als de organisatie hier niet aan voldoet.

## Maatregelen {{ data-search-exclude }}

<!-- list_maatregelen vereiste/{stem} no-search no-onderwerp no-rol no-levenscyclus -->
""",
    PageKind.MAATREGEL: """<!-- tags -->

## Maatregel

Wat een organisatie kan doen, in één zin.

## Toelichting

Hoe de maatregel in de praktijk werkt.

## Risico

Wat er mis kan gaan als de organisatie deze maatregel niet neemt.

## Bijbehorende vereiste(n) {{ data-search-exclude }}

<!-- list_vereisten_on_maatregelen_page -->

## Bronnen

- [Bron](https://www.example.org/)

## Voorbeelden

Heb je een voorbeeld uit de praktijk? Beschrijf het hier.
""",
    PageKind.HULPMIDDEL: """<!-- tags -->

## Hulpmiddel

Wat voor hulpmiddel dit is en hoe je het gebruikt.

## Relevantie

Waarom het hulpmiddel ertoe doet voor overheidsorganisaties die algoritmes gebruiken.

## Auteur

Wie het hulpmiddel maakte, en in wiens opdracht.

## Bijbehorende vereisten {{ data-search-exclude }}

<!-- list_vereisten_on_maatregelen_page -->

## Bijbehorende maatregelen

<!-- list_maatregelen_on_hulpmiddelen_page -->
""",
}


class ScaffoldError(ValueError):
    """A record that cannot be made as asked; the message says what to give instead."""


@dataclass(frozen=True)
class NewRecord:
    """A record ``kaderpers new`` writes: its path, text and id, and the template its sections came from."""

    #: Path from the tree's root, posix.
    path: str
    text: str
    record_id: str
    #: Where the sections came from: a template file, or None for the defaults.
    template: Path | None


def slug(title: str, words: int = SLUG_WORDS) -> str:
    """File-name part of a title: ASCII, lower case, hyphens, at most ``words`` words."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii").lower()
    return "-".join(_NOT_SLUG.sub(" ", ascii_title).split()[:words]) or "nieuw"


def next_number(kader: Kader, kind: PageKind, code: str, stem_pattern: re.Pattern[str]) -> int:
    """One more than the highest number used with ``code``, by file name or by id."""
    used = [0]
    for page in kader.of_kind(kind):
        match = stem_pattern.match(page.stem)
        if match and match["code"].lower() == code:
            used.append(int(match["number"]))
        id_match = ID_PATTERN.match(page.record_id)
        if id_match and id_match["code"].rsplit("-", 1)[0] == code:
            used.append(int(id_match["code"].rsplit("-", 1)[1]))
    return max(used) + 1


def phase_of(kader: Kader, fase: str) -> tuple[int, str]:
    """(phase number, phase code) of a levenscyclus stem: ``ontwerp`` → (2, ``owp``).

    The code is the one the tree's maatregelen of that phase use, else the stem's first letters.
    """
    stems = {page.stem.lower(): page for page in kader.phases}
    page = stems.get(fase.lower())
    if page is None or page.phase is None:
        known = ", ".join(p.stem for p in kader.phases) or "none: give the levenscyclus pages `fase: N` or a title `Fase N, ...`"
        raise ScaffoldError(f"`{fase}` is not a phase of the levenscyclus.{suggestion(fase, list(stems))} Phases: {known}")
    codes = [m["code"].lower() for p in kader.of_kind(PageKind.MAATREGEL) if (m := _MAATREGEL_STEM.match(p.stem)) and int(m["phase"]) == page.phase]
    code = max(set(codes), key=codes.count) if codes else (re.sub(r"[^a-z]", "", page.stem.lower())[:3] or "fase")
    return page.phase, code


def law_codes(kader: Kader) -> list[str]:
    """The law codes the vereisten of the kader use in their file names (``avg``, ``aia``, ...), sorted."""
    return sorted({m["code"].lower() for p in kader.of_kind(PageKind.VEREISTE) if (m := _VEREISTE_STEM.match(p.stem))})


def _scalar(value: object) -> str:
    """A YAML scalar as YAML writes it (quoted where the text needs it)."""
    return yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10_000).removesuffix("\n...\n").strip()


def _list_field(key: str, values: list[str], choices: list[str]) -> list[str]:
    lines = [f"{key}:" if values else f"{key}: []"]
    lines.extend(f"- {_scalar(value)}" for value in values)
    if choices:
        lines.insert(0, f"# {key}, kies uit: {', '.join(choices)}")
    return lines


def front_matter(kader: Kader, kind: PageKind, title: str, record_id: str, fase: str | None) -> str:
    """The front matter of a new record of ``kind``: title, id, toelichting and the fields of its kind."""
    lines = [f"title: {_scalar(title)}"]
    if record_id:
        lines.append(f"id: {_scalar(record_id)}")
    lines.append("# toelichting: in enkele zinnen wat dit inhoudt, ten hoogste 40 woorden")
    lines.append(f"toelichting: {_scalar(title)}")
    for key in FIELDS[kind]:
        prefilled = [fase] if key == "levenscyclus" and fase else []
        if key in ("vereiste", "maatregel"):
            target = PageKind.VEREISTE if key == "vereiste" else PageKind.MAATREGEL
            lines.append(f"# {key}: bestandsnamen zonder .md uit {FOLDER_OF[target]}/")
            lines.append(f"{key}: []")
            continue
        allowed = sorted(kader.allowed_values(key) or (), key=kader.phase_order if key == "levenscyclus" else None)
        lines.extend(_list_field(key, prefilled, allowed))
    if kind is PageKind.MAATREGEL:
        lines.append("# sources: codes uit het toetsingskader van de Algemene Rekenkamer (ARK) en het onderzoekskader van de ADR")
        lines.append("sources: {}")
    lines.append("hide:")
    lines.extend(f"- {part}" for part in HIDE[kind])
    return "---\n" + "\n".join(lines) + "\n---\n"


def sections(root: Path, kind: PageKind, stem: str) -> tuple[str, Path | None]:
    """The body of a new record: the tree's template without its front matter, or the defaults."""
    template = find_beside(root, Path(TEMPLATE.format(kind=kind.value)))
    if template is not None:
        try:
            text = template.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            template = None
        else:
            body = split_front_matter(text.replace("\r\n", "\n"), template.name).body.lstrip("\n")
            if kind is PageKind.VEREISTE:  # its maatregelen table lists the maatregelen of this vereiste
                body = _MAATREGELEN_MARKER.sub(lambda m: m[1] + stem, body)
            return body, template
    return DEFAULT_SECTIONS[kind].format(stem=stem), None


def new_record(tree: LoadedTree, kind: PageKind, title: str, *, fase: str | None = None, wet: str | None = None) -> NewRecord:
    """A new record of ``kind`` for ``tree``; raises :class:`ScaffoldError` when it cannot be made."""
    if kind not in FIELDS:
        raise ScaffoldError(f"`{kind}` is not a kind of record; choose vereiste, maatregel or hulpmiddel")
    title = " ".join(title.split()).rstrip(".").strip()
    if not title:
        raise ScaffoldError("the title is empty; give the record's title in quotes")
    kader = tree.kader
    if fase is not None and fase.lower() not in {p.stem.lower() for p in kader.phases}:
        phase_of(kader, fase)  # raises with the known phases
    if fase is not None:
        fase = next(p.stem for p in kader.phases if p.stem.lower() == fase.lower())
    if kind is PageKind.MAATREGEL:
        if fase is None:
            raise ScaffoldError(f"a maatregel belongs to a phase: give --fase, one of {', '.join(p.stem for p in kader.phases)}")
        phase, code = phase_of(kader, fase)
        number = next_number(kader, kind, code, _MAATREGEL_STEM)
        prefix = f"{phase}-{code}-{number:02d}"
    elif kind is PageKind.VEREISTE:
        codes = law_codes(kader)
        if not wet:
            raise ScaffoldError(f"a vereiste's file name starts with the code of its law: give --wet, e.g. one of {', '.join(codes) or 'avg, aia'}")
        code = wet.lower()
        if not re.fullmatch(r"[a-z]+", code):
            raise ScaffoldError(f"--wet `{wet}` is not a law code; use letters only, e.g. one of {', '.join(codes) or 'avg, aia'}")
        number = next_number(kader, kind, code, _VEREISTE_STEM)
        prefix = f"{code}-{number:02d}"
    else:
        code, number, prefix = "", 0, ""
    record_id = f"urn:nl:ak:{ID_TYPE_CODES[kind]}:{code}-{number:02d}" if kind in ID_TYPE_CODES else ""
    folder = tree.root / FOLDER_OF[kind]
    stem = "-".join(part for part in (prefix, slug(title)) if part)
    candidate, extra = stem, 1
    while (folder / f"{candidate}.md").exists() or kader.get(kind, candidate) is not None:
        extra += 1
        candidate = f"{stem}-{extra}"
    body, template = sections(tree.root, kind, candidate)
    text = front_matter(kader, kind, title, record_id, fase) + "\n" + body
    return NewRecord(f"{FOLDER_OF[kind]}/{candidate}.md", text, record_id, template)
