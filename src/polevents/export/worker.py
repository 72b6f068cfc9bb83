"""A child process that converts one dump with Oxigraph, so it runs beside the JSON-LD writer.

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

__all__ = ["Conversion", "converter"]


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
