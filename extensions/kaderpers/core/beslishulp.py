"""The beslishulp AI-verordening: a decision tree in the beslishulp's public YAML format.

A tree has ``questions`` (each with ``explanation``, ``sources`` and ``answers``) and
``conclusions`` (with ``conclusion``, ``obligation`` and ``sources``). An answer adds
``labels`` to those gathered so far and leads to a question or conclusion, directly
(``nextQuestionId``/``nextConclusionId``) or through ``redirects``: the first redirect
whose ``if`` expression holds for the labels gathered so far (this answer's included).

This module reads such a file with line numbers, validates it, walks every path
through it (:func:`walk`) and turns gathered labels into the vereisten profile
(:func:`profile`). It is independent of Sphinx and of the page's JavaScript, so the
tests can hold the one against the other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

from .findings import Finding, suggestion
from .grammar import Expression, ExpressionTooLarge, check_expression_size, expression_labels, parse_expression_tokens
from .limits import (
    MAX_ANSWERS, MAX_BESLISHULP_BYTES, MAX_CONCLUSIONS, MAX_PATHS, MAX_QUESTIONS, MAX_WALK_STEPS,
    DepthBoundedComposer, TooDeep, TooManyValues, compose_bounded, expanded_size,
)
from .limits import MAX_BESLISHULP_VALUES as MAX_VALUES
from .loader import find_beside
from .model import AI_ACT_FIELDS, Vocabulary

BESLISHULP_FILE = "beslishulp.yaml"
#: Findings that leave the decision tree out of the site: it exceeds a limit (:mod:`.limits`).
_UNPUBLISHED_RULES = frozenset({"beslishulp.too-large", "expression.too-large"})

# -- the schema: our own rules for the public format ----------------------------------------

_TEXT = {"type": "string"}
_SOURCES = {
    "type": "array",
    "items": {"type": "object", "required": ["source"], "properties": {"source": _TEXT, "url": _TEXT}},
}
_ONE_TARGET = [{"required": ["nextQuestionId"]}, {"required": ["nextConclusionId"]}]
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["questions", "conclusions"],
    "properties": {
        "name": _TEXT,
        "version": _TEXT,
        "questions": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["questionId", "question", "answers"],
                "properties": {
                    "questionId": _TEXT,
                    "question": _TEXT,
                    "explanation": _TEXT,
                    "description": _TEXT,
                    "category": _TEXT,
                    "subcategory": _TEXT,
                    "sources": _SOURCES,
                    "answers": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["answer"],
                            "properties": {
                                "answer": _TEXT,
                                "nextQuestionId": _TEXT,
                                "nextConclusionId": _TEXT,
                                "subresult": _TEXT,
                                "answerComment": _TEXT,
                                "labels": {"type": "array", "items": _TEXT},
                                "redirects": {
                                    "type": "array",
                                    "minItems": 1,
                                    "items": {
                                        "type": "object",
                                        "properties": {"nextQuestionId": _TEXT, "nextConclusionId": _TEXT, "if": _TEXT},
                                        "oneOf": _ONE_TARGET,
                                    },
                                },
                            },
                            "oneOf": [*_ONE_TARGET, {"required": ["redirects"]}],
                        },
                    },
                },
            },
        },
        "conclusions": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["conclusionId", "conclusion", "obligation"],
                "properties": {
                    "conclusionId": _TEXT,
                    "conclusion": _TEXT,
                    "obligation": _TEXT,
                    "conclusionComment": _TEXT,
                    "sources": _SOURCES,
                },
            },
        },
    },
}

# -- reading YAML with line numbers -------------------------------------------------------------

_Location = tuple[Any, ...]


class _Reader(DepthBoundedComposer, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML; floats and dates stay the text written (``1.10`` is a question id, not 1.1).

    libyaml's loader when PyYAML has it: the pure-Python one reads a megabyte a second.
    """


_Reader.add_constructor("tag:yaml.org,2002:float", lambda loader, node: loader.construct_scalar(node))
_Reader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def _plain(node: yaml.Node, where: _Location, lines: dict[_Location, int], reader: _Reader) -> Any:
    lines[where] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result = {}
        for key_node, value_node in node.value:
            key = reader.construct_object(key_node, deep=True)
            key = key if isinstance(key, str) else str(key)
            result[key] = _plain(value_node, (*where, key), lines, reader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, (*where, i), lines, reader) for i, item in enumerate(node.value)]
    return reader.construct_object(node, deep=True)


def read_yaml(text: str) -> tuple[Any, dict[_Location, int]]:
    """The data of a YAML text and the line of every value, by its path (keys and list positions).

    Raises :class:`~.limits.TooManyValues` when aliases expand beyond :data:`MAX_VALUES`.
    """
    reader = _Reader(text)
    try:
        node = compose_bounded(reader)
        if node is not None and "*" in text and expanded_size(node, MAX_VALUES) > MAX_VALUES:
            raise TooManyValues(f"its aliases (*name) expand to more than {MAX_VALUES:,} values")
        lines: dict[_Location, int] = {}
        return (_plain(node, (), lines, reader) if node is not None else None), lines
    finally:
        reader.dispose()


# -- the `if` expressions of redirects --------------------------------------------------------

#: ``"label" in labels``, ``"label" not in labels``, ``!``, ``&&``, ``||``, parentheses.
_IF_TOKEN = re.compile(
    r"""\s*(?:(?P<op>&&|\|\||!|\(|\))|(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')\s+(?P<neg>not\s+)?in\s+labels\b)"""
)


def parse_condition(text: str) -> Expression:
    """Parse an ``if`` expression into the label-expression shape of :mod:`.grammar`; raises ValueError."""
    check_expression_size(text)
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _IF_TOKEN.match(text, position)
        if match is None:
            found = text[position:].strip()[:20]
            raise ValueError(f"unexpected `{found}` at character {position + 1}; write `\"label\" in labels` joined with &&, || and !")
        position = match.end()
        if match["op"]:
            tokens.append(("op", match["op"]))
            continue
        label = match["dq"] if match["dq"] is not None else match["sq"]
        if match["neg"]:
            tokens.append(("op", "!"))
        tokens.append(("label", label))
    return parse_expression_tokens(tokens)


def holds(expression: Expression, labels: Iterable[str] | frozenset[str]) -> bool:
    """Whether an expression holds for a set of labels."""
    present = labels if isinstance(labels, (set, frozenset)) else set(labels)
    if isinstance(expression, str):
        return expression in present
    operator, operands = expression[0], expression[1:]
    if operator == "not":
        return not holds(operands[0], present)
    if operator == "and":
        return all(holds(operand, present) for operand in operands)
    return any(holds(operand, present) for operand in operands)


# -- the model -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
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
    target: Target | None
    condition_text: str | None  # None: always
    condition: Expression | None
    line: int | None


@dataclass(frozen=True)
class Answer:
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
    id: str
    text: str
    obligation: str
    comment: str
    sources: tuple[Source, ...]
    line: int | None


@dataclass
class DecisionTree:
    path: str
    name: str
    version: str
    questions: dict[str, Question] = field(default_factory=dict)
    conclusions: dict[str, Conclusion] = field(default_factory=dict)

    @property
    def first(self) -> Question | None:
        return next(iter(self.questions.values()), None)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def shorten(text: str, width: int = 80) -> str:
    """``text`` on one line, cut to ``width`` characters for a message."""
    flat = " ".join(text[: width * 4].split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _size_findings(data: Any, lines: dict[_Location, int], path: str) -> list[Finding]:
    """Questions, conclusions and answers beyond their limits: the tree is then not published."""
    if not isinstance(data, dict):
        return []
    findings = []
    for key, limit in (("questions", MAX_QUESTIONS), ("conclusions", MAX_CONCLUSIONS)):
        items = data.get(key)
        if isinstance(items, list) and len(items) > limit:
            findings.append(Finding(path, lines.get((key, limit)), "beslishulp.too-large", f"the decision tree has {len(items):,} {key}, more than the {limit:,} it may have; split it (the beslishulp is not published)"))
    questions = data.get("questions") if isinstance(data.get("questions"), list) else []
    for position, question in enumerate(questions[: MAX_QUESTIONS + 1]):
        answers = question.get("answers") if isinstance(question, dict) else None
        if isinstance(answers, list) and len(answers) > MAX_ANSWERS:
            where = ("questions", position, "answers", MAX_ANSWERS)
            findings.append(Finding(path, lines.get(where), "beslishulp.too-large", f"a question has {len(answers):,} answers, more than the {MAX_ANSWERS} it may have (the beslishulp is not published)"))
    return findings


def _sources(value: Any) -> tuple[Source, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(Source(_text(s.get("source")), _text(s.get("url"))) for s in value if isinstance(s, dict) and _text(s.get("source")))


def _target(item: dict[str, Any], where: _Location, lines: dict[_Location, int]) -> Target | None:
    for key, kind in (("nextQuestionId", "question"), ("nextConclusionId", "conclusion")):
        if isinstance(item.get(key), str):
            return Target(kind, item[key].strip(), lines.get((*where, key)))
    return None


def _redirect(item: Any, where: _Location, lines: dict[_Location, int], findings: list[Finding], path: str) -> Redirect | None:
    if not isinstance(item, dict):
        return None
    text = item.get("if")
    condition = None
    if isinstance(text, str):
        try:
            condition = parse_condition(text)
        except ExpressionTooLarge as error:
            findings.append(Finding(path, lines.get((*where, "if")), "expression.too-large", f"`if: {shorten(text)}` is too large: {error}; split the redirect into simpler ones (the beslishulp is not published)"))
        except ValueError as error:
            findings.append(Finding(path, lines.get((*where, "if")), "beslishulp.if", f"`if: {shorten(text)}` cannot be read ({error})"))
    return Redirect(_target(item, where, lines), text if isinstance(text, str) else None, condition, lines.get(where))


def _answer(item: Any, where: _Location, lines: dict[_Location, int], findings: list[Finding], path: str) -> Answer | None:
    if not isinstance(item, dict) or not _text(item.get("answer")):
        return None
    labels = tuple(label.strip() for label in item.get("labels") or () if isinstance(label, str) and label.strip()) if isinstance(item.get("labels"), list) else ()
    redirects = item.get("redirects") if isinstance(item.get("redirects"), list) else []
    parsed = tuple(r for i, item in enumerate(redirects) if (r := _redirect(item, (*where, "redirects", i), lines, findings, path)))
    return Answer(_text(item["answer"]), labels, _target(item, where, lines), parsed, _text(item.get("subresult")), _text(item.get("answerComment")), lines.get(where))


def build_tree(data: Any, lines: dict[_Location, int], path: str) -> tuple[DecisionTree, list[Finding]]:
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
            item["questionId"].strip(), _text(item.get("question")), _text(item.get("explanation")), _text(item.get("category")),
            _text(item.get("subcategory")), _sources(item.get("sources")), answers, lines.get(where),
        )
        if question.id in tree.questions:
            first = tree.questions[question.id].line
            findings.append(Finding(path, question.line, "beslishulp.id-duplicate", f"question id `{question.id}` is used before (line {first}); give each question its own questionId"))
            continue
        tree.questions[question.id] = question
    for position, item in enumerate(data.get("conclusions") or [] if isinstance(data.get("conclusions"), list) else []):
        where = ("conclusions", position)
        if not isinstance(item, dict) or not isinstance(item.get("conclusionId"), str):
            continue
        conclusion = Conclusion(
            item["conclusionId"].strip(), _text(item.get("conclusion")), _text(item.get("obligation")),
            _text(item.get("conclusionComment")), _sources(item.get("sources")), lines.get(where),
        )
        if conclusion.id in tree.conclusions:
            first = tree.conclusions[conclusion.id].line
            findings.append(Finding(path, conclusion.line, "beslishulp.id-duplicate", f"conclusion id `{conclusion.id}` is used before (line {first}); give each conclusion its own conclusionId"))
            continue
        tree.conclusions[conclusion.id] = conclusion
    return tree, findings


def _schema_findings(data: Any, lines: dict[_Location, int], path: str) -> list[Finding]:
    import jsonschema  # only when there is a decision tree: it takes a tenth of a second to import

    validator = jsonschema.Draft202012Validator(SCHEMA)
    findings = []
    for error in validator.iter_errors(data):
        where = tuple(error.absolute_path)
        while where and where not in lines:
            where = where[:-1]
        at = "/".join(str(part) for part in error.absolute_path) or "the top level"
        message = error.message
        if error.validator == "oneOf":
            message = "needs exactly one of nextQuestionId, nextConclusionId" + (" or redirects" if "redirects" in str(error.schema) else "")
        findings.append(Finding(path, lines.get(where), "beslishulp.schema", f"{at}: {message}"))
    return findings


@dataclass
class LoadedDecisionTree:
    tree: DecisionTree | None
    findings: list[Finding]


def load_decision_tree(file: Path, shown_as: str | None = None) -> LoadedDecisionTree:
    """Read and validate a decision tree file. Never raises on bad content: problems are findings."""
    path = shown_as or file.name
    try:
        size = file.stat().st_size
        if size > MAX_BESLISHULP_BYTES:
            message = f"the decision tree is {size / 1e6:.0f} MB, more than the {MAX_BESLISHULP_BYTES // 1_000_000} MB it may be (it is not published)"
            return LoadedDecisionTree(None, [Finding(path, 1, "beslishulp.too-large", message)])
        text = file.read_bytes().decode("utf-8")
    except OSError as error:
        return LoadedDecisionTree(None, [Finding(path, None, "beslishulp.syntax", f"cannot read the decision tree: {error.strerror}")])
    except UnicodeDecodeError as error:
        return LoadedDecisionTree(None, [Finding(path, None, "beslishulp.syntax", f"the decision tree is not valid UTF-8 ({error.reason}); save it as UTF-8")])
    try:
        data, lines = read_yaml(text)
    except TooDeep as error:
        return LoadedDecisionTree(None, [Finding(path, error.line + 1, "beslishulp.too-large", f"the decision tree is too deep: {error} (it is not published)")])
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        return LoadedDecisionTree(None, [Finding(path, line, "beslishulp.syntax", f"the decision tree is not valid YAML: {problem}")])
    if too_large := _size_findings(data, lines, path):
        return LoadedDecisionTree(None, too_large)
    findings = _schema_findings(data, lines, path)
    if not isinstance(data, dict):
        return LoadedDecisionTree(None, findings)
    tree, model_findings = build_tree(data, lines, path)
    findings.extend(model_findings)
    unpublished = any(finding.rule in _UNPUBLISHED_RULES for finding in findings)
    return LoadedDecisionTree(tree if tree.questions and not unpublished else None, findings)


def opens_beslishulp(handler: str) -> bool:
    """Whether a link's script (``showModal(event, 'beslishulp AI-verordening', …)``) opens the beslishulp."""
    return "beslishulp" in handler.lower()


def find_decision_tree(root: Path, configured: str = "", base: Path | None = None) -> Path | None:
    """The decision tree of a content tree: the configured file (relative to ``base``, else the
    tree), or ``beslishulp.yaml`` in the tree or the folder above it."""
    if configured:
        candidate = Path(configured)
        if not candidate.is_absolute():
            candidate = (base or root) / candidate
        return candidate
    return find_beside(root, Path(BESLISHULP_FILE))


def shown_as(file: Path, root: Path) -> str:
    """How findings name the decision tree: relative to the content tree when it is inside it."""
    try:
        return file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(file)


# -- walking every path ----------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    question: str
    answer: int  # position in the question's answers


@dataclass(frozen=True)
class Walk:
    """One path from the first question: the answers chosen, the labels gathered and how it ends."""

    steps: tuple[Step, ...]
    labels: tuple[str, ...]
    conclusion: str | None
    #: None when it ends in a conclusion; else "dead-end", "loop" or "unknown".
    problem: str | None = None
    #: For "unknown": the missing target.
    missing: Target | None = None


def gather(labels: tuple[str, ...], new: Iterable[str]) -> tuple[str, ...]:
    """Labels in the order first gathered, each once."""
    return tuple(dict.fromkeys((*labels, *new)))


def walk(tree: DecisionTree, limit: int = MAX_PATHS) -> Iterator[Walk]:
    """Every path through the tree, depth first in answer order; at most ``limit``.

    A path ends in a conclusion, or with a problem: an answer whose redirects all fail
    (dead end), a question asked a second time on the same path (loop), or an id that
    names nothing (unknown). The walk also stops after :data:`~.limits.MAX_WALK_STEPS` steps.
    """
    yield from (result for result in _walk(tree, limit) if result is not None)


def _walk(tree: DecisionTree, limit: int) -> Iterator[Walk | None]:
    """:func:`walk`, ending with None when it stopped at a limit before the last path."""
    first = tree.first
    if first is None:
        return
    count = 0
    steps_taken = 0
    # (question, steps so far, labels so far)
    stack: list[tuple[Question, tuple[Step, ...], tuple[str, ...]]] = [(first, (), ())]
    while stack:
        question, steps, labels = stack.pop()
        # Pushed in reverse so answers are walked in order.
        for position in reversed(range(len(question.answers))):
            steps_taken += len(steps) + 1
            if steps_taken > MAX_WALK_STEPS:
                yield None
                return
            answer = question.answers[position]
            taken = (*steps, Step(question.id, position))
            gathered = gather(labels, answer.labels)
            target = answer.next(frozenset(gathered))
            if target is None:
                result = Walk(taken, gathered, None, "dead-end")
            elif target.kind == "conclusion":
                result = Walk(taken, gathered, target.id) if target.id in tree.conclusions else Walk(taken, gathered, None, "unknown", target)
            elif target.id not in tree.questions:
                result = Walk(taken, gathered, None, "unknown", target)
            elif any(step.question == target.id for step in taken):
                result = Walk(taken, gathered, None, "loop", target)
            else:
                stack.append((tree.questions[target.id], taken, gathered))
                continue
            count += 1
            yield result
            if count >= limit:
                if stack or position:
                    yield None
                return


def follow(tree: DecisionTree, choices: Iterable[int]) -> Walk:
    """The path of a sequence of answer positions from the first question (what the page's URL holds)."""
    question = tree.first
    steps: tuple[Step, ...] = ()
    labels: tuple[str, ...] = ()
    for position in choices:
        if question is None or not 0 <= position < len(question.answers):
            break
        answer = question.answers[position]
        steps = (*steps, Step(question.id, position))
        labels = gather(labels, answer.labels)
        target = answer.next(frozenset(labels))
        if target is None:
            return Walk(steps, labels, None, "dead-end")
        if target.kind == "conclusion":
            return Walk(steps, labels, target.id if target.id in tree.conclusions else None, None if target.id in tree.conclusions else "unknown", target)
        question = tree.questions.get(target.id)
    return Walk(steps, labels, None, "unfinished")


# -- labels → the vereisten profile ---------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def label_values(label: str, vocabulary: Vocabulary) -> tuple[tuple[str, str], ...] | None:
    """The (field, value) pairs of the AI-verordening vocabulary a beslishulp label stands for.

    The vocabulary's ``beslishulp-labels`` section decides (an empty list: a label that
    says nothing about the profile); otherwise a label matches a value, or a value's
    text, of exactly one field. None: the label maps to nothing.
    """
    if label in vocabulary.beslishulp:
        return vocabulary.beslishulp[label]
    slug = _slug(label)
    found = [
        (key, value)
        for key in AI_ACT_FIELDS
        for value, text in (vocabulary.values(key) or {}).items()
        if value == slug or _slug(text) == slug
    ]
    return tuple(found) if len(found) == 1 else None


def profile(labels: Iterable[str], vocabulary: Vocabulary) -> dict[str, list[str]]:
    """The vereisten profile (field → values, in AI_ACT_FIELDS order) of gathered labels."""
    chosen: dict[str, list[str]] = {}
    for label in labels:
        for key, value in label_values(label, vocabulary) or ():
            values = chosen.setdefault(key, [])
            if value not in values:
                values.append(value)
    return {key: chosen[key] for key in AI_ACT_FIELDS if key in chosen}


# -- checks ---------------------------------------------------------------------------------------


def _answer_place(tree: DecisionTree, step: Step) -> str:
    question = tree.questions[step.question]
    return f"question {question.id}, answer `{question.answers[step.answer].text}`"


def _route(tree: DecisionTree, steps: tuple[Step, ...]) -> str:
    return " → ".join(f"{s.question}: {tree.questions[s.question].answers[s.answer].text}" for s in steps)


def check(tree: DecisionTree, vocabulary: Vocabulary, limit: int = MAX_PATHS) -> list[Finding]:
    """Unknown ids, unreachable questions and conclusions, dead ends, loops and unmapped labels."""
    path = tree.path
    findings: list[Finding] = []
    # Unknown ids, on every target as written.
    for question in tree.questions.values():
        for answer in question.answers:
            targets = [answer.target] if answer.target else [r.target for r in answer.redirects if r.target]
            for target in targets:
                known = tree.questions if target.kind == "question" else tree.conclusions
                if target.id not in known:
                    findings.append(Finding(path, target.line, "beslishulp.unknown-id", f"question {question.id}, answer `{answer.text}` leads to {target.kind} `{target.id}`, which does not exist.{suggestion(target.id, known)}"))
    # Every path: dead ends, loops, and what is reached.
    reached_questions: set[str] = set()
    reached_conclusions: set[str] = set()
    reported: set[tuple[str, Step]] = set()
    complete = True
    for result in _walk(tree, limit):
        if result is None:
            complete = False
            break
        reached_questions.update(step.question for step in result.steps)
        if result.conclusion:
            reached_conclusions.add(result.conclusion)
        last = result.steps[-1]
        answer = tree.questions[last.question].answers[last.answer]
        if result.problem in {"dead-end", "loop"} and (result.problem, last) not in reported:
            reported.add((result.problem, last))
            if result.problem == "dead-end":
                message = f"{_answer_place(tree, last)}: no redirect applies after {_route(tree, result.steps)} (labels: {', '.join(result.labels) or 'none'}); add a redirect for this case"
                findings.append(Finding(path, answer.line, "beslishulp.dead-end", message))
            else:
                message = f"{_answer_place(tree, last)} leads back to question {result.missing.id} after {_route(tree, result.steps)}; a path must not ask a question twice"
                findings.append(Finding(path, answer.line, "beslishulp.loop", message))
    if not complete:
        findings.append(Finding(path, tree.first.line if tree.first else None, "beslishulp.paths", f"the decision tree has more than {limit:,} paths or {MAX_WALK_STEPS:,} steps on them; dead ends, loops and unreachable parts were checked on the first ones only"))
    else:
        for question in tree.questions.values():
            if question.id not in reached_questions:
                findings.append(Finding(path, question.line, "beslishulp.unreachable", f"question {question.id} is on no path from the first question ({tree.first.id}); link an answer to it or remove it"))
        for conclusion in tree.conclusions.values():
            if conclusion.id not in reached_conclusions:
                findings.append(Finding(path, conclusion.line, "beslishulp.unreachable", f"conclusion {conclusion.id} is on no path from the first question; link an answer to it or remove it"))
    findings.extend(_label_findings(tree, vocabulary))
    return findings


def _label_findings(tree: DecisionTree, vocabulary: Vocabulary) -> list[Finding]:
    known = sorted({*vocabulary.beslishulp, *(text for key in AI_ACT_FIELDS for text in (vocabulary.values(key) or {}).values())})
    findings = []
    seen: set[str] = set()
    for question in tree.questions.values():
        for answer in question.answers:
            mentioned = list(answer.labels)
            for redirect in answer.redirects:
                if redirect.condition is not None:
                    mentioned.extend(expression_labels(redirect.condition))
            for label in mentioned:
                if label in seen:
                    continue
                seen.add(label)
                if label_values(label, vocabulary) is None:
                    findings.append(Finding(tree.path, answer.line, "beslishulp.label", f"label `{label}` (question {question.id}) maps to no AI-verordening vocabulary value; map it in the `beslishulp-labels` section of vocabulaire.yml (an empty list if it says nothing about the profile).{suggestion(label, known)}"))
    return findings


def check_file(file: Path, vocabulary: Vocabulary, shown_as: str | None = None) -> tuple[DecisionTree | None, list[Finding]]:
    """Load and check a decision tree file: every finding, and the tree when it can be used."""
    loaded = load_decision_tree(file, shown_as)
    findings = list(loaded.findings)
    if loaded.tree is not None:
        findings.extend(check(loaded.tree, vocabulary))
    return loaded.tree, findings


# -- the text of questions and conclusions --------------------------------------------------------

#: The markup the beslishulp writes in its texts, and what each becomes.
_RICH_TAGS = {"strong": "strong", "b": "strong", "em": "em", "i": "em", "u": "em", "p": "p", "ul": "ul", "ol": "ol", "li": "li", "a": "a", "code": "code"}
_VOID_TAGS = {"br"}
_SKIPPED = {"script", "style", "template", "iframe", "object", "svg"}
_SAFE_URL = re.compile(r"^(https?:|mailto:|#|/|\.)", re.IGNORECASE)

#: Rich text: a list of strings and ``[tag, {attributes}, [children]]``; ``["br"]`` a line break.
RichText = list[Any]


class _RichTextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: RichText = []
        self.open: list[tuple[str, RichText]] = []
        self.skipping = 0

    @property
    def here(self) -> RichText:
        return self.open[-1][1] if self.open else self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif self.skipping:
            return
        elif tag in _VOID_TAGS:
            self.here.append(["br"])
        elif tag in _RICH_TAGS:
            name = _RICH_TAGS[tag]
            attributes = {}
            href = dict(attrs).get("href") or ""
            if name == "a" and _SAFE_URL.match(href.strip()):
                attributes["href"] = href.strip()
            children: RichText = []
            self.here.append([name, attributes, children])
            self.open.append((tag, children))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID_TAGS and not self.skipping:
            self.here.append(["br"])

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
            return
        for depth in range(len(self.open) - 1, -1, -1):
            if self.open[depth][0] == tag:
                del self.open[depth:]
                return

    def handle_data(self, data: str) -> None:
        if self.skipping or not data:
            return
        text = re.sub(r"\s+", " ", data)
        if self.here and isinstance(self.here[-1], str):
            self.here[-1] += text
        else:
            self.here.append(text)


def rich_text(text: str) -> RichText:
    """The beslishulp's HTML-in-text as inert structure: only a few tags, no attributes but safe links."""
    parser = _RichTextParser()
    parser.feed(text)
    parser.close()
    return parser.root


def plain_text(rich: RichText) -> str:
    """The words of rich text (for tests and the no-script view)."""
    parts: list[str] = []
    for item in rich:
        if isinstance(item, str):
            parts.append(item)
        elif item[0] == "br":
            parts.append(" ")
        else:
            parts.append(plain_text(item[2]))
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def page_data(tree: DecisionTree, vocabulary: Vocabulary) -> dict[str, Any]:
    """The decision tree as the wizard page reads it: texts as rich text, `if` as written."""

    def sources(items: tuple[Source, ...]) -> list[dict[str, str]]:
        return [{"text": s.text, "url": s.url if _SAFE_URL.match(s.url) else ""} for s in items]

    def target(t: Target | None) -> dict[str, str] | None:
        return {"kind": t.kind, "id": t.id} if t else None

    labels: dict[str, list[list[str]]] = {}
    for question in tree.questions.values():
        for answer in question.answers:
            for label in answer.labels:
                if label not in labels:
                    labels[label] = [list(pair) for pair in label_values(label, vocabulary) or ()]
    return {
        "name": tree.name,
        "questions": [
            {
                "id": q.id,
                "text": q.text,
                "explanation": rich_text(q.explanation),
                "subcategory": q.subcategory,
                "sources": sources(q.sources),
                "answers": [
                    {
                        "text": a.text,
                        "labels": list(a.labels),
                        "next": target(a.target),
                        "redirects": [{"if": r.condition_text, "next": target(r.target)} for r in a.redirects],
                        "subresult": rich_text(a.subresult),
                        "comment": rich_text(a.comment),
                    }
                    for a in q.answers
                ],
            }
            for q in tree.questions.values()
        ],
        "conclusions": {
            c.id: {"text": rich_text(c.text), "obligation": rich_text(c.obligation), "comment": rich_text(c.comment), "sources": sources(c.sources)}
            for c in tree.conclusions.values()
        },
        "labels": labels,
        "fields": list(AI_ACT_FIELDS),
    }
