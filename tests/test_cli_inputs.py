"""Hostile command lines (issue 19): what cannot be built is one clear line and exit 1, never a Sphinx report."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from conftest import REPO, run_kaderpers


def tree_of(base: Path, kind: str) -> Path:
    if kind == "empty":
        (base / "leeg").mkdir()
        return base / "leeg"
    if kind == "no-index":
        (base / "zonder").mkdir()
        (base / "zonder" / "pagina.md").write_text("---\ntitle: Pagina\n---\n# Pagina\n", encoding="utf-8")
        return base / "zonder"
    (base / "pagina.md").write_text("---\ntitle: Pagina\n---\n# Pagina\n", encoding="utf-8")
    return base / "pagina.md"


@pytest.mark.parametrize("kind", ["empty", "no-index", "file"])
def test_build_of_what_is_no_tree_is_one_line_and_exit_1(tmp_path: Path, kind: str) -> None:
    tree = tree_of(tmp_path, kind)
    out = tmp_path / "out"
    result = run_kaderpers("build", str(tree), "--out", str(out), check=False)
    assert result.returncode == 1
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"kaderpers: {tree}"), lines
    assert "index.md" in lines[0]
    assert "Sphinx error" not in result.stderr and "Traceback" not in result.stderr
    assert not (out / "html").exists()


def test_version_prints_the_version_of_the_package() -> None:
    declared = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    result = run_kaderpers("--version")
    assert result.stdout.strip() == f"kaderpers {declared}"
    assert re.fullmatch(r"\d+\.\d+\.\d+", declared)
