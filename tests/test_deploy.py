"""deploy/nginx.conf, run by Debian's nginx as a non-root user over the built content/ site.

The configuration is the container's, with only its port, its site folder and
its /tmp moved into a folder of the test's own.
"""

from __future__ import annotations

import gzip
import http.client
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from conftest import REPO

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CONFIG = REPO / "deploy" / "nginx.conf"
NOBODY = 65534
RECORD = "voldoen-aan-wetten-en-regels/vereisten/index.html"


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name, "")


@dataclass
class Server:
    port: int
    site: Path
    process: subprocess.Popen[bytes]

    def get(self, path: str, **headers: str) -> Response:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            return Response(response.status, response.headers, response.read())
        finally:
            connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def served_configuration(folder: Path, site: Path, port: int) -> str:
    """deploy/nginx.conf with its port, site and /tmp moved; nothing else changes."""
    text = re.sub(r"(?<=\s)/tmp/", f"{folder}/", CONFIG.read_text("utf-8"))
    moved = {
        r"listen 8080;": f"listen 127.0.0.1:{port};",
        r"root /usr/share/nginx/html;": f"root {site};",
    }
    for old, new in moved.items():
        assert text.count(old) == 1, f"deploy/nginx.conf no longer has `{old}`; update this test"
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def nginx(content_site: Path) -> Iterator[Server]:
    if not Path(NGINX).exists():
        pytest.fail("nginx is not installed; run `make setup` (installs Debian's nginx)")
    # A folder the unprivileged user can read and write; pytest's own are root's alone.
    folder = Path(tempfile.mkdtemp(prefix="kaderpers-nginx-"))
    try:
        site = folder / "html"
        shutil.copytree(content_site, site)
        port = free_port()
        config = folder / "nginx.conf"
        config.write_text(served_configuration(folder, site, port), encoding="utf-8")
        command = [NGINX, "-e", "stderr", "-p", str(folder), "-c", str(config), "-g", "daemon off;"]
        log = (folder / "nginx.log").open("wb")  # nginx opens it again as /dev/stdout
        if os.geteuid() == 0:
            for path in [folder, *folder.rglob("*")]:
                os.chown(path, NOBODY, NOBODY)
            command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        server = Server(port, site, process)
        deadline = time.monotonic() + 15
        while True:
            try:
                if server.get("/healthz").status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"nginx did not start:\n{(folder / 'nginx.log').read_text(errors='replace')[-3000:]}")
            time.sleep(0.1)
        yield server
        process.terminate()
        process.wait(timeout=10)
        log.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def page_policy(body: bytes) -> str:
    meta = BeautifulSoup(body, "html.parser").find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert meta is not None
    return str(meta["content"])


def test_nginx_runs_without_root(nginx: Server) -> None:
    status = Path(f"/proc/{nginx.process.pid}/status").read_text()
    real, effective = re.search(r"^Uid:\s+(\d+)\s+(\d+)", status, re.M).groups()  # type: ignore[union-attr]
    assert real != "0" and effective != "0"


@pytest.mark.parametrize("path", ["/", "/index.html", f"/{RECORD}", "/levenscyclus/"])
def test_pages_carry_the_site_policy_and_security_headers(nginx: Server, path: str) -> None:
    response = nginx.get(path)
    assert response.status == 200
    assert response.header("Content-Type").startswith("text/html")
    assert BeautifulSoup(response.body, "html.parser").h1
    # The header is the page's own policy plus what only a header can say.
    assert response.header("Content-Security-Policy") == page_policy(response.body) + "; frame-ancestors 'none'"
    assert response.header("X-Content-Type-Options") == "nosniff"
    assert response.header("Referrer-Policy") == "strict-origin-when-cross-origin"
    assert "camera=()" in response.header("Permissions-Policy")
    assert "nginx/" not in response.header("Server")


def test_a_folder_without_slash_redirects_relatively(nginx: Server) -> None:
    response = nginx.get("/levenscyclus")
    assert response.status == 301
    assert response.header("Location") == "/levenscyclus/"


def test_static_files_are_cached_long_and_compressed(nginx: Server) -> None:
    response = nginx.get("/_static/kaderpers.css", **{"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.header("Content-Encoding") == "gzip"
    assert gzip.decompress(response.body) == (nginx.site / "_static" / "kaderpers.css").read_bytes()
    assert "max-age=31536000" in response.header("Cache-Control")
    assert response.header("Content-Security-Policy")  # the security headers reach every response
    page = nginx.get("/", **{"Accept-Encoding": "gzip"})
    assert page.header("Content-Encoding") == "gzip"
    assert "max-age" not in page.header("Cache-Control")


def test_unknown_addresses_get_the_site_404_page_at_any_depth(nginx: Server) -> None:
    for path in ("/bestaat-niet.html", "/levenscyclus/diep/weg/"):
        response = nginx.get(path)
        assert response.status == 404
        soup = BeautifulSoup(response.body, "html.parser")
        assert soup.h1 and soup.h1.get_text(strip=True) == "Pagina niet gevonden"
        # Its links start at the site's root wherever it is served, and the policy allows that base.
        base = soup.find("base")
        assert base is not None and base["href"] == "/"
        assert "base-uri 'self'" in page_policy(response.body)
        assert response.header("Content-Security-Policy") == page_policy(response.body) + "; frame-ancestors 'none'"
        stylesheets = [link["href"] for link in soup.find_all("link", rel="stylesheet")]
        assert stylesheets
        for href in stylesheets[:3]:
            assert nginx.get(urlsplit(urljoin("http://site/", href)).path).status == 200, href
        home = soup.find("a", string=re.compile("startpagina"))
        assert home is not None and nginx.get(urljoin("/", home["href"])).status == 200


def test_healthz_and_hidden_files(nginx: Server) -> None:
    health = nginx.get("/healthz")
    assert health.status == 200 and health.body == b"ok\n"
    assert (nginx.site / ".buildinfo").is_file()
    assert nginx.get("/.buildinfo").status == 404


@pytest.mark.browser
def test_the_404_page_is_styled_and_breaks_no_policy_in_a_browser(nginx: Server, page) -> None:  # noqa: ANN001
    """The <base> of the 404 page is allowed by both policies, so a deep address shows the styled page."""
    violations: list[str] = []
    failed: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 and "/_static/" in response.url else None)
    response = page.goto(f"http://127.0.0.1:{nginx.port}/levenscyclus/diep/weg/")
    assert response is not None and response.status == 404
    page.wait_for_load_state("load")
    assert violations == [] and failed == []
    assert page.evaluate("document.baseURI") == f"http://127.0.0.1:{nginx.port}/"
    # The site's stylesheets apply: the header looks as on the start page, not as the browser's default.
    look = "() => [getComputedStyle(document.body).fontFamily, getComputedStyle(document.querySelector('header')).display]"
    styled = page.evaluate(look)
    page.get_by_role("link", name="Naar de startpagina").click()
    page.wait_for_url(f"http://127.0.0.1:{nginx.port}/index.html")
    assert styled == page.evaluate(look)
    assert "Times" not in styled[0] and styled[1] != "block"
