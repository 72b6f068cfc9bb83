"""A child process that converts one dump with Oxigraph, so it runs beside the JSON-LD writer.

Oxigraph holds the GIL while it pulls statements through Python, so a thread
would not overlap with the (pure Python) JSON-LD writer; a child process does.
It is started as ``python -m polevents.export.worker JOB`` (``JOB`` is JSON),
never with :mod:`multiprocessing`, which re-imports the caller's ``__main__``
module in the child and would re-run an unguarded script.  The parent falls back
to converting in-process when the child cannot run, so the result never depends
on it (see :func:`polevents.export.write_dumps`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ..formats import RdfFormat

__all__ = ["Conversion", "main"]


@dataclass
class Conversion:
    """One conversion ``source`` → ``target``, running in a child process until :meth:`wait`."""

    source: Path
    source_format: RdfFormat
    target: Path
    target_format: RdfFormat
    prefixes: dict[str, str]
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> Conversion:
        """Start the child (if it cannot start, :meth:`wait` converts in-process)."""
        job = json.dumps(
            {
                "source": str(self.source),
                "source_format": self.source_format.label,
                "target": str(self.target),
                "target_format": self.target_format.label,
                "prefixes": self.prefixes,
            }
        )
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "polevents.export.worker", job],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=env,
            )
        except OSError:
            self.process = None
        return self

    def wait(self) -> None:
        """Wait for the child; when it could not run or failed, convert here (errors raise here)."""
        from .rdf import convert_file

        if self.process is not None:
            _, _ = self.process.communicate()
            if self.process.returncode == 0:
                return
        convert_file(self.source, self.source_format, self.target, self.target_format, self.prefixes)


def main(argv: list[str]) -> int:
    """Run the conversion described by the JSON job in ``argv[0]``."""
    from .rdf import convert_file

    job = json.loads(argv[0])
    convert_file(
        Path(job["source"]),
        RdfFormat.from_name(job["source_format"]),
        Path(job["target"]),
        RdfFormat.from_name(job["target_format"]),
        dict(job["prefixes"]),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
