"""Export stage: write every published file of a build into a fresh folder.

::

    polevents.nq        all graphs, N-Quads (the ontology graph + one graph per source)
    polevents.trig      all graphs, TriG
    polevents.nt        the union of the graphs, N-Triples (each triple once)
    polevents.ttl       the union, Turtle
    polevents.jsonld    all graphs, compacted JSON-LD, inline @context
    context.jsonld      that @context alone, for reuse
    polevents.{nq,nt,ttl}.gz   gzip copies (no file name, mtime 0)
    ontology.{ttl,jsonld,html} the ontology graph, and its documentation page
    shapes.{ttl,jsonld} the SHACL shapes
    void.ttl            VoID + DCAT 3 description of all the files above
    SHA256SUMS          ``sha256sum -c`` list of every other file, sorted by name

Every file is byte-deterministic: it is written from the canonical form of the
dataset (:mod:`polevents.export.canonical`: sorted lines, canonical blank-node
labels), with a fixed set of prefixes (:mod:`polevents.export.prefixes`), and
nothing in it comes from the clock.  N-Quads and N-Triples are sorted lines;
Turtle and TriG are written by Oxigraph from those lines in order; JSON-LD is
written in a stream (:mod:`polevents.export.jsonld`).  Formats are
:class:`~polevents.formats.RdfFormat` members; the writer of each is looked up
in a table, never chosen by comparing names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ..errors import InputError
from ..formats import RdfFormat
from .canonical import CanonicalDataset, CanonicalGraph, Tally
from .prefixes import dataset_prefixes

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

    from ..config import ProjectConfig
    from ..load import Project
    from .chunks import ChunkCache, GraphChunk
    from .void import FileRole, PublishedFile

__all__ = [
    "CONTEXT_FILE",
    "DUMPS",
    "SHA256SUMS",
    "VOID_FILE",
    "Dump",
    "publish_prefixes",
    "write_dist",
    "write_dumps",
    "write_release",
    "write_sha256sums",
]

#: The dump's base name: polevents.nq, polevents.ttl, ...
DUMP_STEM: Final = "polevents"
CONTEXT_FILE: Final = "context.jsonld"
ONTOLOGY_STEM: Final = "ontology"
SHAPES_STEM: Final = "shapes"
ONTOLOGY_HTML: Final = "ontology.html"
VOID_FILE: Final = "void.ttl"
SHA256SUMS: Final = "SHA256SUMS"
#: Key of the shapes graph while it is canonicalised (it is not part of the dataset).
SHAPES_GRAPH_KEY: Final = "https://w3id.org/polevents/shapes"


@dataclass(frozen=True)
class Dump:
    """One dump of the whole dataset: its format, whether a gzip copy is published, its title."""

    fmt: RdfFormat
    gzipped: bool
    title: str
    #: a second dump in the same format (``polevents.<variant>.<ext>``), written by ``rdf.VARIANT_WRITERS``
    variant: str = ""

    @property
    def name(self) -> str:
        infix = f".{self.variant}" if self.variant else ""
        return f"{DUMP_STEM}{infix}.{self.fmt.extension}"


#: The dumps, in the order they are written.
DUMPS: Final[tuple[Dump, ...]] = (
    Dump(RdfFormat.NQUADS, True, "Whole dataset, N-Quads: one named graph per source, and the ontology graph"),
    Dump(RdfFormat.TRIG, False, "Whole dataset, TriG: one named graph per source, and the ontology graph"),
    Dump(RdfFormat.NTRIPLES, True, "Whole dataset, N-Triples: the union of all graphs"),
    Dump(RdfFormat.TURTLE, True, "Whole dataset, Turtle: the union of all graphs"),
    Dump(RdfFormat.JSONLD, False, "Whole dataset, compacted JSON-LD with inline context, one @graph per named graph"),
    Dump(
        RdfFormat.JSONLD,
        False,
        "Whole dataset, JSON-LD compacted with the term context (plain keys: label, date, holder, sameAs)",
        variant="compact",
    ),
)
#: The vocabulary files: (stem, formats).
VOCABULARY_FORMATS: Final[tuple[RdfFormat, ...]] = (RdfFormat.TURTLE, RdfFormat.JSONLD)


def _subject_iris(dataset: CanonicalDataset, base: str) -> set[str]:
    start = f"<{base}".encode()
    subjects: set[bytes] = set()
    for g in dataset.graphs:
        subjects.update({line[: line.find(b" ")] for line in g.lines})
    return {s[1:-1].decode() for s in subjects if s.startswith(start)} | {g.iri for g in dataset.graphs}


def publish_prefixes(dataset: CanonicalDataset, base: str) -> dict[str, str]:
    """The prefixes of every published file: fixed ones plus those of the dataset's own IRIs."""
    return dataset_prefixes(base, _subject_iris(dataset, base))


#: From this many quads on, TriG and Turtle are converted in child processes while
#: the JSON-LD is written (Oxigraph holds the GIL, so a thread would not overlap).
PARALLEL_MIN_QUADS: Final = 200_000


def _gzip_and_measure(path: Path, target: Path, title: str, fmt: RdfFormat) -> PublishedFile:
    from .rdf import gzip_file
    from .void import FileRole, PublishedFile

    gzip_file(path, target)
    return PublishedFile.measure(
        target, title=title, role=FileRole.DUMP, media_type=fmt.media_type, rdf_format=fmt, compressed=True
    )


def write_dumps(
    dataset: CanonicalDataset,
    out_dir: Path,
    prefixes: dict[str, str],
    dumps: Iterable[Dump] = DUMPS,
    *,
    tallies: dict[str, Tally] | None = None,
    parallel: bool | None = None,
    base: str | None = None,
) -> list[PublishedFile]:
    """Write the dumps of ``dataset`` (and their gzip copies) into ``out_dir``; measured files back.

    Compression and checksums run in a worker thread (zlib and hashlib release the
    GIL) while the next dump is written; with ``parallel`` (default: for datasets of
    :data:`PARALLEL_MIN_QUADS` quads or more) the dumps Oxigraph converts from an
    earlier dump (TriG, Turtle) are converted in child processes
    (:mod:`polevents.export.worker`).  The bytes
    written are the same either way.  ``tallies``, when given, receives the
    per-graph counts made on the way.  ``base``: the dataset's base IRI, which the compacted
    JSON-LD dump writes IRIs relative to.
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    from .rdf import CONVERSIONS, DATASET_WRITERS, VARIANT_WRITERS, DumpContext
    from .void import FileRole, PublishedFile
    from .worker import Conversion

    dumps = tuple(dumps)
    use_process = parallel if parallel is not None else dataset.quad_count >= PARALLEL_MIN_QUADS
    ctx = DumpContext(dataset, prefixes, base=base)
    results: dict[str, Future[PublishedFile]] = {}
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="polevents-gzip") as threads:

        def finished(dump: Dump, path: Path) -> None:
            if not dump.variant:
                ctx.written[dump.fmt] = path
            results[path.name] = threads.submit(
                PublishedFile.measure,
                path,
                title=dump.title,
                role=FileRole.DUMP,
                media_type=dump.fmt.media_type,
                rdf_format=dump.fmt,
            )
            if dump.gzipped:
                gz = out_dir / f"{dump.name}.gz"
                results[gz.name] = threads.submit(_gzip_and_measure, path, gz, f"{dump.title} (gzip)", dump.fmt)

        converting: list[tuple[Dump, Path, Conversion]] = []
        try:
            for dump in dumps:
                path = out_dir / dump.name
                source_format = CONVERSIONS.get(dump.fmt)
                source = ctx.written.get(source_format) if source_format is not None else None
                if use_process and source is not None and source_format is not None:
                    job = Conversion(source, source_format, path, dump.fmt, prefixes).start()
                    converting.append((dump, path, job))
                    continue
                writer = VARIANT_WRITERS[dump.variant] if dump.variant else DATASET_WRITERS[dump.fmt]
                writer(ctx, path)
                finished(dump, path)
            while converting:
                dump, path, job = converting.pop(0)
                job.wait()
                finished(dump, path)
        finally:
            for _, _, job in converting:  # an error above: do not leave children behind
                job.kill()
        names = [n for d in dumps for n in (d.name, f"{d.name}.gz" if d.gzipped else None) if n]
        written = [results[name].result() for name in names]
    if tallies is not None:
        tallies.update(ctx.tallies)
    return written


def _write_context(out_dir: Path, prefixes: dict[str, str]) -> PublishedFile:
    import json

    from .jsonld import context_document
    from .void import FileRole, PublishedFile

    path = out_dir / CONTEXT_FILE
    text = json.dumps(context_document(prefixes), ensure_ascii=False, indent=2) + "\n"
    path.write_text(text, encoding="utf-8", newline="\n")
    return PublishedFile.measure(
        path,
        title="JSON-LD context of the dumps (the prefixes; also inline in every JSON-LD file)",
        role=FileRole.CONTEXT,
        media_type=RdfFormat.JSONLD.media_type,
    )


def _write_term_context(out_dir: Path, dataset: CanonicalDataset, ontology_iri: str) -> PublishedFile:
    from .context import CONTEXT_FILE, context_json, term_context
    from .void import FileRole, PublishedFile

    ontology = dataset.graph(ontology_iri)
    path = out_dir / CONTEXT_FILE
    path.write_text(context_json(term_context(ontology.triples() if ontology else [])), encoding="utf-8", newline="\n")
    return PublishedFile.measure(
        path,
        title="JSON-LD term context (generated from the ontology; inline in polevents.compact.jsonld)",
        role=FileRole.CONTEXT,
        media_type=RdfFormat.JSONLD.media_type,
    )


def _write_graph_files(
    graph: CanonicalGraph, stem: str, what: str, role: FileRole, out_dir: Path, prefixes: dict[str, str]
) -> list[PublishedFile]:
    from .rdf import GRAPH_WRITERS
    from .void import PublishedFile

    written = []
    for fmt in VOCABULARY_FORMATS:
        path = out_dir / f"{stem}.{fmt.extension}"
        GRAPH_WRITERS[fmt](graph, prefixes, path)
        written.append(
            PublishedFile.measure(
                path, title=f"{what} ({fmt.media_type})", role=role, media_type=fmt.media_type, rdf_format=fmt
            )
        )
    return written


def _ontology_iris(graph: CanonicalGraph) -> list[str]:
    """Subjects typed owl:Ontology in ``graph`` (the shapes' own IRI, for dcterms:conformsTo)."""
    ontologies = graph.tally.instances.get(b"<http://www.w3.org/2002/07/owl#Ontology>", [])
    return sorted(s[1:-1].decode() for s in ontologies if s.startswith(b"<"))


def write_dist(
    project: Project,
    out_dir: Path,
    *,
    download_base: str | None = None,
    sparql_endpoint: str | None = None,
) -> list[Path]:
    """Write every published file of ``project`` into ``out_dir`` (a new or empty folder).

    ``download_base`` and ``sparql_endpoint`` override ``polevents.toml`` in the
    dataset description.  Returns the paths written, ``SHA256SUMS`` last.  The files
    are made from per-graph chunks in a temporary folder (:mod:`polevents.export.release`),
    as ``polevents build`` makes them from its chunk cache.
    """
    import hashlib
    import tempfile

    from .chunks import ChunkCache
    from .release import GraphInput, make_chunks

    out_dir.mkdir(parents=True, exist_ok=True)
    if any(out_dir.iterdir()):
        raise InputError(f"{out_dir}: the output folder of write_dist must be empty")
    config = project.config
    by_iri: dict[str, list[pyoxigraph.Triple]] = {}
    for iri, triples in [
        (project.ontology_graph_iri, project.ontology),
        *((s.iri, s.triples) for s in project.sources),
    ]:
        by_iri.setdefault(iri, []).extend(triples)
    titles = {project.ontology_graph_iri: "The ontology"}
    titles.update({src.iri: f"Facts from source {src.name}" for src in project.sources})
    with tempfile.TemporaryDirectory(prefix="polevents-export-") as tmp:
        cache = ChunkCache(Path(tmp) / "chunks")
        graphs = [
            GraphInput(iri, hashlib.sha256(iri.encode()).hexdigest(), lambda t=triples: t)  # type: ignore[misc]
            for iri, triples in by_iri.items()
        ]
        chunks = make_chunks(graphs, cache, config.base)
        return write_release(
            config,
            chunks,
            cache,
            project.shapes,
            out_dir,
            titles=titles,
            ontology_iri=project.ontology_graph_iri,
            work=Path(tmp),
            download_base=download_base,
            sparql_endpoint=sparql_endpoint,
        )


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
    after_nquads: Callable[[Path], None] | None = None,
) -> list[Path]:
    """Write every published file into ``out_dir`` (new or empty); the paths, ``SHA256SUMS`` last.

    :param titles: the title of each graph in the description.
    :param work: a folder for temporary files (external merges).
    """
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
    ontology_key = ontology_chunk.key if ontology_chunk is not None else None
    plan = DumpPlan(chunks, cache, prefixes, out_dir, work, term_context=terms, base=base, ontology_key=ontology_key)
    files = assemble_dumps(plan, DUMPS, after_nquads)
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

    union_triples = plan.union_triples
    if union_triples is None:
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
    import hashlib

    sums[void.name] = hashlib.sha256(void.read_bytes()).hexdigest()
    target = out_dir / SHA256SUMS
    target.write_text("".join(f"{sums[n]}  {n}\n" for n in sorted(sums)), encoding="utf-8", newline="\n")
    return [*(out_dir / f.name for f in files), void, target]


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            count += block.count(b"\n")
    return count


def write_sha256sums(out_dir: Path, paths: Iterable[Path]) -> Path:
    """``SHA256SUMS`` for ``paths`` (all inside ``out_dir``), in the ``sha256sum -c`` format, sorted."""
    import hashlib

    lines = []
    for path in sorted(paths, key=lambda p: p.name):
        digest = hashlib.sha256()
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
        lines.append(f"{digest.hexdigest()}  {path.relative_to(out_dir).as_posix()}\n")
    target = out_dir / SHA256SUMS
    target.write_text("".join(lines), encoding="utf-8", newline="\n")
    return target
