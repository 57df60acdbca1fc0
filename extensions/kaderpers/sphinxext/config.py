"""Typed, validated configuration of the extension, in the manner of myst-parser.

Every setting is a field of :class:`KaderpersConfig`. ``setup`` registers each as a
Sphinx config value ``kaderpers_<name>`` with the default and types it may be
written with in ``conf.py`` or overridden with ``-D``; each field's ``convert``
turns that into the typed value (a path resolved against the configuration
folder, which is the tree when it has no ``conf.py``; a tuple of document kinds;
a :class:`Shard`) and refuses what is not valid. When the configuration is read
(``config-inited``) every refused value is reported once (``kaderpers.config``)
and the default is used; :func:`get_config` returns the typed values for a
running build.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.util import logging

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

logger = logging.getLogger(__name__)

#: The PDF documents a build can write.
PDF_DOCUMENT_KINDS = ("edition", "handouts", "fasen", "rollen")


@dataclass(frozen=True)
class Shard:
    """Process ``number`` of ``count`` that share the PDF documents (``"k/n"``, from 1)."""

    number: int
    count: int

    @property
    def index(self) -> int:
        return self.number - 1


def _text(value: Any, confdir: Path) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {value!r}")
    return value


def _path(value: Any, confdir: Path) -> Path | None:
    """A file named relative to the configuration folder; "" leaves the choice to the build."""
    if value is None or value == "":
        return None
    if not isinstance(value, (str, Path)):
        raise ValueError(f"expected a path, got {value!r}")
    return (confdir / Path(value).expanduser()).resolve()


def _positive_int(value: Any, confdir: Path) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"expected a whole number of seconds above 0, got {value!r}")
    return value


def _bool(value: Any, confdir: Path) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected True or False, got {value!r}")
    return value


def _documents(value: Any, confdir: Path) -> tuple[str, ...]:
    """``["edition", "handouts"]``, or ``"edition,handouts"``; empty writes no PDF."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)):
        raise ValueError(f"expected a list of {', '.join(PDF_DOCUMENT_KINDS)}, got {value!r}")
    kinds = tuple(str(item).strip() for item in items if str(item).strip())
    unknown = [kind for kind in kinds if kind not in PDF_DOCUMENT_KINDS]
    if unknown:
        raise ValueError(f"unknown PDF documents {', '.join(unknown)}; choose from {', '.join(PDF_DOCUMENT_KINDS)}")
    return kinds


def _shard(value: Any, confdir: Path) -> Shard | None:
    """``"k/n"``: this process writes the k-th of n shares; "" writes every document."""
    if value is None or value == "":
        return None
    number, _, count = str(value).partition("/")
    if not (number.isdigit() and count.isdigit() and 1 <= int(number) <= int(count)):
        raise ValueError(f"expected k/n with 1 ≤ k ≤ n, got {value!r}")
    return Shard(int(number), int(count))


def setting(default: Any, convert: Callable[[Any, Path], Any], types: tuple[type, ...], rebuild: str = "", raw: Any = None) -> Any:
    """A field of :class:`KaderpersConfig`: its typed ``default``, how a written value becomes
    one, the types it may be written with, what a change rebuilds, and (when it differs
    from ``default``) the default as Sphinx registers it."""
    return field(default=default, metadata={"convert": convert, "types": types, "rebuild": rebuild, "raw": default if raw is None else raw})


@dataclass(frozen=True)
class KaderpersConfig:
    #: The navigation file; "" looks for mkdocs.yml in the tree and the folder above.
    nav_file: Path | None = setting(None, _path, (str, Path), "env", raw="")
    #: The glossary; "" looks for includes/begrippenlijst.md in the tree and the folder above.
    glossary_file: Path | None = setting(None, _path, (str, Path), "env", raw="")
    #: The beslishulp decision tree; "" looks for beslishulp.yaml in the tree and the folder above.
    beslishulp_file: Path | None = setting(None, _path, (str, Path), "html", raw="")
    #: Title of the publication on the PDF cover and in metadata.
    edition_title: str = setting("Algoritmekader", _text, (str,))
    #: Edition version printed on the cover ("" uses the project's release).
    edition_version: str = setting("", _text, (str,))
    #: Which PDF documents to write: "edition", "handouts" (per phase and per rol), "fasen", "rollen"; none when empty.
    pdf_documents: tuple[str, ...] = setting(("edition",), _documents, (str, list, tuple), raw=["edition"])
    #: Seconds a single PDF layout may take before the watchdog stops it.
    pdf_timeout: int = setting(900, _positive_int, (int,))
    #: rinohtype's speed-ups (kaderpers.pdf.compat); False renders slower with the same text, links and outline.
    pdf_speedups: bool = setting(True, _bool, (bool,))
    #: Tagged PDF (PDF/UA-1: structure tree, artifacts, XMP); False writes rinohtype's plain PDF.
    pdf_tagged: bool = setting(True, _bool, (bool,))
    #: Which share of the PDF documents this process writes, "k/n" (set by `kaderpers build`); "" writes all.
    pdf_shard: Shard | None = setting(None, _shard, (str,), raw="")
    #: The version to compare with (a folder, or git:REV of the tree's repository): adds the
    #: Wijzigingen page and marks changed records. "" compares with nothing.
    compare_to: str = setting("", _text, (str,), "html")
    #: What the Wijzigingen page calls the version compared with; "" names it by its tag (git:REV),
    #: else by the folder it was read from.
    compare_label: str = setting("", _text, (str,), "html")
    #: The release this build is, in a site of several releases (`kaderpers build --versions`):
    #: adds the version switcher, each record's history and its citation. "" for a plain build.
    release_name: str = setting("", _text, (str,), "html")
    #: Every page's history across the releases, written by `kaderpers build --versions`.
    history_file: Path | None = setting(None, _path, (str, Path), "html", raw="")


def _typed(app: Sphinx, config: Config) -> tuple[KaderpersConfig, list[str]]:
    values: dict[str, Any] = {}
    problems = []
    for item in fields(KaderpersConfig):
        written = getattr(config, f"kaderpers_{item.name}")
        try:
            values[item.name] = item.metadata["convert"](written, Path(app.confdir))
        except ValueError as error:
            problems.append(f"kaderpers_{item.name}: {error}; using the default, {item.metadata['raw']!r}")
    return KaderpersConfig(**values), problems


def check_config(app: Sphinx, config: Config) -> None:
    """Report every value that is not valid, once, when the configuration is read."""
    for problem in _typed(app, config)[1]:
        logger.warning(problem, type="kaderpers", subtype="config")


def get_config(app: Sphinx) -> KaderpersConfig:
    """The typed configuration of this build (values reported by :func:`check_config` are left at their default)."""
    return _typed(app, app.config)[0]


def setup(app: Sphinx) -> None:
    for item in fields(KaderpersConfig):
        app.add_config_value(f"kaderpers_{item.name}", item.metadata["raw"], item.metadata["rebuild"], item.metadata["types"])
    app.connect("config-inited", check_config)
