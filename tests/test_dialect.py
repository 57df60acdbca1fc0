"""The MkDocs-Material dialect, construct by construct, on a small tree built with kaderpers.

One HTML build and one text build (a builder without raw HTML) of the fixture
tree are shared by the module; each test reads the output with BeautifulSoup.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import testing
from conftest import REPO, build_site, make_tree, soup_of
from kaderpers.core.dialect import translate_blocks
from kaderpers.core.slugs import mkdocs_slug
from kaderpers.dialect.inline import translate_inline
from test_check import VEREISTE  # a valid vereiste with its chips and a list of its own

HOME = """---
title: Startpagina van de proef
---

Intro over de AVG.

!!! example "Een voorbeeld"

\tDeze tekst is met een tab ingesprongen :material-arrow-right: verder.

\t- eerste punt in de admonition
\t- tweede punt in de admonition

!!! note

    Opmerking zonder eigen titel.

!!! mijn-eigen-soort "Eigen soort"
    Tekst van een eigen soort.

!!! info ""
    Tekst zonder titelbalk.

??? expander "Bekijk de vereisten"
    <!-- list_vereisten no-rol no-levenscyclus no-onderwerp no-search -->
    Tekst onder het uitklapblok.

???+ tip "Al open"
    Tekst die meteen zichtbaar is.

=== "Eerste tab"

    Inhoud van tab een.

    !!! warning "Genest in tab"
        Waarschuwing binnen een tab.

=== "Tweede tab"

    Inhoud van tab twee.

Tekst na de tabs.

<div class="grid cards" markdown>

-   ## [Naar de subpagina](sub/pagina.md)

    ---

    Kaarttekst van de eerste kaart.

-   :fontawesome-solid-paper-plane: **Tweede kaart**

    ---

    Kaarttekst van de tweede kaart.

</div>

## Verborgen voor zoeken { data-search-exclude }

Het woord zoekvreemdwoord staat alleen hier.

## Gewone sectie

Het woord zoekgewoonwoord staat hier.

[Naar de subpagina](sub/pagina.md){ .md-button .md-button--primary }

/// html | div[style='float: left; width: 50%;']

## Kop in een html-blok

Tekst in een html-blok.

///

/// html | div.kader-kolom

Tekst in een blok met klasse.

///

/// html | div[style='clear: both;']
///

Tekst met een voetnoot[^1] en een code `:material-arrow-right:` die blijft.

[^1]: De tekst van de voetnoot.

*[PROEF]: Een eigen afkorting van deze pagina

De PROEF staat hier, maar PROEFJE en proef niet.

```mermaid
flowchart TD
  A[Start] --> B[Einde]
  click B href "../sub/pagina"
```

<div class="ruw-blok">
<p>Ruwe tekst met een <a href="sub/pagina/">ruwe link</a> erin.</p>
</div>

Inline <a href="#" onclick="alert(1)">met handler</a> en <a href="sub/pagina.md#kop-een">inline link</a> hier.

Een onbekend icoon :material-bestaat-niet: verdwijnt.
"""

SUB = """---
title: Een subpagina
---

Geen H1 op deze pagina; de titel komt uit de front matter.

## Kop één

Zie [terug](../index.md), [de kop](pagina.md#kop-een) en [kapot](bestaat-niet.md).

<a href="../nergens/">ruwe link die nergens heen gaat</a>
"""

GLOSSARY = """*[AVG]: Algemene verordening gegevensbescherming.
*[AI-systeem]: Een machinaal systeem dat zelfstandig werkt.
"""

FILES = {
    "index.md": HOME,
    "sub/pagina.md": SUB,
    "voldoen-aan-wetten-en-regels/vereisten/avg-01-rechtmatig.md": VEREISTE,
    "levenscyclus/ontwerp.md": "---\ntitle: Fase 2, ontwerp\n---\n\n# Fase 2: Ontwerp\n\nTekst.\n",
    "onderwerpen/privacy.md": "---\ntitle: Privacy\n---\n\n# Privacy\n",
    "rollen/jurist.md": "---\ntitle: Jurist\n---\n\n# Jurist\n",
    "includes/begrippenlijst.md": GLOSSARY,
}


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tree(tmp_path_factory.mktemp("dialect-tree"), FILES)


@pytest.fixture(scope="module")
def build(tree: Path, tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    return build_site(tree, tmp_path_factory, "dialect-build", "--jobs", "1")


@pytest.fixture(scope="module")
def site(build: subprocess.CompletedProcess[str]) -> Path:
    return build.out / "html"  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def warnings(build: subprocess.CompletedProcess[str]) -> str:
    return build.stdout + build.stderr


@pytest.fixture(scope="module")
def home(site: Path) -> BeautifulSoup:
    return article(site / "index.html")


@pytest.fixture(scope="module")
def text_output(tree: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The same tree through Sphinx's text builder: a builder that drops raw HTML."""
    out = tmp_path_factory.mktemp("dialect-text")
    result = testing.sphinx_build(["-b", "text", "-q", "-c", str(REPO), str(tree), str(out)], cwd=REPO)
    assert result.returncode == 0, result.stderr[-3000:]
    return (out / "index.txt").read_text("utf-8")


def article(path: Path) -> BeautifulSoup:
    soup = soup_of(path)
    found = soup.find("article") or soup.find("main")
    assert found is not None, f"{path} has no article"
    return found


def heading_text(heading: BeautifulSoup) -> str:
    """A heading's text without its permalink."""
    for link in heading.select("a.headerlink"):
        link.extract()
    return heading.get_text(" ", strip=True)


def words(node: BeautifulSoup) -> str:
    return " ".join(node.get_text(" ").split())


# -- translation keeps lines -----------------------------------------------------------------


def test_translation_keeps_line_numbers_when_blocks_are_followed_by_blank_lines() -> None:
    lines = HOME.split("\n")
    translated = translate_inline(translate_blocks(lines))
    assert len(translated) == len(lines)
    # a line after every construct still holds its own text at its own index
    index = lines.index("Tekst na de tabs.")
    assert translated[index] == "Tekst na de tabs."


def test_build_has_no_errors(warnings: str) -> None:
    assert "ERROR" not in warnings, warnings[-3000:]


def test_unknown_icon_warning_names_the_line_the_editor_wrote(warnings: str) -> None:
    line = HOME.split("\n").index("Een onbekend icoon :material-bestaat-niet: verdwijnt.") + 1
    assert re.search(rf"index\.md:{line}: WARNING: unknown icon :material-bestaat-niet:", warnings), warnings[-3000:]


# -- admonitions and collapsibles -------------------------------------------------------------


def test_admonitions_of_every_type_with_and_without_title(home: BeautifulSoup) -> None:
    example = home.select_one("div.admonition.example")
    assert example is not None
    assert example.select_one(".admonition-title").get_text(strip=True) == "Een voorbeeld"
    assert [li.get_text(strip=True) for li in example.select("li")] == ["eerste punt in de admonition", "tweede punt in de admonition"]
    assert "met een tab ingesprongen" in words(example)
    assert example.find("pre") is None, "a tab-indented body must not become a code block"
    note = home.select_one("div.admonition.note")
    assert note.select_one(".admonition-title").get_text(strip=True) == "Opmerking"
    custom = home.select_one("div.admonition.mijn-eigen-soort")
    assert custom is not None and custom.select_one(".admonition-title").get_text(strip=True) == "Eigen soort"
    untitled = home.select_one("div.admonition.info")
    assert untitled.select_one(".admonition-title") is None
    assert "Tekst zonder titelbalk." in words(untitled)


def test_collapsibles_closed_and_open_with_a_list_directive_inside(home: BeautifulSoup) -> None:
    closed = home.select_one("details.expander")
    assert closed is not None and not closed.has_attr("open")
    assert closed.find("summary").get_text(strip=True) == "Bekijk de vereisten"
    assert "Tekst onder het uitklapblok." in words(closed)
    table = closed.find("table")
    assert table is not None, "the list directive (an HTML comment) inside ??? must still become a table"
    assert "Persoonsgegevens worden rechtmatig verwerkt" in words(table)
    opened = home.select_one("details.tip")
    assert opened is not None and opened.has_attr("open")


# -- tabs and grids -------------------------------------------------------------------------------


def test_content_tabs_with_a_nested_admonition(home: BeautifulSoup) -> None:
    tab_set = home.select_one(".sd-tab-set")
    assert tab_set is not None
    assert [label.get_text(strip=True) for label in tab_set.select("label.sd-tab-label")] == ["Eerste tab", "Tweede tab"]
    panels = tab_set.select(".sd-tab-content")
    assert "Inhoud van tab een." in words(panels[0])
    nested = panels[0].select_one("div.admonition.warning")
    assert nested is not None and "Waarschuwing binnen een tab." in words(nested)
    assert "Inhoud van tab twee." in words(panels[1])
    assert "Tekst na de tabs." not in words(tab_set)


def test_grid_cards_become_sphinx_design_cards(home: BeautifulSoup) -> None:
    cards = home.select(".sd-row .sd-card")
    assert len(cards) == 2
    first_title = cards[0].select_one(".sd-card-title")
    assert first_title.get_text(strip=True) == "Naar de subpagina"
    assert first_title.find("a")["href"] == "sub/pagina.html"
    assert "Kaarttekst van de eerste kaart." in words(cards[0])
    assert cards[1].select_one(".sd-card-title .kaderpers-icon") is not None
    assert not home.select(".sd-card hr"), "the title rule (---) is drawn by the card, not as <hr>"


# -- attributes, buttons, search --------------------------------------------------------------------


def test_button_links_look_like_buttons_and_resolve(home: BeautifulSoup) -> None:
    button = home.select_one("a.md-button")
    assert button is not None
    assert {"sd-btn", "sd-btn-primary"} <= set(button["class"])
    assert button["href"] == "sub/pagina.html"


def test_search_excluded_section_is_not_in_the_search_index(site: Path, home: BeautifulSoup) -> None:
    excluded = home.find("section", id="verborgen-voor-zoeken")
    assert excluded is not None and "no-search" in excluded["class"]
    assert heading_text(excluded.find("h2")) == "Verborgen voor zoeken"
    index = json.loads(re.search(r"Search\.setIndex\((.*)\)", (site / "searchindex.js").read_text("utf-8"), re.DOTALL)[1])
    # substrings, whatever the Dutch stemmer makes of the words ("zoekgewoonwoord" → "zoekwoonwor")
    assert [term for term in index["terms"] if "woonwo" in term.lower()], "the control word of a normal section must be indexed"
    assert not [term for term in index["terms"] if "vreemd" in term.lower()]
    assert "Gewone sectie" in index["alltitles"]
    assert "Verborgen voor zoeken" not in index["alltitles"]


# -- titles and links -------------------------------------------------------------------------------


def test_page_without_h1_gets_its_front_matter_title(site: Path) -> None:
    page = article(site / "sub" / "pagina.html")
    assert heading_text(page.find("h1")) == "Een subpagina"
    assert len(page.find_all("h1")) == 1
    home = article(site / "index.html")
    assert heading_text(home.find("h1")) == "Startpagina van de proef"


def test_md_links_with_anchor_use_mkdocs_slugs(site: Path) -> None:
    page = article(site / "sub" / "pagina.html")
    assert page.find("section", id="kop-een") is not None
    hrefs = {a.get_text(strip=True): a["href"] for a in page.find_all("a", href=True)}
    assert hrefs["terug"] == "../index.html"
    assert hrefs["de kop"] == "#kop-een"
    assert mkdocs_slug("Kop één: wat nu?") == "kop-een-wat-nu"


def test_broken_links_warn_with_file_and_line(warnings: str) -> None:
    md_line = SUB.split("\n").index("Zie [terug](../index.md), [de kop](pagina.md#kop-een) en [kapot](bestaat-niet.md).") + 1
    assert re.search(rf"sub/pagina\.md:{md_line}: WARNING: .*bestaat-niet", warnings), warnings[-3000:]
    raw_line = SUB.split("\n").index('<a href="../nergens/">ruwe link die nergens heen gaat</a>') + 1
    assert re.search(rf"sub/pagina\.md:{raw_line}: WARNING: link '\.\./nergens/' in HTML", warnings), warnings[-3000:]


# -- abbreviations and footnotes --------------------------------------------------------------------


def test_glossary_and_page_abbreviations(home: BeautifulSoup, site: Path) -> None:
    explained = {abbr.get_text(): abbr["title"] for abbr in home.find_all("abbr")}
    assert explained["AVG"] == "Algemene verordening gegevensbescherming."
    assert explained["PROEF"] == "Een eigen afkorting van deze pagina"
    text = words(home)
    assert "PROEFJE" in text and "proef niet" in text
    assert all(abbr.get_text() in {"AVG", "PROEF", "AI-systeem"} for abbr in home.find_all("abbr"))
    assert "*[" not in text and "Een eigen afkorting" not in text
    other = article(site / "sub" / "pagina.html")
    assert not [a for a in other.find_all("abbr") if a.get_text() == "PROEF"], "a page's own abbreviation stays on that page"


def test_footnotes(home: BeautifulSoup) -> None:
    reference = home.select_one("a.footnote-reference")
    assert reference is not None
    assert "De tekst van de voetnoot." in words(home.select_one("aside.footnote"))


# -- mermaid, icons, blocks, raw HTML ---------------------------------------------------------------


def test_mermaid_is_drawn_by_the_sites_own_script(site: Path, home: BeautifulSoup) -> None:
    diagram = home.select_one("pre.mermaid")
    assert diagram is not None
    assert "A[Start] --> B[Einde]" in diagram.get_text()
    assert 'click B href "sub/pagina.html"' in diagram.get_text()
    scripts = [tag["src"] for tag in BeautifulSoup((site / "index.html").read_text("utf-8"), "html.parser").find_all("script", src=True)]
    mermaid = [src for src in scripts if "mermaid" in src]
    assert mermaid, "pages with a diagram load mermaid"
    assert not [src for src in scripts if "://" in src], "no script from another host"
    for src in mermaid:
        assert (site / src.split("?")[0]).is_file(), f"{src} must be served by the site (run `make npm-deps`)"


def test_icons_are_decorative_and_unknown_ones_vanish(home: BeautifulSoup) -> None:
    icon = home.select_one(".kaderpers-icon.material-arrow-right")
    assert icon is not None and icon["aria-hidden"] == "true" and icon.get_text() == "→"
    text = words(home)
    assert ":material-bestaat-niet:" not in text and "Een onbekend icoon verdwijnt." in text
    assert "`:material-arrow-right:`" not in text and ":material-arrow-right:" in home.find("code").get_text()


def test_html_blocks(home: BeautifulSoup) -> None:
    heading = home.find(lambda tag: tag.name == "h2" and heading_text(tag) == "Kop in een html-blok")
    assert heading is not None, "a heading inside /// html stays a heading"
    assert "Tekst in een html-blok." in words(home)
    classed = home.select_one(".kader-kolom")
    assert classed is not None and "Tekst in een blok met klasse." in words(classed)
    assert "///" not in words(home)


def test_raw_html_keeps_text_and_links_point_at_this_site(home: BeautifulSoup) -> None:
    raw = home.select_one("div.ruw-blok a")
    assert raw.get_text() == "ruwe link" and raw["href"] == "sub/pagina.html"
    inline = home.find("a", string="inline link")
    assert inline["href"] == "sub/pagina.html#kop-een"
    handler = home.find("a", string="met handler")
    assert handler is not None and not [name for name in handler.attrs if name.startswith("on")]


def test_woordenlijst_page_is_generated_and_linked_from_every_page(site: Path) -> None:
    page = article(site / "woordenlijst.html")
    terms = [dt.get_text(strip=True) for dt in page.find_all("dt")]
    assert terms == ["AI-systeem", "AVG"]
    assert page.find("dt", id="begrip-avg") is not None
    for html_page in (site / "index.html", site / "sub" / "pagina.html"):
        soup = BeautifulSoup(html_page.read_text("utf-8"), "html.parser")
        link = soup.select_one("nav.kaderpers-woordenlijst-link a")
        assert link is not None, f"{html_page.name} links to the Woordenlijst"
        assert (html_page.parent / link["href"]).resolve() == (site / "woordenlijst.html").resolve()


# -- builders without raw HTML ------------------------------------------------------------------------


def test_other_builders_keep_raw_html_text_and_print_everything(text_output: str) -> None:
    flat = " ".join(text_output.split())
    assert "Ruwe tekst met een ruwe link erin." in flat
    assert "inline link" in flat
    assert "Tekst onder het uitklapblok." in flat, "collapsibles print open"
    assert "Inhoud van tab twee." in flat
    assert "Diagram (broncode in Mermaid)" in flat and "A[Start] --> B[Einde]" in flat
    assert "→" in flat and ":material-arrow-right: verder" not in flat
    assert "Kaarttekst van de tweede kaart." in flat


def test_remote_images_in_raw_html_become_links_on_the_site_and_in_print() -> None:
    """An <img> on another host is never requested: the site links to it, named by its alt text
    (inside a link, only that name stays), and the PDF prints the same."""
    from docutils import nodes

    from kaderpers.dialect.rawhtml import _NodeBuilder, _TagRewriter

    text = '<a href="https://example.org/verklaring"><img src=https://example.org/label.svg?1 alt="Status label" /></a> <img src="//cdn.example.org/b.png" alt="B"> <img src="lokaal.png" alt="L">'
    site = BeautifulSoup(_TagRewriter(text, lambda url: url).rewritten(), "html.parser")
    assert [img["src"] for img in site.select("img")] == ["lokaal.png"]
    assert site.select_one('a[href="https://example.org/verklaring"]').get_text() == "Afbeelding: Status label (op example.org)"
    assert site.select_one("a.kp-remote-image")["href"] == "//cdn.example.org/b.png"
    printed = nodes.section("", *_NodeBuilder(lambda href: nodes.reference("", "", refuri=href)).result(text))
    links = {link["refuri"]: link.astext() for link in printed.findall(nodes.reference)}
    assert links == {
        "https://example.org/verklaring": "Afbeelding: Status label (op example.org)",
        "//cdn.example.org/b.png": "Afbeelding: B (op cdn.example.org)",
    }
