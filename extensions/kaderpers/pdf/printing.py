"""Post-transforms that make every node printable by rinohtype (PDF builder only).

rinohtype raises on node types it does not know, drops raw HTML, crashes on
empty admonitions and loops on oversized inline images. Each transform here
turns what the extension, the dialect and sphinx-design produce into plain
docutils nodes rinohtype renders well: admonitions with a type and a title,
dropdowns and tabs printed open, grid cards as a list, badges and chips as
text, images as cached print copies sized to the page. The last transform is
a safety net: any node type still unknown to rinohtype becomes a container or
an inline with its text, with one warning per type, and raw HTML the dialect
did not convert (:mod:`kaderpers.dialect.rawhtml` does) is shown as source.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx_design.badges_buttons import sd_badge
from sphinx_design.icons import fontawesome, sd_icon
from sphinx_design.shared import PassthroughTextElement, is_component

from .. import bundled
from ..core.columns import COLUMNS
from ..dialect.admonitions import DEFAULT_TITLES
from ..dialect.mermaid import mermaid_diagram
from .diagrams import MIN_TEXT_PT, alternative_text, diagram_for_print
from .images import ImageConversionError, PrintImage, cache_folder, print_copy

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)

BUILDERS = ("kaderpers-pdf",)

#: Admonition types with their Dutch title: MkDocs-Material's (the dialect's one table),
#: and the types only Sphinx (``seealso``) and sphinx-design (``dropdown``) have.
ADMONITION_TITLES = {**DEFAULT_TITLES, "seealso": "Zie ook", "dropdown": "Toelichting"}
#: Aliases print like their main type (one style per look).
ADMONITION_ALIASES = {
    "summary": "abstract", "tldr": "abstract", "hint": "tip", "check": "success", "done": "success",
    "help": "question", "faq": "question", "caution": "warning", "attention": "warning", "fail": "failure",
    "missing": "failure", "cite": "quote", "error": "danger", "todo": "info", "important": "warning",
}  # fmt: skip
#: docutils' specific admonition node classes.
SPECIFIC_ADMONITIONS = (
    nodes.attention, nodes.caution, nodes.danger, nodes.error, nodes.hint,
    nodes.important, nodes.note, nodes.tip, nodes.warning, addnodes.seealso,
)  # fmt: skip
#: sphinx-design colours → the admonition type that looks alike.
COLOR_TYPES = {"primary": "note", "secondary": "abstract", "success": "success", "info": "info", "warning": "warning", "danger": "danger"}

#: What a table without rows prints instead (rinohtype cannot lay out a table body without rows).
EMPTY_TABLE_TEXT = "Geen records."

#: Text width of the PDF page (A4 less margins), for sizing images.
TEXT_WIDTH_CM = 21.0 - 4.4
MAX_IMAGE_HEIGHT_CM = 17.0
#: A diagram may take most of the text block's height (25.1 cm), leaving room for a line of text.
DIAGRAM_HEIGHT_CM = 22.0
PT_PER_CM = 72 / 2.54
IMAGE_DPI = 150
#: Inline images up to this size (pixels) stay in the line as icons; larger ones get a line of their own.
ICON_PIXELS = 64
ICON_HEIGHT_PT = 10


def admonition_type(node: nodes.Element) -> str:
    """The print type of an admonition: its docutils class, or a known type among its classes."""
    if isinstance(node, SPECIFIC_ADMONITIONS):
        kind = node.tagname
    else:
        kind = next((c for c in node.get("classes", []) if c in ADMONITION_TITLES), "note")
    return ADMONITION_ALIASES.get(kind, kind)


def _has_content(node: nodes.Node) -> bool:
    return bool(node.astext().strip()) or any(True for _ in node.findall(nodes.image))


class _PrintTransform(SphinxPostTransform):
    builders = BUILDERS


class AdmonitionsForPrint(_PrintTransform):
    """Every admonition a generic one with a type class and a title; empty ones become a line of text."""

    default_priority = 880

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(lambda n: isinstance(n, (nodes.admonition, *SPECIFIC_ADMONITIONS)))):
            kind = admonition_type(node)
            title = node[0] if len(node) and isinstance(node[0], nodes.title) else None
            body = [child for child in node.children if child is not title and _has_content(child)]
            title_text = title.astext().strip() if title is not None else ""
            if not body:
                # rinohtype raises on an admonition without body; keep its title as text.
                if title_text:
                    paragraph = nodes.paragraph("", "", classes=["kp-admonition-title-only", kind])
                    paragraph += nodes.strong("", "", *title.children)
                    node.replace_self(paragraph)
                else:
                    node.replace_self([])
                continue
            if title is None:
                label = ADMONITION_TITLES.get(kind) or kind.capitalize()
                title = nodes.title(label, label)
            if any(True for _ in node.findall(nodes.table)):
                # rinohtype cannot break a boxed admonition across pages: with a long
                # table inside it adds empty pages forever. Print the title and the content unboxed.
                open_block = nodes.container("", classes=["kp-unboxed", kind], ids=node.get("ids", []))
                open_block += nodes.rubric("", "", *title.children, classes=["kp-admonition-title"])
                open_block.extend(body)
                node.replace_self(open_block)
                continue
            replacement = nodes.admonition("", classes=[kind, *node.get("classes", [])], ids=node.get("ids", []))
            replacement += title
            replacement.extend(body)
            replacement.source, replacement.line = node.source, node.line
            node.replace_self(replacement)


class DesignForPrint(_PrintTransform):
    """sphinx-design components: dropdowns and tabs open, grid cards as a list, badges as text."""

    default_priority = 870

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(nodes.container)):
            if is_component(node, "dropdown"):
                node.replace_self(self.dropdown(node))
            elif is_component(node, "tab-set"):
                node.replace_self(self.tabs(node))
            elif is_component(node, "grid-container"):
                node.replace_self(self.grid(node))
        for node in list(self.document.findall(lambda n: is_component(n, "card"))):
            node.replace_self(self.card_body(node))
        for node in list(self.document.findall(sd_badge)):
            node.replace_self(nodes.inline(node.astext(), node.astext(), classes=["kp-chip", "kp-badge"]))
        for node in list(self.document.findall(lambda n: isinstance(n, (sd_icon, fontawesome)))):
            node.replace_self([])  # decorative (aria-hidden)

    def dropdown(self, node: nodes.container) -> nodes.Element:
        title = node[0] if len(node) and isinstance(node[0], nodes.rubric) else None
        colour = next((c.removeprefix("sd-bg-") for c in node.get("title_classes", []) if c.startswith("sd-bg-") and "text" not in c), "")
        kind = next((c for c in node.get("classes", []) if c in ADMONITION_TITLES), COLOR_TYPES.get(colour, "dropdown"))
        admonition = nodes.admonition("", classes=[kind, "kp-dropdown"], ids=node.get("ids", []))
        if title is not None:
            admonition += nodes.title("", "", *title.children)
        admonition.extend(child for child in node.children if child is not title)
        admonition.source, admonition.line = node.source, node.line
        return admonition

    def tabs(self, node: nodes.container) -> nodes.container:
        printed = nodes.container(classes=["kp-tabs"], ids=node.get("ids", []))
        for item in node.children:
            if not is_component(item, "tab-item"):
                printed += item
                continue
            for child in item.children:
                if isinstance(child, nodes.rubric):
                    printed += nodes.rubric("", "", *child.children, classes=["kp-tab-label"])
                elif is_component(child, "tab-content"):
                    printed.extend(child.children)
                else:
                    printed += child
        return printed

    def grid(self, node: nodes.container) -> nodes.Element:
        items = nodes.bullet_list(classes=["kp-cards"])
        for item in node.findall(lambda n: is_component(n, "grid-item")):
            content = [self.card_body(child) if is_component(child, "card") else child for child in item.children]
            flat = [n for c in content for n in (c.children if isinstance(c, nodes.container) and not c.get("ids") else [c])]
            items += nodes.list_item("", *flat)
        return items if len(items) else nodes.container("", *node.children)

    def card_body(self, card: nodes.Element) -> nodes.container:
        """A card: its title (a link when the card links), then its text, header and footer in order."""
        link = _card_link(card)
        result = nodes.container(classes=["kp-card"], ids=card.get("ids", []))

        def add(node: nodes.Node) -> None:
            if is_component(node, "card-title"):
                text: nodes.Element = nodes.strong("", "", *_inline_children(node))
                if link is not None:
                    link.children = []
                    link.append(text)
                    text = link
                result.append(nodes.paragraph("", "", text, classes=["kp-card-title"]))
            elif any(is_component(node, part) for part in ("card-header", "card-body", "card-footer")):
                for child in node.children:
                    add(child)
            elif not (isinstance(node, PassthroughTextElement) and not node.astext().strip()):
                result.append(node)

        for child in card.children:
            add(child)
        return result


def _card_link(card: nodes.Element) -> nodes.reference | None:
    for passthrough in card.findall(PassthroughTextElement):
        for reference in passthrough.findall(nodes.reference):
            if "sd-stretched-link" in reference.get("classes", []):
                reference.parent.remove(reference)
                kept = {key: reference[key] for key in ("refuri", "refid", "internal") if key in reference}
                return nodes.reference("", "", **kept)
    return None


def _inline_children(node: nodes.Element) -> list[nodes.Node]:
    result: list[nodes.Node] = []
    for child in node.children:
        if isinstance(child, (nodes.paragraph, nodes.TextElement)) and not isinstance(child, nodes.Inline):
            result.extend(child.children)
        elif isinstance(child, nodes.Element) and not isinstance(child, nodes.Inline):
            result.extend(_inline_children(child))
        else:
            result.append(child)
    return result


def chip_cell_classes() -> set[str]:
    """The classes of kader table cells that hold chips (the chip columns of kaderpers.core.columns)."""
    return {f"kp-col-{column.name}" for column in COLUMNS.values() if column.chip_field}


class TablesForPrint(_PrintTransform):
    """Every table gets column proportions, so rinohtype need not measure each cell;
    a table without rows prints as :data:`EMPTY_TABLE_TEXT`.

    rinohtype sizes columns without given widths by laying out every cell's text
    at several widths: most of the time of a kader PDF. Kader tables carry their
    proportions; for other tables they are estimated from the length of the text.
    """

    default_priority = 860

    def run(self, **kwargs: Any) -> None:
        for table in list(self.document.findall(nodes.table)):
            if not any(True for body in table.findall(nodes.tbody) for _ in body.findall(nodes.row)):
                table.replace_self(empty_table_text(table))
        chip_cells = chip_cell_classes()
        for entry in self.document.findall(nodes.entry):
            # Chips in a table cell print as plain text: one span instead of a link per chip.
            if not chip_cells & set(entry["classes"]):
                continue
            chips = [chip for chip in entry.findall(nodes.inline) if "kp-chip" in chip["classes"]]
            if chips:
                text = ", ".join(chip.astext() for chip in chips)
                entry.children = []
                entry += nodes.paragraph(text, text, classes=["kp-chips"])
        for table in self.document.findall(nodes.table):
            if "colwidths-given" in table["classes"]:
                continue
            for group in table.findall(nodes.tgroup):
                colspecs = [c for c in group.children if isinstance(c, nodes.colspec)]
                if "kp-table" not in table["classes"]:
                    for colspec, weight in zip(colspecs, column_weights(group, len(colspecs)), strict=True):
                        colspec["colwidth"] = weight
            table["classes"].append("colwidths-given")


def empty_table_text(table: nodes.table) -> list[nodes.Node]:
    """A table without rows as a line of text, after its caption if it has one."""
    replacement: list[nodes.Node] = []
    title = table[0] if len(table) and isinstance(table[0], nodes.title) else None
    if title is not None:
        replacement.append(nodes.paragraph("", "", nodes.strong("", "", *title.children), classes=["kp-table-caption"]))
    paragraph = nodes.paragraph(EMPTY_TABLE_TEXT, EMPTY_TABLE_TEXT, classes=["kp-table-empty"], ids=table.get("ids", []))
    return [*replacement, paragraph]


def column_weights(group: nodes.tgroup, count: int) -> list[int]:
    """Relative column widths: room for the longest word and the average text of each column."""
    lengths: list[list[int]] = [[] for _ in range(count)]
    longest = [1] * count
    for row in group.findall(nodes.row):
        for position, entry in enumerate(child for child in row.children if isinstance(child, nodes.entry)):
            if position >= count or entry.get("morecols"):
                continue
            text = entry.astext()
            lengths[position].append(len(text))
            longest[position] = max(longest[position], *(len(word) for word in text.split()), 1)
    weights = []
    for column in range(count):
        average = sum(lengths[column]) / len(lengths[column]) if lengths[column] else 1
        weights.append(max(4, longest[column], min(round(average), 60)))
    return weights


class DiagramsForPrint(_PrintTransform):
    """Mermaid diagrams as vector graphics, drawn by mermaid in headless Chromium and laid out so
    that their labels are at least 7 pt (:mod:`kaderpers.pdf.diagrams`); without them, the source is printed.

    Runs before :class:`kaderpers.dialect.mermaid.MermaidOutput`, which prints the
    source of any diagram left.
    """

    default_priority = 15

    def run(self, **kwargs: Any) -> None:
        diagrams = list(self.document.findall(mermaid_diagram))
        if not diagrams:
            return
        script = bundled.mermaid_script()
        cache = cache_folder(self.env.doctreedir) / "images"
        for diagram in diagrams:
            try:
                if script is None:
                    raise ImageConversionError("mermaid is not installed (run `make setup`)")
                printed = diagram_for_print(diagram["code"], script, cache, TEXT_WIDTH_CM * PT_PER_CM, DIAGRAM_HEIGHT_CM * PT_PER_CM)
            except ImageConversionError as error:
                logger.warning("the PDF shows a mermaid diagram as its source: %s", error, type="kaderpers", subtype="mermaid", location=diagram)
                continue
            alt = alternative_text(diagram["code"])
            if not printed.readable:
                logger.warning(
                    "the mermaid diagram %r prints with labels of %.1f pt, under %.0f pt even %s: split it or shorten its labels",
                    textwrap.shorten(alt, 60), printed.text_pt, MIN_TEXT_PT, "turned top to bottom" if printed.turned else "at the size that fits the page",
                    type="kaderpers", subtype="pdf-diagram-size", location=diagram,
                )  # fmt: skip
            path = str(printed.drawing.path)
            image = nodes.image(uri=path, candidates={"*": path}, alt=alt, classes=["kp-diagram"])
            image["width"] = f"{printed.width_pt:.1f}pt"
            image[PRINT_READY] = True
            image.source, image.line = diagram.source, diagram.line
            diagram.replace_self(image)


#: An image attribute: already a print copy, sized (a drawn diagram).
PRINT_READY = "kaderpers_print_ready"


class ImagesForPrint(_PrintTransform):
    """Print copies of images, sized to the page; large inline images get a line of their own."""

    default_priority = 895

    def run(self, **kwargs: Any) -> None:
        cache = cache_folder(self.env.doctreedir) / "images"
        srcdir = Path(self.env.srcdir)
        for image in list(self.document.findall(nodes.image)):
            if image.get(PRINT_READY):
                continue
            uri = image.get("uri", "")
            candidates = image.get("candidates", {})
            if "?" in candidates or "://" in uri:
                image.replace_self(self.unavailable(image, f"an image from {uri} (the PDF fetches nothing from other hosts)", uri))
                continue
            # An image without alt text was reported when the page was read (sphinxext/boundary.py), once for every output.
            source = srcdir / uri.lstrip("/")
            try:
                copy = print_copy(source, cache)
            except ImageConversionError as error:
                logger.warning("the PDF shows the alternative text instead of an image: %s", error, type="kaderpers", subtype="pdf-image", location=image)
                image.replace_self(self.unavailable(image, str(error), None))
                continue
            image["uri"] = str(copy.path)
            image["candidates"] = {"*": str(copy.path)}
            for option in ("scale", "height"):
                image.attributes.pop(option, None)
            inline = isinstance(image.parent, nodes.TextElement)
            if inline and copy.width <= ICON_PIXELS and copy.height <= ICON_PIXELS:
                image["width"] = f"{ICON_HEIGHT_PT * copy.width / max(copy.height, 1):.1f}pt"
                continue
            percent = display_width_percent(copy, image.get("width"))
            image["width"] = f"{percent:.1f}%"
            dpi = copy.width / (percent / 100 * TEXT_WIDTH_CM / 2.54)
            if dpi < IMAGE_DPI - 0.5:
                logger.warning(
                    "the image %s prints at %.0f dpi, under %d dpi: blurred on paper; give it a smaller width or use a larger file",
                    uri, dpi, IMAGE_DPI, type="kaderpers", subtype="pdf-image-resolution", location=image,
                )  # fmt: skip
            if inline:
                self.move_out_of_line(image)

    @staticmethod
    def unavailable(image: nodes.image, reason: str, link: str | None) -> nodes.Node:
        alt = image.get("alt") or Path(image.get("uri", "")).name
        text = f"[{alt}]"
        content: nodes.Node = nodes.reference(text, text, refuri=link) if link else nodes.Text(text)
        if isinstance(image.parent, nodes.TextElement):
            return content
        return nodes.paragraph("", "", content, classes=["kp-image-missing"])

    @staticmethod
    def move_out_of_line(image: nodes.image) -> None:
        """rinohtype loops forever on an inline image wider than the line: put it after its paragraph."""
        block = image.parent
        while block.parent is not None and isinstance(block.parent, nodes.TextElement):
            block = block.parent
        image.parent.remove(image)
        image.attributes.pop("align", None)
        container = block.parent
        container.insert(container.index(block) + 1, image)
        if not block.astext().strip() and not any(True for _ in block.findall(nodes.image)):
            container.remove(block)


def display_width_percent(copy: PrintImage, given: str | None) -> float:
    """Width as a share of the text width: the given one, or natural size at 150 dpi, kept on one page."""
    natural = copy.width / IMAGE_DPI * 2.54 / TEXT_WIDTH_CM * 100
    percent = natural
    if given:
        if given.endswith("%"):
            percent = float(given[:-1] or 100)
        elif given.endswith("px"):
            percent = float(given[:-2]) / 96 * 2.54 / TEXT_WIDTH_CM * 100
    aspect = copy.height / max(copy.width, 1)
    tallest = MAX_IMAGE_HEIGHT_CM / aspect / TEXT_WIDTH_CM * 100
    return max(5.0, min(100.0, percent, tallest))


#: Longer explanations are definitions of terms (the glossary's), which would flood the text.
MAX_SPELLED_OUT = 80


class AbbreviationsForPrint(_PrintTransform):
    """Abbreviations as text, spelled out at their first use on each kader page.

    rinohtype's own rendering (a glossary term) cannot be copied, which it does
    for link texts and running headers, and raises there.
    """

    default_priority = 885

    def run(self, **kwargs: Any) -> None:
        seen: dict[int, set[str]] = {}
        for node in list(self.document.findall(nodes.abbreviation)):
            term = node.astext()
            page = _page_of(node)
            first = term not in seen.setdefault(id(page), set())
            seen[id(page)].add(term)
            replacement: list[nodes.Node] = [nodes.inline(term, term, classes=["kp-abbreviation"])]
            explanation = node.get("explanation", "").strip()
            in_title = any(isinstance(a, (nodes.title, nodes.reference, nodes.rubric)) for a in _ancestors(node))
            if first and 0 < len(explanation) <= MAX_SPELLED_OUT and not in_title and explanation.lower() != term.lower():
                replacement.append(nodes.Text(f" ({explanation})"))
            node.replace_self(replacement)


def _ancestors(node: nodes.Node):
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def _page_of(node: nodes.Node) -> nodes.Node | None:
    return next((a for a in _ancestors(node) if isinstance(a, addnodes.start_of_file)), None)


class SoftHyphensForPrint(_PrintTransform):
    """Soft hyphens out of the text: rinohtype prints them as glyphs, and copied text keeps them inside words.

    rinohtype hyphenates by its Dutch dictionary instead.
    """

    default_priority = 880

    def run(self, **kwargs: Any) -> None:
        for text in list(self.document.findall(nodes.Text)):
            if SOFT_HYPHEN in text:
                text.parent.replace(text, nodes.Text(text.replace(SOFT_HYPHEN, "")))


SOFT_HYPHEN = "\u00ad"


class LinksForPrint(_PrintTransform):
    """References that found no place in this PDF print as their text; downloads as their name."""

    default_priority = 900

    def run(self, **kwargs: Any) -> None:
        for xref in list(self.document.findall(addnodes.pending_xref)):
            xref.replace_self(xref.children or [nodes.Text(xref.get("reftarget", ""))])
        for download in list(self.document.findall(addnodes.download_reference)):
            download.replace_self(nodes.inline("", "", *download.children, classes=["kp-download"]))


class UnknownNodesForPrint(_PrintTransform):
    """The safety net: node types rinohtype does not know keep their text in a container or inline."""

    default_priority = 990

    def run(self, **kwargs: Any) -> None:
        from rinoh.frontend.rst import DocutilsNode

        known = DocutilsNode._mapping
        reported: set[str] = set()
        for raw in list(self.document.findall(nodes.raw)):
            # rinohtype drops HTML silently; the dialect converts it (kaderpers.dialect.rawhtml), so any left here is shown as source.
            if "html" in raw.get("format", "").split() and raw.astext().strip():
                logger.warning("raw HTML the PDF cannot render is printed as source text", type="kaderpers", subtype="pdf-node", location=raw)
                text = raw.astext()
                raw.replace_self(nodes.literal(text, text) if isinstance(raw.parent, nodes.TextElement) else nodes.literal_block(text, text))
        for node in list(self.document.findall(nodes.Element)):
            tag = node.tagname.replace("-", "_")
            if tag in known:
                continue
            if tag not in reported:
                reported.add(tag)
                logger.warning(
                    "the PDF prints %s nodes (from %s) as plain text; give them a PDF rendering in kaderpers.pdf.printing",
                    node.tagname, type(node).__module__, type="kaderpers", subtype="pdf-node", location=node,
                )  # fmt: skip
            inline = isinstance(node, nodes.Inline) or isinstance(node.parent, nodes.TextElement)
            if isinstance(node, nodes.TextElement) and not inline:
                replacement = nodes.paragraph("", "", *node.children, classes=node.get("classes", []))
            elif inline:
                replacement = nodes.inline("", "", *node.children, classes=node.get("classes", []))
            else:
                replacement = nodes.container("", *node.children, classes=node.get("classes", []))
            replacement["ids"] = node.get("ids", [])
            node.replace_self(replacement)


TRANSFORMS = (
    DiagramsForPrint,
    TablesForPrint,
    DesignForPrint,
    AdmonitionsForPrint,
    AbbreviationsForPrint,
    SoftHyphensForPrint,
    ImagesForPrint,
    LinksForPrint,
    UnknownNodesForPrint,
)


def setup(app: Sphinx) -> None:
    """The post-transforms that prepare a page for print."""
    for transform in TRANSFORMS:
        app.add_post_transform(transform)
