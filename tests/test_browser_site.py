"""The built site of content/ in headless Chromium: Dutch search, no other hosts, CSP, axe-core.

Pages are served on loopback (conftest ``serve``). axe-core comes from npm
(``make npm-deps``) and runs the WCAG 2.1 A and AA rules.
"""

from __future__ import annotations

import copy
import re
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import serve
from html_pages import page_soup

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
AXE = REPO / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LOOPBACK = {"127.0.0.1", "localhost"}


@cache  # the site is built once per session; each search test reads every page
def article_text(path: Path) -> str:
    article = page_soup(path).find("article")
    if article is None:
        return ""
    article = copy.copy(article)  # the parse is shared: take the parts out of a copy
    for hidden in article(["script", "style"]):
        hidden.decompose()
    for excluded in article.select(".no-search"):  # kept out of the index on purpose (data-search-exclude)
        excluded.decompose()
    return article.get_text(" ").lower()


def woordenlijst(site: Path) -> str:
    for path in sorted(site.rglob("*.html")):
        heading = page_soup(path).select_one("article h1")
        if heading is not None and heading.get_text(strip=True).rstrip("#").strip() == "Woordenlijst":
            return path.relative_to(site).as_posix()
    raise AssertionError("the site has no Woordenlijst page")


def first_record(site: Path, folder: str) -> str:
    records = sorted(p for p in (site / "voldoen-aan-wetten-en-regels" / folder).glob("*.html") if p.name != "index.html")
    assert records, f"no {folder} in the site"
    return records[0].relative_to(site).as_posix()


@cache
def acceptance_pages(site: Path) -> tuple[str, ...]:
    """The six pages the issue names: home, a phase, the vereisten overview, a vereiste, a maatregel, the Woordenlijst."""
    return (
        "index.html",
        "levenscyclus/ontwerp.html",
        "voldoen-aan-wetten-en-regels/vereisten/index.html",
        first_record(site, "vereisten"),
        first_record(site, "maatregelen"),
        woordenlijst(site),
    )


def watch(page) -> dict[str, list[str]]:  # noqa: ANN001
    """Record requests to other hosts (and block them), failed local loads, CSP reports and script errors."""
    seen: dict[str, list[str]] = {"external": [], "failed": [], "csp": [], "errors": []}

    def route(route) -> None:  # noqa: ANN001
        url = route.request.url
        if urlsplit(url).hostname not in LOOPBACK and not url.startswith(("data:", "blob:")):
            seen["external"].append(url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", route)
    page.on("response", lambda response: seen["failed"].append(f"{response.status} {response.url}") if response.status >= 400 else None)
    page.on("console", lambda message: seen["csp"].append(message.text) if "Content Security Policy" in message.text else None)
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    return seen


def open_page(page, url: str) -> None:  # noqa: ANN001
    """Open ``url`` up to its load event: its scripts have run, its styles and images are in."""
    page.goto(url)


def open_page_settled(page, url: str) -> None:  # noqa: ANN001
    """Open ``url`` and wait until the network is idle (half a second without a request), so that what
    the page asks for after its load event (the favicon, a script's late fetch) is seen too."""
    page.goto(url, wait_until="networkidle")


def search(page, base: str, query: str) -> list[str]:  # noqa: ANN001
    """Run the site's own search page and return the docnames it finds."""
    open_page(page, f"{base}/search.html?q={query}")
    page.wait_for_function("() => (document.querySelector('#search-results p.search-summary') || {}).innerText", timeout=20000)
    hrefs = page.eval_on_selector_all("#search-results ul.search li a", "links => links.map(a => a.getAttribute('href'))")
    return sorted({href.split("#")[0].split("?")[0].removesuffix(".html") for href in hrefs})


def pages_saying(site: Path, word: str, but_not: str) -> list[str]:
    """Pages whose text has ``word`` as a whole word and never ``but_not`` (computed from the HTML, not the index)."""
    has, has_not = re.compile(rf"\b{word}\b"), re.compile(rf"\b{but_not}\b")
    found = []
    for path in sorted(site.rglob("*.html")):
        relative = path.relative_to(site)
        if relative.parts[0].startswith("_") or relative.name in ("search.html", "genindex.html"):
            continue
        text = article_text(path)
        if has.search(text) and not has_not.search(text):
            found.append(relative.with_suffix("").as_posix())
    return found


# -- search ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "form_on_page"), [("maatregel", "maatregelen"), ("maatregelen", "maatregel"), ("systeem", "systemen")])
def test_search_finds_pages_by_another_word_form(page, content_site: Path, query: str, form_on_page: str) -> None:  # noqa: ANN001
    expected = pages_saying(content_site, form_on_page, but_not=query)
    assert expected, f"content/ has no page that says {form_on_page!r} without {query!r}; pick another pair"
    found = search(page, serve(content_site), query)
    missing = [docname for docname in expected if docname not in found]
    assert not missing, f"searching {query!r} misses pages that only say {form_on_page!r}: {missing}"


def test_search_works_without_any_other_host(page, content_site: Path) -> None:  # noqa: ANN001
    seen = watch(page)
    found = search(page, serve(content_site), "algoritmeregister")
    assert found, "no results for a word the content uses"
    summary = page.inner_text("#search-results p.search-summary")
    assert re.fullmatch(r"Zoeken klaar: (één pagina|\d+ pagina's) gevonden\.", summary), summary
    assert not seen["external"] and not seen["failed"] and not seen["csp"] and not seen["errors"], seen


def test_search_from_the_header_of_any_page(page, content_site: Path) -> None:  # noqa: ANN001
    seen = watch(page)
    open_page(page, f"{serve(content_site)}/levenscyclus/ontwerp.html")
    page.click(".navbar-persistent--container button.kp-search-button")
    field = page.locator("#kp-search-dialog input[role=combobox]")
    field.wait_for(state="visible")
    field.fill("maatregelen")
    page.wait_for_function("() => (document.querySelector('#kp-search-results') || {dataset: {}}).dataset.query === 'maatregelen'")
    page.click("#kp-search-dialog a.kp-search-all")  # the instant search's link to the full results
    page.wait_for_url(re.compile(r"/search\.html\?q=maatregelen"))
    page.wait_for_function("() => (document.querySelector('#search-results p.search-summary') || {}).innerText", timeout=20000)
    assert page.locator("#search-results ul.search li").count() > 0
    assert not seen["csp"] and not seen["errors"], seen


# -- no other hosts, a strict CSP that breaks nothing -------------------------------------------------


def test_pages_request_nothing_from_other_hosts_and_break_no_policy(page, content_site: Path) -> None:  # noqa: ANN001
    base = serve(content_site)
    seen = watch(page)
    for path in acceptance_pages(content_site):
        open_page_settled(page, f"{base}/{path}")
        assert page.evaluate("() => !!document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]')"), path
    assert not seen["external"], f"requests to other hosts: {seen['external']}"
    assert not seen["failed"], f"failed loads: {seen['failed']}"
    assert not seen["csp"], f"blocked by the Content-Security-Policy: {seen['csp']}"
    assert not seen["errors"], f"script errors: {seen['errors']}"


def test_the_policy_is_enforced(page, content_site: Path) -> None:  # noqa: ANN001
    """An inline script injected into a page is refused: the meta policy really applies."""
    seen = watch(page)
    open_page(page, f"{serve(content_site)}/index.html")
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.kpInjected = 1'; document.head.appendChild(s); }")
    assert page.evaluate("() => window.kpInjected") is None
    assert seen["csp"], "no CSP report for an inline script"


def test_the_light_scheme_holds_when_the_reader_prefers_dark(browser, content_site: Path) -> None:  # noqa: ANN001
    context = browser.new_context(color_scheme="dark")
    try:
        tab = context.new_page()
        open_page(tab, f"{serve(content_site)}/levenscyclus/ontwerp.html")
        assert tab.evaluate("() => document.documentElement.dataset.theme") == "light"
        background = tab.evaluate("() => getComputedStyle(document.querySelector('.bd-article-container')).color")
        assert background != "rgb(255, 255, 255)"  # dark text, not the dark scheme's white
    finally:
        context.close()


def test_skip_link_is_the_first_stop_and_reaches_the_content(page, content_site: Path) -> None:  # noqa: ANN001
    open_page(page, f"{serve(content_site)}/levenscyclus/ontwerp.html")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Direct naar de inhoud"
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main-content"


# -- accessibility ------------------------------------------------------------------------------


def axe_violations(page, url: str) -> list[dict]:  # noqa: ANN001
    """Open ``url``, load axe-core into it and run it (:func:`run_axe`)."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing; run `make npm-deps`")
    open_page(page, url)
    page.evaluate(AXE.read_text("utf-8") + "\n;0")  # evaluated by the driver, so the page's CSP allows it
    return run_axe(page)


def run_axe(page) -> list[dict]:  # noqa: ANN001
    """The WCAG 2.1 A and AA violations of the page as it is now (axe-core loaded). Only the violations
    are worked out in full and sent back: the passes, with a selector for every node, took half the time."""
    return page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']}).then(result => result.violations)", WCAG_21_AA
    )


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines += [f"    {node['target']}: {node['failureSummary']!r}"[:300] for node in violation["nodes"][:3]]
    return "\n".join(lines)


@pytest.mark.parametrize("which", range(6), ids=["home", "phase", "vereisten", "vereiste", "maatregel", "woordenlijst"])
def test_axe_finds_no_wcag21_aa_violations(page, content_site: Path, which: int) -> None:  # noqa: ANN001
    path = acceptance_pages(content_site)[which]
    violations = axe_violations(page, f"{serve(content_site)}/{path}")
    assert not violations, f"{path}:\n{describe(violations)}"


@pytest.mark.upstream
def test_axe_on_the_same_pages_of_the_real_kader(page, upstream_site: Path) -> None:  # noqa: ANN001
    """The real tree's content through the same theme: its pages must pass too."""
    found = {path: axe_violations(page, f"{serve(upstream_site)}/{path}") for path in acceptance_pages(upstream_site)}
    failing = {path: describe(violations) for path, violations in found.items() if violations}
    assert not failing, "\n".join(f"{path}:\n{text}" for path, text in failing.items())


def test_axe_on_a_narrow_screen_with_the_menu_open(browser, content_site: Path) -> None:  # noqa: ANN001
    context = browser.new_context(viewport={"width": 400, "height": 800})
    try:
        tab = context.new_page()
        url = f"{serve(content_site)}/{acceptance_pages(content_site)[4]}"
        assert not axe_violations(tab, url)
        tab.click("button.primary-toggle")
        tab.wait_for_selector("#pst-primary-sidebar-modal[open]")
        violations = run_axe(tab)
        assert not violations, describe(violations)
    finally:
        context.close()


STORE = "() => { localStorage.setItem('kp-proef', '1'); sessionStorage.setItem('kp-proef', '1'); document.cookie = 'kp-proef=1'; }"
STORED = "() => [localStorage.getItem('kp-proef'), sessionStorage.getItem('kp-proef'), document.cookie]"


def test_a_tests_page_starts_without_what_an_earlier_tab_stored(tabs, content_site: Path) -> None:  # noqa: ANN001
    """The tests share a context (warm caches), and a tab is handed from test to test: nothing one test
    stored, visited or set up may reach the next. A tab that only read pages is handed on; one with a
    route or a listener is closed, and so is one the test closed itself."""
    urls = [f"{serve(content_site)}/index.html", (content_site / "index.html").as_uri()]
    with tabs.fresh() as tab:
        for url in urls:
            tab.goto(url)
            tab.evaluate(STORE)
            assert tab.evaluate(STORED) == ["1", "1", "kp-proef=1" if url.startswith("http") else ""], url  # file: pages keep no cookies
        handed_on = tab
    opened = tabs.opened
    with tabs.fresh() as tab:
        assert tab is handed_on and tabs.opened == opened, "a tab that only read pages is handed to the next test"
        for url in urls:
            tab.goto(url)
            assert tab.evaluate(STORED) == [None, None, ""], url
        for _ in range(3):  # no further back than where this test began
            tab.go_back()
        assert not tab.url.startswith(("http", "file")), tab.url
        tab.route("**/index.html", lambda route: route.fulfill(body="<title>omgeleid</title>", content_type="text/html"))
        tab.goto(urls[0])
        assert tab.title() == "omgeleid"
        tab.evaluate(STORE)
    with tabs.fresh() as tab:
        assert tab is not handed_on and tabs.opened == opened + 1, "a tab with a route is not handed on"
        tab.goto(urls[0])
        assert tab.title() != "omgeleid" and tab.evaluate(STORED) == [None, None, ""]
        tab.evaluate(STORE)
        tab.close()
    with tabs.fresh() as tab:
        assert tabs.opened == opened + 3, "a closed tab is replaced, after one more cleared its storage"
        tab.goto(urls[0])
        assert tab.evaluate(STORED) == [None, None, ""]
