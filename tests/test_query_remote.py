"""``polevents query --endpoint``: the same answers from a real ``oxigraph serve`` as from the local dataset.

The server is loaded with the built dump (one named graph per source) and, in
its default graph, the union of those graphs (the N-Triples dump), which is
what the local side queries too: a default graph that is the merge of the
named graphs, each triple once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

from polevents.dataset import DUMP_NQUADS
from polevents.errors import QueryError, QueryTimeoutError, RemoteError
from polevents.formats import ResultFormat
from polevents.query import QueryForm, QueryResult, QueryText, execute, prepare
from support import make_query_project, oxigraph_load, oxigraph_serve, refused_port, run

pytestmark = pytest.mark.integration

BASE = "https://example.org/pe/"


@dataclass
class Server:
    url: str
    project: Path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("remote")
    project = make_query_project(tmp / "project")
    quads = ox.parse(path=str(project / "dist" / DUMP_NQUADS), format=ox.RdfFormat.N_QUADS)
    union = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=str)
    ox.serialize(union, str(tmp / "union.nt"), ox.RdfFormat.N_TRIPLES)
    location = tmp / "store"
    oxigraph_load(location, project / "dist" / DUMP_NQUADS, tmp / "union.nt")
    with oxigraph_serve(location, "--timeout-s", "5") as base:
        yield Server(f"{base}/query", project)


QUERIES = [
    "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
    "SELECT ?p ?l { ?p a pe:Person ; rdfs:label ?l } ORDER BY ?l",
    "SELECT ?p ?alt { ?p skos:altLabel ?alt }",  # no ORDER BY: compared as a multiset
    "SELECT * { ?who skos:altLabel ?alt }",  # columns in the order written, from both sides
    "SELECT ?p ?h { ?p a pe:Person OPTIONAL { ?p skos:hiddenLabel ?h } }",
    "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "SELECT ?v ?c { <id/amount/fine> schema:value ?v ; schema:currency ?c }",
    "PREFIX pe: <https://example.org/pe/id/person/>\nSELECT ?l { pe:tokayev rdfs:label ?l }",
    "ASK { <id/person/tokayev> a pe:Person }",
    "ASK { ?x a pe:Referendum }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "CONSTRUCT WHERE { ?t pe:holder ?h ; pe:startDate ?d }",
    "DESCRIBE <id/person/koshanov>",
]


def _comparable(result: QueryResult, ordered: bool) -> object:
    rows = result.rows if ordered else sorted(result.rows, key=lambda r: [str(t) for t in r])
    return (result.form, result.variables, rows, result.boolean, set(result.triples))


@pytest.mark.parametrize("text", QUERIES)
def test_remote_answers_equal_local_answers(server: Server, text: str) -> None:
    prepared = prepare(QueryText(text), server.project)
    local = execute(prepared, project=server.project)
    remote = execute(prepared, project=server.project, endpoint=server.url)
    ordered = "ORDER BY" in text
    assert _comparable(remote, ordered) == _comparable(local, ordered)
    assert remote.origin == server.url
    if prepared.form is QueryForm.SELECT:
        assert remote.rows, "a test query that answers nothing proves little"


def test_count_over_the_endpoint_equals_the_ntriples_dump(server: Server) -> None:
    r = run(
        "query",
        "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
        "--endpoint",
        server.url,
        "--format",
        "json",
        "--project",
        str(server.project),
    )
    assert r.code == 0, r.err
    union = (server.project.parent / "union.nt").read_text(encoding="utf-8").splitlines()
    assert json.loads(r.data)["results"]["bindings"][0]["n"]["value"] == str(len(union))


@pytest.mark.parametrize("fmt", [f for f in ResultFormat if f.for_solutions])
def test_cli_output_is_the_same_bytes_for_rows(server: Server, fmt: ResultFormat) -> None:
    q = "SELECT ?s ?p ?o { ?s ?p ?o } ORDER BY ?s ?p ?o"
    local = run("query", q, "--format", fmt.label, "--project", str(server.project))
    remote = run("query", q, "--format", fmt.label, "--project", str(server.project), "--endpoint", server.url)
    assert local.code == remote.code == 0, remote.err
    assert remote.data == local.data and local.data


@pytest.mark.parametrize("fmt", [f for f in ResultFormat if f.for_graphs])
def test_cli_output_is_the_same_bytes_for_graphs(server: Server, fmt: ResultFormat) -> None:
    q = "CONSTRUCT WHERE { ?s ?p ?o }"
    local = run("query", q, "--format", fmt.label, "--project", str(server.project))
    remote = run("query", q, "--format", fmt.label, "--project", str(server.project), "--endpoint", server.url)
    assert local.code == remote.code == 0, remote.err
    assert remote.data == local.data and local.data


def test_unreachable_endpoint_is_one_line_exit_2(tmp_path: Path) -> None:
    with refused_port() as port:  # nothing listens there, and nothing can meanwhile
        url = f"http://127.0.0.1:{port}/query"
        r = run("query", "ASK {}", "--endpoint", url, "--project", str(tmp_path))
    assert r.code == 2
    assert r.data == b""
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"polevents: error: {url}: unreachable"), r.err


def test_server_rejection_is_reported_with_its_message(server: Server) -> None:
    # --no-check sends the broken query as is; the server's 400 and its words come back
    r = run(
        "query",
        "SELECT * {\n  ?s ?p ?o } LIMIT x",
        "--endpoint",
        server.url,
        "--no-check",
        "--project",
        str(server.project),
    )
    assert r.code == 2 and r.data == b""
    assert f"{server.url}: HTTP 400 Bad Request: error at 2:" in r.err  # line 2: the prologue added no line
    assert "expected one of" in r.err


def test_http_error_status_and_message(server: Server) -> None:
    url = server.url.replace("/query", "/no-such-path")
    with pytest.raises(RemoteError, match=r"HTTP 404 Not Found: .*not supported by this server"):
        execute(prepare(QueryText("ASK {}"), server.project), project=server.project, endpoint=url)


def test_local_check_catches_errors_before_sending(server: Server) -> None:
    r = run("query", "SELECT * {\n  ?s ?p ?o } LIMIT x", "--endpoint", server.url, "--project", str(server.project))
    assert r.code == 2
    assert r.err.startswith("polevents: error: query:2:")
    assert "HTTP" not in r.err
    with pytest.raises(QueryError, match="unknown prefix 'nope:'"):
        prepare(QueryText("ASK { ?s nope:p ?o }"), server.project)


def test_remote_timeout_exits_3(server: Server) -> None:
    runaway = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?q ?r ?t }"
    r = run("query", runaway, "--endpoint", server.url, "--timeout", "0.5", "--project", str(server.project))
    assert r.code == 3 and r.data == b""
    assert "no answer within 0.5 s" in r.err
    with pytest.raises(QueryTimeoutError):
        execute(prepare(QueryText(runaway), server.project), project=server.project, endpoint=server.url, timeout=0.3)


# ---------------------------------------------------------------- a server that drips (#12 row 4)


@pytest.fixture
def drip() -> Iterator[str]:
    """A loopback HTTP server that answers every request one byte per 0.2 s, for as long as the client stays.

    Every byte arrives well within any per-read timeout, so only a deadline on the
    whole request stops the client.  Yields the endpoint URL.
    """
    import socket
    import threading
    import time

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def talk(conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            head = b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nX-Slow: "
            try:
                for i in range(100_000):
                    if stop.is_set():
                        return
                    conn.sendall(head[i : i + 1] if i < len(head) else b"x")
                    time.sleep(0.2)
            except OSError:  # the client went away: what the test wants
                return

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=talk, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
    finally:
        stop.set()
        listener.close()


@pytest.mark.timeout(60)
def test_timeout_bounds_the_whole_request_to_a_dripping_server(drip: str, tmp_path: Path) -> None:
    # the status line and headers arrive byte by byte: each read succeeds, the request never ends
    r = run("query", "ASK {}", "--endpoint", drip, "--timeout", "1.5", "--project", str(tmp_path))
    assert r.code == 3, r.err
    assert r.data == b""
    assert f"{drip}: no answer within 1.5 s; the request was abandoned" in r.err


@pytest.mark.timeout(60)
def test_a_remote_query_has_a_deadline_without_timeout(
    drip: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from polevents import remote

    monkeypatch.setattr(remote, "DEFAULT_TIMEOUT_S", 1.0)  # the default, shortened for the test
    with pytest.raises(QueryTimeoutError, match="no answer within 1 s"):
        execute(prepare(QueryText("ASK {}"), tmp_path), project=tmp_path, endpoint=drip)
