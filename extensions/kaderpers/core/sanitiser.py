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
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser

import nh3

from .findings import Finding

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
    """Raw HTML as published, and what was taken out of it (for the warning)."""

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


def removed_finding(path: str, line: int | None, removed: list[str]) -> Finding:
    """The one message for what the sanitiser took out of a fragment (``check`` and ``build`` alike)."""
    listed = ", ".join(dict.fromkeys(removed))
    message = f"raw HTML removed: {listed} (scripts, frames, forms, event handlers and javascript: URLs are not published); remove it from the page"
    return Finding(path, line, "html.removed", message)


# -- links whose script opens a page of the site ------------------------------------------------

#: The script call by which MkDocs pages open a page of the site from a link (the beslishulp's modal).
SCRIPT_LINK_CALL = "showModal("


class StartTagEditor(HTMLParser):
    """Rewrites start tags of a fragment in place; subclasses call :meth:`replace_tag` from ``handle_starttag``."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.edits: list[tuple[int, int, str]] = []  # (start, end, new text)

    def _replace_tag(self, replacement: str) -> None:
        raw = self.get_starttag_text() or ""
        line, column = self.getpos()
        start = self.line_starts[line - 1] + column
        self.edits.append((start, start + len(raw), replacement))

    def replace_tag(self, tag: str, kept: list[tuple[str, str | None]]) -> None:
        """Write the start tag being parsed again, with the attributes ``kept``."""
        raw = self.get_starttag_text() or ""
        closing = "/>" if raw.rstrip().endswith("/>") else ">"
        attributes = "".join(f" {name}" if value is None else f' {name}="{html.escape(value, quote=True)}"' for name, value in kept)
        self._replace_tag(f"<{tag}{attributes}{closing}")

    def rewritten(self) -> str:
        """The text with every start tag replaced as the parser asked."""
        self.feed(self.text)
        self.close()
        text = self.text
        for start, end, replacement in reversed(self.edits):
            text = text[:start] + replacement + text[end:]
        return text


class _HandledLinks(StartTagEditor):
    def __init__(self, text: str, target_of: Callable[[str], str | None]) -> None:
        super().__init__(text)
        self.target_of = target_of

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "a":
            return
        targets = (self.target_of(value) for name, value in attrs if name.startswith("on") and value and SCRIPT_LINK_CALL in value)
        target = next((found for found in targets if found), None)
        if target is not None:
            self.replace_tag(tag, [("href", target), *((n, v) for n, v in attrs if n != "href" and not n.startswith("on"))])


def with_handled_links(text: str, target_of: Callable[[str], str | None]) -> str:
    """Links that worked only through a script naming a page of the site (``showModal(…)``) lead to
    the page ``target_of(handler)`` names, without their scripts; every other tag is left as it is."""
    if SCRIPT_LINK_CALL not in text:
        return text
    return _HandledLinks(text, target_of).rewritten()
