"""The screen's SHACL-SPARQL queries as written against as made safe, on one store, in one process.

Usage::

    .venv/bin/python benchmarks/screen_sparql.py --project /work/corpora/corpus-1M [--repeats 3]

``polevents.validate.sparql_safety.make_safe`` rewrites the FILTERs of a blocking SPARQL constraint
or target so that Oxigraph keeps every row rdflib keeps.  This loads the project's data once into
an in-memory Oxigraph store (as the build's validation does), compiles the shapes twice — with the
rewrite (now) and with the ``sh:select`` texts run as written (before) — and, interleaved (before,
after, before, ...), times:

* every query whose text the rewrite changed, alone (median of the repeats), with the number of
  focus nodes each flags (the rewrite may only add some);
* the whole screen (:func:`polevents.validate.screen.screen`) with each compilation.

Prints one line per measure and the machine's load average at the start and the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    import polevents.validate.screen as screen_module
    from polevents.load import Layout
    from polevents.validate.literals import ill_typed
    from polevents.validate.classes import Closures
    from polevents.validate.screen import _queries, _run, compile_shapes, screen
    from polevents.verdict import _shapes, load_store

    print(f"load average at the start: {os.getloadavg()[0]:.1f}")
    layout = Layout.of(args.project)
    started = time.perf_counter()
    view = load_store(layout, None)
    store = view.store
    print(f"{view.quads} quads loaded in {time.perf_counter() - started:.1f} s")
    shapes = _shapes(layout, None)
    after = compile_shapes(shapes)
    rewrite = screen_module.make_safe
    screen_module.make_safe = lambda text, _prefixes: text  # type: ignore[assignment]
    try:
        before = compile_shapes(shapes)
    finally:
        screen_module.make_safe = rewrite  # type: ignore[assignment]
    bad = ill_typed(store, after.datatypes, after.datatype_paths)
    classes = Closures(store)  # the class tests as the screen runs them
    total_before = total_after = 0.0
    for (q0, c0, w0), (q1, c1, w1) in zip(_queries(before, bad), _queries(after, bad), strict=True):
        text0, text1 = classes.render(q0("")), classes.render(q1(""))
        if text0 == text1:
            continue
        t0: list[float] = []
        t1: list[float] = []
        for _ in range(args.repeats):
            s = time.perf_counter()
            found0 = _run(store, text0, c0, w0)
            t0.append(time.perf_counter() - s)
            s = time.perf_counter()
            found1 = _run(store, text1, c1, w1)
            t1.append(time.perf_counter() - s)
        m0, m1 = statistics.median(t0), statistics.median(t1)
        total_before, total_after = total_before + m0, total_after + m1
        rule = c0[0][0].rsplit("#", 1)[-1]
        print(
            f"{rule:28} before {m0:7.3f} s  after {m1:7.3f} s  focus nodes flagged before {len(found0)} "
            f"after {len(found1)} (includes: {found1 >= found0})"
        )
    print(f"changed queries together: before {total_before:.2f} s, after {total_after:.2f} s")
    for _ in range(args.repeats):
        for name, compiled in (("before", before), ("after", after)):
            s = time.perf_counter()
            report = screen(store, compiled)
            print(
                f"whole screen {name}: {time.perf_counter() - s:.2f} s, {report.queries} queries, "
                f"{report.violations} violation(s)"
            )
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
