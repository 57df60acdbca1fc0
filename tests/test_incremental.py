"""Incremental builds: an edit reads one page again, writes only the pages that show it,
and leaves a site identical to a clean build.

A small copy of content/ (tests/small_content.py: which pages an edit reaches does not depend on
how many others there are) is built once; each test edits the copy, rebuilds it in place and
builds the same tree clean elsewhere. Which pages were read and written is
taken from Sphinx's own progress lines (``-j 1`` prints one line per page).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

import testing
from conftest import differences
from small_content import small_content

REPO = Path(__file__).resolve().parents[1]
MAATREGELEN = "voldoen-aan-wetten-en-regels/maatregelen"


@dataclass
class Build:
    read: list[str]
    written: list[str]
    output: str


def sphinx_build(tree: Path, out: Path) -> Build:
    # In this process (tests/testing.py), without colour: CI=true or FORCE_COLOR makes Sphinx
    # redraw one progress line instead of printing one per page.
    result = testing.sphinx_build(["-b", "html", "-c", str(REPO), "-j", "1", "-d", str(out / "doctrees"), str(tree), str(out / "html")], cwd=REPO)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return Build(
        read=re.findall(r"^reading sources\.\.\. \[\s*\d+%\] (\S+)$", result.stdout, re.MULTILINE),
        written=re.findall(r"^writing output\.\.\. \[\s*\d+%\] (\S+)$", result.stdout, re.MULTILINE),
        output=result.stdout,
    )


@dataclass
class Workspace:
    tree: Path
    out: Path
    scratch: Path

    def rebuild(self) -> Build:
        return sphinx_build(self.tree, self.out)

    def assert_same_as_clean(self) -> Path:
        clean = self.scratch / f"clean-{len(list(self.scratch.iterdir()))}"
        sphinx_build(self.tree, clean)
        different = differences(self.out / "html", clean / "html")
        assert not different, f"the incremental site differs from a clean build in: {different[:20]}"
        return clean / "html"

    def page(self, docname: str) -> Path:
        return self.tree / f"{docname}.md"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small copy of content/ made and built once; each test starts from a copy of this state at the same paths
    (Sphinx starts afresh when the source folder moves), so a failure cannot leak into the next test."""
    root = tmp_path_factory.mktemp("incremental")
    small_content(root / "tree")
    first = sphinx_build(root / "tree", root / "out")
    assert len(first.read) == len([p for p in (root / "tree").rglob("*.md") if not p.relative_to(root / "tree").as_posix().startswith("includes/")])
    for name in ("tree", "out"):
        shutil.copytree(root / name, root / f"pristine-{name}")  # copy2 keeps the times Sphinx compares
    return root


@pytest.fixture
def workspace(pristine: Path) -> Workspace:
    for name in ("tree", "out", "scratch"):
        shutil.rmtree(pristine / name, ignore_errors=True)
    for name in ("tree", "out"):
        shutil.copytree(pristine / f"pristine-{name}", pristine / name)
    (pristine / "scratch").mkdir()
    return Workspace(pristine / "tree", pristine / "out", pristine / "scratch")


def maatregelen(tree: Path) -> list[str]:
    return sorted(p.relative_to(tree).with_suffix("").as_posix() for p in (tree / MAATREGELEN).glob("*.md") if p.stem != "index")


def set_title(path: Path, title: str) -> None:
    text = path.read_text("utf-8")
    path.write_text(re.sub(r"^title:.*$", f"title: {title}", text, count=1, flags=re.MULTILINE), "utf-8")


def test_nothing_changed_nothing_rebuilt(workspace: Workspace) -> None:
    build = workspace.rebuild()
    assert build.read == [] and build.written == []


def test_editing_the_text_of_a_page_rebuilds_that_page(workspace: Workspace) -> None:
    docname = maatregelen(workspace.tree)[1]
    with workspace.page(docname).open("a", encoding="utf-8") as handle:
        handle.write("\nEen zin die er bij het bewerken bij kwam.\n")
    build = workspace.rebuild()
    assert build.read == [docname]
    # Nothing else shows the text (Sphinx would also write the page whose hidden toctree lists it).
    assert build.written == [docname]
    clean = workspace.assert_same_as_clean()
    assert "Een zin die er bij het bewerken bij kwam." in (clean / f"{docname}.html").read_text("utf-8")


def test_a_new_title_rewrites_exactly_the_pages_that_show_it(workspace: Workspace) -> None:
    docname = maatregelen(workspace.tree)[2]
    title = "Leg de herziene afspraken over dit algoritme vast"
    set_title(workspace.page(docname), title)
    site = workspace.out / "html"
    before = {path: path.stat().st_mtime_ns for path in site.rglob("*.html")}
    build = workspace.rebuild()
    # Pages of html-collect-pages (the checklist, the traceability page) are written by every
    # build and Sphinx logs no line for them: their new modification time shows the write.
    rewritten = {path.relative_to(site).with_suffix("").as_posix() for path, mtime in before.items() if path.stat().st_mtime_ns != mtime}
    assert build.read == [docname]
    clean = workspace.assert_same_as_clean()
    # Every page that shows the title (section sidebar, tables, previous/next links) was written, and no other.
    showing = sorted(
        p.relative_to(clean).with_suffix("").as_posix()
        for p in clean.rglob("*.html")
        if not p.relative_to(clean).parts[0].startswith("_") and p.name not in ("search.html", "genindex.html") and title in p.read_text("utf-8")
    )
    # The maatregelen hide their navigation (as in MkDocs-Material): their sidebars do not list it.
    assert f"{MAATREGELEN}/index" in showing and len(set(maatregelen(workspace.tree)) & set(showing)) < 5
    missing = set(showing) - set(build.written) - rewritten
    assert not missing, f"pages that show the new title but were not written: {sorted(missing)}"
    # Nothing else is written: not even the pages whose hidden toctree lists a page that was.
    extra = set(build.written) - set(showing)
    assert not extra, f"written without showing the title: {sorted(extra)}"


def test_adding_and_removing_a_page_updates_its_section(workspace: Workspace) -> None:
    existing = maatregelen(workspace.tree)
    source = workspace.page(existing[0]).read_text("utf-8")
    new = f"{MAATREGELEN}/8-uit-99-nieuwe-maatregel"
    text = re.sub(r"^id:.*$", "id: urn:nl:ak:mtr:uit-99", source, count=1, flags=re.MULTILINE)
    workspace.page(new).write_text(text, "utf-8")
    set_title(workspace.page(new), "Een maatregel die net is toegevoegd")
    build = workspace.rebuild()
    assert sorted(build.read) == sorted([new, f"{MAATREGELEN}/index"])  # the parent lists it in its toctree
    assert f"{MAATREGELEN}/index" in build.written
    # The neighbours' previous/next links; the maatregelen show no section sidebar, so not all of them.
    assert 0 < len(set(existing) & set(build.written)) < len(existing) - 2
    workspace.assert_same_as_clean()

    workspace.page(new).unlink()
    build = workspace.rebuild()
    assert build.read == [f"{MAATREGELEN}/index"]
    assert 0 < len(set(existing) & set(build.written)) < len(existing) - 2
    assert not (workspace.out / "html" / f"{new}.html").exists()  # no stale page left behind
    workspace.assert_same_as_clean()
