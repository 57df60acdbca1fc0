"""Images for print: converted once, cached by content, sized to the page.

rinohtype embeds JPEG as it is but decodes PNG with transparency in pure Python,
which takes minutes for a large screenshot; it cannot read SVG at all. Every
image is therefore converted once to a print copy (JPEG for photographs,
alpha-free PNG otherwise, at most :data:`MAX_PIXELS` on the long side, SVG
rendered by headless Chromium) and kept in a cache folder keyed by a hash of
its bytes, so later builds and parallel processes reuse it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from ..core.limits import MAX_IMAGE_PIXELS
from ..folders import PRINT_CACHE, PRINT_CACHE_VARIABLE

#: Bump when the conversion changes, so old cache entries are not reused.
CONVERSION_VERSION = "1"
PRINT_DPI = 200
#: Long side of a print copy: a full text width (16.6 cm) at about 240 dpi.
MAX_PIXELS = 1600
JPEG_QUALITY = 88
SVG_WIDTH = 1200
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def cache_folder(doctreedir: str | Path) -> Path:
    """Where print copies live: the folder :data:`PRINT_CACHE_VARIABLE` names, else beside the doctrees
    (OUT/pdf-cache). Entries are keyed by content and written atomically, so builds may share one."""
    shared = os.environ.get(PRINT_CACHE_VARIABLE, "").strip()
    return Path(shared).expanduser().resolve() if shared else Path(doctreedir).parent / PRINT_CACHE


@dataclass(frozen=True)
class PrintImage:
    path: Path
    width: int
    height: int


class ImageConversionError(Exception):
    """An image that cannot be made printable; the message says why."""


def cache_key(data: bytes, suffix: str) -> str:
    digest = hashlib.sha256()
    digest.update(CONVERSION_VERSION.encode())
    digest.update(suffix.encode())
    digest.update(data)
    return digest.hexdigest()[:32]


def print_copy(source: Path, cache: Path) -> PrintImage:
    """The cached print copy of ``source``, made now if needed."""
    try:
        data = source.read_bytes()
    except OSError as error:
        raise ImageConversionError(f"cannot read {source}: {error.strerror}") from error
    suffix = source.suffix.lower()
    key = cache_key(data, suffix)
    for existing in (cache / f"{key}.jpg", cache / f"{key}.png"):
        if existing.exists():
            with Image.open(existing) as image:
                return PrintImage(existing, *image.size)
    cache.mkdir(parents=True, exist_ok=True)
    if suffix == ".svg":
        data = _render_svg(source)
    return convert(data, cache, key, source)


def convert(data: bytes, cache: Path, key: str, source: Path) -> PrintImage:
    import io

    try:
        with warnings.catch_warnings():
            # Pillow's own decompression-bomb guard, at kaderpers' limit (pages' images are checked before)
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
            image = Image.open(io.BytesIO(data))
            image.load()
    except Exception as error:  # Pillow raises many types for broken files
        raise ImageConversionError(f"{source.name} is not an image Pillow can read ({error})") from error
    photo = image.format == "JPEG"
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    elif image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    if max(image.size) > MAX_PIXELS:
        image.thumbnail((MAX_PIXELS, MAX_PIXELS), Image.Resampling.LANCZOS)
    target = cache / f"{key}.{'jpg' if photo else 'png'}"
    # Write beside the target and rename: parallel processes may convert the same image.
    handle, temporary = tempfile.mkstemp(dir=cache, suffix=target.suffix)
    os.close(handle)
    try:
        if photo:
            image.save(temporary, "JPEG", quality=JPEG_QUALITY, dpi=(PRINT_DPI, PRINT_DPI))
        else:
            image.save(temporary, "PNG", dpi=(PRINT_DPI, PRINT_DPI))
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return PrintImage(target, *image.size)


def chromium() -> str | None:
    return next((found for name in CHROMIUM_CANDIDATES if (found := shutil.which(name))), None)


def chromium_arguments(browser: str, profile: Path) -> list[str]:
    """Headless Chromium that reaches no other host and keeps nothing: a fresh profile each time."""
    return [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
        "--hide-scrollbars", "--allow-file-access-from-files",
    ]  # fmt: skip


def _render_svg(source: Path) -> bytes:
    """An SVG as PNG bytes, drawn by headless Chromium (rinohtype reads no SVG)."""
    browser = chromium()
    if browser is None:
        raise ImageConversionError(f"{source.name} is an SVG and no Chromium is installed to convert it (install chromium)")
    width, height = _svg_size(source)
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder, "svg.html")
        page.write_text(
            f'<html><body style="margin:0;background:#fff"><img src="{source.resolve().as_uri()}"'
            f' style="display:block;width:{width}px;height:{height}px"></body></html>',
            encoding="utf-8",
        )
        shot = Path(folder, "svg.png")
        arguments = [
            *chromium_arguments(browser, Path(folder, "profile")), f"--window-size={width},{height}", f"--screenshot={shot}", page.as_uri(),
        ]  # fmt: skip
        try:
            subprocess.run(arguments, capture_output=True, timeout=60, check=False)
        except subprocess.TimeoutExpired as error:
            raise ImageConversionError(f"Chromium took over 60 s to draw {source.name}") from error
        if not shot.exists():
            raise ImageConversionError(f"Chromium could not draw {source.name}")
        return shot.read_bytes()


def _svg_size(source: Path) -> tuple[int, int]:
    """Pixel size to draw an SVG at: :data:`SVG_WIDTH` wide, in its own proportions."""
    import re

    head = source.read_text("utf-8", errors="replace")[:4000]
    ratio = 0.75
    if match := re.search(r'viewBox\s*=\s*["\']\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)', head):
        width, height = float(match[1]), float(match[2])
        if width > 0 and height > 0:
            ratio = height / width
    return SVG_WIDTH, max(1, round(SVG_WIDTH * ratio))
