"""The validation store kept across builds, updated graph by graph: incremental validation.

A big project's validation store is on disk (:mod:`polevents.verdict`).  Instead of a new
store per build, it lives in ``.polevents-cache/validation/store`` with a ``state.json``
that says what it holds: the SHA-256 of each source graph's files, of the ontology and
shapes files and of polevents' code, and whether that content conformed.  A build then:

* when the ontology, the shapes, the base IRI or the code changed, or the stored content did
  not conform, or there is no usable store: loads every graph afresh and checks everything;
* else: replaces only the graphs whose files changed (removes the old quads, loads the new)
  and checks **every focus node** again.  Checking only the nodes a change touches (and the
  nodes one link away) was tried and is not sound: a shape may follow a path of any length,
  an inverse path or a SPARQL constraint across the whole dataset (a post whose tenures must
  not overlap is not one link from a tenure added elsewhere), and the promise of ``build`` is
  that a fast path is never less strict than a full check.  What the kept store saves is the
  load of the unchanged graphs; :attr:`StoreView.focus` stays for a future restriction that
  can be proved safe from the compiled shapes.

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
    #: the focus nodes to check (IRIs), or None: everything
    focus: set[str] | None


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
            return StoreView(store, digests, quads, None)
        assert isinstance(old_graphs, dict)
        changed = sorted(
            {iri for iri, d in graph_digest.items() if old_graphs.get(iri) != d}
            | {str(iri) for iri in old_graphs if iri not in graph_digest}
        )
        self._write_state(dirty)
        touched: set[str] = set()
        files_of = dict(layout.sources)
        quads = int(str(state.get("quads", 0)))
        for iri in changed:
            graph = ox.NamedNode(iri)
            old = list(store.quads_for_pattern(None, None, None, graph))
            touched.update(_subjects(old))
            quads -= len(old)
            if old:
                store.remove_graph(graph)
            if iri in files_of:
                quads += self._load(store, layout, [(iri, files_of[iri])], read, to_nquads)
                touched.update(_subjects(store.quads_for_pattern(None, None, None, graph)))
        focus = set(touched)
        for node in touched:
            for quad in store.quads_for_pattern(None, None, ox.NamedNode(node), None):
                if isinstance(quad.subject, ox.NamedNode):
                    focus.add(quad.subject.value)
        dirty["graphs"] = graph_digest
        self._write_state(dirty)
        say(
            f"validation: {len(changed)} source graph(s) changed since the last conforming check "
            f"({len(focus)} focus node(s) touched); the kept store is updated and every focus node is checked"
        )
        dirty["quads"] = quads
        self._write_state(dirty)
        return StoreView(store, digests, quads, None)  # every focus node: see the module docstring

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

    def conformed(self) -> None:
        """Record that the store's content conforms."""
        state = self._read_state()
        if state:
            state["conforms"] = True
            self._write_state(state)


def _subjects(quads: object) -> set[str]:
    import pyoxigraph as ox

    return {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)}  # type: ignore[attr-defined]
