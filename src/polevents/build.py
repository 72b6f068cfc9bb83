"""Build stage: load → validate → export into a fresh folder → swap it in atomically.

A build that fails at any step (broken RDF, non-conforming data, a write error)
leaves the previous output folder exactly as it was: the new files are written
into a sibling temporary folder, which replaces the output folder only when
complete (two renames on the same file system).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, NonConformingError, PoleventsError
from .load import Project, load_project

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


def _validate(
    project: Project, say: Callable[[str], None], validator: str, use_cache: bool, *, from_files: bool = False
) -> None:
    """Raise :class:`NonConformingError` unless the project conforms; pyshacl has the last word.

    The SPARQL screen (:mod:`polevents.shacl_sparql`) never misses what pyshacl reports, so
    when it flags nothing the data conforms; when it flags something, pyshacl decides and
    writes the report.  A conforming verdict is remembered in the build cache under the
    digest of every input, so an unchanged project is not validated again.
    """
    from .cache import BuildCache, input_digest
    from .validate import validate_project

    if validator not in VALIDATORS:
        raise InputError(f"unknown validator {validator!r}; use one of: {', '.join(VALIDATORS)}")
    started = time.perf_counter()
    cache = BuildCache.of(project.config)
    key = input_digest(project.config, project.digests)
    if use_cache and validator == "auto":
        hit = cache.conformed(key)
        if hit is not None:
            say(f"validation: conforms (inputs unchanged since a conforming build: {CACHE_NOTE})")
            return
    if validator == "auto":
        from .load import to_rdflib_graph
        from .shacl_sparql import Unsupported, compile_shapes, screen

        try:
            compiled = compile_shapes(to_rdflib_graph(project.shapes))
        except Unsupported as exc:
            say(f"validation: the SPARQL screen cannot check these shapes ({exc}); running pyshacl")
        else:
            store = project.store_from_files() if from_files else project.store()
            say(f"validation: screening with {compiled.queries} SPARQL queries")
            found = screen(store, compiled)
            del store
            if found.conforms:
                warnings = len(found.results)
                note = f", {warnings} warning(s): see `polevents validate`" if warnings else ""
                say(f"validation: conforms (SPARQL screen{note}) in {time.perf_counter() - started:.2f}s")
                if use_cache:
                    cache.record(key, validator="screen", warnings=warnings)
                return
            say(f"validation: the screen flags {found.violations} node(s); running pyshacl for the report")
    report = validate_project(project)
    if not report.conforms:
        raise NonConformingError(
            f"the data does not conform to the shapes ({len(report.results)} result(s)); "
            f"nothing was published. Details:\n{report.to_text()}"
        )
    say(f"validation: conforms (pyshacl) in {time.perf_counter() - started:.2f}s")
    if use_cache:
        cache.record(key, validator="pyshacl", warnings=len(report.results))


CACHE_NOTE = ".polevents-cache/, --no-cache to validate anyway"

#: From this many triples on, validation runs in a forked child while the dumps are written.
PARALLEL_MIN_TRIPLES = 200_000


class _BackgroundValidation:
    """:func:`_validate` in a forked child process, so it runs beside the export.

    The child inherits the loaded project (copy-on-write) and builds its own Oxigraph
    store from the same file bytes (checked against the digests of the load); it sends
    back one JSON line: ``{"ok": true}`` or the error.  Nothing is published before
    :meth:`join` has returned, so a non-conforming project publishes nothing.
    """

    def __init__(self, project: Project, say: Callable[[str], None], validator: str, use_cache: bool) -> None:
        import os

        read_fd, write_fd = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: validate, report, leave without running the parent's cleanup
            os.close(read_fd)
            payload: dict[str, object]
            try:
                _validate(project, say, validator, use_cache, from_files=True)
                payload = {"ok": True}
            except PoleventsError as exc:
                payload = {"ok": False, "error": type(exc).__name__, "exit_code": exc.exit_code, "message": str(exc)}
            except BaseException:  # noqa: BLE001 - reported to the parent, which raises
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

    def join(self) -> None:
        """Wait for the verdict; raise what the child raised (or an error if it died)."""
        import json
        import os

        from . import errors

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
            return
        if "crash" in payload:
            raise RuntimeError(f"validation failed in the worker process:\n{payload['crash']}")
        cls = getattr(errors, str(payload["error"]), None)
        if cls in (errors.NonConformingError, errors.InputError, errors.QueryError, errors.RemoteError):
            raise cls(str(payload["message"]))
        exc = PoleventsError(str(payload["message"]))
        exc.exit_code = int(payload["exit_code"])
        raise exc

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


def build(
    project_dir: Path,
    out_dir: Path | None = None,
    *,
    quiet: bool = False,
    validator: str = "auto",
    use_cache: bool = True,
    parallel: bool | None = None,
) -> BuildResult:
    """Build the project at ``project_dir`` into ``out_dir`` (default ``dist/``).

    :param validator: "auto" (cache, SPARQL screen, pyshacl when needed) or "pyshacl" (always).
    :param use_cache: read and write the build cache (``.polevents-cache/``).
    :param parallel: validate in a forked child while the dumps are written into the staging
        folder (default: from :data:`PARALLEL_MIN_TRIPLES` triples on, where ``os.fork`` exists).
        The staging folder replaces the output only once the data is known to conform.
    """
    import os

    from .export import write_dist

    started = time.perf_counter()
    say = (lambda _m: None) if quiet else _progress
    project: Project = load_project(project_dir)
    out = (out_dir if out_dir is not None else project.config.root / "dist").resolve()
    n_triples = sum(len(s.triples) for s in project.sources) + len(project.ontology)
    say(f"loaded {len(project.sources)} source graph(s), {n_triples} triples in {time.perf_counter() - started:.2f}s")
    if parallel is None:
        parallel = n_triples >= PARALLEL_MIN_TRIPLES
    background: _BackgroundValidation | None = None
    if parallel and hasattr(os, "fork"):
        if validator not in VALIDATORS:
            raise InputError(f"unknown validator {validator!r}; use one of: {', '.join(VALIDATORS)}")
        background = _BackgroundValidation(project, say, validator, use_cache)
        say("validation: running beside the export; nothing is published unless the data conforms")
    else:
        _validate(project, say, validator, use_cache)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    exported = time.perf_counter()
    try:
        files = write_dist(project, staging)
        if background is not None:
            say(f"export written to the staging folder in {time.perf_counter() - exported:.2f}s")
            background.join()
        publish_atomically(staging, out)
    except BaseException:
        if background is not None:
            background.kill()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    seconds = time.perf_counter() - started
    say(f"wrote {len(files)} files to {out} in {time.perf_counter() - exported:.2f}s (build {seconds:.2f}s)")
    return BuildResult(
        out_dir=out,
        files=[out / f.relative_to(staging) for f in files],
        quads=n_triples,
        sources=len(project.sources),
        seconds=seconds,
    )
