"""The bundled content/: every directive and dialect construct occurs, and renders in HTML and PDF."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import CONTENT, comparable
from html_pages import page_soup

#: The column each ``no-`` flag removes from a table.
FLAG_COLUMNS = {"no-rol": "rol", "no-levenscyclus": "levenscyclus", "no-onderwerp": "onderwerp", "no-id": "id"}
ADMONITION_TYPES = ("note", "tip", "info", "warning", "danger", "example", "quote", "success", "question", "abstract")


@dataclass(frozen=True)
class Construct:
    name: str
    #: Finds the construct in a page's Markdown; group "probe" (if any) is text that must reach the output.
    source: str
    #: CSS selector that must match in the HTML of that page; ``{name}`` takes a named group of the match.
    #: With a probe, an element it selects must hold the probe's text.
    html: str
    #: The probe is elsewhere on the page than in the selected element (a footnote's text).
    probe_anywhere: bool = False
    #: The selected element's text starts with the probe (the construct leaves nothing of its own).
    probe_first: bool = False
    #: ``{n}`` in the selector is the number of the list directive on its page (``#kp-lijst-{n}``), and
    #: the page shows as many lists as its source has directives.
    numbered_list: bool = False


CONSTRUCTS = [
    *(Construct(f"admonition {kind}", rf'^\s*!!! {kind} "(?P<probe>[^"]+)"', f"div.admonition.{kind}") for kind in ADMONITION_TYPES),
    Construct("custom admonition", r'^\s*!!! wetgeving "(?P<probe>[^"]+)"', "div.admonition.wetgeving"),
    Construct("admonition without title", r"^\s*!!! (?P<kind>\w+)\s*\n\n?\s+(?P<probe>\S+(?: \S+){0,5})", "div.admonition.{kind}"),
    Construct("admonition body indented with a tab", r'^\s*!!! \w+ "(?P<probe>[^"]+)"\n\n?\t\S', "div.admonition"),
    Construct("collapsible, closed", r'^\s*\?\?\? \w+ "(?P<probe>[^"]+)"', "details:not([open])"),
    Construct("collapsible, open", r'^\s*\?\?\?\+ \w+ "(?P<probe>[^"]+)"', "details[open]"),
    Construct("content tabs", r'^\s*=== "(?P<probe>[^"]+)"', ".sd-tab-set"),
    Construct("admonition nested in a tab", r'^=== "[^"]+"\n(?:\s*\n|    .*\n)*?    !!! \w+ "(?P<probe>[^"]+)"', ".sd-tab-set div.admonition"),
    Construct("grid cards", r'<div[^>]*class="grid cards"[^>]*markdown>\s*\n\s*-\s+## \[(?P<probe>[^\]]+)\]', ".sd-card"),
    Construct("button", r"\[(?P<probe>[^\]:]+?)\s*\]\([^)]*\)\{ \.md-button \}", "a.md-button"),
    Construct("primary button", r"\[(?P<probe>[^\]:]+?)(?: :[\w-]+:)?\]\([^)]*\)\{ \.md-button \.md-button--primary \}", "a.md-button--primary"),
    Construct("heading attribute data-search-exclude", r"^#+ (?P<probe>.+?) \{ data-search-exclude \}", "section.no-search"),
    Construct("abbreviation in a page", r"^\*\[(?P<probe>[^\]]+)\]:", "abbr[title]"),
    Construct("footnote", r"^\[\^\w+\]:\s*(?P<probe>\S+(?: \S+){0,3})", "a.footnote-reference", probe_anywhere=True),
    Construct("mermaid diagram", r"^```mermaid\n", "pre.mermaid"),
    # The icon in the button of the line that has it (Material's arrow and paper plane).
    Construct(
        "material icon",
        r"\[[^\]]+ :material-arrow-right:\]\([^)]*\)\{ \.md-button \.md-button--primary \}",
        "a.md-button--primary span.kaderpers-icon.material-arrow-right:-soup-contains('→')",
    ),
    Construct(
        "fontawesome icon",
        r"\[[^\]]+ :fontawesome-solid-paper-plane:\]\([^)]*\)\{ \.md-button \}",
        "a.md-button span.kaderpers-icon.fontawesome-solid-paper-plane:-soup-contains('✉')",
    ),
    # Without classes the block leaves just its content (blocks.py): the text is a paragraph of the page.
    Construct("/// html | div block", r"^/// html \| div\n(?P<probe>[^\n]{1,60})", "p", probe_first=True),
    Construct("raw HTML with a link", r'<a href="https?://[^"]+"[^>]*>(?P<probe>[^<]+)</a>', "a[href^='http']"),
    Construct("image", r"!\[[^\]]*\]\(", "img[alt]"),
    Construct("pipe table", r"^\|[^\n]+\|\n\|[ :-]+\|", "table:not(.kp-table)"),
    Construct("relative link with anchor", r"\]\([\w./-]+\.md#[\w-]+\)", "a.reference.internal[href*='#']"),
    # list directives, legacy spelling
    Construct("list_vereisten with levenscyclus filter", r"<!-- list_vereisten levenscyclus/[\w-]+ ", "table.kp-table.kp-vereisten"),
    Construct("list_vereisten with rollen filter", r"<!-- list_vereisten rollen/[\w-]+ ", "table.kp-table.kp-vereisten"),
    Construct("list_vereisten with onderwerp filter", r"<!-- list_vereisten onderwerp/[\w-]+ ", "table.kp-table.kp-vereisten"),
    Construct("list_vereisten with two filters", r"<!-- list_vereisten \w+/[\w-]+ \w+/[\w-]+", "table.kp-table.kp-vereisten"),
    Construct("list_vereisten, full overview", r"<!-- list_vereisten -->", "table.kp-table.kp-vereisten"),
    Construct("list_maatregelen with vereiste filter", r"<!-- list_maatregelen vereiste/[\w-]+ ", "table.kp-table.kp-maatregelen"),
    Construct("list_maatregelen with two filters", r"<!-- list_maatregelen vereiste/[\w-]+ onderwerp/[\w-]+", "table.kp-table.kp-maatregelen"),
    Construct("list_maatregelen with export", r"<!-- list_maatregelen [^>]*\bexport\b", "table.kp-table.kp-export"),
    Construct("list_hulpmiddelen with vereiste filter", r"<!-- list_hulpmiddelen vereiste/", "table.kp-table.kp-hulpmiddelen"),
    Construct("list_hulpmiddelen with onderwerp filter", r"<!-- list_hulpmiddelen onderwerp/", "table.kp-table.kp-hulpmiddelen"),
    Construct("list_vereisten_on_maatregelen_page", r"<!-- list_vereisten_on_maatregelen_page -->", "table.kp-table.kp-vereisten"),
    Construct("list_maatregelen_on_hulpmiddelen_page", r"<!-- list_maatregelen_on_hulpmiddelen_page -->", "table.kp-table.kp-maatregelen"),
    Construct("tags", r"<!-- tags -->", ".kp-tags"),
    Construct("tags-ai-act on an AI-Act vereiste", r"(?s)id: urn:nl:ak:ver:aia-.*<!-- tags-ai-act -->", ".kp-ai-act-labels"),
    Construct("tags-ai-act on another vereiste", r"(?s)id: urn:nl:ak:ver:(?!aia-).*<!-- tags-ai-act -->", ".kp-not-ai-act"),
    # The table of that kind lacks the column (or the search) the flag removes; test_flags_remove_what_tables_have_by_default
    # shows that tables of that kind have it otherwise.
    *(
        Construct(f"flag {flag}", rf"<!-- list_(?P<kind>\w+) [^>]*\b{flag}\b", f"table.kp-table.kp-{{kind}}:not(:has(th.kp-col-{column}))")
        for flag, column in FLAG_COLUMNS.items()
    ),
    Construct("flag no-search", r"<!-- list_(?P<kind>\w+) [^>]*\bno-search\b", "table.kp-table.kp-{kind}:not(.kp-search)"),
    # list directives, MyST spelling
    *(
        Construct(
            f"kader-lijst {kind}",
            rf"```\{{kader-lijst\}} (?P<kind>{kind.split('-')[0]}){kind.removeprefix(kind.split('-')[0])}\s*\n",
            "#kp-lijst-{n} table.kp-table.kp-{kind}",
            numbered_list=True,
        )
        for kind in ("vereisten", "maatregelen", "hulpmiddelen", "vereisten-bij-maatregel", "maatregelen-bij-hulpmiddel")
    ),
    Construct("kader-tags", r"```\{kader-tags\}\s*\n", ".kp-tags"),
    Construct("kader-tags ai-act", r"```\{kader-tags\} ai-act", ".kp-ai-act-labels"),
]


#: A list directive in either spelling; lists are numbered on their page in this order (``kp-lijst-N``).
LIST_DIRECTIVE = re.compile(r"^\s*(?:<!-- list_\w+|```\{kader-lijst\})", re.MULTILINE)


@cache  # the same constructs are looked up by the HTML, PDF and flag tests
def pages_with(construct: Construct) -> list[tuple[Path, re.Match[str]]]:
    pattern = re.compile(construct.source, re.MULTILINE)
    found = []
    for path in sorted(CONTENT.rglob("*.md")):
        if "includes" in path.parts:
            continue
        if match := pattern.search(path.read_text("utf-8")):
            found.append((path, match))
    return found


@pytest.mark.parametrize("construct", CONSTRUCTS, ids=lambda c: c.name)
def test_construct_occurs_in_content(construct: Construct) -> None:
    assert pages_with(construct), f"content/ has no {construct.name}"


def html_of(site: Path, source: Path) -> BeautifulSoup:
    return page_soup(site / source.relative_to(CONTENT).with_suffix(".html"))


@pytest.mark.parametrize("construct", CONSTRUCTS, ids=lambda c: c.name)
def test_construct_renders_in_html(content_site: Path, construct: Construct) -> None:
    for source, match in pages_with(construct):
        main = html_of(content_site, source).select_one("main") or html_of(content_site, source)
        groups = match.groupdict()
        if construct.numbered_list:
            text = source.read_text("utf-8")
            groups["n"] = len(LIST_DIRECTIVE.findall(text[: match.start()])) + 1
            assert len(main.select(".kp-list")) == len(LIST_DIRECTIVE.findall(text)), f"{source.relative_to(CONTENT)}: not one list per directive"
        selector = construct.html.format(**groups)
        found = main.select(selector)
        assert found, f"{source.relative_to(CONTENT)}: no `{selector}` for {construct.name}"
        probe = match.groupdict().get("probe")
        if probe:
            where = [main] if construct.probe_anywhere else found
            contains = str.startswith if construct.probe_first else str.__contains__
            assert any(contains(comparable(element.get_text(" ")), comparable(probe)) for element in where), (
                f"{source.relative_to(CONTENT)}: `{probe}` not in `{selector}`"
            )


def test_flags_remove_what_tables_have_by_default(content_site: Path) -> None:
    """The flag constructs above find tables without a column; without the flag, tables of that kind have it."""
    kinds = {flag: set() for flag in [*FLAG_COLUMNS, "no-search"]}
    for path in content_site.rglob("*.html"):
        for table in page_soup(path).select("main table.kp-table"):
            kind = next(c for c in table["class"] if c.startswith("kp-") and c.removeprefix("kp-") in ("vereisten", "maatregelen", "hulpmiddelen"))
            kinds["no-search"] |= {kind} if "kp-search" in table["class"] else set()
            for flag, column in FLAG_COLUMNS.items():
                kinds[flag] |= {kind} if table.select(f"th.kp-col-{column}") else set()
    for flag in kinds:
        flagged = {f"kp-{m['kind']}" for _, m in pages_with(Construct(flag, rf"<!-- list_(?P<kind>\w+) [^>]*\b{flag}\b", ""))}
        assert flagged & kinds[flag], f"{flag}: tables of {sorted(flagged)} lack what it removes even without it"


@pytest.fixture(scope="session")
def content_pdf_text(content_build: subprocess.CompletedProcess[str]) -> str:
    pdf = content_build.out / "pdf" / "algoritmekader.pdf"  # type: ignore[attr-defined]
    assert pdf.is_file(), f"no PDF edition at {pdf}"
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return comparable(text)


@pytest.mark.parametrize("construct", [c for c in CONSTRUCTS if "(?P<probe>" in c.source], ids=lambda c: c.name)
def test_construct_renders_in_pdf(content_pdf_text: str, construct: Construct) -> None:
    for source, match in pages_with(construct):
        probe = comparable(match["probe"])
        assert probe in content_pdf_text, f"{source.relative_to(CONTENT)}: `{match['probe']}` ({construct.name}) is not in the PDF"


def test_images_reach_the_pdf(content_build: subprocess.CompletedProcess[str]) -> None:
    from PIL import Image

    from pdf_text import drawn_images

    pdf = content_build.out / "pdf" / "algoritmekader.pdf"  # type: ignore[attr-defined]
    # Not the cover, whose logo would stand in for a missing content image.
    shapes = [(width, height) for page, width, height in drawn_images(pdf) if page > 1]
    content_images = [p for p in CONTENT.rglob("*") if p.suffix.lower() in {".png", ".jpg", ".jpeg"}]
    assert content_images
    for path in content_images:
        with Image.open(path) as image:
            width, height = image.size
        # A print copy keeps the proportions (and, up to its size limit, the pixels).
        assert any(abs(w / h - width / height) < 0.01 for w, h in shapes), f"{path.name} ({width}x{height}) is not in the PDF"


def test_every_directive_renders_a_table_in_the_pdf(content_build: subprocess.CompletedProcess[str], content_pdf_text: str) -> None:
    """Each list directive prints its rows: the titles of the records it lists are in the PDF edition."""
    site = content_build.out / "html"  # type: ignore[attr-defined]
    titles = {a.get_text(" ", strip=True) for html in site.rglob("*.html") for a in page_soup(html).select("table.kp-table td.kp-col-title a")}
    assert titles
    missing = [t for t in titles if comparable(t) not in content_pdf_text]
    assert not missing, missing
