"""Placeholder nodes of the kader directives.

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


#: Every placeholder node (collected by the KaderDomain, replaced by kaderpers.sphinxext.tables).
PLACEHOLDERS = (kader_list, kader_tags)
