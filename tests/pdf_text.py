"""A PDF's text, page by page, read by poppler's ``pdftotext``: one fast way for every test
that wants a PDF's words; and the images each page draws, read by poppler's ``pdfimages``.

pypdf's ``extract_text`` takes about 30 s for the real tree's 400-page edition, ``pdftotext``
about 1.5 s. The text of a file is read once per test session (per path, size and modification
time, so a file written again is read again). Tests whose point is the reader itself (marked
content, glyph sizes, ToUnicode maps) keep pypdf, pikepdf or pdfminer. pypdf's ``page.images``
parses every content stream in Python (3 CPU-s for content/'s 100-page edition); ``pdfimages
-list`` reads the same file in a tenth of a second. Where pypdf is the reader, :func:`pypdf_reader`
opens a session's shared PDF once per test process: pypdf took about 1 CPU-s to open the real tree's
edition and count its pages, and six tests did so.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path


def poppler(tool: str, *arguments: str) -> str:
    """What one of poppler's tools prints (``pdftotext``, ``pdfimages``, …)."""
    if shutil.which(tool) is None:
        raise AssertionError(f"poppler's {tool} is not installed; run `make setup` (installs poppler-utils)")
    return subprocess.run([tool, *arguments], capture_output=True, text=True, check=True).stdout


def pdftotext(pdf: Path, *options: str) -> str:
    """``pdftotext OPTIONS PDF -``: the whole text, each page ended by a form feed."""
    return poppler("pdftotext", *options, str(pdf), "-")


def drawn_images(pdf: Path) -> list[tuple[int, int, int]]:
    """(page from 1, width, height) in pixels of every image the pages draw, in page order: the images
    themselves, not their soft masks or stencil masks (``pdfimages -list``)."""
    found = []
    for line in poppler("pdfimages", "-list", str(pdf)).splitlines()[2:]:  # below the header and its rule
        page, _, kind, width, height, *_ = line.split()
        if kind == "image":
            found.append((int(page), int(width), int(height)))
    return found


@functools.cache
def _page_texts(path: str, size: int, modified: int, options: tuple[str, ...]) -> tuple[str, ...]:
    pages = pdftotext(Path(path), *options).split("\f")
    return tuple(pages[:-1])  # the last page's form feed ends the text


def page_texts(pdf: Path, *options: str) -> list[str]:
    """The text of every page, in order: in poppler's reading order (a table column by column), or
    with ``"-layout"`` line by line as printed (a table row by row)."""
    status = Path(pdf).stat()
    return list(_page_texts(str(Path(pdf).resolve()), status.st_size, status.st_mtime_ns, options))


def text(pdf: Path) -> str:
    """The text of every page, joined by newlines."""
    return "\n".join(page_texts(pdf))


@functools.lru_cache(maxsize=4)
def _pypdf_reader(path: str, size: int, modified: int):  # noqa: ANN202 - pypdf is imported late
    import pypdf

    return pypdf.PdfReader(path)


def pypdf_reader(pdf: Path):  # noqa: ANN201
    """pypdf's reader of ``pdf``, shared by the tests of this process that read the same file (per path, size
    and modification time). Only to read: a test that changes the document opens a reader of its own."""
    status = Path(pdf).stat()
    return _pypdf_reader(str(Path(pdf).resolve()), status.st_size, status.st_mtime_ns)
