"""The README's recipe "How to add a dialect construct", followed to the letter.

A made-up construct, ``%%% Titel`` with an indented body, becomes an aside (MyST's ``{admonition}``)
through a module with ``OPENER`` and ``translate(lines, index, match, out, recurse)``, listed in
``CONSTRUCTS`` and ``INDENTED_OPENERS``. Nothing else is touched, and the recipe promises that the
site, ``check`` (raw HTML and images inside the block, on the editor's line) and the nesting limit
follow: this test holds it to that.
"""

from __future__ import annotations

import json
import re
import types
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import make_tree, run_kaderpers
from kaderpers.core import dialect, limits
from kaderpers.core.dialect.lines import Emitter, block_body_end, body_indent, dedent, indent_width

OPENER = re.compile(r"^(?P<indent>[ \t]*)%%%[ \t]+(?P<title>\S.*?)[ \t]*$")


def translate(lines: list[str], index: int, match: re.Match[str], out: Emitter, recurse: Callable[[list[str]], list[str]]) -> int:
    """``%%% Titel`` and its indented body → an ``{admonition}`` with that title."""
    base = indent_width(match["indent"])
    end = block_body_end(lines, index + 1, base)
    inner = recurse([dedent(line, body_indent(base)) for line in lines[index + 1 : end]])
    fence = " " * base + out.fence_for(inner, match["title"])
    out.append(f"{fence}{{admonition}} {match['title']}")
    out.extend_body(inner, base)
    return out.close(fence, lines, end)


ASIDE = types.SimpleNamespace(OPENER=OPENER, translate=translate)


@pytest.fixture
def with_aside(monkeypatch: pytest.MonkeyPatch) -> None:
    """The recipe's one registration: the construct in CONSTRUCTS and, its body being indented, in INDENTED_OPENERS."""
    monkeypatch.setattr(dialect, "CONSTRUCTS", (ASIDE, *dialect.CONSTRUCTS))
    monkeypatch.setattr(dialect, "INDENTED_OPENERS", (OPENER, *dialect.INDENTED_OPENERS))


PAGE = """---
title: Een pagina met een terzijde
---

# Een pagina met een terzijde

Inleiding.

%%% Goed om te weten

    De tekst van het terzijde.

    <script>alert(1)</script>

    ![](plaatje.png)

Na het terzijde.
"""


def test_a_construct_added_as_the_recipe_says_reaches_the_site_check_and_the_limits(tmp_path: Path, with_aside: None) -> None:
    tree = make_tree(
        tmp_path / "tree",
        {"index.md": "---\ntitle: Start\n---\n# Start\n\nTekst.\n", "voldoen-aan-wetten-en-regels/hulpmiddelen/terzijde.md": PAGE},
    )
    lines = PAGE.split("\n")
    script_line = lines.index("    <script>alert(1)</script>") + 1
    image_line = lines.index("    ![](plaatje.png)") + 1
    expected = {("html.removed", script_line), ("image.alt-missing", image_line)}

    check = run_kaderpers("check", str(tree), "--format", "json", check=False)
    assert {(f["rule"], f["line"]) for f in json.loads(check.stdout)["findings"] if f["path"].endswith("terzijde.md")} == expected

    out = tmp_path / "out"
    build = run_kaderpers("build", str(tree), "--out", str(out))
    reported = re.findall(r"terzijde\.md:(\d+): WARNING: .*\[kaderpers\.([\w.-]+)\]", build.stderr)
    assert {(rule, int(line)) for line, rule in reported} == expected

    page = BeautifulSoup((out / "html" / "voldoen-aan-wetten-en-regels" / "hulpmiddelen" / "terzijde.html").read_text("utf-8"), "html.parser")
    aside = page.select("article .admonition")
    assert len(aside) == 1
    assert aside[0].select_one(".admonition-title").get_text(strip=True) == "Goed om te weten"
    assert "De tekst van het terzijde." in aside[0].get_text()
    assert "Na het terzijde." not in aside[0].get_text() and "Na het terzijde." in page.select_one("article").get_text()
    assert "%%%" not in page.select_one("article").get_text()

    # The nesting limit reads the same translation: asides nested past MAX_NESTING are shown as text.
    nested = "".join("    " * level + f"%%% Laag {level}\n\n" for level in range(limits.MAX_NESTING + 1)) + "    " * (limits.MAX_NESTING + 1) + "Kern.\n"
    _, findings = limits.limit_nesting(nested, 1, "diep.md")
    assert [(f.rule, f.line) for f in findings] == [("page.too-deep", 2 * limits.MAX_NESTING + 1)]
