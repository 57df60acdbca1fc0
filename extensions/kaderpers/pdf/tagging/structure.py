"""The structure tree of a tagged PDF: :class:`Tagger` builds it while rinohtype lays the
pages out, giving each element its role (``P``, ``H2``, ``TD``, ``Note``, an artifact, ...),
and writes it with the pages' marked content when they are final (:meth:`Tagger.finish`).
"""

from __future__ import annotations

import re

from rinoh.backend.pdf import cos
from rinoh.flowable import LabeledFlowable
from rinoh.highlight import CodeBlock
from rinoh.image import Caption, ImageBase
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

from .metadata import xmp_metadata
from .objects import ARTIFACT, MARK, Element, pdf_name

#: Structure types of our own, and the standard type each stands for.
ROLE_MAP = {"Admonition": "Div"}
#: Deepest heading level PDF/UA knows (H1–H6); deeper sections keep H6.
MAX_HEADING = 6

#: Tags in alt texts (authors write <lang=en>…</lang=en>).
_MARKUP = re.compile(r"</?[A-Za-z][^<>]*>")


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
            content = MARK.sub(renumber, canvas.getvalue())
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
            cos_pages[index]["Tabs"] = pdf_name("S")
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
            for location, annotation in zip(locations, annots, strict=False):
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
