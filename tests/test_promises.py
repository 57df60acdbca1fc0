"""README promises of the command line that no other test holds, most of them on one build of a small
kader in its own repository (``kader/`` with ``mkdocs.yml``, ``conf.py`` and ``docs/``):

``build --pdf --handouts rollen --compare-to git:HEAD -D ... -D ...`` with no Chromium on the PATH,
while a page includes a file outside the project, draws a mermaid diagram and names a CSV table and
raw HTML by ``:url:`` on a local server that counts its requests.
"""

from __future__ import annotations

import http.server
import os
import re
import shutil
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pypdf
import pytest
from bs4 import BeautifulSoup

from conftest import KADERPERS, REPO, child_env, comparable, make_tree, run_kaderpers
from pdf_text import text as pdf_words

V = "voldoen-aan-wetten-en-regels"
MARKER = f"BUITEN-{uuid.uuid4().hex}"
#: A node label no diagram cache can hold: the diagram must be printed as its source.
DIAGRAM_NODE = f"Knoop{uuid.uuid4().hex[:12]}"
EDITION_TITLE = "Proefuitgave"
BASEURL_PATH = "/kader/"
#: The question of the decision tree conf.py names; the one beside the tree has another.
CONF_QUESTION = "Werkt je toepassing met boomgegevens?"
DECISION_TREE = """version: "0.1"
name: Proef
questions:
  - questionId: "1"
    question: "{question}"
    answers:
      - answer: "Ja"
        nextConclusionId: "{yes}"
      - answer: "Nee"
        nextConclusionId: "klaar"
conclusions:
  - conclusionId: "klaar"
    conclusion: "Klaar."
    obligation: "Geen."
"""
RECORD = "---\ntitle: {title}\nid: urn:nl:ak:{code}\nlevenscyclus:\n- ontwerp\nrollen:\n- jurist\n{extra}---\n\n# {title}\n\n{body}\n"


def project_files(port: int) -> dict[str, str]:
    """The repository ``kader/``; the page body names the counting server on ``port``."""
    outside = "../../../../buiten.md"  # from docs/voldoen-aan-wetten-en-regels/maatregelen/ to beside kader/
    body = (
        "Tekst van de maatregel.\n\n"
        f"```{{include}} {outside}\n```\n\n"
        f"```mermaid\ngraph TD\n  A[Begin] --> B[{DIAGRAM_NODE}]\n```\n\n"
        f"```{{csv-table}} Tabel van elders\n:url: http://127.0.0.1:{port}/tabel.csv\n```\n\n"
        f"```{{raw}} html\n:url: http://127.0.0.1:{port}/stuk.html\n```\n"
    )
    return {
        "mkdocs.yml": "site_name: Proefkader\n",
        "conf.py": 'extensions = ["kaderpers"]\nkaderpers_beslishulp_file = "besluiten/boom.yaml"\n',
        "besluiten/boom.yaml": DECISION_TREE.format(question=CONF_QUESTION, yes="klaar"),
        # Found by `check` beside the tree (no conf.py there); its answer leads to a conclusion that does not exist.
        "beslishulp.yaml": DECISION_TREE.format(question="Gebruik je AI?", yes="bestaat-niet"),
        "docs/index.md": "---\ntitle: Proefkader\n---\n# Proefkader\n\nEen klein kader.\n",
        "docs/levenscyclus/ontwerp.md": "---\ntitle: Fase 2, Ontwerp\n---\n# Ontwerp\n\n<!-- list_maatregelen levenscyclus/ontwerp -->\n",
        "docs/rollen/jurist.md": "---\ntitle: Jurist\n---\n# Jurist\n\nDe jurist.\n",
        f"docs/{V}/vereisten/avg-01-rechtmatig.md": RECORD.format(title="Verwerk rechtmatig", code="ver:avg-01", extra="", body="Tekst van de vereiste."),
        f"docs/{V}/maatregelen/2-owp-01-doel.md": RECORD.format(
            title="Beschrijf het doel", code="mtr:owp-01", extra="vereiste:\n- avg-01-rechtmatig\n", body=body
        ),
    }


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.server.requests.append(self.path)  # type: ignore[attr-defined]
        self.send_response(200)
        self.end_headers()
        self.wfile.write(f"{MARKER},x\n".encode())

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def counting_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CountingHandler)
    server.requests = []  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def git(folder: Path, *arguments: str) -> None:
    subprocess.run(["git", "-C", str(folder), "-c", "user.name=Test", "-c", "user.email=test@example.org", *arguments], check=True, capture_output=True)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, counting_server) -> Path:
    """``kader/`` committed, then one vereiste's title changed; ``buiten.md`` beside it holds the marker."""
    root = tmp_path_factory.mktemp("promises")
    (root / "buiten.md").write_text(f"# Buiten\n\n{MARKER}\n", "utf-8")
    kader = make_tree(root / "kader", project_files(counting_server.server_address[1]))
    git(kader, "init", "-q")
    git(kader, "add", ".")
    git(kader, "commit", "-q", "-m", "eerste versie")
    record = kader / "docs" / V / "vereisten" / "avg-01-rechtmatig.md"
    record.write_text(record.read_text("utf-8").replace("Verwerk rechtmatig", "Verwerk altijd rechtmatig"), "utf-8")
    return kader


@pytest.fixture(scope="module")
def built(project: Path, tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    """The build, with only git on the PATH (no Chromium to draw diagrams with)."""
    tools = tmp_path_factory.mktemp("bin")
    (tools / "git").symlink_to(shutil.which("git"))
    out = project.parent / "out"
    command = [*KADERPERS, "build", str(project / "docs"), "--out", str(out), "--pdf", "--handouts", "rollen", "--compare-to", "git:HEAD", "-j", "1",
               "-D", f"html_baseurl=https://example.org{BASEURL_PATH}", "-D", f"kaderpers_edition_title={EDITION_TITLE}"]  # fmt: skip
    # A print cache of its own: the run's shared one may hold the diagrams, drawn by other builds.
    cache = tmp_path_factory.mktemp("print-cache")
    result = subprocess.run(command, capture_output=True, text=True, cwd=REPO, env=child_env(PATH=str(tools), KADERPERS_PRINT_CACHE=str(cache)))
    assert result.returncode == 0, f"{result.stdout[-3000:]}\n{result.stderr[-6000:]}"
    result.out = out  # type: ignore[attr-defined]
    result.tree = project / "docs"  # type: ignore[attr-defined]
    return result


def pdfs(built: subprocess.CompletedProcess[str]) -> dict[str, Path]:
    folder = built.out / "pdf"  # type: ignore[attr-defined]
    return {path.relative_to(folder).as_posix(): path for path in sorted(folder.rglob("*.pdf"))}


def messages(built: subprocess.CompletedProcess[str]) -> str:
    return built.stdout + built.stderr


def test_handouts_rollen_writes_the_rol_handouts_only(built: subprocess.CompletedProcess[str]) -> None:
    assert sorted(pdfs(built)) == ["algoritmekader.pdf", "handouts/rollen/jurist.pdf", "wijzigingen.pdf"]


def test_define_reaches_the_html_and_every_pdf_process(built: subprocess.CompletedProcess[str]) -> None:
    site = built.out / "html"  # type: ignore[attr-defined]
    base = BeautifulSoup((site / "404.html").read_text("utf-8"), "html.parser").select("head base")
    assert [tag["href"] for tag in base] == [BASEURL_PATH]  # html_baseurl, in the HTML process
    titles = {name: pypdf.PdfReader(path).metadata.title for name, path in pdfs(built).items()}
    assert titles and set(titles.values()) == {EDITION_TITLE}, titles


def test_compare_to_a_git_revision_lists_the_change(built: subprocess.CompletedProcess[str]) -> None:
    site = built.out / "html"  # type: ignore[attr-defined]
    changes = BeautifulSoup((site / "wijzigingen" / "index.html").read_text("utf-8"), "html.parser").select_one("main").get_text(" ")
    assert "Verwerk altijd rechtmatig" in changes and "Verwerk rechtmatig" in changes
    record = BeautifulSoup((site / V / "vereisten" / "avg-01-rechtmatig.html").read_text("utf-8"), "html.parser")
    assert record.select(".kp-changed-marker")
    unchanged = BeautifulSoup((site / V / "maatregelen" / "2-owp-01-doel.html").read_text("utf-8"), "html.parser")
    assert not unchanged.select(".kp-changed-marker")


def test_nothing_from_outside_the_project_reaches_the_pdfs(built: subprocess.CompletedProcess[str]) -> None:
    texts = {name: comparable(pdf_words(path)) for name, path in pdfs(built).items() if name != "wijzigingen.pdf"}
    assert texts and all(comparable("Tekst van de maatregel.") in text for text in texts.values())  # the page is printed
    assert not [name for name, text in texts.items() if comparable(MARKER) in text]
    assert not [path for path in built.out.rglob("*") if path.is_file() and MARKER.encode() in path.read_bytes()]  # type: ignore[attr-defined]
    assert re.search(r"2-owp-01-doel\.md:\d+: (?:WARNING|ERROR): .*\[kaderpers\.boundary\.outside\]", messages(built))


def test_url_options_are_refused_and_nothing_is_fetched(built: subprocess.CompletedProcess[str], counting_server) -> None:
    page = built.tree / V / "maatregelen" / "2-owp-01-doel.md"  # type: ignore[attr-defined]
    directives = [number for number, line in enumerate(page.read_text("utf-8").splitlines(), 1) if line.startswith(("```{csv-table}", "```{raw}"))]
    refused = {int(line) for line in re.findall(r"2-owp-01-doel\.md:(\d+): (?:WARNING|ERROR): .*\[kaderpers\.boundary\.outside\]", messages(built))}
    assert len(directives) == 2 and all({number, number + 1} & refused for number in directives), (directives, refused)
    assert counting_server.requests == []


def test_diagrams_without_chromium_print_their_source_with_a_warning(built: subprocess.CompletedProcess[str]) -> None:
    for name, path in pdfs(built).items():
        if name != "wijzigingen.pdf":
            assert comparable(DIAGRAM_NODE) in comparable(pdf_words(path)), name
    assert re.search(r"WARNING: the PDF shows a mermaid diagram as its source: .*Chromium.*\[kaderpers\.mermaid\]", messages(built))


def test_the_beslishulp_named_in_conf_py_of_the_folder_above(built: subprocess.CompletedProcess[str]) -> None:
    page = built.out / "html" / "beslishulp" / "index.html"  # type: ignore[attr-defined]
    assert page.is_file() and CONF_QUESTION in page.read_text("utf-8")


def test_check_finds_the_beslishulp_in_the_folder_above(project: Path) -> None:
    result = run_kaderpers("check", str(project / "docs"), check=False)
    problems = [line for line in result.stdout.splitlines() if "beslishulp.yaml" in line and "bestaat-niet" in line]
    assert problems and result.returncode == 1, result.stdout[-2000:]


def test_fresh_starts_from_an_empty_folder_and_handouts_fasen_writes_the_phase_handouts_only(
    built: subprocess.CompletedProcess[str], project: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    shutil.copytree(built.out / "html", out / "html")  # type: ignore[attr-defined]
    shutil.copytree(built.out / "doctrees", out / "doctrees")  # type: ignore[attr-defined]
    (out / "html" / "achtergebleven.html").write_text("<p>van een oudere build</p>", "utf-8")
    run_kaderpers("build", str(project / "docs"), "--out", str(out), "--fresh", "--handouts", "fasen", "-j", "1")
    assert (out / "html" / "index.html").is_file() and not (out / "html" / "achtergebleven.html").exists()
    assert not (out / "html" / "wijzigingen").exists()
    assert sorted(path.relative_to(out / "pdf").as_posix() for path in (out / "pdf").rglob("*.pdf")) == ["handouts/ontwerp.pdf"]


def test_new_never_overwrites_a_file(tmp_path: Path) -> None:
    tree = make_tree(tmp_path / "docs", {"index.md": "# Kader\n", f"{V}/hulpmiddelen/index.md": "# Hulpmiddelen\n"})
    existing = tree / V / "hulpmiddelen" / "mijn-hulpmiddel.md"
    existing.write_text("Niet van een record, en toch van iemand.\n", "utf-8")
    result = run_kaderpers("new", "hulpmiddel", "Mijn hulpmiddel", "--dir", str(tree))
    written = Path(result.stdout.strip())
    assert written.is_file() and written != existing and written.parent == existing.parent
    assert existing.read_text("utf-8") == "Niet van een record, en toch van iemand.\n"


@pytest.mark.parametrize("docname", ["index", "mijn-checklist/index", f"{V}/maatregelen/2-owp-01-doel"])
def test_every_page_prints_without_its_navigation(built: subprocess.CompletedProcess[str], page, docname: str) -> None:  # noqa: ANN001
    """Every page links the site's style sheet, whose print rules leave the header, sidebars and footer out."""
    site = built.out / "html"  # type: ignore[attr-defined]
    pages = [path for path in site.rglob("*.html") if not path.is_relative_to(site / "_static")]
    without = [path for path in pages if not BeautifulSoup(path.read_text("utf-8"), "html.parser").select("link[rel=stylesheet][href*='kaderpers.css']")]
    assert len(pages) > 5 and not without, without[:5]
    page.goto((site / f"{docname}.html").as_uri())
    chrome = ".bd-header, .bd-sidebar-primary, .prev-next-area, .bd-footer"
    assert page.locator(chrome).count() and any(element.is_visible() for element in page.locator(chrome).all())
    page.emulate_media(media="print")
    assert not any(element.is_visible() for element in page.locator(chrome).all())
    assert page.locator("main h1").first.is_visible()


def start_serve(tree: Path, cache: Path, log: Path, *options: str) -> tuple[subprocess.Popen[str], str]:
    """``kaderpers serve`` with its cache in ``cache``; returns the process and the URL it printed."""
    with log.open("a") as errors:
        process = subprocess.Popen([*KADERPERS, "serve", str(tree), "--port", "0", *options], stdout=subprocess.PIPE, stderr=errors, text=True, cwd=REPO,
                                   env=child_env(XDG_CACHE_HOME=str(cache)), start_new_session=True)  # fmt: skip
    line = process.stdout.readline() if process.stdout else ""
    match = re.search(r"Serving (http://\S+)", line)
    if not match:
        stop_serve(process)
        pytest.fail(f"kaderpers serve did not start: {line!r}\n{log.read_text('utf-8')[-3000:]}")
    return process, match[1]


def stop_serve(process: subprocess.Popen[str]) -> None:
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def fetch(url: str) -> str:
    """The page at ``url``; the server prints its address just before uvicorn listens on it."""
    for attempt in range(60):
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                return response.read().decode("utf-8")
        except urllib.error.URLError as error:
            if not isinstance(error.reason, ConnectionRefusedError) or attempt == 59:
                raise
            time.sleep(0.5)
    raise AssertionError("unreachable")


def abbreviation(html: str, term: str) -> str | None:
    found = BeautifulSoup(html, "html.parser").select_one(f"main abbr:-soup-contains('{term}')")
    return found.get("title") if found else None


def test_serve_on_another_host_from_its_cache_folder_and_again_after_a_restart(tmp_path: Path) -> None:
    """Also: an edit of the glossary in the folder above the tree (the project's ``includes/``) is built and shown."""
    project = make_tree(tmp_path / "kader", {
        "mkdocs.yml": "site_name: Proefkader\n",
        "includes/begrippenlijst.md": "*[AVG]: Algemene verordening gegevensbescherming\n",
        "docs/index.md": "# Proefkader\n\nEen klein kader.\n",
        "docs/rollen/jurist.md": "# Jurist\n\nDe jurist kent de AVG.\n",
    })  # fmt: skip
    tree = project / "docs"
    cache, log = tmp_path / "cache", tmp_path / "serve.log"
    process, url = start_serve(tree, cache, log, "--host", "0.0.0.0")
    try:
        assert url.startswith("http://0.0.0.0:")
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        # Listening on every address: reachable through the loopback address too.
        page = f"http://127.0.0.1:{port}/rollen/jurist.html"
        assert abbreviation(fetch(page), "AVG") == "Algemene verordening gegevensbescherming"
        (project / "includes" / "begrippenlijst.md").write_text("*[AVG]: De privacywet van de EU\n", "utf-8")
        for _ in range(240):  # until the rebuild is served (a loaded machine takes its time)
            if abbreviation(fetch(page), "AVG") == "De privacywet van de EU":
                break
            time.sleep(0.5)
        assert abbreviation(fetch(page), "AVG") == "De privacywet van de EU", log.read_text("utf-8")[-2000:]
    finally:
        stop_serve(process)
    sites = [folder for folder in (cache / "kaderpers" / "serve").iterdir() if (folder / "html" / "rollen" / "jurist.html").is_file()]
    assert len(sites) == 1 and sites[0].name.startswith("docs-"), sites
    written = (sites[0] / "html" / "rollen" / "jurist.html").stat().st_mtime_ns
    # A restart builds from the saved state in that folder: the unchanged page is not written again.
    process, _ = start_serve(tree, cache, log)
    stop_serve(process)
    assert [folder for folder in (cache / "kaderpers" / "serve").iterdir()] == sites
    assert (sites[0] / "html" / "rollen" / "jurist.html").stat().st_mtime_ns == written, log.read_text("utf-8")[-2000:]
