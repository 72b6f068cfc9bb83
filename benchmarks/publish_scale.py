"""`polevents publish` at scale, as a ratio to `oxigraph load` of the same N-Quads (#14).

    python benchmarks/publish_scale.py DIST [--jobs 2 | --bulk] [--rounds 1]

DIST is a built dataset folder (``polevents build`` of a corpus from
benchmarks/make_corpus.py).  Each round, in one run on the same machine:

1. baseline: ``oxigraph load --location FRESH --file DIST/polevents.nq`` (the
   server's own bulk loader, writing the store a server would serve);
2. ``oxigraph serve --location FRESH2`` and ``polevents publish --to
   http://127.0.0.1:PORT/store --dist DIST --jobs N`` (one PUT per named graph;
   with ``--bulk``: ``publish --bulk``, N-Quads batches into the server's bulk
   loader), timed from the command's start to its exit, with its peak RSS;
3. a check that the server holds as many quads as the dump has lines.

Besides wall time, it reports CPU seconds (``os.wait4``): of ``oxigraph load``,
of the publishing client, and of the server over its whole life (start, the
PUTs, the count query); ``cpu_ratio`` = (client + server) / load is the figure
that holds on a machine shared with other work, where wall time does not.

Prints one JSON object per round and a summary line with the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _oxigraph() -> str:
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if not found:
        sys.exit("publish_scale: the oxigraph CLI (pip package 'oxigraph') is not installed")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _timed(cmd: list[str]) -> tuple[float, int, str, str, float]:
    """Wall seconds, peak RSS (KiB) of that one child (``os.wait4``), its stdout and stderr, its CPU seconds."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        sys.exit(f"publish_scale: {' '.join(cmd)} failed ({process.returncode}):\n{stderr[-2000:]}")
    return seconds, usage.ru_maxrss, stdout, stderr, usage.ru_utime + usage.ru_stime


def _count(url: str) -> int:
    import httpx

    r = httpx.post(
        f"{url}/query",
        data={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=600,
    )
    r.raise_for_status()
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def one_round(dist: Path, jobs: int, work: Path, bulk: bool = False) -> dict[str, object]:
    oxigraph = _oxigraph()
    dump = dist / "polevents.nq"
    with dump.open("rb") as f:
        quads = sum(1 for _ in f)
    load_s, load_rss, _, _, load_cpu = _timed(
        [oxigraph, "load", "--location", str(work / "loaded"), "--file", str(dump)]
    )
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = (work / "serve.log").open("wb")
    server = subprocess.Popen(
        [oxigraph, "serve", "--location", str(work / "served"), "--bind", f"127.0.0.1:{port}"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        import httpx

        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/query", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                sys.exit("publish_scale: oxigraph serve did not start")
            time.sleep(0.1)
        cmd = [str(Path(sys.executable).with_name("polevents")), "publish", "--to", f"{url}/store", "--dist", str(dist)]
        publish_s, publish_rss, stdout, stderr, publish_cpu = _timed(
            [*cmd, "--bulk"] if bulk else [*cmd, "--jobs", str(jobs)]
        )
        held = _count(url)
    finally:
        server.terminate()
        _, _, server_usage = os.wait4(server.pid, 0)
        server.returncode = 0
        log.close()
    server_cpu = server_usage.ru_utime + server_usage.ru_stime
    progress = [line for line in stderr.splitlines() if line.startswith("polevents: [")]
    return {
        "quads": quads,
        "graphs": stdout.split(" graph(s)")[0].split()[-1],
        "mode": "bulk" if bulk else f"PUT per graph, --jobs {jobs}",
        "oxigraph_load_s": round(load_s, 2),
        "oxigraph_load_peak_rss_mib": round(load_rss / 1024),
        "publish_s": round(publish_s, 2),
        "publish_peak_rss_mib": round(publish_rss / 1024),
        "oxigraph_load_cpu_s": round(load_cpu, 1),
        "publish_client_cpu_s": round(publish_cpu, 1),
        "server_cpu_s": round(server_cpu, 1),
        "cpu_ratio": round((publish_cpu + server_cpu) / load_cpu, 2),
        "ratio": round(publish_s / load_s, 2),
        "server_holds": held,
        "progress_lines": len(progress),
        "last_progress": progress[-1] if progress else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dist", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--bulk", action="store_true", help="publish --bulk (Oxigraph's bulk loader)")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    results = []
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory(prefix="polevents-publish-bench-") as tmp:
            result = one_round(args.dist, args.jobs, Path(tmp), args.bulk)
        print(json.dumps(result), flush=True)
        if result["server_holds"] != result["quads"]:
            sys.exit(f"publish_scale: the server holds {result['server_holds']} quads, the dump has {result['quads']}")
        results.append(result)
    ratios = [float(r["ratio"]) for r in results]  # type: ignore[arg-type]
    cpu = [float(r["cpu_ratio"]) for r in results]  # type: ignore[arg-type]
    print(
        f"publish / oxigraph load: wall {', '.join(f'{x:.2f}' for x in ratios)}, "
        f"CPU (client + server) {', '.join(f'{x:.2f}' for x in cpu)} (goal ≤ 2.0)"
    )


if __name__ == "__main__":
    main()
