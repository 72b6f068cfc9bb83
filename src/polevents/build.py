"""Build stage: load → validate → export into a fresh folder → swap it in atomically.

A build that fails at any step (broken RDF, non-conforming data, a write error)
leaves the previous output folder exactly as it was: the new files are written
into a sibling temporary folder, which replaces the output folder only when
complete (two renames on the same file system).
"""

from __future__ import annotations

import dataclasses
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .config import ProjectConfig
from .dataset import DUMP_NQUADS, dist_folder
from .errors import InputError, PoleventsError
from .load import InputFiles, Layout
from .staging import new_staging, remove_stale
from .store import ensure_index
from .verdict import CACHE_NOTE, VALIDATORS, store_on_disk

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

    from .export.chunks import GraphChunk
    from .export.release import GraphInput

__all__ = ["CACHE_NOTE", "VALIDATORS", "BuildResult", "build", "publish_atomically"]


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote."""

    out_dir: Path
    files: list[Path]
    quads: int
    sources: int
    seconds: float


def _silent(message: str) -> None:
    """The default progress callback: the library prints nothing (the CLI passes its own)."""


def publish_atomically(staging: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` by ``staging``; on failure the old ``out_dir`` is restored."""
    backup = out_dir.with_name(f".{out_dir.name}.old")
    if backup.exists():
        shutil.rmtree(backup)
    had_old = out_dir.exists()
    if had_old:
        out_dir.rename(backup)
    try:
        staging.rename(out_dir)
    except OSError as exc:
        if had_old:
            backup.rename(out_dir)
        raise InputError(f"{out_dir}: cannot publish the build: {exc.strerror}") from exc
    if had_old:
        shutil.rmtree(backup, ignore_errors=True)


#: From this many bytes of source files on (about 200,000 triples of Turtle), validation runs
#: in a forked child, beside the export.
PARALLEL_MIN_BYTES = 12_000_000


class _BackgroundValidation:
    """:func:`_validate` in a forked child process, so it runs beside loading and export.

    The child (:meth:`polevents.process.Child.fork`: it dies with the build, even one killed
    with SIGKILL) is forked before the parent parses anything: it reads the files itself into
    its own Oxigraph store (:func:`polevents.verdict.decide`: on disk for big projects), and
    answers with the digest of what it read, or the error it met as an
    :class:`~polevents.errors.ErrorPayload`, raised again in the parent.  The parent checks
    that the digest is that of the bytes it loaded (so both saw the same files), and
    publishes nothing before :meth:`join` has returned.  With ``checkpoint``, a child that
    finds the data conforming leaves a checkpoint of its on-disk store there, from which the
    parent makes the query index (:func:`_index`).
    """

    def __init__(
        self,
        root: Path,
        say: Callable[[str], None],
        validator: str,
        use_cache: bool,
        shapes_required: bool = True,
        checkpoint: Path | None = None,
    ) -> None:
        from .process import Child, Message

        def work() -> Message:
            from .verdict import decide

            layout = Layout.of(root)
            key = decide(
                layout,
                say,
                validator=validator,
                use_cache=use_cache,
                cache_dir=_cache_dir(layout),
                shapes_required=shapes_required,
                checkpoint=checkpoint,
            )
            return Message({"key": key})

        self.child = Child.fork(work, what="validation")

    def join(self, key: str) -> None:
        """Wait for the verdict on the inputs with digest ``key``; raise what the child raised."""
        from .errors import WorkerError

        try:
            reply = self.child.result()
        except WorkerError as exc:
            raise PoleventsError(f"{exc}; nothing was published") from None
        if reply.header.get("key") != key:
            raise InputError(
                "files changed while the project was being built (the validated bytes are "
                "not the exported ones); nothing was published; build again"
            )

    def kill(self) -> None:
        """Stop the child (the build failed elsewhere)."""
        self.child.kill()


#: Where the validation child checkpoints its on-disk store (in a staging folder of its own).
CHECKPOINT = "index"


def _rocksdb_threads() -> bool:
    """Whether this process runs RocksDB's background threads (it has opened an on-disk store).

    A forked child does not get them, and its first RocksDB flush or compaction then waits for
    ever: such a process must not validate on disk in a forked child.
    """
    import contextlib

    tasks = Path("/proc/self/task")
    with contextlib.suppress(OSError):
        for task in tasks.iterdir():
            with contextlib.suppress(OSError):
                if (task / "comm").read_text().startswith("rocksdb"):
                    return True
    return False


def _new_staging(out: Path, say: Callable[[str], None]) -> Path:
    """A new staging folder for ``out``, after removing those of builds that did not finish."""
    out.parent.mkdir(parents=True, exist_ok=True)
    for stale in remove_stale(out):
        say(f"removed {stale.name}, the staging folder of a build that did not finish")
    return new_staging(out)


def _index(staging: Path, checkpoint: Path, chunks: list[GraphChunk], say: Callable[[str], None]) -> None:
    """The query index of ``staging`` from the validation store's ``checkpoint``
    (:func:`polevents.store.index_from_checkpoint`: its blank nodes get the dump's canonical
    labels, its graphs and counts are checked against the dump's); when there is no checkpoint
    or it is not the dump's quads, the index is loaded from the dump (:func:`ensure_index`)."""
    import pyoxigraph as ox

    from .export import DUMP_STEM
    from .store import index_from_checkpoint

    started = time.perf_counter()
    if checkpoint.is_dir():
        blank = {
            c.iri: [
                q.triple
                for q in ox.parse(
                    b"".join(line + b" .\n" for line in c.lines() if b"_:" in line), format=ox.RdfFormat.N_TRIPLES
                )
            ]
            for c in chunks
            if c.meta.bnodes
        }
        union = staging / f"{DUMP_STEM}.nt"
        distinct = None
        if union.is_file():
            with union.open("rb") as f:
                distinct = sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b""))
        try:
            graphs = {c.iri: c.meta.triples for c in chunks}
            digest = _listed_digest(staging, DUMP_NQUADS)
            index_from_checkpoint(staging, checkpoint, graphs=graphs, blank=blank, distinct=distinct, digest=digest)
            say(f"query index: the validation store, checked against the dump, in {time.perf_counter() - started:.2f}s")
            return
        except InputError as exc:
            say(f"query index: {exc}; loading the dump instead")
        finally:
            shutil.rmtree(checkpoint, ignore_errors=True)
    ensure_index(staging)
    say(f"query index: loaded from the dump in {time.perf_counter() - started:.2f}s")


def _listed_digest(folder: Path, name: str) -> str | None:
    """The SHA-256 that ``folder``'s ``SHA256SUMS`` lists for ``name`` (the export hashed the bytes
    as it wrote them: no second read of the file), or None."""
    import contextlib

    from .export import SHA256SUMS

    with contextlib.suppress(OSError, UnicodeDecodeError):
        for line in (folder / SHA256SUMS).read_text(encoding="utf-8").splitlines():
            digest, _, listed = line.partition("  ")
            if listed == name and len(digest) == 64:
                return digest
    return None


def _up_to_date(config: ProjectConfig, digests: dict[Path, str], out: Path) -> BuildResult | None:
    """The result of the last build into ``out`` when the inputs (``digests``) are byte-identical
    to its inputs and ``out`` is unchanged since (see :meth:`BuildCache.output_current`)."""
    from .cache import SUMS, BuildCache, input_digest

    entry = BuildCache.of(config).output_current(input_digest(config, digests), out)
    if entry is None:
        return None
    names = sorted(p.name for p in out.iterdir() if p.name != SUMS and not p.name.startswith("."))
    return BuildResult(
        out_dir=out,
        files=[out / n for n in names] + [out / SUMS],
        quads=int(str(entry.get("quads", 0))),
        sources=int(str(entry.get("sources", 0))),
        seconds=0.0,
    )


def _cache_dir(layout: Layout) -> Path:
    from .cache import CACHE_DIR

    return layout.config.root / CACHE_DIR


def _graph_inputs(layout: Layout, digests: dict[Path, str], inputs: InputFiles | None) -> list[GraphInput]:
    """The published graphs (ontology, one per source folder), keyed by the bytes of their files."""
    from .cache import code_digest, relative_names
    from .export.chunks import graph_key
    from .export.release import GraphInput
    from .vocab import ONTOLOGY_IRI

    config = layout.config
    code = code_digest()
    names = relative_names(
        [f for _iri, files in [("", layout.ontology_files), *layout.sources] for f in files], config.root
    )

    def reader(files: list[Path]) -> Callable[[], list[pyoxigraph.Triple]]:
        def read() -> list[pyoxigraph.Triple]:
            triples: list[pyoxigraph.Triple] = []
            for path in files:
                if inputs is not None:
                    triples.extend(inputs.parse(path, config.base))
                else:
                    triples.extend(layout.parse_verified(path, digests[path]))
            return triples

        return read

    graphs = []
    for iri, files in [(ONTOLOGY_IRI, layout.ontology_files), *layout.sources]:
        key = graph_key(iri, config.base, [(names[f], digests[f]) for f in files], code)
        graphs.append(GraphInput(iri, key, reader(files)))
    return graphs


def build(
    project_dir: Path,
    out_dir: Path | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    validator: str = "auto",
    use_cache: bool = True,
    parallel: bool | None = None,
    shapes_required: bool = True,
) -> BuildResult:
    """Build the project at ``project_dir`` into ``out_dir`` (default ``dist/``).

    :param progress: called with one line per step (loading, validation, writing); nothing by default.
    :param validator: "auto" (cache, SPARQL screen, pyshacl when needed) or "pyshacl" (always).
    :param use_cache: read and write the build cache (``.polevents-cache/``: verdicts, and the
        per-graph chunks a rebuild reuses).
    :param parallel: validate in a forked child while the dumps are written into the staging
        folder (default: from :data:`PARALLEL_MIN_BYTES` of source files on, where ``os.fork``
        exists).
        The staging folder replaces the output only once the data is known to conform.
    :param shapes_required: refuse a project without SHACL shapes (exit 2); when false, only the
        terms the data uses are checked (the CLI's ``--no-shapes``).
    """
    import os
    import tempfile
    from concurrent.futures import Future, ThreadPoolExecutor

    from .cache import BuildCache, input_digest
    from .export import write_release
    from .export.chunks import CHUNKS_DIR, ChunkCache
    from .export.release import make_chunks
    from .verdict import decide
    from .vocab import ONTOLOGY_IRI

    started = time.perf_counter()
    say = progress or _silent
    if validator not in VALIDATORS:
        raise InputError(f"unknown validator {validator!r}; use one of: {', '.join(VALIDATORS)}")
    layout = Layout.of(project_dir)
    config = layout.config
    out = dist_folder(config.root, out_dir).resolve()
    if parallel is None:
        parallel = layout.data_bytes >= PARALLEL_MIN_BYTES
    background: _BackgroundValidation | None = None
    staging: Path | None = None  # until it is published
    scratch: Path | None = None
    checkpoint: Path | None = None
    try:
        if store_on_disk(layout):
            # validation checkpoints its on-disk store here (a second staging folder: removed with
            # the build's, also by the next build when this one is killed): the query index
            scratch = _new_staging(out, say)
            checkpoint = scratch / CHECKPOINT
        if parallel and hasattr(os, "fork"):
            if checkpoint is not None and _rocksdb_threads():
                say("validation: in this process (it has used RocksDB: a forked child could not)")
            else:
                background = _BackgroundValidation(config.root, say, validator, use_cache, shapes_required, checkpoint)
        # a small project is read once into memory; a big one is hashed, then parsed graph by graph
        inputs = None if background is not None else layout.read()
        digests = inputs.digests if inputs is not None else layout.hash_files()
        key = input_digest(config, digests)
        if use_cache and validator == "auto":
            if shapes_required:  # an up-to-date dist/ built with --no-shapes is no way round the refusal
                from .verdict import require_shapes

                require_shapes(layout, inputs)
            current = _up_to_date(config, digests, out)
            if current is not None:
                if background is not None:
                    background.kill()
                seconds = time.perf_counter() - started
                say(
                    f"up to date: {out} was built from these inputs and is unchanged (checked against its "
                    f"SHA256SUMS); nothing to do ({seconds:.2f}s; --no-cache to build anyway)"
                )
                return dataclasses.replace(current, seconds=seconds)
        if background is not None:
            say("validation: running beside the export; nothing is published unless the data conforms")
        elif (
            decide(
                layout,
                say,
                validator=validator,
                use_cache=use_cache,
                cache_dir=_cache_dir(layout),
                inputs=inputs,
                shapes_required=shapes_required,
                checkpoint=checkpoint,
            )
            != key
        ):
            raise InputError("files changed while the project was being built; nothing was published; build again")
        with tempfile.TemporaryDirectory(prefix="polevents-build-") as tmp:
            cache = ChunkCache(_cache_dir(layout) / CHUNKS_DIR if use_cache else Path(tmp) / CHUNKS_DIR)
            chunks = make_chunks(_graph_inputs(layout, digests, inputs), cache, config.base, say)
            n_quads = sum(c.meta.triples for c in chunks)
            say(
                f"{len(layout.sources)} source graph(s), {n_quads} quads in canonical form in "
                f"{time.perf_counter() - started:.2f}s"
            )
            shapes = [
                t
                for f in layout.shape_files
                for t in (inputs.parse(f, config.base) if inputs is not None else layout.parse_verified(f, digests[f]))
            ]
            titles = {ONTOLOGY_IRI: "The ontology"}
            titles.update({iri: f"Facts from source {layout.folder_name(files)}" for iri, files in layout.sources})
            staging = written = _new_staging(out, say)
            exported = time.perf_counter()
            # the query index (dist/.index/, keyed by the dump: query and serve open it): made from
            # the checkpoint of the validation store when there is one (the quads are loaded once
            # per build), else loaded from the N-Quads dump in a thread (Oxigraph's bulk load
            # releases the GIL) while the other dumps are written
            index = ThreadPoolExecutor(max_workers=1, thread_name_prefix="polevents-index")
            indexed: list[Future[Path]] = []
            try:
                files = write_release(
                    config,
                    chunks,
                    cache,
                    shapes,
                    written,
                    titles=titles,
                    ontology_iri=ONTOLOGY_IRI,
                    work=Path(tmp),
                    after_nquads=None
                    if checkpoint is not None
                    else lambda _nq: indexed.append(index.submit(ensure_index, written)),
                )
                for future in indexed:
                    future.result()
            finally:
                index.shutdown(wait=True)
            if background is not None:
                say(f"export written to the staging folder in {time.perf_counter() - exported:.2f}s")
                background.join(key)
                background = None
            if checkpoint is not None:
                _index(written, checkpoint, chunks, say)
            elif not indexed:
                ensure_index(written)
            publish_atomically(written, out)
            staging = None
            if use_cache:
                cache.prune()
    except BaseException:
        if background is not None:
            background.kill()
        raise
    finally:
        for folder in (staging, scratch):
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
    if use_cache:
        BuildCache.of(config).record_output(key, out, quads=n_quads, sources=len(layout.sources))
    seconds = time.perf_counter() - started
    say(f"wrote {len(files)} files to {out} in {time.perf_counter() - exported:.2f}s (build {seconds:.2f}s)")
    return BuildResult(
        out_dir=out,
        files=[out / f.relative_to(written) for f in files],
        quads=n_quads,
        sources=len(layout.sources),
        seconds=seconds,
    )
