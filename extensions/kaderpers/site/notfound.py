"""The site's own "page not found" page, ``404.html``, for a web server to answer unknown addresses with.

A server sends it for a missing address at any depth (``/a/b/weg``), so links
relative to the page itself would point nowhere: the page carries a ``<base>`` of
the site's root (the path of ``html_baseurl``, else ``/``), and its policy allows
that one base of the site itself. ``deploy/nginx.conf`` serves it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .html import content_security_policy

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx

PAGENAME = "404"
TEMPLATE = "kaderpers-404.html"
TITLE = "Pagina niet gevonden"


def site_root(app: Sphinx) -> str:
    path = urlsplit(app.config.html_baseurl).path or "/"
    return path if path.endswith("/") else path + "/"


def collect_pages(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    if PAGENAME not in app.env.found_docs:  # a tree's own 404 page wins
        yield PAGENAME, {"title": TITLE}, TEMPLATE


def on_html_page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None) -> None:
    """After kaderpers.site.html's handler, which sets every page's policy."""
    if pagename == PAGENAME and templatename == TEMPLATE:
        context["kaderpers_base_href"] = site_root(app)
        context["kaderpers_csp"] = content_security_policy(base_uri="'self'")


def setup(app: Sphinx) -> None:
    """The 404 page and its context."""
    app.connect("html-collect-pages", collect_pages)
    app.connect("html-page-context", on_html_page_context, priority=450)
