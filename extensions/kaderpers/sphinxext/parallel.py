"""Processes and memory: parallel work only where it pays, and a garbage collector that keeps up.

* ``kaderpers build`` runs Sphinx with ``-j auto``: on a clean build of the kader,
  reading and writing in two processes saves a quarter of the time. An edit of
  one page reads one page and writes a dozen; forking for that costs more than
  it saves (0.3 s of a 2 s rebuild), so such a small update runs in one process.
* Python collects its youngest objects after 700 allocations, and now and then
  walks every object it holds. A build allocates millions of short-lived nodes,
  and in a parallel read the main process unpickles each reader's environment
  to merge it: at ten times the real kader the collector took a fifth of the
  build (94 s; 73 s with :data:`GC_THRESHOLDS`, for 0.4 GB more at the peak).
  The HTML build collects less often; the PDF processes keep their own setting
  (:mod:`kaderpers.pdf.speedups`), where the layout's garbage would pile up.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

#: Updates that read at most this many pages run in one process.
SMALL_UPDATE = 8


def serial_for_small_updates(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    if app.parallel > 1 and len(docnames) <= SMALL_UPDATE and app.builder.format == "html":
        app.parallel = 1  # Sphinx reads in parallel only when this is above 1 ...
        app.builder.parallel_ok = False  # ... and decided about writing before this event


#: Allocations before the youngest generation is collected, and collections of one
#: generation before the next is (Python's default: 700, 10, 10).
GC_THRESHOLDS = (50_000, 20, 20)


def collect_less_often(app: Sphinx) -> None:
    if app.builder.format == "html":
        gc.set_threshold(*GC_THRESHOLDS)


def setup(app: Sphinx) -> None:
    """Fewer garbage collections in HTML builds, and a serial read and write for small updates."""
    app.connect("builder-inited", collect_less_often)
    # After the other handlers, which may still add pages to read.
    app.connect("env-before-read-docs", serial_for_small_updates, priority=900)
