"""``polevents query --timeout``: the engine's :func:`~polevents.query.engine.run` in a child process.

pyoxigraph cannot interrupt a running query and a thread cannot be stopped, so
the query runs in a forked child that writes its result into a temporary file
and sends back a :class:`~polevents.query.engine.Written` or an
:class:`~polevents.errors.ErrorPayload`; at the deadline the child is killed
(SIGKILL) and nothing of its output reaches the caller.  The child opens the
persistent index again (read-only, milliseconds), or uses the in-memory store
it inherits.
"""

from __future__ import annotations

import shutil
import tempfile
from typing import TYPE_CHECKING, Any, BinaryIO

from ..errors import PoleventsError, QueryError, QueryTimeoutError

if TYPE_CHECKING:  # pragma: no cover
    from multiprocessing.connection import Connection

    from ..store import QueryDataset
    from .engine import Job, Prepared, Written

__all__ = ["run_with_timeout"]

#: what a forked child inherits: (dataset, job, prepared, output file); set only around the fork
_INHERITED: Any = None


def _child(conn: Connection) -> None:
    """Run the inherited job; send ("ok", Written fields) or ("error", an ErrorPayload)."""
    from .engine import run

    ds, job, prepared, out = _INHERITED
    try:
        store = ds.store
        if ds.store_path is not None:
            import pyoxigraph as ox

            store = ox.Store.read_only(str(ds.store_path))
        written = run(store, job, out, prepared=prepared)
        out.flush()
        conn.send(("ok", tuple(written.__dict__.values())))
    except PoleventsError as exc:
        conn.send(("error", tuple(exc.to_payload())))
    except BaseException as exc:
        conn.send(("error", tuple(QueryError(f"the query failed: {type(exc).__name__}: {exc}").to_payload())))
    finally:
        conn.close()


def run_with_timeout(ds: QueryDataset, job: Job, prepared: Prepared | None, out: BinaryIO, timeout: float) -> Written:
    """:func:`~polevents.query.engine.run` in a child killed after ``timeout`` seconds; the
    result is copied to ``out`` only when complete.

    :raises QueryTimeoutError: the deadline passed.
    :raises QueryError: the query failed, or the child died.
    """
    import multiprocessing as mp

    from .engine import Written

    global _INHERITED
    ctx = mp.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    with tempfile.TemporaryFile() as spool:
        _INHERITED = (ds, job, prepared, spool)
        try:
            process = ctx.Process(target=_child, args=(sender,), daemon=True)
            process.start()
        finally:
            _INHERITED = None
        sender.close()
        try:
            if not receiver.poll(timeout):
                raise QueryTimeoutError(
                    f"{job.origin}: the query ran longer than {timeout:g} s and was stopped "
                    "(raise --timeout, or add LIMIT / more selective patterns)"
                )
            message = receiver.recv()
        except EOFError as exc:
            raise QueryError(f"{job.origin}: the query process died (exit code {process.exitcode})") from exc
        finally:
            if process.is_alive():
                process.kill()
            process.join()
            receiver.close()
        if message[0] != "ok":
            raise PoleventsError.from_payload(message[1])
        spool.seek(0)
        shutil.copyfileobj(spool, out, 1 << 20)
        return Written(*message[1])
