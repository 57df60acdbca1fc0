"""The CI files for a kader repository (issue #22, part 3): the GitHub workflow and the GitLab CI file
validate against their schemas (check-jsonschema's vendored copies, no network), both run the same steps
script, and that script, run in a temporary repository with a main branch and a change, leaves the
artifact folder with a Wijzigingen page that names the change."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO, child_env
from small_content import small_content

CI = REPO / "deploy" / "ci"
SCRIPT = CI / "kaderpers-pull-request.sh"
GITHUB = CI / "kaderpers-github.yml"
GITLAB = CI / "kaderpers-gitlab-ci.yml"
#: Where the workflows expect the script in the kader repository.
SCRIPT_IN_REPOSITORY = "ci/kaderpers-pull-request.sh"
BIN = Path(sys.executable).parent
#: A proxy that answers nothing: any attempt to fetch a schema fails instead of reaching the network.
OFFLINE = {"http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9"}


@pytest.mark.parametrize(("schema", "path"), [("vendor.github-workflows", GITHUB), ("vendor.gitlab-ci", GITLAB)])
def test_the_workflow_files_validate_against_their_schemas(schema: str, path: Path, tmp_path: Path) -> None:
    command = [str(BIN / "check-jsonschema"), "--builtin-schema", schema]
    result = subprocess.run([*command, str(path)], capture_output=True, text=True, env=child_env(**OFFLINE))
    assert result.returncode == 0, result.stdout + result.stderr
    broken = tmp_path / path.name  # the same file with a job that is not a job: the schema must see it
    document = yaml.safe_load(path.read_text("utf-8"))
    job = "pull-request" if path == GITHUB else "kaderpers-merge-request"
    target = document["jobs"][job] if path == GITHUB else document[job]
    target["stage" if path == GITLAB else "runs-on"] = {"not": "a name"}
    broken.write_text(yaml.safe_dump(document), "utf-8")
    assert subprocess.run([*command, str(broken)], capture_output=True, text=True, env=child_env(**OFFLINE)).returncode != 0


def run_lines(path: Path) -> list[str]:
    """Every shell line the file runs: GitHub steps' `run`, GitLab jobs' `script`."""
    document = yaml.safe_load(path.read_text("utf-8"))
    if path == GITHUB:
        return [step["run"] for job in document["jobs"].values() for step in job["steps"] if "run" in step]
    return [line for job in document.values() if isinstance(job, dict) for line in job.get("script", [])]


def test_both_run_the_steps_script_on_pull_requests_and_links_only_on_schedule() -> None:
    assert SCRIPT.name == Path(SCRIPT_IN_REPOSITORY).name
    for path in (GITHUB, GITLAB):
        lines = run_lines(path)
        assert f"bash {SCRIPT_IN_REPOSITORY}" in lines, path
        assert any("--links" in line for line in lines), path
        assert not any("--links" in line for line in SCRIPT.read_text("utf-8").splitlines() if not line.lstrip().startswith("#"))
    github = yaml.safe_load(GITHUB.read_text("utf-8"))
    triggers = github[True]  # YAML 1.1 reads the key `on` as true
    assert set(triggers) == {"pull_request", "schedule", "workflow_dispatch"}  # not on every push
    assert github["jobs"]["links"]["if"] == "github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'"
    assert github["jobs"]["pull-request"]["if"] == "github.event_name == 'pull_request'"
    upload = github["jobs"]["pull-request"]["steps"][-1]
    assert upload["uses"].startswith("actions/upload-artifact@") and upload["with"]["path"] == "kaderpers-artifact/"
    gitlab = yaml.safe_load(GITLAB.read_text("utf-8"))
    assert gitlab["kaderpers-merge-request"]["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert gitlab["kaderpers-merge-request"]["artifacts"]["paths"] == ["kaderpers-artifact/"]
    assert {rule["if"] for rule in gitlab["kaderpers-links"]["rules"]} == {'$CI_PIPELINE_SOURCE == "schedule"', '$CI_PIPELINE_SOURCE == "web"'}


def git(repo: Path, *arguments: str) -> str:
    env = child_env(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.nl", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.nl")
    return subprocess.run(["git", "-C", str(repo), *arguments], check=True, capture_output=True, text=True, env=env).stdout.strip()


RECORD = Path("voldoen-aan-wetten-en-regels", "maatregelen", "0-org-01-algoritmes-inventariseren.md")
NEW_TITLE = "Houd een register bij van alle algoritmes van de organisatie"


def pull_request(tmp_path: Path) -> tuple[Path, str]:
    """A kader repository cloned from its origin, on a branch that retitles a maatregel; and main's commit."""
    origin, work = tmp_path / "origin.git", tmp_path / "kader"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    small_content(work / "docs")  # what the script does with a change does not depend on the tree's size
    git(work, "init", "-q", "-b", "main")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "kader")
    git(work, "remote", "add", "origin", str(origin))
    git(work, "push", "-q", "origin", "main")
    main = git(work, "rev-parse", "HEAD")
    git(work, "checkout", "-q", "-b", "nieuwe-titel")
    record = work / "docs" / RECORD
    text = record.read_text("utf-8")
    old_title = next(line for line in text.splitlines() if line.startswith("title: "))
    record.write_text(text.replace(old_title, f"title: {NEW_TITLE}", 1), "utf-8")
    git(work, "commit", "-qam", "nieuwe titel")
    git(work, "remote", "remove", "origin")  # as a CI checkout has it: origin/main only after the script's fetch
    git(work, "remote", "add", "origin", str(origin))
    return work, main


def run_script(work: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    env = child_env(**{"KADERPERS": str(BIN / "kaderpers"), **settings})
    env["PATH"] = f"{BIN}{os.pathsep}{env['PATH']}"
    return subprocess.run(["bash", str(SCRIPT)], cwd=work, capture_output=True, text=True, env=env)


def test_the_steps_script_leaves_the_site_with_a_wijzigingen_page_that_names_the_change(tmp_path: Path) -> None:
    from bs4 import BeautifulSoup

    work, main = pull_request(tmp_path)
    result = run_script(work, KADERPERS_OUTPUTS="")  # the site only: the PDFs' own tests are elsewhere
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    artifact = work / "kaderpers-artifact"
    changes = BeautifulSoup((artifact / "site" / "wijzigingen" / "index.html").read_text("utf-8"), "html.parser")
    article = changes.find("article")
    assert article is not None and NEW_TITLE in article.get_text(" ")
    assert "0-org-01-algoritmes-inventariseren" in " ".join(a.get("href", "") for a in article.find_all("a"))
    assert (artifact / "site" / "index.html").is_file() and not (artifact / "pdf").exists()
    assert main in result.stdout  # compared with the merge base, main's commit
    sarif = json.loads((artifact / "kaderpers.sarif").read_text("utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"] == []


FAKE_KADERPERS = """#!/usr/bin/env bash
echo "$*" >> "$KADERPERS_CALLS"
if [ "$1" = build ]; then
    out="$(printf '%s\\n' "$@" | sed -n '/^--out$/{n;p}')"
    mkdir -p "$out/html" "$out/pdf/handouts" && echo site > "$out/html/index.html" && echo pdf > "$out/pdf/algoritmekader.pdf"
fi
if [ "$1" = check ] && [ "$KADERPERS_FAKE_CHECK" = fail ]; then exit 1; fi
exit 0
"""


def test_by_default_the_script_builds_everything_isolated_against_the_merge_base_and_fails_after_the_build(tmp_path: Path) -> None:
    work, main = pull_request(tmp_path)
    fake = tmp_path / "kaderpers-fake"
    fake.write_text(FAKE_KADERPERS, "utf-8")
    fake.chmod(0o755)
    calls = tmp_path / "calls.txt"
    result = run_script(work, KADERPERS=str(fake), KADERPERS_CALLS=str(calls), KADERPERS_FAKE_CHECK="fail")
    assert result.returncode == 1, result.stdout + result.stderr  # the check failed ...
    lines = calls.read_text("utf-8").splitlines()
    assert lines[0] == "check docs --strict --format github"
    assert lines[-1] == f"build docs --out build --isolated --all --compare-to git:{main}"
    artifact = work / "kaderpers-artifact"  # ... and the reviewers still get the site and the PDFs
    assert (artifact / "site" / "index.html").is_file() and (artifact / "pdf" / "algoritmekader.pdf").is_file()
