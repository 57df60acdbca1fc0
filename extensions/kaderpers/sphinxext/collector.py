"""Gathering the kader from all documents, the ``sphinx.ext.todo`` way.

* While a document is read (``source-read``), its front matter becomes a
  :class:`~kaderpers.core.model.Page` stored in the
  :class:`~kaderpers.sphinxext.domain.KaderDomain`, which purges and merges it, so
  parallel and incremental reads stay correct.
* Once everything is read (``env-updated``), the pages are indexed into a
  :class:`~kaderpers.core.model.Kader`, cross-page rules run, and every document whose
  tables would now come out differently is marked for writing again.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.util import logging

from ..core.checks import check_filter_values, check_kader, check_page, grammar_findings
from ..core.columns import columns_for
from ..core.findings import Finding
from ..core.grammar import ListSpec, Spec, TagsSpec, scan
from ..core.loader import GLOSSARY_FILE, find_beside, load_page, load_vocabulary, parse_glossary
from ..core.model import AI_ACT_FIELDS, Glossary, Kader, Page
from .config import get_config
from .domain import KaderDomain, kader, kader_domain, specs

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)


def report(finding: Finding, docname: str | None = None, srcdir: str | os.PathLike[str] | None = None) -> None:
    """A finding as a Sphinx warning, typed ``kaderpers.<rule>``.

    Without a document (a symlink, a vocabulary file), the location is the file
    itself: a node carrying its path, since Sphinx reads a bare string as a docname.
    """
    location: Any = (docname, finding.line)
    if not docname:
        location = nodes.Element()
        location.source = str(Path(srcdir, finding.path)) if srcdir else finding.path
        location.line = finding.line
    logger.warning("%s [%s]", finding.message, finding.rule, type="kaderpers", subtype=finding.rule, location=location)


def glossary_path(app: Sphinx) -> Path | None:
    configured = get_config(app).glossary_file
    if configured is not None:
        return configured if configured.is_file() else None
    return find_beside(Path(app.srcdir), GLOSSARY_FILE)


# -- event handlers ---------------------------------------------------------------------


def on_builder_inited(app: Sphinx) -> None:
    """The start of a build: kaderpers' per-build state, then ``kaderpers-build-started``.

    Sphinx emits ``builder-inited`` once per application; ``kaderpers serve``, which
    builds with one application again and again, calls this before each later build.
    """
    domain = kader_domain(app.env)
    domain.start_build()
    # Read once per build; forked parallel readers inherit both.
    vocabulary, findings = load_vocabulary(Path(app.srcdir))
    domain.use_vocabulary(vocabulary)
    for finding in findings:
        report(finding, srcdir=app.srcdir)
    path = glossary_path(app)
    domain.use_glossary(path, parse_glossary(path.read_text("utf-8", errors="replace")) if path else Glossary())
    app.emit("kaderpers-build-started")


def on_source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    """The page as ``check`` reads it: its bytes through kaderpers' decoder, nesting limited.

    Sphinx has decoded the file already (tolerantly, stripping a BOM and CRLF);
    reading the bytes again reports what it repaired, as ``check`` does.
    """
    domain = kader_domain(app.env)
    path = Path(app.env.doc2path(docname))
    relative = path.relative_to(app.srcdir).as_posix()
    try:
        raw = path.read_bytes()
    except OSError:
        raw = source[0].encode("utf-8")
    loaded = load_page(docname, relative, raw, domain.vocabulary)
    page, body, findings = loaded.page, loaded.body, loaded.findings
    source[0] = loaded.text
    domain.record_page(docname, page)
    findings.extend(check_page(page))
    findings.extend(grammar_findings(page, list(scan(body, page.body_line))))
    for finding in findings:
        report(finding, docname)
    if domain.glossary_path is not None:
        app.env.note_dependency(str(domain.glossary_path))


def on_env_updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Index the kader; return the documents whose tables changed since the last build."""
    domain = kader_domain(env)
    domain.forget_index()
    index = domain.index()
    new_digests = {docname: table_digest(index, docname, used) for docname, used in domain.specs.items() if docname in index.pages}
    old_digests = domain.swap_digests(new_digests)
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


#: Front-matter fields that tables show beyond their columns: the AI-verordening profile, and the tags.
SHOWN_FIELDS = ("title", "id", "levenscyclus", "rollen", "onderwerp", *AI_ACT_FIELDS, "uitzondering")


def _record_fingerprint(page: Page) -> tuple[Any, ...]:
    return (page.docname, page.kind, page.law_code, *(repr(page.meta.get(key)) for key in SHOWN_FIELDS))


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
            columns = columns_for(spec)
            for row in rows_for(index, page, spec):
                digest.update(repr(_record_fingerprint(row)).encode())
                digest.update(repr([column.cell(index, row) for column in columns]).encode())
            digest.update(repr(index.dangling(page)).encode())
        elif isinstance(spec, TagsSpec):
            digest.update(repr(_record_fingerprint(page)).encode())
    return digest.hexdigest()


def setup(app: Sphinx) -> None:
    """The domain, the ``kaderpers-build-started`` event and the handlers that read pages into it and index the kader."""
    app.add_domain(KaderDomain)
    #: Per-build state of other modules is made in this event, after the domain is reset.
    app.add_event("kaderpers-build-started")
    app.connect("builder-inited", on_builder_inited)
    # Before the dialect is translated: the front matter must be read as written.
    app.connect("source-read", on_source_read, priority=300)
    app.connect("env-updated", on_env_updated)
    app.connect("env-check-consistency", on_check_consistency)
