"""Parallel processes only where they pay.

``kaderpers build`` runs Sphinx with ``-j auto``: on a clean build of the kader,
reading and writing in two processes saves a quarter of the time. An edit of one
page reads one page and writes a dozen; forking for that costs more than it
saves (0.3 s of a 2 s rebuild), so such a small update runs in one process.
"""

from __future__ import annotations

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


def setup(app: Sphinx) -> None:
    # After the other handlers, which may still add pages to read.
    app.connect("env-before-read-docs", serial_for_small_updates, priority=900)
