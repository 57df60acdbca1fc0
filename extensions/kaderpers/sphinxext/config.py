"""Typed configuration of the extension, in the manner of myst-parser.

Every setting is a field of :class:`KaderpersConfig`; ``setup`` registers each
as a Sphinx config value ``kaderpers_<name>`` with its default and type, and
:func:`get_config` returns the validated dataclass for a running build.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.application import Sphinx


@dataclass(frozen=True)
class KaderpersConfig:
    #: Path of the navigation file; "" looks for mkdocs.yml in the tree and the folder above.
    nav_file: str = field(default="", metadata={"rebuild": "env", "types": (str,)})
    #: Path of the glossary; "" looks for includes/begrippenlijst.md in the tree and the folder above.
    glossary_file: str = field(default="", metadata={"rebuild": "env", "types": (str,)})
    #: Path of the beslishulp decision tree; "" looks for beslishulp.yaml in the tree and the folder above.
    beslishulp_file: str = field(default="", metadata={"rebuild": "html", "types": (str,)})
    #: Title of the publication on the PDF cover and in metadata.
    edition_title: str = field(default="Algoritmekader", metadata={"rebuild": "", "types": (str,)})
    #: Edition version printed on the cover ("" uses the project's release).
    edition_version: str = field(default="", metadata={"rebuild": "", "types": (str,)})
    #: Which PDF documents to write, comma-separated: "edition", "handouts" (per phase and per rol), "fasen", "rollen".
    pdf_documents: str = field(default="edition", metadata={"rebuild": "", "types": (str,)})
    #: Seconds a single PDF layout may take before the watchdog stops it.
    pdf_timeout: int = field(default=900, metadata={"rebuild": "", "types": (int,)})
    #: Tagged PDF (PDF/UA-1: structure tree, artifacts, XMP); False writes rinohtype's plain PDF.
    pdf_tagged: bool = field(default=True, metadata={"rebuild": "", "types": (bool,)})
    #: Which share of the PDF documents this process writes, "k/n" (set by `kaderpers build`); "" writes all.
    pdf_shard: str = field(default="", metadata={"rebuild": "", "types": (str,)})
    #: The version to compare with (a folder, or git:REV of the tree's repository): adds the
    #: Wijzigingen page and marks changed records. "" compares with nothing.
    compare_to: str = field(default="", metadata={"rebuild": "html", "types": (str,)})


def setup(app: Sphinx) -> None:
    for item in fields(KaderpersConfig):
        app.add_config_value(f"kaderpers_{item.name}", item.default, item.metadata["rebuild"], item.metadata["types"])


def get_config(app: Sphinx) -> KaderpersConfig:
    values: dict[str, Any] = {item.name: getattr(app.config, f"kaderpers_{item.name}") for item in fields(KaderpersConfig)}
    return KaderpersConfig(**values)
