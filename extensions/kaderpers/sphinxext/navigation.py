"""Navigation: the tree's ``mkdocs.yml`` ``nav:`` (or a sensible default) as toctrees.

Content pages carry no Sphinx markup. When a page that has children in the
navigation is read, a hidden ``{toctree}`` listing them is appended to its source
(in memory: the file is never rewritten). Pages that the navigation does not
name are hung under the index page of their folder (or, in a folder without
one, under the page named after the folder), so every page is reachable and the
PDF gets a real section hierarchy.

``nav:`` is read the way MkDocs with the awesome-pages plugin reads it: pages,
``Title: page.md``, ``Title: [section items]`` (an ``index.md`` among them is the
section's page), external links (left out), and rest entries ``...``,
``... | glob``, ``... | glob=…``, ``... | regex=…`` with an optional ``flat``.
Rest entries take what the explicit entries leave: patterns first, then ``...``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from sphinx.util import logging

from ..core import limits
from ..core.model import natural_key
from .config import get_config
from .domain import kader_domain

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

NAV_FILE = "mkdocs.yml"
ROOT = "index"
_REST_ENTRY = re.compile(r"^\.\.\.\s*(?:\|(?P<options>.*))?$")
_PHASE = re.compile(r"\bfase\s+(\d+)", re.IGNORECASE)

#: The sections of the default navigation (a tree without mkdocs.yml), in order, with their short names.
DEFAULT_SECTIONS = {
    "levenscyclus/index": "Levenscyclus",
    "onderwerpen/index": "Onderwerpen",
    "rollen/index": "Rollen",
    "voldoen-aan-wetten-en-regels/vereisten/index": "Vereisten",
    "voldoen-aan-wetten-en-regels/maatregelen/index": "Maatregelen",
    "voldoen-aan-wetten-en-regels/hulpmiddelen/index": "Hulpmiddelen",
}


@dataclass
class Entry:
    docname: str
    title: str | None = None
    children: list[Entry] = field(default_factory=list)


class _NavLoader(limits.DepthBoundedComposer, yaml.SafeLoader):
    """Reads mkdocs.yml, ignoring tags such as ``!!python/name:`` and ``!ENV``, within the YAML limits of the front matter."""


_NavLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_NavLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def find_nav_file(srcdir: Path, configured: Path | None = None) -> Path | None:
    """The configured file (None when it does not exist: the default navigation), else mkdocs.yml beside the tree."""
    if configured is not None:
        return configured if configured.is_file() else None
    for folder in (srcdir, srcdir.parent):
        if (folder / NAV_FILE).is_file():
            return folder / NAV_FILE
    return None


def read_nav(path: Path) -> list[Any]:
    try:
        data = limits.load_bounded(path.read_text("utf-8"), _NavLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:  # the limits' errors are YAML errors too
        logger.warning("cannot read the navigation in %s (%s); using the default navigation", path, error, type="kaderpers", subtype="nav")
        return []
    nav = data.get("nav") if isinstance(data, dict) else None
    return nav if isinstance(nav, list) else []


def _docname(path: str) -> str:
    return path.strip().removeprefix("./").removesuffix(".md").lstrip("/")


@dataclass(frozen=True)
class RestEntry:
    """An awesome-pages rest entry: the pages no explicit entry names, optionally filtered."""

    pattern: re.Pattern[str] | None
    flat: bool

    @classmethod
    def parse(cls, text: str) -> RestEntry | None:
        match = _REST_ENTRY.match(text.strip())
        if match is None:
            return None
        options = [part.strip() for part in (match["options"] or "").split("|") if part.strip()]
        flat = "flat" in options
        filters = [part for part in options if part != "flat"]
        pattern = None
        if filters:
            kind, _, value = filters[0].partition("=")
            if kind == "regex" and value:
                pattern = _regex(value)
            else:
                pattern = re.compile(_glob_to_regex(value if kind == "glob" and value else filters[0]))
        return cls(pattern, flat)

    def matches(self, path: str) -> bool:
        return self.pattern is None or self.pattern.search(path) is not None


def _regex(text: str) -> re.Pattern[str]:
    try:
        return re.compile(text)
    except re.error as error:
        logger.warning("the navigation has an invalid regex %r (%s); the entry lists no pages", text, error, type="kaderpers", subtype="nav")
        return re.compile(r"(?!)")


def _glob_to_regex(pattern: str) -> str:
    """A path glob as awesome-pages reads it: ``*`` and ``?`` stay inside a folder, ``**`` crosses folders."""
    parts = re.split(r"(\*\*/?|\*|\?)", pattern.strip().lstrip("/"))
    wildcards = {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
    return "^" + "".join(wildcards.get(part, re.escape(part)) for part in parts) + "$"


class NavBuilder:
    """Turns ``nav:`` items into a tree of :class:`Entry`, each document once.

    Explicit entries are placed first; rest entries are then filled in, pattern
    rests before plain ``...``, as awesome-pages does.
    """

    def __init__(self, docnames: Iterable[str]):
        self.docnames = set(docnames)
        self.placed: set[str] = set()
        self.rests: list[tuple[RestEntry, list[Entry]]] = []

    def build(self, items: list[Any]) -> list[Entry]:
        entries = self.items(items)
        for rest, slot in sorted(self.rests, key=lambda pair: pair[0].pattern is None):
            slot.extend(self.rest(rest))
        return _flatten_slots(entries)

    def take(self, docname: str, title: str | None = None) -> Entry | None:
        if docname not in self.docnames:
            logger.warning("the navigation names %s.md, which is not in the tree; remove it from nav:", docname, type="kaderpers", subtype="nav")
            return None
        if docname in self.placed:
            return None
        self.placed.add(docname)
        return Entry(docname, title)

    def items(self, items: list[Any]) -> list[Entry]:
        entries: list[Entry] = []
        for item in items:
            entries.extend(self.item(item))
        return entries

    def item(self, item: Any) -> list[Entry]:
        if isinstance(item, str):
            if (rest := RestEntry.parse(item)) is not None:
                slot = _Slot(_SLOT)
                self.rests.append((rest, slot.children))
                return [slot]
            if "://" in item:
                return []
            entry = self.take(_docname(item))
            return [entry] if entry else []
        if isinstance(item, dict):
            entries = []
            for title, value in item.items():
                if isinstance(value, str):
                    if "://" in value:
                        continue
                    entry = self.take(_docname(value), str(title))
                    entries.extend([entry] if entry else [])
                elif isinstance(value, list):
                    entries.extend(self.section(str(title), value))
            return entries
        return []

    def section(self, title: str, items: list[Any]) -> list[Entry]:
        children = self.items(items)
        if not children:
            return []
        pages = [c for c in children if not isinstance(c, _Slot)]
        head = next((c for c in pages if c.docname.endswith("/index") or c.docname == ROOT), pages[0] if pages else None)
        if head is None:  # only rest entries: they are filled in later, at this level
            return children
        head.children.extend(c for c in children if c is not head)
        head.title = title
        return [head]

    def rest(self, rest: RestEntry) -> list[Entry]:
        matches = [d for d in self.docnames - self.placed if rest.matches(d + ".md")]
        if not rest.flat:
            # Keep the folder structure: a page under a matched folder index is hung under it later.
            chosen = set(matches)
            matches = [d for d in matches if not any(head in chosen for head in _folder_heads(d))]
        matches.sort(key=lambda d: natural_key(d.removesuffix("index")))  # by path, a folder's index first
        return [entry for d in matches if (entry := self.take(d))]


_SLOT = "\0rest"


class _Slot(Entry):
    """Where a rest entry's pages go, replaced by them once every explicit entry is placed."""


def _flatten_slots(entries: list[Entry]) -> list[Entry]:
    result: list[Entry] = []
    for entry in entries:
        if isinstance(entry, _Slot):
            result.extend(_flatten_slots(entry.children))
        else:
            entry.children = _flatten_slots(entry.children)
            result.append(entry)
    return result


def _folder_heads(docname: str) -> list[str]:
    """Pages that can head the folders above ``docname``, nearest first: each folder's
    ``index`` page, else the page named after the folder (``over/over.md``)."""
    folders = docname.split("/")[:-1]
    if docname.endswith("/index"):
        folders = folders[:-1]
    heads = []
    while folders:
        heads += [f"{'/'.join(folders)}/index", f"{'/'.join(folders)}/{folders[-1]}"]
        folders.pop()
    return [head for head in heads if head != docname]


def _head_rank(docname: str) -> int:
    """Folder heads are placed before the pages they head."""
    parts = docname.split("/")
    if parts[-1] == "index":
        return 0
    return 1 if len(parts) > 1 and parts[-1] == parts[-2] else 2


def default_nav(docnames: set[str], titles: dict[str, str]) -> list[Any]:
    """Home, Levenscyclus (phase order), Onderwerpen, Rollen, Vereisten, Maatregelen, Hulpmiddelen."""
    nav: list[Any] = [ROOT] if ROOT in docnames else []
    for index, name in DEFAULT_SECTIONS.items():
        if index not in docnames:
            continue
        folder = index.rsplit("/", 1)[0]
        members = [d for d in docnames if d.rsplit("/", 1)[0] == folder and d != index]
        members.sort(key=lambda d: (_phase_of(titles.get(d, "")), natural_key(d)))
        nav.append({name: [index, *members]})
    return nav


def _phase_of(title: str) -> int:
    """Non-phase pages first, then phases 0 to 8."""
    match = _PHASE.search(title)
    return int(match[1]) + 1 if match else -1


def attach_unplaced(root_entries: list[Entry], docnames: set[str], placed: set[str]) -> list[Entry]:
    """Hang every page the navigation does not name under the nearest head of its folders."""
    by_docname: dict[str, Entry] = {}

    def walk(entries: list[Entry]) -> None:
        for entry in entries:
            by_docname[entry.docname] = entry
            walk(entry.children)

    walk(root_entries)
    leftovers: list[Entry] = []
    for docname in sorted(docnames - placed, key=lambda d: (d.count("/"), _head_rank(d), natural_key(d))):
        entry = Entry(docname)
        parent = next((by_docname[head] for head in _folder_heads(docname) if head in by_docname), None)
        by_docname[docname] = entry
        (parent.children if parent else leftovers).append(entry)
    return root_entries + leftovers


@dataclass
class Navigation:
    """Children of each document in navigation order, and the order of all documents."""

    children: dict[str, list[Entry]]
    order: list[str]
    source: Path | None

    def toctree_markup(self, docname: str) -> str:
        entries = self.children.get(docname)
        if not entries:
            return ""
        lines = [f"{' '.join(e.title.split())} </{e.docname}>" if e.title and e.title.strip() else f"/{e.docname}" for e in entries]
        return "\n\n```{toctree}\n:hidden:\n\n" + "\n".join(lines) + "\n```\n"

    def child_map(self) -> dict[str, tuple[tuple[str, str | None], ...]]:
        """Each parent's (child, title) pairs: what its toctree says."""
        return {docname: tuple((e.docname, e.title) for e in entries) for docname, entries in self.children.items()}


def build_navigation(docnames: set[str], titles: dict[str, str], nav_file: Path | None) -> Navigation:
    builder = NavBuilder(docnames)
    raw = read_nav(nav_file) if nav_file else []
    if not raw:
        raw = default_nav(docnames, titles)
    entries = builder.build(raw)
    if ROOT in builder.placed:
        root = next(e for e in entries if e.docname == ROOT)
        top = [e for e in entries if e is not root]
    else:
        root, top = Entry(ROOT), entries
        builder.placed.add(ROOT)
    top = attach_unplaced(top, docnames, builder.placed)
    root.children = top + root.children
    children: dict[str, list[Entry]] = {}
    order: list[str] = []

    def walk(entry: Entry) -> None:
        order.append(entry.docname)
        if entry.children:
            children[entry.docname] = entry.children
        for child in entry.children:
            walk(child)

    walk(root)
    return Navigation(children, order, nav_file)


# -- Sphinx wiring ---------------------------------------------------------------------------


def navigation(app: Sphinx) -> Navigation:
    """The navigation of this build, made once from the documents Sphinx found."""
    domain = kader_domain(app.env)
    if domain.navigation is None:
        env = app.env
        titles = _titles(app, env.found_docs)
        nav_file = find_nav_file(Path(app.srcdir), get_config(app).nav_file)
        return domain.remember_navigation(build_navigation(set(env.found_docs), titles, nav_file))
    return domain.navigation


_TITLE = re.compile(r"^title:\s*(.+?)\s*$", re.MULTILINE)


def _titles(app: Sphinx, docnames: Iterable[str]) -> dict[str, str]:
    """Titles of section index pages, for the default navigation (cheap: first lines only)."""
    titles = {}
    for docname in docnames:
        if not (docname.endswith("/index") or docname.startswith("levenscyclus/")):
            continue
        try:
            head = Path(app.env.doc2path(docname)).read_text("utf-8", errors="replace")[:2000]
        except OSError:
            continue
        if match := _TITLE.search(head):
            titles[docname] = match[1].strip("'\"")
    return titles


def on_source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    nav = navigation(app)
    markup = nav.toctree_markup(docname)
    if markup:
        source[0] = source[0].rstrip("\n") + "\n" + markup
        if nav.source is not None:
            app.env.note_dependency(str(nav.source))


def on_env_get_outdated(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]) -> list[str]:
    """Read again every page whose children in the navigation changed.

    Adding or removing a page changes its parent's toctree (and, for a new folder
    index, the parent of the folder's pages); in the default navigation a phase's
    new title can reorder the levenscyclus. The children of the previous build are
    kept in the environment and compared with the new navigation.
    """
    if not (added or changed or removed):
        return []
    domain = kader_domain(env)
    domain.forget_navigation()
    new = navigation(app).child_map()
    old = domain.swap_nav_children(new)
    differ = {docname for docname in new.keys() | old.keys() if new.get(docname) != old.get(docname)}
    return sorted(d for d in differ - added if d in env.found_docs)


def setup(app: Sphinx) -> None:
    # After the dialect translation (priority 500): the toctree is MyST markup.
    """Toctrees from the navigation added to each page as it is read, and pages read again when their children change."""
    app.connect("source-read", on_source_read, priority=700)
    app.connect("env-get-outdated", on_env_get_outdated)
