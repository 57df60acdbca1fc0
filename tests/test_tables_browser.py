"""The filter layer in headless Chromium: search, multi-selects, count, sorting, AI-verordening profile, downloads.

Pages are served on loopback with a strict Content-Security-Policy added to every
response, so the layer is shown to work without inline scripts or handlers.
Which rows a profile should leave is computed here from the front matter, with
an evaluation of the ``uitzondering`` expressions written for this test.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import subprocess
from pathlib import Path

import frontmatter
import openpyxl
import pytest

from conftest import REPO, serve
from kader_fixture_tree import HOSTILE_TITLE, V
from test_tables import RECORD_FOLDERS, as_list

pytestmark = pytest.mark.browser

CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; object-src 'none'; base-uri 'none'"
AXE = REPO / ".cache/npm/node_modules/axe-core/axe.min.js"
VEREISTEN = f"{V}/vereisten/index.html"
TABLE = "#kp-lijst-1"


@pytest.fixture(scope="module")
def site(kader_fixture_build: subprocess.CompletedProcess[str]) -> Path:
    return kader_fixture_build.out / "html"  # type: ignore[attr-defined]


def open_page(page, base: str, path: str, errors: list[str] | None = None):  # noqa: ANN001, ANN201 - Playwright page
    """Open a page under a strict CSP; uncaught errors of the filter layer are collected in ``errors``.

    (Errors of other scripts are left to their own tests: Sphinx's translations.js, for one,
    needs 'unsafe-eval'.)
    """

    def with_csp(route) -> None:  # noqa: ANN001
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": CSP})

    page.route(f"{base}/**", with_csp)
    if errors is not None:
        page.on("pageerror", lambda error: errors.append(error.stack) if "kader-tables" in (error.stack or "") else None)
    page.goto(f"{base}/{path}")
    page.wait_for_selector(f"{TABLE} .kp-filters")
    return page


def visible_stems(page, table: str = TABLE) -> list[str]:  # noqa: ANN001
    hrefs = page.eval_on_selector_all(f"{table} tbody tr:not([hidden]) td.kp-col-title a", "links => links.map(a => a.getAttribute('href'))")
    return [re.sub(r"\.html.*$", "", href).rsplit("/", 1)[-1] for href in hrefs]


def count_text(page, table: str = TABLE) -> str:  # noqa: ANN001
    return page.locator(f"{table} .kp-count").inner_text().strip()


# -- independent profile semantics ----------------------------------------------------------

_TOKEN = re.compile(r"\"([^\"]*)\"|'([^']*)'|([\w.:-]+)")


def exception_holds(entry: str, chosen: set[str]) -> bool:
    """Evaluate an `uitzondering` entry: a label is true when the reader chose it."""
    python = _TOKEN.sub(lambda m: f" {((m[1] or m[2] or m[3]) in chosen)!r} ", entry)
    python = python.replace("&&", " and ").replace("||", " or ").replace("!", " not ")
    return bool(eval(python, {"__builtins__": {}}))  # noqa: S307 - only True/False/and/or/not/() remain


def applies(meta: dict, answers: dict[str, str]) -> bool:
    """A vereiste applies when each answered question is among its labels for that question and no exception holds."""
    for question, answer in answers.items():
        labels = as_list(meta.get(question))
        if labels and answer not in labels:
            return False
    chosen = {f"{question}-{answer}" for question, answer in answers.items()}
    return not any(exception_holds(entry, chosen) for entry in as_list(meta.get("uitzondering")))


def expected_vereisten(tree: Path, answers: dict[str, str]) -> list[str]:
    folder = tree / RECORD_FOLDERS["vereisten"]
    metas = {p.stem: frontmatter.load(p).metadata for p in folder.glob("*.md") if p.name != "index.md"}
    return sorted(stem for stem, meta in metas.items() if applies(meta, answers))


def answer(page, answers: dict[str, str], table: str = TABLE) -> None:  # noqa: ANN001
    for question, value in answers.items():
        page.select_option(f"{table}-profiel-{question}", value)


# -- tests ------------------------------------------------------------------------------------


def test_search_filters_rows_and_updates_the_live_count(page, site: Path) -> None:  # noqa: ANN001
    errors: list[str] = []
    open_page(page, serve(site), VEREISTEN, errors)
    count = page.locator(f"{TABLE} .kp-count")
    assert count.get_attribute("aria-live") == "polite" and count.get_attribute("role") == "status"
    assert count_text(page) == "4 vereisten"
    page.locator(TABLE).get_by_label("Zoek in de vereisten").fill("risicobeheer")
    assert visible_stems(page) == ["aia-03-risicobeheer"]
    assert count_text(page) == "1 van 4 vereisten getoond"
    # Every cell counts, not only the title: the law name and chips too.
    page.locator(TABLE).get_by_label("Zoek in de vereisten").fill("gegevensbescherming")
    assert visible_stems(page) == ["avg-01-rechtmatig"]
    # The hostile title is searchable text, and nothing ran.
    page.locator(TABLE).get_by_label("Zoek in de vereisten").fill("<script>")
    assert visible_stems(page) == ["avg-01-rechtmatig"]
    assert page.locator(f"{TABLE} td.kp-col-title a", has_text=HOSTILE_TITLE).count() == 1
    page.locator(TABLE).get_by_label("Zoek in de vereisten").fill("")
    assert count_text(page) == "4 vereisten"
    assert errors == []


def test_multiselects_with_the_keyboard(page, site: Path) -> None:  # noqa: ANN001
    open_page(page, serve(site), VEREISTEN)
    rollen = page.locator(f"{TABLE} .kp-multiselect-rol")
    options = rollen.locator("label").all_text_contents()
    assert options == ["Jurist", "Ontwikkelaar"]  # built from the chip texts
    levenscyclus = page.locator(f"{TABLE} .kp-multiselect-levenscyclus label").all_text_contents()
    assert levenscyclus == ["Ontwerp", "Implementatie", "Ontwikkelen", "Organisatieverantwoordelijkheden"]  # phase order first

    rollen.locator("summary").focus()
    page.keyboard.press("Enter")
    assert rollen.evaluate("d => d.open")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # Jurist
    assert visible_stems(page) == ["aia-01-ai-geletterdheid", "avg-01-rechtmatig"]
    assert count_text(page) == "2 van 4 vereisten getoond"
    assert rollen.locator("summary").inner_text().strip() == "Rollen (1)"
    page.keyboard.press("Escape")
    assert not rollen.evaluate("d => d.open")

    # Within one select any chosen value counts; across selects all must hold.
    onderwerp = page.locator(f"{TABLE} .kp-multiselect-onderwerp")
    onderwerp.locator("summary").click()
    onderwerp.get_by_label("Privacy").check()
    assert visible_stems(page) == ["avg-01-rechtmatig"]
    onderwerp.get_by_label("Publieke inkoop").check()
    assert visible_stems(page) == ["aia-01-ai-geletterdheid", "avg-01-rechtmatig"]
    wet = page.locator(f"{TABLE} .kp-multiselect-wetcode")
    wet.locator("summary").click()
    wet.get_by_label("AI-verordening").check()
    assert visible_stems(page) == ["aia-01-ai-geletterdheid"]
    page.locator(TABLE).get_by_role("button", name="Wis filters").click()
    assert count_text(page) == "4 vereisten" and rollen.locator("input:checked").count() == 0


def test_sorting_by_header_buttons(page, site: Path) -> None:  # noqa: ANN001
    open_page(page, serve(site), f"{V}/maatregelen/index.html")
    original = visible_stems(page)
    assert original == ["1-pba-01-doel", "2-owp-01-gevaarlijk", "6-imp-01-monitoren"]
    title = page.locator(f"{TABLE} th.kp-col-title")
    button = title.get_by_role("button", name="Maatregel")
    button.focus()
    page.keyboard.press("Enter")
    assert title.get_attribute("aria-sort") == "ascending"
    # Dutch collation: punctuation (the "<" of the hostile title) before letters.
    assert visible_stems(page) == ["2-owp-01-gevaarlijk", "1-pba-01-doel", "6-imp-01-monitoren"]
    button.click()
    assert title.get_attribute("aria-sort") == "descending"
    assert visible_stems(page) == ["6-imp-01-monitoren", "1-pba-01-doel", "2-owp-01-gevaarlijk"]
    button.click()
    assert title.get_attribute("aria-sort") == "none" and visible_stems(page) == original
    # Levenscyclus sorts in phase order, not alphabetically.
    phase = page.locator(f"{TABLE} th.kp-col-levenscyclus")
    phase.get_by_role("button").click()
    assert visible_stems(page) == ["1-pba-01-doel", "2-owp-01-gevaarlijk", "6-imp-01-monitoren"]
    phase.get_by_role("button").click()
    assert visible_stems(page) == ["6-imp-01-monitoren", "1-pba-01-doel", "2-owp-01-gevaarlijk"]
    assert title.get_attribute("aria-sort") == "none" and phase.get_attribute("aria-sort") == "descending"


PROFILES = [
    # The worked example of the upstream semantics: the open-source exception holds.
    {
        "rol-ai-act": "aanbieder",
        "soort-toepassing": "ai-systeem",
        "risicogroep": "geen-hoog-risico-ai-systeem",
        "transparantieverplichting": "geen-transparantieverplichting",
        "open-source": "open-source",
    },
    # The same without open source: the exception no longer holds.
    {
        "rol-ai-act": "aanbieder",
        "soort-toepassing": "ai-systeem",
        "risicogroep": "geen-hoog-risico-ai-systeem",
        "transparantieverplichting": "geen-transparantieverplichting",
        "open-source": "geen-open-source",
    },
    # The reader says an exception of the AI-verordening applies.
    {"risicogroep": "uitzondering-van-toepassing"},
    {"soort-toepassing": "ai-model-voor-algemene-doeleinden", "systeemrisico": "systeemrisico"},
    {"rol-ai-act": "gebruiksverantwoordelijke"},
]


def check_profiles(page, tree: Path) -> list[list[str]]:  # noqa: ANN001
    """Answer each profile in turn; the rows and the count must be the vereisten that apply."""
    total = len(visible_stems(page))
    results = []
    for answers in PROFILES:
        page.locator(TABLE).get_by_role("button", name="Wis filters").click()
        answer(page, answers)
        expected = expected_vereisten(tree, answers)
        assert visible_stems(page) == expected, answers
        assert count_text(page) == (f"{len(expected)} van {total} vereisten getoond" if len(expected) < total else f"{total} vereisten")
        results.append(expected)
    return results


def test_ai_act_profile_filter(page, site: Path, kader_fixture_build: subprocess.CompletedProcess[str]) -> None:  # noqa: ANN001
    tree = kader_fixture_build.tree  # type: ignore[attr-defined]
    open_page(page, serve(site), VEREISTEN)
    results = check_profiles(page, tree)
    # The open-source exception of aia-01 decides between the first two profiles.
    assert "aia-01-ai-geletterdheid" not in results[0] and "aia-01-ai-geletterdheid" in results[1]
    assert results[2] == ["avg-01-rechtmatig"]  # an exception applies: only vereisten outside the AI-verordening
    # An AI-model has no risicogroep: that question is cleared and disabled.
    page.locator(TABLE).get_by_role("button", name="Wis filters").click()
    answer(page, {"risicogroep": "hoog-risico-ai-systeem"})
    answer(page, {"soort-toepassing": "ai-model-voor-algemene-doeleinden"})
    risicogroep = page.locator(TABLE).get_by_label("Risicogroep")
    assert risicogroep.is_disabled() and risicogroep.input_value() == ""
    assert visible_stems(page) == expected_vereisten(tree, {"soort-toepassing": "ai-model-voor-algemene-doeleinden"})
    # Combined with the search by AND.
    page.locator(TABLE).get_by_label("Zoek in de vereisten").fill("AI-modellen")
    assert visible_stems(page) == ["aia-30-systeemrisico"]


@pytest.mark.upstream
def test_ai_act_profile_filter_on_the_real_kader(page, upstream_tree: Path, upstream_site: Path) -> None:  # noqa: ANN001
    open_page(page, serve(upstream_site), VEREISTEN)
    assert len(visible_stems(page)) == 63
    results = check_profiles(page, upstream_tree)
    # The worked example: aia-02 is hidden by its open-source exception, shown without open source.
    assert not any(s.startswith("aia-02") for s in results[0]) and any(s.startswith("aia-02") for s in results[1])
    assert all(len(r) < 63 for r in results)


def test_downloading_an_export(page, site: Path, tmp_path: Path) -> None:  # noqa: ANN001
    """What the reader downloads holds the table's rows: each record's title and the address of its page."""
    open_page(page, serve(site), VEREISTEN)
    shown = page.eval_on_selector_all(f"{TABLE} tbody tr td.kp-col-title a", "links => links.map(a => [a.textContent.trim(), a.getAttribute('href')])")
    assert len(shown) >= 4
    downloads: dict[str, list[list[str]]] = {}
    for name, extension in (("CSV", "csv"), ("Excel (XLSX)", "xlsx")):
        link = page.locator(f"{TABLE} .kp-downloads").get_by_role("link", name=name)
        with page.expect_download() as info:
            link.click()
        download = info.value
        assert download.suggested_filename.endswith(f".{extension}")
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        if extension == "csv":
            downloads[extension] = list(csv.reader(io.StringIO(saved.read_text("utf-8-sig"))))
        else:
            sheet = openpyxl.load_workbook(saved).active
            downloads[extension] = [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    rows = downloads["csv"]
    assert downloads["xlsx"] == rows
    header, body = rows[0], rows[1:]
    assert header[-1] == "URL" and len(body) == len(shown)
    folder = posixpath.dirname(VEREISTEN)
    for (title, href), row in zip(shown, body, strict=True):
        assert title in row or f"'{title}" in row, (title, row)  # a formula-like title is written as text
        assert row[-1] == posixpath.normpath(posixpath.join(folder, href.split("#")[0])), (href, row[-1])
    assert any(HOSTILE_TITLE in row for row in body)


def test_no_inline_handlers_or_styles_and_no_violations(page, site: Path) -> None:  # noqa: ANN001
    errors: list[str] = []
    open_page(page, serve(site), VEREISTEN, errors)
    inline = page.evaluate(
        """() => Array.from(document.querySelectorAll('.kp-list *')).flatMap(el =>
            Array.from(el.attributes).filter(a => a.name.startsWith('on') || a.name === 'style').map(a => el.tagName + ' ' + a.name))"""
    )
    assert inline == [] and errors == []


def test_filter_layer_passes_axe(browser, site: Path) -> None:  # noqa: ANN001
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing at {AXE}; run `make npm-deps`")
    context = browser.new_context(bypass_csp=True)  # axe is injected as an inline script
    page = context.new_page()
    page.goto(f"{serve(site)}/{VEREISTEN}")
    page.wait_for_selector(f"{TABLE} .kp-filters")
    page.locator(f"{TABLE} .kp-multiselect-rol summary").click()
    page.locator(f"{TABLE} th.kp-col-title button").click()
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => (await axe.run(document.querySelector('#kp-lijst-1'),
            {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})).violations.map(v => v.id + ': ' + v.nodes.length)"""
    )
    context.close()
    assert violations == []
