"""Navigation: the tree's ``mkdocs.yml`` ``nav:`` (or a sensible default) as toctrees.

Content pages carry no Sphinx markup. When a page that has children in the
navigation is read, a hidden ``{toctree}`` listing them is appended to its source
(in memory: the file is never rewritten). Pages that the navigation does not
name are hung under the index page of their folder, so every page is reachable
and the PDF gets a real section hierarchy.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from sphinx.util import logging

from .config import get_config
from .model import natural_key

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

NAV_FILE = "mkdocs.yml"
ROOT = "index"
_GLOB_ENTRY = re.compile(r"^\.\.\.\s*(?:\|\s*(?P<pattern>.+))?$")
_PHASE = re.compile(r"\bfase\s+(\d+)", re.IGNORECASE)

#: The default order of sections when a tree has no mkdocs.yml.
DEFAULT_SECTIONS = (
    "levenscyclus/index",
    "onderwerpen/index",
    "rollen/index",
    "voldoen-aan-wetten-en-regels/vereisten/index",
    "voldoen-aan-wetten-en-regels/maatregelen/index",
    "voldoen-aan-wetten-en-regels/hulpmiddelen/index",
)


@dataclass
class Entry:
    docname: str
    title: str | None = None
    children: list[Entry] = field(default_factory=list)


class _NavLoader(yaml.SafeLoader):
    """Reads mkdocs.yml, ignoring tags such as ``!!python/name:`` and ``!ENV``."""


_NavLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_NavLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def find_nav_file(srcdir: Path, configured: str = "") -> Path | None:
    if configured:
        path = Path(configured)
        return path if path.is_file() else None
    for folder in (srcdir, srcdir.parent):
        if (folder / NAV_FILE).is_file():
            return folder / NAV_FILE
    return None


def read_nav(path: Path) -> list[Any]:
    try:
        data = yaml.load(path.read_text("utf-8"), Loader=_NavLoader)  # noqa: S506 - a SafeLoader subclass
    except (OSError, yaml.YAMLError) as error:
        logger.warning("cannot read the navigation in %s (%s); using the default navigation", path, error, type="kaderpers", subtype="nav")
        return []
    nav = data.get("nav") if isinstance(data, dict) else None
    return nav if isinstance(nav, list) else []


def _docname(path: str) -> str:
    return path.strip().removesuffix(".md").lstrip("/")


class NavBuilder:
    """Turns ``nav:`` items into a tree of :class:`Entry`, each document once."""

    def __init__(self, docnames: Iterable[str]):
        self.docnames = set(docnames)
        self.placed: set[str] = set()

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
            if match := _GLOB_ENTRY.match(item.strip()):
                return self.glob(match["pattern"] or "*")
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
        head = next((c for c in children if c.docname.endswith("/index") or c.docname == ROOT), children[0])
        head.children.extend(c for c in children if c is not head)
        head.title = title
        return [head]

    def glob(self, pattern: str) -> list[Entry]:
        pattern = pattern.strip().removesuffix(".md")
        matches = sorted((d for d in self.docnames if fnmatch.fnmatch(d, pattern) and d not in self.placed), key=natural_key)
        return [entry for d in matches if (entry := self.take(d))]


def default_nav(docnames: set[str], titles: dict[str, str]) -> list[Any]:
    """Home, Levenscyclus (phase order), Onderwerpen, Rollen, Vereisten, Maatregelen, Hulpmiddelen."""
    nav: list[Any] = [ROOT] if ROOT in docnames else []
    for index in DEFAULT_SECTIONS:
        if index not in docnames:
            continue
        folder = index.rsplit("/", 1)[0]
        members = [d for d in docnames if d.rsplit("/", 1)[0] == folder and d != index]
        members.sort(key=lambda d: (_phase_of(titles.get(d, "")), natural_key(d)))
        nav.append({titles.get(index) or folder: [index, *members]})
    return nav


def _phase_of(title: str) -> int:
    """Non-phase pages first, then phases 0 to 8."""
    match = _PHASE.search(title)
    return int(match[1]) + 1 if match else -1


def attach_unplaced(root_entries: list[Entry], docnames: set[str], placed: set[str]) -> list[Entry]:
    """Hang every page the navigation does not name under its folder's index page."""
    by_docname: dict[str, Entry] = {}

    def walk(entries: list[Entry]) -> None:
        for entry in entries:
            by_docname[entry.docname] = entry
            walk(entry.children)

    walk(root_entries)
    leftovers: list[Entry] = []
    for docname in sorted(docnames - placed, key=lambda d: (d.count("/"), natural_key(d))):
        entry = Entry(docname)
        by_docname[docname] = entry
        parent = _nearest_index(docname, by_docname)
        (parent.children if parent else leftovers).append(entry)
    return root_entries + leftovers


def _nearest_index(docname: str, by_docname: dict[str, Entry]) -> Entry | None:
    parts = docname.split("/")[:-1]
    if docname.endswith("/index"):
        parts = parts[:-1]
    while parts:
        candidate = "/".join(parts) + "/index"
        if candidate in by_docname and candidate != docname:
            return by_docname[candidate]
        parts.pop()
    return None


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
        lines = [f"{e.title} </{e.docname}>" if e.title else f"/{e.docname}" for e in entries]
        return "\n\n```{toctree}\n:hidden:\n\n" + "\n".join(lines) + "\n```\n"

    def parent_of(self, docname: str) -> str | None:
        return next((parent for parent, entries in self.children.items() if any(e.docname == docname for e in entries)), None)


def build_navigation(docnames: set[str], titles: dict[str, str], nav_file: Path | None) -> Navigation:
    builder = NavBuilder(docnames)
    raw = read_nav(nav_file) if nav_file else []
    if not raw:
        raw = default_nav(docnames, titles)
    entries = builder.items(raw)
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
    cached = getattr(app, "_kaderpers_navigation", None)
    if cached is None:
        env = app.env
        titles = _titles(app, env.found_docs)
        nav_file = find_nav_file(Path(app.srcdir), get_config(app).nav_file)
        cached = app._kaderpers_navigation = build_navigation(set(env.found_docs), titles, nav_file)
    return cached


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
    """A page added or removed changes the toctree of its parent: read the parent again."""
    if not (added or removed):
        return []
    app._kaderpers_navigation = None
    nav = navigation(app)
    parents = {nav.parent_of(d) for d in added} | {ROOT}
    parents |= {p for p in (_nearest_existing_parent(d, env) for d in removed) if p}
    return sorted(p for p in parents if p and p in env.found_docs)


def _nearest_existing_parent(docname: str, env: BuildEnvironment) -> str | None:
    parts = docname.split("/")[:-1]
    while parts:
        candidate = "/".join(parts) + "/index"
        if candidate in env.found_docs:
            return candidate
        parts.pop()
    return ROOT


def on_builder_inited(app: Sphinx) -> None:
    app._kaderpers_navigation = None


def setup(app: Sphinx) -> None:
    app.connect("builder-inited", on_builder_inited)
    # After the dialect translation (priority 500): the toctree is MyST markup.
    app.connect("source-read", on_source_read, priority=700)
    app.connect("env-get-outdated", on_env_get_outdated)
