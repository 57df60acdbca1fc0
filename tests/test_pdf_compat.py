"""rinohtype's patches (kaderpers.pdf.compat): installed around a PDF build only, undone
afterwards, refused on a rinohtype version they were not written for, and output-neutral
where they say so: the same PDF made with and without them reads the same, page by page."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

pytest.importorskip("rinoh")
pytest.importorskip("pypdf")

from kaderpers.pdf import compat  # noqa: E402
from kaderpers.pdf.compat import PATCHES, patched_rinohtype  # noqa: E402
from pdf_signature import differences, signature  # noqa: E402

pytestmark = pytest.mark.pdf


def current_values() -> dict[str, object]:
    return {patch.name: compat.present_value(patch) for patch in PATCHES}


def test_patches_are_installed_around_the_build_and_undone_after_it() -> None:
    before = current_values()
    with pytest.raises(RuntimeError), patched_rinohtype() as installed:
        assert {patch.name for patch in installed} == set(before)
        during = current_values()
        assert all(during[name] is not before[name] for name in before)
        with patched_rinohtype() as nested:  # nothing is patched twice
            assert current_values() == during and nested == installed
        raise RuntimeError("a failing build")
    assert current_values() == before


def test_an_unknown_rinohtype_is_rendered_unpatched_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    warnings: list[str] = []
    monkeypatch.setattr(compat, "rinohtype_version", lambda: "9.9.9")
    monkeypatch.setattr(compat.logger, "warning", lambda message, *args, **kwargs: warnings.append(message % args))
    before = current_values()
    with patched_rinohtype() as installed:
        assert installed == [] and current_values() == before
    assert len(warnings) == 1 and "9.9.9" in warnings[0] and "0.5.6" in warnings[0]


#: ``python -m sphinx`` that writes the names of the rinohtype patches its PDF builder installed to
#: the file named by its first argument.
SPHINX_RECORDING_PATCHES = """
import contextlib, json, sys
from kaderpers.pdf import builder
from sphinx.cmd.build import main

record, arguments = sys.argv[1], sys.argv[2:]
installing = builder.patched_rinohtype

@contextlib.contextmanager
def recording(wanted):
    with installing(wanted) as installed:
        with open(record, "w", encoding="utf-8") as file:
            json.dump([patch.name for patch in installed], file)
        yield installed

builder.patched_rinohtype = recording
sys.exit(main(arguments))
"""


def test_the_speed_patches_leave_text_links_and_outline_unchanged(construct_build: subprocess.CompletedProcess[str], tmp_path: Path) -> None:
    """The construct tree's edition (every construct, tests/construct_tree.py), as `kaderpers build --all`
    wrote it, against the same edition written on the same environment by rinohtype without the
    output-neutral patches (its own layout passes, style matching, font lookups). Dutch hyphenation
    and the PDF language stay on in both."""
    assert any(patch.neutral for patch in PATCHES)
    out = construct_build.out  # type: ignore[attr-defined]
    patched = out / "pdf" / "algoritmekader.pdf"
    for folder in ("doctrees", "pdf-cache"):
        if (out / folder).is_dir():
            shutil.copytree(out / folder, tmp_path / folder)
    arguments = ["-b", "kaderpers-pdf", "-c", str(REPO), "-d", str(tmp_path / "doctrees"), "-q"]
    settings = ["-D", "kaderpers_pdf_speedups=0", "-D", "kaderpers_pdf_documents=edition"]
    record = tmp_path / "patches.json"
    result = subprocess.run(
        [sys.executable, "-c", SPHINX_RECORDING_PATCHES, str(record), *arguments, *settings, str(construct_build.tree), str(tmp_path / "pdf")],  # type: ignore[attr-defined]
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    # The run without the speed-ups had every other patch, and none of them.
    assert sorted(json.loads(record.read_text("utf-8"))) == sorted(patch.name for patch in PATCHES if not patch.neutral)
    unpatched = tmp_path / "pdf" / "algoritmekader.pdf"
    assert not differences(signature(patched), signature(unpatched))
    assert len(signature(patched).pages) > 20
