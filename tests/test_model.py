"""The content model's selections agree with their definition, record by record.

The expected records are worked out here from the files' own front matter (read
with PyYAML), not with the model's ``matches``: a filter holds when the value is
listed under the key, and a reference filter (``vereiste/x``) when either record
names the other.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from kaderpers.core.loader import load_tree
from kaderpers.core.model import FOLDERS, RECORD_KINDS, REFERENCE_FIELD_OF, REFERENCE_FIELDS, TAXONOMY_FIELDS, PageKind

REPO = Path(__file__).resolve().parents[1]
UPSTREAM = REPO.parent / "shared" / "upstream-kader" / "docs"
FILTER_KEYS = (*TAXONOMY_FIELDS, *REFERENCE_FIELD_OF.values(), "soort-toepassing", "risicogroep", "categorie")


def front_matter(path: Path) -> dict:
    text = path.read_text("utf-8-sig").replace("\r\n", "\n")
    if not text.startswith("---\n"):
        return {}
    try:
        data = yaml.safe_load(text[4 : text.find("\n---", 4)])
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def listed(data: dict, key: str) -> set[str]:
    value = data.get(key)
    items = value if isinstance(value, list) else [value]
    return {str(item).strip() for item in items if isinstance(item, (str, int, float)) and not isinstance(item, bool) and str(item).strip()}


def records(tree: Path) -> dict[PageKind, dict[str, dict]]:
    """Front matter of every record, by kind and file stem."""
    found: dict[PageKind, dict[str, dict]] = {kind: {} for kind in RECORD_KINDS}
    for folder, kind in FOLDERS.items():
        if kind in found:
            found[kind] = {path.stem: front_matter(path) for path in (tree / folder).glob("*.md") if path.stem != "index"}
    return found


def values_by_key(found: dict[PageKind, dict[str, dict]]) -> dict[PageKind, dict[str, dict[str, set[str]]]]:
    """The listed values of every filter key, per record."""
    return {kind: {stem: {key: listed(data, key) for key in FILTER_KEYS} for stem, data in pages.items()} for kind, pages in found.items()}


def linked(found: dict[PageKind, dict[str, dict]]) -> set[tuple[PageKind, str, PageKind, str]]:
    """(kind, stem, kind, stem) for every pair of records where one names the other, both ways."""
    pairs = set()
    for kind, pages in found.items():
        for stem, data in pages.items():
            for key, target_kind in REFERENCE_FIELDS.items():
                folded = {name.lower(): name for name in found[target_kind]}
                for target in listed(data, key):
                    name = target if target in found[target_kind] else folded.get(target.lower())
                    if name is not None:
                        pairs |= {(kind, stem, target_kind, name), (target_kind, name, kind, stem)}
    return pairs


def holding(keyed: dict[PageKind, dict[str, dict[str, set[str]]]], pairs: set) -> dict[tuple[PageKind, str, str], set[str]]:
    """(kind, key, value) → the stems of the records of that kind for which the filter ``key/value`` holds."""
    reference_fields = set(REFERENCE_FIELD_OF.values())
    found: dict[tuple[PageKind, str, str], set[str]] = defaultdict(set)
    for kind, pages in keyed.items():
        for stem, data in pages.items():
            for key, values in data.items():
                if key not in reference_fields:
                    for value in values:
                        found[kind, key, value].add(stem)
    for kind, stem, other_kind, other in pairs:
        found[kind, REFERENCE_FIELD_OF[other_kind], other].add(stem)
    return found


@pytest.mark.parametrize("tree", [REPO / "content", UPSTREAM], ids=["content", "upstream"])
def test_select_finds_exactly_the_records_that_match_every_filter(tree: Path) -> None:
    if not (tree / "index.md").is_file():
        pytest.skip(f"{tree} is not here")
    kader = load_tree(tree).kader
    found = records(tree)
    pairs = linked(found)
    keyed = values_by_key(found)
    holds = holding(keyed, pairs)
    values = {value for pages in keyed.values() for data in pages.values() for key in FILTER_KEYS for value in data[key]}
    values |= {stem for pages in found.values() for stem in pages} | {"bestaat-niet"}
    compared = 0
    for kind in RECORD_KINDS:
        order = [page.stem for page in kader.of_kind(kind)]
        assert sorted(order) == sorted(found[kind])
        first, second = ("levenscyclus", kader.phases[0].stem), ("rollen", sorted(kader.taxonomy("rollen"))[0])
        for filters in [*([(key, value)] for key in FILTER_KEYS for value in sorted(values)), [first, second]]:
            selected = [page.stem for page in kader.select(kind, filters)]
            wanted = set.intersection(*(holds.get((kind, key, value), set()) for key, value in filters))
            assert sorted(selected) == sorted(wanted), (kind, filters)
            assert selected == [stem for stem in order if stem in wanted], f"{kind} {filters}: not in table order"
            compared += bool(wanted)
    assert compared > 100  # the comparison covered selections that find records


def test_phases_numbered_from_one_sort_before_values_that_name_no_phase(tmp_path: Path) -> None:
    """A kader may number its phases 1 to N; its last phase is still a phase, and an unknown value sorts after it."""
    from conftest import make_tree

    phase = "---\ntitle: Fase {n}, {name}\n---\n# {name}\n"
    files = {"index.md": "---\ntitle: Kader\n---\n# Kader\n"}
    for n, name in enumerate(("Begin", "Midden", "Einde"), start=1):
        files[f"levenscyclus/{name.lower()}.md"] = phase.format(n=n, name=name)
    kader = load_tree(make_tree(tmp_path / "tree", files)).kader
    assert [p.stem for p in kader.phases] == ["begin", "midden", "einde"]
    assert all(kader.is_phase(p.stem) for p in kader.phases) and not kader.is_phase("elders")
    assert sorted(["elders", "einde", "begin"], key=kader.phase_order) == ["begin", "einde", "elders"]
