"""``kaderpers build --pdf/--handouts``: PDF builds in parallel processes under a watchdog.

The HTML build has saved the environment in ``OUT/doctrees`` (without an HTML
build, a private copy of it is brought up to date instead). Each PDF process is
``sphinx-build -b kaderpers-pdf`` on that environment, writing its share of the
documents (``kaderpers_pdf_shard=k/n``): the full edition gets a process of its
own, the handouts are spread over the others. The processes only read the
shared environment; when no HTML build ran first, one process brings the
environment up to date before the others start.

Every process prints progress lines (page, and the kader page it comes from);
they are passed on, prefixed with the process number. A watchdog thread in each
process ends it when a layout takes longer than ``kaderpers_pdf_timeout``,
naming where it hung; this process stops a child that falls silent for longer
still, reporting its last progress line.
"""

from __future__ import annotations

import dataclasses
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..sphinxext.config import KaderpersConfig
from .watchdog import FAILURE, HUNG

if TYPE_CHECKING:
    from ..cli.build import BuildRequest

#: Extra seconds of silence, beyond the layout time limit, before a child is stopped from outside.
GRACE = 60


@dataclass
class Child:
    number: int
    arguments: list[str]
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
            if line.startswith("kaderpers-pdf:"):
                self.last_line = line
            print(f"[pdf {self.number}] {line}", file=sys.stderr, flush=True)


def partial_folder(pdf_dir: str | Path) -> Path:
    """Where PDFs are laid out before they are renamed into ``OUT/pdf``: beside it, never in it."""
    from ..cli.output import STAGING

    return Path(pdf_dir).parent / STAGING / "pdf"


def kinds(request: BuildRequest) -> list[str]:
    """The names of the documents to write, for ``kaderpers_pdf_documents``."""
    handouts = "handouts" if request.handouts in ("all", True) else request.handouts
    return [name for name in ("edition" if request.pdf else "", handouts or "") if name]


def process_count(request: BuildRequest) -> int:
    """Two processes on two cores: handouts beside the edition, or handouts split in two."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, 2 if request.handouts else 1))


def pdf_timeout(request: BuildRequest) -> int:
    """``kaderpers_pdf_timeout`` from the tree's conf.py, or the default."""
    from sphinx.config import eval_config_file
    from sphinx.util.tags import Tags

    conf = request.conf_file
    namespace = eval_config_file(conf, Tags()) if conf else {}
    return int(namespace.get("kaderpers_pdf_timeout", KaderpersConfig.pdf_timeout))


def sphinx_command(request: BuildRequest, doctrees: Path, documents: str, shard: str) -> list[str]:
    from ..cli.build import sphinx_arguments

    # Never -E here: a fresh environment would make every process read and save it at once.
    shared = dataclasses.replace(request, fresh=False)
    settings = ["-D", f"kaderpers_pdf_documents={documents}", "-D", f"kaderpers_pdf_shard={shard}", "-D", f"kaderpers_pdf_tagged={int(request.tagged)}", "-q"]
    return [sys.executable, "-m", "sphinx", *sphinx_arguments(shared, "kaderpers-pdf", request.pdf_dir, doctrees, *settings)]


def build_pdfs(request: BuildRequest, doctrees: Path) -> int:
    started = time.perf_counter()
    documents = ",".join(kinds(request))
    request.pdf_dir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(partial_folder(request.pdf_dir), ignore_errors=True)  # left by an interrupted build (this one holds OUT)
    status = 0
    if not request.html:
        # The environment may be missing or out of date: one process reads it, writing no PDF.
        print("kaderpers-pdf: bringing the environment up to date", file=sys.stderr, flush=True)
        status |= run_children(request, [sphinx_command(request, doctrees, "none", "")], pdf_timeout(request))
        if status:
            return status
    count = process_count(request)
    commands = [sphinx_command(request, doctrees, documents, f"{k}/{count}") for k in range(1, count + 1)]
    status |= run_children(request, commands, pdf_timeout(request))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"kaderpers-pdf: {documents} in {count} process(es): {time.perf_counter() - started:.1f} s,"
        f" peak memory of one process {peak:.0f} MB",
        file=sys.stderr,
        flush=True,
    )
    return status


def run_children(request: BuildRequest, commands: list[list[str]], timeout: int) -> int:
    children = [Child(number, command) for number, command in enumerate(commands, start=1)]
    readers = []
    environment = dict(os.environ, PYTHONUNBUFFERED="1")
    for child in children:
        child.process = subprocess.Popen(
            child.arguments, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace", env=environment
        )
        reader = threading.Thread(target=child.read, daemon=True)
        reader.start()
        readers.append(reader)
    while any(child.process.poll() is None for child in children):
        for child in children:
            if child.process.poll() is None and time.monotonic() - child.last_output > timeout + GRACE:
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
                f"process {child.number} printed nothing for {timeout + GRACE} s and was stopped;"
                f" its last progress: {child.last_line or 'none'}"
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
