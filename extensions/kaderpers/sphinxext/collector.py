"""Gathering the kader from all documents, the ``sphinx.ext.todo`` way.

* While a document is read (``source-read``), its front matter becomes a
  :class:`~kaderpers.core.model.Page` stored in the environment.
* :class:`KaderCollector` purges and merges those pages, so parallel and
  incremental reads stay correct.
* Once everything is read (``env-updated``), the pages are indexed into a
  :class:`~kaderpers.core.model.Kader`, cross-page rules run, and every document whose
  tables would now come out differently is marked for writing again.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.environment.collectors import EnvironmentCollector
from sphinx.util import logging

from ..core.checks import check_filter_values, check_kader, check_page, grammar_findings
from .config import get_config
from ..core.findings import Finding
from ..core.grammar import ListSpec, Spec, TagsSpec, scan
from ..core.loader import GLOSSARY_FILE, find_beside, load_vocabulary, parse_glossary, read_page
from ..core.model import AI_ACT_FIELDS, Glossary, Kader, Page, Vocabulary

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)


def report(finding: Finding, docname: str | None = None) -> None:
    """A finding as a Sphinx warning, typed ``kaderpers.<rule>``."""
    location = (docname, finding.line) if docname else finding.path
    logger.warning("%s [%s]", finding.message, finding.rule, type="kaderpers", subtype=finding.rule, location=location)


# -- storage in the environment -------------------------------------------------------


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


def _per_document(env: BuildEnvironment, name: str) -> PerDocument:
    stored = getattr(env, name, None)
    if not isinstance(stored, PerDocument):
        stored = PerDocument(stored or {})
        setattr(env, name, stored)
    return stored


def pages(env: BuildEnvironment) -> PerDocument:
    return _per_document(env, "kaderpers_pages")


def specs(env: BuildEnvironment) -> PerDocument:
    """The directives used on each document (``(spec, line)`` pairs)."""
    return _per_document(env, "kaderpers_specs")


def note_spec(env: BuildEnvironment, docname: str, spec: Spec, line: int | None) -> None:
    specs(env).setdefault(docname, []).append((spec, line))


def kader(env: BuildEnvironment) -> Kader:
    """The indexed kader of this build (made in ``env-updated``)."""
    existing = getattr(env, "kaderpers_kader", None)
    if existing is None:
        vocabulary, _ = load_vocabulary(Path(env.srcdir))
        existing = env.kaderpers_kader = _index(env, vocabulary)
    return existing


def _index(env: BuildEnvironment, vocabulary: Vocabulary) -> Kader:
    return Kader(pages(env).values(), vocabulary, glossary(env))


def glossary_path(app: Sphinx) -> Path | None:
    configured = get_config(app).glossary_file
    if configured:
        path = Path(app.confdir, configured)
        return path if path.is_file() else None
    return find_beside(Path(app.srcdir), GLOSSARY_FILE)


def glossary(env: BuildEnvironment) -> Glossary:
    cached = getattr(env, "kaderpers_glossary", None)
    return cached if isinstance(cached, Glossary) else Glossary()


class KaderCollector(EnvironmentCollector):
    """Purges and merges the kader's pages and directive uses per document."""

    def clear_doc(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        pages(env).pop(docname, None)
        specs(env).pop(docname, None)

    def merge_other(self, app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
        for docname in docnames:
            if docname in pages(other):
                pages(env)[docname] = pages(other)[docname]
            if docname in specs(other):
                specs(env)[docname] = specs(other)[docname]

    def process_doc(self, app: Sphinx, doctree: Any) -> None:
        """Pages are read from the source text in ``source-read``; nothing to do here."""


# -- event handlers ---------------------------------------------------------------------


def on_builder_inited(app: Sphinx) -> None:
    env = app.env
    env.kaderpers_kader = None
    pages(env), specs(env)  # made in the main process, before any reader is forked
    # Read once per build; forked parallel readers inherit both.
    app._kaderpers_vocabulary, findings = load_vocabulary(Path(app.srcdir))
    for finding in findings:
        report(finding)
    path = app._kaderpers_glossary_path = glossary_path(app)
    env.kaderpers_glossary = parse_glossary(path.read_text("utf-8", errors="replace")) if path else Glossary()


def on_source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    env = app.env
    vocabulary: Vocabulary = app._kaderpers_vocabulary
    path = env.doc2path(docname)
    relative = Path(path).relative_to(app.srcdir).as_posix()
    page, body, findings = read_page(docname, relative, source[0], vocabulary)
    pages(env)[docname] = page
    findings.extend(check_page(page))
    findings.extend(grammar_findings(page, list(scan(body, page.body_line))))
    for finding in findings:
        report(finding, docname)
    if app._kaderpers_glossary_path is not None:
        env.note_dependency(str(app._kaderpers_glossary_path))


def on_env_updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Index the kader; return the documents whose tables changed since the last build."""
    env.kaderpers_kader = _index(env, app._kaderpers_vocabulary)
    index = env.kaderpers_kader
    old_digests: dict[str, str] = getattr(env, "kaderpers_digests", {})
    new_digests = {docname: table_digest(index, docname, used) for docname, used in specs(env).items() if docname in index.pages}
    env.kaderpers_digests = new_digests
    return sorted(docname for docname, digest in new_digests.items() if old_digests.get(docname) != digest)


def on_check_consistency(app: Sphinx, env: BuildEnvironment) -> None:
    index = kader(env)
    docname_of = {page.path: page.docname for page in index.pages.values()}
    for finding in check_kader(index):
        report(finding, docname_of.get(finding.path))
    for docname, used in specs(env).items():
        page = index.pages.get(docname)
        for spec, line in used:
            if page is not None and isinstance(spec, ListSpec):
                for finding in check_filter_values(index, page, spec, line):
                    report(finding, docname)


# -- what a document's tables depend on --------------------------------------------------


def rows_for(index: Kader, page: Page, spec: ListSpec) -> list[Page]:
    """The records a list directive on ``page`` shows, in order."""
    if spec.kind.own_field:
        found = [index.get(spec.kind.record, stem) for stem in page.values(spec.kind.own_field)]
        unique = {p.docname: p for p in found if p is not None}
        return sorted(unique.values(), key=lambda p: p.sort_key)
    return index.select(spec.kind.record, spec.filters)


def _record_fingerprint(page: Page) -> tuple[Any, ...]:
    shown = ("title", "id", "toelichting", "levenscyclus", "rollen", "onderwerp", "categorie", *AI_ACT_FIELDS, "uitzondering")
    return (page.docname, *(repr(page.meta.get(key)) for key in shown))


def _spec_fingerprint(spec: Spec) -> tuple[Any, ...]:
    """A description of a directive that is the same in every process (no set ordering)."""
    if isinstance(spec, ListSpec):
        return (spec.kind.name, spec.filters, sorted(spec.hidden), sorted(spec.added), spec.search, spec.export)
    return ("tags", spec.ai_act)


def table_digest(index: Kader, docname: str, used: list[tuple[Spec, int | None]]) -> str:
    """A fingerprint of everything the directives on ``docname`` would render."""
    page = index.pages[docname]
    digest = hashlib.sha1(usedforsecurity=False)
    # Chips link to taxonomy pages that exist, in phase order.
    digest.update(repr([sorted(index.taxonomy(key)) for key in ("levenscyclus", "rollen", "onderwerp")]).encode())
    digest.update(repr([phase.stem for phase in index.phases]).encode())
    for spec, _ in used:
        digest.update(repr(_spec_fingerprint(spec)).encode())
        if isinstance(spec, ListSpec):
            for row in rows_for(index, page, spec):
                digest.update(repr(_record_fingerprint(row)).encode())
                digest.update(repr([index.law_name(row)]).encode())
            digest.update(repr(index.dangling(page)).encode())
        elif isinstance(spec, TagsSpec):
            digest.update(repr(_record_fingerprint(page)).encode())
    return digest.hexdigest()


def setup(app: Sphinx) -> None:
    app.add_env_collector(KaderCollector)
    app.connect("builder-inited", on_builder_inited)
    # Before the dialect is translated: the front matter must be read as written.
    app.connect("source-read", on_source_read, priority=300)
    app.connect("env-updated", on_env_updated)
    app.connect("env-check-consistency", on_check_consistency)
