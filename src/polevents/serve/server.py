"""Run the application on uvicorn: bind the socket, load the data, serve until interrupted."""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from ..errors import InputError, PoleventsError
from .app import ServeSettings, create_app
from .transport import MAX_REQUEST_HEAD, event_loop, http_protocol
from .worker import QueryPool

__all__ = ["MAX_REQUEST_HEAD", "bind", "protection_line", "run_server"]


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: a free port chosen by the system)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise InputError(f"cannot resolve --host {host!r}: {exc.strerror}") from exc
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    sock.listen(2048)
    return sock


class _Stopped(Exception):
    """SIGINT or SIGTERM after uvicorn's graceful shutdown."""


@contextmanager
def _stop_signals() -> Iterator[None]:
    """Turn SIGINT/SIGTERM into :class:`_Stopped` once uvicorn re-raises them after shutting down.

    uvicorn handles both signals itself (graceful shutdown), restores the handlers it
    found and raises the signal again; with the default SIGTERM handler that would end
    the process before the temporary store is removed.
    """

    def stop(signum: int, frame: FrameType | None) -> None:
        raise _Stopped()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def _log_config(access_log: bool) -> dict[str, object]:
    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, object] = {**LOGGING_CONFIG}
    loggers = {k: dict(v) for k, v in LOGGING_CONFIG["loggers"].items()}
    loggers["uvicorn.error"]["level"] = "WARNING"
    loggers["uvicorn.access"]["level"] = "INFO" if access_log else "WARNING"
    config["loggers"] = loggers
    return config


def protection_line(pool: QueryPool) -> str:
    """What protects the server from its queries, as the query workers reported it."""
    protection = pool.protection
    if protection is None:
        return "not started"
    line = protection.describe()
    if not protection.network_isolated:
        line += "; SERVICE is refused on a parse of each query (rdflib) and by the lexer"
    return line


def run_server(
    files: list[Path],
    project: Path,
    dist: Path | None,
    host: str,
    port: int,
    settings: ServeSettings,
    notify: Callable[[str], None],
    access_log: bool = True,
) -> None:
    """Serve until SIGINT/SIGTERM; ``notify`` gets progress lines (the address once ready).

    A stop signal, while loading or while serving (after uvicorn's graceful
    shutdown), ends the function normally, the temporary store removed.
    """
    with _stop_signals():
        try:
            _run(files, project, dist, host, port, settings, notify, access_log)
        except _Stopped:
            notify("stopped")


def _run(
    files: list[Path],
    project: Path,
    dist: Path | None,
    host: str,
    port: int,
    settings: ServeSettings,
    notify: Callable[[str], None],
    access_log: bool,
) -> None:
    import uvicorn

    from .data import load_served_data

    sock = bind(host, port)
    try:
        url = _url(sock)
        notify(f"loading {', '.join(map(str, files)) if files else 'the dataset'} …")
        data = load_served_data(files, project, dist)
        try:
            graphs = len(data.graphs)
            message = (
                f"serving {url} (dataset: {data.origin}; {data.quad_count} quads in {graphs} named graph"
                f"{'' if graphs == 1 else 's'}; SPARQL at {url}sparql; Ctrl-C to stop)"
            )

            def ready() -> None:
                notify(message)
                notify(f"query workers: {protection_line(app.state.ctx.pool)}")

            app = create_app(data, settings, project, on_ready=ready)
            http, http_settings = http_protocol()  # the request head bounded with either parser
            config = uvicorn.Config(
                app,
                lifespan="on",
                access_log=access_log,
                log_config=_log_config(access_log),
                http=http,
                loop=event_loop(),
                timeout_graceful_shutdown=5,
                server_header=False,
                **http_settings,
            )
            server = uvicorn.Server(config)
            server.run(sockets=[sock])
            if not server.started:
                raise PoleventsError("the server could not start (see the messages above)")
        finally:
            data.close()
    finally:
        sock.close()
