"""What readers take away in print (issue 21): a lighter PDF, and diagrams that read on paper.

The real tree's edition comes from the shared ``upstream_pdfs`` build (conftest), which
also keeps each PDF as rinohtype laid it out, before it was compacted
(``OUT/pdf-laid-out``, through ``tests/laid_out/sitecustomize.py``): the compacted
edition is held against that copy, so no second layout is needed.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from pdf_tags import link_annotations, structure

pikepdf = pytest.importorskip("pikepdf")
pypdf = pytest.importorskip("pypdf")

pytestmark = [pytest.mark.pdf, pytest.mark.upstream]


def outline(reader: pypdf.PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, page number) of every bookmark, in order."""

    def walk(items: list, depth: int) -> list[tuple[int, str, int]]:
        found = []
        for item in items:
            if isinstance(item, list):
                found += walk(item, depth + 1)
            else:
                found.append((depth, str(item.title), reader.get_destination_page_number(item)))
        return found

    return walk(reader.outline, 0)


def element_counts(path: Path) -> Counter:
    with pikepdf.open(path) as pdf:
        tree = structure(pdf)
        assert tree is not None, f"{path.name} has no structure tree"
        return Counter(element.type for element in tree.walk())


def link_count(path: Path) -> int:
    with pikepdf.open(path) as pdf:
        return sum(1 for _ in link_annotations(pdf))


def xmp_and_images(path: Path) -> tuple[str, list[tuple[int, int, str, bytes]]]:
    """The XMP metadata packet, and every image of every page: width, height, filter and decoded bytes."""
    with pikepdf.open(path) as pdf:
        images = []
        for page in pdf.pages:
            for _, image in sorted((page.Resources.get("/XObject") or {}).items()):
                if image.get("/Subtype") == "/Image":
                    data = image.read_raw_bytes() if image.get("/Filter") == "/DCTDecode" else image.read_bytes()
                    images.append((int(image.Width), int(image.Height), str(image.get("/Filter")), data))
        return pdf.Root.Metadata.read_bytes().decode("utf-8"), images


@pytest.fixture(scope="session")
def laid_out_edition(upstream_edition: Path) -> Path:
    path = upstream_edition.parents[1] / "pdf-laid-out" / "algoritmekader.pdf"
    assert path.is_file(), "the build kept no laid-out copy of the edition (tests/laid_out/sitecustomize.py)"
    return path


def test_edition_is_compacted_to_at_most_055_of_its_laid_out_size_and_loses_nothing(upstream_edition: Path, laid_out_edition: Path) -> None:
    compacted, laid_out = upstream_edition.stat().st_size, laid_out_edition.stat().st_size
    assert compacted <= 0.55 * laid_out, f"{compacted / 1e6:.1f} MB is {compacted / laid_out:.2f}× the laid-out {laid_out / 1e6:.1f} MB"
    with pikepdf.open(upstream_edition) as pdf:  # written with object streams
        assert any(obj.get("/Type") == "/ObjStm" for obj in pdf.objects if isinstance(obj, pikepdf.Stream))
    before, after = pypdf.PdfReader(laid_out_edition), pypdf.PdfReader(upstream_edition)
    assert len(after.pages) == len(before.pages) > 300
    bookmarks = outline(after)
    assert len(bookmarks) > 200 and bookmarks == outline(before)
    assert link_count(upstream_edition) == link_count(laid_out_edition) > 100
    counts = element_counts(upstream_edition)
    assert counts["Figure"] and counts["Link"] and counts == element_counts(laid_out_edition)
    texts = [page.extract_text() for page in after.pages]
    assert sum(map(len, texts)) > 500_000 and texts == [page.extract_text() for page in before.pages]
    xmp, images = xmp_and_images(upstream_edition)
    assert "pdfuaid:part" in xmp and (xmp, images) == xmp_and_images(laid_out_edition)
    assert images, "the edition has no images to compare"
