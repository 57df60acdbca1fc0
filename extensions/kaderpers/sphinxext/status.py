"""What a record page says about itself under its title: its version, and whether it changed.

* ``version`` and ``version_date`` in the front matter show as "Versie 2.6 · 12 maart 2026".
* In a build with ``--compare-to``, a page added, changed or renamed since that version
  gets a "Nieuw", "Gewijzigd" or "Hernoemd" marker (changed and renamed: both); on the
  site each links to the page's entry on the *Wijzigingen* page
  (:mod:`kaderpers.sphinxext.changes`).

A post-transform, so the saved doctrees stay free of both and every builder gets them:
on the site per page, in a PDF per page of the assembled book.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.i18n import format_date

from ..core.diff import Change
from .builders import builder_of, writes_html
from .changes import CHANGES_PAGE, MARKER_TEXTS, anchor, marker
from .domain import kader_domain

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

    from ..core.model import Page

VERSION_TEXT = "Versie {version}"
DATE_TEXT = "{date}"
VERSION_CLASS = "kp-record-version"


def version_line(page: Page, language: str) -> nodes.paragraph | None:
    version, written = page.text("version"), page.text("version_date")
    if not version and not written:
        return None
    parts = []
    if version:
        parts.append(VERSION_TEXT.format(version=version))
    if written:
        try:
            parts.append(format_date("%d %B %Y", date=date.fromisoformat(written), language=language).lstrip("0"))
        except ValueError:
            parts.append(written)  # not an ISO date: shown as the editor wrote it
    text = " · ".join(parts)
    return nodes.paragraph(text, text, classes=[VERSION_CLASS])


def page_sections(document: nodes.document, env: BuildEnvironment) -> list[tuple[str, nodes.section]]:
    """(docname, section) of each page: one on the site, every page of a PDF book."""
    starts = list(document.findall(addnodes.start_of_file))
    if starts:
        found = [(start["docname"], start.next_node(nodes.section)) for start in starts]
    else:
        found = [(env.docname, document.next_node(nodes.section))]
    return [(docname, section) for docname, section in found if section is not None]


class RecordStatus(SphinxPostTransform):
    """Version line and change marker under the title of each record page."""

    default_priority = 400

    def run(self, **kwargs: Any) -> None:
        domain = kader_domain(self.env)
        index = domain.index()
        diff = domain.changes
        is_html = writes_html(self.env)
        for docname, section in page_sections(self.document, self.env):
            page = index.pages.get(docname)
            if page is None or not page.is_record:
                continue
            added: list[nodes.Node] = []
            if diff is not None:
                shown = marker(diff.of(docname), self.marker_link(docname, diff) if is_html else None)
                if shown is not None:
                    added.append(shown)
            line = version_line(page, self.config.language or "nl")
            if line is not None:
                added.append(line)
            if added:
                position = 1 if section.children and isinstance(section[0], nodes.title) else 0
                section[position:position] = added

    def marker_link(self, docname: str, diff: Any):  # noqa: ANN201 - a callback for marker()
        def link(change: Change) -> nodes.Node:
            item = next(d for d in getattr(diff, change.value) if d.new is not None and d.new.docname == docname)
            uri = builder_of(self.env).get_relative_uri(docname, CHANGES_PAGE) + "#" + anchor(item, change)
            text = f"{MARKER_TEXTS[change]} sinds de vorige versie"
            return nodes.reference(text, text, refuri=uri, classes=["kp-changed", f"kp-changed-{change.value}"])

        return link


def setup(app: Sphinx) -> None:
    """The version line and change marker under the title of each record page."""
    app.add_post_transform(RecordStatus)
