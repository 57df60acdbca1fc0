"""Builds in the test process, in the manner of sphinx-design's ``testing.py``.

A ``kaderpers`` or ``sphinx-build`` command run as a function call instead of a child process
saves starting Python and importing Sphinx for every build. The result is what the child process
would have given: a :class:`subprocess.CompletedProcess` with the exit status and the text written
to standard output and standard error. The PDF layout still runs in child processes, as the
product runs it (:mod:`kaderpers.pdf.orchestrate`).

What a build changes in the process is put back afterwards, as Sphinx's own ``SphinxTestApp``
does: the working folder, the locale, ``sys.path``, the environment, the modules a tree's ``conf.py``
imported from its own folders, and Sphinx's translations (kept per process, they would carry one tree's
catalog into the next build). Tests of the command line itself, of signals, time limits and memory
caps start a real process instead.
"""

from __future__ import annotations

import contextlib
import io
import locale
import os
import subprocess
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path


def _status(exit: SystemExit) -> int:
    """The exit status a process would end with after ``SystemExit`` (a message is written by the caller)."""
    if exit.code is None:
        return 0
    return exit.code if isinstance(exit.code, int) else 1


@contextlib.contextmanager
def _process_state_kept() -> contextlib.AbstractContextManager[None]:
    cwd, path, environ, modules = os.getcwd(), list(sys.path), dict(os.environ), set(sys.modules)
    locales = locale.setlocale(locale.LC_ALL)  # sphinx-build sets the user's locale
    try:
        yield
    finally:
        added = [Path(entry).resolve() for entry in sys.path if entry and entry not in path]
        for name in set(sys.modules) - modules:
            file = getattr(sys.modules[name], "__file__", None)
            if file and any(Path(file).resolve().is_relative_to(folder) for folder in added):
                del sys.modules[name]  # a conf.py's own module: another tree may have one of that name
        os.chdir(cwd)
        locale.setlocale(locale.LC_ALL, locales)
        sys.path[:] = path
        if dict(os.environ) != environ:
            os.environ.clear()
            os.environ.update(environ)
        if "sphinx.locale" in sys.modules:
            sys.modules["sphinx.locale"].translators.clear()


def run_in_process(command: Sequence[str], main: Callable[[list[str]], int | None], arguments: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """``main(arguments)`` run as the process ``command + arguments`` in ``cwd`` would run, without colour."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with _process_state_kept():
        os.chdir(cwd)
        os.environ["NO_COLOR"] = "1"
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr), warnings.catch_warnings():
            # Python's default filters, as in a process of its own: no deprecation notices
            # (Sphinx's removal warnings for its extensions), other warnings on stderr.
            warnings.resetwarnings()
            for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
                warnings.simplefilter("ignore", category)
            try:
                status = main(list(arguments)) or 0
            except SystemExit as exit:
                if exit.code is not None and not isinstance(exit.code, int):
                    print(exit.code, file=sys.stderr)
                status = _status(exit)
            except Exception:
                traceback.print_exc()
                status = 1
    return subprocess.CompletedProcess([*command, *arguments], status, stdout.getvalue(), stderr.getvalue())


def kaderpers(arguments: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The ``kaderpers`` command line, in this process."""
    from kaderpers.cli import main

    return run_in_process([sys.executable, "-m", "kaderpers.cli"], main, arguments, cwd)


def sphinx_build(arguments: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m sphinx`` (``sphinx-build``), in this process."""
    from sphinx.cmd.build import main

    return run_in_process([sys.executable, "-m", "sphinx"], main, arguments, cwd)


@contextlib.contextmanager
def registrations_kept() -> Iterator[None]:
    """Sphinx applications made inside register their nodes, directives and roles with docutils, which keeps
    them process-wide; afterwards they are taken back (Sphinx's ``docutils_namespace``, as ``sphinx-build``
    and ``SphinxTestApp`` do), so a later build in this process is not told each is "already registered"
    (a warning, which fails a ``--strict`` build)."""
    from sphinx.util.docutils import docutils_namespace

    with docutils_namespace():
        yield


@contextlib.contextmanager
def sphinx_application(source: Path, confdir: Path, out: Path) -> Iterator[object]:
    """An HTML Sphinx application on ``source`` (built once), its warnings in ``app._test_warnings``,
    registered with docutils for as long as it lives (:func:`registrations_kept`)."""
    from sphinx.application import Sphinx

    with registrations_kept():
        warnings = io.StringIO()
        app = Sphinx(str(source), str(confdir), str(out / "html"), str(out / "doctrees"), "html", status=None, warning=warnings, freshenv=True)
        app.build()
        app._test_warnings = warnings  # type: ignore[attr-defined]
        yield app
