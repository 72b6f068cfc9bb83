"""External merge of sorted files: the one place a whole-dataset order is made, in bounded memory.

The N-Triples dump (the union of the graphs, each triple once, sorted) and the
dataset-wide distinct counts of the description are merges of per-graph sorted
files (:mod:`polevents.export.chunks`).  They are merged by GNU ``sort -m`` in the
C locale (byte order, which is the order Python gives ``bytes``), which streams its
inputs and needs a few megabytes whatever the size of the data.  Where ``sort`` is
missing (or is not GNU sort), the files are merged by :func:`heapq.merge` in Python:
same bytes, slower.
"""

from __future__ import annotations

import heapq
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO

__all__ = ["MergeJob", "merge_lines"]

#: How many files ``sort`` merges at once (GNU sort merges more in rounds, via temporary files).
BATCH = 1000


def _gnu_sort() -> str | None:
    found = shutil.which("sort")
    if found is None:
        return None
    try:
        version = subprocess.run([found, "--version"], capture_output=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return found if b"GNU coreutils" in version else None


_SORT: list[str | None] = []


def gnu_sort() -> str | None:
    """The path of GNU sort, if there is one (looked up once)."""
    if not _SORT:
        _SORT.append(_gnu_sort())
    return _SORT[0]


class MergeJob:
    """``files`` (each sorted bytewise, newline-terminated lines) merged into ``target``, in a child
    process when GNU sort is there, so the merge runs beside the caller's work until :meth:`wait`.

    :param unique: drop repeated lines (``sort -m -u``).
    :param work: a folder for the file list and for sort's temporary files.
    """

    def __init__(self, files: Sequence[Path], target: Path, *, unique: bool, work: Path) -> None:
        self.files, self.target, self.unique = list(files), target, unique
        self.process: subprocess.Popen[bytes] | None = None
        sort = gnu_sort()
        if sort is None or len(self.files) < 2:
            return
        fd, listing = tempfile.mkstemp(dir=work, prefix=".merge-", suffix=".list")
        with os.fdopen(fd, "wb") as f:
            f.write(b"".join(os.fsencode(p) + b"\0" for p in self.files))
        self.listing = Path(listing)
        batch = max(2, min(BATCH, len(self.files)))
        cmd = [sort, "-m", f"--batch-size={batch}", "-T", str(work), "--files0-from", listing, "-o", str(target)]
        if unique:
            cmd.insert(2, "-u")
        env = {**os.environ, "LC_ALL": "C"}
        self.process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)

    def wait(self) -> Path:
        """Wait for the merge (or do it here); the target file."""
        if self.process is None:
            with self.target.open("wb") as out:
                _merge_in_python(self.files, out, self.unique)
            return self.target
        _, err = self.process.communicate()
        self.listing.unlink(missing_ok=True)
        if self.process.returncode != 0:
            raise OSError(f"sort -m failed ({self.process.returncode}): {err.decode(errors='replace')[-2000:]}")
        return self.target

    def kill(self) -> None:
        """Stop the child, if any."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            self.process.wait()


def _merge_in_python(files: Sequence[Path], out: IO[bytes], unique: bool) -> None:
    with ExitStack() as stack:
        streams = [stack.enter_context(path.open("rb")) for path in files]
        last = None
        for line in heapq.merge(*streams):
            if unique and line == last:
                continue
            out.write(line)
            last = line


@contextmanager
def merge_lines(files: Sequence[Path], *, work: Path) -> Iterator[Iterator[bytes]]:
    """The lines of ``files`` merged (repeats kept), as a stream (``sort -m`` writing into a pipe)."""
    sort = gnu_sort()
    if sort is None or len(files) < 2:
        with ExitStack() as stack:
            streams = [stack.enter_context(path.open("rb")) for path in files]
            yield heapq.merge(*streams)
        return
    fd, listing = tempfile.mkstemp(dir=work, prefix=".merge-", suffix=".list")
    with os.fdopen(fd, "wb") as f:
        f.write(b"".join(os.fsencode(p) + b"\0" for p in files))
    batch = max(2, min(BATCH, len(files)))
    cmd = [sort, "-m", f"--batch-size={batch}", "-T", str(work), "--files0-from", listing]
    proc = subprocess.Popen(
        cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, env={**os.environ, "LC_ALL": "C"}, bufsize=1 << 20
    )
    try:
        assert proc.stdout is not None
        yield iter(proc.stdout)
        proc.stdout.close()
        if proc.wait() != 0:
            raise OSError(f"sort -m failed ({proc.returncode})")
    finally:
        if proc.returncode is None:
            proc.kill()
            proc.wait()
        Path(listing).unlink(missing_ok=True)
