#!/usr/bin/env python3
"""The speed benchmark of kaderpers (``make bench``): every figure of issue 7 from one run.

    python tests/bench/bench.py --upstream ../shared/upstream-kader/docs [--repeat 3] [--scale 10] [--skip-pdf]

Each measurement is a fresh process started here. Its wall time is taken around
it; ``max RSS`` is ``ru_maxrss`` from ``wait4`` (the largest single process of its
tree: Sphinx's ``-j`` workers are waited for by their parent, so they count);
``peak memory`` is the largest sum of PSS (proportional set size, so pages shared
by forked workers count once) over the process group, summed from /proc once a
second (each process's own peak RSS every 0.25 s). Times are medians over ``--repeat`` runs where the run is cheap (the table
says how many); progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import resource
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (tests/bench/generate.py, beside this file)

from kaderpers.cli.build import BuildRequest  # noqa: E402
from kaderpers.core.loader import load_tree  # noqa: E402
from kaderpers.core.model import PageKind  # noqa: E402

BIN = Path(sys.executable).parent
PAGE_SIZE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
#: How often the process group is looked at (RSS: cheap), and how often its PSS is summed
#: (reading smaps_rollup costs ~15 ms of CPU per 600 MB process, so not every time).
SAMPLE_SECONDS = 0.25
PSS_SECONDS = 1.0
MB = 1024  # kB per MB
#: Files of a kader project that live beside the content tree (navigation, glossary).
PROJECT_FILES = ("mkdocs.yml", "includes")
#: Members of office documents that hold the time they were written.
OFFICE_METADATA = frozenset({"docProps/core.xml", "meta.xml"})

ERROR_LINE = re.compile(r"^\s*[\w.]*(Error|Exception)\b.*:")
SECTIONS = ("check", "diff", "clean", "guards", "compare", "incremental", "serve", "search", "pdf", "scale", "links", "versions")
#: Distinct external links of the `links` section's tree, all to one local server.
LINK_COUNT = 2000

STARTED = time.perf_counter()


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)


def tool(name: str, module: str) -> list[str]:
    """The console script of the venv that runs this script, or ``python -m``."""
    script = BIN / name
    return [str(script)] if script.exists() else [sys.executable, "-m", module]


KADERPERS = tool("kaderpers", "kaderpers.cli")
SPHINX_BUILD = tool("sphinx-build", "sphinx")


# -- measuring one process ----------------------------------------------------------------


@dataclass
class Process:
    pid: int
    parent: int
    command: str
    first: float
    last: float
    peak_rss_mb: float = 0.0

    @property
    def seconds(self) -> float:
        return self.last - self.first


@dataclass
class Run:
    command: list[str]
    seconds: float
    exit_code: int
    max_rss_mb: float
    peak_mb: float
    log: Path
    timed_out: bool = False
    processes: list[Process] = field(default_factory=list)
    #: User + system CPU of the process (and the children it waited for), from wait4.
    cpu_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out

    def tail(self, lines: int = 6) -> str:
        text = self.log.read_text("utf-8", errors="replace").strip().splitlines()
        return "\n".join(text[-lines:])

    def excerpt(self) -> str:
        """The error a failed run ended with (and where Sphinx saved the traceback), else its last lines."""
        text = self.log.read_text("utf-8", errors="replace")
        lines = text.strip().splitlines()
        errors = [i for i, line in enumerate(lines) if ERROR_LINE.match(line)]
        if not errors:
            return self.tail()
        saved = re.search(r"traceback has been saved in:\s*(\S+)", text)
        return "\n".join([*lines[max(0, errors[-1] - 3) : errors[-1] + 1], *([f"(full traceback: {saved[1]})"] if saved else [])])


def _stat(pid: str) -> tuple[int, int, int] | None:
    """(process group, RSS in kB, parent pid) of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            raw = handle.read()
    except OSError:
        return None
    fields = raw[raw.rfind(b")") + 2 :].split()
    return int(fields[2]), int(fields[21]) * PAGE_SIZE_KB, int(fields[1])


def _pss_kb(pid: int, fallback: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return fallback


def _command_line(pid: int) -> str:
    try:
        parts = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    words = [Path(p.decode(errors="replace")).name if i == 0 else p.decode(errors="replace") for i, p in enumerate(parts) if p]
    return " ".join(" ".join(words).split())[:2000]


class GroupSampler(threading.Thread):
    """Samples the memory of every process in one process group until stopped."""

    def __init__(self, group: int):
        super().__init__(daemon=True)
        self.group = group
        self.stop = threading.Event()
        self.processes: dict[int, Process] = {}
        self.peak_kb = 0
        self.last_pss = float("-inf")

    def sample(self) -> None:
        now = time.perf_counter()
        with_pss = now - self.last_pss >= PSS_SECONDS
        if with_pss:
            self.last_pss = now
        total = 0
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            stat = _stat(entry.name)
            if stat is None or stat[0] != self.group:
                continue
            pid, rss = int(entry.name), stat[1]
            if with_pss:
                total += _pss_kb(pid, rss)
            process = self.processes.get(pid)
            if process is None:
                process = self.processes[pid] = Process(pid, stat[2], _command_line(pid), now, now)
            process.last = now
            process.peak_rss_mb = max(process.peak_rss_mb, rss / MB)
        self.peak_kb = max(self.peak_kb, total)

    def run(self) -> None:
        while not self.stop.wait(SAMPLE_SECONDS):
            self.sample()


def measure(command: Sequence[str], log: Path, timeout: float | None = None, cwd: Path = REPO) -> Run:
    """Run ``command`` in a new process group; wall time, max RSS and sampled peak memory."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as output:
        started = time.perf_counter()
        child = subprocess.Popen(list(command), stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=cwd, start_new_session=True)
        sampler = GroupSampler(child.pid)
        sampler.sample()
        sampler.start()
        timed_out = threading.Event()

        def stop_group() -> None:
            timed_out.set()
            try:
                os.killpg(child.pid, signal.SIGKILL)  # the group this script started
            except ProcessLookupError:
                pass

        watchdog = threading.Timer(timeout, stop_group) if timeout else None
        if watchdog:
            watchdog.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if watchdog:
            watchdog.cancel()
        sampler.stop.set()
        sampler.join()
    try:  # workers that outlived their parent would distort the next measurement
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    processes = sorted(sampler.processes.values(), key=lambda p: p.first)
    cpu = usage.ru_utime + usage.ru_stime
    return Run(list(command), seconds, child.returncode, usage.ru_maxrss / MB, sampler.peak_kb / MB, log, timed_out.is_set(), processes, cpu)


# -- comparing two builds ---------------------------------------------------------------


def _search_index(data: bytes) -> bytes:
    """searchindex.js with its JSON object in canonical key order."""
    text = data.decode("utf-8")
    start, end = text.index("(") + 1, text.rindex(")")
    return json.dumps(json.loads(text[start:end]), sort_keys=True).encode()


def _office_document(data: bytes, path: Path) -> bytes:
    """An XLSX/ODS zip: the contents of its members, less the members that hold the write time."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = sorted(name for name in archive.namelist() if name not in OFFICE_METADATA)
        return b"\0".join(name.encode() + b"\0" + archive.read(name) for name in members)


#: What is normalised before two outputs are compared, and why.
NORMALISERS: dict[str, tuple[Callable[[bytes, Path], bytes], str]] = {
    "searchindex.js": (lambda data, path: _search_index(data), "JSON key order"),
    ".xlsx": (_office_document, "zip member dates and docProps/core.xml (write time)"),
    ".ods": (_office_document, "zip member dates and meta.xml (write time)"),
}


def _normaliser(path: Path) -> Callable[[bytes, Path], bytes] | None:
    entry = NORMALISERS.get(path.name) or NORMALISERS.get(path.suffix)
    return entry[0] if entry else None


@dataclass
class Comparison:
    files: int = 0
    identical: int = 0
    equal_after_normalising: int = 0
    differing: list[str] = field(default_factory=list)
    only_in_one: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not self.differing and not self.only_in_one


def _first_difference(one: bytes, other: bytes) -> str:
    a, b = one.decode("utf-8", "replace").splitlines(), other.decode("utf-8", "replace").splitlines()
    for number, (x, y) in enumerate(zip(a, b, strict=False), 1):
        if x != y:
            return f"line {number}: {x.strip()[:150]!r} ≠ {y.strip()[:150]!r}"
    return f"{len(a)} vs {len(b)} lines"


def compare_outputs(incremental: Path, clean: Path) -> Comparison:
    """Every file of two HTML outputs, byte for byte after :data:`NORMALISERS`."""
    result = Comparison()
    files_a = {p.relative_to(incremental) for p in incremental.rglob("*") if p.is_file()}
    files_b = {p.relative_to(clean) for p in clean.rglob("*") if p.is_file()}
    result.only_in_one = sorted(str(p) for p in files_a ^ files_b)
    for relative in sorted(files_a & files_b):
        result.files += 1
        one, other = (incremental / relative).read_bytes(), (clean / relative).read_bytes()
        if one == other:
            result.identical += 1
            continue
        normalise = _normaliser(relative)
        if normalise is not None and normalise(one, relative) == normalise(other, relative):
            result.equal_after_normalising += 1
            continue
        detail = _first_difference(one, other) if relative.suffix in (".html", ".js", ".json", ".txt", ".csv") else "binary content differs"
        result.differing.append(f"{relative}: {detail}")
    return result


# -- the benchmark ----------------------------------------------------------------------


@dataclass
class Row:
    figure: str
    value: str
    target: str = ""
    met: bool | None = None
    commands: tuple[int, ...] = ()
    #: How many runs the value is the median of ("" when it is not a timing).
    runs: str = ""


BASELINE_CONF = """\
# Baseline for the kaderpers benchmark: plain Sphinx + MyST, same theme, no kaderpers.
project = "Algoritmekader (baseline)"
language = "nl"
extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = %r
html_theme = "pydata_sphinx_theme"
html_copy_source = False
html_show_sourcelink = False
"""


SPHINX_SIGNS = (
    re.compile(r"The configuration has changed \([^)]*\)"),
    re.compile(r"build_info mismatch"),
    re.compile(r"updating environment: .*"),
    re.compile(r"targets for \d+ source files that are out of date"),
)


def sphinx_summary(log: Path) -> str:
    """What Sphinx said about what it rebuilt and why (for the notes of an incremental run)."""
    text = log.read_text("utf-8", errors="replace")
    found = [match[0].strip() for pattern in SPHINX_SIGNS if (match := pattern.search(text))]
    return "; ".join(found) or "(Sphinx said nothing about outdated files)"


def short_command(command: str, width: int = 70) -> str:
    """A process's command line cut to what tells processes apart: builder and -D settings, or both ends."""
    words = command.split()
    settings = [words[i + 1].removeprefix("kaderpers_") for i, word in enumerate(words[:-1]) if word == "-D"]
    builder = [words[i + 1] for i, word in enumerate(words[:-1]) if word == "-b"]
    text = " ".join([*(f"-b {b}" for b in builder), *settings]) if settings else command
    return text if len(text) <= width else f"{text[: width // 2 - 2]} … {text[-(width // 2 - 2) :]}"


def code_fingerprint() -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and times of the code a build runs, to notice edits made during a measurement."""
    paths = [
        REPO / "conf.py",
        *(p for folder in ("extensions", "source") for p in sorted((REPO / folder).rglob("*")) if p.is_file() and "__pycache__" not in p.parts),
    ]
    return tuple((str(p.relative_to(REPO)), p.stat().st_mtime_ns, p.stat().st_size) for p in paths if p.exists())


def indent(text: str) -> str:
    return "\n".join(f"      {line}" for line in text.splitlines())


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def seconds(value: float) -> str:
    return f"{value:.2f} s"


def megabytes(value: float) -> str:
    return f"{value:,.0f} MB"


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.upstream: Path = args.upstream.resolve()
        self.work = Path(tempfile.mkdtemp(prefix="kaderpers-bench-", dir=args.work))
        self.rows: list[Row] = []
        self.notes: list[str] = []
        self.commands: list[str] = []
        self.results: dict[str, object] = {}
        self.clean_out: Path | None = None
        self.failures = 0

    # bookkeeping ---------------------------------------------------------------------

    def command(self, run: Run | Sequence[str]) -> int:
        words = run.command if isinstance(run, Run) else run
        text = shlex.join(str(w).replace(str(self.work), "$WORK") for w in words)
        if text not in self.commands:
            self.commands.append(text)
        return self.commands.index(text) + 1

    def row(self, figure: str, value: str, target: str = "", met: bool | None = None, runs: Sequence[Run] = (), median_of: int | None = None) -> None:
        ids = tuple(sorted({self.command(r) for r in runs}))
        count = "" if median_of is None else ("1 run" if median_of == 1 else f"median {median_of}")
        self.rows.append(Row(figure, value, target, met, ids, count))
        progress(f"   {figure}: {value}" + (f"  (target {target}: {'met' if met else 'NOT met'})" if target and met is not None else ""))

    def run(self, name: str, command: Sequence[str], timeout: float | None = None) -> Run:
        progress(f"{name}: {shlex.join(str(c).replace(str(self.work), '$WORK') for c in command)}")
        result = measure([str(c) for c in command], self.work / "logs" / f"{name}.log", timeout)
        state = "timed out" if result.timed_out else f"exit {result.exit_code}"
        progress(f"   {seconds(result.seconds)}, max RSS {megabytes(result.max_rss_mb)}, peak {megabytes(result.peak_mb)} ({state})")
        return result

    def build(self, name: str, tree: Path, out: Path, *extra: str, timeout: float | None = None) -> Run:
        return self.run(name, [*KADERPERS, "build", tree, "--out", out, "-j", self.args.jobs, *extra], timeout or self.args.build_timeout)

    def fresh(self, path: Path) -> Path:
        shutil.rmtree(path, ignore_errors=True)
        return path

    def require(self, runs: Sequence[Run], what: str) -> bool:
        failed = [r for r in runs if not r.ok]
        for run in failed:
            self.failures += 1
            self.notes.append(f"{what} failed (exit {run.exit_code}{', timed out' if run.timed_out else ''}); log {run.log}:\n{indent(run.excerpt())}")
        return not failed

    # sections --------------------------------------------------------------------------

    def check(self) -> None:
        runs = [self.run(f"check-{i}", [*KADERPERS, "check", self.upstream]) for i in range(max(self.args.repeat, 5))]
        # `kaderpers check` exits 1 when the tree has errors (the upstream tree does); that is not a failed run.
        broken = [r for r in runs if r.exit_code not in (0, 1)]
        if broken:
            self.require(broken, "kaderpers check")
        wall = median([r.seconds for r in runs])
        inside = [float(m[1]) for r in runs if (m := re.search(r"checked .* in ([\d.]+) s", r.log.read_text("utf-8", "replace")))]
        self.results["check"] = {"wall": [r.seconds for r in runs], "in_process": inside}
        self.row("kaderpers check, upstream", f"{seconds(wall)} wall ({seconds(median(inside))} in process)", "< 1 s", wall < 1.0, runs, len(runs))

    def clean_and_baseline(self) -> None:
        conf = self.work / "baseline-conf"
        conf.mkdir(exist_ok=True)
        (conf / "conf.py").write_text(BASELINE_CONF % (self.exclude_patterns(),), encoding="utf-8")
        baseline_runs: list[Run] = []
        kaderpers_runs: list[Run] = []
        baseline_out = self.work / "baseline"
        self.clean_out = self.work / "clean"  # the last one stays: the PDF run starts from it
        for i in range(self.args.repeat):  # interleaved, so drifting load hits both alike
            self.fresh(baseline_out)
            baseline_runs.append(
                self.run(
                    f"baseline-{i}",
                    [*SPHINX_BUILD, "-b", "html", "-c", conf, "-d", baseline_out / "doctrees", "-j", self.args.jobs, self.upstream, baseline_out / "html"],
                    self.args.build_timeout,
                )
            )
            self.fresh(self.clean_out)
            kaderpers_runs.append(self.build(f"clean-{i}", self.upstream, self.clean_out))
        shutil.rmtree(baseline_out, ignore_errors=True)
        if not (self.require(baseline_runs, "baseline build") & self.require(kaderpers_runs, "kaderpers build")):
            self.row("clean HTML build, upstream", "FAILED (see notes)", "", False, [*baseline_runs, *kaderpers_runs])
            self.clean_out = None
            return
        base, ours = median([r.seconds for r in baseline_runs]), median([r.seconds for r in kaderpers_runs])
        n = self.args.repeat
        self.results["clean"] = {"baseline": [r.seconds for r in baseline_runs], "kaderpers": [r.seconds for r in kaderpers_runs]}
        self.row(
            "baseline HTML (Sphinx+MyST+pydata), upstream",
            f"{seconds(base)}, peak {megabytes(max(r.peak_mb for r in baseline_runs))}",
            runs=baseline_runs,
            median_of=n,
        )
        self.row(
            "kaderpers clean HTML, upstream",
            f"{seconds(ours)}, peak {megabytes(max(r.peak_mb for r in kaderpers_runs))}",
            "< 10 s",
            ours < 10,
            kaderpers_runs,
            n,
        )
        self.row("  ratio kaderpers / baseline", f"{ours / base:.2f}×", "≤ 1.2×", ours / base <= 1.2)

    def guards(self) -> None:
        """What the boundary checks, the limits and the raw HTML sanitiser cost in a clean HTML build.

        Their work over the real tree (the walk, the second read of every page with its
        nesting limit, the sanitiser over every raw HTML node, the path and size checks
        of every image and download) is done again here, in one process and timed, and
        set against the wall time of a clean build that includes it.
        """
        out = self.clean_out
        clean = (self.results.get("clean") or {}).get("kaderpers")  # type: ignore[union-attr]
        if out is None or not clean:
            out = self.fresh(self.work / "guards-clean")
            run = self.build("guards-clean", self.upstream, out)
            if not self.require([run], "kaderpers build"):
                return
            clean = [run.seconds]
        build = median(clean)
        costs = [guard_work(self.upstream, out / "doctrees") for _ in range(max(self.args.repeat, 3))]
        cost = median(costs)
        self.results["guards"] = {"seconds": costs, "clean_build": build}
        self.row(
            "  boundary + limits + sanitiser, upstream",
            f"{cost * 1000:.0f} ms = {cost / build:.1%} of the clean build",
            "≤ 3%",
            cost / build <= 0.03,
            median_of=len(costs),
        )

    def exclude_patterns(self) -> list[str]:
        """The exclude_patterns kaderpers builds with, so both builds read the same files."""
        sys.path.insert(0, str(REPO / "extensions"))
        from kaderpers.sphinxext.defaults import defaults

        return list(defaults()["exclude_patterns"])

    def copy_project(self, destination: Path) -> Path:
        """A copy of the upstream tree with the project files beside it (mkdocs.yml, includes/)."""
        tree = destination / self.upstream.name
        shutil.copytree(self.upstream, tree)
        for name in PROJECT_FILES:
            source = self.upstream.parent / name
            if source.is_dir():
                shutil.copytree(source, destination / name)
            elif source.is_file():
                shutil.copy2(source, destination / name)
        return tree

    def typical_maatregel(self, tree: Path) -> tuple[Path, str, int]:
        """The maatregel with the median number of relations: (file, title, related records)."""
        kader = load_tree(tree).kader

        def relations(page: object) -> int:
            return sum(len(kader.related(page, kind)) for kind in (PageKind.VEREISTE, PageKind.HULPMIDDEL))  # type: ignore[arg-type]

        ranked = sorted(kader.of_kind(PageKind.MAATREGEL), key=lambda p: (relations(p), p.stem))
        chosen = ranked[len(ranked) // 2]
        return tree / chosen.path, chosen.title, relations(chosen)

    def incremental(self) -> None:
        project = self.work / "incremental-tree"
        tree = self.copy_project(project)
        out = self.work / "incremental"
        first = self.build("incremental-first", tree, out)
        if not self.require([first], "clean build before the incremental rebuild"):
            self.row("incremental rebuild", "FAILED (see notes)", "", False, [first])
            return
        noop = self.build("incremental-noop", tree, out)
        if self.require([noop], "no-op rebuild"):
            self.row("no-op rebuild (nothing changed)", seconds(noop.seconds), runs=[noop], median_of=1)
            self.notes.append(f"no-op rebuild: {sphinx_summary(noop.log)}")
        else:
            self.row("no-op rebuild (nothing changed)", "FAILED (see notes)", "", False, [noop])
        path, title, related = self.typical_maatregel(tree)
        original = path.read_text("utf-8")
        title_line = re.compile(r"^title:.*$", re.MULTILINE)
        runs: list[Run] = []
        for i in range(self.args.repeat):
            path.write_text(title_line.sub(f"title: {title} (bench {i + 1})", original, count=1), encoding="utf-8")
            runs.append(self.build(f"incremental-{i}", tree, out))
        clean_out = self.fresh(self.work / "incremental-clean")
        clean = self.build("incremental-clean", tree, clean_out)
        if not self.require([*runs, clean], "incremental rebuild or its clean comparison build"):
            self.row("incremental rebuild", "FAILED (see notes)", "", False, runs)
            return
        comparison = compare_outputs(out / "html", clean_out / "html")
        value = median([r.seconds for r in runs])
        where = path.relative_to(tree).as_posix()
        self.results["incremental"] = {
            "file": where,
            "related": related,
            "runs": [r.seconds for r in runs],
            "noop": noop.seconds if noop.ok else None,
            "comparison": asdict(comparison),
        }
        self.row("incremental: one maatregel's title changed", seconds(value), "< 2 s", value < 2, runs, len(runs))
        self.notes.append(f"incremental rebuild edits the title of {where} ({related} related vereisten/hulpmiddelen: the median maatregel)")
        self.notes.append(f"incremental rebuild: {sphinx_summary(runs[-1].log)}")
        verdict = "identical" if comparison.same else f"DIFFERENT: {len(comparison.differing)} files differ, {len(comparison.only_in_one)} in one build only"
        detail = f"{verdict} ({comparison.files} files; {comparison.identical} byte-identical, {comparison.equal_after_normalising} equal after normalising)"
        self.row("  output vs clean build of the changed tree", detail, "identical", comparison.same, [clean])
        for line in [*comparison.differing[:8], *comparison.only_in_one[:4]]:
            self.notes.append(f"incremental ≠ clean: {line}")
        if len(comparison.differing) > 8:
            self.notes.append(f"incremental ≠ clean: … and {len(comparison.differing) - 8} more files")
        shutil.rmtree(project, ignore_errors=True)
        shutil.rmtree(clean_out, ignore_errors=True)

    def edited_copy(self, name: str) -> Path:
        """A copy of the upstream project whose tree has known edits: one record gone, one new, a title and a text changed."""
        tree = self.copy_project(self.work / name)
        kader = load_tree(tree).kader
        vereiste = kader.of_kind(PageKind.VEREISTE)[0]
        (tree / vereiste.path).unlink()
        path, title, _ = self.typical_maatregel(tree)
        text = re.sub(r"^title:.*$", f"title: {title} (bench)", path.read_text("utf-8"), count=1, flags=re.MULTILINE)
        path.write_text(text + "\nEen alinea die er eerst niet was.\n", encoding="utf-8")
        folder = tree / "voldoen-aan-wetten-en-regels" / "hulpmiddelen"
        (folder / "bench-nieuw.md").write_text("---\ntitle: Nieuw hulpmiddel\n---\n\nTekst.\n", encoding="utf-8")
        return tree

    def diff(self) -> None:
        tree = self.edited_copy("diff-tree")
        runs = [self.run(f"diff-{i}", [*KADERPERS, "diff", self.upstream, tree, "--format", "json"]) for i in range(max(self.args.repeat, 5))]
        if not self.require(runs, "kaderpers diff"):
            self.row("kaderpers diff, upstream vs edited copy", "FAILED (see notes)", "", False, runs)
            return
        wall, cpu = median([r.seconds for r in runs]), median([r.cpu_seconds for r in runs])
        self.results["diff"] = {"wall": [r.seconds for r in runs], "cpu": [r.cpu_seconds for r in runs]}
        # The CPU time says what a busy machine hides: the wall time waits for other processes too.
        self.row("kaderpers diff, upstream vs edited copy", f"{seconds(wall)} wall, {seconds(cpu)} CPU", "≤ 1 s", wall <= 1.0, runs, len(runs))
        shutil.rmtree(tree.parent, ignore_errors=True)

    def compare(self) -> None:
        """Clean HTML builds of upstream with and without ``--compare-to`` an edited copy, interleaved."""
        old = self.edited_copy("compare-old")
        plain_runs: list[Run] = []
        compared_runs: list[Run] = []
        out = self.work / "compare-out"
        for i in range(self.args.repeat):
            plain_runs.append(self.build(f"compare-plain-{i}", self.upstream, self.fresh(out)))
            compared_runs.append(self.build(f"compare-with-{i}", self.upstream, self.fresh(out), "--compare-to", old))
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(old.parent, ignore_errors=True)
        if not self.require([*plain_runs, *compared_runs], "clean build with or without --compare-to"):
            self.row("clean HTML with --compare-to", "FAILED (see notes)", "", False, [*plain_runs, *compared_runs])
            return
        plain, compared = median([r.seconds for r in plain_runs]), median([r.seconds for r in compared_runs])
        self.results["compare"] = {"plain": [r.seconds for r in plain_runs], "compare_to": [r.seconds for r in compared_runs]}
        self.row("clean HTML with --compare-to an edited copy", seconds(compared), runs=compared_runs, median_of=len(compared_runs))
        self.row(
            "  ratio with / without --compare-to",
            f"{compared / plain:.2f}× (without: {seconds(plain)})",
            "≤ 1.10×",
            compared / plain <= 1.10,
            plain_runs,
            len(plain_runs),
        )

    def serve(self) -> None:
        """Seconds from saving a maatregel's new title to headless Chromium showing it, on a
        page that ``kaderpers serve`` reloads by itself (the median of ``max(repeat, 5)`` saves)."""
        from playwright.sync_api import sync_playwright

        chromium = shutil.which("chromium") or "/usr/bin/chromium"
        project = self.work / "serve-tree"
        tree = self.copy_project(project)
        path, title, related = self.typical_maatregel(tree)
        log = self.work / "logs" / "serve.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        command = [*KADERPERS, "serve", tree, "--port", "0", "--out", self.work / "serve", "-j", self.args.jobs]
        self.command([str(c) for c in command])
        progress(f"serve: {shlex.join(str(c).replace(str(self.work), '$WORK') for c in command)}")
        with log.open("wb") as errors:
            server = subprocess.Popen([str(c) for c in command], stdout=subprocess.PIPE, stderr=errors, text=True, cwd=REPO, start_new_session=True)
        try:
            line = server.stdout.readline() if server.stdout else ""
            match = re.search(r"(http://\S+)", line)
            if not match:
                self.failures += 1
                self.notes.append(f"kaderpers serve did not start; log {log}:\n{indent(log.read_text('utf-8', 'replace')[-2000:])}")
                self.row("serve: save → browser shows the new title", "FAILED (see notes)", "≤ 1.0 s", False)
                return
            url = match[1] + path.relative_to(tree).with_suffix(".html").as_posix()
            original = path.read_text("utf-8")
            title_line = re.compile(r"^title:.*$", re.MULTILINE)
            times: list[float] = []
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
                page = browser.new_page()
                page.goto(url)
                page.wait_for_function("() => document.body.dataset.kpServe === 'listening'", timeout=30_000)
                for i in range(max(self.args.repeat, 5)):
                    new_title = f"{title} (serve {i + 1})"
                    self.wait_until_built(match[1])  # a save while the last build still runs would wait for it
                    time.sleep(0.3)
                    started = time.perf_counter()
                    path.write_text(title_line.sub(f"title: {new_title}", original, count=1), encoding="utf-8")
                    page.wait_for_function("(title) => document.querySelector('h1')?.textContent.includes(title)", arg=new_title, timeout=60_000, polling=10)
                    times.append(time.perf_counter() - started)
                    progress(f"   save {i + 1}: {seconds(times[-1])}")
                browser.close()
        finally:
            os.killpg(server.pid, signal.SIGINT)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        value = median(times)
        where = path.relative_to(tree).as_posix()
        self.results["serve"] = {"file": where, "related": related, "runs": times}
        self.row("serve: save → browser shows the new title", seconds(value), "≤ 1.0 s", value <= 1.0, median_of=len(times))
        incremental = self.results.get("incremental")
        if isinstance(incremental, dict) and incremental.get("runs"):  # measured in this run, under the same load
            build = median(incremental["runs"])
            self.row("  ratio serve (to the browser) / incremental kaderpers build (new process)", f"{value / build:.2f}×")
        self.notes.append(f"serve edits the title of {where} (the median maatregel) and waits for Chromium's page to show it; kaderpers serve log: {log}")
        shutil.rmtree(project, ignore_errors=True)

    @staticmethod
    def wait_until_built(url: str, timeout: float = 120) -> None:
        """Until ``kaderpers serve`` says its last build has finished (``/_kaderpers/status``)."""
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with urllib.request.urlopen(f"{url}_kaderpers/status", timeout=10) as response:
                if json.load(response)["state"] != "building":
                    return
            time.sleep(0.05)
        raise TimeoutError(f"kaderpers serve at {url} kept building for {timeout:.0f} s")

    def search(self) -> None:
        """The instant search on the real kader, against Sphinx's own search page of the same site.

        Both answer the query set of tests/search_queries.yaml in Chromium: hits@5 and MRR@10 of
        the results in the order shown. The instant search's time per keystroke is from the key's
        event to the results in the DOM (``data-search-ms``), every prefix of every query typed.
        """
        import gzip

        sys.path.insert(0, str(REPO / "tests"))
        from playwright.sync_api import sync_playwright

        import search_eval
        from conftest import CHROMIUM, serve

        out = self.fresh(self.work / "search")
        run = self.build("search-build", self.upstream, out)
        if not self.require([run], "kaderpers build (search)"):
            self.row("instant search", "FAILED (see notes)", "", False, [run])
            return
        site = out / "html"
        static = site / "_static"
        transferred = {
            name: len(gzip.compress((static / name).read_bytes(), 9))
            for name in ("kaderpers-search-index.js", "kaderpers-search.js", "kaderpers-search.css", "language_data.js")
        }
        url = serve(site)
        timings: list[float] = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            page.goto(f"{url}/index.html")
            page.wait_for_load_state("networkidle")
            search_eval.open_search(page)
            ours = {e["query"]: [search_eval.docname(url, h) for h in search_eval.type_query(page, e["query"], timings)] for e in search_eval.QUERIES}
            theirs = {e["query"]: search_eval.sphinx_search(page, url, e["query"]) for e in search_eval.QUERIES}
            browser.close()
        hits, mrr = search_eval.scores(ours)
        sphinx_hits, sphinx_mrr = search_eval.scores(theirs)
        keystroke = median(timings)
        slowest = sorted(timings)[int(0.95 * (len(timings) - 1))]
        total = sum(transferred.values())
        self.results["search"] = {
            "ours": {"hits@5": hits, "mrr@10": mrr},
            "sphinx": {"hits@5": sphinx_hits, "mrr@10": sphinx_mrr},
            "keystroke_ms": timings,
            "gzip_bytes": transferred,
        }
        n = len(search_eval.QUERIES)
        self.row(f"instant search, hits@5 / MRR@10 ({n} queries)", f"{hits:.3f} / {mrr:.3f}", "≥ 0.95 / ≥ 0.90", hits >= 0.95 and mrr >= 0.90, [run])
        self.row("  Sphinx's search page, same queries", f"{sphinx_hits:.3f} / {sphinx_mrr:.3f}")
        self.row("  ratio MRR@10 instant / Sphinx", f"{mrr / sphinx_mrr:.2f}×" if sphinx_mrr else "∞")
        self.row(f"instant search, per keystroke ({len(timings)} keys)", f"median {keystroke:.1f} ms, p95 {slowest:.1f} ms", "< 100 ms", keystroke < 100)
        self.row(
            "first search transfers (gzip -9)",
            f"{total / 1024:.0f} kB: " + ", ".join(f"{name} {size / 1024:.0f} kB" for name, size in transferred.items()),
            "≤ 1 MB",
            total <= 1024 * 1024,
        )
        self.notes.append(
            "search engine: kaderpers' own index (site/search.py) with a small scorer (kaderpers-search.js), chosen over Sphinx's index, "
            f"which this site had (MRR@10 {sphinx_mrr:.3f} against {mrr:.3f} on the same queries): the ranking needs field weights, codes, "
            "compound parts and glossary abbreviations, which Sphinx's index has no place for; one Snowball Dutch stemmer (Sphinx's "
            "language_data.js) serves index and query alike, and no npm library is shipped. MiniSearch, lunr and FlexSearch were not measured."
        )

    def pdf(self) -> None:
        if self.clean_out is None:
            self.row("PDF edition + handouts", "not run: no clean HTML build to start from", "", False)
            return
        run = self.build("pdf", self.upstream, self.clean_out, "--pdf", "--handouts", "--no-html", timeout=self.args.pdf_timeout)
        pdfs = sorted((self.clean_out / "pdf").rglob("*.pdf")) if (self.clean_out / "pdf").is_dir() else []
        self.results["pdf"] = {
            "seconds": run.seconds,
            "exit": run.exit_code,
            "max_rss_mb": run.max_rss_mb,
            "peak_mb": run.peak_mb,
            "pdfs": [p.name for p in pdfs],
        }
        if run.ok and pdfs:
            self.row(
                "PDF edition + handouts, whole command",
                f"{seconds(run.seconds)}, max RSS {megabytes(run.max_rss_mb)}, peak {megabytes(run.peak_mb)}",
                runs=[run],
                median_of=1,
            )
        else:
            self.failures += 1
            if run.timed_out:
                value = f"stopped after {seconds(run.seconds)} (--pdf-timeout); max RSS {megabytes(run.max_rss_mb)}, peak {megabytes(run.peak_mb)} until then"
            else:
                why = f"exit {run.exit_code}" if not run.ok else "no PDF written"
                value = f"could not run: {why}: " + (run.excerpt().splitlines()[-1].strip()[:160] if run.log.stat().st_size else "(no output)")
            self.row("PDF edition + handouts (--pdf --handouts --no-html)", value, "", False, [run])
            self.notes.append(f"PDF run: log {run.log}:\n{indent(run.excerpt())}")
        for process in run.processes:
            if process.seconds >= 1.0:
                self.row(
                    f"  pid {process.pid} (parent {process.parent}): {short_command(process.command)}",
                    f"~{process.seconds:.0f} s alive, peak RSS {megabytes(process.peak_rss_mb)}",
                )
        # The PDF builder reports each document's layout time ("wrote PATH, N pages in S s"); show it where it does.
        layout = {Path(m[1]): float(m[2]) for m in re.finditer(r"wrote (\S+\.pdf), \d+ pages in ([\d.]+) s", run.log.read_text("utf-8", "replace"))}
        for pdf in pdfs:
            took = f", laid out in {seconds(layout[pdf])}" if pdf in layout else ""
            self.row(f"  {pdf.relative_to(self.clean_out).as_posix()}", f"{pdf.stat().st_size / 1e6:.1f} MB, {self.pdf_pages(pdf)} pages{took}")

        self.pdf_tagging()

    def pdf_tagging(self) -> None:
        """#14: the edition alone, tagged (the default) and ``--untagged``, alternately on the same doctrees.

        What tagging costs is its extra CPU time (the process is alone on its core, so CPU
        time is what load on the machine disturbs least) as a share of the untagged layout.
        """
        assert self.clean_out is not None
        runs: dict[str, list[Run]] = {"tagged": [], "untagged": []}
        layout: dict[str, list[float]] = {"tagged": [], "untagged": []}
        for i in range(self.args.repeat):
            for name, extra in (("tagged", ()), ("untagged", ("--untagged",))):
                run = self.build(f"pdf-edition-{name}-{i}", self.upstream, self.clean_out, "--pdf", "--no-html", *extra, timeout=self.args.pdf_timeout)
                if not self.require([run], f"{name} PDF edition"):
                    self.row("tagged against untagged edition", "FAILED (see notes)", "", False, [run])
                    return
                runs[name].append(run)
                found = re.search(r"wrote \S+algoritmekader\.pdf, \d+ pages in ([\d.]+) s", run.log.read_text("utf-8", "replace"))
                layout[name].append(float(found[1]) if found else run.seconds)
        cpu = {name: median([r.cpu_seconds for r in found]) for name, found in runs.items()}
        wall = {name: median(values) for name, values in layout.items()}
        rss = {name: max(r.max_rss_mb for r in found) for name, found in runs.items()}
        share = (cpu["tagged"] - cpu["untagged"]) / wall["untagged"]
        self.results["pdf_tagging"] = {"layout": layout, "cpu": {name: [r.cpu_seconds for r in found] for name, found in runs.items()}, "max_rss_mb": rss}
        every = [run for found in runs.values() for run in found]
        count = self.args.repeat
        self.row(
            "tagging's extra CPU / untagged edition layout",
            f"{cpu['tagged'] - cpu['untagged']:+.1f} s / {seconds(wall['untagged'])}: {share:.0%}",
            "≤ 15%",
            share <= 0.15,
            every,
            count,
        )
        self.row(
            "  edition layout, tagged / --untagged (wall)",
            f"{seconds(wall['tagged'])} / {seconds(wall['untagged'])}: {wall['tagged'] / wall['untagged']:.2f}×",
            runs=every,
            median_of=count,
        )
        memory = rss["tagged"] / rss["untagged"]
        self.row("  max RSS, tagged / --untagged", f"{megabytes(rss['tagged'])} / {megabytes(rss['untagged'])}: {memory:.2f}×", "≤ 1.1×", memory <= 1.1)

    @staticmethod
    def pdf_pages(path: Path) -> str:
        try:
            from pypdf import PdfReader

            return str(len(PdfReader(path).pages))
        except Exception as error:  # noqa: BLE001 - a figure in a table, not a check
            return f"? ({type(error).__name__})"

    def scale(self) -> None:
        factor = self.args.scale
        profile = generate.measure(self.upstream)
        trees = {}
        for size in (1, factor):
            started = time.perf_counter()
            trees[size] = generate.generate(self.work / f"generated-{size:g}x" / "docs", size, profile, self.args.seed)
            progress(f"generated {size:g}× in {time.perf_counter() - started:.1f} s: {trees[size].counts}")
        one_runs = []
        for i in range(self.args.repeat):
            one_runs.append(self.build(f"generated-1x-{i}", trees[1].root, self.fresh(self.work / "generated-1x-out")))
        big = self.build(f"generated-{factor:g}x", trees[factor].root, self.fresh(self.work / f"generated-{factor:g}x-out"), timeout=self.args.scale_timeout)
        big_check = self.run(f"check-generated-{factor:g}x", [*KADERPERS, "check", trees[factor].root])
        if not self.require([*one_runs, big], "build of a generated tree"):
            self.row(f"generated {factor:g}× tree", "FAILED (see notes)", "", False, [*one_runs, big])
            return
        one = median([r.seconds for r in one_runs])
        counts = trees[factor].counts
        self.results["scale"] = {
            "factor": factor,
            "one": [r.seconds for r in one_runs],
            "big": big.seconds,
            "peak_mb": big.peak_mb,
            "max_rss_mb": big.max_rss_mb,
            "counts": {"1": trees[1].counts, str(factor): counts},
        }
        self.row(
            f"generated 1× HTML ({trees[1].counts['pages']} pages)",
            f"{seconds(one)}, peak {megabytes(max(r.peak_mb for r in one_runs))}",
            runs=one_runs,
            median_of=len(one_runs),
        )
        self.row(
            f"generated {factor:g}× HTML ({counts['pages']} pages)", f"{seconds(big.seconds)}, max RSS {megabytes(big.max_rss_mb)}", runs=[big], median_of=1
        )
        limit = 1.1 * factor
        self.row(f"  ratio {factor:g}× / 1×", f"{big.seconds / one:.2f}×", f"≤ {limit:g}×", big.seconds / one <= limit)
        self.row(f"  peak memory {factor:g}× (PSS of all processes)", megabytes(big.peak_mb), "< 2 GB", big.peak_mb < 2048)
        self.row(f"kaderpers check, generated {factor:g}×", seconds(big_check.seconds), runs=[big_check], median_of=1)
        for size in trees:
            shutil.rmtree(self.work / f"generated-{size:g}x", ignore_errors=True)
        shutil.rmtree(self.work / "generated-1x-out", ignore_errors=True)
        shutil.rmtree(self.work / f"generated-{factor:g}x-out", ignore_errors=True)

    def links(self) -> None:
        """`check --links` on a tree of LINK_COUNT distinct links to a local server (tests/link_server.py),
        against Sphinx's own linkcheck builder on the same links, with the server counting requests."""
        sys.path.insert(0, str(REPO / "tests"))
        from kaderpers.core.linkcheck import LinkOptions
        from link_server import LinkServer

        with LinkServer() as server:
            urls = [server.url(f"/bulk/{n}") for n in range(LINK_COUNT)]
            tree = self.fresh(self.work / "links-tree")
            for page in range(LINK_COUNT // 100):
                lines = [f"# Pagina {page}", ""] + [f"- [link {n}]({url})" for n, url in enumerate(urls[page * 100 : page * 100 + 100])]
                (tree / f"pagina-{page}.md").parent.mkdir(parents=True, exist_ok=True)
                (tree / f"pagina-{page}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
            (tree / "index.md").write_text("# Links\n", encoding="utf-8")
            cache = self.work / "links-cache.json"
            (tree / "conf.py").write_text(f"kaderpers_link_cache = {str(cache)!r}\n", encoding="utf-8")
            sphinx_project = self.fresh(self.work / "links-sphinx")
            sphinx_project.mkdir()
            (sphinx_project / "conf.py").write_text("linkcheck_workers = 5\nlinkcheck_timeout = 20\n", encoding="utf-8")
            (sphinx_project / "index.rst").write_text("Links\n=====\n\n" + "".join(f"- `link {n} <{url}>`__\n" for n, url in enumerate(urls)), encoding="utf-8")

            cache.unlink(missing_ok=True)
            server.reset()
            ours = self.run("check-links", [*KADERPERS, "check", tree, "--links"])
            requests, most_open = sum(server.requests.values()), server.max_open
            server.reset()
            cached = self.run("check-links-cached", [*KADERPERS, "check", tree, "--links"])
            cached_requests = sum(server.requests.values())
            server.reset()
            sphinx = self.run(
                "sphinx-linkcheck", [*SPHINX_BUILD, "-b", "linkcheck", "-q", "-d", self.work / "links-doctrees", sphinx_project, self.work / "links-sphinx-out"]
            )
            sphinx_requests, sphinx_open = sum(server.requests.values()), server.max_open
        if not self.require([r for r in (ours, cached, sphinx) if r.exit_code not in (0, 1)], "link check"):
            return
        limit = LinkOptions.per_host
        self.results["links"] = {
            "links": LINK_COUNT,
            "ours": ours.seconds,
            "cached": cached.seconds,
            "sphinx": sphinx.seconds,
            "requests": requests,
            "max_open": most_open,
            "sphinx_requests": sphinx_requests,
            "sphinx_max_open": sphinx_open,
        }
        self.row(
            f"check --links, {LINK_COUNT} links (local server)",
            f"{seconds(ours.seconds)}, {requests} requests, at most {most_open} open",
            "< 30 s",
            ours.seconds < 30,
            [ours],
            1,
        )
        self.row("  requests open at once to the host", str(most_open), f"≤ {limit} (per host)", 1 < most_open <= limit)
        self.row("  again within the cache's TTL", f"{seconds(cached.seconds)}, {cached_requests} requests", "0 requests", cached_requests == 0, [cached], 1)
        self.row(
            f"Sphinx linkcheck builder, same {LINK_COUNT} links",
            f"{seconds(sphinx.seconds)}, {sphinx_requests} requests, at most {sphinx_open} open",
            runs=[sphinx],
            median_of=1,
        )
        self.row("  ratio check --links / Sphinx linkcheck", f"{ours.seconds / sphinx.seconds:.2f}×")

    def versions(self, releases: int = 10) -> None:
        """``--versions``: a repository of the upstream project with ``releases`` tags, each editing one
        maatregel's text, built side by side; then one more tag. Adding a release should build that one
        only, against one release's clean build in the same run; the site's size on disk (hard links
        counted once, as ``du`` counts them) against one release's."""
        project = self.work / "versions-repo"
        tree = self.copy_project(project)

        def git(*words: str) -> None:
            subprocess.run(["git", "-C", str(project), "-c", "user.email=bench@example.org", "-c", "user.name=bench", *words], check=True, capture_output=True)

        git("init", "-q", "-b", "main")
        maatregelen = sorted(load_tree(tree).kader.of_kind(PageKind.MAATREGEL), key=lambda page: page.stem)

        def release(number: int) -> None:
            path = tree / maatregelen[number * 7 % len(maatregelen)].path
            path.write_text(path.read_text("utf-8") + f"\nEen alinea van release {number}.\n", encoding="utf-8")
            git("add", "-A")
            git("commit", "-q", "-m", f"release {number}")
            git("tag", f"v1.{number}.0")

        for number in range(releases):
            release(number)
        out = self.work / "versions-out"
        spec = ",".join(f"v1.{number}.0" for number in range(releases))
        first = self.build("versions-10", tree, self.fresh(out), "--versions", spec, timeout=self.args.build_timeout * releases)
        release(releases)
        added = self.build("versions-add-one", tree, out, "--versions", "v*")
        single = self.build("versions-one-release", tree, self.fresh(self.work / "versions-single"))
        if not self.require([first, added, single], "--versions"):
            self.row("--versions", "FAILED (see notes)", "", False, [first, added, single])
            return

        def disk(folder: Path) -> int:
            return int(subprocess.run(["du", "-sk", str(folder)], capture_output=True, text=True, check=True).stdout.split()[0]) // 1024

        site, one = disk(out / "html"), disk(self.work / "versions-single" / "html")
        built = len(re.findall(r"\] \S+: built$", added.log.read_text("utf-8", "replace"), flags=re.MULTILINE))
        self.results["versions"] = {
            "releases": releases,
            "first": first.seconds,
            "add_one": added.seconds,
            "single": single.seconds,
            "site_mb": site,
            "one_mb": one,
        }
        self.row(f"--versions, {releases} releases from scratch", seconds(first.seconds), runs=[first], median_of=1)
        self.row(
            "  adding an 11th release / one release's clean build",
            f"{added.seconds / single.seconds:.2f}× ({seconds(added.seconds)} / {seconds(single.seconds)})",
            "≤ 1.3×",
            added.seconds / single.seconds <= 1.3,
            [added, single],
            1,
        )
        self.row(f"  {releases + 1} releases + latest on disk / one release", f"{site / one:.2f}× ({site} MB / {one} MB)", "≤ 4×", site / one <= 4)
        self.row("  releases built when one was added", str(built), "1", built == 1, [added])
        for folder in (project, out, self.work / "versions-single"):
            shutil.rmtree(folder, ignore_errors=True)

    # report --------------------------------------------------------------------------------

    def header(self) -> list[str]:
        def git(*words: str) -> str:  # read-only: never refreshes or locks the index
            try:
                return subprocess.run(["git", "--no-optional-locks", *words], cwd=REPO, capture_output=True, text=True, check=False).stdout.strip()
            except OSError:
                return ""

        revision = git("rev-parse", "--short", "HEAD") + (" with uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else "")
        import sphinx

        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        return [
            f"kaderpers speed benchmark — {time.strftime('%Y-%m-%d %H:%M')} — revision {revision or '?'}",
            f"machine: {os.cpu_count()} cores; load average now {load}; Python {sys.version.split()[0]}, Sphinx {sphinx.__version__}",
            f"upstream tree: {self.upstream}; -j {self.args.jobs} for kaderpers and the baseline; repeat {self.args.repeat}",
        ]

    def table(self) -> str:
        width = max(len(r.figure) for r in self.rows) + 2
        value_width = max(len(r.value) for r in self.rows if len(r.value) <= 70) + 2
        target_width = max(len(r.target) for r in self.rows) + 2
        lines = [*self.header(), ""]
        lines.append(f"{'figure':<{width}}{'value':<{value_width}}{'runs':<10}{'target':<{target_width}}{'met':<5}cmd")
        lines.append("-" * (width + value_width + target_width + 21))
        for row in self.rows:
            met = "" if row.met is None else ("yes" if row.met else "NO")
            value = row.value if len(row.value) <= value_width else row.value + "\n" + " " * (width + value_width)
            lines.append(f"{row.figure:<{width}}{value:<{value_width}}{row.runs:<10}{row.target:<{target_width}}{met:<5}{','.join(map(str, row.commands))}")
        lines += ["", "commands ($WORK is " + str(self.work) + "):"]
        lines += [f"  [{i}] {c}" for i, c in enumerate(self.commands, 1)]
        lines += [
            "",
            "normalised before comparing builds: " + "; ".join(f"{k}: {why}" for k, (_, why) in NORMALISERS.items()) + "; everything else byte for byte",
        ]
        lines += [
            f"memory: max RSS = ru_maxrss of the largest single process (wait4); peak = largest sum of PSS over the process group, sampled every {PSS_SECONDS:g} s"
        ]
        if self.notes:
            lines += ["", "notes:", *(f"  - {n}" for n in self.notes)]
        own = resource.getrusage(resource.RUSAGE_SELF)
        lines.append(
            f"\nload average at the end {', '.join(f'{x:.2f}' for x in os.getloadavg())}; total bench time {time.perf_counter() - STARTED:.0f} s"
            f" (of which this script's own CPU, sampling and generating: {own.ru_utime + own.ru_stime:.0f} s)"
        )
        return "\n".join(lines)

    def main(self) -> int:
        progress(f"work folder {self.work}")
        for line in self.header():
            progress(line)
        sections: dict[str, tuple[str, Callable[[], None]]] = {
            "check": ("kaderpers check", self.check),
            "diff": ("kaderpers diff", self.diff),
            "clean": ("clean HTML build vs baseline", self.clean_and_baseline),
            "guards": ("what the guards cost", self.guards),
            "compare": ("clean HTML build with --compare-to", self.compare),
            "incremental": ("incremental rebuild", self.incremental),
            "serve": ("kaderpers serve: save to browser", self.serve),
            "search": ("instant search: quality, speed, size", self.search),
            "pdf": ("PDF edition and handouts", self.pdf),
            "scale": (f"scale 1× vs {self.args.scale:g}×", self.scale),
            "links": (f"check --links: {LINK_COUNT} links on a local server, and Sphinx's linkcheck", self.links),
            "versions": ("releases side by side (--versions)", self.versions),
        }
        for name, (title, section) in sections.items():
            if name == "pdf" and self.args.skip_pdf:
                self.row("PDF edition + handouts", "skipped (--skip-pdf)")
                continue
            if self.args.only and name not in self.args.only:
                continue
            progress(f"== {title}")
            before = code_fingerprint()
            section()
            changed = sorted({name for name, *_ in set(before) ^ set(code_fingerprint())})
            if changed:
                self.notes.append(
                    f"the code changed while '{title}' ran, so its figures mix two versions: {', '.join(changed[:6])}{' …' if len(changed) > 6 else ''}"
                )
        report = self.table()
        print(report)
        if self.args.json:
            self.args.json.write_text(
                json.dumps(
                    {"rows": [asdict(r) for r in self.rows], "commands": self.commands, "results": self.results, "notes": self.notes}, indent=2, default=str
                ),
                encoding="utf-8",
            )
        if self.args.keep:
            progress(f"kept {self.work}")
        elif self.failures:
            for child in self.work.iterdir():
                if child.name != "logs":
                    shutil.rmtree(child, ignore_errors=True)
            progress(f"{self.failures} run(s) failed: kept their logs in {self.work / 'logs'}")
        else:
            shutil.rmtree(self.work, ignore_errors=True)
        return 0


def guard_work(tree: Path, doctrees: Path) -> float:
    """Seconds the build's guards take over ``tree``, its doctrees (from a build) read beforehand."""
    import pickle

    from docutils import nodes
    from sphinx import addnodes

    from kaderpers.core import boundary, limits
    from kaderpers.core.loader import decode, is_page_file
    from kaderpers.core.sanitiser import sanitise, sanitise_start_tag

    tree = tree.resolve()
    doctrees_read = {path.relative_to(doctrees).with_suffix("").as_posix(): pickle.loads(path.read_bytes()) for path in doctrees.rglob("*.doctree")}
    sanitise_start_tag.cache_clear()
    started = time.perf_counter()
    project = boundary.project_root(tree)
    walked = boundary.walk(tree, project)
    for relative in walked.files:
        if is_page_file(relative):
            text, _ = decode((tree / relative).read_bytes(), relative.as_posix())
            limits.limit_nesting(text, 1, relative.as_posix())
    for docname, doctree in doctrees_read.items():
        for raw in doctree.findall(nodes.raw):
            if "html" in raw.get("format", ""):
                sanitise(raw.astext())
        for image in doctree.findall(nodes.image):
            path = tree / image.get("uri", "")
            if boundary.is_local(image.get("uri", "")):
                boundary.inside(path, project) and limits.image_problem(path)
        for download in doctree.findall(addnodes.download_reference):
            boundary.inside(tree / Path(docname).parent / download.get("reftarget", ""), project)
    return time.perf_counter() - started


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--upstream", type=Path, default=REPO.parent / "shared" / "upstream-kader" / "docs", help="the real kader tree (default: ../shared/upstream-kader/docs)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per cheap measurement; the median is reported (default 3)")
    parser.add_argument("--scale", type=float, default=10, help="size of the large generated tree relative to upstream (default 10)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated trees")
    parser.add_argument("--skip-pdf", action="store_true", help="leave out the PDF edition and handouts")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, help="run only these parts (pdf needs clean)")
    parser.add_argument("--jobs", default=BuildRequest.jobs, help=f"-j for kaderpers and the baseline (default: kaderpers' own, {BuildRequest.jobs})")
    parser.add_argument("--build-timeout", type=float, default=900, help="seconds before an HTML build is stopped (default 900)")
    parser.add_argument("--scale-timeout", type=float, default=1800, help="seconds before the large generated build is stopped (default 1800)")
    parser.add_argument("--pdf-timeout", type=float, default=1200, help="seconds before the PDF run is stopped (default 1200)")
    parser.add_argument("--work", type=Path, default=None, help="parent folder for scratch output (default: the system temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (logs, outputs)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON to this file")
    args = parser.parse_args(argv)
    if not (args.upstream / "index.md").is_file():
        parser.error(f"{args.upstream} is not a kader tree (no index.md); pass --upstream")
    if args.repeat < 1 or args.scale <= 1:
        parser.error("--repeat must be at least 1 and --scale more than 1")
    return args


if __name__ == "__main__":
    sys.exit(Bench(parse_arguments()).main())
