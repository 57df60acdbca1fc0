"""A Sphinx application kept warm between rebuilds, for ``kaderpers serve``.

``kaderpers build`` in a new process pays for importing Sphinx and the theme,
setting up every extension and unpickling the environment before it reads the
one page that changed: 1.6 to 2.7 s for a one-page edit of the real kader. Here
the same :class:`~sphinx.application.Sphinx` object builds again: ``app.build()``
finds the files again (``env.find_files`` resets ``found_docs``), compares their
modification times with the environment in memory, reads what changed and writes
what that changed, as an incremental ``kaderpers build`` does (0.7 s).

kaderpers keeps per-build state on its domain and starts it in ``builder-inited``,
which Sphinx emits once per application; a warm build starts it again itself.
A change to the vocabulary or the glossary changes how every page reads, so it
starts a new application with a fresh environment (a full build). A build that
raised starts a new application too, which loads the environment saved by the
last good build (or, when Sphinx dropped it, reads everything).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.loader import GLOSSARY_FILE, VOCABULARY_FILE, find_beside

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: Scripts and styles the served pages load in serve mode only (see :mod:`kaderpers.cli.serve`).
LIVE_SCRIPT = "kaderpers-serve.js"
LIVE_STYLESHEET = "kaderpers-serve.css"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: What Sphinx says when an application sets up the nodes, directives and roles an earlier application in
#: the same process registered (docutils keeps them process-wide): true of every application after the first
#: here, and nothing an editor can act on. (Sphinx's ``docutils_namespace`` would take them back, but also
#: those of any other application alive in the process.)
_REREGISTERED = re.compile(r"is already registered(?:,| and) [^[]*\[app\.add_\w+\]$")


@dataclass
class BuildResult:
    """What one build did: the site it left behind, and what went wrong."""

    ok: bool
    seconds: float
    #: Pages written by this build, as paths from the site's root (``a/b.html``);
    #: None when they were written in parallel processes and are not known here.
    written: list[str] | None = field(default_factory=list)
    #: Warnings of this build, one line each (``path:line: WARNING: message [type.subtype]``).
    problems: list[str] = field(default_factory=list)
    #: Why the build stopped, when it raised; the last good site is still in place.
    error: str = ""


class _Lines(io.TextIOBase):
    """A text stream that keeps whole lines, for Sphinx's warning handler."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._partial = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        parts = (self._partial + _ANSI.sub("", text)).split("\n")
        self._partial = parts.pop()
        self.lines.extend(line for line in parts if line.strip())
        return len(text)

    def drop(self, pattern: re.Pattern[str]) -> None:
        """Forget the lines so far that match ``pattern``."""
        self.lines = [line for line in self.lines if not pattern.search(line)]

    def take(self) -> list[str]:
        lines, self.lines = self.lines, []
        if self._partial.strip():
            lines.append(self._partial)
        self._partial = ""
        return lines


def project_files(content: Path) -> dict[str, Path]:
    """Files outside the pages that a build reads, where they are or would be.

    The navigation and the glossary may sit in the tree or in the folder above
    it (the MkDocs layout: ``mkdocs.yml`` beside ``docs/``).
    """
    glossary = find_beside(content, GLOSSARY_FILE) or content / GLOSSARY_FILE
    navigation = find_beside(content, Path("mkdocs.yml")) or content / "mkdocs.yml"
    return {"vocabulary": content / VOCABULARY_FILE, "glossary": glossary, "navigation": navigation}


class LiveBuild:
    """Builds a tree's site into ``out`` again and again with one Sphinx application."""

    def __init__(self, content: Path, out: Path, *, jobs: int = 1) -> None:
        self.content = content
        self.out = out
        self.jobs = jobs
        self.app: Sphinx | None = None
        self._warnings = _Lines()
        self._written: list[str] = []
        self._writing: str | None = None
        self._process = os.getpid()
        #: The pages read by the build that is running: the ones the editor just saved.
        self.read: set[str] = set()
        #: Told about each page as soon as it is written, while the build goes on.
        self.on_written: Callable[[str], None] = lambda path: None
        #: Changes to these files need a new application and environment (see the module's docstring).
        files = project_files(content)
        self.restart_files = {files["vocabulary"].resolve(), files["glossary"].resolve()}

    @property
    def html_dir(self) -> Path:
        return self.out / "html"

    def _new_app(self, *, fresh: bool = False) -> Sphinx:
        from sphinx.application import Sphinx
        from sphinx.util.console import nocolor

        from ..sphinxext.compat import sphinx_nodes_registered
        from .build import sphinx_configuration

        nocolor()
        # Nodes an earlier application of this process registered (docutils keeps them process-wide).
        registered_before = sphinx_nodes_registered()
        confdir, overrides = sphinx_configuration(self.content)  # the tree's conf.py, as `kaderpers build` finds it
        app = Sphinx(
            str(self.content),
            str(confdir) if confdir else None,
            str(self.html_dir),
            str(self.out / "doctrees"),
            "html",
            status=None,
            warning=self._warnings,
            parallel=self.jobs,
            confoverrides=overrides,
            freshenv=fresh,
        )
        if registered_before:
            self._warnings.drop(_REREGISTERED)
        # Served from the server itself (they are not part of the site), loaded by every page.
        app.add_js_file(LIVE_SCRIPT, loading_method="defer", priority=900)
        app.add_css_file(LIVE_STYLESHEET, priority=900)
        app.connect("html-page-context", self._note_writing)
        app.connect("build-finished", lambda app, exception: self._page_written())
        app.add_post_transform(self._previous_page_written())
        app.connect("env-before-read-docs", self._note_read, priority=999)
        write_read_pages_first(app, self)
        return app

    def _note_read(self, app: Sphinx, env: Any, docnames: list[str]) -> None:
        self.read = set(docnames)

    def _previous_page_written(self) -> type:
        """A post-transform that runs first for each page: the page before it is on disk by then,
        before this page's tables are made (the overview pages take longest)."""
        from sphinx.transforms.post_transforms import SphinxPostTransform

        live = self

        class PreviousPageWritten(SphinxPostTransform):
            default_priority = 1
            formats = ("html",)

            def run(self, **kwargs: Any) -> None:
                live._page_written()

        return PreviousPageWritten

    def _note_writing(self, app: Sphinx, pagename: str, *args: Any) -> None:
        if os.getpid() != self._process:
            return  # a parallel writer: the build result says the pages are unknown
        # Pages are written one after the other (serially: see ``build``), each right after
        # this event; so the page before this one is on disk now.
        self._page_written()
        self._writing = app.builder.get_target_uri(pagename)

    def _page_written(self) -> None:
        if self._writing is not None:
            self._written.append(self._writing)
            self.on_written(self._writing)
            self._writing = None

    def build(self, changed: Iterable[Path] = ()) -> BuildResult:
        """Build what changed since the last build; never raises."""
        started = time.perf_counter()
        self._written, self._writing = [], None
        self._warnings.take()
        try:
            fresh = any(Path(path).resolve() in self.restart_files for path in changed)
            if self.app is None or fresh:
                self.app = None
                self.app = self._new_app(fresh=fresh)
            else:
                from ..sphinxext.collector import on_builder_inited as start_build  # imports Sphinx

                start_build(self.app)  # what builder-inited does for a new application
            self.app.build()
        except Exception as error:  # noqa: BLE001 - any failure keeps the last good site served
            self.app = None  # Sphinx dropped its saved environment; the next build starts afresh
            detail = "".join(traceback.format_exception_only(error)).strip()
            traceback.print_exc(file=sys.stderr)
            return BuildResult(False, time.perf_counter() - started, self._written, self._warnings.take(), detail)
        finally:
            # Later builds run beside the server's threads, where forking readers is unsafe;
            # one-page edits run in one process anyway (kaderpers.sphinxext.parallel).
            self.jobs = 1
            if self.app is not None:
                self.app.parallel = 1
        written = None if self.app.builder.parallel_ok else list(self._written)
        return BuildResult(True, time.perf_counter() - started, written, self._warnings.take())


def write_read_pages_first(app: Sphinx, live: LiveBuild) -> None:
    """Write the pages just read (the ones an editor saved) before the pages that only show them.

    Sphinx writes in name order, so a saved maatregel waited for the levenscyclus,
    onderwerp and rol pages that list it. ``Builder.write_documents`` is the method a
    builder may override; the application's own builder becomes a subclass that calls
    it twice, the saved pages first. Each page is written on its own, so the site is
    the same (``tests/test_serve.py`` compares it with a clean build). Only in serve's
    own application, and only where the method has the signature this was made for.
    """
    from ..sphinxext.compat import replace_builder_class, write_documents_overridable

    base = type(app.builder)
    if not write_documents_overridable(base):
        return  # another Sphinx: the name order stays

    class ReadPagesFirst(base):  # type: ignore[misc, valid-type]
        def write_documents(self, docnames: Any) -> None:
            first = set(docnames) & live.read
            if self.parallel_ok or not first or first == set(docnames):
                super().write_documents(docnames)
                return
            super().write_documents(first)
            super().write_documents(set(docnames) - first)

    ReadPagesFirst.__name__ = ReadPagesFirst.__qualname__ = f"ReadPagesFirst{base.__name__}"
    replace_builder_class(app, ReadPagesFirst)


# -- the build process ---------------------------------------------------------------------
#
# The server runs the builds in a process of their own: a build holds the interpreter
# lock for most of a second, and a page that reloads meanwhile asks for some thirty files.


def build_process(connection: Any, content: Path, out: Path, jobs: int) -> None:
    """Receives lists of changed paths; sends ``("written", path)`` per page as it is
    written and ``("result", BuildResult)`` per build. Ends when the connection closes."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the server's to handle; it closes the connection
    live = LiveBuild(content, out, jobs=jobs)

    def written(path: str) -> None:
        with contextlib.suppress(OSError):  # the server has gone: the build ends all the same
            connection.send(("written", path))

    live.on_written = written
    while True:
        try:
            changed = connection.recv()
            result = live.build([Path(path) for path in changed])
            connection.send(("result", result))
        except (EOFError, OSError):
            return


class BuildClient:
    """A :class:`LiveBuild` in a process of its own, one build at a time."""

    def __init__(self, content: Path, out: Path, jobs: int) -> None:
        self._arguments = (content, out, jobs)
        self._start()

    def _start(self) -> None:
        import multiprocessing

        context = multiprocessing.get_context("spawn")  # no threads or locks of the server's inherited
        self._connection, theirs = context.Pipe()
        # Not a daemon: a build starts processes of its own (the exports). It ends when the
        # connection closes, also when this process is killed.
        self.process = context.Process(target=build_process, args=(theirs, *self._arguments), name="kaderpers-build")
        self.process.start()
        theirs.close()

    def build(self, changed: Iterable[Path], on_written: Callable[[str], None] = lambda path: None) -> BuildResult:
        started = time.perf_counter()
        if not self.process.is_alive():  # it died in the last build: the next one starts afresh
            self._connection.close()
            self._start()
        try:
            self._connection.send([str(path) for path in changed])
            while True:
                kind, value = self._connection.recv()
                if kind == "result":
                    return value
                on_written(value)
        except (EOFError, OSError, TypeError) as error:  # TypeError: closed meanwhile (the server stops)
            detail = f"the build process ended (exit code {self.process.exitcode}): {error or 'connection closed'}"
            return BuildResult(False, time.perf_counter() - started, [], [], detail)

    def close(self) -> None:
        self._connection.close()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.terminate()
