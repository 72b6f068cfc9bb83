"""Issue #12 rows 1–3: no outbound connection, a memory bound per query worker, a nesting limit.

Against real servers (``polevents serve`` over HTTP) and the real command line; the SSRF tests
count the connections a local listener receives.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polevents.errors import QueryError
from polevents.process import Sandbox
from polevents.query.scan import MAX_NESTING, check_nesting, nesting_depth, scan_query
from polevents.serve.worker import NetworkRefusedError, QueryJob, QueryPool
from serve_launch import RunningServer, launched_server

pytestmark = pytest.mark.integration

EX = "http://example.org/"
#: 200 triples: a three-way cross join is 8 million rows, which ORDER BY holds in memory (several GB)
DATA = "".join(f"<{EX}n{i}> <{EX}value> {i} .\n" for i in range(200))
CROSS_JOIN = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?i ?a"
MEMORY_MIB = 1024


@dataclass
class Listener:
    """A local TCP port that records every connection made to it."""

    port: int
    seen: list[bytes] = field(default_factory=list)


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    sock.settimeout(0.2)
    found = Listener(sock.getsockname()[1])
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            conn.settimeout(1)
            try:
                found.seen.append(conn.recv(1024) or b"(connected)")
            except OSError:
                found.seen.append(b"(connected)")
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield found
    stop.set()
    thread.join()
    sock.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    root = tmp_path_factory.mktemp("hardening")
    data = root / "data.ttl"
    data.write_text(DATA, encoding="utf-8")
    args = [str(data), "--timeout", "120", "--max-memory", str(MEMORY_MIB), "--workers", "2", "--no-access-log"]
    with launched_server(args, cwd=root) as running:
        yield running


@pytest.fixture(scope="module")
def client(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url.rstrip("/"), timeout=180) as c:
        yield c


def test_the_server_says_which_protection_is_active(server: RunningServer) -> None:
    log = server.stderr()
    assert "query workers: " in log
    assert f"memory bound {MEMORY_MIB} MiB" in log
    assert "no network (own user+network namespace)" in log or "SERVICE is refused on a parse" in log


# ---------------------------------------------------------------- row 1: SERVICE, sound


@pytest.mark.parametrize(
    "template",
    [
        # the lexer took "\" but not the escaped character, then read "#" as a comment, "'" as a string
        "PREFIX ex: <http://e/> SELECT * WHERE {{ OPTIONAL {{ ?s ?p ex:a\\# }} "
        "SERVICE <http://127.0.0.1:{port}/x> {{ ?x ?y ?z }} }}",
        "PREFIX ex: <http://e/> SELECT * WHERE {{ OPTIONAL {{ ?s ?p ex:a\\' }} "
        "SERVICE <http://127.0.0.1:{port}/x> {{ ?x ?y ?z }} }}",
        'PREFIX ex: <http://e/> SELECT * WHERE {{ ?s ?p ex:a\\" . SERVICE <http://127.0.0.1:{port}/x> {{ ?x ?y ?z }} }}',
    ],
)
def test_service_behind_escaped_local_names_is_refused(client: httpx.Client, listener: Listener, template: str) -> None:
    query = template.format(port=listener.port)
    assert scan_query(query).service
    r = client.get("/sparql", params={"query": query})
    assert r.status_code == 403, r.text
    assert listener.seen == []


def test_the_workers_themselves_cannot_connect(listener: Listener, tmp_path: Path) -> None:
    """Past the lexer (the pool is called directly), a SERVICE fails inside the sandboxed worker;
    the same pool without the sandbox connects, so the test can fail."""
    import pyoxigraph as ox

    store_dir = tmp_path / "store"
    store = ox.Store(str(store_dir))
    store.add(ox.Quad(ox.NamedNode(f"{EX}a"), ox.NamedNode(f"{EX}b"), ox.NamedNode(f"{EX}c")))
    store.flush()
    del store
    job = QueryJob(query=f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/x> {{ ?s ?p ?o }} }}")

    async def run(sandbox: Sandbox) -> Exception | None:
        pool = QueryPool(store_dir, 1, sandbox)
        await pool.start()
        try:
            assert pool.protection is not None
            if not sandbox.network and not pool.protection.network_isolated:
                pytest.skip(f"no network namespace here: {pool.protection.reason}")
            await pool.run(job, 60)
        except Exception as exc:
            return exc
        finally:
            await pool.close()
        return None

    refused = asyncio.run(run(Sandbox(network=False)))
    assert isinstance(refused, NetworkRefusedError), refused
    assert listener.seen == []
    asyncio.run(run(Sandbox(network=True)))  # answered or failed on the listener's non-SPARQL reply
    assert listener.seen, "the unsandboxed worker did not connect: the test proves nothing"
    listener.seen.clear()


#: objects that try to hide what follows them from a lexer: escapes in local names, quotes, \u escapes
_OBJECTS = [
    "ex:a\\#",
    "ex:a\\'",
    'ex:a\\"',
    "ex:a\\#\\'",
    "ex:a\\.b",
    "ex:a\\-",
    "ex:\\%41",
    "ex:a%23",
    "'\\''",
    '"\\""',
    "'#'",
    '"#"',
    "'''a'b''c'''",
    '"""a"b""c"""',
    "<http://e/#>",
    "<http://e/\\u0023>",
    "'\\u0027'",
    "ex:",
    ":a",
    "_:b",
    "?v",
]
_COMMENTS = ["", "# SERVICE in a comment\n", "#\\\n", "# '\n"]
_SERVICE_WORDS = ["SERVICE", "service", "SeRvIcE", "SERVICE SILENT", "service silent", "\\u0053ERVICE"]


@st.composite
def hidden_service_queries(draw: st.DrawFn) -> str:
    """A query with a SERVICE to the listener ({port}), behind objects, comments and line breaks."""
    patterns = []
    for obj in draw(st.lists(st.sampled_from(_OBJECTS), max_size=3)):
        pattern = f"?s ?p {obj}"
        patterns.append(draw(st.sampled_from([f"{pattern} .", f"OPTIONAL {{ {pattern} }}"])))
    sep = draw(st.sampled_from([" ", "\n"]))
    word = draw(st.sampled_from(_SERVICE_WORDS))
    endpoint = draw(st.sampled_from(["<http://127.0.0.1:{port}/x>", "ex:x", "?e"]))
    service = f"{word} {endpoint} {{ ?x ?y ?z }}"
    if endpoint == "?e":
        service = "BIND(<http://127.0.0.1:{port}/x> AS ?e) " + service
    after = draw(st.sampled_from(["", "?s ?p ?o ."]))
    return (
        "PREFIX ex: <http://127.0.0.1:{port}/> PREFIX : <http://e/> SELECT * WHERE { "
        + sep.join(patterns)
        + sep
        + draw(st.sampled_from(_COMMENTS))
        + service
        + sep
        + after
        + " }"
    )


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(template=hidden_service_queries())
def test_no_disguised_service_makes_a_connection(client: httpx.Client, listener: Listener, template: str) -> None:
    query = template.replace("{port}", str(listener.port))
    r = client.post("/sparql", data={"query": query})
    assert r.status_code in (400, 403), (query, r.status_code, r.text)
    assert listener.seen == [], query


# ---------------------------------------------------------------- row 2: a memory bound per worker


def test_a_query_past_the_memory_bound_is_503_and_the_server_lives_on(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": CROSS_JOIN})
    assert r.status_code == 503, r.text[:300]
    assert "memory" in r.text and f"--max-memory {MEMORY_MIB} MiB" in r.text
    assert r.headers.get("retry-after")
    # pages are served, and queries answered by the replacement worker
    assert client.get("/sparql", headers={"Accept": "text/turtle"}).status_code == 200
    for _ in range(3):
        ask = client.get("/sparql", params={"query": f"ASK {{ <{EX}n1> ?p 1 }}"})
        assert ask.status_code == 200 and ask.json()["boolean"] is True


# ---------------------------------------------------------------- row 3: nesting checked before parsing

DEEP = [
    "SELECT * WHERE " + "{" * 50_000 + "}" * 50_000,
    "ASK { FILTER(" + "(" * 100_000 + "1" + ")" * 100_000 + ") }",
    "ASK { FILTER(" + "!" * 100_000 + "true) }",
]


def test_nesting_is_measured_outside_strings_comments_and_iris() -> None:
    assert nesting_depth("SELECT * { { ?s ?p ?o } }") == 2
    assert nesting_depth("SELECT * { ?s ?p '((((((((' # {{{{{{{{\n FILTER(?s = <http://x/(((>) }") == 2
    assert nesting_depth("ASK { ?s ?p ex:a\\( }") == 1
    check_nesting("ASK {" + "{" * (MAX_NESTING - 1) + "}" * MAX_NESTING)
    with pytest.raises(QueryError, match="at most"):
        check_nesting("ASK {" + "{" * MAX_NESTING + "}" * (MAX_NESTING + 1))


@pytest.mark.parametrize("query", DEEP, ids=["braces", "parentheses", "negations"])
def test_a_deeply_nested_query_is_400_at_the_server(client: httpx.Client, query: str) -> None:
    r = client.post("/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400, r.text[:300]
    assert "nests" in r.text and f"at most {MAX_NESTING}" in r.text
    assert client.get("/sparql", params={"query": "ASK {}"}).json()["boolean"] is True


@pytest.mark.parametrize("query", DEEP, ids=["braces", "parentheses", "negations"])
def test_a_deeply_nested_query_is_exit_2_at_the_command_line(tmp_path: Path, query: str) -> None:
    (tmp_path / "deep.rq").write_text(query, encoding="utf-8")
    (tmp_path / "data.ttl").write_text(DATA, encoding="utf-8")
    code = "import sys; from polevents.cli import main; sys.exit(main())"
    done = subprocess.run(
        [sys.executable, "-c", code, "query", "-f", "deep.rq", "--project", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 2, (done.returncode, done.stderr[-500:])
    assert "nests" in done.stderr and "Traceback" not in done.stderr


# ---------------------------------------------------------------- row 9: children die with their parent

_BUILD = (
    "import sys; from pathlib import Path; from polevents.build import build; "
    "build(Path(sys.argv[1]), parallel=True, use_cache=False)"
)


def _children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_forked_validator_dies_with_a_killed_build(tmp_path: Path) -> None:
    """The validator is stopped (SIGSTOP) so it cannot finish on its own; then the build is killed
    with SIGKILL.  Only the kernel's parent-death signal can end it: a stopped orphan stays for ever."""
    import os
    import shutil
    import signal
    import time

    from support import REPO

    project = tmp_path / "project"
    shutil.copytree(REPO, project, ignore=shutil.ignore_patterns(".git", ".venv", "dist", ".*cache*", "benchmarks"))
    build = subprocess.Popen([sys.executable, "-c", _BUILD, str(project)], stderr=subprocess.DEVNULL)
    validator = None
    try:
        while validator is None:
            assert build.poll() is None, "the build ended before its validator was seen"
            validator = next(iter(_children_of(build.pid)), None)
            time.sleep(0.005)
        # past its first statements (a tenth of a second of CPU): it has asked for the parent-death signal
        while _cpu_ticks(validator) < os.sysconf("SC_CLK_TCK") // 10:
            assert _state(validator) not in (None, "Z"), "the validator ended before it could be stopped"
            time.sleep(0.005)
        os.kill(validator, signal.SIGSTOP)
        build.kill()
        build.wait()
        deadline = time.monotonic() + 60
        while _state(validator) not in (None, "Z"):
            assert time.monotonic() < deadline, f"validator {validator} outlived the build (state {_state(validator)})"
            time.sleep(0.05)
    finally:
        if build.poll() is None:
            build.kill()
        if validator is not None and _state(validator) not in (None, "Z"):
            os.kill(validator, signal.SIGKILL)


def test_without_a_namespace_service_is_decided_on_a_parse() -> None:
    from polevents.serve.sparql import service_by_parse

    escaped = "PREFIX ex: <http://e/> SELECT * WHERE { OPTIONAL { ?s ?p ex:a\\# } SERVICE <http://h/x> { ?x ?y ?z } }"
    assert service_by_parse(escaped)
    assert service_by_parse("SELECT * WHERE { ?s ?p 'SERVICE' # SERVICE <http://h/>\n }") is False
    assert service_by_parse("SELECT * WHERE { ?s ?p ?o") is True  # cannot be parsed: cannot be shown safe


def test_the_server_without_network_isolation_says_so(tmp_path: Path) -> None:
    data = tmp_path / "data.ttl"
    data.write_text(DATA, encoding="utf-8")
    with launched_server([str(data), "--no-isolate-network", "--no-access-log"], cwd=tmp_path) as running:
        assert "network NOT isolated" in running.stderr() and "refused on a parse" in running.stderr()
        with httpx.Client(base_url=running.url.rstrip("/"), timeout=60) as c:
            assert c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True
            r = c.get("/sparql", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }"})
            assert r.status_code == 403
