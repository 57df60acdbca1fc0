"""What changed between two versions of a kader: pages added, removed, renamed and changed.

Pages are paired in this order, each step only among the pages still unpaired:

1. records by ``id`` (a record keeps its id when its file is renamed);
2. pages by path;
3. pages of the same kind by file stem (a page moved to another folder);
4. pages of the same kind by title (a record without id whose file was renamed),

a stem or title counting only where it is unique on both sides. A pair whose
path differs is *renamed*; a pair whose title, front matter or body differs is
*changed* (a page can be both). Front-matter lists are compared as sets: their
order means nothing to the kader.

:func:`diff_json` gives the result in the shape of ``kaderpers diff --format json``::

    {"added":   [{"id", "path", "title"}],          # id: the record's id, or null
     "removed": [{"id", "path", "title"}],
     "renamed": [{"id", "path", "old_path", "title"}],
     "changed": [{"id", "path", "title", "fields": [FIELD], "text": bool}],
     "vocabulary": {"added":   [{"field", "value", "label"}],
                    "removed": [{"field", "value", "label"}],
                    "changed": [{"field", "value", "old", "new"}]},
     "glossary":   {"added":   [{"term", "definition"}],
                    "removed": [{"term", "definition"}],
                    "changed": [{"term", "old", "new"}]}}

    FIELD = {"field": name, "old": value or null, "new": value or null}
            + for lists and ``sources``: "added" and "removed" (the items, ``sources`` as "ADR: SV.8")

``title`` is the title a reader sees (front matter, else the first heading).
Paths are relative to the tree; every list of pages is sorted by path.

``vocabulary`` compares the values a front-matter field may take (the ``labels``
and ``categorie`` sections of ``vocabulaire.yml``, the bundled one with the
tree's own sections over it) and the text a reader sees for each; ``changed`` is
a value whose text changed. ``glossary`` compares the terms of
``includes/begrippenlijst.md`` and their definitions. Both are sorted (by field
and value, by term) and their lists are empty when nothing changed.

Nothing here imports Sphinx: the site's *Wijzigingen* page renders the same
:class:`KaderDiff`.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from .loader import LoadedTree
from .model import Glossary, Page, Vocabulary

#: Front-matter keys compared as the displayed title instead (see :attr:`Page.title`).
TITLE = "title"


class Change(StrEnum):
    """How a page, vocabulary value or glossary term differs between two versions."""

    ADDED = "added"
    REMOVED = "removed"
    RENAMED = "renamed"
    CHANGED = "changed"


@dataclass(frozen=True)
class FieldChange:
    """One front-matter field of a page that differs between the old and the new version."""

    name: str
    old: Any
    new: Any
    #: For list fields and ``sources``: the items only one side has.
    added: tuple[str, ...] | None = None
    removed: tuple[str, ...] | None = None

    def as_json(self) -> dict[str, Any]:
        """The change as plain JSON values (with the added and removed items of a list field)."""
        result: dict[str, Any] = {"field": self.name, "old": plain(self.old), "new": plain(self.new)}
        if self.added is not None:
            result["added"] = list(self.added)
            result["removed"] = list(self.removed or ())
        return result


@dataclass
class PageDiff:
    """One page of either version: its pair on the other side, and what differs."""

    old: Page | None
    new: Page | None
    old_body: str = ""
    new_body: str = ""
    fields: list[FieldChange] = field(default_factory=list)
    text: bool = False

    @property
    def page(self) -> Page:
        """The page as it is now (as it was, for a removed page)."""
        page = self.new or self.old
        assert page is not None
        return page

    @property
    def renamed(self) -> bool:
        """Whether the page moved to another path."""
        return self.old is not None and self.new is not None and self.old.path != self.new.path

    @property
    def changed(self) -> bool:
        """Whether a field or the text of the page differs."""
        return bool(self.fields) or self.text

    @property
    def record_id(self) -> str | None:
        """The record's id, or ``None`` for a page that is not a record (or has none)."""
        return self.page.record_id if self.page.is_record and self.page.record_id else None

    def entry(self) -> dict[str, Any]:
        """The page as a JSON entry: id, path and title."""
        return {"id": self.record_id, "path": self.page.path, "title": self.page.title}

    def text_diff(self) -> list[Hunk]:
        """The changed paragraphs of the page's text, word by word (empty when the text is the same)."""
        return text_diff(self.old_body, self.new_body, self.new.body_line if self.new else 1) if self.text else []


@dataclass(frozen=True)
class WordChange:
    """A vocabulary value (``field`` is the front-matter field it belongs to) or a glossary
    term (``field`` None): its text in the old and the new version, None where it is missing."""

    field: str | None
    name: str
    old: str | None
    new: str | None

    @property
    def change(self) -> Change:
        """Whether the value or term was added, removed or changed."""
        return Change.ADDED if self.old is None else Change.REMOVED if self.new is None else Change.CHANGED


#: The kinds of change a vocabulary value or glossary term can have.
WORD_CHANGES = (Change.ADDED, Change.REMOVED, Change.CHANGED)


def by_change(changes: list[WordChange]) -> list[WordChange]:
    """Added first, then removed, then changed; each in the order given."""
    return sorted(changes, key=lambda item: WORD_CHANGES.index(item.change))


def _words_json(changes: list[WordChange], name: str, text: str) -> dict[str, list[dict[str, str | None]]]:
    """``{"added", "removed", "changed"}`` of vocabulary values (``name`` "value", ``text`` "label") or glossary terms."""
    result: dict[str, list[dict[str, str | None]]] = {change.value: [] for change in WORD_CHANGES}
    for item in changes:
        entry = {"field": item.field} if item.field is not None else {}
        entry[name] = item.name
        if item.change is Change.CHANGED:
            entry |= {"old": item.old, "new": item.new}
        else:
            entry[text] = item.new if item.change is Change.ADDED else item.old
        result[item.change.value].append(entry)
    return result


@dataclass
class KaderDiff:
    """Everything that differs between two versions of a tree: pages by kind of change, vocabulary and glossary."""

    added: list[PageDiff]
    removed: list[PageDiff]
    renamed: list[PageDiff]
    changed: list[PageDiff]
    vocabulary: list[WordChange] = field(default_factory=list)
    glossary: list[WordChange] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The whole comparison as plain JSON values (``kaderpers diff --json``)."""
        return {
            "added": [item.entry() for item in self.added],
            "removed": [item.entry() for item in self.removed],
            "renamed": [
                {"id": item.record_id, "path": item.page.path, "old_path": item.old.path, "title": item.page.title} for item in self.renamed if item.old
            ],
            "changed": [{**item.entry(), "fields": [f.as_json() for f in item.fields], "text": item.text} for item in self.changed],
            "vocabulary": _words_json(self.vocabulary, "value", "label"),
            "glossary": _words_json(self.glossary, "term", "definition"),
        }

    def counts(self) -> dict[Change, int]:
        """How many pages changed, per kind of change."""
        return {change: len(getattr(self, change.value)) for change in Change}

    @property
    def empty(self) -> bool:
        """Whether the two versions are the same."""
        return not any(self.counts().values()) and not self.vocabulary and not self.glossary

    def of(self, docname: str) -> list[Change]:
        """How the page ``docname`` of the new version differs from the old one."""
        return [
            change for change in (Change.ADDED, Change.RENAMED, Change.CHANGED) if any(d.new and d.new.docname == docname for d in getattr(self, change.value))
        ]


# -- pairing -----------------------------------------------------------------------------


def _pair_by(key: Callable[[Page], Any], old: dict[str, Page], new: dict[str, Page], pairs: list[tuple[Page, Page]]) -> None:
    """Pair the pages whose key is unique on both sides; paired pages leave ``old`` and ``new``."""
    old_keys = Counter(k for page in old.values() if (k := key(page)) is not None)
    new_keys = Counter(k for page in new.values() if (k := key(page)) is not None)
    by_key = {key(page): page for page in new.values() if new_keys.get(key(page)) == 1}
    for docname, page in list(old.items()):
        k = key(page)
        if k is None or old_keys[k] != 1 or k not in by_key:
            continue
        partner = by_key.pop(k)
        pairs.append((page, partner))
        del old[docname], new[partner.docname]


def _record_id(page: Page) -> str | None:
    return page.record_id or None if page.is_record else None


def pair_pages(old: Iterable[Page], new: Iterable[Page]) -> tuple[list[tuple[Page, Page]], list[Page], list[Page]]:
    """(old, new) pairs, the pages only the old version has, the pages only the new one has."""
    unpaired_old = {page.docname: page for page in old}
    unpaired_new = {page.docname: page for page in new}
    pairs: list[tuple[Page, Page]] = []
    _pair_by(_record_id, unpaired_old, unpaired_new, pairs)
    _pair_by(lambda page: page.docname, unpaired_old, unpaired_new, pairs)
    _pair_by(lambda page: (page.kind, page.stem) if page.stem != "index" else None, unpaired_old, unpaired_new, pairs)
    _pair_by(lambda page: (page.kind, page.title.casefold()), unpaired_old, unpaired_new, pairs)
    return pairs, list(unpaired_old.values()), list(unpaired_new.values())


# -- comparing two versions of a page -------------------------------------------------------


def plain(value: Any) -> Any:
    """A front-matter value as JSON: tuples as lists, dates as text, anything else odd as its text."""
    if isinstance(value, (tuple, list)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def items_of(value: Any) -> tuple[str, ...] | None:
    """The items of a list field, or of ``sources`` as ``"ADR: SV.8"``; None for any other value."""
    if isinstance(value, (tuple, list)):
        return tuple(str(item) for item in value)
    if isinstance(value, dict) and all(isinstance(codes, (tuple, list)) for codes in value.values()):
        return tuple(f"{framework}: {code}" for framework, codes in value.items() for code in codes)
    return None


def _differs(old: Any, new: Any) -> bool:
    old_items, new_items = items_of(old), items_of(new)
    if old_items is not None and new_items is not None:
        return Counter(old_items) != Counter(new_items)
    return plain(old) != plain(new)


def field_changes(old: Page, new: Page) -> list[FieldChange]:
    """The title and every front-matter field that differs, title first, then in the order of the new page."""
    changes = []
    if old.title != new.title:
        changes.append(FieldChange(TITLE, old.title, new.title))
    names = [name for name in dict.fromkeys([*new.meta, *old.meta]) if name != TITLE]
    for name in names:
        before, after = old.meta.get(name), new.meta.get(name)
        if not _differs(before, after):
            continue
        old_items, new_items = items_of(before), items_of(after)
        if old_items is None and new_items is None:
            changes.append(FieldChange(name, before, after))
            continue
        old_set, new_set = set(old_items or ()), set(new_items or ())
        added = tuple(item for item in dict.fromkeys(new_items or ()) if item not in old_set)
        removed = tuple(item for item in dict.fromkeys(old_items or ()) if item not in new_set)
        changes.append(FieldChange(name, before, after, added, removed))
    return changes


def _normal_body(body: str) -> str:
    """The body without trailing spaces and surrounding blank lines, which readers never see."""
    return "\n".join(line.rstrip() for line in body.strip("\n").split("\n")).strip()


def vocabulary_values(vocabulary: Vocabulary) -> dict[tuple[str, str], str]:
    """(field, value) → the text a reader sees, for every value a vocabulary declares."""
    values = {(name, value): text for name, texts in vocabulary.labels.items() if name != "categorie" for value, text in texts.items()}
    values.update({("categorie", value): text for value, text in vocabulary.categorie.items()})  # as Vocabulary.values() has it
    return values


def word_changes(old: dict[Any, str], new: dict[Any, str], key: Callable[[Any], Any]) -> list[tuple[Any, str | None, str | None]]:
    """(key, old text, new text) of every key one side lacks or whose text differs, sorted by ``key``."""
    return [(name, old.get(name), new.get(name)) for name in sorted(old.keys() | new.keys(), key=key) if old.get(name) != new.get(name)]


def vocabulary_changes(old: Vocabulary, new: Vocabulary) -> list[WordChange]:
    """The vocabulary values added, removed or relabelled between two versions."""
    return [
        WordChange(name, value, before, after) for (name, value), before, after in word_changes(vocabulary_values(old), vocabulary_values(new), lambda k: k)
    ]


def glossary_changes(old: Glossary, new: Glossary) -> list[WordChange]:
    """The glossary terms added, removed or redefined between two versions."""
    return [WordChange(None, term, before, after) for term, before, after in word_changes(dict(old.terms), dict(new.terms), lambda t: (t.casefold(), t))]


def compare(old: LoadedTree, new: LoadedTree) -> KaderDiff:
    """Compare two loaded trees: pages paired by id or path, then their fields and texts."""
    pairs, removed, added = pair_pages(old.kader.pages.values(), new.kader.pages.values())
    result = KaderDiff([], [], [], [], vocabulary_changes(old.kader.vocabulary, new.kader.vocabulary), glossary_changes(old.kader.glossary, new.kader.glossary))
    for page in added:
        result.added.append(PageDiff(None, page, new_body=new.bodies.get(page.docname, "")))
    for page in removed:
        result.removed.append(PageDiff(page, None, old_body=old.bodies.get(page.docname, "")))
    for before, after in pairs:
        old_body, new_body = old.bodies.get(before.docname, ""), new.bodies.get(after.docname, "")
        item = PageDiff(before, after, old_body, new_body, field_changes(before, after), _normal_body(old_body) != _normal_body(new_body))
        if item.renamed:
            result.renamed.append(item)
        if item.changed:
            result.changed.append(item)
    for listed in (result.added, result.removed, result.renamed, result.changed):
        listed.sort(key=lambda item: item.page.path)
    return result


def diff_json(old: LoadedTree, new: LoadedTree) -> str:
    """The comparison of two trees as indented JSON text."""
    return json.dumps(compare(old, new).as_json(), ensure_ascii=False, indent=1)


# -- the text, word by word --------------------------------------------------------------------


class Piece(StrEnum):
    """What a run of words in a text diff is: kept, deleted or inserted."""

    SAME = "same"
    DELETED = "deleted"
    INSERTED = "inserted"


#: A paragraph of a text diff: runs of words, each kept, deleted or inserted.
Paragraph = tuple[tuple[Piece, str], ...]


@dataclass(frozen=True)
class Hunk:
    """Consecutive changed paragraphs, and the line of the new text where they start."""

    line: int
    paragraphs: tuple[Paragraph, ...]


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")
_WORD = re.compile(r"\S+")
#: A paragraph boundary inside a word diff.
_BREAK = "\n\n"


def _paragraphs(body: str, first_line: int) -> list[tuple[int, str]]:
    """(line, text) of each paragraph (blank-line separated block) of a body that starts at ``first_line``."""
    result, position = [], 0
    text = "\n".join(line.rstrip() for line in body.split("\n"))
    for match in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        block = text[position:end]
        if block.strip():
            result.append((first_line + text.count("\n", 0, position), block.strip("\n")))
        position = match.end() if match else len(text)
    return result


def _words(paragraphs: list[str]) -> list[str]:
    words: list[str] = []
    for position, paragraph in enumerate(paragraphs):
        if position:
            words.append(_BREAK)
        words.extend(_WORD.findall(paragraph))
    return words


def _runs(pieces: list[tuple[Piece, str]]) -> tuple[Paragraph, ...]:
    """Words → paragraphs of runs (neighbouring words of one kind joined by spaces)."""
    paragraphs: list[list[tuple[Piece, str]]] = [[]]
    for kind, word in pieces:
        if word == _BREAK:
            if kind is not Piece.DELETED:
                paragraphs.append([])
            continue
        current = paragraphs[-1]
        if current and current[-1][0] is kind:
            current[-1] = (kind, f"{current[-1][1]} {word}")
        else:
            current.append((kind, word))
    return tuple(tuple(paragraph) for paragraph in paragraphs if paragraph)


def word_diff(old: list[str], new: list[str]) -> tuple[Paragraph, ...]:
    """Paragraphs of the new text with the words of the old one that went, word by word."""
    a, b = _words(old), _words(new)
    pieces: list[tuple[Piece, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            pieces.extend((Piece.SAME, word) for word in b[j1:j2])
            continue
        pieces.extend((Piece.DELETED, word) for word in a[i1:i2])
        pieces.extend((Piece.INSERTED, word) for word in b[j1:j2])
    return _runs(pieces)


def text_diff(old_body: str, new_body: str, first_line: int = 1) -> list[Hunk]:
    """The paragraphs that differ, compared word by word; unchanged paragraphs are left out.

    Paragraphs are paired first (so a word diff never runs across the whole page),
    then the words of each group of changed paragraphs.
    """
    old, new = _paragraphs(old_body, 1), _paragraphs(new_body, first_line)
    old_texts = [" ".join(_WORD.findall(text)) for _, text in old]
    new_texts = [" ".join(_WORD.findall(text)) for _, text in new]
    hunks = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old_texts, new_texts, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        line = new[j1][0] if j1 < len(new) else (new[-1][0] if new else first_line)
        hunks.append(Hunk(line, word_diff([text for _, text in old[i1:i2]], [text for _, text in new[j1:j2]])))
    return hunks


# -- text output -------------------------------------------------------------------------------


_MARK = {Piece.SAME: "{}", Piece.DELETED: "[-{}-]", Piece.INSERTED: "{{+{}+}}"}
_SIGN = {Change.ADDED: "+", Change.REMOVED: "-", Change.RENAMED: ">", Change.CHANGED: "~"}


def _value_text(value: Any) -> str:
    items = items_of(value)
    if items is not None:
        return ", ".join(items) or "(leeg)"
    return "(geen)" if value is None else json.dumps(plain(value), ensure_ascii=False)


def field_text(change: FieldChange) -> str:
    """One line for a field change: the added and removed items, or the old and new value."""
    if change.added is not None:
        parts = [f"+{item}" for item in change.added] + [f"-{item}" for item in (change.removed or ())]
        return f"{change.name}: {', '.join(parts)}" if parts else f"{change.name}: {_value_text(change.old)} → {_value_text(change.new)}"
    return f"{change.name}: {_value_text(change.old)} → {_value_text(change.new)}"


def diff_text(diff: KaderDiff, old_label: str, new_label: str) -> str:
    """The diff for a terminal: a summary line, then one block per page, text as ``[-gone-]{+new+}``."""
    counts = diff.counts()
    lines = [f"{old_label} → {new_label}: " + ", ".join(f"{counts[change]} {change.value}" for change in Change)]
    for change in (Change.ADDED, Change.REMOVED):
        for item in getattr(diff, change.value):
            lines.append(f"{_SIGN[change]} {item.page.path}  {item.page.title}")
    for item in diff.renamed:
        lines.append(f"> {item.old.path if item.old else ''} → {item.page.path}  {item.page.title}")
    for item in diff.changed:
        lines.append(f"~ {item.page.path}  {item.page.title}")
        lines.extend(f"    {field_text(change)}" for change in item.fields)
        for hunk in item.text_diff():
            lines.append(f"    @ line {hunk.line}:")
            for paragraph in hunk.paragraphs:
                lines.append("      " + " ".join(_MARK[kind].format(text) for kind, text in paragraph))
    for heading, changes in ((VOCABULARY_HEADING, diff.vocabulary), (GLOSSARY_HEADING, diff.glossary)):
        if changes:
            lines.append(f"{heading}: " + ", ".join(f"{sum(item.change is change for item in changes)} {change.value}" for change in WORD_CHANGES))
            lines.extend(f"{_SIGN[item.change]} {word_text(item)}" for item in by_change(changes))
    return "\n".join(lines)


VOCABULARY_HEADING = "vocabulaire"
GLOSSARY_HEADING = "begrippenlijst"


def word_text(item: WordChange) -> str:
    """``risicogroep/verboden-ai  Verboden AI → Verboden AI-praktijk``, ``AVG  Algemene ...``."""
    name = f"{item.field}/{item.name}" if item.field is not None else item.name
    if item.change is Change.CHANGED:
        return f"{name}  {item.old} → {item.new}"
    return f"{name}  {item.new if item.change is Change.ADDED else item.old}"
