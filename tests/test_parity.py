"""``check`` and ``build`` report the same raw HTML removals and images without alt text (issues 10 and 14).

The site build is the reference: what its sanitiser removes and which images it
finds without alternative text, with file, line and message. ``check`` must say
exactly that, on a small copy of content/ (tests/small_content.py) with a hostile page and on the real kader;
the PDF in the same ``build --pdf`` run does not repeat a missing alt text.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CONTENT, SHARED_BESLISHULP, run_kaderpers
from small_content import small_content

RULES = ("html.removed", "image.alt-missing")
WARNING = re.compile(
    r"^(?P<pdf>\[pdf \d+\] )?(?P<path>\S+?):(?P<line>\d+): WARNING: (?P<message>.*) \[(?P<rule>[\w.-]+)\] \[kaderpers\.(?P=rule)\]$",
    re.MULTILINE,
)
PAGE = "onderwerpen/vijandig.md"
#: The hostile page: each line that must be reported carries a marker `(Mn)`; lines marked `(-)` must not be.
#: A block's title `(Tn)` is reported one line lower: MyST parses a directive's argument so (check follows the build).
HOSTILE = """\
---
title: Vijandige pagina
---

# Vijandige pagina

Een link met <a href="#" onclick="steel()">een script</a> erin (M1),
en de alinea loopt door.

<script>alert("weg") // (M2)</script>

Een verborgen <a href="java&#x09;script:alert(1)">script-link</a> (M3).

![](../afbeeldingen/levenscyclus.png) (M4)

Met tekst: ![Een plaatje](../afbeeldingen/levenscyclus.png){ width=300 } (-)

<img src="../afbeeldingen/levenscyclus.png" alt=" "> (M5)

```html
<script>dit is code (-)</script>
![](../afbeeldingen/levenscyclus.png)
<img src="x.png">
```

Dit is `<script>ook code (-)</script>` en `![](x.png)`.

!!! note "Let op"

    In een blok: <button onclick="sluit()">sluiten</button> (M6).

        <script>ingesprongen code (-)</script>

<div markdown class="kader-blok">
<iframe src="https://example.org"></iframe> (M7)
</div>

:::{note}
Een MyST-blok met <a href="#" onmouseover="x()">een handler</a> (M8).
:::

<div class="grid cards" markdown>

-   ## <a href="#" onclick="kaart()">Een kaart</a> (T1)

    ---

    Tekst van de kaart met <span onclick="x()">een handler</span> (M9).

</div>

??? note "Een titel met <b onclick='t()'>vet</b> (T2)"

    Inhoud ![](../afbeeldingen/levenscyclus.png) (M10).

```{image} ../afbeeldingen/levenscyclus.png
:width: 200px
```

```{figure} ../afbeeldingen/levenscyclus.png
:alt: Een beschreven figuur (-)

Het onderschrift met <script>weg()</script> (M11).
```

```{raw} html
<object data="x.swf"></object>
```

| Kolom | Andere kolom |
|-------|--------------|
| een   | <em onclick="cel()">cel</em> (M12) |

1. Een lijst
2. met <span onclick="punt()">een handler</span> (M13)

<div class="nooit-gesloten" markdown> (M14)
"""


def marked_lines(text: str, marker: str) -> set[int]:
    return {number for number, line in enumerate(text.split("\n"), 1) if marker in line}


def build_findings(log: str, tree: Path, *, pdf: bool | None = False) -> list[tuple[str, int, str, str]]:
    """(path, line, rule, message) of every html.removed and image.alt-missing warning of a build's log;
    ``pdf``: only the PDF's (True), only the site's (False), or all (None)."""
    found = []
    for match in WARNING.finditer(log):
        if match["rule"] in RULES and (pdf is None or bool(match["pdf"]) == pdf):
            found.append((Path(match["path"]).relative_to(tree).as_posix(), int(match["line"]), match["rule"], match["message"]))
    return found


def check_findings(tree: Path, *options: str) -> list[tuple[str, int, str, str]]:
    result = run_kaderpers("check", str(tree), "--format", "json", *options, check=False)
    return [(f["path"], f["line"], f["rule"], f["message"]) for f in json.loads(result.stdout)["findings"] if f["rule"] in RULES]


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """A small copy of content/ with the hostile page, built once with the site and the PDF edition, ``--strict``."""
    tree = small_content(tmp_path_factory.mktemp("parity") / "kader")
    (tree / PAGE).write_text(HOSTILE, "utf-8")
    out = tree.parent / "out"
    return tree, run_kaderpers("build", str(tree), "--out", str(out), "--pdf", "--strict", check=False)


def test_check_reports_exactly_what_the_site_build_reports(hostile_build: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    tree, build = hostile_build
    site = build_findings(build.stderr, tree)
    checked = check_findings(tree)
    assert sorted(checked) == sorted(site), build.stderr[-4000:]
    # every marked line is reported, with the line MyST gives (a paragraph's first line), and nothing else
    expected_lines = set().union(*(marked_lines(HOSTILE, f"(M{n})") for n in range(1, 15)))
    expected_lines |= marked_lines(HOSTILE, "{image}") | marked_lines(HOSTILE, "{raw}")  # at the directive
    expected_lines |= {line + 1 for n in (1, 2) for line in marked_lines(HOSTILE, f"(T{n})")}
    assert {line for path, line, _, _ in checked if path == PAGE} == expected_lines
    assert not {line for path, line, _, _ in checked} & marked_lines(HOSTILE, "(-)")
    assert {path for path, _, _, _ in checked} == {PAGE}  # content/ itself is clean
    rules = {line: rule for _, line, rule, _ in checked}
    assert [rules[line] for line in sorted(marked_lines(HOSTILE, "(M4)") | marked_lines(HOSTILE, "(M5)") | marked_lines(HOSTILE, "(M10)"))] == [
        "image.alt-missing"
    ] * 3
    messages = " ".join(message for _, _, _, message in checked)
    for what in ("onclick on <a>", "<script>", "href on <a>", "onclick on <button>", "<iframe>", "onmouseover on <a>", "onclick on <span>", "onclick on <b>"):
        assert what in messages, what


def test_both_strict_modes_fail_on_the_hostile_page(hostile_build: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    tree, build = hostile_build
    assert build.returncode == 1
    warned = re.findall(r"^(?:\[pdf \d+\] )?(\S+?):\d+: WARNING", build.stderr, re.MULTILINE)
    assert warned and {Path(path).relative_to(tree).as_posix() for path in warned} == {PAGE}, "only the page fails the build"
    assert (tree.parent / "out" / "html" / "onderwerpen" / "vijandig.html").is_file(), "the page is still published"
    assert run_kaderpers("check", "--strict", str(tree), check=False).returncode == 1
    assert run_kaderpers("check", "--strict", str(CONTENT), check=False).returncode == 0  # without the page


def test_the_pdf_does_not_repeat_a_missing_alt_text(hostile_build: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    """Reported once, when the page is read; the PDF names the page of raw HTML it removes (not the edition's index)."""
    tree, build = hostile_build
    assert (tree.parent / "out" / "pdf" / "algoritmekader.pdf").is_file()
    everything = build_findings(build.stderr, tree, pdf=None)
    alt = [finding for finding in everything if finding[2] == "image.alt-missing"]
    assert sorted(alt) == sorted(finding for finding in check_findings(tree) if finding[2] == "image.alt-missing")
    printed = build_findings(build.stderr, tree, pdf=True)
    assert printed, "the PDF reports the raw HTML it removes too"
    assert {path for path, _, _, _ in printed} == {PAGE}


def test_check_agrees_with_the_site_build_on_the_real_tree(upstream_build: subprocess.CompletedProcess[str], upstream_copy: Path) -> None:
    options = ["--beslishulp", str(SHARED_BESLISHULP)] if SHARED_BESLISHULP.is_file() else []
    site = {finding[:3] for finding in build_findings(upstream_build.stderr, upstream_copy)}
    checked = {finding[:3] for finding in check_findings(upstream_copy, *options)}
    assert site, "the real tree has raw HTML the sanitiser removes (an onclick on a button)"
    assert checked == site
    # a link that now leads to the beslishulp page is this site's own address, not an MkDocs link that leads nowhere
    assert not re.findall(r".*beslishulp/index\.html.*\[kaderpers\.html-link\]", upstream_build.stderr)


# -- any body: findings, never an exception ---------------------------------------------------

#: Lines of the constructs the view opens up, in any order, nesting and indentation.
CONSTRUCT_LINES = [
    "!!! note \"Titel <b onclick='x()'>vet</b>\"",
    "??? tip",
    '=== "Tab <i>een</i>"',
    "/// details | <em>titel</em>",
    "///",
    '<div class="grid cards" markdown>',
    '<div markdown class="x">',
    "</div>",
    '-   ## <a onclick="x()">kaart</a>',
    "    ---",
    "```",
    "```html",
    "~~~",
    ":::{note}",
    ":::",
    "```{image} x.png",
    "```{raw} html",
    ":alt:",
    ":width: 3px",
    "![](x.png)",
    "![tekst](x.png){ width=3 }",
    '<img src="x.png">',
    "<script>x</script>",
    "`<script>` code",
    "| a | <b>b</b> |",
    "|---|---|",
    "1. lijst <span onclick=y>z</span>",
    "",
    "tekst",
    "\t<iframe>",
]


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(st.tuples(st.sampled_from(["", "    ", "        ", "\t", "  "]), st.sampled_from(CONSTRUCT_LINES)), max_size=30), first=st.integers(1, 40)
)
def test_any_body_gives_findings_on_its_own_lines(lines: list[tuple[str, str]], first: int) -> None:
    from kaderpers.core.markup import markup
    from kaderpers.core.sanitiser import sanitise

    # the body opens with a script block, before any construct can make it code: there is always something to report
    body = "<script>x</script>\n\n" + "\n".join(indent + line for indent, line in lines)
    found = markup(body, first)
    last = first + 2 + len(lines)  # a block's title is reported one line lower, so its last line may be the next
    reported = [*found.html, *found.images]
    assert first in {item.line for item in found.html}
    assert all(first <= item.line <= last for item in reported)
    for fragment in found.html:
        sanitise(fragment.text)
