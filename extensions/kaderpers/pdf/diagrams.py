"""Mermaid diagrams drawn for print as vector graphics: mermaid (from the npm cache) in headless Chromium.

The diagram's source goes into a local page that loads the installed
``mermaid.min.js`` (no network: Chromium is started with background networking
off and a fresh profile) and renders it to SVG, labels as SVG text (no HTML
labels); the page then measures the SVG's size and its smallest label, writes
the measurements in its title, and becomes a page holding only that SVG, sized
to it. Chromium prints that page to a one-page PDF (its title in the PDF's
metadata), which rinohtype places as vector graphics: the labels stay sharp and
selectable. One Chromium start per drawing: measuring in one and printing in a
second took twice the time. The drawing and its measurements are cached under
a hash of the source, the mermaid version and :data:`RENDER_VERSION`.

For print a diagram is laid out so that its labels are at least
:data:`MIN_TEXT_PT`: at its natural size (a CSS pixel is 0.75 pt) when that fits
the text block, else scaled down to fit. A flowchart whose labels would then fall
under 7 pt (a wide one, left to right or with subgraphs laid out across) is drawn
top to bottom, subgraphs included, when that gives larger text; a diagram that
reaches 7 pt neither way prints at the size that fits, and the caller warns. Runs of ``&nbsp;`` padding in labels (a trick to widen a
subgraph on the site) are collapsed to one space.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import pikepdf

from .images import ImageConversionError, chromium, chromium_arguments

#: Bump when the rendering changes, so old cache entries are not reused.
RENDER_VERSION = "3"
TIMEOUT_SECONDS = 60
#: The smallest label text a printed diagram should have (points).
MIN_TEXT_PT = 7.0
#: A CSS pixel (an SVG user unit of mermaid's drawing) in points.
PT_PER_PX = 0.75
_CONFIG = {"startOnLoad": False, "securityLevel": "strict", "htmlLabels": False, "flowchart": {"htmlLabels": False}, "theme": "default"}
#: ``&nbsp`` runs with the blanks around them: one space in print.
_NBSP_RUN = re.compile(r"[ \t]*(?:&nbsp;?[ \t]*)+")
#: A flowchart's first line and its direction, and its subgraphs' own directions, which print may turn.
_FLOWCHART = re.compile(r"^(\s*(?:graph|flowchart))\b[ \t]*(?:(?:LR|RL|TB|TD|BT)\b)?", re.M)
_SUBGRAPH = re.compile(r"^([ \t]*subgraph\b.*)$", re.M)
_DIRECTION = re.compile(r"^[ \t]*direction[ \t]+(?:LR|RL|TB|TD|BT)[ \t]*;?[ \t]*$\n?", re.M)
_ACCESSIBLE = re.compile(r"^\s*acc(Title|Descr)\s*:\s*(.+)$", re.M)
_ACCESSIBLE_BLOCK = re.compile(r"^\s*accDescr\s*\{(.*?)\}", re.M | re.S)
#: Lines that say how the diagram looks or links, not what it shows.
_PRESENTATION = re.compile(r"^\s*(click|style|classDef|class|linkStyle|%%)\b.*$", re.M)
#: Measures the rendered SVG in the page (its viewBox and the smallest font size of a label, in user units)
#: into the page's title, then leaves the page holding only the SVG, on a page of its size, for printing.
_MEASURE_AND_KEEP_THE_SVG = (
    "var holder = document.createElement('div'); holder.innerHTML = r.svg; document.body.appendChild(holder);"
    "var svg = holder.querySelector('svg'); var box = svg.viewBox.baseVal;"
    "var sizes = Array.prototype.filter.call(svg.querySelectorAll('text'), function (t) { return t.textContent.trim(); })"
    ".map(function (t) { return parseFloat(getComputedStyle(t).fontSize); }).filter(function (s) { return s > 0; });"
    "document.title = JSON.stringify({width: box.width, height: box.height, font: sizes.length ? Math.min.apply(null, sizes) : 0});"
    "if (!(box.width > 0 && box.height > 0)) { return; }"
    "var size = box.width.toFixed(3) + 'px ' + box.height.toFixed(3) + 'px';"
    "var style = document.createElement('style');"
    "style.textContent = '@page{size:' + size + ';margin:0}html,body{margin:0;padding:0;background:#fff}'"
    " + 'svg{display:block;width:' + box.width.toFixed(3) + 'px!important;height:' + box.height.toFixed(3) + 'px!important;max-width:none!important}';"
    "document.head.appendChild(style); document.body.innerHTML = r.svg;"
)


@dataclass(frozen=True)
class DrawnDiagram:
    """A diagram as a one-page vector PDF, at its natural size."""

    path: Path
    width_pt: float
    height_pt: float
    #: The smallest label at natural size (0: the diagram has no text).
    text_pt: float


@dataclass(frozen=True)
class PrintedDiagram:
    """How a diagram prints: its drawing, the width it gets, its smallest label at that width."""

    drawing: DrawnDiagram
    width_pt: float
    text_pt: float
    #: Drawn top to bottom although its source says left to right.
    turned: bool

    @property
    def readable(self) -> bool:
        return not self.drawing.text_pt or self.text_pt >= MIN_TEXT_PT - 0.05


@functools.cache
def mermaid_version(script: Path) -> str:
    """A fingerprint of the mermaid script: a new mermaid draws the diagrams anew."""
    return hashlib.sha256(script.read_bytes()).hexdigest()[:16]


def collapse_padding(code: str) -> str:
    """Runs of ``&nbsp;`` (with the blanks around them) as one space: SVG text would show entities as written."""
    return _NBSP_RUN.sub(" ", code)


def top_to_bottom(code: str) -> str | None:
    """The flowchart drawn top to bottom, its subgraphs too (mermaid lays a subgraph out
    across its parent's direction unless told otherwise), or None when it is no flowchart."""
    statements = [line for line in code.splitlines() if line.strip() and not line.strip().startswith("%%")]
    if not statements or not _FLOWCHART.match(statements[0]):
        return None
    turned = _FLOWCHART.sub(r"\1 TB", _DIRECTION.sub("", code), count=1)
    turned = _SUBGRAPH.sub("\\1\n direction TB", turned)
    return turned if turned != code else None


def diagram_for_print(code: str, script: Path, cache: Path, width_pt: float, height_pt: float) -> PrintedDiagram:
    """The diagram laid out for a text block of ``width_pt`` × ``height_pt``, drawn now or from the cache."""
    code = collapse_padding(code)
    printed = _fit(draw(code, script, cache), width_pt, height_pt, turned=False)
    if not printed.readable and (turned := top_to_bottom(code)) is not None:
        other = _fit(draw(turned, script, cache), width_pt, height_pt, turned=True)
        if other.text_pt > printed.text_pt:
            printed = other
    return printed


def _fit(drawing: DrawnDiagram, width_pt: float, height_pt: float, turned: bool) -> PrintedDiagram:
    scale = min(1.0, width_pt / drawing.width_pt, height_pt / drawing.height_pt)
    return PrintedDiagram(drawing, drawing.width_pt * scale, drawing.text_pt * scale, turned)


def draw(code: str, script: Path, cache: Path) -> DrawnDiagram:
    """The diagram as a one-page PDF at its natural size, from the cache or drawn now."""
    key = "mermaid-" + hashlib.sha256(f"{RENDER_VERSION}\0{mermaid_version(script)}\0{code}".encode()).hexdigest()[:32]
    target, facts = cache / f"{key}.pdf", cache / f"{key}.json"
    if target.exists() and facts.exists():
        try:
            return DrawnDiagram(target, **{k: v for k, v in json.loads(facts.read_text("utf-8")).items() if k != "path"})
        except (ValueError, TypeError):
            pass  # a broken entry: draw it again
    browser = chromium()
    if browser is None:
        raise ImageConversionError("no Chromium is installed to draw mermaid diagrams (install chromium)")
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        printed, measured = _draw_in_chromium(code, script, browser, Path(folder))
        drawing = _keep_as_figure(printed, target)
    result = DrawnDiagram(target, drawing[0], drawing[1], float(measured["font"]) * drawing[0] / measured["width"])
    _write_atomically(facts, json.dumps({k: v for k, v in asdict(result).items() if k != "path"}).encode())
    return result


def _run(arguments: list[str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(arguments, capture_output=True, timeout=TIMEOUT_SECONDS, check=False, text=True)
    except subprocess.TimeoutExpired as error:
        raise ImageConversionError(f"Chromium took over {TIMEOUT_SECONDS} s to draw a mermaid diagram") from error


def _draw_in_chromium(code: str, script: Path, browser: str, folder: Path) -> tuple[Path, dict]:
    """The diagram rendered by mermaid in a local page and printed to PDF, in one Chromium start: the
    PDF (a page the size of the SVG) and the measurements the page left in its title (width, height,
    smallest label)."""
    page = folder / "diagram.html"
    source = json.dumps(code).replace("</", "<\\/")
    page.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
        f'<script src="{script.resolve().as_uri()}"></script><script>'
        f"mermaid.initialize({json.dumps(_CONFIG)});"
        f"mermaid.render('kaderpers-diagram', {source})"
        f".then(function (r) {{ {_MEASURE_AND_KEEP_THE_SVG} }})"
        ".catch(function (e) { document.title = 'ERROR ' + e; });"
        "</script></body></html>",
        encoding="utf-8",
    )
    output = folder / "diagram.pdf"
    arguments = [*chromium_arguments(browser, folder / "profile"), "--virtual-time-budget=20000", "--no-pdf-header-footer", f"--print-to-pdf={output}"]
    result = _run([*arguments, page.as_uri()])
    if not output.exists():
        reason = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise ImageConversionError(f"Chromium could not draw a mermaid diagram: {reason}")
    with pikepdf.open(output) as pdf:
        title = str(pdf.docinfo.get("/Title", ""))
    if title.startswith("ERROR"):
        raise ImageConversionError(f"mermaid could not draw the diagram: {title[6:].strip()}")
    try:
        measured = json.loads(title)
    except ValueError:
        raise ImageConversionError("mermaid drew nothing (its page gave no measurements)") from None
    if not isinstance(measured, dict) or not (measured.get("width", 0) > 0 and measured.get("height", 0) > 0):
        raise ImageConversionError("mermaid drew an empty diagram")
    return output, measured


def _keep_as_figure(printed: Path, target: Path) -> tuple[float, float]:
    """Chromium's PDF as the content of a figure: its first page only, without its own tags
    (the edition's Figure element holds it), written beside ``target`` and renamed. Its size in points."""
    with pikepdf.open(printed) as pdf:
        while len(pdf.pages) > 1:
            del pdf.pages[-1]
        page = pdf.pages[0]
        for key in ("/StructTreeRoot", "/MarkInfo", "/Outlines"):
            if key in pdf.Root:
                del pdf.Root[key]
        if "/Title" in pdf.docinfo:  # the measurements, kept beside the drawing
            del pdf.docinfo["/Title"]
        if "/StructParents" in page.obj:
            del page.obj["/StructParents"]
        kept = [(operands, operator) for operands, operator in pikepdf.parse_content_stream(page) if str(operator) not in ("BDC", "BMC", "EMC", "MP", "DP")]
        page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(kept))
        box = [float(value) for value in page.MediaBox]
        data = _saved(pdf)
    _write_atomically(target, data)
    return box[2] - box[0], box[3] - box[1]


def _saved(pdf: pikepdf.Pdf) -> bytes:
    import io

    buffer = io.BytesIO()
    # rinohtype reads the file itself: plain objects and a classic cross-reference table, and the
    # keyword `trailer` on a line of its own (qpdf writes `trailer <<`; the offsets lie before it).
    pdf.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.disable, compress_streams=True)
    return buffer.getvalue().replace(b"\ntrailer <<", b"\ntrailer\n<<", 1)


def _write_atomically(target: Path, data: bytes) -> None:
    """Written beside ``target`` and renamed: parallel processes may draw the same diagram."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=target.suffix)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def alternative_text(code: str) -> str:
    """What the diagram says for someone who cannot see it: its accTitle/accDescr, else its source."""
    parts = [match[2].strip() for match in _ACCESSIBLE.finditer(code) if match[2].strip() != "{"]
    parts += [" ".join(match[1].split()) for match in _ACCESSIBLE_BLOCK.finditer(code)]
    if parts:
        return ". ".join(parts)
    source = _PRESENTATION.sub("", code).replace("&nbsp", " ").replace(";", " ")
    return "Diagram (Mermaid): " + " ".join(source.split())
