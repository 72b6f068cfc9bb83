"""The HTTP worker's query path in-process: the short way of :func:`run_job` gives the engine's
answers byte for byte, and :class:`LocalRunner`'s helper threads keep a long query from holding
the short ones behind it."""

from __future__ import annotations

import asyncio
import time

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
                    from_clause=scan.from_clause, **kw)  # type: ignore[arg-type]  # fmt: skip


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
        runner = LocalRunner(STORE, Protection(network_isolated=True, memory_limit=None), lambda reason: None, threads=3)
        await runner.start()
        outcomes = await asyncio.gather(*(runner.run(_job(QUICK, "json"), 60) for _ in range(200)))
        assert all(o.body == b'{"head":{},"boolean":true}\n' for o in outcomes)
        await runner.close()
        return runner

    runner = asyncio.run(main())
    assert runner.taken[0] == 200 and runner.taken[1:] == [0, 0]
