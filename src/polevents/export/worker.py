"""Child processes that write dumps with Oxigraph, so they run beside the JSON-LD writer.

:class:`Conversion` converts one dump file into another format; :class:`UnionTask` merges the
graphs' N-Triples into the union dump and writes its Turtle and gzip copies from segments
(:mod:`polevents.export.union`).

Oxigraph holds the GIL while it pulls statements through Python, so a thread
would not overlap with the (pure Python) JSON-LD writer; a child process does.
It is a :class:`polevents.process.Child` (``python -m polevents.process
polevents.export.worker:converter``, never :mod:`multiprocessing`, which
re-imports the caller's ``__main__`` module in the child and would re-run an
unguarded script); it dies with the build.  The parent falls back to converting
in-process when the child cannot run or fails, so the result never depends on
it (see :func:`polevents.export.write_dumps`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import PoleventsError
from ..formats import RdfFormat

if TYPE_CHECKING:  # pragma: no cover
    from ..process import Child, Handler
    from .union import UnionJob, UnionResult

__all__ = ["Conversion", "UnionTask", "converter", "union_writer"]


@dataclass
class Conversion:
    """One conversion ``source`` → ``target``, running in a child process until :meth:`wait`."""

    source: Path
    source_format: RdfFormat
    target: Path
    target_format: RdfFormat
    prefixes: dict[str, str]
    child: Child | None = None

    def start(self) -> Conversion:
        """Start the child (if it cannot start, :meth:`wait` converts in-process)."""
        from ..process import Child

        job = {
            "source": str(self.source),
            "source_format": self.source_format.label,
            "target": str(self.target),
            "target_format": self.target_format.label,
            "prefixes": self.prefixes,
        }
        try:
            self.child = Child.spawn("polevents.export.worker:converter", {}, what="the dump conversion")
            self.child.send(job)
        except (OSError, PoleventsError):
            self.child = None
        return self

    def kill(self) -> None:
        """Stop the child (the export failed elsewhere)."""
        if self.child is not None:
            self.child.kill()

    def wait(self) -> None:
        """Wait for the child; when it could not run or failed, convert here (errors raise here)."""
        from .rdf import convert_file

        if self.child is not None:
            try:
                self.child.result()
                return
            except PoleventsError:
                pass
            finally:
                self.child.close()
        convert_file(self.source, self.source_format, self.target, self.target_format, self.prefixes)


def converter(init: dict[str, Any], body: bytes) -> Handler:
    """The factory of a conversion child: each message is one conversion job."""
    from ..process import Message
    from .rdf import convert_file

    def convert(job: dict[str, Any], body: bytes) -> Message:
        convert_file(
            Path(job["source"]),
            RdfFormat.from_name(job["source_format"]),
            Path(job["target"]),
            RdfFormat.from_name(job["target_format"]),
            dict(job["prefixes"]),
        )
        return Message({"done": True})

    return convert


@dataclass
class UnionTask:
    """The union dumps (:mod:`polevents.export.union`): the chunks' N-Triples merged into
    ``job.ntriples``, then its Turtle and gzip copies from segments, in a child process until
    :meth:`wait` (in this process when the child cannot run)."""

    files: list[Path]
    work: Path
    job: UnionJob
    child: Child | None = None

    def _header(self) -> dict[str, Any]:
        job = self.job
        return {
            "files": [str(p) for p in self.files],
            "work": str(self.work),
            "ntriples": str(job.ntriples),
            "cache": str(job.cache),
            "prefixes": job.prefixes,
            "turtle": None if job.turtle is None else str(job.turtle),
            "ntriples_gz": None if job.ntriples_gz is None else str(job.ntriples_gz),
            "turtle_gz": None if job.turtle_gz is None else str(job.turtle_gz),
        }

    def start(self) -> UnionTask:
        """Start the child (if it cannot start, :meth:`wait` does the work in-process)."""
        from ..process import Child

        try:
            self.child = Child.spawn("polevents.export.worker:union_writer", {}, what="the union dumps")
            self.child.send(self._header())
        except (OSError, PoleventsError):
            self.child = None
        return self

    def kill(self) -> None:
        """Stop the child (the export failed elsewhere)."""
        if self.child is not None:
            self.child.kill()

    def wait(self) -> UnionResult:
        """Wait for the child; when it could not run or failed, do the work here (errors raise here)."""
        from .union import UnionResult

        if self.child is not None:
            try:
                reply = self.child.result()
                return UnionResult(**reply.header["result"])
            except PoleventsError:
                pass
            finally:
                self.child.close()
        return _write_union(self._header())


def _write_union(header: dict[str, Any]) -> UnionResult:
    from .merge import MergeJob
    from .union import UnionJob, write_union

    def path(key: str) -> Path | None:
        value = header[key]
        return None if value is None else Path(value)

    target = Path(header["ntriples"])
    merge = MergeJob([Path(p) for p in header["files"]], target, unique=True, work=Path(header["work"]))
    try:
        merge.wait()
    finally:
        merge.kill()
    job = UnionJob(target, Path(header["cache"]), dict(header["prefixes"]), path("turtle"), path("ntriples_gz"),
                   path("turtle_gz"))  # fmt: skip
    return write_union(job)


def union_writer(init: dict[str, Any], body: bytes) -> Handler:
    """The factory of a union child: each message is one :class:`UnionTask`."""
    from dataclasses import asdict

    from ..process import Message

    def write(header: dict[str, Any], body: bytes) -> Message:
        return Message({"result": asdict(_write_union(header))})

    return write
