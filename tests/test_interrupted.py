"""Interrupted, concurrent and failing builds.

A build is killed (SIGKILL to its whole process group, as the OOM killer or a CI
time-out does) when it prints a given progress line; nothing in the code under
test knows about it. Meanwhile the published site must stay the last complete
one, and a plain rebuild must then equal a clean build: pages, search index,
images, ``kader.json`` and exports.

A small copy of content/ (tests/small_content.py: two phases, one rol, a few records of each kind)
is built once (site and the rol's handout: one handout is enough to kill a layout); each test starts from a copy of that state at the same paths,
as in test_incremental.py. Each kill is checked to land where the test says: the build had not yet
printed the step that follows the kill point.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import frontmatter
import pytest

from conftest import KADERPERS, REPO, differences
from pdf_text import text as pdf_words
from small_content import small_content

pypdf = pytest.importorskip("pypdf")

MAATREGELEN = "voldoen-aan-wetten-en-regels/maatregelen"
NEW_TITLE = "Leg de herziene afspraken over dit algoritme vast"
NEW_TEXT = "Een zin die er bij het bewerken bij kwam."
#: For each kill point, the step that follows it: a build killed there has not printed it yet.
NEXT_STEP = {
    r"reading sources\.\.\. \[": r"pickling environment",
    r"writing output\.\.\. \[": r"generating indices",
    r"generating indices": r"dumping search index",
    r"dumping search index": r"build succeeded",  # Sphinx's last word, before kaderpers publishes
    r"kaderpers-pdf: handouts/\S+: pass 1, page": r"kaderpers-pdf: handouts/\S+: wrote ",
}
#: What a plain message never shows.
TRACEBACK = ("Traceback", "please open an issue", "The full traceback has been saved")


def kaderpers(tree: Path, out: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*KADERPERS, "build", str(tree), "--out", str(out), *options], capture_output=True, text=True, cwd=REPO, env=dict(os.environ, NO_COLOR="1")
    )


def start(tree: Path, out: Path, *options: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*KADERPERS, "build", str(tree), "--out", str(out), *options],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO,
        env=dict(os.environ, NO_COLOR="1", PYTHONUNBUFFERED="1"), start_new_session=True,
    )  # fmt: skip


def wait_for(process: subprocess.Popen[str], pattern: str) -> str:
    """Read the build's output until a line matches; all output so far."""
    seen = []
    assert process.stdout is not None
    for line in process.stdout:
        seen.append(line)
        if re.search(pattern, line):
            return "".join(seen)
    process.wait()
    raise AssertionError(f"the build ended (exit {process.returncode}) without printing {pattern!r}:\n{''.join(seen)[-3000:]}")


def killed_at(tree: Path, out: Path, pattern: str, *options: str) -> None:
    """Run a build and kill it, children included, when it prints a line matching ``pattern``;
    asserts that the kill landed before the step that follows (:data:`NEXT_STEP`)."""
    process = start(tree, out, *options)
    try:
        wait_for(process, pattern)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        rest = process.communicate()[0]  # what the build wrote before it died
    assert process.returncode == -signal.SIGKILL
    assert not re.search(NEXT_STEP[pattern], rest, re.MULTILINE), f"the kill at {pattern!r} landed too late:\n{rest[-3000:]}"


def assert_rebuild_equals(tree: Path, out: Path, clean: Path) -> None:
    result = kaderpers(tree, out)
    assert result.returncode == 0, result.stderr[-3000:]
    assert_same_site(out / "html", clean)


def assert_same_site(site: Path, clean: Path) -> None:
    assert site.is_dir(), f"no site at {site}"
    different = differences(site, clean)
    assert not different, f"the site differs from a clean build in: {different[:20]}"
    # differences() skips the zipped spreadsheets (they hold a time stamp): they must be there, whole.
    files = {p.relative_to(site) for p in site.rglob("*") if p.is_file()}
    assert files == {p.relative_to(clean) for p in clean.rglob("*") if p.is_file()}
    for spreadsheet in (p for p in site.rglob("*") if p.suffix in (".xlsx", ".ods")):
        assert zipfile.ZipFile(spreadsheet).testzip() is None


def set_title(path: Path, title: str) -> None:
    text = path.read_text("utf-8")
    path.write_text(re.sub(r"^title:.*$", f"title: {title}", text, count=1, flags=re.MULTILINE) + f"\n{NEW_TEXT}\n", "utf-8")


def edited_page(tree: Path) -> Path:
    return sorted(p for p in (tree / MAATREGELEN).glob("*.md") if p.stem != "index")[2]


def pdfs(out: Path) -> dict[str, int]:
    """Every PDF under OUT/pdf (hidden files included) with its page count; raises on a broken one."""
    return {str(p.relative_to(out / "pdf")): len(pypdf.PdfReader(p, strict=True).pages) for p in sorted((out / "pdf").rglob("*")) if p.is_file()}


@dataclass
class Workspace:
    tree: Path
    out: Path
    previous: Path  # the pristine site, as published before the test
    edited: Path  # a clean build of the tree after edit()

    def edit(self) -> None:
        set_title(edited_page(self.tree), NEW_TITLE)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("interrupted")
    small_content(root / "tree")
    result = kaderpers(root / "tree", root / "out", "--handouts", "rollen")
    assert result.returncode == 0, result.stderr[-3000:]
    for name in ("tree", "out"):
        shutil.copytree(root / name, root / f"pristine-{name}", symlinks=True)  # copy2 keeps the times Sphinx compares
    set_title(edited_page(root / "tree"), NEW_TITLE)
    result = kaderpers(root / "tree", root / "edited")
    assert result.returncode == 0, result.stderr[-3000:]
    return root


@pytest.fixture
def workspace(pristine: Path) -> Workspace:
    for name in ("tree", "out"):
        shutil.rmtree(pristine / name, ignore_errors=True)
        shutil.copytree(pristine / f"pristine-{name}", pristine / name, symlinks=True)
    return Workspace(pristine / "tree", pristine / "out", pristine / "pristine-out" / "html", pristine / "edited" / "html")


# -- killed builds ---------------------------------------------------------------------------------


@pytest.mark.parametrize("point", [r"writing output\.\.\. \[", r"generating indices"])
def test_a_first_build_killed_publishes_nothing_and_the_next_build_is_complete(workspace: Workspace, point: str) -> None:
    shutil.rmtree(workspace.out)
    killed_at(workspace.tree, workspace.out, point)
    assert not (workspace.out / "html").exists() or not any((workspace.out / "html").iterdir()), "a half-written site was published"
    assert_rebuild_equals(workspace.tree, workspace.out, workspace.previous)


@pytest.mark.parametrize("point", [r"reading sources\.\.\. \[", r"writing output\.\.\. \[", r"dumping search index"])
def test_a_rebuild_killed_leaves_the_previous_site_and_the_next_build_is_complete(workspace: Workspace, point: str) -> None:
    workspace.edit()
    killed_at(workspace.tree, workspace.out, point)
    assert_same_site(workspace.out / "html", workspace.previous)  # the site a web server serves meanwhile
    assert_rebuild_equals(workspace.tree, workspace.out, workspace.edited)


def test_a_site_newer_than_its_saved_state_is_completed_by_the_next_build(workspace: Workspace, pristine: Path) -> None:
    """The site is published before the saved state: a kill between the two leaves this."""
    workspace.edit()
    newer = pristine / "scratch-newer"
    shutil.rmtree(newer, ignore_errors=True)
    shutil.copytree(workspace.out, newer, symlinks=True)
    assert kaderpers(workspace.tree, newer).returncode == 0
    shutil.rmtree(workspace.out / "html")
    shutil.copytree(newer / "html", workspace.out / "html")
    assert_rebuild_equals(workspace.tree, workspace.out, workspace.edited)


def test_a_pdf_build_killed_during_layout_leaves_whole_pdfs(workspace: Workspace) -> None:
    before = pdfs(workspace.out)
    assert before and all(before.values())
    workspace.edit()
    killed_at(workspace.tree, workspace.out, r"kaderpers-pdf: handouts/\S+: pass 1, page", "--handouts", "rollen")
    assert pdfs(workspace.out) == before  # the old PDFs, whole; no half-written file beside them
    result = kaderpers(workspace.tree, workspace.out, "--handouts", "rollen")
    assert result.returncode == 0, result.stderr[-3000:]
    assert pdfs(workspace.out).keys() == before.keys()
    assert_same_site(workspace.out / "html", workspace.edited)
    page = edited_page(workspace.tree)
    (rol,) = frontmatter.load(page)["rollen"]  # the small tree's one rol
    assert NEW_TITLE.split()[-1] in pdf_words(workspace.out / "pdf" / "handouts" / "rollen" / f"{rol}.pdf")


# -- concurrent builds -----------------------------------------------------------------------------


def test_a_second_build_into_the_same_folder_stops_with_a_message(workspace: Workspace) -> None:
    workspace.edit()
    first = start(workspace.tree, workspace.out)
    try:
        wait_for(first, r"reading sources\.\.\. \[")
        os.killpg(first.pid, signal.SIGSTOP)  # paused mid-build, so the second surely starts meanwhile
        second = kaderpers(workspace.tree, workspace.out)
    finally:
        os.killpg(first.pid, signal.SIGCONT)
        first.communicate()
    assert second.returncode == 1, second.stderr[-3000:]
    assert "another build is writing to" in second.stderr and str(workspace.out) in second.stderr
    assert first.returncode == 0
    assert_same_site(workspace.out / "html", workspace.edited)


def test_a_build_into_the_folder_kaderpers_serve_uses_stops_with_a_message(workspace: Workspace) -> None:
    pytest.importorskip("uvicorn")
    server = subprocess.Popen(
        [*KADERPERS, "serve", str(workspace.tree), "--out", str(workspace.out), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO, env=dict(os.environ, NO_COLOR="1", PYTHONUNBUFFERED="1"), start_new_session=True,
    )  # fmt: skip
    try:
        wait_for(server, r"^Serving ")
        build = kaderpers(workspace.tree, workspace.out)
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    assert build.returncode == 1 and "another build is writing to" in build.stderr, build.stderr[-3000:]


# -- write failures --------------------------------------------------------------------------------


@contextmanager
def unwritable(path: Path) -> Iterator[None]:
    """``path`` made unwritable, also for root (who ignores permissions): the immutable flag."""
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
            pytest.skip("chattr +i is not available here")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(mode & ~0o222)
        try:
            yield
        finally:
            path.chmod(mode)


def assert_plain_failure(result: subprocess.CompletedProcess[str], *named: str) -> None:
    assert result.returncode == 1, result.stderr[-3000:]
    output = result.stdout + result.stderr
    assert not any(marker in output for marker in TRACEBACK), output[-3000:]
    message = [line for line in result.stderr.splitlines() if line.startswith("kaderpers: ") and "done in" not in line]
    assert message and all(any(name in line for line in message) for name in named), result.stderr[-3000:]


def test_a_read_only_output_folder_is_one_plain_message(workspace: Workspace) -> None:
    out = workspace.out.parent / "read-only"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    with unwritable(out):
        result = kaderpers(workspace.tree, out)
    assert_plain_failure(result, str(out))


def test_a_page_that_cannot_be_overwritten_is_never_left_stale(workspace: Workspace) -> None:
    workspace.edit()
    page = workspace.out / "html" / edited_page(workspace.tree).relative_to(workspace.tree).with_suffix(".html")
    with unwritable(page):
        result = kaderpers(workspace.tree, workspace.out)
    try:
        if result.returncode == 0:
            assert NEW_TEXT in (workspace.out / "html" / page.relative_to(workspace.out / "html")).read_text("utf-8")
            assert_same_site(workspace.out / "html", workspace.edited)
        else:
            assert_plain_failure(result, page.name)
    finally:
        subprocess.run(["chattr", "-R", "-i", str(workspace.out)], capture_output=True)


def test_a_file_that_cannot_be_written_fails_the_build_and_publishes_nothing(workspace: Workspace) -> None:
    """A folder where the page should go: Sphinx warns and carries on; the build must fail."""
    workspace.edit()
    relative = edited_page(workspace.tree).relative_to(workspace.tree).with_suffix(".html")
    blocker = workspace.out / "html" / relative
    blocker.unlink()
    (blocker / "index.html").mkdir(parents=True)
    snapshot = workspace.out.parent / "scratch-before"
    shutil.rmtree(snapshot, ignore_errors=True)
    shutil.copytree(workspace.out / "html", snapshot)
    result = kaderpers(workspace.tree, workspace.out)
    assert_plain_failure(result, relative.name)
    assert not differences(workspace.out / "html", snapshot)  # the published site was left as it was


def test_an_export_that_cannot_be_written_fails_the_build(workspace: Workspace) -> None:
    """The exports are written by a forked process; its failure must fail the build too."""
    workspace.edit()  # the maatregelen overview lists the edited page: its export is written again
    exports = workspace.out / "html" / "_exports"
    blocker = next(exports.glob(f"{MAATREGELEN.replace('/', '-')}-index-*.xlsx"))
    blocker.unlink()
    (blocker / "x").mkdir(parents=True)
    result = kaderpers(workspace.tree, workspace.out)
    assert_plain_failure(result, blocker.name)
    assert (blocker / "x").is_dir()  # nothing was published


def test_a_state_file_that_cannot_be_written_is_one_plain_message(workspace: Workspace) -> None:
    """A folder where a saved document tree should go: Sphinx raises; no traceback."""
    workspace.edit()
    relative = edited_page(workspace.tree).relative_to(workspace.tree).with_suffix(".doctree")
    blocker = workspace.out / "doctrees" / relative
    blocker.unlink()
    (blocker / "x").mkdir(parents=True)
    result = kaderpers(workspace.tree, workspace.out)
    assert_plain_failure(result, relative.name)
    assert_same_site(workspace.out / "html", workspace.previous)
