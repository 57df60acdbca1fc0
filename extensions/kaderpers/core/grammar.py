"""The grammar of the list directives, shared by both spellings.

Legacy trees write ``<!-- list_vereisten levenscyclus/ontwerp no-rol -->``; new
content may write the MyST directive ``{kader-lijst}``::

    ```{kader-lijst} vereisten
    :filter: levenscyclus/ontwerp
    :flags: no-rol
    ```

Both parse into the same :class:`ListSpec` (or :class:`TagsSpec`), with problems
reported as (rule, message) pairs rather than exceptions.

The label expressions of the front-matter field ``uitzondering``
(``("a" || "b") && "c"``) are parsed here too, into a small tree that the
checks validate and the HTML profile filter evaluates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .columns import COLUMNS
from .limits import MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_LENGTH
from .model import AI_ACT_FIELDS, REFERENCE_FIELD_OF, TAXONOMY_FIELDS, PageKind


@dataclass(frozen=True)
class ListKind:
    """A kind of list directive: its legacy and MyST names, the records it lists, and how it selects them."""

    name: str
    myst_name: str
    record: PageKind
    #: The field of the page itself that selects the rows, for the ``_on_..._page`` lists.
    own_field: str | None = None


LIST_KINDS: dict[str, ListKind] = {
    kind.name: kind
    for kind in (
        ListKind("list_vereisten", "vereisten", PageKind.VEREISTE),
        ListKind("list_maatregelen", "maatregelen", PageKind.MAATREGEL),
        ListKind("list_hulpmiddelen", "hulpmiddelen", PageKind.HULPMIDDEL),
        ListKind("list_vereisten_on_maatregelen_page", "vereisten-bij-maatregel", PageKind.VEREISTE, "vereiste"),
        ListKind("list_maatregelen_on_hulpmiddelen_page", "maatregelen-bij-hulpmiddel", PageKind.MAATREGEL, "maatregel"),
    )
}
LIST_KINDS_BY_MYST = {kind.myst_name: kind for kind in LIST_KINDS.values()}
#: ``tags`` → chips of the page's own record; ``tags-ai-act`` → its AI-verordening labels.
TAG_NAMES = {"tags": False, "tags-ai-act": True}
TAG_VARIANTS_BY_MYST = {"": False, "ai-act": True}

FILTER_KEYS = (*TAXONOMY_FIELDS, *REFERENCE_FIELD_OF.values(), "categorie", *AI_ACT_FIELDS)
SWITCHES = {"search": ("search", True), "no-search": ("search", False), "export": ("export", True), "no-export": ("export", False)}

_DIRECTIVE_COMMENT = re.compile(r"<!--\s+(?P<name>[A-Za-z][\w-]*)(?P<args>(?:\s+[^\s]+?)*?)\s+-->")
_ANY_COMMENT = re.compile(r"<!--(?P<inner>.*?)(?:-->|$)")
_LOOKS_LIKE_DIRECTIVE = re.compile(r"^\s*(?P<name>list_[\w-]*|tags(?:-[\w-]*)?)(?=\s|-|$)")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


@dataclass(frozen=True)
class ListSpec:
    """A parsed list directive: what it lists, its filters, hidden and added columns, search and export."""

    kind: ListKind
    filters: tuple[tuple[str, str], ...] = ()
    hidden: frozenset[str] = frozenset()
    added: frozenset[str] = frozenset()
    search: bool = True
    export: bool = False


@dataclass(frozen=True)
class TagsSpec:
    """A parsed tags directive: the page's tags, or (``ai_act``) its AI-verordening profile."""

    ai_act: bool = False


Spec = ListSpec | TagsSpec


@dataclass(frozen=True)
class Problem:
    """What is wrong with a directive's arguments: the rule and a message that says how to fix it."""

    rule: str
    message: str


@dataclass(frozen=True)
class Parsed:
    """The result of parsing a directive: its spec (``None`` when it cannot be used) and its problems."""

    spec: Spec | None
    problems: tuple[Problem, ...] = ()


def _parse_arguments(kind: ListKind, words: list[str]) -> Parsed:
    filters: list[tuple[str, str]] = []
    hidden: set[str] = set()
    added: set[str] = set()
    switches: dict[str, bool] = {}
    problems: list[Problem] = []
    for word in words:
        if word in SWITCHES:
            name, value = SWITCHES[word]
            switches[name] = value
        elif word.startswith(("no-", "add-")):
            column = word.split("-", 1)[1]
            if column not in COLUMNS:
                problems.append(
                    Problem(
                        "directive.flag",
                        f"unknown flag `{word}` in {kind.name}; columns are {', '.join(COLUMNS)} (use no-<column> or add-<column>), switches are {', '.join(SWITCHES)}",
                    )
                )
            else:
                (hidden if word.startswith("no-") else added).add(column)
        elif "/" in word:
            key, _, value = word.partition("/")
            if key not in FILTER_KEYS:
                problems.append(Problem("directive.filter", f"unknown filter key `{key}` in `{word}`; filter keys are {', '.join(FILTER_KEYS)}"))
            elif not value or "/" in value:
                problems.append(Problem("directive.filter", f"malformed filter `{word}`; write key/value, for example levenscyclus/ontwerp"))
            else:
                filters.append((key, value))
        else:
            problems.append(
                Problem(
                    "directive.flag",
                    f"unknown word `{word}` in {kind.name}; expected a key/value filter, no-<column>, add-<column> or one of {', '.join(SWITCHES)}",
                )
            )
    if kind.own_field and filters:
        problems.append(
            Problem("directive.filter", f"{kind.name} takes its rows from the page's own `{kind.own_field}` front matter; filters have no effect here")
        )
    spec = ListSpec(kind, tuple(filters), frozenset(hidden), frozenset(added), switches.get("search", True), switches.get("export", False))
    return Parsed(spec, tuple(problems))


def parse_legacy(name: str, arguments: str) -> Parsed:
    """Parse the words of ``<!-- name arguments -->``."""
    words = arguments.split()
    if name in TAG_NAMES:
        problems = tuple(Problem("directive.flag", f"`{name}` takes no arguments; remove `{w}`") for w in words)
        return Parsed(TagsSpec(TAG_NAMES[name]), problems)
    kind = LIST_KINDS.get(name)
    if kind is None:
        known = ", ".join([*LIST_KINDS, *TAG_NAMES])
        return Parsed(None, (Problem("directive.unknown", f"unknown directive `{name}`; known directives are {known}"),))
    return _parse_arguments(kind, words)


def parse_myst_list(kind_name: str, filter_option: str = "", flags_option: str = "") -> Parsed:
    """Parse ``{kader-lijst} <kind>`` with its ``:filter:`` and ``:flags:`` options."""
    kind = LIST_KINDS_BY_MYST.get(kind_name.strip())
    if kind is None:
        known = ", ".join(LIST_KINDS_BY_MYST)
        return Parsed(None, (Problem("directive.unknown", f"unknown list `{kind_name}` in kader-lijst; known lists are {known}"),))
    return _parse_arguments(kind, [*filter_option.split(), *flags_option.split()])


def parse_myst_tags(variant: str = "") -> Parsed:
    """Parse the argument of a ``kader-tags`` directive (none, or ``ai-act``)."""
    if variant.strip() not in TAG_VARIANTS_BY_MYST:
        return Parsed(None, (Problem("directive.unknown", f"unknown kader-tags variant `{variant}`; use no argument or `ai-act`"),))
    return Parsed(TagsSpec(TAG_VARIANTS_BY_MYST[variant.strip()]))


@dataclass(frozen=True)
class Occurrence:
    """A directive marker found in a page body."""

    line: int
    text: str
    parsed: Parsed = field(default_factory=lambda: Parsed(None))


def match_comment(text: str) -> Parsed | None:
    """The directive an HTML comment spells, or None when the comment is not one."""
    match = _DIRECTIVE_COMMENT.fullmatch(text.strip())
    if match is None:
        return None
    name = match["name"]
    if not (name in LIST_KINDS or name in TAG_NAMES or name.startswith("list_")):
        return None
    return parse_legacy(name, match["args"])


def scan(body: str, first_line: int = 1) -> Iterator[Occurrence]:
    """Every directive marker in a Markdown body, with its line, outside code fences.

    Comments that look like a directive but do not follow the grammar (for
    example ``<!-- list_vereisten-->``) are yielded with a ``directive.malformed``
    problem, because they would silently never expand.
    """
    fence: str | None = None
    for offset, line in enumerate(body.split("\n")):
        if fence_match := _FENCE.match(line):
            marker = fence_match[1]
            if fence is None:
                fence = marker
            elif marker.startswith(fence):
                fence = None
            continue
        if fence is not None or "<!--" not in line:
            continue
        for comment in _ANY_COMMENT.finditer(line):
            looks = _LOOKS_LIKE_DIRECTIVE.match(comment["inner"])
            if looks is None:
                continue
            number = first_line + offset
            text = comment[0]
            parsed = match_comment(text)
            if parsed is None:
                problem = Problem(
                    "directive.malformed",
                    f"`{text}` looks like the directive `{looks['name']}` but can never expand; "
                    "write it as `<!-- name arguments -->` with a space after `<!--` and before `-->`",
                )
                parsed = Parsed(None, (problem,))
            yield Occurrence(number, text, parsed)


# -- label expressions (front-matter ``uitzondering``) ------------------------------------

#: ``label``, ``"label"``, ``!``, ``&&``, ``||`` and parentheses, as the kader writes them.
_EXPRESSION_TOKEN = re.compile(r"""\s*(?:(?P<op>&&|\|\||!|\(|\))|"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[\w.:-]+))""")

#: A parsed expression: a label, or ``["and" | "or", operand, ...]`` or ``["not", operand]``.
Expression = str | list
_Token = tuple[str, str]


class ExpressionTooLarge(ValueError):
    """An expression longer or deeper than :data:`~.limits.MAX_EXPRESSION_LENGTH` / ``MAX_EXPRESSION_DEPTH``."""


def check_expression_size(text: str) -> None:
    """Raise :class:`ExpressionTooLarge` when ``text`` is longer than the limit (before it is tokenised)."""
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ExpressionTooLarge(f"it is {len(text):,} characters long, more than the {MAX_EXPRESSION_LENGTH:,} an expression may have")


def parse_label_expression(text: str) -> Expression:
    """Parse an ``uitzondering`` entry such as ``("a" || "b") && "c"``; raises ValueError."""
    check_expression_size(text)
    tokens: list[_Token] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _EXPRESSION_TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ValueError(f"unexpected `{text[position : position + 12]}` at character {position + 1}")
        position = match.end()
        if match["op"]:
            tokens.append(("op", match["op"]))
        else:
            label = next(g for g in (match["dq"], match["sq"], match["bare"]) if g is not None).strip()
            if not label:
                raise ValueError("empty label in quotes")
            tokens.append(("label", label))
    return parse_expression_tokens(tokens)


@dataclass
class _Group:
    """The part of an expression inside one pair of parentheses (or the whole), as it is read."""

    alternatives: list[Expression] = field(default_factory=list)  # the operands of ||
    conjuncts: list[Expression] = field(default_factory=list)  # the operands of && since the last ||
    negations: int = 0  # `!` waiting for their operand
    depth: int = 0  # parentheses and `!` around this group

    def add(self, operand: Expression) -> None:
        for _ in range(self.negations):
            operand = ["not", operand]
        self.negations = 0
        self.conjuncts.append(operand)

    def close_conjunction(self) -> None:
        self.alternatives.append(_chain("and", self.conjuncts))
        self.conjuncts = []

    def result(self) -> Expression:
        self.close_conjunction()
        return _chain("or", self.alternatives)


def _chain(name: str, operands: list[Expression]) -> Expression:
    return operands[0] if len(operands) == 1 else [name, *operands]


def parse_expression_tokens(tokens: list[_Token]) -> Expression:
    """An expression from ``("label", text)`` and ``("op", "&&" | "||" | "!" | "(" | ")")`` tokens; raises ValueError.

    Read with an explicit stack, not by recursion: ``!`` binds tighter than ``&&``, which binds
    tighter than ``||``; parentheses and ``!`` may nest :data:`~.limits.MAX_EXPRESSION_DEPTH` deep
    (:class:`ExpressionTooLarge` beyond), so the tree that is evaluated stays shallow too.
    """
    if not tokens:
        raise ValueError("the expression is empty")
    groups = [_Group()]
    expect_operand = True
    for kind, value in tokens:
        group = groups[-1]
        if expect_operand:
            if kind == "label":
                group.add(value)
                expect_operand = False
            elif value in ("!", "("):
                depth = group.depth + group.negations + 1
                if depth > MAX_EXPRESSION_DEPTH:
                    raise ExpressionTooLarge(f"its parentheses and `!` nest more than {MAX_EXPRESSION_DEPTH} deep")
                if value == "!":
                    group.negations += 1
                else:
                    groups.append(_Group(depth=depth))
            else:
                raise ValueError(f"unexpected `{value}` where a label was expected")
        elif kind == "op" and value in ("&&", "||"):
            if value == "||":
                group.close_conjunction()
            expect_operand = True
        elif kind == "op" and value == ")" and len(groups) > 1:
            groups.pop()
            groups[-1].add(group.result())
        elif len(groups) > 1:
            raise ValueError("a `(` is not closed")
        else:
            raise ValueError(f"unexpected `{value}` after a complete expression")
    if expect_operand:
        raise ValueError("the expression ends where a label was expected")
    if len(groups) > 1:
        raise ValueError("a `(` is not closed")
    return groups[0].result()


def expression_labels(expression: Expression) -> Iterator[str]:
    """Every label an expression mentions, in the order written."""
    pending = [expression]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        else:
            pending.extend(reversed(item[1:]))
