"""The *Wijzigingen* between two versions of a kader, as docutils nodes.

One rendering serves three outputs: the site's ``wijzigingen/`` page, the changes
section of the PDF edition (and ``wijzigingen.pdf`` on its own), and the
standalone page of ``kaderpers diff --format html``. It shows the counts first,
then each page added, removed, renamed or changed: the fields that changed (old
and new value, list items that went struck through, new ones marked) and the
text, paragraph by paragraph, word by word; last, when they changed, the values
of the vocabulary and the terms of the glossary.

How a record is linked is up to the caller (``links``): on the site a link to its
page, in print an internal reference, in the standalone page none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.util import logging

from .. import bundled
from ..core.diff import Change, FieldChange, KaderDiff, PageDiff, Piece, WordChange, by_change, compare, items_of, plain
from ..core.loader import load_tree
from ..core.model import PageKind
from ..core.revisions import RevisionError, is_revision, load_revision
from .config import get_config
from .domain import kader_domain

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

#: The page of the site (``wijzigingen/``) and the id of the section in print.
CHANGES_PAGE = "wijzigingen/index"
CHANGES_ID = "wijzigingen"
CHANGES_TITLE = "Wijzigingen"
STYLESHEET = bundled.static() / "kader-changes.css"

HEADINGS = {Change.ADDED: "Toegevoegd", Change.REMOVED: "Verwijderd", Change.RENAMED: "Hernoemd", Change.CHANGED: "Gewijzigd"}
#: The parts for the vocabulary and the glossary: (id suffix, heading, attribute of KaderDiff).
WORD_PARTS = (("vocabulaire", "Vocabulaire", "vocabulary"), ("begrippenlijst", "Begrippenlijst", "glossary"))
WORD_CHANGE_LABELS = {Change.ADDED: "nieuw", Change.REMOVED: "weg", Change.CHANGED: "anders"}
KIND_LABELS = {
    PageKind.VEREISTE: "Vereiste",
    PageKind.MAATREGEL: "Maatregel",
    PageKind.HULPMIDDEL: "Hulpmiddel",
    PageKind.LEVENSCYCLUS: "Levenscyclus",
    PageKind.ROL: "Rol",
    PageKind.ONDERWERP: "Onderwerp",
    PageKind.PAGE: "Pagina",
}
#: Kinds in the order a reader looks for them.
KIND_ORDER = {kind: position for position, kind in enumerate(KIND_LABELS)}
FIELD_LABELS = {"title": "Titel", "vereiste": "Vereisten", "maatregel": "Maatregelen", "rollen": "Rollen", "onderwerp": "Onderwerpen"}
LEGEND = ("Doorgehaald", " is weggehaald, ", "onderstreept", " is nieuw.")
#: Print has no strike-through: there the marks are written out, as `kaderpers diff` does.
PRINT_MARKS = {Piece.DELETED: "[-{}-]", Piece.INSERTED: "{{+{}+}}"}
PRINT_LEGEND = ("[-Tekst tussen deze tekens-]", " is weggehaald, ", "{+tekst tussen deze+}", " is nieuw.")
#: The markers of a record page of the new version, in the order they show.
MARKER_TEXTS = {Change.ADDED: "Nieuw", Change.CHANGED: "Gewijzigd", Change.RENAMED: "Hernoemd"}

#: (docname, text) → a node linking to that page of the new version.
Links = Callable[[str, str], nodes.Node]


def anchor(item: PageDiff, change: Change) -> str:
    """The id of a page's entry in the changes, per kind of change."""
    return f"{change.value}-" + item.page.docname.replace("/", "-").lower()


def _ordered(items: Iterable[PageDiff]) -> list[PageDiff]:
    return sorted(items, key=lambda item: (KIND_ORDER[item.page.kind], item.page.sort_key, item.page.path))


def _words(pieces: Iterable[tuple[Piece, str]], print_marks: bool) -> list[nodes.Node]:
    result: list[nodes.Node] = []
    for position, (kind, text) in enumerate(pieces):
        if position:
            result.append(nodes.Text(" "))
        if kind is Piece.SAME:
            result.append(nodes.Text(text))
        else:
            shown = PRINT_MARKS[kind].format(text) if print_marks else text
            result.append(nodes.inline(shown, shown, classes=["kp-del" if kind is Piece.DELETED else "kp-ins"]))
    return result


def legend(print_marks: bool) -> nodes.paragraph:
    gone, middle, new, end = PRINT_LEGEND if print_marks else LEGEND
    return nodes.paragraph(
        "",
        "",
        nodes.inline(gone, gone, classes=["kp-del"]),
        nodes.Text(middle),
        nodes.inline(new, new, classes=["kp-ins"]),
        nodes.Text(end),
        classes=["kp-changes-legend"],
    )


def _value_nodes(value: Any, highlight: tuple[str, ...] | None, css: str) -> list[nodes.Node]:
    """A field value; for lists, the items in ``highlight`` marked with ``css``."""
    items = items_of(value)
    if items is None:
        if value is None:
            return [nodes.emphasis("geen", "geen")]
        text = plain(value) if isinstance(plain(value), str) else str(plain(value))
        return [nodes.Text(text)]
    if not items:
        return [nodes.emphasis("leeg", "leeg")]
    marked = set(highlight or ())
    result: list[nodes.Node] = []
    for position, item in enumerate(items):
        if position:
            result.append(nodes.Text(", "))
        result.append(nodes.inline(item, item, classes=[css]) if item in marked else nodes.Text(item))
    return result


def table(headings: tuple[str, ...], widths: tuple[int, ...], rows: Iterable[list[list[nodes.Node]]], css: str) -> nodes.table:
    """A table with a header row; each cell one paragraph of the given nodes."""
    result = nodes.table(classes=[css, "colwidths-given"])
    group = nodes.tgroup(cols=len(headings))
    result += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    group += nodes.thead("", nodes.row("", *(nodes.entry("", nodes.paragraph(text, text)) for text in headings)))
    body = nodes.tbody()
    for cells in rows:
        body += nodes.row("", *(nodes.entry("", nodes.paragraph("", "", *cell)) for cell in cells))
    group += body
    return result


def field_table(changes: list[FieldChange]) -> nodes.table:
    rows = (
        [
            [nodes.Text(FIELD_LABELS.get(change.name, change.name))],
            _value_nodes(change.old, change.removed, "kp-del"),
            _value_nodes(change.new, change.added, "kp-ins"),
        ]
        for change in changes
    )
    return table(("Veld", "Was", "Wordt"), (16, 42, 42), rows, "kp-changes-fields")


def _word_text(text: str | None, css: str) -> list[nodes.Node]:
    return [nodes.emphasis("geen", "geen")] if text is None else [nodes.inline(text, text, classes=[css])]


def word_table(changes: list[WordChange]) -> nodes.table:
    """Vocabulary values (field, value, was, becomes) or glossary terms (term, was, becomes)."""
    terms = all(item.field is None for item in changes)
    rows = []
    for item in by_change(changes):
        name = [nodes.literal(item.name, item.name), nodes.Text(f" ({WORD_CHANGE_LABELS[item.change]})")]
        where = [] if terms else [[nodes.Text(FIELD_LABELS.get(item.field or "", item.field or ""))]]
        rows.append([*where, name, _word_text(item.old, "kp-del"), _word_text(item.new, "kp-ins")])
    if terms:
        return table(("Term", "Was", "Wordt"), (20, 40, 40), rows, "kp-changes-words")
    return table(("Veld", "Waarde", "Was", "Wordt"), (16, 24, 30, 30), rows, "kp-changes-words")


def text_nodes(item: PageDiff, print_marks: bool) -> list[nodes.Node]:
    result: list[nodes.Node] = []
    for hunk in item.text_diff():
        block = nodes.container(classes=["kp-changes-text"])
        where = f"Tekst vanaf regel {hunk.line}"
        block += nodes.paragraph(where, where, classes=["kp-changes-where"])
        for paragraph in hunk.paragraphs:
            block += nodes.paragraph("", "", *_words(paragraph, print_marks))
        result.append(block)
    return result


def entry_nodes(item: PageDiff, change: Change, links: Links | None, print_marks: bool = False) -> nodes.container:
    """One page in the changes: title (linked where it exists), kind and path, and what changed."""
    page = item.page
    box = nodes.container(classes=["kp-change", f"kp-change-{change.value}"], ids=[anchor(item, change)])
    heading = nodes.paragraph(classes=["kp-change-title"])
    kind = KIND_LABELS[page.kind]
    heading += nodes.inline(kind, kind, classes=["kp-chip", "kp-change-kind"])
    heading += nodes.Text(" ")
    title = nodes.strong()
    if links is not None and change is not Change.REMOVED and item.new is not None:
        title += links(item.new.docname, page.title)
    else:
        title += nodes.Text(page.title)
    heading += title
    box += heading
    where = f"{item.old.path} → {page.path}" if change is Change.RENAMED and item.old else page.path
    box += nodes.paragraph(where, where, classes=["kp-change-path"])
    if change is Change.CHANGED:
        if item.fields:
            box += field_table(item.fields)
        box.extend(text_nodes(item, print_marks))
    return box


def counts_list(diff: KaderDiff, linked: bool) -> nodes.bullet_list:
    """How many pages each kind of change has; on screen each links to its part."""
    counts = diff.counts()
    listing = nodes.bullet_list(classes=["kp-changes-counts"])
    for change in Change:
        text = f"{HEADINGS[change]}: {counts[change]}"
        paragraph = nodes.paragraph()
        if counts[change] and linked:
            paragraph += nodes.reference(text, text, refid=f"{CHANGES_ID}-{change.value}", internal=True)
        else:
            paragraph += nodes.Text(text)
        listing += nodes.list_item("", paragraph)
    for suffix, heading, attribute in WORD_PARTS:
        changes = getattr(diff, attribute)
        if not changes:
            continue
        text = f"{heading}: {len(changes)}"
        paragraph = nodes.paragraph()
        paragraph += nodes.reference(text, text, refid=f"{CHANGES_ID}-{suffix}", internal=True) if linked else nodes.Text(text)
        listing += nodes.list_item("", paragraph)
    return listing


def changes_section(diff: KaderDiff, old_label: str, links: Links | None, title: str = CHANGES_TITLE, print_marks: bool = False) -> nodes.section:
    """The whole changes page as one section: counts, then each kind of change with its pages."""
    section = nodes.section(ids=[CHANGES_ID], names=[CHANGES_ID], classes=["kp-changes"])
    section += nodes.title(title, title)
    intro = f"Wat er is veranderd sinds {old_label}."
    section += nodes.paragraph(intro, intro)
    section += counts_list(diff, linked=not print_marks)
    if diff.empty:
        text = "Er is niets veranderd."
        section += nodes.paragraph(text, text)
        return section
    section += legend(print_marks)
    for change in Change:
        items = _ordered(getattr(diff, change.value))
        if not items:
            continue
        heading = f"{HEADINGS[change]} ({len(items)})"
        part = nodes.section(ids=[f"{CHANGES_ID}-{change.value}"], names=[f"{CHANGES_ID}-{change.value}"])
        part += nodes.title(heading, heading)
        for item in items:
            part += entry_nodes(item, change, links, print_marks)
        section += part
    for suffix, heading, attribute in WORD_PARTS:
        changes = getattr(diff, attribute)
        if changes:
            part = nodes.section(ids=[f"{CHANGES_ID}-{suffix}"], names=[f"{CHANGES_ID}-{suffix}"], classes=["kp-changes-words-part"])
            title = f"{heading} ({len(changes)})"
            part += nodes.title(title, title)
            part += word_table(changes)
            section += part
    return section


def marker(changes: list[Change], link: Callable[[Change], nodes.Node] | None = None) -> nodes.paragraph | None:
    """The markers ("Nieuw", "Gewijzigd", "Hernoemd") of a page of the new version; None when it did not change.

    A page both changed and renamed gets both; ``link`` makes each one a link to its entry.
    """
    shown = [change for change in MARKER_TEXTS if change in changes]
    if not shown:
        return None
    paragraph = nodes.paragraph(classes=["kp-changed-marker"])
    for position, change in enumerate(shown):
        if position:
            paragraph += nodes.Text(" ")
        text = MARKER_TEXTS[change]
        paragraph += link(change) if link is not None else nodes.inline(text, text, classes=["kp-chip", "kp-changed", f"kp-changed-{change.value}"])
    return paragraph


# -- kaderpers diff --format html -----------------------------------------------------------


def standalone_html(diff: KaderDiff, old_label: str, new_label: str) -> str:
    """A page of its own (no site around it): the changes with the stylesheet embedded."""
    from docutils.core import publish_from_doctree
    from docutils.utils import new_document

    document = new_document(f"{old_label} → {new_label}")
    document.settings.language_code = "nl"
    document += changes_section(diff, old_label, None, f"{CHANGES_TITLE}: {old_label} → {new_label}")
    output = publish_from_doctree(
        document,
        writer_name="html5",
        settings_overrides={
            "stylesheet_path": str(STYLESHEET),
            "embed_stylesheet": True,
            "language_code": "nl",
            "output_encoding": "unicode",
            "doctitle_xform": False,
        },
    )
    return output if isinstance(output, str) else output.decode("utf-8")


# -- in a build: ``kaderpers build --compare-to OLD`` ------------------------------------------


def folder_label(folder: Path) -> str:
    """A folder compared with, by name: a project's ``docs`` by its project's folder (``../oud/docs`` is "oud")."""
    folder = folder.resolve()
    if (folder.parent / "mkdocs.yml").is_file() or folder.name == "docs":
        return folder.parent.name or str(folder)
    return folder.name or str(folder)


def on_builder_inited(app: Sphinx) -> None:
    """Compare the tree with the configured version once per build (after the domain is reset)."""
    spec = get_config(app).compare_to.strip()
    if not spec:
        return
    domain = kader_domain(app.env)
    srcdir = Path(app.srcdir)
    try:
        if is_revision(spec):
            old = load_revision(spec, srcdir)
        elif Path(spec).is_dir():
            old = load_tree(Path(spec))
        else:
            raise RevisionError(f"{spec} is not a folder; give the old version as a folder or as git:REV")
    except RevisionError as error:
        logger.warning("cannot compare with %s: %s; the site is built without the Wijzigingen page", spec, error, type="kaderpers", subtype="compare")
        return
    label = get_config(app).compare_label.strip()
    domain.record_changes(compare(old, load_tree(srcdir)), label or (spec.removeprefix("git:") if is_revision(spec) else folder_label(Path(spec))))


def on_env_updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Pages whose marker differs from the one last written (the old version itself may have moved)."""
    domain = kader_domain(env)
    diff = domain.changes
    markers = {}
    if diff is not None:
        for docname in env.found_docs:
            if marker(diff.of(docname)) is not None:
                markers[docname] = tuple(change.value for change in diff.of(docname))
    previous = domain.swap_change_markers(markers)
    return sorted(docname for docname in markers.keys() | previous.keys() if markers.get(docname) != previous.get(docname) and docname in env.found_docs)


def setup(app: Sphinx) -> None:
    """``--compare-to``: the comparison made once per build, the pages whose change marker changed written again."""
    app.connect("kaderpers-build-started", on_builder_inited)  # once per build, after the domain is reset
    app.connect("env-updated", on_env_updated)
