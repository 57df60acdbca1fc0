"""Every path through a decision tree, the vereisten profile its labels give, and the checks.

The walk is iterative and bounded (:data:`~kaderpers.core.limits.MAX_PATHS` paths,
:data:`~kaderpers.core.limits.MAX_WALK_STEPS` steps); the page's JavaScript must end each
path the same way, which the tests hold it to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..findings import Finding, suggestion
from ..grammar import expression_labels
from ..limits import MAX_PATHS, MAX_WALK_STEPS
from ..model import AI_ACT_FIELDS, Vocabulary
from .model import DecisionTree, Question, Target, load_decision_tree


@dataclass(frozen=True)
class Step:
    """One answer on a path: the question and the position of the answer chosen."""

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
    found = [(key, value) for key in AI_ACT_FIELDS for value, text in (vocabulary.values(key) or {}).items() if value == slug or _slug(text) == slug]
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
                    findings.append(
                        Finding(
                            path,
                            target.line,
                            "beslishulp.unknown-id",
                            f"question {question.id}, answer `{answer.text}` leads to {target.kind} `{target.id}`, which does not exist.{suggestion(target.id, known)}",
                        )
                    )
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
        findings.append(
            Finding(
                path,
                tree.first.line if tree.first else None,
                "beslishulp.paths",
                f"the decision tree has more than {limit:,} paths or {MAX_WALK_STEPS:,} steps on them; dead ends, loops and unreachable parts were checked on the first ones only",
            )
        )
    else:
        for question in tree.questions.values():
            if question.id not in reached_questions:
                findings.append(
                    Finding(
                        path,
                        question.line,
                        "beslishulp.unreachable",
                        f"question {question.id} is on no path from the first question ({tree.first.id}); link an answer to it or remove it",
                    )
                )
        for conclusion in tree.conclusions.values():
            if conclusion.id not in reached_conclusions:
                findings.append(
                    Finding(
                        path,
                        conclusion.line,
                        "beslishulp.unreachable",
                        f"conclusion {conclusion.id} is on no path from the first question; link an answer to it or remove it",
                    )
                )
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
                    findings.append(
                        Finding(
                            tree.path,
                            answer.line,
                            "beslishulp.label",
                            f"label `{label}` (question {question.id}) maps to no AI-verordening vocabulary value; map it in the `beslishulp-labels` section of vocabulaire.yml (an empty list if it says nothing about the profile).{suggestion(label, known)}",
                        )
                    )
    return findings


def check_file(file: Path, vocabulary: Vocabulary, shown_as: str | None = None) -> tuple[DecisionTree | None, list[Finding]]:
    """Load and check a decision tree file: every finding, and the tree when it can be used."""
    loaded = load_decision_tree(file, shown_as)
    findings = list(loaded.findings)
    if loaded.tree is not None:
        findings.extend(check(loaded.tree, vocabulary))
    return loaded.tree, findings
