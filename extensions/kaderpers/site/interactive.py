"""The HTML filter layer of the kader tables: search, multi-selects, count, sorting, AI-verordening profile.

Plain JavaScript and CSS served by the site itself (``source/static``, shipped
as the package's static files by kaderpers.sphinxext.defaults), loaded
from files only (no inline scripts or event handlers), so the site runs under a
strict Content-Security-Policy. The script is added only to pages that have an
interactive table; without it every table is still complete and readable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docutils import nodes

if TYPE_CHECKING:
    from sphinx.application import Sphinx

SCRIPT = "kader-tables.js"
#: The AI-verordening profile test, shared with Mijn checklist; loaded before SCRIPT.
PROFILE_SCRIPT = "kaderpers-profile.js"
#: The DOM helpers every page script uses; loaded before all of them.
DOM_SCRIPT = "kaderpers-dom.js"
STYLESHEET = "kader-tables.css"
#: Container classes (set by kaderpers.sphinxext.tables) that the script acts on.
INTERACTIVE_CLASSES = frozenset({"kp-search", "kp-export"})


def has_interactive_table(doctree: nodes.document | None) -> bool:
    if doctree is None:
        return False
    return any(INTERACTIVE_CLASSES & set(node["classes"]) for node in doctree.findall(nodes.container) if "kp-list" in node["classes"])


def add_page_scripts(app: Sphinx, *scripts: str) -> None:
    """Load ``scripts`` (after the shared DOM helpers) on the page being written, and only there.

    The builder's list is this page's (reset for every page). Sphinx's own add_js_file
    also keeps the file for every page of the next build of the same application.
    """
    for script in (DOM_SCRIPT, *scripts):
        app.builder.add_js_file(script, priority=500, defer="defer")


def on_html_page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None) -> None:
    if has_interactive_table(doctree):
        add_page_scripts(app, PROFILE_SCRIPT, SCRIPT)


def setup(app: Sphinx) -> None:
    """The stylesheet and page context of the interactive table filters."""
    app.add_css_file(STYLESHEET)
    app.connect("html-page-context", on_html_page_context)
