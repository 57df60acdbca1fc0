"""The kader directives in both spellings, emitting placeholder nodes.

* MyST: ``{kader-lijst}`` and ``{kader-tags}``.
* Legacy: HTML comments such as ``<!-- list_vereisten levenscyclus/ontwerp -->``,
  which MyST parses as raw HTML; :class:`CommentDirectives` turns the ones that
  follow the grammar into the same placeholders.

Grammar problems of comments are reported when the page is read
(:func:`kaderpers.sphinxext.collector.on_source_read`); here only the ones of the MyST
spelling, which exists only in the parsed document.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from ..core.grammar import ListSpec, Parsed, Spec, match_comment, parse_myst_list, parse_myst_tags
from .nodes import kader_list, kader_tags

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)


def placeholder(spec: Spec, docname: str, line: int | None) -> nodes.Element:
    node_class = kader_list if isinstance(spec, ListSpec) else kader_tags
    node = node_class(spec=spec, docname=docname)
    node.line = line
    return node


class _KaderDirective(SphinxDirective):
    def emit(self, parsed: Parsed) -> list[nodes.Node]:
        for problem in parsed.problems:
            logger.warning("%s [%s]", problem.message, problem.rule, type="kaderpers", subtype=problem.rule, location=self.get_location())
        if parsed.spec is None:
            return []
        node = placeholder(parsed.spec, self.env.docname, self.lineno)
        self.set_source_info(node)
        return [node]


class KaderLijst(_KaderDirective):
    """``{kader-lijst} <soort>`` with ``:filter:`` and ``:flags:``."""

    required_arguments = 1
    has_content = False
    option_spec: ClassVar = {"filter": directives.unchanged, "flags": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        return self.emit(parse_myst_list(self.arguments[0], self.options.get("filter", ""), self.options.get("flags", "")))


class KaderTags(_KaderDirective):
    """``{kader-tags}`` (chips) or ``{kader-tags} ai-act`` (AI-verordening labels)."""

    optional_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        return self.emit(parse_myst_tags(self.arguments[0] if self.arguments else ""))


class CommentDirectives(SphinxTransform):
    """Raw-HTML comments that spell a directive become placeholders."""

    default_priority = 200

    def apply(self, **kwargs: object) -> None:
        docname = self.env.docname
        for raw in list(self.document.findall(nodes.raw)):
            if "html" not in raw.get("format", "").split():
                continue
            parsed = match_comment(raw.astext())
            if parsed is None or parsed.spec is None:
                continue
            line = raw.line or (raw.parent.line if raw.parent is not None else None)
            node = placeholder(parsed.spec, docname, line)
            node.source = raw.source
            if isinstance(raw.parent, nodes.paragraph) and len(raw.parent.children) == 1:
                raw.parent.replace_self(node)
            else:
                raw.replace_self(node)


def setup(app: Sphinx) -> None:
    """The kader nodes and directives (``kader-lijst``, ``kader-tags``) and the comment-directive transform."""
    app.add_node(kader_list)
    app.add_node(kader_tags)
    app.add_directive("kader-lijst", KaderLijst)
    app.add_directive("kader-tags", KaderTags)
    app.add_transform(CommentDirectives)
