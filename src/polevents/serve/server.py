"""Run the server: bind the socket, prepare the data, start the HTTP workers, serve until interrupted.

The process that runs :func:`run_server` answers no request itself: it binds the listening
socket, prepares the on-disk store (:mod:`.data`), then supervises ``--workers`` HTTP worker
processes (:mod:`.supervisor`, :mod:`.httpworker`) that accept on that socket, each sandboxed,
each answering every route (``/sparql`` first by :mod:`.fastpath`) and evaluating queries on
threads of its own (:mod:`.runner`).
"""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from ..errors import InputError
from ..process import Protection
from .app import ServeSettings
from .transport import MAX_REQUEST_HEAD

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
    """SIGINT or SIGTERM."""


@contextmanager
def _stop_signals() -> Iterator[None]:
    """Turn SIGINT/SIGTERM into :class:`_Stopped`, so that the workers are stopped and the
    temporary store is removed (the default SIGTERM handler would end the process at once)."""

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


def protection_line(protection: Protection | None) -> str:
    """What protects the server from its queries, as the workers reported it."""
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
    from dataclasses import asdict

    from ..process import Sandbox
    from .data import load_served_data
    from .httpworker import GRACE
    from .supervisor import Supervisor

    sock = bind(host, port)
    try:
        url = _url(sock)
        notify(f"loading {', '.join(map(str, files)) if files else 'the dataset'} …")
        data = load_served_data(files, project, dist)
        supervisor: Supervisor | None = None
        try:
            graphs = len(data.graphs)
            described = {
                "store_dir": str(data.store_dir), "origin": data.origin, "project": str(project.resolve()),
                "dist_dir": str(data.dist_dir) if data.dist_dir is not None else None, "graphs": data.graphs,
                "default_graph_triples": data.default_graph_triples, "union_view": data.union_view,
            }  # fmt: skip
            init = {"data": described, "settings": asdict(settings), "access_log": access_log}
            sandbox = Sandbox(network=not settings.isolate_network, memory=settings.max_memory)
            supervisor = Supervisor(sock, init, settings.workers, sandbox, GRACE)
            protection = supervisor.start()
            notify(
                f"serving {url} (dataset: {data.origin}; {data.quad_count} quads in {graphs} named graph"
                f"{'' if graphs == 1 else 's'}; SPARQL at {url}sparql; Ctrl-C to stop)"
            )
            notify(f"query workers: {protection_line(protection)}")
            supervisor.serve_forever()
        finally:
            if supervisor is not None:
                supervisor.stop()
            data.close()
    finally:
        sock.close()
