"""Driving the instant search in Chromium, for tests/test_search_browser.py and the bench's
``search`` section: the query set, typing a query into the header's dialog and scoring the results."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

QUERIES: list[dict] = yaml.safe_load((Path(__file__).parent / "search_queries.yaml").read_text("utf-8"))
DIALOG = "#kp-search-dialog"
FIELD = f"{DIALOG} input[role=combobox]"
OPTIONS = f"{DIALOG} [role=listbox] [role=option]"
SHOWN = "q => (document.querySelector('#kp-search-results') || {dataset: {}}).dataset.query === q"


def open_search(page) -> None:  # noqa: ANN001
    page.keyboard.press("/")
    page.locator(FIELD).wait_for(state="visible")


def type_query(page, query: str, timings: list[float] | None = None, key_by_key: bool = True) -> list[str]:  # noqa: ANN001
    """Type ``query`` into the open dialog key by key (without ``key_by_key``: all at once, as a paste does);
    the result addresses, in the order shown. With ``timings``, waits for the results of every keystroke
    and adds the milliseconds each took."""
    field = page.locator(FIELD)
    field.fill("")
    if not key_by_key:
        field.fill(query)
    elif timings is None:
        field.press_sequentially(query)
    else:
        for length in range(1, len(query) + 1):
            field.press_sequentially(query[length - 1])
            if query[:length].strip():
                page.wait_for_function(SHOWN, arg=query[:length], timeout=20000)
                timings.append(float(page.eval_on_selector("#kp-search-results", "box => box.dataset.searchMs")))
    page.wait_for_function(SHOWN, arg=query, timeout=20000)
    return page.eval_on_selector_all(OPTIONS, "options => options.map(o => o.dataset.href)")


def docname(site_url: str, href: str) -> str:
    """The page a result opens (a section opens its page), as a docname."""
    path = unquote(urlsplit(href).path)
    base = unquote(urlsplit(site_url).path).rstrip("/")
    return path.removeprefix(base).lstrip("/").removesuffix(".html")


def first_wanted(found: list[str], wanted: list[str]) -> int | None:
    """The 1-based rank of the first wanted page among the results."""
    return next((rank for rank, name in enumerate(found, 1) if name in wanted), None)


def scores(ranked: dict[str, list[str]]) -> tuple[float, float]:
    """hits@5 and MRR@10 of the query set, from each query's docnames in the order shown."""
    ranks = [first_wanted(ranked[entry["query"]], entry["wanted"]) for entry in QUERIES]
    hits_at_5 = sum(1 for rank in ranks if rank is not None and rank <= 5) / len(QUERIES)
    mrr_at_10 = sum(1 / rank for rank in ranks if rank is not None and rank <= 10) / len(QUERIES)
    return hits_at_5, mrr_at_10


def sphinx_search(page, site_url: str, query: str) -> list[str]:  # noqa: ANN001
    """Sphinx's own search page (the one before the instant search): its results' docnames, in order."""
    page.goto(f"{site_url}/search.html?q={query}")
    page.wait_for_function("() => (document.querySelector('#search-results p.search-summary') || {}).innerText", timeout=60000)
    hrefs = page.eval_on_selector_all("#search-results ul.search li a", "links => links.map(a => a.href)")
    return [docname(site_url, href) for href in hrefs]
