"""`kaderpers build NEW --compare-to OLD`: the Wijzigingen page, the markers on changed
records, and the changes in the PDF edition and in wijzigingen.pdf.

NEW is a small copy of content/ (tests/small_content.py, with the pages the edits need) with the
known edits of test_diff.py; what the page must show is what `kaderpers diff --format json` reports
for the same pair (whose exactness test_diff.py checks against the edits).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import urldefrag

import pypdf
import pytest
from bs4 import BeautifulSoup

from conftest import CONTENT, comparable, make_tree, run_kaderpers, serve
from kader_fixture_tree import FILES, HOSTILE_TITLE, V
from pdf_text import page_texts
from pdf_text import text as pdf_words
from small_content import small_content
from test_browser_site import axe_violations, describe
from test_diff import edit_words, make_edits

#: Pages the edits of test_diff.py need beside the small copy's: the phase page they change, and the
#: first vereisten of content/, so that the third is one without every label of the AI-verordening.
EDITED_PAGES = (
    "levenscyclus/ontwerp",
    "voldoen-aan-wetten-en-regels/vereisten/aia-02-verboden-ai-praktijken",
    "voldoen-aan-wetten-en-regels/vereisten/aia-03-risicobeheersysteem",
)


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A small copy of content/ built against itself with edits (pages, vocabulary, glossary); returns (OUT, the diff as JSON)."""
    root = tmp_path_factory.mktemp("compare")
    old, new = root / "old" / "docs", root / "new" / "docs"
    small_content(old, also=EDITED_PAGES)
    shutil.copytree(old, new)
    make_edits(new)
    edit_words(new)
    out = root / "out"
    run_kaderpers("build", str(new), "--out", str(out), "--compare-to", str(old))
    diff = json.loads(run_kaderpers("diff", str(old), str(new), "--format", "json").stdout)
    return out, diff


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text("utf-8"), "html.parser")


def html_of(site: Path, source_path: str) -> Path:
    return site / Path(source_path).with_suffix(".html")


def entry_id(change: str, source_path: str) -> str:
    return f"{change}-" + source_path.removesuffix(".md").replace("/", "-").lower()


def test_changes_page_counts_first_then_names_and_links_every_record(compared: tuple[Path, dict]) -> None:
    out, diff = compared
    site = out / "html"
    page_path = site / "wijzigingen" / "index.html"
    page = soup(page_path)
    main = page.select_one("article") or page
    section = main.select_one("section#wijzigingen")
    assert section.h1.get_text(strip=True).startswith("Wijzigingen")
    counts = section.select_one("ul.kp-changes-counts")
    # Counts come before any entry.
    assert section.find("div", class_="kp-change").find_previous("ul", class_="kp-changes-counts") is counts
    expected = {"Toegevoegd": len(diff["added"]), "Verwijderd": len(diff["removed"]), "Hernoemd": len(diff["renamed"]), "Gewijzigd": len(diff["changed"])}
    expected |= {"Vocabulaire": sum(map(len, diff["vocabulary"].values())), "Begrippenlijst": sum(map(len, diff["glossary"].values()))}
    assert {li.get_text(strip=True).split(":")[0]: int(li.get_text(strip=True).split(":")[1]) for li in counts.find_all("li")} == expected
    assert all(expected.values())
    for change in ("added", "removed", "renamed", "changed"):
        for item in diff[change]:
            box = section.find(id=entry_id(change, item["path"]))
            assert box is not None, f"no entry for {change} {item['path']}"
            assert item["title"] in box.get_text(" ")
            link = box.select_one(".kp-change-title a[href]")
            if change == "removed":
                assert link is None  # it exists no more
                continue
            target, _ = urldefrag(link["href"])
            assert (page_path.parent / target).resolve() == html_of(site, item["path"]).resolve()
            if item["path"].startswith("voldoen-aan-wetten-en-regels/"):  # records show their front-matter title
                assert soup(html_of(site, item["path"])).h1.get_text(strip=True).rstrip("#") == item["title"]


def test_vocabulary_and_glossary_changes_have_a_section(compared: tuple[Path, dict]) -> None:
    out, diff = compared
    section = soup(out / "html" / "wijzigingen" / "index.html").select_one("section#wijzigingen")
    counts = section.select_one("ul.kp-changes-counts")
    for part, key, name in (("vocabulaire", "vocabulary", "value"), ("begrippenlijst", "glossary", "term")):
        assert counts.select_one(f"a[href='#wijzigingen-{part}']") is not None
        rows = section.find(id=f"wijzigingen-{part}").select("table tbody tr")
        expected = [item for change in ("added", "removed", "changed") for item in diff[key][change]]
        assert expected and len(rows) == len(expected)
        for row, item in zip(rows, expected, strict=True):
            cells = row.find_all("td")
            assert row.select_one("code, .literal").get_text() == item[name]
            if key == "vocabulary":
                assert cells[0].get_text(strip=True) == item["field"]
            old_cell, new_cell = cells[-2:]
            text = item.get("label", item.get("definition"))  # of a value or term added or removed
            old_text = item["old"] if "old" in item else text if item in diff[key]["removed"] else None
            new_text = item["new"] if "new" in item else text if item in diff[key]["added"] else None
            assert [s.get_text() for s in old_cell.select(".kp-del")] == ([old_text] if old_text else [])
            assert [s.get_text() for s in new_cell.select(".kp-ins")] == ([new_text] if new_text else [])


def test_field_changes_and_text_are_shown(compared: tuple[Path, dict]) -> None:
    out, diff = compared
    section = soup(out / "html" / "wijzigingen" / "index.html").select_one("section#wijzigingen")
    for item in diff["changed"]:
        box = section.find(id=entry_id("changed", item["path"]))
        rows = box.select("table.kp-changes-fields tbody tr")
        assert len(rows) == len(item["fields"])
        for row, field in zip(rows, item["fields"], strict=True):
            old_cell, new_cell = row.find_all("td")[1:]
            assert [s.get_text() for s in new_cell.select(".kp-ins")] == field.get("added", [])
            assert [s.get_text() for s in old_cell.select(".kp-del")] == field.get("removed", [])
            if field["field"] == "title":
                assert old_cell.get_text(strip=True) == field["old"] and new_cell.get_text(strip=True) == field["new"]
        assert bool(box.select(".kp-changes-text")) == item["text"]
    inserted = " ".join(s.get_text() for s in section.select(".kp-changes-text .kp-ins"))
    assert "Een ingevoegde zin." in inserted and "Nog een alinea." in inserted


MARKER_TEXTS = {"added": "Nieuw", "changed": "Gewijzigd", "renamed": "Hernoemd"}


def test_added_changed_and_renamed_records_carry_a_marker_linking_to_their_entry(compared: tuple[Path, dict]) -> None:
    out, diff = compared
    site = out / "html"
    marked: dict[Path, list] = {}
    for path in site.rglob("*.html"):
        links = soup(path).select("p.kp-changed-marker a[href]")
        if links:
            marked[path.resolve()] = links
    expected: dict[Path, list[str]] = {}
    for change in ("added", "changed", "renamed"):  # the order the markers show in
        for item in diff[change]:
            if item["path"].startswith("voldoen-aan-wetten-en-regels/"):
                expected.setdefault(html_of(site, item["path"]).resolve(), []).append(change)
    assert set(marked) == set(expected)
    renamed_only = {html_of(site, i["path"]).resolve() for i in diff["renamed"]} - {html_of(site, i["path"]).resolve() for i in diff["changed"]}
    assert any(expected[path] == ["renamed"] for path in renamed_only)  # the edits rename records and change nothing else
    changes_page = (site / "wijzigingen" / "index.html").resolve()
    entries = soup(changes_page)
    for path, changes in expected.items():
        links = marked[path]
        assert [link.get_text(strip=True).split()[0] for link in links] == [MARKER_TEXTS[change] for change in changes]
        source = path.relative_to(site.resolve()).with_suffix(".md").as_posix()
        for link, change in zip(links, changes, strict=True):
            target, fragment = urldefrag(link["href"])
            assert (path.parent / target).resolve() == changes_page
            assert fragment == entry_id(change, source) and entries.find(id=fragment) is not None


def test_diff_view_in_a_browser(compared: tuple[Path, dict], page) -> None:
    out, diff = compared
    base = serve(out / "html")
    item = next(i for i in diff["changed"] if any(f["field"] == "title" for f in i["fields"]))
    page.goto(f"{base}/{Path(item['path']).with_suffix('.html').as_posix()}")
    marker = page.locator("p.kp-changed-marker a")
    assert marker.is_visible()
    marker.click()
    page.wait_for_url(f"**/wijzigingen/index.html#{entry_id('changed', item['path'])}")
    entry = page.locator(f"#{entry_id('changed', item['path'])}")
    assert entry.is_visible()
    assert entry.evaluate("e => e.matches(':target')")
    deleted = entry.locator("table.kp-changes-fields .kp-del").first
    inserted = page.locator(".kp-changes-text .kp-ins").first
    style = lambda locator: locator.evaluate("e => getComputedStyle(e).textDecorationLine")  # noqa: E731
    assert "line-through" in style(deleted) and "underline" in style(inserted)
    # The counts link to their part of the page.
    page.locator("ul.kp-changes-counts a", has_text="Verwijderd").click()
    assert page.locator("#wijzigingen-removed").evaluate("e => e.matches(':target')")
    violations = axe_violations(page, f"{base}/wijzigingen/index.html")
    assert not violations, describe(violations)


# -- print --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_compared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The small fixture tree (a PDF of content/ takes a minute) with one maatregel removed, a text
    changed under a hostile title and a glossary term added, built with --compare-to and --pdf; returns (NEW, OUT)."""
    root = tmp_path_factory.mktemp("small-compare")
    old = make_tree(root / "old", FILES)
    files = dict(FILES)
    files.pop(f"{V}/maatregelen/6-imp-01-monitoren.md")
    files[f"{V}/vereisten/avg-01-rechtmatig.md"] = files[f"{V}/vereisten/avg-01-rechtmatig.md"].replace("Tekst.", "Andere tekst.")
    # Version and date on one record (D: record pages show them); a date that is not ISO shows as written.
    files[f"{V}/maatregelen/1-pba-01-doel.md"] = files[f"{V}/maatregelen/1-pba-01-doel.md"].replace(
        "---\n\n", "version: '2.6'\nversion_date: '2026-03-12'\n---\n\n", 1
    )
    files[f"{V}/hulpmiddelen/DPIA.md"] = files[f"{V}/hulpmiddelen/DPIA.md"].replace("---\n\n", "version_date: voorjaar 2026\n---\n\n", 1)
    files["includes/begrippenlijst.md"] += "*[ZZZ]: Een nieuwe term.\n"
    new = make_tree(root / "new", files)
    out = root / "out"
    run_kaderpers("build", str(new), "--out", str(out), "--pdf", "--compare-to", str(old), "-j", "1")
    return new, out


def test_changes_in_the_pdf_edition_and_on_their_own(small_compared: tuple[Path, Path]) -> None:
    _, out = small_compared
    text = comparable(pdf_words(out / "pdf" / "wijzigingen.pdf"))
    assert comparable("Monitor de werking") in text and comparable(HOSTILE_TITLE) in text
    assert comparable("[-Tekst.-] {+Andere tekst.+}") in text
    assert comparable("Begrippenlijst (1)") in text and comparable("Een nieuwe term.") in text
    edition = pypdf.PdfReader(out / "pdf" / "algoritmekader.pdf")
    # The edition ends with the changes: the last bookmark, from its page to the last page.
    outline = [item for item in edition.outline if not isinstance(item, list)]
    assert outline and outline[-1].title.endswith("Wijzigingen"), [item.title for item in outline]
    start = edition.get_destination_page_number(outline[-1])
    assert all(edition.get_destination_page_number(item) <= start for item in outline)
    pages = page_texts(out / "pdf" / "algoritmekader.pdf")
    assert len(pages) == len(edition.pages)
    assert 0 < start < len(pages) and not any("[-" in page for page in pages[:start])
    changes = comparable(" ".join(pages[start:]))
    assert comparable("Monitor de werking") in changes and comparable("[-Tekst.-] {+Andere tekst.+}") in changes
    edition_text = comparable(" ".join(pages))
    assert comparable("Gewijzigd") in edition_text and comparable("Monitor de werking") in edition_text
    # The changed hostile record's own page in the edition carries the marker as text.
    page = next(p for p in pages if "Andere tekst" in p and "[-" not in p)
    assert "Gewijzigd" in page


def test_a_build_without_compare_to_drops_the_page_and_the_markers(small_compared: tuple[Path, Path]) -> None:
    new, out = small_compared
    site = out / "html"
    assert (site / "wijzigingen" / "index.html").is_file()
    assert [p for p in site.rglob("*.html") if soup(p).select_one(".kp-changed-marker")]
    run_kaderpers("build", str(new), "--out", str(out), "-j", "1")
    assert not (site / "wijzigingen" / "index.html").exists()
    assert not [p for p in site.rglob("*.html") if soup(p).select_one(".kp-changed-marker")]


def test_record_pages_show_their_version_and_date(small_compared: tuple[Path, Path]) -> None:
    _, out = small_compared
    site = out / "html"
    versioned = soup(site / V / "maatregelen" / "1-pba-01-doel.html")
    line = versioned.select_one("p.kp-record-version")
    assert line is not None and line.get_text(strip=True) == "Versie 2.6 · 12 maart 2026"
    assert line.find_previous("h1") is versioned.h1  # under the title
    assert soup(site / V / "hulpmiddelen" / "DPIA.html").select_one("p.kp-record-version").get_text(strip=True) == "voorjaar 2026"
    assert soup(site / V / "vereisten" / "aia-03-risicobeheer.html").select_one("p.kp-record-version") is None
    edition = comparable(pdf_words(out / "pdf" / "algoritmekader.pdf"))
    assert comparable("Versie 2.6 · 12 maart 2026") in edition


def test_markers_follow_the_old_version_in_an_incremental_build(tmp_path: Path) -> None:
    """NEW unchanged, OLD edited: the next build marks exactly the pages that now differ."""
    old = make_tree(tmp_path / "old", FILES)
    new = make_tree(tmp_path / "new", FILES)
    out = tmp_path / "out"
    run_kaderpers("build", str(new), "--out", str(out), "--compare-to", str(old), "-j", "1")
    site = out / "html"
    record = site / V / "maatregelen" / "1-pba-01-doel.html"
    assert soup(record).select_one(".kp-changed-marker") is None
    source = old / V / "maatregelen" / "1-pba-01-doel.md"
    source.write_text(source.read_text("utf-8").replace("title: Beschrijf het doel", "title: Een oude titel"), encoding="utf-8")
    run_kaderpers("build", str(new), "--out", str(out), "--compare-to", str(old), "-j", "1")
    assert soup(record).select_one(".kp-changed-marker a").get_text(strip=True).startswith("Gewijzigd")
    assert [p for p in site.rglob("*.html") if soup(p).select_one(".kp-changed-marker")] == [record]


def test_compare_to_a_folder_that_does_not_exist_is_one_clear_message(tmp_path: Path) -> None:
    result = run_kaderpers("build", str(CONTENT), "--out", str(tmp_path / "out"), "--compare-to", str(tmp_path / "nergens"), check=False)
    assert result.returncode != 0 and "nergens is not a folder" in result.stderr and "Traceback" not in result.stderr
