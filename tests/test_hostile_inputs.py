"""Hostile inputs (issue 19, part 4): special files in the tree, settings Sphinx takes on trust, HTTP requests
to ``serve``. Each is one clear message with its place; the rest is published; nothing hangs or crashes."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import KADERPERS, child_env, make_tree, run_kaderpers
from kaderpers.cli import serve
from kaderpers.core.linkcheck import run_apart

PAGE = "---\ntitle: {0}\n---\n# {0}\n\n{1}\n"
WARNING = re.compile(r"^(?P<path>\S+?):(?P<line>\d+)?:? WARNING: .*\[kaderpers\.(?P<rule>[\w.-]+)\]$", re.MULTILINE)
CHECK = re.compile(r"^(?P<path>\S+?):(?:(?P<line>\d+):)? error: .*\[(?P<rule>[\w.-]+)\]$", re.MULTILINE)


def base_tree(root: Path, **pages: str) -> Path:
    files = {"index.md": PAGE.format("Start", "Welkom."), "pagina.md": PAGE.format("Pagina", "Tekst.")}
    files.update({f"{name}.md": PAGE.format(name, body) for name, body in pages.items()})
    return make_tree(root, files)


class Pipes:
    """Named pipes to put in a tree. Should a reader open one after all, from 20 s on a writer opens and
    closes it again and again (each waiting reader gets an empty file) and counts the readers it let go:
    the test then fails on that count instead of hanging."""

    def __init__(self) -> None:
        self.made: list[Path] = []
        self.released = 0
        self.done = threading.Event()
        threading.Thread(target=self._unblock, daemon=True).start()

    def make(self, path: Path) -> Path:
        os.mkfifo(path)
        self.made.append(path)
        return path

    def _unblock(self) -> None:
        if self.done.wait(20):
            return
        while not self.done.wait(0.05):
            for pipe in self.made:
                try:
                    os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))  # fails unless a reader waits
                    self.released += 1
                except OSError:
                    pass


@pytest.fixture
def pipes() -> Iterator[Pipes]:
    made = Pipes()
    yield made
    made.done.set()


def test_named_pipes_as_page_include_and_image_are_reported_and_never_opened(tmp_path: Path, pipes: Pipes) -> None:
    body = "```{include} pijp.txt\n```\n\n```{literalinclude} pijp.txt\n```\n\n![een plaatje](pijp.png)\n\nNa de pijpen."
    tree = base_tree(tmp_path / "tree", leest=body)  # the include is on line 6, literalinclude 9, image 12
    for name in ("x.md", "pijp.txt", "pijp.png"):
        pipes.make(tree / name)
    out = tmp_path / "out"

    result = run_kaderpers("build", str(tree), "--out", str(out), check=False)
    assert pipes.released == 0, "the build opened a named pipe and waited for a writer"
    assert result.returncode == 0, result.stderr[-2000:]
    found = {(Path(m["path"]).name, m["line"]) for m in WARNING.finditer(result.stderr) if m["rule"] == "boundary.not-a-file"}
    assert found == {("x.md", None), ("pijp.txt", None), ("pijp.png", None), ("leest.md", "6"), ("leest.md", "9"), ("leest.md", "12")}
    assert "Traceback" not in result.stderr
    assert "Na de pijpen." in (out / "html" / "leest.html").read_text("utf-8")
    assert (out / "html" / "pagina.html").is_file() and not (out / "html" / "x.html").exists()

    checked = run_kaderpers("check", str(tree), check=False)
    assert checked.returncode == 1
    reported = {(m["path"], m["line"]) for m in CHECK.finditer(checked.stdout) if m["rule"] == "boundary.not-a-file"}
    assert reported == {("x.md", None), ("pijp.txt", None), ("pijp.png", None), ("leest.md", "6"), ("leest.md", "9"), ("leest.md", "12")}

    strict = run_kaderpers("build", str(tree), "--out", str(tmp_path / "strikt"), "--strict", check=False)
    assert strict.returncode != 0
    assert pipes.released == 0, "check or the strict build opened a named pipe"


def test_a_beslishulp_that_is_a_named_pipe_is_reported_not_read(tmp_path: Path, pipes: Pipes) -> None:
    tree = base_tree(tmp_path / "tree")
    pipe = pipes.make(tmp_path / "beslishulp.yaml")
    result = run_kaderpers("check", str(tree), "--beslishulp", str(pipe), "--format", "json", check=False)
    assert pipes.released == 0, "check opened the beslishulp pipe and waited for a writer"
    findings = [finding for finding in json.loads(result.stdout)["findings"] if finding["rule"] == "beslishulp.syntax"]
    assert len(findings) == 1 and "named pipe" in findings[0]["message"], findings


def one_line_failure(result: object) -> str:
    """The build failed with one line of its own, and no Sphinx crash report."""
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "Please also report" not in result.stderr, result.stderr[-3000:]
    lines = [line for line in result.stderr.splitlines() if line.startswith("kaderpers: the configuration cannot be used")]
    assert len(lines) == 1, result.stderr[-3000:]
    return lines[0]


def test_a_setting_sphinx_refuses_is_one_line_and_the_last_site_stays(tmp_path: Path) -> None:
    tree = base_tree(tmp_path / "tree")
    out = tmp_path / "out"
    run_kaderpers("build", str(tree), "--out", str(out))
    before = (out / "html" / "pagina.html").read_bytes()

    line = one_line_failure(run_kaderpers("build", str(tree), "--out", str(out), "-D", "kaderpers_pdf_speedups=misschien", check=False))
    assert "kaderpers_pdf_speedups" in line and "misschien" in line
    line = one_line_failure(run_kaderpers("build", str(tree), "--out", str(out), "-D", "exclude_patterns=**", check=False))
    assert "exclude pattern" in line
    assert (out / "html" / "pagina.html").read_bytes() == before


def test_a_conf_py_that_raises_is_named_with_its_line(tmp_path: Path) -> None:
    tree = base_tree(tmp_path / "tree")
    (tree / "conf.py").write_text("extensions = ['kaderpers']\nraise RuntimeError('kapot')\n", encoding="utf-8")
    line = one_line_failure(run_kaderpers("build", str(tree), "--out", str(tmp_path / "out"), check=False))
    assert f"{tree / 'conf.py'}, line 2" in line and "RuntimeError: kapot" in line


@pytest.mark.parametrize(
    ("setting", "shown"),
    [("html_baseurl = 5", "html_baseurl: expected the site's address as text, got 5"), ("language = '../../etc'", "language: expected a language code")],
)
def test_a_sphinx_setting_of_the_wrong_kind_is_reported_and_the_site_published(tmp_path: Path, setting: str, shown: str) -> None:
    tree = base_tree(tmp_path / "tree")
    (tree / "conf.py").write_text(f"extensions = ['kaderpers']\n{setting}\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_kaderpers("build", str(tree), "--out", str(out), check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert [line for line in result.stderr.splitlines() if shown in line and "[kaderpers.config]" in line], result.stderr[-3000:]
    assert (out / "html" / "pagina.html").is_file()
    assert run_kaderpers("build", str(tree), "--out", str(tmp_path / "strikt"), "--strict", check=False).returncode != 0


# -- serve ---------------------------------------------------------------------------------------


class Preview:
    """The preview's web application, asked in this process (no server, no port)."""

    def __init__(self, site: Path, *, local_only: bool = True) -> None:
        (site / "index.html").write_text("<p>voorbeeld</p>", encoding="utf-8")
        self.broadcaster = serve.Broadcaster(serve.SiteState("b-1", "built"))
        self.app = serve.web_app(site, self.broadcaster, None, local_only=local_only)

    def get(self, path: str, host: str) -> httpx.Response:
        async def ask() -> httpx.Response:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://127.0.0.1") as client:
                return await client.get(path, headers={"Host": host})

        # An event stream that is let through never ends: the request then fails on the time-out instead of hanging.
        return run_apart(asyncio.wait_for(ask(), 10))  # also beside Playwright's loop (the browser tests)


@pytest.mark.parametrize("host", ["localhost:8000", "127.0.0.1:8000", "[::1]:8000", "localhost"])
def test_the_preview_answers_for_this_computer(tmp_path: Path, host: str) -> None:
    response = Preview(tmp_path).get("/", host)
    assert response.status_code == 200 and "voorbeeld" in response.text


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", "localhost.evil.example:8000"])
def test_a_foreign_host_gets_nothing_from_a_local_preview(tmp_path: Path, host: str) -> None:
    preview = Preview(tmp_path)
    for path in ("/", "/_kaderpers/status"):
        response = preview.get(path, host)
        assert response.status_code == 421 and "voorbeeld" not in response.text and "b-1" not in response.text


def test_a_preview_shared_on_the_network_answers_any_host(tmp_path: Path) -> None:
    assert Preview(tmp_path, local_only=False).get("/", "kader.intern:8000").status_code == 200


def test_event_streams_are_bounded(tmp_path: Path) -> None:
    preview = Preview(tmp_path)
    for _ in range(serve.MAX_LISTENERS):
        preview.broadcaster._listeners.add(asyncio.Queue())  # pages that hold a stream open
    response = preview.get("/_kaderpers/events", "localhost")
    assert response.status_code == 503 and response.headers["retry-after"] == "5"


# -- files the build reads besides the pages ---------------------------------------------------


def test_an_include_that_leads_back_into_itself_is_reported_not_followed(tmp_path: Path) -> None:
    include = "```{{include}} {}\n```\n\nNa de include."
    tree = base_tree(tmp_path / "tree", zelf=include.format("zelf.md"), heen=include.format("terug.inc"))
    (tree / "terug.inc").write_text(include.format("heen.md"), encoding="utf-8")  # no page: line 1 includes heen.md back
    out = tmp_path / "out"
    result = run_kaderpers("build", str(tree), "--out", str(out), check=False)
    assert result.returncode == 0 and "Traceback" not in result.stderr and "RecursionError" not in result.stderr, result.stderr[-3000:]
    loops = {(Path(m["path"]).name, m["line"], m[0].split("(")[1].split(")")[0]) for m in WARNING.finditer(result.stderr) if m["rule"] == "include.loop"}
    assert loops == {("zelf.md", "6", "zelf.md → zelf.md"), ("terug.inc", "1", "heen.md → terug.inc → heen.md")}, result.stderr[-3000:]
    assert "Na de include." in (out / "html" / "zelf.html").read_text("utf-8")
    assert (out / "html" / "pagina.html").is_file()
    # `check` reads the includes as the build does: the same loops, at the same places, with the same message.
    checked = json.loads(run_kaderpers("check", str(tree), "--format", "json", check=False).stdout)["findings"]
    built = {
        (Path(m["path"]).name, int(m["line"]), m[0].split(" WARNING: ", 1)[1].rsplit(" [", 2)[0])
        for m in WARNING.finditer(result.stderr)
        if m["rule"] == "include.loop"
    }
    assert {(Path(f["path"]).name, f["line"], f["message"]) for f in checked if f["rule"] == "include.loop"} == built


def test_includes_the_build_does_not_read_are_reported_alike_by_check(tmp_path: Path) -> None:
    """An include inside an included file, and an included file nested deeper than a page may, are not read
    (nesting adds up through includes: a chain of 1,500 ended the build in a RecursionError). Nested includes are
    relative to the page's folder; a file inserted as text is not followed. `check` reports the same."""
    include = "```{{include}} {}\n{}```\n"
    nested_lists = "\n".join("  " * depth + f"- niveau {depth}" for depth in range(30))
    tree = base_tree(
        tmp_path / "tree",
        tekst=include.format("als-tekst.inc", ":literal:\n"),  # its include of tekst.md is text, not read
        keten=include.format("keten0.inc", "") + "\nNa de keten.",
        diep=include.format("sub/a.inc", ""),
        genest="Voor.\n\n" + include.format("genest.inc", "") + "\nNa.",
    )
    (tree / "als-tekst.inc").write_text(include.format("tekst.md", ""), encoding="utf-8")
    for n in range(1500):
        (tree / f"keten{n}.inc").write_text(f"Schakel {n}.\n\n" + include.format(f"keten{n + 1}.inc", ""), encoding="utf-8")
    (tree / "sub").mkdir()
    (tree / "sub" / "a.inc").write_text(include.format("diep.md", ""), encoding="utf-8")  # from the page's folder: diep.md itself
    (tree / "genest.inc").write_text(nested_lists + "\n", encoding="utf-8")
    expected = {("sub/a.inc", 1, "include.loop"), ("keten0.inc", 3, "include.too-deep"), ("genest.md", 8, "include.too-deep")}

    out = tmp_path / "out"
    built = run_kaderpers("build", str(tree), "--out", str(out), check=False)
    assert built.returncode == 0 and "Traceback" not in built.stderr and "RecursionError" not in built.stderr, built.stderr[-3000:]
    found = {
        (Path(m["path"]).relative_to(tree).as_posix(), int(m["line"]), m["rule"]) for m in WARNING.finditer(built.stderr) if m["rule"].startswith("include.")
    }
    assert found == expected, built.stderr[-3000:]
    keten = (out / "html" / "keten.html").read_text("utf-8")
    assert "Schakel 0." in keten and "Na de keten." in keten and "Schakel 1." not in keten
    genest = (out / "html" / "genest.html").read_text("utf-8")
    assert "Voor." in genest and "Na." in genest and "niveau" not in genest
    assert "{include} tekst.md" in (out / "html" / "tekst.html").read_text("utf-8")  # as text

    checked = run_kaderpers("check", str(tree), "--format", "json", check=False)
    assert "Traceback" not in checked.stderr, checked.stderr[-3000:]
    assert {(f["path"], f["line"], f["rule"]) for f in json.loads(checked.stdout)["findings"] if f["rule"].startswith("include.")} == expected


def test_a_folder_path_longer_than_the_system_reads_is_one_finding(tmp_path: Path) -> None:
    """Folders nested until their path passes the system's limit (4,096 bytes on Linux), made relative to an
    open folder as an archive could: the walk reports the folder (file.name) and publishes the rest."""
    tree = base_tree(tmp_path / "tree")
    name = "map-" + "x" * 60
    folder = os.open(tree, os.O_RDONLY)
    try:
        for _ in range(80):
            os.mkdir(name, dir_fd=folder)
            inner = os.open(name, os.O_RDONLY, dir_fd=folder)
            os.close(folder)
            folder = inner
        page = os.open("diep.md", os.O_WRONLY | os.O_CREAT, dir_fd=folder)
        os.write(page, PAGE.format("Diep", "Tekst.").encode())
        os.close(page)
    finally:
        os.close(folder)
    depth = len(str(tree)) + 80 * (len(name) + 1)
    assert depth > 4096
    out = tmp_path / "out"
    built = run_kaderpers("build", str(tree), "--out", str(out), check=False)
    assert built.returncode == 0 and "Traceback" not in built.stderr, built.stderr[-3000:]
    too_long = [m for m in WARNING.finditer(built.stderr) if m["rule"] == "file.name"]
    assert len(too_long) == 1 and "too long" in too_long[0][0], built.stderr[-3000:]
    assert (out / "html" / "pagina.html").is_file()
    checked = json.loads(run_kaderpers("check", str(tree), "--format", "json", check=False).stdout)["findings"]
    assert [f["rule"] for f in checked if "too long" in f["message"]] == ["file.name"]
    assert run_kaderpers("build", str(tree), "--out", str(tmp_path / "strict"), "--strict", check=False).returncode == 1


def test_a_mkdocs_yml_that_is_not_text_leaves_the_default_navigation(tmp_path: Path) -> None:
    tree = base_tree(tmp_path / "tree")
    (tree / "mkdocs.yml").write_bytes(b"nav:\n  - \xfe\xff\xe8 kapot\n")
    out = tmp_path / "out"
    result = run_kaderpers("build", str(tree), "--out", str(out), check=False)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-3000:]
    assert [line for line in result.stderr.splitlines() if "cannot read the navigation" in line and "[kaderpers.nav]" in line]
    assert (out / "html" / "pagina.html").is_file()


def test_vocabulary_sections_of_the_wrong_shape_are_reported_and_the_bundled_ones_used(tmp_path: Path) -> None:
    tree = base_tree(tmp_path / "tree")
    (tree / "vocabulaire.yml").write_text("labels:\n  fase: [1, 2]\ncategorie: 5\nbeslishulp-labels: [x]\n", encoding="utf-8")
    result = run_kaderpers("check", str(tree), "--format", "json", check=False)
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    messages = [finding["message"] for finding in json.loads(result.stdout)["findings"] if finding["rule"] == "vocabulary.invalid"]
    assert sorted(message.split("`")[1] for message in messages) == ["beslishulp-labels", "categorie", "labels"], messages
    built = run_kaderpers("build", str(tree), "--out", str(tmp_path / "out"), check=False)
    assert built.returncode == 0 and (tmp_path / "out" / "html" / "pagina.html").is_file(), built.stderr[-3000:]


# -- the command line -------------------------------------------------------------------------------


def only_line(result: object) -> str:
    assert result.returncode != 0
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("kaderpers: ") and "Traceback" not in result.stderr, lines
    return lines[0]


@pytest.mark.parametrize("where", ["the tree", "inside the tree", "empty"])
def test_an_output_folder_that_is_the_tree_or_inside_it_is_refused(tmp_path: Path, where: str) -> None:
    tree = base_tree(tmp_path / "tree")
    out = {"the tree": str(tree), "inside the tree": str(tree / "site"), "empty": ""}[where]
    line = only_line(run_kaderpers("build", str(tree), "--out", out, check=False))
    assert "--out" in line
    assert sorted(path.name for path in tree.iterdir()) == ["index.md", "pagina.md"]


def test_the_root_of_the_file_system_is_no_output_folder(tmp_path: Path) -> None:
    from kaderpers.cli import _output_dir  # asked directly: a build that got through would write to /html

    with pytest.raises(SystemExit, match="root of the file system"):
        _output_dir("/", tmp_path)
    assert _output_dir(str(tmp_path / "uit"), tmp_path / "tree") == tmp_path / "uit"


def test_a_home_page_that_leads_outside_the_project_is_one_line(tmp_path: Path) -> None:
    tree = base_tree(tmp_path / "tree")
    (tmp_path / "elders.md").write_text(PAGE.format("Elders", "Buiten."), encoding="utf-8")
    (tree / "index.md").unlink()
    (tree / "index.md").symlink_to(tmp_path / "elders.md")
    line = only_line(run_kaderpers("build", str(tree), "--out", str(tmp_path / "out"), check=False))
    assert f"{tree / 'index.md'} is a symlink that leads outside the project" in line
    assert not (tmp_path / "out" / "html").exists()


def test_diff_into_a_folder_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    tree = base_tree(tmp_path / "tree")
    (tmp_path / "bestand").write_text("geen map", encoding="utf-8")
    line = only_line(run_kaderpers("diff", str(tree), str(tree), "--format", "html", "--out", str(tmp_path / "bestand"), check=False))
    assert f"cannot write {tmp_path / 'bestand'}" in line


@pytest.mark.parametrize("port", ["99999", "-1", "80a"])
def test_serve_refuses_a_port_that_does_not_exist(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    from kaderpers.cli import parser

    with pytest.raises(SystemExit) as stopped:
        parser().parse_args(["serve", "--port", port])
    assert stopped.value.code == 2 and "give a port number from 0 to 65535" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["page", "folder"])
def test_a_name_that_is_not_utf8_is_reported_and_the_rest_published(tmp_path: Path, kind: str) -> None:
    tree = base_tree(tmp_path / "tree")
    name = os.fsdecode(b"caf\xe9" + (b".md" if kind == "page" else b""))
    page = tree / name if kind == "page" else tree / name / "binnen.md"
    page.parent.mkdir(exist_ok=True)
    page.write_text(PAGE.format("Cafe", "Koffie."), encoding="utf-8")
    out = tmp_path / "out"
    result = run_kaderpers("build", str(tree), "--out", str(out), check=False)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-3000:]
    shown = "caf\ufffd" + (".md" if kind == "page" else "")
    assert [m for m in WARNING.finditer(result.stderr) if m["rule"] == "file.name" and m["path"].endswith(f"/{shown}")], result.stderr[-3000:]
    assert (out / "html" / "pagina.html").is_file()
    checked = run_kaderpers("check", str(tree), check=False)
    assert [m for m in CHECK.finditer(checked.stdout) if (m["path"], m["rule"]) == (shown, "file.name")], checked.stdout


def test_a_page_name_too_long_for_its_files_is_reported_and_the_rest_published(tmp_path: Path) -> None:
    longest = "a" * (255 - len(".doctree")) + ".md"  # its doctree is 255 bytes: still fine
    too_long = "b" * (255 - len(".doctree") + 1) + ".md"
    tree = base_tree(tmp_path / "tree")
    for name in (longest, too_long):
        (tree / name).write_text(PAGE.format("Lang", "Een lange naam."), encoding="utf-8")
    out = tmp_path / "out"
    result = run_kaderpers("build", str(tree), "--out", str(out), check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert {Path(m["path"]).name for m in WARNING.finditer(result.stderr) if m["rule"] == "file.name"} == {too_long}
    assert (out / "html" / f"{longest[:-3]}.html").is_file() and (out / "html" / "pagina.html").is_file()


def test_names_that_differ_in_case_only_are_a_warning_and_both_published(tmp_path: Path) -> None:
    tree = base_tree(tmp_path / "tree", Regels="Groot.", regels="Klein.")
    (tree / "Plaatje.png").write_bytes(b"")
    (tree / "plaatje.PNG").write_bytes(b"")
    out = tmp_path / "out"
    result = run_kaderpers("build", str(tree), "--out", str(out), check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(Path(m["path"]).name for m in WARNING.finditer(result.stderr) if m["rule"] == "file.case") == ["plaatje.PNG", "regels.md"]
    assert "Groot." in (out / "html" / "Regels.html").read_text("utf-8") and "Klein." in (out / "html" / "regels.html").read_text("utf-8")


def test_a_download_that_is_a_named_pipe_is_reported_and_the_site_published(tmp_path: Path, pipes: Pipes) -> None:
    tree = base_tree(tmp_path / "tree", laden="{download}`het bestand <pijp.bin>`")  # line 6
    pipes.make(tree / "pijp.bin")
    out = tmp_path / "out"
    result = run_kaderpers("build", str(tree), "--out", str(out), check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert [m for m in WARNING.finditer(result.stderr) if (Path(m["path"]).name, m["line"], m["rule"]) == ("laden.md", "6", "boundary.not-a-file")]
    assert "het bestand" in (out / "html" / "laden.html").read_text("utf-8")
    checked = run_kaderpers("check", str(tree), check=False)
    assert [m for m in CHECK.finditer(checked.stdout) if (m["path"], m["line"], m["rule"]) == ("laden.md", "6", "boundary.not-a-file")], checked.stdout
    assert pipes.released == 0


def test_a_reader_that_leaves_early_ends_check_without_a_traceback(tmp_path: Path) -> None:
    tree = base_tree(tmp_path / "tree", **{f"p{number}": "![](weg.png)" for number in range(300)})  # 300 findings
    process = subprocess.Popen([*KADERPERS, "check", str(tree)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env())
    process.stdout.close()  # as `| head` does once it has its lines
    error = process.stderr.read().decode()
    assert process.wait() == 1 and "Traceback" not in error and "BrokenPipeError" not in error, error


def test_a_tree_argument_too_long_for_the_file_system_is_one_line(tmp_path: Path) -> None:
    line = only_line(run_kaderpers("check", "x" * 100_000, check=False))
    assert line.startswith("kaderpers: cannot read xxx") and "give the root of a content tree" in line and len(line) < 400


def test_a_path_setting_with_a_name_too_long_is_reported_and_the_site_published(tmp_path: Path) -> None:
    tree = base_tree(tmp_path / "tree")
    out = tmp_path / "out"
    result = run_kaderpers("build", str(tree), "--out", str(out), "-D", f"kaderpers_nav_file={'n' * 5000}.yml", check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert [line for line in result.stderr.splitlines() if "kaderpers_nav_file: expected a path, got a name longer than 255 bytes" in line]
    assert (out / "html" / "pagina.html").is_file()


def test_streams_that_raced_past_the_check_end_at_once(tmp_path: Path) -> None:
    preview = Preview(tmp_path)
    for _ in range(serve.MAX_LISTENERS):
        preview.broadcaster._listeners.add(asyncio.Queue())

    async def first_events() -> list[str]:
        return [event async for event in preview.broadcaster.stream()]

    assert run_apart(asyncio.wait_for(first_events(), 10)) == []
    assert len(preview.broadcaster._listeners) == serve.MAX_LISTENERS
