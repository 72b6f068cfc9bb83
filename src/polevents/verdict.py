"""The build's validation verdict, at any size: screen on an Oxigraph store, pyshacl where it fits.

:func:`decide` is what ``polevents build`` runs (in a child process beside the export
for big projects, see :mod:`polevents.build`):

1. the build cache: inputs with the same digest conformed before → conforms;
2. every input file is read once, hashed, and loaded into an Oxigraph store — in memory for
   a small project, **on disk** (a temporary folder in the build cache) from
   :data:`ON_DISK_MIN_BYTES` of input on, so memory stays bounded whatever the size: the
   files are turned into one N-Quads stream (each file's triples in its folder's graph)
   and bulk-loaded (:func:`polevents.verdict_store.load_graphs`: in batches, so the loader's
   memory is bounded); up to :data:`~polevents.verdict_store.MEMORY_SCREEN_MAX_QUADS` quads, the
   same stream also fills an in-memory copy, which the checks read (about 5x faster);
3. the SPARQL screen (:func:`polevents.validate.screen.screen`) runs on that store, its queries on
   two threads;
4. nothing flagged → conforms.  Something flagged, or shapes the screen cannot compile:
   pyshacl, the reference, decides and writes the report — when the data fits in memory
   (up to :data:`PYSHACL_MAX_TRIPLES`).  Above that, the build says so *before* running
   anything more and fails with the screen's findings, each with its file:line; when the
   screen could not compile the shapes, the verdict is undecided and the build fails too.
   Nothing is ever published on an undecided verdict.

A conforming verdict is recorded in the build cache under the digest of the inputs.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Final

from .errors import InputError, NonConformingError, PoleventsError
from .formats import RdfFormat
from .load import InputFiles, Layout
from .verdict_store import PersistentStore, StoreView, load_graphs
from .vocab import ONTOLOGY_IRI

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph
    import rdflib

    from .validate.screen import ScreenReport

__all__ = ["ON_DISK_MIN_BYTES", "PYSHACL_MAX_TRIPLES", "VALIDATORS", "decide", "load_store", "store_on_disk"]

#: Validators ``build`` may use: "auto" = build cache, then the SPARQL screen, then pyshacl
#: whenever the screen flags anything or cannot compile the shapes; "pyshacl" = always pyshacl.
VALIDATORS: Final = ("auto", "pyshacl")
#: From this many bytes of input files on, the validation store is on disk.
ON_DISK_MIN_BYTES: Final = 12_000_000
#: Up to this many triples, pyshacl (which holds the data in memory) gives the verdict when the
#: screen flags something; above, the screen's findings are the report.
PYSHACL_MAX_TRIPLES: Final = 500_000
CACHE_NOTE: Final = ".polevents-cache/, --no-cache to validate anyway"


def store_on_disk(layout: Layout) -> bool:
    """Whether :func:`decide` validates ``layout``'s project on an on-disk store (else in memory)."""
    return layout.data_bytes >= ON_DISK_MIN_BYTES


def _graph_nquads(data: bytes, path: Path, graph: str, base: str) -> bytes:
    """The triples of one input file as N-Quads in ``graph`` (Oxigraph parses and writes)."""
    import pyoxigraph as ox

    from .errors import Position, RdfSyntaxError

    fmt = RdfFormat.from_path(path)
    try:
        quads = ox.parse(data, format=fmt.oxigraph, base_iri=base)
        triples = ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES) or b""
    except SyntaxError as exc:
        raise RdfSyntaxError.from_parser(path, exc) from exc
    except UnicodeDecodeError as exc:
        raise RdfSyntaxError(Position(path, None, None), f"not UTF-8: {exc}") from exc
    except (MemoryError, ValueError):  # a term too long for the parser, a base IRI it refuses
        from .load import parse_file

        parse_file(path, base)  # raises the loader's error, which says where and what to do
        raise
    # canonical N-Triples escapes line breaks: " .\n" ends a line and nothing else
    return triples.replace(b" .\n", f" <{graph}> .\n".encode())


def load_store(layout: Layout, folder: Path | None, inputs: InputFiles | None = None) -> StoreView:
    """Read and hash every input file once; an Oxigraph store of the ontology and source graphs.

    ``folder``: where the on-disk store goes (``None``: in memory); ``inputs``: the files' bytes
    if the caller has read them already (a small project).  Returns the store with the SHA-256
    of each file read (ontology, shapes, data), the number of quads and, on disk, the in-memory
    copy to screen when it is small enough (:func:`polevents.verdict_store.load_graphs`).
    """
    import pyoxigraph as ox

    digests: dict[Path, str] = {}

    def read(path: Path) -> bytes:
        data = inputs.contents[path] if inputs is not None else _read(path)
        digests[path] = hashlib.sha256(data).hexdigest()
        return data

    store = ox.Store(str(folder)) if folder is not None else ox.Store()
    groups = [(ONTOLOGY_IRI, layout.ontology_files), *layout.sources]
    altered: dict[str, str] = {}
    quads, copy = load_graphs(
        store, groups, read, _graph_nquads, layout.config.base, copy=folder is not None, altered=altered
    )
    for path in layout.shape_files:
        read(path)
    return StoreView(store, digests, quads, copy=copy, altered=altered)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from exc


def _findings(store: pyoxigraph.Store, found: ScreenReport, layout: Layout) -> str:
    """The screen's results, each with the file and line that describe its focus node."""
    import pyoxigraph as ox

    from .validate import find_line

    files = dict(layout.sources)
    root = layout.config.root
    cache: dict[Path, list[str]] = {}
    lines = []
    for result in found.results:
        where = ""
        if not result.focus.startswith("_:"):
            quads = store.quads_for_pattern(ox.NamedNode(result.focus), None, None)
            graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
            for graph in sorted(graphs):
                for path in files.get(graph, layout.ontology_files if graph == ONTOLOGY_IRI else []):
                    if path not in cache:
                        cache[path] = path.read_text(encoding="utf-8", errors="replace").splitlines()
                    line = find_line(cache[path], result.focus, layout.config.base)
                    if line is not None:
                        where = f"{path.relative_to(root).as_posix() if path.is_relative_to(root) else path}:{line}: "
                        break
                if where:
                    break
        lines.append(f"{where}{result.severity}: <{result.focus}> {result.rule}")
    return "\n".join(lines)


def decide(
    layout: Layout,
    say: Callable[[str], None],
    *,
    validator: str = "auto",
    use_cache: bool = True,
    cache_dir: Path | None = None,
    inputs: InputFiles | None = None,
    shapes_required: bool = True,
    checkpoint: Path | None = None,
) -> str:
    """Raise :class:`NonConformingError` unless the project's inputs conform; their digest.

    :param cache_dir: the build cache folder (``.polevents-cache``): the on-disk store is
        made in it (else in a temporary folder).
    :param inputs: the bytes of the files, if the caller has read them (each file is read once).
    :param shapes_required: refuse a project without SHACL shapes (exit 2); when false, only the
        terms the data uses are checked (``--no-shapes``).
    :param checkpoint: a folder that does not exist yet: when the verdict is "conforms" and the
        store is on disk, a RocksDB checkpoint of it (``Store.backup``: hard links, no copy) is
        written there, so the build's query index is made from the quads loaded here instead of
        a second load (:func:`polevents.store.index_from_checkpoint`).  Nothing is written there
        otherwise (an in-memory store, a verdict from pyshacl, a failure).

    The terms the data uses are checked first, on the same store (closed vocabulary, dangling
    IRIs: :mod:`polevents.validate.terms`); any problem there goes to the full report (pyshacl's
    run reports them), or — data too large for it — is the report.
    """
    from concurrent.futures import ThreadPoolExecutor

    from .cache import BuildCache, input_digest
    from .validate import count_shapes, no_shapes_error
    from .validate.terms import check_terms

    if validator not in VALIDATORS:
        raise InputError(f"unknown validator {validator!r}; use one of: {', '.join(VALIDATORS)}")
    started = time.perf_counter()
    config = layout.config
    cache = BuildCache.of(config)
    on_disk = store_on_disk(layout)
    parent = cache_dir if cache_dir is not None else Path(tempfile.gettempdir())
    if on_disk:
        parent.mkdir(parents=True, exist_ok=True)
    persistent = PersistentStore(cache_dir) if on_disk and use_cache and cache_dir is not None else None
    work = Path(tempfile.mkdtemp(prefix=".validation-", dir=parent)) if on_disk and persistent is None else None
    view = None
    try:
        if persistent is not None:
            try:
                view = persistent.open(layout, inputs, _graph_nquads, say)
            except OSError as exc:  # the store is in use (another build): a store of our own
                say(f"validation: the kept store cannot be opened ({exc}); using a new one")
                persistent = None
                work = Path(tempfile.mkdtemp(prefix=".validation-", dir=parent))
        if view is None:
            view = load_store(layout, work / "store" if work is not None else None, inputs)
        store, digests, quads = view.store, view.digests, view.quads
        key = input_digest(config, digests)
        shapes = _shapes(layout, inputs)
        has_shapes = count_shapes(shapes) > 0
        if not has_shapes and shapes_required:  # before the cache: a --no-shapes verdict is no way round it
            raise no_shapes_error(config.shapes_dir)
        if use_cache and validator == "auto" and cache.conformed(key) is not None:
            say(f"validation: conforms (inputs unchanged since a conforming build: {CACHE_NOTE})")
            if on_disk:
                _checkpoint(store, checkpoint, say)
            if persistent is not None:
                # the screen's results are kept when the content is the one they were found on;
                # else brought up to date by an incremental screen (without them, the next
                # rebuild would screen everything in full)
                memory = view.memory if view is not None and view.changed == [] else None
                if memory is None and view is not None and has_shapes and validator == "auto":
                    memory = _remember(store, shapes, view, say)
                persistent.conformed(memory)
            return key
        where = "an on-disk" if on_disk else "an in-memory"
        copied = ", screened in an in-memory copy" if view.copy is not None else ""
        say(f"validation: {quads} quads in {where} store{copied} in {time.perf_counter() - started:.2f}s")
        found = None
        if validator == "auto":
            # the term checks (mostly Python) run in a thread beside the screen (Oxigraph, GIL
            # released); the screen's report counts only when they find nothing
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="polevents-terms") as pool:
                terms = pool.submit(check_terms, view.screened, config.base, only=_iris(view.changed))
                if has_shapes and not view.altered:
                    found = _screen(view.screened, shapes, say, view)
                problems = terms.result()
            if problems:
                found = None
                say(f"validation: {len(problems)} unknown term(s) or undeclared IRI(s); running the full check")
                if quads > PYSHACL_MAX_TRIPLES:
                    listed = "\n".join(f"{p.message} (<{p.iri}>)" for p in problems)
                    raise NonConformingError(
                        f"the data uses {len(problems)} unknown term(s) or undeclared IRI(s); nothing was "
                        f"published. Findings:\n{listed}"
                    )
            elif not has_shapes:
                say(f"validation: terms checked, no shapes (--no-shapes) in {time.perf_counter() - started:.2f}s")
                if use_cache:
                    cache.record(key, validator="terms", warnings=0)
                return key
            elif view.altered:  # the screen would read other literals than pyshacl does
                where = next(iter(sorted(view.altered.values())))
                say(
                    f"validation: {len(view.altered)} graph(s) have literals Oxigraph's store keeps otherwise than "
                    f"written ({where}); the SPARQL screen cannot decide, pyshacl does"
                )
        if found is not None and found.conforms:
            warnings = len(found.results)
            note = f", {warnings} warning(s): see `polevents validate`" if warnings else ""
            say(f"validation: conforms (SPARQL screen{note}) in {time.perf_counter() - started:.2f}s")
            if use_cache:
                cache.record(key, validator="screen", warnings=warnings)
            if on_disk:
                _checkpoint(store, checkpoint, say)
            if persistent is not None:
                persistent.conformed(view.memory if view is not None else None)
            return key
        if quads > PYSHACL_MAX_TRIPLES and validator == "auto":
            if found is None:
                why = "the SPARQL screen cannot check these shapes"
                if view.altered:
                    listed = "; ".join(sorted(view.altered.values())[:5])
                    why = (
                        f"the SPARQL screen reads Oxigraph's store, which keeps {len(view.altered)} graph(s)' literals "
                        f"otherwise than written ({listed}; write them in canonical form with their primitive "
                        'datatype, e.g. "1"^^xsd:integer)'
                    )
                raise PoleventsError(
                    f"cannot decide whether the data conforms: {why}, and the data ({quads} quads) is too large "
                    f"for pyshacl in memory (up to {PYSHACL_MAX_TRIPLES}); nothing was published"
                )
            say(
                f"validation: the screen flags {found.violations} node(s); the data ({quads} quads) is too large "
                f"for pyshacl in memory (up to {PYSHACL_MAX_TRIPLES}): reporting the screen's findings"
            )
            raise NonConformingError(
                f"the data does not conform to the shapes (SPARQL screen: {found.violations} node(s) flagged); "
                f"nothing was published. Findings:\n{_findings(view.screened, found, layout)}"
            )
        del store, view  # pyshacl holds the data in memory: the stores go first
        return _pyshacl(layout, key, found, say, use_cache, started, inputs, shapes_required)
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)


def _checkpoint(store: pyoxigraph.Store, folder: Path | None, say: Callable[[str], None]) -> None:
    """A checkpoint of the on-disk ``store`` in ``folder``/store (see :func:`decide`); a failure only
    means the query index is loaded from the dump, as it would be without one."""
    from .store import STORE_DIR

    if folder is None:
        return
    try:
        folder.mkdir(parents=True)
        store.flush()
        store.backup(str(folder / STORE_DIR))
    except OSError as exc:
        say(f"validation: no checkpoint of the store for the query index ({exc}); it is loaded from the dump")
        shutil.rmtree(folder, ignore_errors=True)


def require_shapes(layout: Layout, inputs: InputFiles | None) -> None:
    """Refuse a project without SHACL shapes (:func:`polevents.validate.no_shapes_error`)."""
    from .validate import count_shapes, no_shapes_error

    if not count_shapes(_shapes(layout, inputs)):
        raise no_shapes_error(layout.config.shapes_dir)


def _shapes(layout: Layout, inputs: InputFiles | None) -> rdflib.Graph:
    from .load import parse_file, to_rdflib_graph

    base = layout.config.base
    return to_rdflib_graph(
        t for f in layout.shape_files for t in (inputs.parse(f, base) if inputs is not None else parse_file(f, base))
    )


def _iris(changed: list[pyoxigraph.Triple] | None) -> set[str] | None:
    """The IRIs of the changed triples (None: everything is new, check every term)."""
    import pyoxigraph as ox

    if changed is None:
        return None
    return {t.value for triple in changed for t in triple if isinstance(t, ox.NamedNode)}


def _remember(store: pyoxigraph.Store, shapes: rdflib.Graph, view: StoreView, say: Callable[[str], None]) -> object:
    """The screen's results on the kept store's new content, when the verdict came from the build
    cache (those inputs conformed before) but the store changed since its last check: an
    incremental screen from the last results, only when it narrows (else None: no results kept,
    and the next rebuild screens in full, as before)."""
    from .validate.incremental import Memory, Plan

    memory = Memory.from_json(view.memory)
    if view.changed is None or memory is None or Plan(store, view.changed, memory).everything:
        return None
    say("validation: bringing the screen's kept results up to date with the store")
    return view.memory if _screen(store, shapes, say, view) is not None else None


def _screen(
    store: pyoxigraph.Store, shapes: rdflib.Graph, say: Callable[[str], None], view: StoreView | None = None
) -> ScreenReport | None:
    """The screen's report; with the kept store (``view``), only where the change can matter, and
    ``view.memory`` becomes this check's results (:mod:`polevents.validate.incremental`)."""
    from .validate.incremental import Memory, screen_incremental
    from .validate.screen import Unsupported, compile_shapes, screen

    try:
        compiled = compile_shapes(shapes)
        say(f"validation: screening with {compiled.queries} SPARQL queries")
        if view is None:
            return screen(store, compiled, progress=say)
        report, memory, note = screen_incremental(store, compiled, view.changed, Memory.from_json(view.memory), say)
        view.memory = memory.to_json()
        say(f"validation: screened {note}")
        return report
    except Unsupported as exc:
        say(f"validation: the SPARQL screen cannot check these shapes ({exc})")
        return None


def _pyshacl(
    layout: Layout,
    key: str,
    found: ScreenReport | None,
    say: Callable[[str], None],
    use_cache: bool,
    started: float,
    inputs: InputFiles | None,
    shapes_required: bool,
) -> str:
    from .cache import BuildCache, input_digest
    from .validate import validate_project

    project = layout.load(inputs)
    if input_digest(layout.config, project.digests) != key:
        raise InputError("files changed while the project was being validated; nothing was published; build again")
    n_triples = sum(len(src.triples) for src in project.sources)
    if found is not None:
        say(f"validation: the screen flags {found.violations} node(s); running pyshacl for the report")
    say(f"validation: pyshacl on {n_triples} triples")
    report = validate_project(project, shapes_required=shapes_required)
    if not report.conforms:
        raise NonConformingError(
            f"the data does not conform to the shapes ({len(report.results)} result(s)); "
            f"nothing was published. Details:\n{report.to_text()}"
        )
    say(f"validation: conforms (pyshacl) in {time.perf_counter() - started:.2f}s")
    if use_cache:
        BuildCache.of(layout.config).record(key, validator="pyshacl", warnings=len(report.results))
    return key
