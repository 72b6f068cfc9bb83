#!/usr/bin/env python3
"""Benchmark `polevents build` and `polevents query` against Oxigraph on synthetic corpora.

For each size (data triples), in one run on the same data::

    .venv/bin/python benchmarks/run.py --sizes 10000,100000,1000000 --out benchmarks/results.md

1. writes the corpus with ``benchmarks/make_corpus.py`` (reused when ``corpus.json`` matches);
2. times a cold ``polevents build`` (no dist/, no build cache) in a child process: wall time,
   peak RSS of the largest process (``wait4``) and of the whole process tree (sampled from /proc);
3. the baseline: ``oxigraph convert`` of the built N-Triples to Turtle, JSON-LD and N-Triples;
4. an aggregate SPARQL query (events per event class) through ``polevents query --dist`` and
   through pyoxigraph directly (load the N-Quads dump + query, in a fresh process), and checks
   that both give the same rows;
5. a rebuild with nothing changed, and a rebuild after changing one source (one triple added
   to one article), then restores the source.

Prints a Markdown table (and writes it to ``--out``, with the raw figures as JSON beside it).
Sizes are rounded to whole articles by the corpus generator; the table shows the real counts.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BIN = Path(sys.executable).parent
POLEVENTS = BIN / "polevents"
OXIGRAPH = BIN / "oxigraph"

QUERY = """PREFIX pe: <https://w3id.org/polevents/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?class (COUNT(DISTINCT ?event) AS ?events) WHERE {
  GRAPH ?g { ?event a ?class }
  GRAPH <https://w3id.org/polevents/ontology> { ?class rdfs:subClassOf* pe:Event }
} GROUP BY ?class ORDER BY DESC(?events) ?class"""

PYOXIGRAPH_QUERY = """
import sys, pyoxigraph as ox
store = ox.Store()
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS)
for row in store.query(sys.argv[2]):
    print(",".join(term.value for term in row))
"""


# ---------------------------------------------------------------- measuring a child process


@dataclass
class Run:
    """One timed child process."""

    cmd: list[str]
    seconds: float
    returncode: int
    load_before: float  # share of the CPUs busy over the 2 s before it started (other work), -1 unknown
    max_rss_mb: float  # largest single process (wait4 ru_maxrss, includes waited-for grandchildren)
    tree_peak_mb: float  # sampled sum of PSS over the process tree (shared pages counted once)
    stdout: str = field(repr=False, default="")
    stderr: str = field(repr=False, default="")


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out.extend(int(x) for x in f.read().split())
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return out


def _pss_kb(pid: int) -> int:
    """Proportional set size: a forked child's copy-on-write pages are shared, not counted twice."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def _tree_rss_kb(root: int) -> int:
    total, todo, seen = 0, [root], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += _pss_kb(pid)
        todo.extend(_children(pid))
    return total


#: Before each timed run, wait until the CPUs were this idle over 2 s (other processes on the
#: machine skew the figures); give up waiting after QUIET_WAIT_S and record how busy it was.
QUIET_LOAD = 0.1
QUIET_WAIT_S = 300.0


def _cpu_times() -> tuple[int, int]:
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return idle, sum(fields)


def wait_quiet() -> float:
    """Wait until the machine's CPUs are at most QUIET_LOAD busy over 2 s; return that busy share."""
    deadline = time.monotonic() + QUIET_WAIT_S
    while True:
        idle0, total0 = _cpu_times()
        time.sleep(2)
        idle1, total1 = _cpu_times()
        busy = 1 - (idle1 - idle0) / max(1, total1 - total0)
        if busy <= QUIET_LOAD or time.monotonic() > deadline:
            return busy


def run(cmd: list[str], *, cwd: Path | None = None, check: bool = True, sample: bool = False) -> Run:
    """Run ``cmd``; wall time and the peak RSS of its largest process (``wait4``).

    With ``sample``, the PSS of the whole process tree is also sampled every 0.1 s (reading
    smaps takes the child's memory-map lock and slows it down, so timings come from runs
    without sampling).
    """
    with open(os.devnull, "rb") as devnull:
        import tempfile

        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            load_before = wait_quiet() if QUIET_LOAD > 0 else -1.0
            started = time.perf_counter()
            proc = subprocess.Popen(cmd, stdin=devnull, stdout=out, stderr=err, cwd=cwd)
            peak = [0]
            done = threading.Event()

            def sampling() -> None:
                while not done.is_set():
                    peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
                    done.wait(0.1)

            sampler = threading.Thread(target=sampling, daemon=True)
            if sample:
                sampler.start()
            _pid, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - started
            done.set()
            if sample:
                sampler.join()
            proc.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            stdout = out.read().decode("utf-8", "replace")
            stderr = err.read().decode("utf-8", "replace")
    result = Run(
        cmd=[str(c) for c in cmd],
        seconds=seconds,
        returncode=proc.returncode,
        load_before=load_before,
        max_rss_mb=usage.ru_maxrss / 1024,
        tree_peak_mb=max(peak[0], usage.ru_maxrss) / 1024,
        stdout=stdout,
        stderr=stderr,
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(result.cmd)} exited {result.returncode}:\n{stderr[-3000:]}")
    return result


# ---------------------------------------------------------------- one size


@dataclass
class SizeResult:
    """Everything measured on one corpus."""

    requested: int
    data_triples: int
    dataset_quads: int
    articles: int
    build: Run
    converts: dict[str, Run]
    query_polevents: Run
    query_pyoxigraph: Run
    rebuild_nochange: Run
    rebuild_one: Run
    query_rows: int

    @property
    def baseline(self) -> float:
        return sum(r.seconds for r in self.converts.values())


def _corpus(size: int, workdir: Path, seed: int) -> tuple[Path, dict[str, object]]:
    label = f"{size // 1000}k" if size % 1000 == 0 and size < 1_000_000 else f"{size / 1e6:g}M"
    path = workdir / f"corpus-{label}"
    manifest = path / "corpus.json"
    sys.path.insert(0, str(HERE))
    from make_corpus import inputs_hash

    if manifest.is_file():
        info = json.loads(manifest.read_text())
        if (
            info.get("requested_triples") == size
            and info.get("seed") == seed
            and info.get("inputs_sha256") == inputs_hash()
        ):
            return path, info
    print(f"bench: writing the {label} corpus", file=sys.stderr, flush=True)
    run(
        [
            sys.executable,
            str(HERE / "make_corpus.py"),
            "--triples",
            str(size),
            "--out",
            str(path),
            "--seed",
            str(seed),
            "--force",
        ]
    )
    return path, json.loads(manifest.read_text())


def _clean(project: Path, dist: Path) -> None:
    for p in (dist, project / ".polevents-cache", project / "dist"):
        if p.exists():
            shutil.rmtree(p)


def _nt_file(dist: Path, scratch: Path) -> Path:
    """The build's N-Triples dump, or one made from its N-Quads (not timed)."""
    for name in ("polevents.nt", "polevents.nt.gz"):
        if (dist / name).is_file() and not name.endswith(".gz"):
            return dist / name
    import pyoxigraph as ox

    nt = scratch / "polevents.nt"
    quads = ox.parse(path=str(dist / "polevents.nq"), format=ox.RdfFormat.N_QUADS)
    ox.serialize((q.triple for q in quads), str(nt), ox.RdfFormat.N_TRIPLES)
    return nt


def _rows(text: str, header: bool) -> list[tuple[str, ...]]:
    rows = [tuple(r) for r in csv.reader(io.StringIO(text)) if r]
    return rows[1:] if header else rows


def _edit_one_source(project: Path) -> tuple[Path, bytes]:
    folders = sorted((project / "data").iterdir())
    facts = folders[len(folders) // 2] / "facts.ttl"
    original = facts.read_bytes()
    match = re.search(rb"^(person:\S+) a pe:Person", original, re.M)
    if match is None:
        raise RuntimeError(f"{facts}: no person to edit")
    edit = match.group(1) + b' skos:altLabel "benchmark edit"@en .\n'
    facts.write_bytes(original + edit)
    return facts, original


def measure(size: int, workdir: Path, seed: int) -> SizeResult:
    project, info = _corpus(size, workdir, seed)
    dist = workdir / f"dist-{project.name}"
    scratch = workdir / f"scratch-{project.name}"
    _clean(project, dist)
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    say = lambda m: print(f"bench [{project.name}]: {m}", file=sys.stderr, flush=True)  # noqa: E731

    say("cold build (memory sampled)")
    sampled = run([str(POLEVENTS), "build", "--project", str(project), "--out", str(dist)], sample=True)
    _clean(project, dist)
    say("cold build (timed)")
    build = run([str(POLEVENTS), "build", "--project", str(project), "--out", str(dist)])
    build.tree_peak_mb = sampled.tree_peak_mb
    say(f"  {build.seconds:.2f}s, largest process {build.max_rss_mb:.0f} MB, tree PSS {build.tree_peak_mb:.0f} MB")
    nt = _nt_file(dist, scratch)
    converts = {}
    for fmt in ("ttl", "jsonld", "nt"):
        converts[fmt] = run(
            [str(OXIGRAPH), "convert", "--from-file", str(nt), "--to-file", str(scratch / f"convert.{fmt}")]
        )
        say(f"  oxigraph convert -> {fmt}: {converts[fmt].seconds:.2f}s")
    n_quads = sum(1 for _ in open(dist / "polevents.nq", "rb"))

    say("queries")
    q_pe = run([str(POLEVENTS), "query", QUERY, "--dist", str(dist), "--format", "csv"])
    q_ox = run([sys.executable, "-c", PYOXIGRAPH_QUERY, str(dist / "polevents.nq"), QUERY])
    rows_pe, rows_ox = _rows(q_pe.stdout, header=True), _rows(q_ox.stdout, header=False)
    if rows_pe != rows_ox or not rows_pe:
        raise RuntimeError(f"the query answers differ:\npolevents: {rows_pe}\npyoxigraph: {rows_ox}")

    say("rebuild, nothing changed")
    again = run([str(POLEVENTS), "build", "--project", str(project), "--out", str(dist)])
    say("rebuild after changing one source")
    facts, original = _edit_one_source(project)
    try:
        one = run([str(POLEVENTS), "build", "--project", str(project), "--out", str(dist)])
    finally:
        facts.write_bytes(original)
    shutil.rmtree(scratch)
    return SizeResult(
        requested=size,
        data_triples=int(info["data_triples"]),  # type: ignore[arg-type]
        dataset_quads=n_quads,
        articles=int(info["articles"]),  # type: ignore[arg-type]
        build=build,
        converts=converts,
        query_polevents=q_pe,
        query_pyoxigraph=q_ox,
        rebuild_nochange=again,
        rebuild_one=one,
        query_rows=len(rows_pe),
    )


# ---------------------------------------------------------------- report


def machine() -> dict[str, str]:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GB"
    except (OSError, ValueError, IndexError):
        pass
    versions = {}
    for pkg in ("pyoxigraph", "oxigraph", "rdflib", "pyshacl", "polevents"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "-"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": mem,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        **versions,
    }


def _mb(x: float) -> str:
    return f"{x:,.0f}"


def table(results: list[SizeResult]) -> str:
    lines = [
        "| data triples (quads published) | sources | `polevents build` s | peak memory MB (RSS of the largest process / PSS of the process tree) "
        "| baseline s: `oxigraph convert` ttl + jsonld + nt | build ÷ baseline | build ÷ convert→ttl "
        "| query s: `polevents query` / pyoxigraph | ratio | rebuild s: no change / one source changed "
        "| one-source rebuild ÷ baseline |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        c = r.converts
        base = r.baseline
        lines.append(
            f"| {r.data_triples:,} ({r.dataset_quads:,}) | {r.articles:,} | {r.build.seconds:.2f} "
            f"| {_mb(r.build.max_rss_mb)} / {_mb(r.build.tree_peak_mb)} "
            f"| {base:.2f} ({c['ttl'].seconds:.2f} + {c['jsonld'].seconds:.2f} + {c['nt'].seconds:.2f}) "
            f"| {r.build.seconds / base:.1f}x | {r.build.seconds / c['ttl'].seconds:.1f}x "
            f"| {r.query_polevents.seconds:.2f} / {r.query_pyoxigraph.seconds:.2f} "
            f"| {r.query_polevents.seconds / r.query_pyoxigraph.seconds:.2f}x "
            f"| {r.rebuild_nochange.seconds:.2f} / {r.rebuild_one.seconds:.2f} "
            f"| {r.rebuild_one.seconds / base:.1f}x |"
        )
    return "\n".join(lines)


def report(results: list[SizeResult], info: dict[str, str]) -> str:
    head = (
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory']} RAM, {info['os']}; "
        f"Python {info['python']}, pyoxigraph {info['pyoxigraph']}, oxigraph CLI {info['oxigraph']}, "
        f"rdflib {info['rdflib']}, pyshacl {info['pyshacl']}, polevents {info['polevents']}."
    )
    return f"{head}\n\n{table(results)}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="10000,100000,1000000",
        help="comma-separated data sizes in triples (default: 10000,100000,1000000)",
    )
    parser.add_argument("--out", type=Path, default=None, help="write the Markdown table here (+ .json)")
    parser.add_argument("--workdir", type=Path, default=HERE / "out", help="corpora and builds (git-ignored)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--quiet-load",
        type=float,
        default=QUIET_LOAD,
        help="before each run, wait until at most this share of the CPUs was busy over 2 s (0: do not wait)",
    )
    args = parser.parse_args(argv)
    globals()["QUIET_LOAD"] = args.quiet_load
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    args.workdir.mkdir(parents=True, exist_ok=True)
    info = machine()
    results = [measure(size, args.workdir, args.seed) for size in sizes]
    text = report(results, info)
    print(text)
    if args.out is not None:
        args.out.write_text(text, encoding="utf-8")
        raw = {
            "machine": info,
            "query": QUERY,
            "results": [{**{k: v for k, v in asdict(r).items()}, "baseline_seconds": r.baseline} for r in results],
        }
        for r in raw["results"]:
            for key, value in list(r.items()):
                runs = (
                    [value]
                    if isinstance(value, dict) and "stdout" in value
                    else (list(value.values()) if isinstance(value, dict) else [])
                )
                for run_ in runs:
                    if isinstance(run_, dict):
                        run_.pop("stdout", None)
                        if not key.startswith(("build", "rebuild")):
                            run_.pop("stderr", None)
        # paths in the recorded commands are written relative to the repository, not one machine's
        text = json.dumps(raw, indent=1).replace(str(REPO) + "/", "")
        args.out.with_suffix(".json").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
