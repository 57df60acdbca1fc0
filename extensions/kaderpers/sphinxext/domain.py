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
"""

from __future__ import annotations

import os
from collections.abc import Set
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.domains import Domain

from ..core.loader import load_vocabulary
from ..core.model import Glossary, Kader, Vocabulary
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
        self.vocabulary: Vocabulary | None = None
        self.glossary: Glossary = Glossary()
        self.glossary_path: Path | None = None
        #: The project root: nothing outside it is read into the publication (:mod:`kaderpers.core.boundary`).
        self.project: Path | None = None
        self.kader: Kader | None = None
        self.navigation: Navigation | None = None
        self.site_tree: SiteTree | None = None
        #: Documents removed since the last build, whose pages the HTML build deletes.
        self.removed: set[str] = set()
        #: Where the spreadsheet exports of this build are written (joined when it finishes).
        self.export_tasks: ParallelTasks | SerialTasks | None = None
        #: Warnings given once per build, by subtype.
        self.warned: set[str] = set()
        #: With ``--compare-to``: what changed since that version, and how to name it.
        self.changes: KaderDiff | None = None
        self.changes_label: str = ""
        #: (child, parent) pairs this build's HTML writer left out of ``env.files_to_rebuild``.
        self.skipped_parents: list[tuple[str, str]] = []
        #: The beslishulp's decision tree, read and checked by :mod:`kaderpers.site.beslishulp` (HTML builds).
        self.decision_tree: DecisionTree | None = None

    # -- per document ------------------------------------------------------------------

    @property
    def pages(self) -> PerDocument:
        return self.data["pages"]

    @property
    def specs(self) -> PerDocument:
        """The directives used on each document (``(spec, line)`` pairs, in document order)."""
        return self.data["specs"]

    @property
    def woordenlijst_pages(self) -> list[str]:
        return sorted(self.data["woordenlijst"])

    def note_woordenlijst(self, docname: str) -> None:
        self.data["woordenlijst"][docname] = True

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
            self.specs[docname] = used

    # -- across documents ------------------------------------------------------------------

    def index(self) -> Kader:
        """The indexed kader of this build (made in ``env-updated``, or now when asked before)."""
        if self.kader is None:
            if self.vocabulary is None:
                self.vocabulary, _ = load_vocabulary(Path(self.env.srcdir))  # its findings are reported in builder-inited
            self.kader = Kader(self.pages.values(), self.vocabulary, self.glossary)
        return self.kader

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
