"""Tagged PDF (PDF/UA-1) from rinohtype 0.5.6, which writes untagged PDF.

By concern: :mod:`.structure` (the structure tree and its roles), :mod:`.objects`
(the PDF objects and the marked content around what rinohtype draws) and
:mod:`.metadata` (XMP, language and title, fonts' ToUnicode maps).

The replacements of rinohtype's methods this needs are made here (the ``tag_*``
functions and their kin at the end) and installed by :mod:`kaderpers.pdf.compat`,
like every other patch: only around the ``kaderpers-pdf`` builder's writing, only
with ``kaderpers_pdf_tagged`` on, only on the rinohtype version they were written
for, and undone afterwards. One of them marks the kader's template as tagged, and
the template then keeps a :class:`Tagger` per document.

How it works:

* While pages are laid out, each piece of content rinohtype draws is wrapped in
  marked content: text runs (``Canvas.show_glyphs``) and images
  (``Canvas.place_image``) in ``/Tag <</MCID m>> BDC … EMC`` where ``m`` is a
  running *mark* number, strokes and fills (rules, borders, backgrounds, zebra
  fills) and the running headers and footers in ``/Artifact BMC … EMC``. A mark
  belongs to a :class:`Node` of the structure tree, found from the rinohtype
  element that drew it: a text run leads to its paragraph, the paragraph to its
  section, list item, table cell and so on (:meth:`Tagger.element`). Content of
  containers rinohtype throws away (a table row that did not fit) never reaches
  a page, and neither do its marks.
  A table head that rinohtype repeats on a further page is an artifact there.
* When the pages are final (:meth:`Tagger.finish`, called by the template just
  before writing), the marks on each page are numbered as that page's MCIDs,
  the structure tree is written through rinohtype's PDF object layer (``cos``:
  StructTreeRoot, ParentTree, RoleMap; the elements as light objects of their
  own, :class:`Element`), link annotations are tied to their Link elements, and
  the catalog gets ``/MarkInfo``, ``/ViewerPreferences`` and XMP metadata with
  the PDF/UA identifier.
* Nothing is stored on rinohtype's elements: it compares them by their
  attributes (``Styled.__eq__``), and an extra attribute changes its layout.
  ``tests/test_pdf.py`` checks that an untagged build has the same pages.
* Fonts get a ToUnicode map that maps ligature glyphs to their letters, so text
  extracts as "fi", not U+FB01.
"""

from .metadata import ToUnicode, glyph_texts, with_ligature_texts, xmp_metadata
from .objects import (
    ARTIFACT,
    Element,
    as_artifact,
    remember_rendered_image,
    remember_repeated_heads,
    remembered_object_numbers,
    tag_image_placement,
    tag_text,
)
from .structure import MAX_HEADING, ROLE_MAP, Node, Tagger

__all__ = [
    "ARTIFACT", "MAX_HEADING", "ROLE_MAP", "Element", "Node", "Tagger", "ToUnicode", "as_artifact", "glyph_texts",
    "remember_rendered_image", "remember_repeated_heads", "remembered_object_numbers", "tag_image_placement", "tag_text",
    "with_ligature_texts", "xmp_metadata",
]  # fmt: skip
