"""Open the published dataset as an Oxigraph store, for query, serve, link and export.

The built output (``dist/polevents.nq``: one named graph per source plus the
ontology graph) is read when it exists; otherwise the project's sources are
loaded in memory, unvalidated, and the caller is told so via ``origin``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

__all__ = [
    "DEFAULT_DIST",
    "DUMP_NQUADS",
    "DatasetStore",
    "dist_folder",
    "open_dataset",
    "prepare_union",
]

#: The dump every reader of a built dataset uses: all quads, one graph per source.
DUMP_NQUADS = "polevents.nq"
#: Where `polevents build` writes, relative to the project, unless told otherwise.
DEFAULT_DIST = "dist"


def dist_folder(project_dir: Path, dist_dir: Path | None = None) -> Path:
    """The built output folder: ``dist_dir`` when given, else the project's ``dist/``."""
    return dist_dir if dist_dir is not None else project_dir / DEFAULT_DIST


@dataclass
class DatasetStore:
    """An Oxigraph store holding the dataset, and where it came from."""

    store: pyoxigraph.Store
    origin: str
    from_dist: bool


def open_dataset(project_dir: Path = Path("."), dist_dir: Path | None = None) -> DatasetStore:
    """The dataset of ``dist_dir`` (default ``project_dir/dist``), else the project's sources in memory.

    An explicit ``dist_dir`` without a dump is an error; the default one falls back.
    """
    import pyoxigraph as ox

    explicit = dist_dir is not None
    dist = dist_folder(project_dir, dist_dir)
    dump = dist / DUMP_NQUADS
    if dump.is_file():
        store = ox.Store()
        store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
        return DatasetStore(store=store, origin=str(dump), from_dist=True)
    if explicit:
        raise InputError(f"{dist}: no built dataset here ({DUMP_NQUADS} missing); run `polevents build` first")
    from .load import load_project

    project = load_project(project_dir)
    return DatasetStore(
        store=project.store(),
        origin=f"{project.config.root} (sources loaded in memory, not validated: no {dump})",
        from_dist=False,
    )


def prepare_union(store: pyoxigraph.Store) -> bool:
    """Make the default graph of queries on ``store`` the RDF merge of all its graphs (each triple once).

    The default graph of a query is the *merge* of the sources, so a triple
    stated by two sources is there once.  pyoxigraph 0.5's
    ``use_default_graph_as_union`` yields it once per graph (oxigraph issue
    #1919, fixed after 0.5), which inflates COUNT and SUM.  So: when no triple
    is in two graphs (the default graph included; two counting queries, about
    1 s per million quads), the union view is exact — returns True: query with
    ``use_default_graph_as_union=True``.  Otherwise every named graph's triples
    are copied into the real default graph, which has set semantics (``GRAPH ?g``
    still sees only the named graphs) — returns False: query without the flag.
    """
    import pyoxigraph as ox

    def count(query: str) -> int:
        solution = next(iter(store.query(query)))  # type: ignore[arg-type]
        return int(solution[0].value)

    every = "{ { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
    total = count(f"SELECT (COUNT(*) AS ?n) WHERE {every}")
    distinct = count(f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {every} }}")
    if total == distinct:
        return True
    default = ox.DefaultGraph()
    copies = [
        ox.Quad(q.subject, q.predicate, q.object, default)
        for q in store.quads_for_pattern(None, None, None, None)
        if not isinstance(q.graph_name, ox.DefaultGraph)
    ]
    store.bulk_extend(copies)
    return False
