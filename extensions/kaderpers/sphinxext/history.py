"""A record's history across releases, and how to cite it, under its title.

In the build of one release of a versioned site (``kaderpers build --versions``) two
settings are set: ``kaderpers_release_name``, the release this build is, and
``kaderpers_history_file``, a JSON file (written by :mod:`kaderpers.cli.versions`) with
every page's history up to this release::

    {"oldest": "v2.3.0",
     "pages": {"docname": [{"release": "v2.4.1", "slug": "v2.4.1",
                            "changes": ["changed"], "anchors": {"changed": "changed-..."}}]}}

Under a record's title this adds "Al in v2.3.0 · gewijzigd in v2.4.1, v2.5.0" (or "Nieuw in
v2.4.1 · ..."), each release a link to the page's entry on that release's *Wijzigingen* page
on the site (plain text in print), and a "Citeer" line with the release, the record's id,
its title and, with ``html_baseurl``, its address. ``kader.json`` carries the same history.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from .builders import builder_of, writes_html
from .changes import CHANGES_PAGE
from .compat import application
from .config import get_config
from .domain import kader_domain
from .status import page_sections

if TYPE_CHECKING:
    from sphinx.application import Sphinx

    from ..core.model import Page

logger = logging.getLogger(__name__)

HISTORY_CLASS = "kp-record-history"
CITATION_CLASS = "kp-record-citation"
#: How each change reads in the history line, in the order they are listed.
CHANGE_TEXTS = {"added": "nieuw in", "changed": "gewijzigd in", "renamed": "hernoemd in"}


@functools.lru_cache(maxsize=4)
def _read(path: str, modified: float) -> dict[str, Any]:
    return json.loads(Path(path).read_text("utf-8"))


def history_data(app: Sphinx) -> dict[str, Any] | None:
    """The history file of this build, or None outside a versioned build (or when it cannot be read)."""
    path = get_config(app).history_file
    if path is None:
        return None
    try:
        return _read(str(path), path.stat().st_mtime)
    except (OSError, ValueError) as error:
        logger.warning("cannot read the release history %s: %s; records show no history", path, error, type="kaderpers", subtype="config")
        return None


def page_history(app: Sphinx, docname: str) -> list[dict[str, Any]]:
    data = history_data(app)
    return list(data.get("pages", {}).get(docname, [])) if data else []


def history_summary(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The history as ``kader.json`` carries it: release and changes of each entry."""
    return [{"release": entry["release"], "changes": list(entry["changes"])} for entry in entries]


def history_line(entries: list[dict[str, Any]], oldest: str, link) -> nodes.paragraph | None:  # noqa: ANN001
    """ "Nieuw in v2 · gewijzigd in v3, v4": each release made by ``link(entry, change)``."""
    if not entries and not oldest:
        return None
    paragraph = nodes.paragraph(classes=[HISTORY_CLASS])
    parts: list[tuple[str, list[nodes.Node]]] = []
    if not entries or "added" not in entries[0]["changes"]:
        parts.append(("al in", [nodes.Text(oldest)]))
    for change, text in CHANGE_TEXTS.items():
        releases = [link(entry, change) for entry in entries if change in entry["changes"]]
        if releases:
            parts.append((text, releases))
    for position, (text, releases) in enumerate(parts):
        lead = text[0].upper() + text[1:] if position == 0 else text
        paragraph += nodes.Text(("" if position == 0 else " · ") + lead + " ")
        for number, release in enumerate(releases):
            if number:
                paragraph += nodes.Text(", ")
            paragraph += release
    return paragraph


def citation_line(page: Page, release: str, publication: str, url: str) -> nodes.paragraph:
    """ "Citeer: Algoritmekader v2.5.1, maatregel urn:nl:ak:mtr:owp-14, “Titel”, URL"."""
    text = f"{publication} {release}, {page.kind.value} {page.record_id or page.stem}, “{page.title}”"
    paragraph = nodes.paragraph(classes=[CITATION_CLASS])
    paragraph += nodes.strong("Citeer:", "Citeer:")
    paragraph += nodes.Text(" " + text)
    if url:
        paragraph += nodes.Text(", ")
        paragraph += nodes.reference(url, url, refuri=url)
    return paragraph


class RecordHistory(SphinxPostTransform):
    """History and citation under the title of each record page, after its version line."""

    default_priority = 401  # after kaderpers.sphinxext.status.RecordStatus

    def run(self, **kwargs: Any) -> None:
        app = application(self.env)
        settings = get_config(app)
        if not settings.release_name:
            return
        data = history_data(app) or {}
        index = kader_domain(self.env).index()
        is_html = writes_html(self.env)
        for docname, section in page_sections(self.document, self.env):
            page = index.pages.get(docname)
            if page is None or not page.is_record:
                continue
            entries = list(data.get("pages", {}).get(docname, []))
            added: list[nodes.Node] = []
            line = history_line(entries, data.get("oldest", ""), self.release_link(docname) if is_html else _plain)
            if line is not None:
                added.append(line)
            added.append(citation_line(page, settings.release_name, settings.edition_title, self.address(docname)))
            position = 1 if section.children and isinstance(section[0], nodes.title) else 0
            while position < len(section.children) and _is_status(section[position]):
                position += 1
            section[position:position] = added

    def release_link(self, docname: str):  # noqa: ANN201 - a callback for history_line()
        builder = builder_of(self.env)
        # From this page to the folder that holds every release: this release's root, then one up.
        root = builder.get_relative_uri(docname, "index").removesuffix("index.html") + "../"
        target = builder.get_target_uri(CHANGES_PAGE)

        def link(entry: dict[str, Any], change: str) -> nodes.Node:
            uri = f"{root}{entry['slug']}/{target}#{entry.get('anchors', {}).get(change, '')}".rstrip("#")
            return nodes.reference(entry["release"], entry["release"], refuri=uri)

        return link

    def address(self, docname: str) -> str:
        base = self.config.html_baseurl
        return f"{base.rstrip('/')}/{builder_of(self.env).get_target_uri(docname)}" if base else ""


def _plain(entry: dict[str, Any], change: str) -> nodes.Node:
    return nodes.Text(entry["release"])


def _is_status(node: nodes.Node) -> bool:
    classes = node.get("classes", []) if isinstance(node, nodes.Element) else []
    return isinstance(node, nodes.paragraph) and any(name in classes for name in ("kp-record-version", "kp-changed-marker"))


def setup(app: Sphinx) -> None:
    """Register the post-transform that writes history and citation."""
    app.add_post_transform(RecordHistory)
