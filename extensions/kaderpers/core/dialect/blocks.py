"""``/// name | argument`` blocks (pymdownx.blocks) → MyST directives.

* ``/// html | div[style='…'].klasse`` → a docutils ``container`` with the
  element's classes. Inline styles are dropped (strict Content-Security-Policy),
  so an element without classes, or with headings inside, leaves just its
  content (a heading must stay a section; an empty float clearer vanishes).
* ``/// admonition | Titel`` (option ``type``), ``/// note | Titel`` and the
  other admonition types → ``{md-admonition}``; ``/// details | Titel`` →
  ``{md-details}`` (``open: true`` opens it).
* Any other block keeps its content in a container classed with its name.

The header line becomes the opening fence and the ``///`` line the closing one,
so line numbers stay as they were.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import yaml

from .admonitions import DEFAULT_TITLES
from .lines import Emitter, dedent, has_heading, indent_width, indented, is_blank, outside_code

OPENER = re.compile(r"^(?P<indent>[ \t]*)(?P<slashes>/{3,})[ \t]*(?P<name>[\w-]+)[ \t]*(?:\|[ \t]*(?P<argument>.*?))?[ \t]*$")
_ELEMENT = re.compile(r"^(?P<tag>[A-Za-z][\w-]*)(?P<rest>.*)$")
_BRACKETS = re.compile(r"\[(?P<inner>[^\]]*)\]")
_CLASS_ATTR = re.compile(r"""\bclass\s*=\s*(?:"(?P<double>[^"]*)"|'(?P<single>[^']*)'|(?P<bare>[^\s\]]+))""")
_SHORT_CLASS = re.compile(r"\.(?P<name>[\w-]+)")


def closing_line(lines: list[str], start: int, slashes: str) -> int | None:
    """The index of the ``///`` that closes the block opened at ``lines[start]``, or None if none does."""
    depth = 0
    for index, markdown in outside_code(lines[start:]):
        line = lines[start + index].strip()
        if not markdown or not line.startswith(slashes):
            continue
        if line == slashes:
            depth -= 1
            if depth == 0:
                return start + index
        elif (match := OPENER.match(line)) and match["slashes"] == slashes:
            depth += 1
    return None


def element_classes(argument: str) -> list[str]:
    """``div[class='a b' style='…'].c`` → ``['a', 'b', 'c']``."""
    match = _ELEMENT.match(argument.strip())
    if match is None:
        return []
    rest = match["rest"]
    classes: list[str] = []
    for bracket in _BRACKETS.finditer(rest):
        if attr := _CLASS_ATTR.search(bracket["inner"]):
            classes.extend((attr["double"] or attr["single"] or attr["bare"] or "").split())
    classes.extend(m["name"] for m in _SHORT_CLASS.finditer(_BRACKETS.sub("", rest)))
    return [name for name in classes if re.fullmatch(r"[\w-]+", name)]


def _options(lines: list[str], start: int, base: int) -> tuple[dict[str, object], int]:
    """The indented YAML options right after a block's header, and the index after them."""
    end = start
    while end < len(lines) and not is_blank(lines[end]) and indent_width(lines[end]) >= base + 4:
        end += 1
    if end == start:
        return {}, start
    try:
        values = yaml.safe_load("\n".join(dedent(line, base + 4) for line in lines[start:end]))
    except yaml.YAMLError:
        values = None
    return (values if isinstance(values, dict) else {}), end


def _directive(name: str, argument: str, options: dict[str, object]) -> str | None:
    """The MyST directive line (without fence) for a block, or None for an empty html block."""
    title = argument.replace('"', '\\"')
    if name == "html":
        return "{container} " + " ".join(["kaderpers-html-block", *element_classes(argument)])
    if name == "details":
        kind = str(options.get("type", "note"))
        directive = "md-details-open" if options.get("open") else "md-details"
        return f'{{{directive}}} {kind} "{title}"'
    if name == "admonition" or name in DEFAULT_TITLES:
        kind = str(options.get("type", "note")) if name == "admonition" else name
        return f'{{md-admonition}} {kind} "{title}"' if argument else f"{{md-admonition}} {kind}"
    return f"{{container}} kaderpers-block-{name}"


def translate(lines: list[str], index: int, match: re.Match[str], out: Emitter, recurse: Callable[[list[str]], list[str]]) -> int:
    """Translate a ``///`` block up to its closing line; the index after it."""
    close = closing_line(lines, index, match["slashes"])
    if close is None:
        out.append(lines[index])
        return index + 1
    base = indent_width(match["indent"])
    options, body_start = _options(lines, index + 1, base)
    inner = recurse([dedent(line, base) for line in lines[body_start:close]])
    if match["name"] == "html" and (not element_classes(match["argument"] or "") or has_heading(inner)):
        # Only the element's style would be kept, and that is dropped anyway; headings inside
        # must stay sections. So the content stands on its own (an empty float clearer vanishes).
        out.extend([""] * (body_start - index))
        out.extend_body(inner, base)
        out.append("")
        return close + 1
    directive = _directive(match["name"], match["argument"] or "", options)
    fence = " " * base + out.fence_for(inner, directive)
    out.append(f"{fence}{directive}")
    out.extend([""] * (body_start - index - 1))
    out.extend_body(inner, base)
    out.append(fence)
    return close + 1
