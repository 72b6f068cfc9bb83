"""Per-graph chunks: each named graph of the dataset in canonical form, on disk, content-addressed.

A build cuts the dataset into its named graphs (the ontology graph, one graph per
source) and makes one :class:`GraphChunk` of each, from that graph's triples alone:

* ``KEY.nt``       the graph's canonical, sorted, distinct N-Triples lines
  (:func:`polevents.export.canonical.canonical_lines`);
* ``KEY.subjects`` one ``<subject> COUNT`` line per subject, sorted;
* ``KEY.objects``  the graph's distinct objects, sorted;
* ``KEY.json``     what the dataset description needs of the graph (:class:`ChunkMeta`);
* ``KEY-P.trig`` and ``KEY-P.jsonld``: the graph's block of the TriG and JSON-LD dumps
  for the prefixes with digest ``P`` (made on first use).

``KEY`` is the SHA-256 of everything the chunk is made of (:func:`graph_key`: the graph
IRI, the base IRI, the path and SHA-256 of each file, polevents' own code, the versions of
pyoxigraph and rdflib), so a chunk
made by an earlier build is reused as long as its inputs are unchanged: after one
source changes, only its chunks are made again (incremental rebuild), and the whole
dumps are assembled from the chunks (:mod:`polevents.export.assemble`).  The chunks of
a build live in ``.polevents-cache/chunks/`` (:class:`ChunkCache`); one not in use by
the latest build is removed when that build ends.

Memory: one graph's triples at a time.  Blank nodes: canonical labels are computed per
graph, which is what a dataset-wide RDFC-1.0 labelling gives when only one graph has
blank nodes (the usual case: the ontology); when several graphs have blank nodes,
those graphs are canonicalised together (:meth:`ChunkCache.joint`), as before.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

from .canonical import Tally, canonical_lines

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

    from .void import GraphFacts

__all__ = ["CHUNKS_DIR", "ChunkCache", "ChunkMeta", "GraphChunk", "graph_key", "tool_versions"]

#: Folder of the chunks inside the build cache.
CHUNKS_DIR: Final = "chunks"
#: Bump when the content of a chunk changes meaning.
CHUNK_VERSION: Final = "2"
_PERSON: Final = b"<https://w3id.org/polevents/ontology#Person>"
_SOURCE: Final = b"<https://w3id.org/polevents/ontology#Source>"


def tool_versions() -> str:
    """The versions of the RDF libraries a build parses and writes with (pyoxigraph: the parser,
    the canonical N-Triples and TriG of a chunk; rdflib: the build's other RDF files), as the
    build cache's verdicts are keyed (:func:`polevents.cache.input_digest`)."""
    if not _VERSIONS:
        from importlib.metadata import PackageNotFoundError, version

        found = []
        for package in ("pyoxigraph", "rdflib"):
            try:
                found.append(f"{package} {version(package)}")
            except PackageNotFoundError:
                found.append(f"{package} -")
        _VERSIONS.append(", ".join(found))
    return _VERSIONS[0]


_VERSIONS: list[str] = []


def graph_key(iri: str, base: str, files: Iterable[tuple[str, str]], code: str, versions: str | None = None) -> str:
    """The chunk key of a graph: SHA-256 over its IRI, the base IRI, ``(relative path, SHA-256)``
    of each of its files (in order), the digest of polevents' code and the versions of the
    libraries that make the chunk's bytes (:func:`tool_versions` unless ``versions`` is given):
    a chunk cache written with another pyoxigraph or rdflib is not reused."""
    tools = tool_versions() if versions is None else versions
    digest = hashlib.sha256(f"polevents-chunk {CHUNK_VERSION}\n{code}\n{tools}\n{base}\n{iri}\n".encode())
    for name, sha in files:
        digest.update(f"{name}\0{sha}\n".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class ChunkMeta:
    """What the dataset description and the prefixes need of one graph."""

    iri: str
    triples: int
    #: whether the graph has blank nodes (their labels then depend on the other such graphs)
    bnodes: bool
    predicates: list[str]
    classes: list[str]
    #: subjects typed pe:Person whose IRI is under ``<BASE>id/`` (N-Triples form)
    people: list[str]
    #: the pe:Source documents described in the graph (IRIs)
    sources: list[str]
    #: owl:Ontology subjects (IRIs)
    ontologies: list[str]
    #: namespaces ("folders") of the graph's subject IRIs under the base, and of the graph IRI
    namespaces: list[str]
    #: link predicates used, when some objects are Wikidata entities (a linkset)
    links: list[str] = field(default_factory=list)
    #: primary language tags of the graph's literals
    languages: list[str] = field(default_factory=list)
    #: the earliest and latest date literal, as [lexical form, datatype IRI]
    earliest: list[str] | None = None
    latest: list[str] | None = None
    #: objects of pe:country
    places: list[str] = field(default_factory=list)

    def facts(self) -> GraphFacts:
        """What the description says of the graph (as :func:`polevents.export.void.graph_facts` made it)."""
        from .void import GraphFacts

        return GraphFacts(
            sources=tuple(self.sources),
            links=tuple(self.links),
            people=tuple(self.people),
            languages=tuple(self.languages),
            earliest=(self.earliest[0], self.earliest[1]) if self.earliest else None,
            latest=(self.latest[0], self.latest[1]) if self.latest else None,
            places=tuple(self.places),
        )


@dataclass(frozen=True)
class GraphChunk:
    """One graph's chunk in a :class:`ChunkCache`."""

    key: str
    folder: Path
    meta: ChunkMeta

    @property
    def iri(self) -> str:
        return self.meta.iri

    def path(self, suffix: str) -> Path:
        """The chunk's file ``KEY<suffix>`` (``.nt``, ``.subjects``, ``.objects``, ``-P.trig``...)."""
        return self.folder / f"{self.key}{suffix}"

    @property
    def nt(self) -> Path:
        return self.path(".nt")

    def lines(self) -> list[bytes]:
        """The graph's sorted N-Triples lines, without their ``" .\\n"`` terminator."""
        data = self.nt.read_bytes()
        return data[:-3].split(b" .\n") if data else []


def _namespace(iri: str) -> str | None:
    cut = iri.rfind("/")
    return iri[: cut + 1] if cut >= 0 else None


def _meta(iri: str, lines: Sequence[bytes], tally: Tally, base: str, bnodes: bool) -> ChunkMeta:
    from .void import graph_facts

    start = f"<{base}".encode()
    namespaces = {ns for s in tally.sizes if s.startswith(start) and (ns := _namespace(s[1:-1].decode()))}
    if iri.startswith(base) and (ns := _namespace(iri)):
        namespaces.add(ns)
    facts = graph_facts(lines, tally, base)
    return ChunkMeta(
        links=list(facts.links),
        languages=list(facts.languages),
        earliest=list(facts.earliest) if facts.earliest else None,
        latest=list(facts.latest) if facts.latest else None,
        places=list(facts.places),
        iri=iri,
        triples=len(lines),
        bnodes=bnodes,
        predicates=sorted(p.decode() for p in tally.predicates),
        classes=sorted(c.decode() for c in tally.instances),
        people=list(facts.people),
        sources=list(facts.sources),
        ontologies=sorted(
            s[1:-1].decode()
            for s in tally.instances.get(b"<http://www.w3.org/2002/07/owl#Ontology>", [])
            if s.startswith(b"<")
        ),
        namespaces=sorted(namespaces),
    )


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary sibling renamed over it (readers never see a part)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _join(lines: Iterable[bytes]) -> bytes:
    return b"".join(line + b"\n" for line in lines)


class ChunkCache:
    """A folder of graph chunks, by key.

    :param folder: where the chunks are (created when missing).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.used: set[str] = set()

    def get(self, key: str) -> GraphChunk | None:
        """The chunk ``key`` if a build made it (and all its files are there)."""
        try:
            data = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            meta = ChunkMeta(**data)
        except (OSError, ValueError, TypeError):
            return None
        chunk = GraphChunk(key, self.folder, meta)
        if not all(chunk.path(s).is_file() for s in (".nt", ".subjects", ".objects")):
            return None
        self.used.add(key)
        return chunk

    def make(self, key: str, iri: str, triples: Sequence[pyoxigraph.Triple], base: str) -> GraphChunk:
        """Make (or replace) chunk ``key`` of graph ``iri`` from its ``triples``."""
        lines = canonical_lines([(iri, triples)])[iri]
        bnodes = any(_has_bnode(line) for line in lines)
        return self.store(key, iri, lines, base, bnodes)

    def store(self, key: str, iri: str, lines: list[bytes], base: str, bnodes: bool) -> GraphChunk:
        """Write the chunk ``key`` of graph ``iri`` from its canonical sorted ``lines``."""
        tally = Tally.of(lines)
        meta = _meta(iri, lines, tally, base, bnodes)
        chunk = GraphChunk(key, self.folder, meta)
        write_atomically(chunk.path(".nt"), b"".join(line + b" .\n" for line in lines))
        subjects = sorted(s + b" " + str(n).encode() for s, n in tally.sizes.items())
        write_atomically(chunk.path(".subjects"), _join(subjects))
        write_atomically(chunk.path(".objects"), _join(sorted(tally.objects)))
        # the metadata last: a chunk without it is not found by get()
        write_atomically(chunk.path(".json"), json.dumps(asdict(meta), ensure_ascii=False).encode())
        self.used.add(key)
        return chunk

    def joint(
        self, chunks: list[GraphChunk], triples_of: Callable[[GraphChunk], Sequence[pyoxigraph.Triple]], base: str
    ) -> list[GraphChunk]:
        """Chunks of the graphs ``chunks`` (all with blank nodes) canonicalised together, so that
        their blank-node labels are those of one dataset-wide RDFC-1.0 labelling."""
        if len(chunks) < 2:
            return chunks
        joint_key = hashlib.sha256(" ".join(c.key for c in chunks).encode()).hexdigest()
        keys = [hashlib.sha256(f"{joint_key} {c.key}".encode()).hexdigest() for c in chunks]
        found = [self.get(k) for k in keys]
        if all(f is not None for f in found):
            return [f for f in found if f is not None]
        lines = canonical_lines([(c.iri, triples_of(c)) for c in chunks])
        return [self.store(k, c.iri, lines[c.iri], base, True) for k, c in zip(keys, chunks, strict=True)]

    def derived(self, chunk: GraphChunk, suffix: str, make: Callable[[GraphChunk], bytes]) -> Path:
        """The chunk's file ``KEY<suffix>``, made by ``make`` when missing."""
        path = chunk.path(suffix)
        if not path.is_file():
            write_atomically(path, make(chunk))
        self.used.add(path.name)
        return path

    def prune(self) -> None:
        """Remove every chunk file not used since this cache object was made."""
        for path in self.folder.iterdir():
            stem = path.name.partition(".")[0]
            key, derived, _ = stem.partition("-")
            keep = path.name.startswith(".") or (key in self.used and (not derived or path.name in self.used))
            if not keep:
                path.unlink(missing_ok=True)


def _has_bnode(line: bytes) -> bool:
    """Whether a canonical N-Triples line has a blank node as subject or object."""
    if line.startswith(b"_:"):
        return True
    _s, _p, o = line.split(b" ", 2)
    return o.startswith(b"_:")
