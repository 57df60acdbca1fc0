"""A small copy of content/ (tests/small_content.py), for tests whose property does not depend on
the size of the tree: killed builds, atomic publishing, releases side by side.

It keeps the layout kaderpers needs (the home page, every section's index, the glossary, the
images and the beslishulp) and a few pages of each kind: two phases, one rol, two onderwerpen and a
handful of records, so a build still reads, writes, indexes and lays out handouts, in a fraction
of the time. What the kept pages say about dropped pages is taken out, so the small tree builds
without a warning: front-matter values naming them, links to them (their text stays) and list
directives filtering on them.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from pathlib import Path

CONTENT = Path(__file__).resolve().parents[1] / "content"
RECORDS = "voldoen-aan-wetten-en-regels"

#: The pages kept, beside every index.md and the includes.
KEPT = frozenset(
    {
        "levenscyclus/organisatieverantwoordelijkheden",
        "levenscyclus/probleemanalyse",
        "rollen/projectleider",
        "onderwerpen/governance",
        "onderwerpen/privacy-en-gegevensbescherming",
        f"{RECORDS}/maatregelen/0-org-01-algoritmes-inventariseren",
        f"{RECORDS}/maatregelen/0-org-02-beleid-verantwoorde-inzet",
        f"{RECORDS}/maatregelen/0-org-03-ai-geletterdheid-bevorderen",
        f"{RECORDS}/maatregelen/1-pba-01-probleem-en-doel-formuleren",
        f"{RECORDS}/maatregelen/1-pba-02-wettelijke-grondslag-vaststellen",
        f"{RECORDS}/vereisten/aia-01-ai-geletterdheid",
        f"{RECORDS}/vereisten/avg-01-rechtmatige-verwerking",
        f"{RECORDS}/vereisten/awb-01-zorgvuldige-voorbereiding",
        f"{RECORDS}/vereisten/avg-05-dpia",
        f"{RECORDS}/hulpmiddelen/dpia",
        f"{RECORDS}/hulpmiddelen/iama",
    }
)

LINK = re.compile(r"\[([^\]\n]*)\]\(([^)\s#]+\.md)(#[^)\s]*)?\)")
LIST_COMMENT = re.compile(r"<!--\s*list_\w+(?P<arguments>[^>]*)-->")
FILTER = re.compile(r"\b[\w-]+/([\w-]+)")
FRONT_MATTER_KEY = re.compile(r"^[\w-]+:")
FRONT_MATTER_ITEM = re.compile(r"^- (\S+)\s*$")


def kept(page: str, also: frozenset[str] = frozenset()) -> bool:
    return page in KEPT or page in also or page == "index" or page.endswith("/index") or page.startswith("includes/")


def small_content(destination: Path, source: Path = CONTENT, *, also: Iterable[str] = ()) -> Path:
    """Copy the small tree to ``destination`` (made here), with the pages ``also`` names kept too; returns it."""
    pages = {path.relative_to(source).with_suffix("").as_posix() for path in source.rglob("*.md")}
    dropped_pages = {page for page in pages if not kept(page, frozenset(also))}
    dropped_stems = {page.rsplit("/", 1)[-1] for page in dropped_pages}
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        target = destination / relative
        if path.is_dir() or (path.suffix == ".md" and relative.with_suffix("").as_posix() in dropped_pages):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".md":
            target.write_text(_without_dropped(path.read_text("utf-8"), relative, dropped_pages, dropped_stems), "utf-8")
        else:
            shutil.copy2(path, target)
    return destination


def _without_dropped(text: str, page: Path, dropped_pages: set[str], dropped_stems: set[str]) -> str:
    front, body = _split_front_matter(text)
    return _front_matter_without(front, dropped_stems) + _body_without(body, page, dropped_pages, dropped_stems)


def _split_front_matter(text: str) -> tuple[str, str]:
    if not text.startswith("---\n"):
        return "", text
    end = text.index("\n---\n", 4) + len("\n---\n")
    return text[:end], text[end:]


def _front_matter_without(front: str, dropped_stems: set[str]) -> str:
    """List items naming a dropped page left out; a key left with no items too."""
    kept_lines: list[str] = []
    key_at, items_kept, items_dropped = None, 0, 0
    for line in front.splitlines(keepends=True):
        item = FRONT_MATTER_ITEM.match(line)
        if item and item.group(1) in dropped_stems:
            items_dropped += 1
            continue
        if FRONT_MATTER_KEY.match(line) or line.startswith("---"):
            if key_at is not None and items_dropped and not items_kept:
                del kept_lines[key_at]
            key_at, items_kept, items_dropped = len(kept_lines), 0, 0
        elif item:
            items_kept += 1
        kept_lines.append(line)
    return "".join(kept_lines)


def _body_without(body: str, page: Path, dropped_pages: set[str], dropped_stems: set[str]) -> str:
    def unlink(match: re.Match[str]) -> str:
        target = (Path("/", page.parent) / match.group(2)).resolve().relative_to("/").with_suffix("").as_posix()
        return match.group(1) if target in dropped_pages else match.group(0)

    def without_list(match: re.Match[str]) -> str:
        filters = FILTER.findall(match.group("arguments"))
        return "" if any(value in dropped_stems for value in filters) else match.group(0)

    body = LINK.sub(unlink, body)
    body = LIST_COMMENT.sub(without_list, body)
    if any(value in dropped_stems for line in body.splitlines() if line.startswith(":filter:") for value in FILTER.findall(line)):
        raise ValueError(f"{page}: a {{kader-lijst}} filters on a dropped page; keep that page or drop this one")
    return body
