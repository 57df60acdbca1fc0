"""The MkDocs-Material dialect, translated to MyST while each page is read.

Nothing is rewritten on disk: ``source-read`` (priority 500, after the collector
has read the front matter and before the navigation adds its toctree) changes
the text in memory. The translation keeps line numbers wherever it can, so
warnings point at the line the editor wrote.

One module per construct, each with its translation and the Sphinx parts it
needs (directives, roles, nodes, transforms):

* :mod:`.frontmatter` page title as H1, search exclusion;
* :mod:`.admonitions` ``!!!`` / ``???`` / ``???+``; :mod:`.tabs` ``===``;
  :mod:`.grids` ``<div class="grid cards" markdown>``; :mod:`.blocks` ``///``;
* :mod:`.attributes` heading attributes and buttons; :mod:`.icons` shortcodes;
* :mod:`.mermaid` diagrams; :mod:`.rawhtml` raw HTML in every builder;
* :mod:`.abbreviations` a page's own ``*[TERM]:`` definitions (the glossary and
  the wrapping of terms are :mod:`kaderpers.sphinxext.glossary`'s).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.transforms import SphinxTransform

from ..core.dialect import translate_blocks
from ..sphinxext.domain import pages
from . import abbreviations, admonitions, attributes, frontmatter, icons, mermaid, rawhtml, tabs
from .inline import translate_inline

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment


#: ``env.current_document`` key: the lines the block translation added to the page being read.
ADDED_LINES = "kaderpers_added_lines"


def translate(env: BuildEnvironment, docname: str, text: str) -> str:
    """A page's MkDocs-Material Markdown as MyST; :class:`EditorLines` maps its lines back."""
    lines = frontmatter.apply(text.split("\n"), pages(env).get(docname))
    lines = abbreviations.take_definitions(env, lines)
    translation = translate_blocks(lines)
    env.current_document[ADDED_LINES] = translation
    return "\n".join(translate_inline(translation))


def on_source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    source[0] = translate(app.env, docname, source[0])


class EditorLines(SphinxTransform):
    """Every node's line as the editor wrote it: before the closing fences the translation added."""

    default_priority = 1  # first: every warning after the parse names the editor's line

    def apply(self, **kwargs: object) -> None:
        translation = self.env.current_document.get(ADDED_LINES)
        if not translation or not translation.inserted:
            return
        for node in self.document.findall():
            if isinstance(node, nodes.Element) and node.line:
                node.line = translation.source_index(node.line - 1) + 1


def setup(app: Sphinx) -> None:
    """Register the dialect: its directives, roles and transforms, and the translation of each page to MyST as Sphinx reads it."""
    for module in (admonitions, attributes, frontmatter, icons, mermaid, rawhtml, tabs):
        module.setup(app)
    app.connect("source-read", on_source_read, priority=500)
    app.add_transform(EditorLines)
