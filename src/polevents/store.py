"""The persistent index: an on-disk Oxigraph store beside the dumps, never stale.

``polevents build`` leaves ``dist/.index/`` (and the first query of a folder
without one makes it): the quads of ``dist/polevents.nq`` in an Oxigraph
(RocksDB) store, so ``polevents query`` and ``polevents serve`` open it
read-only in milliseconds instead of parsing the dump on every run.  Every
process that opens it read-only shares its pages through the page cache, so
the memory of a server does not grow with its number of query workers::

    dist/.index/KEY      JSON: the dump's SHA-256, size and mtime, the union rule
    dist/.index/store/   the Oxigraph store

The index is keyed by the dump's SHA-256: when ``polevents.nq`` changes (the
size or modification time differ from those in ``KEY`` and the digest then
differs too), the index is rebuilt; a ``KEY`` that does not match is never
trusted.  Rebuilding writes a fresh sibling folder and renames it into place,
so a reader never sees half an index.  The folder is not published: it is not
listed in ``SHA256SUMS`` nor in ``void.ttl``.

The default graph of a query is the RDF merge of all graphs (a triple stated by
two sources is there once).  pyoxigraph 0.5's union view
(``use_default_graph_as_union``) yields such a triple once per graph (oxigraph
issue #1919), so the index decides once, when it is built, how the merge is
read (:func:`polevents.dataset.prepare_union`): when no triple is in two graphs
the union view is exact (``union_view`` true); otherwise the merge is copied
into the store's real default graph (``union_view`` false).  ``KEY`` records
which; :class:`IndexKey` carries it to the query engine.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .dataset import DUMP_NQUADS
from .errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

__all__ = [
    "INDEX_DIR",
    "INDEX_FORMAT",
    "STORE_DIR",
    "IndexKey",
    "QueryDataset",
    "dump_digest",
    "ensure_index",
    "index_from_checkpoint",
    "index_key",
    "open_index",
    "open_query_dataset",
    "store_dir",
]

#: The index folder inside a dist folder (a dot folder: not a download, not published).
INDEX_DIR = ".index"
#: The file in :data:`INDEX_DIR` that says which dump the index was built from.
KEY_FILE = "KEY"
#: The Oxigraph store inside :data:`INDEX_DIR`.
STORE_DIR = "store"
#: Bumped when the index layout changes: an index of another format is rebuilt.
INDEX_FORMAT = 1
#: Prefix of the folders an index is built in before it is renamed into place.
_BUILDING = INDEX_DIR + "-building-"
#: Prefix of a replaced index waiting to be deleted.
_OLD = INDEX_DIR + "-old-"
#: A building folder older than this (seconds) was left by a killed process.
_STALE_AFTER = 3600.0


@dataclass(frozen=True)
class IndexKey:
    """What ``KEY`` records: the dump the index holds, and how its default graph is read."""

    #: SHA-256 (hex) of the dump the index was built from
    sha256: str
    #: size (bytes) and modification time (ns) of the dump then: a cheap check before hashing
    size: int
    mtime_ns: int
    #: True: query with ``use_default_graph_as_union``; False: the default graph holds the merge
    union_view: bool
    #: quads in the dump
    quads: int = 0
    #: :data:`INDEX_FORMAT` and the Oxigraph release series (``0.5``) that wrote the store
    format: int = INDEX_FORMAT
    oxigraph: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> IndexKey:
        data = json.loads(text)
        return cls(
            sha256=str(data["sha256"]),
            size=int(data["size"]),
            mtime_ns=int(data["mtime_ns"]),
            union_view=bool(data["union_view"]),
            quads=int(data.get("quads", 0)),
            format=int(data.get("format", 0)),
            oxigraph=str(data.get("oxigraph", "")),
        )

    def same_file(self, stat: os.stat_result) -> bool:
        """Whether ``stat`` (of the dump) has the size and modification time recorded here."""
        return self.size == stat.st_size and self.mtime_ns == stat.st_mtime_ns


def _oxigraph_series() -> str:
    """``0.5`` for pyoxigraph 0.5.13: stores of one series open with any release of it."""
    import pyoxigraph as ox

    return ".".join(str(getattr(ox, "__version__", "0")).split(".")[:2])


def dump_digest(path: Path) -> str:
    """The SHA-256 (hex) of a file, read in 1 MiB blocks."""
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def store_dir(dist: Path) -> Path:
    """The Oxigraph store of the index of ``dist`` (it may not exist)."""
    return dist / INDEX_DIR / STORE_DIR


def _read_key(index: Path) -> IndexKey | None:
    try:
        return IndexKey.from_json((index / KEY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _usable(key: IndexKey | None, index: Path) -> bool:
    return (
        key is not None
        and key.format == INDEX_FORMAT
        and key.oxigraph == _oxigraph_series()
        and (index / STORE_DIR).is_dir()
    )


def index_key(dist: Path) -> IndexKey | None:
    """The ``KEY`` of the index of ``dist`` when it is current for the dump there, else None.

    Current: the dump has the size and modification time ``KEY`` records (no
    hashing then), or else the SHA-256 ``KEY`` records.
    """
    index = dist / INDEX_DIR
    key = _read_key(index)
    if key is None or not _usable(key, index):
        return None
    try:
        stat = (dist / DUMP_NQUADS).stat()
    except OSError:
        return None
    if key.same_file(stat):
        return key
    if key.size != stat.st_size or dump_digest(dist / DUMP_NQUADS) != key.sha256:
        return None
    # the same bytes with another mtime (copied, touched): remember the new mtime
    fresh = IndexKey(**{**asdict(key), "mtime_ns": stat.st_mtime_ns})
    with contextlib.suppress(OSError):
        _write_atomically(index / KEY_FILE, fresh.to_json())
    return fresh


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _clean_leftovers(dist: Path) -> None:
    """Remove replaced indexes, and building folders a killed process left (older than an hour)."""
    import shutil
    import time

    now = time.time()
    for entry in dist.iterdir():
        if entry.name.startswith(_OLD):
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.name.startswith(_BUILDING):
            with contextlib.suppress(OSError):
                if now - entry.stat().st_mtime > _STALE_AFTER:
                    shutil.rmtree(entry, ignore_errors=True)


def _build(dump: Path, folder: Path) -> IndexKey:
    """Load ``dump`` into a new store in ``folder``; decide the union rule; write ``KEY``."""
    import pyoxigraph as ox

    from .dataset import prepare_union

    stat = dump.stat()
    digest = dump_digest(dump)
    store = ox.Store(str(folder / STORE_DIR))
    try:
        store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    except SyntaxError as exc:
        from .errors import RdfSyntaxError

        raise RdfSyntaxError.from_parser(dump, exc) from exc
    quads = len(store)
    union_view = prepare_union(store)
    store.flush()
    store.optimize()
    del store  # closes the RocksDB database: the folder can be renamed and opened read-only
    key = IndexKey(
        sha256=digest,
        size=stat.st_size,
        mtime_ns=stat.st_mtime_ns,
        union_view=union_view,
        quads=quads,
        oxigraph=_oxigraph_series(),
    )
    if dump.stat().st_mtime_ns != stat.st_mtime_ns or dump_digest(dump) != digest:
        raise InputError(f"{dump}: changed while it was being indexed; run the command again")
    _write_atomically(folder / KEY_FILE, key.to_json())
    return key


def ensure_index(dist: Path) -> Path:
    """The index folder of ``dist`` (``dist/.index``), built from ``dist/polevents.nq`` first when it
    is missing or stale (see the module docstring); atomic, and safe when several processes race.

    :raises InputError: there is no dump in ``dist``, or the index cannot be written there
        (a read-only folder: the caller may load the dump in memory instead).
    :raises RdfSyntaxError: the dump does not parse.
    """
    import shutil
    import tempfile

    dump = dist / DUMP_NQUADS
    index = dist / INDEX_DIR
    if not dump.is_file():
        raise InputError(f"{dist}: no built dataset here ({DUMP_NQUADS} missing); run `polevents build` first")
    if index_key(dist) is not None:
        return index
    try:
        _clean_leftovers(dist)
        building = Path(tempfile.mkdtemp(prefix=_BUILDING, dir=dist))
        umask = os.umask(0)
        os.umask(umask)
        building.chmod(0o777 & ~umask)  # readable as the dist folder is (mkdtemp makes it 0700)
    except OSError as exc:
        raise InputError(f"{dist}: cannot write the query index there: {exc.strerror or exc}") from exc
    try:
        _build(dump, building)
        if index.exists():
            old = Path(tempfile.mkdtemp(prefix=_OLD, dir=dist))
            index.rename(old / INDEX_DIR)
        try:
            building.rename(index)
        except OSError:
            if index_key(dist) is None:  # not a racing process that won: a real failure
                raise
        _clean_leftovers(dist)
    except OSError as exc:
        raise InputError(f"{dist}: cannot write the query index there: {exc.strerror or exc}") from exc
    finally:
        if building.exists():
            shutil.rmtree(building, ignore_errors=True)
    return index


def index_from_checkpoint(
    dist: Path,
    checkpoint: Path,
    *,
    graphs: Mapping[str, int],
    blank: Mapping[str, Sequence[pyoxigraph.Triple]],
    distinct: int | None = None,
    digest: str | None = None,
) -> Path:
    """Make the index of ``dist`` from ``checkpoint``/store, a copy of a store loaded from the same
    inputs as ``dist``'s dump (the build's validation store: see :func:`polevents.verdict.decide`),
    instead of loading the dump a second time; ``checkpoint`` is moved to ``dist/.index``.

    The store must hold exactly the dump's quads.  It holds the same named graphs, triples and
    literals (both come from the same bytes, parsed by Oxigraph), but not the same blank node
    labels: the dump's are canonical (``_:c14n0``), the store's are the parser's.  So:

    * in every graph of ``blank`` (graph IRI → its triples with a blank node, as in the dump),
      the store's triples with a blank node are replaced by those;
    * then the store must have exactly the graphs of ``graphs`` (graph IRI → number of triples
      in the dump), each with that many triples, and nothing in the default graph (a check of
      counts, not of every triple: both sides were made from the same bytes, which the build
      checks, and a triple with a blank node is in a graph of ``blank`` in both or in neither);
    * the union rule is that of :func:`polevents.dataset.prepare_union`: ``distinct``, the number
      of distinct triples over all graphs (the lines of ``polevents.nt``), equal to the number
      of quads says that no triple is in two graphs, without counting the store again;
    * ``KEY`` names the dump (its SHA-256: ``digest`` when the caller has it — the build takes it
      from the ``SHA256SUMS`` it wrote beside the dump — else the dump is hashed); it is written last.

    :raises InputError: the store is not the dump's (the caller then loads the dump:
        :func:`ensure_index`); ``checkpoint`` is left for the caller to remove.
    """
    import pyoxigraph as ox

    from .dataset import prepare_union

    dump = dist / DUMP_NQUADS
    index = dist / INDEX_DIR
    stat = dump.stat()
    if digest is None:
        digest = dump_digest(dump)
    try:
        store = ox.Store(str(checkpoint / STORE_DIR))
    except OSError as exc:
        raise InputError(f"{checkpoint}: cannot open the validation store's checkpoint: {exc}") from exc
    try:
        for iri, triples in blank.items():
            graph = ox.NamedNode(iri)
            for q in list(store.quads_for_pattern(None, None, None, graph)):
                if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode):
                    store.remove(q)
            store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
        counts = {
            str(row[0].value): int(row[1].value)
            for row in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")  # type: ignore[union-attr]
        }
        if counts != dict(graphs):
            differ = sorted(g for g in counts.keys() | graphs.keys() if counts.get(g) != graphs.get(g))
            raise InputError(f"{checkpoint}: not the quads of {dump} (graph(s) {', '.join(differ[:3])} differ)")
        if store.query("ASK { ?s ?p ?o }"):
            raise InputError(f"{checkpoint}: not the quads of {dump} (it has a default graph)")
        quads = sum(counts.values())
        # no triple in two graphs (the union has as many triples as the graphs together): the
        # union view is exact, as prepare_union would find with two counts over every quad
        union_view = distinct == quads or prepare_union(store)
        store.flush()
    finally:
        del store  # closes the RocksDB database: the folder can be renamed and opened read-only
    key = IndexKey(
        sha256=digest,
        size=stat.st_size,
        mtime_ns=stat.st_mtime_ns,
        union_view=union_view,
        quads=quads,
        oxigraph=_oxigraph_series(),
    )
    if not key.same_file(dump.stat()):
        raise InputError(f"{dump}: changed while it was being indexed; build again")
    _write_atomically(checkpoint / KEY_FILE, key.to_json())
    checkpoint.rename(index)
    return index


def open_index(dist: Path) -> pyoxigraph.Store:
    """The index of ``dist`` opened read-only (it must exist: see :func:`ensure_index`).

    :raises InputError: there is no index, or Oxigraph cannot open it.
    """
    import pyoxigraph as ox

    path = store_dir(dist)
    if not path.is_dir():
        raise InputError(f"{dist}: no query index ({INDEX_DIR} missing); run `polevents build`")
    try:
        return ox.Store.read_only(str(path))
    except OSError as exc:
        raise InputError(f"{path}: cannot open the query index: {exc}") from exc


@dataclass
class QueryDataset:
    """A store to query, and how: what :mod:`polevents.query.engine` evaluates on."""

    store: pyoxigraph.Store
    #: query with pyoxigraph's union view (else the store's default graph holds the merge)
    union_view: bool
    #: where it came from (the dump, or the project's sources)
    origin: str
    #: True: the project's sources loaded in memory (nothing built)
    in_memory: bool
    #: the on-disk store (the persistent index), which another process can open read-only
    store_path: Path | None = None


def open_query_dataset(project_dir: Path = Path("."), dist_dir: Path | None = None) -> QueryDataset:
    """The dataset to query: the persistent index of the dist folder (:mod:`polevents.store`, built
    first when missing or stale), else the project's sources in memory.

    When the index cannot be written (a read-only dist folder) the dump is loaded in memory.
    An explicit ``dist_dir`` without a dump is an error; the default one falls back to the sources.
    """
    from .dataset import dist_folder, open_dataset, prepare_union

    dist = dist_folder(project_dir, dist_dir)
    dump = dist / DUMP_NQUADS
    if dump.is_file():
        try:
            ensure_index(dist)
            key = index_key(dist)
            if key is not None:
                return QueryDataset(open_index(dist), key.union_view, str(dump), False, store_dir(dist))
        except InputError as exc:
            from .errors import RdfSyntaxError

            if isinstance(exc, RdfSyntaxError) or not dump.is_file():
                raise
        ds = open_dataset(project_dir, dist_dir)  # the folder is read-only: parse the dump in memory
        return QueryDataset(ds.store, prepare_union(ds.store), ds.origin, False)
    ds = open_dataset(project_dir, dist_dir)
    return QueryDataset(ds.store, prepare_union(ds.store), ds.origin, True)
