"""Placeholder nodes of the kader directives, and two questions any layer asks of a node.

Directives and the comment transform emit these while reading; the
post-transform in :mod:`kaderpers.sphinxext.tables` replaces them with ordinary docutils
nodes (tables, chips, cross-references) before any writer sees them, so every
builder renders them without knowing about kaderpers.
"""

from __future__ import annotations

from docutils import nodes


class kader_list(nodes.General, nodes.Element):  # noqa: N801 - docutils naming
    """A list directive: ``spec`` (a ListSpec), ``docname`` and ``line`` attributes."""


class kader_tags(nodes.General, nodes.Element):  # noqa: N801 - docutils naming
    """Chips of the page's own record: ``spec`` (a TagsSpec) and ``docname`` attributes."""


def is_html(node: nodes.Node) -> bool:
    """Whether ``node`` is raw HTML."""
    return isinstance(node, nodes.raw) and "html" in node.get("format", "").split()


def node_line(node: nodes.Node) -> int | None:
    """The line of a node, or of its nearest ancestor that knows one."""
    while node is not None:
        if node.line:
            return node.line
        node = node.parent
    return None


#: Every placeholder node (collected by the KaderDomain, replaced by kaderpers.sphinxext.tables).
PLACEHOLDERS = (kader_list, kader_tags)
