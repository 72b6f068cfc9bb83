"""Validation time before and after issue #11, on the same corpus, in one interleaved run.

Usage::

    .venv/bin/python benchmarks/validation.py --project /work/corpora/corpus-1M \\
        --before /work/baseline/.venv/bin/python --after .venv/bin/python [--repeats 3] [--validate]

For each Python (each has its own polevents installed: the baseline's code and this one), in a fresh
child process each time, runs are interleaved (before, after, before, after, ...) so that the load of
a shared machine falls on both alike:

* **build's validation step**: ``polevents.verdict.decide`` (the baseline: ``polevents.build._validate``)
  with the default validator ("auto": the SPARQL screen, pyshacl only when it flags anything), no build
  cache, from the files (parse into an Oxigraph store included), as the build's background validation
  runs it;
* with ``--validate``, **``polevents validate``** (pyshacl's full report; after #11 also the term checks,
  and the evidence checks of ``validate/evidence.py`` when the source texts are at hand): once each.

Prints a Markdown table: median seconds before and after, and the ratio after / before.  The machine's
load average is printed beside each run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

_STEP = """
import sys, time
from pathlib import Path
started = time.perf_counter()
try:
    from polevents.verdict import decide  # the build's verdict since the on-disk validation store
    from polevents.load import Layout
    decide(Layout.of(Path(sys.argv[1])), lambda _m: None, validator="auto", use_cache=False)
except ImportError:  # the baseline: build._validate
    from polevents.build import _Inputs, _validate
    _validate(_Inputs.of_files(Path(sys.argv[1])), lambda _m: None, "auto", False)
print(time.perf_counter() - started)
"""


def _step(python: str, project: Path) -> float:
    out = subprocess.run([python, "-c", _STEP, str(project)], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{python}: the validation step failed:\n{out.stderr}")
    return float(out.stdout.strip().splitlines()[-1])


def _validate(python: str, project: Path) -> tuple[float, int]:
    started = time.perf_counter()
    cli = [python, "-m", "polevents", "validate", "--project", str(project), "--format", "json"]
    out = subprocess.run(cli, capture_output=True, check=False)
    return time.perf_counter() - started, out.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--before", required=True, help="python of the baseline's environment")
    parser.add_argument("--after", required=True, help="python of this code's environment")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--validate", action="store_true", help="also time `polevents validate` once each")
    args = parser.parse_args()
    runs: dict[str, list[float]] = {"before": [], "after": []}
    for i in range(args.repeats):
        for label, python in (("before", args.before), ("after", args.after)):
            seconds = _step(python, args.project)
            runs[label].append(seconds)
            print(
                f"run {i + 1} {label}: validation step {seconds:.2f} s (load {os.getloadavg()[0]:.1f})", file=sys.stderr
            )
    step = {k: statistics.median(v) for k, v in runs.items()}
    print("| measure | before s | after s | after / before |")
    print("|---|---:|---:|---:|")
    print(
        f"| build's validation step (screen), median of {args.repeats} | {step['before']:.2f} | {step['after']:.2f} "
        f"| {step['after'] / step['before']:.2f}x |"
    )
    if args.validate:
        full = {}
        for label, python in (("before", args.before), ("after", args.after)):
            seconds, code = _validate(python, args.project)
            full[label] = seconds
            print(
                f"{label}: polevents validate {seconds:.2f} s, exit {code} (load {os.getloadavg()[0]:.1f})",
                file=sys.stderr,
            )
        print(
            f"| `polevents validate` (pyshacl report), one run | {full['before']:.2f} | {full['after']:.2f} "
            f"| {full['after'] / full['before']:.2f}x |"
        )
        print(
            f"| validation step ÷ `polevents validate` | {step['before'] / full['before']:.2f}x "
            f"| {step['after'] / full['after']:.2f}x | |"
        )


if __name__ == "__main__":
    main()
