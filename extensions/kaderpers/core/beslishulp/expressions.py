"""The ``if`` expressions of the beslishulp's redirects: read into the label expressions of
:mod:`kaderpers.core.grammar` (whose parser, shared with ``uitzondering``, is iterative and
limited in size), and evaluated against the labels gathered on a path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..grammar import Expression, check_expression_size, parse_expression_tokens

#: ``"label" in labels``, ``"label" not in labels``, ``!``, ``&&``, ``||``, parentheses.
_IF_TOKEN = re.compile(r"""\s*(?:(?P<op>&&|\|\||!|\(|\))|(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')\s+(?P<neg>not\s+)?in\s+labels\b)""")


def parse_condition(text: str) -> Expression:
    """Parse an ``if`` expression into the label-expression shape of :mod:`.grammar`; raises ValueError."""
    check_expression_size(text)
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _IF_TOKEN.match(text, position)
        if match is None:
            found = text[position:].strip()[:20]
            raise ValueError(f'unexpected `{found}` at character {position + 1}; write `"label" in labels` joined with &&, || and !')
        position = match.end()
        if match["op"]:
            tokens.append(("op", match["op"]))
            continue
        label = match["dq"] if match["dq"] is not None else match["sq"]
        if match["neg"]:
            tokens.append(("op", "!"))
        tokens.append(("label", label))
    return parse_expression_tokens(tokens)


def holds(expression: Expression, labels: Iterable[str] | frozenset[str]) -> bool:
    """Whether an expression holds for a set of labels."""
    present = labels if isinstance(labels, (set, frozenset)) else set(labels)
    if isinstance(expression, str):
        return expression in present
    operator, operands = expression[0], expression[1:]
    if operator == "not":
        return not holds(operands[0], present)
    if operator == "and":
        return all(holds(operand, present) for operand in operands)
    return any(holds(operand, present) for operand in operands)
