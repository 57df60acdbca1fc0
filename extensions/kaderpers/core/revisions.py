"""A content tree as it was at a git revision, read from git and never checked out.

``git:REV`` names the tree at the same place in the repository that holds the
current tree, at revision ``REV`` (a commit, tag or branch); there it must have
pages. One ``git ls-tree``
lists its files and one ``git cat-file --batch`` reads them all, so reading an
old version costs about as much as reading the folder.
"""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath

from .findings import Finding
from .loader import GLOSSARY_FILE, VOCABULARY_FILE, LoadedTree, is_page_file, load_files, parse_glossary, vocabulary_from
from .model import Glossary

PREFIX = "git:"
#: Git file modes of ordinary files; links and submodules could point outside the tree.
_FILE_MODES = frozenset({"100644", "100755"})


class RevisionError(Exception):
    """The revision or the repository cannot be read; the message says what to do."""


def is_revision(spec: str) -> bool:
    """Whether ``spec`` names a git revision (``git:REV``) rather than a folder."""
    return spec.startswith(PREFIX)


def git_output(folder: Path, *arguments: str, stdin: bytes | None = None) -> bytes:
    """What ``git -C folder ARGUMENTS`` prints; a :class:`RevisionError` with git's own last line when it fails."""
    try:
        result = subprocess.run(["git", "-C", str(folder), *arguments], input=stdin, capture_output=True, check=False)
    except OSError as error:
        raise RevisionError(f"cannot run git ({error.strerror}); install git to compare with a revision") from error
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RevisionError(message[-1] if message else f"git {arguments[0]} failed")
    return result.stdout


def load_revision(spec: str, current: Path) -> LoadedTree:
    """The tree at ``current``'s place in its repository, at the revision ``spec`` (``git:REV``) names."""
    revision = spec.removeprefix(PREFIX).strip()
    if not revision or revision.startswith("-"):
        raise RevisionError(f"`{spec}` names no revision; write git:REV, for example git:v2.5.1 or git:HEAD~3")
    current = Path(current).resolve()
    try:
        top = Path(git_output(current, "rev-parse", "--show-toplevel").decode("utf-8").strip()).resolve()
    except RevisionError as error:
        raise RevisionError(f"{current} is not in a git repository ({error}); give the version as a folder instead") from error
    prefix = current.relative_to(top).as_posix()
    try:
        commit = git_output(top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}").decode().strip()
    except RevisionError as error:
        raise RevisionError(f"`{revision}` is not a revision of {top}; check the name with `git log`") from error
    base = "" if prefix == "." else prefix + "/"
    listing = git_output(top, "ls-tree", "-r", "-z", "--full-tree", commit, "--", base or ".")
    pages: list[tuple[PurePosixPath, str]] = []
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, path = entry.partition(b"\t")
        mode, kind, sha = meta.decode().split()
        relative = PurePosixPath(path.decode("utf-8", "surrogateescape").removeprefix(base))
        if kind == "blob" and mode in _FILE_MODES and is_page_file(relative):
            pages.append((relative, sha))
    pages.sort()
    if not pages:
        where = f"{base or './'} of {top}"
        raise RevisionError(f"`{revision}` has no kader tree at {where} (no pages there); choose a revision that has it, or another tree")
    # The vocabulary lives in the tree; the glossary in the tree or the folder above it.
    parent = str(PurePosixPath(base).parent) + "/" if base and PurePosixPath(base).parent != PurePosixPath(".") else ""
    extras = [f"{commit}:{base}{VOCABULARY_FILE}", f"{commit}:{base}{GLOSSARY_FILE.as_posix()}"]
    if base:
        extras.append(f"{commit}:{parent}{GLOSSARY_FILE.as_posix()}")
    contents = _cat(top, [sha for _, sha in pages] + extras)
    findings: list[Finding] = []
    vocabulary, vocabulary_findings = vocabulary_from(contents[len(pages)])
    findings.extend(vocabulary_findings)
    glossary_bytes = next((found for found in contents[len(pages) + 1 :] if found is not None), None)
    glossary = parse_glossary(glossary_bytes.decode("utf-8", "replace")) if glossary_bytes is not None else Glossary()
    files = (
        (relative, content if content is not None else OSError(f"missing from {revision}")) for (relative, _), content in zip(pages, contents, strict=False)
    )
    return load_files(Path(f"{spec}"), files, vocabulary, glossary, findings)


def _cat(top: Path, objects: list[str]) -> list[bytes | None]:
    """The contents of git objects, in order (None for one that does not exist or is no file)."""
    output = git_output(top, "cat-file", "--batch", stdin="".join(f"{name}\n" for name in objects).encode("utf-8", "surrogateescape"))
    contents: list[bytes | None] = []
    position = 0
    for _ in objects:
        end = output.index(b"\n", position)
        header = output[position:end]
        position = end + 1
        if header.endswith((b" missing", b" ambiguous")):
            contents.append(None)
            continue
        _, kind, size = header.split()
        contents.append(output[position : position + int(size)] if kind == b"blob" else None)
        position += int(size) + 1
    return contents
