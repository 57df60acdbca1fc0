"""A page's raw HTML and images as MyST parses them, with the lines the build reports them at.

``kaderpers check`` reports what the site build reports about a page's raw HTML
(what the sanitiser removes) and about images without alternative text, without
Sphinx: it parses the body with markdown-it, the parser under MyST, set up with
the syntax kaderpers enables in MyST. Raw HTML in code blocks and code spans is
text, as in the build.

The build reads a page after its MkDocs-Material blocks are translated into MyST
directives; this module reads the same translation (:func:`kaderpers.core.dialect.translate_blocks`)
and follows those directives' content, so both read a page one way. Lines are mapped
back to the editor's through the translation's added closing fences, as the build does.

With ``urls`` (``kaderpers check --links``, :mod:`kaderpers.core.links`) it also
gathers every URL of the body, each on the line it is written on: a link or image
on its block's first line plus the line breaks before it, an ``href``/``src`` in
raw HTML on the line of its tag.

Lines of HTML and images follow MyST: a block of HTML is reported at its first line, HTML inside a
paragraph, heading or table row (and an image) at the first line of that block,
and HTML in a block's title one line below the title (MyST parses a directive's
argument so).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from typing import TYPE_CHECKING

from .dialect import translate_blocks
from .dialect.admonitions import DIRECTIVE_OF_MARKER, parse_header
from .dialect.tabs import first_tab_end
from .findings import Finding

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

_DIRECTIVE = re.compile(r"^\{(?P<name>[\w:-]+)\}\s*(?P<argument>.*)$")
_OPTION = re.compile(r"^:(?P<name>[\w-]+):\s*(?P<value>.*)$")
#: MyST directives whose content is not Markdown (code, data, other languages).
_LITERAL_DIRECTIVES = frozenset(
    "code code-block sourcecode literalinclude include mermaid math eval-rst csv-table raw highlight parsed-literal "
    "list_vereisten list_maatregelen list_hulpmiddelen tags".split()
)
_IMAGE_DIRECTIVES = frozenset({"image", "figure"})
#: Directives of the dialect's translation whose argument is a title.
_TITLED_DIRECTIVES = frozenset({"md-tabs", "tab-item", "grid-item-card"})
#: What a body needs for there to be anything to report: a start tag, an image, or an image or raw directive.
_WORTH_PARSING = re.compile(r"<[A-Za-z]|!\[|\{(?:[\w-]+:)?(?:image|figure|raw)\}")


@dataclass(frozen=True)
class Html:
    """A piece of raw HTML as MyST hands it to the build: a block, or one inline tag."""

    line: int
    text: str


@dataclass(frozen=True)
class Image:
    """An image a page shows (Markdown, ``{image}``/``{figure}`` or ``<img>``), with its alt text, on its line."""

    line: int
    src: str
    alt: str


@dataclass(frozen=True)
class Url:
    """A URL a page links to or shows (a link, an image, ``href``/``src`` in raw HTML), on the line it is written."""

    line: int
    url: str


@dataclass(frozen=True)
class Dropped:
    """A line markdown-it leaves out: it stands in lists and block quotes nested past the parser's
    ``maxNesting`` (MyST's too), where markdown-it skips the rest of the block without a word.
    ``text`` is the line as that parse read it (without the indentation of the blocks around it)."""

    line: int
    text: str


@dataclass
class Markup:
    """What :func:`markup` finds on a page: its raw HTML, its images, (when asked) its URLs, and
    the lines nested too deep for the parser (:class:`Dropped`)."""

    html: list[Html]
    images: list[Image]
    urls: list[Url] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)


#: How many blocks inside each other markdown-it reads (its "commonmark" preset's ``maxNesting``, which MyST
#: keeps); it skips what lies deeper. A list counts twice (the list and its item), a block quote once.
PARSER_MAX_NESTING = 20


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """markdown-it with the syntax of kaderpers' MyST (``myst_enable_extensions`` in sphinxext/defaults.py)."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.attrs import attrs_plugin
    from mdit_py_plugins.colon_fence import colon_fence_plugin
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.front_matter import front_matter_plugin
    from mdit_py_plugins.myst_blocks import myst_block_plugin
    from mdit_py_plugins.myst_role import myst_role_plugin

    md = (
        MarkdownIt("commonmark")
        .enable("table")
        .use(front_matter_plugin)
        .use(myst_block_plugin)
        .use(myst_role_plugin)
        .use(footnote_plugin, inline=False, move_to_end=False, always_match_refs=True)
        .use(colon_fence_plugin)
        .use(attrs_plugin, after=("image", "code_inline", "link_close", "span_close"), spans=True, span_after="footnote_ref")
    )
    md.options["maxNesting"] = PARSER_MAX_NESTING
    return md


def markup(body: str, first_line: int = 1, *, urls: bool = False, nesting: bool = False) -> Markup:
    """The raw HTML and the images of a page body whose first line is ``first_line``;
    with ``urls`` also every URL it links to (``kaderpers check --links``), with ``nesting``
    also the lines markdown-it would leave out (:class:`Dropped`)."""
    found = Markup([], [])
    if not urls and not nesting and not _WORTH_PARSING.search(body):
        return found  # no tag (comments, which are most pages' HTML, are never removed), no image: no parse
    translation = translate_blocks(body.split("\n"))
    _collect(_parser().parse("\n".join(translation)), 0, found, list(translation))

    # Lines of the translation → the editor's lines (before the closing fences it added).
    def editor_line(line: int) -> int:
        return first_line + translation.source_index(line - 1)

    return Markup(
        [Html(editor_line(item.line), item.text) for item in found.html],
        [Image(editor_line(item.line), item.src, item.alt) for item in found.images],
        [Url(editor_line(item.line), item.url) for item in found.urls],
        [Dropped(editor_line(item.line), item.text) for item in found.dropped],
    )


#: What opens lists and block quotes at a line's start: ``>``, ``-``/``+``/``*`` and ``1.``/``1)`` markers.
CONTAINER_MARKERS = re.compile(r"^(?:[ \t]*(?:>|[-+*](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)))*[ \t]*")


def _collect(tokens: list[Token], offset: int, found: Markup, source: list[str]) -> None:
    """What ``tokens`` (a parse of ``source``, whose first line is ``offset`` + 1) hold, into ``found``."""
    for index, token in enumerate(tokens):
        line = offset + token.map[0] + 1 if token.map else None
        if token.nesting == 1 and token.map and token.level + 1 >= PARSER_MAX_NESTING and tokens[index + 1].nesting == -1:
            _dropped(source, token.map, offset, found)
        if token.type == "html_block" and line is not None:
            _add_html(found, line, token.content)
        elif token.type == "inline" and line is not None:
            _inline(token.children or [], line, found)
        elif token.type in ("fence", "colon_fence") and line is not None:
            _directive(token, line, found)


def _inline(children: list[Token], line: int, found: Markup, url_line: int | None = None) -> None:
    """The HTML and images of a block's inline content, reported at ``line`` as MyST does; URLs on
    the line they are written (``url_line``, the block's first, plus the line breaks before them)."""
    written = line if url_line is None else url_line
    for child in _inline_tokens(children):
        if child.type in ("softbreak", "hardbreak"):
            written += 1
        elif child.type == "html_inline":
            _add_html(found, line, child.content, written)
            written += child.content.count("\n")
        elif child.type == "link_open":
            found.urls.append(Url(written, str(child.attrGet("href") or "")))
        elif child.type == "image":
            alt = "".join(part.content for part in _inline_tokens(child.children or []) if part.type in ("text", "code_inline"))
            found.images.append(Image(line, str(child.attrGet("src") or ""), alt))
            found.urls.append(Url(written, str(child.attrGet("src") or "")))


def _inline_tokens(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.type != "image" and token.children:
            yield from _inline_tokens(token.children)


def _directive(token: Token, line: int, found: Markup) -> None:
    """A MyST directive: an image's ``:alt:``, a ``{raw} html`` block, or its content as Markdown."""
    match = _DIRECTIVE.match(token.info.strip())
    if match is None:
        return  # a code block
    name = match["name"].rsplit(":", 1)[-1]
    content = token.content.split("\n")
    options: dict[str, str] = {}
    for index, text in enumerate(content):
        option = _OPTION.match(text.strip())
        if option is None:
            break
        options[option["name"]] = option["value"]
        content[index] = ""
    if name in _IMAGE_DIRECTIVES:
        found.images.append(Image(line, match["argument"], options.get("alt", "")))
        found.urls.append(Url(line, match["argument"]))
    if name == "raw" and "html" in match["argument"].split():
        raw = "\n".join(content)
        _add_html(found, line, raw.strip("\n"), line + 1 + len(raw) - len(raw.lstrip("\n")))
        return
    if name in _LITERAL_DIRECTIVES:
        return
    if title := _title(name, match["argument"]):
        # A block's title is its directive's argument, which MyST parses as if it stood one line lower.
        for inline in _parser().parseInline(title):
            _inline(inline.children or [], line + 1, found, url_line=line)
    if name == "md-tabs":  # the first tab's body, then the other tabs (as the directive reads it)
        split = first_tab_end(content)
        _collect(_parser().parse("\n".join(content[:split])), line, found, content[:split])
        _collect(_parser().parse("\n".join(content[split:])), line + split, found, content[split:])
        return
    _collect(_parser().parse("\n".join(content)), line, found, content)


def _dropped(source: list[str], lines: list[int], offset: int, found: Markup) -> None:
    """The lines of a block whose content markdown-it skips (its map: ``lines``) that hold more than markers."""
    for index in range(lines[0], min(lines[1], len(source))):
        if source[index][CONTAINER_MARKERS.match(source[index]).end() :].strip():  # type: ignore[union-attr]
            found.dropped.append(Dropped(offset + index + 1, source[index]))


def _title(name: str, argument: str) -> str:
    """The title a block of the dialect shows, from its directive's argument."""
    if name in DIRECTIVE_OF_MARKER.values():
        return parse_header(argument)[2]
    if name in _TITLED_DIRECTIVES:
        return argument
    return ""


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.images: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            values = dict(attrs)
            self.images.append((values.get("src") or "", values.get("alt") or ""))

    handle_startendtag = handle_starttag


def html_images(fragment: str) -> list[tuple[str, str]]:
    """The ``<img>`` tags of a raw HTML fragment: (src, alt)."""
    if "<img" not in fragment.lower():
        return []
    parser = _Images()
    parser.feed(fragment)
    parser.close()
    return parser.images


class _Urls(HTMLParser):
    """The ``href`` and ``src`` of every tag, with the line of the fragment each is on (from 1)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        self.urls.extend((line, value) for name, value in attrs if name in ("href", "src") and value)

    handle_startendtag = handle_starttag


def html_urls(fragment: str) -> list[tuple[int, str]]:
    """The ``href`` and ``src`` values of a raw HTML fragment, with their line in it (from 1)."""
    lowered = fragment.lower()
    if "href" not in lowered and "src" not in lowered:
        return []
    parser = _Urls()
    parser.feed(fragment)
    parser.close()
    return parser.urls


def _add_html(found: Markup, line: int, text: str, url_line: int | None = None) -> None:
    """A piece of raw HTML reported at ``line``; its URLs at their own line (``url_line`` is the fragment's first)."""
    found.html.append(Html(line, text))
    found.images.extend(Image(line, src, alt) for src, alt in html_images(text))
    first = line if url_line is None else url_line
    found.urls.extend(Url(first + offset - 1, url) for offset, url in html_urls(text))


def alt_missing(alt: str) -> bool:
    """Whether an image's alternative text says nothing (MyST gives ``![](x)`` an empty one)."""
    return not alt.strip()


def alt_missing_finding(path: str, line: int | None, src: str) -> Finding:
    """The one message for an image without alternative text (``check`` and ``build`` alike)."""
    return Finding(
        path, line, "image.alt-missing",
        f"image `{src}` has no alternative text; describe it for readers who cannot see it "
        f"(`![text]({src})` in Markdown, `alt=\"text\"` on an <img>, `:alt: text` on an image directive)",
    )  # fmt: skip
