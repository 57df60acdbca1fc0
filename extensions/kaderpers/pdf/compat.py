"""Every change kaderpers makes to rinohtype's internals, in one layer.

Each change is a :class:`Patch`: the attribute it replaces (on a rinohtype class or
module, on the kader's own template class where that copies rinohtype's private
code, or an entry of rinohtype's table of node renderings), how the replacement is
made from the original, the rinohtype versions it was written and tested against,
whether the PDF's text, links and outline come out the same without it
(``neutral``: a speed-up; the golden test in ``tests/test_pdf_compat.py`` renders
with and without these and compares them page by page), and whether it is part of
tagging the PDF for accessibility (``tagging``: chosen by ``kaderpers_pdf_tagged``).

:func:`patched_rinohtype` installs the patches around a PDF build and restores
every original afterwards, also when the build fails. It patches nothing on a
rinohtype version a patch does not name: the PDF is then rendered by rinohtype as
it is (slower, and without what the non-neutral patches add), with one warning.

To change rinohtype in a new way, write the replacement beside the code it
concerns and add a :class:`Patch` to :data:`PATCHES`; nowhere else assigns to
rinohtype.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import rinoh.paragraph
from rinoh.attribute import OptionSetMeta
from rinoh.backend.pdf import Canvas, cos
from rinoh.backend.pdf import Document as BackendDocument
from rinoh.document import Page
from rinoh.draw import Line, Polygon
from rinoh.font import Typeface
from rinoh.font.opentype.parse import TableRecord
from rinoh.frontend.rst import DocutilsNode
from rinoh.image import ImageBase
from rinoh.layout import Container
from rinoh.style import Styled, StyleSheet
from rinoh.table import Table
from rinoh.text import SingleStyledTextBase, StyledText
from sphinx.util import logging

from . import rinoh_nodes, speedups, tagging
from .hyphenation import PyphenHyphenators
from .template import KaderTemplate, lang_and_open_outlines, no_style_log, single_pass_render_pages

logger = logging.getLogger(__name__)

#: The rinohtype versions the patches were written against and tested with.
KNOWN_VERSIONS = frozenset({"0.5.6"})


@dataclass(frozen=True)
class Patch:
    #: A short name, for messages and for choosing patches in tests.
    name: str
    #: The class or module that gets the new attribute.
    owner: Any
    attribute: str
    #: The new value, made from the original one (None when the owner has none).
    make: Callable[[Any], Any]
    #: The PDF's text, links and outline are the same without it: it only makes rendering faster.
    neutral: bool = True
    #: Part of the tagged (accessible) PDF; left out when ``kaderpers_pdf_tagged`` is off.
    tagging: bool = False
    versions: frozenset[str] = KNOWN_VERSIONS


def rendering_patches(renderings: dict[str, type]) -> list[Patch]:
    """A patch per rendering of :mod:`kaderpers.pdf.rinoh_nodes`: an entry of rinohtype's table of
    docutils node renderings, present only while the patches are installed."""
    return [
        Patch(f"kader-{tag}-rendering", DocutilsNode._mapping, tag, lambda original, rendering=rendering: rendering, neutral=False)
        for tag, rendering in renderings.items()
    ]


PATCHES: list[Patch] = [
    # -- speed-ups (kaderpers.pdf.speedups), output-neutral
    Patch("style-per-attribute", Styled, "get_style", lambda original: speedups.get_style),
    Patch("remembered-lookups", StyleSheet, "_get_value_lookup", speedups.remembered_lookup),
    Patch("no-font-checksums", TableRecord, "check_sum", lambda original: speedups.skip_check_sum),
    Patch("remembered-document-part", Container, "document_part", lambda original: speedups.document_part),
    Patch("remembered-document", Container, "document", lambda original: speedups.container_document),
    Patch("remembered-page", Container, "page", lambda original: speedups.container_page),
    Patch("release-placed-pages", Page, "place", speedups.place_and_release),
    Patch("remembered-fonts", Typeface, "get_font", speedups.remembered_font),
    Patch("font-per-text", SingleStyledTextBase, "font", speedups.remembered_per_element),
    Patch("ascender-per-text", SingleStyledTextBase, "ascender", speedups.remembered_per_element),
    Patch("descender-per-text", SingleStyledTextBase, "descender", speedups.remembered_per_element),
    Patch("height-per-text", StyledText, "height", speedups.remembered_per_element),
    Patch("placing-upwards", Styled, "before_placing", speedups.placing_upwards),
    Patch("remembered-options", OptionSetMeta, "__getattr__", speedups.remembered_options),
    Patch("remembered-glyphs", rinoh.paragraph, "create_lig_kern", speedups.remembered_glyphs),
    Patch("quick-missing-glyphs", rinoh.paragraph, "handle_missing_glyphs", speedups.quick_missing_glyphs),
    # -- the kader's template (kaderpers.pdf.template) on rinohtype's private document methods.
    # One pass instead of two or three; the running headers then lack the section title,
    # which rinohtype takes from the pass before (as in every PDF kaderpers has written).
    Patch("single-layout-pass", KaderTemplate, "_render_pages", lambda original: single_pass_render_pages, neutral=False),
    Patch("no-style-log", KaderTemplate, "style_log", lambda original: no_style_log),
    Patch("language-and-outlines", KaderTemplate, "_create_outlines", lang_and_open_outlines, neutral=False),
    # -- Dutch hyphenation (kaderpers.pdf.hyphenation): changes where lines break, by design
    Patch("dutch-hyphenation", rinoh.paragraph, "HYPHENATORS", lambda original: PyphenHyphenators(), neutral=False),
    # -- how the kader's admonitions and tables print (kaderpers.pdf.rinoh_nodes): entries of
    # rinohtype's table of docutils node renderings
    *rendering_patches(rinoh_nodes.RENDERINGS),
    # -- tagged PDF (kaderpers.pdf.tagging)
    Patch("tagged-documents", KaderTemplate, "tagged", lambda original: True, neutral=False, tagging=True),
    Patch("tag-text", Canvas, "show_glyphs", tagging.tag_text, neutral=False, tagging=True),
    Patch("tag-images", Canvas, "place_image", tagging.tag_image_placement, neutral=False, tagging=True),
    Patch("image-owners", ImageBase, "render", tagging.remember_rendered_image, neutral=False, tagging=True),
    Patch("repeated-table-heads", Table, "render", tagging.remember_repeated_heads, neutral=False, tagging=True),
    Patch("lines-as-artifacts", Line, "render", tagging.as_artifact, neutral=False, tagging=True),
    Patch("fills-as-artifacts", Polygon, "render", tagging.as_artifact, neutral=False, tagging=True),
    Patch("ligature-texts", BackendDocument, "register_font", tagging.with_ligature_texts, neutral=False, tagging=True),
    # a structure tree adds tens of thousands of objects; this keeps their numbering linear
    Patch("remembered-object-numbers", cos.Document, "register", tagging.remembered_object_numbers),
]


def rinohtype_version() -> str:
    try:
        return version("rinohtype")
    except PackageNotFoundError:
        return "unknown"


_ABSENT = object()
_installed: list[tuple[Patch, Any]] = []


def present_value(patch: Patch) -> Any:
    """What ``patch.owner`` itself holds under ``patch.attribute`` now (not inherited); ``_ABSENT`` if nothing."""
    if isinstance(patch.owner, dict):
        return patch.owner.get(patch.attribute, _ABSENT)
    return vars(patch.owner).get(patch.attribute, _ABSENT)


def _put(patch: Patch, value: Any) -> None:
    if isinstance(patch.owner, dict):
        if value is _ABSENT:
            patch.owner.pop(patch.attribute, None)
        else:
            patch.owner[patch.attribute] = value
    elif value is _ABSENT:
        delattr(patch.owner, patch.attribute)
    else:
        setattr(patch.owner, patch.attribute, value)


def _original(patch: Patch) -> Any:
    if isinstance(patch.owner, dict):
        return patch.owner.get(patch.attribute)
    return getattr(patch.owner, patch.attribute, None)


@contextmanager
def patched_rinohtype(wanted: Callable[[Patch], bool] = lambda patch: True) -> Iterator[list[Patch]]:
    """Install the wanted patches that fit this rinohtype; restore the originals afterwards.

    Yields the patches installed. Nested use installs nothing more.
    """
    if _installed:
        yield [patch for patch, _ in _installed]
        return
    current = rinohtype_version()
    chosen = [patch for patch in PATCHES if wanted(patch)]
    unfit = [patch.name for patch in chosen if current not in patch.versions]
    if unfit:
        logger.warning(
            "rinohtype %s is not a version kaderpers knows (%s); the PDF is rendered by rinohtype as it is, without %s",
            current, ", ".join(sorted({v for patch in chosen for v in patch.versions})), ", ".join(unfit),
            type="kaderpers", subtype="pdf-compat",
        )  # fmt: skip
    try:
        for patch in chosen:
            if current not in patch.versions:
                continue
            saved = present_value(patch)
            _put(patch, patch.make(_original(patch)))
            _installed.append((patch, saved))
        yield [patch for patch, _ in _installed]
    finally:
        while _installed:
            patch, saved = _installed.pop()
            _put(patch, saved)
