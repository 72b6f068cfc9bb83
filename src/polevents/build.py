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
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, NonConformingError
from .load import Project, load_project

__all__ = ["BuildResult", "build", "publish_atomically"]


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


def build(project_dir: Path, out_dir: Path | None = None, *, quiet: bool = False) -> BuildResult:
    """Build the project at ``project_dir`` into ``out_dir`` (default ``dist/``)."""
    from .export import write_dist
    from .validate import validate_project

    started = time.perf_counter()
    say = (lambda _m: None) if quiet else _progress
    project: Project = load_project(project_dir)
    out = (out_dir if out_dir is not None else project.config.root / "dist").resolve()
    n_triples = sum(len(s.triples) for s in project.sources) + len(project.ontology)
    say(f"loaded {len(project.sources)} source graph(s), {n_triples} triples")
    report = validate_project(project)
    if not report.conforms:
        raise NonConformingError(
            f"the data does not conform to the shapes ({len(report.results)} result(s)); "
            f"nothing was published. Details:\n{report.to_text()}"
        )
    say("validation: conforms")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        files = write_dist(project, staging)
        publish_atomically(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    seconds = time.perf_counter() - started
    say(f"wrote {len(files)} files to {out} in {seconds:.2f}s")
    return BuildResult(
        out_dir=out,
        files=[out / f.relative_to(staging) for f in files],
        quads=n_triples,
        sources=len(project.sources),
        seconds=seconds,
    )
