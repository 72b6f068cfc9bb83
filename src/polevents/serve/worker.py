"""SPARQL query jobs (:class:`QueryJob`, :func:`run_job`), and a pool of query worker processes.

``polevents serve`` runs its jobs on threads of its HTTP workers (:mod:`.runner`);
:class:`QueryPool` below is what :func:`polevents.serve.app.create_app` uses when it is
given no runner (an application embedded in another server).  The pool:

An Oxigraph query cannot be interrupted from Python once it runs, and a thread
cannot be killed; a process can.  The server starts a small pool of worker
processes with :class:`polevents.process.AsyncChild` (``python -m polevents.process
polevents.serve.worker:query_worker``), each opening the same on-disk Oxigraph
store read-only.  A query is sent to an idle worker; when the answer has not come
back by the deadline, the worker is killed (SIGKILL) and a fresh one started in
its place, so the CPU is given back and the other workers keep answering.  Entity
pages do not go through the pool: their lookups are bounded and run in the server
process.

Each worker is sandboxed (:class:`polevents.process.Sandbox`): it runs in a
network namespace of its own, so a query cannot make the server open a
connection (``SERVICE``) whatever the lexer in front of it missed, and its
address space is bounded (``--max-memory``), so a query that needs more is
stopped (503) instead of swapping the machine.  Which protections the workers
really got is in :attr:`QueryPool.protection` (the server says it at start-up).

A job is one message of :mod:`polevents.process`: the :class:`QueryJob` as the
JSON header; the answer's header is the result's kind, content type, row count
and cut, its body the serialised result, passed through to the client as it is.
Errors come back as :class:`~polevents.errors.ErrorPayload`: a query Oxigraph
rejects is a :class:`~polevents.errors.QueryError` whose message is already the
readable ``query:LINE:COL: …`` text.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
import sys
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import MemoryLimitError, PoleventsError, QueryError, QueryTimeoutError, WorkerError
from ..formats import ResultFormat
from ..process import AsyncChild, Handler, Message, Protection, Sandbox
from ..query import engine, results

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

__all__ = ["NetworkRefusedError", "QueryJob", "QueryOutcome", "QueryPool", "query_worker", "run_job"]

#: the factory a worker process runs (see :func:`query_worker`)
WORKER_TARGET = "polevents.serve.worker:query_worker"


class NetworkRefusedError(QueryError):
    """The query tried to open a network connection (``SERVICE``) from a worker that has no network."""


def _plain(value: Any) -> Any:
    """A job field as JSON has it (tuples as lists)."""
    return list(value) if isinstance(value, tuple) else value


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
    #: the query form and FROM clause the server's scan found (:func:`polevents.query.scan.scan_query`,
    #: the engine's own lexer), so the worker does not scan the text again; None: the worker prepares it
    form: str | None = None
    from_clause: bool = False
    #: the scan found a function whose value changes between evaluations (RAND, NOW, …), or there was
    #: no scan: the same job may cost more next time (:mod:`.runner` runs only the others on its loop)
    volatile: bool = True

    def to_header(self) -> dict[str, Any]:
        """The job as a message header."""
        # field by field, not dataclasses.asdict (which deep-copies every value: measurable per request)
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_header(cls, data: dict[str, Any]) -> QueryJob:
        """The job a message header carries."""
        data = dict(data)
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


def _row_cap(job: QueryJob) -> int | None:
    """The row cap the engine must apply to ``job``: None when the query itself cannot return more
    (a SELECT whose own ``LIMIT`` is at most ``max_rows``): pyoxigraph's serializer then writes the
    result, in the same bytes as the capped writer, several times faster for small results."""
    if job.form == "SELECT":
        limit = _limit(job.query) if len(job.query) <= 4096 else None
        if limit is not None and limit <= job.max_rows:
            return None
    return job.max_rows


@functools.lru_cache(maxsize=1024)
def _limit(query: str) -> int | None:
    from ..query.scan import top_level_limit

    return top_level_limit(query)


#: results formats the short way writes (:func:`_run_short`): the format, its Content-Type, and what
#: the engine writes after pyoxigraph's serializer (XML goes through the engine, which replaces
#: characters XML 1.0 cannot carry)
_SHORT_FORMATS = {
    f.label: (f, f.content_type, b"\n" if f is ResultFormat.JSON else b"")
    for f in (ResultFormat.JSON, ResultFormat.CSV, ResultFormat.TSV)
}


def _short(job: QueryJob) -> bool:
    """Whether ``job`` can take :func:`_run_short`: an ASK, or a SELECT that names its variables and
    whose own LIMIT is within the row cap, on the endpoint's dataset, in JSON, CSV or TSV."""
    if job.solutions_format not in _SHORT_FORMATS or job.default_graphs is not None or job.named_graphs is not None:
        return False
    if job.form == "ASK":
        return True
    return job.form == "SELECT" and "*" not in job.query and _row_cap(job) is None


def _run_short(store: pyoxigraph.Store, job: QueryJob) -> tuple[dict[str, Any], bytes] | None:
    """What :func:`_run_engine` answers to a job :func:`_short` accepts, in fewer steps: the same
    evaluation (the engine's prefixes, base and union rule) and the same bytes (pyoxigraph's
    serializer, the engine's ASK documents).  None when the query fails: the engine runs it again
    and makes the error (a parse error costs a parse; evaluation errors are rare)."""
    import pyoxigraph as ox

    fmt, content_type, after = _SHORT_FORMATS[job.solutions_format]
    try:
        raw = store.query(
            job.query,
            prefixes=engine.predefined_prefixes(job.query),
            base_iri=job.base_iri,
            use_default_graph_as_union=job.union and not job.from_clause,
        )
        if isinstance(raw, ox.QueryBoolean):
            header = {"kind": "boolean", "content_type": content_type, "truncated": False, "rows": 1}
            return header, results.boolean_document(bool(raw), fmt)
        if not isinstance(raw, ox.QuerySolutions):
            return None
        serialized = raw.serialize(format=results.oxigraph_format(fmt))
        if serialized is None:  # (pyoxigraph returns bytes when given no output)
            return None
        body = serialized + after
    except MemoryError:
        raise
    except Exception:
        return None
    return {"kind": "solutions", "content_type": content_type, "truncated": False, "rows": 0}, body


def run_job(store: pyoxigraph.Store, job: QueryJob) -> tuple[dict[str, Any], bytes]:
    """Run one job on ``store`` with the query engine (:func:`polevents.query.engine.run`, the
    same evaluation as ``polevents query``): the answer's header (kind, content type, cut, rows) and body.

    :raises QueryError: the query is refused or does not parse (message ``query:LINE:COL: …``);
        :class:`NetworkRefusedError` when it tried to open a connection the sandbox does not allow.
    :raises PoleventsError: the evaluation failed otherwise.
    """
    if _short(job):
        answer = _run_short(store, job)
        if answer is not None:
            return answer
    return _run_engine(store, job)


def _run_engine(store: pyoxigraph.Store, job: QueryJob) -> tuple[dict[str, Any], bytes]:
    """:func:`run_job` through :func:`polevents.query.engine.run` (every job can take it)."""
    import io

    from ..query.engine import Job, Prepared, QueryForm, run

    out = io.BytesIO()
    prepared = None
    if job.form is not None and not (job.form == "SELECT" and "*" in job.query):
        # what engine.prepare(check=False) would make of it: the scan's form and FROM, the text as it is
        # (a SELECT * goes through prepare, which spells the star out)
        prepared = Prepared(text=job.query, origin="query", form=QueryForm(job.form), base=job.base_iri,
                            evaluated=job.query, from_clause=job.from_clause, checked=False)  # fmt: skip
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
                max_rows=_row_cap(job),
                prefixes=job.prefixes,
            ),
            out,
            prepared=prepared,
        )
    except QueryError as exc:
        cause = exc.__cause__
        if isinstance(cause, OSError) and (cause.errno == errno.ENETUNREACH or "os error 101" in str(cause)):
            raise NetworkRefusedError(
                "SERVICE (federated query) is disabled: this endpoint makes no outbound connections"
            ) from None
        if cause is not None and not isinstance(cause, SyntaxError):
            raise PoleventsError(exc.message) from None  # failed while evaluated: the server's 500
        raise  # refused or unparsable: the client's fault (400)
    except Exception as exc:
        raise PoleventsError(f"the query failed: {type(exc).__name__}: {exc}") from None
    header = {
        "kind": written.kind,
        "content_type": written.content_type,
        "truncated": written.truncated,
        "rows": written.rows or 0,
    }
    return header, out.getvalue()


def query_worker(init: dict[str, Any], body: bytes) -> Handler:
    """The factory of a worker process: open ``init["store"]`` read-only, then answer :class:`QueryJob`\\ s."""
    import pyoxigraph as ox

    store = ox.Store.read_only(init["store"])

    def handle(header: dict[str, Any], body: bytes) -> Message:
        meta, result = run_job(store, QueryJob.from_header(header))
        return Message(meta, result)

    return handle


# ---------------------------------------------------------------- server side


class QueryPool:
    """A fixed number of sandboxed worker processes over one read-only store, with per-query deadlines."""

    def __init__(self, store_dir: Path, size: int, sandbox: Sandbox | None = None) -> None:
        self.store_dir = store_dir
        self.size = size
        self.sandbox = sandbox if sandbox is not None else Sandbox()
        #: what the workers got (known once :meth:`start` returns)
        self.protection: Protection | None = None
        self._idle: asyncio.Queue[AsyncChild] = asyncio.Queue()
        self._all: set[AsyncChild] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    @property
    def network_isolated(self) -> bool:
        """Whether the workers have no network (their own network namespace), as they reported it."""
        return self.protection is not None and self.protection.network_isolated

    async def start(self) -> None:
        """Start every worker and wait until each has opened the store."""
        workers = await asyncio.gather(*(self._spawn() for _ in range(self.size)))
        self.protection = workers[0].protection
        for w in workers:
            self._idle.put_nowait(w)

    async def _spawn(self) -> AsyncChild:
        try:
            worker = await AsyncChild.spawn(
                WORKER_TARGET, {"store": str(self.store_dir)}, sandbox=self.sandbox, what="the query worker"
            )
        except PoleventsError as exc:
            raise PoleventsError(f"a query worker failed to open the store {self.store_dir}: {exc}") from exc
        self._all.add(worker)
        return worker

    def _replace(self, worker: AsyncChild) -> None:
        """Kill ``worker`` and start another in the background."""

        async def replace() -> None:
            worker.kill()
            await worker.wait()
            self._all.discard(worker)
            if self._closed:
                return
            try:
                fresh = await self._spawn()
            except PoleventsError as exc:
                print(f"polevents serve: {exc}", file=sys.stderr)
                return
            if self._closed:
                fresh.kill()
                await fresh.wait()
                self._all.discard(fresh)
            else:
                self._idle.put_nowait(fresh)

        task = asyncio.get_running_loop().create_task(replace())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def run(self, job: QueryJob, timeout: float) -> QueryOutcome:
        """Run ``job`` on an idle worker; the time spent waiting for one counts towards ``timeout``.

        :raises QueryError: a query Oxigraph rejects (the message is ``query:LINE:COL: …``);
            :class:`NetworkRefusedError` when it tried to connect somewhere.
        :raises QueryTimeoutError: ``timeout`` seconds passed (the worker is killed and replaced).
        :raises MemoryLimitError: the worker reached its memory bound (killed and replaced).
        :raises WorkerError: the worker died (replaced).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            # an idle worker is taken at once (wait_for would make a task for every request)
            worker = (
                self._idle.get_nowait() if not self._idle.empty() else await asyncio.wait_for(self._idle.get(), timeout)
            )
        except TimeoutError:
            raise QueryTimeoutError(
                f"the query could not start within {timeout:g} s: all {self.size} query workers are busy"
            ) from None
        healthy = False
        try:
            answer = await worker.call(job.to_header(), timeout=max(0.0, deadline - loop.time()))
            healthy = True
        except QueryTimeoutError:
            raise QueryTimeoutError(f"the query ran longer than the {timeout:g} s limit and was stopped") from None
        except MemoryLimitError:
            limit = (self.sandbox.memory or 0) >> 20
            raise MemoryLimitError(
                f"the query needed more memory than a query worker may use ({limit} MiB) and was stopped"
            ) from None
        except WorkerError as exc:
            raise WorkerError(f"the query worker died while running the query: {exc}") from None
        except PoleventsError:
            healthy = True  # the worker answered with an error and lives on
            raise
        finally:
            if healthy:
                self._idle.put_nowait(worker)
            else:
                self._replace(worker)
        header = answer.header
        return QueryOutcome(
            kind=header["kind"],
            content_type=header["content_type"],
            body=answer.body,
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
                await worker.close()
            self._all.discard(worker)
