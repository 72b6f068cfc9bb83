"""The dataset's named graphs as chunks, the input of a release.

:func:`make_chunks` turns the dataset's named graphs into chunks (reusing those a
previous build made from the same inputs); :func:`polevents.export.write_release`
writes the dumps, the context, the ontology and shapes files, the dataset
description and ``SHA256SUMS`` from them.  :func:`polevents.export.write_dist` (a project in memory)
and :func:`polevents.build.build` (files on disk, a persistent chunk cache) both
end here, so the bytes published do not depend on the path taken.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import InputError
from .chunks import ChunkCache, GraphChunk

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph


__all__ = ["GraphInput", "make_chunks"]


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
