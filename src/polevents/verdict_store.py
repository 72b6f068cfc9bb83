"""The validation store kept across builds, updated graph by graph: incremental validation.

A big project's validation store is on disk (:mod:`polevents.verdict`).  Instead of a new
store per build, it lives in ``.polevents-cache/validation/store`` with a ``state.json``
that says what it holds: the SHA-256 of each source graph's files, of the ontology and
shapes files and of polevents' code, and whether that content conformed.  A build then:

* when the ontology, the shapes, the base IRI or the code changed, or the stored content did
  not conform, or there is no usable store: loads every graph afresh and checks everything;
* else: replaces only the graphs whose files changed (removes the old quads, loads the new)
  and hands the screen the **changed triples** (old and new content of those graphs, less the
  triples in both) with the screen's results of the last check, query by query
  (:class:`polevents.validate.incremental.Memory`).  The screen then re-checks, per query, only
  the focus nodes that query can reach from a changed triple (proved from the query text:
  :mod:`polevents.validate.footprint`), and keeps the last results elsewhere.  Checking "the
  touched nodes and one link away" was tried before and is not sound (paths of any length,
  SPARQL constraints across the dataset); the footprint follows every path of every query, and
  anything it cannot bound runs in full.

``state.json`` is written "dirty" before the store is changed and "conforms" only after a
conforming verdict, so a build killed half-way leads to a full check next time.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from .load import InputFiles, Layout
from .vocab import ONTOLOGY_IRI

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

__all__ = ["PersistentStore", "StoreView"]

STATE_VERSION: Final = 1
FOLDER: Final = "validation"


@dataclass
class StoreView:
    """The store of a build, what it was made of, and what to check."""

    store: pyoxigraph.Store
    digests: dict[Path, str]
    quads: int
    #: the triples that changed since the last conforming check (removed and added), or None:
    #: everything is new
    changed: list[pyoxigraph.Triple] | None = None
    #: the screen's results of that check, per query (JSON of validate.incremental.Memory)
    memory: object = None


class PersistentStore:
    """The on-disk validation store in ``cache_dir/validation``."""

    def __init__(self, cache_dir: Path) -> None:
        self.folder = cache_dir / FOLDER
        self.state_file = self.folder / "state.json"

    def _read_state(self) -> dict[str, object]:
        try:
            state = json.loads(self.state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return state if isinstance(state, dict) and state.get("version") == STATE_VERSION else {}

    def _write_state(self, state: dict[str, object]) -> None:
        tmp = self.state_file.with_name(".state.json.tmp")
        tmp.write_text(json.dumps(state, indent=1), encoding="utf-8")
        os.replace(tmp, self.state_file)

    def open(
        self,
        layout: Layout,
        inputs: InputFiles | None,
        to_nquads: Callable[[bytes, Path, str, str], bytes],
        say: Callable[[str], None],
    ) -> StoreView:
        """Bring the store up to date with the project's files; what to check."""
        import pyoxigraph as ox

        from .cache import code_digest

        self.folder.mkdir(parents=True, exist_ok=True)
        config = layout.config

        def read(path: Path) -> bytes:
            return inputs.contents[path] if inputs is not None else path.read_bytes()

        data: dict[Path, bytes] = {}
        digests: dict[Path, str] = {}
        fixed = hashlib.sha256(f"{code_digest()}\n{config.base}\n".encode())
        for path in [*layout.ontology_files, *layout.shape_files]:
            data[path] = read(path)
            digests[path] = hashlib.sha256(data[path]).hexdigest()
            fixed.update(f"{path.name}\0{digests[path]}\n".encode())
        graph_digest: dict[str, str] = {}
        for iri, files in layout.sources:
            h = hashlib.sha256()
            for path in files:
                content = read(path)
                digests[path] = hashlib.sha256(content).hexdigest()
                h.update(f"{path.name}\0{digests[path]}\n".encode())
            graph_digest[iri] = h.hexdigest()
        state = self._read_state()
        old_graphs = state.get("graphs") if isinstance(state.get("graphs"), dict) else None
        usable = state.get("fixed") == fixed.hexdigest() and state.get("conforms") is True and old_graphs is not None
        store_dir = self.folder / "store"
        dirty = {"version": STATE_VERSION, "fixed": fixed.hexdigest(), "graphs": {}, "conforms": False}
        store: pyoxigraph.Store | None = None
        if usable and store_dir.is_dir():
            try:
                store = ox.Store(str(store_dir))
            except OSError:  # in use by another build: check everything in a store of our own
                store = None
        if store is None or not usable or old_graphs is None:
            if store is not None:
                del store
            shutil.rmtree(store_dir, ignore_errors=True)
            self._write_state(dirty)
            store = ox.Store(str(store_dir))
            quads = self._load(store, layout, [(ONTOLOGY_IRI, layout.ontology_files), *layout.sources], read, to_nquads)
            dirty["graphs"] = graph_digest
            dirty["quads"] = quads
            self._write_state(dirty)
            return StoreView(store, digests, quads)
        assert isinstance(old_graphs, dict)
        changed_graphs = sorted(
            {iri for iri, d in graph_digest.items() if old_graphs.get(iri) != d}
            | {str(iri) for iri in old_graphs if iri not in graph_digest}
        )
        self._write_state(dirty)
        changed: set[pyoxigraph.Triple] = set()
        files_of = dict(layout.sources)
        quads = int(str(state.get("quads", 0)))
        for iri in changed_graphs:
            graph = ox.NamedNode(iri)
            old = {q.triple for q in store.quads_for_pattern(None, None, None, graph)}
            quads -= len(old)
            if old:
                store.remove_graph(graph)
            new: set[pyoxigraph.Triple] = set()
            if iri in files_of:
                quads += self._load(store, layout, [(iri, files_of[iri])], read, to_nquads)
                new = {q.triple for q in store.quads_for_pattern(None, None, None, graph)}
            changed |= old ^ new  # blank nodes are new ones after a load: such triples count as changed
        dirty["graphs"] = graph_digest
        self._write_state(dirty)
        say(
            f"validation: {len(changed_graphs)} source graph(s) changed since the last conforming check "
            f"({len(changed)} triple(s) removed or added); the kept store is updated"
        )
        dirty["quads"] = quads
        self._write_state(dirty)
        return StoreView(store, digests, quads, sorted(changed, key=str), state.get("memory"))

    @staticmethod
    def _load(
        store: pyoxigraph.Store,
        layout: Layout,
        groups: list[tuple[str, list[Path]]],
        read: Callable[[Path], bytes],
        to_nquads: Callable[[bytes, Path, str, str], bytes],
    ) -> int:
        import tempfile

        import pyoxigraph as ox

        quads = 0
        with tempfile.TemporaryFile() as nq:
            for graph, files in groups:
                for path in files:
                    block = to_nquads(read(path), path, graph, layout.config.base)
                    quads += block.count(b"\n")
                    nq.write(block)
            nq.seek(0)
            if quads:
                store.bulk_load(nq, format=ox.RdfFormat.N_QUADS)
        return quads

    def conformed(self, memory: object = None) -> None:
        """Record that the store's content conforms, and the screen's results on it (JSON of
        :class:`polevents.validate.incremental.Memory`; None: none known, the next check is full)."""
        state = self._read_state()
        if state:
            state["conforms"] = True
            state["memory"] = memory
            self._write_state(state)
