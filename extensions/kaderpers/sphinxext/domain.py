"""All build state of kaderpers in one place: :class:`KaderDomain`, the ``sphinx.ext.todo`` way.

What is saved with the environment lives in ``KaderDomain.data`` (``env.domaindata["kader"]``):

* per document, purged by :meth:`~KaderDomain.clear_doc` and merged by
  :meth:`~KaderDomain.merge_domaindata`: ``pages`` (the front matter as a
  :class:`~kaderpers.core.model.Page`), ``specs`` (the list directives a page uses,
  collected by :meth:`~KaderDomain.process_doc` from the placeholder nodes) and
  ``woordenlijst`` (pages that show the Woordenlijst themselves);
* what the previous build showed, compared by the next one to find the pages to
  write again: ``digests`` (a document's tables), ``nav_children`` (the children of
  each page in the navigation) and ``nav_state`` (sidebars, titles, neighbours).

What one build computes and never saves is kept on the domain object itself (see
:meth:`~KaderDomain.start_build`): the vocabulary, the glossary, the indexed kader, the
navigation and the site tree, made once per process.

A different :attr:`~KaderDomain.data_version` makes Sphinx start with a fresh
environment, so no saved state of another shape is ever read.

The door is narrow: other modules read the state through properties and change it
only through the domain's methods, each named for what it does (``record_page``,
``swap_digests(new) -> old``, ``mark_warned``, ...). ``tests/test_architecture.py``
fails when a module outside this one assigns to the domain or mutates what it holds.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Set
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.domains import Domain

from ..core.loader import load_vocabulary
from ..core.model import Glossary, Kader, Page, Vocabulary
from .nodes import PLACEHOLDERS

if TYPE_CHECKING:
    from sphinx.environment import BuildEnvironment
    from sphinx.util.parallel import ParallelTasks, SerialTasks

    from ..core.beslishulp import DecisionTree
    from ..core.diff import KaderDiff
    from ..site.html import SiteTree
    from .navigation import Navigation


class PerDocument(dict):
    """Data per document that a forked reader sends back for its own documents only.

    In a parallel read every reader process is forked from the main process and
    returns its whole environment, pickled, for the main process to merge the
    documents it read. Sent whole, the pages read before would travel again with
    every chunk: a cost that grows with the square of the kader (21 s of a 94 s
    build at ten times the real kader). Pickled in the process that made it (the
    saved environment), everything is kept.
    """

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._process = os.getpid()
        self._set_here: set[str] = set()

    def __setitem__(self, docname: str, value: Any) -> None:
        super().__setitem__(docname, value)
        if os.getpid() != self._process:
            self._set_here.add(docname)

    def setdefault(self, docname: str, default: Any = None) -> Any:
        if docname not in self:
            self[docname] = default
        return self[docname]

    def __reduce__(self) -> tuple[Any, ...]:
        if os.getpid() == self._process:
            return (PerDocument, (dict(self),))
        return (PerDocument, ({docname: self[docname] for docname in self._set_here if docname in self},))


class KaderDomain(Domain):
    """The kader's build state: per-document data that is purged and merged, and per-build caches."""

    name = "kader"
    label = "Algoritmekader"
    #: Raise when the shape of ``data`` changes: Sphinx then starts from a fresh environment.
    data_version = 3
    #: The entries of ``data`` kept per document.
    PER_DOCUMENT = ("pages", "specs", "woordenlijst", "search")
    initial_data = {
        "pages": {},  # docname → Page
        "specs": {},  # docname → [(Spec, line)]
        "woordenlijst": {},  # docname → True: the page shows the Woordenlijst
        "search": {},  # docname → SearchDocument: its text for the instant search (site/search.py)
        "digests": {},  # docname → digest of its tables, as last written
        "nav_children": {},  # docname → its children in the navigation, as last read
        "nav_state": None,  # the navigation every page showed, as last written
        "change_markers": {},  # docname → its "Gewijzigd"/"Nieuw" marker, as last written (--compare-to)
    }

    def __init__(self, env: BuildEnvironment) -> None:
        super().__init__(env)
        # Made here, in the main process before any reader is forked (see PerDocument).
        for key in self.PER_DOCUMENT:
            self.data[key] = PerDocument(self.data[key])
        self.start_build()

    def start_build(self) -> None:
        """Forget what the previous build in this process computed (``builder-inited``)."""
        self._vocabulary: Vocabulary | None = None
        self._glossary: Glossary = Glossary()
        self._glossary_path: Path | None = None
        self._project: Path | None = None
        self._kader: Kader | None = None
        self._navigation: Navigation | None = None
        self._site_tree: SiteTree | None = None
        self._removed: frozenset[str] = frozenset()
        self._export_tasks: ParallelTasks | SerialTasks | None = None
        self._warned: set[str] = set()
        self._changes: KaderDiff | None = None
        self._changes_label: str = ""
        self._skipped_parents: list[tuple[str, str]] = []
        self._decision_tree: DecisionTree | None = None
        self._added_pages: set[str] = set()

    # -- per build: read ---------------------------------------------------------------------
    # Other modules read the state through these and change it only through the methods
    # below, whose names say what happens (tests/test_architecture.py keeps it so).

    @property
    def vocabulary(self) -> Vocabulary | None:
        """The vocabulary of this build, read in ``builder-inited``."""
        return self._vocabulary

    @property
    def glossary(self) -> Glossary:
        """The Woordenlijst of this build (empty without a glossary file)."""
        return self._glossary

    @property
    def glossary_path(self) -> Path | None:
        """The glossary file this build read, if any."""
        return self._glossary_path

    @property
    def project(self) -> Path | None:
        """The project root: nothing outside it is read into the publication (:mod:`kaderpers.core.boundary`)."""
        return self._project

    @property
    def navigation(self) -> Navigation | None:
        """The navigation of this build, once made."""
        return self._navigation

    @property
    def site_tree(self) -> SiteTree | None:
        """The site's page tree of this write, once made."""
        return self._site_tree

    @property
    def removed(self) -> frozenset[str]:
        """Documents removed since the last build, whose pages the HTML build deletes."""
        return self._removed

    @property
    def export_tasks(self) -> ParallelTasks | SerialTasks | None:
        """Where the spreadsheet exports of this build are written (joined when it finishes)."""
        return self._export_tasks

    @property
    def changes(self) -> KaderDiff | None:
        """With ``--compare-to``: what changed since that version."""
        return self._changes

    @property
    def changes_label(self) -> str:
        """With ``--compare-to``: how that version is named."""
        return self._changes_label

    @property
    def skipped_parents(self) -> tuple[tuple[str, str], ...]:
        """(child, parent) pairs this build's HTML writer left out of ``env.files_to_rebuild``."""
        return tuple(self._skipped_parents)

    @property
    def decision_tree(self) -> DecisionTree | None:
        """The beslishulp's decision tree, read and checked by :mod:`kaderpers.site.beslishulp` (HTML builds)."""
        return self._decision_tree

    @property
    def added_pages(self) -> frozenset[str]:
        """The pages the HTML build wrote that are not documents of the tree (the 404 page, the
        Woordenlijst, ``traceerbaarheid/``, ...): written on every build, listed in the sitemap."""
        return frozenset(self._added_pages)

    # -- per build: write --------------------------------------------------------------------

    def use_vocabulary(self, vocabulary: Vocabulary) -> None:
        """The vocabulary pages are read against in this build."""
        self._vocabulary = vocabulary

    def use_glossary(self, path: Path | None, glossary: Glossary) -> None:
        """The Woordenlijst of this build and the file it was read from (``None``: none)."""
        self._glossary_path, self._glossary = path, glossary

    def remember_project(self, root: Path) -> Path:
        """Keep the project root found for this build; returns it."""
        self._project = root
        return root

    def remember_navigation(self, navigation: Navigation) -> Navigation:
        """Keep the navigation made for this build; returns it."""
        self._navigation = navigation
        return navigation

    def forget_navigation(self) -> None:
        """The documents changed: the navigation is made again when next asked for."""
        self._navigation = None

    def remember_site_tree(self, tree: SiteTree) -> SiteTree:
        """Keep the site tree made for this write; returns it."""
        self._site_tree = tree
        return tree

    def forget_site_tree(self) -> None:
        """The environment changed: the site tree is made again when next asked for."""
        self._site_tree = None

    def forget_index(self) -> None:
        """The pages changed: :meth:`index` indexes them again."""
        self._kader = None

    def record_removed(self, docnames: Set[str]) -> None:
        """The documents removed since the last build."""
        self._removed = frozenset(docnames)

    def start_export_tasks(self, tasks: ParallelTasks | SerialTasks) -> ParallelTasks | SerialTasks:
        """Keep where this build writes its spreadsheets; returns ``tasks``."""
        self._export_tasks = tasks
        return tasks

    def take_export_tasks(self) -> ParallelTasks | SerialTasks | None:
        """The export tasks of this build, for the caller to join; the domain lets go of them."""
        tasks, self._export_tasks = self._export_tasks, None
        return tasks

    def mark_warned(self, key: str) -> bool:
        """Whether this is the first time ``key`` is warned about in this build (and note it)."""
        first = key not in self._warned
        self._warned.add(key)
        return first

    def record_changes(self, changes: KaderDiff, label: str) -> None:
        """With ``--compare-to``: what changed since that version, and how to name it."""
        self._changes, self._changes_label = changes, label

    def note_skipped_parent(self, child: str, parent: str) -> None:
        """The HTML writer took ``parent`` out of the pages written again with ``child``."""
        self._skipped_parents.append((child, parent))

    def take_skipped_parents(self) -> list[tuple[str, str]]:
        """The skipped (child, parent) pairs, for the caller to restore; the domain forgets them."""
        skipped, self._skipped_parents = self._skipped_parents, []
        return skipped

    def record_added_page(self, pagename: str) -> None:
        """The HTML build wrote ``pagename``, which is not a document of the tree."""
        self._added_pages.add(pagename)

    def record_decision_tree(self, tree: DecisionTree | None) -> None:
        """The beslishulp's decision tree of this build (``None``: none to publish)."""
        self._decision_tree = tree

    # -- per document ------------------------------------------------------------------

    @property
    def pages(self) -> PerDocument:
        """Each document's front matter as a :class:`~kaderpers.core.model.Page`."""
        return self.data["pages"]

    @property
    def specs(self) -> PerDocument:
        """The directives used on each document (``(spec, line)`` pairs, in document order)."""
        return self.data["specs"]

    @property
    def woordenlijst_pages(self) -> list[str]:
        """The documents that show the Woordenlijst themselves."""
        return sorted(self.data["woordenlijst"])

    def note_woordenlijst(self, docname: str) -> None:
        """The document shows the Woordenlijst itself."""
        self.data["woordenlijst"][docname] = True

    def record_page(self, docname: str, page: Page) -> None:
        """The front matter of a document, as just read."""
        self.data["pages"][docname] = page

    @property
    def search_documents(self) -> Mapping[str, Any]:
        """Each document's text for the instant search (:mod:`kaderpers.site.search`), by docname."""
        return MappingProxyType(self.data["search"])

    def record_search_document(self, docname: str, document: Any) -> None:
        """A document's text for the instant search, as just read."""
        self.data["search"][docname] = document

    def clear_doc(self, docname: str) -> None:
        for key in self.PER_DOCUMENT:
            self.data[key].pop(docname, None)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for key in self.PER_DOCUMENT:
            theirs = otherdata[key]
            for docname in docnames:
                if docname in theirs:
                    self.data[key][docname] = theirs[docname]

    def process_doc(self, env: BuildEnvironment, docname: str, document: nodes.document) -> None:
        """The kader directives of the page, from their placeholder nodes."""
        used = [(node["spec"], node.line) for node in document.findall(lambda node: isinstance(node, PLACEHOLDERS))]
        if used:
            self.data["specs"][docname] = used

    # -- what the previous build showed: each swap keeps the new value and returns the old one ------

    def swap_digests(self, new: dict[str, str]) -> dict[str, str]:
        """The digests of each document's tables, as written now; returns those last written."""
        old, self.data["digests"] = self.data["digests"], new
        return old

    def swap_nav_children(self, new: dict[str, tuple[tuple[str, str | None], ...]]) -> dict[str, tuple[tuple[str, str | None], ...]]:
        """Each page's children in the navigation, as read now; returns those last read."""
        old, self.data["nav_children"] = self.data["nav_children"], new
        return old

    def swap_nav_state(self, new: dict[str, Any]) -> dict[str, Any] | None:
        """The navigation every page shows, as written now; returns the last (``None``: a fresh environment)."""
        old, self.data["nav_state"] = self.data["nav_state"], new
        return old

    def swap_change_markers(self, new: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        """Each page's "Gewijzigd"/"Nieuw" marker, as written now; returns those last written."""
        old, self.data["change_markers"] = self.data.get("change_markers", {}), new
        return old

    # -- across documents ------------------------------------------------------------------

    def index(self) -> Kader:
        """The indexed kader of this build (made in ``env-updated``, or now when asked before)."""
        if self._kader is None:
            if self._vocabulary is None:
                self._vocabulary, _ = load_vocabulary(Path(self.env.srcdir))  # its findings are reported in builder-inited
            self._kader = Kader(self.pages.values(), self._vocabulary, self._glossary)
        return self._kader

    def resolve_any_xref(self, *args: Any) -> list[Any]:
        return []  # the domain holds state; it defines no roles


def kader_domain(env: BuildEnvironment) -> KaderDomain:
    return env.domains[KaderDomain.name]  # type: ignore[return-value]


def pages(env: BuildEnvironment) -> PerDocument:
    """Each document's front matter as a Page (docname → Page)."""
    return kader_domain(env).pages


def specs(env: BuildEnvironment) -> PerDocument:
    return kader_domain(env).specs


def kader(env: BuildEnvironment) -> Kader:
    """The indexed kader of this build."""
    return kader_domain(env).index()


def glossary(env: BuildEnvironment) -> Glossary:
    return kader_domain(env).glossary
