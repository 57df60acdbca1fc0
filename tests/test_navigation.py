"""The navigation: mkdocs.yml ``nav:`` in the forms real trees use, and the default without one.

Unit tests build the navigation from a list of documents and a nav file; the
tests at the end check it on the real tree's mkdocs.yml and in the built site.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kaderpers.sphinxext.navigation import RestEntry, build_navigation, find_nav_file


def nav_of(tmp_path: Path, docnames: set[str], nav: list[object] | None, titles: dict[str, str] | None = None):
    nav_file = None
    if nav is not None:
        nav_file = tmp_path / "mkdocs.yml"
        nav_file.write_text(yaml.safe_dump({"site_name": "x", "nav": nav}, allow_unicode=True), encoding="utf-8")
    return build_navigation(docnames, titles or {}, nav_file)


def children(navigation, docname: str) -> list[str]:
    return [entry.docname for entry in navigation.children.get(docname, [])]


def titles(navigation, docname: str) -> list[str | None]:
    return [entry.title for entry in navigation.children.get(docname, [])]


def test_sections_pages_titles_and_index_heads(tmp_path: Path) -> None:
    docs = {"index", "a/index", "a/een", "a/twee", "b/index", "b/x"}
    nav = nav_of(
        tmp_path,
        docs,
        [
            {"Home": "index.md"},
            {"Deel A": ["a/twee.md", "a/index.md", {"Eerste": "a/een.md"}]},
            {"Deel B": [{"Overzicht": "b/index.md"}, "b/x.md", {"Extern": "https://example.org/"}]},
        ],
    )
    assert children(nav, "index") == ["a/index", "b/index"]
    assert titles(nav, "index") == ["Deel A", "Deel B"]  # a section's index page takes the section title
    assert children(nav, "a/index") == ["a/twee", "a/een"]
    assert titles(nav, "a/index") == [None, "Eerste"]
    assert children(nav, "b/index") == ["b/x"]  # the external link is left out
    assert nav.order == ["index", "a/index", "a/twee", "a/een", "b/index", "b/x"]


def test_rest_glob_takes_what_explicit_entries_leave_in_natural_order(tmp_path: Path) -> None:
    docs = {"index", "o/index", "o/b", "o/a", "o/a10", "o/a2", "o/sub/diep", "p/q"}
    nav = nav_of(tmp_path, docs, [{"O": ["o/index.md", "... | o/*.md", "o/b.md"]}])
    # o/b is named explicitly after the rest entry, yet the rest does not take it;
    # `*` stays inside the folder, so o/sub/diep is not matched: it is hung under
    # the nearest folder head afterwards, like every page the nav leaves out.
    assert children(nav, "o/index") == ["o/a", "o/a2", "o/a10", "o/b", "o/sub/diep"]
    assert children(nav, "index") == ["o/index", "p/q"]


@pytest.mark.parametrize(
    ("entry", "path", "matches"),
    [
        ("...", "x/y.md", True),
        ("... | o/*.md", "o/a.md", True),
        ("... | o/*.md", "o/sub/a.md", False),
        ("... | glob=o/**/*.md", "o/sub/a.md", True),
        ("... | glob=o/**/*.md", "o/a.md", True),
        ("... | regex=^o/a\\d+\\.md$", "o/a10.md", True),
        ("... | regex=^o/a\\d+\\.md$", "o/ab.md", False),
        ("... | flat | o/*.md", "o/a.md", True),
    ],
)
def test_rest_entry_patterns(entry: str, path: str, matches: bool) -> None:
    rest = RestEntry.parse(entry)
    assert rest is not None
    assert rest.matches(path) is matches


def test_rest_entry_flat_and_not_a_rest() -> None:
    assert RestEntry.parse("... | flat").flat is True
    assert RestEntry.parse("... | o/*.md").flat is False
    assert RestEntry.parse("o/a.md") is None


def test_plain_rest_comes_after_pattern_rests_and_keeps_folders(tmp_path: Path) -> None:
    docs = {"index", "x", "y", "s/index", "s/p", "t/index", "t/q"}
    nav = nav_of(tmp_path, docs, ["index.md", "...", {"T": ["t/index.md", "... | t/*.md"]}])
    # `...` is filled last, so t/q stays in its own section; s/p goes under s/index, not flat.
    assert children(nav, "t/index") == ["t/q"]
    assert children(nav, "s/index") == ["s/p"]
    assert children(nav, "index") == ["s/index", "x", "y", "t/index"]


def test_flat_rest_lists_nested_pages_itself(tmp_path: Path) -> None:
    docs = {"index", "s/index", "s/p"}
    nav = nav_of(tmp_path, docs, ["index.md", "... | flat"])
    assert children(nav, "index") == ["s/index", "s/p"]


def test_unlisted_pages_hang_under_their_folder_head(tmp_path: Path) -> None:
    docs = {"index", "a/index", "a/x", "over/over", "over/privacy", "over/cookies", "los"}
    nav = nav_of(tmp_path, docs, ["index.md", {"A": ["a/index.md"]}])
    assert children(nav, "a/index") == ["a/x"]
    # A folder without index.md is headed by the page named after the folder.
    assert children(nav, "over/over") == ["over/cookies", "over/privacy"]
    assert children(nav, "index") == ["a/index", "los", "over/over"]
    assert sorted(nav.order) == sorted(docs)


def test_missing_page_in_nav_is_reported_and_skipped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    docs = {"index", "a"}
    with caplog.at_level("WARNING"):
        nav = nav_of(tmp_path, docs, ["index.md", "weg.md", "a.md"])
    assert children(nav, "index") == ["a"]
    assert any("weg.md" in record.getMessage() and "not in the tree" in record.getMessage() for record in caplog.records)


def test_default_navigation_order_and_phases(tmp_path: Path) -> None:
    docs = {
        "index",
        "levenscyclus/index",
        "levenscyclus/over",
        "levenscyclus/ontwerp",
        "levenscyclus/uitfaseren",
        "levenscyclus/probleemanalyse",
        "onderwerpen/index",
        "onderwerpen/data",
        "rollen/index",
        "rollen/jurist",
        "voldoen-aan-wetten-en-regels/index",
        "voldoen-aan-wetten-en-regels/vereisten/index",
        "voldoen-aan-wetten-en-regels/vereisten/avg-01",
        "voldoen-aan-wetten-en-regels/maatregelen/index",
        "voldoen-aan-wetten-en-regels/maatregelen/1-pba-01",
        "voldoen-aan-wetten-en-regels/hulpmiddelen/index",
        "extra",
    }
    phase_titles = {
        "levenscyclus/over": "Over de levenscyclus",
        "levenscyclus/ontwerp": "Fase 2: Ontwerp",
        "levenscyclus/uitfaseren": "Fase 8, uitfaseren",
        "levenscyclus/probleemanalyse": "Fase 1 - probleemanalyse",
    }
    nav = nav_of(tmp_path, docs, None, phase_titles)
    assert titles(nav, "index")[:6] == ["Levenscyclus", "Onderwerpen", "Rollen", "Vereisten", "Maatregelen", "Hulpmiddelen"]
    assert children(nav, "index")[6:] == ["extra", "voldoen-aan-wetten-en-regels/index"]  # then the rest
    assert children(nav, "levenscyclus/index") == [
        "levenscyclus/over",
        "levenscyclus/probleemanalyse",
        "levenscyclus/ontwerp",
        "levenscyclus/uitfaseren",
    ]
    assert sorted(nav.order) == sorted(docs)


def test_nav_file_is_found_beside_or_above_the_tree(tmp_path: Path) -> None:
    tree = tmp_path / "docs"
    tree.mkdir()
    assert find_nav_file(tree) is None
    (tmp_path / "mkdocs.yml").write_text("nav: []\n", encoding="utf-8")
    assert find_nav_file(tree) == tmp_path / "mkdocs.yml"
    (tree / "mkdocs.yml").write_text("nav: []\n", encoding="utf-8")
    assert find_nav_file(tree) == tree / "mkdocs.yml"


def test_mkdocs_tags_and_bad_yaml_do_not_break_the_build(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text(
        "nav:\n  - index.md\n  - a.md\nmarkdown_extensions:\n  - x:\n      f: !!python/name:pkg.func\nextra:\n  e: !ENV [X, true]\n",
        encoding="utf-8",
    )
    nav = build_navigation({"index", "a"}, {}, tmp_path / "mkdocs.yml")
    assert children(nav, "index") == ["a"]
    (tmp_path / "mkdocs.yml").write_text("nav: [unclosed\n", encoding="utf-8")
    nav = build_navigation({"index", "a"}, {}, tmp_path / "mkdocs.yml")  # falls back to the default
    assert children(nav, "index") == ["a"]


# -- the real tree ---------------------------------------------------------------------------


def upstream_docnames(tree: Path) -> set[str]:
    return {
        path.relative_to(tree).with_suffix("").as_posix()
        for path in tree.rglob("*.md")
        if not path.relative_to(tree).as_posix().startswith(("includes/", "templates/"))
    }


@pytest.mark.upstream
def test_upstream_nav_places_every_page_once_in_nav_order(upstream_tree: Path) -> None:
    docs = upstream_docnames(upstream_tree)
    nav_file = find_nav_file(upstream_tree)
    assert nav_file is not None
    nav = build_navigation(docs, {}, nav_file)
    assert sorted(nav.order) == sorted(docs)
    assert len(nav.order) == len(set(nav.order))
    raw = yaml.safe_load(nav_file.read_text("utf-8").split("\n# Extra opties")[0])["nav"]
    sections = [next(iter(item)) for item in raw if isinstance(item, dict) and isinstance(next(iter(item.values())), list)]
    assert titles(nav, "index")[: len(sections)] == sections
    # `... | onderwerpen/*.md` lists every other onderwerp page, in file-name order.
    expected = sorted(d for d in docs if d.startswith("onderwerpen/") and d != "onderwerpen/index")
    assert children(nav, "onderwerpen/index") == expected
    # The levenscyclus keeps the explicit order of the file, not the alphabet.
    assert children(nav, "levenscyclus/index")[:3] == [
        "levenscyclus/over-de-levenscyclus",
        "levenscyclus/organisatieverantwoordelijkheden",
        "levenscyclus/probleemanalyse",
    ]
    maatregelen = children(nav, "voldoen-aan-wetten-en-regels/maatregelen/index")
    assert len(maatregelen) == len([d for d in docs if d.startswith("voldoen-aan-wetten-en-regels/maatregelen/")]) - 1
