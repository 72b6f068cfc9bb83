#!/usr/bin/env python3
"""``polevents query`` and ``polevents serve`` side by side with Oxigraph, in one run on the same data.

Three comparisons, each a ratio measured in the same run (the machine is shared and noisy,
so absolute times move; the ratios are what to read):

1. **CLI** on a built dist (default: the 1M corpus): ``polevents query --dist D`` against
   ``oxigraph query --location L --union-default-graph`` (L: a copy of D's index, the same
   store Oxigraph's own ``load`` would make), for ``SELECT (COUNT(*) AS ?n)`` and for
   100,000 rows as CSV written to a file; runs alternate, medians compared; the answers
   are compared byte for byte.
2. **Cold start** on the seed dataset: ``polevents query --dist SEED 'ASK {}'`` against
   ``python -c "import rdflib"`` (fresh processes, alternating, medians).
3. **/sparql throughput**: ``polevents serve --dist D`` against
   ``oxigraph serve-read-only --location L --union-default-graph``, the same small queries
   (:data:`SMALL`, bounded answers) from the same client (``load_test.py``'s minimal
   keep-alive HTTP/1.1 client): N connections for S seconds each, servers alternating;
   requests/s and p50/p90 latency.

Usage::

    .venv/bin/python benchmarks/query_bench.py --dist /work/corpora/corpus-1M/dist --seed dist \\
        --json benchmarks/query_bench.json
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_test import Connection, percentile

BIN = Path(sys.executable).parent
COUNT = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
ROWS = "SELECT ?s ?p ?o { ?s ?p ?o } LIMIT 100000"
PREFIXES = {
    "pe": "https://w3id.org/polevents/ontology#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "prov": "http://www.w3.org/ns/prov#",
}


def oxigraph() -> str:
    found = BIN / "oxigraph"
    return str(found) if found.is_file() else shutil.which("oxigraph") or "oxigraph"


def polevents() -> list[str]:
    script = BIN / "polevents"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "polevents"]


def timed(command: Sequence[str], out: Path | None = None) -> tuple[float, bytes]:
    """Wall time of one run, and its stdout (written to ``out`` when given, as a user's redirect)."""
    start = time.perf_counter()
    if out is None:
        done = subprocess.run(command, capture_output=True, check=True)
        return time.perf_counter() - start, done.stdout
    with out.open("wb") as fh:
        subprocess.run(command, stdout=fh, stderr=subprocess.PIPE, check=True)
    return time.perf_counter() - start, b""


def alternate(commands: dict[str, list[str]], runs: int, out: Path | None = None) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            times[name].append(timed(command, out)[0])
    return times


def oxigraph_copy(dist: Path, where: Path) -> Path:
    """A copy of the polevents index of ``dist`` for Oxigraph's CLI (which opens stores read-write)."""
    from polevents.store import ensure_index, store_dir

    ensure_index(dist)
    target = where / "oxigraph-store"
    shutil.copytree(store_dir(dist), target)
    return target


def cli(dist: Path, location: Path, runs: int, tmp: Path) -> dict[str, object]:
    results: dict[str, object] = {}
    for label, query in (("count", COUNT), ("100k rows csv", ROWS)):
        ours = [*polevents(), "query", query, "--dist", str(dist), "--format", "csv"]
        theirs = [oxigraph(), "query", "--location", str(location), "--union-default-graph", "-q", query,
                  "--results-format", "csv"]  # fmt: skip
        a, b = tmp / "a.csv", tmp / "b.csv"
        timed(ours, a)
        timed(theirs, b)  # warm both, and compare the answers
        same = a.read_bytes() == b.read_bytes()
        times = alternate({"polevents": ours, "oxigraph": theirs}, runs, tmp / "out.csv")
        p, o = statistics.median(times["polevents"]), statistics.median(times["oxigraph"])
        results[label] = {"polevents_s": p, "oxigraph_s": o, "ratio": p / o, "same_bytes": same, "runs": times}
        print(f"cli {label}: polevents {p:.2f} s, oxigraph {o:.2f} s, ratio {p / o:.2f}x, same answer: {same}")
    return results


def startup(seed: Path, runs: int) -> dict[str, object]:
    from polevents.store import ensure_index

    ensure_index(seed)
    commands = {
        "polevents query ASK": [*polevents(), "query", "ASK {}", "--dist", str(seed)],
        "python -c 'import rdflib'": [sys.executable, "-c", "import rdflib"],
        "python -c pass": [sys.executable, "-c", "pass"],
    }
    timed(commands["polevents query ASK"])
    times = alternate(commands, runs)
    medians = {name: statistics.median(t) for name, t in times.items()}
    for name, m in medians.items():
        print(f"cold start {name}: {m * 1000:.0f} ms")
    return {"median_s": medians, "runs": times}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(command: list[str], port: int) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{command[0]} did not start") from None
                time.sleep(0.1)
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


#: Small queries: bounded answers that stay small on any size of data (no ORDER BY over everything)
SMALL = [
    "ASK { ?s a pe:Person }",
    "SELECT ?p ?label WHERE { ?p a pe:Person ; rdfs:label ?label } LIMIT 10",
    "SELECT ?s ?sentence WHERE { ?s prov:wasDerivedFrom ?sentence } LIMIT 10",
    "SELECT ?e ?date WHERE { ?e pe:date ?date } LIMIT 10",
]


def texts() -> list[str]:
    """The small queries, with their prefixes declared (Oxigraph predefines none)."""
    out = []
    for query in SMALL:
        decls = " ".join(f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items() if f"{p}:" in query)
        out.append(f"{decls} {query}")
    return out


def targets() -> list[str]:
    """The request targets of the small queries."""
    return ["/sparql?" + urlencode({"query": text}) for text in texts()]


#: every request a query text not seen before (--unique-texts): a comment with a counter first
UNIQUE_TEXTS = False
_sent = itertools.count()


async def load(port: int, clients: int, duration: float) -> dict[str, float]:
    paths = targets()
    queries = texts()
    latencies: list[float] = []
    errors = 0
    headers = {"Accept": "application/sparql-results+json"}
    deadline = time.perf_counter() + duration

    async def loop(n: int) -> None:
        nonlocal errors
        conn = Connection("127.0.0.1", port)
        i = n
        try:
            while time.perf_counter() < deadline:
                if UNIQUE_TEXTS:
                    target = "/sparql?" + urlencode({"query": f"# {next(_sent)}\n{queries[i % len(queries)]}"})
                else:
                    target = paths[i % len(paths)]
                i += 1
                start = time.perf_counter()
                try:
                    status, _ = await conn.request(target, headers)
                except (OSError, asyncio.IncompleteReadError, ValueError, RuntimeError):
                    errors += 1
                    await conn.close()
                    continue
                if status == 200:
                    latencies.append(time.perf_counter() - start)
                else:
                    errors += 1
        finally:
            await conn.close()

    await asyncio.gather(*(loop(n) for n in range(clients)))
    return {
        "requests": len(latencies),
        "rps": len(latencies) / duration,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p90_ms": percentile(latencies, 90) * 1000,
        "p95_ms": percentile(latencies, 95) * 1000,
        "errors": errors,
    }


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by ``pid`` and its descendants (the query workers)."""
    ticks = 0
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def measured(process: subprocess.Popen[bytes], port: int, clients: int, duration: float) -> dict[str, float]:
    """One load run, with the server's CPU per answered request (its process tree: CPU time is less
    sensitive than throughput to what else runs on a shared machine) and the load average after it."""
    before = tree_cpu(process.pid)
    result = asyncio.run(load(port, clients, duration))
    used = tree_cpu(process.pid) - before
    result["server_cpu_us_per_request"] = used / max(1, result["requests"]) * 1e6
    result["load_average"] = os.getloadavg()[0]
    return result


def serve(
    dist: Path, location: Path, clients: Sequence[int], duration: float, rounds: int, workers: int
) -> dict[str, object]:
    """Each server in turn, for each number of concurrent clients: requests/s, p50, p90."""
    runs: dict[str, dict[int, list[dict[str, float]]]] = {
        "polevents": {n: [] for n in clients},
        "oxigraph": {n: [] for n in clients},
    }
    for _ in range(rounds):
        for name in runs:
            port = free_port()
            if name == "polevents":
                command = [*polevents(), "serve", "--dist", str(dist), "--port", str(port), "--no-access-log"]
                command += ["--workers", str(workers)]
            else:
                command = [oxigraph(), "serve-read-only", "--location", str(location), "--union-default-graph"]
                command += ["--bind", f"127.0.0.1:{port}"]
            with server(command, port) as process:
                asyncio.run(load(port, max(clients), min(3.0, duration)))  # warm-up
                for n in clients:
                    runs[name][n].append(measured(process, port, n, duration))
    summary: dict[str, object] = {"runs": {k: {str(n): v for n, v in r.items()} for k, r in runs.items()}}
    keys = ("rps", "p50_ms", "p90_ms", "p95_ms", "errors", "server_cpu_us_per_request", "load_average")
    for n in clients:
        row: dict[str, object] = {}
        for name in runs:
            row[name] = {k: statistics.median(r[k] for r in runs[name][n]) for k in keys}
        p, o = row["polevents"], row["oxigraph"]
        assert isinstance(p, dict) and isinstance(o, dict)
        row["throughput_ratio"] = p["rps"] / o["rps"]
        row["p50_ratio"] = p["p50_ms"] / o["p50_ms"]
        row["p95_ratio"] = p["p95_ms"] / o["p95_ms"]
        row["cpu_ratio"] = p["server_cpu_us_per_request"] / o["server_cpu_us_per_request"]
        # a failed request is not counted as answered: with errors the ratios mean nothing (an earlier
        # client could not read Oxigraph's chunked answers and counted only its ASK answers)
        row["valid"] = not any(r["errors"] for name in runs for r in runs[name][n])
        summary[f"{n} clients"] = row
        print(
            f"serve {dist.resolve().parent.name} {n} clients: polevents {p['rps']:.0f} req/s p50 {p['p50_ms']:.1f} ms "
            f"p95 {p['p95_ms']:.1f} ms, {p['server_cpu_us_per_request']:.0f} us CPU/request; oxigraph {o['rps']:.0f} "
            f"req/s p50 {o['p50_ms']:.1f} ms p95 {o['p95_ms']:.1f} ms, {o['server_cpu_us_per_request']:.0f} us "
            f"CPU/request; throughput {row['throughput_ratio']:.2f}x, p50 {row['p50_ratio']:.2f}x, "
            f"p95 {row['p95_ratio']:.2f}x, CPU {row['cpu_ratio']:.2f}x; load {p['load_average']:.1f}"
            + ("" if row["valid"] else "  INVALID: requests failed")
        )
    return summary


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            children = []
        todo += [int(c) for c in children]
    return out


def _smaps(pid: int) -> dict[str, int]:
    """Rss and Pss (kB) of one process from /proc/PID/smaps_rollup."""
    found = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("Rss", "Pss"):
                found[key] = int(value.split()[0])
    except OSError:
        pass
    return found


def memory(dist: Path, workers: Sequence[int], seconds: float) -> dict[str, object]:
    """The server's process tree after ``seconds`` of small queries (every worker used): the sum of
    PSS (shared pages counted once: what the tree costs) and the largest RSS, per worker count."""
    out: dict[str, object] = {}
    for n in workers:
        port = free_port()
        command = [*polevents(), "serve", "--dist", str(dist), "--port", str(port), "--no-access-log"]
        with server([*command, "--workers", str(n)], port) as process:
            asyncio.run(load(port, 4 * n, seconds))
            pids = _tree(process.pid)
            stats = [_smaps(p) for p in pids]
        pss = sum(s.get("Pss", 0) for s in stats) / 1024
        rss = max((s.get("Rss", 0) for s in stats), default=0) / 1024
        out[str(n)] = {"processes": len(pids), "pss_mb": pss, "largest_rss_mb": rss}
        print(f"serve memory {dist.resolve().parent.name}, {n} workers: {len(pids)} processes, PSS sum {pss:.0f} MB, "
              f"largest RSS {rss:.0f} MB")  # fmt: skip
    return out


def quads(dist: Path) -> int:
    from polevents.store import index_key

    key = index_key(dist)
    return key.quads if key is not None else -1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dist", type=Path, required=True, help="a built dist (the 1M corpus)")
    ap.add_argument("--seed", type=Path, required=True, help="the seed dataset's built dist")
    ap.add_argument("--runs", type=int, default=5, help="alternating runs per CLI command")
    ap.add_argument("--startup-runs", type=int, default=15)
    ap.add_argument("--clients", type=int, nargs="+", default=[50, 2], help="concurrent clients (each count a run)")
    ap.add_argument("--duration", type=float, default=10.0)
    ap.add_argument("--rounds", type=int, default=2, help="alternating server rounds per dataset")
    ap.add_argument("--workers", type=int, default=2, help="polevents serve --workers")
    ap.add_argument("--memory-workers", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--only", choices=("cli", "startup", "serve", "memory"), action="append")
    ap.add_argument("--unique-texts", action="store_true",
                    help="serve: every request a new query text (a comment with a counter first): nothing a "
                    "server remembers per query text applies")  # fmt: skip
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    global UNIQUE_TEXTS
    UNIQUE_TEXTS = args.unique_texts
    only = set(args.only or ("cli", "startup", "serve", "memory"))
    report: dict[str, object] = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {platform.platform()}",
        "python": platform.python_version(),
        "load_before": os.getloadavg(),
        "dist": os.path.relpath(args.dist.resolve(), REPO),
        "dist_quads": quads(args.dist),
        "seed": str(args.seed),
        "seed_quads": quads(args.seed),
        "unique_texts": args.unique_texts,
    }
    with tempfile.TemporaryDirectory(prefix="query-bench-") as tmp_name:
        tmp = Path(tmp_name)
        big = oxigraph_copy(args.dist, tmp / "big")
        small = oxigraph_copy(args.seed, tmp / "seed")
        if "cli" in only:
            report["cli"] = cli(args.dist, big, args.runs, tmp)
        if "startup" in only:
            report["startup"] = startup(args.seed, args.startup_runs)
        if "serve" in only:
            report["serve_seed"] = serve(args.seed, small, args.clients, args.duration, args.rounds, args.workers)
            report["serve_big"] = serve(args.dist, big, args.clients, args.duration, args.rounds, args.workers)
        if "memory" in only:
            report["memory_big"] = memory(args.dist, args.memory_workers, args.duration)
    report["load_after"] = os.getloadavg()
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
