"""``kaderpers serve``: the site follows the files on disk, in a real browser.

One server runs for the module, on a copy of content/ (the bundled tree); the
tests edit the copy as an editor would and watch headless Chromium. The warm
rebuilds themselves are compared with a clean build in-process, on another copy.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import CONTENT, REPO, make_tree
from small_content import small_content
from test_incremental import differences

RECORD = "voldoen-aan-wetten-en-regels/maatregelen/1-pba-01-probleem-en-doel-formuleren"
#: Seconds a change may take to show; generous, for a loaded CI machine.
SHOWS_WITHIN_MS = 60_000


@dataclass
class Server:
    url: str
    tree: Path
    out: Path
    process: subprocess.Popen[str]
    log: Path
    #: The line ``kaderpers serve`` printed when it started.
    started: str

    def record(self, docname: str = RECORD) -> Path:
        return self.tree / f"{docname}.md"


def set_title(path: Path, title: str) -> None:
    text = path.read_text("utf-8")
    path.write_text(re.sub(r"^title:.*$", f"title: {title}", text, count=1, flags=re.MULTILINE), "utf-8")


@contextmanager
def serving(tree: Path, root: Path, launcher: tuple[str, ...] = ("-m", "kaderpers.cli")) -> Iterator[Server]:
    """``kaderpers serve TREE`` on a free port, until the block ends; the server must stop cleanly.
    ``launcher``: how Python starts the command line."""
    log = root / "serve.log"
    command = [sys.executable, *launcher, "serve", str(tree), "--port", "0", "--out", str(root / "out")]
    with log.open("w") as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True, cwd=REPO, start_new_session=True)
    try:
        line = process.stdout.readline() if process.stdout else ""
        match = re.search(r"Serving (http://\S+)", line)
        assert match, f"kaderpers serve did not start: {line!r}\n{log.read_text('utf-8')[-3000:]}"
        yield Server(match[1], tree, root / "out", process, log, line)
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 0, log.read_text("utf-8")[-3000:]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("serve")
    tree = root / "content"
    shutil.copytree(CONTENT, tree)
    with serving(tree, root) as started:
        yield started


def open_listening(page: object, url: str) -> list[str]:
    """Open ``url``; returns the browser's console errors (a CSP violation is one) as they come."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)  # type: ignore[attr-defined]
    page.goto(url)  # type: ignore[attr-defined]
    page.wait_for_function("() => document.body.dataset.kpServe === 'listening'", timeout=SHOWS_WITHIN_MS)  # type: ignore[attr-defined]
    return errors


def test_binds_to_this_computer_only_by_default(server: Server) -> None:
    assert server.url.startswith("http://127.0.0.1:")


def test_an_edited_title_appears_in_the_open_page_by_itself(server: Server, page: object) -> None:
    errors = open_listening(page, f"{server.url}{RECORD}.html")
    old = page.locator("h1").first.inner_text()  # type: ignore[attr-defined]
    new = "Formuleer het probleem en het doel, opnieuw bekeken"
    assert new not in old
    page.evaluate("window.kpNotReloaded = true")  # type: ignore[attr-defined]  # gone once the page has reloaded
    set_title(server.record(), new)
    page.locator("h1").filter(has_text=new).wait_for(timeout=SHOWS_WITHIN_MS)  # type: ignore[attr-defined]
    assert page.evaluate("window.kpNotReloaded === undefined")  # type: ignore[attr-defined]  # the page reloaded itself
    assert page.url == f"{server.url}{RECORD}.html"  # type: ignore[attr-defined]
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    # The page was built with the site's policy, which allows the connection to the server.
    policy = page.locator("meta[http-equiv='Content-Security-Policy']").get_attribute("content")  # type: ignore[attr-defined]
    assert "connect-src 'self'" in policy and "script-src 'self'" in policy


def test_a_problem_shows_as_a_banner_until_it_is_fixed(server: Server, page: object) -> None:
    open_listening(page, f"{server.url}{RECORD}.html")
    path = server.record()
    original = path.read_text("utf-8")
    broken = original.replace("\n---\n", "\nlevenscyclus: [ontwerp\n---\n", 1)  # an unclosed YAML list
    assert broken != original
    path.write_text(broken, "utf-8")
    banner = page.locator("#kaderpers-serve-banner")  # type: ignore[attr-defined]
    banner.filter(has_text="problem").wait_for(timeout=SHOWS_WITHIN_MS)
    banner.locator("summary").click()
    assert re.search(r"1-pba-01-probleem-en-doel-formuleren\.md:\d+: WARNING: front matter is not valid YAML", banner.inner_text())
    assert "[yaml.syntax]" in banner.inner_text()
    path.write_text(original, "utf-8")
    banner.wait_for(state="detached", timeout=SHOWS_WITHIN_MS)


def test_a_page_that_was_not_rewritten_stays_as_it_is(server: Server, page: object) -> None:
    """An edit reloads the pages that show it, not every open page."""
    other = "voldoen-aan-wetten-en-regels/vereisten/awb-02-deugdelijke-motivering"
    open_listening(page, f"{server.url}{other}.html")
    page.evaluate("window.kpNotReloaded = true")  # type: ignore[attr-defined]
    before = builds_finished(server)
    path = server.record()
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\nEen zin die er bij het bewerken bij kwam.\n")
    wait_for_builds(server, before + 1)
    assert page.evaluate("window.kpNotReloaded === true")  # type: ignore[attr-defined]


def builds_finished(server: Server) -> int:
    return len(re.findall(r"^kaderpers: built in", server.log.read_text("utf-8"), re.MULTILINE))


def wait_for_builds(server: Server, count: int) -> None:
    deadline = time.monotonic() + SHOWS_WITHIN_MS / 1000
    while builds_finished(server) < count:
        assert time.monotonic() < deadline, server.log.read_text("utf-8")[-2000:]
        time.sleep(0.1)


# -- a tiny tree of its own: the start, and a build that fails ----------------------------

TINY = {"index.md": "---\ntitle: Proefkader\n---\n# Proefkader\n\nEen klein kader.\n", "pagina.md": "---\ntitle: Eerste titel\n---\n# Eerste titel\n\nTekst.\n"}
#: The tree's own conf.py with an extension that fails (as a broken one would) on a page that holds the word BREEKT.
FAILING_CONF = """extensions = ["kaderpers"]


def refuse(app, docname, source):
    if "BREEKT" in source[0]:
        raise RuntimeError(f"de extensie struikelt over {docname}")


def setup(app):
    app.connect("source-read", refuse)
"""


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read().decode("utf-8")


#: ``kaderpers serve`` with a standard output that, as the Serving line is written, connects to its
#: address from the server's own thread: whether the port accepts at that moment, not after a race.
PROBING_LAUNCHER = """
import re, socket, sys
from kaderpers.cli import main


class Probe:
    def __init__(self, stream):
        self.stream = stream

    def write(self, text):
        found = re.search(r"Serving http://([0-9.]+):([0-9]+)/", text)
        if found:
            try:
                socket.create_connection((found[1], int(found[2])), timeout=10).close()
                text += " [probe: accepted]"
            except ConnectionRefusedError:
                text += " [probe: refused]"
        return self.stream.write(text)

    def __getattr__(self, name):
        return getattr(self.stream, name)


sys.stdout = Probe(sys.stdout)
sys.exit(main(sys.argv[1:]))
"""


def test_the_url_answers_as_soon_as_it_is_printed(tmp_path: Path) -> None:
    tree = make_tree(tmp_path / "tree", TINY)
    with serving(tree, tmp_path, ("-c", PROBING_LAUNCHER)) as server:
        assert "[probe: accepted]" in server.started, server.started  # the port listened when the line was written
        status, body = fetch(f"{server.url}pagina.html")  # at once: no waiting, no retry
    assert status == 200
    assert BeautifulSoup(body, "html.parser").select_one("h1").get_text().startswith("Eerste titel")


def test_a_failed_build_leaves_the_last_good_site_and_shows_its_error(tmp_path: Path, page: object) -> None:
    tree = make_tree(tmp_path / "tree", {**TINY, "conf.py": FAILING_CONF})
    with serving(tree, tmp_path) as server:
        url = f"{server.url}pagina.html"
        open_listening(page, url)
        path = tree / "pagina.md"
        original = path.read_text("utf-8")
        path.write_text(original.replace("Eerste titel", "Tweede titel") + "\nDit BREEKT de build.\n", "utf-8")
        banner = page.locator("#kaderpers-serve-banner.kp-serve-failed")  # type: ignore[attr-defined]
        banner.wait_for(timeout=SHOWS_WITHIN_MS)
        shown = banner.inner_text()
        assert "The build failed; this is the last good site." in shown
        assert "de extensie struikelt over pagina" in shown  # the error itself, as the build process reported it
        # The server still serves the page of the last good build, and the open page still shows it.
        status, body = fetch(url)
        assert status == 200
        assert BeautifulSoup(body, "html.parser").select_one("h1").get_text().startswith("Eerste titel")
        assert page.locator("h1").first.inner_text().startswith("Eerste titel")  # type: ignore[attr-defined]

        path.write_text(original.replace("Eerste titel", "Tweede titel"), "utf-8")  # repaired: the banner goes, the edit shows
        page.locator("h1").filter(has_text="Tweede titel").wait_for(timeout=SHOWS_WITHIN_MS)  # type: ignore[attr-defined]
        # The failure banner goes. (The new application the repair needs may still report that kaderpers' nodes
        # and directives were registered before, in this process: a known gap, see the closing note of session 5.)
        page.locator("#kaderpers-serve-banner.kp-serve-failed").wait_for(state="detached", timeout=SHOWS_WITHIN_MS)  # type: ignore[attr-defined]


# -- the warm application against a clean build ------------------------------------------


def test_warm_rebuilds_leave_the_site_a_clean_build_makes(tmp_path: Path, sphinx_registrations: None) -> None:
    """Edits, a new page, a deleted page and a new glossary term, each built by the same
    application; then the site equals a clean build of the tree. A build that raises
    leaves the last good site in place, and the next build recovers. On the small copy of
    content/: what a rebuild rewrites does not depend on the size of the tree."""
    from kaderpers.cli.livebuild import LiveBuild

    tree = small_content(tmp_path / "tree")
    live = LiveBuild(tree, tmp_path / "out", jobs=1)
    first = live.build()
    assert first.ok, first.error
    maatregelen = sorted((tree / "voldoen-aan-wetten-en-regels/maatregelen").glob("[0-9]*.md"))

    set_title(maatregelen[0], "Een nieuwe titel voor deze maatregel")
    retitled = live.build([maatregelen[0]])
    assert retitled.ok and not [p for p in retitled.problems if "toctree" in p], retitled.problems
    # The saved page is written first (then the pages that show its title, in name order).
    assert (retitled.written or [None])[0] == f"voldoen-aan-wetten-en-regels/maatregelen/{maatregelen[0].stem}.html"
    assert "voldoen-aan-wetten-en-regels/maatregelen/index.html" in (retitled.written or [])  # its overview table

    added = maatregelen[1].with_name("9-uit-99-een-nieuwe-maatregel.md")
    added.write_text(maatregelen[1].read_text("utf-8").replace(maatregelen[1].stem[2:8], "uit-99"), "utf-8")
    maatregelen[2].unlink()
    glossary = tree / "includes" / "begrippenlijst.md"
    glossary.write_text(glossary.read_text("utf-8") + "\n*[KPT]: Kaderpers-testterm\n", "utf-8")
    for changed in ([added, maatregelen[2]], [glossary]):
        result = live.build(changed)
        assert result.ok, result.error
    assert not (tmp_path / "out" / "html" / f"voldoen-aan-wetten-en-regels/maatregelen/{maatregelen[2].stem}.html").exists()

    clean = tmp_path / "clean"  # a first build, by a new application with the same serve-mode pages
    assert LiveBuild(tree, clean, jobs=1).build().ok
    different = differences(tmp_path / "out" / "html", clean / "html")
    assert not different, f"the warm rebuilds differ from a clean build in: {different[:20]}"

    # A build that raises (as a broken extension would) keeps the last good site.
    page = tmp_path / "out" / "html" / f"{RECORD}.html"
    before = page.read_bytes()

    def crash(*args: object) -> None:
        raise RuntimeError("an extension failed")

    live.app.connect("env-updated", crash)  # type: ignore[union-attr]
    set_title(tree / f"{RECORD}.md", "Een titel die pas na het herstel verschijnt")
    failed = live.build([tree / f"{RECORD}.md"])
    assert not failed.ok and "an extension failed" in failed.error
    assert page.read_bytes() == before
    recovered = live.build([tree / f"{RECORD}.md"])  # a new application, as after a restart
    assert recovered.ok, recovered.error
    assert "Een titel die pas na het herstel verschijnt" in page.read_text("utf-8")
