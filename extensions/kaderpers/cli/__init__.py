"""The ``kaderpers`` command line: ``check`` a tree, ``build`` the site and PDFs, ``diff`` two versions."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from .. import bundled
from ..core.findings import format_text, has_failures
from ..core.report import FORMATS
from ..folders import PRINT_CACHE, PRINT_CACHE_VARIABLE
from ..version import __version__

if TYPE_CHECKING:
    from ..core.loader import LoadedTree

CONTENT_HELP = "root of the content tree (default: ./docs when there is one, else the bundled example kader)"


def default_content() -> Path:
    """``./docs`` when the current folder has one (the MkDocs convention), else the bundled example kader."""
    docs = Path("docs")
    return docs if docs.is_dir() else bundled.example_kader()


def _content_dir(value: str | None) -> Path:
    path = Path(value) if value else default_content()
    try:
        folder = path.is_dir()
    except OSError as error:  # a name too long for the file system, say
        shown = str(path) if len(str(path)) <= 200 else f"{str(path)[:200]}…"
        raise SystemExit(f"kaderpers: cannot read {shown} ({error.strerror}); give the root of a content tree (the folder with index.md)") from error
    if not folder:
        raise SystemExit(f"kaderpers: {path} is not a folder; give the root of a content tree (the folder with index.md)")
    return path.resolve()


#: The home page a tree must have for a build (Sphinx's ``root_doc``, set in :mod:`..sphinxext.defaults`).
HOME_PAGES = ("index.md", "index.rst")


def _buildable_dir(value: str | None) -> Path:
    """The content tree of ``build`` and ``serve``: a folder with a home page, else one clear line."""
    from ..core import boundary

    path = _content_dir(value)
    home = next((path / name for name in HOME_PAGES if os.path.lexists(path / name)), None)
    if home is not None and not boundary.inside(home, project := boundary.project_root(path)):
        raise SystemExit(f"kaderpers: {home} is a symlink that leads outside the project ({project}); the home page must be a file of the tree")
    if home is not None and (kind := boundary.not_a_file(home)):
        raise SystemExit(f"kaderpers: {home} is {kind}, not a file; the home page must be a Markdown file")
    if home is None or not home.is_file():
        what = "is empty" if not any(path.iterdir()) else "has no index.md"
        raise SystemExit(f"kaderpers: {path} {what}; a content tree needs an index.md with the home page (a `# Title` line is enough)")
    return path


def _output_dir(value: str, content: Path) -> Path:
    """``--out`` of ``build``: a folder of its own, outside the tree (a site inside it would be read
    as part of the tree by the next build), never the root of the file system."""
    if not value.strip():
        raise SystemExit("kaderpers: --out is empty; give the folder to write the site to, e.g. --out build")
    out = Path(value).resolve()
    if out == Path(out.anchor):
        raise SystemExit(f"kaderpers: --out {out} is the root of the file system; give a folder of its own, e.g. --out build")
    if out.is_relative_to(content):
        raise SystemExit(f"kaderpers: --out {out} is inside the content tree {content}; give a folder outside it, e.g. --out {content.parent / 'build'}")
    return out


def command_check(args: argparse.Namespace) -> int:
    from ..core.checks import check_tree  # with the beslishulp's JSON Schema: 0.13 s that `diff` need not pay

    started = time.perf_counter()
    root = _content_dir(args.content)
    findings = check_tree(root, args.beslishulp or "")
    if args.links or args.links_anchors:
        from .links import check_tree_links  # httpx, and Sphinx to read conf.py: only when asked

        findings.extend(check_tree_links(root, isolated=args.isolated, anchors=args.links_anchors))
    if args.format in FORMATS:
        print(FORMATS[args.format](findings, root))
    else:
        print(format_text(findings))
        print(f"checked {root} in {time.perf_counter() - started:.2f} s", file=sys.stderr)
    return 1 if has_failures(findings, strict=args.strict) else 0


def load_version(spec: str, current: Path) -> LoadedTree:
    """A version of a tree: a folder, or ``git:REV`` of the repository that holds ``current``, at ``current``'s place."""
    from ..core.loader import load_tree
    from ..core.revisions import RevisionError, is_revision, load_revision

    if is_revision(spec):
        try:
            return load_revision(spec, current)
        except RevisionError as error:
            raise SystemExit(f"kaderpers: cannot read {spec}: {error}") from error
    return load_tree(_content_dir(spec))


def revision_place(args: argparse.Namespace) -> Path:
    """Where a ``git:REV`` of ``diff`` is read: ``--tree``, else NEW's folder, else ``./docs`` or the current folder.

    With NEW a folder (given or the default) this is the rule ``build --compare-to`` follows;
    with NEW a revision too there is no folder to follow, so the current folder's tree is used.
    """
    from ..core.revisions import is_revision

    if args.tree:
        return _content_dir(args.tree)
    if not (args.new and is_revision(args.new)):
        return _content_dir(args.new)
    docs = Path("docs")
    return (docs if docs.is_dir() else Path.cwd()).resolve()


DIFF_FILES = {"text": "wijzigingen.txt", "json": "wijzigingen.json", "html": "wijzigingen.html"}


def command_diff(args: argparse.Namespace) -> int:
    from ..core.diff import compare, diff_text

    started = time.perf_counter()
    place = revision_place(args)
    new_spec = args.new or str(_content_dir(None))
    old, new = load_version(args.old, place), load_version(new_spec, place)
    diff = compare(old, new)
    if args.format == "json":
        output = json.dumps(diff.as_json(), ensure_ascii=False, indent=1)
    elif args.format == "html":
        from ..sphinxext.changes import standalone_html

        output = standalone_html(diff, args.old, new_spec)
    else:
        output = diff_text(diff, args.old, new_spec)
    if args.out:
        from .output import describe

        target = Path(args.out) / DIFF_FILES[args.format]
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(output + "\n", encoding="utf-8")
        except OSError as error:
            raise SystemExit(f"kaderpers: cannot write {target} ({describe(error)}); give --out a folder you can write to") from error
        print(f"kaderpers: wrote {target}", file=sys.stderr)
    else:
        print(output)
    print(f"compared in {time.perf_counter() - started:.2f} s", file=sys.stderr)
    return 0


def _compare_to(value: str | None) -> str:
    """``--compare-to`` as the build passes it on: git:REV as given, a folder made absolute."""
    from ..core.revisions import is_revision

    if not value or is_revision(value):
        return value or ""
    return str(_content_dir(value))


def command_build(args: argparse.Namespace) -> int:
    from .build import BuildRequest, run_build  # imports Sphinx: keep `check` fast

    content = _buildable_dir(args.content)
    request = BuildRequest(
        content=content,
        out=_output_dir(args.out, content),
        html=not args.no_html,
        pdf=args.pdf or args.all,
        handouts="all" if args.all else args.handouts or "",
        strict=args.strict,
        jobs=args.jobs,
        fresh=args.fresh,
        beslishulp=str(Path(args.beslishulp).resolve()) if args.beslishulp else "",
        compare_to=_compare_to(args.compare_to),
        tagged=not args.untagged,
        overrides=tuple(args.define),
        isolated=args.isolated,
        compare_label=args.compare_label or "",
        versions=args.versions or "",
        versions_jobs=_release_jobs(args.jobs),
    )
    if request.versions:  # each release has handouts of its own: its build tells a name it lacks
        from .versions import run_versions

        return run_versions(request)
    _check_named_handouts(request.handouts, content)
    return run_build(request)


def _handouts_option(value: str) -> str:
    """``--handouts``' value: ``all``, ``fasen``, ``rollen`` or handout names, comma-separated (checked against the tree later)."""
    from ..sphinxext.config import pdf_document_names

    if value == "all":
        return value
    try:
        names = pdf_document_names(value)
    except ValueError:
        names = ()
    if not names or "edition" in names or "handouts" in names:
        raise argparse.ArgumentTypeError(f"{value!r} names no handouts; give fasen, rollen, or handout names such as ontwerp,rollen/jurist")
    return ",".join(names)


def _check_named_handouts(value: str, content: Path) -> None:
    """Each handout that ``--handouts`` names is one the tree has: a name that is not stops the build
    before anything is written, with the names there are."""
    from ..sphinxext.config import PDF_DOCUMENT_KINDS

    names = set(value.split(",")) - {"", "all", *PDF_DOCUMENT_KINDS}
    if names:
        from ..core.loader import load_tree
        from ..pdf.documents import handouts, role_handouts, unknown_handouts

        kader = load_tree(content).kader
        documents = handouts(kader, "") + role_handouts(kader, "")
        if unknown := unknown_handouts(documents, names):
            known = ", ".join(document.handout_name or "" for document in documents) or "none (the tree has no phases or roles)"
            raise SystemExit(f"kaderpers: --handouts {', '.join(unknown)}: {content} has no such handout; its handouts are: {known}")


def _release_jobs(jobs: str) -> int:
    """How many releases ``--versions`` builds at once: ``-j N``, or the machine's cores for ``auto``."""
    if jobs == "auto":
        return os.cpu_count() or 1
    return max(1, int(jobs)) if jobs.isdigit() else 1


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="kaderpers", description="Publish an Algoritmekader tree as a website, a PDF edition and handouts.")
    main.add_argument("--version", action="version", version=f"kaderpers {__version__}")
    commands = main.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="report problems in a content tree", description="Check a content tree and print one line per finding.")
    check.add_argument("content", nargs="?", help=CONTENT_HELP)
    check.add_argument("--strict", action="store_true", help="also fail (exit 1) on warnings")
    check.add_argument(
        "--format",
        choices=("text", *FORMATS),
        default="text",
        help="output format (default: text); github: workflow commands (annotations), sarif: SARIF 2.1.0",
    )
    check.add_argument(
        "--beslishulp", metavar="FILE", help="the decision tree of the beslishulp AI-verordening (default: beslishulp.yaml in the tree or the folder above)"
    )
    check.add_argument("--links", action="store_true", help="also check the external links over HTTP (settings: kaderpers_link_* in conf.py)")
    check.add_argument("--links-anchors", action="store_true", help="check the external links and their #anchors (implies --links)")
    check.add_argument("--isolated", action="store_true", help="never run the tree's conf.py (the link settings are then the defaults)")
    check.set_defaults(run=command_check)

    build = commands.add_parser(
        "build",
        help="build the site and PDFs",
        description="Build the HTML site (OUT/html), and with --pdf/--handouts the PDFs (OUT/pdf).",
        epilog=f"Print copies of images and diagrams are cached in OUT/{PRINT_CACHE}; set {PRINT_CACHE_VARIABLE} to a folder "
        "to share one cache between builds into different output folders.",
    )
    build.add_argument("content", nargs="?", help=CONTENT_HELP)
    build.add_argument("--out", default="build", help="output folder (default: build)")
    build.add_argument("--pdf", action="store_true", help="also build the full PDF edition")
    build.add_argument(
        "--handouts",
        nargs="?",
        const="all",
        type=_handouts_option,
        metavar="fasen|rollen|NAME,…",
        help="also build the PDF handouts: one per lifecycle phase and one per rol (or only `fasen` or `rollen`, "
        "or the handouts named, e.g. `ontwerp,rollen/jurist`)",
    )
    build.add_argument("--all", action="store_true", help="build the site, the PDF edition and the handouts")
    build.add_argument("--no-html", action="store_true", help="skip the HTML site")
    build.add_argument("--strict", action="store_true", help="fail (exit 1) on any warning about the content")
    build.add_argument("-j", "--jobs", default="auto", help="parallel processes for reading (default: auto)")
    build.add_argument(
        "-D",
        "--define",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a conf.py setting in every Sphinx process, e.g. -D kaderpers_pdf_timeout=1800",
    )
    build.add_argument("--fresh", action="store_true", help="ignore saved state and rebuild everything")
    build.add_argument(
        "--beslishulp", metavar="FILE", help="the decision tree of the beslishulp AI-verordening (default: beslishulp.yaml in the tree or the folder above)"
    )
    build.add_argument("--untagged", action="store_true", help="write plain PDFs, not tagged for accessibility (PDF/UA); half the size")
    build.add_argument("--compare-to", metavar="OLD", help="add a Wijzigingen page (and a changes section to the PDF) against OLD: a folder, or git:REV")
    build.add_argument("--isolated", action="store_true", help="never run the tree's own conf.py (for trees that are not trusted, such as pull requests)")
    build.add_argument("--compare-label", metavar="LABEL", help="what the Wijzigingen page calls OLD (default: its tag, or its folder)")
    build.add_argument(
        "--versions",
        metavar="SPEC",
        help="build releases of the tree's git repository side by side: tag patterns and revisions, separated by commas (e.g. 'v*' or v2.4.0,v2.5.1); -j builds that many at once",
    )
    build.set_defaults(run=command_build)

    diff = commands.add_parser(
        "diff",
        help="what changed between two versions of a tree",
        description="List the pages added, removed, renamed and changed between OLD and NEW, field by field and word by word.",
    )
    diff.add_argument("old", help="the old version: a folder, or git:REV (the tree at NEW's place in its repository, at revision REV)")
    diff.add_argument("new", nargs="?", help="the new version: a folder (default: ./docs when there is one, else the bundled example kader), or git:REV")
    diff.add_argument(
        "--tree",
        metavar="DIR",
        help="the tree whose place in its repository git:REV names (default: NEW's folder; when NEW is git:REV too, ./docs when there is one, else the current folder)",
    )
    diff.add_argument("--format", choices=tuple(DIFF_FILES), default="text", help="output format (default: text)")
    diff.add_argument("--out", help=f"write the result to this folder ({', '.join(DIFF_FILES.values())}) instead of printing it")
    diff.set_defaults(run=command_diff)

    from . import scaffold, serve  # import no Sphinx and no web server until they run

    serve.add_parser(commands, _buildable_dir, CONTENT_HELP)
    scaffold.add_parsers(commands, _content_dir, CONTENT_HELP)
    return main


def exit_now(status: int) -> NoReturn:
    """End the process without tearing the interpreter down.

    Freeing a build's objects one by one at exit took 0.3 s, a sixth of an
    incremental rebuild; every file is written and closed by now (mypy ends
    its runs the same way).
    """
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def main(argv: list[str] | None = None) -> int:
    """The ``kaderpers`` command: parse ``argv`` (the command line's own by default), run the command, return its status."""
    args = parser().parse_args(argv)
    try:
        status = args.run(args)
    except BrokenPipeError:
        # Whoever read the output left (`kaderpers check | head`): nothing more to say, and no traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    if argv is None and args.command == "build":
        exit_now(status)  # the command line's own process; a caller passing argv gets the status back
    return status


if __name__ == "__main__":
    sys.exit(main())
