"""The dataset in canonical form: sorted, duplicate-free N-Triples lines per named graph.

Every published dump is written from this one form, which is what makes two
builds of the same sources byte-identical:

* blank nodes get RDFC-1.0 canonical labels (``_:c14n0``…), computed once over
  every quad that mentions a blank node, across all graphs, so a label never
  names two different nodes in one dataset file (the data itself has no blank
  nodes; the ontology and shapes may);
* each graph's triples are serialised as canonical N-Triples by Oxigraph, and
  the lines are sorted (byte order = code-point order) and de-duplicated;
* graphs are ordered by IRI.

Only the lines are kept, as bytes and without their ``" .\n"`` terminator
(``<s> <p> <o>``), so that a dump is a single ``join``; writers parse them back
in a stream when they need terms, which costs less than holding a million Python
term objects.  Canonical N-Triples escapes every control character, so
``" .\n"`` occurs only at the end of a line.  Sorting the lines without the
terminator gives the same order as sorting full lines: when one line is a prefix
of another, the longer one continues its object with ``@``, ``^`` or a label
character, all above the space that starts the terminator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from typing import TYPE_CHECKING

from ..errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

    from ..load import Project

__all__ = ["CanonicalDataset", "CanonicalGraph", "Tally", "canonical_lines"]

_GRAPH_AT_END = re.compile(rb" (<[^>]*>) \.$")
RDF_TYPE = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


@dataclass
class Tally:
    """What one graph holds, counted from its lines (terms in their N-Triples form)."""

    #: subject -> number of triples about it
    sizes: dict[bytes, int] = field(default_factory=dict)
    objects: set[bytes] = field(default_factory=set)
    predicates: set[bytes] = field(default_factory=set)
    #: class -> subjects typed with it
    instances: dict[bytes, list[bytes]] = field(default_factory=dict)

    @classmethod
    def of(cls, lines: Iterable[bytes]) -> Tally:
        """Count ``lines`` (sorted canonical N-Triples lines of one graph)."""
        tally = cls()
        sizes, objects, predicates, instances = tally.sizes, tally.objects, tally.predicates, tally.instances
        for line in lines:
            s, p, o = line.split(b" ", 2)
            sizes[s] = sizes.get(s, 0) + 1
            objects.add(o)
            predicates.add(p)
            if p == RDF_TYPE:
                instances.setdefault(o, []).append(s)
        return tally


@dataclass(frozen=True)
class CanonicalGraph:
    """One named graph: its IRI and its sorted N-Triples lines (``<s> <p> <o>``, no terminator)."""

    iri: str
    lines: list[bytes]

    @cached_property
    def ntriples(self) -> bytes:
        """The graph as canonical, sorted N-Triples."""
        return _join(self.lines, b" .\n")

    def nquads(self) -> bytes:
        """The graph as sorted N-Quads (each line with this graph's name)."""
        return _join(self.lines, f" <{self.iri}> .\n".encode())

    def triples(self) -> Iterator[pyoxigraph.Triple]:
        """The triples, in line order, parsed on the fly."""
        import pyoxigraph as ox

        for quad in ox.parse(self.ntriples, format=ox.RdfFormat.N_TRIPLES):
            yield quad.triple

    @cached_property
    def tally(self) -> Tally:
        """Counts of the graph (computed once)."""
        return Tally.of(self.lines)


@dataclass(frozen=True)
class CanonicalDataset:
    """Named graphs in canonical form, ordered by IRI; the input of every writer."""

    graphs: list[CanonicalGraph]

    @classmethod
    def from_graphs(cls, graphs: Iterable[tuple[str, Sequence[pyoxigraph.Triple]]]) -> CanonicalDataset:
        """Canonicalise ``(graph IRI, triples)`` pairs; triples of the same IRI are merged."""
        by_iri: dict[str, list[Sequence[pyoxigraph.Triple]]] = {}
        for iri, triples in graphs:
            by_iri.setdefault(iri, []).append(triples)
        ordered = sorted(by_iri.items())
        merged = [(iri, parts[0] if len(parts) == 1 else [t for part in parts for t in part]) for iri, parts in ordered]
        lines = canonical_lines(merged)
        return cls([CanonicalGraph(iri, lines[iri]) for iri, _ in ordered])

    @classmethod
    def from_quads(cls, quads: Iterable[pyoxigraph.Quad]) -> CanonicalDataset:
        """Canonicalise quads; quads in the default graph are refused (every dump names its graph)."""
        import pyoxigraph as ox

        by_iri: dict[str, list[pyoxigraph.Triple]] = {}
        for q in quads:
            if not isinstance(q.graph_name, ox.NamedNode):
                raise InputError(f"quad outside a named graph cannot be published: {q}")
            by_iri.setdefault(q.graph_name.value, []).append(q.triple)
        return cls.from_graphs(by_iri.items())

    @classmethod
    def from_project(cls, project: Project) -> CanonicalDataset:
        """The published dataset of a project: the ontology graph and one graph per source."""
        pairs: list[tuple[str, Sequence[pyoxigraph.Triple]]] = [(project.ontology_graph_iri, project.ontology)]
        pairs.extend((src.iri, src.triples) for src in project.sources)
        return cls.from_graphs(pairs)

    def graph(self, iri: str) -> CanonicalGraph | None:
        """The graph named ``iri``, if present."""
        for g in self.graphs:
            if g.iri == iri:
                return g
        return None

    @cached_property
    def union_lines(self) -> list[bytes]:
        """Sorted, distinct N-Triples lines of the union of all graphs (the default-graph view)."""
        if len(self.graphs) == 1:
            return self.graphs[0].lines
        # timsort merges the sorted runs quickly; dict.fromkeys drops the duplicates in order
        return list(dict.fromkeys(sorted(chain.from_iterable(g.lines for g in self.graphs))))

    @property
    def quad_count(self) -> int:
        """Number of quads (lines of the N-Quads dump)."""
        return sum(len(g.lines) for g in self.graphs)

    def nquads(self) -> Iterator[bytes]:
        """The N-Quads dump in blocks, one per graph (graph order, then line order)."""
        for g in self.graphs:
            yield g.nquads()

    def ntriples(self) -> bytes:
        """The N-Triples dump: the union, sorted, each triple once."""
        return _join(self.union_lines, b" .\n")


def _join(lines: list[bytes], end: bytes) -> bytes:
    return end.join(lines) + end if lines else b""


def canonical_lines(
    graphs: Sequence[tuple[str, Sequence[pyoxigraph.Triple]]],
) -> dict[str, list[bytes]]:
    """Sorted, distinct canonical N-Triples lines (without newline) for each graph IRI.

    Graph IRIs must be distinct.  Blank nodes are relabelled with RDFC-1.0 over all
    quads that mention one, in all graphs together; RDFC labels depend only on
    those quads, so ground triples need not take part.
    """
    import pyoxigraph as ox

    result: dict[str, list[bytes]] = {}
    bnode_quads: list[pyoxigraph.Quad] = []
    blank = ox.BlankNode

    def ntriples(triples: Iterable[pyoxigraph.Triple]) -> bytes:
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""

    for iri, triples in graphs:
        block = ntriples(triples)
        if b"_:" in block:  # cheap test first: literals may contain "_:" too
            ground = []
            g = ox.NamedNode(iri)
            for t in triples:
                if isinstance(t.subject, blank) or isinstance(t.object, blank):
                    bnode_quads.append(ox.Quad(t.subject, t.predicate, t.object, g))
                else:
                    ground.append(t)
            block = ntriples(ground)
        result[iri] = block.split(b" .\n")
    if bnode_quads:
        dataset = ox.Dataset(bnode_quads)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        nquads = ox.serialize(dataset, format=ox.RdfFormat.N_QUADS) or b""
        for line in nquads.split(b"\n"):
            match = _GRAPH_AT_END.search(line)
            if match is not None:
                result[match.group(1)[1:-1].decode()].append(line[: match.start()])
    for iri, lines in result.items():
        unique = set(lines)
        unique.discard(b"")
        result[iri] = sorted(unique)
    return result
