"""Table rendering: placeholder nodes → docutils tables, chips and cross-references.

:class:`ResolveKaderNodes` runs as a post-transform. On the web it resolves the
links of titles and chips at once, as the ``doc`` role would; for other builders
it runs before Sphinx resolves references and emits ``pending_xref`` nodes that
each builder resolves: internal links in the PDF, plain text where a handout
leaves the target out (see :class:`DocLinks`).

The content of a table is first computed as a :class:`TableModel` (plain text
cells), which the exports reuse, and then rendered as nodes. For HTML a table is
wrapped in a container with JSON data islands that the filter layer
(``kader-tables.js``) reads; the islands are inert data, never executed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.nodes import make_refnode

from ..core.columns import COLUMNS, Cell, columns_for, ordered_values, value_label
from ..core.grammar import Expression, ListSpec, TagsSpec, parse_label_expression
from ..core.model import AI_ACT_FIELDS, KIND_OF_REFERENCE_FIELD, TAXONOMY_FIELDS, Kader, Page, PageKind
from .builders import builder_of, writes_html
from .collector import rows_for
from .domain import kader
from .nodes import kader_list, kader_tags

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder

EMPTY_TEXT = "Geen {plural} beschikbaar."
DANGLING_TEXT = "ontbreekt"
#: Label values that say nothing about the reader's situation; left out of chips and profile choices.
SILENT_LABELS = frozenset({"niet-van-toepassing"})

#: The questions of the AI-verordening profile filter, in the order the reader answers them.
PROFILE_QUESTIONS = {
    "rol-ai-act": "Rol onder de AI-verordening",
    "soort-toepassing": "Soort toepassing",
    "risicogroep": "Risicogroep",
    "transparantieverplichting": "Transparantieverplichting",
    "systeemrisico": "Systeemrisico",
    "open-source": "Open source",
}
#: An answer that makes other questions meaningless: an AI-model has no risicogroep, an AI-systeem no systeemrisico.
PROFILE_NOT_ASKED = {
    "soort-toepassing-ai-model-voor-algemene-doeleinden": ["risicogroep", "transparantieverplichting"],
    "soort-toepassing-ai-systeem": ["systeemrisico"],
    "soort-toepassing-ai-systeem-voor-algemene-doeleinden": ["systeemrisico"],
}


# -- the table model: plain text, for rendering and exports --------------------------


@dataclass
class Row:
    page: Page | None
    cells: list[Cell]


@dataclass
class TableModel:
    kind: PageKind
    columns: list[str]
    headers: list[str]
    rows: list[Row] = field(default_factory=list)

    def text_rows(self) -> list[list[str]]:
        return [[cell.text for cell in row.cells] for row in self.rows]


def table_model(index: Kader, page: Page, spec: ListSpec) -> TableModel:
    """The rows and cells a list directive on ``page`` shows."""
    columns = columns_for(spec)
    headers = [column.header_for(spec.kind.record) for column in columns]
    model = TableModel(spec.kind.record, [column.name for column in columns], headers)
    for record in rows_for(index, page, spec):
        model.rows.append(Row(record, [column.cell(index, record) for column in columns]))
    if spec.kind.own_field:
        # Named in the front matter but missing: shown, marked; ref.dangling warns about it.
        missing = dict.fromkeys(stem for field_name, stem in index.dangling(page) if field_name == spec.kind.own_field)
        for stem in missing:
            cells = [Cell(stem, dangling=True) if column.name == "title" else Cell("") for column in columns]
            model.rows.append(Row(None, cells))
    return model


# -- rendering as docutils nodes -------------------------------------------------------


@dataclass(frozen=True)
class DocLinks:
    """How the links of one page's tables and chips are made.

    On the web a link is resolved at once with Sphinx's :func:`make_refnode`, as the
    ``doc`` role would be, so the tables can be built after every other post-transform
    and no transform walks their thousands of nodes. Other builders get a
    ``pending_xref`` and resolve it in their own way: an internal link in the PDF,
    plain text where a handout leaves the target out.
    """

    refdoc: str
    #: Set when links are resolved now (the web); ``None`` leaves them to the builder.
    builder: Builder | None = None

    def to(self, docname: str, text: str, classes: list[str] | None = None) -> nodes.Node:
        """A link to ``docname``. Its classes sit on a wrapper that resolving keeps:
        a chip stays a chip whether it became a link or not."""
        if self.builder is None:
            link: nodes.Element = addnodes.pending_xref(
                "", refdomain="std", reftype="doc", reftarget="/" + docname, refexplicit=True, refwarn=False, refdoc=self.refdoc
            )
            link += nodes.inline(text, text)
        elif docname in self.builder.env.all_docs:
            link = make_refnode(self.builder, self.refdoc, docname, None, nodes.inline(text, text, classes=["doc"]))
        else:
            link = nodes.inline(text, text)
        return nodes.inline("", "", link, classes=classes) if classes else link


def chip_nodes(index: Kader, field_name: str, chips: tuple[tuple[str, str], ...], links: DocLinks) -> list[nodes.Node]:
    """Chips linking to their taxonomy page (or record, for a reference field), separated by text that only print shows."""
    result: list[nodes.Node] = []
    taxonomy = index.taxonomy(field_name) if field_name in TAXONOMY_FIELDS else {}
    record_kind = KIND_OF_REFERENCE_FIELD.get(field_name)
    classes = ["kp-chip", f"kp-chip-{field_name}"]
    for position, (value, label) in enumerate(chips):
        if position:
            result.append(nodes.inline(", ", ", ", classes=["kp-sep"]))
        target = index.get(record_kind, value) if record_kind is not None else taxonomy.get(value)
        if target is not None:
            result.append(links.to(target.docname, label, classes))
        else:
            result.append(nodes.inline(label, label, classes=classes))
    return result


def _entry(index: Kader, cell: Cell, column: str, links: DocLinks) -> nodes.entry:
    paragraph = nodes.paragraph()
    if cell.dangling:
        paragraph += nodes.inline(cell.text, cell.text, classes=["kp-dangling-ref"])
        paragraph += nodes.emphasis(f" ({DANGLING_TEXT})", f" ({DANGLING_TEXT})", classes=["kp-dangling"])
    elif cell.target:
        paragraph += links.to(cell.target, cell.text)
    elif cell.chips:
        paragraph.extend(chip_nodes(index, COLUMNS[column].chip_field, cell.chips, links))
    else:
        paragraph += nodes.Text(cell.text)
    return nodes.entry("", paragraph, classes=[f"kp-col-{column}"])


def render_table(index: Kader, model: TableModel, links: DocLinks, classes: list[str]) -> nodes.table:
    table = nodes.table(classes=["kp-table", f"kp-{model.kind.plural}", *classes])
    group = nodes.tgroup(cols=len(model.columns))
    table += group
    for column in model.columns:
        group += nodes.colspec(colwidth=COLUMNS[column].width)
    head_row = nodes.row()
    for column, header in zip(model.columns, model.headers, strict=True):
        head_row += nodes.entry("", nodes.paragraph(header, header), classes=[f"kp-col-{column}"])
    group += nodes.thead("", head_row)
    body = nodes.tbody()
    for row in model.rows:
        row_node = nodes.row(classes=["kp-row"] + (["kp-row-dangling"] if row.page is None else []))
        for column, cell in zip(model.columns, row.cells, strict=True):
            row_node += _entry(index, cell, column, links)
        body += row_node
    group += body
    return table


# -- data islands for the HTML filter layer ---------------------------------------------


def json_island(css_class: str, data: Any) -> nodes.raw:
    """Inert JSON in ``<script type="application/json">``; ``<``, ``>`` and ``&`` escaped so no text can end it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return nodes.raw("", f'<script type="application/json" class="{css_class}">{text}</script>', format="html")


def table_data(index: Kader, model: TableModel) -> dict[str, Any]:
    """What the filter layer needs beyond the table itself: which columns filter, and orders that are not alphabetical."""
    phases = [value_label(index, "levenscyclus", phase.stem) for phase in index.phases]
    return {
        "plural": model.kind.plural,
        "filterable": [column for column in model.columns if COLUMNS[column].filterable],
        "order": {"levenscyclus": phases} if "levenscyclus" in model.columns else {},
    }


def parsed_exceptions(page: Page) -> list[Expression]:
    parsed = []
    for entry in page.values("uitzondering"):
        try:
            parsed.append(parse_label_expression(entry))
        except ValueError:
            continue  # reported once by the checks (meta.uitzondering)
    return parsed


def profile_data(index: Kader, model: TableModel) -> dict[str, Any]:
    """The AI-verordening profile questions and, per row, its labels and parsed ``uitzondering`` expressions."""
    questions = []
    for field_name, question in PROFILE_QUESTIONS.items():
        values = index.vocabulary.values(field_name) or {}
        choices = [[value, label] for value, label in values.items() if value not in SILENT_LABELS]
        if choices:
            questions.append({"field": field_name, "label": question, "choices": choices})
    rows = []
    for row in model.rows:
        page = row.page
        labels = {key: list(page.values(key)) for key in AI_ACT_FIELDS if page and page.values(key)}
        rows.append({"labels": labels, "uitzondering": parsed_exceptions(page) if page else []})
    return {"questions": questions, "notAsked": PROFILE_NOT_ASKED, "rows": rows}


# -- tags ------------------------------------------------------------------------------------


def render_tags(index: Kader, page: Page, spec: TagsSpec, links: DocLinks, anchor: nodes.Node) -> list[nodes.Node]:
    if spec.ai_act:
        return render_ai_act_tags(index, page, links, anchor)
    paragraph = nodes.paragraph(classes=["kp-tags"])
    if page.record_id:
        paragraph += nodes.inline(page.short_id, page.short_id, classes=["kp-chip", "kp-chip-id"])
    for field_name in ("levenscyclus", "rollen", "onderwerp"):
        chips = tuple((v, value_label(index, field_name, v)) for v in ordered_values(index, page, field_name))
        if chips:
            if len(paragraph):
                paragraph += nodes.inline(" · ", " · ", classes=["kp-sep"])
            paragraph.extend(chip_nodes(index, field_name, chips, links))
    return [paragraph] if len(paragraph) else []


AI_ACT_INTRO = "Deze vereiste geldt voor deze toepassingen van de AI-verordening:"
NOT_AI_ACT = (
    "Deze vereiste komt niet uit de AI-verordening. Ze geldt waarschijnlijk voor elk algoritme of AI-systeem dat je inzet. Lees bij de ",
    "bronnen",
    " wanneer ze precies van toepassing is.",
)
BRONNEN_TITLE = "bronnen"


def bronnen_section(anchor: nodes.Node) -> nodes.section | None:
    """The page's section titled Bronnen; in a book of many pages, the one of the anchor's page."""
    scope = anchor
    while scope.parent is not None and not isinstance(scope, addnodes.start_of_file):
        scope = scope.parent
    for section in scope.findall(nodes.section):
        title = section.next_node(nodes.title)
        if title is not None and title.astext().strip().lower() == BRONNEN_TITLE and section["ids"]:
            return section
    return None


def not_ai_act_sentence(anchor: nodes.Node) -> nodes.paragraph:
    before, link_text, after = NOT_AI_ACT
    paragraph = nodes.paragraph(classes=["kp-not-ai-act"])
    paragraph += nodes.Text(before)
    section = bronnen_section(anchor)
    if section is not None:
        paragraph += nodes.reference(link_text, link_text, refid=section["ids"][0], internal=True)
    else:
        paragraph += nodes.Text(f"{link_text} op deze pagina")
    paragraph += nodes.Text(after)
    return paragraph


def render_ai_act_tags(index: Kader, page: Page, links: DocLinks, anchor: nodes.Node) -> list[nodes.Node]:
    if page.kind is PageKind.VEREISTE and page.law_code != "aia":
        return [not_ai_act_sentence(anchor)]
    result: list[nodes.Node] = [nodes.paragraph(AI_ACT_INTRO, AI_ACT_INTRO)]
    items = nodes.bullet_list(classes=["kp-ai-act-labels"])
    for field_name in AI_ACT_FIELDS:
        values = [v for v in page.values(field_name) if v not in SILENT_LABELS]
        if not values:
            continue
        heading = PROFILE_QUESTIONS.get(field_name) or value_label(index, "", field_name)
        item = nodes.paragraph()
        item += nodes.strong(f"{heading}: ", f"{heading}: ")
        chips = tuple((v, value_label(index, field_name, v)) for v in values)
        item.extend(chip_nodes(index, field_name, chips, links))
        items += nodes.list_item("", item)
    if len(items):
        result.append(items)
    return result


# -- the post-transform ----------------------------------------------------------------------


class ResolveKaderNodes(SphinxPostTransform):
    """Placeholders → tables and chips, for builders that resolve the links themselves:
    before references are resolved (priority 10)."""

    default_priority = 5

    def is_supported(self) -> bool:
        return not writes_html(self.env)

    def links(self, docname: str) -> DocLinks:
        return DocLinks(docname)

    def run(self, **kwargs: object) -> None:
        index = kader(self.env)
        is_html = writes_html(self.env)
        for position, node in enumerate(list(self.document.findall(kader_list))):
            page = index.pages.get(node["docname"])
            node.replace_self(self.render_list(index, page, node["spec"], position, is_html) if page else [])
        for node in list(self.document.findall(kader_tags)):
            page = index.pages.get(node["docname"])
            node.replace_self(render_tags(index, page, node["spec"], self.links(node["docname"]), node) if page else [])

    def render_list(self, index: Kader, page: Page, spec: ListSpec, position: int, is_html: bool) -> list[nodes.Node]:
        model = table_model(index, page, spec)
        ids = [f"kp-lijst-{position + 1}"]
        if not model.rows:
            text = EMPTY_TEXT.format(plural=spec.kind.record.plural)
            empty = nodes.paragraph(text, text, classes=["kp-empty"])
            return [nodes.container("", empty, classes=["kp-list", "kp-list-empty"], ids=ids) if is_html else empty]
        interactive = spec.search and not spec.kind.own_field
        export = spec.export or page.meta.get("allow_excel_export") is True
        flags = (["kp-search"] if interactive else []) + (["kp-export"] if export else [])
        if not is_html:
            # Print lays the columns out by the widths of the colspecs (on the web the browser does).
            return [render_table(index, model, self.links(page.docname), [*flags, "colwidths-given"])]
        table = render_table(index, model, self.links(page.docname), flags)
        profile = interactive and spec.kind.record is PageKind.VEREISTE
        container = nodes.container(classes=["kp-list", *flags, *(["kp-profile"] if profile else [])], ids=ids)
        container += table
        if interactive:
            container += json_island("kp-table-data", table_data(index, model))
        if profile:
            container += json_island("kp-profile-data", profile_data(index, model))
        self.env.events.emit("kaderpers-table-rendered", page, spec, model, container, position)
        return [container]


class ResolveKaderNodesOnTheWeb(ResolveKaderNodes):
    """The same on the web, where the links are resolved at once: last of all post-transforms,
    so none of the others walks the tables (on the upstream tree, 2,500 rows)."""

    default_priority = 990
    formats = ("html",)

    def is_supported(self) -> bool:
        return SphinxPostTransform.is_supported(self)

    def links(self, docname: str) -> DocLinks:
        return DocLinks(docname, builder_of(self.env))


def setup(app: Sphinx) -> None:
    """The ``kaderpers-table-rendered`` event and the post-transforms that turn kader nodes into tables."""
    app.add_event("kaderpers-table-rendered")
    app.add_post_transform(ResolveKaderNodes)
    app.add_post_transform(ResolveKaderNodesOnTheWeb)
