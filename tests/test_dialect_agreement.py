"""``check`` and the build read a page one way, and that way is Python-Markdown's (issue 19).

* The two reproduced disagreements: an admonition whose body is indented 2 spaces with a
  later 6-space line, and nested admonitions. ``check`` and an in-process Sphinx build of the
  same page must report the same (line, rule) pairs, on the lines the editor wrote.
* A property test: pages made of the dialect's indented blocks (``!!!``, ``???``, ``???+``,
  ``===``), paragraphs and code blocks at any indentation. Which block each line belongs to,
  and whether it is code, must be what Python-Markdown with the kader's extensions
  (``../shared/upstream-kader/mkdocs.yml``) says: the oracle, a test dependency only.
"""

from __future__ import annotations

import functools
import os
import re
import time
from collections.abc import Iterator
from itertools import count
from pathlib import Path

import markdown
import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import REPO
from kaderpers.core.checks import check_markup
from kaderpers.core.dialect import translate_blocks
from kaderpers.core.dialect.tabs import first_tab_end
from kaderpers.core.loader import load_page, load_vocabulary
from kaderpers.core.markup import _parser
from testing import sphinx_application

WARNING = re.compile(r"pagina\.md:(?P<line>\d+): WARNING: .*\[kaderpers\.(?P<rule>html\.removed|image\.alt-missing)\]")
BATCH_WARNING = re.compile(r"(?P<name>gegenereerd-\d+)\.md:(?P<line>\d+): WARNING: .*\[kaderpers\.(?P<rule>html\.removed|image\.alt-missing)\]")
ROUNDS = count(1)


@pytest.fixture(scope="module")
def sphinx_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A Sphinx application on a two-page tree, rebuilt in place for each page."""
    source = tmp_path_factory.mktemp("eens")
    (source / "index.md").write_text("---\ntitle: Start\n---\n# Start\n\n[Pagina](pagina.md)\n", encoding="utf-8")
    (source / "pagina.md").write_text("# Pagina\n", encoding="utf-8")
    with sphinx_application(source, REPO, tmp_path_factory.mktemp("eens-out")) as app:
        yield app


def build_reports(app: object, page: str) -> set[tuple[int, str]]:
    source = Path(app.srcdir)  # type: ignore[attr-defined]
    file = source / "pagina.md"
    file.write_text(page, encoding="utf-8")
    later = time.time() + 10 * next(ROUNDS)  # newer than the last read, so Sphinx reads it again
    os.utime(file, (later, later))
    warnings = app._test_warnings  # type: ignore[attr-defined]
    warnings.truncate(0)
    warnings.seek(0)
    app.build()  # type: ignore[attr-defined]
    return {(int(m["line"]), m["rule"]) for m in WARNING.finditer(warnings.getvalue())}


def batch_build_reports(app: object, pages: list[str]) -> dict[str, set[tuple[int, str]]]:
    """Write ``pages`` as gegenereerd-1.md … and build them all at once: (line, rule) of each page's warnings."""
    source = Path(app.srcdir)  # type: ignore[attr-defined]
    later = time.time() + 10 * next(ROUNDS)  # newer than the last read, so Sphinx reads them again
    names = [f"gegenereerd-{number}" for number in range(1, len(pages) + 1)]
    for name, page in zip(names, pages, strict=True):
        file = source / f"{name}.md"
        file.write_text(page, encoding="utf-8")
        os.utime(file, (later, later))
    warnings = app._test_warnings  # type: ignore[attr-defined]
    warnings.truncate(0)
    warnings.seek(0)
    app.build()  # type: ignore[attr-defined]
    found: dict[str, set[tuple[int, str]]] = {name: set() for name in names}
    for match in BATCH_WARNING.finditer(warnings.getvalue()):
        found.setdefault(match["name"], set()).add((int(match["line"]), match["rule"]))
    return {name: found[name] for name in names}


@functools.cache
def default_vocabulary() -> object:
    """The vocabulary of a tree without vocabulaire.yml, read once (not once per generated page)."""
    return load_vocabulary(None)[0]


def check_reports(page: str) -> set[tuple[int, str]]:
    loaded = load_page("pagina", "pagina.md", page.encode("utf-8"), default_vocabulary())
    findings = check_markup(loaded.page, loaded.body, beslishulp=False)
    return {(f.line, f.rule) for f in findings if f.rule in ("html.removed", "image.alt-missing")}


def marked(page: str, marker: str) -> set[int]:
    return {number for number, line in enumerate(page.split("\n"), start=1) if marker in line}


TWO_SPACE_BODY = """\
---
title: Pagina
---
# Pagina

!!! note "Twee spaties"
  Buiten het blok, zegt Python-Markdown <b onclick="x()">(M)</b>.

      Code: <b onclick="x()">(C)</b>
"""

NESTED = """\
---
title: Pagina
---
# Pagina

!!! note "Buiten"
    !!! warning "Binnen"
        <script>weg()</script> (M)
        ![](plaatje.png) (A)

    Tekst <b onclick="x()">(M)</b>.

Na afloop <i onclick="y()">(M)</i>.
"""


#: A tab the editor left empty, whose title has HTML: reported one line below the title, as every block title.
EMPTY_TAB = """\
---
title: Pagina
---
# Pagina

=== "Leeg <i onclick='u()'>i</i>"
=== "Vol (M)"
    Tekst <b onclick="x()">(M)</b>.
"""


@pytest.mark.parametrize("page", [TWO_SPACE_BODY, NESTED, EMPTY_TAB], ids=["two-space-body", "nested", "empty-tab"])
def test_check_and_build_report_the_editors_lines(sphinx_app: object, page: str) -> None:
    expected = {(line, "html.removed") for line in marked(page, "(M)")} | {(line, "image.alt-missing") for line in marked(page, "(A)")}
    assert expected  # the page has something to report
    assert check_reports(page) == expected
    assert build_reports(sphinx_app, page) == expected


def test_an_empty_tab_is_published_as_an_empty_tab(sphinx_app: object) -> None:
    build_reports(sphinx_app, EMPTY_TAB)
    html = BeautifulSoup((Path(sphinx_app.outdir) / "pagina.html").read_text("utf-8"), "html.parser")  # type: ignore[attr-defined]
    labels = [label.get_text(" ", strip=True) for label in html.select("main .sd-tab-set > label")]
    assert labels == ["Leeg i", "Vol (M)"]


# -- the property: the block structure is Python-Markdown's -----------------------------------------

ORACLE_EXTENSIONS = ["admonition", "pymdownx.details", "pymdownx.superfences", "pymdownx.tabbed", "attr_list", "md_in_html", "footnotes", "abbr"]
ORACLE_CONFIG = {"pymdownx.tabbed": {"alternate_style": True}}
KIND_OF_DIRECTIVE = {"md-admonition": "admonition", "md-details": "details", "md-details-open": "details", "md-tabs": "tab", "tab-item": "tab"}
MARKER = re.compile(r"L\d+")
INDENTS = st.sampled_from(["", " ", "  ", "   ", "    ", "     ", "      ", "       ", "        ", "\t", "\t\t", "  \t", "    \t", "\t    "])


def oracle_structure(page: str) -> dict[str, tuple[tuple[str, ...], bool]]:
    """Each marker's enclosing blocks (outermost first) and whether it is code, as Python-Markdown renders the page."""
    html = markdown.Markdown(extensions=ORACLE_EXTENSIONS, extension_configs=ORACLE_CONFIG).convert(page)
    soup = BeautifulSoup(html, "html.parser")
    found = {}
    for text in soup.find_all(string=MARKER):
        kinds = []
        for parent in reversed(list(text.parents)):
            classes = parent.get("class") or [] if hasattr(parent, "get") else []
            if parent.name == "div" and "admonition" in classes:
                kinds.append("admonition")
            elif parent.name == "details":
                kinds.append("details")
            elif parent.name == "div" and "tabbed-block" in classes:
                kinds.append("tab")
        in_code = text.find_parent("code") is not None
        for marker in MARKER.findall(text):
            found[marker] = (tuple(kinds), in_code)
    return found


def our_structure(page: str) -> dict[str, tuple[tuple[str, ...], bool]]:
    """The same, as kaderpers reads the page: the dialect's translation, parsed as MyST parses it."""
    found: dict[str, tuple[tuple[str, ...], bool]] = {}

    def walk(text: str, kinds: tuple[str, ...], in_tab_set: bool = False) -> None:
        for token in _parser().parse(text):
            directive = re.match(r"^\{(?P<name>[\w-]+)\}", token.info.strip()) if token.type in ("fence", "colon_fence") else None
            if directive and directive["name"] == "tab-item" and in_tab_set:
                walk(token.content, kinds)  # {md-tabs} holds the first tab's body, then the other tabs
                continue
            if directive and directive["name"] == "md-tabs":  # split as the directive splits it
                content = token.content.split("\n")
                walk("\n".join(content[: first_tab_end(content)]), (*kinds, "tab"))
                walk("\n".join(content[first_tab_end(content) :]), (*kinds, "tab"), True)
                continue
            if directive and directive["name"] in KIND_OF_DIRECTIVE:
                walk(token.content, (*kinds, KIND_OF_DIRECTIVE[directive["name"]]), directive["name"] == "md-tabs")
                continue
            code = token.type in ("fence", "code_block")
            for marker in MARKER.findall(token.content if code or token.type == "inline" else ""):
                found[marker] = (kinds, code)

    walk("\n".join(translate_blocks(page.split("\n"))), ())
    return found


OPENER_INDENTS = {0: ["", ""], 4: ["    ", "\t", "  \t"], 8: ["        ", "\t\t", "\t    "]}


@st.composite
def pages(draw: st.DrawFn) -> str:
    """A page of indented blocks, paragraphs and code at random indentation; every text line carries a marker.

    Text lines take any indentation (which ends blocks, or makes code); an opener stands on a tab
    stop no deeper than the body it is in (elsewhere Python-Markdown reads it as text or code).
    """
    lines: list[str] = []
    numbers = count(1)
    depth = 0  # openers whose body the next line may still be in
    for _ in range(draw(st.integers(1, 14))):
        kind = draw(st.sampled_from(["text", "text", "blank", "admonition", "details", "details-open", "tab"]))
        if kind == "text":
            indent = draw(INDENTS)
            depth = min(depth, len(indent.expandtabs(4)) // 4)
            lines.append(f"{indent}L{next(numbers)} tekst")
        elif kind == "blank":
            lines.append("")
        else:
            level = draw(st.integers(0, min(depth, 2)))
            indent = draw(st.sampled_from(OPENER_INDENTS[4 * level]))
            depth = level + 1
            header = {"admonition": '!!! note "Titel"', "details": '??? note "Titel"', "details-open": '???+ tip "Titel"', "tab": '=== "Tab"'}[kind]
            lines.append(indent + header)
    return "\n".join(lines) + "\n"


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page=pages())
@example(page='!!! note "Titel"\n  L1 tekst\n\n      L2 tekst\n')  # the 2-space body of the issue
@example(page='=== "Tab"\n    !!! note "Titel"\n=== "Tab"\n    L1 tekst\n')  # a block ending a first tab
@example(page='=== "Tab"\n    === "Tab"\n        !!! note "Titel"\n    === "Tab"\n        L1 tekst\n')  # a set of one tab around a set of two
def test_the_block_structure_is_python_markdowns(page: str) -> None:
    expected = oracle_structure(page)
    assert our_structure(page) == expected


def test_a_run_of_100000_asterisks_is_one_finding_and_the_page_is_still_built(sphinx_app: object) -> None:
    """markdown-it nests such a run 50,000 deep and MyST's walk of it ran out of stack: the build died."""
    page = "---\ntitle: Pagina\n---\n# Pagina\n\nVoor.\n\n" + "*" * 100_000 + "midden" + "*" * 100_000 + "\n\nNa.\n"
    line = marked(page, "midden").pop()
    loaded = load_page("pagina", "pagina.md", page.encode("utf-8"), default_vocabulary())
    assert [(f.line, f.rule) for f in loaded.findings] == [(line, "page.too-deep")]
    build_reports(sphinx_app, page)
    html = BeautifulSoup((Path(sphinx_app.outdir) / "pagina.html").read_text("utf-8"), "html.parser")  # type: ignore[attr-defined]
    text = html.find("main").get_text()
    assert "Voor." in text and "Na." in text and "*" * 1000 + "midden" in text
    assert f"pagina.md:{line}: WARNING:" in sphinx_app._test_warnings.getvalue()  # type: ignore[attr-defined]


# -- the property: check and the site build report the same (line, rule) ----------------------------

#: Any indentation an editor types: 1 to 8 spaces, tabs, and the two mixed.
ANY_INDENT = st.sampled_from(["", " ", "  ", "   ", "    ", "     ", "      ", "       ", "        ", "\t", "\t\t", " \t", "  \t", "\t  ", "\t    ", "    \t"])
#: Lines of every construct of the dialect; the openers and closers of blocks, code and containers.
DIALECT_LINES = [
    '!!! note "Titel"',
    "!!! warning",
    '??? tip "Inklapbaar"',
    '???+ example "Open"',
    '=== "Tab een"',
    '=== "Tab twee"',
    "/// details | Een blok",
    "/// note",
    "///",
    "    type: warning",
    '<div class="grid cards" markdown>',
    "</div>",
    "-   ## Een kaart",
    "    ---",
    "- een punt",
    "* een punt",
    "1. een punt",
    "    - dieper",
    "> een citaat",
    "```",
    "```html",
    "~~~",
    "```python",
    "",
    "",
    "gewone tekst",
    "tekst met `code`",
    "tekst { .klasse #id }",
    "## Kop { #kop .klasse }",
    "[een link](https://example.org){ target=_blank }",
    "| a | b |",
    "|---|---|",
]
#: Hostile raw HTML and images without alt text: what check and the build must both report (or both not, in code).
HOSTILE_LINES = [
    "<script>weg()</script>",
    '<iframe src="https://example.org"></iframe>',
    'tekst <b onclick="x()">vet</b>',
    '<a href="#" onclick="y()">link</a>',
    "![](plaatje.png)",
    "![](plaatje.png){ width=30 }",
    '<img src="plaatje.png">',
    '<div onclick="z()">blok</div>',
    "!!! note \"Titel <b onclick='t()'>vet</b>\"",
    "=== \"Tab <i onclick='u()'>i</i>\"",
]


@st.composite
def generated_pages(draw: st.DrawFn) -> str:
    """A page of the dialect's constructs at any indentation and nesting, hostile HTML on random lines."""
    body = draw(st.lists(st.tuples(ANY_INDENT, st.sampled_from(DIALECT_LINES + HOSTILE_LINES)), min_size=1, max_size=25))
    return "---\ntitle: Gegenereerd\n---\n# Gegenereerd\n\n" + "\n".join(indent + line for indent, line in body) + "\n"


#: Pages per build: 15 examples of at least 34 pages are more than 500 pages, built 15 times.
PAGES_PER_BUILD = st.lists(generated_pages(), min_size=34, max_size=50)
SEEN = {"pages": 0, "reported": 0}


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
@given(pages=PAGES_PER_BUILD)
def test_check_and_the_build_report_the_same_lines_on_generated_pages(sphinx_app: object, pages: list[str]) -> None:
    built = batch_build_reports(sphinx_app, pages)
    for (name, reported), page in zip(built.items(), pages, strict=True):
        assert check_reports(page) == reported, (name, page)
    SEEN["pages"] += len(pages)
    SEEN["reported"] += sum(1 for reported in built.values() if reported)


def test_the_generated_pages_were_many_and_reported_something() -> None:
    """The property above ran (it is defined first, so pytest runs it first) over 500 pages that had something to report."""
    assert SEEN["pages"] >= 500
    assert SEEN["reported"] >= SEEN["pages"] // 4  # a hostile line is often code, or in a dropped block; a third of pages report
