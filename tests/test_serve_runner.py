"""The HTTP worker's query path in-process: the short way of :func:`run_job` gives the engine's
answers byte for byte, and :class:`LocalRunner`'s helper threads keep a long query from holding
the short ones behind it."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polevents.errors import PoleventsError, QueryError
from polevents.process import Protection
from polevents.query.engine import predefined_prefixes
from polevents.serve import worker
from polevents.serve.runner import STALL, LocalRunner
from polevents.serve.worker import QueryJob, QueryOutcome, run_job
from polevents.vocab import PREFIXES

EX = "http://example.org/"
PE = PREFIXES["pe"]
G1, G2 = f"{EX}g1", f"{EX}g2"


def _store() -> ox.Store:
    store = ox.Store()
    quads = []
    for i in range(40):
        graph = ox.NamedNode(G1 if i % 2 else G2)
        s = ox.NamedNode(f"{EX}n{i}")
        quads.append(ox.Quad(s, ox.NamedNode(f"{PE}value"), ox.Literal(str(i), datatype=ox.NamedNode(
            "http://www.w3.org/2001/XMLSchema#integer")), graph))  # fmt: skip
        quads.append(ox.Quad(s, ox.NamedNode(PREFIXES["rdfs"] + "label"), ox.Literal(f"n{i} \"q\"\n", language="en"),
                             graph))  # fmt: skip
        quads.append(ox.Quad(s, ox.NamedNode(f"{EX}next"), ox.BlankNode(f"b{i}"), graph))
    quads.append(ox.Quad(ox.NamedNode(f"{EX}d"), ox.NamedNode(f"{EX}p"), ox.Literal("default")))
    store.extend(quads)
    return store


STORE = _store()

QUERIES = [
    "ASK { ?s pe:value 3 }",
    "ASK { ?s pe:value 1000 }",
    "PREFIX pe: <http://example.org/other#> ASK { ?s pe:value 3 }",  # the query's own prefix wins
    "SELECT ?s ?v WHERE { ?s pe:value ?v } ORDER BY ?v LIMIT 10",
    "SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?s LIMIT 5",
    "SELECT ?s ?b WHERE { ?s <http://example.org/next> ?b } ORDER BY ?s LIMIT 3",
    "SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o LIMIT 100",  # above the row cap of the test: the engine's way
    "SELECT ?s ?o FROM <http://example.org/g1> WHERE { ?s pe:value ?o } ORDER BY ?o LIMIT 4",
    "SELECT ?o WHERE { ?s <http://example.org/p> ?o } LIMIT 5",  # the store's own default graph: not in the union
    "SELECT * WHERE { ?s pe:value ?v } ORDER BY ?v LIMIT 2",  # SELECT *: the engine spells the star out
    "SELECT ?x WHERE { BIND(1 AS ?x) } LIMIT 1",
    "SELECT ?s WHERE { ?s pe:value ?v . FILTER(?v > 100) } LIMIT 10",
]
FORMATS = ["json", "csv", "tsv", "xml"]


def _job(query: str, fmt: str, **kw: object) -> QueryJob:
    from polevents.serve.sparql import checked_scan

    scan = checked_scan(query)
    return QueryJob(query=query, solutions_format=fmt, base_iri=f"{EX}base/", max_rows=20, form=scan.form,
                    from_clause=scan.from_clause, volatile=scan.volatile, **kw)  # type: ignore[arg-type]  # fmt: skip


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("query", QUERIES)
def test_the_short_way_answers_as_the_engine(query: str, fmt: str) -> None:
    job = _job(query, fmt)
    assert run_job(STORE, job) == worker._run_engine(STORE, job)


def test_the_short_way_is_taken() -> None:
    """The jobs it is meant for do not reach the engine (so the test above compares two ways)."""
    for query in QUERIES[:6]:
        for fmt in ("json", "csv", "tsv"):
            job = _job(query, fmt)
            assert worker._short(job), (query, fmt)
            assert worker._run_short(STORE, job) is not None
    assert not worker._short(_job(QUERIES[6], "json"))  # its LIMIT is over the row cap
    assert not worker._short(_job(QUERIES[9], "json"))  # SELECT *
    assert not worker._short(_job(QUERIES[3], "xml"))
    assert not worker._short(_job(QUERIES[3], "json", default_graphs=(G1,), named_graphs=()))


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?s WHERE { ?s pe:value ?v  LIMIT 3",  # syntax error
        "SELECT ?s WHERE { ?s nope:value ?v } LIMIT 3",  # unknown prefix
        "ASK { ?s pe:value ?v FILTER(?v > ) }",
    ],
)
def test_errors_are_the_engines(query: str) -> None:
    job = _job(query, "json")
    with pytest.raises(QueryError) as short:
        run_job(STORE, job)
    with pytest.raises(QueryError) as engine:
        worker._run_engine(STORE, job)
    assert short.value.message == engine.value.message


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    limit=st.integers(min_value=0, max_value=25),
    offset=st.integers(min_value=0, max_value=45),
    variables=st.sampled_from(["?s", "?v", "?s ?v", "?v ?s", "?s ?l", "(STR(?v) AS ?t) ?s"]),
    order=st.sampled_from(["", "ORDER BY ?v", "ORDER BY DESC(?s)"]),
    fmt=st.sampled_from(FORMATS),
    union=st.booleans(),
)
def test_the_short_way_is_the_engine_on_generated_queries(
    limit: int, offset: int, variables: str, order: str, fmt: str, union: bool
) -> None:
    query = (f"SELECT {variables} WHERE {{ ?s pe:value ?v OPTIONAL {{ ?s rdfs:label ?l }} }} {order} "
             f"LIMIT {limit} OFFSET {offset}")  # fmt: skip
    job = _job(query, fmt, union=union)
    assert run_job(STORE, job) == worker._run_engine(STORE, job)


def test_predefined_prefixes_are_those_the_text_names() -> None:
    assert predefined_prefixes("SELECT ?s { ?s pe:x rdfs:label }") == {"pe": PE, "rdfs": PREFIXES["rdfs"]}
    assert predefined_prefixes("ASK {}") == {}
    assert predefined_prefixes("SELECT ?s { ?s pe\\u003Ax ?o }") == PREFIXES  # an escape: all of them
    long = "SELECT ?s { ?s pe:x ?o } #" + "x" * 5000
    assert predefined_prefixes(long) == {"pe": PE}
    # a prefix named in the text and not declared there works as before
    raw = STORE.query("ASK { ?s pe:value 3 }", prefixes=predefined_prefixes("ASK { ?s pe:value 3 }"),
                      use_default_graph_as_union=True)  # fmt: skip
    assert bool(raw)


# ---------------------------------------------------------------- the evaluator threads

#: a query of a second or so on :data:`STORE` (a three-way cross join of 120 triples, counted)
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
QUICK = "ASK { ?s pe:value 3 }"


def test_a_long_query_does_not_hold_the_short_ones() -> None:
    """The first thread takes every query; a query waiting behind one that runs past STALL goes to
    a helper thread (without helpers it would wait for the long one)."""
    finished: list[str] = []
    retired: list[str] = []

    async def main() -> None:
        runner = LocalRunner(STORE, Protection(network_isolated=True, memory_limit=None), retired.append, threads=2)
        await runner.start()
        loop = asyncio.get_running_loop()
        slow_done: asyncio.Future[QueryOutcome | PoleventsError] = loop.create_future()
        runner.submit(_job(SLOW, "json"), 600, lambda r: (finished.append("slow"), slow_done.set_result(r)))
        await asyncio.sleep(STALL * 5)
        started = time.monotonic()
        quick = await asyncio.wait_for(runner.run(_job(QUICK, "json"), 600), 60)
        finished.append("quick")
        assert quick.body == b'{"head":{},"boolean":true}\n'
        assert not slow_done.done(), "the short query waited for the long one"
        assert time.monotonic() - started < 30
        await runner.close()

    asyncio.run(main())
    assert finished[0] == "quick"
    assert retired == []


def test_small_queries_stay_on_the_first_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Helpers are not woken while the first thread's query has run less than STALL (here a minute,
    so that a loaded machine's pauses do not count)."""
    from polevents.serve import runner as runner_module

    monkeypatch.setattr(runner_module, "STALL", 60.0)

    async def main() -> LocalRunner:
        runner = LocalRunner(
            STORE, Protection(network_isolated=True, memory_limit=None), lambda reason: None, threads=3
        )
        await runner.start()
        outcomes = await asyncio.gather(*(runner.run(_job(QUICK, "json"), 60) for _ in range(200)))
        assert all(o.body == b'{"head":{},"boolean":true}\n' for o in outcomes)
        await runner.close()
        return runner

    runner = asyncio.run(main())
    assert runner.taken[0] == 200 and runner.taken[1:] == [0, 0]


# ---------------------------------------------------------------- queries on the event loop


def _inline_runner(abort: list[str]) -> LocalRunner:
    return LocalRunner(STORE, Protection(network_isolated=True, memory_limit=None), lambda reason: None,
                       abort=lambda: abort.append("abort"))  # fmt: skip


def test_a_query_known_short_runs_on_the_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first time on a thread; then, its cost known, on the loop (``done`` called at once); the
    same answer both ways.  Without ``stuck`` (no way to answer an overrun), never on the loop.
    (INLINE_COST is raised here: a loaded machine's pauses must not decide the test.)"""
    from polevents.serve import runner as runner_module

    monkeypatch.setattr(runner_module, "INLINE_COST", 60.0)
    aborted: list[str] = []

    async def main() -> None:
        runner = _inline_runner(aborted)
        await runner.start()
        job = _job(QUICK, "json")
        stuck_calls: list[PoleventsError] = []
        first = await runner.run(job, 60)
        assert runner.taken[0] == 1 and runner.inline_runs == 0
        answers: list[QueryOutcome | PoleventsError] = []
        runner.submit(job, 60, answers.append, stuck_calls.append)
        assert runner.inline_runs == 1 and runner.taken[0] == 1
        assert answers == [first]
        second = await runner.run(job, 60)  # no stuck: a thread
        assert second == first and runner.taken[0] == 2 and runner.inline_runs == 1
        other = _job(QUICK, "csv")  # another format: another cost, not known yet
        done = asyncio.get_running_loop().create_future()
        runner.submit(other, 60, done.set_result, stuck_calls.append)
        assert runner.inline_runs == 1
        assert (await done).body == b"true\n"
        await runner.close()
        assert stuck_calls == []

    asyncio.run(main())
    assert aborted == []


def test_a_volatile_query_never_runs_on_the_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """RAND, NOW, UUID, STRUUID: the same text may do more work next time."""
    from polevents.query.scan import scan_query
    from polevents.serve import runner as runner_module

    monkeypatch.setattr(runner_module, "INLINE_COST", 60.0)

    assert scan_query("SELECT ?x { BIND(RAND() AS ?x) }").volatile
    assert scan_query("ASK { FILTER(NOW() > '2020-01-01'^^<http://www.w3.org/2001/XMLSchema#dateTime>) }").volatile
    assert not scan_query("SELECT ?rand { ?rand ?now 'UUID' }").volatile  # variables and strings are no calls
    assert QueryJob(query="ASK {}").volatile  # no scan: assumed volatile

    async def main() -> LocalRunner:
        runner = _inline_runner([])
        await runner.start()
        job = _job("ASK { FILTER(RAND() < 2) }", "json")
        for _ in range(3):
            answers: list[QueryOutcome | PoleventsError] = []
            done = asyncio.get_running_loop().create_future()
            runner.submit(job, 60, lambda r: (answers.append(r), done.set_result(r)), lambda error: None)
            await done
        await runner.close()
        return runner

    runner = asyncio.run(main())
    assert runner.inline_runs == 0 and runner.taken[0] == 3


def test_a_query_on_the_loop_past_its_deadline_is_answered_by_the_watchdog() -> None:
    """A query believed short that runs past its deadline on the loop (the loop is blocked): the
    watchdog thread writes its 503 (``stuck``) and ends the worker (``abort``) while it still runs."""
    aborted: list[str] = []
    seen: list[tuple[str, float]] = []

    async def main() -> None:
        runner = _inline_runner(aborted)
        await runner.start()
        job = _job(SLOW, "json")
        runner._remember(job, 0.0001)  # as if it had been short: it is not
        started = time.monotonic()

        def stuck(error: PoleventsError) -> None:
            seen.append((error.message, time.monotonic() - started))

        answers: list[QueryOutcome | PoleventsError] = []
        runner.submit(job, 0.05, answers.append, stuck)
        took = time.monotonic() - started
        assert runner.inline_runs == 1
        assert seen and seen[0][1] < took, "the watchdog answered only after the query"
        assert "ran longer than the 0.05 s limit" in seen[0][0]
        assert runner.retired == "timeout"
        await runner.close()

    asyncio.run(main())
    assert aborted == ["abort"]


def test_the_lean_protocol_writes_the_503_of_a_query_stuck_on_the_loop(tmp_path: Path) -> None:
    """End to end in the HTTP protocol (:func:`polevents.serve.fastpath.fast_protocol`): a GET /sparql
    believed short runs on the loop and overruns; the 503 reaches the client's socket while the loop
    is still blocked, the worker is ended (``abort``), and the answer is the endpoint's 503."""
    import socket

    import uvicorn
    from uvicorn.server import ServerState

    from polevents.serve.app import MAX_HEADER_BYTES, ServeSettings, create_app
    from polevents.serve.data import load_served_data
    from polevents.serve.fastpath import _plan, fast_protocol
    from polevents.serve.transport import http_protocol

    http, _ = http_protocol()
    if isinstance(http, str):
        pytest.skip("httptools is not installed: no lean protocol")
    data_file = tmp_path / "data.nq"
    data_file.write_text("".join(f'<{EX}n{i}> <{EX}v> "{i}" <{EX}g> .\n' for i in range(120)), encoding="utf-8")
    data = load_served_data([data_file], tmp_path)
    client, server_side = socket.socketpair()
    aborted: list[float] = []
    try:

        class Transport(asyncio.Transport):
            def __init__(self) -> None:
                super().__init__()
                self.written: list[bytes] = []

            def write(self, data: Any) -> None:
                self.written.append(bytes(data))

            def is_closing(self) -> bool:
                return False

            def get_extra_info(self, name: str, default: Any = None) -> Any:
                extra = {"socket": server_side, "peername": ("127.0.0.1", 1), "sockname": ("127.0.0.1", 2)}
                return extra.get(name, default)

            def get_write_buffer_size(self) -> int:
                return 0

            def pause_reading(self) -> None:
                pass

            def resume_reading(self) -> None:
                pass

        async def main() -> None:
            runner = LocalRunner(data.store, Protection(network_isolated=True, memory_limit=None), lambda r: None,
                                 abort=lambda: aborted.append(time.monotonic()))  # fmt: skip
            app = create_app(data, ServeSettings(timeout=0.05), tmp_path, runner=runner)
            await runner.start()
            ctx = app.state.ctx
            protocol_class = fast_protocol(http, ctx)
            config = uvicorn.Config(app, http=protocol_class, lifespan="off", access_log=False, server_header=False)
            config.load()
            protocol = protocol_class(config=config, server_state=ServerState(), app_state={},
                                      _loop=asyncio.get_running_loop())  # fmt: skip
            transport = Transport()
            protocol.connection_made(transport)
            target = "/sparql?" + urlencode({"query": SLOW})
            planned = _plan(ctx, [], target.split("?", 1)[1].encode(), MAX_HEADER_BYTES)
            assert isinstance(planned, QueryJob)
            runner._remember(planned, 0.0001)  # as if it had been short
            started = time.monotonic()
            protocol.data_received(f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            ended = time.monotonic()
            assert runner.inline_runs == 1
            assert aborted and started < aborted[0] < ended, "the worker was not ended while the query ran"
            client.settimeout(5)
            answer = client.recv(65536)
            head, _, body = answer.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 503 "), answer
            assert b"\r\nretry-after: 5" in head and b"\r\nconnection: close" in head
            assert b"ran longer than the 0.05 s limit and was stopped (--timeout 0.05 s)" in body
            assert f"content-length: {len(body)}".encode() in head
            await runner.close()

        asyncio.run(main())
    finally:
        client.close()
        server_side.close()
        data.close()


def test_plans_are_remembered_per_query_string_and_accept(tmp_path: Path) -> None:
    """The plan of a GET query string (its job, or the error answered before any evaluation) is
    remembered; a different Accept is another plan; a long query string is planned each time."""
    from polevents.serve.app import ServeSettings, create_app
    from polevents.serve.data import load_served_data
    from polevents.serve.fastpath import PLAN_CACHE_BYTES, _plan_query, _planner

    data_file = tmp_path / "data.nq"
    data_file.write_text(f'<{EX}a> <{EX}v> "1" <{EX}g> .\n', encoding="utf-8")
    data = load_served_data([data_file], tmp_path)
    try:
        runner = LocalRunner(data.store, Protection(network_isolated=True, memory_limit=None), lambda r: None)
        ctx = create_app(data, ServeSettings(), tmp_path, runner=runner).state.ctx
        plan = _planner(ctx)
        qs = urlencode({"query": QUICK}).encode()
        first = plan(qs, "application/sparql-results+json")
        assert isinstance(first, QueryJob) and first.solutions_format == "json"
        assert plan(qs, "application/sparql-results+json") is first
        assert first == _plan_query(ctx, qs, "application/sparql-results+json")
        csv = plan(qs, "text/csv")
        assert isinstance(csv, QueryJob) and csv.solutions_format == "csv"
        refused = plan(urlencode({"query": "INSERT DATA { <a> <b> <c> }"}).encode(), None)
        assert isinstance(refused, tuple) and refused[0] == 403
        long = urlencode({"query": QUICK + " #" + "x" * PLAN_CACHE_BYTES}).encode()
        assert plan(long, None) == plan(long, None) and plan(long, None) is not plan(long, None)
    finally:
        data.close()
