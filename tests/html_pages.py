"""Built HTML pages, parsed once per test session.

Several tests read the same pages of a built site (content/ and the real tree are built once
per session, conftest ``content_site`` and ``upstream_site``); each page is parsed the first time a
test asks for it and the parse is kept under its path, size and modification time, so a page that
is written again is parsed again. Building a BeautifulSoup tree costs about 20 ms a page of the real
kader whatever the parser (lxml's is a little faster than ``html.parser``); lxml's own element tree
(``page_tree``) costs a thirtieth of that, for tests that read a few elements of every page.

The parsed pages are shared: a test must not change them (``decompose``, ``extract``, assigning
attributes). A test that needs a changed tree parses the page itself, or copies the part it changes.
"""

from __future__ import annotations

import functools
from pathlib import Path

import lxml.html
from bs4 import BeautifulSoup


@functools.cache
def _parsed(path: str, size: int, mtime_ns: int) -> BeautifulSoup:  # noqa: ARG001 - size and mtime are the cache key
    with open(path, "rb") as handle:
        return BeautifulSoup(handle.read(), "lxml", from_encoding="utf-8")


def page_soup(path: Path) -> BeautifulSoup:
    """The page at ``path``, parsed with lxml; shared with every other test that reads it (do not change it)."""
    stat = path.stat()
    return _parsed(str(path), stat.st_size, stat.st_mtime_ns)


@functools.cache
def _element_tree(path: str, size: int, mtime_ns: int) -> lxml.html.HtmlElement:  # noqa: ARG001 - size and mtime are the cache key
    with open(path, "rb") as handle:
        return lxml.html.document_fromstring(handle.read(), parser=lxml.html.HTMLParser(encoding="utf-8"))


def page_tree(path: Path) -> lxml.html.HtmlElement:
    """The page at ``path`` as lxml's element tree (``<html>``), for tests that read a few elements of
    many pages with XPath (thirty times faster than a BeautifulSoup tree); shared, do not change it."""
    stat = path.stat()
    return _element_tree(str(path), stat.st_size, stat.st_mtime_ns)


def site_pages(site: Path) -> list[Path]:
    """The HTML pages of a built site in path order, without the static folders (``_static``, ``_images``, …)."""
    return sorted(path for path in site.rglob("*.html") if not path.relative_to(site).parts[0].startswith("_"))
