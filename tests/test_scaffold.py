"""``kaderpers new`` and ``kaderpers schema`` on the real tree (and on content/, which has no templates).

The schema is held against ``check`` record by record: every record of the real
tree in which check finds no error validates; every record check finds a type,
vocabulary, reference, id or title error in does not; and a copy of the tree in
which each valid record gets one such error (check confirms it) validates nowhere.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import CONTENT, run_kaderpers
from kaderpers.core.checks import check_tree
from kaderpers.core.findings import Level
from kaderpers.core.loader import load_tree
from kaderpers.core.model import FOLDER_OF, RECORD_KINDS, PageKind
from kaderpers.core.schema import front_matter_schema

jsonschema = pytest.importorskip("jsonschema")

#: The rules behind "a type, vocabulary, reference, id or title error".
SCHEMA_RULES = frozenset({"meta.type", "vocab.unknown", "ref.dangling", "ref.null", "meta.id-missing", "meta.id-format", "meta.title-missing"})


@pytest.fixture
def upstream_copy(upstream_tree: Path, tmp_path: Path) -> Path:
    """The real tree with its project beside it (templates/, includes/, mkdocs.yml), as in its repository."""
    project = tmp_path / "kader"
    shutil.copytree(upstream_tree.parent, project, ignore=shutil.ignore_patterns(".git", "*.png", "*.jpg", "*.jpeg", "*.gif", "*.pdf", "*.webp"))
    return project / upstream_tree.name


def numbers(folder: Path, prefix: str) -> list[int]:
    return [int(m[1]) for p in folder.glob(f"{prefix}*.md") if (m := re.match(rf"{re.escape(prefix)}(\d+)", p.name))]


def findings_in(tree: Path, path: Path) -> list[str]:
    relative = path.relative_to(tree).as_posix()
    return [f.format() for f in check_tree(tree) if f.path == relative]


# -- new -------------------------------------------------------------------------------------


def test_new_maatregel_takes_the_next_code_of_its_phase(upstream_copy: Path) -> None:
    folder = upstream_copy / FOLDER_OF[PageKind.MAATREGEL]
    expected = max(numbers(folder, "2-owp-")) + 1
    result = run_kaderpers("new", "maatregel", "Leg de afspraken over de data vast", "--dir", str(upstream_copy), "--fase", "ontwerp")
    path = Path(result.stdout.strip())
    assert path == folder / f"2-owp-{expected:02d}-leg-de-afspraken-over-de-data-vast.md"
    page = next(p for p in load_tree(upstream_copy).kader.of_kind(PageKind.MAATREGEL) if p.stem == path.stem)
    assert page.record_id == f"urn:nl:ak:mtr:owp-{expected:02d}"
    assert page.title == "Leg de afspraken over de data vast"
    assert page.values("levenscyclus") == ("ontwerp",)
    assert findings_in(upstream_copy, path) == []
    # The tree's template gives the sections; its list directive stays.
    text = path.read_text("utf-8")
    assert "## Risico" in text and "<!-- list_vereisten_on_maatregelen_page -->" in text
    second = Path(run_kaderpers("new", "maatregel", "Nog een maatregel", "--dir", str(upstream_copy), "--fase", "ontwerp").stdout.strip())
    assert second.name.startswith(f"2-owp-{expected + 1:02d}-")


def test_new_vereiste_and_hulpmiddel_pass_check(upstream_copy: Path) -> None:
    folder = upstream_copy / FOLDER_OF[PageKind.VEREISTE]
    expected = max(numbers(folder, "avg-")) + 1
    vereiste = Path(run_kaderpers("new", "vereiste", "Persoonsgegevens: alleen wat nodig is.", "--dir", str(upstream_copy), "--wet", "avg").stdout.strip())
    assert vereiste.name == f"avg-{expected:02d}-persoonsgegevens-alleen-wat-nodig-is.md"
    text = vereiste.read_text("utf-8")
    assert f"id: urn:nl:ak:ver:avg-{expected:02d}\n" in text
    assert "title: 'Persoonsgegevens: alleen wat nodig is'\n" in text  # quoted YAML, no period
    assert f"vereiste/{vereiste.stem} " in text  # the template's table of maatregelen lists this vereiste's
    hulpmiddel = Path(run_kaderpers("new", "hulpmiddel", "Een nieuw hulpmiddel", "--dir", str(upstream_copy)).stdout.strip())
    assert hulpmiddel.parent == upstream_copy / FOLDER_OF[PageKind.HULPMIDDEL]
    for path in (vereiste, hulpmiddel):
        assert findings_in(upstream_copy, path) == []


def test_new_without_templates_writes_default_sections(tmp_path: Path) -> None:
    tree = tmp_path / "content"
    shutil.copytree(CONTENT, tree)
    assert not (tree / "templates").exists() and not (tmp_path / "templates").exists()
    for kind, extra in (("maatregel", ["--fase", "uitfaseren"]), ("vereiste", ["--wet", "awb"]), ("hulpmiddel", [])):
        path = Path(run_kaderpers("new", kind, f"Een {kind} zonder sjabloon", "--dir", str(tree), *extra).stdout.strip())
        assert "<!-- tags -->" in path.read_text("utf-8")
        assert findings_in(tree, path) == [], kind


def test_new_says_what_to_give_instead(upstream_copy: Path) -> None:
    no_phase = run_kaderpers("new", "maatregel", "Titel", "--dir", str(upstream_copy), check=False)
    assert no_phase.returncode == 2 and "--fase" in no_phase.stderr and "ontwerp" in no_phase.stderr
    typo = run_kaderpers("new", "maatregel", "Titel", "--dir", str(upstream_copy), "--fase", "ontwrp", check=False)
    assert typo.returncode == 2 and "Did you mean `ontwerp`?" in typo.stderr
    no_law = run_kaderpers("new", "vereiste", "Titel", "--dir", str(upstream_copy), check=False)
    assert no_law.returncode == 2 and "--wet" in no_law.stderr and "avg" in no_law.stderr
    nowhere = run_kaderpers("new", "hulpmiddel", "Titel", check=False)  # no ./docs where it runs: not the example kader
    assert nowhere.returncode == 2 and "--dir" in nowhere.stderr
    assert no_phase.stdout == typo.stdout == no_law.stdout == nowhere.stdout == ""


# -- schema ------------------------------------------------------------------------------------


def as_json(value: Any) -> Any:
    """Front matter as a YAML plug-in hands it to a JSON Schema validator (dates become text)."""
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def front_matter(path: Path) -> dict[str, Any] | None:
    text = path.read_text("utf-8", errors="replace").replace("\r\n", "\n").lstrip("\ufeff")
    match = re.match(r"---\n(.*?)\n---\s*\n", text, re.DOTALL)
    if not match:
        return None
    try:
        data = yaml.safe_load(match[1])
    except yaml.YAMLError:
        return None
    return as_json(data) if isinstance(data, dict) else None


def validators(tree: Path) -> dict[PageKind, Any]:
    kader = load_tree(tree).kader
    found = {}
    for kind in RECORD_KINDS:
        schema = front_matter_schema(kader, kind)
        jsonschema.Draft202012Validator.check_schema(schema)
        found[kind] = jsonschema.Draft202012Validator(schema)
    return found


def errors_by_path(tree: Path) -> dict[str, set[str]]:
    errors: dict[str, set[str]] = defaultdict(set)
    for finding in check_tree(tree):
        if finding.level is Level.ERROR:
            errors[finding.path].add(finding.rule)
    return errors


def test_the_schema_agrees_with_check_on_every_record(upstream_tree: Path) -> None:
    schemas = validators(upstream_tree)
    errors = errors_by_path(upstream_tree)
    records = [page for page in load_tree(upstream_tree).kader.pages.values() if page.is_record]
    assert len(records) > 100
    disagreements = []
    for page in records:
        data = front_matter(upstream_tree / page.path)
        assert data is not None, page.path
        valid = schemas[page.kind].is_valid(data)
        rules = errors.get(page.path, set())
        if not rules and not valid:
            disagreements.append(f"{page.path}: check finds no error, the schema: {[e.message[:120] for e in schemas[page.kind].iter_errors(data)]}")
        if rules & SCHEMA_RULES and valid:
            disagreements.append(f"{page.path}: check finds {sorted(rules)}, the schema finds nothing")
    assert not disagreements, "\n".join(disagreements)
    assert any(errors.get(p.path, set()) & SCHEMA_RULES for p in records)  # the real tree has such errors: they were compared


def test_a_title_from_the_first_heading_passes_both_and_no_title_at_all_fails_check(tmp_path: Path) -> None:
    tree = tmp_path / "kader"
    shutil.copytree(CONTENT, tree)
    record = next(p for p in sorted((tree / FOLDER_OF[PageKind.VEREISTE]).glob("*.md")) if p.stem != "index")
    data = front_matter(record)
    assert data is not None and data.get("title")
    title = data.pop("title")
    body = record.read_text("utf-8").split("\n---", 2)[1].split("\n", 1)[1]
    relative = record.relative_to(tree).as_posix()
    record.write_text("---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---\n\n# " + str(title) + "\n" + body, "utf-8")
    assert validators(tree)[PageKind.VEREISTE].is_valid(front_matter(record))
    assert "meta.title-missing" not in errors_by_path(tree).get(relative, set())
    record.write_text("---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---\n\nTekst zonder kop.\n", "utf-8")
    assert "meta.title-missing" in errors_by_path(tree).get(relative, set())  # what only check can see


def mutate(data: dict[str, Any], kind: PageKind, mutation: str) -> str:
    """One error of the kind ``mutation`` in ``data`` (in place); returns the rule check should report."""
    if mutation == "id" and kind not in (PageKind.VEREISTE, PageKind.MAATREGEL):
        mutation = "title"  # hulpmiddelen have no id rules
    if mutation == "type":
        data["rollen"] = {"projectleider": True}
        return "meta.type"
    if mutation == "vocabulary":
        data["onderwerp"] = [*(data.get("onderwerp") or []), "een-onderwerp-dat-niet-bestaat"]
        return "vocab.unknown"
    if mutation == "reference":
        data["vereiste"] = [*(data.get("vereiste") or []), "xyz-99-een-vereiste-die-niet-bestaat"]
        return "ref.dangling"
    if mutation == "id":
        data["id"] = str(data["id"]).replace("urn:nl:ak:", "urn:nl:ak:x")
        return "meta.id-format"
    data["title"] = "  "
    return "meta.title-missing"


def test_records_with_one_error_each_fail_the_schema(upstream_copy: Path) -> None:
    errors = errors_by_path(upstream_copy)
    kader = load_tree(upstream_copy).kader
    mutations = ("type", "vocabulary", "reference", "id", "title")
    expected: dict[str, tuple[str, dict[str, Any]]] = {}
    valid_records = [p for p in kader.pages.values() if p.is_record and not errors.get(p.path) and p.heading is None]
    assert len(valid_records) > 100
    for index, page in enumerate(valid_records):
        path = upstream_copy / page.path
        text = path.read_text("utf-8").replace("\r\n", "\n")
        data = front_matter(path)
        assert data is not None
        rule = mutate(data, page.kind, mutations[index % len(mutations)])
        body = text.split("\n---", 2)[1].split("\n", 1)[1] if text.startswith("---") else text
        path.write_text("---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---" + "\n" + body, "utf-8")
        expected[page.path] = (rule, data)
    schemas = validators(upstream_copy)  # the same vocabularies and records: nothing was added or renamed
    after = errors_by_path(upstream_copy)
    wrong = []
    for relative, (rule, data) in expected.items():
        if rule not in after.get(relative, set()):
            wrong.append(f"{relative}: the mutation did not give check's {rule}: {sorted(after.get(relative, set()))}")
        kind = kader.pages[relative.removesuffix(".md")].kind
        if schemas[kind].is_valid(data):
            wrong.append(f"{relative}: {rule} passes the schema")
    assert not wrong, "\n".join(wrong)
    assert {rule for rule, _ in expected.values()} == {"meta.type", "vocab.unknown", "ref.dangling", "meta.id-format", "meta.title-missing"}


def test_schema_command_prints_a_draft_2020_12_schema(upstream_tree: Path) -> None:
    schema = json.loads(run_kaderpers("schema", "vereiste", str(upstream_tree)).stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    stems = sorted(p.stem for p in (upstream_tree / FOLDER_OF[PageKind.MAATREGEL]).glob("*.md") if p.stem != "index")
    referenced = schema["properties"]["maatregel"]["anyOf"][0]["items"]["enum"]
    assert sorted(referenced) == stems
    assert schema["required"] == ["id"]  # a title may come from the first heading, which the schema cannot see
    hulpmiddel = json.loads(run_kaderpers("schema", "hulpmiddel", str(upstream_tree)).stdout)
    assert hulpmiddel["required"] == [] and hulpmiddel["properties"]["title"]
