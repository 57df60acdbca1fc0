"""``kaderpers build --pdf/--handouts``: PDF builds in parallel processes under a watchdog.

The HTML build has saved the environment in ``OUT/doctrees`` (without an HTML
build, a private copy of it is brought up to date instead). Each PDF process is
``sphinx-build -b kaderpers-pdf`` on that environment, writing its share of the
documents (``kaderpers_pdf_shard=k/n``): the full edition gets a process of its
own, the handouts are spread over the others; a small tree's PDFs are written by
one process. The processes only read the shared environment; when no HTML build
ran first, one process brings the environment up to date before the others start.

Every process prints progress lines (page, and the kader page it comes from);
they are passed on, prefixed with the process number. A watchdog thread in each
process ends it when a layout takes longer than ``kaderpers_pdf_timeout``,
naming where it hung; this process stops a child that falls silent for longer
still, reporting its last progress line. Each child reports the time limit its
Sphinx configuration gives (``-D`` overrides included) before it lays out.

What to run comes from the command line (:mod:`kaderpers.cli.build`) as a
:class:`PdfJob`; nothing here imports it.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..folders import STAGING
from ..sphinxext.config import PDF_DOCUMENT_KINDS, KaderpersConfig
from .watchdog import FAILURE, HUNG, TIME_LIMIT_LINE

#: Extra seconds of silence, beyond the layout time limit, before a child is stopped from outside.
GRACE = 60


@dataclass(frozen=True)
class PdfJob:
    """The PDFs a build asks for, and how to run one Sphinx process on the shared environment."""

    #: "edition" and/or "handouts".
    kinds: tuple[str, ...]
    pdf_dir: Path
    #: The sphinx-build arguments for a builder, an output folder and extra options.
    sphinx_arguments: Callable[..., list[str]]
    #: The HTML build has just brought the environment up to date.
    environment_ready: bool
    #: The tree's pages, a measure of the layout's work (0: unknown, taken as large).
    pages: int = 0
    #: Environment variables the PDF processes get unless this process's own environment sets them.
    variable_defaults: dict[str, str] = field(default_factory=dict)


@dataclass
class Child:
    number: int
    arguments: list[str]
    #: Seconds a layout may take: the child reports the value of its configuration.
    timeout: int = KaderpersConfig.pdf_timeout
    process: subprocess.Popen[str] | None = None
    last_line: str = ""
    last_output: float = field(default_factory=time.monotonic)
    failures: list[str] = field(default_factory=list)
    stopped: bool = False

    def read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            line = line.rstrip("\n")
            self.last_output = time.monotonic()
            if line.startswith(FAILURE):
                self.failures.append(line.removeprefix(FAILURE).strip())
            if limit := TIME_LIMIT_LINE.fullmatch(line):
                self.timeout = int(limit["seconds"])
            elif line.startswith("kaderpers-pdf:"):
                self.last_line = line
            print(f"[pdf {self.number}] {line}", file=sys.stderr, flush=True)


def partial_folder(pdf_dir: str | Path) -> Path:
    """Where PDFs are laid out before they are renamed into ``OUT/pdf``: beside it, never in it."""
    return Path(pdf_dir).parent / STAGING / "pdf"


#: Below this many pages a tree's PDFs are laid out in one process: a second one costs more to start
#: (Sphinx, rinohtype and the environment, about a second and a half) than it takes off the layout.
SPLIT_FROM_PAGES = 30


def process_count(job: PdfJob) -> int:
    """Two processes on two cores: handouts beside the edition, or handouts split in two; one for a small tree."""
    if 0 < job.pages < SPLIT_FROM_PAGES:
        return 1
    names = [name for kind in job.kinds for name in kind.split(",")]
    # The edition and each named handout are one document; the other kinds ("handouts", "fasen", "rollen") are several.
    documents = len(names) if not (set(PDF_DOCUMENT_KINDS) - {"edition"}) & set(names) else 2
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, documents, 2))


def sphinx_command(job: PdfJob, documents: str, shard: str) -> list[str]:
    settings = ["-D", f"kaderpers_pdf_documents={documents}", "-D", f"kaderpers_pdf_shard={shard}", "-q"]
    return [sys.executable, "-m", "sphinx", *job.sphinx_arguments("kaderpers-pdf", job.pdf_dir, *settings)]


def build_pdfs(job: PdfJob) -> int:
    started = time.perf_counter()
    documents = ",".join(job.kinds)
    job.pdf_dir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(partial_folder(job.pdf_dir), ignore_errors=True)  # left by an interrupted build (this one holds OUT)
    status = 0
    count = process_count(job)
    if not job.environment_ready and count > 1:
        # The environment may be missing or out of date: one process reads it, writing no PDF, so that
        # the others only read it (a single process brings it up to date itself).
        print("kaderpers-pdf: bringing the environment up to date", file=sys.stderr, flush=True)
        status |= run_children([sphinx_command(job, "", "")], job.variable_defaults)
        if status:
            return status
    commands = [sphinx_command(job, documents, f"{k}/{count}") for k in range(1, count + 1)]
    status |= run_children(commands, job.variable_defaults)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"kaderpers-pdf: {documents} in {count} process(es): {time.perf_counter() - started:.1f} s, peak memory of one process {peak:.0f} MB",
        file=sys.stderr,
        flush=True,
    )
    return status


def run_children(commands: list[list[str]], variable_defaults: dict[str, str] | None = None) -> int:
    children = [Child(number, command) for number, command in enumerate(commands, start=1)]
    readers = []
    environment = {**(variable_defaults or {}), **os.environ, "PYTHONUNBUFFERED": "1"}
    for child in children:
        child.process = subprocess.Popen(child.arguments, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace", env=environment)
        reader = threading.Thread(target=child.read, daemon=True)
        reader.start()
        readers.append(reader)
    while any(child.process.poll() is None for child in children):
        for child in children:
            if child.process.poll() is None and time.monotonic() - child.last_output > child.timeout + GRACE:
                child.stopped = True
                child.process.kill()
        time.sleep(0.5)
    for reader in readers:
        reader.join(timeout=5)
    status = 0
    for child in children:
        code = child.process.returncode
        if child.stopped:
            child.failures.append(
                f"process {child.number} printed nothing for {child.timeout + GRACE} s and was stopped; its last progress: {child.last_line or 'none'}"
            )
        elif code == HUNG and not child.failures:
            child.failures.append(f"process {child.number} hung; its last progress: {child.last_line or 'none'}")
        elif code and not child.failures:
            child.failures.append(f"process {child.number} ended with status {code}; see its messages above")
        if code or child.failures:
            status = 1
        for failure in child.failures:
            print(f"kaderpers: PDF failed: {failure}", file=sys.stderr, flush=True)
    return status
