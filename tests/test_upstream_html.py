"""The real kader (../shared/upstream-kader/docs) as published HTML: complete, clean, linked.

The site is built once per session (conftest ``upstream_site``); every page is
parsed once here and shared by the tests.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.upstream

#: Dialect syntax that must never reach a reader.
LEFTOVER_SYNTAX = ("!!!", "???", '=== "', "*[", "{ .md-button", "{ data-search-exclude }", ":material-", ":fontawesome-", "<!-- list_")
#: Fraction of a page's Markdown words that must appear in its HTML. The real tree reaches 1.0
#: on every page; losing one paragraph of a short page, or one admonition, drops below this.
MIN_WORD_COVERAGE = 0.97
_WORD = re.compile(r"[^\W\d_]{3,}")
_WARNED_LINK = re.compile(
    r"^(?P<path>\S+?\.md):(?P<line>\d+): WARNING: (?P<message>.*(?:cross-reference target not found|local id not found|does not lead to a page).*)$",
    re.MULTILINE,
)


@dataclass
class Page:
    path: Path
    article: BeautifulSoup
    ids: set[str]

    def visible_text(self) -> str:
        return " ".join(self.article.get_text(" ").split())


@pytest.fixture(scope="module")
def pages(upstream_site: Path) -> dict[str, Page]:
    parsed = {}
    for path in sorted(upstream_site.rglob("*.html")):
        relative = path.relative_to(upstream_site)
        if relative.parts[0].startswith("_"):
            continue
        soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
        article = soup.find("article")
        if article is None:
            continue
        for hidden in article(["script", "style", "template"]):
            hidden.decompose()
        parsed[relative.as_posix()] = Page(path, article, {tag["id"] for tag in soup.find_all(id=True)})
    return parsed


def markdown_words(text: str) -> list[str]:
    """The words a reader sees in a Markdown page: no front matter, markup, URLs or dialect syntax."""
    if text.startswith("---"):
        end = text.find("\n---", 3)
        text = text[end + 4 :] if end > 0 else text
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.DOTALL)
    text = re.sub(r"^\s*(?:/{3,}|`{3,}|~{3,}).*$", " ", text, flags=re.MULTILINE)  # block and fence headers
    text = re.sub(r"^\*\[[^\]]*\]:.*$", " ", text, flags=re.MULTILINE)  # abbreviation definitions
    text = re.sub(r"^\s*(?:!!!|\?\?\?\+?|===)\s*[\w-]*", " ", text, flags=re.MULTILINE)  # admonition types
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets
    text = re.sub(r"<[^>]+>", " ", text)  # tags
    text = re.sub(r"\{[^{}\n]*\}", " ", text)  # attribute lists
    text = re.sub(r":[a-z]+(?:-[a-z0-9]+)+:", " ", text)  # icon shortcodes
    text = re.sub(r"https?://\S+|&\w+;?", " ", text)
    return [word.lower() for word in _WORD.findall(text)]


def coverage(markdown: str, page: Page) -> tuple[float, list[str]]:
    words = markdown_words(markdown)
    alt_texts = " ".join(image.get("alt", "") for image in page.article.find_all("img"))
    seen = {word.lower() for word in _WORD.findall(page.article.get_text(" ") + " " + alt_texts)}
    missing = [word for word in words if word not in seen]
    return (1 - len(missing) / len(words) if words else 1.0), sorted(set(missing))


def test_every_markdown_page_has_an_html_page(upstream_tree: Path, upstream_site: Path) -> None:
    missing = [
        str(md.relative_to(upstream_tree))
        for md in upstream_tree.rglob("*.md")
        if not (upstream_site / md.relative_to(upstream_tree).with_suffix(".html")).is_file()
    ]
    assert len(list(upstream_tree.rglob("*.md"))) >= 250
    assert not missing, f"{len(missing)} pages were not published: {missing[:20]}"


def test_no_leftover_dialect_syntax(pages: dict[str, Page]) -> None:
    assert len(pages) >= 250
    leftovers = [(name, pattern) for name, page in pages.items() for pattern in LEFTOVER_SYNTAX if pattern in page.visible_text()]
    assert not leftovers, f"{len(leftovers)} leftovers: {leftovers[:20]}"


def test_every_relative_link_between_pages_resolves(pages: dict[str, Page], upstream_site: Path, upstream_build: subprocess.CompletedProcess[str]) -> None:
    """Relative hrefs lead to an existing file and anchor, unless the build warned about that very link."""
    output = upstream_build.stdout + upstream_build.stderr
    warned: dict[str, list[str]] = {}
    for match in _WARNED_LINK.finditer(output):
        warned.setdefault(match["path"].split("/docs/", 1)[-1].removesuffix(".md"), []).append(match["message"])
    broken, checked = [], 0
    ids_by_file = {page.path.resolve(): page.ids for page in pages.values()}
    for name, page in pages.items():
        for anchor in page.article.find_all("a", href=True):
            parts = urlsplit(anchor["href"])
            if parts.scheme or parts.netloc or anchor["href"].startswith("mailto:"):
                continue
            checked += 1
            target = (page.path.parent / unquote(parts.path)).resolve() if parts.path else page.path.resolve()
            if target.is_dir():
                target = target / "index.html"
            problem = None
            if not target.is_file():
                problem = "no such file"
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in ids_by_file.get(target, set()):
                problem = "no such anchor"
            target_name = parts.fragment if problem == "no such anchor" else Path(parts.path).stem
            reported = any(target_name in message for message in warned.get(name.removesuffix(".html"), []))
            if problem and not reported:
                broken.append(f"{name}: {anchor['href']} ({problem})")
    assert checked > 1000, "the tree has many links between pages"
    assert not broken, f"{len(broken)} links lead nowhere and the build did not say so:\n" + "\n".join(broken[:30])


def test_broken_links_in_the_tree_are_reported_with_file_and_line(upstream_build: subprocess.CompletedProcess[str]) -> None:
    output = upstream_build.stdout + upstream_build.stderr
    # ontwikkelen.md links to #aanbevolen-maatregelen, a heading that has another name
    assert re.search(r"levenscyclus/ontwikkelen\.md:\d+: WARNING: .*aanbevolen-maatregelen", output)


def test_the_words_of_every_page_reach_its_html(upstream_tree: Path, pages: dict[str, Page]) -> None:
    results = []
    for md in upstream_tree.rglob("*.md"):
        name = md.relative_to(upstream_tree).with_suffix(".html").as_posix()
        if name in pages:
            score, missing = coverage(md.read_text("utf-8"), pages[name])
            results.append((score, name, missing[:10]))
    results.sort()
    worst = "\n".join(f"{score:.3f} {name} missing {missing}" for score, name, missing in results[:10])
    assert len(results) >= 250
    assert results[0][0] >= MIN_WORD_COVERAGE, f"pages lose text; worst pages:\n{worst}"


def test_coverage_measure_catches_lost_text(upstream_tree: Path, pages: dict[str, Page]) -> None:
    """The measure itself: dropping one admonition from a page's HTML takes it below the threshold."""
    name = "voldoen-aan-wetten-en-regels/maatregelen/0-org-16-bewustwording-en-opleiding.html"
    page = pages[name]
    markdown = (upstream_tree / name.replace(".html", ".md")).read_text("utf-8")
    assert coverage(markdown, page)[0] >= MIN_WORD_COVERAGE
    damaged = BeautifulSoup(str(page.article), "html.parser")
    for admonition in damaged.select("div.admonition"):
        admonition.decompose()
    assert coverage(markdown, Page(page.path, damaged, page.ids))[0] < MIN_WORD_COVERAGE


def test_search_excluded_sections_stay_out_of_the_index(upstream_site: Path, pages: dict[str, Page]) -> None:
    page = pages["levenscyclus/monitoring-en-beheer.html"]
    excluded = [section for section in page.article.find_all("section") if "no-search" in section.get("class", [])]
    assert len(excluded) == 2
    index = (upstream_site / "searchindex.js").read_text("utf-8")
    assert '"Vereisten monitoring en beheer"' not in index
    assert '"Monitoren"' in index, "the page's other sections are indexed"


def test_pages_without_h1_take_their_title(pages: dict[str, Page]) -> None:
    records = [p for name, p in pages.items() if "/maatregelen/" in name and not name.endswith("index.html")]
    assert len(records) >= 100
    untitled = [p.path.name for p in records if p.article.find("h1") is None]
    assert not untitled, f"maatregelen without a title: {untitled[:10]}"


def test_no_headings_start_at_h2_warnings(upstream_build: subprocess.CompletedProcess[str]) -> None:
    output = upstream_build.stdout + upstream_build.stderr
    assert "Document headings start at H2" not in output
