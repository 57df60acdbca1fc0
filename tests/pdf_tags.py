"""Reading the tags of a PDF with pikepdf: the structure tree, marked content and annotations.

Shared by the tagged-PDF tests; each function returns what it found, the tests say what must hold.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

TEXT_OPERATORS = {"Tj", "TJ", "'", '"'}
#: Operators that put something on the page: text, images and forms, painted paths, shadings.
PAINTING_OPERATORS = TEXT_OPERATORS | {"Do", "S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "BI"}


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


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, pikepdf.Array):
        return list(value)
    return [value]


def unmarked_content(pdf: pikepdf.Pdf) -> list[tuple[int, str]]:
    """(page, operator) of every operator that paints (text, image, path) outside marked content,
    or that nests or leaves marked content unbalanced (EMC without BDC, BDC without EMC, BDC in BDC)."""
    found = []
    for index, page in enumerate(pdf.pages):
        depth = 0
        for _operands, operator in pikepdf.parse_content_stream(page):
            name = str(operator)
            if name in ("BDC", "BMC"):
                depth += 1
                if depth > 1:
                    found.append((index, "nested " + name))
            elif name == "EMC":
                depth -= 1
                if depth < 0:
                    found.append((index, "EMC outside marked content"))
                    depth = 0
            elif depth <= 0 and name in PAINTING_OPERATORS:
                found.append((index, name))
        if depth:
            found.append((index, "marked content left open"))
    return found


def marked_ids(pdf: pikepdf.Pdf) -> set[tuple[int, int]]:
    """(page, MCID) of every tagged (not artifact) marked-content sequence."""
    found = set()
    for index, page in enumerate(pdf.pages):
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                found.add((index, int(operands[1]["/MCID"])))
    return found


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
    import pypdf

    reader = pypdf.PdfReader(path)
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


@dataclass(frozen=True)
class TextRun:
    page: int
    #: height of the run's baseline above the bottom of the page, in points
    height: float
    #: in tagged marked content (an MCID), not in an ``/Artifact``
    tagged: bool
    text: str


def text_runs(path: Path) -> list[TextRun]:
    """Every text run of the PDF with its page, height and whether it is tagged content or an artifact."""
    import pypdf

    runs: list[TextRun] = []
    for index, page in enumerate(pypdf.PdfReader(path).pages):
        tagged = [False]

        def before(operator: bytes, operands: list, cm: list, tm: list, tagged: list = tagged) -> None:
            if operator == b"BDC":
                tagged[0] = hasattr(operands[1], "get") and "/MCID" in operands[1]
            elif operator in (b"BMC", b"EMC"):
                tagged[0] = False

        def text(chunk: str, cm: list, tm: list, font: object, size: float, index: int = index, tagged: list = tagged) -> None:
            if chunk.strip():
                runs.append(TextRun(index, tm[5] * cm[3] + cm[5], tagged[0], chunk.strip()))

        page.extract_text(visitor_operand_before=before, visitor_text=text)
    return runs
