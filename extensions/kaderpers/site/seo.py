"""What search engines read: a description and Open Graph tags on every page, ``sitemap.xml``, ``robots.txt``.

* Every page gets its own ``<meta name="description">`` (and ``og:description``): a record's
  ``toelichting``, else the page's first paragraph, cut at about 160 characters on a word
  boundary; and ``og:title``, ``og:type``, ``og:site_name``. The values are made here and
  written by ``source/templates/kaderpers-seo.html``.
* With ``html_baseurl`` set, Sphinx gives every page its ``<link rel="canonical">``; this
  module adds ``og:url`` and writes ``sitemap.xml`` (every published page, its ``lastmod``
  the last commit of its source when the tree is in git, else the file's modification
  time) and ``robots.txt`` pointing to it. Without ``html_baseurl`` there is no absolute
  address to give, so both are left out with one notice naming the setting.

The sitemap is written after every build from the whole environment (not from the pages
this build happened to write), so an incremental build lists the same pages as a clean one.
sphinx-sitemap was not used: its ``lastmod`` needs a second extension,
sphinx-last-updated-by-git, which reads git only, with no modification time to fall back on.
"""

from __future__ import annotations

import functools
import html
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from docutils import nodes
from markdown_it import MarkdownIt
from markupsafe import Markup
from sphinx.locale import _
from sphinx.util import logging

from ..sphinxext.domain import kader_domain, pages
from ..sphinxext.status import VERSION_CLASS
from . import notfound

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)

SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
SITEMAP_NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
#: The builders that write a site of pages (not singlehtml, epub, ...).
SITE_BUILDERS = ("html", "dirhtml")
#: About what search engines show of a description.
DESCRIPTION_LENGTH = 160
#: Pages that are no content: they are not listed in the sitemap and ask search engines not to index them.
NOT_LISTED = frozenset({notfound.PAGENAME, "search", "genindex"})
#: The titles Sphinx's own templates give its search and index pages (translated when called).
TEMPLATE_TITLES = {"search": "Search", "genindex": "Index"}
#: A paragraph inside one of these is not the page's opening text.
_NOT_OPENING = (nodes.Admonition, nodes.table, nodes.topic, nodes.sidebar, nodes.field_list, nodes.footnote, nodes.citation, nodes.system_message)


def cut(text: str, limit: int = DESCRIPTION_LENGTH) -> str:
    """``text`` on one line, at most ``limit`` characters: cut at the last word boundary before, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    boundary = head.rfind(" ")
    if boundary > limit // 2:
        head = head[:boundary]
    return head.rstrip(" ,;:-–—") + "…"


@functools.cache
def _inline_markdown() -> MarkdownIt:
    return MarkdownIt("commonmark")  # made once: making one costs about as much as reading a toelichting


def markdown_text(source: str) -> str:
    """The words of one line of Markdown (a ``toelichting``), without its markup."""
    tokens = _inline_markdown().parseInline(source)
    return " ".join("".join(child.content for child in token.children or () if child.type in ("text", "code_inline", "softbreak")) for token in tokens)


#: A shorter first paragraph is more likely a label or a link ("Home") than the page's opening text.
OPENING_LENGTH = 40


def first_paragraph(doctree: nodes.document) -> str:
    """The text of the page's first paragraph of body text (not in a note, table or field list, and
    without raw HTML), preferring the first of at least :data:`OPENING_LENGTH` characters."""
    found = ""
    for paragraph in doctree.findall(nodes.paragraph):
        if any(isinstance(parent, _NOT_OPENING) for parent in _ancestors(paragraph)):
            continue
        if VERSION_CLASS in paragraph.get("classes", ()):
            continue  # the version line under a record's title
        text = " ".join(
            "".join(node.astext() for node in paragraph.findall(nodes.Text) if not any(isinstance(parent, nodes.raw) for parent in _ancestors(node))).split()
        )
        if len(text) >= OPENING_LENGTH:
            return text
        found = found or text
    return found


def _ancestors(node: nodes.Node) -> Iterable[nodes.Node]:
    while node.parent is not None:
        node = node.parent
        yield node


class _FirstParagraph(HTMLParser):
    """The text of the first ``<p>`` of a generated page's body (made from docutils nodes already)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p" and not self.done:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "p" and self.depth:
            self.depth -= 1
            self.done = self.done or bool("".join(self.parts).strip())

    def handle_data(self, data: str) -> None:
        if self.depth and not self.done:
            self.parts.append(data)


def body_paragraph(body: str) -> str:
    parser = _FirstParagraph()
    parser.feed(body)
    return "".join(parser.parts).strip()


def description(app: Sphinx, pagename: str, context: dict[str, Any], doctree: nodes.document | None) -> str:
    """The front matter's ``toelichting`` (a record's summary) or ``summary``, else the page's first paragraph."""
    page = pages(app.env).get(pagename)
    summary = markdown_text(page.text("toelichting") or page.text("summary")) if page is not None else ""
    text = summary or (first_paragraph(doctree) if doctree is not None else body_paragraph(str(context.get("body") or "")))
    return cut(text or plain_title(context))


def plain_title(context: dict[str, Any]) -> str:
    """The page's title as text; Sphinx's search and index pages name theirs in their templates only."""
    title = context.get("title") or ""
    if not title and (template_title := TEMPLATE_TITLES.get(str(context.get("pagename")))):
        title = _(template_title)
    return html.unescape(Markup(str(title)).striptags())


def on_html_page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None) -> None:
    if pagename not in app.env.found_docs:
        kader_domain(app.env).record_added_page(pagename)
    context["kaderpers_seo"] = {
        "description": description(app, pagename, context, doctree),
        "title": plain_title(context),
        "type": "website" if pagename == app.config.root_doc else "article",
        "url": context.get("pageurl") or "",
        "site_name": str(app.config.project or ""),
        "noindex": pagename in NOT_LISTED,
    }


# --- sitemap.xml and robots.txt -----------------------------------------------------------


def git_last_commits(folder: Path) -> dict[Path, datetime]:
    """Per file under ``folder``, the time of the last commit that changed it, from one ``git log``
    (newest first: the first time a file is named is its last change). Empty outside git."""
    try:
        top = subprocess.run(["git", "-C", str(folder), "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=True).stdout.strip()
        log = subprocess.run(
            ["git", "-C", top, "-c", "core.quotepath=off", "log", "--format=%x01%ct", "--name-only", "--no-renames", "--", str(folder.resolve())],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return {}
    found: dict[Path, datetime] = {}
    when: datetime | None = None
    for line in log.splitlines():
        if line.startswith(_COMMIT_MARK):
            when = datetime.fromtimestamp(int(line[len(_COMMIT_MARK) :]), tz=UTC)
        elif line and when is not None:
            found.setdefault(Path(top, line), when)
    return found


#: Starts the line of a commit in the log (``%x01``: a file name never starts with a control character).
_COMMIT_MARK = "\x01"


def sitemap_pagenames(app: Sphinx) -> list[str]:
    """Every page the site publishes: the tree's pages and the pages the build added (written on every build)."""
    names = set(app.env.found_docs) | kader_domain(app.env).added_pages
    return sorted(names - NOT_LISTED)


def site_url(app: Sphinx) -> str:
    base = app.config.html_baseurl
    return base if base.endswith("/") else base + "/"


def page_url(app: Sphinx, pagename: str) -> str:
    return site_url(app) + quote(app.builder.get_target_uri(pagename))


def lastmod(app: Sphinx, pagename: str, commits: dict[Path, datetime]) -> str | None:
    if pagename not in app.env.found_docs:
        return None  # a page the publication makes: it has no source file of its own
    source = Path(app.env.doc2path(pagename)).resolve()
    when = commits.get(source)
    if when is None:
        try:
            when = datetime.fromtimestamp(source.stat().st_mtime, tz=UTC)
        except OSError:
            return None
    return when.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def sitemap(app: Sphinx) -> ET.ElementTree:
    commits = git_last_commits(Path(app.srcdir))
    urlset = ET.Element("urlset", xmlns=SITEMAP_NAMESPACE)
    for pagename in sitemap_pagenames(app):
        url = ET.SubElement(urlset, "url")
        ET.SubElement(url, "loc").text = page_url(app, pagename)
        if (modified := lastmod(app, pagename, commits)) is not None:
            ET.SubElement(url, "lastmod").text = modified
    ET.indent(urlset)
    return ET.ElementTree(urlset)


def robots(app: Sphinx) -> str:
    return f"User-agent: *\nAllow: /\n\nSitemap: {site_url(app)}{SITEMAP}\n"


def write_sitemap(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.name not in SITE_BUILDERS:
        return
    outdir = Path(app.outdir)
    if not app.config.html_baseurl:
        for name in (SITEMAP, ROBOTS):
            (outdir / name).unlink(missing_ok=True)  # an earlier build with html_baseurl wrote them
        logger.info(
            "no sitemap.xml, robots.txt or canonical links: html_baseurl is not set; set it to the site's "
            "public address, e.g. `kaderpers build -D html_baseurl=https://example.nl/kader/`"
        )
        return
    sitemap(app).write(outdir / SITEMAP, encoding="utf-8", xml_declaration=True)
    (outdir / ROBOTS).write_text(robots(app), encoding="utf-8")


def setup(app: Sphinx) -> None:
    """Add descriptions and Open Graph tags to every page; write the sitemap and robots.txt after a build."""
    app.connect("html-page-context", on_html_page_context, priority=460)  # after notfound's (450)
    app.connect("build-finished", write_sitemap)
