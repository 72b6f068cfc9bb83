"""Build stage: load → validate → export into a fresh folder → swap it in atomically.

A build that fails at any step (broken RDF, non-conforming data, a write error)
leaves the previous output folder exactly as it was: the new files are written
into a sibling temporary folder, which replaces the output folder only when
complete (two renames on the same file system).
"""

from __future__ import annotations

import dataclasses
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .config import ProjectConfig
from .dataset import dist_folder
from .errors import InputError, NonConformingError, PoleventsError
from .load import InputFiles, Layout, Project
from .staging import new_staging, remove_stale
from .store import INDEX_DIR

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

__all__ = ["VALIDATORS", "BuildResult", "build", "publish_atomically"]


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote."""

    out_dir: Path
    files: list[Path]
    quads: int
    sources: int
    seconds: float


def _progress(message: str) -> None:
    print(f"polevents: {message}", file=sys.stderr, flush=True)


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


#: Validators ``build`` may use: "auto" = build cache, then the SPARQL screen, then pyshacl
#: whenever the screen flags anything or cannot compile the shapes; "pyshacl" = always pyshacl.
VALIDATORS = ("auto", "pyshacl")


@dataclass
class _Inputs:
    """What validation needs, however it was loaded (in-process, or by a forked worker)."""

    config: ProjectConfig
    digests: dict[Path, str]
    shapes: list[pyoxigraph.Triple]
    make_store: Callable[[], pyoxigraph.Store]
    make_project: Callable[[], Project]

    @classmethod
    def of_project(cls, project: Project) -> _Inputs:
        return cls(project.config, project.digests, project.shapes, project.store, lambda: project)

    @classmethod
    def of_files(cls, root: Path) -> _Inputs:
        """Read straight from the files, the store by Oxigraph alone (for a worker forked before
        the parent loads anything).  Each file is read once: the digests (for the cache), the
        store and, if pyshacl is needed, the project are all made of those bytes."""
        layout = Layout.of(root)
        inputs = layout.read()
        shapes = [t for f in layout.shape_files for t in inputs.parse(f, layout.config.base)]
        return cls(layout.config, inputs.digests, shapes, lambda: layout.store(inputs), lambda: layout.load(inputs))


def _validate(
    inputs: _Inputs, say: Callable[[str], None], validator: str, use_cache: bool, shapes_required: bool = True
) -> str:
    """Raise :class:`NonConformingError` unless the inputs conform; pyshacl has the last word.

    The SPARQL screen (:mod:`polevents.validate.screen`) never misses what pyshacl reports, so
    when it flags nothing the data conforms; when it flags something, pyshacl decides and
    writes the report.  A conforming verdict is remembered in the build cache under the
    digest of every input, so an unchanged project is not validated again.  Returns that
    digest.

    The terms the data uses are checked first, on the same store (closed vocabulary, dangling
    IRIs: :mod:`polevents.validate.terms`); any problem there goes to the full report.  Without
    shapes the build stops (:func:`polevents.validate.no_shapes_error`) unless ``shapes_required``
    is false, when only the terms are checked.
    """
    from .cache import BuildCache, input_digest
    from .load import to_rdflib_graph
    from .validate import count_shapes, no_shapes_error, validate_project

    if validator not in VALIDATORS:
        raise InputError(f"unknown validator {validator!r}; use one of: {', '.join(VALIDATORS)}")
    shapes = to_rdflib_graph(inputs.shapes)
    has_shapes = count_shapes(shapes) > 0
    if not has_shapes and shapes_required:
        raise no_shapes_error(inputs.config.shapes_dir)
    started = time.perf_counter()
    cache = BuildCache.of(inputs.config)
    key = input_digest(inputs.config, inputs.digests)
    if use_cache and validator == "auto":
        hit = cache.conformed(key)
        if hit is not None:
            say(f"validation: conforms (inputs unchanged since a conforming build: {CACHE_NOTE})")
            return key
    if validator == "auto":
        from .validate.screen import Unsupported, compile_shapes, screen
        from .validate.terms import check_terms

        found = None
        store = inputs.make_store()
        problems = check_terms(store, inputs.config.base)
        if problems:
            say(
                f"validation: {len(problems)} unknown term(s) or undeclared IRI(s); running the full check for the report"
            )
        elif not has_shapes:
            say(f"validation: terms checked, no shapes (--no-shapes) in {time.perf_counter() - started:.2f}s")
            if use_cache:
                cache.record(key, validator="terms", warnings=0)
            return key
        else:
            try:
                compiled = compile_shapes(shapes)
                say(f"validation: screening with {compiled.queries} SPARQL queries")
                found = screen(store, compiled, progress=say)
            except Unsupported as exc:
                say(f"validation: the SPARQL screen cannot check these shapes ({exc}); running pyshacl")
        del store
        if found is not None:
            if found.conforms:
                warnings = len(found.results)
                note = f", {warnings} warning(s): see `polevents validate`" if warnings else ""
                say(f"validation: conforms (SPARQL screen{note}) in {time.perf_counter() - started:.2f}s")
                if use_cache:
                    cache.record(key, validator="screen", warnings=warnings)
                return key
            say(f"validation: the screen flags {found.violations} node(s); running pyshacl for the report")
    project = inputs.make_project()
    n_triples = sum(len(src.triples) for src in project.sources)
    say(
        f"validation: pyshacl on {n_triples} triples"
        + (" (it runs about 90 s per million triples on a 2-core machine)" if n_triples >= 200_000 else "")
    )
    report = validate_project(project, shapes_required=shapes_required)
    if not report.conforms:
        raise NonConformingError(
            f"the data does not conform to the shapes ({len(report.results)} result(s)); "
            f"nothing was published. Details:\n{report.to_text()}"
        )
    say(f"validation: conforms (pyshacl) in {time.perf_counter() - started:.2f}s")
    if use_cache:
        cache.record(key, validator="pyshacl", warnings=len(report.results))
    return key


CACHE_NOTE = ".polevents-cache/, --no-cache to validate anyway"

#: From this many bytes of source files on (about 200,000 triples of Turtle), validation runs
#: in a forked child, beside loading and export.
PARALLEL_MIN_BYTES = 12_000_000


class _BackgroundValidation:
    """:func:`_validate` in a forked child process, so it runs beside loading and export.

    The child is forked before the parent parses anything: it reads the files itself into
    its own Oxigraph store (Oxigraph parses; no Python object per triple), and sends back
    one JSON document: ``{"ok": true, "key": digest}`` or ``{"ok": false, "error": payload}``
    (:meth:`PoleventsError.to_payload`), raised again in the parent.  The parent checks
    that the digest is that of the bytes it loaded (so both saw the same files), and
    publishes nothing before :meth:`join` has returned.
    """

    def __init__(
        self, root: Path, say: Callable[[str], None], validator: str, use_cache: bool, shapes_required: bool = True
    ) -> None:
        import os

        read_fd, write_fd = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: validate, report, leave without running the parent's cleanup
            from .process import die_with_parent

            die_with_parent()  # ends with the build, even one killed with SIGKILL (#12 row 9)
            os.close(read_fd)
            payload: dict[str, object]
            try:
                key = _validate(_Inputs.of_files(root), say, validator, use_cache, shapes_required)
                payload = {"ok": True, "key": key}
            except PoleventsError as exc:
                payload = {"ok": False, "error": exc.to_payload()}
            except BaseException:
                import traceback

                payload = {"ok": False, "crash": traceback.format_exc()}
            try:
                import json

                with os.fdopen(write_fd, "w", encoding="utf-8") as out:
                    out.write(json.dumps(payload))
                sys.stderr.flush()
            finally:
                os._exit(0)
        os.close(write_fd)
        self.pid = pid
        self.read_fd = read_fd

    def join(self, key: str) -> None:
        """Wait for the verdict on the inputs with digest ``key``; raise what the child raised."""
        import json
        import os

        with os.fdopen(self.read_fd, "r", encoding="utf-8") as pipe:
            text = pipe.read()
        _pid, status = os.waitpid(self.pid, 0)
        self.pid = 0
        try:
            payload = json.loads(text)
        except ValueError:
            raise PoleventsError(
                f"validation stopped unexpectedly (exit status {status}); nothing was published"
            ) from None
        if payload.get("ok"):
            if payload.get("key") != key:
                raise InputError(
                    "files changed while the project was being built (the validated bytes are "
                    "not the exported ones); nothing was published; build again"
                )
            return
        if "crash" in payload:
            raise RuntimeError(f"validation failed in the worker process:\n{payload['crash']}")
        raise PoleventsError.from_payload(payload["error"])

    def kill(self) -> None:
        """Stop the child (the build failed elsewhere)."""
        import os
        import signal

        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.pid = 0


def _up_to_date(config: ProjectConfig, inputs: InputFiles, out: Path) -> BuildResult | None:
    """The result of the last build into ``out`` when ``inputs`` are byte-identical to its
    inputs and ``out`` is unchanged since (see :meth:`BuildCache.output_current`)."""
    from .cache import SUMS, BuildCache, input_digest

    entry = BuildCache.of(config).output_current(input_digest(config, inputs.digests), out)
    if entry is None:
        return None
    names = sorted(p.name for p in out.iterdir() if p.name != SUMS and not p.name.startswith(INDEX_DIR))
    return BuildResult(
        out_dir=out,
        files=[out / n for n in names] + [out / SUMS],
        quads=int(str(entry.get("quads", 0))),
        sources=int(str(entry.get("sources", 0))),
        seconds=0.0,
    )


def build(
    project_dir: Path,
    out_dir: Path | None = None,
    *,
    quiet: bool = False,
    validator: str = "auto",
    use_cache: bool = True,
    parallel: bool | None = None,
    shapes_required: bool = True,
) -> BuildResult:
    """Build the project at ``project_dir`` into ``out_dir`` (default ``dist/``).

    :param validator: "auto" (cache, SPARQL screen, pyshacl when needed) or "pyshacl" (always).
    :param use_cache: read and write the build cache (``.polevents-cache/``).
    :param parallel: validate in a forked child while the dumps are written into the staging
        folder (default: from :data:`PARALLEL_MIN_BYTES` of source files on, where ``os.fork``
        exists).
        The staging folder replaces the output only once the data is known to conform.
    :param shapes_required: refuse a project without SHACL shapes (exit 2); when false, only the
        terms the data uses are checked (the CLI's ``--no-shapes``).
    """
    import os

    from .export import write_dist
    from .store import ensure_index

    started = time.perf_counter()
    say = (lambda _m: None) if quiet else _progress
    if validator not in VALIDATORS:
        raise InputError(f"unknown validator {validator!r}; use one of: {', '.join(VALIDATORS)}")
    layout = Layout.of(project_dir)
    out = dist_folder(layout.config.root, out_dir).resolve()
    inputs: InputFiles | None = None  # read once: for the cache check, then for loading
    if use_cache and validator == "auto":
        inputs = layout.read()
        current = _up_to_date(layout.config, inputs, out)
        if current is not None:
            seconds = time.perf_counter() - started
            say(
                f"up to date: {out} was built from these inputs and is unchanged (checked against its "
                f"SHA256SUMS); nothing to do ({seconds:.2f}s; --no-cache to build anyway)"
            )
            return dataclasses.replace(current, seconds=seconds)
    if parallel is None:
        parallel = layout.data_bytes >= PARALLEL_MIN_BYTES
    background: _BackgroundValidation | None = None
    if parallel and hasattr(os, "fork"):
        background = _BackgroundValidation(layout.config.root, say, validator, use_cache, shapes_required)
        say("validation: running beside loading and export; nothing is published unless the data conforms")
    try:
        project: Project = layout.load(inputs)
    except BaseException:
        if background is not None:
            background.kill()
        raise
    inputs = None  # the bytes are parsed: let them go before the export
    n_triples = sum(len(s.triples) for s in project.sources) + len(project.ontology)
    say(f"loaded {len(project.sources)} source graph(s), {n_triples} triples in {time.perf_counter() - started:.2f}s")
    if background is None:
        _validate(_Inputs.of_project(project), say, validator, use_cache, shapes_required)
    out.parent.mkdir(parents=True, exist_ok=True)
    for stale in remove_stale(out):
        say(f"removed {stale.name}, the staging folder of a build that did not finish")
    staging = new_staging(out)
    exported = time.perf_counter()
    try:
        files = write_dist(project, staging)
        ensure_index(staging)  # the query index (dist/.index/), keyed by the dump: query and serve open it
        if background is not None:
            say(f"export written to the staging folder in {time.perf_counter() - exported:.2f}s")
            from .cache import input_digest

            background.join(input_digest(project.config, project.digests))
        publish_atomically(staging, out)
    except BaseException:
        if background is not None:
            background.kill()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if use_cache:
        from .cache import BuildCache, input_digest

        BuildCache.of(project.config).record_output(
            input_digest(project.config, project.digests), out, quads=n_triples, sources=len(project.sources)
        )
    seconds = time.perf_counter() - started
    say(f"wrote {len(files)} files to {out} in {time.perf_counter() - exported:.2f}s (build {seconds:.2f}s)")
    return BuildResult(
        out_dir=out,
        files=[out / f.relative_to(staging) for f in files],
        quads=n_triples,
        sources=len(project.sources),
        seconds=seconds,
    )
