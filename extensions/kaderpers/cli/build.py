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
        """The tree's own conf.py, in the tree or in the folder above it (a repository with
        ``docs/`` and ``conf.py`` at its root); without one, kaderpers' defaults build the tree."""
        return find_beside(self.content, CONF_FILE)

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
    conf = request.conf_file
    # -C: no conf.py, the configuration is the extension's defaults alone.
    configuration = ["-c", str(conf.parent)] if conf else ["-C", "-D", "extensions=kaderpers"]
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
    print(f"kaderpers: configuration {conf or 'of kaderpers (the tree has no conf.py)'}", file=sys.stderr)
    if request.html:
        step(f"HTML site → {request.html_dir}")
        status |= build_main(sphinx_arguments(request, "html", request.html_dir))
    if request.pdf or request.handouts:
        from ..pdf.orchestrate import build_pdfs  # rinohtype is only imported when needed

        step(f"PDF → {request.pdf_dir}")
        status |= build_pdfs(request)
    print(f"kaderpers: done in {time.perf_counter() - started:.1f} s (exit {status})", file=sys.stderr)
    return 1 if status else 0
