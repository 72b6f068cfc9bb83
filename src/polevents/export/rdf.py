"""Writers of the RDF dumps: one per :class:`~polevents.formats.RdfFormat`, all from canonical lines.

The big dumps are written by Oxigraph in a stream (N-Quads and N-Triples are
the canonical lines themselves; Turtle and TriG are Oxigraph's serialisation of
those lines, in that order, with the published prefixes).  The small vocabulary
files (ontology, shapes, dataset description) are written by rdflib, whose Turtle
nests blank nodes and lists (``sh:property [ … ]``, ``( … )``), so they read as
they were written; rdflib sorts subjects, predicates and objects, and canonical
blank-node labels make its output deterministic.

Compressed copies are gzip files with no file name and mtime 0 in the header.
"""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..formats import RdfFormat
from .canonical import CanonicalDataset, CanonicalGraph, Tally
from .jsonld import write_graph_jsonld, write_jsonld

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph
    import rdflib

__all__ = [
    "CONVERSIONS",
    "DATASET_WRITERS",
    "GRAPH_WRITERS",
    "VARIANT_WRITERS",
    "DumpContext",
    "convert_file",
    "gzip_file",
    "rdflib_turtle",
    "to_rdflib_graph_exact",
]


@dataclass
class DumpContext:
    """What the dump writers share: the dataset, the prefixes, the dumps already written."""

    dataset: CanonicalDataset
    prefixes: dict[str, str]
    #: dumps written so far, by format: a later dump may be parsed from an earlier one
    written: dict[RdfFormat, Path] = field(default_factory=dict)
    #: per-graph counts, filled by the JSON-LD writer (it reads every line anyway)
    tallies: dict[str, Tally] = field(default_factory=dict)
    #: the dataset's base IRI: the compacted JSON-LD writes IRIs under it relative to it
    base: str | None = None


#: Writes one dump of the whole dataset (named graphs kept or merged, as the format allows).
DatasetWriter = Callable[[DumpContext, Path], None]
#: Writes one graph's triples (no graph name).
GraphWriter = Callable[["CanonicalGraph", dict[str, str], Path], None]


def _write_nquads(ctx: DumpContext, path: Path) -> None:
    with path.open("wb") as out:
        for block in ctx.dataset.nquads():
            out.write(block)


def _write_ntriples(ctx: DumpContext, path: Path) -> None:
    path.write_bytes(ctx.dataset.ntriples())


def convert_file(
    source: Path, source_format: RdfFormat, target: Path, target_format: RdfFormat, prefixes: dict[str, str]
) -> None:
    """Let Oxigraph re-serialise a dump file in another format, statement order kept.

    A top-level function of plain arguments, so it can run in a worker process.
    """
    import pyoxigraph as ox

    statements = ox.parse(path=str(source), format=source_format.oxigraph)
    # quads of the default graph are accepted by the Turtle serializer: no per-triple conversion
    ox.serialize(statements, str(target), format=target_format.oxigraph, prefixes=prefixes)


#: Dumps written as Oxigraph's conversion of an earlier dump: target format -> source format.
CONVERSIONS: dict[RdfFormat, RdfFormat] = {
    RdfFormat.TRIG: RdfFormat.NQUADS,
    RdfFormat.TURTLE: RdfFormat.NTRIPLES,
}


def _write_trig(ctx: DumpContext, path: Path) -> None:
    import pyoxigraph as ox

    source = ctx.written.get(RdfFormat.NQUADS)
    if source is not None:
        convert_file(source, RdfFormat.NQUADS, path, RdfFormat.TRIG, ctx.prefixes)
        return
    quads = ox.parse(b"".join(ctx.dataset.nquads()), format=ox.RdfFormat.N_QUADS)
    ox.serialize(quads, str(path), format=ox.RdfFormat.TRIG, prefixes=ctx.prefixes)


def _write_turtle(ctx: DumpContext, path: Path) -> None:
    import pyoxigraph as ox

    source = ctx.written.get(RdfFormat.NTRIPLES)
    if source is not None:
        convert_file(source, RdfFormat.NTRIPLES, path, RdfFormat.TURTLE, ctx.prefixes)
        return
    quads = ox.parse(ctx.dataset.ntriples(), format=ox.RdfFormat.N_TRIPLES)
    ox.serialize(quads, str(path), format=ox.RdfFormat.TURTLE, prefixes=ctx.prefixes)


def _write_jsonld(ctx: DumpContext, path: Path) -> None:
    write_jsonld(ctx.dataset, ctx.prefixes, path, ctx.tallies)


def _write_compact_jsonld(ctx: DumpContext, path: Path) -> None:
    from ..vocab import ONTOLOGY_IRI
    from .context import term_context
    from .context_lines import write_compact_jsonld

    ontology = ctx.dataset.graph(ONTOLOGY_IRI)
    write_compact_jsonld(ctx.dataset, term_context(ontology.triples() if ontology else []), path, ctx.base)


#: Writers of a second dump in a format (``Dump.variant`` -> writer).
VARIANT_WRITERS: dict[str, DatasetWriter] = {"compact": _write_compact_jsonld}

#: How each dump format is written (the named graphs of quad formats are kept).
DATASET_WRITERS: dict[RdfFormat, DatasetWriter] = {
    RdfFormat.NQUADS: _write_nquads,
    RdfFormat.TRIG: _write_trig,
    RdfFormat.NTRIPLES: _write_ntriples,
    RdfFormat.TURTLE: _write_turtle,
    RdfFormat.JSONLD: _write_jsonld,
}


def to_rdflib_graph_exact(triples: Iterable[pyoxigraph.Triple], prefixes: dict[str, str]) -> rdflib.Graph:
    """An rdflib graph of ``triples`` that keeps every literal's lexical form and blank-node label."""
    import rdflib

    from ..load import to_rdflib_graph

    graph = rdflib.Graph(bind_namespaces="none")
    for name, ns in prefixes.items():
        graph.bind(name, ns, override=True, replace=True)
    return to_rdflib_graph(triples, graph, exact=True)


def rdflib_turtle(triples: Iterable[pyoxigraph.Triple], prefixes: dict[str, str]) -> bytes:
    """Readable, deterministic Turtle for a small graph (only the prefixes it uses are declared)."""
    graph = to_rdflib_graph_exact(triples, prefixes)
    return graph.serialize(format="turtle", encoding="utf-8")


def _graph_turtle(graph: CanonicalGraph, prefixes: dict[str, str], path: Path) -> None:
    path.write_bytes(rdflib_turtle(graph.triples(), prefixes))


#: How a single graph (ontology, shapes) is written.
GRAPH_WRITERS: dict[RdfFormat, GraphWriter] = {
    RdfFormat.TURTLE: _graph_turtle,
    RdfFormat.JSONLD: write_graph_jsonld,
}


def gzip_file(source: Path, target: Path, *, level: int = 6) -> None:
    """Compress ``source`` into ``target`` deterministically (no name, mtime 0)."""
    with source.open("rb") as raw, target.open("wb") as out:
        with gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=level, mtime=0) as gz:
            shutil.copyfileobj(raw, gz, length=1 << 20)
