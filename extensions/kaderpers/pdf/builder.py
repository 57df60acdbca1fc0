"""The ``kaderpers-pdf`` builder: rinohtype's Sphinx builder with the kader's own documents.

It reads no documents itself when the HTML build has saved the environment
(``OUT/doctrees``); it assembles each PDF from the saved doctrees:

* the full edition follows the navigation: each page becomes a section, and the
  pages below it in the navigation its subsections (a real hierarchy, not 250
  chapters);
* a handout holds one levenscyclus phase, then its vereisten and maatregelen;
* a role handout holds one rol page, then its vereisten and maatregelen by phase.

References to a page in the same PDF become internal links; references to a
page outside it print as their text (rinohtype raises ``NoUri`` and Sphinx keeps
the text). Which documents a process writes comes from ``kaderpers_pdf_documents``
and ``kaderpers_pdf_shard``, so several processes can share one environment.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pikepdf
from docutils import nodes
from docutils.utils import new_document
from rinoh import __version__ as rinoh_version
from rinoh.frontend.rst import from_doctree
from rinoh.frontend.sphinx import RinohBuilder
from rinoh.frontend.sphinx.transforms import RinohCitationReferenceTransform
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.i18n import format_date

from ..sphinxext.changes import CHANGES_ID, Links, changes_section
from ..sphinxext.compat import application
from ..sphinxext.config import get_config
from ..sphinxext.domain import kader, kader_domain
from ..sphinxext.navigation import navigation
from ..sphinxext.tables import DocLinks
from ..sphinxext.traceability import TRACEABILITY_ID, traceability, traceability_section
from ..version import __version__
from . import printing, speedups
from .compat import KNOWN_VERSIONS, Patch, patched_rinohtype
from .documents import Part, PdfDocument, edition, handouts, role_handouts, select, unknown_handouts
from .orchestrate import partial_folder
from .template import LOGO, configuration
from .watchdog import FAILURE, TIME_LIMIT, watchdog

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)


class KaderpersPdfBuilder(RinohBuilder):
    """Writes the PDF edition and the handouts of a kader tree."""

    name = "kaderpers-pdf"
    format = "pdf"
    epilog = "The PDFs are in %(outdir)s."
    # Sphinx would download images on other hosts for a builder that cannot link to them; this one
    # prints them as links (kaderpers.site.html.RemoteImagesAsLinks) and fetches nothing.
    supported_remote_images = True

    def init(self) -> None:
        super().init()
        self._docnames: set[str] = set()
        self._layout = None

    # -- which documents ---------------------------------------------------------------

    def pdf_documents(self) -> list[PdfDocument]:
        settings = get_config(application(self))
        title = settings.edition_title
        full = edition(navigation(application(self)), title, self.subtitle())
        documents = [full]
        domain = kader_domain(self.env)
        full.parts.append(Part(generated=TRACEABILITY_ID))  # an appendix
        if domain.changes is not None:
            # The edition ends with the changes; wijzigingen.pdf holds them on their own.
            full.parts.append(Part(generated=CHANGES_ID))
            documents.append(PdfDocument(CHANGES_ID, title, f"Wijzigingen sinds {domain.changes_label}", [Part(generated=CHANGES_ID)], "edition"))
        documents += handouts(kader(self.env), title)
        documents += role_handouts(kader(self.env), title)
        names = set(settings.pdf_documents)
        shard = settings.pdf_shard
        if (unknown := unknown_handouts(documents, names)) and (shard is None or shard.index == 0):  # told once, not per process
            logger.warning(
                "kaderpers_pdf_documents names %s, which this tree has no handout of; the handouts are: %s",
                ", ".join(unknown), ", ".join(d.handout_name for d in documents if d.handout_name), type="kaderpers", subtype="pdf",
            )  # fmt: skip
        return select(documents, names, (shard.index, shard.count) if shard else (0, 1))

    def today(self) -> str:
        return format_date("%d %B %Y", language=self.config.language or "nl")

    def subtitle(self) -> str:
        return "Volledige editie"

    def version(self) -> str:
        """The kader's version; "" when neither kaderpers_edition_version nor release names one
        (kaderpers' own version is not the kader's)."""
        return get_config(application(self)).edition_version or self.config.release or self.config.version

    # rinohtype's own selection (rinoh_documents) is not used.
    def document_data(self, logger):  # noqa: ARG002 - signature of RinohBuilder
        return []

    def write(self, *ignored: object) -> None:
        documents = self.pdf_documents()
        if not documents:
            logger.info("kaderpers-pdf: no PDF to write in this process")
            return
        print(TIME_LIMIT.format(seconds=get_config(application(self)).pdf_timeout), file=sys.stderr, flush=True)
        with patched_rinohtype(self.wanted_patches) as installed:
            if get_config(application(self)).pdf_tagged and not any(patch.tagging for patch in installed):
                logger.warning(
                    "the PDFs are not tagged for accessibility: kaderpers tags PDFs with rinohtype %s, this is %s",
                    ", ".join(sorted(KNOWN_VERSIONS)), rinoh_version, type="kaderpers", subtype="pdf",
                )  # fmt: skip
            for document in documents:
                self.write_one(document)

    def wanted_patches(self, patch: Patch) -> bool:
        """All of them, less the speed-ups with ``kaderpers_pdf_speedups = False`` and the
        tagging with ``kaderpers_pdf_tagged = False``."""
        config = get_config(application(self))
        return (config.pdf_speedups or not patch.neutral) and (config.pdf_tagged or not patch.tagging)

    def write_one(self, document: PdfDocument) -> None:
        try:
            self.write_pdf(document)
        except Exception as error:  # one broken PDF must not stop the others (nor delete the environment)
            page, docname = self.where()
            logger.error(
                "could not write %s.pdf: %s: %s (on page %s, after content from %s)", document.target,
                type(error).__name__, error, page, docname, type="kaderpers", subtype="pdf",
                exc_info=None if isinstance(error, OSError) else error,  # a write failure needs no traceback
            )  # fmt: skip
            print(f"{FAILURE} {document.target}: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
            Path(self.outdir, document.filename).unlink(missing_ok=True)  # no half-written PDF
            application(self).statuscode = 1

    # -- one document ------------------------------------------------------------------

    def where(self) -> tuple[int | str, str]:
        return self._layout.where() if self._layout is not None else ("?", "?")

    def write_pdf(self, document: PdfDocument) -> None:
        started = time.perf_counter()
        self._layout = None
        report(f"{document.target}: assembling {len(document.docnames)} pages")
        tree = self.assemble(document)
        self.env.resolve_references(tree, self.first_docname(document), self)
        self.preprocess_tree(tree)
        report(f"{document.target}: laying out")
        rinoh_tree = from_doctree(tree, sphinx_builder=self)
        rinoh_document = self._layout = configuration().document(rinoh_tree)
        rinoh_document.progress_target = document.target
        self.set_metadata(rinoh_document, document)
        # The environment and the document trees live until the end: keep the
        # garbage collector from scanning them again and again during layout.
        gc.collect()
        gc.freeze()
        output = Path(self.outdir, document.filename)
        output.parent.mkdir(parents=True, exist_ok=True)
        # rinohtype empties its file when it starts: lay out into the output's staging folder
        # and rename the finished PDF over the old one, so a reader never gets half a PDF.
        partial = partial_folder(self.outdir) / f"{document.target.replace('/', '-')}.{os.getpid()}"
        partial.parent.mkdir(parents=True, exist_ok=True)
        laid_out, compacted = Path(f"{partial}.pdf"), Path(f"{partial}.compact.pdf")
        try:
            with watchdog(document.target, get_config(application(self)).pdf_timeout, rinoh_document.where), speedups.rarer_full_collections():
                success = speedups.with_roomy_stack(rinoh_document.render, partial)
            try:
                compact(laid_out, compacted)
                os.replace(compacted, output)
            except pikepdf.PdfError as error:  # qpdf could not read what rinohtype wrote: publish it as it is
                logger.warning("%s.pdf is published as laid out, not compacted: %s", document.target, error, type="kaderpers", subtype="pdf")
                os.replace(laid_out, output)
        finally:
            laid_out.unlink(missing_ok=True)
            compacted.unlink(missing_ok=True)
        pages = len(rinoh_document.backend_document.pages)
        report(f"{document.target}: wrote {output}, {pages} pages in {time.perf_counter() - started:.1f} s")
        if not success:
            logger.warning("rinohtype reported problems while writing %s.pdf (see the messages above)", document.target, type="kaderpers", subtype="pdf")

    def set_metadata(self, rinoh_document, document: PdfDocument) -> None:
        metadata = rinoh_document.metadata
        release = get_config(application(self)).release_name  # a release of a site of several: its name in the title
        metadata["title"] = f"{document.title} {release}" if release else document.title
        metadata["subtitle"] = document.subtitle
        metadata["author"] = self.config.author
        # The cover's last line; rinohtype prints a text date as it is.
        version = self.version()
        metadata["date"] = f"Versie {version} · {self.today()}" if version else self.today()
        if LOGO.exists():
            metadata["logo"] = LOGO

    # -- assembling the doctree --------------------------------------------------------

    def assemble(self, document: PdfDocument) -> nodes.document:
        self._docnames = set(document.docnames)
        tree = new_document(str(self.srcdir))
        tree["docname"] = self.first_docname(document)
        for part in document.parts:
            tree.extend(self.part_nodes(part))
        return tree

    def first_docname(self, document: PdfDocument) -> str:
        """The page references are resolved from (a PDF of generated content only: the home page)."""
        return document.docnames[0] if document.docnames else self.config.root_doc

    def part_nodes(self, part: Part) -> list[nodes.Node]:
        if part.generated is not None:
            links = DocLinks(self.config.root_doc)
            return [GENERATED[part.generated](self, links.to)]
        if part.docname is None:
            section = nodes.section(ids=[part.key or ""], names=[])
            section += nodes.title(part.title, part.title)
            for child in part.children:
                section.extend(self.part_nodes(child))
            return [section]
        section = self.page_section(part.docname)
        for child in part.children:
            section.extend(self.part_nodes(child))
        start = addnodes.start_of_file(docname=part.docname)
        start += section
        return [start]

    def page_section(self, docname: str) -> nodes.section:
        """A page as one section titled with the page's title, whatever its headings."""
        doctree = self.env.get_doctree(docname)
        for toctree in list(doctree.findall(addnodes.toctree)):
            parent = toctree.parent
            parent.remove(toctree)
            if isinstance(parent, nodes.compound) and not parent.children:
                parent.parent.remove(parent)
        children = list(doctree.children)
        sections = [child for child in children if isinstance(child, nodes.section)]
        page = kader(self.env).pages.get(docname)
        title = page.title if page else (self.env.titles[docname].astext() if docname in self.env.titles else docname)
        if len(sections) == 1 and (page is None or page.heading or sections[0][0].astext().strip() == title):
            section = sections[0]
            position = 1
            for child in children:
                if child is section:
                    position = None
                    continue
                doctree.remove(child)
                if position is None:
                    section += child
                else:
                    section.insert(position, child)
                    position += 1
        else:
            section = nodes.section(ids=[], names=[])
            section += nodes.title(title, title)
            for child in children:
                doctree.remove(child)
                section += child
        section["classes"].append("kp-page")
        # Headings inside a page stay out of the contents and bookmarks, which list pages.
        for inner in section.findall(nodes.section, include_self=False):
            inner["classes"].append("kp-inner")
        return section


def changes_part(builder: KaderpersPdfBuilder, links: Links) -> nodes.section:
    domain = kader_domain(builder.env)
    assert domain.changes is not None
    return changes_section(domain.changes, domain.changes_label, links, print_marks=True)


def traceability_part(builder: KaderpersPdfBuilder, links: Links) -> nodes.section:
    index = kader(builder.env)
    return traceability_section(index, traceability(index, in_print=True), DocLinks(builder.config.root_doc), in_print=True)


#: Content a PDF can hold that is made from the kader, not read from a page: name → its nodes.
GENERATED: dict[str, Callable[[KaderpersPdfBuilder, Links], nodes.Node]] = {CHANGES_ID: changes_part, TRACEABILITY_ID: traceability_part}


def compact(source: Path, target: Path) -> None:
    """``source`` written again as ``target``, about half its size and with nothing lost.

    rinohtype writes every object on its own and compresses only some streams: qpdf
    (through pikepdf) packs the objects into object streams and compresses every
    stream, recompressing Flate streams harder. That is lossless: images keep their
    encoding (JPEG stays JPEG, Flate is decoded and encoded again), and the structure
    tree, outline, links and XMP metadata are the same objects.
    """
    with pikepdf.open(source) as pdf:
        pdf.save(
            target, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True,
            stream_decode_level=pikepdf.StreamDecodeLevel.generalized, recompress_flate=True,
            fix_metadata_version=False,  # the XMP packet stays as written, byte for byte
        )  # fmt: skip


def report(message: str) -> None:
    """A progress line on stderr, which the orchestrator's watchdog reads."""
    print(f"kaderpers-pdf: {message}", file=sys.stderr, flush=True)


#: rinohtype's config values that no longer have an effect but that its builder still looks at.
RINOH_RETIRED_CONFIG = ("rinoh_logo", "rinoh_domain_indices", "rinoh_template", "rinoh_metadata", "rinoh_stylesheet", "rinoh_paper_size")


def setup(app: Sphinx) -> dict[str, Any]:
    """Loaded by Sphinx through the ``sphinx.builders`` entry point when ``-b kaderpers-pdf`` is asked for.

    rinohtype's own extension is not loaded: the config values it declares for reading are
    declared by :mod:`kaderpers.pdf` in every build; the rest of it is repeated here.
    """
    for name in RINOH_RETIRED_CONFIG:
        app.add_config_value(name, None, "html")
    app.add_builder(KaderpersPdfBuilder)
    app.add_post_transform(RinohCitationReferenceTransform)
    printing.setup(app)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
