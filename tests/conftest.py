"""Shared fixtures: built sites (once per test session), fixture trees and a browser.

Builds are expensive, so each tree is built once per session into a temporary
folder and shared by every test that reads its output.
"""

from __future__ import annotations

import fcntl
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import testing
from kaderpers.folders import PRINT_CACHE_VARIABLE

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"
UPSTREAM = (REPO.parent / "shared" / "upstream-kader" / "docs").resolve()
KADERPERS = [sys.executable, "-m", "kaderpers.cli"]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a kaderpers child process: CI=true makes Sphinx colour its
    messages (and redraw one progress line), and the tests read them as plain text."""
    return dict(os.environ, NO_COLOR="1", **extra)


def run_kaderpers(*arguments: str, check: bool = True, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command line as a user would, capturing its output: in this process (tests/testing.py), or in a
    child process when ``env`` names more environment variables (a hook every process of the build must load)."""
    if env:
        result = subprocess.run([*KADERPERS, *arguments], capture_output=True, text=True, cwd=REPO, env=child_env(**env))
    else:
        result = testing.kaderpers(arguments, cwd=REPO)
    if check and result.returncode != 0:
        raise AssertionError(f"kaderpers {' '.join(arguments)} failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-6000:]}")
    return result


#: Session fixtures that build a whole tree, the most expensive first. Under pytest-xdist
#: (``make test``: ``-n auto --dist loadgroup``) session fixtures are per worker, so every test
#: that needs one of these builds runs on the worker that has it: the real tree's PDFs are built
#: once, not once per worker. The real tree's PDF tests are a group of their own: their worker
#: builds the real tree's site too (the PDFs are laid out on its environment), while another
#: worker runs the tests of the site, so the real tree's work is shared by two workers.
SHARED_BUILDS = ("upstream_pdfs", "upstream_copy", "content_build", "kader_fixture_build", "construct_build")
#: Module groups that take long (seconds in a full run), started right after the shared builds: a worker
#: takes its next group when it is nearly idle, so a long group taken last leaves the other worker waiting.
LONG_MODULES = ("test_interrupted.py", "test_versions.py", "test_dialect_agreement.py", "test_serve.py", "test_promises.py", "test_links.py")


def xdist_group(item: pytest.Item) -> str:
    """The group a test runs in: the first shared build it needs, else its module (module
    fixtures are built once too)."""
    needed = [name for name in SHARED_BUILDS if name in item.fixturenames]
    return needed[0] if needed else item.path.name


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: one worker more than the machine has cores. A worker spends much of its time waiting on
    a child (the PDF layout, Chromium, the command line, a slow link server), and the extra worker uses that
    core meanwhile."""
    return (os.cpu_count() or 1) + 1


@pytest.hookimpl(tryfirst=True)  # before xdist reads the marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under xdist, each test gets its group, and the groups with a shared build come first (in the
    order of SHARED_BUILDS), then the long modules (LONG_MODULES): with ``--no-loadscope-reorder`` the
    workers start with the longest chains, and the small groups fill in around them."""
    if "PYTEST_XDIST_WORKER" not in os.environ:  # the workers collect; a run without xdist keeps its order
        return
    rank = {name: place for place, name in enumerate(SHARED_BUILDS + LONG_MODULES)}
    places: dict[str, int] = {}
    for item in items:
        if (mark := item.get_closest_marker("xdist_group")) is None:
            group = xdist_group(item)
            item.add_marker(pytest.mark.xdist_group(group))
        else:  # a group a test names itself
            group = str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
        places[item.nodeid] = rank.get(group, len(rank))
    items.sort(key=lambda item: places[item.nodeid])


@pytest.fixture
def sphinx_registrations() -> Iterator[None]:
    """For a test that makes Sphinx applications itself: what they register with docutils is taken back
    afterwards (:func:`testing.registrations_kept`)."""
    with testing.registrations_kept():
        yield


@pytest.fixture(scope="session")
def upstream_tree() -> Path:
    if not (UPSTREAM / "index.md").is_file():
        pytest.skip("../shared/upstream-kader is not beside this checkout")
    return UPSTREAM


@pytest.fixture(scope="session", autouse=True)
def shared_print_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every build of the run, in every worker, keeps its print copies in one folder (``KADERPERS_PRINT_CACHE``,
    as the README offers CI): a diagram is drawn in Chromium once per run, not once per build that prints it
    (two Chromium starts, about 1.2 CPU-s in all). A build that tests the drawing or the cache itself takes
    a cache of its own (:func:`own_print_cache`)."""
    folder = shared_root(tmp_path_factory) / "print-cache"
    os.environ[PRINT_CACHE_VARIABLE] = str(folder)
    yield folder
    os.environ.pop(PRINT_CACHE_VARIABLE, None)


@contextmanager
def own_print_cache() -> Iterator[None]:
    """A build inside this block keeps its print copies in its own output folder (OUT/pdf-cache), as a build
    without ``KADERPERS_PRINT_CACHE`` does: it draws every diagram and converts every image itself."""
    shared = os.environ.pop(PRINT_CACHE_VARIABLE, None)
    try:
        yield
    finally:
        if shared is not None:
            os.environ[PRINT_CACHE_VARIABLE] = shared


def build_site(tree: Path, tmp_path_factory: pytest.TempPathFactory, name: str, *options: str) -> subprocess.CompletedProcess[str]:
    """Build ``tree`` with the command line into a fresh folder; ``result.out`` is that folder, ``result.tree`` the tree."""
    out = tmp_path_factory.mktemp(name)
    result = run_kaderpers("build", str(tree), "--out", str(out), *options)
    result.out = out  # type: ignore[attr-defined]
    result.tree = tree  # type: ignore[attr-defined]
    return result


def soup_of(path: Path) -> BeautifulSoup:
    """A built HTML page, parsed."""
    return BeautifulSoup(path.read_text("utf-8"), "html.parser")


@pytest.fixture(scope="session")
def kader_fixture_build(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    """The tree of kader_fixture_tree.py (every list directive), built once per session with ``-j 1``;
    ``result.tree`` is the tree, ``result.out`` the output folder."""
    from kader_fixture_tree import FILES

    tree = make_tree(tmp_path_factory.mktemp("kader-fixture-tree"), FILES)
    result = build_site(tree, tmp_path_factory, "kader-fixture", "-j", "1")
    result.tree = tree  # type: ignore[attr-defined]
    return result


@pytest.fixture(scope="session")
def construct_build(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    """The tree of construct_tree.py (every construct in MyST), built once per session with ``--all``."""
    from construct_tree import construct_tree

    tree = construct_tree(tmp_path_factory.mktemp("pdf-constructs-tree"))
    with own_print_cache():  # test_pdf reads the print copies of this tree's images in OUT/pdf-cache
        return build_site(tree, tmp_path_factory, "pdf-constructs", "--all")


@pytest.fixture(scope="session")
def construct_edition(construct_build: subprocess.CompletedProcess[str]) -> Path:
    return construct_build.out / "pdf" / "algoritmekader.pdf"  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def content_build(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    """content/ built as `make` does: site, PDF edition and handouts."""
    return build_site(CONTENT, tmp_path_factory, "content-build", "--all")


@pytest.fixture(scope="session")
def content_site(content_build: subprocess.CompletedProcess[str]) -> Path:
    """The HTML site of the bundled content/."""
    return content_build.out / "html"  # type: ignore[attr-defined]


SHARED_BESLISHULP = (REPO.parent / "shared" / "beslishulp" / "decision-tree.yaml").resolve()


def shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder every pytest-xdist worker of this run shares (each worker's own base folder is inside it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if "PYTEST_XDIST_WORKER" in os.environ else base


@contextmanager
def made_once(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[tuple[Path, bool]]:
    """``(folder, made)`` for a folder of this run that the first worker to ask makes (``made`` is false:
    make it inside the ``with``) and the other workers wait for and then read (``made`` is true). A session
    fixture is per worker: without this, two workers built the real tree each. A failed making leaves the
    folder unmarked, so the next worker tries again (and reports the same failure)."""
    root = shared_root(tmp_path_factory)
    folder = root / name
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        mark = root / f"{name}.made"
        if not mark.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a half-made folder of a worker that failed
            folder.mkdir()
        yield folder, mark.exists()
        mark.touch()


@pytest.fixture(scope="session")
def upstream_copy(upstream_tree: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the real tree as its repository has it: docs/over-het-algoritmekader/CONTRIBUTING.md
    is a symlink to the repository's own CONTRIBUTING.md (inside the project, beside mkdocs.yml).
    One copy for all workers: ``upstream_build``'s environment names its paths."""
    with made_once(tmp_path_factory, "upstream-copy") as (folder, made):
        project = folder / "kader"
        if not made:
            shutil.copytree(upstream_tree.parent, project)
            for path in [project, *project.rglob("*")]:
                path.chmod(path.stat().st_mode | 0o200)  # the shared copy is read-only
            page = project / "docs" / "over-het-algoritmekader" / "CONTRIBUTING.md"
            if page.is_file() and not page.is_symlink():
                page.rename(project / "CONTRIBUTING.md")
                page.symlink_to(Path("..", "..", "CONTRIBUTING.md"))
    return project / "docs"


@pytest.fixture(scope="session")
def upstream_build(upstream_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    """The real tree built, from the copy with its symlink recreated, with the public beslishulp's
    decision tree when it is beside this checkout. Built once for all workers; the others read the
    command's output from ``result.json``."""
    options = ["--beslishulp", str(SHARED_BESLISHULP)] if SHARED_BESLISHULP.is_file() else []
    with made_once(tmp_path_factory, "upstream-build") as (folder, made):
        record = folder / "result.json"
        if not made:
            out = folder / "out"
            result = run_kaderpers("build", str(upstream_copy), "--out", str(out), *options)
            saved = {"args": result.args, "returncode": result.returncode, "stdout": result.stdout, "stderr": result.stderr}
            record.write_text(json.dumps(saved), "utf-8")
    saved = json.loads(record.read_text("utf-8"))
    result = subprocess.CompletedProcess(saved["args"], saved["returncode"], saved["stdout"], saved["stderr"])
    result.out = folder / "out"  # type: ignore[attr-defined]
    result.tree = upstream_copy  # type: ignore[attr-defined]
    return result


@pytest.fixture(scope="session")
def upstream_site(upstream_build: subprocess.CompletedProcess[str]) -> Path:
    """The HTML site of ../shared/upstream-kader/docs."""
    return upstream_build.out / "html"  # type: ignore[attr-defined]


def rol_stems(tree: Path) -> list[str]:
    """The file names (without ``.md``) of a tree's rol pages, sorted."""
    return sorted(path.stem for path in (tree / "rollen").glob("*.md") if path.name != "index.md")


def upstream_rol_handout(tree: Path) -> str:
    """The rol whose handout the real tree's PDF build lays out: the jurist (the shortest), else the first rol."""
    roles = rol_stems(tree)
    return "jurist" if "jurist" in roles else roles[0]


@pytest.fixture(scope="session")
def upstream_pdfs(upstream_build: subprocess.CompletedProcess[str], upstream_copy: Path) -> Path:
    """The full edition and one rol's handout (:func:`upstream_rol_handout`) of the upstream tree (OUT/pdf),
    on the environment of ``upstream_build`` (from the same copy). Every handout is laid out by the same
    code, and their layout was half of this build: content/'s build and tests/test_promises.py lay out
    every handout, and tests/test_pdf.py checks which records each real handout holds without laying it out.
    Each PDF as laid out, before it was compacted, is kept in OUT/pdf-laid-out (tests/laid_out/sitecustomize.py)."""
    out = upstream_build.out  # type: ignore[attr-defined]
    keep = {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO / "tests" / "laid_out"), os.environ.get("PYTHONPATH")])),
        "KADERPERS_TEST_LAID_OUT": str(out / "pdf-laid-out"),
    }
    handout = f"rollen/{upstream_rol_handout(upstream_copy)}"
    result = run_kaderpers("build", str(upstream_copy), "--out", str(out), "--no-html", "--pdf", "--handouts", handout, env=keep)
    (out / "pdf-build.log").write_text(result.stdout + result.stderr, "utf-8")  # read by tests of the messages
    return out / "pdf"


@pytest.fixture(scope="session")
def upstream_edition(upstream_pdfs: Path) -> Path:
    return upstream_pdfs / "algoritmekader.pdf"


@pytest.fixture(scope="session")
def upstream_pages(upstream_tree: Path, upstream_site: Path):
    """The pages of the upstream tree that the build published, with their titles."""
    from kaderpers.core.loader import load_tree

    kader = load_tree(upstream_tree).kader
    return kader, {d: p for d, p in kader.pages.items() if (upstream_site / f"{d}.html").is_file()}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@functools.cache
def _serve(root: str) -> str:
    handler = functools.partial(_QuietHandler, directory=root)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def serve(root: Path) -> str:
    """Serve a built site on loopback; returns its base URL."""
    return _serve(str(root))


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium driven by Playwright (no browser download)."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed; run `make setup` (installs Debian's chromium)")
    with playwright_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def browser_context(browser: object) -> Iterator[object]:
    """The context the ``page`` of every test opens in, one per worker. A context of its own per test
    started each test's first page with cold caches: about 1.1 CPU-s of Chromium for a page, against
    0.5 in a context that loaded the site before."""
    context = browser.new_context(accept_downloads=True)  # type: ignore[attr-defined]
    yield context
    context.close()


@pytest.fixture(scope="session")
def tabs(browser_context: object) -> object:
    """The worker's tabs (:class:`browser_tabs.Tabs`): a test's tab is handed to the next test, cleaned."""
    from browser_tabs import Tabs

    return Tabs(browser_context)  # type: ignore[arg-type]


@pytest.fixture
def page(tabs: object) -> Iterator[object]:
    """A test's tab, in the worker's context, as a new reader's would be (:meth:`browser_tabs.Tabs.fresh`)."""
    with tabs.fresh() as tab:  # type: ignore[attr-defined]
        yield tab


def comparable(text: str) -> str:
    """Text reduced to its letters and digits, lower case, ligatures unfolded.

    PDF text comes back with ligatures (ﬁ), hyphenation and line breaks anywhere;
    comparing only letters and digits makes HTML, source and PDF text comparable.
    """
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).lower() if ch.isalnum())


def make_tree(root: Path, files: dict[str, str]) -> Path:
    """A small content tree from {relative path: text}."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


#: Zip containers with a creation time inside; their content is covered by the CSV exports.
NOT_REPRODUCIBLE = (".xlsx", ".ods")


def search_index(path: Path) -> dict:
    """The search index without terms that list no page: Sphinx keeps the words of a
    replaced title as empty entries in an incremental build; they find nothing."""
    text = path.read_text("utf-8")
    index = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    for key in ("terms", "titleterms"):
        index[key] = {term: pages for term, pages in index[key].items() if pages != []}
    return index


def same(site: Path, clean: Path, relative: Path) -> bool:
    if not (site / relative).is_file() or not (clean / relative).is_file():
        return False
    if relative.name == "searchindex.js":
        return search_index(site / relative) == search_index(clean / relative)
    return (site / relative).read_bytes() == (clean / relative).read_bytes()


def differences(site: Path, clean: Path) -> list[str]:
    files = {p.relative_to(site) for p in site.rglob("*") if p.is_file()} | {p.relative_to(clean) for p in clean.rglob("*") if p.is_file()}
    return sorted(str(relative) for relative in files if not str(relative).endswith(NOT_REPRODUCIBLE) and not same(site, clean, relative))
