"""Orchestrating a build: the HTML site first, then the PDFs from the same environment.

The HTML build reads every page once and saves the environment in
``OUT/doctrees``; the PDF builds load that environment instead of reading again.
The site and its saved state are built aside and published whole
(:mod:`.output`), so an interrupted build leaves the last complete site, and
the next build continues from a state that matches it.
"""

from __future__ import annotations

import builtins
import dataclasses
import logging
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..core.loader import find_beside, iter_markdown
from ..folders import PRINT_CACHE, PRINT_CACHE_VARIABLE, STAGING
from . import output
from .output import OutputError, describe

CONF_FILE = Path("conf.py")
#: The configuration of a tree without a conf.py: the extension's defaults alone.
NO_CONF_OVERRIDES = {"extensions": "kaderpers"}


def sphinx_configuration(content: Path, isolated: bool = False) -> tuple[Path | None, dict[str, str]]:
    """``confdir`` and overrides for Sphinx: the folder of the tree's own conf.py (in the tree, or in
    the folder above when that is the tree's project, with its ``mkdocs.yml``: a repository with
    ``docs/`` and ``conf.py`` at its root), or None (Sphinx's ``-C``) and the extension alone.

    ``isolated`` never runs the tree's conf.py: a conf.py is Python, and a tree from a pull
    request is not to be trusted with the build machine."""
    conf = None if isolated else find_beside(content, CONF_FILE)
    return (conf.parent, {}) if conf else (None, dict(NO_CONF_OVERRIDES))


@dataclass(frozen=True)
class BuildRequest:
    content: Path
    out: Path
    html: bool = True
    pdf: bool = False
    #: Which handouts: "" none, "all", "fasen" (per phase), "rollen" (per rol), or names (``ontwerp,rollen/jurist``).
    handouts: str = ""
    strict: bool = False
    jobs: str = "auto"
    fresh: bool = False
    #: The version to compare with: a folder (absolute) or git:REV; "" for none.
    compare_to: str = ""
    #: The decision tree of the beslishulp ("" finds beslishulp.yaml beside the tree).
    beslishulp: str = ""
    #: PDFs tagged for accessibility (PDF/UA-1).
    tagged: bool = True
    #: ``NAME=VALUE`` settings that override conf.py in every Sphinx process (``-D``).
    overrides: tuple[str, ...] = ()
    #: The tree's own conf.py is not run (``--isolated``), for trees that are not trusted.
    isolated: bool = False
    #: What the Wijzigingen page calls the version compared with ("" names it by its tag or folder).
    compare_label: str = ""
    #: Releases of the tree's repository to publish side by side (``--versions``); "" builds the tree.
    versions: str = ""
    #: How many releases build at once (``-j`` with ``--versions``).
    versions_jobs: int = 1

    @property
    def conf_file(self) -> Path | None:
        """The tree's own conf.py (see :func:`sphinx_configuration`)."""
        confdir, _ = sphinx_configuration(self.content, self.isolated)
        return confdir / CONF_FILE if confdir else None

    @property
    def doctrees(self) -> Path:
        return self.out / "doctrees"

    @property
    def html_dir(self) -> Path:
        return self.out / "html"

    @property
    def pdf_dir(self) -> Path:
        return self.out / "pdf"

    @property
    def staged_html(self) -> Path:
        return self.out / STAGING / "html"

    @property
    def staged_doctrees(self) -> Path:
        return self.out / STAGING / "doctrees"


def sphinx_arguments(request: BuildRequest, builder: str, outdir: Path, doctrees: Path, *extra: str) -> list[str]:
    confdir, overrides = sphinx_configuration(request.content, request.isolated)
    configuration = ["-c", str(confdir)] if confdir else ["-C"]
    configuration += [option for name, value in overrides.items() for option in ("-D", f"{name}={value}")]
    arguments = ["-b", builder, *configuration, "-d", str(doctrees), "-j", str(request.jobs)]
    if request.strict:
        arguments += ["-W", "--keep-going"]
    if request.fresh:
        arguments.append("-E")
    if request.compare_to:
        arguments += ["-D", f"kaderpers_compare_to={request.compare_to}"]
    if request.compare_label:
        arguments += ["-D", f"kaderpers_compare_label={request.compare_label}"]
    if request.beslishulp:
        arguments += ["-D", f"kaderpers_beslishulp_file={request.beslishulp}"]
    for setting in request.overrides:
        arguments += ["-D", setting]
    return [*arguments, *extra, str(request.content), str(outdir)]


def step(title: str) -> None:
    print(f"\n== kaderpers: {title}", file=sys.stderr, flush=True)


def fail(message: str) -> None:
    print(f"kaderpers: {message}", file=sys.stderr, flush=True)


# -- write failures ----------------------------------------------------------------------------


def write_failure(error: BaseException | None) -> str | None:
    """What could not be read or written, when that is why the build stopped; None for other errors.

    Errors come wrapped: in an ``ExtensionError`` when an event handler raised
    them, or as text in a ``SphinxParallelError`` from a parallel process.
    """
    from sphinx.errors import SphinxParallelError

    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError):
            return describe(error)
        if isinstance(error, SphinxParallelError):
            name, _, text = error.message.partition(": ")
            kind = getattr(builtins, name, None)
            if isinstance(kind, type) and issubclass(kind, OSError):
                return text
        error = getattr(error, "orig_exc", None) or error.__cause__ or error.__context__
    return None


def configuration_problem(error: BaseException, *, configured: bool) -> str | None:
    """What is wrong with ``conf.py`` or a ``-D`` value, in one line; None for other errors.

    ``configured``: Sphinx took the configuration (its application exists). Before that an error other
    than an event handler's comes from a value (``-D language=5`` fails inside Sphinx's translations); after it, Sphinx's own
    errors about settings (a ``root_doc`` outside the tree, an ``exclude_patterns`` that leaves no
    ``index``) are ``SphinxError`` with a message for the user. A ``conf.py`` that raises is named
    with its place and exception, without its traceback.
    """
    from sphinx.errors import ConfigError, ExtensionError, SphinxError, SphinxParallelError

    if isinstance(error, KeyboardInterrupt) or write_failure(error) is not None:
        return None
    if isinstance(error, (ExtensionError, SphinxParallelError)) or (configured and not isinstance(error, SphinxError)):
        return None  # an event handler's or a parallel process's error is no setting's
    text = str(error)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if isinstance(error, ConfigError) and len(lines) > 1 and "Traceback" in text:
        places = re.findall(r'File "([^"]*conf\.py)", line (\d+)', text)
        place = f" ({places[-1][0]}, line {places[-1][1]})" if places else ""
        return f"{lines[0].rstrip(':')}{place}: {lines[-1]}"  # "There is a programmable error in your configuration file (…/conf.py, line 3): RuntimeError: …"
    message = " ".join(lines) or type(error).__name__
    return message if isinstance(error, SphinxError) else f"{type(error).__name__}: {message}"


class WriteWarnings(logging.Handler):
    """Sphinx reports a page or file it could not write as a warning and carries on;
    a site with a stale or missing page must not be published, so these fail the build."""

    def __init__(self) -> None:
        from sphinx.locale import __

        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        # A page written by a parallel process comes back as text only.
        self._page_prefix = str(__("error writing file %s: %s")).split("%s")[0]

    def emit(self, record: logging.LogRecord) -> None:
        arguments = record.args if isinstance(record.args, tuple) else ()
        message = record.getMessage()
        ours = getattr(record, "type", None) == "kaderpers" and getattr(record, "subtype", None) == "write"  # e.g. the exports
        if (ours or any(isinstance(argument, OSError) for argument in arguments) or message.startswith(self._page_prefix)) and message not in self.messages:
            self.messages.append(message)


@dataclass(frozen=True)
class SphinxRun:
    status: int
    finished: bool  # the output is complete (warnings and --strict aside)


def run_sphinx(arguments: list[str]) -> SphinxRun:
    """``sphinx-build`` in this process, with one plain message instead of a traceback when a file
    cannot be written (or read); any other error is reported as ``sphinx-build`` does."""
    from sphinx.application import Sphinx
    from sphinx.cmd.build import get_parser, handle_exception
    from sphinx.util.console import disable_colour, terminal_supports_colour
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    args = get_parser().parse_args(arguments)
    if not terminal_supports_colour():
        disable_colour()
    confdir = None if args.noconfig else (args.confdir or args.sourcedir)
    overrides = dict(definition.partition("=")[::2] for definition in args.define)
    warnings = None
    app = None
    try:
        with patch_docutils(confdir or args.sourcedir), docutils_namespace():
            app = Sphinx(
                args.sourcedir, confdir, args.outputdir, args.doctreedir, args.builder, overrides,
                status=None if args.quiet else sys.stdout, warning=sys.stderr, freshenv=args.freshenv,
                warningiserror=args.warningiserror, parallel=args.jobs,
            )  # fmt: skip
            app.builder.epilog = ""  # it would name the staging folder; the site is published after
            warnings = WriteWarnings()
            logging.getLogger("sphinx").addHandler(warnings)
            app.build(force_all=False)
    except (Exception, KeyboardInterrupt) as error:
        if (problem := configuration_problem(error, configured=app is not None)) is not None:
            fail(f"the configuration cannot be used: {problem}; fix conf.py or the -D value")
            return SphinxRun(1, finished=False)
        failure = write_failure(error)
        if failure is None:
            handle_exception(app, args, error)
            return SphinxRun(2, finished=False)
        fail(f"the build stopped: {failure}")
        return SphinxRun(1, finished=False)
    finally:
        if warnings is not None:
            logging.getLogger("sphinx").removeHandler(warnings)
    if warnings.messages:
        fail(f"{len(warnings.messages)} file(s) could not be written; the first: {warnings.messages[0]}")
        return SphinxRun(1, finished=False)
    return SphinxRun(app.statuscode, finished=True)


# -- the build ---------------------------------------------------------------------------------


def stage(request: BuildRequest, *, html: bool = True) -> None:
    """The staging folders as copies of the published site and state; empty for ``--fresh``."""
    pairs = [(request.staged_doctrees, request.doctrees)]
    if html:
        pairs.append((request.staged_html, request.html_dir))
    for staged, published in pairs:
        try:
            if request.fresh:
                shutil.rmtree(staged, ignore_errors=True)
                staged.mkdir(parents=True, exist_ok=True)
            else:
                output.mirror(published, staged)
        except OSError as error:
            raise OutputError(f"cannot prepare {staged} from {published}: {describe(error)}") from error


def build_html(request: BuildRequest) -> int | None:
    """The site, published when complete; None when it was left as it was."""
    step(f"HTML site → {request.html_dir}")
    stage(request)
    run = run_sphinx(sphinx_arguments(request, "html", request.staged_html, request.staged_doctrees))
    if not run.finished:
        fail(f"nothing was published: {request.html_dir} is still the last complete site")
        return None
    try:
        output.publish(request.staged_html, request.html_dir)
        output.publish(request.staged_doctrees, request.doctrees)
    except OSError as error:
        raise OutputError(f"cannot publish the site in {request.html_dir}: {describe(error)}") from error
    print(f"kaderpers: the site is in {request.html_dir}", file=sys.stderr, flush=True)
    return run.status


def build(request: BuildRequest) -> int:
    status = 0
    doctrees = request.doctrees
    conf = request.conf_file
    skipped = find_beside(request.content, CONF_FILE) if request.isolated else None
    if conf:
        configuration = str(conf)
    elif skipped:
        configuration = f"kaderpers defaults (--isolated: {skipped} is not run)"
    else:
        configuration = "kaderpers defaults (no conf.py beside the tree)"
    print(f"kaderpers: {request.content}, configuration: {configuration}", file=sys.stderr)
    if request.html:
        built = build_html(request)
        if built is None:
            return 1
        status |= built
    elif request.pdf or request.handouts:
        # The PDFs bring the environment up to date; they do so in a copy, so that the
        # saved state keeps matching the published site.
        stage(request, html=False)
        doctrees = request.staged_doctrees
    if request.pdf or request.handouts:
        from ..pdf.orchestrate import PdfJob, build_pdfs

        step(f"PDF → {request.pdf_dir}")
        handouts = "handouts" if request.handouts in ("all", True) else request.handouts
        kinds = tuple(name for name in ("edition" if request.pdf else "", handouts or "") if name)
        # Never -E for the PDF processes: a fresh environment would make each of them read and save it at once.
        shared = dataclasses.replace(request, fresh=False)

        def arguments(builder: str, outdir: Path, *extra: str) -> list[str]:
            return sphinx_arguments(shared, builder, outdir, doctrees, "-D", f"kaderpers_pdf_tagged={int(request.tagged)}", *extra)

        pages = sum(1 for _ in iter_markdown(request.content))
        # Print copies are kept in OUT/pdf-cache (unless KADERPERS_PRINT_CACHE names another folder), also when
        # the PDFs print from the staged copy of the environment: beside that copy they were drawn again.
        cache = {PRINT_CACHE_VARIABLE: str(request.out.resolve() / PRINT_CACHE)}
        status |= build_pdfs(PdfJob(kinds, request.pdf_dir, arguments, environment_ready=request.html, pages=pages, variable_defaults=cache))
    return status


def run_build(request: BuildRequest) -> int:
    started = time.perf_counter()
    try:
        with output.exclusive(request.out):
            status = build(request)
    except OutputError as error:
        fail(str(error))
        status = 1
    print(f"kaderpers: done in {time.perf_counter() - started:.1f} s (exit {status})", file=sys.stderr)
    return 1 if status else 0
