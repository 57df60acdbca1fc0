"""Tagged PDF (PDF/UA-1) from rinohtype 0.5.6, which writes untagged PDF.

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

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Iterator
from xml.sax.saxutils import escape

from rinoh.backend.pdf import cos
from rinoh.backend.pdf.filter import FlateDecode
from rinoh.flowable import LabeledFlowable
from rinoh.font.opentype import OpenTypeFont
from rinoh.highlight import CodeBlock
from rinoh.image import Caption, ImageBase
from rinoh.inline import InlineFlowableSpan
from rinoh.paragraph import ParagraphBase
from rinoh.reference import Note
from rinoh.structure import (
    Admonition,
    DefinitionList,
    Footer,
    GroupedLabeledFlowables,
    Header,
    Heading,
    HorizontalRule,
    List,
    ListItem,
    Section,
    TableOfContents,
    TableOfContentsEntry,
)
from rinoh.table import Table, TableBody, TableCell, TableHead, TableRow
from rinoh.text import StyledText

#: Structure types of our own, and the standard type each stands for.
ROLE_MAP = {"Admonition": "Div"}
#: Deepest heading level PDF/UA knows (H1–H6); deeper sections keep H6.
MAX_HEADING = 6

ARTIFACT = "artifact"
_ARTIFACT_BEGIN = b"/Artifact BMC\n"
_END = b"EMC\n"
#: Tags in alt texts (authors write <lang=en>…</lang=en>).
_MARKUP = re.compile(r"</?[A-Za-z][^<>]*>")
#: A mark as written during layout; the number is renumbered per page in :meth:`Tagger.finish`.
_MARK = re.compile(rb"^/(\w+) <</MCID (\d+)>> BDC$", re.M)


def _name(value: str, names: dict[str, cos.Name] = {}) -> cos.Name:  # noqa: B006 - a cache
    """Names are written by value: one object each serves the whole document."""
    try:
        return names[value]
    except KeyError:
        name = names[value] = cos.Name(value)
        return name


class Node:
    """An element of the structure tree; ``kids`` holds nodes and mark numbers in reading order."""

    __slots__ = ("type", "parent", "kids", "alt", "attributes", "text", "annotations", "owner")

    def __init__(self, type: str, parent: Node | None, owner: object = None) -> None:  # noqa: A002
        self.type = type
        self.parent = parent
        self.kids: list[Node | int] = []
        self.alt: str | None = None
        self.attributes: dict | None = None
        self.text: list[str] | None = None  # a Link's text, for its annotation's /Contents
        self.annotations: list = []  # a Link's annotations: (cos annotation, cos page)
        self.owner = owner  # a Part's document part, which orders the parts
        if parent is not None:
            parent.kids.append(self)


class Tagger:
    """The structure tree of one rinohtype document, built while its pages are laid out."""

    def __init__(self, document) -> None:
        self.document = document
        self.root = Node("Document", None)
        self.parts: dict[int, Node] = {}
        self.elements: dict[int, tuple[object, Node | str]] = {}
        self.links: dict[int, tuple[object, Node]] = {}
        self.link_targets: dict[int, tuple] = {}
        self.marks: list[Node] = []
        self.images: list[ImageBase] = []  # the image being placed
        self.repeated_heads: set[int] = set()  # tables now drawing their head on a further page

    # -- during layout ---------------------------------------------------------------

    def mark(self, node: Node) -> bytes:
        number = len(self.marks)
        self.marks.append(node)
        node.kids.append(number)
        return b"/%s <</MCID %d>> BDC\n" % (node.type.encode(), number)

    def text_node(self, span, glyphs, container) -> Node | str:
        styled = span
        while isinstance(styled, StyledText):
            styled = styled.parent
        if styled is None:  # text of no element: nothing to attach it to but the document part
            return self.part(container)
        node = self.element(styled, container)
        if node is ARTIFACT:
            return node
        link = getattr(span, "link_annotation", None)
        if link is not None:
            node = self.link(link, node)
            node.text.append("".join(glyph.char for glyph in glyphs))
        return node

    def link(self, annotation, parent: Node) -> Node:
        """The Link of an annotation; a contents entry's number, title and page (three links to one
        place) are one Link."""
        try:
            return self.links[id(annotation)][1]
        except KeyError:
            pass
        target = (annotation.type, getattr(annotation, "name", None) or getattr(annotation, "target", None))
        last = next((kid for kid in reversed(parent.kids) if isinstance(kid, Node)), None) if parent.type == "TOCI" else None
        if last is not None and last.type == "Link" and self.link_targets.get(id(last)) == target:
            node = last
        else:
            node = Node("Link", parent)
            node.text = []
            self.link_targets[id(node)] = target
        self.links[id(annotation)] = (annotation, node)
        return node

    def part(self, container) -> Node:
        part = container.document_part
        try:
            return self.parts[id(part)]
        except KeyError:
            node = self.parts[id(part)] = Node("Part", self.root, part)
            return node

    def element(self, styled, container) -> Node | str:
        """The node the content of ``styled`` (a flowable, table row or section) belongs to.

        Remembered here by the element's identity, the element kept alive with it.
        Not on the element: rinohtype compares elements by their attributes
        (``Styled.__eq__``), and one more attribute would change its layout.
        """
        try:
            return self.elements[id(styled)][1]
        except KeyError:
            pass
        parent = styled.parent
        parent_node = self.part(container) if parent is None else self.element(parent, container)
        if id(styled) in self.elements:  # made with its row's cells, just now
            return self.elements[id(styled)][1]
        if parent_node is ARTIFACT:
            node = ARTIFACT
        else:
            role = self.role(styled, parent, parent_node)
            if role is None:  # grouping without meaning of its own
                node = parent_node
            elif role is ARTIFACT:
                node = ARTIFACT
            else:
                node = Node(role, parent_node)
                self.describe(node, styled)
        self.elements[id(styled)] = (styled, node)
        if isinstance(styled, TableRow) and isinstance(node, Node):
            # Every cell gets its TD or TH, also one that draws nothing: without it the
            # cells after an empty one would be read as the wrong columns.
            for cell in styled:
                self.element(cell, container)
        return node

    def role(self, styled, parent, parent_node: Node) -> str | None:
        if isinstance(styled, (Header, Footer, HorizontalRule)):
            return ARTIFACT
        if isinstance(parent, LabeledFlowable) and parent_node.type in ("LI", "Note"):
            if styled is parent.label:
                return "Lbl"
            return "LBody" if parent_node.type == "LI" else None
        if isinstance(styled, Heading):
            return f"H{min(self.depth(styled), MAX_HEADING)}"
        if isinstance(styled, Section):
            return "Sect"
        if isinstance(styled, TableOfContents):
            return "TOC"
        if isinstance(styled, TableOfContentsEntry):
            return "TOCI"
        if isinstance(styled, ListItem) or (isinstance(parent, GroupedLabeledFlowables) and isinstance(styled, LabeledFlowable)):
            return "LI"
        if isinstance(styled, (List, DefinitionList)):
            return "L"
        if isinstance(styled, Note):
            return "Note"
        if isinstance(styled, Admonition):
            return "Admonition"
        if isinstance(styled, Table):
            return "Table"
        if isinstance(styled, TableHead):
            return "THead"
        if isinstance(styled, TableBody):
            return "TBody"
        if isinstance(styled, TableRow):
            return "TR"
        if isinstance(styled, TableCell):
            return "TH" if isinstance(parent.parent, TableHead) else "TD"
        if isinstance(styled, ImageBase):
            return ARTIFACT if styled.style == "title page logo" else "Figure"
        if isinstance(styled, Caption):
            return "Caption"
        if isinstance(styled, CodeBlock):
            return "Code"
        if isinstance(styled, ParagraphBase):
            # the one paragraph of a table cell or list item is that cell's or item's text (fewer elements)
            alone = parent_node.type in ("TD", "TH", "LBody") and len(getattr(parent, "children", ())) == 1
            return None if alone else "P"
        source = getattr(getattr(styled, "source", None), "node", None)
        if getattr(source, "tagname", None) == "block_quote":
            return "BlockQuote"
        return None

    @staticmethod
    def depth(heading) -> int:
        depth, parent = 0, heading.parent
        while parent is not None:
            depth += isinstance(parent, Section)
            parent = parent.parent
        return max(depth, 1)

    def describe(self, node: Node, styled) -> None:
        if node.type == "TH":
            node.attributes = {"O": "Table", "Scope": "Column"}
        elif node.type == "Figure":
            alt = " ".join(_MARKUP.sub("", styled.alt or "").split())  # authors mark languages as <lang=en>…</lang=en>
            # a missing alt text is reported when the page is read (kaderpers.image.alt-missing)
            node.alt = alt or "Afbeelding zonder beschrijving"

    def in_repeated_head(self, styled) -> bool:
        while styled is not None:
            if isinstance(styled, TableHead):
                return id(styled.parent) in self.repeated_heads
            styled = styled.parent
        return False

    # -- when the pages are final ----------------------------------------------------

    def finish(self, backend_document, title: str, language: str, author: str | None, subject: str | None) -> None:
        cos_document = backend_document.cos_document
        catalog = cos_document.catalog
        order = {id(template): index for index, template in enumerate(self.document.part_templates)}
        self.root.kids.sort(key=lambda kid: order.get(id(getattr(getattr(kid, "owner", None), "template", None)), len(order)))
        places: dict[int, list[tuple[int, int]]] = {}
        page_marks: list[list[Node]] = []
        for index, page in enumerate(backend_document.pages):
            marks: list[Node] = []

            def renumber(match, marks=marks, index=index):
                number = int(match[2])
                places.setdefault(number, []).append((index, len(marks)))
                marks.append(self.marks[number])
                return b"/%s <</MCID %d>> BDC" % (match[1], len(marks) - 1)

            canvas = page.canvas
            content = _MARK.sub(renumber, canvas.getvalue())
            canvas.seek(0)
            canvas.truncate()
            canvas.write(content)
            page_marks.append(marks)
        self._bind_annotations(backend_document)
        cos_pages = [page.cos_page for page in backend_document.pages]
        parent_tree = cos.Array()
        key = 0
        elements: dict[int, Element] = {}
        tree = cos.Dictionary(indirect=True)
        root = self._build(self.root, tree, places, cos_pages, elements)
        for index, marks in enumerate(page_marks):
            cos_pages[index]["Tabs"] = _name("S")
            if marks:
                cos_pages[index]["StructParents"] = cos.Integer(key)
                parent_tree.extend([cos.Integer(key), cos.Array([elements[id(node)] for node in marks], indirect=True)])
                key += 1
        for link in {id(node): node for _, node in self.links.values()}.values():
            if id(link) not in elements:
                continue
            for annotation, _ in link.annotations:
                annotation["StructParent"] = cos.Integer(key)
                parent_tree.extend([cos.Integer(key), elements[id(link)]])
                key += 1
        tree["Type"] = cos.Name("StructTreeRoot")
        if root is not None:
            tree["K"] = root
        tree["ParentTree"] = cos.Dictionary(indirect=True)
        tree["ParentTree"]["Nums"] = parent_tree
        tree["ParentTreeNextKey"] = cos.Integer(key)
        role_map = cos.Dictionary()
        for custom, standard in ROLE_MAP.items():
            role_map[custom] = cos.Name(standard)
        tree["RoleMap"] = role_map
        catalog["StructTreeRoot"] = tree
        mark_info = catalog["MarkInfo"] = cos.Dictionary()
        mark_info["Marked"] = cos.Boolean(True)
        preferences = catalog["ViewerPreferences"] = cos.Dictionary()
        preferences["DisplayDocTitle"] = cos.Boolean(True)
        catalog["Lang"] = cos.String(language)
        catalog["Metadata"] = xmp_metadata(title, language, author, subject, cos_document.timestamp)

    def _bind_annotations(self, backend_document) -> None:
        """Each link annotation to the Link element of the text it covers, with that text as /Contents."""
        for page in backend_document.pages:
            locations = [a for a in page.canvas.annotations if a.annotation.type != "NamedDestination"]
            annots = list(page.cos_page["Annots"]) if "Annots" in page.cos_page else []
            if len(locations) != len(annots):  # not placed as rinohtype 0.5.6 does: leave them untagged
                continue
            for location, annotation in zip(locations, annots):
                try:
                    link = self.links[id(location.annotation)][1]
                except KeyError:  # a link on an image, say: a Link of its own at the end of the document
                    link = self.link(location.annotation, self.root)
                annotation.indirect = True  # an OBJR refers to it
                link.annotations.append((annotation, page.cos_page))
                text = " ".join("".join(link.text or []).split()) or getattr(location.annotation, "target", None) or "Link"
                annotation["Contents"] = cos.String(text)

    def _build(self, node: Node, parent, places, pages, elements, in_row: bool = False) -> Element | None:
        """The written element of ``node`` and of its descendants, None when nothing of it reached a page
        (but an empty cell of a row that did is written: it keeps the cells after it in their columns)."""
        element = Element(node, parent, pages)
        kids = element.kids
        for kid in node.kids:
            if isinstance(kid, Node):
                built = self._build(kid, element, places, pages, elements, in_row=node.type == "TR")
                if built is not None:
                    kids.append(built)
                continue
            for index, mcid in places.get(kid, ()):
                if element.page is None:
                    element.page = index
                kids.append(mcid if index == element.page else (index, mcid))
        kids.extend(node.annotations)
        if node.type == "TR" and not any(cell.kids for cell in kids if isinstance(cell, Element)):
            return None
        if not kids and node.parent is not None and not in_row:
            return None
        if node.type == "Note":  # PDF/UA: a Note has an ID of its own
            element.identifier = f"note-{len(elements) + 1}"
        elements[id(node)] = element
        return element


class Element(cos.Object):
    """A structure element, written straight from its :class:`Node`.

    A ``cos.Dictionary`` per element (an ordered dict, a name object per key)
    takes about a kilobyte; tens of thousands of them showed in the peak memory.
    ``kids`` holds MCIDs on the element's page, (page, MCID) on other pages,
    elements, and (annotation, page) of a Link's annotations.
    """

    PREFIX = b"<<"
    POSTFIX = b">>"

    def __init__(self, node: Node, parent, pages: list) -> None:
        super().__init__(indirect=True)
        self.node = node
        self.parent = parent
        self.pages = pages
        self.page: int | None = None
        self.kids: list = []
        self.identifier: str | None = None

    def _repr(self) -> str:
        return self.node.type

    def register_indirect(self, document, visited=None) -> None:
        visited = set() if visited is None else visited
        if id(self) in visited:
            return
        visited.add(id(self))
        document.register(self)
        for kid in self.kids:
            if isinstance(kid, Element):
                kid.register_indirect(document, visited)

    def _bytes(self, document) -> bytes:
        node = self.node
        out = [b"/Type /StructElem /S /", node.type.encode(), b" /P ", self.parent.bytes(document)]
        if self.page is not None:
            out += [b" /Pg ", self.pages[self.page].bytes(document)]
        out.append(b" /K [")
        for kid in self.kids:
            if isinstance(kid, int):
                out.append(b"%d " % kid)
            elif isinstance(kid, Element):
                out += [kid.bytes(document), b" "]
            elif isinstance(kid[0], int):
                out += [b"<</Type /MCR /Pg ", self.pages[kid[0]].bytes(document), b" /MCID %d>> " % kid[1]]
            else:
                out += [b"<</Type /OBJR /Obj ", kid[0].bytes(document), b" /Pg ", kid[1].bytes(document), b">> "]
        out.append(b"]")
        if node.alt is not None:
            out += [b" /Alt ", cos.String(node.alt).bytes(document)]
        if node.attributes:
            out.append(b" /A <<")
            out += [b"/%s /%s " % (name.encode(), value.encode()) for name, value in node.attributes.items()]
            out.append(b">>")
        if self.identifier:
            out += [b" /ID ", cos.String(self.identifier).bytes(document)]
        return b"".join(out)


def xmp_metadata(title: str, language: str, author: str | None, subject: str | None, timestamp) -> cos.Stream:
    """The XMP packet: title, author, language and the PDF/UA-1 identifier (uncompressed, as PDF/UA asks)."""
    stamp = timestamp.astimezone().isoformat(timespec="seconds")
    creator = f"<dc:creator><rdf:Seq><rdf:li>{escape(author)}</rdf:li></rdf:Seq></dc:creator>" if author else ""
    description = (
        f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(subject)}</rdf:li></rdf:Alt></dc:description>' if subject else ""
    )
    packet = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt></dc:title>
   {creator}{description}
   <dc:language><rdf:Bag><rdf:li>{escape(language)}</rdf:li></rdf:Bag></dc:language>
   <xmp:CreateDate>{stamp}</xmp:CreateDate>
   <xmp:ModifyDate>{stamp}</xmp:ModifyDate>
   <xmp:CreatorTool>{escape(cos.Document.PRODUCER)}</xmp:CreatorTool>
   <pdf:Producer>{escape(cos.Document.PRODUCER)}</pdf:Producer>
   <pdfuaid:part>1</pdfuaid:part>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    stream = cos.Stream()
    stream["Type"] = cos.Name("Metadata")
    stream["Subtype"] = cos.Name("XML")
    stream.write(packet.encode("utf-8"))
    return stream


# -- ligatures -------------------------------------------------------------------------


def glyph_texts(font: OpenTypeFont) -> dict[int, str]:
    """The text of every glyph the font can show: its character, and a ligature's letters."""
    try:
        return _GLYPH_TEXTS[id(font)][1]
    except KeyError:
        pass
    texts: dict[int, str] = {}
    for code, glyph in font["cmap"][font._encoding].mapping.items():
        texts[glyph] = chr(code)  # as rinohtype does: of several characters on one glyph, the last
    for glyph, text in texts.items():
        if "\ufb00" <= text <= "\ufb4f":  # alphabetic presentation forms: ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ …
            texts[glyph] = unicodedata.normalize("NFKC", text)
    pairs = list(_ligatures(font))
    for _ in range(3):  # ligatures of ligatures (ff + i), a few levels deep
        for glyph, components in pairs:
            if glyph not in texts and all(c in texts for c in components):
                texts[glyph] = "".join(texts[c] for c in components)
    _GLYPH_TEXTS[id(font)] = (font, texts)  # (not on the font: rinohtype objects compare by their attributes)
    return texts


_GLYPH_TEXTS: dict[int, tuple[OpenTypeFont, dict[int, str]]] = {}


def _ligatures(font: OpenTypeFont) -> Iterator[tuple[int, list[int]]]:
    """(ligature glyph, component glyphs) of the font's ``liga`` feature, as rinohtype applies it."""
    if "GSUB" not in font:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            tables = font._get_lookup_tables("GSUB", "liga", "latn")
        except Exception:  # a font rinohtype cannot read ligatures from: it forms none either
            return
    for table in tables:
        for subtable in table["SubTable"]:
            if "LigatureSet" not in subtable:
                continue
            for first, ligature_set in zip(_coverage(subtable["Coverage"]), subtable["LigatureSet"]):
                for ligature in ligature_set["Ligature"]:
                    yield ligature["LigGlyph"], [first, *ligature["Component"]]


def _coverage(coverage) -> list[int]:
    if coverage["CoverageFormat"] == 1:
        return list(coverage["GlyphArray"])
    glyphs: list[int] = []
    for record in coverage["RangeRecord"]:
        glyphs.extend(range(record["Start"], record["End"] + 1))
    return glyphs


class ToUnicode(cos.ToUnicode):
    """rinohtype's ToUnicode CMap, with a glyph mapping to all the characters it shows."""

    def __init__(self, texts: dict[int, str], filter=None):
        cos.Stream.__init__(self, filter=filter)
        with self._begin_resource("/CIDInit /ProcSet findresource"), self._begin_resource("12 dict"), self._begin("cmap"):
            system = cos.Dictionary()
            system["Registry"] = cos.String("Adobe")
            system["Ordering"] = cos.String("UCS")
            system["Supplement"] = cos.Integer("0")
            self._def("CIDSystemInfo", system)
            self._def("CMapName", cos.Name("Adobe-Identity-UCS"))
            self._def("CMapType", cos.Integer(2))
            with self._begin("codespacerange", 1):
                self._value(0x0000)
                self._value(0xFFFF)
                self.write(b"\n")
            glyphs = sorted(g for g in texts if g <= 0xFFFF)
            for start in range(0, len(glyphs), 100):
                section = glyphs[start : start + 100]
                with self._begin("bfchar", len(section)):
                    for glyph in section:
                        self._value(glyph)
                        self._hex(texts[glyph].encode("utf-16-be"))
                        self.write(b"\n")
            self.print("CMapName currentdict /CMap defineresource pop")


# -- the replacements, installed by kaderpers.pdf.compat ------------------------------------
# Each ``tag_*`` function makes the replacement of one rinohtype method from the
# original. A replacement does what the original does when its document has no
# tagger (an untagged build, or a document rinohtype lays out for measuring).


def _tagger(document) -> Tagger | None:
    return getattr(document, "tagger", None)


def tag_text(original):
    """``Canvas.show_glyphs``: each text run becomes marked content of its element, or an artifact."""

    def show_glyphs(self, left, cursor, span, glyphs, container):
        tagger = _tagger(container.document)
        if tagger is None or isinstance(span, InlineFlowableSpan):  # an inline image: rinohtype raises, places it, and it is marked there
            return original(self, left, cursor, span, glyphs, container)
        node = tagger.text_node(span, glyphs, container)
        if node is ARTIFACT or (tagger.repeated_heads and tagger.in_repeated_head(span.parent)):
            self.write(_ARTIFACT_BEGIN)
        else:
            self.write(tagger.mark(node))
        width = original(self, left, cursor, span, glyphs, container)
        self.write(_END)
        return width

    return show_glyphs


def tag_image_placement(original):
    """``Canvas.place_image``: an image is marked content of its Figure, or an artifact (a logo)."""

    def place_image(self, image, left, top, document, *args, **kwargs):
        tagger = _tagger(document)
        if tagger is None:
            return original(self, image, left, top, document, *args, **kwargs)
        owner = tagger.images[-1] if tagger.images else None
        node = ARTIFACT if owner is None else tagger.element(owner, tagger._container)
        self.write(_ARTIFACT_BEGIN if node is ARTIFACT else tagger.mark(node))
        size = original(self, image, left, top, document, *args, **kwargs)
        self.write(_END)
        return size

    return place_image


def remember_rendered_image(original):
    """``ImageBase.render``: tells :func:`tag_image_placement` which element places the image."""

    def render(self, container, *args, **kwargs):
        tagger = _tagger(container.document)
        if tagger is None:
            return original(self, container, *args, **kwargs)
        tagger.images.append(self)
        tagger._container = container
        try:
            return original(self, container, *args, **kwargs)
        finally:
            tagger.images.pop()

    return render


def remember_repeated_heads(original):
    """``Table.render``: a table continued on a further page repeats its head, which is an artifact there."""

    def render(self, container, last_descender, state, *args, **kwargs):
        tagger = _tagger(container.document)
        if tagger is None or state.initial:
            return original(self, container, last_descender, state, *args, **kwargs)
        tagger.repeated_heads.add(id(self))
        try:
            return original(self, container, last_descender, state, *args, **kwargs)
        finally:
            tagger.repeated_heads.discard(id(self))

    return render


def as_artifact(original):
    """``render`` of rules, borders and fills: drawn as artifacts, not content."""

    def render(self, container, *args, **kwargs):
        if _tagger(container.document) is None:
            return original(self, container, *args, **kwargs)
        container.canvas.write(_ARTIFACT_BEGIN)
        result = original(self, container, *args, **kwargs)
        container.canvas.write(_END)
        return result

    return render


def with_ligature_texts(original):
    """``Document.register_font``: fonts get a ToUnicode map that maps ligature glyphs to their letters."""

    def register_font(self, font):
        new = font not in self.fonts
        number, resource = original(self, font)
        if new and isinstance(font, OpenTypeFont) and "ToUnicode" in resource:
            resource["ToUnicode"] = ToUnicode(glyph_texts(font), filter=FlateDecode())
        return number, resource

    return register_font


def remembered_object_numbers(original):  # noqa: ARG001 - replaced whole
    """rinohtype's ``cos.Document.register`` without its scan of every object number per call.

    The original takes the largest object number plus one, computing the largest
    each time; a structure tree adds tens of thousands of objects, which made
    that quadratic. The largest is remembered while nothing else changed the
    table, so the numbers are the same as rinohtype's.
    """

    def register(self, obj):
        try:
            return self._by_object_id[id(obj)]
        except KeyError:
            pass
        known = self.__dict__.get("_kaderpers_largest")
        if known is None or known[0] != len(self) or known[1] not in self or known[1] + 1 in self:
            largest = self.max_identifier
        else:
            largest = known[1]
        identifier = largest + 1
        reference = cos.Reference(self, identifier, 0)
        self._by_object_id[id(obj)] = reference
        self[identifier] = obj
        self._kaderpers_largest = (len(self), identifier)
        return reference

    return register
