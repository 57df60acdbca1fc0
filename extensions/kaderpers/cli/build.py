"""Orchestrating a build: the HTML site first, then the PDFs from the same environment.

The HTML build reads every page once and saves the environment in
``OUT/doctrees``; the PDF builds load that environment instead of reading again.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

from sphinx.cmd.build import build_main

from ..core.loader import find_beside

CONF_FILE = Path("conf.py")
#: The configuration of a tree without a conf.py: the extension's defaults alone.
NO_CONF_OVERRIDES = {"extensions": "kaderpers"}


def sphinx_configuration(content: Path) -> tuple[Path | None, dict[str, str]]:
    """``confdir`` and overrides for Sphinx: the folder of the tree's own conf.py (in the tree, or in
    the folder above when that is the tree's project, with its ``mkdocs.yml``: a repository with
    ``docs/`` and ``conf.py`` at its root), or None (Sphinx's ``-C``) and the extension alone."""
    conf = find_beside(content, CONF_FILE)
    return (conf.parent, {}) if conf else (None, dict(NO_CONF_OVERRIDES))


@dataclass(frozen=True)
class BuildRequest:
    content: Path
    out: Path
    html: bool = True
    pdf: bool = False
    handouts: bool = False
    strict: bool = False
    jobs: str = "auto"
    fresh: bool = False
    #: The version to compare with: a folder (absolute) or git:REV; "" for none.
    compare_to: str = ""
    #: The decision tree of the beslishulp ("" finds beslishulp.yaml beside the tree).
    beslishulp: str = ""

    @property
    def conf_file(self) -> Path | None:
        """The tree's own conf.py (see :func:`sphinx_configuration`)."""
        confdir, _ = sphinx_configuration(self.content)
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


def sphinx_arguments(request: BuildRequest, builder: str, outdir: Path, *extra: str) -> list[str]:
    confdir, overrides = sphinx_configuration(request.content)
    configuration = ["-c", str(confdir)] if confdir else ["-C"]
    configuration += [option for name, value in overrides.items() for option in ("-D", f"{name}={value}")]
    arguments = ["-b", builder, *configuration, "-d", str(request.doctrees), "-j", str(request.jobs)]
    if request.strict:
        arguments += ["-W", "--keep-going"]
    if request.fresh:
        arguments.append("-E")
    if request.compare_to:
        arguments += ["-D", f"kaderpers_compare_to={request.compare_to}"]
    if request.beslishulp:
        arguments += ["-D", f"kaderpers_beslishulp_file={request.beslishulp}"]
    return [*arguments, *extra, str(request.content), str(outdir)]


def step(title: str) -> None:
    print(f"\n== kaderpers: {title}", file=sys.stderr, flush=True)


def run_build(request: BuildRequest) -> int:
    started = time.perf_counter()
    status = 0
    conf = request.conf_file
    print(f"kaderpers: {request.content}, configuration: {conf or 'kaderpers defaults (no conf.py beside the tree)'}", file=sys.stderr)
    if request.html:
        step(f"HTML site → {request.html_dir}")
        status |= build_main(sphinx_arguments(request, "html", request.html_dir))
    if request.pdf or request.handouts:
        from ..pdf.orchestrate import build_pdfs  # rinohtype is only imported when needed

        step(f"PDF → {request.pdf_dir}")
        status |= build_pdfs(request)
    print(f"kaderpers: done in {time.perf_counter() - started:.1f} s (exit {status})", file=sys.stderr)
    return 1 if status else 0
