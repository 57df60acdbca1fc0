"""The beslishulp's file: where it is, reading its YAML with line numbers, and its schema.

The schema is our own rules for the beslishulp's public format (JSON Schema, checked with
``jsonschema``); the size limits of :mod:`kaderpers.core.limits` are checked before it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..findings import Finding
from ..limits import MAX_ANSWERS, MAX_CONCLUSIONS, MAX_QUESTIONS, DepthBoundedComposer, TooManyValues, compose_bounded, expanded_size
from ..limits import MAX_BESLISHULP_VALUES as MAX_VALUES
from ..loader import find_beside

BESLISHULP_FILE = "beslishulp.yaml"


def find_decision_tree(root: Path, configured: str = "", base: Path | None = None) -> Path | None:
    """The decision tree of a content tree: the configured file (relative to ``base``, else the
    tree), or ``beslishulp.yaml`` in the tree or the folder above it."""
    if configured:
        candidate = Path(configured)
        if not candidate.is_absolute():
            candidate = (base or root) / candidate
        return candidate
    return find_beside(root, Path(BESLISHULP_FILE))


def shown_as(file: Path, root: Path) -> str:
    """How findings name the decision tree: relative to the content tree when it is inside it."""
    try:
        return file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(file)


# -- the schema: our own rules for the public format ----------------------------------------

_TEXT = {"type": "string"}
_SOURCES = {
    "type": "array",
    "items": {"type": "object", "required": ["source"], "properties": {"source": _TEXT, "url": _TEXT}},
}
_ONE_TARGET = [{"required": ["nextQuestionId"]}, {"required": ["nextConclusionId"]}]
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["questions", "conclusions"],
    "properties": {
        "name": _TEXT,
        "version": _TEXT,
        "questions": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["questionId", "question", "answers"],
                "properties": {
                    "questionId": _TEXT,
                    "question": _TEXT,
                    "explanation": _TEXT,
                    "description": _TEXT,
                    "category": _TEXT,
                    "subcategory": _TEXT,
                    "sources": _SOURCES,
                    "answers": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["answer"],
                            "properties": {
                                "answer": _TEXT,
                                "nextQuestionId": _TEXT,
                                "nextConclusionId": _TEXT,
                                "subresult": _TEXT,
                                "answerComment": _TEXT,
                                "labels": {"type": "array", "items": _TEXT},
                                "redirects": {
                                    "type": "array",
                                    "minItems": 1,
                                    "items": {
                                        "type": "object",
                                        "properties": {"nextQuestionId": _TEXT, "nextConclusionId": _TEXT, "if": _TEXT},
                                        "oneOf": _ONE_TARGET,
                                    },
                                },
                            },
                            "oneOf": [*_ONE_TARGET, {"required": ["redirects"]}],
                        },
                    },
                },
            },
        },
        "conclusions": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["conclusionId", "conclusion", "obligation"],
                "properties": {
                    "conclusionId": _TEXT,
                    "conclusion": _TEXT,
                    "obligation": _TEXT,
                    "conclusionComment": _TEXT,
                    "sources": _SOURCES,
                },
            },
        },
    },
}

# -- reading YAML with line numbers -------------------------------------------------------------

#: Where a value stands in the data: its keys and list positions from the top.
Location = tuple[Any, ...]


class _Reader(DepthBoundedComposer, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML; floats and dates stay the text written (``1.10`` is a question id, not 1.1).

    libyaml's loader when PyYAML has it: the pure-Python one reads a megabyte a second.
    """


_Reader.add_constructor("tag:yaml.org,2002:float", lambda loader, node: loader.construct_scalar(node))
_Reader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def _plain(node: yaml.Node, where: Location, lines: dict[Location, int], reader: _Reader) -> Any:
    lines[where] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result = {}
        for key_node, value_node in node.value:
            key = reader.construct_object(key_node, deep=True)
            key = key if isinstance(key, str) else str(key)
            result[key] = _plain(value_node, (*where, key), lines, reader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, (*where, i), lines, reader) for i, item in enumerate(node.value)]
    return reader.construct_object(node, deep=True)


def read_yaml(text: str) -> tuple[Any, dict[Location, int]]:
    """The data of a YAML text and the line of every value, by its path (keys and list positions).

    Raises :class:`~.limits.TooManyValues` when aliases expand beyond :data:`MAX_VALUES`.
    """
    reader = _Reader(text)
    try:
        node = compose_bounded(reader)
        if node is not None and "*" in text and expanded_size(node, MAX_VALUES) > MAX_VALUES:
            raise TooManyValues(f"its aliases (*name) expand to more than {MAX_VALUES:,} values")
        lines: dict[Location, int] = {}
        return (_plain(node, (), lines, reader) if node is not None else None), lines
    finally:
        reader.dispose()


def size_findings(data: Any, lines: dict[Location, int], path: str) -> list[Finding]:
    """Questions, conclusions and answers beyond their limits: the tree is then not published."""
    if not isinstance(data, dict):
        return []
    findings = []
    for key, limit in (("questions", MAX_QUESTIONS), ("conclusions", MAX_CONCLUSIONS)):
        items = data.get(key)
        if isinstance(items, list) and len(items) > limit:
            findings.append(
                Finding(
                    path,
                    lines.get((key, limit)),
                    "beslishulp.too-large",
                    f"the decision tree has {len(items):,} {key}, more than the {limit:,} it may have; split it (the beslishulp is not published)",
                )
            )
    questions = data.get("questions") if isinstance(data.get("questions"), list) else []
    for position, question in enumerate(questions[: MAX_QUESTIONS + 1]):
        answers = question.get("answers") if isinstance(question, dict) else None
        if isinstance(answers, list) and len(answers) > MAX_ANSWERS:
            where = ("questions", position, "answers", MAX_ANSWERS)
            findings.append(
                Finding(
                    path,
                    lines.get(where),
                    "beslishulp.too-large",
                    f"a question has {len(answers):,} answers, more than the {MAX_ANSWERS} it may have (the beslishulp is not published)",
                )
            )
    return findings


def schema_findings(data: Any, lines: dict[Location, int], path: str) -> list[Finding]:
    """What the JSON Schema finds wrong in the data, each on the line of the nearest value it names."""
    import jsonschema  # only when there is a decision tree: it takes a tenth of a second to import

    validator = jsonschema.Draft202012Validator(SCHEMA)
    findings = []
    for error in validator.iter_errors(data):
        where = tuple(error.absolute_path)
        while where and where not in lines:
            where = where[:-1]
        at = "/".join(str(part) for part in error.absolute_path) or "the top level"
        message = error.message
        if error.validator == "oneOf":
            message = "needs exactly one of nextQuestionId, nextConclusionId" + (" or redirects" if "redirects" in str(error.schema) else "")
        findings.append(Finding(path, lines.get(where), "beslishulp.schema", f"{at}: {message}"))
    return findings
