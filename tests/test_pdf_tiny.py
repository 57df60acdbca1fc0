"""Tiny trees build every PDF part: the edition (with its traceability appendix and changes),
the handouts per phase and per rol, even when there is nothing to list.

rinohtype cannot lay out a table without rows; such a table prints as one line of text.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import make_tree, run_kaderpers
from pdf_text import pdftotext
from test_pdf import flat

pypdf = pytest.importorskip("pypdf")

pytestmark = pytest.mark.pdf

V = "voldoen-aan-wetten-en-regels"
INDEX = {"index.md": "---\ntitle: Proefkader\n---\n# Proefkader\n\nEen klein kader.\n"}
RECORD = "---\ntitle: {title}\nid: urn:nl:ak:{code}\n{extra}---\n\n# {title}\n\nTekst van {title}.\n"
TWO_RECORDS = {
    f"{V}/vereisten/avg-01-rechtmatig.md": RECORD.format(title="Verwerk rechtmatig", code="ver:avg-01", extra=""),
    f"{V}/maatregelen/2-owp-01-doel.md": RECORD.format(title="Beschrijf het doel", code="mtr:owp-01", extra="vereiste:\n- avg-01-rechtmatig\n"),
}
PHASE = "---\ntitle: Fase {n}, {stem}\n---\n\n# Fase {n}: {stem}\n\n## Vereisten\n\n<!-- list_vereisten levenscyclus/{stem} -->\n\n## Maatregelen\n\n<!-- list_maatregelen levenscyclus/{stem} -->\n"
ROLE = "---\ntitle: {name}\n---\n\n# {name}\n\nDe {name}.\n"
#: Two phases and two rollen; the records name only the first of each, so `implementatie` and `ontwikkelaar` have none.
PHASES_WITHOUT_RECORDS = {
    "levenscyclus/index.md": "---\ntitle: Levenscyclus\n---\n\n# Levenscyclus\n\nDe fasen.\n",
    "levenscyclus/ontwerp.md": PHASE.format(n=2, stem="ontwerp"),
    "levenscyclus/implementatie.md": PHASE.format(n=6, stem="implementatie"),
    "rollen/index.md": "---\ntitle: Rollen\n---\n\n# Rollen\n\nWie doet wat.\n",
    "rollen/jurist.md": ROLE.format(name="jurist"),
    "rollen/ontwikkelaar.md": ROLE.format(name="ontwikkelaar"),
    f"{V}/vereisten/avg-01-rechtmatig.md": RECORD.format(title="Verwerk rechtmatig", code="ver:avg-01", extra="levenscyclus:\n- ontwerp\nrollen:\n- jurist\n"),
    f"{V}/maatregelen/2-owp-01-doel.md": RECORD.format(
        title="Beschrijf het doel", code="mtr:owp-01", extra="levenscyclus:\n- ontwerp\nrollen:\n- jurist\nvereiste:\n- avg-01-rechtmatig\n"
    ),
}
TREES = {
    "index-only": (INDEX, {"algoritmekader.pdf", "wijzigingen.pdf"}),
    "one-vereiste-one-maatregel": ({**INDEX, **TWO_RECORDS}, {"algoritmekader.pdf", "wijzigingen.pdf"}),
    "phase-without-records": (
        {**INDEX, **PHASES_WITHOUT_RECORDS},
        {
            "algoritmekader.pdf",
            "wijzigingen.pdf",
            "handouts/ontwerp.pdf",
            "handouts/implementatie.pdf",
            "handouts/rollen/jurist.pdf",
            "handouts/rollen/ontwikkelaar.pdf",
        },
    ),
}


@pytest.mark.parametrize("name", TREES)
def test_a_tiny_tree_builds_every_pdf(name: str, tmp_path: Path) -> None:
    files, expected = TREES[name]
    tree = make_tree(tmp_path / "tree", files)
    # Compared with itself: the changes part has nothing to list either.
    shutil.copytree(tree, tmp_path / "old")
    result = run_kaderpers("build", str(tree), "--out", str(tmp_path / "out"), "--all", "--compare-to", str(tmp_path / "old"), check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    folder = tmp_path / "out" / "pdf"
    written = {path.relative_to(folder).as_posix() for path in folder.rglob("*.pdf")}
    assert written == expected
    for relative in sorted(written):
        reader = pypdf.PdfReader(folder / relative)
        assert len(reader.pages) >= 1, relative
    edition = flat(pdftotext(folder / "algoritmekader.pdf"))
    assert "Traceerbaarheid" in edition
    if name == "index-only":
        # No vereisten: the traceability matrix has no rows, and says so.
        assert "Geen records." in edition
