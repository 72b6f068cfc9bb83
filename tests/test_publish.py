"""`polevents publish`: Graph Store Protocol PUTs into a real Oxigraph server over loopback."""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from polevents.cli import cli, main
from polevents.cli.publish import parse_auth_header
from polevents.errors import InputError, RemoteError
from polevents.formats import RdfFormat
from polevents.publish import publish
from support import copy_repo_project, oxigraph_serve, refused_port, run

XSD = "http://www.w3.org/2001/XMLSchema#"
BASE = "https://w3id.org/polevents/"

#: A small dataset in the shape of a build: an ontology graph, two source graphs
#: (one with an IRI that needs escaping in a query string), non-ASCII literals, typed values.
DATASET = f"""\
<https://w3id.org/polevents/ontology> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/2002/07/owl#Ontology> <https://w3id.org/polevents/ontology> .
<https://w3id.org/polevents/ontology#Person> <http://www.w3.org/2000/01/rdf-schema#label> "person"@en <https://w3id.org/polevents/ontology> .
<{BASE}id/person/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/polevents/ontology#Person> <{BASE}graph/one> .
<{BASE}id/person/a> <http://www.w3.org/2000/01/rdf-schema#label> "Kassym-Jomart Tokayev"@en <{BASE}graph/one> .
<{BASE}id/person/a> <http://www.w3.org/2004/02/skos/core#altLabel> "Қасым-Жомарт Тоқаев"@kk <{BASE}graph/one> .
<{BASE}id/person/a> <http://www.w3.org/2004/02/skos/core#altLabel> "Касым-Жомарт Токаев"@ru <{BASE}graph/one> .
<{BASE}id/event/e> <https://w3id.org/polevents/ontology#date> "2022-04"^^<{XSD}gYearMonth> <{BASE}graph/one> .
<{BASE}id/amount/m> <http://schema.org/value> "1.3"^^<{XSD}decimal> <{BASE}graph/two&x=1#frag> .
<{BASE}id/amount/m> <http://schema.org/currency> "USD" <{BASE}graph/two&x=1#frag> .
"""


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[str]:
    """A real `oxigraph serve` on loopback; yields its base URL."""
    with oxigraph_serve(tmp_path / "store") as url:
        yield url


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    d = tmp_path / "dist"
    d.mkdir()
    (d / "polevents.nq").write_text(DATASET, encoding="utf-8")
    return d


COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def _remote_counts(url: str) -> dict[str, int]:
    r = httpx.post(
        f"{url}/query",
        data={"query": COUNTS},
        headers={"Accept": "application/sparql-results+json"},
        timeout=10,
    )
    r.raise_for_status()
    rows = r.json()["results"]["bindings"]
    return {row["g"]["value"]: int(row["n"]["value"]) for row in rows}


def _local_counts(nq: Path) -> dict[str, int]:
    store = ox.Store()
    store.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    return {row["g"].value: int(row["n"].value) for row in store.query(COUNTS)}  # type: ignore[union-attr]


def _remote_dataset(url: str) -> ox.Dataset:
    r = httpx.get(f"{url}/store", headers={"Accept": "application/n-quads"}, timeout=10)
    r.raise_for_status()
    return ox.Dataset(ox.parse(r.content, format=ox.RdfFormat.N_QUADS))


def test_publish_twice_gives_the_local_graphs(oxigraph_server: str, dist: Path) -> None:
    runner = CliRunner()
    for round_ in (1, 2):
        result = runner.invoke(
            cli, ["publish", "--to", f"{oxigraph_server}/store", "--dist", str(dist)], catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        assert "published 3 graph(s), 9 triples" in result.stdout
        if round_ == 1:
            assert "(3 created, 0 replaced)" in result.stdout
        else:
            assert "(0 created, 3 replaced)" in result.stdout
    local = _local_counts(dist / "polevents.nq")
    assert local == {
        "https://w3id.org/polevents/ontology": 2,
        f"{BASE}graph/one": 5,
        f"{BASE}graph/two&x=1#frag": 2,
    }
    assert _remote_counts(oxigraph_server) == local
    # Not only the counts: the remote dataset is the local one, term for term.
    expected = ox.Dataset(ox.parse(path=str(dist / "polevents.nq"), format=ox.RdfFormat.N_QUADS))
    assert set(_remote_dataset(oxigraph_server)) == set(expected)


def test_republish_replaces_a_changed_graph(oxigraph_server: str, dist: Path) -> None:
    publish(f"{oxigraph_server}/store", dist_dir=dist)
    smaller = "".join(line + "\n" for line in DATASET.splitlines() if "altLabel" not in line)
    (dist / "polevents.nq").write_text(smaller, encoding="utf-8")
    result = publish(f"{oxigraph_server}/store", dist_dir=dist, body_format=RdfFormat.NTRIPLES)
    assert result.triples == 7
    assert _remote_counts(oxigraph_server)[f"{BASE}graph/one"] == 3  # PUT replaced, did not add


def test_default_graph_goes_to_default(oxigraph_server: str, dist: Path) -> None:
    with (dist / "polevents.nq").open("a", encoding="utf-8") as f:
        f.write(f'<{BASE}dataset> <http://purl.org/dc/terms/title> "d" .\n')
    result = publish(f"{oxigraph_server}/store", dist_dir=dist)
    assert [g.graph for g in result.graphs][0] is None
    r = httpx.post(
        f"{oxigraph_server}/query",
        data={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert r.json()["results"]["bindings"][0]["n"]["value"] == "1"


def test_http_error_reports_status_and_server_message(
    oxigraph_server: str, dist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["publish", "--to", f"{oxigraph_server}/no-such-path", "--dist", str(dist)])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "HTTP 404" in err
    assert "not supported by this server" in err  # Oxigraph's own words
    with pytest.raises(RemoteError, match="HTTP 404"):
        publish(f"{oxigraph_server}/no-such-path", dist_dir=dist)


def test_unreachable_endpoint_is_one_line_exit_2(dist: Path) -> None:
    with refused_port() as port:  # nothing listens there, and nothing can meanwhile
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "from polevents.cli import main; main()",
                "publish",
                "--to",
                f"http://127.0.0.1:{port}/store",
                "--dist",
                str(dist),
            ],
            capture_output=True,
            text=True,
        )
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and "unreachable" in errors[0], result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_missing_build_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="run `polevents build` first"):
        publish("http://127.0.0.1:9/store", dist_dir=tmp_path / "nothing")
    with pytest.raises(InputError, match="http"):
        publish("ftp://example.org/store", dist_dir=tmp_path)


def test_parse_auth_header() -> None:
    assert parse_auth_header("Authorization: Bearer x:y") == ("Authorization", "Bearer x:y")
    for bad in ("Authorization", ": v", "Bad Name: v", "X-Token:"):
        with pytest.raises(InputError):
            parse_auth_header(bad)


# ---------------------------------------------------------------- authentication, on a real HTTP server


class _AuthStore(http.server.BaseHTTPRequestHandler):
    """A loopback Graph Store that demands credentials (Basic, Digest, or a token header)."""

    scheme = "basic"
    received: list[tuple[str, str, str]] = []
    realm = "SPARQL"
    nonce = "5ebe2294ecd0e0f08eab7690d2a6ee69"

    def log_message(self, format: str, *args: object) -> None:
        return

    def _authorised(self) -> bool:
        header = self.headers.get("Authorization", "")
        if self.scheme == "token":
            return header == "Bearer s3cret"
        if self.scheme == "basic":
            return header == "Basic " + base64.b64encode(b"dba:pw").decode()
        if not header.startswith("Digest "):
            return False
        fields = dict(part.strip().split("=", 1) for part in header[len("Digest ") :].split(","))
        f = {k: v.strip('"') for k, v in fields.items()}
        ha1 = hashlib.md5(f"dba:{self.realm}:pw".encode()).hexdigest()
        ha2 = hashlib.md5(f"PUT:{f['uri']}".encode()).hexdigest()
        want = hashlib.md5(f"{ha1}:{f['nonce']}:{f['nc']}:{f['cnonce']}:{f['qop']}:{ha2}".encode()).hexdigest()
        return f.get("username") == "dba" and f.get("response") == want and f["uri"] == self.path

    def do_PUT(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode()
        if not self._authorised():
            self.send_response(401)
            if self.scheme == "digest":
                self.send_header(
                    "WWW-Authenticate",
                    f'Digest realm="{self.realm}", nonce="{self.nonce}", qop="auth", algorithm="MD5"',
                )
            self.send_header("Content-Type", "text/plain")
            message = b"authentication required"
            self.send_header("Content-Length", str(len(message)))
            self.end_headers()
            self.wfile.write(message)
            return
        type(self).received.append((self.path, self.headers.get("Content-Type", ""), body))
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def auth_server() -> Iterator[tuple[str, type[_AuthStore]]]:
    handler = type("Handler", (_AuthStore,), {"received": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql-graph-crud-auth", handler
    finally:
        server.shutdown()
        server.server_close()


def test_token_header_is_sent(auth_server: tuple[str, type[_AuthStore]], dist: Path) -> None:
    url, handler = auth_server
    handler.scheme = "token"
    with pytest.raises(RemoteError, match=r"HTTP 401.*refused the credentials.*authentication required") as raised:
        publish(url, dist_dir=dist)
    assert raised.value.status == 401 and "--" not in raised.value.message  # flag names are the CLI's
    r = run("publish", "--to", url, "--dist", str(dist))
    assert r.code == 2 and "HTTP 401" in r.err and "(check --user/--digest or --auth-header)" in r.err
    handler.received.clear()
    result = CliRunner().invoke(
        cli, ["publish", "--to", url, "--dist", str(dist), "--auth-header", "Authorization: Bearer s3cret"]
    )
    assert result.exit_code == 0, result.output
    assert len(handler.received) == 3
    by_path = {path: (content_type, body) for path, content_type, body in handler.received}
    content_type, body = by_path["/sparql-graph-crud-auth?graph=https%3A%2F%2Fw3id.org%2Fpolevents%2Fontology"]
    assert content_type == "text/turtle"
    graph = ox.Dataset(ox.parse(body.encode(), format=ox.RdfFormat.TURTLE))
    assert len(graph) == 2


def test_basic_auth_with_password_from_environment(
    auth_server: tuple[str, type[_AuthStore]], dist: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, handler = auth_server
    handler.scheme = "basic"
    monkeypatch.delenv("POLEVENTS_PUBLISH_PASSWORD", raising=False)
    r = run("publish", "--to", url, "--dist", str(dist), "--user", "dba")
    assert r.code == 2 and "POLEVENTS_PUBLISH_PASSWORD" in r.err and not handler.received
    monkeypatch.setenv("POLEVENTS_PUBLISH_PASSWORD", "pw")
    r = run("publish", "--to", url, "--dist", str(dist), "--user", "dba")
    assert r.code == 0, r.err
    assert len(handler.received) == 3
    result = publish(url, dist_dir=dist, user="dba", password="pw")  # the library reads no environment
    assert len(result.graphs) == 3 and len(handler.received) == 6


def test_digest_auth_and_graph_uri_parameter(auth_server: tuple[str, type[_AuthStore]], dist: Path) -> None:
    url, handler = auth_server
    handler.scheme = "digest"
    with pytest.raises(RemoteError, match="HTTP 401"):
        publish(url, dist_dir=dist, user="dba", password="pw")  # Basic where Digest is required
    result = CliRunner().invoke(
        cli,
        [
            "publish",
            "--to",
            url,
            "--dist",
            str(dist),
            "--user",
            "dba:pw",
            "--digest",
            "--graph-param",
            "graph-uri",
            "--format",
            "nt",
        ],
    )
    assert result.exit_code == 0, result.output
    paths = [p for p, _, _ in handler.received]
    assert len(paths) == 3 and all("?graph-uri=" in p for p in paths)
    assert {ct for _, ct, _ in handler.received} == {"application/n-triples"}


# ---------------------------------------------------------------- remote query agrees with local query


def test_query_endpoint_agrees_with_local(oxigraph_server: str, dist: Path) -> None:
    publish(f"{oxigraph_server}/store", dist_dir=dist)
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    runner = CliRunner()
    local = runner.invoke(cli, ["query", query, "--dist", str(dist), "--format", "json"])
    remote = runner.invoke(cli, ["query", query, "--endpoint", f"{oxigraph_server}/query", "--format", "json"])
    assert local.exit_code == 0, local.output
    assert remote.exit_code == 0, remote.output

    def rows(output: str) -> list[tuple[str, str]]:
        data = json.loads(output)
        return [(b["g"]["value"], b["n"]["value"]) for b in data["results"]["bindings"]]

    assert rows(remote.stdout) == rows(local.stdout)
    assert len(rows(local.stdout)) == 3


# ---------------------------------------------------------------- the real data, end to end


@pytest.fixture
def union_server(tmp_path: Path) -> Iterator[str]:
    """`oxigraph serve --union-default-graph`: the shipped queries read the union, as locally."""
    with oxigraph_serve(tmp_path / "ustore", "--union-default-graph") as url:
        yield url


def test_built_repository_published_answers_every_shipped_query_alike(union_server: str, tmp_path: Path) -> None:
    from polevents.build import build

    project = copy_repo_project(tmp_path / "project")
    dist = build(project).out_dir
    result = publish(f"{union_server}/store", dist_dir=dist)
    assert result.triples == len((dist / "polevents.nq").read_text(encoding="utf-8").splitlines())
    runner = CliRunner()
    names = sorted(p.stem for p in (project / "queries").glob("*.rq"))
    assert len(names) >= 10
    for name in names:
        local = runner.invoke(cli, ["query", "--name", name, "--project", str(project), "--format", "csv"])
        remote = runner.invoke(
            cli,
            [
                "query",
                "--name",
                name,
                "--project",
                str(project),
                "--endpoint",
                f"{union_server}/query",
                "--format",
                "csv",
            ],
        )
        assert local.exit_code == 0, (name, local.output)
        assert remote.exit_code == 0, (name, remote.output)
        assert sorted(remote.stdout.splitlines()[1:]) == sorted(local.stdout.splitlines()[1:]), name


# ---------------------------------------------------------------- a Graph Store that fails on purpose (#12 row 8)


class _FailingStore(http.server.BaseHTTPRequestHandler):
    """A loopback Graph Store holding graphs in memory; the ``fail_at``-th PUT is answered 500.

    ``graphs`` maps a graph IRI to the body it holds; ``arrivals`` counts the PUTs
    received; ``after_failure`` counts those that arrived once the failure was answered.
    """

    fail_at = 2
    lock = threading.Lock()
    graphs: ClassVar[dict[str, str]] = {}
    arrivals = 0
    failed = False
    after_failure = 0

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_PUT(self) -> None:
        from urllib.parse import parse_qs, urlsplit

        cls = type(self)
        with cls.lock:
            cls.arrivals += 1
            number = cls.arrivals
            if cls.failed:
                cls.after_failure += 1
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        graph = parse_qs(urlsplit(self.path).query)["graph"][0]
        if number > cls.fail_at:
            time.sleep(0.3)  # the PUTs in flight beside the failing one answer after it: no slot frees meanwhile
        if number == cls.fail_at:
            message = b"disk full, on purpose"
            self.send_response(500)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(message)))
            self.end_headers()
            self.wfile.write(message)
            self.wfile.flush()
            with cls.lock:
                cls.failed = True
            return
        with cls.lock:
            created = graph not in cls.graphs
            cls.graphs[graph] = body
        self.send_response(201 if created else 204)
        self.send_header("Content-Length", "0")
        self.end_headers()


@contextmanager
def _failing_store(old: dict[str, str]) -> Iterator[tuple[str, type[_FailingStore]]]:
    handler = type("Handler", (_FailingStore,), {"graphs": dict(old), "lock": threading.Lock()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/store", handler
    finally:
        server.shutdown()
        server.server_close()


def _reported(err: str, heading: str) -> set[str]:
    """The graph IRIs listed on the stderr line that starts with ``polevents: HEADING (N): ``."""
    lines = [line for line in err.splitlines() if line.startswith(f"polevents: {heading} (")]
    if not lines:
        return set()
    assert len(lines) == 1, err
    return set(re.findall(r"<([^>]+)>", lines[0].split("): ", 1)[1]))


def _many_graphs(dist: Path, n: int) -> list[str]:
    iris = [f"{BASE}graph/s{i:03d}" for i in range(n)]
    lines = [
        f'<{BASE}id/x/{i}> <http://www.w3.org/2000/01/rdf-schema#label> "new {i}" <{iri}> .'
        for i, iri in enumerate(iris)
    ]
    (dist / "polevents.nq").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return iris


@pytest.mark.parametrize(("graphs", "jobs"), [(3, 2), (230, 8), (5, 1)])
def test_a_failing_put_stops_publishing_and_the_report_matches_the_store(dist: Path, graphs: int, jobs: int) -> None:
    iris = _many_graphs(dist, graphs)
    old = {iri: "old" for iri in iris}
    with _failing_store(old) as (url, handler):
        r = run("publish", "--to", url, "--dist", str(dist), "--jobs", str(jobs))
    assert r.code == 2 and r.data == b""
    assert "HTTP 500 Internal Server Error: disk full, on purpose; publishing stopped:" in r.err
    new = {iri for iri, body in handler.graphs.items() if body != "old"}
    kept = set(iris) - new
    # the report is exactly what the store holds
    assert _reported(r.err, "new version in the store") == new
    assert _reported(r.err, "previous version (if any) still in the store") == kept
    assert f"{len(new)} of {graphs} graph(s) now hold the new version" in r.err
    # nothing is scheduled after the failure: besides the first PUT (answered before it), only the
    # PUTs in flight with the failing one arrive (the baseline sent 22 more with 230 graphs, --jobs 8)
    assert handler.arrivals <= 1 + jobs, handler.arrivals
    assert handler.after_failure <= jobs - 1
    assert len(new) == handler.arrivals - 1 and len(new) >= 1


def test_publish_reports_progress_on_stderr_at_scale(dist: Path) -> None:
    iris = _many_graphs(dist, 230)
    with _failing_store({}) as (url, handler):
        handler.fail_at = 10_000  # never
        r = run("publish", "--to", url, "--dist", str(dist), "--jobs", "8")
    assert r.code == 0, r.err
    assert set(handler.graphs) == set(iris)
    assert "publishing 230 graph(s), 230 triples" in r.err
    assert "[230/230] graphs, 230 of 230 triples (100%" in r.err
    assert r.out.startswith("published 230 graph(s), 230 triples")


@pytest.mark.parametrize("form", ["canonical", "interleaved", "tabs-and-comments", "rdfxml"])
def test_every_form_of_dump_gives_the_same_store(oxigraph_server: str, dist: Path, form: str) -> None:
    """The byte scan (canonical dumps) and the parser (anything else) send the same graphs."""
    dump = dist / "polevents.nq"
    lines = dump.read_text(encoding="utf-8").splitlines()
    fmt = "turtle"
    if form == "interleaved":  # graphs in pieces: loaded into a temporary store first
        lines = lines[2:] + lines[:2]
        lines = [lines[i] for i in (0, 5, 1, 6, 2, 3, 4)] + lines[7:]
    elif form == "tabs-and-comments":
        lines = ["# a comment"] + [line.replace(" ", "\t", 1) for line in lines]
    elif form == "rdfxml":
        fmt = "rdfxml"
    dump.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = run("publish", "--to", f"{oxigraph_server}/store", "--dist", str(dist), "--format", fmt)
    assert r.code == 0, r.err
    assert r.out.startswith("published 3 graph(s), 9 triples")
    expected = ox.Dataset(ox.parse(DATASET.encode(), format=ox.RdfFormat.N_QUADS))
    assert set(_remote_dataset(oxigraph_server)) == set(expected)


def test_the_byte_scan_finds_the_graphs_of_a_canonical_dump(dist: Path) -> None:
    from polevents.publish import _line_runs

    runs = _line_runs(dist / "polevents.nq")
    assert runs is not None
    assert [(r.graph, r.triples) for r in runs] == [
        ("https://w3id.org/polevents/ontology", 2),
        (f"{BASE}graph/one", 5),
        (f"{BASE}graph/two&x=1#frag", 2),
    ]
    with (dist / "polevents.nq").open("a", encoding="utf-8") as f:  # a triple in the default graph
        f.write(f"<{BASE}s> <{BASE}p> <{BASE}graph/one> .\n")
    assert _line_runs(dist / "polevents.nq") is None  # not taken for a quad of graph/one: parsed instead


# --------------------------------------------------------------------------- bulk loading (Oxigraph)


def _put(url: str, graph: str, turtle: str) -> None:
    r = httpx.put(f"{url}/store", params={"graph": graph}, content=turtle, headers={"Content-Type": "text/turtle"})
    assert r.status_code < 300, r.text


@pytest.mark.parametrize("batch_bytes", [1, 400, 1 << 20])
def test_bulk_publish_replaces_the_graphs_and_keeps_the_others(
    oxigraph_server: str, dist: Path, batch_bytes: int
) -> None:
    """Batches of whole graphs into Oxigraph's bulk loader: a graph the store held is replaced (not
    added to), a graph the dataset does not have stays, and publishing again changes nothing."""
    stale, other = f"{BASE}graph/one", f"{BASE}graph/not-ours"
    _put(oxigraph_server, stale, f"<{BASE}id/stale> <{BASE}p> 'old' .")
    _put(oxigraph_server, other, f"<{BASE}id/x> <{BASE}p> 'kept' .")
    expected = set(ox.Dataset(ox.parse(path=str(dist / "polevents.nq"), format=ox.RdfFormat.N_QUADS)))
    expected.add(
        ox.Quad(ox.NamedNode(f"{BASE}id/x"), ox.NamedNode(f"{BASE}p"), ox.Literal("kept"), ox.NamedNode(other))
    )
    first = publish(f"{oxigraph_server}/store", dist_dir=dist, bulk=True, batch_bytes=batch_bytes)
    assert "(2 created, 1 replaced)" in first.summary()
    assert set(_remote_dataset(oxigraph_server)) == expected
    again = run("publish", "--to", f"{oxigraph_server}/store", "--dist", str(dist), "--bulk")
    assert again.code == 0, again.err
    assert again.out.startswith("published 3 graph(s), 9 triples") and "(0 created, 3 replaced)" in again.out
    assert "with the server's bulk loader" in again.err
    assert set(_remote_dataset(oxigraph_server)) == expected


def test_bulk_load_cut_off_says_which_graphs_are_partial(oxigraph_server: str, dist: Path) -> None:
    """A batch the server rejects (here: an IRI with a space, which the byte scan does not parse) stops
    the run; earlier batches are reported new, that batch absent or partial, later ones untouched."""
    iris = _many_graphs(dist, 5)
    lines = (dist / "polevents.nq").read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("id/x/2", "id/x 2")
    (dist / "polevents.nq").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for iri in iris:
        _put(oxigraph_server, iri, f"<{BASE}id/old> <{BASE}p> 'old' .")
    with pytest.raises(RemoteError) as caught:
        publish(f"{oxigraph_server}/store", dist_dir=dist, bulk=True, batch_bytes=1)
    message = caught.value.message
    assert "HTTP 400" in message and "publishing stopped: 2 of 5 graph(s) now hold the new version" in message
    assert "1 may be absent or partial" in message and "2 still hold the previous one" in message
    held = {q.graph_name.value: q.object.value for q in _remote_dataset(oxigraph_server)}  # type: ignore[union-attr]
    assert [held.get(iri) for iri in iris] == ["new 0", "new 1", None, "old", "old"]


def test_bulk_refuses_a_store_that_is_not_oxigraph(dist: Path) -> None:
    with _failing_store({}) as (url, handler):
        handler.fail_at = 10_000
        r = run("publish", "--to", url, "--dist", str(dist), "--bulk")
    assert r.code == 2 and r.data == b""
    assert "bulk loading uses the N-Quads loader of an Oxigraph server" in r.err
    assert handler.arrivals == 0 and handler.graphs == {}


def test_bulk_needs_the_canonical_dump_and_no_per_graph_options(oxigraph_server: str, dist: Path) -> None:
    r = run("publish", "--to", f"{oxigraph_server}/store", "--dist", str(dist), "--bulk", "--jobs", "4")
    assert r.code == 2 and "--bulk sends the N-Quads dump in batches: --jobs does not apply" in r.err
    with (dist / "polevents.nq").open("a", encoding="utf-8") as f:  # a triple in the default graph
        f.write(f"<{BASE}s> <{BASE}p> <{BASE}o> .\n")
    r = run("publish", "--to", f"{oxigraph_server}/store", "--dist", str(dist), "--bulk")
    assert r.code == 2 and "is not in that form; rebuild it, or publish graph by graph" in r.err
    assert set(_remote_dataset(oxigraph_server)) == set()


class _ResettingStore(http.server.BaseHTTPRequestHandler):
    """A Graph Store that resets the connection of the first PUT of each graph (as a server does when a
    client reuses a kept-alive connection it has just closed) and takes every later one."""

    protocol_version = "HTTP/1.1"
    seen: ClassVar[set[str]] = set()
    received: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_PUT(self) -> None:
        import socket
        import struct

        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path not in self.seen:
            self.seen.add(self.path)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()  # RST: the client sees "connection reset", no answer
            return
        type(self).received.append(self.path)
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_a_put_whose_connection_breaks_before_an_answer_is_sent_once_more(dist: Path) -> None:
    handler = type("Handler", (_ResettingStore,), {"seen": set(), "received": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        messages: list[str] = []
        result = publish(f"http://127.0.0.1:{server.server_address[1]}/store", dist_dir=dist, progress=messages.append)
    finally:
        server.shutdown()
        server.server_close()
    graphs = _local_counts(dist / "polevents.nq")
    assert len(result.graphs) == len(graphs) == len(handler.received) == len(handler.seen)
    assert sum("sending it once more" in m for m in messages) == len(graphs)
