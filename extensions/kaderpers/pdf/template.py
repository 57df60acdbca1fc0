"""The rinohtype document template of the kader PDFs.

A cover (logo, title, version, date), a table of contents and the contents,
every part starting on the next page, left or right (the book template's
right-hand starts leave blank pages). Running headers carry the short titles
of the first two section levels. The template also writes what rinohtype
leaves out: the document language (``/Lang``), bookmarks shown on opening, and
progress lines a watchdog can read.

Where the template needs rinohtype's private document methods changed (one
layout pass, no style log, the language), the replacements are functions
below, installed by :mod:`kaderpers.pdf.compat` for the rinohtype versions they
were written for.
"""

from __future__ import annotations

import sys
import time
from collections import deque

from rinoh.attribute import OverrideDefault
from rinoh.backend.pdf import cos
from rinoh.dimension import CM, PT
from rinoh.document import PartPageCount
from rinoh.language import NL
from rinoh.reference import DOCUMENT_TITLE, PAGE_NUMBER, SECTION_TITLE, Field
from rinoh.structure import Footer, Header, TableOfContentsSection
from rinoh.style import StyleLog
from rinoh.template import (
    BodyPageTemplate,
    ContentsPartTemplate,
    DocumentTemplate,
    FixedDocumentPartTemplate,
    TitlePageTemplate,
    TitlePartTemplate,
)
from rinoh.text import Tab

from .. import bundled
from . import tagging

STYLESHEET = bundled.pdf_stylesheet()
LOGO = bundled.pdf_logo()

#: The text of a progress line: ``<target>: page <n> <docname>``; the orchestrator parses it.
PROGRESS = "kaderpers-pdf: {target}: pass {rendering}, page {page}, {seconds:.0f} s ({docname})"


class KaderTemplate(DocumentTemplate):
    """Cover, contents, body; no forced right-hand pages, no chapter title pages."""

    #: True while kaderpers.pdf.compat has the tagging patches installed.
    tagged = False

    language = OverrideDefault(NL)
    parts = OverrideDefault(["title", "front_matter", "contents"])

    title = TitlePartTemplate(page_number_format="lowercase roman", end_at_page="any")
    front_matter = FixedDocumentPartTemplate(flowables=[TableOfContentsSection()], page_number_format="continue", end_at_page="any")
    contents = ContentsPartTemplate(page_number_format="number", end_at_page="any")

    page = BodyPageTemplate(
        left_margin=2.2 * CM,
        right_margin=2.2 * CM,
        top_margin=2.4 * CM,
        bottom_margin=2.2 * CM,
        header_footer_distance=12 * PT,
    )
    title_page = TitlePageTemplate(base="page", top_margin=4 * CM)

    front_matter_page = BodyPageTemplate(base="page", header_text=Field(DOCUMENT_TITLE), footer_text=Tab() + Field(PAGE_NUMBER))
    front_matter_right_page = BodyPageTemplate(base="front_matter_page")
    front_matter_left_page = BodyPageTemplate(base="front_matter_page")

    contents_page = BodyPageTemplate(base="page")
    # Running headers: the document and the part (level 1: a short title such as
    # "Vereisten"); record titles are whole sentences and would not fit.
    contents_right_page = BodyPageTemplate(
        base="contents_page",
        header_text=Field(DOCUMENT_TITLE) + Tab() + Field(SECTION_TITLE(1)),
        footer_text=Tab() + Field(PAGE_NUMBER),
    )
    contents_left_page = BodyPageTemplate(
        base="contents_page",
        header_text=Field(SECTION_TITLE(1)) + Tab() + Field(DOCUMENT_TITLE),
        footer_text=Field(PAGE_NUMBER),
    )

    #: Set per document by the builder: the target name and where to report progress.
    progress_target = "?"
    progress_stream = sys.stderr

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # rinohtype's page-reference cache (a file beside the PDF) is of no use to a build from scratch.
        self._no_cache = True
        self._rendering = 0
        self._last_page = None
        self._last_report = 0.0
        self._started = time.monotonic()
        #: The page being laid out and the last flowable placed, read by the watchdog.
        self.position: tuple[int, object] = (0, None)
        #: Builds the structure tree while laying out (None unless :attr:`tagged`).
        self.tagger = tagging.Tagger(self) if self.tagged else None

    # rinohtype calls this after placing each flowable; its own progress bar
    # stalls on long chapters, so report new pages with the page they come from.
    def progress(self, flowable, container):
        if isinstance(flowable, (Header, Footer)) or (flowable.parent is None and flowable.source is None):
            return  # page furniture, placed on every page: it says nothing about where the layout is
        page = container.page.number
        self.position = (page, flowable)
        if page == self._last_page:
            return
        self._last_page = page
        now = time.monotonic()
        if now - self._last_report < 1.0:
            return
        self._last_report = now
        print(
            PROGRESS.format(
                target=self.progress_target,
                page=page,
                rendering=self._rendering,
                seconds=now - self._started,
                docname=self.where()[1],
            ),  # fmt: skip
            file=self.progress_stream,
            flush=True,
        )

    def where(self) -> tuple[int, str]:
        """The page being laid out and the page of the kader its last placed flowable comes from."""
        page, flowable = self.position
        return page, _docname_of(flowable)


class _NoStyleLog:
    def log_styled(self, *args, **kwargs):
        pass

    def write_log(self, *args, **kwargs):
        pass


_NO_STYLE_LOG = _NoStyleLog()

# -- rinohtype's private document methods, as the kader needs them (installed by kaderpers.pdf.compat) --


def single_pass_render_pages(self):
    """One layout pass (``Document._render_pages``), the contents before the cover and the table of contents.

    rinohtype lays out a document at least twice: the first pass finds the
    page of every section, the second prints those numbers in the table of
    contents. The contents are numbered from 1 whatever precedes them, so
    they are laid out first; the table of contents then already knows every
    page number, and the pages are put in reading order when written.
    """
    self._single_pass = True
    self.style_log = StyleLog(self.stylesheet)  # as rinohtype's own; kept by no_style_log only when that is installed
    self._rendering += 1
    self._last_page = None
    self.floats = set()
    self.sideways_floats = deque()
    self.registered_sideways_floats = set()
    self.placed_footnotes = set()
    self._start_time = time.time()
    counts = {}
    first = [t for t in self.part_templates if t.name == "contents"]
    rest = [t for t in self.part_templates if t.name != "contents"]
    pages = self.backend_document.pages
    contents_pages = 0
    for group in (first, rest):
        count = PartPageCount()
        last_number_format = None
        for part_template in group:
            part = part_template.document_part(self, last_number_format)
            if part is None:
                continue
            if part.get_config_value("page_number_format", self) != "continue":
                count = PartPageCount()
            before = len(pages)
            count += part.render(count.count + 1)
            counts[part_template.name] = count
            last_number_format = part.page_number_format
            if group is first:
                contents_pages += len(pages) - before
    _reading_order(self, contents_pages)
    return counts


def _reading_order(self, contents_pages: int) -> None:
    """Move the contents' pages, laid out first, behind the cover and contents table."""
    pages = self.backend_document.pages
    kids = self.backend_document.cos_document.catalog["Pages"]["Kids"]
    pages[:] = pages[contents_pages:] + pages[:contents_pages]
    kids[:] = kids[contents_pages:] + kids[:contents_pages]


#: rinohtype logs every styled element of every page (for a .stylelog file beside
#: the PDF): hundreds of megabytes on a long document. Keep no log.
no_style_log = property(lambda self: _NO_STYLE_LOG, lambda self, value: None)


def lang_and_open_outlines(create_outlines):
    """``Document._create_outlines`` that also writes the document language (``/Lang``) and opens the bookmarks."""

    def create(self, backend_document):
        create_outlines(self, backend_document)
        catalog = backend_document.cos_document.catalog
        catalog["Lang"] = cos.String(self.language.code)
        catalog["PageMode"] = cos.Name("UseOutlines")
        if self.tagger is not None:  # the pages are final: the structure tree is written (kaderpers.pdf.tagging)
            metadata = self.metadata
            self.tagger.finish(
                backend_document, str(metadata.get("title", "")), self.language.code,
                _plain(metadata.get("author")), _plain(metadata.get("subtitle")),
            )  # fmt: skip

    return create


def _plain(value) -> str | None:
    """Metadata as text (rinohtype keeps some as styled text)."""
    if value is None:
        return None
    return value.to_string(None) if hasattr(value, "to_string") else str(value)


def _docname_of(flowable) -> str:
    """The kader page a rinohtype flowable comes from, for progress and hang reports."""
    while flowable is not None and getattr(getattr(flowable, "source", None), "node", None) is None:
        flowable = getattr(flowable, "parent", None)
    node = flowable.source.node if flowable is not None else None
    while node is not None:
        docname = node.get("docname") if hasattr(node, "get") else None
        if docname:
            return docname
        node = node.parent
    return "?"


def configuration() -> KaderTemplate.Configuration:
    """The template configured with the style sheet, read now rather than when the module is imported."""
    from rinoh.style import StyleSheetFile

    return KaderTemplate.Configuration("kaderpers", stylesheet=StyleSheetFile(STYLESHEET))
