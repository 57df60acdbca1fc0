"""Reading the tags of a PDF with pikepdf: the structure tree, marked content and annotations.

Shared by the tagged-PDF tests; each function returns what it found, the tests say what must hold.
"""

from __future__ import annotations

import functools
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

TEXT_OPERATORS = {"Tj", "TJ", "'", '"'}
#: Operators that put something on the page: text, images and forms, painted paths, shadings, and an inline
#: image (which pikepdf reads from ``BI`` to ``EI`` as one instruction).
PAINTING_OPERATORS = TEXT_OPERATORS | {"Do", "S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "INLINE IMAGE"}


@dataclass
class Element:
    type: str
    alt: str | None
    attributes: dict
    kids: list = field(default_factory=list)  # Element, ("mcid", page, n) or ("objr", objgen)

    def walk(self) -> Iterator[Element]:
        yield self
        for kid in self.kids:
            if isinstance(kid, Element):
                yield from kid.walk()


def structure(pdf: pikepdf.Pdf) -> Element | None:
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return None
    role_map = {str(k): str(v) for k, v in (root.get("/RoleMap") or {}).items()}
    pages = {page.objgen: index for index, page in enumerate(pdf.pages)}

    def element(dictionary, page) -> Element:
        kind = str(dictionary.get("/S", "/?"))[1:]
        kind = role_map.get("/" + kind, "/" + kind)[1:]
        attributes = {}
        for attribute in _as_list(dictionary.get("/A")):
            if isinstance(attribute, pikepdf.Dictionary):
                attributes.update({str(k): str(v) for k, v in attribute.items()})
        page = pages.get(dictionary["/Pg"].objgen, page) if "/Pg" in dictionary else page
        alt = str(dictionary["/Alt"]) if "/Alt" in dictionary else None
        node = Element(kind, alt, attributes)
        for kid in _as_list(dictionary.get("/K")):
            if isinstance(kid, int):
                node.kids.append(("mcid", page, int(kid)))
            elif isinstance(kid, pikepdf.Dictionary):
                kid_type = str(kid.get("/Type", ""))
                if kid_type == "/MCR":
                    node.kids.append(("mcid", pages.get(kid["/Pg"].objgen, page) if "/Pg" in kid else page, int(kid["/MCID"])))
                elif kid_type == "/OBJR":
                    node.kids.append(("objr", kid["/Obj"].objgen))
                else:
                    node.kids.append(element(kid, page))
        return node

    kids = [element(kid, None) for kid in _as_list(root.get("/K")) if isinstance(kid, pikepdf.Dictionary)]
    return kids[0] if len(kids) == 1 else Element("(root)", None, {}, kids)


def structure_of(path: Path) -> Element | None:
    """The structure tree of the PDF at ``path`` (:func:`structure`), read once per test session (per
    path, size and modification time) and shared by the tests that read it: they must not change it."""
    status = Path(path).stat()
    return _structure_of(str(Path(path).resolve()), status.st_size, status.st_mtime_ns)


@functools.cache
def _structure_of(path: str, size: int, modified: int) -> Element | None:
    with pikepdf.open(path) as pdf:
        return structure(pdf)


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, pikepdf.Array):
        return list(value)
    return [value]


Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _times(m: Matrix, n: Matrix) -> Matrix:
    """``m × n`` in PDF's row-vector convention: ``m`` applied first, then ``n``."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u)


@dataclass(frozen=True)
class TextRun:
    page: int
    #: height of the run's origin above the bottom of the page, in points (in the page's space, through
    #: every ``cm``, text matrix and form XObject matrix)
    height: float
    #: in tagged marked content (an MCID), not in an ``/Artifact``
    tagged: bool


@dataclass(frozen=True)
class ContentScan:
    """What one pass over every page's content stream (pikepdf's C++ parser) finds."""

    #: (page, operator) of every operator that paints (text, image, path) outside marked content, or that
    #: nests or leaves marked content unbalanced (EMC without BDC, BDC without EMC, BDC in BDC)
    unmarked: list[tuple[int, str]]
    #: (page, MCID) of every tagged (not artifact) marked-content sequence
    marked_ids: set[tuple[int, int]] = field(repr=False)  # tens of thousands: kept out of a failure's message
    #: every text-showing operator, on the page or in a form XObject placed on it
    runs: list[TextRun] = field(repr=False)


def content_scan(path: Path) -> ContentScan:
    """The content of the PDF at ``path``, read once per test session (per path, size and modification
    time, so a file written again is read again)."""
    status = Path(path).stat()
    return _content_scan(str(Path(path).resolve()), status.st_size, status.st_mtime_ns)


@functools.cache
def _content_scan(path: str, size: int, modified: int) -> ContentScan:
    scan = ContentScan([], set(), [])
    forms: dict[tuple[int, int], list] = {}  # a form XObject placed on many pages is parsed once
    with pikepdf.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            reader = _PageReader(index, scan, forms)
            reader.read(pikepdf.parse_content_stream(page), page.get("/Resources"), IDENTITY, in_form=False)
            if reader.depth:
                scan.unmarked.append((index, "marked content left open"))
    return scan


@dataclass
class _PageReader:
    index: int
    scan: ContentScan
    forms: dict[tuple[int, int], list]
    #: depth of the page's own marked content (a form's own is not the page's to balance)
    depth: int = 0
    #: the open marked content, innermost last: does it carry an MCID?
    tagged: list[bool] = field(default_factory=list)

    def read(self, instructions: list, resources, ctm: Matrix, in_form: bool) -> None:
        stack: list[Matrix] = []
        text_matrix = line_matrix = IDENTITY
        leading = 0.0
        for instruction in instructions:
            name, operands = str(instruction.operator), instruction.operands
            if name in ("BDC", "BMC", "EMC"):
                self.marked_content(name, operands, in_form)
                continue
            if not in_form and self.depth <= 0 and name in PAINTING_OPERATORS:
                self.scan.unmarked.append((self.index, name))
            if name == "q":
                stack.append(ctm)
            elif name == "Q" and stack:
                ctm = stack.pop()
            elif name == "cm":
                ctm = _times(tuple(float(x) for x in operands), ctm)
            elif name == "BT":
                text_matrix = line_matrix = IDENTITY
            elif name == "Tm":
                text_matrix = line_matrix = tuple(float(x) for x in operands)
            elif name in ("Td", "TD", "T*", "'", '"'):
                if name == "TD":
                    leading = -float(operands[1])
                x, y = (float(operands[0]), float(operands[1])) if name in ("Td", "TD") else (0.0, -leading)
                text_matrix = line_matrix = _times((1.0, 0.0, 0.0, 1.0, x, y), line_matrix)
            elif name == "TL":
                leading = float(operands[0])
            if name in TEXT_OPERATORS and _shows_glyphs(operands[-1]):
                self.scan.runs.append(TextRun(self.index, _times(text_matrix, ctm)[5], bool(self.tagged) and self.tagged[-1]))
            elif name == "Do" and resources is not None:
                xobject = (resources.get("/XObject") or {}).get(str(operands[0]))
                if isinstance(xobject, pikepdf.Stream) and xobject.get("/Subtype") == "/Form":
                    if xobject.objgen not in self.forms:
                        self.forms[xobject.objgen] = pikepdf.parse_content_stream(xobject)
                    matrix = tuple(float(x) for x in xobject.get("/Matrix", IDENTITY))
                    self.read(self.forms[xobject.objgen], xobject.get("/Resources"), _times(matrix, ctm), in_form=True)

    def marked_content(self, name: str, operands, in_form: bool) -> None:
        if name == "EMC":
            if self.tagged:
                self.tagged.pop()
            if not in_form:
                self.depth -= 1
                if self.depth < 0:
                    self.scan.unmarked.append((self.index, "EMC outside marked content"))
                    self.depth = 0
            return
        properties = operands[1] if name == "BDC" and len(operands) > 1 else None
        has_mcid = isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties
        self.tagged.append(has_mcid)
        if not in_form:
            self.depth += 1
            if self.depth > 1:
                self.scan.unmarked.append((self.index, "nested " + name))
            if has_mcid:
                self.scan.marked_ids.add((self.index, int(properties["/MCID"])))


def _shows_glyphs(operand) -> bool:
    """A text operator's string (or ``TJ`` array) holds at least one byte."""
    if isinstance(operand, pikepdf.Array):
        return any(isinstance(item, pikepdf.String) and len(bytes(item)) for item in operand)
    return isinstance(operand, pikepdf.String) and len(bytes(operand)) > 0


@dataclass(frozen=True)
class Bookmark:
    depth: int
    title: str
    #: the page (from 0) the bookmark leads to, None if it leads nowhere in the file
    page: int | None

    @property
    def label(self) -> str:
        """The title without its section number (``"2.1 Rollen"`` → ``"Rollen"``)."""
        return re.sub(r"^[\d.]+\s+", "", self.title).strip()


def bookmarks(path: Path) -> list[Bookmark]:
    """Every bookmark of the PDF at ``path``, in order, read by qpdf (pypdf takes seconds to resolve
    the pages of a large file's outline); once per test session, per path, size and modification time."""
    status = Path(path).stat()
    return list(_bookmarks(str(Path(path).resolve()), status.st_size, status.st_mtime_ns))


@functools.cache
def _bookmarks(path: str, size: int, modified: int) -> tuple[Bookmark, ...]:
    found: list[Bookmark] = []
    with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
        pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
        names = pdf.Root.get("/Names")
        named = pikepdf.NameTree(names.Dests) if names is not None and "/Dests" in names else None
        dests = pdf.Root.get("/Dests")  # PDF 1.1's named destinations

        def page_of(destination) -> int | None:
            if isinstance(destination, pikepdf.String) and named is not None:
                destination = named.get(str(destination))
            elif isinstance(destination, pikepdf.Name) and dests is not None:
                destination = dests.get(destination)
            if isinstance(destination, pikepdf.Dictionary):
                destination = destination.get("/D")
            if isinstance(destination, pikepdf.Array) and len(destination) and isinstance(destination[0], pikepdf.Dictionary):
                return pages.get(destination[0].objgen)
            return None

        def walk(items: list, depth: int) -> None:
            for item in items:
                action = item.action
                destination = item.destination if action is None or item.destination is not None else action.get("/D")
                found.append(Bookmark(depth, str(item.title), page_of(destination)))
                walk(item.children, depth + 1)

        walk(outline.root, 0)
    return tuple(found)


def link_annotations(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    for page in pdf.pages:
        for annotation in page.get("/Annots") or []:
            if annotation.get("/Subtype") == "/Link":
                yield annotation


def parent_tree(pdf: pikepdf.Pdf) -> dict[int, object]:
    numbers = pdf.Root.StructTreeRoot.ParentTree.get("/Nums") or []
    return {int(numbers[i]): numbers[i + 1] for i in range(0, len(numbers), 2)}


def heading_levels(tree: Element) -> list[int]:
    return [int(e.type[1]) for e in tree.walk() if re.fullmatch(r"H[1-6]", e.type)]


def struct_text(pdf_path: Path) -> str:
    return subprocess.run(["pdfinfo", "-struct-text", str(pdf_path)], capture_output=True, text=True, check=True).stdout


def marked_texts(path: Path, pages: set[int]) -> dict[tuple[int, int], str]:
    """(page, MCID) → the text pypdf extracts from that marked-content sequence, on the given pages."""
    from pdf_text import pypdf_reader

    reader = pypdf_reader(path)
    found: dict[tuple[int, int], list[str]] = {}
    for index in sorted(pages):
        current: list[int | None] = [None]

        def before(operator: bytes, operands: list, cm: list, tm: list, current: list = current) -> None:
            if operator == b"BDC" and len(operands) > 1 and hasattr(operands[1], "get"):
                current[0] = operands[1].get("/MCID")
            elif operator == b"EMC":
                current[0] = None

        def text(chunk: str, cm: list, tm: list, font: object, size: float, current: list = current, index: int = index) -> None:
            if chunk.strip() and current[0] is not None:
                found.setdefault((index, int(current[0])), []).append(chunk.strip())

        reader.pages[index].extract_text(visitor_operand_before=before, visitor_text=text)
    return {key: " ".join(chunks) for key, chunks in found.items()}


def element_text(element: Element, texts: dict[tuple[int, int], str]) -> str:
    """The text of an element and everything in it, its lines joined by spaces."""
    parts = []
    for kid in element.kids:
        if isinstance(kid, Element):
            parts.append(element_text(kid, texts))
        elif kid[0] == "mcid" and (kid[1], kid[2]) in texts:
            parts.append(texts[kid[1], kid[2]])
    return " ".join(part for part in parts if part)


def element_pages(element: Element) -> set[int]:
    return {kid[1] for e in element.walk() for kid in e.kids if isinstance(kid, tuple) and kid[0] == "mcid"}
