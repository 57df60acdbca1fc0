"""The HTML site: section navigation, Dutch interface text and a page that runs under a strict CSP.

* Navigation. pydata-sphinx-theme resolves and soups the whole toctree of a
  section for every page, which took most of a 250-page build. The sidebar
  template (``source/templates/sidebar-nav-bs.html``) renders
  :meth:`SiteTree.section` instead: the section of the current page, read from the
  toctrees Sphinx already collected and opened only along the path to the page.
  A page whose front matter says ``hide: navigation`` has no sidebar, as in
  MkDocs-Material (the records do: a sidebar listing every record on every
  record page made the site quadratic in the size of the kader); ``toc`` and
  ``footer`` take the page TOC and the previous/next links away.
* Incremental builds. A new title or page changes the sidebar, breadcrumbs and
  previous/next links of other pages; :func:`on_env_updated` has those written too.
* Dutch. pydata has no Dutch catalog; ``source/locale`` fills in its interface
  strings (Sphinx's own Dutch translations take precedence). Search is Sphinx's
  own, offline, with Snowball's Dutch stemmer plus one rule (:class:`DutchSearch`).
* A strict Content-Security-Policy (:data:`CONTENT_SECURITY_POLICY`, declared by
  ``source/templates/layout.html``): no inline scripts, nothing from other hosts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import sphinx.search
from docutils import nodes
from jinja2 import FileSystemBytecodeCache
from sphinx import addnodes
from sphinx.search.nl import SearchDutch
from sphinx.transforms.post_transforms import SphinxPostTransform

from .. import bundled
from ..core.searchtext import RESTORED_LONG_VOWEL
from ..dialect.frontmatter import hidden_parts
from ..dialect.rawhtml import remote_image_label
from ..sphinxext.compat import files_to_rebuild, template_environment
from ..sphinxext.domain import kader_domain, pages

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment

STYLESHEET = "kaderpers.css"
#: A CSP-safe Documentation.addTranslations (Sphinx's uses eval), loaded between doctools.js and translations.js.
TRANSLATIONS_SCRIPT = "kaderpers-translations.js"


def content_security_policy(base_uri: str = "'none'") -> str:
    """The policy every page declares: scripts, styles, fonts and images come from the site itself.
    Inline styles stay allowed: Font Awesome and mermaid set them from their (own, local) scripts.
    Only the 404 page, served at any address, needs a ``<base>`` (of the site itself)."""
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        f"font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri {base_uri}; form-action 'self'"
    )


CONTENT_SECURITY_POLICY = content_security_policy()
#: Inline scripts pydata adds for its version switcher, which this site does not use.
THEME_INLINE_SCRIPT = "DOCUMENTATION_OPTIONS."


@dataclass(frozen=True)
class NavItem:
    title: str
    href: str
    #: On the path from the section to the current page (the page itself included).
    current: bool
    #: The current page itself.
    page: bool
    children: tuple[NavItem, ...] = ()


@dataclass(frozen=True)
class SectionNavigation:
    title: str
    href: str
    page: bool
    items: tuple[NavItem, ...]


@dataclass(frozen=True)
class TocEntry:
    title: str
    anchor: str
    level: int
    children: tuple[TocEntry, ...] = ()


def page_toc(env: BuildEnvironment, docname: str) -> tuple[TocEntry, ...]:
    """The headings of a page under its title, as pydata's "Op deze pagina" lists them
    (a page with several H1s lists those), read from the TOC Sphinx collected: pydata
    parses the page's rendered TOC with BeautifulSoup instead, for every page."""
    toc = env.tocs.get(docname)
    top = _toc_entries(toc, 1) if toc is not None else ()
    return top[0].children if len(top) == 1 else top


def _toc_entries(bullet_list: nodes.Element, level: int) -> tuple[TocEntry, ...]:
    entries = []
    for item in bullet_list.children:
        if not isinstance(item, nodes.list_item) or not item.children or not isinstance(item[0], addnodes.compact_paragraph):
            continue  # e.g. the toctree of the navigation
        reference = next(iter(item[0].findall(nodes.reference)), None)
        if reference is None:
            continue
        children = tuple(entry for sub in item.children[1:] if isinstance(sub, nodes.bullet_list) for entry in _toc_entries(sub, level + 1))
        entries.append(TocEntry(reference.astext(), reference.get("anchorname") or "#", level, children))
    return tuple(entries)


class SiteTree:
    """The toctree hierarchy of a read environment: each document's children, in order, with their titles."""

    def __init__(self, env: BuildEnvironment, root: str):
        self.root = root
        self.children: dict[str, list[tuple[str, str]]] = {}
        self.parent: dict[str, str] = {}
        self.titles = {docname: title.astext() for docname, title in env.titles.items()}
        #: Per document, the pages it lists in hidden toctrees only (the navigation's), whose
        #: headings its page does not show.
        self.listed_hidden_only: dict[str, set[str]] = {}
        for docname in _toctree_order(env, root):
            entries = []
            hidden: set[str] = set()
            shown: set[str] = set()
            for toctree in env.tocs[docname].findall(addnodes.toctree):
                (hidden if toctree.get("hidden") else shown).update(toctree.get("includefiles", ()))
                for title, child in toctree["entries"]:
                    if child == "self" or child not in env.tocs:
                        continue  # external links and the page itself are not navigation
                    entries.append((title or self.titles.get(child, child), child))
                    self.parent.setdefault(child, docname)
            if entries:
                self.children[docname] = entries
            if hidden - shown:
                self.listed_hidden_only[docname] = hidden - shown

    def ancestors(self, docname: str) -> list[str]:
        """``docname``, its parent, …, the root; only ``[docname]`` for a page outside the tree."""
        chain = [docname]
        while (parent := self.parent.get(chain[-1])) is not None and parent not in chain:
            chain.append(parent)
        return chain

    def section(self, pagename: str, builder: Builder) -> SectionNavigation | None:
        """The top-level section that holds ``pagename``, opened along the path to it."""
        chain = self.ancestors(pagename)
        if len(chain) < 2 or chain[-1] != self.root:
            return None
        top = chain[-2]
        on_path = set(chain)

        def items(docname: str) -> tuple[NavItem, ...]:
            return tuple(
                NavItem(
                    title=title,
                    href="#" if child == pagename else builder.get_relative_uri(pagename, child),
                    current=child in on_path,
                    page=child == pagename,
                    children=items(child) if child in on_path else (),
                )
                for title, child in self.children.get(docname, ())
            )

        parent_entries = dict((child, title) for title, child in self.children.get(self.root, ()))
        return SectionNavigation(
            title=parent_entries.get(top) or self.titles.get(top, top),
            href=builder.get_relative_uri(pagename, top),
            page=top == pagename,
            items=items(top),
        )

    def members(self, docname: str) -> list[str]:
        """``docname`` and every page below it."""
        found, stack = [], [docname]
        while stack:
            current = stack.pop()
            if current not in found:
                found.append(current)
                stack.extend(child for _, child in self.children.get(current, ()))
        return found

    def digests(self) -> dict[str, str]:
        """Per page with children: the titles and order of its children, which the sidebar of
        every page below it shows (the root's children are the header of every page)."""
        return {docname: _digest(entries) for docname, entries in self.children.items()}


def _digest(value: object) -> str:
    return hashlib.sha256(repr(value).encode("utf-8")).hexdigest()


def _toctree_order(env: BuildEnvironment, root: str) -> list[str]:
    """Documents in a stable order (the root first), so a page listed twice gets the same parent every build."""
    return [root, *sorted(d for d in env.tocs if d != root)] if root in env.tocs else sorted(env.tocs)


def site_tree(app: Sphinx) -> SiteTree:
    """Made once per write (and once per worker process in a parallel write)."""
    domain = kader_domain(app.env)
    if domain.site_tree is None:
        return domain.remember_site_tree(SiteTree(app.env, app.config.root_doc))
    return domain.site_tree


def on_env_updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Pages to write again because the navigation they show changed.

    Sphinx writes a changed page and its parent. But the sidebar of a page lists
    the children of each page above it, its breadcrumbs name the pages above it,
    its previous/next links name its neighbours, and the header names the
    sections. So a new title or a new page changes other pages too; what the last
    build showed is kept in the environment and compared.
    """
    domain = kader_domain(env)
    domain.forget_site_tree()
    tree = site_tree(app)
    relations = {docname: tuple(related[1:]) for docname, related in env.collect_relations().items()}
    new = {"children": tree.digests(), "titles": tree.titles, "relations": relations}
    old = domain.swap_nav_state(new)
    if old is None:
        return []  # a fresh environment: every page is written anyway
    parents = {d for d in new["children"].keys() | old["children"].keys() if new["children"].get(d) != old["children"].get(d)}
    if tree.root in parents:
        return sorted(env.found_docs)
    retitled = {d for d in tree.titles.keys() | old["titles"].keys() if tree.titles.get(d) != old["titles"].get(d)}
    kader_pages = domain.pages
    # The sidebar of a page lists the children of every page above it; the breadcrumbs name those pages.
    outdated = {page for docname in parents for page in tree.members(docname) if "navigation" not in hidden_parts(kader_pages.get(page))}
    outdated |= {page for docname in retitled for page in tree.members(docname)}
    for docname, neighbours in relations.items():
        if neighbours != old["relations"].get(docname) or retitled.intersection(neighbours):
            outdated.add(docname)  # its previous/next links changed
    return sorted(outdated & env.found_docs)


def skip_parents_of_hidden_toctrees(app: Sphinx, builder: Builder) -> None:
    """Sphinx writes the parent of every page it writes, since a toctree shows the headings
    of its pages. The navigation's toctrees are hidden and show nothing; the sidebar,
    breadcrumbs and previous/next links that do show titles are rewritten by
    :func:`on_env_updated`, page by page. So here, when the environment has been saved
    and only the list of pages to write is still to be made, such parents are let go.
    """
    if builder.format != "html":
        return
    domain = kader_domain(app.env)
    for parent, children in site_tree(app).listed_hidden_only.items():
        for child in children:
            parents = files_to_rebuild(builder.env).get(child)
            if parents is not None and parent in parents:
                parents.discard(parent)
                domain.note_skipped_parent(child, parent)


def restore_parents_of_hidden_toctrees(app: Sphinx, exception: Exception | None) -> None:
    """Only this build's list of pages to write leaves those parents out: a next build of the
    same application (``kaderpers serve``) checks the toctrees with the environment as saved."""
    for child, parent in kader_domain(app.env).take_skipped_parents():
        files_to_rebuild(app.env).setdefault(child, set()).add(parent)


class RemoteImagesAsLinks(SphinxPostTransform):
    """An image on another host would be fetched from that host on every page view (and the
    site's CSP refuses it): the page links to it instead, named by its alt text. The PDF,
    which fetches nothing either, prints the same link."""

    default_priority = 300
    formats = ("html", "pdf")

    def run(self, **kwargs: Any) -> None:
        for image in list(self.document.findall(nodes.image)):
            uri = str(image.get("uri", ""))
            host = urlsplit(uri).hostname
            if not host:
                continue
            text = remote_image_label(str(image.get("alt", "")), host)
            replacement: nodes.Node = (
                nodes.Text(text) if isinstance(image.parent, nodes.reference) else nodes.reference("", text, refuri=uri, classes=["kp-remote-image"])
            )
            if not isinstance(image.parent, nodes.TextElement):
                replacement = nodes.paragraph("", "", replacement)
            image.replace_self(replacement)


def cache_compiled_templates(app: Sphinx) -> None:
    """Jinja compiles the theme's templates in every build (0.3 s, a sixth of a small rebuild);
    their bytecode is kept beside the doctrees and used while a template's source is unchanged."""
    environment = template_environment(app.builder)
    if environment is None or environment.bytecode_cache is not None:
        return
    folder = Path(app.doctreedir, "jinja-bytecode")
    folder.mkdir(parents=True, exist_ok=True)
    environment.bytecode_cache = FileSystemBytecodeCache(str(folder))


def on_env_get_outdated(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]) -> list[str]:
    kader_domain(env).record_removed(removed)
    return []


def remove_pages_of_removed_documents(app: Sphinx, exception: Exception | None) -> None:
    """Sphinx leaves the HTML of a deleted page behind; an incremental site must equal a clean one."""
    removed = kader_domain(app.env).removed
    if exception is not None or not removed or app.builder.format != "html":
        return
    outdir = Path(app.outdir).resolve()
    for docname in removed:
        page = (outdir / app.builder.get_target_uri(docname)).resolve()
        if page.is_file() and page.is_relative_to(outdir) and docname not in app.env.found_docs:
            page.unlink()


#: Kader tables with this many columns or more take the page TOC's column.
WIDE_TABLE_COLUMNS = 5


def has_wide_table(doctree: nodes.document) -> bool:
    return any("kp-table" in table["classes"] and len(list(table.findall(nodes.colspec))) >= WIDE_TABLE_COLUMNS for table in doctree.findall(nodes.table))


def on_html_page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None) -> None:
    """Before pydata's handlers (priority 500), which render page-toc.html to see whether it is empty."""
    hidden = hidden_parts(pages(app.env).get(pagename))
    context["kaderpers_csp"] = CONTENT_SECURITY_POLICY
    if "navigation" in hidden:
        context["sidebars"] = []  # pydata then keeps the primary sidebar for the small-screen menu only
        context["kaderpers_section_nav"] = None
    else:
        context["kaderpers_section_nav"] = site_tree(app).section(pagename, app.builder)
    if "footer" in hidden:
        context["prev"] = context["next"] = None
    context["kaderpers_page_toc"] = page_toc(app.env, pagename) if doctree is not None and "toc" not in hidden else ()
    # A wide kader table needs the width of the page TOC column more than the page needs that TOC.
    if "toc" in hidden or (doctree is not None and has_wide_table(doctree)):
        context["meta"] = {**(context.get("meta") or {}), "html_theme.sidebar_secondary.remove": True}


def drop_theme_inline_scripts(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None) -> None:
    """After pydata has added its per-page inline scripts: no page depends on them, and a
    strict Content-Security-Policy (script-src 'self') would block them anyway."""
    scripts = context.get("script_files")
    if isinstance(scripts, list):
        scripts[:] = [js for js in scripts if not str(getattr(js, "attributes", {}).get("body", "")).startswith(THEME_INLINE_SCRIPT)]


#: The same rule in the browser, around the Snowball stemmer Sphinx ships (identical output).
_JS_STEMMER = """
window.Stemmer = function () {
  const snowball = new DutchStemmer();
  this.stemWord = (word) => snowball.stemWord(word).replace(/([aeou])\\1([^aeiouy]*)$/, "$1$2");
};
"""


class DutchSearch(SearchDutch):
    """Sphinx's Dutch search whose stems drop a restored long vowel in both the index and the query.

    Without it a search for "maatregel" misses pages that only say "maatregelen"
    (and "systeem" misses "systemen"); merging such stems costs little precision.
    """

    js_stemmer_rawcode = ""  # Sphinx then takes js_stemmer_code as the whole stemmer

    def __init__(self, options: dict[str, str]) -> None:
        super().__init__(options)
        self._stems: dict[str, str] = {}  # Sphinx memoises per page; the same words recur on every page

    def stem(self, word: str) -> str:
        stemmed = self._stems.get(word)
        if stemmed is None:
            stemmed = self._stems[word] = RESTORED_LONG_VOWEL.sub(r"\1\2", super().stem(word))
        return stemmed

    @cached_property
    def js_stemmer_code(self) -> str:  # type: ignore[override]
        scripts = Path(sphinx.search.__file__).parent / "minified-js"
        snowball = [(scripts / name).read_text("utf-8") for name in ("base-stemmer.js", SearchDutch.js_stemmer_rawcode)]
        return "\n".join([*snowball, _JS_STEMMER])


def setup(app: Sphinx) -> None:
    """The site: Dutch search, translations, stylesheet and script, and the handlers that keep incremental builds equal to clean ones."""
    app.add_search_language(DutchSearch)
    app.add_message_catalog("sphinx", str(bundled.locale()))
    # After the other kaderpers stylesheets (priority 500): the site look has the last word.
    app.add_css_file(STYLESHEET, priority=600)
    app.add_js_file(TRANSLATIONS_SCRIPT)
    app.add_post_transform(RemoteImagesAsLinks)
    app.connect("builder-inited", cache_compiled_templates)
    app.connect("env-get-outdated", on_env_get_outdated)
    app.connect("env-updated", on_env_updated)
    app.connect("write-started", skip_parents_of_hidden_toctrees)
    app.connect("build-finished", remove_pages_of_removed_documents)
    app.connect("build-finished", restore_parents_of_hidden_toctrees)
    app.connect("html-page-context", on_html_page_context, priority=400)
    app.connect("html-page-context", drop_theme_inline_scripts, priority=900)
