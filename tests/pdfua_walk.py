"""The ``pdfua`` checker (a test dependency) with a linear walk of the structure tree.

pdfua 0.1's ``PdfDocument._walk`` builds each element with all its descendants (``_build``), yields
it, then walks each child again, which builds that child's subtree once more: every element is built
once per ancestor. On the real tree's 400-page edition that is 650,000 builds of 40,000 elements,
10 of the checker's 13 CPU-s. :func:`linear_walk` yields the subtree ``_build`` already made, in
the same order, with the same elements; the rules see the same sequence.

This is the one place the tests touch pdfua's internals: checked against the version it was
written for, undone on leaving the block, and proved output-neutral by
``tests/test_pdf_tagged.py::test_the_linear_walk_gives_the_checker_the_same_elements_and_findings``.
A fix belongs upstream; when pdfua walks linearly itself, this module goes.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterator
from contextlib import contextmanager

#: The pdfua versions whose ``PdfDocument._walk`` and ``_build`` this was written against.
WRITTEN_FOR = ("0.1.",)


def _walk(self, node, depth: int, page: int | None) -> Iterator:
    """``PdfDocument._walk``: ``node`` and every element beneath it, depth-first, parent first, each built once."""
    element = self._build(node, depth, page)
    if element is None:
        return
    pending = [element]
    while pending:
        current = pending.pop()
        yield current
        pending.extend(reversed(current.children))


@contextmanager
def linear_walk() -> Iterator[None]:
    """Inside the block, pdfua builds each structure element once."""
    from pdfua.document import PdfDocument

    version = importlib.metadata.version("pdfua")
    if not version.startswith(WRITTEN_FOR):
        raise AssertionError(f"tests/pdfua_walk.py was written for pdfua {WRITTEN_FOR}, not {version}: check PdfDocument._walk again")
    original = PdfDocument.__dict__["_walk"]
    PdfDocument._walk = _walk
    try:
        yield
    finally:
        PdfDocument._walk = original
