"""SPARQL queries run in worker processes, so a runaway query can be stopped.

An Oxigraph query cannot be interrupted from Python once it runs, and a thread
cannot be killed; a process can.  The server starts a small pool of worker
processes (``python -m polevents.serve.worker STORE_DIR``), each opening the
same on-disk Oxigraph store read-only.  A query is sent to an idle worker; when
the answer has not come back by the deadline, the worker is killed (SIGKILL)
and a fresh one started in its place, so the CPU is given back and the other
workers keep answering.  Entity pages do not go through the pool: their lookups
are bounded and run in the server process.

Wire format between the server and a worker (stdin/stdout of the worker): each
message is a frame, an 8-byte big-endian length and that many bytes.  The
server sends one JSON frame per job; the worker answers with a JSON header frame
and a body frame.  A worker announces itself with ``{"ready": true}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import struct
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..errors import PoleventsError, QueryError, QueryTimeoutError

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

__all__ = ["QueryJob", "QueryOutcome", "QueryPool", "run_job"]

_LEN = struct.Struct(">Q")
#: how long a new worker may take to open the store before the server gives up on it
SPAWN_TIMEOUT = 120.0


@dataclass(frozen=True)
class QueryJob:
    """One query to run, and how to write its result."""

    query: str
    #: results format for SELECT/ASK (a formats.ResultFormat label, one of results.SOLUTION_FORMATS)
    solutions_format: str = "json"
    #: RDF format label for CONSTRUCT/DESCRIBE (formats.RdfFormat label)
    graph_format: str = "turtle"
    #: the default graph is the union of all graphs (unless the query or the protocol names a dataset)
    union: bool = True
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    base_iri: str | None = None
    max_rows: int = 100_000
    #: prefixes Turtle results may declare (the dataset's, see dataset_prefixes); None: vocab.PREFIXES
    prefixes: dict[str, str] | None = None

    def to_json(self) -> bytes:
        data = {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}
        return json.dumps(data).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> QueryJob:
        data: dict[str, Any] = json.loads(raw)
        for key in ("default_graphs", "named_graphs"):
            if data.get(key) is not None:
                data[key] = tuple(data[key])
        return cls(**data)


@dataclass(frozen=True)
class QueryOutcome:
    """A query's serialised result."""

    #: "solutions", "boolean" or "graph"
    kind: str
    content_type: str
    body: bytes
    #: more results existed than ``max_rows``; the body holds the first ``max_rows``
    truncated: bool
    rows: int


# ---------------------------------------------------------------- worker side


def run_job(store: pyoxigraph.Store, job: QueryJob) -> tuple[dict[str, Any], bytes]:
    """Run one job on ``store`` with the query engine (:func:`polevents.query.engine.run`, the
    same evaluation as ``polevents query``); the header tells the result kind or the error."""
    import io

    from ..query.engine import Job, run

    out = io.BytesIO()
    try:
        written = run(
            store,
            Job(
                query=job.query,
                base=job.base_iri,
                union_view=job.union,
                default_graphs=job.default_graphs,
                named_graphs=job.named_graphs,
                solutions_format=job.solutions_format,
                graph_format=job.graph_format,
                max_rows=job.max_rows,
                prefixes=job.prefixes,
            ),
            out,
        )
    except QueryError as exc:
        # refused or unparsable: the client's fault (400); failed while evaluated: 500
        failed = exc.__cause__ is not None and not isinstance(exc.__cause__, SyntaxError)
        return {"error": "evaluation" if failed else "syntax", "message": exc.message}, b""
    except Exception as exc:
        return {"error": "evaluation", "message": f"{type(exc).__name__}: {exc}"}, b""
    header = {
        "kind": written.kind,
        "content_type": written.content_type,
        "truncated": written.truncated,
        "rows": written.rows or 0,
    }
    return header, out.getvalue()


def _read_frame(stream: IO[bytes]) -> bytes | None:
    head = stream.read(_LEN.size)
    if len(head) < _LEN.size:
        return None
    (size,) = _LEN.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        return None
    return data


def _write_frame(stream: IO[bytes], data: bytes) -> None:
    stream.write(_LEN.pack(len(data)))
    stream.write(data)


def _die_with_parent() -> None:
    """On Linux, ask the kernel to kill this worker when the server process dies."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)


def worker_main(store_dir: str) -> int:
    """Serve jobs from stdin until it closes; the protocol goes to the original stdout only."""
    import pyoxigraph as ox

    _die_with_parent()
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints go to stderr, never into the protocol
    inp = sys.stdin.buffer
    store = ox.Store.read_only(store_dir)
    _write_frame(out, b'{"ready": true}')
    out.flush()
    while True:
        raw = _read_frame(inp)
        if raw is None:
            return 0
        header, body = run_job(store, QueryJob.from_json(raw))
        _write_frame(out, json.dumps(header).encode("utf-8"))
        _write_frame(out, body)
        out.flush()


# ---------------------------------------------------------------- server side


@dataclass(eq=False)
class _Worker:
    process: asyncio.subprocess.Process

    @property
    def stdin(self) -> asyncio.StreamWriter:
        assert self.process.stdin is not None
        return self.process.stdin

    @property
    def stdout(self) -> asyncio.StreamReader:
        assert self.process.stdout is not None
        return self.process.stdout


async def _read_frame_async(stream: asyncio.StreamReader) -> bytes:
    head = await stream.readexactly(_LEN.size)
    (size,) = _LEN.unpack(head)
    return await stream.readexactly(size)


class QueryPool:
    """A fixed number of worker processes over one read-only store, with per-query deadlines."""

    def __init__(self, store_dir: Path, size: int) -> None:
        self.store_dir = store_dir
        self.size = size
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: set[_Worker] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        self.killed = 0  # workers killed at a deadline, for logs and tests

    async def start(self) -> None:
        """Start every worker and wait until each has opened the store."""
        workers = await asyncio.gather(*(self._spawn() for _ in range(self.size)))
        for w in workers:
            self._idle.put_nowait(w)

    async def _spawn(self) -> _Worker:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "polevents.serve.worker",
            str(self.store_dir),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        worker = _Worker(process)
        self._all.add(worker)
        try:
            hello = await asyncio.wait_for(_read_frame_async(worker.stdout), SPAWN_TIMEOUT)
        except (asyncio.IncompleteReadError, TimeoutError) as exc:
            await self._kill(worker)
            raise PoleventsError(f"a query worker failed to open the store {self.store_dir}") from exc
        if json.loads(hello) != {"ready": True}:
            await self._kill(worker)
            raise PoleventsError(f"a query worker sent an unexpected greeting: {hello[:100]!r}")
        return worker

    async def _kill(self, worker: _Worker) -> None:
        self._all.discard(worker)
        with contextlib.suppress(ProcessLookupError):
            worker.process.kill()
        await worker.process.wait()

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and start another in the background."""

        async def replace() -> None:
            await self._kill(worker)
            if self._closed:
                return
            try:
                fresh = await self._spawn()
            except PoleventsError as exc:
                print(f"polevents serve: {exc}", file=sys.stderr)
                return
            if self._closed:
                await self._kill(fresh)
            else:
                self._idle.put_nowait(fresh)

        task = asyncio.get_running_loop().create_task(replace())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def run(self, job: QueryJob, timeout: float) -> QueryOutcome:
        """Run ``job`` on an idle worker; :class:`QueryTimeoutError` once ``timeout`` seconds have passed.

        The time spent waiting for a free worker counts towards the timeout.
        Raises :class:`QueryError` for a query Oxigraph rejects.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout)
        except TimeoutError:
            raise QueryTimeoutError(
                f"the query could not start within {timeout:g} s: all {self.size} query workers are busy"
            ) from None
        done = False
        try:
            _write_frame_async(worker.stdin, job.to_json())
            await worker.stdin.drain()
            remaining = max(0.0, deadline - loop.time())
            header = json.loads(await asyncio.wait_for(_read_frame_async(worker.stdout), remaining))
            remaining = max(0.0, deadline - loop.time())
            body = await asyncio.wait_for(_read_frame_async(worker.stdout), remaining)
            done = True
        except TimeoutError:
            self.killed += 1
            raise QueryTimeoutError(f"the query ran longer than the {timeout:g} s limit and was stopped") from None
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            raise PoleventsError("the query worker died while running the query") from exc
        finally:
            if done:
                self._idle.put_nowait(worker)
            else:
                self._replace(worker)
        if "error" in header:
            if header["error"] == "syntax":
                raise QueryError(f"bad query: {header['message']}")
            raise PoleventsError(f"the query failed: {header['message']}")
        return QueryOutcome(
            kind=header["kind"],
            content_type=header["content_type"],
            body=body,
            truncated=bool(header["truncated"]),
            rows=int(header["rows"]),
        )

    async def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        for worker in list(self._all):
            with contextlib.suppress(Exception):
                worker.stdin.close()
            try:
                await asyncio.wait_for(worker.process.wait(), 2.0)
            except TimeoutError:
                await self._kill(worker)
            self._all.discard(worker)


def _write_frame_async(stream: asyncio.StreamWriter, data: bytes) -> None:
    stream.write(_LEN.pack(len(data)) + data)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: python -m polevents.serve.worker STORE_DIR", file=sys.stderr)
        sys.exit(2)
    sys.exit(worker_main(sys.argv[1]))
