"""The content model's selections agree with their definition, record by record."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaderpers.core.loader import load_tree
from kaderpers.core.model import RECORD_KINDS, REFERENCE_FIELDS, TAXONOMY_FIELDS

REPO = Path(__file__).resolve().parents[1]
UPSTREAM = REPO.parent / "shared" / "upstream-kader" / "docs"
FILTER_KEYS = (*TAXONOMY_FIELDS, *REFERENCE_FIELDS, "soort-toepassing", "risicogroep", "categorie")


@pytest.mark.parametrize("tree", [REPO / "content", UPSTREAM], ids=["content", "upstream"])
def test_select_finds_exactly_the_records_that_match_every_filter(tree: Path) -> None:
    """``select`` looks its first filter up in an index; a scan of every record must agree."""
    kader = load_tree(tree).kader
    values = {value for page in kader.pages.values() for key in FILTER_KEYS for value in page.values(key)}
    values |= {page.stem for page in kader.pages.values()} | {"bestaat-niet"}
    compared = 0
    for kind in RECORD_KINDS:
        for key in FILTER_KEYS:
            for value in sorted(values):
                scanned = [page for page in kader.of_kind(kind) if kader.matches(page, key, value)]
                assert kader.select(kind, [(key, value)]) == scanned, (kind, key, value)
                compared += bool(scanned)
        first, second = ("levenscyclus", kader.phases[0].stem), ("rollen", sorted(kader.taxonomy("rollen"))[0])
        both = [page for page in kader.of_kind(kind) if kader.matches(page, *first) and kader.matches(page, *second)]
        assert kader.select(kind, [first, second]) == both
    assert compared > 100  # the comparison covered selections that find records
