"""The tree is a boundary: nothing outside a kader's project is read into its publication.

The *project root* is the folder that holds the tree's ``mkdocs.yml`` (the tree
itself or the folder above it, as in the kader's repository), else the content
tree. Pages, images, downloads and included files must lie inside it once every
symlink is followed: the real kader links ``docs/.../CONTRIBUTING.md`` to the
repository's own ``CONTRIBUTING.md``, and that stays allowed. Symlinked folders
that lead back into themselves are never followed.

Used by ``kaderpers check`` (a walk of the tree and a scan of each page's
references) and by the build (the same walk decides what Sphinx may find; the
Sphinx side checks the paths its directives and nodes actually use).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import limits
from .findings import Finding

PROJECT_FILE = "mkdocs.yml"
#: Directives of MyST, docutils and Sphinx that read a file named by their argument.
READING_DIRECTIVES = frozenset({"include", "literalinclude", "image", "figure"})
#: Directives that read a file named by an option: ``:file:`` (or fetch a ``:url:``), sphinx-design's card images.
FILE_OPTION_DIRECTIVES = frozenset({"csv-table", "raw", "card", "grid-item-card"})

_MYST_DIRECTIVE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,}|:{3,})\{(?P<name>[\w:-]+)\}[ \t]*(?P<argument>.*?)\s*$")
_RST_DIRECTIVE = re.compile(r"^\s*\.\.\s+(?:\|[^|]+\|\s+)?(?P<name>[\w:-]+)::[ \t]*(?P<argument>.*?)\s*$")
_OPTION = re.compile(r"^\s*:(?P<name>file|url|img-top|img-bottom|img-background):[ \t]*(?P<value>.*?)\s*$")
#: Link text may hold one level of brackets; possessive (``*+``), so a line of ``[[[[…`` is read in linear time.
_INLINE_LINK = re.compile(r"(?P<image>!?)\[(?:[^\[\]]|\[[^\[\]]*\])*+\]\(\s*(?:<(?P<angled>[^>]*)>|(?P<plain>[^)\s]+))")
_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(?P<target>[^>\s]+)>?")
_DOWNLOAD_ROLE = re.compile(r"\{download\}`(?:[^`<]*<(?P<angled>[^>`]+)>|(?P<plain>[^`]+))`")
_FENCE = re.compile(r"^\s*(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")


def project_root(content: Path) -> Path:
    """The folder that holds the tree's ``mkdocs.yml``, else the tree; resolved."""
    content = Path(os.path.realpath(content))
    for folder in (content, content.parent):
        if (folder / PROJECT_FILE).is_file():
            return folder
    return content


def inside(path: str | os.PathLike[str], root: Path) -> bool:
    """Whether ``path``, every symlink followed, lies in ``root`` (a resolved folder)."""
    real = os.path.realpath(path)
    return real == str(root) or real.startswith(str(root).rstrip(os.sep) + os.sep)


def is_local(target: str) -> bool:
    """A reference to a file (no URL scheme, host, anchor or query only)."""
    target = target.strip()
    if not target or target.startswith(("#", "?")):
        return False
    parts = urlsplit(target)
    return not (parts.scheme and len(parts.scheme) > 1) and not parts.netloc  # `C:` is a drive, not a scheme


def local_path(target: str) -> str:
    """The file part of a local reference: no anchor or query, percent-escapes decoded."""
    return unquote(urlsplit(target.strip()).path)


#: Bytes in a file name on the file systems a site is built and served from (ext4, APFS, NTFS).
NAME_MAX = 255
#: What the build adds to a page's name for the files made from it (``x.md`` → ``x.doctree``).
_PAGE_NAME_GROWTH = len(".doctree") - len(".md")


def _name_problem(name: str) -> str | None:
    """Why a name of the tree cannot be published, or None: Sphinx stops the whole build on a name
    it cannot print (not UTF-8; Python keeps such bytes as lone surrogates) or cannot write."""
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:
        return "is not valid UTF-8 (undecodable bytes are shown as \ufffd)"
    if name.endswith(".md") and size + _PAGE_NAME_GROWTH > NAME_MAX:
        return f"is {size} bytes long, too long for the files the build makes from it (at most {NAME_MAX - _PAGE_NAME_GROWTH})"
    return None


def not_a_file(path: str | os.PathLike[str]) -> str | None:
    """What ``path`` is when it exists but is no regular file, else None (every symlink followed).

    Reading a named pipe waits for a writer that never comes, a device (``/dev/zero``) never
    ends, a folder cannot be read: none of them is opened.
    """
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):  # missing, unreadable, or a name with a NUL byte: the reader reports it
        return None
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    return "a socket" if stat.S_ISSOCK(mode) else "a device"


def not_a_file_finding(shown: str, line: int | None, what: str, target: str, kind: str) -> Finding:
    """The finding for a reference at ``line`` of ``shown`` whose target is ``kind``, not a file."""
    return Finding(
        shown, line, "boundary.not-a-file",
        f"{what} `{target}` is {kind}, not a file, and is not read; point it at a file of the tree",
    )  # fmt: skip


# -- walking a tree ---------------------------------------------------------------------


@dataclass
class Walk:
    """What a walk of a content tree found: its files, and what it would not follow."""

    files: list[Path] = field(default_factory=list)  # relative to the tree, in a stable order
    refused: list[str] = field(default_factory=list)  # relative paths of symlinks not followed
    findings: list[Finding] = field(default_factory=list)


def walk(content: Path, project: Path | None = None) -> Walk:
    """Every file of ``content``, following symlinks that stay inside the project root.

    A symlink that leads outside it, back into a folder being walked (a loop) or
    to nothing is not followed: it is a finding and listed in ``refused``. Hidden
    folders (``.git``) are not walked.
    """
    content = Path(os.path.realpath(content))
    project = project or project_root(content)
    result = Walk()
    # (relative folder, real folders on the way down) : a loop leads back to one of them
    pending: list[tuple[Path, tuple[str, ...]]] = [(Path(), (str(content),))]
    while pending:
        relative, ancestors = pending.pop()
        try:
            entries = sorted(os.scandir(content / relative), key=lambda entry: entry.name)
        except OSError as error:
            if error.errno == errno.ENAMETOOLONG:  # deeper than the system's longest path
                finding = Finding(
                    relative.as_posix(), None, "file.name", "the path to this folder is too long to read; nest fewer folders or use shorter names"
                )
            else:
                finding = Finding(
                    relative.as_posix() or ".", None, "boundary.symlink", f"cannot read the folder: {error.strerror}; fix its permissions or remove it"
                )
            result.findings.append(finding)
            continue
        folders = []
        for entry in entries:
            path = relative / entry.name
            shown = path.as_posix()
            if problem := _name_problem(entry.name):
                readable = os.fsencode(shown).decode("utf-8", errors="replace")
                result.refused.append(shown)
                result.findings.append(Finding(readable, None, "file.name", f"the name {readable} {problem} and is not read; rename it"))
                continue
            if entry.is_symlink():
                real = os.path.realpath(entry.path)
                if not os.path.exists(real):
                    result.refused.append(shown)
                    result.findings.append(
                        Finding(shown, None, "boundary.symlink", f"symlink {shown} leads nowhere (or loops); remove it or point it at a file of the project")
                    )
                    continue
                if not inside(real, project):
                    result.refused.append(shown)
                    result.findings.append(
                        Finding(
                            shown,
                            None,
                            "boundary.outside",
                            f"symlink {shown} leads outside the project ({project}); copy the file into the tree instead of linking to it",
                        )
                    )
                    continue
                if os.path.isdir(real) and any(inside(ancestor, Path(real)) for ancestor in ancestors):
                    result.refused.append(shown)
                    result.findings.append(
                        Finding(
                            shown, None, "boundary.symlink", f"symlinked folder {shown} leads back into itself (a loop) and is not followed; remove the symlink"
                        )
                    )
                    continue
            if entry.is_dir():
                if not entry.name.startswith("."):
                    folders.append((path, (*ancestors, os.path.realpath(entry.path))))
            elif entry.is_file():
                result.files.append(path)
            elif kind := not_a_file(entry.path):
                # A named pipe named `x.md` would make Sphinx wait for a writer forever.
                result.refused.append(shown)
                result.findings.append(Finding(shown, None, "boundary.not-a-file", f"{shown} is {kind}, not a file, and is not read; remove it from the tree"))
        pending.extend(reversed(folders))
    result.files.sort()
    result.findings.extend(_case_collisions(result.files))
    return result


def _case_collisions(files: list[Path]) -> list[Finding]:
    """Files whose paths differ in case only: a checkout on macOS or Windows keeps one of them."""
    first: dict[str, Path] = {}
    findings = []
    for path in files:
        if (other := first.setdefault(path.as_posix().casefold(), path)) != path:
            findings.append(
                Finding(
                    path.as_posix(),
                    None,
                    "file.case",
                    f"{path.as_posix()} differs from {other.as_posix()} in case only; on macOS and Windows one replaces the other: rename one",
                )
            )
    return findings


# -- references in a page ------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """A link, image or include of a page that leads to a file: its line, target and what refers."""

    line: int
    target: str
    what: str  # "link", "image", "download", or the directive's name
    srcdir_relative: bool = False  # `/x` is relative to the tree for Sphinx, not to the disk


def references(body: str, first_line: int = 1) -> list[Reference]:
    """Files a page's text asks to be read: links, images, downloads, include-like directives.

    Plain code blocks are skipped; directive fences (``{include}``) are not.
    """
    found: list[Reference] = []
    code_fence: str | None = None
    directive_fences: list[str] = []  # open MyST directives: their content is read as Markdown (or rST)
    directive: tuple[str, int] | None = None  # the file-reading directive whose options follow, and its line
    for offset, line in enumerate(body.split("\n")):
        number = first_line + offset
        if code_fence is not None:
            if _closes(line, code_fence):
                code_fence = None
            continue
        if "{" in line and (match := _MYST_DIRECTIVE.match(line)):
            directive_fences.append(match["fence"])
            directive = _directive_reference(found, match["name"], match["argument"], number)
            continue
        if ".." in line and (match := _RST_DIRECTIVE.match(line)):
            directive = _directive_reference(found, match["name"], match["argument"], number)
            continue
        if ("`" in line or "~" in line or ":" in line) and (match := _FENCE.match(line)) and not match["info"].strip():
            if directive_fences and _closes(line, directive_fences[-1]):
                directive_fences.pop()
                directive = None
                continue
        if ("`" in line or "~" in line) and (match := _FENCE.match(line)) and match["fence"][0] != ":":
            code_fence = match["fence"]
            directive = None
            continue
        if directive is not None and (match := _OPTION.match(line)):
            name, directive_line = directive
            if match["name"].startswith("img-"):
                found.append(Reference(number, match["value"], "image", srcdir_relative=True))  # an image node, with its own line
            else:
                found.append(Reference(directive_line, match["value"], f"{name} :{match['name']}:", srcdir_relative=name == "csv-table"))
            continue
        if not line.strip().startswith(":"):
            directive = None
        if "](" in line:
            for match in _INLINE_LINK.finditer(line):
                target = match["angled"] if match["angled"] is not None else match["plain"]
                found.append(Reference(number, target, "image" if match["image"] else "link", srcdir_relative=True))
        if "]:" in line and (match := _DEFINITION.match(line)):
            found.append(Reference(number, match["target"], "link", srcdir_relative=True))
        if "{download}" not in line:
            continue
        for match in _DOWNLOAD_ROLE.finditer(line):
            found.append(Reference(number, (match["angled"] or match["plain"]).strip(), "download", srcdir_relative=True))
    return found


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(fence) and not stripped.strip(fence[0])


def _directive_reference(found: list[Reference], name: str, argument: str, line: int) -> tuple[str, int] | None:
    name = name.rsplit(":", 1)[-1]
    if name in READING_DIRECTIVES and argument:
        found.append(Reference(line, argument, name, srcdir_relative=True))
    return (name, line) if name in FILE_OPTION_DIRECTIVES or name in READING_DIRECTIVES else None


def candidate_paths(target: str, page_folder: Path, srcdir: Path, *, srcdir_relative: bool) -> list[Path]:
    """Where a reader may look for ``target``: beside the page, or from the tree for ``/x``.

    Sphinx reads ``/x`` from the tree; docutils' own ``raw`` and ``include`` read
    it from the disk, so both are candidates unless the reader is known.
    """
    path = local_path(target)
    if target.strip().startswith("<") and target.strip().endswith(">"):
        return [Path("/") / path.strip("<>")]  # docutils' standard includes: files outside any tree
    if path.startswith("/"):
        candidates = [srcdir / path.lstrip("/")]
        if not srcdir_relative:
            candidates.append(Path(path))
        return candidates
    return [page_folder / path]


def outside_references(found: list[Reference], page: Path, srcdir: Path, project: Path, shown: str) -> list[Finding]:
    """Findings for the references of a page (at ``page``, shown as ``shown``) that leave the project."""
    findings = []
    for reference in found:
        if reference.what.endswith(":url:"):
            findings.append(
                Finding(
                    shown,
                    reference.line,
                    "boundary.outside",
                    f"{reference.what} fetches {reference.target} from the web while building; put the file in the tree and use :file:",
                )
            )
            continue
        if not is_local(reference.target):
            continue
        candidates = candidate_paths(reference.target, page.parent, srcdir, srcdir_relative=reference.srcdir_relative)
        if reference.what == "link":
            # A link is only read into the site (as a download) when it names an existing file that is
            # not a page: a link to a page is a cross-reference, which MyST reports when it leads nowhere.
            candidates = [path for path in candidates if path.is_file() and path.suffix != ".md"]
        if any(not inside(path, project) for path in candidates):
            findings.append(outside_finding(shown, reference.line, reference.what, reference.target, project))
    return findings


#: References whose file is read while building (a link to a folder is an ordinary link).
_READ_REFERENCES = frozenset({"image", "figure", "download", "include", "literalinclude", "csv-table :file:", "raw :file:"})


def not_a_file_references(found: list[Reference], page: Path, srcdir: Path, shown: str) -> list[Finding]:
    """Findings for the references of a page that are read while building but name no regular file."""
    findings = []
    for reference in found:
        if reference.what not in _READ_REFERENCES or not is_local(reference.target):
            continue
        for path in candidate_paths(reference.target, page.parent, srcdir, srcdir_relative=reference.srcdir_relative):
            if kind := not_a_file(path):
                findings.append(not_a_file_finding(shown, reference.line, reference.what, reference.target, kind))
                break
    return findings


#: Options of ``include`` that insert the file as text: the includes in it are not read.
_AS_TEXT = re.compile(r"^\s*:(?:literal|code):")
_OPTION_LINE = re.compile(r"^\s*:[\w-]+:")


def include_findings(found: list[Reference], page: Path, srcdir: Path, project: Path, body: str, first_line: int = 1) -> list[Finding]:
    """The includes of a page (``found`` in ``body``) that the build does not read (:func:`include_refusal`), as it
    reports them. MyST reads an included file's own includes too, relative to the page's folder, and numbers
    their lines from the included file's start; a file read as text (``:literal:``, ``:code:``) is not followed."""
    findings = []
    pending = [(found, body.split("\n"), first_line, [os.path.realpath(page)])]
    while pending:
        references_here, lines, first, including = pending.pop()
        for reference in references_here:
            if reference.what != "include" or not is_local(reference.target):
                continue
            path = os.path.realpath(candidate_paths(reference.target, page.parent, srcdir, srcdir_relative=True)[0])
            as_text = _read_as_text(lines, reference.line - first)
            if not os.path.isfile(path) or not_a_file(path) or not inside(path, project):
                continue  # reported as such (boundary.*), or by MyST when missing
            if refusal := include_refusal(reference.line, "include", reference.target, path, including, srcdir, as_text=as_text):
                findings.append(refusal)
            elif not as_text:
                text = Path(path).read_text("utf-8", errors="replace")
                pending.append((references(text), text.split("\n"), 1, [*including, path]))
    return findings


def include_refusal(line: int | None, what: str, target: str, path: str, including: list[str], srcdir: Path, *, as_text: bool) -> Finding | None:
    """Why the build does not read the file ``path`` (a real path) that ``target`` names at ``line`` of the last
    file of ``including`` (the page first), or None: it leads back into a file being included, it is included
    by an included file (:data:`limits.MAX_INCLUDE_DEPTH`), or its text nests past the limits of a page. The
    files of the chain are shown relative to ``srcdir``; ``as_text``: inserted as text, so not parsed."""
    shown = Path(os.path.relpath(including[-1], srcdir)).as_posix()
    chain = " → ".join(os.path.relpath(file, srcdir) for file in [*including, path])
    if path in including:
        message = f"{what} `{target}` leads back into a file being included ({chain}) and is not read; remove one of these includes"
        return Finding(shown, line, "include.loop", message)
    if len(including) > limits.MAX_INCLUDE_DEPTH:
        message = f"{what} `{target}` is inside an included file ({chain}) and is not read: an included file includes nothing; put its text there"
        return Finding(shown, line, "include.too-deep", message)
    if as_text:
        return None
    _, problems = limits.limit_page_text(Path(path).read_text("utf-8", errors="replace"), 1, os.path.relpath(path, srcdir))
    if problems:
        where = f"{os.path.relpath(path, srcdir)}:{problems[0].line}" if problems[0].line else os.path.relpath(path, srcdir)
        message = f"{what} `{target}` is not read: its text nests deeper than a page may ({where}: {problems[0].message.split(';')[0]}); nest fewer"
        return Finding(shown, line, "include.too-deep", message)
    return None


def _read_as_text(lines: list[str], directive: int) -> bool:
    """Whether the directive at index ``directive`` of ``lines`` has an option that inserts its file as text."""
    for line in lines[directive + 1 :]:
        if not _OPTION_LINE.match(line):
            return False
        if _AS_TEXT.match(line):
            return True
    return False


def outside_finding(shown: str, line: int | None, what: str, target: str, project: Path) -> Finding:
    """The finding for a reference at ``line`` of ``shown`` whose target lies outside the project."""
    return Finding(
        shown, line, "boundary.outside",
        f"{what} `{target}` leads outside the project ({project}) and is not published; "
        "copy the file into the tree and refer to it there",
    )  # fmt: skip
