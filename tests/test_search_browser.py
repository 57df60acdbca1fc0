"""The instant search in the header, in headless Chromium, on the real kader's built site.

The query set (tests/search_queries.yaml) is put into the header's search dialog whole; one query of
each kind is also typed key by key, as a reader types, and must end in the same results. The results
are read from the listbox in the order a reader sees them. hits@5 counts the queries
with a wanted page among the first five results, MRR@10 averages 1/rank of the first wanted page
(0 when none is in the first ten).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import serve
from search_eval import DIALOG, FIELD, OPTIONS, QUERIES, docname, first_wanted, open_search, scores, type_query
from test_browser_site import AXE, WCAG_21_AA, describe, open_page, watch

pytestmark = [pytest.mark.browser, pytest.mark.upstream]


@pytest.fixture(scope="module")
def site_url(upstream_site: Path) -> str:
    return serve(upstream_site)


#: One query of each kind, typed key by key as well (a keystroke searches: 15 times the work of the whole query).
KEY_BY_KEY = list({entry["kind"]: entry["query"] for entry in reversed(QUERIES)}.values())


def results(tabs, site_url: str, queries: list[str], key_by_key: bool) -> dict[str, list[str]]:  # noqa: ANN001
    """Each query with the docnames of its results, in the order shown, on one page of the site."""
    with tabs.fresh() as page:
        seen = watch(page)
        open_page(page, f"{site_url}/index.html")
        open_search(page)
        found = {query: [docname(site_url, href) for href in type_query(page, query, key_by_key=key_by_key)] for query in queries}
    assert not seen["csp"] and not seen["errors"] and not seen["failed"], seen
    return found


@pytest.fixture(scope="module")
def ranked(tabs, site_url: str) -> dict[str, list[str]]:  # noqa: ANN001
    """Each query of the set with the docnames of its results, in the order shown."""
    return results(tabs, site_url, [entry["query"] for entry in QUERIES], key_by_key=False)


def test_the_query_set_covers_every_kind_and_wants_real_pages(upstream_tree: Path) -> None:
    assert len(QUERIES) >= 40
    kinds = {entry["kind"] for entry in QUERIES}
    assert {"topic", "abbreviation", "inflection", "compound", "part", "law-in-file-name", "phrase", "code", "typo"} <= kinds
    missing = [(entry["query"], name) for entry in QUERIES for name in entry["wanted"] if not (upstream_tree / f"{name}.md").is_file()]
    assert not missing, missing


def test_hits_at_5_and_mrr_at_10_on_the_real_kader(ranked: dict[str, list[str]]) -> None:
    ranks = {entry["query"]: first_wanted(ranked[entry["query"]], entry["wanted"]) for entry in QUERIES}
    hits_at_5, mrr_at_10 = scores(ranked)
    report = "\n".join(f"  {query!r}: rank {rank}, shown {ranked[query][:5]}" for query, rank in ranks.items() if rank != 1)
    assert hits_at_5 >= 0.95, f"hits@5 {hits_at_5:.3f}\n{report}"
    assert mrr_at_10 >= 0.90, f"MRR@10 {mrr_at_10:.3f}\n{report}"


def test_typing_key_by_key_ends_in_the_results_of_the_whole_query(tabs, site_url: str, ranked: dict[str, list[str]]) -> None:  # noqa: ANN001
    """Each keystroke searches; the results of an earlier, shorter query never stay on screen."""
    assert len(KEY_BY_KEY) == len({entry["kind"] for entry in QUERIES}) >= 9
    typed = results(tabs, site_url, KEY_BY_KEY, key_by_key=True)
    assert all(typed[query] for query in KEY_BY_KEY), typed
    assert typed == {query: ranked[query] for query in KEY_BY_KEY}


def test_a_record_code_or_id_leads_straight_to_the_record(ranked: dict[str, list[str]]) -> None:
    for entry in QUERIES:
        if entry["kind"] == "code":
            assert ranked[entry["query"]][:1] == entry["wanted"][:1], (entry["query"], ranked[entry["query"]][:3])


def test_results_are_grouped_with_chips_and_marked_excerpts(page, site_url: str) -> None:  # noqa: ANN001
    open_page(page, f"{site_url}/index.html")
    open_search(page)
    assert page.locator(FIELD).get_attribute("placeholder") == "Zoek in het Algoritmekader"  # the theme's search_bar_text
    found = type_query(page, "wachtwoorden")
    assert found
    groups = page.eval_on_selector_all(f"{DIALOG} [role=listbox] > [role=group]", "groups => groups.map(g => g.getAttribute('aria-label'))")
    # in the order of rank: neighbouring results of one kind share a group
    assert groups and all(one != other for one, other in zip(groups, groups[1:], strict=False)), groups
    assert set(groups) <= {"Vereisten", "Maatregelen", "Hulpmiddelen", "Pagina's", "Secties"}
    kinds = page.eval_on_selector_all(f"{DIALOG} [role=group]", "groups => groups.map(g => g.querySelectorAll('[role=option]').length)")
    assert all(kinds) and sum(kinds) == len(found), kinds
    first = page.locator(OPTIONS).first
    assert first.locator(".kp-search-chip").inner_text() == "org-13"  # the maatregel's code, from its id
    marks = first.locator(".kp-search-excerpt mark").all_inner_texts()
    assert marks and all(mark.lower().startswith("wachtwoord") for mark in marks), marks


def test_keys_move_open_and_close(page, site_url: str) -> None:  # noqa: ANN001
    open_page(page, f"{site_url}/index.html")
    open_search(page)
    assert page.evaluate("() => document.activeElement.getAttribute('role')") == "combobox"
    type_query(page, "register")
    field = page.locator(FIELD)
    options = page.locator(OPTIONS)
    assert options.count() >= 3
    assert field.get_attribute("aria-activedescendant") == options.nth(0).get_attribute("id")
    field.press("ArrowDown")
    field.press("ArrowDown")
    second = options.nth(2)
    assert field.get_attribute("aria-activedescendant") == second.get_attribute("id")
    assert second.get_attribute("aria-selected") == "true"
    target = second.get_attribute("data-href")
    field.press("Enter")
    page.wait_for_url(target)
    open_search(page)
    page.keyboard.press("Escape")
    page.locator(DIALOG).wait_for(state="hidden")


def test_ctrl_k_and_the_header_field_open_this_search_not_the_themes(page, site_url: str) -> None:  # noqa: ANN001
    open_page(page, f"{site_url}/levenscyclus/ontwerp.html")
    page.keyboard.press("Control+k")
    page.locator(FIELD).wait_for(state="visible")
    assert page.evaluate("() => document.querySelector('#pst-search-dialog').open") is False
    page.keyboard.press("Escape")
    page.locator(DIALOG).wait_for(state="hidden")
    page.click(".navbar-persistent--container button.kp-search-button")
    page.locator(FIELD).wait_for(state="visible")
    assert page.evaluate("() => document.querySelector('#pst-search-dialog').open") is False


def test_the_full_results_link_opens_sphinx_search_with_the_query(page, site_url: str) -> None:  # noqa: ANN001
    open_page(page, f"{site_url}/index.html")
    open_search(page)
    type_query(page, "algoritmeregister")
    page.click(f"{DIALOG} a.kp-search-all")
    page.wait_for_url("**/search.html?q=algoritmeregister")
    page.wait_for_function("() => (document.querySelector('#search-results p.search-summary') || {}).innerText", timeout=20000)
    assert page.locator("#search-results ul.search li").count() > 0


def test_axe_finds_no_violations_with_the_dialog_showing_results(page, site_url: str) -> None:  # noqa: ANN001
    open_page(page, f"{site_url}/index.html")
    open_search(page)
    assert len(type_query(page, "menselijk toezicht")) >= 5
    page.evaluate(AXE.read_text("utf-8") + "\n;0")
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA)
    assert not result["violations"], describe(result["violations"])
    # axe looked at the dialog and its options, not only at the page behind it
    checked = {node for rule in result["passes"] for item in rule["nodes"] for node in item["target"]}
    assert any("kp-search-option" in target for target in checked), sorted(checked)[:20]


def test_search_works_from_file_urls(page, upstream_site: Path) -> None:  # noqa: ANN001
    page.goto((upstream_site / "voldoen-aan-wetten-en-regels" / "index.html").as_uri())
    open_search(page)
    found = type_query(page, "aia-12")
    assert found and found[0].startswith("file://") and "aia-12-bewaartermijn-voor-documentatie.html" in found[0]
