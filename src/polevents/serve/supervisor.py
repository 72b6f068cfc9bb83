"""The supervisor of ``polevents serve``: keeps ``--workers`` HTTP worker processes running.

The server process binds the listening socket and prepares the data (the on-disk store);
then the HTTP workers (:mod:`.httpworker`) do all the answering, each sandboxed, all
accepting on that one socket.  The supervisor:

* starts them, each with the socket inherited and an init message on its stdin, and
  waits until each says it serves (and which protection it got: :class:`~polevents.process.Protection`);
* starts a replacement as soon as one says it is **retiring** (it stopped a query past
  ``--timeout`` or ``--max-memory`` and ends once its answers are written), or when one
  dies (a crash, or the kernel's ``RLIMIT_AS`` past ``--max-memory``: the connections that
  worker held are closed without an answer, which is logged);
* on SIGINT/SIGTERM, asks every worker to stop (SIGTERM: uvicorn's graceful shutdown),
  and kills what is left after the grace period.

The messages are :mod:`polevents.process` frames on each worker's stdout; a worker's stdin
stays open while the supervisor runs (its end tells the worker to leave).
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import IO, Any

from ..errors import PoleventsError
from ..process import SPAWN_TIMEOUT, Protection, Sandbox, read_message, write_message

__all__ = ["Supervisor"]

#: seconds between two starts of a worker that died before it served (a broken store, say)
RESTART_PAUSE = 1.0


@dataclass(eq=False)
class _Worker:
    process: subprocess.Popen[bytes]
    started: float
    ready: bool = False
    retiring: bool = False
    protection: Protection | None = None
    stdout: IO[bytes] = field(init=False)

    def __post_init__(self) -> None:
        assert self.process.stdout is not None
        self.stdout = self.process.stdout


class Supervisor:
    """``size`` HTTP workers over ``sock``; ``init`` is what each is told (see :mod:`.httpworker`)."""

    def __init__(self, sock: socket.socket, init: dict[str, Any], size: int, sandbox: Sandbox, grace: float) -> None:
        self.sock = sock
        self.init = {**init, "fd": sock.fileno()}
        self.size = size
        self.sandbox = sandbox
        self.grace = grace
        self.protection: Protection | None = None
        self._workers: dict[int, _Worker] = {}
        self._selector = selectors.DefaultSelector()

    @property
    def pids(self) -> list[int]:
        """The process ids of the workers running now."""
        return list(self._workers)

    def _spawn(self) -> _Worker:
        import json
        from dataclasses import asdict

        from ..process import _spawn_env

        env = {**_spawn_env(), "MALLOC_ARENA_MAX": "2"}  # thread arenas count towards RLIMIT_AS
        command = [
            sys.executable,
            "-m",
            "polevents.serve.httpworker",
            str(os.getpid()),
            json.dumps(asdict(self.sandbox)),
        ]
        process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, pass_fds=(self.sock.fileno(),), env=env
        )
        assert process.stdin is not None
        write_message(process.stdin, self.init)
        worker = _Worker(process, time.monotonic())
        self._workers[process.pid] = worker
        self._selector.register(worker.stdout, selectors.EVENT_READ, worker)
        return worker

    def start(self) -> Protection:
        """Start every worker and wait until each serves; the protection they got.

        :raises PoleventsError: a worker failed to start (what it printed is on stderr).
        """
        for _ in range(self.size):
            self._spawn()
        deadline = time.monotonic() + SPAWN_TIMEOUT
        while not all(w.ready for w in self._workers.values()):
            left = deadline - time.monotonic()
            if left <= 0:
                raise PoleventsError(f"the HTTP workers did not start within {SPAWN_TIMEOUT:g} s")
            for key, _ in self._selector.select(left):
                worker: _Worker = key.data
                if not self._read(worker):
                    status = self._reap(worker)
                    raise PoleventsError(f"an HTTP worker ended while starting ({_status(status)}); see above")
        first = next(iter(self._workers.values()))
        assert first.protection is not None
        self.protection = first.protection
        return self.protection

    def _read(self, worker: _Worker) -> bool:
        """Take one message from ``worker``; False at its end."""
        message = read_message(worker.stdout)
        if message is None:
            return False
        header = message.header
        if header.get("ready"):
            worker.ready = True
            worker.protection = Protection(**header["protection"])
        elif "retiring" in header and not worker.retiring:
            worker.retiring = True
            print(f"polevents serve: an HTTP worker stopped a query ({header['retiring']}); "
                  "it ends after its answers, a new one starts", file=sys.stderr)  # fmt: skip
            self._spawn()
        return True

    def _reap(self, worker: _Worker) -> int:
        self._selector.unregister(worker.stdout)
        self._workers.pop(worker.process.pid, None)
        try:
            status = worker.process.wait(self.grace)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            status = worker.process.wait()
        for stream in (worker.process.stdin, worker.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        return status

    def serve_forever(self) -> None:
        """Keep the workers running until a signal handler raises."""
        while True:
            for key, _ in self._selector.select(1.0):
                worker: _Worker = key.data
                if self._read(worker):
                    continue
                status = self._reap(worker)
                if worker.retiring:
                    continue
                print(f"polevents serve: an HTTP worker died ({_status(status)}); the connections it held were "
                      "closed; a new one starts", file=sys.stderr)  # fmt: skip
                if not worker.ready or time.monotonic() - worker.started < RESTART_PAUSE:
                    time.sleep(RESTART_PAUSE)
                self._spawn()

    def stop(self) -> None:
        """Ask every worker to stop (graceful), then kill what is left after the grace period."""
        for worker in self._workers.values():
            with contextlib.suppress(ProcessLookupError):
                worker.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.grace + 1
        for worker in list(self._workers.values()):
            try:
                worker.process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                worker.process.kill()
            self._reap(worker)
        self._selector.close()


def _status(status: int) -> str:
    if status < 0:
        try:
            return signal.Signals(-status).name
        except ValueError:
            return f"signal {-status}"
    return f"exit status {status}"
