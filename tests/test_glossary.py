"""Abbreviations from the glossary file and from pages, and the Woordenlijst."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document

from conftest import make_tree, run_kaderpers
from kaderpers.core.model import Glossary
from kaderpers.sphinxext.glossary import woordenlijst_nodes, wrap_abbreviations

TERMS = {"AI": "Artificiële intelligentie.", "AI-systeem": "Een machinaal systeem.", "AVG": "Algemene verordening gegevensbescherming."}


def paragraph_document(*children: nodes.Node) -> nodes.document:
    document = new_document("<test>", get_default_settings(Parser))
    document += nodes.section("", nodes.title("", "AVG in de titel"), nodes.paragraph("", "", *children))
    return document


def abbreviations(document: nodes.document) -> list[tuple[str, str]]:
    return [(node.astext(), node["explanation"]) for node in document.findall(nodes.abbreviation)]


def test_whole_words_case_sensitive_and_longest_term_first() -> None:
    document = paragraph_document(nodes.Text("Een AI-systeem valt onder de AVG; AVGs, avg en AIX niet, AI wel."))
    count = wrap_abbreviations(document, TERMS)
    assert abbreviations(document) == [
        ("AI-systeem", "Een machinaal systeem."),
        ("AVG", "Algemene verordening gegevensbescherming."),
        ("AI", "Artificiële intelligentie."),
    ]
    assert count == 3
    assert document.astext().endswith("Een AI-systeem valt onder de AVG; AVGs, avg en AIX niet, AI wel."), "the text itself is unchanged"


def test_code_titles_and_existing_abbreviations_are_left_alone() -> None:
    document = paragraph_document(nodes.literal("", "AVG"), nodes.abbreviation("AI", "AI", explanation="eigen"), nodes.Text(" en AVG"))
    wrap_abbreviations(document, TERMS)
    assert abbreviations(document) == [("AI", "eigen"), ("AVG", "Algemene verordening gegevensbescherming.")]
    assert not list(document[0][0].findall(nodes.abbreviation)), "titles are not wrapped"


def test_woordenlijst_nodes_sorted_with_anchors() -> None:
    listing = woordenlijst_nodes(Glossary({"beta": "Twee.", "Alfa": "Een.", "alfa": "Ook een."}))[0]
    assert isinstance(listing, nodes.definition_list)
    terms = [item[0].astext() for item in listing]
    assert terms == ["Alfa", "alfa", "beta"]
    anchors = [item[0]["ids"][0] for item in listing]
    assert len(set(anchors)) == 3 and anchors[2] == "begrip-beta"
    assert listing[2][1].astext() == "Twee."
    assert woordenlijst_nodes(Glossary({}))[0].astext() == "De woordenlijst is leeg."


@pytest.fixture(scope="module")
def own_woordenlijst_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tree with its own Woordenlijst page, and the glossary in the folder above it (the project, with mkdocs.yml)."""
    project = tmp_path_factory.mktemp("glossary-project")
    tree = make_tree(
        project / "docs",
        {
            "index.md": "# Thuis\n\nDe AVG en de WOO.\n\n```\nAVG in code\n```\n",
            "begrippen.md": "---\ntitle: Woordenlijst\n---\n\nAlle begrippen:\n\n```{kader-woordenlijst}\n```\n",
        },
    )
    make_tree(
        project,
        {
            "mkdocs.yml": "site_name: Woordenlijst\n",
            "includes/begrippenlijst.md": "*[AVG]: Algemene verordening gegevensbescherming.\n*[WOO]: Wet open overheid.\n",
        },
    )
    out = tmp_path_factory.mktemp("glossary-build")
    run_kaderpers("build", str(tree), "--out", str(out), "--jobs", "1")
    return out / "html"


def test_glossary_beside_the_tree_applies_to_every_page(own_woordenlijst_site: Path) -> None:
    soup = BeautifulSoup((own_woordenlijst_site / "index.html").read_text("utf-8"), "html.parser")
    article = soup.find("article")
    assert {abbr.get_text(): abbr["title"] for abbr in article.find_all("abbr")} == {
        "AVG": "Algemene verordening gegevensbescherming.",
        "WOO": "Wet open overheid.",
    }
    assert article.find("pre").find("abbr") is None
    assert "*[" not in article.get_text()


def test_a_page_with_the_directive_is_the_woordenlijst(own_woordenlijst_site: Path) -> None:
    page = BeautifulSoup((own_woordenlijst_site / "begrippen.html").read_text("utf-8"), "html.parser")
    assert [dt.get_text(strip=True) for dt in page.select("article dl.kaderpers-woordenlijst dt")] == ["AVG", "WOO"]
    assert not page.select("article dd abbr"), "definitions are not wrapped in their own tooltips"
    assert not (own_woordenlijst_site / "woordenlijst.html").exists(), "one Woordenlijst, not two"
    home = BeautifulSoup((own_woordenlijst_site / "index.html").read_text("utf-8"), "html.parser")
    assert home.select_one("nav.kaderpers-woordenlijst-link a")["href"] == "begrippen.html"
    current = page.select_one("nav.kaderpers-woordenlijst-link a")
    assert current["aria-current"] == "page"
