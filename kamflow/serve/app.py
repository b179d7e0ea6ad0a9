"""The web app of `kamflow serve`: pages, a JSON API, downloads and server-sent events, on
Starlette. Every request needs the session's token and a loopback Host header (403 otherwise);
every response carries a Content-Security-Policy that allows only the app's own script."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from kamflow.errors import KamflowError
from kamflow.serve import jobs
from kamflow.serve.folder import Refused, ServedFolder
from kamflow.serve.pool import JobFailed, WorkerPool

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]
STATIC_FILES = {"app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8"}
FLAGS = ("number", "legend", "ghosts")


@dataclass
class Settings:
    root: Path
    token: str
    chart: dict  # the command line's chart options: the toolbar's starting values
    themes: tuple[str, ...]  # what the toolbar may ask for: built-in names, plus the command line's theme
    extra_hosts: tuple[str, ...] = ()  # a --host other than loopback also names the server
    start: str | None = None  # the process file given on the command line, if any
    job_timeout: float = 90.0
    workers: int = 2
    debounce: float = 0.08
    downloads: tuple[str, ...] = tuple(jobs.DOWNLOADS)
    stopping: list = field(default_factory=lambda: [False])  # set when the server shuts down


class Guard:
    """ASGI middleware: the token and the Host header first, security headers on every answer."""

    def __init__(self, app, settings: Settings):
        self.app, self.settings = app, settings
        self.hosts = {h.lower() for h in LOOPBACK_HOSTS + settings.extra_hosts}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_secured(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": list(message.get("headers", [])) + SECURITY_HEADERS}
            await send(message)

        problem = self._refusal(scope)
        if problem is not None:
            response = PlainTextResponse(f"403 forbidden: {problem}\n", status_code=403)
            return await response(scope, receive, send_secured)
        return await self.app(scope, receive, send_secured)

    def _refusal(self, scope) -> str | None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = _host_name(headers.get("host", ""))
        if host not in self.hosts:
            return "the Host header must name this machine's loopback address (127.0.0.1 or localhost)"
        given = headers.get("x-kamflow-token")
        if scope["method"] != "POST" and given is None:
            values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [])
            given = values[0] if values else None
        if given is None or not hmac.compare_digest(given.encode(), self.settings.token.encode()):
            return "this page needs the token in the address `kamflow serve` printed"
        origin = headers.get("origin")
        if scope["method"] == "POST" and origin is not None and _host_name(origin.split("://", 1)[-1]) not in self.hosts:
            return "requests from other sites are refused"
        return None


def _host_name(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):  # [::1]:8765
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Hub:
    """The version of the folder's files; every open page waits on it through /events."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.version = 0
        self._changed = asyncio.Event()
        self._timer: asyncio.TimerHandle | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    def touched(self) -> None:
        """A file changed (called from the watcher thread): bump after a short quiet time, since
        editors save in bursts (write a temporary file, rename, touch)."""
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self._schedule)

    def _schedule(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        assert self.loop is not None  # set by the app's start before the watcher runs
        self._timer = self.loop.call_later(self.settings.debounce, self.bump)

    def bump(self) -> None:
        self.version += 1
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait(self, timeout: float) -> None:
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except asyncio.TimeoutError:
            pass


def _static(name: str) -> str:
    return resources.files("kamflow.serve").joinpath("static").joinpath(name).read_text(encoding="utf-8")


def create_app(settings: Settings, *, pool: WorkerPool | None = None, watch: bool = True) -> Guard:
    folder = ServedFolder(settings.root)
    hub = Hub(settings)
    cache: OrderedDict[tuple, asyncio.Future] = OrderedDict()  # (what, path, options, folder version) -> job
    state: dict[str, Any] = {"pool": pool, "observer": None}

    def the_pool() -> WorkerPool:
        if state["pool"] is None:
            state["pool"] = WorkerPool(settings.workers)
        return state["pool"]

    async def cached(key: tuple, function, *args):
        """One job per key and folder version: pages that ask at once share one render. The job is
        a task of its own, so a page that goes away mid-render cancels only its own wait."""
        key = (*key, folder.fingerprint())
        task = cache.get(key)
        if task is None:
            task = asyncio.ensure_future(the_pool().run(function, *args, timeout=settings.job_timeout))
            cache[key] = task

            def forget_failures(done: asyncio.Future, key=key) -> None:
                if done.cancelled() or done.exception() is not None:
                    cache.pop(key, None)  # the next request tries again

            task.add_done_callback(forget_failures)
            while len(cache) > 64:
                cache.popitem(last=False)
        else:
            cache.move_to_end(key)
        return await asyncio.shield(task)

    def chart_of(request: Request) -> dict:
        chart = dict(settings.chart)
        query = request.query_params
        if "theme" in query:
            if query["theme"] not in ("",) + settings.themes:
                raise Refused(f"unknown theme {query['theme']!r}; choose one of {', '.join(settings.themes)}", status=400)
            chart["theme"] = query["theme"] or None
        if "direction" in query:
            if query["direction"] not in ("", "TB", "LR"):
                raise Refused("direction must be TB or LR", status=400)
            chart["direction"] = query["direction"] or None
        for flag in FLAGS:
            if flag in query:
                chart[flag] = query[flag] == "1"
        if "critical" in query:
            chart["highlight"] = "critical-path" if query["critical"] == "1" else None
        return chart

    def shell(name: str, **values: str) -> HTMLResponse:
        text = _static(name).replace("{{token}}", settings.token)
        for key, value in values.items():
            text = text.replace("{{" + key + "}}", value)
        return HTMLResponse(text)

    async def index_page(request: Request):
        return shell("index.html")

    async def process_page(request: Request):
        relative = request.path_params["path"]
        path = folder.resolve(relative)
        if not path.is_file():
            raise Refused(f"{relative}: no such process file in the served folder", status=404)
        return shell("process.html")

    async def static(request: Request):
        name = request.path_params["name"]
        if name not in STATIC_FILES:
            return PlainTextResponse("404 not found\n", status_code=404)
        return Response(_static(name), media_type=STATIC_FILES[name])

    async def config(request: Request):
        start = settings.start
        return JSONResponse(
            {
                "root": settings.root.name or str(settings.root),
                "themes": list(settings.themes),
                "defaults": {
                    "theme": settings.chart.get("theme") or "",
                    "direction": settings.chart.get("direction") or "",
                    "number": bool(settings.chart.get("number")),
                    "legend": bool(settings.chart.get("legend")),
                    "ghosts": bool(settings.chart.get("ghosts", True)),
                    "critical": settings.chart.get("highlight") == "critical-path",
                },
                "downloads": list(settings.downloads),
                "start": start,
            }
        )

    async def index_api(request: Request):
        rows = await cached(("index",), jobs.index_rows, str(settings.root))
        return JSONResponse({"version": hub.version, "rows": rows})

    async def view_api(request: Request):
        relative = request.query_params.get("path", "")
        folder.resolve(relative)
        chart = chart_of(request)
        version = hub.version
        view = await cached(("view", relative, json.dumps(chart, sort_keys=True)), jobs.process_view, str(settings.root), relative, chart)
        return JSONResponse({**view, "version": version})

    async def source_api(request: Request):
        text, digest = folder.read(request.query_params.get("path", ""))
        return JSONResponse({"text": text, "hash": digest})

    async def save_api(request: Request):
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            raise Refused("a save must be sent as JSON", status=415)
        try:
            body = json.loads(await request.body())
            relative, text, loaded = body["path"], body["text"], body["hash"]
            if not all(isinstance(v, str) for v in (relative, text, loaded)):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise Refused("a save needs path, text and hash (strings)", status=400) from None
        digest = folder.save(relative, text, loaded)
        hub.touched()  # the watcher also sees it; this makes the update immediate in any case
        return JSONResponse({"saved": relative, "hash": digest})

    async def download(request: Request):
        relative = request.query_params.get("path", "")
        fmt = request.query_params.get("format", "")
        folder.resolve(relative)
        if fmt not in settings.downloads:
            raise Refused(f"unknown download format {fmt!r}; choose {', '.join(settings.downloads)}", status=400)
        chart = chart_of(request)
        result = await cached(("download", relative, fmt, json.dumps(chart, sort_keys=True)), jobs.download, str(settings.root), relative, fmt, chart)
        if "errors" in result:
            lines = [f"{e['path']}:{e['line']}:{e['column']}: error: {e['message']}" if e["line"] else e["message"] for e in result["errors"]]
            return PlainTextResponse("\n".join(lines) + "\n", status_code=422)
        return Response(result["data"], media_type=result["type"], headers={"content-disposition": f'attachment; filename="{quote(result["name"])}"'})

    async def events(request: Request):
        async def stream():
            yield "retry: 1000\n\n"
            seen, quiet_since = hub.version, time.monotonic()
            yield f"event: hello\ndata: {json.dumps({'version': seen})}\n\n"
            while not settings.stopping[0]:
                await hub.wait(timeout=0.5)
                if await request.is_disconnected():
                    break
                if hub.version != seen:
                    seen, quiet_since = hub.version, time.monotonic()
                    yield f"event: change\ndata: {json.dumps({'version': seen})}\n\n"
                elif time.monotonic() - quiet_since > 15:  # keeps proxies and idle timers from closing it
                    quiet_since = time.monotonic()
                    yield ": keep-alive\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"x-accel-buffering": "no"})

    async def refused(request: Request, error: Exception) -> Response:
        return JSONResponse({"error": str(error)}, status_code=error.status if isinstance(error, Refused) else 403)

    async def failed(request: Request, error: Exception) -> Response:
        return JSONResponse({"error": str(error)}, status_code=503)

    async def bad_input(request: Request, error: Exception) -> Response:
        lines = error.lines() if isinstance(error, KamflowError) else [str(error)]
        return JSONResponse({"error": "\n".join(lines)}, status_code=422)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        hub.loop = asyncio.get_running_loop()
        if watch:
            state["observer"] = _watch(settings.root, hub)
        if state["pool"] is None:
            state["pool"] = WorkerPool(settings.workers)
        warm = asyncio.ensure_future(state["pool"].run(jobs.warm, timeout=settings.job_timeout))
        try:
            yield
        finally:
            settings.stopping[0] = True
            warm.cancel()
            if state["observer"] is not None:
                state["observer"].stop()
                state["observer"].join(timeout=5)
            state["pool"].close()

    routes = [
        Route("/", index_page),
        Route("/p/{path:path}", process_page),
        Route("/static/{name}", static),
        Route("/api/config", config),
        Route("/api/index", index_api),
        Route("/api/view", view_api),
        Route("/api/source", source_api),
        Route("/api/save", save_api, methods=["POST"]),
        Route("/download", download),
        Route("/events", events),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={Refused: refused, JobFailed: failed, KamflowError: bad_input},
    )
    app.state.hub = hub
    return Guard(app, settings)


def _watch(root: Path, hub: Hub):
    """A watchdog observer on the folder's tree: any change to a .yaml/.yml file bumps the hub."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event) -> None:
            if event.event_type not in ("created", "modified", "moved", "deleted"):
                return
            touched = [getattr(event, "src_path", ""), getattr(event, "dest_path", "")]
            if any(str(p).lower().endswith((".yaml", ".yml")) for p in touched if p):
                hub.touched()

    observer = Observer()
    observer.schedule(Handler(), str(root), recursive=True)
    observer.daemon = True
    observer.start()
    return observer
