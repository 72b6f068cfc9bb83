"""Assemble the dataset dumps from per-graph chunks, in a stream, and count the dataset for VoID.

Each dump is what the earlier whole-dataset writers produced, byte for byte, but
made of the graphs' chunks (:mod:`polevents.export.chunks`) one graph at a time:

* N-Quads: each graph's sorted lines with its graph name, graphs in IRI order;
* TriG: the prefix header, then each graph's block (Oxigraph's TriG of that graph
  alone: a graph block does not depend on the others);
* JSON-LD: the context, then each graph's ``{"@id": …, "@graph": […]}`` object;
* N-Triples: the union, an external merge of the graphs' sorted lines (``sort -m -u``,
  :mod:`polevents.export.merge`);
* Turtle: Oxigraph's conversion of that N-Triples file, in a child process;
* gzip copies of N-Quads, N-Triples and Turtle (one gzip member, no name, mtime 0),
  compressed in a thread as each file is done.

The TriG and JSON-LD blocks of a graph are kept with its chunk (for the prefixes
in use), so a rebuild after one source changed makes only that graph's blocks.
Memory is that of one graph plus the dataset-wide sets of the description
(predicates, classes, people): no list of every triple, term or subject.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ..formats import RdfFormat
from .chunks import ChunkCache, GraphChunk
from .merge import MergeJob, merge_lines
from .prefixes import prefix_digest

#: From this many quads on, the union dumps are written by a child process beside the others.
PARALLEL_MIN_QUADS: Final = 200_000

if TYPE_CHECKING:  # pragma: no cover
    from ..process import Child
    from . import Dump
    from .context import TermContext
    from .context_lines import LineCompactor
    from .void import DatasetStats, PublishedFile

__all__ = ["DumpPlan", "assemble_dumps", "chunk_stats", "prefix_digest"]


def _trig_header(prefixes: dict[str, str]) -> bytes:
    import pyoxigraph as ox

    probe = ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.NamedNode("urn:x:o"), ox.NamedNode("urn:x:g"))
    text = ox.serialize([probe], format=ox.RdfFormat.TRIG, prefixes=prefixes) or b""
    return text[: text.index(b"<urn:x:g>")]


def _nquads_block(chunk: GraphChunk) -> bytes:
    return chunk.nt.read_bytes().replace(b" .\n", f" <{chunk.iri}> .\n".encode())


@dataclass
class DumpPlan:
    """The dumps to write and how their blocks are made (shared by the writers below)."""

    chunks: list[GraphChunk]
    cache: ChunkCache
    prefixes: dict[str, str]
    out_dir: Path
    work: Path
    #: (dump file name, title, format, gzip copy): the order in which they are described
    measured: dict[str, Future[PublishedFile]] = field(default_factory=dict)

    #: the term context of the compact JSON-LD dump (from the ontology), if it is written
    term_context: TermContext | None = None
    #: the dataset's base IRI: the compact JSON-LD dump writes IRIs under it relative to it
    base: str | None = None
    #: the number of triples of the union (each triple once), once its dump is written
    union_triples: int | None = None
    #: the key of the ontology graph's chunk (the term context is made from it): a block child
    #: makes the compact JSON-LD blocks only when it is known
    ontology_key: str | None = None

    def __post_init__(self) -> None:
        self.pkey = prefix_digest(self.prefixes)
        from .union import GZIP_LEVEL

        #: names the gzip members made with this zlib at this level
        self.gzkey = hashlib.sha256(f"{zlib.ZLIB_RUNTIME_VERSION} {GZIP_LEVEL}".encode()).hexdigest()[:16]
        self.header = _trig_header(self.prefixes)
        from .jsonld import _Terms

        self.terms = _Terms(self.prefixes)
        self._compactor: LineCompactor | None = None
        self.ckey = ""
        if self.term_context is not None:
            from .context import context_json

            key = context_json(self.term_context) + "\n@base " + (self.base or "")
            self.ckey = hashlib.sha256(key.encode()).hexdigest()[:16]

    def trig_block(self, chunk: GraphChunk) -> bytes:
        import pyoxigraph as ox

        data = _nquads_block(chunk)
        if not data:
            return b""
        text = ox.serialize(
            ox.parse(data, format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.TRIG, prefixes=self.prefixes
        )
        assert text is not None and text.startswith(self.header)
        return text[len(self.header) :]

    def jsonld_block(self, chunk: GraphChunk) -> bytes:
        import io

        from .jsonld import _nodes, _write_nodes

        buffer = io.BytesIO()
        buffer.write(b'    {\n      "@id": ' + self.terms.ref(f"<{chunk.iri}>".encode()) + b',\n      "@graph": [')
        _write_nodes(buffer, _nodes(chunk.lines(), self.terms, None), b"        ")
        buffer.write(b"      ]\n    }")
        return buffer.getvalue()

    def compact_block(self, chunk: GraphChunk) -> bytes:
        """The graph's ``{"id": …, "@graph": […]}`` object of the compact JSON-LD dump
        (as :func:`polevents.export.context_lines.write_compact_jsonld` writes it)."""
        from .context_lines import LineCompactor

        assert self.term_context is not None
        if self._compactor is None:  # one for every graph: its term renderings are cached across graphs
            self._compactor = LineCompactor(self.term_context, self.base)
        compactor = self._compactor
        parts = ["    " + compactor.graph_head(chunk.iri)]
        first = True
        for node in compactor.nodes(chunk.lines()):
            parts.append(("\n      " if first else ",\n      ") + node)
            first = False
        parts.append("\n    ]}" if not first else "]}")
        return "".join(parts).encode("utf-8")

    @property
    def trig_suffix(self) -> str:
        """The name of a chunk's TriG block after its key."""
        return f"-{self.pkey}.{RdfFormat.TRIG.extension}"

    @property
    def compact_suffix(self) -> str:
        """The name of a chunk's compact JSON-LD block after its key."""
        return f"-{self.ckey}.compact.jsonld"

    def trig_path(self, chunk: GraphChunk) -> Path:
        """The chunk's block of the TriG dump (made now unless a build or the block child made it)."""
        return self.cache.derived(chunk, self.trig_suffix, self.trig_block)

    def compact_path(self, chunk: GraphChunk) -> Path:
        """The chunk's block of the compact JSON-LD dump (made now unless a build or the block child made it)."""
        return self.cache.derived(chunk, self.compact_suffix, self.compact_block)

    def block(self, chunk: GraphChunk, dump: Dump) -> Path:
        """The chunk's block of the TriG, JSON-LD or compact JSON-LD dump (made now unless a build made it)."""
        if dump.variant == "compact":
            return self.compact_path(chunk)
        if dump.fmt is RdfFormat.TRIG:
            return self.trig_path(chunk)
        return self.cache.derived(chunk, f"-{self.pkey}.{dump.fmt.extension}", self.jsonld_block)

    def gzip_nquads(self, target: Path) -> None:
        """The gzip copy of the N-Quads dump: one gzip member per graph, cached with the chunk
        (zlib releases the GIL: this runs in a thread beside the other writers)."""
        from .union import gzip_member

        def member(chunk: GraphChunk) -> bytes:
            return gzip_member(_nquads_block(chunk))

        with target.open("wb") as gz:
            members = 0
            for chunk in self.chunks:
                if chunk.meta.triples:
                    _copy(self.cache.derived(chunk, f"-{self.gzkey}.nq.gz", member), gz)
                    members += 1
            if not members:
                gz.write(gzip_member(b""))


def _copy(path: Path, out: object) -> None:
    import shutil

    with path.open("rb") as f:
        shutil.copyfileobj(f, out, 1 << 20)  # type: ignore[arg-type]


def write_nquads(plan: DumpPlan, path: Path) -> None:
    """The N-Quads dump (its gzip copy: :meth:`DumpPlan.gzip_nquads`)."""
    with path.open("wb") as out:
        for chunk in plan.chunks:
            out.write(_nquads_block(chunk))


def write_trig(plan: DumpPlan, dump: Dump, path: Path) -> None:
    with path.open("wb") as out:
        if any(c.meta.triples for c in plan.chunks):
            out.write(plan.header)
        for chunk in plan.chunks:
            _copy(plan.block(chunk, dump), out)


def write_jsonld(plan: DumpPlan, dump: Dump, path: Path) -> None:
    from .jsonld import _write_context

    with path.open("wb") as out:
        if dump.variant == "compact":
            assert plan.term_context is not None
            from .context import document_context

            context = json.dumps(document_context(plan.term_context, plan.base), ensure_ascii=False)
            head = '{\n  "@context": ' + context + ',\n  "@graph": ['
            out.write(head.encode("utf-8"))
        else:
            _write_context(out, plan.prefixes)
            out.write(b'  "@graph": [')
        for i, chunk in enumerate(plan.chunks):
            out.write(b"\n" if i == 0 else b",\n")
            _copy(plan.block(chunk, dump), out)
        out.write(b"\n  ]\n}\n")


def _measure_gzip(path: Path, target: Path, title: str, fmt: RdfFormat) -> PublishedFile:
    from .void import FileRole, PublishedFile

    return PublishedFile.measure(
        target, title=title, role=FileRole.DUMP, media_type=fmt.media_type, rdf_format=fmt, compressed=True
    )


def _gzip_and_measure(path: Path, target: Path, title: str, fmt: RdfFormat) -> PublishedFile:
    from .rdf import gzip_file
    from .void import FileRole, PublishedFile

    gzip_file(path, target)
    return PublishedFile.measure(
        target, title=title, role=FileRole.DUMP, media_type=fmt.media_type, rdf_format=fmt, compressed=True
    )


def _start_blocks(plan: DumpPlan, dumps: Sequence[Dump], min_quads: int = PARALLEL_MIN_QUADS) -> Child | None:
    """Start the child that makes the TriG and compact JSON-LD blocks missing from the cache
    (:func:`polevents.export.blocks.block_writer`), or None (a small dataset, nothing to make,
    or it cannot start: the blocks are then made in this process as they are written)."""
    from ..errors import PoleventsError
    from ..process import Child

    suffixes = {}
    if any(d.fmt is RdfFormat.TRIG for d in dumps):
        suffixes["trig"] = plan.trig_suffix
    if plan.term_context is not None and plan.ontology_key is not None and any(d.variant == "compact" for d in dumps):
        suffixes["compact"] = plan.compact_suffix
    # only the graphs with a block to make (a rebuild has made the others already)
    todo = [c for c in plan.chunks if not all(c.path(suffix).is_file() for suffix in suffixes.values())]
    if not todo or sum(c.meta.triples for c in todo) < min_quads:
        return None
    kinds = list(suffixes)
    header = {
        "folder": str(plan.cache.folder),
        "keys": [c.key for c in todo],
        "prefixes": plan.prefixes,
        "base": plan.base,
        "ontology": plan.ontology_key,
        "kinds": kinds,
        "pkey": plan.pkey,
        "ckey": plan.ckey,
    }
    try:
        child = Child.spawn("polevents.export.blocks:block_writer", {}, what="the TriG and compact JSON-LD blocks")
        child.send(header)
    except (OSError, PoleventsError):
        return None
    return child


def _join_blocks(child: Child) -> None:
    """Wait for the block child; if it failed, the blocks it did not make are made here later."""
    from ..errors import PoleventsError

    try:
        child.result()
    except PoleventsError:
        pass
    finally:
        child.close()


def assemble_dumps(
    plan: DumpPlan, dumps: Sequence[Dump], after_nquads: Callable[[Path], None] | None = None
) -> list[PublishedFile]:
    """Write ``dumps`` into ``plan.out_dir``; ``after_nquads`` is called with the N-Quads dump
    as soon as it is complete (the build starts the query index from it).

    For a large dataset, two child processes work beside this one: the union dumps (N-Triples,
    Turtle and their gzip copies: :class:`polevents.export.worker.UnionTask`) and the TriG and
    compact JSON-LD blocks (:mod:`polevents.export.blocks`), while this process writes N-Quads
    and JSON-LD; the N-Quads gzip copy and the checksums run in threads (zlib and hashlib
    release the GIL).  Each dump's bytes do not depend on which process made its blocks.
    Returns the measured files, in the order of ``dumps`` (each followed by its gzip copy).
    """
    from .union import UnionJob
    from .void import FileRole, PublishedFile
    from .worker import UnionTask

    out = plan.out_dir
    main = {d.fmt: d for d in dumps if not d.variant}
    results: dict[str, Future[PublishedFile]] = {}
    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="polevents-sha256") as threads,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="polevents-gzip") as gzipper,
    ):

        def finished(dump: Dump, gz_written: bool) -> None:
            path = out / dump.name
            results[dump.name] = threads.submit(
                PublishedFile.measure,
                path,
                title=dump.title,
                role=FileRole.DUMP,
                media_type=dump.fmt.media_type,
                rdf_format=dump.fmt,
            )
            if dump.gzipped:
                target = out / f"{dump.name}.gz"
                title = f"{dump.title} (gzip)"
                measure = _measure_gzip if gz_written else _gzip_and_measure
                results[target.name] = threads.submit(measure, path, target, title, dump.fmt)

        def gz(dump: Dump | None) -> Path | None:
            return out / f"{dump.name}.gz" if dump is not None and dump.gzipped else None

        union: UnionTask | None = None
        blocks: Child | None = None
        nt, ttl = main.get(RdfFormat.NTRIPLES), main.get(RdfFormat.TURTLE)
        try:
            blocks = _start_blocks(plan, dumps)
            if nt is not None or ttl is not None:
                job = UnionJob(
                    out / (nt.name if nt is not None else ".union.nt"),
                    plan.cache.folder,
                    plan.prefixes,
                    turtle=out / ttl.name if ttl is not None else None,
                    ntriples_gz=gz(nt),
                    turtle_gz=gz(ttl),
                )
                union = UnionTask([c.nt for c in plan.chunks], plan.work, job)
                if sum(c.meta.triples for c in plan.chunks) >= PARALLEL_MIN_QUADS:
                    union.start()
            for dump in dumps:
                if dump.fmt is RdfFormat.NQUADS and not dump.variant:
                    target = gz(dump)
                    zipped = gzipper.submit(plan.gzip_nquads, target) if target is not None else None
                    write_nquads(plan, out / dump.name)
                    if after_nquads is not None:
                        after_nquads(out / dump.name)
                    if zipped is not None:
                        zipped.result()
                    finished(dump, True)
            for dump in dumps:
                if dump.fmt is RdfFormat.JSONLD and not dump.variant:
                    write_jsonld(plan, dump, out / dump.name)
                    finished(dump, False)
            if blocks is not None:
                _join_blocks(blocks)
                blocks = None
            for dump in dumps:
                if dump.fmt is RdfFormat.TRIG:
                    write_trig(plan, dump, out / dump.name)
                    finished(dump, False)
            for dump in dumps:
                if dump.fmt is RdfFormat.JSONLD and dump.variant:
                    write_jsonld(plan, dump, out / dump.name)
                    finished(dump, False)
            if union is not None:
                done = union.wait()
                union = None
                plan.cache.used.update(done.used)
                plan.union_triples = done.triples
                for union_dump in (nt, ttl):
                    if union_dump is not None:
                        finished(union_dump, True)
        finally:
            if union is not None:
                union.kill()
            if blocks is not None:
                blocks.kill()
        ordered = [n for d in dumps for n in (d.name, f"{d.name}.gz" if d.gzipped else None) if n]
        return [results[name].result() for name in ordered]


def chunk_stats(plan: DumpPlan, base: str, namespaces: Sequence[str], union_triples: int) -> DatasetStats:
    """The dataset's counts for VoID (what :func:`polevents.export.void.dataset_stats` counts in
    memory), from the chunks' metadata (the same per-graph :func:`~polevents.export.void.graph_facts`),
    with external merges for the distinct counts."""
    from .void import DatasetStats, GraphStats, data_facts, used_vocabularies

    uri_space = f"<{base}id/".encode()
    people: set[bytes] = set()
    predicates: set[str] = set()
    classes: set[str] = set()
    graphs = []
    described = []
    for chunk in plan.chunks:
        meta = chunk.meta
        facts = meta.facts()
        people.update(p.encode() for p in facts.people)
        predicates.update(meta.predicates)
        classes.update(meta.classes)
        graphs.append(GraphStats(meta.iri, meta.triples, facts.sources, facts.links))
        described.append((meta.iri, facts))
    data = data_facts(described)
    objects = MergeJob([c.path(".objects") for c in plan.chunks], plan.work / ".objects", unique=True, work=plan.work)
    try:
        distinct_subjects = entities = 0
        sizes: dict[bytes, int] = {}
        last = b""
        with merge_lines([c.path(".subjects") for c in plan.chunks], work=plan.work) as lines:
            for line in lines:
                subject, _, count = line.rpartition(b" ")
                if subject != last:
                    distinct_subjects += 1
                    if subject.startswith(uri_space):
                        entities += 1
                    last = subject
                if subject in people:
                    sizes[subject] = sizes.get(subject, 0) + int(count)
        path = objects.wait()
    finally:
        objects.kill()
    distinct_objects = 0
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            distinct_objects += block.count(b"\n")
    path.unlink()
    example = sorted(people, key=lambda s: (-sizes.get(s, 0), s))[:1]
    return DatasetStats(
        triples=union_triples,
        quads=sum(c.meta.triples for c in plan.chunks),
        entities=entities,
        distinct_subjects=distinct_subjects,
        distinct_objects=distinct_objects,
        properties=len(predicates),
        classes=len(classes),
        vocabularies=used_vocabularies(namespaces, (*predicates, *classes)),
        example_resources=tuple(s[1:-1].decode() for s in example),
        graphs=tuple(graphs),
        languages=data.languages,
        earliest=data.earliest,
        latest=data.latest,
        places=data.places,
    )
