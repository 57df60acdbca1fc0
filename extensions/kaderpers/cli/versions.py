"""``kaderpers build --versions SPEC``: several releases of one repository, side by side in one site.

1. The releases SPEC names (:mod:`kaderpers.core.releases`), oldest first, each exported from
   git into ``OUT/.versions/src/<content key>`` (never a checkout).
2. Each release's history (what every release added, changed or renamed) from the same
   comparison as ``kaderpers diff``.
3. Each release built by its own ``kaderpers build`` process (``-j`` of them at once) into
   ``OUT/.versions/builds/<key>``, compared with the release before it (its Wijzigingen page).
   The key covers the release's content, its history, kaderpers' version and the build
   options, so a release built before is reused: adding a release builds that one only.
   A release that does not build is reported and left out; the rest is published.
4. The site put together in a staging folder and published whole: ``OUT/html/<release>/``,
   ``OUT/html/latest/`` (the newest, as hard links: an alias, not a second build), an index
   of the releases, and ``versions.json`` (with ``versions.js``, the same list for pages opened
   from ``file://``). Identical files of different releases are hard links of one file.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import jinja2

from .. import bundled
from ..core.loader import LoadedTree, load_tree
from ..core.releases import LATEST, Release, Repository, export, first_history, next_history, repository_of, resolve
from ..core.revisions import RevisionError
from ..folders import PRINT_CACHE, PRINT_CACHE_VARIABLE, STAGING
from ..version import __version__
from . import output
from .build import BuildRequest, fail, step

VERSIONS_FOLDER = ".versions"
VERSIONS_JSON = "versions.json"
VERSIONS_SCRIPT = "versions.js"
INDEX_TEMPLATE = "kaderpers-versions-index.html"
#: Files of the root: the index's stylesheet, beside versions.json.
ROOT_STATIC = ("kaderpers-versions-index.css",)
DONE = "kaderpers-release.json"
#: Beside a built release: each file of its site with its size and digest.
MANIFEST = "kaderpers-manifest.json"


@dataclass(frozen=True)
class ReleaseBuild:
    """One release to build: where its exported tree is, and where its build goes."""

    release: Release
    content: Path
    folder: Path
    key: str
    history_file: Path
    #: The release before it, compared with on its Wijzigingen page (None for the oldest).
    previous: tuple[str, Path] | None


def _key(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    return digest.hexdigest()[:24]


def _code_key() -> str:
    """kaderpers' version and code: a new kaderpers builds every release anew."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def build_options(request: BuildRequest) -> list[str]:
    """The options every release's build gets from the command line."""
    options = ["-j", "1" if request.versions_jobs > 1 else str(request.jobs)]
    if request.pdf:
        options.append("--pdf")
    if request.handouts:
        options += ["--handouts", request.handouts]
    if request.strict:
        options.append("--strict")
    if not request.tagged:
        options.append("--untagged")
    if request.isolated:
        options.append("--isolated")
    if request.beslishulp:
        options += ["--beslishulp", request.beslishulp]
    for setting in request.overrides:
        options += ["-D", setting]
    return options


def release_command(build: ReleaseBuild, request: BuildRequest) -> list[str]:
    command = [sys.executable, "-m", "kaderpers.cli", "build", str(build.content), "--out", str(build.folder), *build_options(request)]
    command += ["-D", f"kaderpers_release_name={build.release.name}", "-D", f"kaderpers_history_file={build.history_file}"]
    # The release is named on the PDF's cover, not in the site's pages: an unchanged page stays one file.
    command += ["-D", f"kaderpers_edition_version={build.release.name}"]
    base = _overridden(request.overrides, "html_baseurl")
    if base:
        command += ["-D", f"html_baseurl={base.rstrip('/')}/{build.release.slug}/"]
    if build.previous is not None:
        name, folder = build.previous
        command += ["--compare-to", str(folder), "--compare-label", name]
    return command


def _overridden(overrides: Sequence[str], name: str) -> str:
    values = [setting.partition("=")[2] for setting in overrides if setting.partition("=")[0].strip() == name]
    return values[-1] if values else ""


def _export(release: Release, repository: Repository, sources: Path) -> Path:
    """The release's content tree, exported from git once (keyed on its project folder's content)."""
    folder = sources / release.tree
    if not (folder / DONE).is_file():
        if folder.exists():
            shutil.rmtree(folder)
        export(release, repository, folder)
        (folder / DONE).write_text(json.dumps(asdict(release)), "utf-8")
    content = folder / repository.content
    if not content.is_dir():
        raise RevisionError(f"it has no folder {repository.content or '.'} in its project")
    return content


def _tree(content: Path) -> LoadedTree:
    tree = load_tree(content)
    if not tree.kader.pages:
        raise RevisionError(f"it has no pages at {content.name}")
    return tree


def plan(request: BuildRequest) -> tuple[list[ReleaseBuild], list[str]]:
    """The releases to publish, oldest first, each with its history written; and what was left out.

    A release's key covers kaderpers' code, the build options and every release up to it (name
    and content): its history is a function of those. A release built before under its key is
    reused without reading its tree; for one to build, its history is the release before it's
    (kept beside the builds) plus what this release changed."""
    from ..sphinxext.changes import anchor  # the anchors of the Wijzigingen page the release build writes

    repository = repository_of(request.content)
    releases, problems = resolve(request.versions, repository)
    state = request.out / VERSIONS_FOLDER
    chain = [_code_key(), json.dumps(build_options(request))]
    builds: list[ReleaseBuild] = []
    trees: dict[Path, LoadedTree] = {}

    def tree_of(content: Path) -> LoadedTree:
        if content not in trees:
            trees[content] = _tree(content)
        return trees[content]

    for release in releases:
        previous = builds[-1] if builds else None
        key = _key(*chain, release.name, release.tree)
        folder, history_file = state / "builds" / key, state / "history" / f"{key}.json"
        try:
            content = _export(release, repository, state / "src")
            if not ((folder / DONE).is_file() and history_file.is_file()):
                tree = tree_of(content)
                if previous is None:
                    history = first_history(tree)
                else:
                    older = json.loads(previous.history_file.read_text("utf-8"))["pages"]
                    history = next_history(older, tree_of(previous.content), tree, release, anchor)
                oldest = builds[0].release.name if builds else release.name
                history_file.parent.mkdir(parents=True, exist_ok=True)
                history_file.write_text(json.dumps({"oldest": oldest, "pages": dict(sorted(history.items()))}, ensure_ascii=False, sort_keys=True), "utf-8")
        except (RevisionError, OSError, ValueError) as error:
            problems.append(f"{release.name} is left out: {error}")
            continue
        chain += [release.name, release.tree]
        builds.append(ReleaseBuild(release, content, folder, key, history_file, (previous.release.name, previous.content) if previous else None))
    return builds, problems


def _build_one(build: ReleaseBuild, request: BuildRequest) -> tuple[ReleaseBuild, bool, str]:
    done = build.folder / DONE
    if done.is_file():
        return build, True, "reused"
    log = build.folder.with_suffix(".log")
    build.folder.mkdir(parents=True, exist_ok=True)
    with open(log, "w", encoding="utf-8") as handle:
        # The releases share one print cache: most of their diagrams and images are the same.
        environment = {PRINT_CACHE_VARIABLE: str(request.out / VERSIONS_FOLDER / PRINT_CACHE), **os.environ, "NO_COLOR": "1"}
        result = subprocess.run(release_command(build, request), stdout=handle, stderr=subprocess.STDOUT, check=False, env=environment)
    if result.returncode != 0:
        lines = log.read_text("utf-8", "replace").strip().splitlines()
        return build, False, f"its build failed (exit {result.returncode}; log: {log}): {lines[-1] if lines else ''}"
    write_manifest(build.folder / "html")
    done.write_text(json.dumps(asdict(build.release)), "utf-8")
    return build, True, "built"


def _digest(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def write_manifest(site: Path) -> dict[str, list]:
    """Each file of a built release with its size and digest, kept beside it (``MANIFEST``): the site is
    put together from many releases, and a release built before is not read again for that."""
    manifest = {}
    for folder, _, files in os.walk(site):
        for name in files:
            path = Path(folder, name)
            if not path.is_symlink():
                manifest[path.relative_to(site).as_posix()] = [path.stat().st_size, _digest(path)]
    (site.parent / MANIFEST).write_text(json.dumps(manifest), "utf-8")
    return manifest


def _manifest(site: Path) -> dict[str, list]:
    try:
        return json.loads((site.parent / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return write_manifest(site)


def _link_tree(source: Path, target: Path, seen: dict[tuple[int, str], Path]) -> None:
    """``target`` as hard links of ``source``'s files, a file with the same content as one seen before linked to that one."""
    for relative, (size, digest) in sorted(_manifest(source).items()):
        path, linked = source / relative, target / relative
        linked.parent.mkdir(parents=True, exist_ok=True)
        original = seen.setdefault((size, digest), path)
        try:
            os.link(original, linked)
        except OSError:  # another file system: a copy
            shutil.copy2(original, linked)


def versions_document(published: Sequence[ReleaseBuild]) -> dict[str, object]:
    """``versions.json``: the releases, newest first, with their folder and date; ``latest`` names the newest."""
    newest = published[-1].release
    return {
        "latest": newest.slug,
        "versions": [{"name": b.release.name, "slug": b.release.slug, "date": b.release.date, "latest": b.release is newest} for b in reversed(published)],
    }


def write_root(html: Path, published: Sequence[ReleaseBuild], title: str) -> None:
    document = versions_document(published)
    (html / VERSIONS_JSON).write_text(json.dumps(document, ensure_ascii=False, indent=1), "utf-8")
    # The same list as a script, for pages opened from file:// (where a page cannot fetch a file).
    (html / VERSIONS_SCRIPT).write_text(f"window.kaderpersVersions = {json.dumps(document, ensure_ascii=False)};\n", "utf-8")
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(bundled.templates()), autoescape=True)
    page = environment.get_template(INDEX_TEMPLATE).render(title=title, versions=document["versions"], latest=LATEST)
    (html / "index.html").write_text(page, "utf-8")
    for name in ROOT_STATIC:
        shutil.copyfile(bundled.static() / name, html / name)


def assemble(request: BuildRequest, published: Sequence[ReleaseBuild]) -> Path:
    """The whole site in a staging folder: every release, ``latest``, the index and versions.json."""
    staging = request.out / STAGING / "versions-html"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    seen: dict[tuple[int, str], Path] = {}
    for build in published:
        _link_tree(build.folder / "html", staging / build.release.slug, seen)
    _link_tree(published[-1].folder / "html", staging / LATEST, seen)
    write_root(staging, published, _overridden(request.overrides, "kaderpers_edition_title") or "Algoritmekader")
    return staging


def publish_pdfs(request: BuildRequest, published: Sequence[ReleaseBuild]) -> None:
    """Each release's PDFs in ``OUT/pdf/<release>/``."""
    for build in published:
        source = build.folder / "pdf"
        if source.is_dir():
            output.mirror(source, request.pdf_dir / build.release.slug)


def run_versions(request: BuildRequest) -> int:
    step(f"releases {request.versions} of {request.content}")
    try:
        with output.exclusive(request.out):
            builds, problems = plan(request)
            for problem in problems:
                fail(problem)
            if not builds:
                fail("no release to publish; check --versions against `git tag --list`")
                return 1
            print(f"kaderpers: {len(builds)} releases: {', '.join(b.release.name for b in builds)}", file=sys.stderr, flush=True)
            results: dict[str, tuple[bool, str]] = {}
            with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, request.versions_jobs)) as pool:
                for number, (build, ok, note) in enumerate(pool.map(lambda b: _build_one(b, request), builds), start=1):
                    results[build.key] = (ok, note)
                    print(f"kaderpers: [{number}/{len(builds)}] {build.release.name}: {note}", file=sys.stderr, flush=True)
            published = [build for build in builds if results[build.key][0]]
            failed = [build for build in builds if not results[build.key][0]]
            for build in failed:
                fail(f"{build.release.name} is left out: {results[build.key][1]}")
            if not published:
                fail("no release could be built; nothing was published")
                return 1
            staging = assemble(request, published)
            request.html_dir.parent.mkdir(parents=True, exist_ok=True)
            output.publish(staging, request.html_dir)
            shutil.rmtree(staging, ignore_errors=True)
            publish_pdfs(request, published)
    except (output.OutputError, RevisionError, OSError) as error:
        fail(str(error))
        return 1
    print(
        f"kaderpers: published {len(published)} releases in {request.html_dir} (newest: {published[-1].release.name}, also as {LATEST}/)",
        file=sys.stderr,
        flush=True,
    )
    return 1 if (failed or problems) and request.strict else 0
