"""The instant search's index (site/search.py) and its Dutch text analysis (core/searchtext.py),
read as data: what each stem finds, the codes, the abbreviations both ways, incremental builds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import make_tree, run_kaderpers
from kaderpers.core.searchtext import bracketed_abbreviations, compound_parts, dutch_stem, normal_code, words
from kaderpers.site.search import SearchDocument, build_index


def read_index(site: Path) -> dict:
    header, text = (site / "_static" / "kaderpers-search-index.js").read_text("utf-8").split("\n", 1)
    prefix = "window.kaderpersSearchIndex = "
    assert header.startswith("/* kaderpers search index ") and text.startswith(prefix)
    return json.loads(text[len(prefix) :].rstrip().rstrip(";"))


def document(title: str, body: str = "", *, kind: str = "pagina", file_words: str = "", codes: tuple[str, ...] = ()) -> SearchDocument:
    return SearchDocument(title=title, kind=kind, chip="", codes=codes, file_words=file_words, headings="", summary="", body=f"{title} {body}", sections=())


def finds(index: dict, word: str) -> list[str]:
    """The titles of the documents the stem of ``word`` lists, best score first."""
    postings = index["terms"].get(dutch_stem(word), [])
    pairs = sorted(zip(postings[::2], postings[1::2], strict=False), key=lambda pair: -pair[1])
    return [index["docs"][doc][1] for doc, _ in pairs]


# -- text analysis ------------------------------------------------------------------------------------


def test_words_are_folded_and_inflections_share_a_stem() -> None:
    assert words("Ideeën over AI-systemen") == ["ideeen", "over", "ai", "systemen"]
    assert dutch_stem("maatregelen") == dutch_stem("maatregel")
    assert dutch_stem("werkinstructies") == dutch_stem("werkinstructie")


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("algoritmeregister", ("algoritme", "register")),
        ("verwerkingsregister", ("verwerking", "register")),  # the linking s
        ("kwaliteitsbeheersysteem", ("kwaliteit", "beheer", "systeem")),
        ("register", ()),
        ("beheerder", ()),  # "der" is no word of its own
    ],
)
def test_compounds_split_into_known_words(word: str, parts: tuple[str, ...]) -> None:
    known = {"algoritme", "register", "verwerking", "kwaliteit", "beheer", "systeem"}
    assert compound_parts(word, known.__contains__) == parts


def test_record_codes_have_one_normal_form() -> None:
    assert normal_code("urn:nl:ak:mtr:owp-14") == normal_code("OWP-14") == normal_code("owp-014") == "owp-14"
    assert normal_code("algoritme") is None


def test_abbreviations_in_brackets_are_read_from_their_initials() -> None:
    text = "Doe een Impact Assessment Mensenrechten en Algoritmes (IAMA). Zie ook de wet (AVG) en een Data Protection Impact Assessment (DPIA)."
    assert bracketed_abbreviations(text) == {"IAMA": "Impact Assessment Mensenrechten en Algoritmes", "DPIA": "Data Protection Impact Assessment"}


# -- the index -------------------------------------------------------------------------------------------


def test_a_title_outranks_a_mention_and_a_part_finds_its_compounds() -> None:
    documents = {
        "a": document("Wachtwoorden beheren"),
        "b": document("Iets anders", "Het gaat over wachtwoorden, wachtwoorden en nog eens wachtwoorden beheren."),
        "c": document("Het algoritmeregister"),
        "d": document("Het verwerkingsregister", "Een register van verwerkingen."),
        "e": document("Wat is een algoritme?"),
    }
    index = build_index(documents, {name: f"{name}.html" for name in documents}, {})
    assert finds(index, "wachtwoorden") == ["Wachtwoorden beheren", "Iets anders"]
    assert set(finds(index, "register")) == {"Het algoritmeregister", "Het verwerkingsregister"}
    assert finds(index, "algoritme") == ["Wat is een algoritme?", "Het algoritmeregister"]  # the whole word first


def test_abbreviations_work_both_ways() -> None:
    documents = {
        "kort": document("Over de IAMA"),
        "lang": document("Mensenrechten", "Het Impact Assessment Mensenrechten en Algoritmes helpt."),
        "uitleg": document("Uitleg", "Doe een Impact Assessment Mensenrechten en Algoritmes (IAMA)."),
        "wet": document("De wet", "De Algemene Verordening Gegevensbescherming geldt."),
        "term": document("Aanbieders", "Een aanbieder levert iets."),
    }
    glossary = {"AVG": "Algemene Verordening Gegevensbescherming.", "aanbieder": "Een natuurlijke of rechtspersoon die een AI-systeem ontwikkelt."}
    index = build_index(documents, {name: f"{name}.html" for name in documents}, glossary)
    assert "Mensenrechten" in finds(index, "iama")  # the definition, found by the abbreviation
    assert "Over de IAMA" in finds(index, "mensenrechten")  # and the other way
    assert finds(index, "avg") == ["De wet"]  # from the glossary
    assert "Aanbieders" not in finds(index, "rechtspersoon")  # a definition that is a sentence is no expansion


def test_codes_lead_to_their_record() -> None:
    documents = {"x": document("Een maatregel", kind="maatregel", codes=("owp-14",)), "y": document("Iets over owp")}
    index = build_index(documents, {"x": "x.html", "y": "y.html"}, {})
    assert [index["docs"][doc][0] for doc in index["codes"]["owp-14"]] == ["x.html"]


# -- on the real kader -------------------------------------------------------------------------------------


@pytest.mark.upstream
def test_every_page_of_the_real_kader_is_in_the_index(upstream_site: Path, upstream_pages) -> None:  # noqa: ANN001
    kader, published = upstream_pages
    index = read_index(upstream_site)
    pages = {doc[0].removesuffix(".html"): doc for doc in index["docs"] if doc[2] != "sectie"}
    assert published and not set(published) - set(pages)
    for docname, page in published.items():
        assert pages[docname][1] == page.title, docname
        if page.record_id:
            assert pages[docname][3] == page.short_id and normal_code(page.record_id) in index["codes"], docname
    kinds = {doc[2] for doc in index["docs"]}
    assert kinds == {"vereiste", "maatregel", "hulpmiddel", "pagina", "sectie"}


@pytest.mark.upstream
def test_the_index_is_compact(upstream_site: Path) -> None:
    import gzip

    size = len(gzip.compress((upstream_site / "_static" / "kaderpers-search-index.js").read_bytes()))
    assert 0 < size <= 700_000, size  # with the script and the stemmer within the 1 MB


#: Sphinx's search: its script, the stemmer and the whole index, which only the search page needs.
SPHINX_SEARCH_SCRIPTS = ("searchtools.js", "language_data.js", "searchindex.js")


@pytest.mark.upstream
def test_only_the_search_page_loads_sphinxs_search_index(upstream_site: Path) -> None:
    """The instant search loads its own index on first use; no other page makes the reader download and
    run Sphinx's (pydata's own search as you type would)."""
    from lxml import html

    loaded: dict[str, set[str]] = {}
    for path in upstream_site.rglob("*.html"):
        sources = html.parse(str(path)).xpath("//script/@src")
        loaded[path.relative_to(upstream_site).as_posix()] = {name for name in SPHINX_SEARCH_SCRIPTS for src in sources if src.split("?")[0].endswith(name)}
    assert len(loaded) > 200
    assert loaded.pop("search.html") == set(SPHINX_SEARCH_SCRIPTS)
    assert {page: names for page, names in loaded.items() if names} == {}


def test_an_incremental_edit_updates_the_index_as_a_clean_build_would(tmp_path: Path) -> None:
    from kader_fixture_tree import FILES

    tree = make_tree(tmp_path / "tree", FILES)
    out = tmp_path / "out"
    run_kaderpers("build", str(tree), "--out", str(out), "-j", "1")
    index_file = out / "html" / "_static" / "kaderpers-search-index.js"
    written = index_file.stat().st_mtime_ns
    run_kaderpers("build", str(tree), "--out", str(out), "-j", "1")  # nothing changed: the index is not made again
    assert index_file.stat().st_mtime_ns == written
    page = next(path for path in sorted((tree / "voldoen-aan-wetten-en-regels" / "maatregelen").glob("*.md")) if path.name != "index.md")
    with page.open("a", encoding="utf-8") as handle:
        handle.write("\nDe zoekfunctie vindt nu ook het woord kwartelkoning.\n")
    run_kaderpers("build", str(tree), "--out", str(out), "-j", "1")
    clean = tmp_path / "clean"
    shutil.copytree(tree, tmp_path / "tree2")
    run_kaderpers("build", str(tmp_path / "tree2"), "--out", str(clean), "-j", "1")
    incremental = read_index(out / "html")
    assert incremental == read_index(clean / "html")
    docname = page.relative_to(tree).with_suffix("").as_posix()
    assert [incremental["docs"][doc][0] for doc in incremental["terms"][dutch_stem("kwartelkoning")][::2]] == [f"{docname}.html"]
