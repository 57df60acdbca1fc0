"""List directives → tables: rows, columns, chips, tags, warnings, incremental and parallel builds.

Expected rows are computed here from the Markdown files themselves (python-frontmatter
and a regular expression for the directives), independently of kaderpers.core.model and
kaderpers.core.grammar, and compared with the tables in the built HTML.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import frontmatter
import pytest
from bs4 import BeautifulSoup

from conftest import CONTENT, make_tree, run_kaderpers, soup_of
from html_pages import page_soup
from kader_fixture_tree import FILES, HOSTILE_LABEL, HOSTILE_TITLE, V

RECORD_FOLDERS = {
    "vereisten": f"{V}/vereisten",
    "maatregelen": f"{V}/maatregelen",
    "hulpmiddelen": f"{V}/hulpmiddelen",
}
#: list directive → (kind of record listed, the page's own field it lists, or None).
LISTS = {
    "list_vereisten": ("vereisten", None),
    "list_maatregelen": ("maatregelen", None),
    "list_hulpmiddelen": ("hulpmiddelen", None),
    "list_vereisten_on_maatregelen_page": ("vereisten", "vereiste"),
    "list_maatregelen_on_hulpmiddelen_page": ("maatregelen", "maatregel"),
}
MYST_LISTS = {
    "vereisten": "list_vereisten",
    "maatregelen": "list_maatregelen",
    "hulpmiddelen": "list_hulpmiddelen",
    "vereisten-bij-maatregel": "list_vereisten_on_maatregelen_page",
    "maatregelen-bij-hulpmiddel": "list_maatregelen_on_hulpmiddelen_page",
}
COMMENT = re.compile(r"<!--\s+(list_[a-z_]+)((?:\s+[^\s]+?)*?)\s+-->")
FENCE = re.compile(r"^\s*(`{3,})(.*)$")


# -- reading a tree without kaderpers ------------------------------------------------------


@dataclass
class Directive:
    name: str
    words: list[str] = field(default_factory=list)

    @property
    def filters(self) -> list[tuple[str, str]]:
        return [tuple(w.split("/", 1)) for w in self.words if "/" in w]  # type: ignore[misc]

    @property
    def flags(self) -> set[str]:
        return {w for w in self.words if "/" not in w}


def directives_in(text: str) -> list[Directive]:
    """The list directives of a page in document order, both spellings, skipping code blocks."""
    found: list[Directive] = []
    lines = text.split("\n")
    fence: str | None = None
    myst: Directive | None = None
    for line in lines:
        match = FENCE.match(line)
        if fence is None and match:
            fence = match[1]
            kind = re.match(r"\{kader-lijst\}\s+(\S+)", match[2].strip())
            myst = Directive(MYST_LISTS[kind[1]]) if kind else None
            continue
        if fence is not None:
            if match and match[1] == fence and not match[2].strip():
                if myst is not None:
                    found.append(myst)
                fence, myst = None, None
            elif myst is not None and (option := re.match(r"\s*:(filter|flags):(.*)", line)):
                myst.words += option[2].split()
            continue
        found.extend(Directive(m[1], m[2].split()) for m in COMMENT.finditer(line))
    return found


def as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(item).strip() for item in value if item is not None]
    return [str(value).strip()]


class Tree:
    """The records of a tree as python-frontmatter reads them."""

    def __init__(self, root: Path):
        self.root = root
        self.records: dict[str, dict[str, dict]] = {}
        for kind, folder in RECORD_FOLDERS.items():
            self.records[kind] = {path.stem: frontmatter.load(path).metadata for path in (root / folder).glob("*.md") if path.name != "index.md"}

    def expected(self, page: Path, directive: Directive) -> tuple[list[str], list[str]]:
        """(stems of the rows, missing stems shown as marked rows) a directive should show."""
        kind, own_field = LISTS[directive.name]
        records = self.records[kind]
        if own_field:
            named = as_list(frontmatter.load(page).metadata.get(own_field))
            # Found records in file-name order, then the missing ones as written.
            return sorted({s for s in named if s in records}), list(dict.fromkeys(s for s in named if s not in records))
        stems = [s for s, meta in records.items() if all(value in as_list(meta.get(key)) for key, value in directive.filters)]
        return sorted(stems, key=str.lower if kind == "hulpmiddelen" else None), []


def html_of(site: Path, relative_md: str) -> Path:
    return site / (relative_md.removesuffix(".md") + ".html")


def linked_stem(page_html: Path, site: Path, href: str) -> str:
    target = PurePosixPath(unquote(urlsplit(href).path))
    resolved = (page_html.parent / target).resolve().relative_to(site.resolve())
    return resolved.with_suffix("").name


def table_rows(site: Path, page_html: Path, container) -> tuple[list[str], list[str]]:  # noqa: ANN001 - a bs4 Tag
    rows, dangling = [], []
    for tr in container.select("table.kp-table > tbody > tr"):
        if "kp-row-dangling" in tr.get("class", []):
            dangling.append(tr.select_one(".kp-dangling-ref").get_text())
        else:
            rows.append(linked_stem(page_html, site, tr.select_one("td.kp-col-title a")["href"]))
    return rows, dangling


def check_every_directive(tree_root: Path, site: Path) -> int:
    """Assert that every list directive of a tree renders the rows its filters select; returns how many."""
    tree = Tree(tree_root)
    checked = 0
    for page in sorted(tree_root.rglob("*.md")):
        relative = page.relative_to(tree_root).as_posix()
        if relative.startswith("includes/"):
            continue
        directives = directives_in(page.read_text("utf-8"))
        if not directives:
            continue
        page_html = html_of(site, relative)
        soup = page_soup(page_html)
        containers = soup.select("div.kp-list")
        assert len(containers) == len(directives), f"{relative}: {len(directives)} list directives but {len(containers)} tables"
        for number, directive in enumerate(directives, start=1):
            container = soup.find(id=f"kp-lijst-{number}")
            assert container is not None, f"{relative}: no table for directive {number} ({directive.name})"
            expected_rows, expected_dangling = tree.expected(page, directive)
            if not expected_rows and not expected_dangling:
                assert container.select_one(".kp-empty") is not None and container.find("table") is None, f"{relative} #{number}"
            else:
                rows, dangling = table_rows(site, page_html, container)
                assert rows == expected_rows, f"{relative} #{number} {directive.name} {directive.words}"
                assert dangling == expected_dangling, f"{relative} #{number}: dangling rows"
                headers = [th["class"] for th in container.select("thead th")]
                for flag in directive.flags:
                    if flag.startswith("no-") and flag != "no-search":
                        assert not any(f"kp-col-{flag[3:]}" in c for c in headers), f"{relative} #{number}: {flag} column shown"
                searchable = "no-search" not in directive.flags and not LISTS[directive.name][1]
                assert ("kp-search" in container["class"]) == searchable, f"{relative} #{number}: search switch"
            checked += 1
    return checked


def glossary_terms(tree_root: Path) -> dict[str, str]:
    for candidate in (tree_root / "includes/begrippenlijst.md", tree_root.parent / "includes/begrippenlijst.md"):
        if candidate.is_file():
            return {m[1]: m[2].strip() for m in re.finditer(r"^\*\[([^\]]+)\]:\s*(.+)$", candidate.read_text("utf-8"), re.M)}
    return {}


def check_wetgeving(tree_root: Path, site: Path) -> int:
    """Every Wetgeving cell shows the vereiste's law code expanded through the glossary."""
    terms = glossary_terms(tree_root)
    checked = 0
    for page_html in site.rglob("*.html"):
        if "kp-vereisten" not in page_html.read_text("utf-8"):
            continue  # no table of vereisten: not worth a parse
        for tr in page_soup(page_html).select("table.kp-vereisten > tbody > tr:not(.kp-row-dangling)"):
            cell = tr.select_one("td.kp-col-wetcode")
            if cell is None:
                continue
            stem = linked_stem(page_html, site, tr.select_one("td.kp-col-title a")["href"])
            code = stem.split("-")[0].upper()
            assert cell.get_text(strip=True) == terms.get(code, code).rstrip(".").strip(), f"{page_html}: {stem}"
            checked += 1
    return checked


# -- the fixture tree: both spellings, filters, flags, tags ----------------------------------


@pytest.fixture(scope="module")
def fixture_site(kader_fixture_build: subprocess.CompletedProcess[str]) -> Path:
    return kader_fixture_build.out / "html"  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def fixture_tree(kader_fixture_build: subprocess.CompletedProcess[str]) -> Path:
    return kader_fixture_build.tree  # type: ignore[attr-defined]


def test_fixture_tree_tables_match_front_matter(fixture_tree: Path, fixture_site: Path) -> None:
    assert check_every_directive(fixture_tree, fixture_site) == 22


def test_two_filters_are_both_applied_in_both_spellings(fixture_site: Path) -> None:
    page = fixture_site / "overzicht/myst.html"
    soup = page_soup(page)
    myst_rows, _ = table_rows(fixture_site, page, soup.find(id="kp-lijst-1"))
    legacy_rows, _ = table_rows(fixture_site, page, soup.find(id="kp-lijst-2"))
    # levenscyclus/ontwerp gives only owp-01, which also has onderwerp privacy.
    assert myst_rows == ["2-owp-01-gevaarlijk"]
    # vereiste/aia-03 alone gives owp-01 and imp-01; onderwerp/publieke-inkoop keeps only imp-01.
    assert legacy_rows == ["6-imp-01-monitoren"]
    headers = [th.get_text(strip=True) for th in soup.find(id="kp-lijst-1").select("thead th")]
    assert headers == ["ID", "Maatregel", "Levenscyclus", "Onderwerpen"]  # no-rol
    assert {"kp-search", "kp-export"} <= set(soup.find(id="kp-lijst-1")["class"])
    third = soup.find(id="kp-lijst-3")
    assert [th.get_text(strip=True) for th in third.select("thead th")] == ["ID", "Hulpmiddel", "Categorie", "Rollen", "Onderwerpen"]


def test_rows_follow_phase_order_and_law_code(fixture_site: Path) -> None:
    page = fixture_site / f"{V}/maatregelen/index.html"
    rows, _ = table_rows(fixture_site, page, page_soup(page).find(id="kp-lijst-1"))
    assert rows == ["1-pba-01-doel", "2-owp-01-gevaarlijk", "6-imp-01-monitoren"]
    page = fixture_site / f"{V}/vereisten/index.html"
    rows, _ = table_rows(fixture_site, page, page_soup(page).find(id="kp-lijst-1"))
    assert rows == ["aia-01-ai-geletterdheid", "aia-03-risicobeheer", "aia-30-systeemrisico", "avg-01-rechtmatig"]


def test_wetgeving_is_the_law_expanded_through_the_glossary(fixture_tree: Path, fixture_site: Path) -> None:
    assert check_wetgeving(fixture_tree, fixture_site) >= 5
    cells = [td.get_text(strip=True) for td in page_soup(fixture_site / f"{V}/vereisten/index.html").select("td.kp-col-wetcode")]
    assert cells == ["AI-verordening"] * 3 + ["Algemene verordening gegevensbescherming"]


def test_filter_script_only_on_pages_with_an_interactive_table(fixture_site: Path) -> None:
    with_script = set()
    for page in fixture_site.rglob("*.html"):
        if page.relative_to(fixture_site).parts[0] == "_static":
            continue
        soup = page_soup(page)
        if any(s["src"].split("?")[0].endswith("_static/kader-tables.js") for s in soup.find_all("script", src=True)):
            with_script.add(page.relative_to(fixture_site).as_posix())
        assert soup.find("link", href=re.compile(r"_static/kader-tables\.css")) is not None, page
    assert with_script == {
        f"{V}/vereisten/index.html",
        f"{V}/maatregelen/index.html",
        "levenscyclus/implementatie.html",
        "overzicht/myst.html",
        f"{V}/hulpmiddelen/index.html",
        "traceerbaarheid/index.html",
    }


def test_titles_and_chips_are_links_to_their_pages(fixture_site: Path) -> None:
    page = fixture_site / f"{V}/maatregelen/index.html"
    row = page_soup(page).select("table.kp-table tbody tr")[2]
    title = row.select_one("td.kp-col-title a")
    assert title.get_text() == "Monitor de werking"
    assert (page.parent / title["href"]).resolve() == (fixture_site / f"{V}/maatregelen/6-imp-01-monitoren.html").resolve()
    chips = row.select("td.kp-col-rol .kp-chip")
    assert [c.get_text() for c in chips] == ["Ontwikkelaar", "Jurist"]
    assert [(page.parent / c.a["href"]).resolve().name for c in chips] == ["ontwikkelaar.html", "jurist.html"]
    phases = row.select("td.kp-col-levenscyclus .kp-chip a")
    assert [(page.parent / a["href"]).resolve().relative_to(fixture_site.resolve()).as_posix() for a in phases] == ["levenscyclus/implementatie.html"]


def test_a_value_without_a_taxonomy_page_is_a_chip_without_link(fixture_site: Path) -> None:
    row = page_soup(fixture_site / f"{V}/vereisten/index.html").select("table.kp-table tbody tr")[0]
    chips = row.select("td.kp-col-levenscyclus .kp-chip")
    # Sorted in phase order; the unknown phase comes last and links nowhere.
    assert [c.get_text() for c in chips] == ["Ontwerp", "Organisatieverantwoordelijkheden"]
    assert chips[0].a is not None and chips[1].a is None


def test_dangling_reference_is_plain_marked_text_with_a_warning(kader_fixture_build: subprocess.CompletedProcess[str], fixture_site: Path) -> None:
    page = fixture_site / f"{V}/maatregelen/2-owp-01-gevaarlijk.html"
    container = page_soup(page).find(id="kp-lijst-1")
    rows, dangling = table_rows(fixture_site, page, container)
    assert rows == ["aia-03-risicobeheer"] and dangling == ["bestaat-niet"]
    marked = container.select_one("tr.kp-row-dangling")
    assert marked.find("a") is None and "ontbreekt" in marked.get_text()
    log = kader_fixture_build.stdout + kader_fixture_build.stderr
    assert re.search(r"maatregelen/2-owp-01-gevaarlijk\.md:\d+: WARNING: `vereiste` refers to `bestaat-niet`", log)


def test_own_page_lists_show_id_and_title(fixture_site: Path) -> None:
    page = fixture_site / f"{V}/hulpmiddelen/DPIA.html"
    soup = page_soup(page)
    maatregelen = soup.find(id="kp-lijst-1")
    assert [th.get_text(strip=True) for th in maatregelen.select("thead th")] == ["ID", "Maatregel"]
    assert [td.get_text(strip=True) for td in maatregelen.select("td.kp-col-id")] == ["pba-01", "imp-01"]
    assert "kp-search" not in maatregelen["class"] and soup.select_one("script.kp-table-data") is None


def test_tags_show_id_and_taxonomy_chips(fixture_site: Path) -> None:
    tags = page_soup(fixture_site / f"{V}/maatregelen/6-imp-01-monitoren.html").select_one("p.kp-tags")
    chips = [(c["class"][1], c.get_text()) for c in tags.select(".kp-chip")]
    assert chips == [
        ("kp-chip-id", "imp-01"),
        ("kp-chip-levenscyclus", "Implementatie"),
        ("kp-chip-rollen", "Ontwikkelaar"),
        ("kp-chip-rollen", "Jurist"),
        ("kp-chip-onderwerp", "Publieke inkoop"),
        ("kp-chip-onderwerp", "Privacy"),
    ]
    assert all(c.a is not None for c in tags.select(".kp-chip")[1:])


def test_tags_ai_act_for_ai_act_and_other_vereisten(fixture_site: Path) -> None:
    aia = page_soup(fixture_site / f"{V}/vereisten/aia-01-ai-geletterdheid.html")
    labels = aia.select_one("ul.kp-ai-act-labels")
    text = labels.get_text(" ", strip=True)
    assert "Aanbieder" in text and "AI-model voor algemene doeleinden" in text and "Niet van toepassing" not in text
    assert aia.select_one(".kp-not-ai-act") is None
    avg = page_soup(fixture_site / f"{V}/vereisten/avg-01-rechtmatig.html")
    sentence = avg.select_one("p.kp-not-ai-act")
    assert sentence is not None and avg.select_one("ul.kp-ai-act-labels") is None
    link = sentence.find("a")
    assert link.get_text() == "bronnen" and link["href"].startswith("#")
    target = avg.find(id=link["href"][1:])
    assert target is not None and target.find(["h1", "h2", "h3"]).get_text(strip=True).rstrip("#").strip() == "Bronnen"


def test_hostile_metadata_is_text_everywhere(fixture_site: Path) -> None:
    seen = 0
    for page in fixture_site.rglob("*.html"):
        raw = page.read_text("utf-8")
        assert HOSTILE_TITLE not in raw and HOSTILE_LABEL not in raw, page
        soup = BeautifulSoup(raw, "html.parser")
        assert not soup.find_all("img", src="x"), page
        assert not [s for s in soup.find_all("script") if "alert(" in (s.string or "") and "kp-" not in " ".join(s.get("class", []))], page
        for cell in soup.select("td.kp-col-title, .kp-chip"):
            if cell.get_text(strip=True) in (HOSTILE_TITLE, HOSTILE_LABEL):
                seen += 1
    # Tables: vereisten overview, ontwerp (vereisten + maatregelen), probleemanalyse, jurist, maatregelen overview,
    # ontwikkelaar, myst; chips: the categorie of a hulpmiddel on the hulpmiddelen overview and the myst page.
    assert seen >= 9


# -- warnings -------------------------------------------------------------------------------

BAD_TREE = {
    "index.md": "# Fouten\n",
    "rollen/jurist.md": "# Jurist\n",
    f"{V}/vereisten/aia-01-test.md": "---\ntitle: Test\nid: urn:nl:ak:ver:aia-01\n"
    "uitzondering:\n- '(risicogroep-hoog-risico-ai-systeem && '\n- rol-ai-act-keizer\n---\n\nTekst.\n",
    "fouten.md": "# Fouten\n\nEerst tekst.\n\n<!-- list_maatregelen no-kleur -->\n\n<!-- list_vereisten kleur/rood -->\n\n"
    "<!-- list_maatregelen rollen/juirst -->\n\n<!-- list_vereisten groen -->\n\n<!-- list_vereisten-->\n\n"
    "```{kader-lijst} maatregelen\n:flags: add-kleur\n```\n\n```{kader-lijst} vereisten\n:filter: vereiste/bestaat-niet\n```\n",
}


@pytest.fixture(scope="module")
def bad_build(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("bad")
    tree = make_tree(root / "tree", BAD_TREE)
    result = run_kaderpers("build", str(tree), "--out", str(root / "out"), "-j", "1")
    return result.stdout + result.stderr


@pytest.mark.parametrize(
    ("line", "rule", "words"),
    [
        (5, "directive.flag", ["no-kleur"]),
        (7, "directive.filter", ["kleur"]),
        (9, "directive.filter", ["rollen/juirst", "jurist"]),
        (11, "directive.flag", ["groen"]),
        (13, "directive.malformed", ["list_vereisten-->"]),
        (15, "directive.flag", ["add-kleur"]),
        (19, "directive.filter", ["vereiste/bestaat-niet"]),
    ],
)
def test_unknown_flag_key_or_value_warns_with_file_and_line(bad_build: str, line: int, rule: str, words: list[str]) -> None:
    lines = [entry for entry in bad_build.splitlines() if f"fouten.md:{line}: WARNING" in entry and f"[kaderpers.{rule}]" in entry]
    assert lines, f"no {rule} warning at fouten.md:{line}"
    assert all(word in lines[0] for word in words), lines[0]


def test_bad_uitzondering_expressions_warn(bad_build: str) -> None:
    lines = [entry for entry in bad_build.splitlines() if "aia-01-test.md:" in entry and "kaderpers.meta.uitzondering" in entry]
    assert any("cannot be read" in entry for entry in lines) and any("rol-ai-act-keizer" in entry for entry in lines), lines


# -- incremental and parallel builds -----------------------------------------------------------


def rendered_kader(site: Path) -> dict[str, str]:
    """The HTML of every table and tag line, per page."""
    result = {}
    for page in sorted(site.rglob("*.html")):
        soup = soup_of(page)
        parts = [str(node) for node in soup.select("div.kp-list, p.kp-tags, p.kp-not-ai-act, ul.kp-ai-act-labels")]
        if parts:
            result[page.relative_to(site).as_posix()] = "\n".join(parts)
    return result


def test_incremental_build_updates_tables_on_other_pages(tmp_path: Path) -> None:
    tree = make_tree(tmp_path / "tree", FILES)
    out = tmp_path / "out"
    run_kaderpers("build", str(tree), "--out", str(out), "-j", "1")
    before = rendered_kader(out / "html")

    changed = tree / f"{V}/maatregelen/6-imp-01-monitoren.md"
    text = changed.read_text("utf-8")
    text = text.replace("title: Monitor de werking", "title: Monitor de werking elke maand")
    text = text.replace("levenscyclus:\n- implementatie", "levenscyclus:\n- ontwerp\n- implementatie")
    changed.write_text(text, "utf-8")
    stamp = changed.stat().st_mtime + 5
    os.utime(changed, (stamp, stamp))

    result = run_kaderpers("build", str(tree), "--out", str(out), "-j", "1")
    log = result.stdout + result.stderr
    assert re.search(r"0 added, 1 changed, 0 removed", log), "the second build was not incremental"
    incremental = rendered_kader(out / "html")

    fresh = tmp_path / "fresh"
    run_kaderpers("build", str(tree), "--out", str(fresh), "-j", "1")
    assert incremental == rendered_kader(fresh / "html")
    # The change reached pages that were not read again: overviews, phase, rol, onderwerp and vereiste pages.
    for page in (
        "levenscyclus/ontwerp.html",
        f"{V}/maatregelen/index.html",
        "rollen/ontwikkelaar.html",
        f"{V}/vereisten/aia-03-risicobeheer.html",
        f"{V}/hulpmiddelen/DPIA.html",
        "overzicht/myst.html",
    ):
        assert "Monitor de werking elke maand" in incremental[page], page
        assert incremental[page] != before[page], page
    assert "Monitor de werking elke maand" not in before["levenscyclus/ontwerp.html"]


def test_parallel_build_gives_the_same_tables(tmp_path: Path, fixture_tree: Path, fixture_site: Path) -> None:
    out = tmp_path / "parallel"
    run_kaderpers("build", str(fixture_tree), "--out", str(out), "-j", "2")
    serial = rendered_kader(fixture_site)
    parallel = rendered_kader(out / "html")
    assert serial.keys() == parallel.keys() and len(serial) > 15
    for page, html in serial.items():
        assert parallel[page] == html, page


# -- the real kader --------------------------------------------------------------------------


def test_content_every_list_directive_renders_its_rows(content_site: Path) -> None:
    """The bundled content/ uses every directive, in both spellings."""
    assert check_every_directive(CONTENT, content_site) > 0
    assert check_wetgeving(CONTENT, content_site) > 0


@pytest.mark.upstream
def test_upstream_every_list_directive_renders_its_rows(upstream_tree: Path, upstream_site: Path) -> None:
    checked = check_every_directive(upstream_tree, upstream_site)
    assert checked >= 280


@pytest.mark.upstream
def test_upstream_pages_with_two_filters(upstream_tree: Path, upstream_site: Path) -> None:
    """aia-29 and aia-39 list their maatregelen with `vereiste/X onderwerp/publieke-inkoop`: both filters hold."""
    tree = Tree(upstream_tree)
    pages = {}
    for page in sorted((upstream_tree / RECORD_FOLDERS["vereisten"]).glob("*.md")):
        directives = directives_in(page.read_text("utf-8"))
        for number, directive in enumerate(directives, start=1):
            if len(directive.filters) == 2:
                pages[page.stem[:6]] = (page, number, directive)
    assert sorted(pages) == ["aia-29", "aia-39"]
    for page, number, directive in pages.values():
        assert [key for key, _ in directive.filters] == ["vereiste", "onderwerp"]
        expected, _ = tree.expected(page, directive)
        vereiste, onderwerp = (value for _, value in directive.filters)
        both = [
            s for s, m in sorted(tree.records["maatregelen"].items()) if vereiste in as_list(m.get("vereiste")) and onderwerp in as_list(m.get("onderwerp"))
        ]
        assert expected == both
        page_html = html_of(upstream_site, page.relative_to(upstream_tree).as_posix())
        container = page_soup(page_html).find(id=f"kp-lijst-{number}")
        if both:
            assert table_rows(upstream_site, page_html, container)[0] == both
        else:
            assert container.select_one(".kp-empty") is not None and container.find("table") is None


@pytest.mark.upstream
def test_upstream_wetgeving_column(upstream_tree: Path, upstream_site: Path) -> None:
    assert check_wetgeving(upstream_tree, upstream_site) >= 63


@pytest.mark.upstream
def test_upstream_tags(upstream_tree: Path, upstream_site: Path) -> None:
    tags = ai_act = 0
    for page in upstream_tree.rglob("*.md"):
        text = page.read_text("utf-8")
        meta = frontmatter.loads(text).metadata
        soup = None
        if "<!-- tags -->" in text:
            soup = page_soup(html_of(upstream_site, page.relative_to(upstream_tree).as_posix()))
            chips = [c.get_text() for c in soup.select("p.kp-tags .kp-chip")]
            record_id = str(meta.get("id") or "")
            expected = (1 if record_id.startswith("urn:") else 0) + sum(len(as_list(meta.get(k))) for k in ("levenscyclus", "rollen", "onderwerp"))
            assert len(chips) == expected, page
            if record_id.startswith("urn:"):
                assert chips[0] == record_id.rsplit(":", 1)[1]
            tags += 1
        if "<!-- tags-ai-act -->" in text:
            soup = soup or page_soup(html_of(upstream_site, page.relative_to(upstream_tree).as_posix()))
            if page.stem.startswith("aia-"):
                assert soup.select_one("ul.kp-ai-act-labels") is not None and soup.select_one(".kp-not-ai-act") is None, page
            else:
                sentence = soup.select_one("p.kp-not-ai-act")
                assert sentence is not None and soup.select_one("ul.kp-ai-act-labels") is None, page
                if re.search(r"^#+\s*Bronnen\s*$", text, re.M | re.I):
                    assert sentence.find("a")["href"].startswith("#"), page
            ai_act += 1
    assert tags == 199 and ai_act == 59
