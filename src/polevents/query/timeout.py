"""``polevents query --timeout``: the engine's :func:`~polevents.query.engine.run` in a child process.

pyoxigraph cannot interrupt a running query and a thread cannot be stopped, so
the query runs in a forked child (:meth:`polevents.process.Child.fork`: framed
answer, errors as :class:`~polevents.errors.ErrorPayload`, dies with its parent)
that writes its result into a temporary file and answers with the
:class:`~polevents.query.engine.Written` fields.  At the deadline the child is
killed and nothing of its output reaches the caller.  The child opens the
persistent index again (read-only, milliseconds), or uses the in-memory store it
inherits.
"""

from __future__ import annotations

import shutil
import tempfile
from typing import TYPE_CHECKING, BinaryIO

from ..errors import QueryTimeoutError

if TYPE_CHECKING:  # pragma: no cover
    from ..process import Message
    from ..store import QueryDataset
    from .engine import Job, Prepared, Written

__all__ = ["run_with_timeout"]


def run_with_timeout(ds: QueryDataset, job: Job, prepared: Prepared | None, out: BinaryIO, timeout: float) -> Written:
    """:func:`~polevents.query.engine.run` in a child killed after ``timeout`` seconds; the
    result is copied to ``out`` only when complete.

    :raises QueryTimeoutError: the deadline passed.
    :raises QueryError: the query failed; :class:`~polevents.errors.WorkerError` when the child died.
    """
    from dataclasses import asdict

    from ..process import Child, Message
    from .engine import Written, run

    with tempfile.TemporaryFile() as spool:

        def work() -> Message:
            store = ds.store
            if ds.store_path is not None:
                import pyoxigraph as ox

                store = ox.Store.read_only(str(ds.store_path))
            written = run(store, job, spool, prepared=prepared)
            spool.flush()
            return Message(asdict(written))

        child = Child.fork(work, what="the query")
        try:
            answer = child.result(timeout)
        except QueryTimeoutError:
            raise QueryTimeoutError(
                f"{job.origin}: the query ran longer than {timeout:g} s and was stopped "
                "(raise --timeout, or add LIMIT / more selective patterns)"
            ) from None
        finally:
            child.kill()
        spool.seek(0)
        shutil.copyfileobj(spool, out, 1 << 20)
        return Written(**answer.header)
