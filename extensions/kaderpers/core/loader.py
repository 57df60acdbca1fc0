"""Loading a content tree: files → :class:`~kaderpers.core.model.Page` objects, with findings.

Front matter is read with python-frontmatter (not through MyST, which turns every
value into a string). The loader never raises on bad content: whatever it cannot
use becomes a :class:`~kaderpers.core.findings.Finding` and the rest of the page is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePath, PurePosixPath
from typing import Any

import frontmatter
import yaml

from ..bundled import data as bundled_data
from . import boundary, limits
from .findings import Finding, suggestion
from .model import Glossary, Kader, Page, PageKind, SourceLines, Vocabulary, classify

SOURCE_SUFFIX = ".md"
VOCABULARY_FILE = "vocabulaire.yml"
#: The vocabulary section that maps beslishulp label texts onto AI-verordening values.
BESLISHULP_LABELS = "beslishulp-labels"
GLOSSARY_FILE = Path("includes") / "begrippenlijst.md"
#: Folders of a tree that hold no pages of the publication.
SKIPPED_FOLDERS = frozenset({"includes", "templates", "node_modules", "_build"})

_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FrontMatterLoader(limits.DepthBoundedComposer, _BASE_LOADER):  # type: ignore[misc, valid-type]
    """Safe YAML, except that floats and dates stay the text the editor wrote.

    ``ARK: 2.10`` is a paragraph number, not the float 2.1.
    """


def _scalar_as_written(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return loader.construct_scalar(node)


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:float", _scalar_as_written)
_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _scalar_as_written)


class _FrontMatterHandler(frontmatter.YAMLHandler):
    def load(self, fm: str, **kwargs: object) -> Any:
        return limits.load_bounded(fm, _FrontMatterLoader)


_HANDLER = _FrontMatterHandler()
_BOUNDARY = re.compile(r"-{3,}\s*")
_TOP_KEY = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:")
_LIST_ITEM = re.compile(r"^\s*-(?:\s+(?P<value>.*?))?\s*(?:#.*)?$")
_H1 = re.compile(r"^#\s+(?P<text>.+?)\s*(?:\{[^}]*\})?\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_ABBREVIATION = re.compile(r"^\*\[(?P<term>[^\]]+)\]:\s*(?P<definition>.*?)\s*$")
_LEADING_TABS = re.compile(r"^(\t+)", re.MULTILINE)


# -- decoding ------------------------------------------------------------------


_UTF16_32_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def decode(raw: bytes, path: str) -> tuple[str, list[Finding]]:
    """Bytes → text; bytes that are not UTF-8 are replaced and reported.

    A file saved as UTF-16 or UTF-32 (with its byte-order mark) is read as such,
    and reported: everything else in the kader is UTF-8.
    """
    for bom, encoding in _UTF16_32_BOMS:
        if raw.startswith(bom):
            finding = Finding(path, 1, "encoding.invalid", f"file is saved as {encoding.upper()[:6]}, not UTF-8; save it as UTF-8")
            return raw[len(bom) :].decode(encoding, errors="replace"), [finding]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        finding = Finding(
            path,
            line,
            "encoding.invalid",
            f"byte 0x{raw[error.start]:02x} is not valid UTF-8; save the file as UTF-8 (undecodable bytes are shown as \ufffd)",
        )
        return raw.decode("utf-8", errors="replace"), [finding]


def normalise_text(text: str, path: str) -> tuple[str, list[Finding]]:
    """Text without BOM and with LF line ends; every repair is reported."""
    findings: list[Finding] = []
    if text.startswith("\ufeff"):
        text = text[1:]
        findings.append(Finding(path, 1, "encoding.bom", "file starts with a byte-order mark; save it as UTF-8 without BOM"))
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        findings.append(Finding(path, line, "encoding.crlf", "file has Windows (CRLF) line ends; save it with LF line ends"))
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        findings.append(Finding(path, None, "page.empty", "file is empty; give it front matter with a title and some text, or delete it"))
    return text, findings


# -- front matter ----------------------------------------------------------------


@dataclass
class RawFrontMatter:
    """A page's front matter as read, before normalisation: values, their lines, the body and findings."""

    values: dict[str, Any]
    lines: SourceLines
    body_line: int
    body: str
    findings: list[Finding] = field(default_factory=list)


def _closing_boundary(lines: list[str]) -> int | None:
    for index in range(1, len(lines)):
        if _BOUNDARY.fullmatch(lines[index]):
            return index
    return None


def _source_lines(fm_lines: list[str], first_line: int) -> SourceLines:
    keys: dict[str, int] = {}
    items: dict[tuple[str, str], int] = {}
    current: str | None = None
    for offset, line in enumerate(fm_lines):
        number = first_line + offset
        if match := _TOP_KEY.match(line):
            current = match["key"]
            keys.setdefault(current, number)
        elif current and (match := _LIST_ITEM.match(line)):
            items.setdefault((current, (match["value"] or "").strip("'\"")), number)
    return SourceLines(keys, items)


def split_front_matter(text: str, path: str) -> RawFrontMatter:
    """Parse the YAML front matter of ``text`` with python-frontmatter."""
    lines = text.split("\n")
    if not _HANDLER.detect(text) or not lines or not _BOUNDARY.fullmatch(lines[0]):
        return RawFrontMatter({}, SourceLines(), 1, text)
    closing = _closing_boundary(lines)
    if closing is None:
        finding = Finding(path, 1, "yaml.syntax", "front matter opened with --- on line 1 is never closed; add a line with --- after it")
        return RawFrontMatter({}, SourceLines(), 1, text, [finding])
    fm_text = "\n".join(lines[1:closing])
    body = "\n".join(lines[closing + 1 :])
    raw = RawFrontMatter({}, _source_lines(lines[1:closing], 2), closing + 2, body)
    values, error = _load_yaml(fm_text)
    if error is not None and "\t" in fm_text:
        values, retry_error = _load_yaml(_LEADING_TABS.sub(lambda m: "  " * len(m[1]), fm_text))
        if retry_error is None:
            line = 2 + fm_text[: fm_text.index("\t")].count("\n")
            raw.findings.append(Finding(path, line, "yaml.tab-indent", "front matter is indented with tabs; YAML needs spaces"))
            error = None
    if isinstance(error, limits.TooManyValues):
        raw.findings.append(
            Finding(
                path,
                2,
                "yaml.too-large",
                f"front matter is too large: {error}; write the values out instead of repeating aliases (the page is published without its metadata)",
            )
        )
        return raw
    if isinstance(error, limits.TooDeep):
        raw.findings.append(
            Finding(
                path,
                2 + error.line,
                "yaml.too-deep",
                f"front matter is too deep: {error}; write flatter lists and mappings (the page is published without its metadata)",
            )
        )
        return raw
    if error is not None:
        # The context mark is where the broken construct starts (an unclosed `[` say).
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        line = 2 + mark.line if mark is not None else 1
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raw.findings.append(
            Finding(path, line, "yaml.syntax", f"front matter is not valid YAML: {problem}; fix the YAML (the page is published without its metadata)")
        )
        return raw
    if values is None:
        return raw
    if not isinstance(values, dict):
        raw.findings.append(Finding(path, 2, "yaml.not-mapping", "front matter must be `key: value` lines, not a single value or a list"))
        return raw
    raw.values = {str(key): value for key, value in values.items()}
    return raw


def _load_yaml(fm_text: str) -> tuple[Any, Exception | None]:
    try:
        return limits.load_bounded(fm_text, _FrontMatterLoader), None
    except yaml.YAMLError as error:
        return None, error
    except (ValueError, TypeError, RecursionError) as error:  # constructor errors on odd tags
        return None, error


# -- normalisation -------------------------------------------------------------------


def _as_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return None


def _normalise_list(key: str, value: Any, page: str, lines: SourceLines, findings: list[Finding]) -> tuple[str, ...]:
    line = lines.of(key)
    if isinstance(value, str):
        findings.append(Finding(page, line, "meta.string-for-list", f"`{key}` is a single value; write it as a list item (`{key}:` then `- {value}`)"))
        return (value.strip(),) if value.strip() else ()
    if not isinstance(value, list):
        findings.append(
            Finding(page, line, "meta.type", f"`{key}` must be a list of names, not {type(value).__name__}; write `{key}:` with one `- name` line per item")
        )
        return ()
    items: list[str] = []
    for item in value:
        text = _as_text(item)
        if item is None:
            rule = "ref.null" if key in ("vereiste", "maatregel") else "meta.type"
            findings.append(Finding(page, lines.of(key, ""), rule, f"`{key}` has an empty item (`-` with no name); remove it or fill in a name"))
        elif text is None:
            findings.append(Finding(page, line, "meta.type", f"`{key}` has an item that is a {type(item).__name__}, not a name; write one name per `-` line"))
        else:
            items.append(text.strip())
    return tuple(items)


def normalise_meta(values: dict[str, Any], kind: PageKind, vocabulary: Vocabulary, path: str, lines: SourceLines) -> tuple[dict[str, Any], list[Finding]]:
    """Front matter with every known field in its declared shape."""
    findings: list[Finding] = []
    meta: dict[str, Any] = {}
    for key, value in values.items():
        declared = vocabulary.keys.get(key)
        line = lines.of(key)
        if declared is None:
            findings.append(
                Finding(path, line, "meta.unknown-key", f"unknown front-matter key `{key}`; check its spelling or remove it.{suggestion(key, vocabulary.keys)}")
            )
            meta[key] = value
            continue
        if key == "id" and not kind.is_record:
            meta[key] = value  # index pages carry `id: 0`; only records have ids
            continue
        if value is None:
            if declared == "list":
                meta[key] = ()
                rule = "ref.null" if key in ("vereiste", "maatregel") else "meta.type"
                findings.append(Finding(path, line, rule, f"`{key}` is empty (null); list at least one value or remove the key"))
            continue
        if declared == "list":
            meta[key] = _normalise_list(key, value, path, lines, findings)
        elif declared == "text":
            text = _as_text(value)
            if text is None:
                findings.append(Finding(path, line, "meta.type", f"`{key}` must be text, not {type(value).__name__}"))
            else:
                meta[key] = text
        elif declared == "sources":
            meta[key] = _normalise_sources(value, path, line, findings)
        elif declared == "boolean":
            if isinstance(value, bool):
                meta[key] = value
            else:
                findings.append(Finding(path, line, "meta.type", f"`{key}` must be true or false"))
        elif declared == "integer":
            if isinstance(value, int) and not isinstance(value, bool):
                meta[key] = value
            else:
                findings.append(Finding(path, line, "meta.type", f"`{key}` must be a whole number"))
        elif declared == "mapping":
            if isinstance(value, dict):
                meta[key] = value
            else:
                findings.append(Finding(path, line, "meta.type", f"`{key}` must be a mapping of `name: value` lines"))
        else:
            meta[key] = value
    return meta, findings


def _normalise_sources(value: Any, path: str, line: int | None, findings: list[Finding]) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        findings.append(Finding(path, line, "meta.type", "`sources` must map a framework (ADR, ARK) to a code or a list of codes"))
        return {}
    sources: dict[str, tuple[str, ...]] = {}
    for framework, codes in value.items():
        items = codes if isinstance(codes, list) else [codes]
        texts = tuple(t for t in (_as_text(c) for c in items) if t)
        if len(texts) != len(items):
            findings.append(Finding(path, line, "meta.type", f"`sources.{framework}` has an empty or non-text code"))
        sources[str(framework)] = texts
    return sources


# -- pages -----------------------------------------------------------------------


def first_heading(body: str) -> str | None:
    """The text of the body's first level-1 heading outside code fences (emphasis markers removed), if any."""
    in_fence = False
    for line in body.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and (match := _H1.match(line)):
            return match["text"].replace("**", "").replace("__", "").strip() or None
    return None


def read_page(docname: str, path: str, text: str, vocabulary: Vocabulary) -> tuple[Page, str, list[Finding]]:
    """Build a :class:`Page` from the text of one file; returns the page, its body and findings."""
    text, findings = normalise_text(text, path)
    raw = split_front_matter(text, path)
    findings.extend(raw.findings)
    kind = classify(docname)
    meta, meta_findings = normalise_meta(raw.values, kind, vocabulary, path, raw.lines)
    findings.extend(meta_findings)
    page = Page(docname, path, kind, meta, raw.lines, first_heading(raw.body), raw.body_line)
    return page, raw.body, findings


@dataclass
class LoadedPage:
    """A page as loaded: the normalised page, its body and text for the parser, and the findings."""

    page: Page
    body: str  # after the front matter, nesting limited
    text: str  # the whole page as the parser should read it: decoded, normalised, nesting limited
    findings: list[Finding]


def load_page(docname: str, path: str, raw: bytes, vocabulary: Vocabulary) -> LoadedPage:
    """One page from its bytes, the way both ``check`` and the build read it."""
    text, findings = decode(raw, path)
    page, body, page_findings = read_page(docname, path, text, vocabulary)
    findings.extend(page_findings)
    limited, limit_findings = limits.limit_page_text(body, page.body_line, path)
    findings.extend(limit_findings)
    lines = normalise_text(text, path)[0].split("\n")
    head = "\n".join(lines[: page.body_line - 1])
    text = f"{head}\n{limited}" if page.body_line > 1 else limited
    return LoadedPage(page, limited, text, findings)


def docname_of(relative: PurePath) -> str:
    """The Sphinx document name of a file, from its path relative to the tree."""
    return relative.with_suffix("").as_posix()


def is_page_file(relative: PurePath) -> bool:
    """Whether a file (relative to the tree) is a page of the publication."""
    if relative.suffix != SOURCE_SUFFIX:
        return False
    return not any(part.startswith((".", "_")) or part in SKIPPED_FOLDERS for part in relative.parts[:-1])


def iter_markdown(root: Path, walked: boundary.Walk | None = None) -> Iterator[Path]:
    """The Markdown pages of a tree, relative to it, in a stable order (symlinks within the project followed)."""
    yield from (relative for relative in (walked or boundary.walk(root)).files if is_page_file(relative))


# -- vocabulary and glossary ------------------------------------------------------------


def _read_yaml_mapping(text: str) -> dict[str, Any]:
    data = yaml.load(text, Loader=_FrontMatterLoader)  # noqa: S506 - a SafeLoader subclass
    if not isinstance(data, dict):
        raise ValueError("the file must be a mapping of sections")
    return data


def load_vocabulary(root: Path | None) -> tuple[Vocabulary, list[Finding]]:
    """The bundled vocabulary, with the sections of the tree's own file laid over it."""
    own = root / VOCABULARY_FILE if root else None
    if own is None or not own.is_file():
        return vocabulary_from(None)
    if not boundary.inside(own, boundary.project_root(root)):
        vocabulary, findings = vocabulary_from(None)
        findings.append(
            Finding(
                VOCABULARY_FILE,
                None,
                "boundary.outside",
                f"{VOCABULARY_FILE} is a symlink that leads outside the project; the bundled vocabulary is used instead",
            )
        )
        return vocabulary, findings
    try:
        return vocabulary_from(own.read_bytes())
    except OSError as error:
        return vocabulary_from(error)


def vocabulary_from(own: bytes | OSError | None) -> tuple[Vocabulary, list[Finding]]:
    """The bundled vocabulary with the sections of a tree's own file (its bytes, or why it could not be read) over it."""
    bundled = bundled_data(VOCABULARY_FILE).read_text("utf-8")
    data = _read_yaml_mapping(bundled)
    findings: list[Finding] = []
    if own is not None:
        try:
            if isinstance(own, OSError):
                raise own
            sections = _read_yaml_mapping(own.decode("utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as error:
            findings.append(
                Finding(VOCABULARY_FILE, None, "vocabulary.invalid", f"cannot use {VOCABULARY_FILE} ({error}); the bundled vocabulary is used instead")
            )
        else:
            for name, section in sections.items():
                if problem := _section_problem(str(name), section):
                    findings.append(Finding(VOCABULARY_FILE, None, "vocabulary.invalid", f"section `{name}` {problem}; the bundled section is used instead"))
                else:
                    data[name] = section
    labels = {str(k): {str(v): str(t) for v, t in (values or {}).items()} for k, values in (data.get("labels") or {}).items()}
    categorie = {str(v): str(t) for v, t in (data.get("categorie") or {}).items()}
    keys = {str(k): str(t) for k, t in (data.get("keys") or {}).items()}
    beslishulp, problems = _beslishulp_labels(data.get(BESLISHULP_LABELS), labels)
    findings.extend(Finding(VOCABULARY_FILE, None, "vocabulary.invalid", problem) for problem in problems)
    return Vocabulary(labels, categorie, keys, beslishulp), findings


#: The vocabulary's sections of ``value: text`` lines; ``labels`` holds one such mapping per field.
_TEXT_SECTIONS = ("categorie", "keys", BESLISHULP_LABELS)


def _section_problem(name: str, section: Any) -> str | None:
    """Why a section of the tree's vocabulary file cannot be used, or None."""
    if section is None or (name not in _TEXT_SECTIONS and name != "labels"):
        return None
    if not isinstance(section, dict):
        return f"must be `value: text` lines, not {type(section).__name__ if not isinstance(section, list) else 'a list'}"
    if name == "labels":
        wrong = [str(field) for field, values in section.items() if values is not None and not isinstance(values, dict)]
        if wrong:
            return f"must hold `value: text` lines under each field; `{wrong[0]}` does not"
    return None


def _beslishulp_labels(section: Any, labels: dict[str, dict[str, str]]) -> tuple[dict[str, tuple[tuple[str, str], ...]], list[str]]:
    """``label text: [field/value, ...]``; entries naming no vocabulary value are reported and left out."""
    mapping: dict[str, tuple[tuple[str, str], ...]] = {}
    problems: list[str] = []
    for label, entries in (section or {}).items() if isinstance(section, dict) else ():
        pairs = []
        for entry in entries if isinstance(entries, list) else [entries] if entries else []:
            key, _, value = str(entry).partition("/")
            if value in labels.get(key, {}):
                pairs.append((key, value))
            else:
                problems.append(
                    f"`{BESLISHULP_LABELS}`: `{label}` maps to `{entry}`, which is no field/value of the `labels` section; write e.g. `rol-ai-act/aanbieder`"
                )
        mapping[str(label)] = tuple(pairs)
    return mapping, problems


def find_beside(root: Path, relative: Path) -> Path | None:
    """A file of the tree's project, in the tree itself or in the folder above it (when that is the project)."""
    project = boundary.project_root(root)
    for base in (root, root.parent):
        if (base / relative).is_file() and boundary.inside(base / relative, project):
            return base / relative
    return None


def parse_glossary(text: str) -> Glossary:
    """The abbreviations (``*[TERM]: definition``) of a glossary file; the first definition of a term wins."""
    terms: dict[str, str] = {}
    for line in text.splitlines():
        if match := _ABBREVIATION.match(line.strip()):
            terms.setdefault(match["term"].strip(), match["definition"])
    return Glossary(terms)


def load_glossary(root: Path) -> tuple[Glossary, Path | None]:
    """The glossary file found beside or above ``root`` and its terms (an empty glossary without one)."""
    path = find_beside(root, GLOSSARY_FILE)
    if path is None:
        return Glossary(), None
    return parse_glossary(path.read_text("utf-8", errors="replace")), path


# -- whole trees -------------------------------------------------------------------------


@dataclass
class LoadedTree:
    """A whole tree as loaded: its root, the indexed kader, each page's body and the findings."""

    root: Path
    kader: Kader
    bodies: dict[str, str]
    findings: list[Finding]


def load_tree(root: Path) -> LoadedTree:
    """Every page of a tree, indexed, with the findings of loading it."""
    root = Path(root)
    vocabulary, findings = load_vocabulary(root)
    glossary, _ = load_glossary(root)

    walked = boundary.walk(root)
    findings.extend(walked.findings)

    def files() -> Iterator[tuple[PurePosixPath, bytes | OSError]]:
        for relative in iter_markdown(root, walked):
            try:
                yield PurePosixPath(relative.as_posix()), (root / relative).read_bytes()
            except OSError as error:
                yield PurePosixPath(relative.as_posix()), error

    return load_files(root, files(), vocabulary, glossary, findings)


def load_files(
    root: Path,
    files: Iterable[tuple[PurePosixPath, bytes | OSError]],
    vocabulary: Vocabulary,
    glossary: Glossary,
    findings: list[Finding],
) -> LoadedTree:
    """A tree from its page files (path relative to the tree, and bytes or why they could not be read),
    wherever they come from: a folder, or a revision in git (:mod:`kaderpers.core.revisions`)."""
    pages: list[Page] = []
    bodies: dict[str, str] = {}
    for relative, raw in files:
        path = relative.as_posix()
        if isinstance(raw, OSError):
            findings.append(Finding(path, None, "encoding.invalid", f"cannot read the file: {raw.strerror or raw}"))
            continue
        loaded = load_page(docname_of(relative), path, raw, vocabulary)
        findings.extend(loaded.findings)
        pages.append(loaded.page)
        bodies[loaded.page.docname] = loaded.body
    return LoadedTree(root, Kader(pages, vocabulary, glossary), bodies, findings)
