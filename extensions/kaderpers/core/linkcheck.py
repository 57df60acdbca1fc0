"""Checking external URLs over HTTP, on httpx: what ``kaderpers check --links`` asks the web.

Every distinct URL is checked once, concurrently, with at most ``per_host`` requests
open to any one host (an ``asyncio.Semaphore`` per host around each request; httpx
speaks HTTP/1.1 and keeps connections alive):

- HEAD first; GET when HEAD is refused (any answer of 400 or above other than 429 and
  503: 405, 403 and 501 are what servers that refuse HEAD say), and GET straight away
  when the URL's ``#anchor`` is to be found in the page;
- redirects are followed one hop at a time, so that a permanent one (301, 308) is
  reported with the address the link should name instead, and a loop as a loop;
- 429 and 503 are tried again up to ``retries`` times, after the server's
  ``Retry-After`` (seconds or an HTTP date) or else a doubling back-off, never more
  than ``max_wait`` seconds; no request goes to that host in the meantime;
- timeouts, TLS failures, names that do not resolve and connections refused each have
  their own outcome and words;
- at most ``budget`` requests in all: what is left is reported as not checked.

Results that were fine are kept in a cache file (JSON, written atomically) for
``cache_ttl`` seconds; a URL found there is not asked again.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import email.utils
import json
import os
import re
import socket
import ssl
import tempfile
import time
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urldefrag, urljoin, urlsplit

from ..version import __version__

T = TypeVar("T")

if TYPE_CHECKING:
    import httpx  # imported where links are checked: every build reads LinkOptions' defaults (sphinxext/config.py)

#: What the checker says it is, and what it accepts, unless ``headers`` say otherwise for a host.
DEFAULT_HEADERS = {
    "User-Agent": f"kaderpers/{__version__} (link check)",
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
}
PERMANENT_REDIRECTS = frozenset({301, 308})
RETRY_STATUSES = frozenset({429, 503})
#: Connections open at once over all hosts (each host has its own, smaller limit): well within a
#: process's file descriptors however many hosts a tree links to.
MAX_CONNECTIONS = 64
#: Fragments that are not anchors in the page's HTML: a hash-bang route, a line of a file on a code
#: host (#L10, #L10-L20), a text fragment (#:~:text=).
NOT_AN_ANCHOR = re.compile(r"^!|^L\d+(?:-L\d+)?$|^:~:")
#: How much of an HTML page is read to look for an anchor.
MAX_ANCHOR_BYTES = 10 * 1024 * 1024
#: How much of any other answer is read (and thrown away) to keep its connection for the next request.
MAX_DRAINED_BYTES = 256 * 1024


@dataclass(frozen=True)
class LinkOptions:
    """How links are checked. The defaults are those of the ``kaderpers_link_*`` settings
    (:mod:`kaderpers.sphinxext.config` takes them from here)."""

    #: Seconds to wait for a connection and for each read.
    timeout: float = 20.0
    #: Requests open at once to one host.
    per_host: int = 4
    #: Requests in all, redirects and retries included; the rest is not checked.
    budget: int = 10_000
    #: Tries after a 429 or 503 before giving up.
    retries: int = 3
    #: The longest wait before trying again, whatever ``Retry-After`` asks, in seconds.
    max_wait: float = 60.0
    #: Redirects followed before giving up.
    max_redirects: int = 10
    #: Hosts not checked: ``example.org`` also skips its subdomains.
    skip_hosts: tuple[str, ...] = ()
    #: Regular expressions: a URL that one of them matches (``re.search``) is not checked.
    skip_patterns: tuple[str, ...] = ()
    #: Headers per host (``"*"`` for all hosts), e.g. a browser's User-Agent for a site that refuses bots.
    headers: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: Look for a URL's ``#anchor`` in the HTML page it leads to.
    anchors: bool = False
    #: The cache of links that were fine; None keeps none.
    cache: Path | None = None
    #: Seconds a link that was fine stays fine in the cache.
    cache_ttl: float = 24 * 3600.0


class Status(StrEnum):
    """What checking one URL found."""

    OK = "ok"
    REDIRECT = "redirect"  # permanently moved: ``new_url`` says where
    BROKEN = "broken"  # 4xx or 5xx
    ANCHOR = "anchor"  # the page is there, the anchor is not
    LOOP = "loop"
    TOO_MANY_REDIRECTS = "too-many-redirects"
    THROTTLED = "throttled"  # still 429 after every retry
    TIMEOUT = "timeout"
    TLS = "tls"
    DNS = "dns"
    UNREACHABLE = "unreachable"  # connection refused or reset, or not HTTP
    SKIPPED = "skipped"
    UNCHECKED = "unchecked"  # the request budget was spent


@dataclass(frozen=True)
class Outcome:
    """The result of checking one URL: its status, in words, and the HTTP status when there was an answer."""

    url: str
    status: Status
    detail: str = ""
    http_status: int | None = None
    new_url: str = ""
    from_cache: bool = False

    @property
    def fine(self) -> bool:
        """The link works as written (nothing to report)."""
        return self.status is Status.OK


@dataclass
class Report:
    """Every URL's outcome, how many requests were made, and why the cache could not be written, if so."""

    outcomes: dict[str, Outcome]
    requests: int = 0
    cache_problem: str = ""


class _Budget:
    def __init__(self, limit: int) -> None:
        self.left = limit
        self.used = 0

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        self.used += 1
        return True


class _BudgetSpent(Exception):
    pass


class _Unresolved(Exception):
    """The host's name did not resolve for an earlier URL: its other URLs are not asked."""

    def __init__(self, detail: str) -> None:
        self.detail = detail


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:  # "http://[::1/": httpx will say what is wrong with it
        return ""


def is_skipped(url: str, options: LinkOptions) -> bool:
    """Whether the settings leave ``url`` unchecked: its host (or a parent domain) or a pattern is skipped."""
    host = _host(url)
    for skipped in options.skip_hosts:
        skipped = skipped.lower().strip(".")
        if host == skipped or host.endswith("." + skipped):
            return True
    return any(re.search(pattern, url) for pattern in options.skip_patterns)


def headers_for(url: str, options: LinkOptions) -> dict[str, str]:
    """The default headers, then those for every host (``"*"``), then the URL's own host's (or a parent domain's)."""
    host = _host(url)
    headers = dict(DEFAULT_HEADERS)
    headers.update(options.headers.get("*", {}))
    for name, values in sorted(options.headers.items(), key=lambda item: len(item[0])):
        name = name.lower().strip(".")
        if name != "*" and (host == name or host.endswith("." + name)):
            headers.update(values)
    return headers


def retry_after(value: str | None, attempt: int, max_wait: float, now: float | None = None) -> float:
    """Seconds to wait before trying again: ``Retry-After`` in seconds or as an HTTP date,
    else 1, 2, 4 … seconds; never below 0 nor above ``max_wait``."""
    wait: float | None = None
    if value:
        value = value.strip()
        if value.isdigit():
            wait = float(value)
        else:
            try:
                moment = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                moment = None
            if moment is not None and moment.tzinfo is not None:
                wait = moment.timestamp() - (time.time() if now is None else now)
    if wait is None:
        wait = float(2**attempt)
    return max(0.0, min(wait, max_wait))


class _Anchors(HTMLParser):
    """Every ``id`` and every ``<a name>`` of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.names: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name == "id" or (tag == "a" and name == "name")):
                self.names.add(value)

    handle_startendtag = handle_starttag


def run_apart(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to its end: in this thread, or in a thread of its own when this thread already runs an
    event loop (a caller inside an asyncio program, or a test driving a browser), where ``asyncio.run`` refuses."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def html_anchors(html: str) -> set[str]:
    """The anchors an HTML page offers: every ``id`` and every ``<a name>``."""
    parser = _Anchors()
    parser.feed(html)
    parser.close()
    return parser.names


def failing_host(url: str, error: httpx.HTTPError) -> str:
    """The host of the request that failed (after a redirect, not necessarily the link's)."""
    try:
        return error.request.url.host or _host(url)
    except RuntimeError:  # an error raised without its request
        return _host(url)


def _error_outcome(url: str, error: httpx.HTTPError) -> Outcome:
    """A failure before any answer, in its own words: timeout, TLS, DNS, or the connection."""
    import httpx

    if isinstance(error, httpx.TimeoutException):
        return Outcome(url, Status.TIMEOUT, "no answer within the time-out")
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return Outcome(url, Status.TLS, f"the TLS certificate is not valid: {cause.verify_message or cause}")
        if isinstance(cause, ssl.SSLError):
            return Outcome(url, Status.TLS, f"the TLS connection failed: {cause.reason or cause}")
        if isinstance(cause, socket.gaierror):
            return Outcome(url, Status.DNS, f"the host name `{failing_host(url, error)}` does not resolve ({cause.strerror or cause})")
        if isinstance(cause, ConnectionRefusedError):
            return Outcome(url, Status.UNREACHABLE, "the server refuses the connection")
        cause = cause.__cause__ or cause.__context__
    return Outcome(url, Status.UNREACHABLE, f"the server cannot be reached: {error or type(error).__name__}")


class LinkChecker:
    """Checks a set of URLs with one httpx client; see the module's description."""

    def __init__(self, options: LinkOptions, progress: Callable[[int, int], None] | None = None) -> None:
        self.options = options
        self.progress = progress
        self.budget = _Budget(options.budget)
        self.hosts: dict[str, asyncio.Semaphore] = {}
        self.unresolved: dict[str, str] = {}  # host → why its name does not resolve
        self.resumes: dict[str, float] = {}  # host → when (the event loop's clock) it may be asked again

    def _slot(self, url: str) -> asyncio.Semaphore:
        host = _host(url)
        if host not in self.hosts:
            self.hosts[host] = asyncio.Semaphore(self.options.per_host)
        return self.hosts[host]

    async def _request(self, client: httpx.AsyncClient, method: str, url: str, *, body: bool = False) -> tuple[httpx.Response, str]:
        """One request, within the host's limit and the budget; tries again on 429 and 503.

        Returns the response (its body read when ``body``) and, for an HTML body, its text."""
        attempt = 0
        host = _host(url)
        while True:
            async with self._slot(url):
                await self._until_host_resumes(host)  # holding the slot: the host's other requests wait too
                if host in self.unresolved:
                    raise _Unresolved(self.unresolved[host])
                if not self.budget.take():
                    raise _BudgetSpent
                async with client.stream(method, url, headers=headers_for(url, self.options)) as response:
                    keep = body and response.status_code < 300 and "html" in response.headers.get("content-type", "")
                    chunks = []
                    size = 0
                    # Read the answer to its end (a HEAD's is empty), so that its connection serves the next
                    # request; give up on one that is too large (its connection is then closed).
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if keep:
                            chunks.append(chunk)
                        if size > (MAX_ANCHOR_BYTES if keep else MAX_DRAINED_BYTES):
                            break
                    text = b"".join(chunks).decode(response.encoding or "utf-8", errors="replace") if keep else ""
            if response.status_code in RETRY_STATUSES and attempt < self.options.retries:
                # The whole host waits, not only this link: the server asked to be left alone for a while.
                wait = retry_after(response.headers.get("retry-after"), attempt, self.options.max_wait)
                loop = asyncio.get_running_loop()
                self.resumes[host] = max(self.resumes.get(host, 0.0), loop.time() + wait)
                attempt += 1
                continue
            return response, text

    async def _until_host_resumes(self, host: str) -> None:
        """Wait while the host asked for a pause (429 or 503 with its Retry-After)."""
        loop = asyncio.get_running_loop()
        while (delay := self.resumes.get(host, 0.0) - loop.time()) > 0:
            await asyncio.sleep(delay)

    async def _follow(self, client: httpx.AsyncClient, method: str, url: str) -> Outcome:
        """``url`` with ``method``, following redirects hop by hop."""
        target, fragment = urldefrag(url)
        want_anchor = self.options.anchors and bool(fragment) and not NOT_AN_ANCHOR.match(fragment) and method == "GET"
        seen = {target}
        moved_to = ""  # where the permanent redirects at the start of the chain lead
        permanent = True
        current = target
        for _ in range(self.options.max_redirects + 1):
            response, text = await self._request(client, method, current, body=want_anchor)
            status = response.status_code
            if status in (301, 302, 303, 307, 308) and response.headers.get("location"):
                following = urldefrag(urljoin(current, response.headers["location"]))[0]
                if following in seen:
                    return Outcome(url, Status.LOOP, f"redirects in a loop ({current} → {following})", status)
                seen.add(following)
                if permanent and status in PERMANENT_REDIRECTS:
                    moved_to = following
                else:
                    permanent = False
                current = following
                continue
            if status >= 400:
                return Outcome(url, _failure(status), _reason(response), status)
            if want_anchor and text and fragment not in html_anchors(text):
                return Outcome(url, Status.ANCHOR, f"the page has no anchor `#{fragment}`", status)
            if moved_to:
                new_url = moved_to + (f"#{fragment}" if fragment else "")
                return Outcome(url, Status.REDIRECT, f"moved permanently to {new_url}", status, new_url)
            return Outcome(url, Status.OK, "", status)
        return Outcome(url, Status.TOO_MANY_REDIRECTS, f"more than {self.options.max_redirects} redirects", None)

    async def check_one(self, client: httpx.AsyncClient, url: str) -> Outcome:
        """Check one URL (HEAD, then GET when refused; redirects hop by hop; retries after 429/503)."""
        import httpx

        try:
            _ = urlsplit(url).port  # a port out of range raises here, and not tidily from the socket layer
            fragment = urldefrag(url)[1]
            if self.options.anchors and fragment and not NOT_AN_ANCHOR.match(fragment):
                return await self._follow(client, "GET", url)
            outcome = await self._follow(client, "HEAD", url)
            refused = outcome.status is Status.BROKEN and outcome.http_status not in RETRY_STATUSES
            if refused or outcome.status is Status.TOO_MANY_REDIRECTS:
                return await self._follow(client, "GET", url)  # HEAD refused (405, 403, 501 …), or answered wrongly
            return outcome
        except _BudgetSpent:
            return Outcome(url, Status.UNCHECKED, "the request budget was spent")
        except _Unresolved as unresolved:
            return Outcome(url, Status.DNS, unresolved.detail)
        except httpx.HTTPError as error:
            outcome = _error_outcome(url, error)
            if outcome.status is Status.DNS:
                self.unresolved[failing_host(url, error)] = outcome.detail
            return outcome
        except (httpx.InvalidURL, ValueError, UnicodeError) as error:  # a URL httpx cannot send
            return Outcome(url, Status.UNREACHABLE, f"the URL cannot be requested: {error}")
        except OSError as error:  # the socket layer, past httpx's own errors
            return Outcome(url, Status.UNREACHABLE, f"the server cannot be reached: {error.strerror or error}")

    async def check_all(self, urls: list[str]) -> dict[str, Outcome]:
        """Check every URL concurrently, at most the per-host limit at once per host, within the request budget."""
        import httpx

        timeout = httpx.Timeout(self.options.timeout, pool=None)  # waiting for a free connection is not the server's time
        limits = httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS)
        done = 0

        async def one(url: str) -> Outcome:
            nonlocal done
            outcome = await self.check_one(client, url)
            done += 1
            if self.progress:
                self.progress(done, len(urls))
            return outcome

        async with httpx.AsyncClient(timeout=timeout, limits=limits, follow_redirects=False, http2=False) as client:
            outcomes = await asyncio.gather(*(one(url) for url in urls))
        return {outcome.url: outcome for outcome in outcomes}


def _failure(status: int) -> Status:
    return Status.THROTTLED if status == 429 else Status.BROKEN


def _reason(response: httpx.Response) -> str:
    phrase = response.reason_phrase or ""
    return f"the server answers {response.status_code}{' ' + phrase if phrase else ''}"


# -- the cache ----------------------------------------------------------------------------

CACHE_VERSION = 1


def _cache_key(url: str, options: LinkOptions) -> str:
    """Without anchor checks a URL's fragment says nothing about the answer."""
    return url if options.anchors else urldefrag(url)[0]


def read_cache(path: Path | None, now: float, ttl: float) -> dict[str, dict[str, object]]:
    """The fresh entries of the cache (an unreadable or foreign file is an empty cache)."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION or not isinstance(data.get("links"), dict):
        return {}
    fresh = {}
    for key, entry in data["links"].items():
        checked = entry.get("checked") if isinstance(entry, dict) else None
        if isinstance(checked, (int, float)) and 0 <= now - checked < ttl:
            fresh[key] = entry
    return fresh


def write_cache(path: Path, entries: Mapping[str, Mapping[str, object]]) -> None:
    """Write the cache atomically: a temporary file in the same folder, renamed over the old one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".links-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump({"version": CACHE_VERSION, "links": dict(sorted(entries.items()))}, out, ensure_ascii=False, indent=0)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def check_urls(urls: Iterable[str], options: LinkOptions, progress: Callable[[int, int], None] | None = None) -> Report:
    """Check every URL (skipped ones and fresh cache entries without a request) and keep the cache."""
    now = time.time()
    cached = read_cache(options.cache, now, options.cache_ttl)
    outcomes: dict[str, Outcome] = {}
    to_check: dict[str, list[str]] = {}  # what is requested (a URL without its fragment, unless anchors are checked): the URLs it answers for
    for url in dict.fromkeys(urls):
        key = _cache_key(url, options)
        if is_skipped(url, options):
            outcomes[url] = Outcome(url, Status.SKIPPED, "skipped by the configuration")
        elif key in cached:
            outcomes[url] = Outcome(url, Status.OK, "", None, "", from_cache=True)
        else:
            to_check.setdefault(key, []).append(url)
    checker = LinkChecker(options, progress)
    answers: dict[str, Outcome] = {}
    if to_check:
        answers = run_apart(checker.check_all(list(to_check)))
        for key, same in to_check.items():
            outcomes.update((url, _for_url(answers[key], url)) for url in same)
    report = Report(outcomes, checker.budget.used)
    if options.cache is not None:
        entries = dict(cached)
        entries.update((key, {"checked": now}) for key in to_check if answers[key].fine)
        try:
            write_cache(options.cache, entries)
        except OSError as error:
            report.cache_problem = f"the cache {options.cache} cannot be written ({error.strerror or error}); the next run checks every link again"
    return report


def _for_url(outcome: Outcome, url: str) -> Outcome:
    """The outcome of a request for a URL written with another fragment (anchors not checked)."""
    if outcome.url == url:
        return outcome
    fragment = urldefrag(url)[1]
    new_url = outcome.new_url and urldefrag(outcome.new_url)[0] + (f"#{fragment}" if fragment else "")
    detail = f"moved permanently to {new_url}" if outcome.status is Status.REDIRECT else outcome.detail
    return replace(outcome, url=url, new_url=new_url, detail=detail)
