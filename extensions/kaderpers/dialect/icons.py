"""Icon and emoji shortcodes: ``:material-arrow-right:``, ``:fontawesome-solid-paper-plane:``, ``:smile:``.

The map from shortcode to character is declarative (``data/icons.yml``). Icons
become an ``md-icon`` role, so an unknown one is a warning with the file and
line; it is then left out, never shown as ``:material-…:`` text. Known emoji are
replaced by their character; unknown ``:words:`` stay, as they may be ordinary
text (``urn:nl:ak:mtr:``).
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

import yaml
from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole

from .. import bundled
from ..sphinxext.builders import writes_html

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.writers.html5 import HTML5Translator

logger = logging.getLogger(__name__)

ICON_MAP = bundled.data("icons.yml")
#: An icon shortcode, with the attribute list Material allows after it (``{ .lg .middle }``).
ICON = re.compile(r":(?P<name>(?:material|fontawesome|octicons|simple)-[\w-]+):(?:\{[^{}\n]*\})?")
EMOJI = re.compile(r"(?<![\w:]):(?P<name>[a-z0-9_+-]+):(?![\w:])")


@functools.cache
def shortcodes() -> tuple[dict[str, str], dict[str, str]]:
    data = yaml.safe_load(ICON_MAP.read_text("utf-8")) or {}
    return {str(k): str(v) for k, v in (data.get("icons") or {}).items()}, {str(k): str(v) for k, v in (data.get("emoji") or {}).items()}


def rewrite(text: str) -> str:
    """Shortcodes in a piece of Markdown text (outside code) → role or character."""
    _, emoji = shortcodes()
    text = ICON.sub(lambda m: f"{{md-icon}}`{m['name']}`", text)
    return EMOJI.sub(lambda m: emoji.get(m["name"], m[0]), text)


class icon(nodes.Inline, nodes.TextElement):  # noqa: N801 - docutils naming
    """A decorative icon; its text is the character that shows it."""


class IconRole(SphinxRole):
    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        icons, _ = shortcodes()
        character = icons.get(self.text)
        if character is None:
            logger.warning(
                "unknown icon :%s:; it is left out. Use one of data/icons.yml or add it there",
                self.text,
                type="kaderpers",
                subtype="icon",
                location=self.get_location(),
            )
            return [], []
        return [icon(self.rawtext, character, classes=["kaderpers-icon", self.text])], []


def visit_icon_html(self: HTML5Translator, node: icon) -> None:
    self.body.append(self.starttag(node, "span", "", **{"aria-hidden": "true"}))


def depart_icon_html(self: HTML5Translator, node: icon) -> None:
    self.body.append("</span>")


class IconsAsText(SphinxPostTransform):
    """Builders other than HTML print the icon's character."""

    default_priority = 20

    def is_supported(self) -> bool:
        return not writes_html(self.env)

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(icon)):
            node.parent.replace(node, nodes.Text(node.astext()))


def setup(app: Sphinx) -> None:
    """Register Material's icon shortcodes (``:material-…:``): a node for HTML, its character for other builders."""
    app.add_node(icon, html=(visit_icon_html, depart_icon_html))
    app.add_role("md-icon", IconRole())
    app.add_post_transform(IconsAsText)
