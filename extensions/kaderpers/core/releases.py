"""Releases of a kader in one git repository: which ones, their content keys, and each record's history.

``kaderpers build --versions SPEC`` publishes several releases side by side. This module
is its Sphinx-free half:

* :func:`resolve` turns SPEC (tag patterns such as ``v*`` and explicit revisions, separated
  by commas) into :class:`Release` objects, oldest first, each with its commit, date and
  the git object id of its project folder: equal ids mean equal content, so a release
  built before is reused.
* :func:`export` writes a release's project folder (the tree and, beside it, ``mkdocs.yml``
  and ``includes/``) from ``git archive`` into a folder, never checking anything out and
  never writing outside that folder.
* :func:`next_history` compares a release with the one before it (:func:`core.diff.compare`,
  the pairing ``kaderpers diff`` uses, so a renamed record keeps its history) and gives every
  page the list of releases that added, changed or renamed it, from the history before it.
"""

from __future__ import annotations

import fnmatch
import io
import re
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TypedDict

from .diff import Change, PageDiff, compare
from .loader import LoadedTree
from .revisions import PREFIX, RevisionError, git_output

#: The folder of the newest release, an alias of its own folder.
LATEST = "latest"
#: Characters a release's folder name keeps; others become "-".
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_GLOB = re.compile(r"[*?\[]")
_NUMBERS = re.compile(r"\d+|\D+")


@dataclass(frozen=True)
class Release:
    """One release: the name as SPEC or the tag gave it, and where its content is."""

    name: str
    commit: str
    #: The commit's date (ISO 8601, ``YYYY-MM-DD``).
    date: str
    #: The git object id of the project folder at this release: the key of its content.
    tree: str
    #: The folder under ``OUT/html`` (the name with unsafe characters replaced).
    slug: str


@dataclass(frozen=True)
class Repository:
    """The repository that holds a content tree, and the tree's and its project's place in it."""

    top: Path
    #: The content tree's place, relative to ``top`` (``""`` for the top itself).
    content: PurePosixPath
    #: The project folder's place: the content's parent when it holds ``mkdocs.yml``, else the content.
    project: PurePosixPath


class HistoryEntry(TypedDict):
    """What one release did to a page: added it, changed it or renamed it (or changed and renamed)."""

    release: str
    slug: str
    changes: list[str]
    #: The anchor of the page's entry on that release's Wijzigingen page, by change.
    anchors: dict[str, str]


#: Every page's history up to a release: ``{docname: [entry, ...]}``, oldest entry first.
History = dict[str, list[HistoryEntry]]


def repository_of(content: Path) -> Repository:
    """The repository holding ``content``; the project is the folder above when it holds ``mkdocs.yml``."""
    content = Path(content).resolve()
    try:
        top = Path(git_output(content, "rev-parse", "--show-toplevel").decode("utf-8").strip()).resolve()
    except RevisionError as error:
        raise RevisionError(f"{content} is not in a git repository ({error}); --versions builds the releases of a repository") from error
    place = PurePosixPath(content.relative_to(top).as_posix())
    project = place.parent if place != PurePosixPath(".") and (content.parent / "mkdocs.yml").is_file() else place
    return Repository(top, PurePosixPath("") if place == PurePosixPath(".") else place, PurePosixPath("") if project == PurePosixPath(".") else project)


def version_key(name: str) -> tuple[object, ...]:
    """A sort key that orders ``v2.10.0`` after ``v2.9.1`` (numbers by value, the rest as text)."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in _NUMBERS.findall(name.lstrip("vV")))


def slug_of(name: str) -> str:
    """The folder of a release under ``OUT/html``: its name with unsafe characters replaced, never ``latest``."""
    slug = _UNSAFE.sub("-", name).strip("-.") or "versie"
    return f"{slug}-versie" if slug == LATEST else slug


def parse_spec(spec: str) -> list[str]:
    """The items of SPEC: separated by commas or white space, each a tag pattern or a revision."""
    items = [item for item in re.split(r"[,\s]+", spec.strip()) if item]
    if not items:
        raise RevisionError("--versions names no release; give tag patterns or revisions, e.g. --versions 'v*' or --versions v2.4.0,v2.5.1")
    for item in items:
        if item.startswith("-"):
            raise RevisionError(f"`{item}` in --versions is not a revision (it starts with '-')")
    return items


def resolve(spec: str, repository: Repository) -> tuple[list[Release], list[str]]:
    """The releases SPEC names, oldest first, and a message for each item that names none.

    A pattern (``v*``) names the repository's tags that match it; any other item is a revision
    (tag, branch or commit). A release is taken once, however many items name it."""
    problems: list[str] = []
    tags = git_output(repository.top, "tag", "--list").decode("utf-8", "replace").split()
    names: list[str] = []
    for item in parse_spec(spec.removeprefix(PREFIX)):
        if _GLOB.search(item):
            matched = [tag for tag in tags if fnmatch.fnmatchcase(tag, item)]
            if not matched:
                problems.append(f"no tag matches `{item}`")
            names.extend(matched)
        else:
            names.append(item)
    releases: dict[str, Release] = {}
    slugs: dict[str, str] = {}
    for name in names:
        if name in releases:
            continue
        try:
            commit = git_output(repository.top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{name}^{{commit}}").decode().strip()
        except RevisionError:
            problems.append(f"`{name}` is not a revision of {repository.top}")
            continue
        date = git_output(repository.top, "show", "-s", "--format=%cs", commit).decode().strip()
        where = repository.project.as_posix() or "."
        try:
            tree = git_output(repository.top, "rev-parse", "--verify", "--quiet", f"{commit}:{'' if where == '.' else where}").decode().strip()
        except RevisionError:
            problems.append(f"{name} is left out: it has no folder {where} (a release older than the tree's place in the repository)")
            continue
        slug = slug_of(name)
        if slug in slugs:
            problems.append(f"{name} is left out: it would share the folder {slug} with {slugs[slug]}")
            continue
        slugs[slug] = name
        releases[name] = Release(name, commit, date, tree, slug)
    ordered = sorted(releases.values(), key=lambda release: (version_key(release.name), release.date))
    return ordered, problems


def export(release: Release, repository: Repository, target: Path) -> Path:
    """The release's project folder written into ``target`` from ``git archive``; returns its content tree.

    Only regular files and folders are written (links and anything that would land outside
    ``target`` are left out: tarfile's ``data`` filter), so a release cannot reach outside."""
    place = repository.project.as_posix()
    archive = git_output(repository.top, "archive", "--format=tar", release.commit, *([place] if place else []))
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        members = [member for member in tar.getmembers() if member.isfile() or member.isdir()]
        tar.extractall(target, members=members, filter="data")
    return target / repository.content


def first_history(tree: LoadedTree) -> History:
    """The history of the oldest release's pages: none (there is nothing older to compare with)."""
    return {docname: [] for docname in tree.kader.pages}


def next_history(previous: History, old: LoadedTree, new: LoadedTree, release: Release, anchor: Callable[[PageDiff, Change], str]) -> History:
    """Every page's history up to ``release`` (the tree ``new``), from the history up to the release before it (``old``).

    A page ``release`` added gets its entry alone; a changed or renamed page gets the entries of
    its old name and this release's. The comparison is ``kaderpers diff``'s, so a renamed record
    keeps its history; ``anchor(item, change)`` names a page's entry on the release's Wijzigingen page."""
    diff = compare(old, new)
    renamed_from = {item.new.docname: item.old.docname for item in diff.renamed}
    entries: dict[str, HistoryEntry] = {}
    for change in (Change.ADDED, Change.CHANGED, Change.RENAMED):
        for item in getattr(diff, change.value):
            entry = entries.setdefault(item.new.docname, HistoryEntry(release=release.name, slug=release.slug, changes=[], anchors={}))
            entry["changes"].append(change.value)
            entry["anchors"][change.value] = anchor(item, change)
    history: History = {}
    for docname in new.kader.pages:
        entry = entries.get(docname)
        if entry is not None and Change.ADDED.value in entry["changes"]:
            history[docname] = [entry]
            continue
        older = previous.get(renamed_from.get(docname, docname), [])
        history[docname] = [*older, entry] if entry is not None else list(older)
    return history
