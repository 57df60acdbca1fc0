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

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.util import logging

from ..core.boundary import NAME_MAX
from ..core.linkcheck import LinkOptions

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

logger = logging.getLogger(__name__)

#: The PDF documents a build can write.
PDF_DOCUMENT_KINDS = ("edition", "handouts", "fasen", "rollen")
#: One handout by name: a phase page's file name (``ontwerp``) or ``rollen/`` and a rol's (``rollen/jurist``).
HANDOUT_NAME = re.compile(r"(?:rollen/)?\w[\w.-]*")


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
    path = (confdir / Path(value).expanduser()).resolve()
    if any(len(os.fsencode(part)) > NAME_MAX for part in path.parts):  # every look at it would raise
        raise ValueError(f"expected a path, got a name longer than {NAME_MAX} bytes ({str(value)[:60]}…)")
    return path


def _positive_int(value: Any, confdir: Path) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"expected a whole number of seconds above 0, got {value!r}")
    return value


def _bool(value: Any, confdir: Path) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected True or False, got {value!r}")
    return value


def _count(value: Any, confdir: Path) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"expected a whole number above 0, got {value!r}")
    return value


def _retries(value: Any, confdir: Path) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"expected a whole number, 0 or more, got {value!r}")
    return value


def _seconds(value: Any, confdir: Path) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"expected a number of seconds above 0, got {value!r}")
    return float(value)


def _texts(value: Any, confdir: Path) -> tuple[str, ...]:
    """A list of texts, or one text with them separated by commas."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not all(isinstance(item, str) for item in items):
        raise ValueError(f"expected a list of texts, got {value!r}")
    return tuple(item.strip() for item in items if item.strip())


def _patterns(value: Any, confdir: Path) -> tuple[str, ...]:
    patterns = _texts(value, confdir)
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as error:
            raise ValueError(f"{pattern!r} is not a regular expression ({error})") from error
    return patterns


def _headers(value: Any, confdir: Path) -> dict[str, dict[str, str]]:
    """``{"host": {"Header": "value"}}``; the host ``"*"`` is every host."""
    if not isinstance(value, Mapping) or not all(
        isinstance(host, str) and isinstance(headers, Mapping) and all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items())
        for host, headers in value.items()
    ):
        raise ValueError(f"expected a mapping of host to a mapping of header to text, got {value!r}")
    return {host.lower(): dict(headers) for host, headers in value.items()}


#: Where ``check --links`` keeps the links that were fine, relative to the current folder.
DEFAULT_LINK_CACHE = Path(".cache/kaderpers/links.json")


def _cache_file(value: Any, confdir: Path) -> Path | None:
    """A file relative to the configuration folder; "" the default (in the current folder); None or False none."""
    if value is None or value is False:
        return None
    if value == "":
        return DEFAULT_LINK_CACHE
    return _path(value, confdir)


def pdf_document_names(value: Any) -> tuple[str, ...]:
    """``["edition", "handouts"]``, or ``"edition,handouts"``: kinds of PDF document (:data:`PDF_DOCUMENT_KINDS`)
    or single handouts by name (``ontwerp``, ``rollen/jurist``); empty writes no PDF."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)):
        raise ValueError(f"expected a list of {', '.join(PDF_DOCUMENT_KINDS)} or handout names, got {value!r}")
    names = tuple(str(item).strip() for item in items if str(item).strip())
    unknown = [name for name in names if name not in PDF_DOCUMENT_KINDS and not HANDOUT_NAME.fullmatch(name)]
    if unknown:
        raise ValueError(
            f"unknown PDF documents {', '.join(unknown)}; choose from {', '.join(PDF_DOCUMENT_KINDS)},"
            " or name one handout: a phase (ontwerp) or rollen/ and a rol (rollen/jurist)"
        )
    return names


def _documents(value: Any, confdir: Path) -> tuple[str, ...]:
    return pdf_document_names(value)


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
    metadata = {"convert": convert, "types": types, "rebuild": rebuild, "raw": default if raw is None else raw}
    if isinstance(default, dict):  # a mutable default: each configuration gets its own copy
        return field(default_factory=lambda: dict(default), metadata=metadata)
    return field(default=default, metadata=metadata)


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
    # `kaderpers check --links` (never a build): see kaderpers.core.linkcheck.LinkOptions.
    #: Hosts whose links are not checked; a host also skips its subdomains.
    link_skip_hosts: tuple[str, ...] = setting(LinkOptions.skip_hosts, _texts, (str, list, tuple), raw=[])
    #: Regular expressions: a URL one of them matches (anywhere in it) is not checked.
    link_skip_patterns: tuple[str, ...] = setting(LinkOptions.skip_patterns, _patterns, (str, list, tuple), raw=[])
    #: Headers per host, ``{"www.example.nl": {"User-Agent": "Mozilla/5.0 …"}}``; ``"*"`` for every host.
    link_headers: Mapping[str, Mapping[str, str]] = setting({}, _headers, (dict,))
    #: Requests in all (redirects and retries included); links beyond it are reported as not checked.
    link_budget: int = setting(LinkOptions.budget, _count, (int,))
    #: Seconds to wait for a connection and for each read.
    link_timeout: float = setting(LinkOptions.timeout, _seconds, (int, float))
    #: Requests open at once to one host.
    link_per_host: int = setting(LinkOptions.per_host, _count, (int,))
    #: Tries again after 429 or 503, after the server's Retry-After (at most link_max_wait seconds).
    link_retries: int = setting(LinkOptions.retries, _retries, (int,))
    #: The longest wait before trying again, whatever Retry-After asks, in seconds.
    link_max_wait: float = setting(LinkOptions.max_wait, _seconds, (int, float))
    #: Look for a URL's #anchor in the HTML page it leads to (also `check --links-anchors`).
    link_anchors: bool = setting(LinkOptions.anchors, _bool, (bool,))
    #: The cache of links that were fine: "" .cache/kaderpers/links.json in the current folder, a
    #: path relative to conf.py's folder, or None for no cache.
    link_cache: Path | None = setting(DEFAULT_LINK_CACHE, _cache_file, (str, Path, bool, type(None)), raw="")
    #: Seconds a link that was fine is not checked again.
    link_cache_ttl: float = setting(LinkOptions.cache_ttl, _seconds, (int, float))

    def link_options(self, *, anchors: bool = False) -> LinkOptions:
        """The options of the link checker (``anchors`` from the command line adds anchor checks)."""
        return LinkOptions(
            timeout=self.link_timeout, per_host=self.link_per_host, budget=self.link_budget,
            retries=self.link_retries, max_wait=self.link_max_wait, skip_hosts=self.link_skip_hosts,
            skip_patterns=self.link_skip_patterns, headers=self.link_headers,
            anchors=anchors or self.link_anchors, cache=self.link_cache, cache_ttl=self.link_cache_ttl,
        )  # fmt: skip


def typed_config(written: Callable[[str], Any], confdir: Path) -> tuple[KaderpersConfig, list[str]]:
    """The typed configuration from ``written(name)``, the value written for ``kaderpers_<name>``,
    and a message for every value that is not valid (left at its default)."""
    values: dict[str, Any] = {}
    problems = []
    for item in fields(KaderpersConfig):
        try:
            values[item.name] = item.metadata["convert"](written(item.name), confdir)
        except ValueError as error:
            problems.append(f"kaderpers_{item.name}: {error}; using the default, {item.metadata['raw']!r}")
    return KaderpersConfig(**values), problems


def config_from_namespace(namespace: Mapping[str, Any], confdir: Path) -> tuple[KaderpersConfig, list[str]]:
    """The typed configuration of a ``conf.py`` run without Sphinx (``kaderpers check``): its
    ``kaderpers_*`` values, the registered default for each one it does not set."""
    raw = {item.name: item.metadata["raw"] for item in fields(KaderpersConfig)}
    return typed_config(lambda name: namespace.get(f"kaderpers_{name}", raw[name]), confdir)


def _typed(app: Sphinx, config: Config) -> tuple[KaderpersConfig, list[str]]:
    return typed_config(lambda name: getattr(config, f"kaderpers_{name}"), Path(app.confdir))


#: A language tag as Sphinx looks it up (``nl``, ``pt_BR``): anything else reaches an import by name.
_LANGUAGE = re.compile(r"[A-Za-z]{2,8}(?:[_-][A-Za-z0-9]{1,8})*")


def check_sphinx_settings(app: Sphinx, config: Config) -> None:
    """Sphinx settings the site depends on that Sphinx takes without checking (``html_baseurl = 5``
    and ``-D language=../x`` crash it while building): each refused value is reported and reset."""
    problems = []
    if not isinstance(config.html_baseurl, str):
        problems.append(f"html_baseurl: expected the site's address as text, got {config.html_baseurl!r}; using none")
        config.html_baseurl = ""
    if config.language is not None and not (isinstance(config.language, str) and _LANGUAGE.fullmatch(config.language)):
        problems.append(f"language: expected a language code such as `nl` or `en`, got {config.language!r}; using `nl`")
        config.language = "nl"
    for problem in problems:
        logger.warning(problem, type="kaderpers", subtype="config")


def check_config(app: Sphinx, config: Config) -> None:
    """Report every value that is not valid, once, when the configuration is read."""
    for problem in _typed(app, config)[1]:
        logger.warning(problem, type="kaderpers", subtype="config")


def get_config(app: Sphinx) -> KaderpersConfig:
    """The typed configuration of this build (values reported by :func:`check_config` are left at their default)."""
    return _typed(app, app.config)[0]


def setup(app: Sphinx) -> None:
    """The ``kaderpers_*`` configuration values, declared from :class:`KaderpersConfig` and checked when the configuration is read."""
    for item in fields(KaderpersConfig):
        app.add_config_value(f"kaderpers_{item.name}", item.metadata["raw"], item.metadata["rebuild"], item.metadata["types"])
    app.connect("config-inited", check_config)
    app.connect("config-inited", check_sphinx_settings)
