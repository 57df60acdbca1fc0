"""The traceability page (traceerbaarheid/) and its PDF appendix, on the real tree and content/.

Expected values are computed here from the front matter with python-frontmatter and
yaml, independently of kaderpers' model: which maatregelen name each vereiste, and
the five gap lists.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import frontmatter
import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import REPO, comparable, serve
from html_pages import page_soup
from pdf_tags import Element, bookmarks, element_pages, element_text, marked_texts, structure_of
from test_browser_site import axe_violations, describe
from test_tables import Tree, as_list, glossary_terms, linked_stem

AI_ACT_FIELDS = ("soort-toepassing", "risicogroep", "rol-ai-act", "transparantieverplichting", "systeemrisico", "open-source")


#: Reference field → the kind of record it names (test_tables.Tree's keys).
PLURAL = {"vereiste": "vereisten", "maatregel": "maatregelen", "hulpmiddel": "hulpmiddelen"}


class FrontMatter(Tree):
    """The tree's records (by field name: vereiste, maatregel, hulpmiddel) and vocabularies, read the plain way."""

    def __init__(self, tree: Path):
        super().__init__(tree)
        self.tree = tree
        self.records = {field: self.records[plural] for field, plural in PLURAL.items()}
        self.folded = {kind: {stem.lower(): stem for stem in stems} for kind, stems in self.records.items()}

    def resolve(self, kind: str, name: str) -> str | None:
        return self.folded[kind].get(name.lower())

    def links(self, kind: str, stem: str, field: str) -> list[str]:
        """The existing records of the kind ``field`` names that record (kind, stem) lists in ``field``."""
        return [found for name in as_list(self.records[kind][stem].get(field)) if (found := self.resolve(field, name))]

    def maatregelen_naming(self, vereiste: str) -> set[str]:
        named = {m for m in self.records["maatregel"] if vereiste in self.links("maatregel", m, "vereiste")}
        return named | set(self.links("vereiste", vereiste, "maatregel"))

    def meets_a_vereiste(self, maatregel: str) -> bool:
        return bool(self.links("maatregel", maatregel, "vereiste")) or any(
            maatregel in self.links("vereiste", v, "maatregel") for v in self.records["vereiste"]
        )

    def hulpmiddel_linked(self, hulpmiddel: str) -> bool:
        return bool(self.links("hulpmiddel", hulpmiddel, "vereiste") or self.links("hulpmiddel", hulpmiddel, "maatregel"))

    def phases(self) -> list[tuple[str, str]]:
        """(stem, heading) of the levenscyclus phases, in phase order: by ``fase``, else the number in the title."""
        phases = []
        for path in sorted((self.tree / "levenscyclus").glob("*.md")):
            page = frontmatter.loads(path.read_text("utf-8"))
            title = str(page.metadata.get("title") or "")
            heading = re.search(r"^#\s+(.+)$", page.content, re.MULTILINE)
            number = page.metadata.get("fase")
            if not isinstance(number, int):
                found = re.search(r"\bfase\s+(\d+)\b", title or (heading[1] if heading else ""), re.IGNORECASE)
                number = int(found[1]) if found else None
            if path.stem != "index" and number is not None:
                phases.append((number, path.stem, heading[1].strip() if heading else title))
        return [(stem, heading) for _, stem, heading in sorted(phases)]

    def vocabularies(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        found["levenscyclus"] = [stem for stem, _ in self.phases()]
        found["rollen"] = [p.stem for p in sorted((self.tree / "rollen").glob("*.md")) if p.stem != "index"]
        found["onderwerp"] = [p.stem for p in sorted((self.tree / "onderwerpen").glob("*.md")) if p.stem != "index"]
        vocabulary = yaml.safe_load((REPO / "extensions" / "kaderpers" / "data" / "vocabulaire.yml").read_text("utf-8"))
        own = self.tree / "vocabulaire.yml"
        if own.is_file():
            vocabulary.update(yaml.safe_load(own.read_text("utf-8")))
        for field in AI_ACT_FIELDS:
            found[field] = list((vocabulary.get("labels") or {}).get(field) or {})
        found["categorie"] = list(vocabulary.get("categorie") or {})
        return found


@pytest.fixture(scope="module")
def upstream_matter(upstream_tree: Path) -> FrontMatter:
    return FrontMatter(upstream_tree)


@pytest.fixture(scope="module")
def trace_page(upstream_site: Path) -> BeautifulSoup:
    return page_soup(upstream_site / "traceerbaarheid" / "index.html")


def linked_stems(element, base: Path, site: Path) -> list[str]:  # noqa: ANN001 - a bs4 Tag
    """The stems of the pages the links in ``element`` lead to (heading anchors left out)."""
    return [linked_stem(base / "index.html", site, link["href"]) for link in element.select("a[href]") if not link["href"].startswith("#")]


@pytest.mark.upstream
def test_every_vereiste_row_holds_exactly_the_maatregelen_that_name_it(trace_page: BeautifulSoup, upstream_matter: FrontMatter, upstream_site: Path) -> None:
    base = upstream_site / "traceerbaarheid"
    table = trace_page.select_one("#kp-traceerbaarheid-vereisten table.kp-table")
    rows = table.select("tbody tr")
    assert len(rows) == len(upstream_matter.records["vereiste"])
    seen = set()
    for row in rows:
        (vereiste,) = linked_stems(row.select_one("td.kp-col-title"), base, upstream_site)
        seen.add(vereiste)
        got = linked_stems(row.select_one("td.kp-col-maatregelen"), base, upstream_site)
        assert len(got) == len(set(got))
        assert set(got) == upstream_matter.maatregelen_naming(vereiste), vereiste
    assert seen == set(upstream_matter.records["vereiste"])


@pytest.mark.upstream
def test_gap_lists_equal_an_independent_computation(trace_page: BeautifulSoup, upstream_matter: FrontMatter, upstream_site: Path) -> None:
    base = upstream_site / "traceerbaarheid"
    matter = upstream_matter

    def listed(anchor: str) -> list[str]:
        section = trace_page.find(id=anchor)
        return linked_stems(section, base, upstream_site)

    assert sorted(listed("hiaat-vereisten")) == sorted(v for v in matter.records["vereiste"] if not matter.maatregelen_naming(v))
    expected_maatregelen = [m for m in matter.records["maatregel"] if not matter.meets_a_vereiste(m)]
    assert sorted(listed("hiaat-maatregelen")) == sorted(expected_maatregelen)
    assert sorted(listed("hiaat-hulpmiddelen")) == sorted(h for h in matter.records["hulpmiddel"] if not matter.hulpmiddel_linked(h))

    used = {field: {v for kind in matter.records.values() for meta in kind.values() for v in as_list(meta.get(field))} for field in matter.vocabularies()}
    expected_unused = sorted((field, value) for field, values in matter.vocabularies().items() for value in values if value not in used[field])
    got_unused = sorted(
        (li.get_text().split(":")[0], re.search(r"\(([^()]*)\)\s*$", li.get_text())[1]) for li in trace_page.find(id="hiaat-waarden").select("li")
    )
    assert got_unused == expected_unused

    expected_dangling = sorted(
        (stem, field, name)
        for kind in matter.records
        for stem, meta in matter.records[kind].items()
        for field in ("vereiste", "maatregel")
        for name in as_list(meta.get(field))
        if name and matter.resolve(field, name) is None
    )
    got_dangling = []
    for li in trace_page.find(id="hiaat-verwijzingen").select("li"):
        (stem,) = linked_stems(li, base, upstream_site)
        field = re.search(r": (\w+) noemt", li.get_text())[1]
        got_dangling.append((stem, field, Path(li.code.get_text()).stem))
    assert sorted(got_dangling) == expected_dangling
    assert expected_dangling  # the real tree has some: the check is not vacuous


@pytest.mark.upstream
def test_audit_framework_view_lists_every_code_of_the_sources(trace_page: BeautifulSoup, upstream_matter: FrontMatter, upstream_site: Path) -> None:
    base = upstream_site / "traceerbaarheid"
    expected = {}
    for stem, meta in upstream_matter.records["maatregel"].items():
        sources = meta.get("sources") if isinstance(meta.get("sources"), dict) else {}
        codes = sorted(f"{framework}: {code}" for framework, value in sources.items() for code in as_list(value) if code)
        if codes:
            expected[stem] = codes
    table = trace_page.select_one("#kp-traceerbaarheid-auditkaders table.kp-table")
    got = {}
    for row in table.select("tbody tr"):
        (stem,) = linked_stems(row.select_one("td.kp-col-title"), base, upstream_site)
        got[stem] = sorted(chip.get_text() for chip in row.select("td.kp-col-bronnen .kp-chip"))
    # YAML reads `ARK: 1.04` as a number; kaderpers keeps the code as written.
    assert {s: [re.sub(r"(\d)0+$", r"\1", c) for c in codes] for s, codes in got.items()} == {
        s: [re.sub(r"(\d)0+$", r"\1", c) for c in codes] for s, codes in expected.items()
    }
    assert any(code.startswith("ADR: ") for codes in got.values() for code in codes)


@pytest.mark.upstream
def test_the_matrix_exports_as_csv_xlsx_and_ods(trace_page: BeautifulSoup, upstream_site: Path, upstream_matter: FrontMatter) -> None:
    container = trace_page.select_one("#kp-traceerbaarheid-vereisten")
    links = {a.get_text(): a["href"] for a in container.select(".kp-downloads a")}
    assert set(links) == {"CSV", "Excel (XLSX)", "OpenDocument (ODS)"}
    for href in links.values():
        assert (upstream_site / "traceerbaarheid" / href).resolve().is_file()
    text = (upstream_site / "traceerbaarheid" / links["CSV"]).resolve().read_text("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["ID", "Vereiste"] and "Maatregelen" in rows[0] and "Hulpmiddelen" in rows[0]
    assert len(rows) - 1 == len(upstream_matter.records["vereiste"])


@pytest.mark.upstream
def test_the_matrix_filters_by_maatregel_in_a_browser(upstream_site: Path, page, upstream_matter: FrontMatter) -> None:
    # axe first, on the page as it loads (axe.run leaves the page as it is); then the filter, on the same page.
    violations = axe_violations(page, f"{serve(upstream_site)}/traceerbaarheid/index.html")
    assert not violations, describe(violations)
    table = "#kp-traceerbaarheid-vereisten"
    count = page.locator(f"{table} .kp-count")
    assert count.inner_text().strip() == f"{len(upstream_matter.records['vereiste'])} vereisten"
    select = page.locator(f"{table} .kp-multiselect-maatregelen")
    select.locator("summary").click()
    maatregelen = upstream_matter.records["maatregel"]
    # Once per vereiste, not once per vereiste and option: 650,000 front-matter lookups took 4 CPU-s.
    naming_maatregelen = {v: upstream_matter.maatregelen_naming(v) for v in upstream_matter.records["vereiste"]}

    def naming(code: str) -> list[str]:
        """The vereisten whose front matter names the maatregel with this code."""
        return [v for v, named in naming_maatregelen.items() if any(str(maatregelen[m].get("id", "")).endswith(f":{code}") for m in named)]

    # An option named by about half the vereisten, among them vereisten with other maatregelen too (their
    # rows stay only when any chosen value of a row is enough, not every value).
    codes = [label.strip() for label in select.locator("label").all_inner_texts()]
    named = {code: naming(code) for code in codes}
    candidates = [code for code in codes if any(len(naming_maatregelen[v]) > 1 for v in named[code])]
    assert candidates
    code = min(candidates, key=lambda code: abs(2 * len(named[code]) - len(upstream_matter.records["vereiste"])))
    expected = named[code]
    select.locator("label").nth(codes.index(code)).click()
    visible = page.locator(f"{table} tbody tr:visible")
    assert visible.count() == len(expected) > 0
    assert count.inner_text().strip().startswith(f"{len(expected)} van ")


def test_the_pdf_edition_has_the_matrix_as_an_appendix_that_fits_a4(content_build: subprocess.CompletedProcess[str]) -> None:
    from conftest import CONTENT
    from pdf_text import pypdf_reader

    edition = content_build.out / "pdf" / "algoritmekader.pdf"  # type: ignore[attr-defined]
    reader = pypdf_reader(edition)
    top = [item for item in reader.outline if not isinstance(item, list)]
    assert top[-1].title.endswith("Traceerbaarheid")
    start = reader.get_destination_page_number(top[-1])
    pages = subprocess.run(["pdftotext", "-layout", str(edition), "-"], capture_output=True, text=True, check=True).stdout.split("\f")
    text = " ".join(pages[start:])
    assert "Vereisten en maatregelen" in text and "Hiaten" in text
    matter = FrontMatter(CONTENT)
    for stem, meta in matter.records["vereiste"].items():
        assert str(meta["id"]).rsplit(":", 1)[-1] in text, stem
    # By phase, with the law of each vereiste.
    assert "Wetgeving" in text and all(comparable(heading) in comparable(text) for _, heading in matter.phases())
    # Every word of the appendix lies on an A4 page inside its margins.
    layout = subprocess.run(["pdftotext", "-f", str(start + 1), "-bbox", str(edition), "-"], capture_output=True, text=True, check=True).stdout
    page_width = float(re.search(r'<page width="([\d.]+)"', layout)[1])
    assert abs(page_width - 595.3) < 1
    right = max(float(x) for x in re.findall(r'xMax="([\d.]+)"', layout))
    assert right < page_width - 0.5 * 72 / 2.54  # at least half a centimetre from the edge


# -- the appendix of the real tree's edition, read from its tags -----------------------------------------------


@dataclass
class PrintedTable:
    header: list[str]
    rows: list[dict[str, str]]  # header → cell text


@dataclass
class PrintedSection:
    heading: str
    tables: list[PrintedTable]
    sections: list[PrintedSection]

    def section(self, title: str) -> PrintedSection:
        (found,) = [s for s in self.sections if comparable(s.heading).endswith(comparable(title))]
        return found


def printed_section(sect: Element, texts: dict[tuple[int, int], str]) -> PrintedSection:
    """A tagged section (Sect) as its heading, the tables directly in it, and its subsections."""
    kids = [kid for kid in sect.kids if isinstance(kid, Element)]
    heading = next(element_text(kid, texts) for kid in kids if re.fullmatch(r"H[1-6]", kid.type))
    tables = []
    for table in (kid for kid in kids if kid.type == "Table"):
        header = [element_text(cell, texts) for cell in table.walk() if cell.type == "TH"]
        rows = []
        for body in (e for e in table.walk() if e.type == "TBody"):
            for row in (e for e in body.walk() if e.type == "TR"):
                cells = [element_text(cell, texts) for cell in row.kids if isinstance(cell, Element) and cell.type == "TD"]
                rows.append(dict(zip(header, cells, strict=True)))
        tables.append(PrintedTable(header, rows))
    return PrintedSection(heading, tables, [printed_section(kid, texts) for kid in kids if kid.type == "Sect"])


@pytest.fixture(scope="module")
def printed_appendix(upstream_edition: Path) -> PrintedSection:
    """The last chapter of the real tree's edition (the appendix), from its structure tree (pikepdf) and the
    text of its marked content (pypdf); only the appendix's pages are read."""
    tree = structure_of(upstream_edition)
    assert tree is not None
    chapters = [e for e in tree.walk() if e.type == "Sect" and any(isinstance(kid, Element) and kid.type == "H1" for kid in e.kids)]
    texts = marked_texts(upstream_edition, element_pages(chapters[-1]))
    return printed_section(chapters[-1], texts)


def cell_items(text: str) -> list[str]:
    """The comma-separated items of a printed cell, comparable (line breaks and hyphenation ignored)."""
    return sorted(comparable(item) for item in text.split(",") if comparable(item))


@pytest.mark.upstream
@pytest.mark.pdf
def test_pdf_appendix_has_every_vereiste_under_each_of_its_phases_with_wetcode_and_maatregelen(
    printed_appendix: PrintedSection, upstream_matter: FrontMatter, upstream_tree: Path, upstream_edition: Path
) -> None:
    matter = upstream_matter
    assert comparable(printed_appendix.heading).endswith("traceerbaarheid")
    matrix = printed_appendix.section("Vereisten en maatregelen")
    phases = matter.phases()
    vereisten = matter.records["vereiste"]
    maatregelen = matter.records["maatregel"]

    def label(meta: dict, stem: str) -> str:
        return str(meta["id"]).rsplit(":", 1)[-1] if meta.get("id") else stem

    by_label = {comparable(label(meta, stem)): stem for stem, meta in vereisten.items()}
    assert len(by_label) == len(vereisten)  # the id column names each vereiste once
    without = {s for s, meta in vereisten.items() if not {str(v) for v in as_list(meta.get("levenscyclus"))} & {stem for stem, _ in phases}}
    expected_headings = [heading for _, heading in phases] + (["Zonder fase"] if without else [])
    assert [comparable(s.heading) for s in matrix.sections] == [comparable(h) for h in expected_headings]

    terms = glossary_terms(upstream_tree)
    placed = []
    for (phase, _), printed in zip([*phases, (None, "")], matrix.sections, strict=False):
        expected = {s for s, meta in vereisten.items() if phase in as_list(meta.get("levenscyclus"))} if phase else without
        rows = [row for table in printed.tables for row in table.rows]
        assert all(table.header == ["ID", "Vereiste", "Wetgeving", "Maatregelen", "Hulpmiddelen"] for table in printed.tables)
        got = [by_label[comparable(row["ID"])] for row in rows]
        assert len(got) == len(set(got)), printed.heading
        assert set(got) == expected, printed.heading
        for row, stem in zip(rows, got, strict=True):
            code = stem.split("-")[0].upper()
            assert comparable(row["Wetgeving"]) == comparable(terms.get(code, code).rstrip(".")), stem
            assert comparable(vereisten[stem].get("title", "")) == comparable(row["Vereiste"]), stem
            named = sorted(comparable(label(maatregelen[m], m)) for m in matter.maatregelen_naming(stem))
            assert cell_items(row["Maatregelen"]) == named, (printed.heading, stem)
            placed.append(stem)
    # None is lost: each vereiste once per phase it names (once in total without one).
    assert sorted(placed) == sorted([s for s, meta in vereisten.items() for phase, _ in phases if phase in as_list(meta.get("levenscyclus"))] + list(without))
    assert set(placed) == set(vereisten)

    # The auditkaders table keeps the phases of each maatregel.
    (sources,) = printed_appendix.section("Maatregelen en auditkaders").tables
    assert "Levenscyclus" in sources.header and sources.rows
    phase_labels = {stem: stem.replace("-", " ") for stem, _ in phases}
    for row in sources.rows:
        (stem,) = [m for m, meta in maatregelen.items() if comparable(label(meta, m)) == comparable(row["ID"])]
        assert cell_items(row["Levenscyclus"]) == sorted(comparable(phase_labels.get(v, v)) for v in as_list(maatregelen[stem].get("levenscyclus"))), stem

    # The bookmarks show the phases under the matrix.
    outline = bookmarks(upstream_edition)
    start = next(i for i, mark in enumerate(outline) if mark.depth == 1 and comparable(mark.label) == comparable("Vereisten en maatregelen"))
    under = [mark.label for mark in outline[start + 1 :][: len(expected_headings)] if mark.depth == 2]
    assert [comparable(t) for t in under] == [comparable(h) for h in expected_headings]

    # Every word of the wider tables lies on an A4 page in portrait, inside its margins.
    first = [mark for mark in outline if mark.depth == 0][-1].page
    layout = subprocess.run(["pdftotext", "-f", str(first + 1), "-bbox", str(upstream_edition), "-"], capture_output=True, text=True, check=True).stdout
    assert {round(float(width)) for width in re.findall(r'<page width="([\d.]+)"', layout)} == {595}
    assert max(float(x) for x in re.findall(r'xMax="([\d.]+)"', layout)) < 595.3 - 0.5 * 72 / 2.54
