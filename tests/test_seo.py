"""What search engines read (issue #18, part 3): sitemap.xml, robots.txt, canonical links,
descriptions and Open Graph tags, on the real tree built with html_baseurl set; the sitemap's
lastmod from git on a small tree in a repository of its own, and the site without html_baseurl."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import pytest
from lxml import etree

from conftest import SHARED_BESLISHULP, build_site, child_env, run_kaderpers, soup_of
from html_pages import page_tree
from small_content import small_content

BASEURL = "https://example.nl/kader/"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
#: Pages that are no content: not listed in the sitemap, but still given their tags.
NOT_LISTED = {"404.html", "search.html", "genindex.html"}
GENERATED = ("wijzigingen/index.html", "traceerbaarheid/index.html", "beslishulp/index.html", "mijn-checklist/index.html")
#: W3C datetime as sitemaps.org allows it (a date, or a date and time with a zone).
W3C_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$")
NOTICE = "html_baseurl is not set"


@pytest.fixture(scope="module")
def seo_build(upstream_copy: Path, tmp_path_factory: pytest.TempPathFactory):
    """The real tree's site with html_baseurl, the beslishulp and a Wijzigingen page (against the shared tree)."""
    options = ["--beslishulp", str(SHARED_BESLISHULP)] if SHARED_BESLISHULP.is_file() else []
    old = upstream_copy.parent.parent / "vorige"
    if not old.exists():
        shutil.copytree(upstream_copy, old, symlinks=True)
    return build_site(upstream_copy, tmp_path_factory, "seo-build", "-D", f"html_baseurl={BASEURL}", "--compare-to", str(old), *options)


@pytest.fixture(scope="module")
def seo_site(seo_build) -> Path:
    return seo_build.out / "html"


def published_pages(site: Path) -> set[str]:
    """Every HTML page of the site, by its path in the site (the static folders hold none)."""
    return {str(path.relative_to(site)) for path in site.rglob("*.html") if not path.relative_to(site).parts[0].startswith("_")}


def sitemap_urls(site: Path) -> list[etree._Element]:
    root = etree.parse(str(site / "sitemap.xml")).getroot()
    assert root.tag == f"{{{SITEMAP_NS}}}urlset"
    return list(root)


def test_sitemap_is_a_sitemaps_org_urlset(seo_site: Path) -> None:
    text = (seo_site / "sitemap.xml").read_bytes()
    assert text.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    urls = sitemap_urls(seo_site)
    assert 200 < len(urls) <= 50_000
    for url in urls:
        assert url.tag == f"{{{SITEMAP_NS}}}url"
        children = [child.tag for child in url]
        assert children in ([f"{{{SITEMAP_NS}}}loc"], [f"{{{SITEMAP_NS}}}loc", f"{{{SITEMAP_NS}}}lastmod"]), children
        loc = url[0].text or ""
        assert loc.startswith(BASEURL) and len(loc) < 2048 and " " not in loc
        if len(url) == 2:
            assert W3C_DATETIME.match(url[1].text or ""), url[1].text
    locs = [url[0].text for url in urls]
    assert len(locs) == len(set(locs))


def test_every_published_page_is_in_the_sitemap(seo_site: Path) -> None:
    listed = {unquote((url[0].text or "")[len(BASEURL) :]) for url in sitemap_urls(seo_site)}
    published = published_pages(seo_site)
    assert NOT_LISTED <= published
    assert listed == published - NOT_LISTED
    for page in GENERATED:
        assert page in listed


def test_the_tree_not_in_git_has_the_files_modification_times(seo_build, upstream_copy: Path) -> None:
    for url in sitemap_urls(seo_build.out / "html"):
        if url[0].text == f"{BASEURL}voldoen-aan-wetten-en-regels/index.html":
            expected = datetime.fromtimestamp((upstream_copy / "voldoen-aan-wetten-en-regels" / "index.md").stat().st_mtime, tz=UTC)
            assert datetime.fromisoformat(url[1].text) == expected.replace(microsecond=0)
            return
    raise AssertionError("voldoen-aan-wetten-en-regels/index.html is not in the sitemap")


def test_robots_txt_points_to_the_sitemap(seo_site: Path) -> None:
    lines = (seo_site / "robots.txt").read_text("utf-8").splitlines()
    assert f"Sitemap: {BASEURL}sitemap.xml" in lines
    assert "User-agent: *" in lines and "Disallow: /" not in lines


def page_tags(site: Path, page: str) -> dict[str, list[str]]:
    """The head's canonical link and meta tags (lxml's tree, parsed once a page: several tests read every page)."""
    head = page_tree(site / page).find("head")
    assert head is not None

    def content(attribute: str, value: str) -> list[str]:
        return [meta.get("content") for meta in head.iterfind(".//meta") if meta.get(attribute) == value]

    return {
        "canonical": [link.get("href") for link in head.iterfind(".//link") if "canonical" in (link.get("rel") or "").split()],
        "description": content("name", "description"),
        **{prop: content("property", prop) for prop in ("og:title", "og:description", "og:type", "og:url")},
        "robots": content("name", "robots"),
    }


def test_every_page_has_its_canonical_link_description_and_open_graph_tags(seo_site: Path) -> None:
    pages = published_pages(seo_site)
    assert len(pages) > 200
    for page in sorted(pages):
        tags = page_tags(seo_site, page)
        url = BASEURL + page
        assert [unquote(href) for href in tags["canonical"]] == [url], page
        assert [unquote(href) for href in tags["og:url"]] == [url], page
        assert len(tags["description"]) == 1 and 0 < len(tags["description"][0]) <= 161, (page, tags["description"])
        assert tags["og:description"] == tags["description"], page
        assert len(tags["og:title"]) == 1 and tags["og:title"][0].strip(), page
        assert tags["og:type"] == (["website"] if page == "index.html" else ["article"]), page
        assert tags["robots"] == (["noindex"] if page in NOT_LISTED else []), page


def test_the_title_of_open_graph_is_the_page_title(seo_site: Path) -> None:
    for page in ["index.html", *GENERATED, *NOT_LISTED, "voldoen-aan-wetten-en-regels/maatregelen/0-org-00-inventariseren-algoritmes.html"]:
        title = page_tree(seo_site / page).find("head/title")
        assert title is not None
        og_title = page_tags(seo_site, page)["og:title"][0]
        assert og_title and title.text_content().startswith(og_title), page


def test_descriptions_are_the_pages_own(seo_site: Path) -> None:
    descriptions = [page_tags(seo_site, page)["description"][0] for page in published_pages(seo_site)]
    assert len(set(descriptions)) >= 0.95 * len(descriptions), Counter(descriptions).most_common(5)


def words(text: str) -> list[str]:
    return text.split()


def test_a_records_description_is_its_toelichting_cut_on_a_word_boundary(seo_site: Path, upstream_tree: Path) -> None:
    """Expected from the Markdown source, read with a plain regex: the toelichting's words, whole."""
    checked = long = 0
    for source in sorted((upstream_tree / "voldoen-aan-wetten-en-regels").glob("*/*.md")):
        match = re.search(r"^toelichting: (.+)$", source.read_text("utf-8"), re.MULTILINE)
        if not match or re.search(r"[\[\]*_`<>\"']", match.group(1)):
            continue  # markup or quoting: not a plain line of text
        toelichting = words(match.group(1))
        page = source.relative_to(upstream_tree).with_suffix(".html")
        description = page_tags(seo_site, str(page))["description"][0]
        if description.endswith("…"):
            long += 1
            kept = words(description[:-1])
            assert kept[:-1] == toelichting[: len(kept) - 1] and len(kept) < len(toelichting), page
            assert kept[-1] == toelichting[len(kept) - 1].rstrip(",;:"), page  # a comma before the ellipsis is dropped
            assert len(" ".join(toelichting[: len(kept) + 1])) > 150, page  # the next word would not have fitted
        else:
            assert words(description) == toelichting, page
        checked += 1
    assert checked > 100 and long > 20, (checked, long)


def test_a_page_without_toelichting_is_described_by_its_first_paragraph(seo_site: Path) -> None:
    paragraph = page_tree(seo_site / "traceerbaarheid" / "index.html").find(".//article").find(".//p")
    first = " ".join(paragraph.text_content().split())
    description = page_tags(seo_site, "traceerbaarheid/index.html")["description"][0]
    assert description.rstrip("…") and first.startswith(description.rstrip("…"))


# --- lastmod from git, incremental builds, and a site without html_baseurl -------------------


def git(repo: Path, *arguments: str, when: str | None = None) -> str:
    env = child_env(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.nl", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.nl")
    if when:
        env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    return subprocess.run(["git", "-C", str(repo), *arguments], check=True, capture_output=True, text=True, env=env).stdout


def lastmods(site: Path) -> dict[str, str | None]:
    return {unquote((url[0].text or "")[len(BASEURL) :]): (url[1].text if len(url) == 2 else None) for url in sitemap_urls(site)}


def test_lastmod_is_the_last_commit_and_incremental_builds_keep_the_sitemap_true(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    tree = small_content(repo / "docs")  # a small copy of content/: lastmod is per page, whatever their number
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "eerste", when="2024-01-02T03:04:05+00:00")
    edited = tree / "voldoen-aan-wetten-en-regels" / "maatregelen" / "0-org-01-algoritmes-inventariseren.md"
    edited.write_text(edited.read_text("utf-8") + "\nEen nieuwe alinea.\n", "utf-8")
    git(repo, "commit", "-qam", "tweede", when="2025-06-07T08:09:10+02:00")
    untracked = tree / "onderwerpen" / "nog-niet-gecommit.md"
    untracked.write_text(
        "---\nsummary: 'Een \"citaat\" met <script>alert(1)</script> & **nadruk**'\n---\n\n"
        "# Nog niet gecommit\n\nEen pagina die git nog niet kent, met een eigen alinea van enige lengte.\n",
        "utf-8",
    )
    os.utime(untracked, (1_700_000_000, 1_700_000_000))
    removed = tree / "onderwerpen" / "weg-straks.md"
    removed.write_text("# Weg straks\n\nEen pagina die de volgende build niet meer heeft.\n", "utf-8")
    out = tmp_path / "out"

    run_kaderpers("build", str(tree), "--out", str(out), "-j", "1", "-D", f"html_baseurl={BASEURL}")
    first = lastmods(out / "html")
    assert first["voldoen-aan-wetten-en-regels/maatregelen/0-org-01-algoritmes-inventariseren.html"] == "2025-06-07T06:09:10+00:00"
    assert first["index.html"] == "2024-01-02T03:04:05+00:00"
    assert first["onderwerpen/nog-niet-gecommit.html"] == "2023-11-14T22:13:20+00:00"
    # The front matter's summary as text: its markup and raw HTML left out, quotes kept and escaped.
    head = soup_of(out / "html" / "onderwerpen" / "nog-niet-gecommit.html").head
    assert head.find("meta", attrs={"name": "description"})["content"] == 'Een "citaat" met alert(1) & nadruk'
    assert not [script for script in head.find_all("script") if "alert" in script.get_text()]
    assert "onderwerpen/weg-straks.html" in first
    assert first["traceerbaarheid/index.html"] is None  # made by the build: no source of its own
    assert set(first) == published_pages(out / "html") - NOT_LISTED

    # An incremental build after a page was added, one removed and one committed again.
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "derde", when="2026-01-01T00:00:00+00:00")
    removed.unlink()
    result = run_kaderpers("build", str(tree), "--out", str(out), "-j", "1", "-D", f"html_baseurl={BASEURL}")
    assert NOTICE not in result.stdout + result.stderr
    second = lastmods(out / "html")
    assert second["onderwerpen/nog-niet-gecommit.html"] == "2026-01-01T00:00:00+00:00"
    assert "onderwerpen/weg-straks.html" not in second
    assert set(second) == set(first) - {"onderwerpen/weg-straks.html"}
    assert set(second) == published_pages(out / "html") - NOT_LISTED

    # Without html_baseurl: no sitemap, robots.txt or canonical links, and one notice naming the setting.
    result = run_kaderpers("build", str(tree), "--out", str(out), "-j", "1")
    assert (result.stdout + result.stderr).count(NOTICE) == 1
    assert "-D html_baseurl=" in result.stdout + result.stderr
    site = out / "html"
    assert not (site / "sitemap.xml").exists() and not (site / "robots.txt").exists()
    for page in ("index.html", "404.html", "traceerbaarheid/index.html", "onderwerpen/nog-niet-gecommit.html"):
        tags = page_tags(site, page)
        assert tags["canonical"] == [] and tags["og:url"] == [], page
        assert len(tags["description"]) == 1 and tags["og:title"], page


def test_the_last_commits_come_from_one_git_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kaderpers.site import seo

    for number in range(250):
        page = tmp_path / "docs" / f"map-{number % 5}" / f"pagina-{number}.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(f"# Pagina {number}\n", "utf-8")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "alles", when="2024-01-01T00:00:00+00:00")
    (tmp_path / "docs" / "map-1" / "pagina-1.md").write_text("# Pagina één\n", "utf-8")
    git(tmp_path, "commit", "-qam", "een", when="2025-01-01T00:00:00+00:00")
    calls: list[list[str]] = []
    real_run = subprocess.run

    def counting_run(command, *args, **kwargs):
        calls.append(list(command))
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(seo.subprocess, "run", counting_run)
    commits = seo.git_last_commits(tmp_path / "docs")
    assert sum("log" in call for call in calls) == 1 and len(calls) <= 2
    assert len(commits) == 250
    top = Path(git(tmp_path, "rev-parse", "--show-toplevel").strip())
    assert commits[top / "docs" / "map-1" / "pagina-1.md"] == datetime(2025, 1, 1, tzinfo=UTC)
    assert commits[top / "docs" / "map-2" / "pagina-2.md"] == datetime(2024, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "kort",
        "a " * 100,
        "woord" * 40,
        "Een zin van gewone woorden, " * 10,
        "abcdef " * 40,
        "De maatregelen van het algoritmekader zijn " * 6,
        "x" * 150 + " " + "y" * 30,
    ],
)
def test_cut_keeps_whole_words_within_160_characters(text: str) -> None:
    from kaderpers.site.seo import cut

    result = cut(text)
    assert 0 < len(result) <= 160
    if len(" ".join(text.split())) <= 160:
        assert result == " ".join(text.split())
        return
    assert result.endswith("…")
    kept = result[:-1].split()
    if len(text.split()[0]) < 100:  # words of normal length: only whole words
        assert kept == text.split()[: len(kept)]
        assert len(" ".join(text.split()[: len(kept) + 1])) >= 150
