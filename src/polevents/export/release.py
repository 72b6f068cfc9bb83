"""Write a release — every published file — from per-graph chunks, in a stream.

:func:`make_chunks` turns the dataset's named graphs into chunks (reusing those a
previous build made from the same inputs), :func:`write_release` writes the dumps,
the context, the ontology and shapes files, the dataset description and
``SHA256SUMS`` from them.  :func:`polevents.export.write_dist` (a project in memory)
and :func:`polevents.build.build` (files on disk, a persistent chunk cache) both
end here, so the bytes published do not depend on the path taken.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from .chunks import ChunkCache, GraphChunk

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

    from ..config import ProjectConfig

__all__ = ["GraphInput", "make_chunks", "write_release"]


@dataclass(frozen=True)
class GraphInput:
    """One named graph to publish: its IRI, the key of its inputs, and how to read its triples."""

    iri: str
    key: str
    triples: Callable[[], Sequence[pyoxigraph.Triple]]


def make_chunks(
    graphs: Sequence[GraphInput], cache: ChunkCache, base: str, say: Callable[[str], None] | None = None
) -> list[GraphChunk]:
    """The chunk of each graph, ordered by graph IRI (graph IRIs must be distinct).

    Chunks found in ``cache`` are reused; the others are made from the graph's triples.
    """
    import time

    ordered = sorted(graphs, key=lambda g: g.iri)
    if len({g.iri for g in ordered}) != len(ordered):
        raise InputError("two inputs publish the same named graph")
    chunks: list[GraphChunk] = []
    made = 0
    last = time.perf_counter()
    for i, graph in enumerate(ordered):
        chunk = cache.get(graph.key)
        if chunk is None:
            chunk = cache.make(graph.key, graph.iri, graph.triples(), base)
            made += 1
        chunks.append(chunk)
        if say is not None and time.perf_counter() - last > 5:
            say(f"export: {i + 1} of {len(ordered)} graph(s) in canonical form")
            last = time.perf_counter()
    with_bnodes = [c for c in chunks if c.meta.bnodes]
    if len(with_bnodes) > 1:
        by_iri = {g.iri: g for g in ordered}
        joint = cache.joint(with_bnodes, lambda c: by_iri[c.iri].triples(), base)
        replaced = {c.iri: c for c in joint}
        chunks = [replaced.get(c.iri, c) for c in chunks]
    if say is not None:
        say(f"export: {len(chunks)} graph(s), {made} made, {len(chunks) - made} unchanged since an earlier build")
    return chunks


def write_release(
    config: ProjectConfig,
    chunks: list[GraphChunk],
    cache: ChunkCache,
    shapes: Sequence[pyoxigraph.Triple],
    out_dir: Path,
    *,
    titles: dict[str, str],
    ontology_iri: str,
    work: Path,
    download_base: str | None = None,
    sparql_endpoint: str | None = None,
) -> list[Path]:
    """Write every published file into ``out_dir`` (new or empty); the paths, ``SHA256SUMS`` last.

    :param titles: the title of each graph in the description.
    :param work: a folder for temporary files (external merges).
    """
    from . import (
        DUMPS,
        ONTOLOGY_HTML,
        ONTOLOGY_STEM,
        SHAPES_GRAPH_KEY,
        SHAPES_STEM,
        VOCABULARY_FORMATS,
        VOID_FILE,
        _write_context,
        _write_graph_files,
        _write_term_context,
    )
    from .assemble import DumpPlan, assemble_dumps, chunk_stats
    from .canonical import CanonicalDataset, CanonicalGraph
    from .context import term_context
    from .ontodoc import render_ontology_html
    from .prefixes import dataset_prefixes
    from .void import FileRole, PublishedFile, describe, description_prefixes, void_turtle

    out_dir.mkdir(parents=True, exist_ok=True)
    if any(out_dir.iterdir()):
        raise InputError(f"{out_dir}: the output folder of a release must be empty")
    base = config.base
    prefixes = dataset_prefixes(base, sorted({ns for c in chunks for ns in c.meta.namespaces}))
    ontology_chunk = next((c for c in chunks if c.iri == ontology_iri), None)
    ontology = CanonicalGraph(ontology_iri, ontology_chunk.lines() if ontology_chunk is not None else [])
    terms = term_context(ontology.triples()) if any(d.variant == "compact" for d in DUMPS) else None
    plan = DumpPlan(chunks, cache, prefixes, out_dir, work, term_context=terms)
    files = assemble_dumps(plan, DUMPS)
    files.append(_write_context(out_dir, prefixes))
    files.append(_write_term_context(out_dir, CanonicalDataset([ontology]), ontology_iri))
    files += _write_graph_files(ontology, ONTOLOGY_STEM, "The ontology", FileRole.ONTOLOGY, out_dir, prefixes)
    html = out_dir / ONTOLOGY_HTML
    downloads = [f"{ONTOLOGY_STEM}.{fmt.extension}" for fmt in VOCABULARY_FORMATS]
    html.write_text(render_ontology_html(ontology.triples(), prefixes, downloads), encoding="utf-8", newline="\n")
    files.append(
        PublishedFile.measure(
            html, title="The ontology, documentation page", role=FileRole.DOCUMENTATION, media_type="text/html"
        )
    )
    shapes_graph = CanonicalDataset.from_graphs([(SHAPES_GRAPH_KEY, shapes)]).graphs[0]
    files += _write_graph_files(shapes_graph, SHAPES_STEM, "The SHACL shapes", FileRole.SHAPES, out_dir, prefixes)

    union_triples = _count_lines(out_dir / next(d.name for d in DUMPS if d.fmt.name == "NTRIPLES"))
    stats = chunk_stats(plan, base, sorted(set(prefixes.values())), union_triples)
    ontologies = sorted(
        s[1:-1].decode()
        for s in shapes_graph.tally.instances.get(b"<http://www.w3.org/2002/07/owl#Ontology>", [])
        if s.startswith(b"<")
    )
    triples = describe(
        config,
        stats,
        files,
        download_base=download_base,
        sparql_endpoint=sparql_endpoint,
        title_of_graph=titles,
        conforms_to=ontologies,
    )
    void = out_dir / VOID_FILE
    void.write_bytes(void_turtle(triples, {**prefixes, **description_prefixes(config, download_base)}))
    sums = {f.name: f.sha256 for f in files}
    sums[void.name] = hashlib.sha256(void.read_bytes()).hexdigest()
    from . import SHA256SUMS

    target = out_dir / SHA256SUMS
    target.write_text("".join(f"{sums[n]}  {n}\n" for n in sorted(sums)), encoding="utf-8", newline="\n")
    return [*(out_dir / f.name for f in files), void, target]


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            count += block.count(b"\n")
    return count
