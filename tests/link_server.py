"""A local HTTP server with one endpoint per thing a link checker must tell apart (loopback only).

It counts every request per (method, path) and the most requests it was handling at
once, so tests can say what was asked and how concurrently, from the server's side.
A request counts as open from the moment it is read until just before its answer is
written: a client that waits for the answer before it opens the next request can
never be seen with more than it allows itself.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

ANCHOR_PAGE = '<!doctype html><html><body><h1 id="top">Page</h1><p><a name="oud">x</a></p><h2 id="present">Here</h2></body></html>'
OK_PAGE = "<!doctype html><html><body><p>ok</p></body></html>"


class LinkServer:
    """``with LinkServer() as server: server.url("/ok")``"""

    def __init__(self, slow_seconds: float = 3.0, bulk_delay: float = 0.0) -> None:
        self.slow_seconds = slow_seconds
        self.bulk_delay = bulk_delay
        self.requests: Counter[tuple[str, str]] = Counter()
        self.agents: list[str] = []  # the User-Agent of every request
        self.times: dict[tuple[str, str], list[float]] = {}  # when each request of (method, path) came in
        self.open = 0
        self.max_open = 0
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> LinkServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def count(self, path: str) -> int:
        """Requests for ``path`` (any method)."""
        with self.lock:
            return sum(n for (_, p), n in self.requests.items() if p == path)

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.agents.clear()
            self.times.clear()
            self.max_open = 0

    def _answer(self, method: str, path: str, seen: int) -> tuple[int, dict[str, str], str]:
        """Status, headers and body for the ``seen``-th request (from 1) of ``method`` on ``path``."""
        if path in ("/ok", "/new"):  # /new: where the permanent redirects lead
            return 200, {}, OK_PAGE
        if path == "/missing":
            return 404, {}, "not found"
        if path == "/gone":
            return 410, {}, "gone"
        if path == "/moved":
            return 301, {"Location": "/new"}, ""
        if path == "/moved-308":
            return 308, {"Location": self.url("/new")}, ""
        if path == "/temporary":
            return 302, {"Location": "/ok"}, ""
        if path == "/loop-a":
            return 302, {"Location": "/loop-b"}, ""
        if path == "/loop-b":
            return 302, {"Location": "/loop-a"}, ""
        if path == "/busy":  # 429 with Retry-After once per method, then fine
            return (429, {"Retry-After": "1"}, "slow down") if seen == 1 else (200, {}, OK_PAGE)
        if path == "/unavailable":  # 503 once per method, then fine
            return (503, {}, "try later") if seen == 1 else (200, {}, OK_PAGE)
        if path == "/no-head":
            return (405, {"Allow": "GET"}, "") if method == "HEAD" else (200, {}, OK_PAGE)
        if path == "/slow":
            time.sleep(self.slow_seconds)
            return 200, {}, OK_PAGE
        if path == "/anchors":
            return 200, {}, ANCHOR_PAGE
        if path.startswith("/bulk/"):
            time.sleep(self.bulk_delay)
            return 200, {}, OK_PAGE
        return 404, {}, "unknown endpoint"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real server
            disable_nagle_algorithm = True  # no 40 ms delayed-ACK stalls between requests on one connection

            def _serve(self, method: str) -> None:
                path = urlsplit(self.path).path
                with server.lock:
                    server.requests[method, path] += 1
                    server.agents.append(self.headers.get("User-Agent", ""))
                    server.times.setdefault((method, path), []).append(time.monotonic())
                    seen = server.requests[method, path]
                    server.open += 1
                    server.max_open = max(server.max_open, server.open)
                try:
                    status, headers, body = server._answer(method, path, seen)
                finally:
                    with server.lock:
                        server.open -= 1
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if method != "HEAD":
                    try:
                        self.wfile.write(data)
                    except OSError:
                        pass  # the client gave up (the slow endpoint)

            def do_GET(self) -> None:  # noqa: N802
                self._serve("GET")

            def do_HEAD(self) -> None:  # noqa: N802
                self._serve("HEAD")

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler
