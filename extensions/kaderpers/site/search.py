"""The instant search's index: ``_static/kaderpers-search-index.js``, made at build time.

Each page's searchable text is collected when it is read (``doctree-read``) and kept per
document in the kader domain, so an incremental build (and ``kaderpers serve``) reads only the
pages that changed and still writes the whole index, equal to a clean build's.

Ranking is computed here, not in the browser: per stem and page one score, the sum of the
fields the stem occurs in, weighted (:data:`FIELD_WEIGHTS`: the title above the words of the
file name, the headings, the summary and the body), times the stem's rarity (idf). Compound
words also count for their parts, at :data:`PART_FACTOR`, so "register" finds the
algoritmeregister; a glossary abbreviation counts for the words of its definition and the
definition for the abbreviation ("IAMA" ↔ "Impact Assessment Mensenrechten en Algoritmes").
The browser (``kaderpers-search.js``) stems a query with the same Snowball stemmer and adds
prefix matches, one forgiven typo and compound splitting of the query.

The index is a script (``window.kaderpersSearchIndex = …``) rather than JSON so that the
search also works from ``file://``, where a page may not fetch.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.search.nl import SearchDutch

from ..core.model import PageKind, classify
from ..core.searchtext import bracketed_abbreviations, compound_parts, dutch_stem, fold, record_codes, words
from ..dialect.attributes import NO_SEARCH_CLASS
from ..sphinxext.domain import glossary, kader_domain, pages

if TYPE_CHECKING:
    from sphinx.application import Sphinx

INDEX_FILE = "kaderpers-search-index.js"
#: Raise when build_index changes what it makes of the same pages: the next build writes it anew.
INDEX_VERSION = 1
SCRIPT = "kaderpers-search.js"
STYLESHEET = "kaderpers-search.css"
#: The weight of a stem in each field of a page.
FIELD_WEIGHTS = {"title": 10.0, "file": 6.0, "headings": 4.0, "summary": 3.0, "body": 2.0}
#: A compound counts for each of its parts at this share.
PART_FACTOR = 0.5
#: Body occurrences saturate: the tenth mention of a word says little more than the third.
BODY_SATURATION = 3.0
#: Text kept per page and section for the excerpt the result shows.
EXCERPT_CHARS = {"page": 1500, "section": 400}
#: The kinds a result is grouped by; the taxonomy pages are pages to a reader.
RESULT_KIND = {
    PageKind.VEREISTE: "vereiste",
    PageKind.MAATREGEL: "maatregel",
    PageKind.HULPMIDDEL: "hulpmiddel",
}
SECTION = "sectie"
PAGE = "pagina"
STOPWORDS = frozenset(SearchDutch.stopwords)


@dataclass(frozen=True)
class SearchSection:
    title: str
    anchor: str
    text: str


@dataclass(frozen=True)
class SearchDocument:
    """What the search knows of one page, collected when it is read."""

    title: str
    kind: str
    chip: str
    codes: tuple[str, ...]
    file_words: str
    headings: str
    summary: str
    body: str
    sections: tuple[SearchSection, ...]


# -- collecting -------------------------------------------------------------------------------


#: Never searched: raw markup, comments, and what the editors keep out of search (``data-search-exclude``).
_UNSEARCHED = (nodes.raw, nodes.comment, nodes.substitution_definition, nodes.system_message)


def _searched(node: nodes.Element) -> bool:
    return not isinstance(node, _UNSEARCHED) and NO_SEARCH_CLASS not in node.get("classes", ())


def _text(node: nodes.Element, *, subsections: bool = True) -> str:
    """The searchable text of ``node``, whitespace collapsed (without its subsections, if so asked)."""
    pieces: list[str] = []

    def walk(element: nodes.Element) -> None:
        for child in element.children:
            if isinstance(child, nodes.Text):
                pieces.append(child.astext())
            elif isinstance(child, nodes.Element) and _searched(child) and (subsections or not isinstance(child, nodes.section)):
                walk(child)

    walk(node)
    return " ".join(" ".join(pieces).split())


def collect(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    docname = env.docname
    page = pages(env).get(docname)
    kind = page.kind if page is not None else classify(docname)
    title_node = env.titles.get(docname)
    title = (page.title if page is not None else "") or (title_node.astext() if title_node is not None else docname)
    headings: list[str] = []
    sections: list[SearchSection] = []
    searched = [section for section in doctree.findall(nodes.section) if all(_searched(a) for a in _ancestors(section))]
    for number, section in enumerate(searched):
        heading = section.next_node(nodes.title)
        if heading is None or not section["ids"]:
            continue
        text = heading.astext().strip()
        headings.append(text)
        if number > 0:  # the first is the page title
            own = " ".join(
                _text(child, subsections=False)
                for child in section.children
                if isinstance(child, nodes.Element) and not isinstance(child, (nodes.title, nodes.section)) and _searched(child)
            )
            sections.append(SearchSection(text, section["ids"][0], own[: EXCERPT_CHARS["section"]]))
    first_paragraph = next(iter(doctree.findall(nodes.paragraph)), None)
    summary = (page.text("toelichting") if page is not None else "") or (_text(first_paragraph) if first_paragraph is not None else "")
    codes = tuple(record_codes([page.record_id, page.short_id])) if page is not None and page.is_record else ()
    kader_domain(env).record_search_document(
        docname,
        SearchDocument(
            title=title,
            kind=RESULT_KIND.get(kind, PAGE),
            chip=page.short_id if page is not None and page.record_id else "",
            codes=codes,
            file_words=docname.rpartition("/")[2].replace("-", " ").replace("_", " "),
            headings=" ".join(headings[1:]),
            summary=summary,
            body=_text(doctree),
            sections=tuple(sections),
        ),
    )


def _ancestors(node: nodes.Node) -> list[nodes.Element]:
    found = []
    while node is not None:
        if isinstance(node, nodes.Element):
            found.append(node)
        node = node.parent
    return found


# -- the index ----------------------------------------------------------------------------------


class Analyser:
    """Words to stems, for a whole site: compounds split against the site's own vocabulary and
    abbreviations (as written, case and all) expanded both ways."""

    def __init__(self, texts: list[str], abbreviations: dict[str, str]):
        self.vocabulary = Counter(word for text in texts for word in words(text))
        self._stems = {word: dutch_stem(word) for word in self.vocabulary}
        self._parts: dict[str, tuple[str, ...]] = {}
        # An abbreviation counts for the words of its definition, and the definition for it.
        self.expansions = {
            abbreviation: [self.stem(word) for word in words(definition) if word not in STOPWORDS]
            for abbreviation, definition in abbreviations.items()
            if words(abbreviation) and not set(words(abbreviation)) & STOPWORDS
        }
        self._abbreviation = (
            re.compile(rf"(?<![\w-])(?:{'|'.join(map(re.escape, sorted(self.expansions, key=len, reverse=True)))})(?![\w-])") if self.expansions else None
        )
        self.phrases = {
            f" {' '.join(words(definition))} ": self.stem(fold(abbreviation))
            for abbreviation, definition in abbreviations.items()
            if abbreviation in self.expansions and len(words(definition)) > 1
        }

    def known(self, word: str) -> bool:
        return word not in STOPWORDS and self.vocabulary.get(word, 0) > 0

    def parts(self, word: str) -> tuple[str, ...]:
        if word not in self._parts:
            self._parts[word] = compound_parts(word, self.known)
        return self._parts[word]

    def stem(self, word: str) -> str:
        stem = self._stems.get(word)
        return stem if stem is not None else dutch_stem(word)

    def weights(self, text: str) -> Counter[str]:
        """Each stem of ``text`` with the number of times it occurs (compound parts and
        abbreviations at their share)."""
        counted: Counter[str] = Counter()
        tokens = words(text)
        for word, times in Counter(tokens).items():
            if word in STOPWORDS:
                continue
            counted[self.stem(word)] += times
            for part in self.parts(word):
                counted[self.stem(part)] += PART_FACTOR * times
        if self._abbreviation is not None:
            for abbreviation, times in Counter(self._abbreviation.findall(text)).items():
                for stem in self.expansions[abbreviation]:
                    counted[stem] += PART_FACTOR * times
        if self.phrases:
            joined = f" {' '.join(tokens)} "
            for phrase, stem in self.phrases.items():
                if phrase in joined:
                    counted[stem] += joined.count(phrase)
        return counted


#: A glossary entry is an abbreviation when its term is in capitals and its definition a name
#: of at most this many words; the glossary's other terms have sentences as definitions.
MAX_EXPANSION_WORDS = 8


def is_abbreviation(term: str, definition: str) -> bool:
    letters = [ch for ch in term if ch.isalpha()]
    return len(letters) >= 2 and term.upper() == term and 0 < len(words(definition)) <= MAX_EXPANSION_WORDS


def _field_score(name: str, count: float) -> float:
    if name == "body":
        return FIELD_WEIGHTS[name] * count / (count + BODY_SATURATION)
    return FIELD_WEIGHTS[name] * min(count, 2.0) ** 0.5


def build_index(documents: dict[str, SearchDocument], uris: dict[str, str], abbreviations: dict[str, str]) -> dict[str, Any]:
    """The index as data: ``docs`` (url, title, kind, chip, text, page title), ``terms``
    (stem → [doc, score×10, …]), ``words`` (the surface words, for prefix and typo matching,
    and ``stems``, their stems by position), ``codes`` (record code → docs)."""
    order = sorted(documents)
    defined: dict[str, str] = {}
    for docname in order:
        for abbreviation, words_of in bracketed_abbreviations(documents[docname].body).items():
            defined.setdefault(abbreviation, words_of)
    glossary = {term: definition for term, definition in abbreviations.items() if is_abbreviation(term, definition)}
    abbreviations = {**defined, **glossary}  # the glossary has the last word
    analyser = Analyser(
        [text for d in order for text in (documents[d].title, documents[d].file_words, documents[d].headings, documents[d].summary, documents[d].body)],
        abbreviations,
    )
    docs: list[list[str]] = []
    fields_of: list[dict[str, Counter[str]]] = []
    codes: dict[str, list[int]] = defaultdict(list)
    for docname in order:
        document = documents[docname]
        number = len(docs)
        text = document.body if document.summary in document.body else f"{document.summary} {document.body}"
        docs.append([uris[docname], document.title, document.kind, document.chip, text[: EXCERPT_CHARS["page"]], ""])
        fields_of.append(
            {
                name: analyser.weights(getattr(document, attribute))
                for name, attribute in (("title", "title"), ("file", "file_words"), ("headings", "headings"), ("summary", "summary"), ("body", "body"))
            }
        )
        for code in document.codes:
            codes[code].append(number)
        for section in document.sections:
            docs.append([f"{uris[docname]}#{section.anchor}", section.title, SECTION, document.chip, section.text, document.title])
            fields_of.append({"headings": analyser.weights(section.title)})
    frequency: Counter[str] = Counter(stem for fields in fields_of for stem in set().union(*fields.values()))
    total = len(docs)
    terms: dict[str, list[int]] = defaultdict(list)
    for number, fields in enumerate(fields_of):
        scores: Counter[str] = Counter()
        for name, counted in fields.items():
            for stem, count in counted.items():
                scores[stem] += _field_score(name, count)
        for stem in sorted(stem for stem, score in scores.items() if score > 0):
            idf = math.log(1 + (total - frequency[stem] + 0.5) / (frequency[stem] + 0.5))
            terms[stem] += [number, max(1, round(10 * scores[stem] * idf))]
    vocabulary = sorted(word for word in analyser.vocabulary if word not in STOPWORDS and analyser.stem(word) in terms)
    return {
        "docs": docs,
        "terms": dict(sorted(terms.items())),
        "words": vocabulary,
        "stems": [analyser.stem(word) for word in vocabulary],
        "codes": dict(sorted(codes.items())),
    }


def write_index(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    env = app.env
    collected = kader_domain(env).search_documents
    written = {docname: document for docname, document in collected.items() if docname in env.found_docs}
    uris = {docname: app.builder.get_target_uri(docname) for docname in written}
    terms = dict(glossary(env).terms)
    # What the index is made of: when it has not changed (a build that read nothing), the index stays.
    inputs = hashlib.sha256(repr((INDEX_VERSION, sorted(written.items()), sorted(uris.items()), sorted(terms.items()))).encode("utf-8")).hexdigest()
    header = f"/* kaderpers search index {inputs} */\n"
    target = Path(app.outdir, "_static", INDEX_FILE)
    if target.is_file():
        with target.open(encoding="utf-8") as existing:
            if existing.readline() == header:
                return
    index = build_index(written, uris, terms)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(header + "window.kaderpersSearchIndex = " + json.dumps(index, ensure_ascii=False, separators=(",", ":")) + ";\n", "utf-8")


def setup(app: Sphinx) -> None:
    """Collect each page's text when it is read and write the instant search's index and scripts."""
    app.add_js_file(SCRIPT, defer="defer")
    app.add_css_file(STYLESHEET)
    app.connect("doctree-read", collect)
    app.connect("build-finished", write_index)
