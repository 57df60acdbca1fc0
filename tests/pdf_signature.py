"""What a reader gets from a PDF, page by page: text (poppler), links and outline (pypdf).

Two PDFs with equal signatures read the same: the same words on the same pages,
links from the same places to the same targets, the same bookmarks to the same
pages. Used to prove changes output-neutral (tests/test_pdf_compat.py) and to
compare a build with an earlier one.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pypdf

from pdf_text import page_texts


@dataclass(frozen=True)
class PageSignature:
    text: str
    #: (rectangle rounded to a point, target) of every link annotation, in order.
    links: tuple[tuple[tuple[int, ...], tuple[str, ...]], ...]


@dataclass(frozen=True)
class Signature:
    pages: tuple[PageSignature, ...]
    #: (depth, title, page index) of every bookmark, in order.
    outline: tuple[tuple[int, str, int], ...]


def _target(reader: pypdf.PdfReader, annotation: dict) -> tuple[str, ...]:
    action = annotation.get("/A")
    action = action.get_object() if action is not None else None
    if action is not None and action.get("/S") == "/URI":
        return ("uri", str(action["/URI"]))
    destination = action["/D"] if action is not None and action.get("/S") == "/GoTo" else annotation.get("/Dest")
    if isinstance(destination, str):
        named = reader.named_destinations.get(destination)
        return ("name", destination, str(reader.get_destination_page_number(named)) if named is not None else "?")
    return ("other", repr(destination))


def _outline(reader: pypdf.PdfReader, items: list, depth: int = 0) -> list[tuple[int, str, int]]:
    result = []
    for item in items:
        if isinstance(item, list):
            result.extend(_outline(reader, item, depth + 1))
        else:
            result.append((depth, str(item.title), reader.get_destination_page_number(item)))
    return result


def signature(path: Path) -> Signature:
    reader = pypdf.PdfReader(path)
    texts = page_texts(path)
    assert len(texts) == len(reader.pages), f"poppler reads {len(texts)} pages of {path.name}, pypdf {len(reader.pages)}"
    pages = []
    for page, text in zip(reader.pages, texts, strict=True):
        links = []
        for reference in page.get("/Annots") or []:
            annotation = reference.get_object()
            if annotation.get("/Subtype") == "/Link":
                rectangle = tuple(round(float(value)) for value in annotation.get("/Rect", ()))
                links.append((rectangle, _target(reader, annotation)))
        pages.append(PageSignature(text, tuple(links)))
    return Signature(tuple(pages), tuple(_outline(reader, reader.outline)))


def differences(first: Signature, second: Signature, limit: int = 10) -> list[str]:
    """Where two signatures differ, page by page (at most ``limit`` lines)."""
    found = []
    if len(first.pages) != len(second.pages):
        found.append(f"{len(first.pages)} pages against {len(second.pages)}")
    for number, (one, other) in enumerate(zip(first.pages, second.pages, strict=False), start=1):
        if one.text != other.text:
            found.append(f"page {number}: text differs")
        if one.links != other.links:
            found.append(f"page {number}: links differ ({len(one.links)} against {len(other.links)})")
    if first.outline != second.outline:
        changed = [pair for pair in zip(first.outline, second.outline, strict=False) if pair[0] != pair[1]]
        found.append(f"outline differs: {len(first.outline)} against {len(second.outline)} entries, first change {changed[:1]}")
    return found[:limit]


if __name__ == "__main__":
    # python tests/pdf_signature.py A.pdf B.pdf: what differs, nothing when they read the same
    different = differences(signature(Path(sys.argv[1])), signature(Path(sys.argv[2])), limit=50)
    print("\n".join(different) or "same text, links and outline on every page")
    sys.exit(1 if different else 0)
