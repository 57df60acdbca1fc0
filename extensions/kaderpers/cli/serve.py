"""``kaderpers serve``: build the site, serve it, and rebuild and reload on every save.

* Building: :class:`~kaderpers.cli.livebuild.LiveBuild`, one warm Sphinx application
  (a new process per save is what made a one-page edit cost 1.6 to 2.7 s), in a build
  process of its own so that serving never waits for the interpreter lock. Builds run
  one at a time; saves that come in meanwhile are gathered into the next build.
* Watching: watchfiles (Rust's ``notify``) over the tree, and over the folder above it
  for the ``mkdocs.yml`` and glossary the MkDocs layout keeps there.
* Serving: Starlette's static files under uvicorn, bound to 127.0.0.1 unless told
  otherwise. sphinx-autobuild, made of the same parts, starts ``sphinx-build`` anew
  for every save and reloads pages through an inline script, which the site's
  Content-Security-Policy refuses.
* Reloading: every page built in serve mode loads ``_static/kaderpers-serve.js``,
  which this server answers itself (it is not part of the site). The script
  listens to ``/_kaderpers/events`` (server-sent events, same origin, so the
  policy's ``connect-src 'self'`` allows it), reloads the page after a good build,
  and shows a banner with the problems of the last build, or with the error of a
  build that failed while the last good site is still served.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import ipaddress
import json
import os
import queue
import socket
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .livebuild import LIVE_SCRIPT, LIVE_STYLESHEET, BuildClient, BuildResult, project_files

#: Milliseconds without a new change before a batch of changes is built (an editor's save
#: can be several writes); watchfiles' own default waits 1.6 s at most for quiet.
WATCH_STEP_MS = 30
#: Seconds between keep-alive comments on an idle event stream.
KEEP_ALIVE = 15.0
#: Problems sent to the pages; the terminal has them all.
MAX_PROBLEMS = 200
#: Open event streams at most (one per open page); more are answered 503, so a loop of
#: requests cannot hold the server's memory and file handles.
MAX_LISTENERS = 100
#: Host names a server bound to this computer answers to. Another name is a page elsewhere that
#: resolves its own name to 127.0.0.1 (DNS rebinding) to read the preview: it gets 421.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})


def default_out(content: Path) -> Path:
    """A folder per tree in the user's cache, so that the next ``serve`` starts incrementally."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    digest = hashlib.sha256(str(content).encode("utf-8")).hexdigest()[:12]
    return base / "kaderpers" / "serve" / f"{content.name}-{digest}"


@dataclass
class SiteState:
    """What the pages are told: the build they may show, and what the last build reported."""

    #: The last build that finished.
    build: str
    state: str  # building | built | failed
    problems: list[str] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0
    #: The build that is running, while one is.
    next: str = ""
    #: Pages written (``/a/b.html``) by the running build so far, or by the last build;
    #: None when not known (every page then reloads).
    written: list[str] | None = field(default_factory=list)

    def event(self) -> str:
        data = json.dumps({**self.__dict__, "problems": self.problems[:MAX_PROBLEMS]}, ensure_ascii=False)
        return f"event: state\ndata: {data}\n\n"


class Broadcaster:
    """The current :class:`SiteState`, sent to every open page as it changes."""

    def __init__(self, state: SiteState) -> None:
        self.state = state
        self._listeners: set[asyncio.Queue[SiteState | None]] = set()

    def publish(self, state: SiteState) -> None:
        self.state = state
        for listener in self._listeners:
            listener.put_nowait(state)

    def close(self) -> None:
        for listener in self._listeners:
            listener.put_nowait(None)

    def full(self) -> bool:
        return len(self._listeners) >= MAX_LISTENERS

    async def stream(self) -> AsyncIterator[str]:
        if self.full():
            return  # requests that all passed the check in `events` before any stream began: these end at once
        listener: asyncio.Queue[SiteState | None] = asyncio.Queue()
        self._listeners.add(listener)
        try:
            yield "retry: 500\n\n" + self.state.event()
            while True:
                try:
                    state = await asyncio.wait_for(listener.get(), KEEP_ALIVE)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                if state is None:
                    return
                yield state.event()
        finally:
            self._listeners.discard(listener)


class Rebuilder:
    """Runs builds one at a time, in the build process, and tells the broadcaster about them."""

    def __init__(self, client: BuildClient, content: Path, broadcaster: Broadcaster, loop: asyncio.AbstractEventLoop, session: str, builds: int) -> None:
        self.client = client
        self.content = content
        self.broadcaster = broadcaster
        self.loop = loop
        self.session = session
        self.builds = builds
        self._changes: queue.Queue[set[Path]] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="kaderpers-rebuild", daemon=True)
        self._thread.start()

    def changed(self, paths: set[Path]) -> None:
        self._changes.put(paths)

    def _publish(self, state: SiteState) -> None:
        self.loop.call_soon_threadsafe(self.broadcaster.publish, state)

    def _run(self) -> None:
        while True:
            paths = self._changes.get()
            while not self._changes.empty():  # saves made during the last build: one build for all
                paths |= self._changes.get_nowait()
            last = self.broadcaster.state
            running = SiteState(last.build, "building", last.problems, last.error, next=f"{self.session}-{self.builds + 1}", written=[])

            def written(path: str, running: SiteState = running) -> None:
                # A page reloads as soon as its own file is written, while the build goes on.
                running.written = [*(running.written or []), f"/{path}"]
                self._publish(SiteState(**running.__dict__))

            self._publish(SiteState(**running.__dict__))
            report_changes(self.content, paths)
            result = self.client.build(paths, written)
            self.builds += 1
            report_build(result, self.content)
            self._publish(state_of(result, f"{self.session}-{self.builds}", self.content))


def state_of(result: BuildResult, build: str, content: Path) -> SiteState:
    prefix = f"{content}{os.sep}"
    problems = [line.replace(prefix, "") for line in result.problems]
    written = None if result.written is None else [f"/{path}" for path in result.written]
    return SiteState(build, "built" if result.ok else "failed", problems, result.error, round(result.seconds, 3), written=written)


def report_changes(content: Path, paths: Iterable[Path]) -> None:
    names = sorted(_shown_path(content, path) for path in paths)
    more = f" and {len(names) - 3} more" if len(names) > 3 else ""
    print(f"kaderpers: {', '.join(names[:3])}{more} changed", file=sys.stderr, flush=True)


def _shown_path(content: Path, path: Path) -> str:
    try:
        return path.relative_to(content).as_posix()
    except ValueError:
        return str(path)


def report_build(result: BuildResult, content: Path) -> None:
    for line in result.problems:
        print(line.replace(f"{content}{os.sep}", ""), file=sys.stderr)
    count = len(result.problems)
    if result.ok:
        pages = "pages written in parallel" if result.written is None else f"{len(result.written)} page(s) written"
        print(f"kaderpers: built in {result.seconds:.2f} s, {pages}, {count} problem(s)", file=sys.stderr, flush=True)
    else:
        print(f"kaderpers: the build failed ({result.error}); still serving the last good site", file=sys.stderr, flush=True)


# -- watching ------------------------------------------------------------------------


def watch_targets(content: Path, out: Path) -> tuple[Any, list[Path], set[Path]]:
    """The filter for the tree, and the folders and files outside it that a build reads."""
    from watchfiles import DefaultFilter

    outside = {path.resolve() for path in project_files(content).values() if not path.resolve().is_relative_to(content)}
    out = out.resolve()

    class TreeFilter(DefaultFilter):
        def __call__(self, change: Any, path: str) -> bool:
            resolved = Path(path)
            if resolved.is_relative_to(out):
                return False
            if not resolved.is_relative_to(content):
                return resolved in outside
            return super().__call__(change, path)

    folders = sorted({path.parent for path in outside if path.parent.is_dir()})
    return TreeFilter(), folders, outside


async def watch(content: Path, out: Path, on_change: Any, stop: asyncio.Event) -> None:
    from watchfiles import awatch

    tree_filter, folders, _ = watch_targets(content, out)

    async def one(paths: list[Path], recursive: bool) -> None:
        async for changes in awatch(*paths, watch_filter=tree_filter, step=WATCH_STEP_MS, recursive=recursive, stop_event=stop):
            on_change({Path(path) for _, path in changes})

    tasks = [one([content], True)]
    if folders:
        tasks.append(one(folders, False))  # the folder above the tree: not its whole project
    await asyncio.gather(*tasks)


# -- the web application -------------------------------------------------------------------


def serve_asset(name: str) -> bytes:
    return resources.files("kaderpers").joinpath("data", "serve", name).read_bytes()


def host_name(host_header: str) -> str:
    """The host name of a ``Host`` header, without its port (``[::1]:8000`` → ``[::1]``)."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rpartition(":")[0] if ":" in host else host


def is_local_address(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def web_app(html_dir: Path, broadcaster: Broadcaster, lifespan: Any, *, local_only: bool = True) -> Any:
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response, StreamingResponse
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    async def events(request: Request) -> Response:
        if broadcaster.full():
            return Response("too many open pages\n", status_code=503, headers={"Retry-After": "5"}, media_type="text/plain")
        return StreamingResponse(broadcaster.stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})

    async def status(request: Request) -> JSONResponse:
        return JSONResponse(broadcaster.state.__dict__)

    def asset(name: str, media_type: str) -> Route:
        body = serve_asset(name)

        async def endpoint(request: Request) -> Response:
            return Response(body, media_type=media_type)

        return Route(f"/_static/{name}", endpoint)

    class Revalidate:
        """Browsers ask again for every page and image on reload, so a rebuilt one shows. The
        files in ``_static/`` come from the theme and kaderpers, not from the tree, and are
        kept for a while: a reload then asks for the page only (some thirty files fewer)."""

        def __init__(self, app: Any) -> None:
            self.app = app

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            kept = scope.get("path", "").startswith("/_static/")
            policy = b"max-age=600" if kept else b"no-cache"

            async def send_with_header(message: Any) -> None:
                if message["type"] == "http.response.start":
                    message.setdefault("headers", []).append((b"cache-control", policy))
                await send(message)

            await self.app(scope, receive, send_with_header if scope["type"] == "http" else send)

    class LocalHostOnly:
        """A server bound to this computer answers requests for this computer only (see LOCAL_HOSTS)."""

        def __init__(self, app: Any) -> None:
            self.app = app

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                host = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"host"), "")
                if host_name(host) not in LOCAL_HOSTS:
                    response = Response("this preview answers for localhost only\n", status_code=421, media_type="text/plain")
                    await response(scope, receive, send)
                    return
            await self.app(scope, receive, send)

    return Starlette(
        routes=[
            Route("/_kaderpers/events", events),
            Route("/_kaderpers/status", status),
            asset(LIVE_SCRIPT, "text/javascript"),
            asset(LIVE_STYLESHEET, "text/css"),
            Mount("/", StaticFiles(directory=html_dir, html=True, check_dir=False)),
        ],
        middleware=[*([Middleware(LocalHostOnly)] if local_only else []), Middleware(Revalidate)],
        lifespan=lifespan,
    )


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise SystemExit(f"kaderpers: cannot listen on {host}:{port} ({error.strerror or error}); choose another --host or --port") from error
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


# -- the command ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServeRequest:
    content: Path
    out: Path
    host: str = "127.0.0.1"
    port: int = 8000
    jobs: int = 1


def announcing_server(config: Any, line: str) -> Any:
    """A uvicorn server that prints ``line`` once it accepts connections: the lifespan's start
    comes before uvicorn listens, and a request made at once would be refused."""
    import uvicorn

    class AnnouncingServer(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                print(line, flush=True)

    return AnnouncingServer(config)


def run_serve(request: ServeRequest) -> int:
    import uvicorn

    html_dir = request.out / "html"
    print(f"kaderpers: building {request.content} → {html_dir}", file=sys.stderr, flush=True)
    client = BuildClient(request.content, request.out, request.jobs)
    session = f"{os.getpid()}-{int(time.time())}"
    first = client.build([])
    report_build(first, request.content)
    broadcaster = Broadcaster(state_of(first, f"{session}-1", request.content))
    try:
        sock = bind(request.host, request.port)
    except SystemExit:
        client.close()  # its build process would keep this one from ending
        raise
    stop = asyncio.Event()

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        rebuilder = Rebuilder(client, request.content, broadcaster, asyncio.get_running_loop(), session, 1)
        watcher = asyncio.create_task(watch(request.content, request.out, rebuilder.changed, stop))
        yield
        stop.set()
        broadcaster.close()
        await asyncio.gather(watcher, return_exceptions=True)

    app = web_app(html_dir, broadcaster, lifespan, local_only=is_local_address(request.host))
    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1, lifespan="on")
    try:
        announcing_server(config, f"Serving {url_of(sock)} (Ctrl+C to stop)").run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn raises Ctrl+C again once it has shut down: stopping is what was asked
    finally:
        client.close()
    print("kaderpers: stopped", file=sys.stderr)
    return 0


def _port(value: str) -> int:
    if not value.isdigit() or int(value) > 65535:
        raise argparse.ArgumentTypeError("give a port number from 0 to 65535 (0 picks a free one)")
    return int(value)


def _jobs(value: str) -> str | int:
    if value == "auto":
        return value
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError("give a number of processes (1 or more) or `auto`")
    return int(value)


def add_parser(commands: Any, content_dir: Any, content_help: str) -> None:
    """Register ``serve`` with the command line's subcommands (``content_dir`` and ``content_help``
    are the command line's, passed in: this module does not import it back)."""
    serve = commands.add_parser(
        "serve",
        help="build the site, serve it and rebuild on every save",
        description="Build the HTML site, serve it over HTTP, and rebuild and reload the open pages whenever a file of the tree changes.",
    )
    serve.add_argument("content", nargs="?", help=content_help)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this computer only)")
    serve.add_argument("--port", type=_port, default=8000, help="port to listen on (default: 8000; 0 picks a free one)")
    serve.add_argument("--out", help="folder for the served site and the saved state (default: a folder per tree in ~/.cache/kaderpers/serve)")
    serve.add_argument("-j", "--jobs", default="auto", type=_jobs, help="parallel processes for the first build (default: auto)")

    def command(args: argparse.Namespace) -> int:
        content = content_dir(args.content)
        jobs = (os.cpu_count() or 1) if args.jobs == "auto" else args.jobs
        out = Path(args.out).resolve() if args.out else default_out(content)
        from .output import OutputError, exclusive

        try:
            with exclusive(out):  # its builds write in place: no `kaderpers build` into the same folder meanwhile
                return run_serve(ServeRequest(content, out, args.host, args.port, jobs))
        except OutputError as error:
            print(f"kaderpers: {error}", file=sys.stderr)
            return 1

    serve.set_defaults(run=command)
