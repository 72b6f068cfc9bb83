"""The one way polevents runs work in another process.

Work goes to a child process when it must be stoppable (a SPARQL query cannot be
interrupted once Oxigraph runs it, a thread cannot be killed), when it should run
beside the parent (validation beside loading, a dump conversion beside the JSON-LD
writer), or when it must be confined (the server's query workers).  Every such
child is made here, and every one:

* **talks in frames**: a message is a JSON *header* (a dict) and a *body* (bytes,
  passed through as they are: query results are never re-encoded).  On the wire:
  ``>IQ`` (header length, body length), the header's UTF-8 JSON, the body.
* **reports errors as** :class:`~polevents.errors.ErrorPayload`: a header
  ``{"__error__": [kind, message, exit_code, position]}`` is raised again in the parent
  as the same :class:`~polevents.errors.PoleventsError` subclass.  A child that dies
  without answering raises :class:`~polevents.errors.WorkerError` (or
  :class:`~polevents.errors.MemoryLimitError` when it died of its memory bound).
* **is killable**: past a deadline the parent kills it (SIGKILL) and raises
  :class:`~polevents.errors.QueryTimeoutError`.
* **dies with its parent**: the child asks the kernel for SIGKILL when its parent
  dies (Linux ``PR_SET_PDEATHSIG``, even when the parent is killed with SIGKILL),
  and the parent kills the children it still has when it exits normally.  The
  signal follows the *thread* that started the child: start children from a
  thread that outlives them (the main thread, the event loop's thread).
* **may be sandboxed** (:class:`Sandbox`): no network at all (a fresh user and
  network namespace, which Linux grants unprivileged processes where user
  namespaces are enabled: the child has only a loopback interface that is down),
  and a memory bound (``RLIMIT_AS``, the address space of the child).  The child
  reports which protections it got (:class:`Protection`); nothing is assumed.

Two kinds of children:

* :meth:`Child.spawn` / :meth:`AsyncChild.spawn`: a fresh interpreter,
  ``python -m polevents.process MODULE:FACTORY``.  The factory gets the first
  message (the *init*) and returns a :data:`Handler`, which answers every further
  message until the parent closes the pipe.  No :mod:`multiprocessing`: it would
  re-import the caller's ``__main__`` and pickles.
* :meth:`Child.fork`: a forked copy of this process running one function, for
  work that needs the parent's state (a store already loaded in memory).  Fork
  before starting threads, or at least only call fork-safe code in the child.

::

    >>> with Child.spawn("polevents.process:echo_handler", {}) as child:
    ...     child.call({"say": "hi"}, b"raw bytes")
    Message(header={'say': 'hi'}, body=b'raw bytes')
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import signal
import struct
import sys
import time
import weakref
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from .errors import ErrorPayload, MemoryLimitError, PoleventsError, QueryTimeoutError, WorkerError

if TYPE_CHECKING:  # pragma: no cover - imported where used: the command line starts fast
    import asyncio
    import subprocess

__all__ = [
    "DEFAULT_MEMORY_LIMIT",
    "AsyncChild",
    "Child",
    "Handler",
    "Message",
    "Protection",
    "Sandbox",
    "echo_handler",
]

#: the memory bound of a sandboxed query worker (bytes of address space, RLIMIT_AS) unless told otherwise
DEFAULT_MEMORY_LIMIT = 2 << 30
#: how long a spawned child may take to start and answer its init message
SPAWN_TIMEOUT = 120.0

_PREFIX = struct.Struct(">IQ")
_PR_SET_PDEATHSIG = 1
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000


class Message(NamedTuple):
    """One frame: a JSON header and a body of raw bytes."""

    header: dict[str, Any]
    body: bytes = b""


#: what a spawned child runs for each message after the init: a message in, a message out
Handler = Callable[[dict[str, Any], bytes], Message]


@dataclass(frozen=True)
class Sandbox:
    """What a child may not do.  The default confines nothing (the child still dies with its parent)."""

    #: False: the child runs in a fresh user + network namespace and cannot open any connection
    network: bool = True
    #: bytes of address space the child may use (``RLIMIT_AS``); None: no bound
    memory: int | None = None


@dataclass(frozen=True)
class Protection:
    """The protections a child actually got, as it reported them."""

    #: it is in a network namespace of its own: no connection can leave it
    network_isolated: bool
    #: its address-space bound in bytes, or None
    memory_limit: int | None
    #: why the network could not be isolated (when it was asked and failed)
    reason: str | None = None

    def describe(self) -> str:
        """One line for a start-up message."""
        if self.network_isolated:
            net = "no network (own user+network namespace)"
        else:
            net = "network NOT isolated" + (f" ({self.reason})" if self.reason else "")
        mem = f"memory bound {self.memory_limit >> 20} MiB" if self.memory_limit else "no memory bound"
        return f"{net}; {mem}"


# ---------------------------------------------------------------- framing


def encode(header: dict[str, Any], body: bytes = b"") -> bytes:
    """The frame prefix and header of a message (send the body after it, as it is)."""
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    return _PREFIX.pack(len(raw), len(body)) + raw


def write_message(stream: IO[bytes], header: dict[str, Any], body: bytes = b"") -> None:
    """Write one message to a binary stream and flush it."""
    stream.write(encode(header, body))
    if body:
        stream.write(body)
    stream.flush()


def read_message(stream: IO[bytes]) -> Message | None:
    """The next message on a blocking binary stream, or None at its end."""
    prefix = stream.read(_PREFIX.size)
    if len(prefix) < _PREFIX.size:
        return None
    hlen, blen = _PREFIX.unpack(prefix)
    raw = stream.read(hlen)
    body = stream.read(blen) if blen else b""
    if len(raw) < hlen or len(body) < blen:
        return None
    return Message(json.loads(raw), body)


def error_message(exc: BaseException) -> Message:
    """The message that carries ``exc`` to the parent (anything not a PoleventsError becomes one)."""
    if isinstance(exc, MemoryError):
        exc = MemoryLimitError("the work needed more memory than its bound allows")
    if not isinstance(exc, PoleventsError):
        exc = PoleventsError(f"unexpected error in a child process: {type(exc).__name__}: {exc}")
    return Message({"__error__": list(exc.to_payload())})


def _unwrap(message: Message) -> Message:
    """``message``, or the error it carries raised again."""
    error = message.header.get("__error__")
    if error is not None:
        raise PoleventsError.from_payload(ErrorPayload(*error))
    return message


# ---------------------------------------------------------------- the child's side


def _libc() -> Any:
    import ctypes

    return ctypes.CDLL(None, use_errno=True)


def die_with_parent(parent: int | None = None) -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux); leave at once if
    ``parent`` (the expected parent pid) is already gone."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if parent is not None and os.getppid() != parent:
        os._exit(1)


def _isolate_network() -> str | None:
    """Enter a fresh user + network namespace (keeping this uid/gid); None, or why it failed."""
    if not sys.platform.startswith("linux"):
        return f"no network namespaces on {sys.platform}"
    uid, gid = os.getuid(), os.getgid()
    flags = _CLONE_NEWUSER | _CLONE_NEWNET
    try:
        if hasattr(os, "unshare"):
            os.unshare(flags)
        else:
            import ctypes

            libc = _libc()
            if libc.unshare(flags) != 0:
                errno = ctypes.get_errno()
                raise OSError(errno, os.strerror(errno))
    except OSError as exc:
        return f"unshare(CLONE_NEWUSER|CLONE_NEWNET) refused: {exc.strerror}"
    # map our ids into the namespace, so files keep their owner
    with contextlib.suppress(OSError):
        for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
            with open(f"/proc/self/{name}", "w", encoding="ascii") as fh:
                fh.write(text)
    return None


def enter_sandbox(sandbox: Sandbox, parent: int | None = None) -> Protection:
    """In a new child, before anything starts threads: die with the parent, then confine as asked."""
    die_with_parent(parent)
    reason = None if sandbox.network else _isolate_network()
    if sandbox.memory is not None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (sandbox.memory, sandbox.memory))
    return Protection(network_isolated=not sandbox.network and reason is None, memory_limit=sandbox.memory,
                      reason=reason)  # fmt: skip


def _load(target: str) -> Callable[[dict[str, Any], bytes], Handler]:
    import importlib

    module, _, name = target.partition(":")
    factory: Callable[[dict[str, Any], bytes], Handler] = getattr(importlib.import_module(module), name)
    return factory


def child_main(argv: list[str]) -> int:
    """``python -m polevents.process MODULE:FACTORY SANDBOX_JSON PARENT_PID``: serve messages on stdin/stdout."""
    target, sandbox_json, parent = argv
    protection = enter_sandbox(Sandbox(**json.loads(sandbox_json)), int(parent))
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints go to stderr, never into the protocol
    inp = sys.stdin.buffer
    init = read_message(inp)
    if init is None:
        return 0
    try:
        handler = _load(target)(*init)
    except BaseException as exc:
        write_message(out, *error_message(exc))
        return 1
    write_message(out, {"ready": True, "protection": asdict(protection)})
    while (message := read_message(inp)) is not None:
        try:
            reply = handler(*message)
        except Exception as exc:
            reply = error_message(exc)
        write_message(out, *reply)
    return 0


def echo_handler(init: dict[str, Any], body: bytes) -> Handler:
    """A factory whose handler answers every message with itself (the examples and tests)."""

    def echo(header: dict[str, Any], body: bytes) -> Message:
        return Message(header, body)

    return echo


# ---------------------------------------------------------------- the parent's side

#: children still running, killed when this process exits
_LIVE: weakref.WeakSet[Child | AsyncChild] = weakref.WeakSet()


@atexit.register
def _kill_children() -> None:
    for child in list(_LIVE):
        child.kill()


def _spawn_command(target: str, sandbox: Sandbox) -> list[str]:
    return [sys.executable, "-m", "polevents.process", target, json.dumps(asdict(sandbox)), str(os.getpid())]


def _spawn_env() -> dict[str, str]:
    """The environment of a spawned child: this package importable even when run from a source tree."""
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    return env


def died(status: int, sandbox: Sandbox, what: str) -> WorkerError:
    """The error for a child that ended without answering, from its wait status (as returncode)."""
    if status < 0:
        name = signal.Signals(-status).name if -status in signal.Signals._value2member_map_ else str(-status)
        if sandbox.memory is not None and -status in (signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS):
            return MemoryLimitError(
                f"{what} needed more memory than its bound of {sandbox.memory >> 20} MiB and was stopped ({name})"
            )
        return WorkerError(f"{what} died ({name})")
    return WorkerError(f"{what} ended without answering (exit status {status})")


class Child:
    """A child process in blocking code (the command line, build, export)."""

    def __init__(self, pid: int, sandbox: Sandbox, what: str, popen: subprocess.Popen[bytes] | None,
                 read_fd: int, write: IO[bytes] | None) -> None:  # fmt: skip
        self.pid = pid
        self.sandbox = sandbox
        self.what = what
        self.protection: Protection | None = None
        self._popen = popen
        self._read_fd = read_fd
        self._write = write
        self._status: int | None = None
        _LIVE.add(self)

    # -- starting

    @classmethod
    def spawn(
        cls, target: str, init: dict[str, Any], init_body: bytes = b"", *, sandbox: Sandbox = Sandbox(),
        what: str = "the child process", timeout: float = SPAWN_TIMEOUT,
    ) -> Child:  # fmt: skip
        """Start ``python -m polevents.process TARGET`` and give it ``init``; return once it is ready.

        :raises PoleventsError: what the factory raised; :class:`WorkerError` when the child died.
        """
        import subprocess

        popen = subprocess.Popen(
            _spawn_command(target, sandbox), stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=_spawn_env()
        )
        assert popen.stdin is not None and popen.stdout is not None
        child = cls(popen.pid, sandbox, what, popen, popen.stdout.fileno(), popen.stdin)
        try:
            ready = child.call(init, init_body, timeout=timeout)
        except BaseException:
            child.kill()
            raise
        child.protection = Protection(**ready.header["protection"])
        return child

    @classmethod
    def fork(
        cls, work: Callable[[], Message], *, sandbox: Sandbox = Sandbox(), what: str = "the child process"
    ) -> Child:
        """Run ``work()`` in a forked copy of this process; :meth:`result` gives what it returned (or raised)."""
        read_fd, write_fd = os.pipe()
        parent = os.getpid()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: never return into the parent's code
            code = 0
            try:
                os.close(read_fd)
                enter_sandbox(sandbox, parent)
                try:
                    reply = work()
                except BaseException as exc:
                    reply = error_message(exc)
                with os.fdopen(write_fd, "wb") as out:
                    write_message(out, *reply)
            except BaseException:
                code = 70
            finally:
                with contextlib.suppress(BaseException):
                    sys.stdout.flush()
                    sys.stderr.flush()
                os._exit(code)
        os.close(write_fd)
        return cls(pid, sandbox, what, None, read_fd, None)

    # -- talking

    def call(self, header: dict[str, Any], body: bytes = b"", *, timeout: float | None = None) -> Message:
        """Send a message to a spawned child and return its answer (see :meth:`result`)."""
        self.send(header, body)
        return self.result(timeout)

    def send(self, header: dict[str, Any], body: bytes = b"") -> None:
        """Send a message to a spawned child without waiting; :meth:`result` reads the answer."""
        assert self._write is not None, "a forked child takes no messages; use result()"
        try:
            self._write.write(encode(header, body))
            if body:
                self._write.write(body)
            self._write.flush()
        except (BrokenPipeError, ConnectionError):
            pass  # the child is gone: reading tells why

    def result(self, timeout: float | None = None) -> Message:
        """The child's next message; its error raised again.

        :raises QueryTimeoutError: nothing came within ``timeout`` seconds (the child is killed).
        :raises WorkerError: the child died without answering (:class:`MemoryLimitError` at its bound).
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            prefix = self._read(_PREFIX.size, deadline)
            hlen, blen = _PREFIX.unpack(prefix)
            header = json.loads(self._read(hlen, deadline))
            body = self._read(blen, deadline) if blen else b""
        except TimeoutError:
            self.kill()
            raise QueryTimeoutError(f"{self.what} ran longer than the {timeout:g} s limit and was stopped") from None
        except EOFError:
            raise died(self.wait(), self.sandbox, self.what) from None
        if self._popen is None:  # a forked child answers once, then ends
            self.wait()
        return _unwrap(Message(header, body))

    def _read(self, size: int, deadline: float | None) -> bytes:
        import selectors

        chunks: list[bytes] = []
        with selectors.DefaultSelector() as sel:
            sel.register(self._read_fd, selectors.EVENT_READ)
            while size:
                if deadline is not None:
                    left = deadline - time.monotonic()
                    if left <= 0 or not sel.select(left):
                        raise TimeoutError
                chunk = os.read(self._read_fd, min(size, 1 << 20))
                if not chunk:
                    raise EOFError
                chunks.append(chunk)
                size -= len(chunk)
        return b"".join(chunks)

    # -- ending

    def wait(self) -> int:
        """Wait for the child to end; its status as a returncode (negative: the signal that ended it)."""
        if self._status is None:
            if self._popen is not None:
                self._status = self._popen.wait()
            else:
                _, status = os.waitpid(self.pid, 0)
                self._status = os.waitstatus_to_exitcode(status)
            _LIVE.discard(self)
            self._close_pipes()
        return self._status

    def kill(self) -> None:
        """SIGKILL the child (if it still runs) and reap it."""
        if self._status is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                self.wait()

    def close(self, grace: float = 2.0) -> None:
        """End a spawned child politely (its stdin closed), killing it after ``grace`` seconds."""
        if self._write is not None:
            with contextlib.suppress(OSError):
                self._write.close()
        if self._popen is not None and self._status is None:
            import subprocess

            try:
                self._status = self._popen.wait(grace)
                _LIVE.discard(self)
            except subprocess.TimeoutExpired:
                pass
        self.kill()
        self._close_pipes()

    def _close_pipes(self) -> None:
        if self._popen is not None:
            for stream in (self._popen.stdin, self._popen.stdout):
                with contextlib.suppress(OSError):
                    if stream is not None:
                        stream.close()
        elif self._read_fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._read_fd)
            self._read_fd = -1

    def __enter__(self) -> Child:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncChild:
    """A spawned child process in asyncio code (the server's query workers)."""

    def __init__(self, process: asyncio.subprocess.Process, sandbox: Sandbox, what: str) -> None:
        self.process = process
        self.pid = process.pid
        self.sandbox = sandbox
        self.what = what
        self.protection: Protection | None = None
        _LIVE.add(self)

    @classmethod
    async def spawn(
        cls, target: str, init: dict[str, Any], init_body: bytes = b"", *, sandbox: Sandbox = Sandbox(),
        what: str = "the child process", timeout: float = SPAWN_TIMEOUT,
    ) -> AsyncChild:  # fmt: skip
        """As :meth:`Child.spawn`, from the event loop (whose thread must outlive the child)."""
        import asyncio

        process = await asyncio.create_subprocess_exec(
            *_spawn_command(target, sandbox), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            env=_spawn_env(),
        )  # fmt: skip
        child = cls(process, sandbox, what)
        try:
            ready = await child.call(init, init_body, timeout=timeout)
        except BaseException:
            child.kill()
            await child.wait()
            raise
        child.protection = Protection(**ready.header["protection"])
        return child

    async def call(self, header: dict[str, Any], body: bytes = b"", *, timeout: float | None = None) -> Message:
        """Send a message and return the answer; on ``timeout`` the child is killed (not reaped: see :meth:`wait`).

        :raises QueryTimeoutError: no answer within ``timeout`` seconds.
        :raises WorkerError: the child died (:class:`MemoryLimitError` at its memory bound).
        """
        import asyncio

        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        try:
            stdin.write(encode(header, body))
            if body:
                stdin.write(body)
            async with asyncio.timeout(timeout):
                await stdin.drain()
                prefix = await stdout.readexactly(_PREFIX.size)
                hlen, blen = _PREFIX.unpack(prefix)
                raw = await stdout.readexactly(hlen)
                data = await stdout.readexactly(blen) if blen else b""
        except TimeoutError:
            self.kill()
            raise QueryTimeoutError(f"{self.what} ran longer than the {timeout:g} s limit and was stopped") from None
        except (asyncio.IncompleteReadError, ConnectionError):
            raise died(await self.wait(), self.sandbox, self.what) from None
        return _unwrap(Message(json.loads(raw), data))

    def kill(self) -> None:
        """SIGKILL the child if it still runs (await :meth:`wait` to reap it)."""
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()

    async def wait(self) -> int:
        """Wait for the child to end; its returncode."""
        status = await self.process.wait()
        _LIVE.discard(self)
        return status

    async def close(self, grace: float = 2.0) -> None:
        """Close its stdin (it ends after its current message), killing it after ``grace`` seconds."""
        import asyncio

        if self.process.stdin is not None:
            with contextlib.suppress(Exception):
                self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), grace)
        except TimeoutError:
            self.kill()
        await self.wait()


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
