"""Limits, not crashes: how much one page may ask of a build.

* YAML aliases: the front matter may expand to at most :data:`MAX_YAML_VALUES`
  values (a 600-byte "billion laughs" expands to billions); counted on the node
  graph PyYAML composes, before anything is constructed.
* Nesting: at most :data:`MAX_NESTING` blocks inside each other (admonitions,
  tabs, directives). MyST parses every level with a fresh nested parse, so 200
  levels exhaust Python's stack. Deeper openers are published as plain text.
* Images: at most :data:`MAX_IMAGE_PIXELS` pixels, through Pillow's own
  decompression-bomb guard (``Image.MAX_IMAGE_PIXELS``), read from the header only.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import yaml

from .findings import Finding

MAX_YAML_VALUES = 10_000
MAX_NESTING = 20
#: 40 megapixels: a full-page photograph at print resolution is 10; a 13,000² PNG is 169.
MAX_IMAGE_PIXELS = 40_000_000
#: Formats Pillow reads pixels from; vector images have no pixel count.
RASTER_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp"})


class TooManyValues(yaml.YAMLError):
    """Front matter whose aliases expand beyond :data:`MAX_YAML_VALUES` values."""


def expanded_size(root: yaml.Node, limit: int = MAX_YAML_VALUES) -> int:
    """How many values ``root`` stands for once every alias is written out (stops past ``limit``)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if children_done or not children:
            total = 1 + sum(sizes[id(child)] for child in children)
            if total > limit:
                return total
            sizes[id(node)] = total
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def load_bounded(text: str, loader_class: type) -> object:
    """``yaml.load`` with a bound on what aliases expand to; raises :class:`TooManyValues`."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        # Without an alias (`*name`) the values are no more than the text is long.
        if "*" in text and expanded_size(node) > MAX_YAML_VALUES:
            raise TooManyValues(f"its aliases (*name) expand to more than {MAX_YAML_VALUES:,} values")
        return loader.construct_document(node)
    finally:
        loader.dispose()


# -- nesting -------------------------------------------------------------------------------

#: Lines that open a block whose content is parsed again, inside it.
INDENTED_OPENER = re.compile(r"^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?|===[!+]*)[ \t]+\S")
_FENCE_OPENER = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,}|:{3,}|/{3,})[ \t]*(?P<info>.*?)\s*$")


def _width(indent: str) -> int:
    return len(indent.expandtabs(4))


def limit_nesting(body: str, first_line: int, path: str) -> tuple[str, list[Finding]]:
    """``body`` with blocks nested deeper than :data:`MAX_NESTING` turned into plain text.

    Indented openers (``!!!``, ``???``, ``===``) enclose the lines indented more
    than them; fenced ones (MyST ``:::{note}``, `````{note}``, ``///``) enclose
    the lines up to their closing fence. Plain code blocks enclose nothing.
    """
    lines = body.split("\n")
    open_blocks: list[tuple[str, int | str]] = []  # ("indent", width) or ("fence", fence)
    code_fence: str | None = None
    deepest_line: int | None = None
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        if code_fence is not None:
            if line.strip().startswith(code_fence) and not line.strip().strip(code_fence[0]):
                code_fence = None
            continue
        width = _width(line[: len(line) - len(line.lstrip())])
        while open_blocks and open_blocks[-1][0] == "indent" and width <= open_blocks[-1][1]:
            open_blocks.pop()
        fence = _FENCE_OPENER.match(line)
        if fence is not None and not fence["info"]:
            # a closing fence: closes the innermost block it matches
            for position in range(len(open_blocks) - 1, -1, -1):
                kind, value = open_blocks[position]
                if kind == "fence" and str(value)[0] == fence["fence"][0] and len(fence["fence"]) >= len(str(value)):
                    del open_blocks[position:]
                    break
            else:
                if fence["fence"][0] in "`~":
                    code_fence = fence["fence"]  # a code block without a language
            continue
        opens: tuple[str, int | str] | None = None
        if match := INDENTED_OPENER.match(line):
            opens = ("indent", _width(match["indent"]))
        elif fence is not None:
            is_block = fence["fence"][0] in ":/" or fence["info"].startswith("{")
            if not is_block:
                code_fence = fence["fence"]
                continue
            opens = ("fence", fence["fence"])
        if opens is None:
            continue
        if len(open_blocks) >= MAX_NESTING:
            deepest_line = deepest_line or first_line + index
            lines[index] = _as_text(line)
            continue
        open_blocks.append(opens)
    if deepest_line is None:
        return body, []
    finding = Finding(
        path, deepest_line, "page.too-deep",
        f"blocks (admonitions, tabs, directives) are nested more than {MAX_NESTING} deep; "
        "the deeper ones are shown as plain text: nest fewer blocks",
    )  # fmt: skip
    return "\n".join(lines), [finding]


def _as_text(line: str) -> str:
    """An opener line as a paragraph: its words stay, its marker goes."""
    stripped = line.lstrip()
    indent = line[: len(line) - len(stripped)]
    words = re.sub(r"^(?:!!!|\?\?\?\+?|===[!+]*|`{3,}|~{3,}|:{3,}|/{3,})[ \t]*", "", stripped)
    return indent + re.sub(r"[{}]", "", words)


# -- images ---------------------------------------------------------------------------------


def image_problem(path: Path) -> str | None:
    """Why the raster image at ``path`` is too large to publish, or None.

    Pillow reads only the header here; its decompression-bomb guard
    (``MAX_IMAGE_PIXELS``) raises past twice the limit and warns past it.
    """
    if path.suffix.lower() not in RASTER_SUFFIXES:
        return None
    from PIL import Image  # only when a page has a raster image

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                image.size  # noqa: B018 - the header is read by open()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return f"has more than {MAX_IMAGE_PIXELS // 1_000_000} megapixels; scale it down"
    except Exception:  # noqa: BLE001 - a broken image is the PDF's and the browser's problem, not a limit
        return None
    return None
