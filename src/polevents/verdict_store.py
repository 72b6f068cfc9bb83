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
import io
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from .load import InputFiles, Layout
from .vocab import ONTOLOGY_IRI

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

__all__ = ["MEMORY_SCREEN_MAX_QUADS", "PersistentStore", "StoreView", "load_graphs"]

STATE_VERSION: Final = 1
FOLDER: Final = "validation"
#: Up to this many quads, a full check screens an in-memory copy of the on-disk store: Oxigraph
#: in memory answers the screen's queries about 5x faster than on disk (1M corpus: 5.1 s against
#: 26.2 s, one thread), for about 600 MB per million quads while the check runs.  Above, the
#: screen reads the on-disk store (memory stays bounded whatever the size).
MEMORY_SCREEN_MAX_QUADS: Final = 1_200_000
#: An on-disk load takes this many quads per call of Oxigraph's bulk loader, whose memory grows with
#: what one call loads (3M quads of the 10M corpus: 1,639 MB peak RSS in one call, 690 MB in calls of
#: 500,000, for 11 % more CPU): the validation store's load stays bounded whatever the data's size.
BULK_BATCH_QUADS: Final = 500_000


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
    #: an in-memory copy of the store's quads, to screen instead of it (see :func:`load_graphs`)
    copy: pyoxigraph.Store | None = None
    #: graphs with a literal the store keeps otherwise than written, and which (see
    #: :class:`polevents.validate.literals.StoredForms`): the screen cannot decide for them
    altered: dict[str, str] = field(default_factory=dict)

    @property
    def screened(self) -> pyoxigraph.Store:
        """The store the checks run on: the in-memory copy when there is one."""
        return self.copy if self.copy is not None else self.store


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
            groups = [(ONTOLOGY_IRI, layout.ontology_files), *layout.sources]
            altered: dict[str, str] = {}
            quads, copy = load_graphs(store, groups, read, to_nquads, config.base, copy=True, altered=altered)
            dirty["graphs"] = graph_digest
            dirty["quads"] = quads
            dirty["altered"] = altered
            self._write_state(dirty)
            return StoreView(store, digests, quads, copy=copy, altered=altered)
        assert isinstance(old_graphs, dict)
        changed_graphs = sorted(
            {iri for iri, d in graph_digest.items() if old_graphs.get(iri) != d}
            | {str(iri) for iri in old_graphs if iri not in graph_digest}
        )
        self._write_state(dirty)
        changed: set[pyoxigraph.Triple] = set()
        files_of = dict(layout.sources)
        quads = int(str(state.get("quads", 0)))
        kept = state.get("altered")
        altered = {str(k): str(v) for k, v in kept.items() if k not in changed_graphs} if isinstance(kept, dict) else {}
        for iri in changed_graphs:
            graph = ox.NamedNode(iri)
            old = {q.triple for q in store.quads_for_pattern(None, None, None, graph)}
            quads -= len(old)
            if old:
                store.remove_graph(graph)
            new: set[pyoxigraph.Triple] = set()
            if iri in files_of:
                quads += load_graphs(store, [(iri, files_of[iri])], read, to_nquads, config.base, altered=altered)[0]
                new = {q.triple for q in store.quads_for_pattern(None, None, None, graph)}
            changed |= old ^ new  # blank nodes are new ones after a load: such triples count as changed
        dirty["graphs"] = graph_digest
        self._write_state(dirty)
        say(
            f"validation: {len(changed_graphs)} source graph(s) changed since the last conforming check "
            f"({len(changed)} triple(s) removed or added); the kept store is updated"
        )
        dirty["quads"] = quads
        dirty["altered"] = altered
        self._write_state(dirty)
        return StoreView(store, digests, quads, sorted(changed, key=str), state.get("memory"), altered=altered)

    def conformed(self, memory: object = None) -> None:
        """Record that the store's content conforms, and the screen's results on it (JSON of
        :class:`polevents.validate.incremental.Memory`; None: none known, the next check is full)."""
        state = self._read_state()
        if state:
            state["conforms"] = True
            state["memory"] = memory
            self._write_state(state)


def load_graphs(
    store: pyoxigraph.Store,
    groups: list[tuple[str, list[Path]]],
    read: Callable[[Path], bytes],
    to_nquads: Callable[[bytes, Path, str, str], bytes],
    base: str,
    *,
    copy: bool = False,
    altered: dict[str, str] | None = None,
) -> tuple[int, pyoxigraph.Store | None]:
    """Load the files of ``groups`` (each a graph IRI and its files) into ``store``: parsed into one
    N-Quads file, bulk-loaded :data:`BULK_BATCH_QUADS` quads at a time in a thread, each batch while
    the next files are parsed.  Returns the number of quads and, with ``copy`` and at most
    :data:`MEMORY_SCREEN_MAX_QUADS` quads, an in-memory store of the same quads (loaded from the same
    file while the thread loads the last batches: Oxigraph releases the GIL) for the screen to read.
    Blank nodes get other labels in each store (a bulk load renames them).
    ``altered`` gets, per graph, the first literal of its files that the store keeps otherwise than
    written, with the file (:class:`polevents.validate.literals.StoredForms`)."""
    import tempfile
    from concurrent.futures import Future, ThreadPoolExecutor

    import pyoxigraph as ox

    from .validate.literals import StoredForms

    def bulk(target: pyoxigraph.Store, path: Path, start: int, end: int) -> None:
        with path.open("rb", buffering=0) as f:
            target.bulk_load(io.BufferedReader(_Segment(f.fileno(), start, end)), format=ox.RdfFormat.N_QUADS)

    forms = StoredForms()
    quads = 0
    with (
        tempfile.TemporaryDirectory(prefix="polevents-quads-") as tmp,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="polevents-load") as loader,
    ):
        # each full batch is bulk-loaded by the loader thread (Oxigraph releases the GIL) while
        # the next files are parsed; the batches load one after the other, in file order
        path = Path(tmp) / "quads.nq"
        loaded = 0  # the byte offset where the next batch starts (at a line's end)
        loads: list[Future[None]] = []
        batch = 0
        with path.open("wb") as nq:

            def cut() -> None:
                nonlocal loaded
                nq.flush()
                loads.append(loader.submit(bulk, store, path, loaded, nq.tell()))
                loaded = nq.tell()

            for graph, files in groups:
                for file in files:
                    block = to_nquads(read(file), file, graph, base)
                    lines = block.count(b"\n")
                    if altered is not None and graph not in altered:
                        note = forms.altered(block)
                        if note is not None:
                            altered[graph] = f"{file}: {note}"
                    if batch and batch + lines > BULK_BATCH_QUADS:
                        cut()
                        batch = 0
                    quads += lines
                    batch += lines
                    nq.write(block)
            if batch:
                cut()
        memory = None
        if copy and 0 < quads <= MEMORY_SCREEN_MAX_QUADS:
            memory = ox.Store()
            bulk(memory, path, 0, loaded)  # in memory, in one call: the store is the memory it takes
        for load in loads:
            load.result()
        return quads, memory


class _Segment(io.RawIOBase):
    """Bytes ``start`` to ``end`` of the open file ``fd``, read with ``os.pread`` (no shared offset:
    two readers of one file do not disturb each other)."""

    def __init__(self, fd: int, start: int, end: int) -> None:
        super().__init__()
        self.fd, self.pos, self.end = fd, start, end

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = os.pread(self.fd, min(len(view), self.end - self.pos), self.pos) if self.pos < self.end else b""
        view[: len(data)] = data
        self.pos += len(data)
        return len(data)
