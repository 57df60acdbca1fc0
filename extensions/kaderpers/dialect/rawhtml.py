"""Raw HTML in pages: its text and links survive in every output.

* HTML builders keep the raw HTML, with two repairs made while writing: links
  written for the MkDocs site (``href="../ontwerp"``, ``href="x/index.md"``)
  point at the pages of this site, and inline event handlers and
  ``javascript:`` URLs are dropped (the site runs under a strict
  Content-Security-Policy). A relative link that leads nowhere is a warning.
* Every other builder (the PDF, say) would drop raw HTML silently, so it becomes
  docutils nodes: paragraphs, rubrics, lists, and references for links (a
  cross-reference when the link leads to a page of the kader).

HTML comments are left alone here: the list directives written as comments are
turned into placeholders while reading (:mod:`kaderpers.sphinxext.directives`).
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from ..core.sanitiser import StartTagEditor, removed_finding, sanitise, with_handled_links
from ..sphinxext.builders import builder_of, writes_html
from ..sphinxext.collector import report
from ..sphinxext.nodes import is_html, node_line
from .links import is_relative, resolve

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

_URL_ATTRIBUTES = frozenset({"href", "src"})
_COMMENTS_ONLY = re.compile(r"^\s*(?:<!--.*?-->\s*)*$", re.DOTALL)
_BLOCK_TAGS = frozenset(
    "p div section article aside header footer nav main blockquote figure figcaption details summary table thead tbody tfoot "
    "tr td th dl dt dd form center pre address fieldset legend".split()
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LISTS = {"ul": nodes.bullet_list, "ol": nodes.enumerated_list}
_INLINE = {"strong": nodes.strong, "b": nodes.strong, "em": nodes.emphasis, "i": nodes.emphasis, "code": nodes.literal}
_SKIPPED_CONTENT = frozenset({"script", "style", "template", "svg"})


def remote_host(url: str) -> str | None:
    """The host of an image on another host (``https://host/…``, ``//host/…``), None for a local one."""
    return urlsplit(url.strip()).hostname


def remote_image_label(alt: str, host: str) -> str:
    """How a page names an image on another host that it links to instead of showing (no request leaves the site)."""
    alt = " ".join(alt.split())
    return f"Afbeelding: {alt} (op {host})" if alt and alt.lower() != "image" else f"Afbeelding op {host}"


# -- HTML builders: repair links in place -------------------------------------------------


class _TagRewriter(StartTagEditor):
    """Finds start tags whose attributes need a change: remote images, scripts, links for the MkDocs site."""

    def __init__(self, text: str, rewrite_url: Any) -> None:
        super().__init__(text)
        self.rewrite_url = rewrite_url
        self.links = 0  # open <a> elements

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self.links = max(0, self.links - 1)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links += 1
        values = {name: value or "" for name, value in attrs}
        host = remote_host(values.get("src", "")) if tag == "img" else None
        if host:  # an image on another host: a link to it (or, inside a link, its name), never a request
            label = html.escape(remote_image_label(values.get("alt", ""), host))
            link = f'<a class="kp-remote-image" href="{html.escape(values["src"].strip(), quote=True)}">{label}</a>'
            self._replace_tag(label if self.links else link)
            return
        kept: list[tuple[str, str | None]] = []
        changed = False
        for name, value in attrs:
            if name.startswith("on") or (value and value.strip().lower().startswith("javascript:")):
                changed = True
                continue
            if name in _URL_ATTRIBUTES and value is not None:
                new_value = self.rewrite_url(value)
                changed |= new_value != value
                value = new_value
            kept.append((name, value))
        if changed:
            self.replace_tag(tag, kept)


def sanitised(env: BuildEnvironment, raw: nodes.raw) -> str:
    """The raw HTML of ``raw`` through the sanitiser; what it removed is a warning with the page and line."""
    result = sanitise(raw.astext())
    if result.removed:
        # The PDF edition is one document made of every page: the node knows the page it came from.
        docname = (env.path2doc(raw.source) if raw.source else None) or env.docname
        path = Path(env.doc2path(docname)).relative_to(env.srcdir).as_posix()
        report(removed_finding(path, node_line(raw), result.removed), docname)
    return result.html


class RawHtmlLinks(SphinxPostTransform):
    """HTML builders: raw HTML sanitised, and MkDocs links in it → this site's URLs."""

    default_priority = 20
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        docname = self.env.docname
        site_links: set[str] = set()  # addresses on this site that handled links lead to: never MkDocs links

        def handled_target(handler: str) -> str | None:
            target = self.handler_target(docname, handler)
            if target is not None:
                site_links.add(target)
            return target

        for raw in list(self.document.findall(is_html)):
            text = raw.astext()
            if _COMMENTS_ONLY.match(text):
                continue
            handled = with_handled_links(text, handled_target)
            if handled != text:
                raw = _replace_raw(raw, handled)
                text = handled
            clean = sanitised(self.env, raw)
            if clean != text:
                raw = _replace_raw(raw, clean)
                text = clean

            def rewrite(url: str, raw: nodes.raw = raw) -> str:
                return url if url in site_links else self.site_url(docname, url, raw)

            new_text = _TagRewriter(text, rewrite).rewritten()
            if new_text != text:
                _replace_raw(raw, new_text)

    def handler_target(self, docname: str, handler: str) -> str | None:
        """The page that replaces a link's script (the beslishulp for ``showModal(…beslishulp…)``):
        asked of the site through :data:`SCRIPT_LINK_EVENT`, so the dialect does not import it."""
        return self.env.events.emit_firstresult(SCRIPT_LINK_EVENT, docname, handler)

    def site_url(self, docname: str, url: str, node: nodes.Node) -> str:
        url = url.strip()
        if not is_relative(url):
            return url
        target = resolve(self.env, docname, url)
        if target is None:
            logger.warning(
                "link %r in HTML does not lead to a page of the kader; link to an existing .md file",
                url,
                type="kaderpers",
                subtype="html-link",
                location=(docname, node_line(node)),
            )
            return url
        uri = builder_of(self.env).get_relative_uri(docname, target.docname)
        return f"{uri}#{target.anchor}" if target.anchor else uri


# -- other builders: raw HTML → docutils nodes ------------------------------------------------


class _NodeBuilder(HTMLParser):
    """Builds docutils nodes from an HTML fragment, tolerating unclosed and stray tags."""

    def __init__(self, make_reference: Any) -> None:
        super().__init__(convert_charrefs=True)
        self.make_reference = make_reference
        self.blocks: list[nodes.Node] = []
        self.containers: list[nodes.Element] = []  # open lists and list items
        self.paragraph: nodes.TextElement | None = None
        self.inline: list[nodes.TextElement] = []
        self.skipping = 0

    # where new nodes go
    def _add_block(self, node: nodes.Node) -> None:
        if self.containers:
            self.containers[-1] += node
        else:
            self.blocks.append(node)

    def _flush(self) -> None:
        self.paragraph = None
        self.inline = []

    def _inline_parent(self) -> nodes.TextElement:
        if self.paragraph is None:
            self.paragraph = nodes.paragraph()
            self._add_block(self.paragraph)
        return self.inline[-1] if self.inline else self.paragraph

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in _SKIPPED_CONTENT:
            self.skipping += 1
        elif tag in _HEADINGS:
            self._flush()
            self.paragraph = nodes.rubric(heading_level=int(tag[1]))
            self._add_block(self.paragraph)
        elif tag in _LISTS:
            self._flush()
            listing = _LISTS[tag]()
            self._add_block(listing)
            self.containers.append(listing)
        elif tag == "li":
            self._flush()
            if not self.containers or not isinstance(self.containers[-1], (nodes.bullet_list, nodes.enumerated_list)):
                listing = nodes.bullet_list()
                self._add_block(listing)
                self.containers.append(listing)
            item = nodes.list_item()
            self.containers[-1] += item
            self.containers.append(item)
        elif tag in _BLOCK_TAGS:
            self._flush()
        elif tag == "a" and values.get("href"):
            reference = self.make_reference(values["href"])
            self._inline_parent().append(reference)
            self.inline.append(reference)
        elif tag in _INLINE:
            element = _INLINE[tag]()
            self._inline_parent().append(element)
            self.inline.append(element)
        elif tag == "img" and (host := remote_host(values.get("src", ""))):
            label = nodes.Text(remote_image_label(values.get("alt", ""), host))
            inside_link = any(isinstance(element, (nodes.reference, addnodes.pending_xref)) for element in self.inline)
            self._inline_parent().append(label if inside_link else nodes.reference("", "", label, refuri=values["src"].strip()))
        elif tag == "img" and values.get("alt"):
            self._inline_parent().append(nodes.Text(values["alt"]))
        elif tag == "br" and self.paragraph is not None:
            self._inline_parent().append(nodes.Text(" "))

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_CONTENT:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _HEADINGS or tag in _BLOCK_TAGS:
            self._flush()
        elif tag == "li" or tag in _LISTS:
            self._flush()
            wanted = nodes.list_item if tag == "li" else _LISTS[tag]
            while self.containers:
                if isinstance(self.containers.pop(), wanted):
                    break
        elif (tag == "a" or tag in _INLINE) and self.inline:
            self.inline.pop()

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        text = re.sub(r"\s+", " ", data)
        if not text.strip() and (self.paragraph is None or not self.paragraph.children):
            return
        self._inline_parent().append(nodes.Text(text))

    def result(self, text: str) -> list[nodes.Node]:
        self.feed(text)
        self.close()
        for paragraph in self.blocks:
            _strip_edges(paragraph)
        return [node for node in self.blocks if node.astext().strip()]


def _strip_edges(node: nodes.Node) -> None:
    for element in node.findall(nodes.TextElement):
        texts = [child for child in element.children if isinstance(child, nodes.Text)]
        if texts and element.children[0] is texts[0]:
            texts[0].parent.replace(texts[0], nodes.Text(texts[0].astext().lstrip()))


def _replace_raw(raw: nodes.raw, text: str) -> nodes.raw:
    new = nodes.raw(text, text, format=raw["format"], classes=raw.get("classes", []))
    new.source, new.line = raw.source, raw.line or node_line(raw)
    raw.replace_self(new)
    return new


class RawHtmlToNodes(SphinxPostTransform):
    """Non-HTML builders: raw HTML becomes text, lists and links instead of vanishing."""

    default_priority = 5  # before cross-references are resolved, so page links become them

    def is_supported(self) -> bool:
        return not writes_html(self.env)

    def run(self, **kwargs: Any) -> None:
        for raw in list(self.document.findall(is_html)):
            if raw.parent is None or _COMMENTS_ONLY.match(raw.astext()):
                continue
            clean = sanitised(self.env, raw)
            if clean != raw.astext():
                _replace_raw(raw, clean)
        for raw in list(self.document.findall(is_html)):
            if raw.parent is None:
                continue
            if _COMMENTS_ONLY.match(raw.astext()):
                raw.parent.remove(raw)
            elif isinstance(raw.parent, nodes.TextElement):
                self.convert_inline(raw.parent)
            else:
                converted = _NodeBuilder(self.reference).result(raw.astext())
                if converted:
                    raw.replace_self(converted)
                else:
                    raw.parent.remove(raw)

    def convert_inline(self, parent: nodes.TextElement) -> None:
        """Raw tags among a paragraph's children: ``<a href>`` … ``</a>`` wraps what lies between."""
        children: list[nodes.Node] = []
        link: nodes.Element | None = None
        for child in list(parent.children):
            if not is_html(child):
                (link if link is not None else children).append(child)
                continue
            text = child.astext()
            start = re.fullmatch(r"\s*<a\b[^>]*>\s*", text, re.IGNORECASE)
            if start is not None:
                href = _attribute(text, "href")
                link = self.reference(href) if href else nodes.inline()
                children.append(link)
            elif re.fullmatch(r"\s*</a\s*>\s*", text, re.IGNORECASE):
                link = None
            elif not _COMMENTS_ONLY.match(text):
                converted = _NodeBuilder(self.reference).result(text)
                inline = [grandchild.deepcopy() for block in converted for grandchild in block.children] if converted else []
                (link.extend if link is not None else children.extend)(inline)
        parent.children = []
        parent.extend(children)

    def reference(self, href: str) -> nodes.Element:
        target = resolve(self.env, self.env.docname, href.strip()) if is_relative(href.strip()) else None
        if target is not None:
            return addnodes.pending_xref(
                "", refdomain="std", reftype="doc", reftarget="/" + target.docname, refexplicit=True, refdoc=self.env.docname, refwarn=False
            )
        if href.strip().lower().startswith("javascript:") or href.strip() in ("", "#"):
            return nodes.inline()
        return nodes.reference("", "", refuri=href.strip())


def _attribute(start_tag: str, name: str) -> str | None:
    found: dict[str, str | None] = {}

    class _Attributes(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.update(attrs)

    parser = _Attributes(convert_charrefs=True)
    parser.feed(start_tag)
    parser.close()
    return found.get(name)


#: ``(app, docname, handler)`` → the address of the page that replaces a link's script, or None.
SCRIPT_LINK_EVENT = "kaderpers-script-link"


def setup(app: Sphinx) -> None:
    """Register the handling of raw HTML: sanitised with its links rewritten in HTML, turned into nodes elsewhere."""
    app.add_event(SCRIPT_LINK_EVENT)
    app.add_post_transform(RawHtmlLinks)
    app.add_post_transform(RawHtmlToNodes)
