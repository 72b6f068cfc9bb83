"""Queries evaluated inside an HTTP worker process: evaluator threads, a deadline, a memory watchdog.

Each HTTP worker (:mod:`.httpworker`) answers requests itself and evaluates queries in a
few threads of its own (:class:`LocalRunner`): pyoxigraph releases the GIL while it
evaluates, so the worker's event loop keeps answering its other connections while a
query runs.  One thread (the first) takes the queries in turn; the others are **helpers**,
woken only when every thread awake has been running its query for longer than
:data:`STALL` while queries wait: a long query does not hold the ones behind it, and small
queries are not spread over threads that take the GIL from each other.  A helper goes
back to sleep when no query waits.

**Known-short queries run on the event loop itself**, without the hop to a thread and
back (its wake-ups and GIL hand-overs: about a fifth of a small query's CPU in the
server, measured A/B): a query whose last evaluation in
this worker (same text, format, dataset and row cap) took less than :data:`INLINE_COST`.
The data is read-only, so the same query does the same work again; a query whose cost
may change from one run to the next (``RAND``, ``NOW``, ``UUID``, ``STRUUID``:
:attr:`~polevents.query.scan.QueryScan.volatile`) always goes to a thread, and so does
a query seen for the first time.  Should such a query still run past its deadline (a
stalled machine), the watchdog thread writes the 503 on its connection itself and the
worker ends at once (:meth:`LocalRunner.abort`): the other requests that worker held
get no answer, as when the kernel's memory bound stops a worker (below).

A thread cannot be stopped, so a query that overruns is handled by **retiring** the worker:

* **deadline** (``--timeout``): the client gets the documented 503 at once; the worker
  then stops accepting connections, finishes what it is answering, closes its idle
  keep-alive connections and exits (``os._exit``: the runaway thread dies with the
  process, the CPU is given back).  The supervisor (:mod:`.supervisor`) started a
  replacement when the worker said it was retiring.
* **memory** (``--max-memory``): a watchdog thread reads the worker's address space
  (``/proc/self/statm``) every few milliseconds; past :data:`SOFT_MEMORY_SHARE` of the
  bound, every query the worker is running is answered 503 (memory) and the worker exits
  half a second later.  The kernel's ``RLIMIT_AS`` at the bound itself stays behind it as
  the hard limit: an allocation that jumps past both at once aborts the worker, and the
  connections it held are closed without an answer (the supervisor logs it and starts a
  replacement).

The queries run with :func:`polevents.serve.worker.run_job`: the same evaluation as the
old worker processes and ``polevents query``.
"""

from __future__ import annotations

import asyncio
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import MemoryLimitError, PoleventsError, QueryTimeoutError
from ..process import Protection
from .worker import QueryJob, QueryOutcome, run_job

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

__all__ = ["EVALUATOR_THREADS", "INLINE_COST", "SOFT_MEMORY_SHARE", "STALL", "LocalRunner"]

#: query evaluator threads per HTTP worker: a runaway query holds one until the worker retires
EVALUATOR_THREADS = 3
#: seconds a query may hold every thread awake while others wait before a helper thread is woken
STALL = 0.002
#: a query whose last evaluation took less than this many seconds runs on the event loop (see above;
#: on a thread its CPU time, not its wall time, which counts the thread's waits for the GIL)
INLINE_COST = 0.001
#: query costs remembered per worker (then forgotten all at once)
COSTS_KEPT = 4096
#: share of ``--max-memory`` (address space) past which the watchdog stops the worker's queries (503)
SOFT_MEMORY_SHARE = 0.75
#: seconds between two looks of the memory watchdog
WATCH_INTERVAL = 0.005
#: threads the pages' blocking work may use at once in an HTTP worker (anyio's default is 40)
PAGE_THREADS = 8
#: stack of an evaluator thread (Oxigraph's evaluation recurses; the main thread's default)
EVALUATOR_STACK = 8 << 20


#: what a submitted job ends with: its outcome, or the error to answer with
Done = Callable[["QueryOutcome | PoleventsError"], None]
#: called by the watchdog thread (the event loop is blocked) with the timeout error of a query that
#: ran on the loop past its deadline: it writes the answer on the request's connection itself
Stuck = Callable[[QueryTimeoutError], None]


def _cost_key(job: QueryJob) -> tuple[Any, ...]:
    """What decides the work a job does on the read-only store (its prefixes only shape graph results)."""
    return (job.query, job.solutions_format, job.graph_format, job.union, job.default_graphs, job.named_graphs,
            job.base_iri, job.max_rows)  # fmt: skip


@dataclass(eq=False)
class _Pending:
    """A job handed to the evaluator threads."""

    job: QueryJob
    done: Done
    timeout: float
    timer: asyncio.TimerHandle | None = None
    started: bool = False
    finished: bool = False


class LocalRunner:
    """Runs :class:`QueryJob`\\ s on evaluator threads of this process, with deadlines and a memory bound.

    ``retire(reason)`` is called (on the event loop) once the worker must end: a query could
    not be stopped otherwise.
    """

    def __init__(
        self,
        store: pyoxigraph.Store,
        protection: Protection,
        retire: Callable[[str], None],
        threads: int = EVALUATOR_THREADS,
        abort: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.protection = protection
        self.size = threads
        self._retire = retire
        #: ends the worker at once (the event loop is blocked by a query past its deadline); without it,
        #: no query runs on the loop
        self._abort = abort
        #: seconds the last evaluation of a job took (:func:`_cost_key`), successful ones only
        self._costs: dict[tuple[Any, ...], float] = {}
        #: the query running on the loop now: its deadline (monotonic) and what writes its 503
        self._inline: tuple[float, float, Stuck] | None = None
        #: taken to end a query on the loop, and by the watchdog to answer one that overran: never both
        self._inline_lock = threading.Lock()
        #: queries run on the loop
        self.inline_runs = 0
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._pending: set[_Pending] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._threads: list[threading.Thread] = []
        #: per thread: when its current query started (monotonic), None while it has none
        self._running: list[float | None] = [None] * threads
        #: per helper thread (index 1 on): set to wake it; ``_asleep``: it waits for that
        self._wake = [threading.Event() for _ in range(threads)]
        self._asleep = [False] * threads
        self._stall_check: asyncio.TimerHandle | None = None
        #: per thread: the queries it ran
        self.taken = [0] * threads
        self._closed = False
        self.retired: str | None = None

    @property
    def network_isolated(self) -> bool:
        """Whether this process has no network (its own network namespace)."""
        return self.protection.network_isolated

    async def start(self) -> None:
        """Start the evaluator threads and, with a memory bound, the watchdog."""
        import anyio.to_thread

        self._loop = asyncio.get_running_loop()
        # the pages' blocking work runs on anyio's threads: a few, so that their stacks and malloc
        # arenas stay well inside the address-space bound (RLIMIT_AS)
        anyio.to_thread.current_default_thread_limiter().total_tokens = PAGE_THREADS
        previous = threading.stack_size(EVALUATOR_STACK)
        try:
            for i in range(self.size):
                target = self._evaluate if i == 0 else self._help
                thread = threading.Thread(target=target, args=(i,), name=f"evaluator-{i}", daemon=True)
                thread.start()
                self._threads.append(thread)
        finally:
            threading.stack_size(previous)
        if self.protection.memory_limit or self._abort is not None:
            threading.Thread(target=self._watch, name="watchdog", daemon=True).start()

    def _evaluate(self, index: int) -> None:
        """The first evaluator thread: run jobs until ``None`` comes."""
        while (pending := self._queue.get()) is not None:
            self._run(index, pending)

    def _help(self, index: int) -> None:
        """A helper evaluator thread: when woken, run jobs while some wait and the threads before it
        are still stalled (see :meth:`_stalled_before`); then sleep again."""
        wake = self._wake[index]
        while not self._closed:
            self._asleep[index] = True
            wake.wait()
            wake.clear()
            self._asleep[index] = False
            while self._stalled_before(index):
                try:
                    pending = self._queue.get_nowait()
                except queue.Empty:
                    break
                if pending is None:
                    return
                self._run(index, pending)

    def _stalled_before(self, index: int) -> bool:
        """Whether every thread before ``index`` has been running its query for longer than :data:`STALL`."""
        now = time.monotonic()
        for started in self._running[:index]:
            if started is None or now - started < STALL:
                return False
        return True

    def _run(self, index: int, pending: _Pending) -> None:
        """Run one job on evaluator thread ``index``; its answer goes to the loop."""
        if pending.finished:
            return  # expired while it waited
        loop = self._loop
        assert loop is not None
        pending.started = True
        self.taken[index] += 1
        self._running[index] = time.monotonic()
        cpu = time.thread_time()
        try:
            answer: tuple[dict[str, Any], bytes] | BaseException = run_job(self.store, pending.job)
        except BaseException as exc:
            answer = exc
        else:
            self._remember(pending.job, time.thread_time() - cpu)
        self._running[index] = None
        try:
            loop.call_soon_threadsafe(self._finish, pending, answer)
        except RuntimeError:  # the loop is closed (the worker stops): nobody waits for the answer
            pass

    def _check_stall(self) -> None:
        """On the loop: wake a helper when queries wait and every thread awake has run its query for
        longer than :data:`STALL`; look again after :data:`STALL` while queries wait."""
        self._stall_check = None
        if self._queue.empty() or self._closed:
            return
        for index in range(1, self.size):
            if not self._stalled_before(index):
                break  # a thread awake takes the next query soon
            if self._asleep[index]:
                self._wake[index].set()
                break
        loop = self._loop
        assert loop is not None
        self._stall_check = loop.call_later(STALL, self._check_stall)

    def _remember(self, job: QueryJob, seconds: float, key: tuple[Any, ...] | None = None) -> None:
        """Keep what ``job`` cost (from any thread: one dict assignment); ``key``: its :func:`_cost_key`."""
        if len(self._costs) >= COSTS_KEPT:
            self._costs.clear()
        self._costs[_cost_key(job) if key is None else key] = seconds

    def _watch(self) -> None:
        """The watchdog: past the soft memory bound, fail every running query and retire; a query on the
        loop past its deadline: its 503 written from here, and the worker ends (:meth:`abort`)."""
        limit = self.protection.memory_limit
        assert self._loop is not None
        soft = int(limit * SOFT_MEMORY_SHARE) if limit else None
        page = os.sysconf("SC_PAGE_SIZE")
        with open("/proc/self/statm", "rb", buffering=0) as statm:
            while not self._closed:
                inline = self._inline
                if inline is not None and time.monotonic() > inline[0]:
                    with self._inline_lock:
                        if self._inline is inline:  # (not ended meanwhile)
                            self._stuck(inline[1], inline[2])
                            return
                if soft is not None:
                    statm.seek(0)
                    if int(statm.read(64).split(None, 1)[0]) * page > soft:
                        self._loop.call_soon_threadsafe(self._out_of_memory)
                        soft = None  # the worker retires; the deadline of a query on the loop is still watched
                time.sleep(WATCH_INTERVAL)

    def _stuck(self, timeout: float, stuck: Stuck) -> None:
        """On the watchdog thread: a query on the event loop ran past its deadline."""
        try:
            stuck(QueryTimeoutError(f"the query ran longer than the {timeout:g} s limit and was stopped"))
        finally:
            self.abort()

    def abort(self) -> None:
        """End the worker at once (the ``abort`` given; the retired reason is ``timeout``)."""
        self.retired = "timeout"
        assert self._abort is not None
        self._abort()

    def _out_of_memory(self) -> None:
        error = MemoryLimitError(
            f"the query needed more memory than a query worker may use ({self._mib()} MiB) and was stopped"
        )
        for pending in list(self._pending):
            self._end(pending, error)
        self._do_retire("memory")

    def _end(self, pending: _Pending, result: QueryOutcome | PoleventsError) -> None:
        if pending.finished:
            return
        pending.finished = True
        if pending.timer is not None:
            pending.timer.cancel()
        self._pending.discard(pending)
        pending.done(result)

    def _finish(self, pending: _Pending, answer: tuple[dict[str, Any], bytes] | BaseException) -> None:
        """On the loop: the evaluator's answer (or what it raised) for ``pending``."""
        if isinstance(answer, BaseException):
            if isinstance(answer, MemoryError):
                self._do_retire("memory")
                error: PoleventsError = MemoryLimitError(
                    f"the query needed more memory than a query worker may use ({self._mib()} MiB) and was stopped"
                )
            elif isinstance(answer, PoleventsError):
                error = answer
            else:
                error = PoleventsError(f"the query failed: {type(answer).__name__}: {answer}")
            self._end(pending, error)
            return
        header, body = answer
        outcome = QueryOutcome(kind=header["kind"], content_type=header["content_type"], body=body,
                               truncated=bool(header["truncated"]), rows=int(header["rows"]))  # fmt: skip
        self._end(pending, outcome)

    def _expire(self, pending: _Pending) -> None:
        if pending.finished:
            return
        if not pending.started:
            self._end(pending, QueryTimeoutError(
                f"the query could not start within {pending.timeout:g} s: all {self.size} query threads are busy"
            ))  # fmt: skip
            return
        self._end(
            pending, QueryTimeoutError(f"the query ran longer than the {pending.timeout:g} s limit and was stopped")
        )
        self._do_retire("timeout")

    def _mib(self) -> int:
        return (self.protection.memory_limit or 0) >> 20

    def _do_retire(self, reason: str) -> None:
        if self.retired is None:
            self.retired = reason
            self._retire(reason)

    def submit(self, job: QueryJob, timeout: float, done: Done, stuck: Stuck | None = None) -> None:
        """Evaluate ``job`` on an evaluator thread; ``done`` gets the outcome or the error, on the loop.

        With ``stuck`` (and an ``abort``), a job known to be short runs on the loop now, and ``done`` is
        called before this returns (see the module docstring; ``stuck`` answers if it overruns).

        The errors: :class:`~polevents.errors.QueryError` (a query Oxigraph rejects, or
        :class:`~polevents.serve.worker.NetworkRefusedError`); :class:`QueryTimeoutError` when
        ``timeout`` passed (waiting for a free thread included; the worker retires if the query
        ran); :class:`MemoryLimitError` past the memory bound (the worker retires).
        """
        loop = self._loop
        assert loop is not None, "start() first"
        if self.retired == "memory":
            done(MemoryLimitError(f"the query worker is out of memory ({self._mib()} MiB); try again"))
            return
        if stuck is not None and self._abort is not None and self.retired is None and not job.volatile:
            key = _cost_key(job)
            cost = self._costs.get(key)
            if cost is not None and cost < INLINE_COST:
                self._run_inline(job, key, timeout, done, stuck)
                return
        pending = _Pending(job, done, timeout)
        self._pending.add(pending)
        pending.timer = loop.call_later(timeout, self._expire, pending)
        self._queue.put(pending)
        if self._stall_check is None:
            self._stall_check = loop.call_later(STALL, self._check_stall)

    def _run_inline(self, job: QueryJob, key: tuple[Any, ...], timeout: float, done: Done, stuck: Stuck) -> None:
        """Run a known-short ``job`` on the loop (the watchdog keeps its deadline)."""
        self.inline_runs += 1
        # wall time here (no GIL to wait for, and cheaper than a CPU clock); a pause of the machine past
        # INLINE_COST sends the query to a thread next time, where its CPU time brings it back
        started = time.perf_counter()
        self._inline = (time.monotonic() + timeout, timeout, stuck)
        try:
            header, body = run_job(self.store, job)
        except BaseException as exc:
            with self._inline_lock:
                self._inline = None
            pending = _Pending(job, done, timeout, started=True)
            self._pending.add(pending)
            self._finish(pending, exc)
            return
        with self._inline_lock:
            self._inline = None
        self._remember(job, time.perf_counter() - started, key)
        done(QueryOutcome(kind=header["kind"], content_type=header["content_type"], body=body,
                          truncated=bool(header["truncated"]), rows=int(header["rows"])))  # fmt: skip

    async def run(self, job: QueryJob, timeout: float) -> QueryOutcome:
        """:meth:`submit`, awaited: the outcome, or the error raised."""
        loop = self._loop
        assert loop is not None, "start() first"
        future: asyncio.Future[QueryOutcome | PoleventsError] = loop.create_future()

        def done(result: QueryOutcome | PoleventsError) -> None:
            if not future.done():  # cancelled: the client went away
                future.set_result(result)

        self.submit(job, timeout, done)
        result = await future
        if isinstance(result, PoleventsError):
            raise result
        return result

    async def close(self) -> None:
        """Let idle evaluator threads end (a thread still evaluating ends with the process)."""
        self._closed = True
        for _ in self._threads:
            self._queue.put(None)
        for wake in self._wake:
            wake.set()
