"""Exports written at build time, for the HTML site.

* Each overview table (``export`` flag, or page front matter
  ``allow_excel_export: true``) as CSV, XLSX and ODS, made with tablib, in
  ``OUT/html/_exports/``; the table gets download links (docutils references).
* ``OUT/html/kader.json``: every record with its type, id, title, URL, front
  matter and relations in both directions, plus the taxonomy pages.

Both read the same content model the tables use, so an export always matches
the page it is linked from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tablib
from docutils import nodes
from sphinx.util import logging
from sphinx.util.osutil import relative_uri
from sphinx.util.parallel import ParallelTasks, SerialTasks, parallel_available

from ..core.model import RECORD_KINDS, TAXONOMY_FIELDS, Kader, Page
from ..sphinxext.config import get_config
from ..sphinxext.domain import kader, kader_domain
from ..sphinxext.history import history_summary, page_history
from ..version import __version__

if TYPE_CHECKING:
    from sphinx.application import Sphinx

    from ..core.grammar import ListSpec
    from ..sphinxext.tables import TableModel

logger = logging.getLogger(__name__)

EXPORT_FOLDER = "_exports"
FORMATS = {"csv": "CSV", "xlsx": "Excel (XLSX)", "ods": "OpenDocument (ODS)"}
KADER_JSON = "kader.json"
URL_HEADER = "URL"
#: Spreadsheet programs run cell text starting with these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Cell text that a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def page_url(app: Sphinx, docname: str) -> str:
    """A page's address: absolute when ``html_baseurl`` is set, else relative to the site root."""
    target = app.builder.get_target_uri(docname)
    base = app.config.html_baseurl
    return f"{base.rstrip('/')}/{target}" if base else target


def export_name(docname: str, position: int) -> str:
    return f"{docname.replace('/', '-')}-{position + 1}"


def dataset(app: Sphinx, model: TableModel) -> tablib.Dataset:
    data = tablib.Dataset(headers=[*model.headers, URL_HEADER], title=model.kind.plural.capitalize()[:31])
    for row, texts in zip(model.rows, model.text_rows(), strict=True):
        url = page_url(app, row.page.docname) if row.page else ""
        data.append([neutralise(text) for text in texts] + [url])
    return data


@dataclass(frozen=True)
class TableExport:
    """One table's rows, to be written as CSV, XLSX and ODS as ``folder/name.<format>``."""

    folder: Path
    name: str
    data: tablib.Dataset

    def is_current(self) -> bool:
        """Whether the files a previous build wrote hold these rows already (the CSV decides: the
        spreadsheets are written from the same rows), so a page made on every build need not write them."""
        try:
            written = (self.folder / f"{self.name}.csv").read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return False
        return written == self.data.export("csv") and all((self.folder / f"{self.name}.{extension}").is_file() for extension in FORMATS)

    def write(self) -> None:
        """Run in a background process (:func:`export_tasks`); its warnings reach the build log."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for extension in FORMATS:
                path = self.folder / f"{self.name}.{extension}"
                content = self.data.export(extension)
                if isinstance(content, str):
                    path.write_text(content, encoding="utf-8-sig", newline="")  # with BOM: spreadsheet programs read UTF-8
                else:
                    path.write_bytes(content)
        except OSError as error:
            # subtype "write": the build fails on it and publishes nothing (kaderpers.cli.build.WriteWarnings)
            logger.warning("could not write the exports of a table: %s", error, type="kaderpers", subtype="write")


def export_tasks(app: Sphinx) -> ParallelTasks | SerialTasks:
    """Where the spreadsheets are written: in a forked process beside the page writing, since
    loading the XLSX and ODS writers alone takes ~0.2 s that a small rebuild would wait for.
    Joined when the build finishes."""
    domain = kader_domain(app.env)
    if domain.export_tasks is None:
        return domain.start_export_tasks(ParallelTasks(1) if parallel_available else SerialTasks())
    return domain.export_tasks


def download_links(app: Sphinx, fromdoc: str, name: str) -> nodes.paragraph:
    page_uri = app.builder.get_target_uri(fromdoc)
    paragraph = nodes.paragraph(classes=["kp-downloads"])
    paragraph += nodes.Text("Download deze tabel: ")
    for position, (extension, label) in enumerate(FORMATS.items()):
        if position:
            paragraph += nodes.Text(" · ")
        uri = relative_uri(page_uri, f"{EXPORT_FOLDER}/{name}.{extension}")
        paragraph += nodes.reference(label, label, refuri=uri, classes=["kp-download", f"kp-download-{extension}"])
    return paragraph


def on_table_rendered(app: Sphinx, page: Page, spec: ListSpec, model: TableModel, container: nodes.container, position: int) -> None:
    if "kp-export" not in container["classes"]:
        return
    name = export_name(page.docname, position)
    export = TableExport(Path(app.builder.outdir, EXPORT_FOLDER), name, dataset(app, model))
    export_tasks(app).add_task(TableExport.write, export)
    container.insert(0, download_links(app, app.env.docname, name))


def finish_exports(app: Sphinx, exception: BaseException | None) -> None:
    tasks = kader_domain(app.env).take_export_tasks()
    if tasks is not None:
        tasks.join()


# -- kader.json ------------------------------------------------------------------------------


def _stems(pages: list[Page]) -> list[str]:
    return [page.stem for page in pages]


def record_entry(app: Sphinx, index: Kader, page: Page) -> dict[str, Any]:
    entry = {
        "type": page.kind.value,
        "id": page.record_id or None,
        "stem": page.stem,
        "title": page.title,
        "url": page_url(app, page.docname),
        "source": page.path,
        "front_matter": page.meta,
        "relations": {kind.plural: _stems(index.related(page, kind)) for kind in RECORD_KINDS if kind is not page.kind},
        "dangling": [{"field": key, "stem": stem} for key, stem in index.dangling(page)],
    }
    if get_config(app).release_name:  # a release of a site of several: what each release did to the record
        entry["history"] = history_summary(page_history(app, page.docname))
    return entry


def kader_document(app: Sphinx, index: Kader) -> dict[str, Any]:
    records = [record_entry(app, index, page) for kind in RECORD_KINDS for page in index.of_kind(kind)]
    taxonomies = {
        field_name: [{"stem": stem, "title": page.title, "url": page_url(app, page.docname)} for stem, page in index.taxonomy(field_name).items()]
        for field_name in TAXONOMY_FIELDS
    }
    counts = {kind.plural: len(index.of_kind(kind)) for kind in RECORD_KINDS}
    return {"generator": f"kaderpers {__version__}", "counts": counts, "records": records, "taxonomies": taxonomies}


def on_build_finished(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    document = kader_document(app, kader(app.env))
    path = Path(app.builder.outdir, KADER_JSON)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


def setup(app: Sphinx) -> None:
    """Spreadsheet exports of the tables marked for export, written beside the page writing and joined at the end."""
    app.connect("kaderpers-table-rendered", on_table_rendered)
    app.connect("build-finished", finish_exports, priority=100)
    app.connect("build-finished", on_build_finished)
