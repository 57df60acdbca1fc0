"""The shape of the package: build state in one domain, no import cycles, one column registry.

These read the source (ast) or run small pieces in-process; none builds a site.
"""

from __future__ import annotations

import ast
import multiprocessing
import pickle
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "extensions" / "kaderpers"


def modules() -> dict[str, ast.Module]:
    """Every module of the package by dotted name, parsed."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = ast.parse(path.read_text("utf-8"), str(path))
    return found


# -- build state lives in the KaderDomain -----------------------------------------------------


def ad_hoc_state(tree: ast.Module) -> list[str]:
    """``app.<kaderpers…>`` / ``env.<kaderpers…>`` assigned, or read with getattr/setattr/hasattr."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and _is_app_or_env(node.value) and "kaderpers" in node.attr:
            found.append(f"{ast.unparse(node)} (line {node.lineno})")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "setattr", "hasattr"):
            target, *rest = node.args
            name = rest[0].value if rest and isinstance(rest[0], ast.Constant) else ""
            if _is_app_or_env(target) and isinstance(name, str) and "kaderpers" in name:
                found.append(f"{node.func.id}(…, {name!r}) (line {node.lineno})")
    return found


def _is_app_or_env(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id in ("app", "env") or isinstance(node, ast.Attribute) and node.attr in ("app", "env")


def test_no_ad_hoc_state_on_app_or_env() -> None:
    offenders = {name: found for name, tree in modules().items() if (found := ad_hoc_state(tree))}
    assert not offenders, f"build state belongs in kaderpers.sphinxext.domain.KaderDomain: {offenders}"


def _set_in_child(per_document, connection) -> None:
    per_document["read-here"] = "new"
    connection.send_bytes(pickle.dumps(per_document))


def test_a_parallel_reader_sends_back_only_its_own_documents() -> None:
    from kaderpers.sphinxext.domain import PerDocument

    per_document = PerDocument({f"page-{n}": n for n in range(1000)})
    receiver, sender = multiprocessing.get_context("fork").Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=_set_in_child, args=(per_document, sender))
    child.start()
    returned = pickle.loads(receiver.recv_bytes())
    child.join()
    assert dict(returned) == {"read-here": "new"}
    assert dict(pickle.loads(pickle.dumps(per_document))) == dict(per_document)  # saved whole by its own process


# -- one column registry --------------------------------------------------------------------------


def test_a_column_declared_once_reaches_grammar_table_digest_and_print(monkeypatch: pytest.MonkeyPatch) -> None:
    """A column added to kaderpers.core.columns.COLUMNS, and nowhere else, is a flag of the grammar,
    a column of the table model with its header and cells, part of the digest behind incremental
    builds, and (as a chip column) printed as text in the PDF."""
    from kaderpers.core import columns
    from kaderpers.core.grammar import parse_legacy
    from kaderpers.core.loader import load_tree
    from kaderpers.pdf.printing import chip_cell_classes
    from kaderpers.sphinxext.collector import table_digest
    from kaderpers.sphinxext.tables import table_model

    index = load_tree(PACKAGE.parents[1] / "content").kader
    page = index.pages["voldoen-aan-wetten-en-regels/maatregelen/index"]
    unknown = parse_legacy("list_maatregelen", "add-bestand")
    assert [problem.rule for problem in unknown.problems] == ["directive.flag"]
    before = table_digest(index, page.docname, [(unknown.spec, None)])

    monkeypatch.setitem(columns.COLUMNS, "bestand", columns.Column("bestand", "Bestand", 12, lambda index, page: columns.Cell(page.stem)))
    monkeypatch.setitem(columns.COLUMNS, "thema", columns.Column("thema", "Thema", 12, chip_field="onderwerp"))
    parsed = parse_legacy("list_maatregelen", "add-bestand add-thema no-rol")
    assert not parsed.problems
    model = table_model(index, page, parsed.spec)
    assert model.columns == ["id", "title", "levenscyclus", "onderwerp", "bestand", "thema"]
    assert model.headers[-2:] == ["Bestand", "Thema"]
    assert model.rows and all(row.cells[-2].text == row.page.stem for row in model.rows)
    assert table_digest(index, page.docname, [(parsed.spec, None)]) != before
    assert "kp-col-thema" in chip_cell_classes() and "kp-col-bestand" not in chip_cell_classes()


def test_the_registry_keeps_todays_columns() -> None:
    from kaderpers.core.columns import COLUMNS, columns_for
    from kaderpers.core.grammar import parse_legacy

    def shown(name: str, words: str = "") -> list[str]:
        return [column.name for column in columns_for(parse_legacy(name, words).spec)]

    assert list(COLUMNS) == ["id", "title", "wetcode", "categorie", "rol", "levenscyclus", "onderwerp", "maatregelen", "hulpmiddelen", "bronnen"]
    # The traceability columns (kaderpers.core.traceability) show only when asked for.
    assert shown("list_vereisten", "add-maatregelen add-hulpmiddelen")[-2:] == ["maatregelen", "hulpmiddelen"]
    assert "maatregelen" not in shown("list_maatregelen", "add-maatregelen")
    assert shown("list_vereisten") == ["id", "title", "wetcode", "rol", "levenscyclus", "onderwerp"]
    assert shown("list_maatregelen", "add-wetcode add-categorie") == ["id", "title", "categorie", "rol", "levenscyclus", "onderwerp"]
    assert shown("list_hulpmiddelen", "no-onderwerp") == ["title", "categorie", "rol", "levenscyclus"]
    assert shown("list_vereisten_on_maatregelen_page", "add-rol") == ["id", "title", "rol"]
