"""Mijn checklist in headless Chromium: selections from the URL, checks and notes, CSV, print, axe.

What a selection should list is computed here from the front matter (the records'
rollen, levenscyclus and their vereiste/maatregel references), independently of
the page's JavaScript.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import urlencode

import frontmatter
import pypdf
import pytest

from conftest import CONTENT, serve
from kaderpers.core.loader import load_tree
from kaderpers.core.model import PageKind
from pdf_text import text as pdf_words
from test_beslishulp_browser import watch_requests
from test_browser_site import axe_violations, describe

PAGE = "mijn-checklist/index.html"


def expected(tree: Path, selection: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """(vereisten, maatregelen) short ids that a rollen/levenscyclus/onderwerp selection lists: without
    a profile every maatregel of the selection, whether it meets a listed vereiste or not."""
    kader = load_tree(tree).kader

    def selected(page) -> bool:  # noqa: ANN001
        return all(set(page.values(key)) & set(values) for key, values in selection.items())

    vereisten = [p for p in kader.of_kind(PageKind.VEREISTE) if selected(p)]
    maatregelen = [m for m in kader.of_kind(PageKind.MAATREGEL) if selected(m)]
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
    text = pdf_words(pdf)
    assert all(short_id in text for short_id in vereisten)
    assert "Toon mijn checklist" not in text


def test_axe_finds_no_violations_on_the_checklist(page, content_site: Path) -> None:  # noqa: ANN001
    violations = axe_violations(page, f"{serve(content_site)}/{PAGE}?rollen=jurist&rol-ai-act=aanbieder&rol-ai-act=gebruiksverantwoordelijke")
    assert not violations, describe(violations)


# -- every maatregel of the selection (issue 21) ------------------------------------------------

RECORD_ID = re.compile(r"urn:nl:ak:(ver|mtr):(\S+)")
LABEL = re.compile(r'"([^"]*)"|([A-Za-z0-9][\w-]*)')


def as_list(value) -> list[str]:  # noqa: ANN001
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def front_matter_records(tree: Path) -> dict[str, dict[str, dict]]:
    """ "ver"/"mtr" → file stem → front matter (with "code", the id's last part), read with python-frontmatter."""
    records: dict[str, dict[str, dict]] = {"ver": {}, "mtr": {}}
    for path in sorted(tree.rglob("*.md")):
        metadata = frontmatter.load(path).metadata
        if match := RECORD_ID.fullmatch(str(metadata.get("id") or "").strip()):
            records[match[1]][path.stem] = {**metadata, "code": match[2]}
    return records


def exception_holds(expression: str, chosen: set[str]) -> bool:
    """An ``uitzondering`` expression (labels, ``&&``, ``||``, ``!``, brackets) for the labels chosen."""
    words = []
    position = 0
    while position < len(expression):
        rest = expression[position:]
        if rest[0].isspace():
            position += 1
        elif rest.startswith(("&&", "||")):
            words.append(" and " if rest[0] == "&" else " or ")
            position += 2
        elif rest[0] in "()!":
            words.append({"!": " not ", "(": "(", ")": ")"}[rest[0]])
            position += 1
        else:
            label = LABEL.match(rest)
            assert label, f"cannot read {expression!r}"
            words.append(str((label[1] if label[1] is not None else label[2]) in chosen))
            position += label.end()
    return bool(eval("".join(words)))  # noqa: S307 - True/False/and/or/not only, built above


def profile_keeps(vereiste: dict, profile: dict[str, str]) -> bool:
    """The AI-verordening profile as the README says: every answer among the vereiste's labels of its
    question (none: any answer), and none of its ``uitzondering`` expressions holds for the answers."""
    if any(as_list(vereiste.get(field)) and value not in as_list(vereiste.get(field)) for field, value in profile.items()):
        return False
    chosen = {f"{field}-{value}" for field, value in profile.items()}
    return not any(exception_holds(expression, chosen) for expression in as_list(vereiste.get("uitzondering")))


def oracle(tree: Path, selection: dict[str, list[str]], profile: dict[str, str]) -> dict[str, list[str]]:
    """What the checklist lists, by part: the vereisten, the maatregelen that meet one of them, the
    other maatregelen of the selection ("ook") less those whose every vereiste the profile rules out."""
    records = front_matter_records(tree)

    def selected(metadata: dict) -> bool:
        return all(set(as_list(metadata.get(key))) & set(values) for key, values in selection.items())

    vereisten = {stem for stem, v in records["ver"].items() if selected(v) and profile_keeps(v, profile)}
    parts: dict[str, list[str]] = {"vereisten": sorted(records["ver"][stem]["code"] for stem in vereisten), "maatregelen": [], "ook": []}
    for stem, maatregel in records["mtr"].items():
        if not selected(maatregel):
            continue
        meets = {v for v in as_list(maatregel.get("vereiste")) if v in records["ver"]}
        meets |= {v for v, vereiste in records["ver"].items() if stem in as_list(vereiste.get("maatregel"))}
        if meets & vereisten:
            parts["maatregelen"].append(maatregel["code"])
        elif not (profile and meets and all(not profile_keeps(records["ver"][v], profile) for v in meets)):
            parts["ook"].append(maatregel["code"])
    return {part: sorted(codes) for part, codes in parts.items()}


def listed_by_part(page) -> dict[str, list[str]]:  # noqa: ANN001
    found: dict[str, list[str]] = {}
    for part in page.locator(".kp-checklist-part").all():
        name = part.get_attribute("data-part")
        found.setdefault(name, []).extend(part.locator(".kp-checklist-item").evaluate_all("items => items.map(i => i.dataset.id)"))
    return {name: sorted(ids) for name, ids in found.items()}


@pytest.mark.upstream
@pytest.mark.parametrize(
    ("selection", "profile"),
    [
        ({"rollen": ["jurist"], "levenscyclus": ["ontwerp"]}, {}),
        ({"rollen": ["projectleider"], "levenscyclus": ["implementatie"]}, {}),
        ({"rollen": ["ontwikkelaar"], "levenscyclus": ["ontwikkelen"]}, {}),
        ({"rollen": ["projectleider"], "levenscyclus": ["ontwerp"]}, {"risicogroep": "geen-hoog-risico-ai-systeem"}),
    ],
    ids=["jurist-ontwerp", "projectleider-implementatie", "ontwikkelaar-ontwikkelen", "projectleider-ontwerp-profile"],
)
def test_every_maatregel_of_the_selection_is_listed_in_its_part(page, upstream_site: Path, upstream_tree: Path, selection, profile) -> None:  # noqa: ANN001
    parts = oracle(upstream_tree, selection, profile)
    assert parts["vereisten"] and parts["maatregelen"] and parts["ook"], parts
    if profile:  # the profile hides a maatregel that the same selection without it lists
        without = oracle(upstream_tree, selection, {})
        assert {*without["maatregelen"], *without["ook"]} - {*parts["maatregelen"], *parts["ook"]}
    page.goto(f"{serve(upstream_site)}/{PAGE}?{urlencode({**selection, **profile}, doseq=True)}")
    shown = listed_by_part(page)
    assert shown == {part: codes for part, codes in parts.items() if codes}
    # The part of its own has its heading under each phase that has one.
    assert page.locator(".kp-checklist-phase .kp-checklist-part[data-part=ook] h3").first.inner_text().startswith("Ook voor jouw rol en fase")


@pytest.mark.upstream
def test_checks_and_notes_of_both_parts_survive_a_reload_and_go_into_the_csv(page, upstream_site: Path, upstream_tree: Path) -> None:  # noqa: ANN001
    selection = {"rollen": ["jurist"], "levenscyclus": ["ontwerp"]}
    parts = oracle(upstream_tree, selection, {})
    page.goto(f"{serve(upstream_site)}/{PAGE}?{urlencode(selection, doseq=True)}")
    meets = page.locator(".kp-checklist-part[data-part=maatregelen] .kp-checklist-item").first
    extra = page.locator(".kp-checklist-part[data-part=ook] .kp-checklist-item").first
    meets_id, extra_id = meets.get_attribute("data-id"), extra.get_attribute("data-id")
    assert meets_id in parts["maatregelen"] and extra_id in parts["ook"]
    extra.locator(".kp-checklist-done").check()
    meets.locator(".kp-checklist-note").fill("besproken met de FG")
    page.reload()
    extra = page.locator(f".kp-checklist-part[data-part=ook] .kp-checklist-item[data-id='{extra_id}']")
    meets = page.locator(f".kp-checklist-part[data-part=maatregelen] .kp-checklist-item[data-id='{meets_id}']")
    assert extra.locator(".kp-checklist-done").is_checked() and not meets.locator(".kp-checklist-done").is_checked()
    assert meets.locator(".kp-checklist-note").input_value() == "besproken met de FG"
    with page.expect_download() as download:
        page.locator(".kp-checklist-csv").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    by_part = {title: sorted(r["ID"] for r in rows if r["Deel"] == title) for title in ("Vereisten", "Maatregelen", "Ook voor jouw rol en fase")}
    assert by_part == {"Vereisten": parts["vereisten"], "Maatregelen": parts["maatregelen"], "Ook voor jouw rol en fase": parts["ook"]}
    assert {r["Soort"] for r in rows if r["Deel"] == "Ook voor jouw rol en fase"} == {"maatregel"}
    assert [(r["Deel"], r["ID"]) for r in rows if r["Gedaan"] == "ja"] == [("Ook voor jouw rol en fase", extra_id)]
    assert [(r["ID"], r["Notitie"]) for r in rows if r["Notitie"]] == [(meets_id, "besproken met de FG")]
