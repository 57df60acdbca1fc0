#!/usr/bin/env python3
"""A synthetic Algoritmekader, N times the size of a real one, for the speed benchmark.

    python tests/bench/generate.py OUT --scale 10 [--like ../shared/upstream-kader/docs] [--seed 1]

The tree has the layout, front matter, relations and Markdown dialect of the real
kader: vereisten, maatregelen and hulpmiddelen with taxonomies and references,
phase/rol/onderwerp pages with list directives, admonitions, expanders, tabs,
grid cards, buttons, tables, footnotes, links, images and a mermaid diagram.

With ``--like TREE`` the generator measures that tree (how many records of each
kind, how many values each list field has, how long the bodies are, how often
each construct occurs) and scales those numbers; without it, it uses the same
measurements of the upstream tree taken once (:data:`DEFAULT_PROFILE`). Only
numbers are taken from a tree: every word written is made up here.

Records and plain pages grow with the scale; the taxonomies (9 phases, the
rollen, the onderwerpen) stay as they are, as they would in a larger kader.
"""

from __future__ import annotations

import argparse
import posixpath
import random
import re
import shutil
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from PIL import Image, ImageDraw

from kaderpers.core.loader import GLOSSARY_FILE, load_tree, load_vocabulary
from kaderpers.core.model import AI_ACT_FIELDS, FOLDER_OF, PageKind

T = TypeVar("T")
RECORDS = (PageKind.VEREISTE, PageKind.MAATREGEL, PageKind.HULPMIDDEL)
#: Kinds whose number of pages grows with the scale (plain pages are PageKind.PAGE).
SCALED = (*RECORDS, PageKind.PAGE)
LIST_FIELDS = ("levenscyclus", "rollen", "onderwerp", "vereiste", "maatregel", "categorie", *AI_ACT_FIELDS)

#: Markdown constructs counted per page, by a pattern over the body.
CONSTRUCTS: dict[str, re.Pattern[str]] = {
    "admonition": re.compile(r"^\s*!!! ", re.MULTILINE),
    "expander": re.compile(r"^\s*\?\?\?\+? ", re.MULTILINE),
    "table": re.compile(r"^\|?\s*:?-{3,}:?\s*\|", re.MULTILINE),
    "link": re.compile(r"\]\((?!https?:)[^)\s]+\.md(?:#[^)]*)?\)"),
    "weblink": re.compile(r"\]\(https?://"),
    "footnote": re.compile(r"^\[\^[^\]]+\]:", re.MULTILINE),
    "image": re.compile(r"!\[[^\]]*\]\("),
    "bullet": re.compile(r"^\s*[-*] \S", re.MULTILINE),
    "tabs": re.compile(r"^=== \"", re.MULTILINE),
}


# -- profile: the numbers a generated tree imitates -------------------------------------


@dataclass(frozen=True)
class KindProfile:
    """How the pages of one kind look, in numbers."""

    count: int
    #: For each list field: {number of values: number of pages with that many}.
    values: dict[str, dict[int, int]] = field(default_factory=dict)
    #: Body length in characters at the 0th, 10th, … 100th percentile.
    body: tuple[int, ...] = (1500,) * 11
    #: Mean occurrences of each construct per page.
    constructs: dict[str, float] = field(default_factory=dict)
    #: Share of pages that carry a `sources` mapping.
    sources: float = 0.0


@dataclass(frozen=True)
class Profile:
    kinds: dict[PageKind, KindProfile]
    rollen: int
    onderwerpen: int


def _percentiles(values: Sequence[int]) -> tuple[int, ...]:
    ordered = sorted(values) or [0]
    return tuple(ordered[round(i * (len(ordered) - 1) / 10)] for i in range(11))


def measure(root: Path) -> Profile:
    """The profile of an existing tree (numbers only)."""
    tree = load_tree(root)
    kinds: dict[PageKind, KindProfile] = {}
    for kind in SCALED:
        pages = [p for p in tree.kader.of_kind(kind) if kind.is_record or _is_plain(p.docname)]
        bodies = [tree.bodies[p.docname] for p in pages]
        values = {name: dict(sorted(Counter(len(p.values(name)) for p in pages).items())) for name in LIST_FIELDS if any(p.values(name) for p in pages)}
        constructs = {name: round(sum(len(pattern.findall(b)) for b in bodies) / max(len(bodies), 1), 2) for name, pattern in CONSTRUCTS.items()}
        sources = round(sum(1 for p in pages if p.meta.get("sources")) / max(len(pages), 1), 2)
        kinds[kind] = KindProfile(len(pages), values, _percentiles([len(b) for b in bodies]), constructs, sources)
    return Profile(kinds, len(tree.kader.of_kind(PageKind.ROL)), len(tree.kader.of_kind(PageKind.ONDERWERP)))


def _is_plain(docname: str) -> bool:
    """A page that is neither a record, a taxonomy page nor the index of a folder."""
    return "/" in docname and not docname.endswith("/index") and docname.split("/")[0] not in ("levenscyclus", "rollen", "onderwerpen")


#: ``measure(../shared/upstream-kader/docs)`` at upstream commit 46917ceafa4a.
DEFAULT_PROFILE = Profile(
    kinds={
        PageKind.VEREISTE: KindProfile(
            63,
            {
                "levenscyclus": {1: 19, 2: 23, 3: 18, 4: 3},
                "rollen": {1: 30, 2: 28, 3: 4, 4: 1},
                "onderwerp": {1: 42, 2: 20, 3: 1},
                "soort-toepassing": {1: 5, 2: 30, 3: 28},
                "risicogroep": {1: 35, 2: 1, 3: 3, 4: 24},
                "rol-ai-act": {1: 36, 2: 1, 4: 26},
                "transparantieverplichting": {1: 6, 2: 30, 3: 27},
                "systeemrisico": {1: 33, 2: 2, 3: 28},
                "open-source": {3: 63},
            },
            (1150, 1397, 1523, 1734, 1964, 2168, 2415, 2678, 2849, 3811, 11653),
            {"admonition": 0.1, "expander": 0.0, "table": 0.0, "link": 0.37, "weblink": 3.0, "footnote": 0.0, "image": 0.02, "bullet": 3.11, "tabs": 0.0},
            0.0,
        ),
        PageKind.MAATREGEL: KindProfile(
            108,
            {
                "levenscyclus": {1: 52, 2: 39, 3: 13, 4: 2, 5: 2},
                "rollen": {1: 39, 2: 54, 3: 14, 4: 1},
                "onderwerp": {1: 59, 2: 42, 3: 7},
                "vereiste": {0: 15, 1: 27, 2: 16, 3: 18, 4: 10, 5: 8, 6: 4, 7: 1, 10: 1, 15: 2, 30: 1, 59: 5},
            },
            (1106, 2071, 2355, 2617, 3058, 3374, 3721, 4615, 5335, 6148, 18635),
            {"admonition": 1.06, "expander": 1.0, "table": 0.01, "link": 2.37, "weblink": 4.05, "footnote": 0.06, "image": 0.09, "bullet": 8.33, "tabs": 0.0},
            0.57,
        ),
        PageKind.HULPMIDDEL: KindProfile(
            28,
            {
                "levenscyclus": {1: 6, 2: 12, 3: 6, 4: 2, 5: 1, 8: 1},
                "rollen": {1: 1, 2: 9, 3: 9, 4: 9},
                "onderwerp": {1: 15, 2: 7, 3: 2, 6: 1, 7: 2, 10: 1},
                "vereiste": {0: 5, 1: 10, 2: 5, 3: 3, 4: 1, 5: 1, 8: 1, 9: 1, 15: 1},
                "maatregel": {0: 3, 1: 3, 2: 2, 3: 3, 4: 5, 5: 3, 6: 1, 10: 2, 11: 1, 12: 1, 14: 1, 15: 3},
                "categorie": {0: 1, 1: 25, 2: 2},
            },
            (1358, 1873, 2076, 2598, 2771, 2932, 3418, 3579, 3880, 4409, 14936),
            {"admonition": 0.0, "expander": 0.04, "table": 0.04, "link": 2.75, "weblink": 3.0, "footnote": 0.0, "image": 0.0, "bullet": 3.79, "tabs": 0.0},
            0.0,
        ),
        PageKind.PAGE: KindProfile(
            17,
            {},
            (363, 1118, 1286, 1956, 2648, 3485, 5094, 6709, 11422, 16796, 23828),
            {"admonition": 0.71, "expander": 1.0, "table": 0.18, "link": 13.24, "weblink": 4.53, "footnote": 0.0, "image": 0.0, "bullet": 21.18, "tabs": 0.0},
            0.0,
        ),
    },
    rollen=4,
    onderwerpen=10,
)


# -- words: everything the generated tree says is made up from these ---------------------

PHASES = (
    ("organisatieverantwoordelijkheden", "Organisatieverantwoordelijkheden", "org"),
    ("probleemanalyse", "Probleemanalyse", "pba"),
    ("ontwerp", "Ontwerp", "owp"),
    ("dataverkenning-en-datapreparatie", "Dataverkenning en datapreparatie", "dat"),
    ("ontwikkelen", "Ontwikkelen", "owk"),
    ("verificatie-en-validatie", "Verificatie en validatie", "ver"),
    ("implementatie", "Implementatie", "imp"),
    ("monitoring-en-beheer", "Monitoring en beheer", "mon"),
    ("uitfaseren", "Uitfaseren", "uit"),
)
ROLES = ("projectleider", "ontwikkelaar", "jurist", "beleid-en-advies", "architect", "inkoper", "privacy-officer", "informatiebeheerder")
SUBJECTS = (
    "bias-en-non-discriminatie",
    "data",
    "duurzaamheid",
    "fundamentele-rechten",
    "governance",
    "menselijke-controle",
    "privacy-en-gegevensbescherming",
    "publieke-inkoop",
    "technische-robuustheid-en-veiligheid",
    "transparantie",
    "archivering",
    "toegankelijkheid",
)
#: Invented laws: (code, name in the glossary).
LAWS = (
    ("wdv", "Wet digitale verantwoording"),
    ("rab", "Regeling algoritmebeheer"),
    ("bgo", "Besluit gegevensopslag overheid"),
    ("vdi", "Verordening data-infrastructuur"),
    ("wtb", "Wet transparant bestuur"),
    ("cia", "Code informatieveiligheid algoritmes"),
    ("wgd", "Wet gelijke behandeling digitaal"),
    ("rao", "Regeling archief en overdracht"),
)
NOUNS = (
    "model",
    "dataset",
    "beslisregel",
    "gegevensbron",
    "toets",
    "werkproces",
    "logboek",
    "team",
    "risico",
    "afweging",
    "leverancier",
    "contract",
    "uitkomst",
    "steekproef",
    "beoordeling",
    "verslag",
    "register",
    "doel",
    "grondslag",
    "variabele",
    "drempelwaarde",
    "burger",
    "medewerker",
    "keuze",
    "versie",
    "omgeving",
    "meting",
    "signaal",
    "toezichthouder",
    "opdrachtgever",
    "planning",
    "begroting",
    "instructie",
    "procedure",
    "analyse",
    "schakel",
)
ADJECTIVES = (
    "actuele",
    "heldere",
    "volledige",
    "gevoelige",
    "nieuwe",
    "bestaande",
    "juiste",
    "belangrijke",
    "eerste",
    "interne",
    "externe",
    "zorgvuldige",
    "periodieke",
    "gedeelde",
    "afgesproken",
    "technische",
    "juridische",
    "menselijke",
)
IMPERATIVES = (
    "Leg",
    "Beschrijf",
    "Controleer",
    "Bepaal",
    "Documenteer",
    "Toets",
    "Bewaak",
    "Evalueer",
    "Betrek",
    "Beperk",
    "Verzamel",
    "Publiceer",
    "Herzie",
    "Organiseer",
    "Meet",
    "Borg",
)
PARTICIPLES = ("vastgelegd", "beschreven", "gecontroleerd", "getoetst", "gedocumenteerd", "beperkt", "geregeld", "openbaar gemaakt", "beoordeeld", "geborgd")
VERBS = ("bepaalt", "beschrijft", "verandert", "beperkt", "ondersteunt", "vraagt om", "vergelijkt", "meet", "toont", "raakt", "versterkt", "controleert")
ADVERBIALS = (
    "voor elke nieuwe versie",
    "in overleg met het team",
    "zodra de omstandigheden veranderen",
    "bij de start van het project",
    "voordat het systeem live gaat",
    "op een vaste plek",
    "met een duidelijke eigenaar",
    "in begrijpelijke taal",
    "aan de hand van een checklist",
    "elk kwartaal opnieuw",
    "samen met de betrokken afdelingen",
    "zonder onnodige vertraging",
)
CONNECTIVES = ("Daarom", "Daarnaast", "Bovendien", "Zo", "Ook", "Vervolgens", "Tegelijk")
ORGANISATIONS = ("gemeente Noordhaven", "provincie Westerland", "waterschap De Vliet", "Dienst Uitvoering Zuid", "het Rijksbureau Digitaal")
ADMONITION_TITLES = ("Let op", "Tip", "Goed om te weten", "Voorbeeld")


class Writer:
    """Deterministic Dutch-looking text from the word lists above."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def pick(self, items: Sequence[str]) -> str:
        return self.rng.choice(items)

    def noun_phrase(self) -> str:
        article = "het" if self.rng.random() < 0.3 else "de"
        adjective = f"{self.pick(ADJECTIVES)} " if self.rng.random() < 0.5 else ""
        return f"{article} {adjective}{self.pick(NOUNS)}"

    def sentence(self, extra: str = "") -> str:
        form = self.rng.randrange(4)
        if form == 0:
            text = f"{self.noun_phrase()} {self.pick(VERBS)} {self.noun_phrase()} {self.pick(ADVERBIALS)}"
        elif form == 1:
            text = f"{self.pick(CONNECTIVES)} {self.pick(VERBS).split()[0]} {self.noun_phrase()} {self.noun_phrase()} {self.pick(ADVERBIALS)}"
        elif form == 2:
            text = f"{self.pick(IMPERATIVES)} {self.noun_phrase()} {self.pick(ADVERBIALS)}"
        else:
            text = f"{self.noun_phrase()} van {self.noun_phrase()} is {self.pick(PARTICIPLES)} {self.pick(ADVERBIALS)}"
        text = f"{text}{extra}"
        return text[0].upper() + text[1:] + "."

    def paragraph(self, sentences: int | None = None, links: Sequence[str] = ()) -> str:
        count = sentences or self.rng.randint(2, 5)
        parts = [self.sentence() for _ in range(count)]
        for link in links:
            index = self.rng.randrange(len(parts))
            parts[index] = parts[index][:-1] + f", zie {link}."
        return " ".join(parts)

    def title(self, kind: PageKind) -> str:
        if kind is PageKind.MAATREGEL:
            return f"{self.pick(IMPERATIVES)} {self.noun_phrase()} van {self.noun_phrase()}"
        if kind is PageKind.VEREISTE:
            text = f"{self.noun_phrase()} is {self.pick(PARTICIPLES)}"
            return text[0].upper() + text[1:]
        noun = self.pick(NOUNS)
        return f"{self.pick(('Handreiking', 'Toetsingskader', 'Checklist', 'Handboek', 'Factsheet', 'Template'))} {noun} en {self.pick(NOUNS)}"

    def summary(self) -> str:
        """A toelichting of 15 to 35 words (the checker asks for at most 40)."""
        words: list[str] = []
        while len(words) < 15:
            words.extend(self.sentence().split())
        return " ".join(words[:35]).rstrip(".,") + "."

    def bullets(self, count: int, links: Sequence[str] = ()) -> str:
        items = [self.sentence().rstrip(".").lower() for _ in range(count)]
        for index, link in enumerate(links[:count]):
            items[index] += f" ({link})"
        return "\n".join(f"- {item}" for item in items)

    def table(self) -> str:
        rows = [
            f"| {self.pick(NOUNS).capitalize()} | {self.pick(ADJECTIVES)} {self.pick(NOUNS)} | {self.pick(PARTICIPLES)} |"
            for _ in range(self.rng.randint(3, 7))
        ]
        return "\n".join(["| Onderdeel | Wat | Status |", "| --- | --- | --- |", *rows])

    def weblink(self, path_hint: str) -> str:
        return f"[{self.pick(NOUNS).capitalize()} {self.pick(NOUNS)}](https://example.org/{path_hint}/{self.rng.randrange(1000, 9999)})"


def slug(text: str, words: int = 5) -> str:
    parts = re.findall(r"[a-z0-9]+", text.lower())
    stop = {"de", "het", "een", "van", "en", "is"}
    return "-".join([p for p in parts if p not in stop][:words]) or "pagina"


def indent(text: str, spaces: int = 4) -> str:
    return "\n".join((" " * spaces + line) if line else "" for line in text.split("\n"))


# -- the tree -----------------------------------------------------------------------------


@dataclass
class Record:
    kind: PageKind
    stem: str
    title: str
    meta: dict[str, Any]

    @property
    def docname(self) -> str:
        return f"{FOLDER_OF[self.kind]}/{self.stem}"


@dataclass
class GeneratedTree:
    root: Path
    counts: dict[str, int]


class Generator:
    def __init__(self, profile: Profile, scale: float, seed: int):
        self.profile = profile
        self.scale = scale
        self.rng = random.Random(seed)
        self.words = Writer(self.rng)
        vocabulary, _ = load_vocabulary(None)
        self.labels = {name: sorted(vocabulary.values(name) or ()) for name in AI_ACT_FIELDS}
        self.categories = sorted(vocabulary.categorie)
        self.roles = [*ROLES, *(f"rol-{i}" for i in range(len(ROLES), profile.rollen))][: profile.rollen]
        self.subjects = [*SUBJECTS, *(f"onderwerp-{i}" for i in range(len(SUBJECTS), profile.onderwerpen))][: profile.onderwerpen]
        self.files: dict[str, str] = {}
        self.images: list[str] = []

    # numbers ----------------------------------------------------------------------

    def count(self, kind: PageKind) -> int:
        return max(1, round(self.profile.kinds[kind].count * self.scale))

    def how_many(self, kind: PageKind, name: str, limit: int) -> int:
        histogram = self.profile.kinds[kind].values.get(name) or {1: 1}
        value = self.rng.choices(list(histogram), weights=list(histogram.values()))[0]
        return min(value, limit)

    def occurrences(self, kind: PageKind, construct: str) -> int:
        rate = self.profile.kinds[kind].constructs.get(construct, 0.0)
        whole = int(rate)
        return whole + (self.rng.random() < rate - whole)

    def body_length(self, kind: PageKind) -> int:
        points = self.profile.kinds[kind].body
        position = self.rng.random() * 10
        low = int(position)
        high = min(low + 1, 10)
        return int(points[low] + (points[high] - points[low]) * (position - low))

    def sample(self, items: Sequence[T], count: int) -> list[T]:
        return self.rng.sample(items, min(count, len(items)))

    # records ----------------------------------------------------------------------

    def taxonomy_values(self, kind: PageKind) -> dict[str, list[str]]:
        phases = [stem for stem, _, _ in PHASES]
        return {
            "levenscyclus": sorted(self.sample(phases, self.how_many(kind, "levenscyclus", len(phases))), key=phases.index),
            "onderwerp": sorted(self.sample(self.subjects, self.how_many(kind, "onderwerp", len(self.subjects)))),
            "rollen": sorted(self.sample(self.roles, self.how_many(kind, "rollen", len(self.roles)))),
        }

    def make_records(self) -> dict[PageKind, list[Record]]:
        records: dict[PageKind, list[Record]] = {kind: [] for kind in RECORDS}
        laws = [code for code, _ in LAWS]
        law_weights = [1 / (index + 1) for index in range(len(laws))]
        numbers: Counter[str] = Counter()
        for _ in range(self.count(PageKind.VEREISTE)):
            law = self.rng.choices(laws, weights=law_weights)[0]
            numbers[law] += 1
            title = self.words.title(PageKind.VEREISTE)
            meta: dict[str, Any] = {"title": title, "id": f"urn:nl:ak:ver:{law}-{numbers[law]:02d}", "toelichting": self.words.summary()}
            meta.update(self.taxonomy_values(PageKind.VEREISTE))
            for name in AI_ACT_FIELDS:
                meta[name] = self.sample(self.labels[name], self.how_many(PageKind.VEREISTE, name, len(self.labels[name])))
            meta["hide"] = ["navigation"]
            records[PageKind.VEREISTE].append(Record(PageKind.VEREISTE, f"{law}-{numbers[law]:02d}-{slug(title)}", title, meta))
        vereisten = [r.stem for r in records[PageKind.VEREISTE]]
        by_phase = {stem: [r.stem for r in records[PageKind.VEREISTE] if stem in r.meta["levenscyclus"]] for stem, _, _ in PHASES}

        for _ in range(self.count(PageKind.MAATREGEL)):
            title = self.words.title(PageKind.MAATREGEL)
            taxonomy = self.taxonomy_values(PageKind.MAATREGEL)
            first_phase = taxonomy["levenscyclus"][0]
            index = next(i for i, (stem, _, _) in enumerate(PHASES) if stem == first_phase)
            code = PHASES[index][2]
            numbers[code] += 1
            wanted = self.how_many(PageKind.MAATREGEL, "vereiste", len(vereisten))
            # Most references go to vereisten of the same phase, some anywhere.
            chosen = self.sample(by_phase[first_phase], round(wanted * 0.7))
            chosen += [stem for stem in self.sample(vereisten, wanted) if stem not in chosen][: wanted - len(chosen)]
            meta = {
                "title": title,
                "id": f"urn:nl:ak:mtr:{code}-{numbers[code]:02d}",
                "toelichting": self.words.summary(),
                **taxonomy,
                "vereiste": sorted(chosen),
            }
            if self.rng.random() < self.profile.kinds[PageKind.MAATREGEL].sources:
                meta["sources"] = {"ADR": [f"{self.rng.choice(('IB', 'DM', 'GV'))}.{self.rng.randint(1, 30)}" for _ in range(self.rng.randint(1, 3))]}
            meta["hide"] = ["navigation", "toc"]
            stem = f"{index}-{code}-{numbers[code]:02d}-{slug(title)}"
            records[PageKind.MAATREGEL].append(Record(PageKind.MAATREGEL, stem, title, meta))

        maatregelen = [r.stem for r in records[PageKind.MAATREGEL]]
        for number in range(1, self.count(PageKind.HULPMIDDEL) + 1):
            title = self.words.title(PageKind.HULPMIDDEL)
            meta = {
                "title": title,
                "toelichting": self.words.summary(),
                "categorie": self.sample(self.categories, self.how_many(PageKind.HULPMIDDEL, "categorie", len(self.categories))),
                "vereiste": sorted(self.sample(vereisten, self.how_many(PageKind.HULPMIDDEL, "vereiste", len(vereisten)))),
                "maatregel": sorted(self.sample(maatregelen, self.how_many(PageKind.HULPMIDDEL, "maatregel", len(maatregelen)))),
                **self.taxonomy_values(PageKind.HULPMIDDEL),
                "hide": ["navigation"],
            }
            records[PageKind.HULPMIDDEL].append(Record(PageKind.HULPMIDDEL, f"{slug(title, 3)}-{number}", title, meta))
        return records

    # bodies -------------------------------------------------------------------------

    def link(self, source: str, target: str, text: str) -> str:
        relative = posixpath.relpath(f"{target}.md", posixpath.dirname(source) or ".")
        return f"[{text}]({relative})"

    def links_for(self, kind: PageKind, source: str, candidates: Sequence[tuple[str, str]]) -> list[str]:
        chosen = self.sample(candidates, self.occurrences(kind, "link")) if candidates else []
        return [self.link(source, docname, title) for docname, title in chosen]

    def image(self, source: str) -> str:
        picture = self.rng.choice(self.images)
        alt = self.words.sentence().rstrip(".")
        return f"![{alt}]({posixpath.relpath(picture, posixpath.dirname(source))})"

    def prose(self, kind: PageKind, source: str, length: int, links: Sequence[str]) -> str:
        """Paragraphs, lists, tables, images and footnotes up to about ``length`` characters."""
        blocks: list[str] = []
        pending = list(links)
        extras = (["table"] * self.occurrences(kind, "table")) + (["image"] * self.occurrences(kind, "image"))
        bullets = self.occurrences(kind, "bullet")
        footnotes = self.occurrences(kind, "footnote")
        size = 0
        while size < length or extras or pending:
            if extras and self.rng.random() < 0.3:
                what = extras.pop()
                block = self.words.table() if what == "table" else self.image(source)
            elif bullets > 0 and self.rng.random() < 0.25:
                count = min(bullets, self.rng.randint(2, 6))
                bullets -= count
                block = self.words.bullets(count, [pending.pop() for _ in range(min(len(pending), 1))])
            else:
                take = [pending.pop() for _ in range(min(len(pending), self.rng.randint(0, 2)))]
                block = self.words.paragraph(links=take)
            blocks.append(block)
            size += len(block)
            if size > 4 * length + 2000:  # never loop on a tiny target with many extras
                blocks.extend(self.words.table() if e == "table" else self.image(source) for e in extras)
                blocks.extend(self.words.paragraph(1, [link]) for link in pending)
                break
        if footnotes:
            blocks[0] += "".join(f" [^{n}]" for n in range(1, footnotes + 1))
            blocks.append("\n".join(f"[^{n}]: {self.words.weblink('bron')}" for n in range(1, footnotes + 1)))
        return "\n\n".join(blocks)

    def admonitions(self, kind: PageKind) -> list[str]:
        out = []
        for _ in range(self.occurrences(kind, "admonition")):
            flavour = self.rng.choice(("example", "tip", "note", "warning"))
            title = f"Voorbeeld {self.rng.choice(ORGANISATIONS)}" if flavour == "example" else self.rng.choice(ADMONITION_TITLES)
            out.append(f'!!! {flavour} "{title}"\n\n{indent(self.words.paragraph())}')
        return out

    def expanders(self, kind: PageKind, limit: int | None = None) -> list[str]:
        count = self.occurrences(kind, "expander") if limit is None else min(limit, self.occurrences(kind, "expander"))
        return [f'??? expander "{self.words.pick(ADMONITION_TITLES)}"\n\n{indent(self.words.paragraph())}' for _ in range(count)]

    def weblinks(self, kind: PageKind) -> str:
        count = max(1, self.occurrences(kind, "weblink"))
        return "\n".join(f"- {self.words.weblink(kind.value)}" for _ in range(count))

    def tabs(self, kind: PageKind) -> list[str]:
        return [
            "\n\n".join(f'=== "{name}"\n\n{indent(self.words.paragraph(2))}' for name in ("Kort", "Uitgebreid")) for _ in range(self.occurrences(kind, "tabs"))
        ]

    def record_body(self, record: Record, everything: dict[str, str]) -> str:
        kind = record.kind
        source = record.docname
        own = [f"{FOLDER_OF[PageKind.VEREISTE]}/{s}" for s in record.meta.get("vereiste", ())]
        own += [f"{FOLDER_OF[PageKind.MAATREGEL]}/{s}" for s in record.meta.get("maatregel", ())]
        candidates = [(d, everything[d]) for d in (own or [d for d in self.sample(list(everything), 13) if d != source][:12])]
        links = self.links_for(kind, source, candidates)
        length = self.body_length(kind)
        parts = ["<!-- tags -->"]
        if kind is PageKind.HULPMIDDEL:
            parts.append(f"[Direct naar het hulpmiddel](https://example.org/hulpmiddel/{record.stem}){{ .md-button }}")
        heading = {PageKind.VEREISTE: "Vereiste", PageKind.MAATREGEL: "Maatregel", PageKind.HULPMIDDEL: "Hulpmiddel"}[kind]
        parts += [f"## {heading}", self.words.sentence(), "## Toelichting", self.prose(kind, source, int(length * 0.6), links)]
        parts += self.tabs(kind)
        if kind is PageKind.VEREISTE:
            parts += ["## Bronnen", self.weblinks(kind), "## Van toepassing op", "<!-- tags-ai-act -->", "## Risico", self.words.paragraph()]
            parts += [
                "## Maatregelen { data-search-exclude }",
                f"<!-- list_maatregelen vereiste/{record.stem} no-search no-onderwerp no-rol no-levenscyclus -->",
            ]
            if self.rng.random() < 0.1:
                parts += ["## Hulpmiddelen { data-search-exclude }", f"<!-- list_hulpmiddelen vereiste/{record.stem} no-search -->"]
        elif kind is PageKind.MAATREGEL:
            parts += ["## Risico", self.words.paragraph()]
            parts += [
                "## Bijbehorende vereiste(n) { data-search-exclude }",
                '??? expander "Bekijk alle vereisten"\n    <!-- list_vereisten_on_maatregelen_page -->',
            ]
            parts += ["## Bronnen", self.weblinks(kind)]
            parts += self.expanders(kind, limit=max(0, self.occurrences(kind, "expander") - 1))
            examples = self.admonitions(kind)
            if examples:
                parts += ["## Voorbeelden", *examples]
        else:
            parts += ["## Relevantie", self.prose(kind, source, int(length * 0.3), [])]
            parts += self.admonitions(kind)
            if record.meta.get("vereiste"):
                parts += ["## Bijbehorende vereisten { data-search-exclude }", "<!-- list_vereisten_on_maatregelen_page -->"]
            if record.meta.get("maatregel"):
                parts += ["## Bijbehorende maatregelen { data-search-exclude }", "<!-- list_maatregelen_on_hulpmiddelen_page -->"]
            parts += ["## Bronnen", self.weblinks(kind)]
        return "\n\n".join(parts)

    # pages ----------------------------------------------------------------------------

    def write(self, docname: str, meta: dict[str, Any], body: str) -> None:
        front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=4096)
        self.files[f"{docname}.md"] = f"---\n{front}---\n\n{body.strip()}\n"

    def cards(self, source: str, entries: Iterable[tuple[str, str]]) -> str:
        items = [f"-   ## {self.link(source, docname, title)}\n\n    ---\n\n    {self.words.paragraph(2)}\n" for docname, title in entries]
        return '<div class="grid cards" markdown>\n\n' + "\n".join(items) + "\n</div>"

    def taxonomy_pages(self) -> None:
        phase_entries = []
        for number, (stem, name, _) in enumerate(PHASES):
            docname = f"levenscyclus/{stem}"
            phase_entries.append((docname, f"Fase {number}: {name}"))
            body = [
                f"# Fase {number}: {name}",
                self.words.paragraph(),
                "## Taken in deze fase",
                self.words.bullets(self.rng.randint(3, 7)),
                self.words.paragraph(),
                "## Vereisten { data-search-exclude }",
                f"<!-- list_vereisten levenscyclus/{stem} no-levenscyclus -->",
                "## Aanbevolen maatregelen { data-search-exclude }",
                f"<!-- list_maatregelen levenscyclus/{stem} no-levenscyclus -->",
            ]
            self.write(docname, {"title": f"Fase {number}, {name.lower()}", "hide": ["toc"]}, "\n\n".join(body))
        flow = "\n".join(f"    {i}({i}. {name}) --> {i + 1}({i + 1}. {PHASES[i + 1][1]})" for i, (_, name, _) in enumerate(PHASES[:-1]))
        about = [
            "# Over de levenscyclus",
            self.words.paragraph(),
            f"```mermaid\nflowchart TD\n{flow}\n```",
            self.words.paragraph(),
            self.image("levenscyclus/over-de-levenscyclus"),
            self.words.paragraph(),
        ]
        self.write("levenscyclus/over-de-levenscyclus", {"title": "Over de levenscyclus"}, "\n\n".join(about))
        self.write(
            "levenscyclus/index",
            {"title": "Levenscyclus", "hide": ["toc"]},
            "# Levenscyclus\n\n"
            + self.words.paragraph()
            + "\n\n"
            + self.cards("levenscyclus/index", [("levenscyclus/over-de-levenscyclus", "Over de levenscyclus"), *phase_entries]),
        )

        for folder, field_name, stems, lists in (
            ("rollen", "rollen", self.roles, ("vereisten", "maatregelen")),
            ("onderwerpen", "onderwerp", self.subjects, ("vereisten", "maatregelen", "hulpmiddelen")),
        ):
            entries = []
            for stem in stems:
                title = stem.replace("-", " ").capitalize()
                entries.append((f"{folder}/{stem}", title))
                body = [
                    f"# {title}",
                    self.words.paragraph(),
                    "## Belangrijke taken",
                    self.words.bullets(self.rng.randint(3, 6)),
                    *self.admonitions(PageKind.PAGE)[:1],
                ]
                for plural in lists:
                    body += [
                        f"## {plural.capitalize()} {{ data-search-exclude }}",
                        f"<!-- list_{plural} {field_name}/{stem} no-{'rol' if field_name == 'rollen' else field_name} -->",
                    ]
                self.write(f"{folder}/{stem}", {"title": title, "hide": ["toc", "path"]}, "\n\n".join(body))
            self.write(
                f"{folder}/index",
                {"title": folder.capitalize(), "summary": self.words.sentence(), "hide": ["toc", "navigation"]},
                f"# {folder.capitalize()}\n\n{self.words.paragraph()}\n\n{self.cards(f'{folder}/index', entries)}",
            )

    def section_pages(self) -> None:
        base = "voldoen-aan-wetten-en-regels"
        entries = []
        for kind in RECORDS:
            folder = FOLDER_OF[kind]
            title = kind.plural.capitalize()
            entries.append((f"{folder}/index", title))
            body = [
                f"# {title}",
                self.words.paragraph(),
                *self.admonitions(PageKind.PAGE)[:1],
                f"## Alle {kind.plural} {{ data-search-exclude }}",
                f"<!-- list_{kind.plural} -->",
            ]
            self.write(f"{folder}/index", {"title": title, "hide": ["toc"]}, "\n\n".join(body))
        self.write(
            f"{base}/index",
            {"title": "Voldoen aan wetten en regels", "hide": ["toc"]},
            f"# Voldoen aan wetten en regels\n\n{self.words.paragraph()}\n\n{self.cards(f'{base}/index', entries)}",
        )

    def plain_pages(self, records: dict[PageKind, list[Record]]) -> list[tuple[str, str]]:
        total = self.count(PageKind.PAGE)
        folders: list[tuple[str, str]] = []
        all_records = [(r.docname, r.title) for rs in records.values() for r in rs]
        per_folder = 6
        for start in range(0, total, per_folder):
            folder = f"thema-{start // per_folder + 1:02d}"
            entries = []
            for number in range(start, min(start + per_folder, total)):
                title = f"{self.words.pick(NOUNS).capitalize()} en {self.words.pick(NOUNS)} ({number + 1})"
                docname = f"{folder}/{slug(title)}-{number + 1}"
                entries.append((docname, title))
                links = self.links_for(PageKind.PAGE, docname, all_records)
                body = [
                    f"# {title}",
                    self.prose(PageKind.PAGE, docname, self.body_length(PageKind.PAGE), links),
                    *self.admonitions(PageKind.PAGE),
                    *self.expanders(PageKind.PAGE),
                    *self.tabs(PageKind.PAGE),
                ]
                if number % per_folder == 0:
                    subject = self.rng.choice(self.subjects)
                    body += ["## Maatregelen over dit thema", f"```{{kader-lijst}} maatregelen\n:filter: onderwerp/{subject}\n:flags: no-rol\n```"]
                self.write(docname, {"title": title}, "\n\n".join(body))
            self.write(
                f"{folder}/index",
                {"title": f"Thema {start // per_folder + 1}"},
                f"# Thema {start // per_folder + 1}\n\n{self.words.paragraph()}\n\n{self.cards(f'{folder}/index', entries)}",
            )
            folders.append((f"{folder}/index", f"Thema {start // per_folder + 1}"))
        return folders

    def home(self, themes: list[tuple[str, str]]) -> None:
        sections = [
            ("levenscyclus/index", "Levenscyclus"),
            ("onderwerpen/index", "Onderwerpen"),
            ("rollen/index", "Rollen"),
            ("voldoen-aan-wetten-en-regels/index", "Voldoen aan wetten en regels"),
            *themes,
        ]
        body = f"# Algoritmekader (gegenereerd)\n\n{self.words.paragraph()}\n\n[Naar de maatregelen](voldoen-aan-wetten-en-regels/maatregelen/index.md){{ .md-button .md-button--primary }}\n\n{self.cards('index', sections)}"
        self.write("index", {"title": "Algoritmekader", "hide": ["navigation", "toc"]}, body)

    def glossary(self) -> str:
        lines = ["# Begrippenlijst", ""]
        lines += [f"*[{code.upper()}]: {name}" for code, name in LAWS]
        lines += [f"*[{noun.upper()}]: {self.words.sentence()}" for noun in ("ADR", "ARK")]
        return "\n".join(lines) + "\n"

    def make_images(self, root: Path) -> None:
        """Diagram-like pictures: wide PNGs with and without alpha, and a JPEG."""
        count = max(2, round(3 * self.scale))
        for number in range(1, count + 1):
            wide = number % 3 != 0
            size = (1600, 900) if wide else (900, 900)
            mode = "RGBA" if number % 2 else "RGB"
            picture = Image.new(mode, size, (255, 255, 255, 0) if mode == "RGBA" else (250, 250, 250))
            draw = ImageDraw.Draw(picture)
            for _box in range(12):
                x, y = self.rng.randrange(0, size[0] - 300), self.rng.randrange(0, size[1] - 160)
                colour = tuple(self.rng.randrange(40, 230) for _ in range(3))
                draw.rounded_rectangle((x, y, x + 280, y + 140), radius=16, fill=(*colour, 255) if mode == "RGBA" else colour, outline=(20, 20, 20))
                draw.line((x + 140, y + 140, self.rng.randrange(size[0]), self.rng.randrange(size[1])), fill=(30, 30, 30), width=4)
            suffix = "png" if number % 4 else "jpg"
            relative = f"afbeeldingen/diagram-{number}.{suffix}"
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (picture.convert("RGB") if suffix == "jpg" else picture).save(root / relative, quality=85)
            self.images.append(relative)

    def generate(self, root: Path) -> GeneratedTree:
        self.make_images(root)
        records = self.make_records()
        titles = {r.docname: r.title for rs in records.values() for r in rs}
        for kind in RECORDS:
            for record in records[kind]:
                self.write(record.docname, record.meta, self.record_body(record, titles))
        self.taxonomy_pages()
        self.section_pages()
        self.home(self.plain_pages(records))
        self.files[GLOSSARY_FILE.as_posix()] = self.glossary()
        for relative, text in self.files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        counts = {kind.plural: len(records[kind]) for kind in RECORDS}
        counts["pages"] = sum(1 for name in self.files if name.endswith(".md")) - 1  # not the glossary
        counts["images"] = len(self.images)
        return GeneratedTree(root, counts)


def generate(root: Path, scale: float = 1.0, profile: Profile = DEFAULT_PROFILE, seed: int = 1) -> GeneratedTree:
    """Write a synthetic kader ``scale`` times the size of ``profile`` into the empty folder ``root``."""
    root = Path(root)
    if root.exists() and any(root.iterdir()):
        raise FileExistsError(f"{root} is not empty; give a new folder (or pass --force)")
    root.mkdir(parents=True, exist_ok=True)
    return Generator(profile, scale, seed).generate(root)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write the tree into (must be new or empty)")
    parser.add_argument("--scale", type=float, default=1.0, help="size relative to the measured tree (default 1)")
    parser.add_argument("--like", type=Path, help="measure this tree instead of using the built-in profile of the upstream kader")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same tree)")
    parser.add_argument("--force", action="store_true", help="empty OUT first")
    args = parser.parse_args(argv)
    if args.force and args.out.exists():
        shutil.rmtree(args.out)
    profile = measure(args.like) if args.like else DEFAULT_PROFILE
    result = generate(args.out, args.scale, profile, args.seed)
    print(f"generated {args.out}: " + ", ".join(f"{n} {what}" for what, n in result.counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
