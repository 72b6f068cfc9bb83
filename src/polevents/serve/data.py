"""What the server serves: the dataset in an on-disk Oxigraph store, and its dist/ folder.

The dataset comes from the built output (``dist/polevents.nq``), from the
project's sources in memory when nothing is built (:func:`polevents.dataset.open_dataset`),
or from RDF files named on the command line (quad formats keep their graphs;
triple formats go to the default graph).  Whatever the origin, the quads are
copied into an Oxigraph store in a private temporary folder, which the server
process and every query worker open read-only: one copy on disk, shared through
the page cache, and a replacement worker starts in milliseconds.
"""

from __future__ import annotations

import gzip
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import ProjectConfig, load_config
from ..dataset import dist_folder, open_dataset, prepare_union
from ..errors import InputError, RdfSyntaxError
from ..formats import RdfFormat

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

__all__ = ["ServedData", "load_served_data", "select", "served_prefixes"]


@dataclass
class ServedData:
    """The dataset behind a server: a read-only store, where it came from, and the project around it."""

    store: pyoxigraph.Store
    store_dir: Path
    origin: str
    config: ProjectConfig
    #: the dist/ folder whose files are downloadable (None when serving FILES without one)
    dist_dir: Path | None
    #: named graphs, sorted, with their number of triples
    graphs: list[tuple[str, int]] = field(default_factory=list)
    default_graph_triples: int = 0
    #: True: query the default graph as pyoxigraph's union view; False: the store's default graph
    #: already holds the union (a triple in several graphs once), see dataset.prepare_union
    union_view: bool = True
    _tmp: Path | None = None
    _prefixes: dict[str, str] | None = None

    @property
    def base(self) -> str:
        return self.config.base

    @property
    def quad_count(self) -> int:
        return self.default_graph_triples + sum(n for _, n in self.graphs)

    def prefixes(self) -> dict[str, str]:
        """The prefixes the dumps of this data use (:func:`polevents.export.prefixes.dataset_prefixes`
        over its subjects under the base and its graph names), computed on first use."""
        if self._prefixes is None:
            self._prefixes = served_prefixes(self.store, self.base, union=self.union_view)
        return self._prefixes

    def close(self) -> None:
        """Release the store and delete its temporary folder."""
        self.store = None  # type: ignore[assignment]
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None


def _load_file(store: pyoxigraph.Store, path: Path, base: str) -> None:
    fmt = RdfFormat.from_path(path)
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as fh:
                store.bulk_load(input=fh.read(), format=fmt.oxigraph, base_iri=base)
        else:
            store.bulk_load(path=str(path), format=fmt.oxigraph, base_iri=base)
    except SyntaxError as exc:
        raise RdfSyntaxError.from_parser(path, exc) from exc
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc


def select(store: pyoxigraph.Store, query: str, *, union: bool = False) -> pyoxigraph.QuerySolutions:
    """Run a SELECT query of the server's own (never a user's) and return its solutions."""
    import pyoxigraph as ox

    result = store.query(query, use_default_graph_as_union=union)
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError(f"not a SELECT query: {query[:60]!r}")
    return result


def served_prefixes(store: pyoxigraph.Store, base: str, *, union: bool = True) -> dict[str, str]:
    """:func:`~polevents.export.prefixes.dataset_prefixes` of the IRIs in ``store``: the same
    prefixes ``polevents build`` publishes for that data (the namespaces are found by Oxigraph,
    about half a second for a million triples)."""
    import pyoxigraph as ox

    from ..export.prefixes import dataset_prefixes

    literal = base.replace("\\", "\\\\").replace('"', '\\"')
    query = (
        f'SELECT DISTINCT ?ns {{ {{ SELECT DISTINCT ?s {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{literal}")) }} }}'
        ' BIND(REPLACE(STR(?s), "[^/]*$", "") AS ?ns) }'
    )
    namespaces = [row[0].value for row in select(store, query, union=union) if isinstance(row[0], ox.Literal)]
    graphs = [g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)]
    return dataset_prefixes(base, [*namespaces, *graphs])


def _count_graphs(store: pyoxigraph.Store) -> tuple[list[tuple[str, int]], int]:
    import pyoxigraph as ox

    counts: dict[str, int] = {}
    default = 0
    for row in select(store, "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        g, n = row[0], row[1]
        if isinstance(g, ox.NamedNode) and isinstance(n, ox.Literal):
            counts[g.value] = int(n.value)
    for row in select(store, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"):
        if isinstance(row[0], ox.Literal):
            default = int(row[0].value)
    return sorted(counts.items()), default


def _snapshot(index_store: Path, near: Path) -> Path | None:
    """A private folder of hard links to the index's files (in the temporary folder, else beside
    ``near``), so a rebuild that replaces dist/ while the server runs does not pull its files
    away from workers started later; None where links cannot be made (another file system).

    An index is never written after it is built (a rebuild makes a new one), so linking
    its files is a consistent copy that costs no space."""
    for where in (None, near):
        try:
            tmp = Path(tempfile.mkdtemp(prefix=".polevents-serve-", dir=where))
        except OSError:
            continue
        try:
            (tmp / "store").mkdir()
            for entry in index_store.iterdir():
                os.link(entry, tmp / "store" / entry.name)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
            continue
        return tmp
    return None


def _served_index(project: Path, dist: Path | None, config: ProjectConfig) -> ServedData | None:
    """The built dataset through its persistent index (:mod:`polevents.store`), opened read-only
    by the server and every worker; None when there is no dump or the index cannot be made."""
    import pyoxigraph as ox

    from ..dataset import DUMP_NQUADS
    from ..store import ensure_index, index_key, store_dir

    dist_dir = dist_folder(project, dist)
    if not (dist_dir / DUMP_NQUADS).is_file():
        return None
    try:
        ensure_index(dist_dir)
    except RdfSyntaxError:
        raise
    except InputError:
        return None  # a read-only folder: the dump is copied into a private store instead
    key = index_key(dist_dir)
    if key is None:
        return None
    tmp = _snapshot(store_dir(dist_dir), dist_dir.resolve().parent)
    path = tmp / "store" if tmp is not None else store_dir(dist_dir)
    try:
        store = ox.Store.read_only(str(path))
        graphs, default = _count_graphs(store)
        if not key.union_view:  # the default graph holds a copy of the merge: count the dump's own
            default = max(0, key.quads - sum(n for _, n in graphs))
    except BaseException:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    return ServedData(
        store=store,
        store_dir=path,
        origin=str(dist_dir / DUMP_NQUADS),
        config=config,
        dist_dir=dist_dir.resolve(),
        graphs=graphs,
        default_graph_triples=default,
        union_view=key.union_view,
        _tmp=tmp,
    )


def load_served_data(files: list[Path], project: Path = Path("."), dist: Path | None = None) -> ServedData:
    """Load the dataset to serve into a fresh on-disk store (see the module docstring).

    Raises :class:`InputError` (:class:`RdfSyntaxError` with ``FILE:LINE:COL``) for
    unreadable input; the temporary store is removed again on failure.
    """
    import pyoxigraph as ox

    config = load_config(project)
    if not files:
        indexed = _served_index(project, dist, config)
        if indexed is not None:
            return indexed
    tmp = Path(tempfile.mkdtemp(prefix="polevents-serve-"))
    store_dir = tmp / "store"
    try:
        writer = ox.Store(str(store_dir))
        if files:
            for path in files:
                _load_file(writer, path, config.base)
            origin = ", ".join(str(p) for p in files)
            dist_dir = dist if dist is not None and dist.is_dir() else None
        else:
            opened = open_dataset(project, dist)
            writer.bulk_extend(opened.store.quads_for_pattern(None, None, None, None))
            origin = opened.origin
            dist_dir = dist_folder(project, dist)
            if not dist_dir.is_dir():
                dist_dir = None
        graphs, default = _count_graphs(writer)  # as loaded, before the union is prepared
        union_view = prepare_union(writer)
        writer.flush()
        writer.optimize()
        del writer
        store = ox.Store.read_only(str(store_dir))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return ServedData(
        store=store,
        store_dir=store_dir,
        origin=origin,
        config=config,
        dist_dir=dist_dir.resolve() if dist_dir is not None else None,
        graphs=graphs,
        default_graph_triples=default,
        union_view=union_view,
        _tmp=tmp,
    )
