"""Hostile and damaged trees (issue 10): nothing leaks, nothing crashes, every problem is named.

One tree made from content/ carries every kind of hostile page at once; it is
checked and built (``--strict``) once per session, and each test reads what that
run says about its own kind. A file outside the tree carries a unique marker that
must not appear anywhere under OUT.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from itertools import count
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CONTENT, KADERPERS, REPO, child_env, run_kaderpers
from testing import sphinx_application

MARKER = f"BUITEN-{uuid.uuid4().hex}"
MB = 1024  # ru_maxrss is in kB
WARNING = re.compile(r"^(?P<path>\S+?):(?P<line>\d+)?:? WARNING: .*\[kaderpers\.(?P<rule>[\w.-]+)\]$", re.MULTILINE)

#: a record, so that its front matter would reach kader.json and the tables if it were expanded
ALIAS_BOMB = "voldoen-aan-wetten-en-regels/maatregelen/0-org-99-aliasbom.md"
#: page → rules the build and the check must both report for it
EXPECTED = {
    "lek-markdown.md": {"boundary.outside"},
    "lek-include.md": {"boundary.outside"},
    "lek-literalinclude.md": {"boundary.outside"},
    "lek-csv.md": {"boundary.outside"},
    "lek-raw.md": {"boundary.outside"},
    "lek-rst.md": {"boundary.outside"},
    "gelinkt.md": {"boundary.outside"},
    "lus": {"boundary.symlink"},
    "latijn.md": {"encoding.invalid"},
    "zestien.md": {"encoding.invalid"},
    "bom-crlf.md": {"encoding.bom", "encoding.crlf"},
    ALIAS_BOMB: {"yaml.too-large"},
    "diep.md": {"page.too-deep"},
    "groot.md": {"image.too-large"},
    "html-vijandig.md": {"html.removed"},
}


def hostile_pages(outside: Path) -> dict[str, bytes]:
    front = "---\ntitle: {}\n---\n# {}\n\n"

    def page(title: str, body: str) -> bytes:
        return (front.format(title, title) + body).encode("utf-8")

    fence = "```"
    bomb = (
        "---\ntitle: Aliasbom\nid: urn:nl:ak:mtr:org-99\na: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n"
        + "".join(f"{name}: &{name} [{','.join(['*' + previous] * 9)}]\n" for previous, name in zip("abcdefgh", "bcdefghi", strict=False))
        + "---\n# Aliasbom\n\nTekst.\n"
    )
    assert len(bomb.encode()) < 600
    deep = "".join("    " * level + f'!!! note "Niveau {level}"\n\n' for level in range(200)) + "    " * 200 + "Bodem.\n"
    return {
        "lek-markdown.md": page("Lek markdown", f"Een [download](../{outside.name}/geheim.txt) en ![plaatje](../{outside.name}/geheim.png).\n"),
        "lek-include.md": page("Lek include", f"{fence}{{include}} ../{outside.name}/geheim.md\n{fence}\n"),
        "lek-literalinclude.md": page("Lek literalinclude", f"{fence}{{literalinclude}} ../{outside.name}/geheim.txt\n{fence}\n"),
        "lek-csv.md": page("Lek csv", f"{fence}{{csv-table}} Tabel\n:file: ../{outside.name}/geheim.csv\n{fence}\n"),
        "lek-raw.md": page("Lek raw", f"{fence}{{raw}} html\n:file: {outside}/geheim.txt\n{fence}\n"),
        "lek-rst.md": page("Lek rst", f"{fence}{{eval-rst}}\n.. include:: ../{outside.name}/geheim.txt\n   :literal:\n{fence}\n"),
        "latijn.md": page("Latijn", "Café crème.\n").replace("é".encode(), b"\xe9").replace("è".encode(), b"\xe8"),
        "zestien.md": (front.format("Zestien", "Zestien") + "Zestien bits.\n").encode("utf-16"),
        "bom-crlf.md": b"\xef\xbb\xbf" + page("Bom", "Regels.\n").replace(b"\n", b"\r\n"),
        ALIAS_BOMB: bomb.encode(),
        "diep.md": page("Diep", deep),
        "groot.md": page("Groot", "![Een groot plaatje](afbeeldingen/groot.png)\n"),
        "html-vijandig.md": page(
            "Html vijandig",
            "<script>alert(1)</script>\n\n"
            '<iframe srcdoc="&lt;script&gt;alert(2)&lt;/script&gt;"></iframe>\n\n'
            '<base href="https://example.org/">\n\n'
            '<meta http-equiv="refresh" content="0;url=https://example.org/">\n\n'
            '<form action="https://example.org/" method="post"><button>Verstuur</button></form>\n\n'
            'Een <a href="java&#x09;script:alert(3)">verborgen link</a> en <a href="../index.md">een goede</a>.\n',
        ),
    }


def make_hostile_tree(base: Path) -> tuple[Path, Path]:
    outside = base / "buiten"
    outside.mkdir()
    (outside / "geheim.txt").write_text(f"{MARKER} tekst\n")
    (outside / "geheim.md").write_text(f"---\ntitle: Geheim\n---\n# Geheim\n\n{MARKER} pagina\n")
    (outside / "geheim.csv").write_text(f"a,b\n{MARKER},1\n")
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", MARKER)
    Image.new("RGB", (4, 4)).save(outside / "geheim.png", pnginfo=info)
    tree = base / "boom"
    shutil.copytree(CONTENT, tree)
    for name, data in hostile_pages(outside).items():
        (tree / name).write_bytes(data)
    Image.new("1", (13_000, 13_000)).save(tree / "afbeeldingen" / "groot.png")  # 169 megapixels in 20 kB
    (tree / "gelinkt.md").symlink_to(outside / "geheim.md")
    (tree / "lus").symlink_to(".")
    return tree, outside


#: Runs the command after its first argument (a file descriptor) under a 4 GB address-space cap (a hostile
#: tree must not take the machine down with it when a limit is missing) and writes the peak RSS (kB) of the
#: command and the processes it waited for to that descriptor. A small launcher of its own: a child forked by
#: the test process counts the test process's pages in its peak (Linux keeps the forked memory's high-water
#: mark across exec), and the test process has grown by hundreds of MB when the suite gets here.
_LAUNCHER = """
import os, resource, subprocess, sys
cap = lambda: resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
child = subprocess.Popen(sys.argv[2:], preexec_fn=cap, stdin=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
os.write(int(sys.argv[1]), str(usage.ru_maxrss).encode())
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measured(arguments: list[str], timeout: float) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """Run a command line; its result, wall time and the peak RSS (MB) of the largest process of its tree."""
    started = time.perf_counter()
    peak_read, peak_write = os.pipe()
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        launcher = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, str(peak_write), *arguments],
            stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr, text=True, cwd=REPO, env=child_env(),
            pass_fds=(peak_write,), start_new_session=True,
        )  # fmt: skip
        os.close(peak_write)
        timer = threading.Timer(timeout, lambda: os.killpg(launcher.pid, signal.SIGKILL))
        timer.start()
        returncode = launcher.wait()
        timer.cancel()
        with os.fdopen(peak_read, "rb") as peak:
            peak_kb = int(peak.read() or 0)
        stdout.seek(0)
        stderr.seek(0)
        result = subprocess.CompletedProcess(arguments, returncode, stdout.read(), stderr.read())
    wall = time.perf_counter() - started
    if wall >= timeout:
        pytest.fail(f"{' '.join(arguments[-4:])} did not finish in {timeout} s")
    return result, wall, peak_kb / MB


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    base = tmp_path_factory.mktemp("hostile")
    tree, outside = make_hostile_tree(base)
    out = base / "out"
    check, check_wall, _ = run_measured([*KADERPERS, "check", str(tree), "--format", "json"], timeout=60)
    build, build_wall, build_rss = run_measured([*KADERPERS, "build", str(tree), "--out", str(out), "--strict"], timeout=300)
    return {
        "tree": tree,
        "outside": outside,
        "out": out,
        "check": check,
        "check_wall": check_wall,
        "build": build,
        "build_wall": build_wall,
        "build_rss": build_rss,
    }


def build_warnings(hostile: dict[str, object]) -> dict[str, set[str]]:
    tree = str(hostile["tree"]) + "/"
    found: dict[str, set[str]] = {}
    for match in WARNING.finditer(hostile["build"].stderr):  # type: ignore[attr-defined]
        found.setdefault(match["path"].removeprefix(tree), set()).add(match["rule"])
    return found


def check_findings(hostile: dict[str, object]) -> dict[str, set[str]]:
    import json

    found: dict[str, set[str]] = {}
    for finding in json.loads(hostile["check"].stdout)["findings"]:  # type: ignore[attr-defined]
        found.setdefault(finding["path"], set()).add(finding["rule"])
    return found


# -- the boundary -----------------------------------------------------------------------------


def test_nothing_from_outside_reaches_the_output(hostile: dict[str, object]) -> None:
    out: Path = hostile["out"]  # type: ignore[assignment]
    assert (out / "html" / "index.html").is_file(), hostile["build"].stderr[-3000:]  # type: ignore[attr-defined]
    leaked = [path for path in out.rglob("*") if path.is_file() and MARKER.encode() in path.read_bytes()]
    assert leaked == []


@pytest.mark.parametrize("page", [name for name, rules in EXPECTED.items() if rules & {"boundary.outside", "boundary.symlink"}])
def test_every_reference_outside_is_an_error_in_check_and_build(hostile: dict[str, object], page: str) -> None:
    expected = EXPECTED[page]
    assert expected <= build_warnings(hostile).get(page, set()), hostile["build"].stderr[-4000:]  # type: ignore[attr-defined]
    assert expected <= check_findings(hostile).get(page, set())


def test_strict_fails_and_names_the_pages(hostile: dict[str, object]) -> None:
    build: subprocess.CompletedProcess[str] = hostile["build"]  # type: ignore[assignment]
    check: subprocess.CompletedProcess[str] = hostile["check"]  # type: ignore[assignment]
    assert build.returncode == 1
    assert check.returncode == 1
    named = build_warnings(hostile)
    assert set(EXPECTED) <= set(named), set(EXPECTED) - set(named)


def test_check_and_build_agree_on_every_hostile_page(hostile: dict[str, object]) -> None:
    built, checked = build_warnings(hostile), check_findings(hostile)
    for page, rules in EXPECTED.items():
        assert rules <= built.get(page, set()), (page, built.get(page))
        assert rules <= checked.get(page, set()), (page, checked.get(page))


def test_symlink_loop_and_alias_bomb_finish_in_seconds_and_small(hostile: dict[str, object]) -> None:
    out: Path = hostile["out"]  # type: ignore[assignment]
    assert (out / "html" / "index.html").is_file(), "the build did not get to writing"
    assert not (out / "html" / "lus").exists(), "the loop was followed"
    assert hostile["check_wall"] < 20  # type: ignore[operator]
    assert hostile["build_wall"] < 240  # type: ignore[operator]  # content/ itself takes 10-20 s on 2 shared cores
    assert hostile["build_rss"] < 500, f"{hostile['build_rss']:.0f} MB"  # type: ignore[operator]


def test_every_other_page_is_still_published(hostile: dict[str, object]) -> None:
    html = hostile["out"] / "html"  # type: ignore[operator]
    for page in ["latijn", "zestien", "bom-crlf", ALIAS_BOMB.removesuffix(".md"), "diep", "groot", "html-vijandig", "lek-markdown", "lek-include"]:
        assert (html / f"{page}.html").is_file(), page
    text = {page: BeautifulSoup((html / f"{page}.html").read_text("utf-8"), "html.parser").find("main").get_text(" ") for page in ("latijn", "zestien", "diep")}
    assert "Caf\ufffd cr\ufffdme" in text["latijn"]
    assert "Zestien bits" in text["zestien"]
    assert "Bodem." in text["diep"] and "Niveau 150" in text["diep"]
    # the deep page keeps its first levels as admonitions
    soup = BeautifulSoup((html / "diep.html").read_text("utf-8"), "html.parser")
    assert len(soup.select("main .admonition")) >= 20


def test_too_large_image_is_named_and_not_copied(hostile: dict[str, object]) -> None:
    html = hostile["out"] / "html"  # type: ignore[operator]
    assert not list(html.rglob("groot*.png"))
    page = BeautifulSoup((html / "groot.html").read_text("utf-8"), "html.parser")
    assert "Een groot plaatje" in page.find("main").get_text(" ")


# -- raw HTML ------------------------------------------------------------------------------------


def test_hostile_raw_html_is_neutralised_and_reported(hostile: dict[str, object]) -> None:
    page = (hostile["out"] / "html" / "html-vijandig.html").read_text("utf-8")  # type: ignore[operator]
    main = BeautifulSoup(page, "html.parser").find("main")
    assert main.find(["script", "iframe", "base", "meta", "form"]) is None
    for link in main.find_all("a", href=True):
        assert not re.sub(r"[\x00-\x20]", "", link["href"]).lower().startswith("javascript:"), link
    assert "verborgen link" in main.get_text(" ") and main.find("a", string="een goede") is not None
    lines = [line for line in hostile["build"].stderr.splitlines() if "html-vijandig.md:" in line and "[kaderpers.html.removed]" in line]  # type: ignore[attr-defined]
    removed = " ".join(lines)
    for what in ("<script>", "<iframe>", "<base>", "<meta>", "<form>", "href on <a>"):
        assert what in removed, (what, lines)
    assert all(re.search(r"html-vijandig\.md:\d+:", line) for line in lines)


def _without_handlers(fragment: str) -> str:
    soup = BeautifulSoup(fragment, "html.parser")
    for tag in soup.find_all(True):
        for name in [name for name, value in tag.attrs.items() if name.startswith("on") or str(value).lower().startswith("javascript:")]:
            del tag[name]
    return str(soup)


def test_the_real_trees_raw_html_is_kept(upstream_tree: Path) -> None:
    """Every tag of raw HTML the real kader writes survives, less its event handlers and javascript: links
    (the site dropped those before, and its Content-Security-Policy blocks them)."""
    tag = re.compile(r"</?(?:a|div|span|p|ul|ol|li|h[1-6]|img|button|b|i|br)\b[^>]*>")
    from kaderpers.core.sanitiser import sanitise

    written = {match[0] for path in upstream_tree.rglob("*.md") for match in tag.finditer(path.read_text("utf-8"))}
    fragments = {fragment for fragment in written if not re.search(r"\smarkdown\b", fragment)}  # grids: never raw HTML
    assert len(fragments) > 30
    for fragment in fragments:
        result = sanitise(fragment)
        assert BeautifulSoup(result.html, "html.parser").decode() == BeautifulSoup(_without_handlers(fragment), "html.parser").decode(), fragment
        assert all(what.startswith(("on", "href on")) for what in result.removed), (fragment, result.removed)


# -- the Sphinx read path ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sphinx_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A Sphinx application on a two-page tree, rebuilt in place for every example."""
    source = tmp_path_factory.mktemp("lees")
    (source / "index.md").write_text("---\ntitle: Start\n---\n# Start\n\n[Pagina](pagina.md)\n", encoding="utf-8")
    (source / "pagina.md").write_text("# Pagina\n", encoding="utf-8")
    with sphinx_application(source, REPO, tmp_path_factory.mktemp("lees-out")) as app:
        yield app


ROUNDS = count(1)
bytes_pages = st.one_of(
    st.binary(max_size=300),
    st.builds(lambda body: b"---\ntitle: Willekeurig\n---\n# Willekeurig\n\n" + body, st.binary(max_size=200)),
    st.builds(
        lambda text, encoding: text.encode(encoding, errors="replace"), st.text(max_size=100), st.sampled_from(["latin-1", "utf-16", "utf-8-sig", "cp1252"])
    ),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(raw=bytes_pages)
def test_random_bytes_through_the_sphinx_read_path(sphinx_app: object, raw: bytes) -> None:
    """Any bytes as a page: the build reads, reports and publishes it; it never raises.

    A page that is not UTF-8 (UTF-16 and UTF-32 byte-order marks are never UTF-8 either) is
    reported as such, and only such a page; the published page is the one this build wrote."""
    source = Path(sphinx_app.srcdir)  # type: ignore[attr-defined]
    page = source / "pagina.md"
    page.write_bytes(raw)
    later = time.time() + 10 * next(ROUNDS)  # newer than the last read, so Sphinx reads it again
    os.utime(page, (later, later))
    published = Path(sphinx_app.outdir) / "pagina.html"  # type: ignore[attr-defined]
    published.unlink()  # the previous example's page: this build must write it again
    warnings = sphinx_app._test_warnings  # type: ignore[attr-defined]
    warnings.truncate(0)
    warnings.seek(0)
    sphinx_app.build()  # type: ignore[attr-defined]
    assert published.is_file()
    try:
        raw.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError:
        utf8 = False
    messages = re.sub(r"\x1b\[[\d;]*m", "", warnings.getvalue())  # Sphinx colours them
    reported = [Path(match["path"]).name for match in WARNING.finditer(messages) if match["rule"] == "encoding.invalid"]
    assert reported == ([] if utf8 else ["pagina.md"]), messages


# -- the real tree, its symlink recreated --------------------------------------------------------


def test_real_tree_symlink_is_followed_and_published(upstream_copy: Path, upstream_site: Path) -> None:
    link = upstream_copy / "over-het-algoritmekader" / "CONTRIBUTING.md"
    assert link.is_symlink() and link.resolve() == (upstream_copy.parent / "CONTRIBUTING.md").resolve()
    page = upstream_site / "over-het-algoritmekader" / "CONTRIBUTING.html"
    headings = [line.lstrip("#").strip() for line in link.read_text("utf-8").splitlines() if re.match(r"#{1,3} \w", line)]
    published = {
        heading.get_text(" ", strip=True).rstrip("#").strip()
        for heading in BeautifulSoup(page.read_text("utf-8"), "html.parser").select("main h1, main h2, main h3")
    }
    assert len(headings) >= 3 and set(headings) <= published, (headings, published)


def test_real_tree_check_is_unchanged_by_its_symlink(upstream_tree: Path, upstream_copy: Path) -> None:
    original = run_kaderpers("check", str(upstream_tree), "--format", "json", check=False)
    copy = run_kaderpers("check", str(upstream_copy), "--format", "json", check=False)
    assert original.stdout == copy.stdout
    assert "boundary." not in original.stdout


# -- the core pieces, on their own -------------------------------------------------------------


def test_walk_follows_links_inside_the_project_and_refuses_the_rest(tmp_path: Path) -> None:
    from kaderpers.core.boundary import project_root, walk

    project = tmp_path / "repo"
    tree = project / "docs"
    (tree / "deel" / "sub").mkdir(parents=True)
    (project / "mkdocs.yml").write_text("site_name: x\n")
    (project / "CONTRIBUTING.md").write_text("# Meedoen\n")
    (tmp_path / "buiten.md").write_text("# Buiten\n")
    (tree / "index.md").write_text("# Start\n")
    (tree / "deel" / "sub" / "pagina.md").write_text("# Pagina\n")
    (tree / "meedoen.md").symlink_to(project / "CONTRIBUTING.md")  # inside the project: followed
    (tree / "buiten.md").symlink_to(tmp_path / "buiten.md")  # outside: refused
    (tree / "deel" / "sub" / "terug").symlink_to(tree / "deel")  # an ancestor: a loop
    (tree / "nergens.md").symlink_to(tree / "bestaat-niet.md")  # broken
    assert project_root(tree) == project.resolve()
    walked = walk(tree)
    assert [path.as_posix() for path in walked.files] == ["deel/sub/pagina.md", "index.md", "meedoen.md"]
    assert sorted(walked.refused) == ["buiten.md", "deel/sub/terug", "nergens.md"]
    assert {(f.path, f.rule) for f in walked.findings} == {
        ("buiten.md", "boundary.outside"),
        ("deel/sub/terug", "boundary.symlink"),
        ("nergens.md", "boundary.symlink"),
    }


def test_nesting_is_limited_for_fenced_directives_too() -> None:
    from kaderpers.core.limits import MAX_NESTING, limit_nesting

    depth = MAX_NESTING + 10
    opening = [":" * (3 + depth - level) + "{note}" for level in range(depth)]
    closing = [":" * (3 + level) for level in range(depth)]
    body = "\n".join([*opening, "Bodem", *closing, "", "```", "!!! note", "```"])
    limited, findings = limit_nesting(body, 5, "p.md")
    assert [f.rule for f in findings] == ["page.too-deep"] and findings[0].line == 5 + MAX_NESTING
    assert sum(line.endswith("{note}") for line in limited.split("\n")) == MAX_NESTING
    assert "Bodem" in limited and "!!! note" in limited  # text is kept; code blocks are not openers
    assert limit_nesting("\n".join(opening[:MAX_NESTING] + closing[-MAX_NESTING:]), 1, "p.md") == (
        "\n".join(opening[:MAX_NESTING] + closing[-MAX_NESTING:]),
        [],
    )


def test_front_matter_aliases_are_bounded_before_they_are_expanded() -> None:
    import yaml

    from kaderpers.core.limits import TooManyValues, load_bounded

    levels = "".join(f"{name}: &{name} [{','.join(['*' + previous] * 9)}]\n" for previous, name in zip("abcdefghijk", "bcdefghijkl", strict=False))
    started = time.perf_counter()
    with pytest.raises(TooManyValues):
        load_bounded("a: &a [x,x,x,x,x,x,x,x,x]\n" + levels, yaml.SafeLoader)
    assert time.perf_counter() - started < 2
    assert load_bounded("a: &a [1, 2]\nb: *a\nc: [*a, *a]\n", yaml.SafeLoader) == {"a": [1, 2], "b": [1, 2], "c": [[1, 2], [1, 2]]}
