"""Limits instead of recursion (issue 19): every recursive structure a tree can carry is bounded.

A 100,000-deep ``if``, a 1,000,000-term ``if``, a 100,000-deep ``uitzondering``,
YAML nested past its limit and a beslishulp too large to walk are each one finding
with file and line; the site is published without what exceeded the limit.
The hostile files are written here, the expected lines counted in their text.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import pdf_text
from conftest import CONTENT, KADERPERS, run_kaderpers
from kaderpers.core import limits
from kaderpers.core.beslishulp import check_file, parse_condition
from kaderpers.core.checks import check_tree
from kaderpers.core.grammar import ExpressionTooLarge, parse_label_expression
from kaderpers.core.loader import load_vocabulary
from test_hostile import run_measured

BESLISHULP = (CONTENT / "beslishulp.yaml").read_text("utf-8")
FIRST_IF = re.search(r"^( *)if: .*$", BESLISHULP, re.MULTILINE)
assert FIRST_IF is not None
IF_LINE = BESLISHULP[: FIRST_IF.start()].count("\n") + 1

HOSTILE_IFS = {
    "deep": "(" * 100_000 + '"aanbieder" in labels' + ")" * 100_000,
    "long": " || ".join(['"aanbieder" in labels'] * 1_000_000),
    "negated": "!" * 100_000 + '"aanbieder" in labels',
}


def with_if(expression: str) -> str:
    """content/'s decision tree with its first ``if`` replaced."""
    return BESLISHULP[: FIRST_IF.start()] + f"{FIRST_IF[1]}if: '{expression}'" + BESLISHULP[FIRST_IF.end() :]


@pytest.mark.parametrize("kind", sorted(HOSTILE_IFS))
def test_a_hostile_if_is_one_finding_at_its_line_and_the_tree_is_not_published(tmp_path: Path, kind: str) -> None:
    file = tmp_path / "beslishulp.yaml"
    file.write_text(with_if(HOSTILE_IFS[kind]), encoding="utf-8")
    vocabulary, _ = load_vocabulary(CONTENT)
    tree, findings = check_file(file, vocabulary)
    assert [(f.rule, f.line) for f in findings] == [("expression.too-large", IF_LINE)]
    assert len(findings[0].message) < 400  # the expression is named, not repeated
    assert tree is None


def test_expressions_up_to_the_limits_are_read() -> None:
    depth = limits.MAX_EXPRESSION_DEPTH
    nested = "(" * (depth // 2) + "!" * (depth - depth // 2 - 1) + '!"a" in labels' + ")" * (depth // 2)
    assert parse_condition(nested) is not None
    with pytest.raises(ExpressionTooLarge):
        parse_condition("(" + nested + ")")
    flat = " || ".join(['"a" in labels'] * (limits.MAX_EXPRESSION_LENGTH // 20))
    assert parse_condition(flat)[0] == "or"
    with pytest.raises(ExpressionTooLarge):
        parse_label_expression("a || " * (limits.MAX_EXPRESSION_LENGTH // 5) + "a")


def copy_of_content(base: Path) -> Path:
    tree = base / "tree"
    shutil.copytree(CONTENT, tree)
    return tree


def test_a_hostile_uitzondering_is_one_finding_at_its_line(tmp_path: Path) -> None:
    tree = copy_of_content(tmp_path)
    record = next(p for p in sorted(tree.rglob("*.md")) if "\nuitzondering:\n- " in p.read_text("utf-8"))
    text = record.read_text("utf-8")
    position = text.index("\nuitzondering:\n- ") + len("\nuitzondering:\n")
    line = text[:position].count("\n") + 1
    deep = "(" * 100_000 + "risicogroep-hoog-risico-ai-systeem" + ")" * 100_000
    record.write_text(text[:position] + f"- '{deep}'\n" + text[position:], encoding="utf-8")
    findings = [f for f in check_tree(tree) if f.rule == "expression.too-large"]
    assert [(f.path, f.line) for f in findings] == [(record.relative_to(tree).as_posix(), line)]


@pytest.mark.parametrize("depth", [limits.MAX_YAML_DEPTH + 1, 900])
def test_front_matter_nested_too_deep_is_a_finding_at_its_line(tmp_path: Path, depth: int) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "index.md").write_text("---\ntitle: Start\n---\n# Start\n", encoding="utf-8")
    nested = "extra:\n" + "".join("  " * level + "- \n" for level in range(1, depth))  # block style: one level a line
    (tree / "diep.md").write_text(f"---\ntitle: Diep\n{nested}" + "  " * depth + "- bodem\n---\n# Diep\n", encoding="utf-8")
    findings = [f for f in check_tree(tree) if f.path == "diep.md" and f.rule.startswith("yaml.")]
    # the first line deeper than the limit: front matter starts on line 2, `extra:` is line 3
    assert [(f.rule, f.line) for f in findings] == [("yaml.too-deep", 3 + limits.MAX_YAML_DEPTH)]


def test_a_decision_tree_nested_too_deep_is_one_finding(tmp_path: Path) -> None:
    file = tmp_path / "beslishulp.yaml"
    file.write_text(BESLISHULP + "extra: " + "[" * 80 + "]" * 80 + "\n", encoding="utf-8")
    vocabulary, _ = load_vocabulary(CONTENT)
    tree, findings = check_file(file, vocabulary)
    assert [(f.rule, f.line) for f in findings] == [("beslishulp.too-large", BESLISHULP.count("\n") + 1)]
    assert tree is None


def chain(questions: int, answers: int) -> str:
    """A decision tree of ``questions`` questions in a row, every answer of one leading to the next."""
    lines = ["questions:"]
    for number in range(questions):
        target = f'nextQuestionId: "{number + 1}"' if number + 1 < questions else 'nextConclusionId: "K"'
        lines += [f'  - questionId: "{number}"', "    question: Vraag?", "    answers:"]
        lines += [f"      - answer: Antwoord {a}\n        {target}" for a in range(answers)]
    lines += ["conclusions:", '  - conclusionId: "K"', "    conclusion: Klaar", "    obligation: Niets"]
    return "\n".join(lines) + "\n"


def test_too_many_questions_or_answers_is_one_finding_at_the_first_one_past_the_limit(tmp_path: Path) -> None:
    vocabulary, _ = load_vocabulary(CONTENT)
    file = tmp_path / "beslishulp.yaml"
    file.write_text(chain(limits.MAX_QUESTIONS + 5, 1), encoding="utf-8")
    tree, findings = check_file(file, vocabulary)
    line = file.read_text().splitlines().index(f'  - questionId: "{limits.MAX_QUESTIONS}"') + 1
    assert [(f.rule, f.line) for f in findings] == [("beslishulp.too-large", line)] and tree is None
    file.write_text(chain(1, limits.MAX_ANSWERS + 1), encoding="utf-8")
    tree, findings = check_file(file, vocabulary)
    line = file.read_text().splitlines().index(f"      - answer: Antwoord {limits.MAX_ANSWERS}") + 1
    assert [(f.rule, f.line) for f in findings] == [("beslishulp.too-large", line)] and tree is None


def test_the_path_walker_stops_at_its_step_budget(tmp_path: Path) -> None:
    # 150 questions of 10 answers: 10**150 paths, each 150 steps long.
    vocabulary, _ = load_vocabulary(CONTENT)
    file = tmp_path / "beslishulp.yaml"
    file.write_text(chain(150, 10), encoding="utf-8")
    tree, findings = check_file(file, vocabulary)
    assert tree is not None
    assert [(f.rule, f.line) for f in findings] == [("beslishulp.paths", 2)]


def test_check_and_build_of_a_100000_deep_if(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "index.md").write_text("---\ntitle: Start\n---\n# Start\n\nTekst.\n", encoding="utf-8")
    (tree / "beslishulp.yaml").write_text(with_if(HOSTILE_IFS["deep"]), encoding="utf-8")
    check, _, check_rss = run_measured([*KADERPERS, "check", str(tree)], timeout=120)
    assert check.returncode == 1 and check_rss < 500
    assert re.findall(r"^beslishulp\.yaml:(\d+): error: .*\[expression\.too-large\]$", check.stdout, re.MULTILINE) == [str(IF_LINE)]
    out = tmp_path / "out"
    build, _, build_rss = run_measured([*KADERPERS, "build", str(tree), "--out", str(out)], timeout=300)
    assert build.returncode == 0, build.stderr[-2000:]
    assert build_rss < 500
    assert len(re.findall(rf"beslishulp\.yaml:{IF_LINE}: WARNING: .*\[kaderpers\.expression\.too-large\]", build.stderr)) == 1
    index = BeautifulSoup((out / "html" / "index.html").read_text("utf-8"), "html.parser")
    assert index.find("main").get_text().strip()
    assert not (out / "html" / "beslishulp").exists()
    strict, _, _ = run_measured([*KADERPERS, "build", str(tree), "--out", str(tmp_path / "strict"), "--strict"], timeout=300)
    assert strict.returncode == 1


# -- lists, block quotes and raw HTML nested past what the parsers and the PDF take -------------------

DEEP_PAGE_HEAD = "---\ntitle: Diepe pagina\n---\n\n# Diepe pagina\n\nBegin van de pagina.\n\n"
DEEP_QUOTE = "> " * 30 + "Tekst diep in citaten.\n\nNa de citaten.\n\n"
DEEP_LIST = "".join("  " * level + f"- Punt{level}\n" for level in range(40)) + "\nNa de lijst.\n\n"
DEEP_HTML = "<ul><li>" * 5000 + "Tekst diep in HTML." + "</li></ul>" * 5000 + "\n\nNa de HTML.\n"


def deep_tree(base: Path, **bodies: str) -> Path:
    """A tree with a page ``hulpmiddelen/NAME.md`` for each body."""
    tree = base / "tree"
    (tree / "voldoen-aan-wetten-en-regels" / "hulpmiddelen").mkdir(parents=True)
    (tree / "index.md").write_text("---\ntitle: Start\n---\n# Start\n\nTekst.\n", encoding="utf-8")
    for name, body in bodies.items():
        (tree / "voldoen-aan-wetten-en-regels" / "hulpmiddelen" / f"{name}.md").write_text(DEEP_PAGE_HEAD + body, encoding="utf-8")
    return tree


def line_of(text: str, start: str) -> int:
    """The 1-based number of the first line of ``text`` that starts with ``start``."""
    return next(number for number, line in enumerate(text.split("\n"), 1) if line.startswith(start))


def test_the_nesting_kaderpers_assumes_is_myst_s() -> None:
    from myst_parser.config.main import MdParserConfig
    from myst_parser.mdit_to_docutils.base import DocutilsRenderer
    from myst_parser.parsers.mdit import create_md_parser

    from kaderpers.core.markup import PARSER_MAX_NESTING, _parser

    assert _parser().options["maxNesting"] == PARSER_MAX_NESTING == create_md_parser(MdParserConfig(), DocutilsRenderer).options["maxNesting"] == 20


def test_lists_and_quotes_nested_past_the_parser_are_published_with_one_finding_each(tmp_path: Path) -> None:
    """markdown-it skips what lies 20 levels deep, and a list swallows the rest of the page with it:
    every word is published, with one finding per page at the first line it would have skipped."""
    tree = deep_tree(tmp_path, citaten=DEEP_QUOTE, lijst=DEEP_LIST)
    # The parser counts a list twice (list and item) and a quote once: its 20th level is the 20th quote and the 10th list.
    expected = {("citaten.md", line_of(DEEP_PAGE_HEAD + DEEP_QUOTE, "> " * 20)), ("lijst.md", line_of(DEEP_PAGE_HEAD + DEEP_LIST, "  " * 9 + "- Punt9"))}
    check = run_kaderpers("check", str(tree), "--format", "json", check=False)
    assert {(Path(f["path"]).name, f["line"]) for f in json.loads(check.stdout)["findings"] if f["rule"] == "page.too-deep"} == expected
    out = tmp_path / "out"
    build = run_kaderpers("build", str(tree), "--out", str(out))
    reported = re.findall(r"(\w+\.md):(\d+): WARNING: .*\[kaderpers\.page\.too-deep\]", build.stderr)
    assert sorted((name, int(line)) for name, line in reported) == sorted(expected)
    words = ""
    for name in ("citaten", "lijst"):
        page = out / "html" / "voldoen-aan-wetten-en-regels" / "hulpmiddelen" / f"{name}.html"
        words += BeautifulSoup(page.read_text("utf-8"), "html.parser").select_one("article").get_text(" ")
    for sentence in ["Tekst diep in citaten.", "Na de citaten.", *(f"Punt{level}" for level in range(40)), "Na de lijst."]:
        assert re.search(rf"(?<!\w){re.escape(sentence)}(?!\w)", words), f"{sentence!r} is not published"
    assert words.index("Punt39") < words.index("Na de lijst.")
    assert run_kaderpers("build", str(tree), "--out", str(tmp_path / "strict"), "--strict", check=False).returncode == 1


def test_raw_html_nested_5000_deep_is_one_finding_and_prints(tmp_path: Path) -> None:
    """The PDF lays nested raw HTML out recursively (5,000 levels ended in RecursionError, 16 list
    levels took minutes): past MAX_HTML_DEPTH elements the tags go and the text stays, in the site and the PDF."""
    tree = deep_tree(tmp_path, diep=DEEP_HTML)
    text = DEEP_PAGE_HEAD + DEEP_HTML
    out = tmp_path / "out"
    build = run_kaderpers("build", str(tree), "--out", str(out), "--pdf")
    assert re.findall(r"diep\.md:(\d+): WARNING: .*\[kaderpers\.page\.too-deep\]", build.stderr) == [str(line_of(text, "<ul>"))]
    page = (out / "html" / "voldoen-aan-wetten-en-regels" / "hulpmiddelen" / "diep.html").read_text("utf-8")
    article = BeautifulSoup(page, "html.parser").select_one("article")
    assert "Tekst diep in HTML." in article.get_text() and "Na de HTML." in article.get_text()
    deepest = max(len(item.find_parents("ul")) for item in article.find_all("li"))
    assert deepest == limits.MAX_HTML_DEPTH // 2  # <ul><li> pairs
    printed = " ".join(pdf_text.text(out / "pdf" / "algoritmekader.pdf").split())
    assert "Tekst diep in HTML." in printed and "Na de HTML." in printed
