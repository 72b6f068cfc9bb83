#!/usr/bin/env python3
"""Scale benchmark of ``polevents build`` (issue #14): one corpus, every figure a ratio in one run.

For one corpus made by ``make_corpus.py`` (read only: it is copied into ``--workdir`` first)::

    .venv/bin/python benchmarks/scale.py --corpus /work/corpora/corpus-3M --workdir /tmp/bench

in one run, on the same data and the same machine:

1. a **cold build** (no dist/, no build cache): wall time, and the peak memory of the whole
   process tree (sum of PSS over the build and its children, sampled every 0.2 s from
   ``/proc/*/smaps_rollup``; PSS counts copy-on-write pages shared by forked children once),
   and of the largest process (``wait4``'s ``ru_maxrss``);
2. the **baseline**: ``oxigraph convert`` of the built N-Triples dump to Turtle, JSON-LD and
   N-Quads (three runs; their sum is the baseline);
3. a **rebuild with nothing changed**, then a **rebuild after changing one source** (one triple
   added to one article's facts.ttl), and — with ``--check`` — a cold build of the changed
   project into another folder, compared file by file with the rebuilt one (SHA-256);
4. optionally (``--before PATH``: another ``polevents`` executable, e.g. the code at the start of
   the session), the same cold build and one-source rebuild with that code, on the same data.

Prints one JSON document (also written to ``--json``) and a Markdown line per measurement.
The machine is shared and noisy: compare the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

BIN = Path(sys.executable).parent
POLEVENTS = BIN / "polevents"
OXIGRAPH = BIN / "oxigraph"


@dataclass
class Run:
    """One timed child process."""

    cmd: list[str]
    seconds: float
    returncode: int
    max_rss_mb: float
    tree_pss_mb: float
    stderr_tail: str


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out.extend(int(x) for x in f.read().split())
    except OSError:
        pass
    return out


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree_pss_kb(root: int) -> int:
    total, todo, seen = 0, [root], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += _pss_kb(pid)
        todo.extend(_children(pid))
    return total


def run(cmd: list[str], *, check: bool = True, sample: bool = True) -> Run:
    """Run ``cmd``: wall time, largest process RSS, sampled peak PSS of the process tree."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        peak = [0]
        done = threading.Event()

        def sampling() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], _tree_pss_kb(proc.pid))
                done.wait(0.2)

        sampler = threading.Thread(target=sampling, daemon=True)
        if sample:
            sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        if sample:
            sampler.join()
        err.seek(0)
        tail = err.read().decode("utf-8", "replace")[-4000:]
    code = os.waitstatus_to_exitcode(status)
    result = Run([str(c) for c in cmd], seconds, code, usage.ru_maxrss / 1024, peak[0] / 1024, tail)
    if check and code != 0:
        raise RuntimeError(f"{' '.join(result.cmd)} exited {code}:\n{tail}")
    return result


def sums(dist: Path) -> dict[str, str]:
    """SHA-256 of every published file (hidden entries, such as an index, left out)."""
    out = {}
    for path in sorted(dist.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        with path.open("rb") as f:
            out[path.name] = hashlib.file_digest(f, "sha256").hexdigest()
    return out


def edit_one_source(project: Path) -> tuple[Path, bytes]:
    """Add one triple to the facts of the article in the middle of the corpus."""
    folders = sorted(p for p in (project / "data").iterdir() if (p / "facts.ttl").is_file())
    facts = folders[len(folders) // 2] / "facts.ttl"
    original = facts.read_bytes()
    match = re.search(rb"^(person:\S+) a pe:Person", original, re.M)
    if match is None:
        raise RuntimeError(f"{facts}: no person to edit")
    facts.write_bytes(original + match.group(1) + b' skos:altLabel "benchmark edit"@en .\n')
    return facts, original


def build_cmd(polevents: Path, project: Path, dist: Path, *extra: str) -> list[str]:
    return [str(polevents), "build", "--project", str(project), "--out", str(dist), *extra]


def measure_code(polevents: Path, corpus: Path, work: Path, say, check: bool) -> dict[str, object]:
    """Cold build, rebuilds, and the convert baseline, for one ``polevents`` executable."""
    project = work / "project"
    if project.exists():
        shutil.rmtree(project)
    shutil.copytree(corpus, project)
    dist = work / "dist"
    if dist.exists():
        shutil.rmtree(dist)
    say(f"cold build with {polevents}")
    cold = run(build_cmd(polevents, project, dist))
    say(f"  {cold.seconds:.1f}s, tree PSS {cold.tree_pss_mb:.0f} MB, largest RSS {cold.max_rss_mb:.0f} MB")
    converts = {}
    nt = dist / "polevents.nt"
    for ext in ("ttl", "jsonld", "nq"):
        target = work / f"convert.{ext}"
        converts[ext] = run([str(OXIGRAPH), "convert", "--from-file", str(nt), "--to-file", str(target)])
        target.unlink()
        say(f"  oxigraph convert nt -> {ext}: {converts[ext].seconds:.1f}s")
    baseline = sum(r.seconds for r in converts.values())
    say("rebuild, nothing changed")
    again = run(build_cmd(polevents, project, dist))
    say(f"  {again.seconds:.2f}s")
    facts, original = edit_one_source(project)
    say(f"rebuild after changing {facts.parent.name}")
    one = run(build_cmd(polevents, project, dist))
    say(f"  {one.seconds:.2f}s")
    identical = None
    if check:
        fresh = work / "dist-fresh"
        if fresh.exists():
            shutil.rmtree(fresh)
        shutil.rmtree(project / ".polevents-cache", ignore_errors=True)
        say("cold build of the changed project, to compare")
        run(build_cmd(polevents, project, fresh, "--no-cache"))
        a, b = sums(dist), sums(fresh)
        identical = a == b
        say(
            f"  rebuilt == cold build: {identical}"
            + ("" if identical else f" (differ: {sorted(k for k in a if a.get(k) != b.get(k))})")
        )
        shutil.rmtree(fresh)
    facts.write_bytes(original)
    n_quads = sum(1 for _ in (dist / "polevents.nq").open("rb"))
    return {
        "polevents": str(polevents),
        "quads": n_quads,
        "cold": asdict(cold),
        "converts": {k: asdict(v) for k, v in converts.items()},
        "baseline_s": baseline,
        "build_over_baseline": cold.seconds / baseline,
        "rebuild_nochange": asdict(again),
        "rebuild_one": asdict(one),
        "rebuild_one_over_cold": one.seconds / cold.seconds,
        "rebuild_identical": identical,
        "context_bytes": (dist / "context.jsonld").stat().st_size,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="a make_corpus.py output folder (not modified)")
    parser.add_argument("--workdir", type=Path, required=True, help="scratch folder (copies, builds)")
    parser.add_argument("--polevents", type=Path, default=POLEVENTS, help="the polevents executable to measure")
    parser.add_argument("--before", type=Path, default=None, help="another polevents executable, measured too")
    parser.add_argument("--check", action="store_true", help="compare the one-source rebuild with a cold build")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args(argv)
    info = json.loads((args.corpus / "corpus.json").read_text())
    label = args.corpus.name

    def say(message: str) -> None:
        print(f"scale [{label}]: {message}", file=sys.stderr, flush=True)

    result: dict[str, object] = {
        "corpus": str(args.corpus),
        "data_triples": info["data_triples"],
        "articles": info["articles"],
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    args.workdir.mkdir(parents=True, exist_ok=True)
    result["after"] = measure_code(args.polevents, args.corpus, args.workdir / "after", say, args.check)
    if args.before is not None:
        result["before"] = measure_code(args.before, args.corpus, args.workdir / "before", say, False)
    text = json.dumps(result, indent=1)
    if args.json is not None:
        args.json.write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
