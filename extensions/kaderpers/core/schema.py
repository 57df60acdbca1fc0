"""A JSON Schema (draft 2020-12) of a record kind's front matter, from the rules of ``check``.

Editors' YAML plug-ins and ``check-jsonschema`` then find, as one types, what
``kaderpers check`` reports as errors in the front matter:

* types, from the declared keys of the vocabulary file (``keys:``) and
  :func:`kaderpers.core.loader.normalise_meta` (a list may be one text: a warning there);
* vocabularies: taxonomy fields list the tree's pages, label fields and ``categorie``
  the vocabulary file (:data:`kaderpers.core.checks.VOCABULARY_FIELDS`);
* references: ``vereiste`` and ``maatregel`` list the stems of the tree's records;
* ids: present and of the form ``urn:nl:ak:<type>:<code>-NN``; titles: not blank where written
  (a record without ``title:`` takes its first heading, which only ``check`` sees);
* ``uitzondering``: known labels and operators (not whether the brackets balance).

What a schema cannot see stays with ``check``: whether the id matches the file
name and is unique, whether a record without ``title:`` has a first heading, and
every warning (a warning never makes a record invalid).
"""

from __future__ import annotations

import re
from typing import Any

from .checks import VOCABULARY_FIELDS
from .model import AI_ACT_FIELDS, ID_TYPE_CODES, REFERENCE_FIELDS, TAXONOMY_FIELDS, Kader, PageKind

DRAFT = "https://json-schema.org/draft/2020-12/schema"
#: A list item the loader reads as text (YAML plug-ins see ``2.10`` as a number). An empty item is an error (ref.null, meta.type); so is a mapping or a list in a list.
ITEM: dict[str, Any] = {"type": ["string", "number"]}
#: ``key: value`` where a list is declared: a warning (meta.string-for-list), not an error.
BLANK = {"type": "string", "pattern": r"^\s*$"}
_OPERATORS = r"&&|\|\||!|\(|\)"


def _list_of(item: dict[str, Any]) -> dict[str, Any]:
    """A list of ``item``s, or one ``item`` written without the list (a warning in check)."""
    return {"anyOf": [{"type": "array", "items": item}, item, BLANK] if "enum" in item else [{"type": "array", "items": item}, item]}


def _uitzondering(labels: list[str]) -> dict[str, Any]:
    """The tokens of a label expression (:func:`kaderpers.core.grammar.parse_label_expression`)."""
    if not labels:
        return ITEM
    known = "|".join(re.escape(label) for label in sorted(labels, key=len, reverse=True))
    token = rf"""(?:{_OPERATORS}|"\s*(?:{known})\s*"|'\s*(?:{known})\s*'|(?:{known})(?![\w.:-]))"""
    return {"type": "string", "pattern": rf"^\s*(?:{token}\s*)+$"}


def _sources() -> dict[str, Any]:
    code = {"anyOf": [{"type": "string", "minLength": 1}, {"type": "number"}]}
    return {"type": ["object", "null"], "additionalProperties": {"anyOf": [code, {"type": "array", "items": code}]}}


def _declared(kind: str) -> dict[str, Any]:
    """A key of a declared type that no vocabulary restricts. An empty value (null) is an
    error for lists only; other keys without a value are left out by the loader."""
    if kind == "list":
        return _list_of(ITEM)
    if kind == "text":
        return {"type": ["string", "number", "null"]}
    if kind == "boolean":
        return {"type": ["boolean", "null"]}
    if kind == "integer":
        return {"type": ["integer", "null"]}
    if kind == "mapping":
        return {"type": ["object", "null"]}
    if kind == "sources":
        return _sources()
    return {}


def front_matter_schema(kader: Kader, kind: PageKind) -> dict[str, Any]:
    """The schema of ``kind``'s front matter in this tree (its vocabularies and records)."""
    properties: dict[str, Any] = {key: _declared(declared) for key, declared in kader.vocabulary.keys.items()}
    for key in VOCABULARY_FIELDS:
        allowed = kader.allowed_values(key)
        if allowed is not None and key in properties:
            ordered = sorted(allowed, key=kader.phase_order) if key == "levenscyclus" else sorted(allowed)
            values = {"enum": ordered}
            if key in TAXONOMY_FIELDS or key in AI_ACT_FIELDS or key == "categorie":
                values["description"] = f"a {key} value of this tree"
            properties[key] = _list_of(values)
    for key, target in REFERENCE_FIELDS.items():
        if key in properties:
            properties[key] = _list_of({"enum": [page.stem for page in kader.of_kind(target)], "description": f"the file name (without .md) of a {target}"})
    if "uitzondering" in properties:
        labels = [f"{key}-{value}" for key in AI_ACT_FIELDS for value in kader.allowed_values(key) or ()]
        properties["uitzondering"] = _list_of(_uitzondering(labels))
    properties["title"] = {
        "anyOf": [{"type": "string", "pattern": r"\S"}, {"type": "number"}],
        "description": "the title, without a period at the end (without it, the page's first `# heading` is the title)",
    }
    required = []
    if kind in ID_TYPE_CODES:
        code = ID_TYPE_CODES[kind]
        properties["id"] = {
            "type": "string",
            "pattern": rf"^\s*urn:nl:ak:{code}:[a-z]+-\d{{2,}}\s*$",
            "description": f"urn:nl:ak:{code}:<code>-NN, the code as in the file name",
        }
        required.append("id")
    return {
        "$schema": DRAFT,
        "title": f"Front matter of a {kind.value}",
        "description": "Generated by `kaderpers schema` from the vocabularies and records of one tree; regenerate it when they change.",
        "type": "object",
        "properties": dict(sorted(properties.items())),
        "required": required,
    }
