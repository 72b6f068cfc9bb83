"""The ``/sparql`` endpoint of ``polevents serve``: SPARQL 1.1 Protocol, formats, safety — over real HTTP."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
import pyoxigraph as ox
import pytest

from serve_launch import RunningServer, launched_server

pytestmark = pytest.mark.integration

G1 = "http://example.org/g1"
G2 = "http://example.org/g2"
EX = "http://example.org/"
#: 300 triples in the default graph: enough for a runaway cross product and for the row cap
NUMBERS = "".join(f"<{EX}n{i}> <{EX}value> {i} .\n" for i in range(300))
FIXTURE = (
    f"""\
<{G1}> {{ <{EX}a> <{EX}name> "A" . <{EX}a> <{EX}knows> <{EX}b> . }}
<{G2}> {{ <{EX}b> <{EX}name> "B" . }}
{{ <{EX}c> <{EX}name> "C" . }}
"""
    + NUMBERS
)

MAX_ROWS = 50
MAX_BODY = 4096
TIMEOUT = 2.0
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CHECKER = SHARED / "suites" / "sparql_protocol_check.py"
SUITE_DATA = SHARED / "suites" / "sparql11-protocol"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    root = tmp_path_factory.mktemp("sparql")
    data = root / "data.trig"
    data.write_text(FIXTURE, encoding="utf-8")
    args = [str(data), "--timeout", str(TIMEOUT), "--max-rows", str(MAX_ROWS), "--max-body", str(MAX_BODY),
            "--workers", "2", "--no-access-log"]  # fmt: skip
    with launched_server(args, cwd=root) as running:
        yield running


@pytest.fixture(scope="module")
def client(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url.rstrip("/"), timeout=30) as c:
        yield c


def solutions(r: httpx.Response) -> list[dict[str, str]]:
    """Rows of a SPARQL JSON/XML/TSV response as {variable: N-Triples term}."""
    fmt = ox.QueryResultsFormat.from_media_type(r.headers["content-type"].split(";")[0])
    parsed = ox.parse_query_results(r.content, format=fmt)
    assert isinstance(parsed, ox.QuerySolutions)
    names = [v.value for v in parsed.variables]
    return [{n: str(s[n]) for n in names if s[n] is not None} for s in parsed]


def names(r: httpx.Response) -> set[str]:
    return {row["name"] for row in solutions(r)}


NAMES = "SELECT ?name WHERE { ?s <http://example.org/name> ?name }"


# ---------------------------------------------------------------- the W3C suite


@pytest.mark.skipif(not CHECKER.is_file(), reason="the shared W3C protocol checker is not here")
def test_w3c_protocol_suite(tmp_path: Path) -> None:
    """The 20 W3C SPARQL 1.1 Protocol query tests, strictly (no --any-rdf-type)."""
    data = subprocess.run([sys.executable, str(CHECKER), "--print-data", "--data-dir", str(SUITE_DATA)],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    nq = tmp_path / "protocol.nq"
    nq.write_text(data, encoding="utf-8")
    with launched_server([str(nq), "--no-access-log"], cwd=tmp_path) as running:
        result = subprocess.run(
            [sys.executable, str(CHECKER), running.url + "sparql", "--data-dir", str(SUITE_DATA)],
            check=False, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert result.stdout.rstrip().endswith("20 passed, 0 failed"), result.stdout + result.stderr
    assert result.returncode == 0


# ---------------------------------------------------------------- the three ways to send a query


def test_get_post_form_and_post_direct_agree(client: httpx.Client) -> None:
    by_get = client.get("/sparql", params={"query": NAMES})
    by_form = client.post("/sparql", data={"query": NAMES})
    by_body = client.post("/sparql", content=NAMES.encode(), headers={"Content-Type": "application/sparql-query"})
    for r in (by_get, by_form, by_body):
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "application/sparql-results+json"
        assert names(r) == {'"A"', '"B"', '"C"'}  # the default graph is the union of all graphs


def test_trailing_slash_and_head(client: httpx.Client) -> None:
    assert client.get("/sparql/", params={"query": "ASK {}"}).json() == {"head": {}, "boolean": True}
    r = client.head("/sparql", params={"query": "ASK {}"})
    assert r.status_code == 200 and r.content == b""


# ---------------------------------------------------------------- the RDF dataset


def test_default_graph_uri_replaces_the_default_graph(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": NAMES, "default-graph-uri": G1})
    assert names(r) == {'"A"'}
    r = client.get("/sparql", params=[("query", NAMES), ("default-graph-uri", G1), ("default-graph-uri", G2)])
    assert names(r) == {'"A"', '"B"'}


def test_named_graph_uri_limits_graph(client: httpx.Client) -> None:
    query = "SELECT ?g ?name WHERE { GRAPH ?g { ?s <http://example.org/name> ?name } }"
    r = client.get("/sparql", params={"query": query, "named-graph-uri": G2})
    assert solutions(r) == [{"g": f"<{G2}>", "name": '"B"'}]
    # named graphs only: the default graph is empty
    assert names(client.get("/sparql", params={"query": NAMES, "named-graph-uri": G2})) == set()


def test_protocol_dataset_overrides_from(client: httpx.Client) -> None:
    query = f"SELECT ?name FROM <{G2}> WHERE {{ ?s <http://example.org/name> ?name }}"
    assert names(client.get("/sparql", params={"query": query})) == {'"B"'}  # FROM honoured
    assert names(client.get("/sparql", params={"query": query, "default-graph-uri": G1})) == {'"A"'}


def test_dataset_parameters_with_form_post(client: httpx.Client) -> None:
    r = client.post("/sparql?default-graph-uri=" + quote(G1, safe=""), data={"query": NAMES})
    assert names(r) == {'"A"'}
    r = client.post("/sparql", data={"query": NAMES, "default-graph-uri": G2})
    assert names(r) == {'"B"'}


# ---------------------------------------------------------------- result formats


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        (None, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("application/xml", "application/sparql-results+xml"),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
        ("text/csv", "text/csv; charset=utf-8"),
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ],
)
def test_select_formats(client: httpx.Client, accept: str | None, content_type: str) -> None:
    headers = {"Accept": accept} if accept else {}
    r = client.get("/sparql", params={"query": NAMES + " ORDER BY ?name"}, headers=headers)
    assert r.status_code == 200
    assert r.headers["content-type"] == content_type
    assert "Accept" in r.headers["vary"]
    if content_type.startswith("text/csv"):
        assert r.text == "name\r\nA\r\nB\r\nC\r\n"
    else:
        assert [row["name"] for row in solutions(r)] == ['"A"', '"B"', '"C"']


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml"])
def test_ask(client: httpx.Client, accept: str) -> None:
    for query, expected in (("ASK { ?s <http://example.org/name> 'A' }", True), ("ASK { ?s ?p 'Z' }", False)):
        r = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
        assert r.headers["content-type"] == accept
        parsed = ox.parse_query_results(r.content, format=ox.QueryResultsFormat.from_media_type(accept))
        assert bool(parsed) is expected


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        (None, "text/turtle; charset=utf-8"),
        ("text/turtle", "text/turtle; charset=utf-8"),
        ("application/n-triples", "application/n-triples"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
    ],
)
def test_graph_formats(client: httpx.Client, accept: str | None, content_type: str) -> None:
    query = "CONSTRUCT { ?s <http://example.org/label> ?name } WHERE { ?s <http://example.org/name> ?name }"
    headers = {"Accept": accept} if accept else {}
    r = client.post("/sparql", data={"query": query}, headers=headers)
    assert r.status_code == 200
    assert r.headers["content-type"] == content_type
    fmt = ox.RdfFormat.from_media_type(content_type.split(";")[0])
    got = {(str(q.subject), str(q.object)) for q in ox.parse(r.content, format=fmt)}
    assert got == {(f"<{EX}a>", '"A"'), (f"<{EX}b>", '"B"'), (f"<{EX}c>", '"C"')}


def test_describe(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": f"DESCRIBE <{EX}a>"})
    assert r.headers["content-type"] == "text/turtle; charset=utf-8"
    triples = list(ox.parse(r.content, format=ox.RdfFormat.TURTLE))
    assert {str(t.predicate) for t in triples} == {f"<{EX}name>", f"<{EX}knows>"}


def test_format_parameter(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": NAMES, "format": "tsv"}, headers={"Accept": "application/json"})
    assert r.headers["content-type"].startswith("text/tab-separated-values")
    r = client.get("/sparql", params={"query": f"DESCRIBE <{EX}a>", "format": "nt"})
    assert r.headers["content-type"] == "application/n-triples"


@pytest.mark.parametrize(
    ("query", "fmt", "content_type"),
    [(NAMES, "json", "application/sparql-results+json"), (NAMES, "XML", "application/sparql-results+xml"),
     (NAMES, "csv", "text/csv; charset=utf-8"), (f"DESCRIBE <{EX}a>", "json", "application/ld+json"),
     (f"DESCRIBE <{EX}a>", "xml", "application/rdf+xml"), (f"DESCRIBE <{EX}a>", "turtle", "text/turtle; charset=utf-8"),
     (f"DESCRIBE <{EX}a>", "ntriples", "application/n-triples"), (f"DESCRIBE <{EX}a>", "rdf", "application/rdf+xml")],
)  # fmt: skip
def test_format_parameter_names(client: httpx.Client, query: str, fmt: str, content_type: str) -> None:
    """format= takes the names `polevents query --format` and the RDF formats take (json is JSON-LD for graphs)."""
    r = client.get("/sparql", params={"query": query, "format": fmt})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == content_type


@pytest.mark.parametrize(
    ("query", "fmt"), [(NAMES, "ttl"), (NAMES, "table"), (f"DESCRIBE <{EX}a>", "trig"), (NAMES, "pdf")]
)
def test_format_parameter_not_offered_is_406(client: httpx.Client, query: str, fmt: str) -> None:
    assert client.get("/sparql", params={"query": query, "format": fmt}).status_code == 406


def test_ask_as_csv_and_tsv_is_one_line(client: httpx.Client) -> None:
    """CSV lines end in CRLF, as `polevents query --format csv` writes them; TSV lines in LF."""
    assert client.get("/sparql", params={"query": "ASK {}", "format": "csv"}).content == b"true\n"
    assert client.get("/sparql", params={"query": "ASK { ?s ?p 4242 }", "format": "tsv"}).content == b"false\n"


def test_406(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": NAMES}, headers={"Accept": "text/turtle"})
    assert r.status_code == 406
    assert "application/sparql-results+json" in r.text and "text/csv" in r.text
    r = client.get("/sparql", params={"query": f"DESCRIBE <{EX}a>"}, headers={"Accept": "text/csv"})
    assert r.status_code == 406
    assert "text/turtle" in r.text
    assert client.get("/sparql", params={"query": f"DESCRIBE <{EX}a>", "format": "csv"}).status_code == 406


def test_html_results_for_browsers(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": NAMES + " ORDER BY ?name"}, headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert "<th>name</th>" in r.text
    assert '<span class="literal">A</span>' in r.text
    assert "3 results" in r.text
    assert "format=csv" in r.text  # download links


# ---------------------------------------------------------------- service description, CORS


def test_service_description(client: httpx.Client, server: RunningServer) -> None:
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/turtle; charset=utf-8"
    triples = {
        (str(t.subject), str(t.predicate), str(t.object)) for t in ox.parse(r.content, format=ox.RdfFormat.TURTLE)
    }
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = f"<{server.url}sparql>"
    assert (endpoint, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", f"<{sd}Service>") in triples
    assert (endpoint, f"<{sd}endpoint>", endpoint) in triples
    assert (endpoint, f"<{sd}supportedLanguage>", f"<{sd}SPARQL11Query>") in triples
    assert any(p == f"<{sd}name>" and o == f"<{G1}>" for _, p, o in triples)
    assert client.get("/sparql").headers["content-type"] == "text/turtle; charset=utf-8"
    as_jsonld = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert as_jsonld.headers["content-type"] == "application/ld+json"
    form = client.get("/sparql", headers={"Accept": "text/html"})
    assert '<textarea id="query" name="query"' in form.text


def test_cors(client: httpx.Client) -> None:
    preflight = client.options(
        "/sparql",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
    )  # fmt: skip
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
    r = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert r.headers["access-control-allow-origin"] == "*"
    assert client.options("/sparql").status_code == 204


# ---------------------------------------------------------------- malformed requests


def raw(
    server: RunningServer, method: str, target: str, headers: dict[str, str], body: bytes | None = None
) -> tuple[int, str]:
    """One request sent exactly as given (http.client adds nothing but Host and Content-Length)."""
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        conn.putrequest(method, target, skip_accept_encoding=True)
        for k, v in headers.items():
            conn.putheader(k, v)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        return resp.status, resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("method", "target", "headers", "body", "status", "says"),
    [
        ("GET", "/sparql?query=ASK%20%7B%7D&query=ASK%20%7B%7D", {}, None, 400, "exactly one query"),
        ("GET", "/sparql?query=ASK%20%7B%7D&update=CLEAR%20ALL", {}, None, 400, "not both"),
        ("GET", "/sparql?query=ASK%20%7B%zz", {}, None, 400, "percent-encoding"),
        ("GET", "/sparql?query=ASK%20%7B%7D%ff", {}, None, 400, "not UTF-8"),
        ("GET", "/sparql?query=ASK%20%7B", {}, None, 400, "query:1:6: syntax error"),
        ("GET", "/sparql?query=%20%20", {}, None, 400, "empty query"),
        ("GET", "/sparql?query=ASK%20%7B%7D&default-graph-uri=not%20an%20iri", {}, None, 400, "not an absolute IRI"),
        ("POST", "/sparql", {}, b"query=ASK%20%7B%7D", 400, "Content-Type"),
        ("POST", "/sparql", {}, b"ASK {}", 400, "Content-Type"),
        ("POST", "/sparql", {"Content-Type": "application/sparql-query; charset=UTF-16"}, "ASK {}".encode("utf-16"),
         400, "UTF-8"),
        ("POST", "/sparql", {"Content-Type": "application/sparql-query"}, b"ASK { \xff }", 400, "UTF-8"),
        ("POST", "/sparql?query=ASK%20%7B%7D", {"Content-Type": "application/sparql-query"}, b"ASK {}", 400, "two queries"),
        ("POST", "/sparql?query=ASK%20%7B%7D", {"Content-Type": "application/x-www-form-urlencoded"},
         b"query=ASK%20%7B%7D", 400, "exactly one query"),
        ("POST", "/sparql", {"Content-Type": "application/x-www-form-urlencoded"}, b"default-graph-uri=http%3A%2F%2Fx%2F",
         400, "no query"),
        ("POST", "/sparql", {"Content-Type": "text/plain"}, b"ASK {}", 415, "unsupported media type"),
        ("POST", "/sparql", {"Content-Type": "application/json"}, b'{"query": "ASK {}"}', 415, "unsupported"),
        ("PUT", "/sparql?query=ASK%20%7B%7D", {"Content-Type": "application/x-www-form-urlencoded"}, b"", 405, ""),
        ("DELETE", "/sparql", {}, None, 405, ""),
    ],
)  # fmt: skip
def test_malformed_requests(
    server: RunningServer, method: str, target: str, headers: dict[str, str], body: bytes | None, status: int, says: str
) -> None:
    got, text = raw(server, method, target, headers, body)
    assert got == status, text
    assert says in text


def test_body_over_the_limit_is_413(client: httpx.Client, server: RunningServer) -> None:
    big = "SELECT * WHERE { ?s ?p ?o } # " + "x" * MAX_BODY
    r = client.post("/sparql", content=big.encode(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413
    r = client.post("/sparql", data={"query": big})
    assert r.status_code == 413
    # the limit is on the body as it arrives, also when no Content-Length announces it
    parts = urlsplit(server.url)
    chunk = b"#" * 1024
    body = b"".join(b"400\r\n" + chunk + b"\r\n" for _ in range(6)) + b"0\r\n\r\n"
    head = (f"POST /sparql HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/sparql-query\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()  # fmt: skip
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(head + body)
        answer = b""
        while data := sock.recv(65536):
            answer += data
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]


def test_syntax_error_page_for_browsers(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"}, headers={"Accept": "text/html"})
    assert r.status_code == 400
    assert 'class="error"' in r.text and "query:1:" in r.text and "syntax error" in r.text
    assert "SELECT * WHERE { ?s ?p }" in r.text  # the query stays in the form


# ---------------------------------------------------------------- read-only, no outbound connection


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP port that records every connection made to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.2)
    seen: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            seen.append(conn.recv(1024))
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield sock.getsockname()[1], seen
    stop.set()
    thread.join()
    sock.close()


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        "select * where {{ service silent <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ BIND(<http://127.0.0.1:{port}/sparql> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        "PREFIX e: <http://127.0.0.1:{port}/>\nSELECT * WHERE {{ # comment\n  SeRvIcE e:sparql {{ ?s ?p ?o }} }}",
    ],
)
def test_service_is_refused_without_connecting(
    client: httpx.Client, listener: tuple[int, list[bytes]], template: str
) -> None:
    port, seen = listener
    r = client.get("/sparql", params={"query": template.format(port=port)})
    assert r.status_code == 403
    assert "SERVICE" in r.text and "outbound" in r.text
    # the same query without SERVICE reaches the store (so the refusal was the SERVICE keyword)
    assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    assert seen == []


@pytest.mark.parametrize(
    ("request_kwargs", "says"),
    [
        ({"params": {"update": "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }"}}, "read-only"),
        ({"data": {"update": "CLEAR ALL"}}, "read-only"),
        ({"content": b"DROP ALL", "headers": {"Content-Type": "application/sparql-update"}}, "read-only"),
        ({"params": {"query": "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }"}}, "INSERT"),
        ({"params": {"query": "LOAD <http://127.0.0.1:9/data.ttl>"}}, "LOAD"),
        ({"data": {"query": "PREFIX x: <http://x/> DELETE WHERE { ?s ?p ?o }"}}, "DELETE"),
    ],
)
def test_updates_are_refused(client: httpx.Client, request_kwargs: dict[str, object], says: str) -> None:
    method = "GET" if "params" in request_kwargs else "POST"
    r = client.request(method, "/sparql", **request_kwargs)  # type: ignore[arg-type]
    assert r.status_code == 403
    assert says in r.text
    assert names(client.get("/sparql", params={"query": NAMES})) == {'"A"', '"B"', '"C"'}


# ---------------------------------------------------------------- limits


def test_result_rows_are_capped(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": "SELECT ?s ?o WHERE { ?s <http://example.org/value> ?o }"})
    assert r.status_code == 200
    assert r.headers["x-sparql-maxrows"] == str(MAX_ROWS)
    assert len(r.json()["results"]["bindings"]) == MAX_ROWS
    r = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s <http://example.org/value> ?o }"},
                   headers={"Accept": "application/n-triples"})  # fmt: skip
    assert r.headers["x-sparql-maxrows"] == str(MAX_ROWS)
    assert len(r.text.splitlines()) == MAX_ROWS
    small = client.get("/sparql", params={"query": NAMES})
    assert "x-sparql-maxrows" not in small.headers


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        (NAMES, "application/sparql-results+json"),
        (NAMES, "text/csv"),
        ("SELECT ?s ?o WHERE { ?s <http://example.org/value> ?o }", None),  # cut at --max-rows
        ("ASK { ?s ?p ?o }", "application/sparql-results+xml"),
        ("SELECT ?s WHERE { ?s ?p }", None),  # a syntax error
        ("CONSTRUCT WHERE { ?s ?p ?o }", "application/sparql-results+json"),  # 406
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", None),  # 403
        ("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }", None),  # 403
    ],
)
def test_the_fast_path_answers_as_the_endpoint_does(client: httpx.Client, query: str, accept: str | None) -> None:
    """A plain GET is answered by the HTTP workers' fast path (serve.fastpath); the same request with an
    Origin header goes through the application (CORS): the same status, type, body and row-cap header."""
    headers = {"Accept": accept} if accept else {}
    fast = client.get("/sparql", params={"query": query}, headers=headers)
    slow = client.get("/sparql", params={"query": query}, headers={**headers, "Origin": "http://example.org"})
    assert slow.headers["access-control-allow-origin"] == "*"  # it went through the application
    assert "access-control-allow-origin" not in fast.headers
    assert (fast.status_code, fast.content) == (slow.status_code, slow.content)
    for name in ("content-type", "x-sparql-maxrows", "cache-control", "retry-after"):
        assert fast.headers.get(name) == slow.headers.get(name), name
    assert fast.headers["vary"] == "Accept" and slow.headers["vary"] == "Accept, Origin"  # CORS adds Origin


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_a_query_limited_below_the_cap_is_written_as_the_capped_writer_writes_it(
    client: httpx.Client, fmt: str
) -> None:
    """A SELECT whose own LIMIT is within --max-rows is written by pyoxigraph's serializer (fast path):
    the same bytes as the row-capping writer gives; a LIMIT above the cap is still cut."""
    import io

    from polevents.formats import ResultFormat
    from polevents.query.results import write_solutions

    query = f"SELECT ?s ?o WHERE {{ ?s <{EX}value> ?o }} ORDER BY ?o LIMIT {MAX_ROWS}"
    r = client.get("/sparql", params={"query": query, "format": fmt})
    assert r.status_code == 200 and "x-sparql-maxrows" not in r.headers
    store = ox.Store()
    store.bulk_load(FIXTURE.encode(), format=ox.RdfFormat.TRIG)
    raw = store.query(query, use_default_graph_as_union=True)
    assert isinstance(raw, ox.QuerySolutions)
    capped = io.BytesIO()
    assert write_solutions(raw, ResultFormat.from_name(fmt), capped, MAX_ROWS) == (MAX_ROWS, False)
    assert r.content == capped.getvalue()
    over = client.get("/sparql", params={"query": query.replace(f"LIMIT {MAX_ROWS}", f"LIMIT {MAX_ROWS + 1}")})
    assert over.headers["x-sparql-maxrows"] == str(MAX_ROWS)
    assert len(over.json()["results"]["bindings"]) == MAX_ROWS
    inner = client.get(
        "/sparql", params={"query": f"SELECT * {{ {{ SELECT ?o {{ ?s <{EX}value> ?o }} LIMIT 5 }} ?x <{EX}value> ?y }}"}
    )
    assert inner.headers["x-sparql-maxrows"] == str(MAX_ROWS)  # a subquery's LIMIT bounds nothing


#: --timeout of the runaway test: long enough for the small queries to be answered meanwhile,
#: however loaded the machine, since the test waits for it to pass.
RUNAWAY_TIMEOUT = 8.0


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="needs /proc")
def test_runaway_query_is_stopped_while_others_are_served(tmp_path: Path) -> None:
    data = tmp_path / "data.trig"
    data.write_text(FIXTURE, encoding="utf-8")
    args = [str(data), "--timeout", str(RUNAWAY_TIMEOUT), "--workers", "2", "--no-access-log"]
    with launched_server(args, cwd=tmp_path) as server:
        base = server.url.rstrip("/")
        workers = _children(server.process.pid)
        assert len(workers) == 2
        idle_cpu = {pid: _cpu_ticks(pid) for pid in workers}
        outcome: dict[str, httpx.Response] = {}

        def run_away() -> None:
            with httpx.Client(timeout=120) as c:
                outcome["runaway"] = c.get(base + "/sparql", params={"query": RUNAWAY})

        thread = threading.Thread(target=run_away)
        thread.start()
        try:
            # The runaway query is in flight once a worker keeps burning CPU (a fifth of a second of it).
            busy = None
            while busy is None:
                assert thread.is_alive(), "the runaway query ended before a worker was seen running it"
                busy = next((pid for pid in workers if _cpu_ticks(pid) - idle_cpu[pid] >= _CLK_TCK // 5), None)
                time.sleep(0.02)
            # While it runs, the other worker answers, and so do the pages (which need no worker).  However
            # slow the machine, every answer is checked; those that came back before the runaway's own
            # answer show that it did not block them, and there must be at least one.
            served_meanwhile = 0
            with httpx.Client(base_url=base, timeout=60) as c:
                while thread.is_alive():
                    small = c.get("/sparql", params={"query": "ASK { ?s ?p 'A' }"})
                    assert small.status_code == 200 and small.json()["boolean"] is True
                    page = c.get("/sparql", headers={"Accept": "text/turtle"})
                    assert page.status_code == 200
                    if "runaway" not in outcome:
                        served_meanwhile += 1
            assert served_meanwhile >= 1, "nothing was answered while the runaway query ran"
        finally:
            thread.join(120)
        r = outcome["runaway"]
        assert r.status_code == 503, r.text
        assert "stopped" in r.text and f"--timeout {RUNAWAY_TIMEOUT:g}" in r.text
        assert r.headers.get("retry-after")
        # the killed worker is replaced: queries keep being answered
        with httpx.Client(base_url=base, timeout=60) as c:
            results = [c.get("/sparql", params={"query": NAMES}) for _ in range(4)]
        assert all(names(res) == {'"A"', '"B"', '"C"'} for res in results)
        # and the worker that ran it is gone (killed in the background; give it a moment)
        deadline = time.monotonic() + 30
        while busy in _children(server.process.pid) and not _is_zombie(busy):
            assert time.monotonic() < deadline, f"worker {busy} still runs the stopped query"
            time.sleep(0.05)


_CLK_TCK = os.sysconf("SC_CLK_TCK")


def _cpu_ticks(pid: int) -> int:
    """User + system CPU time of process ``pid`` so far, in clock ticks (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of proc(5)


def test_generated_void_without_dist(client: httpx.Client, server: RunningServer) -> None:
    r = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    triples = {
        (str(t.subject), str(t.predicate), str(t.object)) for t in ox.parse(r.content, format=ox.RdfFormat.N_TRIPLES)
    }
    void = "http://rdfs.org/ns/void#"
    dataset = "<https://w3id.org/polevents/dataset/0.0.0>"  # BASE dataset/VERSION, as build names it
    assert (dataset, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", f"<{void}Dataset>") in triples
    assert (dataset, f"<{void}sparqlEndpoint>", f"<{server.url}sparql>") in triples
    quads = 2 + 1 + 1 + 300  # g1, g2, the default graph, the numbers
    assert (dataset, f"<{void}triples>", f'"{quads}"^^<http://www.w3.org/2001/XMLSchema#integer>') in triples
    assert (dataset, f"<{void}subset>", f"<{G1}>") in triples
    # the one VoID generator (export.void): the same uriSpace as a build's void.ttl
    assert (dataset, f"<{void}uriSpace>", '"https://w3id.org/polevents/id/"') in triples


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_workers_and_the_temporary_store_end_with_the_server(tmp_path: Path) -> None:
    """SIGTERM: graceful shutdown, the workers gone, the temporary on-disk store removed."""
    data = tmp_path / "d.nt"
    data.write_text(f"<{EX}a> <{EX}b> <{EX}c> .\n", encoding="utf-8")
    with launched_server([str(data), "--workers", "3", "--no-access-log"], cwd=tmp_path) as running:
        children = _children(running.process.pid)
        assert len(children) == 3
        assert json.loads(httpx.get(running.url + "sparql", params={"query": "ASK {}"}).text)["boolean"] is True
        stores = {Path(target).parent for target in _open_files(running.process.pid) if "/polevents-serve-" in target}
        assert stores
    assert running.process.returncode == 0
    assert all(not Path(f"/proc/{pid}").exists() or _is_zombie(pid) for pid in children)
    assert not any(store.exists() for store in stores)


def _open_files(pid: int) -> list[str]:
    """What the open file descriptors of ``pid`` point to; one closed between listing and reading is skipped."""
    targets = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            targets.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except FileNotFoundError:  # closed meanwhile (the server keeps working while we look)
            continue
    return targets


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry))
    return out


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_a_triple_stated_by_two_sources_counts_once(tmp_path: Path) -> None:
    """The default graph is the RDF merge of the graphs: a triple in two graphs is there once."""
    data = tmp_path / "dup.nq"
    data.write_text(
        "<http://example.org/a> <http://example.org/p> <http://example.org/b> <http://example.org/g1> .\n"
        "<http://example.org/a> <http://example.org/p> <http://example.org/b> <http://example.org/g2> .\n"
        "<http://example.org/a> <http://example.org/p> <http://example.org/c> <http://example.org/g2> .\n",
        encoding="utf-8",
    )
    with launched_server([str(data), "--no-access-log"], cwd=tmp_path) as running:
        base = running.url.rstrip("/")
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        answer = httpx.get(f"{base}/sparql", params={"query": count},
                           headers={"Accept": "application/sparql-results+json"})  # fmt: skip
        assert answer.status_code == 200, answer.text
        assert answer.json()["results"]["bindings"][0]["n"]["value"] == "2"
        per_graph = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        answer = httpx.get(f"{base}/sparql", params={"query": per_graph},
                           headers={"Accept": "application/sparql-results+json"})  # fmt: skip
        assert answer.json()["results"]["bindings"][0]["n"]["value"] == "3"
