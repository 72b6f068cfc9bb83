"""One HTTP worker process of ``polevents serve``: it accepts connections and answers them itself.

``python -m polevents.serve.httpworker PARENT_PID`` with the server's listening socket
inherited (its descriptor number in the init message).  The worker:

1. enters its sandbox first (:func:`polevents.process.enter_sandbox`: dies with the
   supervisor; its own user + network namespace; ``RLIMIT_AS``).  The listening socket was
   made and bound before, in the supervisor's namespace, and keeps accepting connections
   there: the worker can answer the clients of that socket, but nothing it runs can open a
   connection anywhere (``SERVICE``, ``LOAD``);
2. reads its init message on stdin (:mod:`polevents.process` framing): the socket, the
   served data (the on-disk store it opens read-only, the project), the settings;
3. runs the whole application (:func:`polevents.serve.app.create_app`) on uvicorn over the
   socket, with ``/sparql`` answered first by :mod:`.fastpath` and queries evaluated on
   :class:`~polevents.serve.runner.LocalRunner` threads;
4. tells the supervisor on stdout ``{"ready": …, "protection": …}`` once it serves, and
   ``{"retiring": REASON}`` when a query overran (timeout, memory): it then stops accepting,
   finishes its answers and exits, and the supervisor starts a replacement.

All workers accept on the same socket (the kernel hands each connection to one of them).
"""

from __future__ import annotations

import os
import socket
import sys
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..process import Sandbox, enter_sandbox, read_message, write_message

__all__ = ["worker_main"]

#: seconds a retiring worker (or one told to stop) waits for the answers it is writing
GRACE = 5.0
#: seconds between a memory stop's 503 answers and the worker's exit
MEMORY_EXIT_DELAY = 0.5


def _served_data(spec: dict[str, Any]) -> Any:
    """The :class:`~polevents.serve.data.ServedData` the supervisor describes, over the store opened read-only."""
    import pyoxigraph as ox

    from ..config import load_config
    from .data import ServedData

    return ServedData(
        store=ox.Store.read_only(spec["store_dir"]),
        store_dir=Path(spec["store_dir"]),
        origin=spec["origin"],
        config=load_config(Path(spec["project"])),
        dist_dir=Path(spec["dist_dir"]) if spec["dist_dir"] else None,
        graphs=[(g, n) for g, n in spec["graphs"]],
        default_graph_triples=spec["default_graph_triples"],
        union_view=spec["union_view"],
    )


def worker_main(argv: list[str]) -> int:
    """The worker process (see the module docstring); returns only when it ends normally."""
    protection = enter_sandbox(Sandbox(**_sandbox_arg(argv)), int(argv[0]))
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints go to stderr, never into the messages
    init = read_message(sys.stdin.buffer)
    if init is None:
        return 0
    spec = init.header
    import uvicorn

    from .app import ServeSettings, create_app
    from .fastpath import fast_protocol, with_fast_sparql
    from .runner import LocalRunner
    from .transport import event_loop, http_protocol

    sock = socket.socket(fileno=spec["fd"])
    data = _served_data(spec["data"])
    settings = ServeSettings(**spec["settings"])
    lock = threading.Lock()

    def tell(header: dict[str, Any]) -> None:
        with lock:
            try:
                write_message(out, header)
            except OSError:
                os._exit(1)  # the supervisor is gone

    server: uvicorn.Server | None = None

    def retire(reason: str) -> None:
        tell({"retiring": reason})
        if server is not None:
            for listening in server.servers:  # stop accepting now: the other workers take the new connections
                listening.close()
            server.should_exit = True
        if reason == "memory":  # the query keeps allocating: leave once the 503s are written
            import asyncio

            asyncio.get_running_loop().call_later(MEMORY_EXIT_DELAY, os._exit, 3)

    def abort() -> None:  # a query on the event loop overran (its 503 is written): leave now
        tell({"retiring": "timeout"})
        sys.stderr.flush()
        os._exit(4)

    runner = LocalRunner(data.store, protection, retire, abort=abort)
    app = create_app(
        data, settings, Path(spec["data"]["project"]), runner=runner,
        on_ready=lambda: tell({"ready": True, "protection": asdict(protection)}),
    )  # fmt: skip
    http, http_settings = http_protocol()
    if not isinstance(http, str):  # httptools: GET /sparql answered in the protocol itself
        http = fast_protocol(http, app.state.ctx)
    config = uvicorn.Config(
        with_fast_sparql(app),
        lifespan="on",
        access_log=spec["access_log"],
        log_config=_log_config(spec["access_log"]),
        http=http,
        loop=event_loop(),
        timeout_graceful_shutdown=int(GRACE),
        server_header=False,
        **http_settings,
    )
    server = uvicorn.Server(config)
    threading.Thread(target=_end_with_supervisor, daemon=True).start()
    server.run(sockets=[sock])
    sys.stderr.flush()
    os._exit(0 if server.started else 1)  # an evaluator thread may still run a stopped query: no join


def _log_config(access_log: bool) -> dict[str, object]:
    """uvicorn's logging configuration: warnings, and each request when ``access_log``."""
    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, object] = {**LOGGING_CONFIG}
    loggers = {k: dict(v) for k, v in LOGGING_CONFIG["loggers"].items()}
    loggers["uvicorn.error"]["level"] = "WARNING"
    loggers["uvicorn.access"]["level"] = "INFO" if access_log else "WARNING"
    config["loggers"] = loggers
    return config


def _sandbox_arg(argv: list[str]) -> dict[str, Any]:
    import json

    loaded: dict[str, Any] = json.loads(argv[1])
    return loaded


def _end_with_supervisor() -> None:
    """Exit when the supervisor closes our stdin (it ended without killing us)."""
    try:
        while sys.stdin.buffer.read(65536):
            pass
    finally:
        os._exit(0)


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:]))
