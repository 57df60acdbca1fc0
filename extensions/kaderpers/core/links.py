"""The external links of a tree, each where it is written: what ``kaderpers check --links`` checks.

A page links out in three places, and each occurrence keeps its file and line:

- its Markdown: links, autolinks (``<https://…>``) and links through a reference
  definition (at the line of the link), and images, parsed with markdown-it as MyST
  parses them (:func:`kaderpers.core.markup.markup`: code blocks and spans are text);
- its raw HTML: every ``href`` and ``src``, on the line of the attribute;
- its front matter: every URL in a value, at any depth (``sources``, the links of a
  hulpmiddel, keys a tree adds), on the line of the front matter that holds it.

Only ``http`` and ``https`` URLs with a host are external; links within the tree are
``check``'s other rules' concern. The HTTP part is :mod:`kaderpers.core.linkcheck`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from .findings import Finding
from .linkcheck import LinkOptions, Outcome, Report, Status, check_urls
from .loader import LoadedTree, decode, normalise_text
from .markup import markup
from .model import Page

#: A URL inside a front-matter value, which is text and not Markdown.
_URL_IN_TEXT = re.compile(r"""https?://[^\s<>"'`]+""", re.IGNORECASE)
_TRAILING_PUNCTUATION = ".,;:!?)]}"


@dataclass(frozen=True)
class LinkOccurrence:
    """One place an external URL is written: the page's path in the tree and the line."""

    url: str
    path: str
    line: int | None


def is_external(url: str) -> bool:
    """An ``http(s)`` URL with a host: a link out of the site."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def body_links(page: Page, body: str) -> list[LinkOccurrence]:
    """The external URLs of a page's body, as MyST parses it."""
    found = markup(body, page.body_line, urls=True)
    return [LinkOccurrence(url.url.strip(), page.path, url.line) for url in found.urls if is_external(url.url)]


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from _strings(item)


def urls_in_text(text: str) -> list[str]:
    """The URLs written in a piece of plain text (a front-matter value)."""
    return [match.rstrip(_TRAILING_PUNCTUATION) for match in _URL_IN_TEXT.findall(text)]


def front_matter_links(page: Page, text: str) -> list[LinkOccurrence]:
    """The external URLs in a page's front matter; ``text`` is the whole page.

    The values come from the parsed YAML (so a quoted, folded or flow-style value counts as
    YAML reads it); each is placed on the first front-matter line at or after its key's line
    that holds it, and later occurrences of the same URL on the lines after that.
    """
    if page.body_line <= 1:
        return []
    lines = text.split("\n")[: page.body_line - 1]
    links: list[LinkOccurrence] = []
    for key, value in page.meta.items():
        start = (page.lines.of(key) or 1) - 1
        for url in (url for string in _strings(value) for url in urls_in_text(string)):
            if not is_external(url):
                continue
            line = next((number + 1 for number in range(start, len(lines)) if url in lines[number]), page.lines.of(key))
            links.append(LinkOccurrence(url, page.path, line))
            if line is not None:
                start = line - 1 if lines[line - 1].count(url) > 1 else line
    return links


def page_text(tree: LoadedTree, page: Page) -> str:
    """A page's text as the loader read it (decoded and normalised), for the lines of its front matter."""
    try:
        raw = (tree.root / page.path).read_bytes()
    except OSError:
        return ""
    return normalise_text(decode(raw, page.path)[0], page.path)[0]


def collect_links(tree: LoadedTree) -> list[LinkOccurrence]:
    """Every occurrence of an external URL in a loaded tree, ordered by file and line."""
    links: list[LinkOccurrence] = []
    for page in tree.kader.pages.values():
        links.extend(front_matter_links(page, page_text(tree, page)))
        links.extend(body_links(page, tree.bodies[page.docname]))
    return sorted(links, key=lambda link: (link.path, link.line or 0, link.url))


def by_url(links: list[LinkOccurrence]) -> dict[str, list[LinkOccurrence]]:
    """Occurrences grouped by URL, in the order the URLs first occur."""
    grouped: dict[str, list[LinkOccurrence]] = {}
    for link in links:
        grouped.setdefault(link.url, []).append(link)
    return grouped


#: The rule of each outcome that is a problem.
RULE_OF = {
    Status.BROKEN: "link.broken",
    Status.REDIRECT: "link.redirect",
    Status.ANCHOR: "link.anchor",
    Status.LOOP: "link.loop",
    Status.TOO_MANY_REDIRECTS: "link.loop",
    Status.TIMEOUT: "link.timeout",
    Status.THROTTLED: "link.throttled",
    Status.TLS: "link.tls",
    Status.DNS: "link.dns",
    Status.UNREACHABLE: "link.unreachable",
}


def _advice(outcome: Outcome, options: LinkOptions) -> str:
    if outcome.status is Status.REDIRECT:
        return f"link to {outcome.new_url} instead"
    if outcome.status is Status.ANCHOR:
        return "link to an anchor the page has, or to the page"
    if outcome.status is Status.TIMEOUT:
        return f"no answer within {options.timeout:g} s; try it in a browser, or raise kaderpers_link_timeout"
    if outcome.status is Status.THROTTLED:
        return "lower kaderpers_link_per_host, or skip the host with kaderpers_link_skip_hosts"
    if outcome.status is Status.BROKEN and outcome.http_status in (401, 403):
        return "a site that refuses bots may accept browser-like headers (kaderpers_link_headers); else fix or remove the link"
    return "fix or remove the link"


def link_findings(links: list[LinkOccurrence], report: Report, options: LinkOptions) -> list[Finding]:
    """One finding for every occurrence of a URL that is not fine, and one if the budget ran out."""
    findings = []
    unchecked: list[LinkOccurrence] = []
    for url, occurrences in by_url(links).items():
        outcome = report.outcomes.get(url)
        if outcome is None or outcome.status in (Status.OK, Status.SKIPPED):
            continue
        if outcome.status is Status.UNCHECKED:
            unchecked.append(occurrences[0])
            continue
        rule = RULE_OF[outcome.status]
        message = f"link to {url}: {outcome.detail}; {_advice(outcome, options)}"
        findings.extend(Finding(link.path, link.line, rule, message) for link in occurrences)
    if unchecked:
        first = unchecked[0]
        findings.append(Finding(
            first.path, first.line, "link.budget",
            f"the request budget ({options.budget} requests) was spent: {len(unchecked)} external link(s) were not checked, "
            f"this one first; raise kaderpers_link_budget or run again (links that were fine are cached)",
        ))  # fmt: skip
    return findings


def check_links(tree: LoadedTree, options: LinkOptions, progress: Callable[[int, int], None] | None = None) -> tuple[list[Finding], Report, int]:
    """Collect the tree's external links and check them: the findings, the report and how many occurrences there were."""
    links = collect_links(tree)
    report = check_urls([link.url for link in links], options, progress)
    return link_findings(links, report, options), report, len(links)
