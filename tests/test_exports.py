"""Build-time exports: CSV, XLSX and ODS of overview tables, and kader.json.

The files are read back with csv, openpyxl and odfpy and compared with the
table on the page that links to them; kader.json is compared with the front
matter read by python-frontmatter.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from pathlib import Path

import frontmatter
import openpyxl
import pytest
from odf import opendocument, table, teletype

from conftest import soup_of
from kader_fixture_tree import FORMULA_TITLE, HOSTILE_LABEL, HOSTILE_TITLE, V
from test_tables import RECORD_FOLDERS, as_list

#: page → the numbers of its tables that are exported (``export`` flag or ``allow_excel_export``).
EXPORTED = {
    f"{V}/vereisten/index": [1],
    f"{V}/maatregelen/index": [1],
    "overzicht/myst": [1, 3],
}


@pytest.fixture(scope="module")
def site(kader_fixture_build: subprocess.CompletedProcess[str]) -> Path:
    return kader_fixture_build.out / "html"  # type: ignore[attr-defined]


def shown_table(site: Path, docname: str, number: int) -> tuple[list[str], list[list[str]], list[str]]:
    """Headers, cell texts and title links of a table as the page shows it."""
    container = soup_of(site / f"{docname}.html").find(id=f"kp-lijst-{number}")
    headers = [th.get_text(strip=True) for th in container.select("thead th")]
    rows, links = [], []
    for tr in container.select("tbody tr"):
        rows.append(["; ".join(chip.get_text(strip=True) for chip in td.select(".kp-chip")) or td.get_text(strip=True) for td in tr.find_all("td")])
        links.append(tr.select_one("td.kp-col-title a")["href"])
    return headers, rows, links


def download_links(site: Path, docname: str, number: int) -> dict[str, Path]:
    page = site / f"{docname}.html"
    container = soup_of(page).find(id=f"kp-lijst-{number}")
    links = container.select(".kp-downloads a")
    return {link["href"].rsplit(".", 1)[1]: (page.parent / link["href"]).resolve() for link in links}


def ods_rows(path: Path) -> list[list[str]]:
    document = opendocument.load(str(path))
    rows = []
    for row in document.spreadsheet.getElementsByType(table.TableRow):
        cells = []
        for cell in row.getElementsByType(table.TableCell):
            repeat = int(cell.getAttribute("numbercolumnsrepeated") or 1)
            cells.extend([teletype.extractText(cell)] * min(repeat, 50))
        rows.append(cells)
    return rows


def unformula(text: str) -> str:
    return text[1:] if text.startswith("'=") else text


@pytest.mark.parametrize(("docname", "number"), [(d, n) for d, numbers in EXPORTED.items() for n in numbers])
def test_exports_match_the_table_on_the_page(site: Path, docname: str, number: int) -> None:
    headers, rows, links = shown_table(site, docname, number)
    files = download_links(site, docname, number)
    assert sorted(files) == ["csv", "ods", "xlsx"] and all(path.is_file() for path in files.values())
    page_dir = (site / docname).parent
    urls = [(page_dir / link).resolve().relative_to(site.resolve()).as_posix() for link in links]
    expected = [[*row, url] for row, url in zip(rows, urls, strict=True)]

    with files["csv"].open(encoding="utf-8-sig", newline="") as handle:
        exported = list(csv.reader(handle))
    assert exported[0] == [*headers, "URL"]
    assert [[unformula(c) for c in row] for row in exported[1:]] == expected

    sheet = openpyxl.load_workbook(files["xlsx"]).active
    values = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert values[0] == [*headers, "URL"]
    assert [[unformula(c) for c in row] for row in values[1:]] == expected
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)

    ods = [row for row in ods_rows(files["ods"]) if any(row)]
    assert ods[0][: len(headers) + 1] == [*headers, "URL"]
    assert [[unformula(c) for c in row[: len(headers) + 1]] for row in ods[1:]] == expected


#: The tables of the traceability page, which are always exported (test_traceability.py checks them).
TRACEABILITY_EXPORTS = ("traceerbaarheid-vereisten", "traceerbaarheid-auditkaders")


def test_only_exported_tables_get_downloads(site: Path) -> None:
    for page in site.rglob("*.html"):
        docname = page.relative_to(site).with_suffix("").as_posix()
        if docname == "traceerbaarheid/index":
            continue
        for container in soup_of(page).select("div.kp-list"):
            number = int(container["id"].rsplit("-", 1)[1])
            assert bool(container.select(".kp-downloads a")) == (number in EXPORTED.get(docname, [])), (docname, number)
    names = sorted(p.stem for p in (site / "_exports").iterdir() if p.stem not in TRACEABILITY_EXPORTS)
    assert len(names) == 3 * sum(len(numbers) for numbers in EXPORTED.values())


def test_hostile_text_stays_text_in_exports(site: Path) -> None:
    files = download_links(site, f"{V}/vereisten/index", 1)
    assert HOSTILE_TITLE in files["csv"].read_text("utf-8-sig")
    sheet = openpyxl.load_workbook(files["xlsx"]).active
    assert HOSTILE_TITLE in [cell.value for row in sheet.iter_rows() for cell in row]
    assert [HOSTILE_TITLE] in [[c for c in row if c == HOSTILE_TITLE] for row in ods_rows(files["ods"])]
    # A label that is HTML, and a title that is a formula, on the hulpmiddelen table of the MyST page.
    files = download_links(site, "overzicht/myst", 3)
    rows = list(csv.reader(io.StringIO(files["csv"].read_text("utf-8-sig"))))
    assert any(HOSTILE_LABEL in row for row in rows)
    assert any(f"'{FORMULA_TITLE}" in row for row in rows), "a formula-like title must be exported as text"
    sheet = openpyxl.load_workbook(files["xlsx"]).active
    cells = [cell for row in sheet.iter_rows() for cell in row if str(cell.value).endswith(FORMULA_TITLE)]
    assert cells and all(cell.data_type == "s" for cell in cells)


# -- kader.json -------------------------------------------------------------------------------


def expected_title(stem: str, post: frontmatter.Post) -> str:
    """The front matter's title; without one the page's first heading, else its file name."""
    title = post.metadata.get("title")
    if title is not None and str(title).strip():
        return str(title).strip()
    heading = re.search(r"^# +(.+?)\s*$", post.content, re.MULTILINE)
    return heading[1].replace("**", "").strip() if heading else stem


def as_json(value: object) -> object:
    """A front-matter value as JSON writes it: text, numbers and booleans as they are, anything else
    YAML reads (a date, a float code such as ``1.04``) as its text; a list without its empty items."""
    if isinstance(value, list):
        return [as_json(item) for item in value if item is not None]
    if isinstance(value, dict):
        return {str(key): as_json(item) for key, item in value.items()}
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)


def same_value(written: object, recorded: object) -> bool:
    """The value kader.json holds for a key is the one written, a single value written for a list
    field being a one-item list; mappings (``sources``) hold the same for each of their keys."""
    if isinstance(written, dict) and isinstance(recorded, dict):
        return written.keys() == recorded.keys() and all(same_value(written[key], recorded[key]) for key in written)
    if isinstance(written, str) and isinstance(recorded, str):
        return written.strip() == recorded.strip()
    return (
        written == recorded
        or (not isinstance(written, list) and isinstance(recorded, list) and same_value([written], recorded))
        or (isinstance(written, list) and isinstance(recorded, list) and len(written) == len(recorded) and all(map(same_value, written, recorded)))
    )


def assert_front_matter(recorded: dict, meta: dict, stem: str) -> None:
    """kader.json holds every key of the front matter with its value (python-frontmatter's reading):
    a key without a value (``toelichting:``) is left out, or an empty list for a list field."""
    assert set(recorded) <= set(meta), (stem, set(recorded) - set(meta))
    for key, value in meta.items():
        if value is None:
            assert recorded.get(key, []) == [], (stem, key, recorded[key])
        else:
            assert key in recorded and same_value(as_json(value), recorded[key]), (stem, key, value, recorded.get(key))


def check_kader_json(tree: Path, site: Path) -> dict[str, int]:
    """Compare kader.json with the front matter of the tree; returns the number of records per kind."""
    document = json.loads((site / "kader.json").read_text("utf-8"))
    records = {(r["type"], r["stem"]): r for r in document["records"]}
    posts = {kind: {p.stem: frontmatter.load(p) for p in (tree / folder).glob("*.md") if p.name != "index.md"} for kind, folder in RECORD_FOLDERS.items()}
    metas = {kind: {stem: post.metadata for stem, post in pages.items()} for kind, pages in posts.items()}
    singular = {"vereisten": "vereiste", "maatregelen": "maatregel", "hulpmiddelen": "hulpmiddel"}
    assert {kind: sum(1 for t, _ in records if t == singular[kind]) for kind in metas} == {k: len(v) for k, v in metas.items()}

    def named(kind: str, stem: str, key: str, target: str) -> set[str]:
        return {s for s in as_list(metas[kind][stem].get(key)) if s in metas[target]}

    for kind, pages in metas.items():
        for stem, meta in pages.items():
            record = records[singular[kind], stem]
            assert record["title"] == expected_title(stem, posts[kind][stem]), stem
            assert record["id"] == (str(meta["id"]) if meta.get("id") else None)
            assert (site / record["url"]).is_file(), record["url"]
            assert_front_matter(record["front_matter"], meta, stem)
            relations = {k: set(v) for k, v in record["relations"].items()}
            if kind == "maatregelen":
                assert relations["vereisten"] == named(kind, stem, "vereiste", "vereisten")
                assert relations["hulpmiddelen"] == {h for h in metas["hulpmiddelen"] if stem in as_list(metas["hulpmiddelen"][h].get("maatregel"))}
            elif kind == "vereisten":
                for other in ("maatregelen", "hulpmiddelen"):
                    assert relations[other] == {s for s in metas[other] if stem in as_list(metas[other][s].get("vereiste"))}, (stem, other)
            else:
                assert relations["maatregelen"] == named(kind, stem, "maatregel", "maatregelen")
                assert relations["vereisten"] == named(kind, stem, "vereiste", "vereisten")
    return document["counts"]


def test_kader_json_of_the_fixture(kader_fixture_build: subprocess.CompletedProcess[str], site: Path) -> None:
    counts = check_kader_json(kader_fixture_build.tree, site)  # type: ignore[attr-defined]
    assert counts == {"vereisten": 4, "maatregelen": 3, "hulpmiddelen": 2}
    document = json.loads((site / "kader.json").read_text("utf-8"))
    owp = next(r for r in document["records"] if r["stem"] == "2-owp-01-gevaarlijk")
    assert owp["title"] == HOSTILE_TITLE and owp["dangling"] == [{"field": "vereiste", "stem": "bestaat-niet"}]
    assert {t["stem"] for t in document["taxonomies"]["levenscyclus"]} == {"probleemanalyse", "ontwerp", "implementatie"}


@pytest.mark.upstream
def test_kader_json_of_the_real_kader(upstream_tree: Path, upstream_site: Path) -> None:
    counts = check_kader_json(upstream_tree, upstream_site)
    assert counts == {"vereisten": 63, "maatregelen": 108, "hulpmiddelen": 28}


@pytest.mark.upstream
def test_real_overviews_are_exported(upstream_site: Path) -> None:
    for docname in (f"{V}/vereisten/index", f"{V}/maatregelen/index"):
        headers, rows, _ = shown_table(upstream_site, docname, 1)
        files = download_links(upstream_site, docname, 1)
        exported = list(csv.reader(io.StringIO(files["csv"].read_text("utf-8-sig"))))
        assert len(exported) - 1 == len(rows) > 60
        assert [row[:-1] for row in exported[1:]] == rows
        assert openpyxl.load_workbook(files["xlsx"]).active.max_row == len(rows) + 1
