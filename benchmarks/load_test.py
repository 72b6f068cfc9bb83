"""Load test of ``polevents serve``: N concurrent clients for S seconds on loopback.

Each client loops until the time is up, picking in turn: an entity page as
HTML, the same entity as Turtle, and a small SPARQL query (JSON results).
Entities are the people, organisations, events and tenures of the dataset,
found with one query at start.  Reported: requests, throughput, p50/p90/p99
latency per kind and overall, and errors (any status other than 200, or a
transport error).  Exit status 1 when there was any error.

Usage (from the project root)::

    python benchmarks/load_test.py                      # starts its own server on the project
    python benchmarks/load_test.py --dist /tmp/dist     # ... on a built dist/
    python benchmarks/load_test.py --url http://127.0.0.1:8000/ --clients 50 --duration 30
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import platform
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx

QUERIES = [
    "ASK { ?s a pe:Person }",
    "SELECT ?p ?label WHERE { ?p a pe:Person ; rdfs:label ?label } ORDER BY ?label LIMIT 10",
    "SELECT ?e ?date WHERE { ?e pe:date ?date } ORDER BY STR(?date) LIMIT 10",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s prov:wasDerivedFrom ?sentence }",
]
ENTITIES = """SELECT DISTINCT ?s WHERE {
  VALUES ?type { pe:Person pe:PoliticalParty pe:PublicBody pe:Event pe:Tenure pe:Appointment pe:Meeting pe:Statement }
  ?s a ?type
} ORDER BY ?s LIMIT 200"""


@dataclass
class Stats:
    """Latencies (seconds) and errors of one kind of request."""

    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, other: Stats) -> None:
        self.latencies += other.latencies
        for k, v in other.errors.items():
            self.errors[k] += v


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


async def entity_paths(client: httpx.AsyncClient) -> list[str]:
    r = await client.get("/sparql", params={"query": ENTITIES})
    r.raise_for_status()
    paths = []
    for row in r.json()["results"]["bindings"]:
        path = urlsplit(row["s"]["value"]).path
        if path:
            paths.append(path)
    if not paths:
        raise SystemExit("no entities found in the dataset")
    return paths


class Connection:
    """One keep-alive HTTP/1.1 connection with a minimal client, so the load generator (which
    shares the machine with the server) spends little CPU per request; the body is read by
    Content-Length or, as Oxigraph's server sends results, chunked."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, target: str, headers: dict[str, str]) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        lines = [f"GET {target} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        close = chunked = False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                if value.strip().lower() != b"chunked":
                    raise RuntimeError(f"transfer-encoding {value!r}: not supported by this client")
                chunked = True
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        body = await self._chunked() if chunked else await self.reader.readexactly(length)
        if close:
            await self.close()
        return status, body

    async def _chunked(self) -> bytes:
        """A chunked body (RFC 9112 section 7.1): size lines, chunks, an empty trailer."""
        assert self.reader is not None
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
            if size == 0:
                while await self.reader.readuntil(b"\r\n") != b"\r\n":
                    pass  # trailer fields
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()
        self.reader = self.writer = None


async def client_loop(
    host: str, port: int, deadline: float, jobs: Iterator[tuple[str, str, dict[str, str]]], stats: dict[str, Stats]
) -> None:
    conn = Connection(host, port)
    try:
        while time.perf_counter() < deadline:
            kind, target, headers = next(jobs)
            start = time.perf_counter()
            try:
                status, _ = await conn.request(target, headers)
            except (OSError, asyncio.IncompleteReadError, ValueError, RuntimeError) as exc:
                stats[kind].errors[type(exc).__name__] += 1
                await conn.close()
                continue
            elapsed = time.perf_counter() - start
            if status == 200:
                stats[kind].latencies.append(elapsed)
            else:
                stats[kind].errors[f"HTTP {status}"] += 1
    finally:
        await conn.close()


async def run(url: str, clients: int, duration: float) -> dict[str, Stats]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    async with httpx.AsyncClient(base_url=url.rstrip("/"), timeout=60) as client:
        paths = await entity_paths(client)
        jobs_list = []
        for i, path in enumerate(paths):
            jobs_list.append(("entity html", path, {"Accept": "text/html"}))
            jobs_list.append(("entity turtle", path, {"Accept": "text/turtle"}))
            query = QUERIES[i % len(QUERIES)]
            target = "/sparql?" + urlencode({"query": query})
            jobs_list.append(("sparql", target, {"Accept": "application/sparql-results+json"}))
        # warm-up and check: every job once
        for _, target, headers in jobs_list:
            (await client.get(target, headers=headers)).raise_for_status()
    stats: dict[str, Stats] = defaultdict(Stats)
    deadline = time.perf_counter() + duration
    loops = []
    for n in range(clients):
        # each client starts at a different place in the job list
        shift = (n * 7) % len(jobs_list)
        jobs = itertools.cycle(jobs_list[shift:] + jobs_list[:shift])
        loops.append(client_loop(host, port, deadline, jobs, stats))
    await asyncio.gather(*loops)
    return dict(stats)


def report(stats: dict[str, Stats], clients: int, duration: float) -> int:
    total = Stats()
    for s in stats.values():
        total.add(s)
    print(f"# polevents serve load test: {clients} concurrent clients, {duration:g} s, loopback")
    print(f"# machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"{'kind':<15} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for kind, s in sorted(stats.items()) + [("all", total)]:
        n = len(s.latencies)
        errors = sum(s.errors.values())
        print(f"{kind:<15} {n:>9} {n / duration:>8.1f} {percentile(s.latencies, 50) * 1000:>8.1f} "
              f"{percentile(s.latencies, 90) * 1000:>8.1f} {percentile(s.latencies, 99) * 1000:>8.1f} {errors:>7}")  # fmt: skip
    if total.errors:
        print("# errors: " + ", ".join(f"{k}: {v}" for k, v in sorted(total.errors.items())))
    if total.latencies:
        print(f"# mean latency {statistics.fmean(total.latencies) * 1000:.1f} ms")
    return 1 if total.errors else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", help="a running server (default: start one on the project)")
    ap.add_argument("--project", type=Path, default=Path("."), help="project to serve when no --url")
    ap.add_argument("--dist", type=Path, help="built dist/ to serve when no --url")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=2, help="query workers of the started server")
    args = ap.parse_args(argv)
    with ExitStack() as stack:
        url = args.url
        if url is None:
            sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
            from serve_launch import launched_server  # the tests' server harness

            serve_args = ["--project", str(args.project.resolve()), "--no-access-log", "--workers", str(args.workers)]
            if args.dist:
                serve_args += ["--dist", str(args.dist.resolve())]
            server = stack.enter_context(launched_server(serve_args))
            url = server.url
            print(f"# started {url} ({' '.join(serve_args)})", file=sys.stderr)
        stats = asyncio.run(run(url, args.clients, args.duration))
    return report(stats, args.clients, args.duration)


if __name__ == "__main__":
    sys.exit(main())
