"""Raw HTML in pages through a well-kept sanitiser: nh3, the Python binding of Ammonia.

MyST hands raw HTML over in fragments: ``<a href="x">`` and ``</a>`` around
Markdown text are separate pieces, and a ``<div>`` may open in one and close in
another. Ammonia sanitises whole fragments and would close every tag it opens, so
each start tag is put to it on its own (inside the table context a table cell
needs) and its answer is used as the tag; end tags stay when their tag is
allowed, text is escaped again, comments and declarations go. The output is thus
made only of what Ammonia wrote and of escaped text, whatever the input's tricks.

The allow-list is Ammonia's default (text, links, lists, tables, images,
headings) with what real kader pages use besides: ``div``/``span``/``p`` with
``class``, ``id``, ``style`` and ``lang``, ``aria-*``, and a ``button``. Scripts,
frames, forms, ``<base>``, ``<meta>``, event handlers and ``javascript:`` URLs
(also when hidden by entities) are removed, and what was removed is reported.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser

import nh3

ALLOWED_TAGS = frozenset(nh3.ALLOWED_TAGS | {"button"})
GENERIC_ATTRIBUTES = frozenset({"class", "id", "style", "lang", "title", "dir", "role"})
ATTRIBUTES = {
    **{tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": set(GENERIC_ATTRIBUTES),
    "button": {"type", "disabled"},
    "li": {"value"},
    "ol": {"start", "reversed", "type"},
}
#: Tags whose content is dropped with them (their text is code, not prose).
CONTENT_DROPPED = frozenset({"script", "style"})
#: Table parts a fragment parser drops unless they stand in a table.
_TABLE_CONTEXT = {
    "td": ("<table><tr>", "</tr></table>"),
    "th": ("<table><tr>", "</tr></table>"),
    "tr": ("<table>", "</table>"),
    "tbody": ("<table>", "</table>"),
    "thead": ("<table>", "</table>"),
    "tfoot": ("<table>", "</table>"),
    "caption": ("<table>", "</table>"),
    "colgroup": ("<table>", "</table>"),
    "col": ("<table><colgroup>", "</colgroup></table>"),
}


def _clean(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(CONTENT_DROPPED),
        attributes=ATTRIBUTES,
        generic_attribute_prefixes={"aria-", "data-"},
        link_rel=None,  # links keep the rel they were written with (none)
        strip_comments=True,
    )


class _FirstTag(HTMLParser):
    """The first start tag of a fragment: its text and its attribute names."""

    def __init__(self, tag: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tag = tag
        self.found: tuple[str, set[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == self.tag and self.found is None:
            self.found = (self.get_starttag_text() or "", {name for name, _ in attrs})

    handle_startendtag = handle_starttag


@lru_cache(maxsize=4096)
def sanitise_start_tag(tag: str, written: str) -> tuple[str | None, frozenset[str]]:
    """A start tag as Ammonia keeps it (None: removed), and the attributes it dropped."""
    if tag not in ALLOWED_TAGS:
        return None, frozenset()
    before, after = _TABLE_CONTEXT.get(tag, ("", ""))
    parser = _FirstTag(tag)
    parser.feed(_clean(f"{before}{written}{after}"))
    parser.close()
    if parser.found is None:
        return None, frozenset()
    text, kept = parser.found
    original = _FirstTag(tag)
    original.feed(written)
    original.close()
    written_names = original.found[1] if original.found else set()
    return text, frozenset(written_names - kept)


@dataclass
class Sanitised:
    html: str
    removed: list[str] = field(default_factory=list)  # what was taken out, e.g. "<script>", "onclick on <a>"


class _Sanitiser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.removed: list[str] = []
        self.dropping: list[str] = []  # open tags whose content is dropped

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.dropping:
            if tag in CONTENT_DROPPED:
                self.dropping.append(tag)
            return
        if tag in CONTENT_DROPPED:
            self.dropping.append(tag)
            self.removed.append(f"<{tag}>")
            return
        kept, dropped = sanitise_start_tag(tag, self.get_starttag_text() or f"<{tag}>")
        if kept is None:
            self.removed.append(f"<{tag}>")
            return
        self.removed.extend(f"{name} on <{tag}>" for name in sorted(dropped))
        self.out.append(kept)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self.dropping:
            if tag == self.dropping[-1]:
                self.dropping.pop()
            return
        if tag in ALLOWED_TAGS:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.out.append(html.escape(data, quote=False))


def sanitise(fragment: str) -> Sanitised:
    """A raw HTML fragment with only allowed tags, attributes and URLs; what went is listed."""
    parser = _Sanitiser()
    parser.feed(fragment)
    parser.close()
    return Sanitised("".join(parser.out), parser.removed)
