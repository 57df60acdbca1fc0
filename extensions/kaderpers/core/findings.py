"""Findings: what the checker and the build say about content, in one shape.

A finding is printed as ``path:line: level: message [rule]`` by the command line
and becomes a Sphinx warning with type ``kaderpers`` and the rule as subtype
during a build, so ``suppress_warnings = ["kaderpers.meta.unknown-key"]`` works.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum


class Level(StrEnum):
    """How serious a finding is: an error fails ``check`` and a build with ``--strict`` fails on warnings too."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    """A rule: its id (the warning subtype), its level and a one-line summary."""

    id: str
    level: Level
    summary: str


def _rules(*rules: Rule) -> dict[str, Rule]:
    return {rule.id: rule for rule in rules}


E, W = Level.ERROR, Level.WARNING

#: Every rule the checker knows, with its level, and every kind of warning a build
#: gives (the subtype of its Sphinx warning). The one place that decides whether
#: something is an error or a warning, and the list ``suppress_warnings`` chooses from.
RULES: dict[str, Rule] = _rules(
    Rule("encoding.invalid", E, "file is not valid UTF-8"),
    Rule("encoding.bom", W, "file starts with a byte-order mark"),
    Rule("encoding.crlf", W, "file uses Windows (CRLF) line ends"),
    Rule("page.empty", E, "file is empty"),
    Rule("yaml.syntax", E, "front matter is not valid YAML"),
    Rule("yaml.tab-indent", W, "front matter is indented with tabs"),
    Rule("yaml.not-mapping", E, "front matter is not a key: value mapping"),
    Rule("meta.title-missing", E, "page has no title"),
    Rule("meta.title-period", W, "title ends with a period"),
    Rule("meta.id-missing", E, "record has no id"),
    Rule("meta.id-format", E, "id is not of the form urn:nl:ak:(ver|mtr):<code>-NN"),
    Rule("meta.id-filename", E, "id does not match the file name"),
    Rule("meta.id-duplicate", E, "two records share an id"),
    Rule("meta.type", E, "front-matter value has the wrong type"),
    Rule("meta.string-for-list", W, "a single string where a list is expected"),
    Rule("meta.unknown-key", W, "front-matter key is not part of the schema"),
    Rule("meta.toelichting-length", W, "toelichting is longer than 40 words"),
    Rule("ref.dangling", E, "reference to a record that does not exist"),
    Rule("ref.null", E, "empty (null) item in a reference list"),
    Rule("vocab.unknown", E, "value outside its vocabulary"),
    Rule("meta.uitzondering", E, "uitzondering entry is not a valid label expression"),
    Rule("directive.unknown", E, "unknown list directive"),
    Rule("directive.flag", E, "unknown flag in a list directive"),
    Rule("directive.filter", E, "unknown filter key or value in a list directive"),
    Rule("directive.malformed", E, "directive marker that can never expand"),
    Rule("vocabulary.invalid", E, "the vocabulary file is not valid"),
    Rule("beslishulp.syntax", E, "the decision tree cannot be read"),
    Rule("beslishulp.schema", E, "the decision tree does not follow the beslishulp format"),
    Rule("beslishulp.id-duplicate", E, "two questions or two conclusions share an id"),
    Rule("beslishulp.unknown-id", E, "an answer leads to a question or conclusion that does not exist"),
    Rule("beslishulp.unreachable", W, "a question or conclusion is on no path from the first question"),
    Rule("beslishulp.dead-end", E, "an answer whose redirects all fail for some path"),
    Rule("beslishulp.loop", E, "a path that asks a question twice"),
    Rule("beslishulp.if", E, "an `if` expression that cannot be read"),
    Rule("beslishulp.label", W, "a label that maps to no AI-verordening vocabulary value"),
    Rule("beslishulp.paths", W, "too many paths to check every one"),
    Rule("boundary.outside", E, "a reference or symlink leads outside the project"),
    Rule("boundary.symlink", E, "a symlink loops or leads nowhere"),
    Rule("file.name", E, "a file or folder name that cannot be published: not valid UTF-8, or too long"),
    Rule("file.case", W, "two files whose paths differ in case only (one replaces the other on macOS and Windows)"),
    Rule("include.loop", E, "an include that includes itself, directly or through other files"),
    Rule("include.too-deep", E, "an include inside an included file, or an included file nested past the page limits"),
    Rule("boundary.not-a-file", E, "a page, image or included file is a folder, named pipe (FIFO), socket or device"),
    Rule("yaml.too-large", E, "front matter expands to too many values"),
    Rule("yaml.too-deep", E, "front matter nests lists and mappings too deep"),
    Rule("page.too-deep", E, "blocks are nested too deep"),
    Rule("expression.too-large", E, "an `if` or `uitzondering` expression is too long or nested too deep"),
    Rule("beslishulp.too-large", E, "the decision tree is larger or deeper than a limit allows; it is not published"),
    Rule("image.too-large", E, "image has too many pixels"),
    Rule("html.removed", W, "raw HTML that the sanitiser removed"),
    Rule("image.alt-missing", W, "image has no alternative text (the tagged PDF and screen readers need one)"),
    # External links, checked by `kaderpers check --links` only.
    Rule("link.broken", E, "an external link answers with an error (4xx, 5xx)"),
    Rule("link.redirect", W, "an external link has moved permanently (301, 308): link to the new address"),
    Rule("link.anchor", W, "an external link's #anchor is not on the page it leads to"),
    Rule("link.loop", E, "an external link redirects in a loop, or redirects without end"),
    Rule("link.timeout", W, "an external link gives no answer within the time-out"),
    Rule("link.throttled", W, "an external link's server keeps answering 429 Too Many Requests"),
    Rule("link.tls", E, "an external link's TLS connection fails (certificate, protocol)"),
    Rule("link.dns", E, "an external link's host name does not resolve"),
    Rule("link.unreachable", E, "an external link's server cannot be reached (connection refused or reset)"),
    Rule("link.budget", W, "the request budget was spent before every external link was checked"),
    # Warnings of a build only: about the configuration, the navigation and the output.
    Rule("config", W, "a kaderpers_* setting is not valid; its default is used"),
    Rule("sphinx-version", W, "Sphinx is a version kaderpers was not written for"),
    Rule("nav", W, "the navigation file names a page that does not exist or cannot be read"),
    Rule("html-link", W, "a link in raw HTML leads nowhere in the tree"),
    Rule("icon", W, "an icon shortcode names no known icon"),
    Rule("mermaid", W, "diagrams show their source: mermaid is not installed"),
    Rule("write", E, "a file of the output could not be written: the build fails and publishes nothing"),
    Rule("generated-page", W, "the tree has a page where the site would add one of its own"),
    Rule("compare", W, "the version to compare with cannot be read; no Wijzigingen page"),
    Rule("pdf", E, "a PDF could not be written, or rinohtype reported problems"),
    Rule("pdf-compat", W, "rinohtype is a version kaderpers does not know: the PDF is rendered unpatched"),
    Rule("pdf-image", W, "an image cannot be printed; the PDF shows its alternative text"),
    Rule("pdf-image-resolution", W, "an image prints at under 150 dpi: blurred on paper"),
    Rule("pdf-diagram-size", W, "a diagram's labels print under 7 pt, however it is laid out"),
    Rule("pdf-node", W, "content the PDF prints as plain text or source"),
)


@dataclass(frozen=True)
class Finding:
    """One thing the checker or the build says about content: where, which rule, and the message."""

    path: str
    line: int | None
    rule: str
    message: str

    @property
    def level(self) -> Level:
        """The level of the finding's rule."""
        return RULES[self.rule].level

    @property
    def location(self) -> str:
        """``path:line``, or the path alone when the line is unknown."""
        return f"{self.path}:{self.line}" if self.line else self.path

    def format(self) -> str:
        """The finding as the command line prints it: ``path:line: level: message [rule]``."""
        return f"{self.location}: {self.level}: {self.message} [{self.rule}]"

    def as_dict(self) -> dict[str, object]:
        """The finding as a JSON object, its level included."""
        return {**asdict(self), "level": str(self.level)}


def suggestion(value: str, candidates: Iterable[str]) -> str:
    """`` Did you mean `x`?`` when a candidate is close to ``value``, else nothing."""
    close = difflib.get_close_matches(value, list(candidates), n=1, cutoff=0.6)
    return f" Did you mean `{close[0]}`?" if close else ""


def sort_key(finding: Finding) -> tuple[str, int, str]:
    """Order findings by file, line and rule."""
    return (finding.path, finding.line or 0, finding.rule)


def count_by_rule(findings: Iterable[Finding]) -> Counter[str]:
    """How many findings each rule has."""
    return Counter(finding.rule for finding in findings)


def has_failures(findings: Iterable[Finding], *, strict: bool) -> bool:
    """Whether these findings fail a run: any error, or any finding at all with ``strict``."""
    return any(strict or f.level is Level.ERROR for f in findings)


def format_text(findings: list[Finding]) -> str:
    """The findings in order, then the counts of errors and warnings and a line per rule."""
    lines = [finding.format() for finding in sorted(findings, key=sort_key)]
    counts = count_by_rule(findings)
    errors = sum(1 for f in findings if f.level is Level.ERROR)
    lines.append(f"{errors} error(s), {len(findings) - errors} warning(s)")
    lines.extend(f"  {count:4d}  {rule} ({RULES[rule].level}): {RULES[rule].summary}" for rule, count in sorted(counts.items()))
    return "\n".join(lines)


def format_json(findings: list[Finding]) -> str:
    """The findings in order and their counts per rule, as JSON text."""
    return json.dumps(
        {
            "findings": [f.as_dict() for f in sorted(findings, key=sort_key)],
            "summary": dict(sorted(count_by_rule(findings).items())),
        },
        ensure_ascii=False,
        indent=2,
    )
