"""One release of a site of several releases (``kaderpers build --versions``): the switcher, the banner, the id page.

With ``kaderpers_release_name`` set, every page gets a version switcher in its header
(``kaderpers-version-switcher.html``) and ``kaderpers-versions.js``, which reads the list of
releases (``versions.json`` in the folder above the release, or ``versions.js`` from
``file://``), keeps the reader on the same page when switching (by record id, then path;
otherwise the release's home page with a notice), and shows a banner on an older release
linking to the same page in the newest. The pages of a release do not name the release
(the script finds it in the address), so an unchanged page is the same file in every
release and is stored once.

``_static/kaderpers-records.js`` holds the release's record ids and pages, and ``id/``
resolves a record id (``id/#urn:nl:ak:mtr:owp-14``) to its page: a static page that lists
every id with a link, and a script that follows the one in the address.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes

from ..sphinxext.config import get_config
from ..sphinxext.domain import kader
from ..sphinxext.tables import DocLinks

if TYPE_CHECKING:
    from sphinx.application import Sphinx

SCRIPT = "kaderpers-versions.js"
STYLESHEET = "kaderpers-versions.css"
RECORDS_SCRIPT = "kaderpers-records.js"
SWITCHER_TEMPLATE = "kaderpers-version-switcher.html"
ID_PAGE = "id/index"
ID_TITLE = "Record op id"


def is_release(app: Sphinx) -> bool:
    return bool(get_config(app).release_name)


def records_document(app: Sphinx) -> dict[str, Any]:
    """The release's pages (target URIs) and its record ids with their page."""
    builder = app.builder
    index = kader(app.env)
    ids = {page.record_id: builder.get_target_uri(page.docname) for page in index.pages.values() if page.record_id}
    return {"ids": dict(sorted(ids.items())), "pages": sorted(builder.get_target_uri(docname) for docname in app.env.found_docs)}


def id_section(app: Sphinx) -> nodes.section:
    """Every record id of the release with a link to its page; the script follows the id in the address."""
    section = nodes.section(ids=["record-op-id"], classes=["kp-id-lookup"])
    section += nodes.title(ID_TITLE, ID_TITLE)
    text = "Elk record van deze versie op zijn id. Een adres als id/#urn:nl:ak:mtr:owp-14 leidt naar het record zelf."
    section += nodes.paragraph(text, text)
    links = DocLinks(ID_PAGE, app.builder)
    listing = nodes.bullet_list(classes=["kp-id-list"])
    index = kader(app.env)
    for page in sorted((page for page in index.pages.values() if page.record_id), key=lambda page: page.record_id):
        item = nodes.paragraph()
        item += nodes.literal(page.record_id, page.record_id, classes=["kp-record-id"])
        item += nodes.Text(" ")
        item += links.to(page.docname, page.title)
        listing += nodes.list_item("", item)
    section += listing
    return section


def id_page(app: Sphinx) -> str:
    return app.builder.render_partial(id_section(app))["fragment"]


def on_builder_inited(app: Sphinx) -> None:
    if is_release(app) and app.builder.format == "html":
        app.add_js_file(SCRIPT, loading_method="defer")
        app.add_css_file(STYLESHEET)


def on_html_page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    if not is_release(app):
        return
    navbar = list(context.get("theme_navbar_end") or [])
    if SWITCHER_TEMPLATE not in navbar:
        context["theme_navbar_end"] = [*navbar, SWITCHER_TEMPLATE]


def on_build_finished(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.format != "html" or not is_release(app):
        return
    document = json.dumps(records_document(app), ensure_ascii=False, sort_keys=True)
    # A script, not JSON: a page opened from file:// can load a script but not fetch a file.
    script = f"window.kaderpersRecords = window.kaderpersRecords || {{}};\nwindow.kaderpersRecords[document.currentScript.src.split('?')[0]] = {document};\n"
    Path(app.builder.outdir, "_static", RECORDS_SCRIPT).write_text(script, encoding="utf-8")


def setup(app: Sphinx) -> None:
    """Connect the switcher, the id page data and the scripts of a release build."""
    app.connect("builder-inited", on_builder_inited)
    app.connect("html-page-context", on_html_page_context)
    app.connect("build-finished", on_build_finished)
