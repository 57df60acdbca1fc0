"""The beslishulp page in headless Chromium: paths answered through, the profile link, axe, file://.

The real tree is built once with the public beslishulp's decision tree (conftest
``upstream_build`` passes ``--beslishulp``). Paths come from the Python walker
(:func:`kaderpers.core.beslishulp.walk`); the page's JavaScript must end each of
them in the same conclusion. What the profile link shows is computed here from the
front matter, independently of kader-tables.js.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from conftest import CONTENT, SHARED_BESLISHULP, serve
from html_pages import page_soup
from kaderpers.core.beslishulp import Walk, label_values, load_decision_tree, plain_text, rich_text, walk
from kaderpers.core.grammar import parse_label_expression
from kaderpers.core.loader import load_tree, load_vocabulary
from kaderpers.core.model import AI_ACT_FIELDS, PageKind
from test_browser_site import axe_violations, describe, run_axe

PAGE = "beslishulp/index.html"


def watch_requests(page, allowed: str) -> list[str]:  # noqa: ANN001
    """Requests that leave the site (``allowed`` is its base URL), blocked and recorded; script errors too."""
    outside: list[str] = []

    def route(route) -> None:  # noqa: ANN001
        url = route.request.url
        if url.startswith((allowed, "data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda error: outside.append(f"script error: {error}"))
    return outside


def click_path(page, tree, result: Walk, start: int = 0, by_keyboard: bool = False) -> None:  # noqa: ANN001
    """Answer each question from step ``start`` on by clicking the answer's visible text, or with
    ``by_keyboard`` by pressing Enter on it (half the time of a click, which waits for the button to
    stand still)."""
    for step in result.steps[start:]:
        question = tree.questions[step.question]
        assert page.locator("#kp-bh-vraag").inner_text().strip() == question.text
        button = page.locator(".kp-bh-answers").get_by_role("button", name=question.answers[step.answer].text, exact=True)
        if by_keyboard:
            button.press("Enter")
        else:
            button.click()


def answers(result: Walk) -> tuple[int, ...]:
    return tuple(step.answer for step in result.steps)


def shared_steps(one: tuple[int, ...], other: tuple[int, ...]) -> int:
    """How many first answers two paths have in common (they then passed the same questions)."""
    return next((place for place, (a, b) in enumerate(zip(one, other, strict=False)) if a != b), min(len(one), len(other)))


def shown_conclusion(page) -> str:  # noqa: ANN001
    return " ".join(page.locator(".kp-bh-conclusion-text").inner_text().split())


def sample(results: list[Walk], count: int) -> list[Walk]:
    """One path for each of ``count`` conclusions spread over the tree, the longest such path."""
    by_conclusion: dict[str, Walk] = {}
    for result in results:
        if result.conclusion and len(result.steps) > len(by_conclusion.get(result.conclusion, Walk((), (), None)).steps):
            by_conclusion[result.conclusion] = result
    chosen = sorted(by_conclusion)
    return [by_conclusion[c] for c in chosen[:: max(1, len(chosen) // count)]][:count]


@pytest.fixture(scope="module")
def shared_tree():
    if not SHARED_BESLISHULP.is_file():
        pytest.skip("../shared/beslishulp is not beside this checkout")
    return load_decision_tree(SHARED_BESLISHULP).tree


# -- content/ ----------------------------------------------------------------------------------------


def test_content_wizard_from_file_url_keeps_state_in_the_url(page, content_site: Path) -> None:  # noqa: ANN001
    tree = load_decision_tree(CONTENT / "beslishulp.yaml").tree
    result = next(r for r in walk(tree) if any(tree.questions[s.question].answers[s.answer].subresult for s in r.steps) and len(r.steps) >= 4)
    base = (content_site / PAGE).as_uri()
    outside = watch_requests(page, "file://")
    page.goto(base)
    assert page.locator(".kp-without-js").is_hidden()
    click_path(page, tree, result)
    conclusion = tree.conclusions[result.conclusion]
    assert shown_conclusion(page) == plain_text(rich_text(conclusion.text))
    assert plain_text(rich_text(conclusion.obligation)) in " ".join(page.locator(".kp-bh-obligation").inner_text().split())
    subresults = [tree.questions[s.question].answers[s.answer].subresult for s in result.steps]
    assert any(s and s in page.locator(".kp-bh-subresults").inner_text() for s in subresults)
    # Reopening the URL shows the same result; each answer so far can be changed.
    shared_url = page.url
    page.goto("about:blank")
    page.goto(shared_url)
    assert shown_conclusion(page) == plain_text(rich_text(conclusion.text))
    assert page.locator(".kp-bh-answered li").count() == len(result.steps)
    page.locator(".kp-bh-change").nth(1).click()
    second = tree.questions[result.steps[1].question]
    assert page.locator("#kp-bh-vraag").inner_text().strip() == second.text
    assert page.evaluate("() => document.activeElement.id") == "kp-bh-vraag"  # focus follows for screen readers
    assert page.locator(".kp-bh-answered li").count() == 1
    page.locator(".kp-bh-back").click()
    assert page.locator("#kp-bh-vraag").inner_text().strip() == tree.first.text
    page.go_back()  # the browser's back button returns to the previous question
    assert page.locator("#kp-bh-vraag").inner_text().strip() == second.text
    assert outside == []


def test_the_wizard_answers_by_keyboard(page, content_site: Path) -> None:  # noqa: ANN001
    tree = load_decision_tree(CONTENT / "beslishulp.yaml").tree
    page.goto(f"{serve(content_site)}/{PAGE}")
    page.locator(".kp-bh-answer").first.focus()
    page.keyboard.press("Enter")
    second = tree.questions[tree.first.answers[0].target.id]
    assert page.locator("#kp-bh-vraag").inner_text().strip() == second.text
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "kp-bh-answer"


def test_axe_finds_no_violations_on_the_beslishulp(page, content_site: Path) -> None:  # noqa: ANN001
    violations = axe_violations(page, f"{serve(content_site)}/{PAGE}")
    assert not violations, describe(violations)
    page.locator(".kp-bh-answer").first.click()
    page.locator(".kp-bh-answer").first.click()
    page.locator(".kp-bh-answer").first.click()
    violations = run_axe(page)
    assert not violations, describe(violations)


# -- the real tree with the shared decision tree ------------------------------------------------------


@pytest.mark.upstream
def test_a_sample_of_paths_through_the_shared_tree_ends_in_the_walkers_conclusion(page, upstream_site: Path, shared_tree) -> None:  # noqa: ANN001
    """The sampled paths in the order of their answers, on one page load, answered by keyboard: each
    path goes back to the last question it shares with the path before it with that answer's "Wijzig"
    button (with "Opnieuw beginnen" when it shares none) and answers the rest."""
    base = serve(upstream_site)
    outside = watch_requests(page, base)
    page.goto(f"{base}/{PAGE}")
    previous: tuple[int, ...] = ()
    for result in sorted(sample(list(walk(shared_tree)), 8), key=answers):
        shared = shared_steps(previous, answers(result))
        if previous:
            (page.locator(".kp-bh-change").nth(shared) if shared else page.locator(".kp-bh-restart")).press("Enter")
            assert page.locator(".kp-bh-answered li").count() == shared
        click_path(page, shared_tree, result, start=shared, by_keyboard=True)
        assert shown_conclusion(page) == plain_text(rich_text(shared_tree.conclusions[result.conclusion].text)), result
        assert page.locator(".kp-bh-answered li").count() == len(result.steps)
        previous = answers(result)
    assert outside == []


def expected_vereisten(kader, profile: dict[str, list[str]], shown: list[str], exceptions: bool = True) -> list[str]:
    """The rows of the overview that match a profile, computed from the front matter.

    A vereiste matches when, for every field of the profile it has labels for, one of its
    labels is chosen, and none of its ``uitzondering`` expressions holds for the chosen labels.
    """
    chosen = {f"{field}-{value}" for field, values in profile.items() for value in values}

    def holds(expression) -> bool:  # noqa: ANN001
        if isinstance(expression, str):
            return expression in chosen
        if expression[0] == "not":
            return not holds(expression[1])
        results = [holds(operand) for operand in expression[1:]]
        return all(results) if expression[0] == "and" else any(results)

    matching = []
    for short_id in shown:
        record = next(p for p in kader.of_kind(PageKind.VEREISTE) if p.short_id == short_id)
        if any(record.values(f) and not set(record.values(f)) & set(values) for f, values in profile.items()):
            continue
        if exceptions and any(holds(parse_label_expression(entry)) for entry in record.values("uitzondering")):
            continue
        matching.append(short_id)
    return matching


@pytest.mark.upstream
def test_conclusion_profile_links_show_exactly_the_matching_vereisten(page, upstream_site: Path, upstream_tree: Path, shared_tree) -> None:  # noqa: ANN001
    kader = load_tree(upstream_tree).kader
    vocabulary, _ = load_vocabulary(upstream_tree)
    base = serve(upstream_site)
    results = list(walk(shared_tree))
    # Paths with different profiles, among them one that excludes rows through `uitzondering`.
    by_profile = {}
    for result in results:
        key = tuple(sorted({pair for label in result.labels for pair in label_values(label, vocabulary) or ()}))
        by_profile.setdefault(key, result)
    chosen = sorted(by_profile.items(), key=lambda item: (-len(item[0]), item[0]))
    picked = [r for _, r in chosen[:: max(1, len(chosen) // 5)]][:5]
    picked.append(next(r for r in results if "uitzondering van toepassing" in r.labels))
    excluded_by_exception = 0
    for result in picked:
        page.goto(f"{base}/{PAGE}#antwoorden={'.'.join(str(s.answer) for s in result.steps)}")
        link = page.locator("a.kp-bh-vereisten")
        href = link.get_attribute("href")
        profile: dict[str, list[str]] = {}
        for field, value in parse_qsl(urlsplit(href).query):
            profile.setdefault(field, []).append(value)
        expected_profile = {}
        for label in result.labels:
            for field, value in label_values(label, vocabulary) or ():
                expected_profile.setdefault(field, [])
                if value not in expected_profile[field]:
                    expected_profile[field].append(value)
        assert profile == {f: v for f, v in expected_profile.items() if f in AI_ACT_FIELDS}
        link.click()
        page.wait_for_selector(".kp-count")
        table = page.locator(".kp-list.kp-profile").first
        all_rows = [r.strip() for r in table.locator("tbody tr td.kp-col-id").all_inner_texts()]
        visible = [r.strip() for r in table.locator("tbody tr:not([hidden]) td.kp-col-id").all_inner_texts()]
        expected = expected_vereisten(kader, profile, all_rows)
        assert visible == expected, f"{href}: {sorted(set(visible) ^ set(expected))}"
        excluded_by_exception += len(expected_vereisten(kader, profile, all_rows, exceptions=False)) - len(expected)
    assert excluded_by_exception > 0  # the `uitzondering` rules were exercised


@pytest.mark.upstream
def test_the_real_trees_beslishulp_links_lead_to_the_page(upstream_site: Path, upstream_tree: Path) -> None:
    """Every `<a … onclick="showModal(…beslishulp…)">` of the tree becomes a plain link to the page."""
    handled = re.compile(r"<a\b[^>]*\bon\w+=\"showModal\([^\"]*beslishulp", re.IGNORECASE)
    counted = {p: len(handled.findall(p.read_text("utf-8"))) for p in upstream_tree.rglob("*.md")}
    counted = {p: n for p, n in counted.items() if n}
    assert counted
    for source, expected in counted.items():
        html = upstream_site / source.relative_to(upstream_tree).with_suffix(".html")
        article = page_soup(html).find("article")
        to_page = [a for a in article.find_all("a", href=True) if (html.parent / a["href"]).resolve() == (upstream_site / PAGE).resolve()]
        assert len(to_page) == expected, source
        assert not any(name.startswith("on") for a in to_page for name in a.attrs)
