"""Test-only: keep the PDF as rinohtype laid it out, before it is compacted.

``conftest.upstream_pdfs`` puts this folder on ``PYTHONPATH`` of its build, so every
Python process of that build runs this first. It wraps
:func:`kaderpers.pdf.builder.compact` to copy its input into the folder named by
``KADERPERS_TEST_LAID_OUT`` (as ``algoritmekader.pdf``, ``handouts-ontwerp.pdf``, ...), where ``tests/test_print.py`` compares the compacted edition with it. The product
itself keeps no second copy.
"""

import os
import shutil
from pathlib import Path

try:
    from kaderpers.pdf import builder
except ImportError:  # a process that cannot load the PDF builder writes no PDF
    builder = None

if builder is not None and os.environ.get("KADERPERS_TEST_LAID_OUT"):
    _compact = builder.compact

    def _keep_then_compact(source: Path, target: Path) -> None:
        kept = Path(os.environ["KADERPERS_TEST_LAID_OUT"])
        kept.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, kept / f"{Path(target).name.split('.')[0]}.pdf")
        _compact(source, target)

    builder.compact = _keep_then_compact
