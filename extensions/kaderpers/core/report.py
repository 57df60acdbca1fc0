"""The findings of ``kaderpers check`` for CI: GitHub workflow commands and SARIF 2.1.0.

* ``--format github`` prints one workflow command per finding,
  ``::error file=docs/x.md,line=4,title=kaderpers meta.type::message``, which GitHub
  Actions shows as an annotation on the pull request's changed lines. Values are escaped
  as GitHub's own toolkit escapes them (``%``, CR and LF everywhere; ``:`` and ``,`` in the
  properties too).
* ``--format sarif`` writes a SARIF 2.1.0 log for GitHub code scanning and GitLab: every rule
  of :data:`~kaderpers.core.findings.RULES` with its id, summary and level, and one result per
  finding at its file (relative to the repository root) and line.

Both name files relative to the root of the git repository that holds the tree (the
annotations and code scanning need that), else relative to the current folder when the tree is
inside it, else to the tree. ``--format json`` stays :func:`~kaderpers.core.findings.format_json`.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from urllib.parse import quote

from ..version import __version__
from .findings import RULES, Finding, Level, format_json, sort_key

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
#: The base the SARIF results' file names are relative to.
SOURCE_ROOT = "%SRCROOT%"
#: Shown by GitHub as the annotation's title, before the rule.
TITLE_PREFIX = "kaderpers"


def repository_root(tree: Path) -> Path:
    """Where the findings' file names start: the tree's git repository, else the current
    folder when it holds the tree, else the tree itself."""
    try:
        result = subprocess.run(["git", "-C", str(tree), "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=False)
    except OSError:
        result = None
    if result is not None and result.returncode == 0 and result.stdout.strip():
        return Path(result.stdout.strip()).resolve()
    current = Path.cwd().resolve()
    return current if tree.resolve().is_relative_to(current) else tree.resolve()


def repository_path(finding: Finding, tree: Path, root: Path) -> str:
    """The finding's file relative to ``root``, with forward slashes."""
    absolute = Path(os.path.normpath(tree.resolve() / finding.path))
    if absolute.is_relative_to(root):
        return absolute.relative_to(root).as_posix()
    return Path(os.path.relpath(absolute, root)).as_posix()


# --- GitHub workflow commands ------------------------------------------------------------------


def escape_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub's toolkit does (%, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value, escaped as GitHub's toolkit does (also : and ,)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(finding: Finding, file: str) -> str:
    """One finding as a GitHub workflow command (``::error file=…,line=…,title=…::message``)."""
    properties = {"file": file}
    if finding.line:
        properties["line"] = str(finding.line)
    properties["title"] = f"{TITLE_PREFIX} {finding.rule}"
    joined = ",".join(f"{name}={escape_property(value)}" for name, value in properties.items())
    return f"::{finding.level} {joined}::{escape_data(f'{finding.message} [{finding.rule}]')}"


def format_github(findings: list[Finding], tree: Path) -> str:
    """``check --format github``: a workflow command per finding, files named from the repository root."""
    root = repository_root(tree)
    return "\n".join(workflow_command(finding, repository_path(finding, tree, root)) for finding in sorted(findings, key=sort_key))


# --- SARIF 2.1.0 -------------------------------------------------------------------------------

#: SARIF's levels for ours (the same words).
SARIF_LEVELS = {Level.ERROR: "error", Level.WARNING: "warning"}


def sarif_log(findings: list[Finding], tree: Path) -> dict[str, object]:
    """The findings as a SARIF 2.1.0 log: every rule of ``RULES``, a result per finding with its file and line."""
    root = repository_root(tree)
    rule_ids = list(RULES)
    rules = [
        {
            "id": rule.id,
            "shortDescription": {"text": rule.summary},
            "defaultConfiguration": {"level": SARIF_LEVELS[rule.level]},
        }
        for rule in RULES.values()
    ]
    results = []
    for finding in sorted(findings, key=sort_key):
        physical: dict[str, object] = {"artifactLocation": {"uri": quote(repository_path(finding, tree, root)), "uriBaseId": SOURCE_ROOT}}
        if finding.line:
            physical["region"] = {"startLine": finding.line}
        results.append(
            {
                "ruleId": finding.rule,
                "ruleIndex": rule_ids.index(finding.rule),
                "level": SARIF_LEVELS[finding.level],
                "message": {"text": finding.message},
                "locations": [{"physicalLocation": physical}],
            }
        )
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "kaderpers", "version": __version__, "rules": rules}},
                "originalUriBaseIds": {SOURCE_ROOT: {"uri": root.as_uri() + "/"}},
                "results": results,
            }
        ],
    }


def format_sarif(findings: list[Finding], tree: Path) -> str:
    """``check --format sarif``: the SARIF log as JSON text."""
    return json.dumps(sarif_log(findings, tree), ensure_ascii=False, indent=2)


#: The machine-readable formats of ``check --format``, each a function of the findings and the tree.
FORMATS = {
    "json": lambda findings, tree: format_json(findings),
    "github": format_github,
    "sarif": format_sarif,
}
