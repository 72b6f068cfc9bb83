"""Load stage: read a project's ontology/, shapes/ and data/ into memory.

Every RDF file is parsed by Oxigraph (fast, and its syntax errors carry line
and column), with the project's base IRI so data files can use relative IRIs.
Layout of a project::

    polevents.toml            base IRI, dataset metadata, where source texts live
    ontology/*.ttl            the vocabulary   -> graph <https://w3id.org/polevents/ontology>
    shapes/*.ttl              SHACL shapes     (not part of the published data)
    data/<name>/*.ttl         one source       -> graph <BASE graph/<name>>

Files of other RDF formats (``.nt``, ``.trig``, ``.nq``, ``.jsonld``, ``.rdf``)
are read as well; in quad formats the graph named in the file is replaced by the
folder's graph, so a folder is always exactly one named graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .config import ProjectConfig, load_config
from .errors import InputError, Position, RdfSyntaxError
from .formats import RdfFormat
from .vocab import ONTOLOGY_IRI

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph
    import rdflib

__all__ = [
    "RDF_SUFFIXES",
    "InputFiles",
    "Layout",
    "Project",
    "SourceGraph",
    "load_project",
    "parse_file",
    "rdf_files",
    "to_rdflib_graph",
    "to_rdflib_term",
]

#: Other suffixes a format's files conventionally have (ontologies are often ``.owl``, RDF/XML).
#: Not ``.xml``: most XML files are not RDF.  Not ``.gz``: files are parsed as they are.
_MORE_SUFFIXES: dict[RdfFormat, tuple[str, ...]] = {RdfFormat.RDFXML: ("owl",)}

#: Suffixes of the files the loader reads: each :class:`RdfFormat`'s extension, and the
#: conventional others (every one names its format to :meth:`RdfFormat.from_path`).
RDF_SUFFIXES: tuple[str, ...] = tuple(
    f".{suffix}" for fmt in RdfFormat for suffix in (fmt.extension, *_MORE_SUFFIXES.get(fmt, ()))
)


@dataclass
class SourceGraph:
    """The triples of one folder of data/ (one source), kept as one named graph."""

    name: str
    iri: str
    files: list[Path]
    triples: list[pyoxigraph.Triple]
    #: how many of ``triples`` (in order) came from each of ``files``
    file_sizes: list[int] = field(default_factory=list)

    @cached_property
    def subject_files(self) -> dict[str, Path]:
        """Subject IRI -> the file that states the most about it (for reports; computed on first use)."""
        subject_files: dict[str, Path] = {}
        counts: dict[str, int] = {}
        start = 0
        sizes = self.file_sizes or [len(self.triples)]
        for f, size in zip(self.files, sizes, strict=False):
            local: dict[str, int] = {}
            for t in self.triples[start : start + size]:
                key = str(getattr(t.subject, "value", t.subject))  # a quoted triple has no .value
                local[key] = local.get(key, 0) + 1
            start += size
            for key, n in local.items():
                if n > counts.get(key, 0):
                    counts[key] = n
                    subject_files[key] = f
        return subject_files


@dataclass
class Project:
    """Everything the later stages need, loaded once."""

    config: ProjectConfig
    ontology: list[pyoxigraph.Triple]
    ontology_files: list[Path]
    shapes: list[pyoxigraph.Triple]
    shape_files: list[Path]
    sources: list[SourceGraph]
    #: SHA-256 of the bytes parsed, per file read (ontology, shapes, data), for the build cache
    digests: dict[Path, str] = field(default_factory=dict)

    @property
    def ontology_graph_iri(self) -> str:
        return ONTOLOGY_IRI

    def quads(self, *, with_ontology: bool = True) -> Iterator[pyoxigraph.Quad]:
        """All published quads: the ontology graph (optional) and one graph per source."""
        import pyoxigraph as ox

        if with_ontology:
            g = ox.NamedNode(ONTOLOGY_IRI)
            for t in self.ontology:
                yield ox.Quad(t.subject, t.predicate, t.object, g)
        for src in self.sources:
            g = ox.NamedNode(src.iri)
            for t in src.triples:
                yield ox.Quad(t.subject, t.predicate, t.object, g)

    def store(self, *, with_ontology: bool = True) -> pyoxigraph.Store:
        """An in-memory Oxigraph store of :meth:`quads`."""
        import pyoxigraph as ox

        store = ox.Store()
        store.bulk_extend(self.quads(with_ontology=with_ontology))
        return store

    def store_from_files(self, *, with_ontology: bool = True) -> pyoxigraph.Store:
        """The same store as :meth:`store`, parsed again from the files by Oxigraph alone.

        Every file must still have the bytes that were loaded (:attr:`digests`).

        :raises InputError: a file changed (or vanished) since the project was loaded.
        """
        layout = Layout(
            self.config,
            self.ontology_files if with_ontology else [],
            [],  # the shapes are not in the store
            [(src.iri, src.files) for src in self.sources],
        )
        inputs = layout.read()
        for path, digest in inputs.digests.items():
            if self.digests and self.digests.get(path) != digest:
                raise InputError(f"{path}: changed while the project was being built; build again")
        return layout.store(inputs)

    def file_of(self, subject: str) -> Path | None:
        """The data file that describes ``subject``, if any."""
        for src in self.sources:
            if subject in src.subject_files:
                return src.subject_files[subject]
        return None


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from exc


def parse_file(path: Path, base: str) -> list[pyoxigraph.Triple]:
    """Parse one RDF file into triples (graph names dropped); syntax errors carry file:line:col."""
    fmt = RdfFormat.from_path(path)
    return _parse_bytes(path, _read(path), fmt, base)


#: The longest term (a literal, an IRI) Oxigraph parses, in bytes.
_MAX_TERM = 16 << 20


def _parse_bytes(path: Path, data: bytes, fmt: RdfFormat, base: str) -> list[pyoxigraph.Triple]:
    """The triples of ``data``, the bytes of ``path`` in format ``fmt``."""
    import pyoxigraph as ox

    try:
        quads = ox.parse(data, format=fmt.oxigraph, base_iri=base)
        return [q.triple for q in quads]
    except SyntaxError as exc:
        raise RdfSyntaxError.from_parser(path, exc) from exc
    except UnicodeDecodeError as exc:
        raise RdfSyntaxError(Position(path, None, None), f"not UTF-8: {exc}") from exc
    except MemoryError as exc:  # Oxigraph's parser holds one term in a buffer of at most 16 MiB
        line = next((n for n, text in enumerate(data.split(b"\n"), start=1) if len(text) > _MAX_TERM), None)
        detail = f"a term is longer than Oxigraph's limit of {_MAX_TERM >> 20} MiB; shorten or split it"
        raise RdfSyntaxError(Position(path, line, None), detail) from exc
    except ValueError as exc:  # e.g. a base IRI Oxigraph refuses
        raise InputError(f"{path}: {exc}") from exc


def _source_folder(path: Path, config: ProjectConfig) -> Path:
    """The folder of data/ a (possibly nested) data file belongs to."""
    return config.data_dir / path.relative_to(config.data_dir).parts[0]


def rdf_files(folder: Path) -> list[Path]:
    """The RDF files under ``folder`` (any depth; by :data:`RDF_SUFFIXES`), sorted; none if it is missing."""
    if not folder.is_dir():
        return []
    found = []
    for p in folder.rglob("*"):
        if p.suffix not in RDF_SUFFIXES:
            continue
        if p.is_dir():  # a facts.ttl that is a folder would be skipped without a word
            raise InputError(f"{p}: a folder named like an RDF file; data files must be files (rename or remove it)")
        if p.is_file():
            found.append(p)
    return sorted(found)


@dataclass(frozen=True)
class InputFiles:
    """The bytes of a project's input files, each read once (:meth:`Layout.read`), and their SHA-256.

    Whatever is made of one ``InputFiles`` — the build-cache key, the parsed
    :class:`Project`, an Oxigraph store — is made of the same bytes.
    """

    contents: dict[Path, bytes]
    #: SHA-256 (hex) of ``contents``, per file: what the build cache keys on
    digests: dict[Path, str]

    def parse(self, path: Path, base: str) -> list[pyoxigraph.Triple]:
        """:func:`parse_file` of the bytes read from ``path``."""
        return _parse_bytes(path, self.contents[path], RdfFormat.from_path(path), base)


def _parse_all(files: Iterable[Path], base: str, inputs: InputFiles) -> list[pyoxigraph.Triple]:
    triples: list[pyoxigraph.Triple] = []
    for f in files:
        triples.extend(inputs.parse(f, base))
    return triples


def _load_files(folder: Path, files: list[Path], config: ProjectConfig, inputs: InputFiles) -> SourceGraph:
    triples: list[pyoxigraph.Triple] = []
    sizes: list[int] = []
    for f in files:
        part = inputs.parse(f, config.base)
        triples.extend(part)
        sizes.append(len(part))
    return SourceGraph(
        name=folder.name,
        iri=config.graph_iri(folder.name),
        files=files,
        triples=triples,
        file_sizes=sizes,
    )


@dataclass
class Layout:
    """Which files of a project go where, before any is parsed."""

    config: ProjectConfig
    ontology_files: list[Path]
    shape_files: list[Path]
    #: (graph IRI, files) per source folder, in order
    sources: list[tuple[str, list[Path]]]

    @classmethod
    def of(cls, root: Path) -> Layout:
        """The layout of the project at ``root`` (its ontology/ must not be empty)."""
        config = load_config(root)
        ontology_files = rdf_files(config.ontology_dir)
        if not ontology_files:
            raise InputError(f"{config.ontology_dir}: no ontology files (a project needs ontology/*.ttl)")
        sources = []
        if config.data_dir.is_dir():
            for folder in sorted(p for p in config.data_dir.iterdir() if p.is_dir()):
                files = rdf_files(folder)
                if files:
                    sources.append((config.graph_iri(folder.name), files))
        return cls(config, ontology_files, rdf_files(config.shapes_dir), sources)

    @property
    def data_bytes(self) -> int:
        """Total size of the source files (to judge a project's size before parsing it)."""
        return sum(f.stat().st_size for _iri, files in self.sources for f in files)

    @property
    def files(self) -> list[Path]:
        """Every input file, in loading order: the sources', then the ontology's and the shapes'."""
        return [f for _iri, files in self.sources for f in files] + self.ontology_files + self.shape_files

    def folder_name(self, files: list[Path]) -> str:
        """The name of the data/ folder (the source) that ``files`` belong to."""
        return _source_folder(files[0], self.config).name

    def hash_files(self) -> dict[Path, str]:
        """The SHA-256 of every input file, read in blocks: nothing is kept in memory.

        :raises InputError: a file cannot be read.
        """
        import hashlib

        digests: dict[Path, str] = {}
        for path in self.files:
            try:
                with path.open("rb") as f:
                    digests[path] = hashlib.file_digest(f, "sha256").hexdigest()
            except OSError as exc:
                raise InputError(f"{path}: cannot read: {exc.strerror}") from exc
        return digests

    def parse_verified(self, path: Path, digest: str) -> list[pyoxigraph.Triple]:
        """:func:`parse_file` of ``path``, whose bytes must still have the SHA-256 ``digest``.

        :raises InputError: the file changed since it was hashed.
        """
        import hashlib

        data = _read(path)
        if hashlib.sha256(data).hexdigest() != digest:
            raise InputError(f"{path}: changed while the project was being built; nothing was published; build again")
        return _parse_bytes(path, data, RdfFormat.from_path(path), self.config.base)

    def read(self) -> InputFiles:
        """Read every input file and hash its bytes: the one place that does.

        :raises InputError: a file cannot be read.
        """
        import hashlib

        contents: dict[Path, bytes] = {}
        digests: dict[Path, str] = {}
        for path in self.files:
            data = contents[path] = _read(path)
            digests[path] = hashlib.sha256(data).hexdigest()
        return InputFiles(contents, digests)

    def load(self, inputs: InputFiles | None = None) -> Project:
        """Parse the project from ``inputs`` (read now when not given).

        :raises RdfSyntaxError: on the first broken file.
        """
        if inputs is None:
            inputs = self.read()
        config = self.config
        sources = [_load_files(_source_folder(files[0], config), files, config, inputs) for _iri, files in self.sources]
        ontology = _parse_all(self.ontology_files, config.base, inputs)
        shapes = _parse_all(self.shape_files, config.base, inputs)
        return Project(
            config=config,
            ontology=ontology,
            ontology_files=self.ontology_files,
            shapes=shapes,
            shape_files=self.shape_files,
            sources=sources,
            digests={path: inputs.digests[path] for path in self.files},
        )

    def store(self, inputs: InputFiles) -> pyoxigraph.Store:
        """An Oxigraph store of the ontology and source graphs of ``inputs``, parsed by Oxigraph
        alone (no Python object per triple).

        Quads are those of :meth:`Project.store` for the same files.

        :raises RdfSyntaxError: a broken file (with its position when Oxigraph gives one).
        """
        import pyoxigraph as ox

        store = ox.Store()
        groups = [(ONTOLOGY_IRI, self.ontology_files), *self.sources]
        for iri, files in groups:
            graph = ox.NamedNode(iri)
            for path in files:
                data = inputs.contents[path]
                fmt = RdfFormat.from_path(path)
                try:
                    if fmt.is_quads:  # graph names in the file are replaced by the folder's graph
                        store.bulk_extend(
                            ox.Quad(q.subject, q.predicate, q.object, graph)
                            for q in ox.parse(data, format=fmt.oxigraph, base_iri=self.config.base)
                        )
                    else:
                        store.bulk_load(data, format=fmt.oxigraph, base_iri=self.config.base, to_graph=graph)
                except SyntaxError:
                    inputs.parse(path, self.config.base)  # raises with file:line:col
                    raise
        return store


def load_project(root: Path) -> Project:
    """Load a project directory; raises :class:`RdfSyntaxError` on the first broken file."""
    return Layout.of(root).load()


def to_rdflib_term(term: object, *, exact: bool = False) -> rdflib.term.Node:
    """Convert one Oxigraph term to its rdflib equal (the one converter of polevents).

    With ``exact``, a literal keeps its lexical form as written (``"01"^^xsd:integer``
    stays ``01``: rdflib does not normalise it), as a writer of published files needs.
    """
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        normalize = None if not exact else False
        if term.language:
            return Literal(term.value, lang=term.language, normalize=normalize)
        dt = term.datatype.value
        if dt == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value, normalize=normalize)
        return Literal(term.value, datatype=URIRef(dt), normalize=normalize)
    raise InputError(f"unsupported RDF term {term!r} (RDF-star is not supported)")


def to_rdflib_graph(
    triples: Iterable[pyoxigraph.Triple], graph: rdflib.Graph | None = None, *, exact: bool = False
) -> rdflib.Graph:
    """Add Oxigraph triples to an rdflib graph (a new one unless given); ``exact`` as in :func:`to_rdflib_term`."""
    import rdflib

    g = graph if graph is not None else rdflib.Graph()
    cache: dict[object, rdflib.term.Node] = {}

    def conv(term: object) -> rdflib.term.Node:
        node = cache.get(term)
        if node is None:
            node = cache[term] = to_rdflib_term(term, exact=exact)
        return node

    add = g.add
    for t in triples:
        add((conv(t.subject), conv(t.predicate), conv(t.object)))
    return g
