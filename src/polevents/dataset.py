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

__all__ = ["DUMP_NQUADS", "DatasetStore", "open_dataset"]

#: The dump every reader of a built dataset uses: all quads, one graph per source.
DUMP_NQUADS = "polevents.nq"


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
    dist = dist_dir if dist_dir is not None else project_dir / "dist"
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
