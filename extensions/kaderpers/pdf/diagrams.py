"""Mermaid diagrams drawn for print: mermaid (from the npm cache) in headless Chromium, cached by hash.

The diagram's source goes into a local page that loads the installed
``mermaid.min.js`` (no network: Chromium is started with background networking
off and a fresh profile) and renders it to SVG; Chromium prints the page's DOM,
the SVG is kept in the cache under a hash of the source and the mermaid version,
and :func:`kaderpers.pdf.images.print_copy` turns it into a print copy as any
other SVG. Labels are drawn as SVG text (no HTML labels), which an ``<img>`` shows.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import re
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

from .images import MAX_PIXELS, SVG_WIDTH, ImageConversionError, PrintImage, chromium, chromium_arguments, convert

#: Bump when the rendering changes, so old cache entries are not reused.
RENDER_VERSION = "1"
TIMEOUT_SECONDS = 60
_CONFIG = {"startOnLoad": False, "securityLevel": "strict", "htmlLabels": False, "flowchart": {"htmlLabels": False}, "theme": "default"}
_OUTPUT = re.compile(r'<pre id="out">(.*?)</pre>', re.S)
_NBSP = re.compile(r"&nbsp;?")
_VIEWBOX = re.compile(r'viewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)')
_ACCESSIBLE = re.compile(r"^\s*acc(Title|Descr)\s*:\s*(.+)$", re.M)
_ACCESSIBLE_BLOCK = re.compile(r"^\s*accDescr\s*\{(.*?)\}", re.M | re.S)
#: Lines that say how the diagram looks or links, not what it shows.
_PRESENTATION = re.compile(r"^\s*(click|style|classDef|class|linkStyle|%%)\b.*$", re.M)


@functools.cache
def mermaid_version(script: Path) -> str:
    """A fingerprint of the mermaid script: a new mermaid draws the diagrams anew."""
    return hashlib.sha256(script.read_bytes()).hexdigest()[:16]


def diagram_image(code: str, script: Path, cache: Path) -> PrintImage:
    """The print copy (PNG) of a mermaid diagram, from the cache or drawn now."""
    code = _NBSP.sub(" ", code)  # SVG text shows entities as written; the site's HTML labels made them spaces
    key = "mermaid-" + hashlib.sha256(f"{RENDER_VERSION}\0{mermaid_version(script)}\0{code}".encode()).hexdigest()[:32]
    target = cache / f"{key}.png"
    if target.exists():
        with Image.open(target) as image:
            return PrintImage(target, *image.size)
    browser = chromium()
    if browser is None:
        raise ImageConversionError("no Chromium is installed to draw mermaid diagrams (install chromium)")
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        svg = _draw(code, script, browser, Path(folder))
        width, height = _size(svg)
        # The SVG inline in a page (an <img> would not take mermaid's HTML entities), photographed at print size.
        page = Path(folder, "shot.html")
        page.write_text(
            '<!DOCTYPE html><html><head><meta charset="utf-8"><style>html,body{margin:0;background:#fff}'
            f"svg{{display:block;width:{width}px!important;height:{height}px!important;max-width:none!important}}</style>"
            f"</head><body>{svg}</body></html>",
            encoding="utf-8",
        )
        shot = Path(folder, "shot.png")
        arguments = [*chromium_arguments(browser, Path(folder, "profile2")), f"--window-size={width},{height}", f"--screenshot={shot}", page.as_uri()]
        _run(arguments)
        if not shot.exists():
            raise ImageConversionError("Chromium could not photograph a mermaid diagram")
        return convert(shot.read_bytes(), cache, key, Path("mermaid.png"))


def _run(arguments: list[str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(arguments, capture_output=True, timeout=TIMEOUT_SECONDS, check=False, text=True)
    except subprocess.TimeoutExpired as error:
        raise ImageConversionError(f"Chromium took over {TIMEOUT_SECONDS} s to draw a mermaid diagram") from error


def _draw(code: str, script: Path, browser: str, folder: Path) -> str:
    """The diagram as SVG markup, rendered by mermaid in a local page whose DOM Chromium prints."""
    page = folder / "diagram.html"
    source = json.dumps(code).replace("</", "<\\/")
    page.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><pre id="out"></pre>'
        f'<script src="{script.resolve().as_uri()}"></script><script>'
        f"mermaid.initialize({json.dumps(_CONFIG)});"
        f"mermaid.render('kaderpers-diagram', {source})"
        ".then(function (r) { document.getElementById('out').textContent = r.svg; })"
        ".catch(function (e) { document.getElementById('out').textContent = 'ERROR ' + e; });"
        "</script></body></html>",
        encoding="utf-8",
    )
    result = _run([*chromium_arguments(browser, folder / "profile"), "--virtual-time-budget=20000", "--dump-dom", page.as_uri()])
    match = _OUTPUT.search(result.stdout)
    svg = html.unescape(match[1]).strip() if match else ""
    if not svg.startswith("<svg"):
        reason = svg[6:].strip() if svg.startswith("ERROR") else (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise ImageConversionError(f"mermaid could not draw the diagram: {reason}")
    return svg


def _size(svg: str) -> tuple[int, int]:
    """Pixel size to photograph at: the print width, in the diagram's own proportions."""
    ratio = 0.75
    if match := _VIEWBOX.search(svg[:2000]):
        width, height = float(match[1]), float(match[2])
        if width > 0 and height > 0:
            ratio = height / width
    width = MAX_PIXELS if ratio < 0.5 else SVG_WIDTH
    return width, max(1, round(width * ratio))


def alternative_text(code: str) -> str:
    """What the diagram says for someone who cannot see it: its accTitle/accDescr, else its source."""
    parts = [match[2].strip() for match in _ACCESSIBLE.finditer(code) if match[2].strip() != "{"]
    parts += [" ".join(match[1].split()) for match in _ACCESSIBLE_BLOCK.finditer(code)]
    if parts:
        return ". ".join(parts)
    source = _PRESENTATION.sub("", code).replace("&nbsp", " ").replace(";", " ")
    return "Diagram (Mermaid): " + " ".join(source.split())
