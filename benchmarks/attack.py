"""Replay the attack table of issue #12 against a fresh build and a running ``polevents serve``.

    python benchmarks/attack.py [--markdown]

Copies the repository's project into a temporary folder, builds it, starts
``polevents serve`` on a free port (everything on 127.0.0.1), runs every row and
prints one line per check: the row, what was sent, what is expected, what was
observed, PASS or FAIL.  ``--markdown`` prints the table for the README.  The
exit status is the number of failed checks (0: all pass).  Timings in the
"observed" column are wall-clock on this machine, for information; a check never
passes or fails on a speed unless its row is about one (rows 4 and 5).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import httpx  # noqa: E402

from serve_launch import RunningServer, launched_server  # noqa: E402

CLI = [sys.executable, "-c", "import sys; from polevents.cli import main; sys.exit(main())"]
PROJECT_PARTS = ("polevents.toml", "ontology", "shapes", "data", "queries", "sources")
SERVE_TIMEOUT = 20.0
CROSS_JOIN = "SELECT * WHERE {?a ?b ?c . ?d ?e ?f . ?g ?h ?i} ORDER BY ?i ?a"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@dataclass
class Check:
    row: str
    attack: str
    expected: str
    observed: str
    ok: bool


CHECKS: list[Check] = []


def check(row: str, attack: str, expected: str, observed: str, ok: bool) -> None:
    CHECKS.append(Check(row, attack, expected, observed, ok))
    print(f"{'PASS' if ok else 'FAIL'}  {row:>4}  {attack}: {observed}", file=sys.stderr, flush=True)


def guarded(row: str, attack: str, expected: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Run a row; an exception in the script itself is a FAIL of that row, not the end of the run."""

    def wrap(fn: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                fn()
            except Exception as exc:
                check(row, attack, expected, f"the check itself failed: {type(exc).__name__}: {exc}", False)

        return run

    return wrap


def cli(
    *args: str, cwd: Path, timeout: float = 600, env: dict[str, str] | None = None
) -> tuple[int | None, str, str, float]:
    """Run the CLI; a run still going after ``timeout`` seconds is killed and reported as exit None."""
    started = time.monotonic()
    try:
        done = subprocess.run([*CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, **(env or {})})  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        return None, "", err + f"\n(killed: still running after {timeout:g} s)", time.monotonic() - started
    return done.returncode, done.stdout, done.stderr, time.monotonic() - started


def clean(stderr: str) -> bool:
    """No traceback, no crash."""
    return "Traceback" not in stderr


def copy_project(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for part in PROJECT_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part)
        elif src.is_file():
            shutil.copy2(src, dest / part)
    return dest


# ---------------------------------------------------------------- local listeners


@contextmanager
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP port that records every connection made to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    sock.settimeout(0.2)
    seen: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            conn.settimeout(1)
            try:
                seen.append(conn.recv(1024) or b"(connected)")
            except OSError:
                seen.append(b"(connected)")
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1], seen
    finally:
        stop.set()
        thread.join()
        sock.close()


@contextmanager
def http_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------- the rows against the server


def server_rows(server: RunningServer, c: httpx.Client, base_path: str) -> None:
    @guarded("1", "SERVICE behind ex:a\\# / ex:a\\' and friends", "403, zero connections")
    def row1() -> None:
        with listener() as (port, seen):
            queries = [
                f"PREFIX ex: <http://e/> SELECT * WHERE {{ OPTIONAL {{ ?s ?p ex:a\\# }} "
                f"SERVICE <http://127.0.0.1:{port}/x> {{ ?x ?y ?z }} }}",
                f"PREFIX ex: <http://e/> SELECT * WHERE {{ OPTIONAL {{ ?s ?p ex:a\\' }} "
                f"SERVICE <http://127.0.0.1:{port}/x> {{ ?x ?y ?z }} }}",
                f"SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{port}/x> {{ ?x ?y ?z }} }}",
                f"SELECT * WHERE {{ BIND(<http://127.0.0.1:{port}/x> AS ?e) SERVICE ?e {{ ?x ?y ?z }} }}",
                f"LOAD <http://127.0.0.1:{port}/x>",
            ]
            statuses = [c.get("/sparql", params={"query": q}).status_code for q in queries]
            statuses.append(c.post("/sparql", data={"update": f"LOAD <http://127.0.0.1:{port}/x>"}).status_code)
            time.sleep(0.5)
            check("1", "SERVICE behind ex:a\\# / ex:a\\', SILENT, ?var endpoint, LOAD (query and update)",
                  "403, zero connections", f"statuses {statuses}, {len(seen)} connection(s)",
                  all(s == 403 for s in statuses) and not seen)  # fmt: skip

    @guarded("2", "cross join ORDER BY", "503 at the memory bound, pages served")
    def row2() -> None:
        workers = _children(server.process.pid)
        limits = {_address_space_limit(pid) for pid in workers}
        outcome: dict[str, httpx.Response] = {}

        def heavy() -> None:
            with httpx.Client(timeout=300) as hc:
                outcome["r"] = hc.get(server.url + "sparql", params={"query": CROSS_JOIN})

        thread = threading.Thread(target=heavy)
        started = time.monotonic()
        thread.start()
        pages = []
        while thread.is_alive():
            pages.append(c.get("/").status_code)
            time.sleep(0.2)
        thread.join()
        r = outcome["r"]
        after = c.get("/sparql", params={"query": "ASK {}"}).status_code
        mem = "memory" in r.text
        check("2", CROSS_JOIN, "503 with a clear message at the memory bound; pages still served",
              f"{r.status_code} after {time.monotonic() - started:.1f} s: {r.text.strip()[:110]!r}; "
              f"{len(pages)} page(s) meanwhile, statuses {sorted(set(pages))}; then ASK {after}; "
              f"workers' RLIMIT_AS {sorted(limits)}",
              r.status_code == 503 and mem and set(pages) <= {200} and after == 200)  # fmt: skip

    @guarded("3", "deep nesting at the server", "400 with a message")
    def row3_server() -> None:
        out = []
        for q in (
            "SELECT * WHERE " + "{" * 50_000 + "}" * 50_000,
            "ASK { FILTER(" + "(" * 100_000 + "1" + ")" * 100_000 + ") }",
        ):
            r = c.post("/sparql", content=q.encode(), headers={"Content-Type": "application/sparql-query"})
            out.append((r.status_code, r.text.strip()[:70]))
        check("3", "/sparql: 50,000 nested { and 100,000 (", "400 with a message (not 500 'worker died')",
              f"{out}", all(s == 400 and "nests" in t for s, t in out))  # fmt: skip

    @guarded("5", "4 connections with a 1 MB Accept header", "431/400; pages unaffected")
    def row5() -> None:
        def p50() -> float:
            times = []
            for _ in range(30):
                t = time.perf_counter()
                c.get("/static/style.css")
                times.append(time.perf_counter() - t)
            return statistics.median(times)

        before = p50()
        statuses: list[str] = []
        stop = threading.Event()
        host, port = httpx.URL(server.url).host, httpx.URL(server.url).port
        head = b"GET / HTTP/1.1\r\nHost: x\r\nAccept: " + b"text/html;q=0.1, " * (1_000_000 // 17) + b"*/*\r\n\r\n"

        def flood() -> None:  # raw sockets: the sending costs this script (and its GIL) next to nothing
            while not stop.is_set():
                try:
                    with socket.create_connection((host, port), timeout=30) as s:
                        s.sendall(head)
                        status = s.recv(64).split(b" ")[1:2]
                        statuses.append(status[0].decode() if status else "closed")
                except OSError as exc:
                    statuses.append(type(exc).__name__)

        threads = [threading.Thread(target=flood) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        during = p50()
        stop.set()
        for t in threads:
            t.join()
        counts = {s: statuses.count(s) for s in sorted(set(statuses))}
        refused = bool(statuses) and all(s in ("400", "431", "413", "closed", "ConnectionResetError") for s in statuses)
        check("5", "4 connections each sending a 1 MB Accept header", "400/431 past a cap; /static/style.css p50 within max(5x before, 50 ms)",
              f"big-header answers {counts}; style.css p50 {before * 1000:.1f} ms before, "
              f"{during * 1000:.1f} ms during ({during / before:.1f}x)",
              refused and during <= max(5 * before, 0.05))  # fmt: skip

    @guarded("6", "entity paths with bad escapes", "400 or 404")
    def row6() -> None:
        paths = [f"{base_path}id/a%20b", f"{base_path}id/%ZZ", f"{base_path}id/%ff%fe", f"{base_path}id/a%22b"]
        got = {p: c.get(p).status_code for p in paths}
        check("6", "entity paths .../id/a%20b, %ZZ, %ff%fe, a%22b", "400 or 404",
              f"{[got[p] for p in paths]}", all(s in (400, 404) for s in got.values()))  # fmt: skip

    @guarded("+", "traversal", "no file outside dist/")
    def traversal() -> None:
        paths = ["/dist/../polevents.toml", "/dist/%2e%2e/polevents.toml", "/dist/..%2fpolevents.toml",
                 "/dist/%2e%2e%2f%2e%2e%2fetc/passwd", "/static/../polevents.toml"]  # fmt: skip
        got = []
        for p in paths:
            r = c.get(p)
            got.append(r.status_code)
            leaked = "base =" in r.text or "root:" in r.text
            if leaked:
                got.append(-1)
        check("+", "path traversal under /dist/ and /static/", "no file outside dist/ (404/400)",
              f"{got}", all(s in (400, 404) for s in got))  # fmt: skip

    @guarded("+", "413", "413")
    def too_big() -> None:
        r = c.post(
            "/sparql", content=b"ASK {}" + b" " * (2 << 20), headers={"Content-Type": "application/sparql-query"}
        )
        check("+", "a 2 MiB query body (--max-body 1 MiB)", "413", f"{r.status_code}", r.status_code == 413)

    @guarded("+", "update refusal", "403")
    def updates() -> None:
        got = [
            c.post("/sparql", data={"update": "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }"}).status_code,
            c.get("/sparql", params={"query": "DROP ALL"}).status_code,
            c.post("/sparql", content=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update"}).status_code,
        ]
        check(
            "+", "SPARQL Update (form, query=, application/sparql-update)", "403", f"{got}", all(s == 403 for s in got)
        )

    @guarded("+", "XSS", "escaped")
    def xss() -> None:
        payload = "<script>alert(1)</script>"
        html = {"Accept": "text/html"}
        pages = [
            c.get("/sparql", params={"query": f'SELECT ("{payload}" AS ?x) {{}}'}, headers=html),
            c.get("/sparql", params={"query": f"SELECT * {{ {payload} }}"}, headers=html),
            c.get("/describe", params={"iri": f"http://x/{payload}"}, headers=html),
            c.get(f"{base_path}id/{payload}", headers=html),
        ]
        raw = [p.status_code for p in pages if payload in p.text]
        check("+", "<script> in a result, a syntax error, /describe?iri= and an entity path (HTML)",
              "escaped everywhere", f"statuses {[p.status_code for p in pages]}; raw payload in {len(raw)} page(s)",
              not raw and all(p.status_code < 500 for p in pages))  # fmt: skip

    @guarded("+", "runaway query", "503, pages served")
    def runaway() -> None:
        outcome: dict[str, httpx.Response] = {}

        def run() -> None:
            with httpx.Client(timeout=300) as hc:
                outcome["r"] = hc.get(server.url + "sparql", params={"query": RUNAWAY})

        thread = threading.Thread(target=run)
        thread.start()
        served = []
        while thread.is_alive():
            t = time.perf_counter()
            served.append((c.get("/").status_code, c.get("/sparql", params={"query": "ASK {}"}).status_code))
            served[-1] += (time.perf_counter() - t,)  # type: ignore[assignment]
            time.sleep(0.2)
        thread.join()
        r = outcome["r"]
        ok = r.status_code == 503 and served and all(a == 200 and b == 200 for a, b, _ in served)
        check("+", f"runaway COUNT over a 4-way cross join (--timeout {SERVE_TIMEOUT:g})",
              "503; pages and small queries served meanwhile",
              f"{r.status_code} {r.text.strip()[:60]!r}; {len(served)} page+ASK pairs meanwhile, all 200: "
              f"{all(a == 200 and b == 200 for a, b, _ in served)}",
              bool(ok))  # fmt: skip

    for row in (row1, row2, row3_server, row5, row6, traversal, too_big, updates, xss, runaway):
        row()


def _children(pid: int) -> list[int]:
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


def _address_space_limit(pid: int) -> str:
    try:
        for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
            if line.startswith("Max address space"):
                value = line.split()[3]
                return "unlimited" if value == "unlimited" else f"{int(value) >> 20} MiB"
    except OSError:
        pass
    return "?"


# ---------------------------------------------------------------- the rows against the command line


def cli_rows(work: Path, project: Path) -> None:
    @guarded("3", "deep nesting at the command line", "exit 2")
    def row3_cli() -> None:
        out = []
        for name, q in (("braces", "SELECT * WHERE " + "{" * 50_000 + "}" * 50_000),
                        ("parens", "ASK { FILTER(" + "(" * 100_000 + "1" + ")" * 100_000 + ") }")):  # fmt: skip
            (work / f"{name}.rq").write_text(q, encoding="utf-8")
            code, _, err, _ = cli("query", "-f", str(work / f"{name}.rq"), "--project", str(project), cwd=work)
            out.append((code, err.strip().split(": ", 2)[-1][:60], clean(err)))
        check("3", "polevents query: 50,000 nested { and 100,000 (", "exit 2 with a message, no exit 139",
              f"{out}", all(code == 2 and "nests" in e and ok for code, e, ok in out))  # fmt: skip

    @guarded("4", "drip endpoint", "exit 3 after ~3 s")
    def row4() -> None:
        class Drip(BaseHTTPRequestHandler):
            def _drip(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.end_headers()
                try:
                    for _ in range(600):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                        time.sleep(0.5)
                except OSError:
                    pass

            do_GET = do_POST = _drip

            def log_message(self, *args: object) -> None:
                pass

        with http_server(Drip) as url:
            code, _, err, secs = cli(
                "query", "ASK{}", "--endpoint", url + "sparql", "--timeout", "3", cwd=work, timeout=120
            )
            check("4", "query 'ASK{}' --endpoint DRIP --timeout 3 (one byte every 0.5 s)", "exit 3 after ~3 s",
                  f"exit {code} after {secs:.1f} s: {err.strip()[:80]!r}", code == 3 and secs < 10 and clean(err))  # fmt: skip
            code, _, err, secs = cli("query", "ASK{}", "--endpoint", url + "sparql", cwd=work, timeout=150)
            check("4", "the same without --timeout", "a default timeout ends it",
                  f"exit {code} after {secs:.1f} s: {err.strip()[:80]!r}", code == 3 and clean(err))  # fmt: skip

    @guarded("7", "broken configuration and inputs", "exit 2, no traceback")
    def row7() -> None:
        cases: list[tuple[str, Callable[[Path], None]]] = [
            ('base = "foo/"', lambda p: _set_base(p, "foo/")),
            ("base with a space", lambda p: _set_base(p, "https://e.org/a b/")),
            ("base with CR/LF", lambda p: _set_base(p, "https://e.org/a\\r\\nb/")),
            ("polevents.toml not UTF-8", lambda p: (p / "polevents.toml").write_bytes(
                (p / "polevents.toml").read_bytes() + b"\n# caf\xe9\n")),
            ("a data folder named 'my links'", lambda p: shutil.copytree(p / "data" / "links", p / "data" / "my links")),
            ("a literal over 16 MiB", lambda p: (p / "data" / "links" / "big.ttl").write_text(
                '<https://w3id.org/polevents/id/x> <http://www.w3.org/2000/01/rdf-schema#comment> "'
                + "x" * (17 << 20) + '" .\n', encoding="utf-8")),
        ]  # fmt: skip
        for i, (label, damage) in enumerate(cases):
            p = copy_project(work / f"row7-{i}")
            damage(p)
            code, _, err, _ = cli("build", "--project", str(p), cwd=p)
            check("7", f"build with {label}", "exit 2, FILE[:LINE:COL]: message, no traceback",
                  f"exit {code}: {err.strip().splitlines()[-1][:90] if err.strip() else ''!r}",
                  code == 2 and clean(err))  # fmt: skip

    @guarded("8", "publish --to a store failing the 2nd PUT", "stop at the first failure, exact report")
    def row8() -> None:
        log: list[tuple[float, str, int]] = []
        lock = threading.Lock()

        class Store(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with lock:
                    n = len(log) + 1
                    status = 500 if n == 2 else 204
                    log.append((time.monotonic(), self.path, status))
                if status == 500:
                    time.sleep(0.3)  # the others are in flight meanwhile
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        with http_server(Store) as url:
            code, _out, err, _ = cli(
                "publish", "--to", url + "store", "--project", str(project), "--jobs", "2", cwd=project
            )
        failed_at = next(t for t, _, s in log if s == 500)
        after = sum(1 for t, _, _ in log if t > failed_at + 0.3)
        stored = [p for _, p, s in log if s == 204]
        tail = err.strip().splitlines()[-1][:120] if err.strip() else ""
        check("8", "publish --to a Graph Store failing the 2nd PUT (--jobs 2)",
              "stop scheduling at the first failure; say which graphs the store now holds",
              f"exit {code}; {len(log)} PUT(s), {after} sent after the failure; store holds {len(stored)} new; "
              f"last line {tail!r}",
              code != 0 and after == 0 and clean(err) and str(len(stored)) in err)  # fmt: skip

    @guarded("9", "build killed with SIGKILL", "staging removed next time; children die")
    def row9() -> None:
        p = copy_project(work / "row9")
        code = (
            "import sys; from pathlib import Path; from polevents.build import build; "
            "build(Path(sys.argv[1]), parallel=True, use_cache=False)"
        )
        build = subprocess.Popen([sys.executable, "-c", code, str(p)], stderr=subprocess.DEVNULL)
        children: list[int] = []
        staging: list[Path] = []
        deadline = time.monotonic() + 120
        while build.poll() is None and time.monotonic() < deadline:
            children = sorted(set(children) | set(_children(build.pid)))
            staging = list(p.glob(".dist.*"))
            if staging and children:
                break
            time.sleep(0.01)
        build.kill()
        build.wait()
        time.sleep(2.0)
        alive = [pid for pid in children if Path(f"/proc/{pid}").exists() and _state(pid) != "Z"]
        code2, _, _, _ = cli("build", "--project", str(p), cwd=p)
        left = list(p.glob(".dist.*"))
        check("9", "build SIGKILLed while exporting, then built again",
              "children gone; the next build removes the stale staging folder",
              f"{len(children)} child(ren), {len(alive)} alive 2 s after the kill; staging seen {len(staging)}; "
              f"rebuild exit {code2}, staging left {len(left)}",
              bool(children) and not alive and code2 == 0 and not left)  # fmt: skip

    @guarded("10", "dist/ mode", "0755 under umask 022")
    def row10() -> None:
        mode = (project / "dist").stat().st_mode & 0o777
        check("10", "dist/ after a build (umask 022)", "0755", f"{mode:04o}", mode == 0o755)

    @guarded("11", "facts.ttl a directory; source add --slug links", "exit 2")
    def row11() -> None:
        p = copy_project(work / "row11")
        slug = next(d for d in (p / "data").iterdir() if (d / "facts.ttl").is_file() and d.name != "links")
        (slug / "facts.ttl").unlink()
        (slug / "facts.ttl").mkdir()
        code, _, err, _ = cli("build", "--project", str(p), cwd=p)
        check("11", "build with data/SLUG/facts.ttl a directory", "exit 2", f"exit {code}: {err.strip()[-80:]!r}",
              code == 2 and clean(err))  # fmt: skip
        p2 = copy_project(work / "row11b")
        text = p2 / "x.txt"
        text.write_text("A sentence. Another one.\n", encoding="utf-8")
        before = sorted(f.name for f in (p2 / "data" / "links").iterdir())
        code, _, err, _ = cli("source", "add", str(text), "--slug", "links", "--project", str(p2), cwd=p2)
        after = sorted(f.name for f in (p2 / "data" / "links").iterdir())
        check("11", "source add x.txt --slug links", "exit 2, reserved slug refused",
              f"exit {code}; links/ unchanged: {before == after}", code == 2 and before == after and clean(err))  # fmt: skip

    @guarded("12", "javascript: link in the ontology", "not linked")
    def row12() -> None:
        p = copy_project(work / "row12")
        onto = next((p / "ontology").glob("*.ttl"))
        onto.write_text(onto.read_text(encoding="utf-8") + "\n<https://w3id.org/polevents/ontology> "
                        "<http://www.w3.org/2000/01/rdf-schema#seeAlso> <javascript:alert(1)> .\n", encoding="utf-8")  # fmt: skip
        code, _, err, _ = cli("build", "--project", str(p), cwd=p)
        html = (p / "dist" / "ontology.html").read_text(encoding="utf-8") if code == 0 else ""
        linked = 'href="javascript:' in html
        check("12", "rdfs:seeAlso <javascript:alert(1)> in the ontology", "no href to it in dist/ontology.html",
              f"build exit {code}; href present: {linked}", code == 0 and not linked and clean(err))  # fmt: skip

    for row in (row3_cli, row4, row7, row8, row9, row10, row11, row12):
        row()


def _state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


def _set_base(project: Path, base: str) -> None:
    toml = project / "polevents.toml"
    lines = [f'base = "{base}"' if line.startswith("base =") else line
             for line in toml.read_text(encoding="utf-8").splitlines()]  # fmt: skip
    toml.write_text("\n".join(lines) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--markdown", action="store_true", help="print the results as a Markdown table on stdout")
    args = parser.parse_args()
    os.umask(0o022)
    with tempfile.TemporaryDirectory(prefix="polevents-attack-") as tmp:
        work = Path(tmp)
        project = copy_project(work / "project")
        code, _, err, secs = cli("build", "--project", str(project), cwd=project)
        if code != 0:
            print(f"the fresh build failed (exit {code}):\n{err}", file=sys.stderr)
            return 100
        print(f"built {project} in {secs:.1f} s", file=sys.stderr)
        from polevents.config import load_config

        base_path = httpx.URL(load_config(project).base).path
        serve_args = ["--project", str(project), "--timeout", str(SERVE_TIMEOUT), "--no-access-log"]
        with launched_server(serve_args, cwd=project) as server:
            line = next((ln for ln in server.stderr().splitlines() if "query workers:" in ln), "(not said)")
            print(line, file=sys.stderr)
            with httpx.Client(base_url=server.url.rstrip("/"), timeout=120) as c:
                server_rows(server, c, base_path)
            print(f"(server start-up: {line.strip()})", file=sys.stderr)
        cli_rows(work, project)
    failed = [ch for ch in CHECKS if not ch.ok]
    if args.markdown:
        print("| row | attack | expected | observed | result |")
        print("|---|---|---|---|---|")
        for ch in CHECKS:
            cells = [ch.row, ch.attack, ch.expected, ch.observed, "pass" if ch.ok else "**FAIL**"]
            print("| " + " | ".join(cell.replace("|", "\\|").replace("\n", " ") for cell in cells) + " |")
    print(f"{len(CHECKS) - len(failed)} of {len(CHECKS)} checks pass", file=sys.stderr)
    return len(failed)


if __name__ == "__main__":
    sys.exit(main())
