"""Where the files a build needs are: the one place that knows the package's layout.

An installed kaderpers (a wheel) carries everything inside the package:
``kaderpers/resources`` (the repository's ``source/``: templates, static files,
locale, PDF style sheet), ``kaderpers/voorbeeld`` (the repository's ``content/``:
the bundled example kader) and ``kaderpers/data`` (vocabularies, icons, mermaid).
In a checkout (``pip install -e .``, or ``PYTHONPATH=extensions``) the first two
are the repository's own folders, beside ``extensions/``; pyproject.toml maps them
into the package when a wheel is built.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

#: Folder inside the installed package → the repository folder it is built from.
_MAPPED = {"resources": "source", "voorbeeld": "content"}


def _package() -> Path:
    # A regular package on disk: files() is a Path (zipped installs are not supported).
    return Path(str(files("kaderpers")))


@cache
def _folder(name: str) -> Path:
    installed = _package() / name
    if installed.is_dir():
        return installed
    checkout = _package().parents[1] / _MAPPED[name]
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"kaderpers is incomplete: neither {installed} nor {checkout} exists; reinstall kaderpers")


def resources() -> Path:
    """Templates, static files, locale and PDF style sheet (the repository's ``source/``)."""
    return _folder("resources")


def templates() -> Path:
    return resources() / "templates"


def static() -> Path:
    return resources() / "static"


def locale() -> Path:
    return resources() / "locale"


def pdf_stylesheet() -> Path:
    return resources() / "pdf" / "kaderpers.rts"


def pdf_logo() -> Path:
    return resources() / "pdf" / "logo.png"


def example_kader() -> Path:
    """The bundled example kader (the repository's ``content/``)."""
    return _folder("voorbeeld")


def data(name: str) -> Path:
    """A file of ``kaderpers/data`` (vocabularies, icon map, mermaid's scripts)."""
    return _package() / "data" / name


#: Where `make mermaid` (part of the set-up and of `make wheel`) puts mermaid's script; git ignores it.
MERMAID = "mermaid/mermaid.min.js"


#: In a checkout whose set-up predates that copy: the npm cache the set-up fills.
_NPM_MERMAID = Path(".cache", "npm", "node_modules", "mermaid", "dist", "mermaid.min.js")


def mermaid_script() -> Path | None:
    """The site's copy of mermaid, or None when this installation was built without it."""
    for path in (data(MERMAID), _package().parents[1] / _NPM_MERMAID):
        if path.is_file():
            return path
    return None
