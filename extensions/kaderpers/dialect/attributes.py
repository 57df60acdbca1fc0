"""Attribute lists (``attr_list``): on headings, and on links such as buttons.

* ``## Kop { data-search-exclude }`` / ``{ #id .klasse }``: the braces become an
  ``md-attrs`` role at the end of the heading, whose marker node a transform
  moves onto the section: ``#id`` adds an id, ``.klasse`` a class, and
  ``data-search-exclude`` the ``no-search`` class that keeps the whole section
  out of Sphinx's search index.
* ``[tekst](link){ .md-button }``: the spaces are taken out so MyST's
  ``attrs_inline`` reads the classes; links classed as Material buttons get
  sphinx-design's button classes.
"""

from __future__ import annotations

import re
import shlex
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx.util.docutils import SphinxRole

if TYPE_CHECKING:
    from sphinx.application import Sphinx

_TOKEN = r"""(?:\#[\w-]+|\.[\w-]+|[\w-]+(?:=(?:"[^"`]*"|'[^'`]*'|[^\s"'`{}]+))?)"""
_TOKENS = re.compile(rf"^{_TOKEN}(?:[ \t]+{_TOKEN})*$")
HEADING = re.compile(r"^(?P<head>[ \t]{0,3}#{1,6}[ \t]+.*?)[ \t]*\{:?[ \t]*(?P<attrs>[^{}`]*?)[ \t]*\}[ \t]*$")
_AFTER_LINK = re.compile(r"(?<=\))\{:?[ \t]*(?P<attrs>[^{}`\n]*?)[ \t]*\}")

SEARCH_EXCLUDE = "data-search-exclude"
NO_SEARCH_CLASS = "no-search"  # skipped by Sphinx's search indexer
BUTTON_CLASSES = frozenset({"md-button", "button", "md-button--primary", "md-button--secondary"})


def rewrite_heading(line: str) -> str:
    match = HEADING.match(line)
    if match is None or not _TOKENS.match(match["attrs"]):
        return line
    return f"{match['head']} {{md-attrs}}`{match['attrs']}`"


def rewrite_inline(text: str) -> str:
    """``){ .a .b }`` → ``){.a .b}``, which MyST's attrs_inline understands."""
    return _AFTER_LINK.sub(lambda m: f"{{{m['attrs']}}}" if _TOKENS.match(m["attrs"]) else m[0], text)


class heading_attributes(nodes.Inline, nodes.Element):  # noqa: N801 - docutils naming
    """Marker left in a heading by ``md-attrs``; removed once applied to the section."""


class AttrsRole(SphinxRole):
    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        return [heading_attributes(attrs=self.text)], []


def parse_attributes(text: str) -> tuple[list[str], list[str], dict[str, str]]:
    """ids, classes and other attributes of an attribute list."""
    ids: list[str] = []
    classes: list[str] = []
    others: dict[str, str] = {}
    try:
        tokens = shlex.split(text)
    except ValueError:
        tokens = text.split()
    for token in tokens:
        if token.startswith("#"):
            ids.append(token[1:])
        elif token.startswith("."):
            classes.append(token[1:])
        else:
            key, _, value = token.partition("=")
            others[key] = value
    return ids, classes, others


class HeadingAttributes(SphinxTransform):
    """Applies ``md-attrs`` markers to their section (or rubric) and removes them."""

    default_priority = 205

    def apply(self, **kwargs: Any) -> None:
        for marker in list(self.document.findall(heading_attributes)):
            holder = marker.parent
            target = holder.parent if isinstance(holder, nodes.title) and isinstance(holder.parent, nodes.section) else holder
            ids, classes, others = parse_attributes(marker["attrs"])
            if SEARCH_EXCLUDE in others:
                classes.append(NO_SEARCH_CLASS)
            target["classes"].extend(name for name in classes if name not in target["classes"])
            for new_id in ids:
                if new_id not in target["ids"]:
                    target["ids"].append(new_id)
                    self.document.ids.setdefault(new_id, target)
            holder.remove(marker)
            _strip_trailing_space(holder)


def _strip_trailing_space(element: nodes.Element) -> None:
    if element.children and isinstance(element[-1], nodes.Text):
        text = element[-1].astext().rstrip()
        if text:
            element.replace(element[-1], nodes.Text(text))
        else:
            element.remove(element[-1])


class Buttons(SphinxTransform):
    """Links classed as Material buttons look like sphinx-design buttons."""

    default_priority = 206

    def apply(self, **kwargs: Any) -> None:
        for node in self.document.findall(nodes.Element):
            classes = set(node.get("classes", ()))
            if classes & BUTTON_CLASSES and "sd-btn" not in classes:
                style = "sd-btn-primary" if "md-button--primary" in classes else "sd-btn-outline-primary"
                node["classes"].extend(["sd-btn", style, "kaderpers-button"])


def setup(app: Sphinx) -> None:
    """Register Material's attribute lists on headings and links, and its buttons."""
    app.add_node(heading_attributes)
    app.add_role("md-attrs", AttrsRole())
    app.add_transform(HeadingAttributes)
    app.add_transform(Buttons)
