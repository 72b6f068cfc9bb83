#!/usr/bin/env python3
"""Cold start of ``polevents query 'ASK {}' --dist X`` against ``python -c "import rdflib"``.

Both run as fresh processes, alternately, several times; the medians are
compared.  ``python -c pass`` is printed too, so the interpreter's own start-up
can be told apart from what each command imports::

    .venv/bin/python benchmarks/startup.py            # 15 runs each
    .venv/bin/python benchmarks/startup.py --runs 31 --json

The command is run through the installed ``polevents`` script next to the
interpreter when there is one (what a user types), else through
``python -c "from polevents.cli import main; main()"``.  The dataset is a tiny
``polevents.nq`` written to a temporary folder, so the figure is start-up, not
loading.  It also lists the heavy modules ``query 'ASK {}'`` imported (there
should be none).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEAVY = ("pyshacl", "starlette", "uvicorn", "jinja2", "httpx", "rdflib", "pyld", "multiprocessing")
TINY_DUMP = '<https://example.org/s> <https://example.org/p> "o" <https://example.org/g> .\n'


def polevents_command() -> list[str]:
    """How a user starts polevents with this interpreter."""
    script = Path(sys.executable).parent / "polevents"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from polevents.cli import main; import sys; sys.exit(main())"]


def wall_time(argv: list[str]) -> float:
    """Seconds from spawn to exit of one run; fails loudly if the command fails."""
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{argv} failed ({done.returncode}): {done.stderr.decode(errors='replace')}")
    return elapsed


def heavy_imports(dist: Path) -> list[str]:
    """The heavy modules loaded by ``query 'ASK {}'`` in one process."""
    code = (
        "import sys\n"
        "from polevents.cli import main\n"
        f"main(['query', 'ASK {{}}', '--dist', {str(dist)!r}])\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return [m for m in out.splitlines()[-1].split(",") if m]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (default 15)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        dist = Path(tmp)
        (dist / "polevents.nq").write_text(TINY_DUMP, encoding="utf-8")
        commands = {
            "polevents query 'ASK {}'": [*polevents_command(), "query", "ASK {}", "--dist", str(dist)],
            "python -c 'import rdflib'": [sys.executable, "-c", "import rdflib"],
            "python -c pass": [sys.executable, "-c", "pass"],
        }
        for argv in commands.values():  # warm the OS caches: we measure start-up, not disk
            wall_time(argv)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, argv in commands.items():
                times[name].append(wall_time(argv))
        imported = heavy_imports(dist)

    medians = {name: statistics.median(values) for name, values in times.items()}
    ratio = medians["polevents query 'ASK {}'"] / medians["python -c 'import rdflib'"]
    # the fastest runs: what the commands cost when nothing else competes for the CPU
    best_ratio = min(times["polevents query 'ASK {}'"]) / min(times["python -c 'import rdflib'"])
    if args.json:
        print(
            json.dumps(
                {
                    "runs": args.runs,
                    "median_s": medians,
                    "ratio_to_import_rdflib": ratio,
                    "ratio_of_fastest_runs": best_ratio,
                    "heavy_modules_imported": imported,
                },
                indent=2,
            )
        )
        return
    print(f"cold start, median of {args.runs} runs ({sys.executable}):")
    for name, value in medians.items():
        spread = f"{min(times[name]) * 1000:.0f}-{max(times[name]) * 1000:.0f} ms"
        print(f"  {name:28} {value * 1000:7.1f} ms   (range {spread})")
    print(f"ratio polevents query 'ASK {{}}' / import rdflib: {ratio:.2f} (medians), {best_ratio:.2f} (fastest runs)")
    print(f"heavy modules imported by query 'ASK {{}}': {', '.join(imported) or 'none'}")


if __name__ == "__main__":
    main()
