"""A PDF's text, page by page, read by poppler's ``pdftotext``: one fast way for every test
that wants a PDF's words.

pypdf's ``extract_text`` takes about 30 s for the real tree's 400-page edition, ``pdftotext``
about 1.5 s. The text of a file is read once per test session (per path, size and modification
time, so a file written again is read again). Tests whose point is the reader itself (marked
content, glyph sizes, ToUnicode maps) keep pypdf, pikepdf or pdfminer.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path


def pdftotext(pdf: Path, *options: str) -> str:
    """``pdftotext OPTIONS PDF -``: the whole text, each page ended by a form feed."""
    if shutil.which("pdftotext") is None:
        raise AssertionError("poppler's pdftotext is not installed; run `make setup` (installs poppler-utils)")
    return subprocess.run(["pdftotext", *options, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


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
