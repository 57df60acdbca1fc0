"""`kaderpers check`: every rule on a small fixture tree, robustness, and the real tree."""

from __future__ import annotations

import json
import os
from pathlib import Path

import frontmatter
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CONTENT, make_tree, run_kaderpers
from kaderpers.core.checks import check_tree
from kaderpers.core.findings import Finding, Level
from kaderpers.core.loader import decode, load_vocabulary, read_page

VER = "voldoen-aan-wetten-en-regels/vereisten"
MTR = "voldoen-aan-wetten-en-regels/maatregelen"
HLP = "voldoen-aan-wetten-en-regels/hulpmiddelen"

VEREISTE = """---
title: Persoonsgegevens worden rechtmatig verwerkt
id: urn:nl:ak:ver:avg-01
toelichting: Er is een grondslag uit artikel 6 AVG.
levenscyclus:
- ontwerp
onderwerp:
- privacy
rollen:
- jurist
---
<!-- tags -->
## Vereiste
Tekst.

<!-- list_maatregelen vereiste/avg-01-rechtmatig no-rol -->
"""

MAATREGEL = """---
title: Leg de grondslag vast
id: urn:nl:ak:mtr:owp-01
toelichting: Beschrijf de grondslag.
levenscyclus:
- ontwerp
onderwerp:
- privacy
rollen:
- jurist
vereiste:
- avg-01-rechtmatig
sources:
  ARK: 2.10
---
<!-- tags -->
## Maatregel
"""

HULPMIDDEL = """---
title: DPIA
toelichting: Een instrument.
categorie:
- impact-assessment
vereiste:
- avg-01-rechtmatig
maatregel:
- 2-owp-01-grondslag
levenscyclus:
- ontwerp
onderwerp:
- privacy
rollen:
- jurist
---
<!-- list_maatregelen_on_hulpmiddelen_page -->
"""


def valid_files() -> dict[str, str]:
    return {
        "index.md": "---\ntitle: Home\n---\n# Home\n",
        "levenscyclus/index.md": "---\ntitle: Levenscyclus\nid: 0\n---\n# Levenscyclus\n",
        "levenscyclus/ontwerp.md": "---\ntitle: Fase 2, ontwerp\n---\n# Fase 2: Ontwerp\n<!-- list_vereisten levenscyclus/ontwerp no-rol -->\n",
        "onderwerpen/privacy.md": "---\ntitle: Privacy\n---\n# Privacy\n",
        "rollen/jurist.md": "---\ntitle: Jurist\n---\n# Jurist\n",
        f"{VER}/avg-01-rechtmatig.md": VEREISTE,
        f"{MTR}/2-owp-01-grondslag.md": MAATREGEL,
        f"{HLP}/DPIA.md": HULPMIDDEL,
    }


def findings_for(tmp_path: Path, **changes: str | None) -> list[Finding]:
    """Check the valid tree with some files replaced (``None`` deletes one)."""
    files = valid_files()
    for key, text in changes.items():
        path = key.replace("__", "/").replace("_DOT_", ".")
        if text is None:
            files.pop(path, None)
        else:
            files[path] = text
    return check_tree(make_tree(tmp_path, files))


def rules(findings: list[Finding]) -> dict[str, list[Finding]]:
    result: dict[str, list[Finding]] = {}
    for finding in findings:
        result.setdefault(finding.rule, []).append(finding)
    return result


def replace_in(path: str, old: str, new: str) -> str:
    text = valid_files()[path]
    assert old in text, old
    return text.replace(old, new)


def changed(path: str, old: str, new: str) -> dict[str, str]:
    return {path.replace("/", "__").replace(".", "_DOT_"): replace_in(path, old, new)}


VEREISTE_PATH = f"{VER}/avg-01-rechtmatig.md"
MAATREGEL_PATH = f"{MTR}/2-owp-01-grondslag.md"


def test_valid_tree_has_no_findings(tmp_path: Path) -> None:
    assert findings_for(tmp_path) == []


@pytest.mark.parametrize(
    ("path", "old", "new", "rule", "line"),
    [
        (VEREISTE_PATH, "title: Persoonsgegevens worden rechtmatig verwerkt\n", "", "meta.title-missing", 1),
        (VEREISTE_PATH, "rechtmatig verwerkt\n", "rechtmatig verwerkt.\n", "meta.title-period", 2),
        (VEREISTE_PATH, "id: urn:nl:ak:ver:avg-01", "id: avg-01", "meta.id-format", 3),
        (VEREISTE_PATH, "id: urn:nl:ak:ver:avg-01", "id: urn:nl:ak:mtr:avg-01", "meta.id-format", 3),
        (VEREISTE_PATH, "id: urn:nl:ak:ver:avg-01", "id: urn:nl:ak:ver:avg-02", "meta.id-filename", 3),
        (VEREISTE_PATH, "id: urn:nl:ak:ver:avg-01\n", "", "meta.id-missing", 1),
        (MAATREGEL_PATH, "- avg-01-rechtmatig", "- avg-01-bestaat-niet", "ref.dangling", 12),
        (MAATREGEL_PATH, "- avg-01-rechtmatig", "-", "ref.null", 12),
        (MAATREGEL_PATH, "- privacy", "- privacyy", "vocab.unknown", 8),
        (MAATREGEL_PATH, "rollen:\n- jurist", "rollen: jurist", "meta.string-for-list", 9),
        (MAATREGEL_PATH, "rollen:\n- jurist", "rollen: {a: b}", "meta.type", 9),
        (MAATREGEL_PATH, "sources:", "bronnen: x\nsources:", "meta.unknown-key", 13),
        (MAATREGEL_PATH, "toelichting: Beschrijf de grondslag.", "toelichting: " + "woord " * 41, "meta.toelichting-length", 4),
        (MAATREGEL_PATH, "title: Leg", "title: [Leg", "yaml.syntax", 2),
        (VEREISTE_PATH, "no-rol -->", "no-rol no-kleur -->", "directive.flag", 16),
        (VEREISTE_PATH, "no-rol -->", "no-rol kleur/rood -->", "directive.filter", 16),
        (VEREISTE_PATH, "vereiste/avg-01-rechtmatig", "vereiste/avg-99-onbekend", "directive.filter", 16),
        (VEREISTE_PATH, "<!-- list_maatregelen", "<!-- list_maatregels", "directive.unknown", 16),
        (VEREISTE_PATH, "no-rol -->", "no-rol-->", "directive.malformed", 16),
        (VEREISTE_PATH, "<!-- tags -->", "<!--tags -->", "directive.malformed", 12),
        (VEREISTE_PATH, "onderwerp:\n- privacy", "onderwerp:\n\t- privacy", "yaml.tab-indent", 8),
    ],
)
def test_each_rule(tmp_path: Path, path: str, old: str, new: str, rule: str, line: int) -> None:
    found = rules(findings_for(tmp_path, **changed(path, old, new)))
    assert rule in found, f"expected {rule}, got {found}"
    finding = found[rule][0]
    assert finding.path == path
    assert finding.line == line
    assert finding.message and finding.message[0].islower() or finding.message[0] == "`"


def test_duplicate_ids_name_both_files(tmp_path: Path) -> None:
    other = replace_in(VEREISTE_PATH, "title: Persoonsgegevens", "title: Nog een")
    files = {f"{VER}/avg-01-ander.md": other}
    found = rules(check_tree(make_tree(tmp_path, {**valid_files(), **files})))
    duplicates = found["meta.id-duplicate"]
    assert {f.path for f in duplicates} == {VEREISTE_PATH, f"{VER}/avg-01-ander.md"}


def test_float_sources_keep_their_text(tmp_path: Path) -> None:
    tree = make_tree(tmp_path, valid_files())
    vocabulary, _ = load_vocabulary(tree)
    page, _, _ = read_page("m", MAATREGEL_PATH, (tree / MAATREGEL_PATH).read_text(), vocabulary)
    assert page.meta["sources"] == {"ARK": ("2.10",)}


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        (b"", "page.empty"),
        (b"\xef\xbb\xbf---\ntitle: T\n---\n# T\n", "encoding.bom"),
        (b"---\r\ntitle: T\r\n---\r\n# T\r\n", "encoding.crlf"),
        (b"---\ntitle: caf\xe9\n---\n# T\n", "encoding.invalid"),
        (b"---\ntitle: T\n# never closed\n", "yaml.syntax"),
        (b"---\n- a\n- b\n---\n# T\n", "yaml.not-mapping"),
    ],
)
def test_bad_bytes_become_findings(tmp_path: Path, raw: bytes, rule: str) -> None:
    tree = make_tree(tmp_path, valid_files())
    (tree / "kapot.md").write_bytes(raw)
    found = rules(check_tree(tree))
    assert rule in found
    assert all(f.path == "kapot.md" for f in found[rule])


def test_vocabulary_file_in_the_tree_replaces_a_section(tmp_path: Path) -> None:
    vereiste = replace_in(VEREISTE_PATH, "---\n<!-- tags", "risicogroep:\n- eigen-groep\n---\n<!-- tags")
    files = {**valid_files(), VEREISTE_PATH: vereiste}
    assert "vocab.unknown" in rules(check_tree(make_tree(tmp_path / "a", files)))
    files["vocabulaire.yml"] = "labels:\n  risicogroep:\n    eigen-groep: Eigen groep\n"
    assert "vocab.unknown" not in rules(check_tree(make_tree(tmp_path / "b", files)))


# -- the command line ---------------------------------------------------------------------


def test_cli_exit_codes_and_formats(tmp_path: Path) -> None:
    valid = make_tree(tmp_path / "valid", valid_files())
    assert run_kaderpers("check", str(valid)).returncode == 0

    warning_only = make_tree(tmp_path / "warn", {**valid_files(), MAATREGEL_PATH: replace_in(MAATREGEL_PATH, "vast\n", "vast.\n")})
    result = run_kaderpers("check", str(warning_only), check=False)
    assert result.returncode == 0, result.stdout
    assert f"{MAATREGEL_PATH}:2: warning: title ends with a period; remove it [meta.title-period]" in result.stdout
    assert run_kaderpers("check", "--strict", str(warning_only), check=False).returncode == 1

    broken = make_tree(tmp_path / "broken", {**valid_files(), MAATREGEL_PATH: replace_in(MAATREGEL_PATH, "- avg-01-rechtmatig", "- avg-09")})
    result = run_kaderpers("check", str(broken), "--format", "json", check=False)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["summary"] == {"ref.dangling": 1}
    assert report["findings"][0] | {"message": ""} == {"path": MAATREGEL_PATH, "line": 12, "rule": "ref.dangling", "level": "error", "message": ""}


def test_bundled_content_passes_strict() -> None:
    result = run_kaderpers("check", "--strict", str(CONTENT), check=False)
    assert result.returncode == 0, result.stdout


# -- robustness: random input gives findings, never an exception ---------------------------

yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30))
yaml_values = st.recursive(yaml_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
known_keys = st.sampled_from(
    [
        "title",
        "id",
        "toelichting",
        "levenscyclus",
        "rollen",
        "onderwerp",
        "vereiste",
        "maatregel",
        "sources",
        "hide",
        "categorie",
        "risicogroep",
        "uitzondering",
        "allow_excel_export",
        "search",
    ]
)
front_matter = st.dictionaries(st.one_of(known_keys, st.text(min_size=1, max_size=12)), yaml_values, max_size=8)
paths = st.sampled_from([f"{VER}/avg-02-x.md", f"{MTR}/3-dat-01-x.md", f"{HLP}/X.md", "levenscyclus/ontwerp.md", "pagina.md"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(meta=front_matter, path=paths, body=st.text(max_size=200))
def test_random_front_matter_never_raises(tmp_path_factory: pytest.TempPathFactory, meta: dict, path: str, body: str) -> None:
    tree = make_tree(tmp_path_factory.mktemp("fm"), valid_files())
    text = "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + body
    (tree / path).parent.mkdir(parents=True, exist_ok=True)
    (tree / path).write_text(text, encoding="utf-8")
    findings = check_tree(tree)
    title = meta.get("title")
    has_title = isinstance(title, (str, int, float)) and not isinstance(title, bool) and str(title).strip()
    if not has_title and "\n# " not in "\n" + body:
        assert any(f.path == path and f.rule == "meta.title-missing" for f in findings)


@settings(max_examples=200, deadline=None)
@given(raw=st.binary(max_size=300))
def test_random_bytes_never_raise(raw: bytes) -> None:
    vocabulary, _ = load_vocabulary(None)
    text, findings = decode(raw, "x.md")
    page, _, page_findings = read_page("x", "x.md", text, vocabulary)
    findings += page_findings
    if not raw.strip():
        assert any(f.rule == "page.empty" for f in findings)
    assert all(isinstance(f, Finding) and f.level in (Level.ERROR, Level.WARNING) for f in findings)
    assert page.docname == "x"


# -- the real tree -----------------------------------------------------------------------------


def independent_defects(root: Path) -> dict[str, set[tuple[str, str]]]:
    """Defects computed straight from the files, without kaderpers' model."""
    stems = {kind: {p.stem for p in (root / folder).glob("*.md")} for kind, folder in (("vereiste", VER), ("maatregel", MTR))}
    taxonomies = {"onderwerp": {p.stem for p in (root / "onderwerpen").glob("*.md")} - {"index"}}
    defects: dict[str, set[tuple[str, str]]] = {"ref.dangling": set(), "ref.null": set(), "vocab.unknown": set()}
    for path in root.rglob("*.md"):
        meta = frontmatter.loads(path.read_text("utf-8")).metadata
        relative = path.relative_to(root).as_posix()
        for key in ("vereiste", "maatregel"):
            if key in meta and meta[key] is None:
                defects["ref.null"].add((relative, key))
            for value in meta.get(key) or []:
                if value is None:
                    defects["ref.null"].add((relative, key))
                elif value not in stems[key]:
                    defects["ref.dangling"].add((relative, value))
        for value in meta.get("onderwerp") or []:
            if value not in taxonomies["onderwerp"]:
                defects["vocab.unknown"].add((relative, value))
    return defects


def test_upstream_defects_are_all_found_and_nothing_else(upstream_tree: Path) -> None:
    findings = check_tree(upstream_tree)
    expected = independent_defects(upstream_tree)
    assert len(expected["ref.dangling"]) >= 9
    found_dangling = {(f.path, f.message.split("`")[3]) for f in findings if f.rule == "ref.dangling"}
    assert found_dangling == expected["ref.dangling"]
    assert {(f.path, f.message.split("`")[1]) for f in findings if f.rule == "ref.null"} == expected["ref.null"]
    assert {(f.path, f.message.split("`")[3]) for f in findings if f.rule == "vocab.unknown"} >= expected["vocab.unknown"]
    # Every error points at a real defect: the files with errors are exactly the defective ones.
    defective = {path for pairs in expected.values() for path, _ in pairs}
    erroneous = {f.path for f in findings if f.level is Level.ERROR}
    unexplained = erroneous - defective
    assert all(any(f.path == p and f.rule == "meta.type" for f in findings) for p in unexplained), unexplained
    assert all(f.line for f in findings if f.rule in expected), "every reference finding has a line"


def test_upstream_check_command(upstream_tree: Path) -> None:
    result = run_kaderpers("check", str(upstream_tree), check=False)
    assert result.returncode == 1
    assert "ref.dangling" in result.stdout.splitlines()[-5] or "ref.dangling" in result.stdout
    assert os.linesep.join(result.stdout.splitlines()[-12:]).count("(error)") >= 3
