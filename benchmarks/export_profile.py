#!/usr/bin/env python3
"""Time (and optionally profile) the export of a project alone, cold: no chunk cache.

For a project whose files are on disk (a copy of a corpus; nothing needs to be built)::

    .venv/bin/python benchmarks/export_profile.py --project /tmp/exp/c1 [--profile out.prof] [--repeat 2]

in this process, with a fresh, empty chunk cache in a temporary folder:

1. the graphs in canonical form (:func:`polevents.export.release.make_chunks`): wall and CPU time;
2. every published file (:func:`polevents.export.write_release`): wall time, CPU of this process
   and CPU of its children (the union writer and any other child), and, with ``--profile``, a
   cProfile of this process's part (the top functions by cumulative time are printed; children are
   not profiled);
3. with ``--warm``, the repeats reuse the first run's chunk cache (what a rebuild with nothing
   changed in the export would do; nothing is made again);
4. with ``--blocks``, each writer of a per-graph block timed alone over every chunk (N-Quads gzip,
   TriG, JSON-LD, compact JSON-LD).

Validation is not run (it is a separate process in a build).  The load average is printed
before and after: the machine is shared, compare CPU seconds rather than wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path


def _cpu() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--profile", type=Path, help="write a cProfile of write_release here")
    parser.add_argument("--blocks", action="store_true", help="time each per-graph block writer alone")
    parser.add_argument("--repeat", type=int, default=1, help="write the release this many times (cold each)")
    parser.add_argument("--warm", action="store_true", help="repeats reuse the first run's chunk cache (a rebuild)")
    parser.add_argument("--keep", type=Path, help="copy the first release's files here (to compare bytes)")
    args = parser.parse_args()

    from polevents.build import _graph_inputs
    from polevents.export import write_release
    from polevents.export.chunks import ChunkCache
    from polevents.export.release import make_chunks
    from polevents.load import Layout
    from polevents.vocab import ONTOLOGY_IRI

    report: dict[str, object] = {"load_before": os.getloadavg()[0]}
    layout = Layout.of(args.project)
    config = layout.config
    digests = layout.hash_files()
    shapes = [t for f in layout.shape_files for t in layout.parse_verified(f, digests[f])]
    titles = {ONTOLOGY_IRI: "The ontology"}
    titles.update({iri: f"Facts from source {layout.folder_name(files)}" for iri, files in layout.sources})
    runs = []
    with tempfile.TemporaryDirectory(prefix="export-profile-") as tmp:
        for i in range(args.repeat):
            root = Path(tmp) / str(i)
            cache = ChunkCache((Path(tmp) / "0" if args.warm else root) / "chunks")
            t0, (c0, k0) = time.perf_counter(), _cpu()
            chunks = make_chunks(_graph_inputs(layout, digests, None), cache, config.base)
            t1, (c1, k1) = time.perf_counter(), _cpu()
            out = root / "out"
            work = root / "work"
            work.mkdir(parents=True)
            profiler = None
            if args.profile is not None and i == 0:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            write_release(config, chunks, cache, shapes, out, titles=titles, ontology_iri=ONTOLOGY_IRI, work=work)
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(str(args.profile))
            t2, (c2, k2) = time.perf_counter(), _cpu()
            run = {
                "chunks_wall": round(t1 - t0, 2),
                "chunks_cpu": round(c1 - c0 + k1 - k0, 2),
                "release_wall": round(t2 - t1, 2),
                "release_cpu_self": round(c2 - c1, 2),
                "release_cpu_children": round(k2 - k1, 2),
                "load": os.getloadavg()[0],
            }
            runs.append(run)
            print(json.dumps(run), file=sys.stderr)
            if args.keep is not None and i == 0:
                import shutil

                shutil.copytree(out, args.keep, dirs_exist_ok=True)
            if args.blocks and i == 0:
                report["blocks"] = _blocks(chunks, cache, out, work, config.base)
                print(json.dumps(report["blocks"]), file=sys.stderr)
    report["runs"] = runs
    report["load_after"] = os.getloadavg()[0]
    print(json.dumps(report, indent=2))
    if args.profile is not None:
        import pstats

        pstats.Stats(str(args.profile), stream=sys.stderr).sort_stats("cumulative").print_stats(40)
    return 0


def _blocks(chunks: list[object], cache: object, out: Path, work: Path, base: str) -> dict[str, float]:
    """CPU seconds of each per-graph block writer over every chunk (nothing written)."""
    from polevents.export import DUMPS
    from polevents.export.assemble import DumpPlan, _nquads_block
    from polevents.export.canonical import CanonicalGraph
    from polevents.export.chunks import ChunkCache, GraphChunk
    from polevents.export.context import term_context
    from polevents.export.prefixes import dataset_prefixes
    from polevents.export.union import gzip_member
    from polevents.vocab import ONTOLOGY_IRI

    assert isinstance(cache, ChunkCache)
    graphs = [c for c in chunks if isinstance(c, GraphChunk)]
    prefixes = dataset_prefixes(base, sorted({ns for c in graphs for ns in c.meta.namespaces}))
    ontology = next(c for c in graphs if c.iri == ONTOLOGY_IRI)
    terms = term_context(CanonicalGraph(ONTOLOGY_IRI, ontology.lines()).triples())
    plan = DumpPlan(graphs, cache, prefixes, out, work, term_context=terms, base=base)
    assert any(d.variant == "compact" for d in DUMPS)
    timings: dict[str, float] = {}
    for name, make in (
        ("read lines", lambda c: c.lines()),
        ("nquads block", _nquads_block),
        ("nquads gzip member", lambda c: gzip_member(_nquads_block(c))),
        ("trig", plan.trig_block),
        ("jsonld", plan.jsonld_block),
        ("compact jsonld", plan.compact_block),
    ):
        start = time.process_time()
        for chunk in graphs:
            make(chunk)
        timings[name] = round(time.process_time() - start, 2)
    return timings


if __name__ == "__main__":
    sys.exit(main())
