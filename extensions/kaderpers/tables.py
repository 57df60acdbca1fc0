"""Table rendering: placeholder nodes → docutils tables, chips and cross-references.

:class:`ResolveKaderNodes` runs as a post-transform before Sphinx resolves
references, so the titles and chips it emits as ``pending_xref`` nodes are
resolved by each builder: links on the web, internal links in the PDF, plain
text where a handout leaves the target out.

The content of a table is first computed as a :class:`TableModel` (plain text
cells), which the exports reuse, and then rendered as nodes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from .collector import kader, rows_for
from .grammar import ListSpec, TagsSpec
from .model import AI_ACT_FIELDS, TAXONOMY_FIELDS, Kader, Page, PageKind
from .nodes import kader_list, kader_tags

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: Column → header text. The title column is named after the kind of record.
HEADERS = {
    "id": "ID",
    "wetcode": "Wetgeving",
    "rol": "Rollen",
    "levenscyclus": "Levenscyclus",
    "onderwerp": "Onderwerpen",
    "categorie": "Categorie",
}
TITLE_HEADERS = {PageKind.VEREISTE: "Vereiste", PageKind.MAATREGEL: "Maatregel", PageKind.HULPMIDDEL: "Hulpmiddel"}
#: Column → the front-matter field whose values become chips.
CHIP_FIELDS = {"rol": "rollen", "levenscyclus": "levenscyclus", "onderwerp": "onderwerp", "categorie": "categorie"}
DEFAULT_COLUMNS = {
    PageKind.VEREISTE: ("id", "title", "wetcode", "rol", "levenscyclus", "onderwerp"),
    PageKind.MAATREGEL: ("id", "title", "rol", "levenscyclus", "onderwerp"),
    PageKind.HULPMIDDEL: ("title", "categorie", "rol", "levenscyclus", "onderwerp"),
}
OWN_PAGE_COLUMNS = ("id", "title")
COLUMN_ORDER = ("id", "title", "wetcode", "categorie", "rol", "levenscyclus", "onderwerp")
COLUMN_WIDTHS = {"id": 10, "title": 40, "wetcode": 16, "categorie": 14, "rol": 14, "levenscyclus": 18, "onderwerp": 18}
EMPTY_TEXT = "Geen {plural} beschikbaar."
DANGLING_TEXT = "ontbreekt"
#: Label values that say nothing about the reader's situation; left out of chips.
SILENT_LABELS = frozenset({"niet-van-toepassing"})


def columns_for(spec: ListSpec) -> list[str]:
    base = OWN_PAGE_COLUMNS if spec.kind.own_field else DEFAULT_COLUMNS[spec.kind.record]
    shown = (set(base) | spec.added) - spec.hidden
    if spec.kind.record is not PageKind.VEREISTE:
        shown.discard("wetcode")
    return [column for column in COLUMN_ORDER if column in shown]


def value_label(index: Kader, field_name: str, value: str) -> str:
    """The text of a chip: vocabulary label, or the value made readable."""
    if field_name not in TAXONOMY_FIELDS:
        label = index.vocabulary.label(field_name, value)
        if label != value:
            return label
    text = value.replace("-", " ").strip()
    return text[:1].upper() + text[1:]


def ordered_values(index: Kader, page: Page, field_name: str) -> list[str]:
    values = list(page.values(field_name))
    if field_name == "levenscyclus":
        values.sort(key=index.phase_order)
    return values


# -- the table model: plain text, for rendering and exports --------------------------


@dataclass
class Cell:
    text: str
    #: For title cells: the record's docname; for chip cells: (field, values).
    target: str | None = None
    chips: tuple[tuple[str, str], ...] = ()
    dangling: bool = False


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


def _cell(index: Kader, page: Page, column: str) -> Cell:
    if column == "id":
        return Cell(page.short_id if page.record_id else page.stem)
    if column == "title":
        return Cell(page.title, target=page.docname)
    if column == "wetcode":
        return Cell(index.law_name(page))
    field_name = CHIP_FIELDS[column]
    values = ordered_values(index, page, field_name)
    chips = tuple((value, value_label(index, field_name, value)) for value in values)
    return Cell("; ".join(label for _, label in chips), chips=chips)


def table_model(index: Kader, page: Page, spec: ListSpec) -> TableModel:
    """The rows and cells a list directive on ``page`` shows."""
    columns = columns_for(spec)
    headers = [TITLE_HEADERS[spec.kind.record] if c == "title" else HEADERS[c] for c in columns]
    model = TableModel(spec.kind.record, columns, headers)
    for record in rows_for(index, page, spec):
        model.rows.append(Row(record, [_cell(index, record, column) for column in columns]))
    if spec.kind.own_field:
        for field_name, stem in index.dangling(page):
            if field_name == spec.kind.own_field:
                cells = [Cell(stem, dangling=True) if c == "title" else Cell("") for c in columns]
                model.rows.append(Row(None, cells))
    return model


# -- rendering as docutils nodes -------------------------------------------------------


def doc_xref(docname: str, text: str, refdoc: str, classes: list[str] | None = None) -> addnodes.pending_xref:
    """A link to a document that every builder resolves in its own way."""
    xref = addnodes.pending_xref(
        "", refdomain="std", reftype="doc", reftarget="/" + docname, refexplicit=True, refwarn=False, refdoc=refdoc
    )
    xref += nodes.inline(text, text, classes=classes or [])
    return xref


def chip_nodes(index: Kader, field_name: str, chips: tuple[tuple[str, str], ...], refdoc: str) -> list[nodes.Node]:
    """Chips linking to their taxonomy page, separated by text that only print shows."""
    result: list[nodes.Node] = []
    taxonomy = index.taxonomy(field_name) if field_name in TAXONOMY_FIELDS else {}
    classes = ["kp-chip", f"kp-chip-{field_name}"]
    for position, (value, label) in enumerate(chips):
        if position:
            result.append(nodes.inline(", ", ", ", classes=["kp-sep"]))
        target = taxonomy.get(value)
        if target is not None:
            result.append(doc_xref(target.docname, label, refdoc, classes))
        else:
            result.append(nodes.inline(label, label, classes=classes))
    return result


def _entry(index: Kader, cell: Cell, column: str, refdoc: str) -> nodes.entry:
    paragraph = nodes.paragraph()
    if cell.dangling:
        paragraph += nodes.literal(cell.text, cell.text)
        paragraph += nodes.inline(f" ({DANGLING_TEXT})", f" ({DANGLING_TEXT})", classes=["kp-dangling"])
    elif cell.target:
        paragraph += doc_xref(cell.target, cell.text, refdoc)
    elif cell.chips:
        paragraph.extend(chip_nodes(index, CHIP_FIELDS[column], cell.chips, refdoc))
    else:
        paragraph += nodes.Text(cell.text)
    return nodes.entry("", paragraph, classes=[f"kp-col-{column}"])


def render_table(index: Kader, model: TableModel, refdoc: str, classes: list[str]) -> nodes.table:
    table = nodes.table(classes=["kp-table", f"kp-{model.kind.plural}", *classes])
    group = nodes.tgroup(cols=len(model.columns))
    table += group
    for column in model.columns:
        group += nodes.colspec(colwidth=COLUMN_WIDTHS[column])
    head_row = nodes.row()
    for column, header in zip(model.columns, model.headers, strict=True):
        head_row += nodes.entry("", nodes.paragraph(header, header), classes=[f"kp-col-{column}"])
    group += nodes.thead("", head_row)
    body = nodes.tbody()
    for row in model.rows:
        row_node = nodes.row(classes=["kp-row"] + (["kp-row-dangling"] if row.page is None else []))
        for column, cell in zip(model.columns, row.cells, strict=True):
            row_node += _entry(index, cell, column, refdoc)
        body += row_node
    group += body
    return table


def profile_data(model: TableModel) -> str:
    """AI-verordening labels of each row, for the HTML profile filter (a JSON data island)."""
    data = []
    for row in model.rows:
        page = row.page
        labels: dict[str, Any] = {key: list(page.values(key)) for key in AI_ACT_FIELDS} if page else {}
        labels["uitzondering"] = list(page.values("uitzondering")) if page else []
        data.append(labels)
    text = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/json" class="kp-profile-data">{text}</script>'


# -- tags ------------------------------------------------------------------------------------


def render_tags(index: Kader, page: Page, spec: TagsSpec, refdoc: str) -> list[nodes.Node]:
    if spec.ai_act:
        return render_ai_act_tags(index, page, refdoc)
    paragraph = nodes.paragraph(classes=["kp-tags"])
    if page.record_id:
        paragraph += nodes.inline(page.short_id, page.short_id, classes=["kp-chip", "kp-chip-id"])
    for field_name in ("levenscyclus", "rollen", "onderwerp"):
        chips = tuple((v, value_label(index, field_name, v)) for v in ordered_values(index, page, field_name))
        if chips:
            if len(paragraph):
                paragraph += nodes.inline(" · ", " · ", classes=["kp-sep"])
            paragraph.extend(chip_nodes(index, field_name, chips, refdoc))
    return [paragraph] if len(paragraph) else []


AI_ACT_INTRO = "Deze vereiste geldt voor deze toepassingen van de AI-verordening:"
NOT_AI_ACT = (
    "Deze vereiste komt niet uit de AI-verordening. Ze geldt waarschijnlijk voor elk algoritme of "
    "AI-systeem dat je inzet. Lees bij de bronnen op deze pagina wanneer ze precies van toepassing is."
)


def render_ai_act_tags(index: Kader, page: Page, refdoc: str) -> list[nodes.Node]:
    if page.law_code != "aia":
        return [nodes.paragraph(NOT_AI_ACT, NOT_AI_ACT, classes=["kp-not-ai-act"])]
    result: list[nodes.Node] = [nodes.paragraph(AI_ACT_INTRO, AI_ACT_INTRO)]
    items = nodes.bullet_list(classes=["kp-ai-act-labels"])
    for field_name in AI_ACT_FIELDS:
        values = [v for v in page.values(field_name) if v not in SILENT_LABELS]
        if not values:
            continue
        heading = value_label(index, "", field_name)
        item = nodes.paragraph()
        item += nodes.strong(f"{heading}: ", f"{heading}: ")
        chips = tuple((v, value_label(index, field_name, v)) for v in values)
        item.extend(chip_nodes(index, field_name, chips, refdoc))
        items += nodes.list_item("", item)
    if len(items):
        result.append(items)
    return result


# -- the post-transform ----------------------------------------------------------------------


class ResolveKaderNodes(SphinxPostTransform):
    """Placeholders → tables and chips, before references are resolved (priority 10)."""

    default_priority = 5

    def run(self, **kwargs: object) -> None:
        index = kader(self.env)
        is_html = self.app.builder.format == "html"
        for position, node in enumerate(list(self.document.findall(kader_list))):
            page = index.pages.get(node["docname"])
            if page is None:
                node.replace_self([])
                continue
            node.replace_self(self.render_list(index, page, node["spec"], position, is_html))
        for node in list(self.document.findall(kader_tags)):
            page = index.pages.get(node["docname"])
            node.replace_self(render_tags(index, page, node["spec"], node["docname"]) if page else [])

    def render_list(self, index: Kader, page: Page, spec: ListSpec, position: int, is_html: bool) -> list[nodes.Node]:
        model = table_model(index, page, spec)
        if not model.rows:
            text = EMPTY_TEXT.format(plural=spec.kind.record.plural)
            return [nodes.paragraph(text, text, classes=["kp-empty"])]
        export = spec.export or page.meta.get("allow_excel_export") is True
        flags = (["kp-search"] if spec.search and not spec.kind.own_field else []) + (["kp-export"] if export else [])
        table = render_table(index, model, page.docname, flags)
        if not is_html:
            return [table]
        container = nodes.container(classes=["kp-list", *flags], ids=[f"kp-lijst-{position + 1}"])
        container += table
        if spec.kind.record is PageKind.VEREISTE and not spec.kind.own_field:
            container += nodes.raw("", profile_data(model), format="html")
        self.app.emit("kaderpers-table-rendered", page, spec, model, container, position)
        return [container]


def setup(app: Sphinx) -> None:
    app.add_event("kaderpers-table-rendered")
    app.add_post_transform(ResolveKaderNodes)
