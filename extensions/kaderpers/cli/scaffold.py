"""``kaderpers new`` and ``kaderpers schema``: a new record, and the JSON Schema of a kind's front matter."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from ..core.model import RECORD_KINDS, PageKind

KINDS = [kind.value for kind in RECORD_KINDS]


def command_new(args: argparse.Namespace, content_dir: Callable[[str | None], Path]) -> int:
    from ..core.loader import load_tree
    from ..core.scaffold import ScaffoldError, new_record

    if args.dir is None and not Path("docs").is_dir():
        # Not the bundled example kader: a new record belongs in the editor's own tree.
        print("kaderpers new: there is no ./docs here; give the tree to add the record to with --dir", file=sys.stderr)
        return 2
    root = content_dir(args.dir)
    try:
        record = new_record(load_tree(root), PageKind(args.kind), args.title, fase=args.fase, wet=args.wet)
    except ScaffoldError as error:
        print(f"kaderpers new: {error}", file=sys.stderr)
        return 2
    path = root / record.path
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:  # never over an existing file
        handle.write(record.text)
    source = f"the sections of {record.template}" if record.template else "kaderpers' default sections"
    print(f"kaderpers new: {args.kind} {record.record_id or path.stem} with {source}", file=sys.stderr)
    print(path)
    return 0


def command_schema(args: argparse.Namespace, content_dir: Callable[[str | None], Path]) -> int:
    from ..core.loader import load_tree
    from ..core.schema import front_matter_schema

    tree = load_tree(content_dir(args.content))
    print(json.dumps(front_matter_schema(tree.kader, PageKind(args.kind)), ensure_ascii=False, indent=2))
    return 0


def add_parsers(commands: argparse._SubParsersAction, content_dir: Callable[[str | None], Path], content_help: str) -> None:
    """Register ``new`` and ``schema`` with the command line's subcommands (``content_dir`` and
    ``content_help`` are the command line's, passed in: this module does not import it back)."""

    new = commands.add_parser(
        "new",
        help="write a new record with the next free code",
        description="Write a new vereiste, maatregel or hulpmiddel with the next free code and id, front matter from the vocabularies and the standard sections, and print its path.",
    )
    new.add_argument("kind", choices=KINDS, help="the kind of record")
    new.add_argument("title", help="the record's title (in quotes)")
    new.add_argument("--dir", help="root of the content tree (default: ./docs)")
    new.add_argument("--fase", help="the levenscyclus phase (its file name, e.g. ontwerp); a maatregel's code is numbered within its phase")
    new.add_argument("--wet", help="a vereiste's law code (e.g. avg, aia), the start of its file name and id")
    new.set_defaults(run=lambda args: command_new(args, content_dir))

    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of a kind's front matter",
        description="Print a JSON Schema (draft 2020-12) of a kind's front matter, with the tree's vocabularies and records, for editors' YAML plug-ins and check-jsonschema.",
    )
    schema.add_argument("kind", choices=KINDS, help="the kind of record")
    schema.add_argument("content", nargs="?", help=content_help)
    schema.set_defaults(run=lambda args: command_schema(args, content_dir))
