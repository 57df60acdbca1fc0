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
