"""The benchmark's tree generator (tests/bench/generate.py) writes a valid kader of the asked size."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, run_kaderpers
from kaderpers.core.loader import load_tree
from kaderpers.core.model import PageKind

GENERATOR = REPO / "tests" / "bench" / "generate.py"
RECORDS = (PageKind.VEREISTE, PageKind.MAATREGEL, PageKind.HULPMIDDEL)
_spec = importlib.util.spec_from_file_location("bench_generate", GENERATOR)
generate = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = generate  # dataclasses look their module up there
_spec.loader.exec_module(generate)  # type: ignore[union-attr]

_MD_LINK = re.compile(r"\]\(((?!https?:)[^)\s]+)\)")


@pytest.fixture(scope="module")
def small_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fifth of the upstream kader, written by the command line as the benchmark does."""
    root = tmp_path_factory.mktemp("generated") / "docs"
    result = subprocess.run([sys.executable, str(GENERATOR), str(root), "--scale", "0.2"], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr
    return root


def test_generated_tree_passes_the_checker_without_findings(small_tree: Path) -> None:
    result = run_kaderpers("check", str(small_tree), "--strict")
    assert "0 error(s), 0 warning(s)" in result.stdout


def test_generated_tree_has_the_scaled_number_of_records_and_relations_that_resolve(small_tree: Path) -> None:
    tree = load_tree(small_tree)
    kader = tree.kader
    for kind in RECORDS:
        assert len(kader.of_kind(kind)) == round(generate.DEFAULT_PROFILE.kinds[kind].count * 0.2)
    assert all(not kader.dangling(page) for page in kader.pages.values())
    linked = [m for m in kader.of_kind(PageKind.MAATREGEL) if m.values("vereiste")]
    assert linked, "some maatregelen refer to vereisten"
    for maatregel in linked:
        assert {v.stem for v in kader.related(maatregel, PageKind.VEREISTE)} == set(maatregel.values("vereiste"))
    assert len(kader.phases) == 9
    # Every list directive of every kind, legacy comments and the MyST spelling, is present.
    bodies = "\n".join(tree.bodies.values())
    for marker in (
        "<!-- tags -->",
        "<!-- tags-ai-act -->",
        "<!-- list_vereisten levenscyclus/",
        "<!-- list_maatregelen vereiste/",
        "<!-- list_hulpmiddelen onderwerp/",
        "<!-- list_vereisten_on_maatregelen_page -->",
        "<!-- list_maatregelen_on_hulpmiddelen_page -->",
        "{kader-lijst}",
        "!!! ",
        '??? expander "',
        '<div class="grid cards" markdown>',
        "```mermaid",
        "![",
        "{ .md-button",
    ):
        assert marker in bodies, marker


def test_relative_links_and_images_point_at_files_of_the_tree(small_tree: Path) -> None:
    targets = 0
    for path in small_tree.rglob("*.md"):
        for target in _MD_LINK.findall(path.read_text("utf-8")):
            assert (path.parent / target.split("#")[0]).resolve().is_file(), f"{path.relative_to(small_tree)} → {target}"
            targets += 1
    assert targets > 50


def test_scale_multiplies_the_records_and_the_seed_fixes_the_text(tmp_path: Path) -> None:
    one = generate.generate(tmp_path / "one", 0.1)
    three = generate.generate(tmp_path / "three", 0.3)
    again = generate.generate(tmp_path / "again", 0.1)
    for plural in ("vereisten", "maatregelen", "hulpmiddelen"):
        assert three.counts[plural] == pytest.approx(3 * one.counts[plural], abs=2)
    files = sorted(p.relative_to(one.root) for p in one.root.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again.root) for p in again.root.rglob("*") if p.is_file())
    assert all((one.root / f).read_bytes() == (again.root / f).read_bytes() for f in files)


def test_generated_prose_is_not_copied_from_the_upstream_tree(small_tree: Path, upstream_tree: Path) -> None:
    def sentences(root: Path) -> set[str]:
        found: set[str] = set()
        for path in root.rglob("*.md"):
            for sentence in re.split(r"(?<=[.!?])\s+", path.read_text("utf-8", errors="replace")):
                words = sentence.split()
                if len(words) >= 6 and not sentence.lstrip().startswith(("<!--", "#", "|", "-", "!", "?", "`")):
                    found.add(" ".join(words))
        return found

    generated = sentences(small_tree)
    assert len(generated) > 100
    assert not generated & sentences(upstream_tree)
