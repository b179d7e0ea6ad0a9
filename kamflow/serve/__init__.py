"""`kamflow serve`: a live preview in the browser. Starlette serves the pages, Uvicorn runs them,
watchdog reports saves, worker processes draw (kamflow/serve/pool.py). It sits beside the CLI:
it uses kamflow.api like any command does, and the CLI only starts it."""

from __future__ import annotations

import secrets
import socket
import threading
import webbrowser
from pathlib import Path
from urllib.parse import quote

from kamflow.errors import LoadError, Problem, Span, UsageError
from kamflow.serve.app import LOOPBACK_HOSTS, Settings, create_app
from kamflow.serve.folder import ServedFolder

__all__ = ["Settings", "create_app", "prepare", "run"]


def prepare(path: Path | str, *, chart: dict, host: str = "127.0.0.1", token: str | None = None) -> Settings:
    """The settings for serving PATH (a process file: its folder, opening on its page)."""
    import kamflow.api as api

    target = Path(path)
    if not target.exists():
        raise LoadError([Problem(Span(str(path)), "no such file or folder")])
    start = None
    if target.is_file():
        root = target.resolve().parent
        start = ServedFolder(root).relative(target.resolve())
        if start is None:
            raise LoadError([Problem(Span(str(path)), "is not a process file (.yaml or .yml) kamflow serve can show")])
    else:
        root = target.resolve()
    themes = tuple(name for name, _ in api.themes())
    if chart.get("theme") and chart["theme"] not in themes:
        themes += (chart["theme"],)
    extra = () if host in LOOPBACK_HOSTS else _names_of_this_machine() if host in ("0.0.0.0", "::") else (host,)
    timeout = float(chart.get("timeout") or 60.0)
    return Settings(
        root=root,
        token=token or secrets.token_urlsafe(24),
        chart=dict(chart),
        themes=themes,
        extra_hosts=extra,
        start=start,
        job_timeout=timeout + 30.0,
    )


def _names_of_this_machine() -> tuple[str, ...]:
    """What other machines call this one (for --host 0.0.0.0): its host names and addresses."""
    names = {socket.gethostname(), socket.getfqdn()}
    try:
        names.update(socket.gethostbyname_ex(socket.gethostname())[2])
    except OSError:
        pass
    return tuple(sorted(n for n in names if n))


def address(settings: Settings, host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    shown = f"[{shown}]" if ":" in shown else shown
    page = f"/p/{quote(settings.start)}" if settings.start else "/"
    return f"http://{shown}:{port}{page}?token={settings.token}"


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before the server starts: a port in use is one clear line."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {error.strerror or error}; choose another port with --port") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def run(settings: Settings, *, host: str, port: int, open_browser: bool, echo) -> None:
    """Serve until Ctrl-C (or SIGTERM); returns after a clean stop."""
    import uvicorn

    sock = bind(host, port)
    url = address(settings, host, sock.getsockname()[1])

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame) -> None:
            settings.stopping[0] = True  # open event streams end, so the shutdown does not wait on them
            super().handle_exit(sig, frame)

    config = uvicorn.Config(
        create_app(settings),
        log_level="warning",
        timeout_graceful_shutdown=3,
        lifespan="on",
        access_log=False,
    )
    server = Server(config)
    echo(f"serving {settings.root} at {url}")
    echo("(Ctrl-C to stop)", err=True)
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn re-raises the Ctrl-C it caught once it has stopped
    finally:
        sock.close()
    echo("stopped serving", err=True)
