"""Mijn checklist in headless Chromium: selections from the URL, checks and notes, CSV, print, axe.

What a selection should list is computed here from the front matter (the records'
rollen, levenscyclus and their vereiste/maatregel references), independently of
the page's JavaScript.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import urlencode

import pypdf
import pytest

from conftest import CONTENT, serve
from kaderpers.core.loader import load_tree
from kaderpers.core.model import PageKind
from test_beslishulp_browser import watch_requests
from test_browser_site import axe_violations, describe

PAGE = "mijn-checklist/index.html"


def expected(tree: Path, selection: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """(vereisten, maatregelen) short ids that a rollen/levenscyclus/onderwerp selection lists."""
    kader = load_tree(tree).kader

    def selected(page) -> bool:  # noqa: ANN001
        return all(set(page.values(key)) & set(values) for key, values in selection.items())

    vereisten = [p for p in kader.of_kind(PageKind.VEREISTE) if selected(p)]
    stems = {p.stem for p in vereisten}
    maatregelen = [
        m for m in kader.of_kind(PageKind.MAATREGEL)
        if selected(m) and (set(m.values("vereiste")) & stems or any(m.stem in v.values("maatregel") for v in vereisten))
    ]
    return sorted(p.short_id for p in vereisten), sorted(p.short_id for p in maatregelen)


def expected_groups(tree: Path, selection: dict[str, list[str]], vereisten: list[str], maatregelen: list[str]) -> list[list]:
    """[phase title, sorted "kind:short id"] of each chosen phase that lists a record, in the kader's order."""
    kader = load_tree(tree).kader
    chosen = [phase for phase in kader.phases if phase.stem in selection["levenscyclus"]]
    groups: dict[str, list[str]] = {phase.stem: [] for phase in chosen}
    for kind, short_ids in ((PageKind.VEREISTE, vereisten), (PageKind.MAATREGEL, maatregelen)):
        for record in kader.of_kind(kind):
            if record.short_id in short_ids:
                first = next(phase.stem for phase in chosen if phase.stem in record.values("levenscyclus"))
                groups[first].append(f"{kind.value}:{record.short_id}")
    found = [[phase.title, sorted(groups[phase.stem])] for phase in chosen if groups[phase.stem]]
    assert found, "the selection lists no record under a phase"
    return found


def listed(page) -> tuple[list[str], list[str]]:  # noqa: ANN001
    items = page.locator(".kp-checklist-item")
    kinds = items.evaluate_all("items => items.map(i => [i.dataset.kind, i.dataset.id])")
    return sorted(i for k, i in kinds if k == "vereiste"), sorted(i for k, i in kinds if k == "maatregel")


@pytest.mark.upstream
@pytest.mark.parametrize(
    "selection",
    [
        {"rollen": ["jurist"], "levenscyclus": ["ontwerp"]},
        {"rollen": ["ontwikkelaar"], "levenscyclus": ["dataverkenning-en-datapreparatie"]},
        {"rollen": ["projectleider", "beleid-en-advies"], "levenscyclus": ["implementatie", "monitoring-en-beheer"]},
        {"rollen": ["jurist"], "levenscyclus": ["dataverkenning-en-datapreparatie"], "onderwerp": ["privacy-en-gegevensbescherming"]},
    ],
    ids=["jurist-ontwerp", "ontwikkelaar-data", "two-roles-two-phases", "with-onderwerp"],
)
def test_a_selection_in_the_url_lists_exactly_the_matching_records(page, upstream_site: Path, upstream_tree: Path, selection) -> None:  # noqa: ANN001
    vereisten, maatregelen = expected(upstream_tree, selection)
    assert vereisten and maatregelen
    page.goto(f"{serve(upstream_site)}/{PAGE}?{urlencode(selection, doseq=True)}")
    assert listed(page) == (vereisten, maatregelen)
    # Grouped by phase, in the kader's order: a record under the first chosen phase it belongs to.
    sections = page.locator(".kp-checklist-phase").evaluate_all(
        "sections => sections.map(s => [s.querySelector('h2').textContent, Array.from(s.querySelectorAll('.kp-checklist-item'), i => i.dataset.kind + ':' + i.dataset.id).sort()])"
    )
    assert sections == expected_groups(upstream_tree, selection, vereisten, maatregelen)


def test_checks_and_notes_survive_a_reload_and_go_into_the_csv(page, content_site: Path) -> None:  # noqa: ANN001
    query = urlencode({"rollen": "jurist", "levenscyclus": "ontwerp", "rol-ai-act": "aanbieder"})
    url = f"{(content_site / PAGE).as_uri()}?{query}"
    outside = watch_requests(page, "file://")
    page.goto(url)
    vereisten, maatregelen = listed(page)
    assert vereisten and maatregelen
    first, second = page.locator(".kp-checklist-item").nth(0), page.locator(".kp-checklist-item").nth(len(vereisten))
    first.locator(".kp-checklist-done").check()
    note = '=SOM(A1), met "aanhalingstekens"'
    second.locator(".kp-checklist-note").fill(note)
    page.reload()
    assert page.locator(".kp-checklist-item").nth(0).locator(".kp-checklist-done").is_checked()
    assert page.locator(".kp-checklist-item").nth(len(vereisten)).locator(".kp-checklist-note").input_value() == note
    # Another selection has its own checks.
    page.goto(f"{(content_site / PAGE).as_uri()}?rollen=jurist")
    assert not any(box.is_checked() for box in page.locator(".kp-checklist-done").all())
    page.goto(url)
    with page.expect_download() as download:
        page.locator(".kp-checklist-csv").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    assert sorted(r["ID"] for r in rows if r["Soort"] == "vereiste") == vereisten
    assert sorted(r["ID"] for r in rows if r["Soort"] == "maatregel") == maatregelen
    done = [r for r in rows if r["Gedaan"] == "ja"]
    assert [(r["Soort"], r["ID"]) for r in done] == [("vereiste", first.get_attribute("data-id"))]
    noted = [r for r in rows if r["Notitie"]]
    assert [(r["ID"], r["Notitie"]) for r in noted] == [(second.get_attribute("data-id"), "'" + note)]  # never a formula
    assert outside == []


def test_the_beslishulp_profile_reaches_the_checklist(page, content_site: Path) -> None:  # noqa: ANN001
    """A conclusion's checklist link sets the AI-verordening profile, shown in the form."""
    page.goto(f"{serve(content_site)}/beslishulp/index.html#antwoorden=0.0.0.1.1")
    page.locator("a.kp-bh-checklist").click()
    page.wait_for_selector(".kp-checklist-item")
    assert page.locator("#kp-cl-rol-ai-act option:checked").inner_text() == "Aanbieder of Gebruiksverantwoordelijke"
    assert page.locator("#kp-cl-risicogroep").input_value() == "geen-hoog-risico-ai-systeem"
    all_vereisten = len(load_tree(CONTENT).kader.of_kind(PageKind.VEREISTE))
    assert 0 < len(listed(page)[0]) < all_vereisten


def test_without_javascript_the_page_explains_itself_and_links_to_the_overviews(browser, content_site: Path) -> None:  # noqa: ANN001
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(f"{serve(content_site)}/{PAGE}")
        fallback = tab.locator(".kp-without-js")
        assert fallback.is_visible() and "JavaScript" in fallback.inner_text()
        hrefs = fallback.locator("a").evaluate_all("links => links.map(a => a.href)")
        assert any(h.endswith("voldoen-aan-wetten-en-regels/vereisten/index.html") for h in hrefs)
        assert any("/rollen/jurist.html" in h for h in hrefs) and any("/levenscyclus/ontwerp.html" in h for h in hrefs)
    finally:
        context.close()


def test_the_checklist_prints_on_a4_without_the_form(page, content_site: Path, tmp_path: Path) -> None:  # noqa: ANN001
    page.goto(f"{serve(content_site)}/{PAGE}?rollen=jurist&levenscyclus=ontwerp")
    vereisten, _ = listed(page)
    page.emulate_media(media="print")
    assert page.locator(".kp-checklist-form").is_hidden() and page.locator(".bd-header").is_hidden()
    assert page.locator(".kp-checklist-item").first.is_visible()
    pdf = tmp_path / "checklist.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    reader = pypdf.PdfReader(pdf)
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    text = " ".join(p.extract_text() for p in reader.pages)
    assert all(short_id in text for short_id in vereisten)
    assert "Toon mijn checklist" not in text


def test_axe_finds_no_violations_on_the_checklist(page, content_site: Path) -> None:  # noqa: ANN001
    violations = axe_violations(page, f"{serve(content_site)}/{PAGE}?rollen=jurist&rol-ai-act=aanbieder&rol-ai-act=gebruiksverantwoordelijke")
    assert not violations, describe(violations)
