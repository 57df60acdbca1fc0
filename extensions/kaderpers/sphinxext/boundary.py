"""The build side of :mod:`kaderpers.core.boundary` and :mod:`kaderpers.core.limits`.

Every way Sphinx, docutils and MyST read a file is checked where it happens:

* which pages exist: the core walk of the tree decides, and every symlink it
  refuses (a loop, outside the project, broken) joins ``exclude_patterns``, so
  Sphinx's own walk (``os.walk(followlinks=True)``) never enters it;
* include-like directives (``include``, ``literalinclude``, ``csv-table`` and
  ``raw`` with ``:file:``) check their path before they read; MyST's own include
  (which bypasses the directive's ``run``) is caught in ``include-read``;
* images and downloads, however written (Markdown, ``{image}``, ``{figure}``,
  cards, ``{download}``), are image and download nodes: checked in
  ``doctree-read`` before Sphinx's collectors note them for copying. Images over
  the pixel limit are taken out there too.

Each refusal is a finding with the page and line; the rest of the page is published.
"""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.parsers.rst.directives.misc import Raw
from myst_parser.mocking import MockIncludeDirective, MockState
from sphinx import addnodes
from sphinx.directives.code import LiteralInclude
from sphinx.directives.other import Include
from sphinx.directives.patches import CSVTable
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from ..core import boundary, limits
from ..core.findings import Finding
from ..core.markup import alt_missing, alt_missing_finding, html_images
from .collector import report
from .domain import kader_domain
from .nodes import is_html, node_line

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

#: The encoding Sphinx reads pages with: UTF-8 that never raises. The collector
#: reads every page again through :func:`kaderpers.core.loader.decode`, which
#: reports what was not UTF-8, and hands that text to the parser.
TOLERANT_UTF8 = "kaderpers_tolerant_utf8"


class _TolerantDecoder(codecs.BufferedIncrementalDecoder):
    def __init__(self, errors: str = "strict") -> None:
        super().__init__("replace")

    _buffer_decode = staticmethod(codecs.utf_8_decode)


def _find_codec(name: str) -> codecs.CodecInfo | None:
    if name != TOLERANT_UTF8:
        return None
    utf8 = codecs.lookup("utf-8")
    return codecs.CodecInfo(
        name=TOLERANT_UTF8,
        encode=utf8.encode,
        decode=lambda data, errors="strict": codecs.utf_8_decode(data, "replace", True),
        incrementalencoder=utf8.incrementalencoder,
        incrementaldecoder=_TolerantDecoder,
        streamreader=utf8.streamreader,
        streamwriter=utf8.streamwriter,
    )


codecs.register(_find_codec)


def project(env: BuildEnvironment) -> Path:
    domain = kader_domain(env)
    if domain.project is None:
        return domain.remember_project(boundary.project_root(Path(env.srcdir)))
    return domain.project


def _glob_escape(path: str) -> str:
    return re.sub(r"([*?\[\]])", r"[\1]", path)


def on_config_inited(app: Sphinx, config: Config) -> None:
    """Symlinks the walk refuses are excluded, so Sphinx's own walk never follows them.

    Here, before the environment exists, so the saved configuration compares equal next time.
    """
    walked = boundary.walk(Path(app.srcdir))
    config.exclude_patterns = [*config.exclude_patterns, *(_glob_escape(path) for path in walked.refused)]


def on_build_started(app: Sphinx) -> None:
    """Every build (``kaderpers serve`` builds again and again with one application): the walk's findings,
    and symlinks made since the last build excluded too. The walk takes milliseconds."""
    walked = boundary.walk(Path(app.srcdir), project(app.env))
    for finding in walked.findings:
        report(finding, srcdir=app.srcdir)
    new = [pattern for pattern in map(_glob_escape, walked.refused) if pattern not in app.config.exclude_patterns]
    if new:
        app.config.exclude_patterns = [*app.config.exclude_patterns, *new]
    # docutils' include and Sphinx's reader use this; a page that is not UTF-8 is reported, not fatal
    app.env.settings["input_encoding"] = TOLERANT_UTF8


# -- where a file is read -------------------------------------------------------------------


def _shown(env: BuildEnvironment, docname: str) -> str:
    return Path(env.doc2path(docname)).relative_to(env.srcdir).as_posix()


def refuse(env: BuildEnvironment, line: int | None, what: str, target: str) -> None:
    docname = env.docname
    report(boundary.outside_finding(_shown(env, docname), line, what, target, project(env)), docname)


def outside(env: BuildEnvironment, target: str, *, disk_absolute: bool) -> bool:
    """Whether a directive on the current page reading ``target`` would leave the project.

    ``disk_absolute``: the reader takes ``/x`` from the disk (docutils), not from the tree (Sphinx).
    """
    page_folder = Path(env.doc2path(env.docname)).parent
    candidates = boundary.candidate_paths(target, page_folder, Path(env.srcdir), srcdir_relative=not disk_absolute)
    return any(not boundary.inside(path, project(env)) for path in candidates)


def not_a_file(env: BuildEnvironment, line: int | None, what: str, target: str, *, disk_absolute: bool) -> bool:
    """Whether ``target``, read by a directive of the current page, is no regular file (a named pipe
    would make the build wait forever, ``/dev/zero`` never ends); reported when it is."""
    page_folder = Path(env.doc2path(env.docname)).parent
    for path in boundary.candidate_paths(target, page_folder, Path(env.srcdir), srcdir_relative=not disk_absolute):
        if kind := boundary.not_a_file(path):
            report(boundary.not_a_file_finding(_shown(env, env.docname), line, what, target, kind), env.docname)
            return True
    return False


class _ArgumentPath:
    """The file named by the argument must stay in the project (Sphinx reads `/x` from the tree) and be a file."""

    def run(self) -> list[nodes.Node]:
        env, target = self.env, self.arguments[0]  # type: ignore[attr-defined]
        if outside(env, target, disk_absolute=False):
            refuse(env, self.lineno, self.name, target)  # type: ignore[attr-defined]
            return []
        if not_a_file(env, self.lineno, self.name, target, disk_absolute=False):  # type: ignore[attr-defined]
            return []
        return super().run()  # type: ignore[misc]


#: The files being included into the page being read, the page first (``env.temp_data``).
_INCLUDING = "kaderpers_including"


class GuardedInclude(SphinxDirective):
    """``include``, checked before the file is read, then read by MyST's or Sphinx's own include.

    Not a subclass of docutils' ``Include``: for those MyST reads the file itself (its
    ``MockIncludeDirective``) before any check could run, and a named pipe or ``/dev/zero``
    would hold or fill the build.
    """

    required_arguments = Include.required_arguments
    optional_arguments = Include.optional_arguments
    final_argument_whitespace = Include.final_argument_whitespace
    has_content = Include.has_content
    # MyST's own options, which it adds to subclasses of ``Include`` only
    option_spec = {**Include.option_spec, "relative-images": directives.flag, "relative-docs": directives.path, "heading-offset": directives.nonnegative_int}

    def run(self) -> list[nodes.Node]:
        target = self.arguments[0]
        if outside(self.env, target, disk_absolute=False):
            refuse(self.env, self.lineno, self.name, target)
            return []
        if not_a_file(self.env, self.lineno, self.name, target, disk_absolute=False):
            return []
        if not isinstance(self.state, MockState):  # reStructuredText: docutils keeps its own include log
            return Include(
                self.name, self.arguments, self.options, self.content, self.lineno, self.content_offset, self.block_text, self.state, self.state_machine
            ).run()
        # MyST reads the included file at once, and an include of itself would recurse until Python stops it.
        page = Path(self.env.doc2path(self.env.docname))
        path = os.path.realpath(boundary.candidate_paths(target, page.parent, Path(self.env.srcdir), srcdir_relative=True)[0])
        including: list[str] = self.env.temp_data.setdefault(_INCLUDING, [os.path.realpath(page)])
        as_text = "literal" in self.options or "code" in self.options
        # MyST numbers the lines of an included file from its own start: the place is in that file.
        if refusal := boundary.include_refusal(self.lineno, self.name, target, path, including, Path(self.env.srcdir), as_text=as_text):
            report(refusal, self.env.docname if len(including) == 1 else None, srcdir=self.env.srcdir)
            return []
        including.append(path)
        try:
            include = MockIncludeDirective(
                self.state._renderer, name=self.name, klass=Include, arguments=self.arguments,
                options=self.options, body=list(self.content), lineno=self.lineno,
            )  # fmt: skip
            return include.run()
        finally:
            including.pop()
            if len(including) == 1:
                del self.env.temp_data[_INCLUDING]


class GuardedLiteralInclude(_ArgumentPath, LiteralInclude):
    pass


class _FileOption:
    """``:file:`` must stay in the project; ``:url:`` would fetch from the web while building."""

    disk_absolute = True

    def refused(self) -> bool:
        env = self.state.document.settings.env  # type: ignore[attr-defined]
        if "url" in self.options:  # type: ignore[attr-defined]
            refuse(env, self.lineno, f"{self.name} :url:", self.options["url"])  # type: ignore[attr-defined]
            return True
        target = self.options.get("file")  # type: ignore[attr-defined]
        if target and outside(env, target, disk_absolute=self.disk_absolute):
            refuse(env, self.lineno, f"{self.name} :file:", target)  # type: ignore[attr-defined]
            return True
        return bool(target) and not_a_file(env, self.lineno, f"{self.name} :file:", target, disk_absolute=self.disk_absolute)  # type: ignore[attr-defined]


class GuardedCSVTable(_FileOption, CSVTable):
    disk_absolute = False  # Sphinx reads `/x` from the tree

    def run(self) -> list[nodes.Node]:
        return [] if self.refused() else super().run()


class GuardedRaw(_FileOption, Raw):
    def run(self) -> list[nodes.Node]:
        return [] if self.refused() else super().run()


def on_include_read(app: Sphinx, relative_path: Path, parent_docname: str, content: list[str]) -> None:
    """MyST's ``{include}`` reads the file itself; what it read from outside is dropped here."""
    env = app.env
    path = Path(env.srcdir, relative_path)
    if not boundary.inside(path, project(app.env)):
        content[0] = ""
        refuse(env, _include_line(env, path), "include", str(relative_path))


def _include_line(env: BuildEnvironment, path: Path) -> int | None:
    """The line of the include that asked for ``path`` (the event does not say)."""
    page = Path(env.doc2path(env.docname))
    text = page.read_text("utf-8", errors="replace")
    for reference in boundary.references(text):
        if reference.what == "include":
            candidates = boundary.candidate_paths(reference.target, page.parent, Path(env.srcdir), srcdir_relative=True)
            if any(os.path.realpath(candidate) == os.path.realpath(path) for candidate in candidates):
                return reference.line
    return None


# -- images and downloads ----------------------------------------------------------------------


def _full_path(env: BuildEnvironment, target: str, docname: str) -> Path | None:
    if not boundary.is_local(target) or target.startswith("data:"):
        return None
    return Path(env.relfn2path(boundary.local_path(target), docname)[1])


def report_missing_alt(env: BuildEnvironment, doctree: nodes.document) -> None:
    """Images without alternative text, Markdown, directive and raw ``<img>`` alike, as ``check`` finds them.

    Reported once, when the page is read: the PDF builds, which load the site's environment, do not repeat it.
    """
    docname = env.docname
    for image in doctree.findall(nodes.image):
        if alt_missing(str(image.get("alt", ""))):
            report(alt_missing_finding(_shown(env, docname), node_line(image), str(image.get("uri", ""))), docname)
    for raw in doctree.findall(is_html):
        for src, alt in html_images(raw.astext()):
            if alt_missing(alt):
                report(alt_missing_finding(_shown(env, docname), node_line(raw), src), docname)


def on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    """Images and downloads from outside the project, or too large, are taken out before they are copied."""
    env = app.env
    docname = env.docname
    report_missing_alt(env, doctree)
    for image in list(doctree.findall(nodes.image)):
        uri = image.get("uri", "")
        path = _full_path(env, uri, docname)
        if path is None:
            continue
        if not boundary.inside(path, project(app.env)):
            refuse(env, node_line(image), "image", uri)
        elif kind := boundary.not_a_file(path):
            report(boundary.not_a_file_finding(_shown(env, docname), node_line(image), "image", uri, kind), docname)
        elif problem := limits.image_problem(path):
            report(Finding(_shown(env, docname), node_line(image), "image.too-large", f"image `{uri}` {problem}; it is not published"), docname)
        else:
            continue
        alt = image.get("alt", "")
        image.replace_self(nodes.inline(alt, alt) if alt else nodes.inline())
    for download in list(doctree.findall(addnodes.download_reference)):
        target = download.get("reftarget", "")
        path = _full_path(env, target, docname)
        if path is None:
            continue
        if not boundary.inside(path, project(app.env)):
            refuse(env, node_line(download), "download", target)
        elif kind := boundary.not_a_file(path):  # Sphinx would fail to copy it, and the site with it
            report(boundary.not_a_file_finding(_shown(env, docname), node_line(download), "download", target, kind), docname)
        else:
            continue
        download.replace_self(nodes.inline("", "", *download.children))


def setup(app: Sphinx) -> None:
    """The project boundary: include-like directives guarded, references and images checked before Sphinx copies files."""
    app.connect("config-inited", on_config_inited)
    app.connect("kaderpers-build-started", on_build_started)
    app.connect("include-read", on_include_read)
    # Before Sphinx's image and download collectors (priority 500) note files for copying.
    app.connect("doctree-read", on_doctree_read, priority=400)
    app.add_directive("include", GuardedInclude, override=True)
    app.add_directive("literalinclude", GuardedLiteralInclude, override=True)
    app.add_directive("csv-table", GuardedCSVTable, override=True)
    app.add_directive("raw", GuardedRaw, override=True)
