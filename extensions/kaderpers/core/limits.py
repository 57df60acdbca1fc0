"""Limits, not crashes: how much one page may ask of a build.

* YAML aliases: the front matter may expand to at most :data:`MAX_YAML_VALUES`
  values (a 600-byte "billion laughs" expands to billions); counted on the node
  graph PyYAML composes, before anything is constructed.
* YAML depth: at most :data:`MAX_YAML_DEPTH` collections inside each other, so
  that constructing them (which recurses) never meets Python's recursion limit.
* Expressions: an ``if`` of the beslishulp or an ``uitzondering`` has at most
  :data:`MAX_EXPRESSION_LENGTH` characters and :data:`MAX_EXPRESSION_DEPTH` levels
  (checked by :mod:`.grammar`, whose parser keeps its own stack).
* Nesting: at most :data:`MAX_NESTING` blocks inside each other (admonitions,
  tabs, directives). MyST parses every level with a fresh nested parse, so 200
  levels exhaust Python's stack. Deeper openers are published as plain text.
* Lists and block quotes: markdown-it (under MyST) reads 20 levels
  (:data:`.markup.PARSER_MAX_NESTING`) and silently skips the rest of the block, and with a
  list everything after it on the page. The lines it would skip lose their markers
  and are published as text.
* Raw HTML: at most :data:`MAX_HTML_DEPTH` elements inside each other (the PDF turns
  them into nested blocks, laid out recursively). Deeper tags are left out; their text stays.
* Images: at most :data:`MAX_IMAGE_PIXELS` pixels, through Pillow's own
  decompression-bomb guard (``Image.MAX_IMAGE_PIXELS``), read from the header only.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import yaml

from .dialect import indented_opener
from .dialect.lines import body_indent, indent_width, outside_code
from .findings import Finding
from .markup import CONTAINER_MARKERS, PARSER_MAX_NESTING, markup

MAX_YAML_VALUES = 10_000
#: Collections inside each other in a YAML file (front matter, the beslishulp): the real ones nest 7 deep.
MAX_YAML_DEPTH = 50
MAX_NESTING = 20
#: Raw HTML elements inside each other on one page (the real kader's deepest: 5). The PDF's time grows
#: twofold with each level of raw HTML lists: 8 ``<ul><li>`` levels lay out in seconds, 16 in 6 minutes.
MAX_HTML_DEPTH = 16
#: The start of a line that may hold list and quote markers (measured before a page is parsed).
_MARKER_PREFIX = re.compile(r"^[ \t>*+\-\d.)]{4,}", re.MULTILINE)
#: Passes that take markers off too-deep lines: each pass frees what the deepest lists swallowed.
MAX_CONTAINER_REPAIRS = 8
#: ``*`` or ``_`` in one run: markdown-it nests a run of 2n into n emphases, and its tree
#: (which MyST walks) recurses once per level. Longer runs are shown as the characters they are.
#: Includes inside an included file: none. Each file within the page limits is safe on its own, but nesting
#: adds up through includes (three included files of nine nested lists each ended the PDF in a RecursionError;
#: 120 nested includes ended the site build).
MAX_INCLUDE_DEPTH = 1
MAX_DELIMITER_RUN = 32
#: Characters of one label expression (an ``if`` of the beslishulp, an ``uitzondering``): the real ones have 160.
MAX_EXPRESSION_LENGTH = 10_000
#: Parentheses and ``!`` inside each other in one expression.
MAX_EXPRESSION_DEPTH = 32
#: The beslishulp's file, questions, conclusions and answers of one question (the public tree:
#: 270 kB, 22 questions, 40 conclusions, 8 answers).
MAX_BESLISHULP_BYTES = 32_000_000
MAX_QUESTIONS = 2_000
MAX_CONCLUSIONS = 2_000
MAX_ANSWERS = 200
#: Paths walked before the beslishulp's check gives up on dead ends and loops (a hostile tree can have
#: billions), and the steps those paths may take together (a path copies the steps before it).
MAX_PATHS = 200_000
MAX_WALK_STEPS = 5_000_000
#: Values a decision tree may expand to through YAML aliases (the public tree has about 3,500).
MAX_BESLISHULP_VALUES = 200_000
#: 40 megapixels: a full-page photograph at print resolution is 10; a 13,000² PNG is 169.
MAX_IMAGE_PIXELS = 40_000_000
#: Formats Pillow reads pixels from; vector images have no pixel count.
RASTER_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp"})


class YAMLLimit(yaml.YAMLError):
    """YAML that asks more of a build than a limit allows; ``line`` is 0-based, as in PyYAML's marks."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


class TooManyValues(YAMLLimit):
    """Front matter whose aliases expand beyond :data:`MAX_YAML_VALUES` values."""


class TooDeep(YAMLLimit):
    """YAML whose collections nest deeper than :data:`MAX_YAML_DEPTH`."""


class DepthBoundedComposer:
    """A mixin for PyYAML's pure-Python loaders: its composer recurses once per level, so it counts them.

    libyaml's parser (the C loaders) refuses more than 1,000 levels itself and composes in C;
    :func:`check_depth` then measures the composed nodes.
    """

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        """PyYAML's compose_node, counting the levels: raises :class:`TooDeep` past :data:`MAX_YAML_DEPTH`."""
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise TooDeep(_too_deep(), self.peek_event().start_mark.line)  # type: ignore[attr-defined]
            return super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self._depth -= 1


def _too_deep() -> str:
    return f"its lists and mappings nest more than {MAX_YAML_DEPTH} deep"


def check_depth(root: yaml.Node, limit: int = MAX_YAML_DEPTH) -> None:
    """Raise :class:`TooDeep` at the first node deeper than ``limit`` (measured without recursion)."""
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    seen: set[int] = set()
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            raise TooDeep(_too_deep(), node.start_mark.line)
        if id(node) in seen:  # an alias: its node is measured where it was anchored
            continue
        seen.add(id(node))
        stack.extend((child, depth + 1) for child in _children(node))


def compose_bounded(loader: yaml.BaseLoader) -> yaml.Node | None:
    """The single document of ``loader``, composed with its depth bounded."""
    node = loader.get_single_node()
    if node is not None:
        check_depth(node)
    return node


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
        node = compose_bounded(loader)
        if node is None:
            return None
        # Without an alias (`*name`) the values are no more than the text is long.
        if "*" in text and expanded_size(node) > MAX_YAML_VALUES:
            raise TooManyValues(f"its aliases (*name) expand to more than {MAX_YAML_VALUES:,} values")
        return loader.construct_document(node)
    finally:
        loader.dispose()


# -- nesting -------------------------------------------------------------------------------

_FENCE_OPENER = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,}|:{3,}|/{3,})[ \t]*(?P<info>.*?)\s*$")


def limit_nesting(body: str, first_line: int, path: str) -> tuple[str, list[Finding]]:
    """``body`` with blocks nested deeper than :data:`MAX_NESTING` turned into plain text.

    Indented openers (``!!!``, ``???``, ``===``) enclose their body as :mod:`.dialect` reads it; fenced ones (MyST ``:::{note}``, `````{note}``, ``///``) enclose
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
        width = indent_width(line)
        while open_blocks and open_blocks[-1][0] == "indent" and width < body_indent(int(open_blocks[-1][1])):
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
        if match := indented_opener(line):
            opens = ("indent", indent_width(match["indent"]))
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


_DELIMITER_RUN = re.compile(rf"\*{{{MAX_DELIMITER_RUN + 1},}}|_{{{MAX_DELIMITER_RUN + 1},}}")
_ONLY_RULE = re.compile(r"^[ \t]*(?:[*_][ \t]*)+$")


def limit_delimiter_runs(body: str, first_line: int, path: str) -> tuple[str, list[Finding]]:
    """``body`` with runs of more than :data:`MAX_DELIMITER_RUN` ``*`` or ``_`` escaped (outside code).

    A line of them alone is a thematic break and stays.
    """
    if "*" * (MAX_DELIMITER_RUN + 1) not in body and "_" * (MAX_DELIMITER_RUN + 1) not in body:
        return body, []
    lines = body.split("\n")
    first: int | None = None
    for index, markdown in outside_code(lines):
        line = lines[index]
        if markdown and not _ONLY_RULE.match(line) and _DELIMITER_RUN.search(line):
            lines[index] = _DELIMITER_RUN.sub(lambda run: "".join("\\" + char for char in run[0]), line)
            first = index if first is None else first
    if first is None:
        return body, []
    finding = Finding(
        path, first_line + first, "page.too-deep",
        f"a run of more than {MAX_DELIMITER_RUN} `*` or `_` would nest emphasis inside emphasis that deep; "
        "it is shown as text: write fewer",
    )  # fmt: skip
    return "\n".join(lines), [finding]


def limit_containers(body: str, first_line: int, path: str) -> tuple[str, list[Finding]]:
    """``body`` with the lines markdown-it would skip (lists and block quotes nested past
    :data:`~.markup.PARSER_MAX_NESTING`) taken out of their lists and quotes, so their words are published."""
    shallow = PARSER_MAX_NESTING - 4  # a level takes at least a column (`>`, `- `); tabs count 4
    if not any(len(prefix[0].expandtabs(4)) >= shallow for prefix in _MARKER_PREFIX.finditer(body)):
        return body, []  # too shallow for anything to be skipped: no parse
    lines = body.split("\n")
    first: int | None = None
    for _ in range(MAX_CONTAINER_REPAIRS):
        dropped = markup("\n".join(lines), 1, nesting=True).dropped
        changed = False
        for item in dropped:
            index = item.line - 1
            repaired = _out_of_containers(lines[index], item.text)
            changed = changed or repaired != lines[index]
            lines[index] = repaired
        if dropped and first is None:
            first = dropped[0].line
        if not changed:
            break
    if first is None:
        return body, []
    finding = Finding(
        path, first_line + first - 1, "page.too-deep",
        f"lists and block quotes are nested more than {PARSER_MAX_NESTING} levels deep (a list counts twice); "
        "from here their text is shown outside them: nest fewer",
    )  # fmt: skip
    return "\n".join(lines), [finding]


def _out_of_containers(line: str, parsed: str) -> str:
    """The editor's ``line`` without the list and quote markers (and their indentation) of the text the
    parse read (``parsed``: the line without the indentation of the blocks around it, which stays)."""
    words = parsed[CONTAINER_MARKERS.match(parsed).end() :]  # type: ignore[union-attr]
    if line.endswith(parsed):
        return line[: len(line) - len(parsed)] + words
    indent = line[: len(line) - len(line.lstrip())]
    return indent + line[CONTAINER_MARKERS.match(line).end() :]  # type: ignore[union-attr]


#: Elements without content (no end tag) and elements a new sibling closes (``<li>`` after ``<li>``).
_VOID_ELEMENTS = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_CLOSED_BY_SIBLING = {
    "li": {"li"},
    "dt": {"dt", "dd"},
    "dd": {"dt", "dd"},
    "tr": {"tr"},
    "td": {"td", "th"},
    "th": {"td", "th"},
    "p": {"p"},
    "option": {"option"},
}
_ELEMENT_NAME = re.compile(r"^[a-z][a-z0-9-]*$")  # not autolinks (<https://…>, <a@b.nl>)
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")


class _HtmlDepth(HTMLParser):
    """Follows the elements open at each tag and notes the (start, end) offsets of the tags too deep.

    The elements open past :data:`MAX_HTML_DEPTH` are also counted by name, so that an end tag that
    closes none of them is known at once: each tag costs the same however deep a hostile page nests."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.text = text
        self.line_starts = [0]
        for line in text.split("\n"):
            self.line_starts.append(self.line_starts[-1] + len(line) + 1)
        self.open: list[str] = []  # the first MAX_HTML_DEPTH open elements
        self.deeper: list[str] = []  # the ones open past them (left out)
        self.deeper_names: Counter[str] = Counter()
        self.left_out: list[tuple[int, int]] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def _close_deeper(self) -> str:
        name = self.deeper.pop()
        self.deeper_names[name] -= 1
        return name

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID_ELEMENTS or not _ELEMENT_NAME.match(tag):
            return
        siblings = _CLOSED_BY_SIBLING.get(tag, ())
        if self.deeper and self.deeper[-1] in siblings:
            self._close_deeper()
        elif not self.deeper and self.open and self.open[-1] in siblings:
            self.open.pop()
        if len(self.open) < MAX_HTML_DEPTH:
            self.open.append(tag)
            return
        start = self._offset()
        self.left_out.append((start, start + len(self.get_starttag_text() or "")))
        self.deeper.append(tag)
        self.deeper_names[tag] += 1

    def handle_endtag(self, tag: str) -> None:
        if self.deeper_names[tag]:  # it closes an element left out (and the ones inside it)
            while self._close_deeper() != tag:
                pass
            start = self._offset()
            self.left_out.append((start, self.text.find(">", start) + 1))
        elif tag in self.open:  # it closes a kept element, and every element inside it
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag) :]
            self.deeper.clear()
            self.deeper_names.clear()


def limit_html_nesting(body: str, first_line: int, path: str) -> tuple[str, list[Finding]]:
    """``body`` without the raw HTML tags (start and end) that nest deeper than :data:`MAX_HTML_DEPTH`
    elements; their text stays. Code (fenced blocks, code spans) is left alone."""
    if body.count("<") <= MAX_HTML_DEPTH:
        return body, []
    lines = body.split("\n")
    markdown = {index for index, is_markdown in outside_code(lines) if is_markdown}
    scanned = [_CODE_SPAN.sub(lambda span: " " * len(span[0]), line) if index in markdown else " " * len(line) for index, line in enumerate(lines)]
    parser = _HtmlDepth("\n".join(scanned))
    parser.feed(parser.text)
    parser.close()
    if not parser.left_out:
        return body, []
    kept, position = [], 0
    for start, end in parser.left_out:  # a tag over several lines leaves its line breaks
        kept.append(body[position:start] + "\n" * body.count("\n", start, end))
        position = end
    kept.append(body[position:])
    first = body.count("\n", 0, parser.left_out[0][0])
    finding = Finding(
        path, first_line + first, "page.too-deep",
        f"raw HTML nests more than {MAX_HTML_DEPTH} elements inside each other; the deeper tags are left out "
        "(their text stays): nest fewer",
    )  # fmt: skip
    return "".join(kept), [finding]


def _as_text(line: str) -> str:
    """An opener line as a paragraph: its words stay, its marker goes."""
    stripped = line.lstrip()
    indent = line[: len(line) - len(stripped)]
    words = re.sub(r"^(?:!!!|\?\?\?\+?|===[!+]*|`{3,}|~{3,}|:{3,}|/{3,})[ \t]*", "", stripped)
    return indent + re.sub(r"[{}]", "", words)


# -- images ---------------------------------------------------------------------------------


def limit_page_text(body: str, first_line: int, path: str) -> tuple[str, list[Finding]]:
    """Every limit on the Markdown of a page, in order: the text as the parser may safely read it, and a finding per limit it hit."""
    findings: list[Finding] = []
    # Last: limit_containers parses the text, which the limits before it make safe to parse.
    for limit in (limit_nesting, limit_delimiter_runs, limit_html_nesting, limit_containers):
        body, found = limit(body, first_line, path)
        findings.extend(found)
    return body, findings


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
