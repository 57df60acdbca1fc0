"""A watchdog that turns a hung PDF layout into an error naming where it hung.

rinohtype can loop forever (for example on an image wider than the line placed
inline). The watchdog is a thread in the process that lays out the PDF: when a
document takes longer than its time limit, it prints the page being laid out
and the kader page it comes from, then ends the process at once. Ending the
process (``os._exit``) skips Sphinx's error handling, which would delete the
environment that the other PDF processes share.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

#: Exit status of a process the watchdog ended; the orchestrator recognises it.
HUNG = 75
FAILURE = "kaderpers-pdf: ERROR"
#: The line a PDF process prints with its layout time limit (from its Sphinx configuration), and its pattern.
TIME_LIMIT = "kaderpers-pdf: layout time limit {seconds} s"
TIME_LIMIT_LINE = re.compile(r"kaderpers-pdf: layout time limit (?P<seconds>\d+) s")


@contextmanager
def watchdog(target: str, timeout: float, where: Callable[[], tuple[int, str]]) -> Iterator[None]:
    """Run the body; if it takes over ``timeout`` seconds, report ``where()`` and end the process."""
    done = threading.Event()

    def watch() -> None:
        if done.wait(timeout):
            return
        try:
            page, docname = where()
        except Exception:  # the layout is in an unknown state; still report the hang
            page, docname = "?", "?"
        print(
            f"{FAILURE} {target}: the layout did not finish within {timeout:g} s; it hung on page {page},"
            f" after content from {docname}. rinohtype loops on some content (for example an oversized"
            f" image inside a paragraph): check that page, or raise kaderpers_pdf_timeout if the document is just long.",
            file=sys.stderr,
            flush=True,
        )
        os._exit(HUNG)

    thread = threading.Thread(target=watch, name=f"watchdog {target}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
