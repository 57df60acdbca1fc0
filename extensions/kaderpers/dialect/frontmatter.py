"""The front matter, as MkDocs-Material uses it for the page itself.

The collector has already read the front matter (python-frontmatter, with the
checker's findings), so MyST need not read it again: its lines become blank,
which keeps every body line where it was. A page without an H1 gets its
``title`` as H1 on the front matter's last line, the way Material shows it.
``search: {exclude: true}`` keeps the page out of the search index, and
``hide`` takes parts of the page away (:func:`hidden_parts`; the HTML site acts on it).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from docutils import nodes

from ..sphinxext.domain import pages

if TYPE_CHECKING:
    from sphinx.application import Sphinx

    from ..core.model import Page

_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]<>()#+!|~$])")


def heading_line(title: str) -> str:
    """``title`` as an H1 whose text reads exactly as written."""
    return "# " + _MARKDOWN_PUNCTUATION.sub(r"\\\1", " ".join(title.split()))


def apply(lines: list[str], page: Page | None) -> list[str]:
    if page is None or page.body_line <= 1 or not lines or not lines[0].startswith("---"):
        return lines
    region = min(page.body_line - 1, len(lines))
    replaced = [""] * region
    title = page.meta.get("title")
    if page.heading is None and isinstance(title, str) and title.strip():
        replaced[-1] = heading_line(title)
    return replaced + lines[region:]


#: What Material's ``hide`` can take away from a page: the navigation sidebar, the page's
#: table of contents, the breadcrumbs ("path") and the previous/next links ("footer").
HIDEABLE = frozenset({"navigation", "toc", "path", "footer", "tags", "feedback"})


def hidden_parts(page: Page | None) -> frozenset[str]:
    """The parts of the page its ``hide`` front matter names (``hide: navigation`` or a list)."""
    return frozenset(page.values("hide")) & HIDEABLE if page is not None else frozenset()


def excluded_from_search(page: Page | None) -> bool:
    search = page.meta.get("search") if page is not None else None
    return isinstance(search, dict) and search.get("exclude") is True


def on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    docname = app.env.docname
    if excluded_from_search(pages(app.env).get(docname)):
        app.env.metadata[docname]["nosearch"] = ""  # Sphinx indexes such a page without its words


def setup(app: Sphinx) -> None:
    """Register the handler that keeps pages with ``search: exclude: true`` out of the search index."""
    app.connect("doctree-read", on_doctree_read)
