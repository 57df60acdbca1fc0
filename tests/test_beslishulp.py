"""The beslishulp AI-verordening's decision tree: reading, checking and walking it (no Sphinx).

The shared tree (../shared/beslishulp) is walked by :func:`kaderpers.core.beslishulp.walk`
and, independently, by a small evaluator here that reads the raw YAML and lets Python
evaluate each `if` (trusted test data); both must find the same paths and conclusions.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
import yaml

from conftest import CONTENT, run_kaderpers
from conftest import SHARED_BESLISHULP as SHARED
from kaderpers.core.beslishulp import check, check_file, follow, holds, label_values, load_decision_tree, parse_condition, profile, walk
from kaderpers.core.loader import load_vocabulary


@pytest.fixture(scope="module")
def shared_tree():
    if not SHARED.is_file():
        pytest.skip("../shared/beslishulp is not beside this checkout")
    vocabulary, _ = load_vocabulary(None)
    tree, findings = check_file(SHARED, vocabulary)
    return tree, findings, vocabulary


def independent_paths(data: dict) -> list[tuple[tuple[str, ...], frozenset[str], str]]:
    """Every path as (answer texts, labels, conclusion id), by evaluating `if` as Python."""
    questions = {q["questionId"]: q for q in data["questions"]}

    def condition(text: str, labels: set[str]) -> bool:
        python = text.replace("&&", " and ").replace("||", " or ")
        python = re.sub(r"!(?!=)", " not ", python)
        return bool(eval(python, {}, {"labels": labels}))  # noqa: S307 - trusted test data

    found = []

    def visit(question_id: str, route: tuple[str, ...], labels: frozenset[str]) -> None:
        for answer in questions[question_id]["answers"]:
            gathered = labels | set(answer.get("labels") or [])
            taken = (*route, answer["answer"])
            if "nextQuestionId" in answer:
                visit(answer["nextQuestionId"], taken, gathered)
            elif "nextConclusionId" in answer:
                found.append((taken, gathered, answer["nextConclusionId"]))
            else:
                for redirect in answer["redirects"]:
                    if condition(redirect["if"], set(gathered)):
                        if "nextQuestionId" in redirect:
                            visit(redirect["nextQuestionId"], taken, gathered)
                        else:
                            found.append((taken, gathered, redirect["nextConclusionId"]))
                        break
                else:
                    raise AssertionError(f"dead end after {taken}")

    visit(data["questions"][0]["questionId"], (), frozenset())
    return found


def route_texts(tree, result) -> tuple[str, ...]:
    return tuple(tree.questions[s.question].answers[s.answer].text for s in result.steps)


def test_every_path_through_the_shared_tree_matches_an_independent_evaluator(shared_tree) -> None:
    tree, findings, _ = shared_tree
    assert findings == [], [f.format() for f in findings]
    walked = list(walk(tree))
    assert all(result.problem is None for result in walked)
    ours = sorted((route_texts(tree, r), frozenset(r.labels), r.conclusion) for r in walked)
    theirs = sorted(independent_paths(yaml.safe_load(SHARED.read_text("utf-8"))))
    assert len(ours) == len(theirs) > 1000
    assert ours == theirs
    # Every conclusion of the tree ends some path, and replaying a path's answers gives its conclusion.
    assert {r.conclusion for r in walked} == set(tree.conclusions)
    for result in walked[::37]:
        assert follow(tree, [s.answer for s in result.steps]).conclusion == result.conclusion


def test_every_label_of_the_shared_tree_maps_to_the_vocabulary(shared_tree) -> None:
    tree, _, vocabulary = shared_tree
    labels = {label for q in tree.questions.values() for a in q.answers for label in a.labels}
    assert all(label_values(label, vocabulary) is not None for label in labels)
    assert profile(["aanbieder", "gebruiksverantwoordelijke", "AI-systeem", "hoog-risico AI", "in gebruik"], vocabulary) == {
        "soort-toepassing": ["ai-systeem"],
        "risicogroep": ["hoog-risico-ai-systeem"],
        "rol-ai-act": ["aanbieder", "gebruiksverantwoordelijke"],
    }


@pytest.mark.parametrize(
    ("text", "labels", "expected"),
    [
        ('"a" in labels', {"a"}, True),
        ('"a" in labels && "b" in labels', {"a"}, False),
        ('("a" in labels || "b" in labels) && !("c" in labels)', {"b"}, True),
        ('!("c" in labels) && "a" not in labels', {"c"}, False),
        ("'x y' in labels || \"z\" in labels", {"x y"}, True),
    ],
)
def test_conditions(text: str, labels: set[str], expected: bool) -> None:
    assert holds(parse_condition(text), labels) is expected


@pytest.mark.parametrize("text", ['"a" in', '"a" in labels &&', '("a" in labels', 'labels.includes("a")', '"a" in labels )', ""])
def test_conditions_that_do_not_parse(text: str) -> None:
    with pytest.raises(ValueError):
        parse_condition(text)


HOSTILE = textwrap.dedent(
    """\
    name: kapot
    questions:
      - questionId: "1"
        question: Eerste?
        answers:
          - answer: Naar twee
            labels: [aanbieder, onbekend label]
            nextQuestionId: "2"
          - answer: Nergens heen
            nextQuestionId: "9"
      - questionId: "2"
        question: Tweede?
        answers:
          - answer: Terug
            nextQuestionId: "1"
          - answer: Voorwaardelijk
            redirects:
              - nextConclusionId: "A"
                if: '"importeur" in labels'
              - nextConclusionId: "A"
                if: '"kapot in labels'
          - answer: Beide
            nextQuestionId: "3"
            nextConclusionId: "A"
      - questionId: "4"
        question: Wees?
        answers:
          - answer: Ja
            nextConclusionId: "A"
    conclusions:
      - conclusionId: "A"
        conclusion: Klaar
        obligation: Niets
      - conclusionId: "B"
        conclusion: Nooit
        obligation: Niets
      - conclusionId: "A"
        conclusion: Dubbel
        obligation: Niets
    """
)


def test_a_hostile_tree_gives_one_finding_per_problem_with_its_line(tmp_path: Path) -> None:
    file = tmp_path / "beslishulp.yaml"
    file.write_text(HOSTILE, encoding="utf-8")
    vocabulary, _ = load_vocabulary(None)
    tree, findings = check_file(file, vocabulary)
    found = {(f.rule, f.line) for f in findings}
    lines = HOSTILE.splitlines()

    def line_of(text: str, after: int = 0) -> int:
        return next(i for i, line in enumerate(lines, start=1) if i > after and text in line)

    assert ("beslishulp.unknown-id", line_of('nextQuestionId: "9"')) in found
    assert ("beslishulp.loop", line_of("- answer: Terug")) in found
    assert ("beslishulp.dead-end", line_of("- answer: Voorwaardelijk")) in found
    assert ("beslishulp.if", line_of("if: '\"kapot")) in found
    assert ("beslishulp.schema", line_of("- answer: Beide")) in found
    assert ("beslishulp.unreachable", line_of('- questionId: "4"')) in found
    assert ("beslishulp.unreachable", line_of('- conclusionId: "B"')) in found
    assert ("beslishulp.id-duplicate", line_of('- conclusionId: "A"', line_of('- conclusionId: "B"'))) in found
    assert ("beslishulp.label", line_of("- answer: Naar twee")) in found
    assert not any(f.rule == "beslishulp.label" and "aanbieder" in f.message for f in findings)
    assert tree is not None and set(tree.questions) == {"1", "2", "4"}


BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(8)
)


@pytest.mark.parametrize("text", ["questions: [", "- just a list", "questions: []\nconclusions: []", "\ufffe\x00", BILLION_LAUGHS, "[" * 5000])
def test_unusable_files_are_findings_not_crashes(tmp_path: Path, text: str) -> None:
    file = tmp_path / "beslishulp.yaml"
    file.write_text(text, encoding="utf-8")
    vocabulary, _ = load_vocabulary(None)
    tree, findings = check_file(file, vocabulary)
    assert tree is None and findings
    assert all(f.rule in {"beslishulp.syntax", "beslishulp.schema"} for f in findings)


def test_content_carries_a_decision_tree_that_uses_every_construct() -> None:
    vocabulary, _ = load_vocabulary(CONTENT)
    loaded = load_decision_tree(CONTENT / "beslishulp.yaml")
    tree = loaded.tree
    assert tree is not None and loaded.findings == []
    assert check(tree, vocabulary) == []
    answers = [a for q in tree.questions.values() for a in q.answers]
    assert any(a.labels for a in answers) and any(a.subresult for a in answers)
    assert any(r.condition_text for a in answers for r in a.redirects)
    assert all(q.sources for q in tree.questions.values()) and any(c.sources for c in tree.conclusions.values())
    assert len({r.conclusion for r in walk(tree)}) == len(tree.conclusions) >= 3


def test_check_command_reports_the_decision_tree_with_file_and_line(tmp_path: Path) -> None:
    file = tmp_path / "elders.yaml"
    file.write_text(HOSTILE, encoding="utf-8")
    result = run_kaderpers("check", str(CONTENT), "--beslishulp", str(file), check=False)
    assert result.returncode == 1
    assert re.search(rf"{re.escape(str(file))}:\d+: error: .*\[beslishulp.loop\]", result.stdout)
