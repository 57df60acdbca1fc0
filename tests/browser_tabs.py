"""The tabs browser tests read pages in: one context per worker, and one tab handed from test to test.

Opening a tab costs Chromium about 0.5 CPU-s more than navigating one that is open (a renderer
process and its first page), and the suite's browser tests open about 80. So a test's tab is kept
for the next test, unless the test changed something a navigation does not undo.

What a test leaves behind is undone before the next one gets the tab: it is sent to ``about:blank``,
everything stored through it is cleared for each origin it visited (cookies, local and session
storage, IndexedDB, service workers: CDP ``Storage.clearDataForOrigin``), and its history is reset
(CDP ``Page.resetNavigationHistory``). What a navigation cannot undo (routes, listeners, emulated
media, init scripts, timeouts: :data:`TAB_STATE_METHODS`) marks the tab, and a marked tab is closed:
the next test gets a new one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Page

#: The ``Page`` methods whose effect outlives a navigation; a tab that called one is not handed on.
TAB_STATE_METHODS = (
    "add_init_script",
    "add_locator_handler",
    "emulate_media",
    "expose_binding",
    "expose_function",
    "on",
    "once",
    "route",
    "route_from_har",
    "route_web_socket",
    "set_default_navigation_timeout",
    "set_default_timeout",
    "set_extra_http_headers",
    "set_viewport_size",
)


def _origin(url: str) -> str | None:
    """The origin whose storage a page at ``url`` may use; None for pages that have none (about:, data:, blob:, error pages)."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        return "file://"
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else None


def _marking(method: Callable[..., object]) -> Callable[..., object]:
    @functools.wraps(method)
    def marked(self: TestTab, *args: object, **kwargs: object) -> object:
        self.keeps_state = True
        return method(self, *args, **kwargs)

    return marked


class TestTab(Page):
    """A Playwright ``Page`` that notes the calls whose effect outlives a navigation (``keeps_state``),
    and the origins it visited (``origins``)."""

    __test__ = False  # not a test class, though its name starts with "Test"
    keeps_state: bool
    origins: set[str]

    @property
    def clock(self):  # noqa: ANN201
        self.keeps_state = True  # a clock once installed stays
        return Page.clock.fget(self)  # type: ignore[attr-defined]


for _name in TAB_STATE_METHODS:
    if hasattr(Page, _name):  # route_web_socket is newer than the oldest Playwright pyproject.toml allows
        setattr(TestTab, _name, _marking(getattr(Page, _name)))


class Tabs:
    """The tabs of one context: :meth:`fresh` hands out a tab as a new reader's would be."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.spare: TestTab | None = None
        #: Tabs opened, for the test that checks a tab is handed on.
        self.opened = 0

    def _open(self) -> TestTab:
        tab = self.context.new_page()
        tab.origins = set()
        # Registered as a plain Page, so these listeners do not mark the tab.
        tab.on("request", lambda request: tab.origins.add(_origin(request.url)))
        tab.on("framenavigated", lambda frame: tab.origins.add(_origin(frame.url)))
        tab.__class__ = TestTab
        self.opened += 1
        return tab  # type: ignore[return-value]

    @contextmanager
    def fresh(self) -> Iterator[TestTab]:
        """A tab with nothing stored, no history and no state of an earlier test."""
        tab, self.spare = self.spare or self._open(), None
        tab.keeps_state = False
        tab.origins.clear()
        try:
            yield tab
        finally:
            self._clean(tab)

    def _clean(self, tab: TestTab) -> None:
        origins = sorted(tab.origins - {None})
        if tab.is_closed():  # the test closed it: clear through another tab
            tab = self._open()
            tab.keeps_state = True
        else:
            tab.goto("about:blank")  # no script of the test's page runs on while its storage is cleared
        session = self.context.new_cdp_session(tab)
        for origin in origins:
            session.send("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"})
        if not tab.keeps_state:
            session.send("Page.resetNavigationHistory")
        session.detach()
        if tab.keeps_state:
            tab.close()
        else:
            self.spare = tab
