"""The model of a decision tree (questions, answers, redirects, conclusions), and loading a file into it.

What cannot be used is left out of the model; the findings say why. A tree that exceeds a
limit is not published at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..boundary import not_a_file
from ..findings import Finding
from ..grammar import Expression, ExpressionTooLarge
from ..limits import MAX_BESLISHULP_BYTES, TooDeep
from .expressions import holds, parse_condition
from .format import Location, read_yaml, schema_findings, size_findings

#: Findings that leave the decision tree out of the site: it exceeds a limit (:mod:`kaderpers.core.limits`).
_UNPUBLISHED_RULES = frozenset({"beslishulp.too-large", "expression.too-large"})


@dataclass(frozen=True)
class Source:
    """A source a question or conclusion cites: its text and, when given, its URL."""

    text: str
    url: str = ""


@dataclass(frozen=True)
class Target:
    """Where an answer or redirect leads: a question or a conclusion."""

    kind: str  # "question" | "conclusion"
    id: str
    line: int | None = None


@dataclass(frozen=True)
class Redirect:
    """A conditional way on from an answer; ``condition`` is None when there is no ``if`` or it cannot be read."""

    target: Target | None
    condition_text: str | None  # None: always
    condition: Expression | None
    line: int | None


@dataclass(frozen=True)
class Answer:
    """An answer to a question: the labels it adds and where it leads, directly (``target``) or through ``redirects``."""

    text: str
    labels: tuple[str, ...]
    target: Target | None
    redirects: tuple[Redirect, ...]
    subresult: str
    comment: str
    line: int | None

    def next(self, labels: frozenset[str]) -> Target | None:
        """Where this answer leads, given the labels gathered with it; None when no redirect applies."""
        if self.target is not None:
            return self.target
        for redirect in self.redirects:
            if redirect.condition_text is None or (redirect.condition is not None and holds(redirect.condition, labels)):
                return redirect.target
        return None


@dataclass(frozen=True)
class Question:
    """A question with its explanation, sources and answers, in the order of the file."""

    id: str
    text: str
    explanation: str
    category: str
    subcategory: str
    sources: tuple[Source, ...]
    answers: tuple[Answer, ...]
    line: int | None


@dataclass(frozen=True)
class Conclusion:
    """Where a path ends: the conclusion, the obligation it brings and its sources."""

    id: str
    text: str
    obligation: str
    comment: str
    sources: tuple[Source, ...]
    line: int | None


@dataclass
class DecisionTree:
    """A decision tree: its questions and conclusions by id, in the order of the file."""

    path: str
    name: str
    version: str
    questions: dict[str, Question] = field(default_factory=dict)
    conclusions: dict[str, Conclusion] = field(default_factory=dict)

    @property
    def first(self) -> Question | None:
        """The question every path starts with (the file's first), or None when there is none."""
        return next(iter(self.questions.values()), None)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def shorten(text: str, width: int = 80) -> str:
    """``text`` on one line, cut to ``width`` characters for a message."""
    flat = " ".join(text[: width * 4].split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _sources(value: Any) -> tuple[Source, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(Source(_text(s.get("source")), _text(s.get("url"))) for s in value if isinstance(s, dict) and _text(s.get("source")))


def _target(item: dict[str, Any], where: Location, lines: dict[Location, int]) -> Target | None:
    for key, kind in (("nextQuestionId", "question"), ("nextConclusionId", "conclusion")):
        if isinstance(item.get(key), str):
            return Target(kind, item[key].strip(), lines.get((*where, key)))
    return None


def _redirect(item: Any, where: Location, lines: dict[Location, int], findings: list[Finding], path: str) -> Redirect | None:
    if not isinstance(item, dict):
        return None
    text = item.get("if")
    condition = None
    if isinstance(text, str):
        try:
            condition = parse_condition(text)
        except ExpressionTooLarge as error:
            findings.append(
                Finding(
                    path,
                    lines.get((*where, "if")),
                    "expression.too-large",
                    f"`if: {shorten(text)}` is too large: {error}; split the redirect into simpler ones (the beslishulp is not published)",
                )
            )
        except ValueError as error:
            findings.append(Finding(path, lines.get((*where, "if")), "beslishulp.if", f"`if: {shorten(text)}` cannot be read ({error})"))
    return Redirect(_target(item, where, lines), text if isinstance(text, str) else None, condition, lines.get(where))


def _answer(item: Any, where: Location, lines: dict[Location, int], findings: list[Finding], path: str) -> Answer | None:
    if not isinstance(item, dict) or not _text(item.get("answer")):
        return None
    labels = (
        tuple(label.strip() for label in item.get("labels") or () if isinstance(label, str) and label.strip()) if isinstance(item.get("labels"), list) else ()
    )
    redirects = item.get("redirects") if isinstance(item.get("redirects"), list) else []
    parsed = tuple(r for i, item in enumerate(redirects) if (r := _redirect(item, (*where, "redirects", i), lines, findings, path)))
    return Answer(
        _text(item["answer"]), labels, _target(item, where, lines), parsed, _text(item.get("subresult")), _text(item.get("answerComment")), lines.get(where)
    )


def build_tree(data: Any, lines: dict[Location, int], path: str) -> tuple[DecisionTree, list[Finding]]:
    """The model of a decision tree; what cannot be used is left out (the schema findings say why)."""
    findings: list[Finding] = []
    data = data if isinstance(data, dict) else {}
    tree = DecisionTree(path, _text(data.get("name")), _text(data.get("version")))
    for position, item in enumerate(data.get("questions") or [] if isinstance(data.get("questions"), list) else []):
        where = ("questions", position)
        if not isinstance(item, dict) or not isinstance(item.get("questionId"), str):
            continue
        answers_data = item.get("answers") if isinstance(item.get("answers"), list) else []
        answers = tuple(a for i, item in enumerate(answers_data) if (a := _answer(item, (*where, "answers", i), lines, findings, path)))
        question = Question(
            item["questionId"].strip(),
            _text(item.get("question")),
            _text(item.get("explanation")),
            _text(item.get("category")),
            _text(item.get("subcategory")),
            _sources(item.get("sources")),
            answers,
            lines.get(where),
        )
        if question.id in tree.questions:
            first = tree.questions[question.id].line
            findings.append(
                Finding(
                    path,
                    question.line,
                    "beslishulp.id-duplicate",
                    f"question id `{question.id}` is used before (line {first}); give each question its own questionId",
                )
            )
            continue
        tree.questions[question.id] = question
    for position, item in enumerate(data.get("conclusions") or [] if isinstance(data.get("conclusions"), list) else []):
        where = ("conclusions", position)
        if not isinstance(item, dict) or not isinstance(item.get("conclusionId"), str):
            continue
        conclusion = Conclusion(
            item["conclusionId"].strip(),
            _text(item.get("conclusion")),
            _text(item.get("obligation")),
            _text(item.get("conclusionComment")),
            _sources(item.get("sources")),
            lines.get(where),
        )
        if conclusion.id in tree.conclusions:
            first = tree.conclusions[conclusion.id].line
            findings.append(
                Finding(
                    path,
                    conclusion.line,
                    "beslishulp.id-duplicate",
                    f"conclusion id `{conclusion.id}` is used before (line {first}); give each conclusion its own conclusionId",
                )
            )
            continue
        tree.conclusions[conclusion.id] = conclusion
    return tree, findings


@dataclass
class LoadedDecisionTree:
    """A file read: the tree (None when it cannot be used or is not published) and every finding."""

    tree: DecisionTree | None
    findings: list[Finding]


def load_decision_tree(file: Path, shown_as: str | None = None) -> LoadedDecisionTree:
    """Read and validate a decision tree file. Never raises on bad content: problems are findings."""
    path = shown_as or file.name
    if kind := not_a_file(file):  # `/dev/zero` never ends, a named pipe waits forever
        return LoadedDecisionTree(None, [Finding(path, None, "beslishulp.syntax", f"the decision tree is {kind}, not a file; name a YAML file")])
    try:
        size, raw = file.stat().st_size, b""
        if size <= MAX_BESLISHULP_BYTES:
            with file.open("rb") as stream:
                raw = stream.read(MAX_BESLISHULP_BYTES + 1)  # a file that grows is not read past the limit
            size = max(size, len(raw))
        if size > MAX_BESLISHULP_BYTES:
            message = f"the decision tree is {size / 1e6:.0f} MB, more than the {MAX_BESLISHULP_BYTES // 1_000_000} MB it may be (it is not published)"
            return LoadedDecisionTree(None, [Finding(path, 1, "beslishulp.too-large", message)])
        text = raw.decode("utf-8")
    except OSError as error:
        return LoadedDecisionTree(None, [Finding(path, None, "beslishulp.syntax", f"cannot read the decision tree: {error.strerror}")])
    except UnicodeDecodeError as error:
        return LoadedDecisionTree(None, [Finding(path, None, "beslishulp.syntax", f"the decision tree is not valid UTF-8 ({error.reason}); save it as UTF-8")])
    try:
        data, lines = read_yaml(text)
    except TooDeep as error:
        return LoadedDecisionTree(
            None, [Finding(path, error.line + 1, "beslishulp.too-large", f"the decision tree is too deep: {error} (it is not published)")]
        )
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        return LoadedDecisionTree(None, [Finding(path, line, "beslishulp.syntax", f"the decision tree is not valid YAML: {problem}")])
    if too_large := size_findings(data, lines, path):
        return LoadedDecisionTree(None, too_large)
    findings = schema_findings(data, lines, path)
    if not isinstance(data, dict):
        return LoadedDecisionTree(None, findings)
    tree, model_findings = build_tree(data, lines, path)
    findings.extend(model_findings)
    unpublished = any(finding.rule in _UNPUBLISHED_RULES for finding in findings)
    return LoadedDecisionTree(tree if tree.questions and not unpublished else None, findings)
