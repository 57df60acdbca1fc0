"""Mermaid diagrams: ```` ```mermaid ```` fences become a node of our own.

* HTML: ``<pre class="mermaid">`` with the diagram source, drawn in the browser
  by the site's own copy of mermaid (``mermaid.min.js``, copied into the package
  from npm when kaderpers is set up or its wheel built; never a CDN). ``click … href`` lines written for the
  MkDocs site are pointed at this site's pages. Without mermaid the source is
  shown as code with a note.
* Other builders: the source in a literal block with a caption.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from .. import bundled
from ..sphinxext.builders import builder_of, writes_html
from ..sphinxext.domain import kader_domain
from .links import resolve

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.writers.html5 import HTML5Translator

logger = logging.getLogger(__name__)

INIT_SCRIPT = bundled.data("mermaid-init.js")
STATIC_FOLDER = "kaderpers"
FALLBACK_CAPTION = "Diagram (broncode in Mermaid)"
MISSING_NOTE = "Dit diagram kan hier niet getekend worden; dit is de broncode ervan."
_CLICK_HREF = re.compile(r'^(?P<head>\s*click\s+\S+\s+href\s+")(?P<url>[^"]+)(?P<tail>".*)$')


class mermaid_diagram(nodes.General, nodes.Element):  # noqa: N801 - docutils naming
    """A diagram; ``code`` holds its mermaid source."""


class MermaidFences(SphinxTransform):
    """A code block in the ``mermaid`` language is a diagram."""

    default_priority = 210

    def apply(self, **kwargs: Any) -> None:
        for block in list(self.document.findall(nodes.literal_block)):
            if str(block.get("language", "")).lower() == "mermaid":
                diagram = mermaid_diagram(code=block.astext())
                diagram.source, diagram.line = block.source, block.line
                block.replace_self(diagram)


def source_block(code: str, *before: nodes.Node) -> nodes.container:
    literal = nodes.literal_block(code, code, language="text")
    return nodes.container("", *before, literal, classes=["kaderpers-mermaid-source"])


class MermaidOutput(SphinxPostTransform):
    """Per builder: keep the node for HTML with mermaid, otherwise show the source."""

    default_priority = 20

    def run(self, **kwargs: Any) -> None:
        html = writes_html(self.env)
        drawable = html and bundled.mermaid_script() is not None
        for diagram in list(self.document.findall(mermaid_diagram)):
            if drawable:
                diagram["code"] = "\n".join(self.site_link(line) for line in diagram["code"].split("\n"))
            elif html:
                self.warn_missing(diagram)
                diagram.replace_self(source_block(diagram["code"], nodes.paragraph(MISSING_NOTE, MISSING_NOTE)))
            else:
                caption = nodes.caption(FALLBACK_CAPTION, FALLBACK_CAPTION)
                wrapper = source_block(diagram["code"], caption)
                wrapper["classes"].append("literal-block-wrapper")
                wrapper["literal_block"] = True
                diagram.replace_self(wrapper)

    def site_link(self, line: str) -> str:
        match = _CLICK_HREF.match(line)
        target = resolve(self.env, self.env.docname, match["url"]) if match else None
        if match is None or target is None:
            return line
        uri = builder_of(self.env).get_relative_uri(self.env.docname, target.docname)
        return f"{match['head']}{uri}{'#' + target.anchor if target.anchor else ''}{match['tail']}"

    def warn_missing(self, diagram: nodes.Node) -> None:
        if not kader_domain(self.env).mark_warned("mermaid"):
            return
        logger.warning(
            "mermaid.min.js is not installed with kaderpers, so diagrams show their source; set kaderpers up with `make setup` or install a wheel built with `make wheel`",
            type="kaderpers",
            subtype="mermaid",
            location=diagram,
        )


def visit_mermaid_html(self: HTML5Translator, node: mermaid_diagram) -> None:
    self.body.append(self.starttag(node, "pre", "", CLASS="mermaid"))
    self.body.append(self.encode(node["code"]))
    self.body.append("</pre>\n")
    raise nodes.SkipNode


def on_html_page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None) -> None:
    if doctree is not None and any(doctree.findall(mermaid_diagram)):
        # This page only (see kaderpers.site.interactive.on_html_page_context).
        app.builder.add_js_file(f"{STATIC_FOLDER}/mermaid.min.js", priority=800)
        app.builder.add_js_file(f"{STATIC_FOLDER}/mermaid-init.js", priority=801)


def copy_assets(app: Sphinx) -> None:
    """Copy before any page is written: the pages' `?v=` checksums need the files in place,
    or a clean build and an incremental one would differ."""
    script = bundled.mermaid_script()
    if app.builder.format != "html" or script is None:
        return
    static = Path(app.outdir) / "_static" / STATIC_FOLDER
    static.mkdir(parents=True, exist_ok=True)
    for source in (script, INIT_SCRIPT):
        shutil.copyfile(source, static / source.name)


def setup(app: Sphinx) -> None:
    """Register Mermaid diagrams: the node, its script on the pages that have one, and the script's copy in the output."""
    app.add_node(mermaid_diagram, html=(visit_mermaid_html, None))
    app.add_transform(MermaidFences)
    app.add_post_transform(MermaidOutput)
    app.connect("html-page-context", on_html_page_context)
    app.connect("builder-inited", copy_assets)
