"""``kaderpers check --links``: the tree's external links checked over HTTP, with progress on stderr.

The settings are the ``kaderpers_link_*`` values of the tree's own ``conf.py`` (found as
``build`` finds it), read with Sphinx's own reader but without a Sphinx build; with
``--isolated`` that file is never run and the defaults apply.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.beslishulp import shown_as
from ..core.findings import Finding
from ..core.links import check_links
from ..core.loader import load_tree

if TYPE_CHECKING:
    from ..sphinxext.config import KaderpersConfig

#: Progress lines are at least this many seconds apart.
PROGRESS_EVERY = 2.0


def link_settings(content: Path, isolated: bool) -> tuple[KaderpersConfig, list[Finding]]:
    """The typed configuration of ``check --links`` (the tree's conf.py run without a build, unless
    ``isolated``), and findings for values that are not valid."""
    from sphinx.config import eval_config_file
    from sphinx.errors import ConfigError
    from sphinx.util.tags import Tags

    from ..core.loader import find_beside
    from ..sphinxext.config import config_from_namespace
    from .build import CONF_FILE, sphinx_configuration

    confdir, _ = sphinx_configuration(content, isolated)
    if confdir is None:
        skipped = find_beside(content, CONF_FILE) if isolated else None
        note = f" (--isolated: {skipped} is not run)" if skipped else ""
        print(f"kaderpers: link settings: the defaults{note}", file=sys.stderr)
        return config_from_namespace({}, content)[0], []
    conf = confdir / CONF_FILE
    try:
        namespace = eval_config_file(conf, Tags())
    except ConfigError as error:
        raise SystemExit(f"kaderpers: cannot read {conf}: {error}") from error
    print(f"kaderpers: link settings: {conf}", file=sys.stderr)
    config, problems = config_from_namespace(namespace, confdir)
    return config, [Finding(shown_as(conf, content), None, "config", problem) for problem in problems]


class Progress:
    """``checked N of M links`` on stderr, at most every :data:`PROGRESS_EVERY` seconds, and at the end."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or now - self.last >= PROGRESS_EVERY:
            self.last = now
            print(f"kaderpers: checked {done} of {total} links", file=sys.stderr, flush=True)


def check_tree_links(content: Path, *, isolated: bool, anchors: bool) -> list[Finding]:
    """The findings of the tree's external links (and of the link settings), with a summary on stderr."""
    started = time.perf_counter()
    config, findings = link_settings(content, isolated)
    options = config.link_options(anchors=anchors)
    link_findings, report, occurrences = check_links(load_tree(content), options, Progress())
    findings.extend(link_findings)
    counts: dict[str, int] = {}
    for outcome in report.outcomes.values():
        key = "cached" if outcome.from_cache else str(outcome.status)
        counts[key] = counts.get(key, 0) + 1
    if report.cache_problem:
        print(f"kaderpers: {report.cache_problem}", file=sys.stderr)
    summary = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
    print(
        f"kaderpers: {len(report.outcomes)} external links ({occurrences} occurrences): {summary or 'none'}; "
        f"{report.requests} requests in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return findings
