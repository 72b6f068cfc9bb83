"""polevents.process: framing, errors across the pipe, deadlines, death with the parent, the sandbox."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from polevents.errors import MemoryLimitError, PoleventsError, QueryTimeoutError, RdfSyntaxError, WorkerError
from polevents.process import AsyncChild, Child, Message, Sandbox

ECHO = "polevents.process:echo_handler"


def test_spawned_child_answers_messages_with_bodies_as_they_are() -> None:
    body = bytes(range(256)) * 1000  # not UTF-8, not JSON: passed through
    with Child.spawn(ECHO, {}) as child:
        assert child.call({"n": 1}) == Message({"n": 1}, b"")
        assert child.call({"n": 2, "text": "é\n"}, body) == Message({"n": 2, "text": "é\n"}, body)


def _raise_syntax_error() -> Message:
    from polevents.errors import Position

    raise RdfSyntaxError(Position(Path("data/x.ttl"), 3, 11), "expected '.'")


def _raise_value_error() -> Message:
    raise ValueError("not a polevents error")


def test_errors_cross_the_pipe_as_their_class() -> None:
    with pytest.raises(RdfSyntaxError) as caught:
        Child.fork(_raise_syntax_error).result(30)
    assert caught.value.position.line == 3 and str(caught.value) == "data/x.ttl:3:11: expected '.'"
    with pytest.raises(PoleventsError, match="ValueError: not a polevents error"):
        Child.fork(_raise_value_error).result(30)


def _sleep() -> Message:
    time.sleep(60)
    return Message({})


def test_a_child_past_its_deadline_is_killed() -> None:
    child = Child.fork(_sleep, what="the sleeper")
    with pytest.raises(QueryTimeoutError, match=r"the sleeper ran longer than the 0\.2 s limit"):
        child.result(0.2)
    assert child.wait() == -signal.SIGKILL


def _segfault() -> Message:
    import ctypes
    import faulthandler

    faulthandler.disable()  # pytest's handler would print the child's stack

    ctypes.string_at(0)
    return Message({})


def test_a_child_that_dies_is_reported() -> None:
    with pytest.raises(WorkerError, match=r"died \(SIGSEGV\)") as caught:
        Child.fork(_segfault, what="the crasher").result(30)
    assert not isinstance(caught.value, MemoryLimitError)  # no memory bound: a crash is a crash


def _allocate_in_oxigraph() -> Message:
    import faulthandler

    import pyoxigraph as ox

    faulthandler.disable()  # the abort at the bound is expected: no stack from pytest's handler

    store = ox.Store()
    for i in range(30):
        store.add(ox.Quad(ox.NamedNode(f"http://x/{i}"), ox.NamedNode("http://x/p"), ox.Literal(str(i))))
    # 30^5 = 24 million rows sorted in memory: far more than 256 MiB
    list(store.query("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o } ORDER BY ?i ?a"))
    return Message({})


def _allocate_in_python() -> Message:
    return Message({"size": len(bytearray(1 << 30))})


@pytest.mark.parametrize("work", [_allocate_in_oxigraph, _allocate_in_python])
def test_the_memory_bound_stops_a_child(work: object) -> None:
    with pytest.raises(MemoryLimitError, match="memory"):
        Child.fork(work, sandbox=Sandbox(memory=256 << 20)).result(120)  # type: ignore[arg-type]


def _connect(port: int) -> Message:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return Message({"connected": True})
    except OSError as exc:
        return Message({"connected": False, "why": str(exc)})


@pytest.fixture
def listener() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    return sock


def test_the_sandbox_has_no_network(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    # without the sandbox the connection is made (so the test can fail)
    assert Child.fork(lambda: _connect(port)).result(30).header["connected"] is True
    listener.accept()[0].close()
    with Child.spawn(ECHO, {}, sandbox=Sandbox(network=False)) as spawned:
        assert spawned.protection is not None
        if not spawned.protection.network_isolated:
            pytest.skip(f"this OS gives no network namespace: {spawned.protection.reason}")
    reply = Child.fork(lambda: _connect(port), sandbox=Sandbox(network=False)).result(30)
    assert reply.header["connected"] is False
    listener.settimeout(0.5)
    with pytest.raises(TimeoutError):
        listener.accept()  # nothing came in


def test_files_keep_their_owner_inside_the_sandbox(tmp_path: Path) -> None:
    target = tmp_path / "made-in-the-sandbox.txt"

    def write() -> Message:
        target.write_text("x", encoding="utf-8")
        return Message({"uid": os.getuid()})

    reply = Child.fork(write, sandbox=Sandbox(network=False)).result(30)
    assert reply.header["uid"] == os.getuid() and target.stat().st_uid == os.getuid()


_GRANDPARENT = textwrap.dedent(
    """
    import sys, time
    from polevents.process import Child, Message, Sandbox
    def work():
        time.sleep(300)
        return Message({})
    forked = Child.fork(work)
    spawned = Child.spawn("polevents.process:echo_handler", {}, sandbox=Sandbox(network=False))
    print(forked.pid, spawned.pid, flush=True)
    time.sleep(300)
    """
)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_children_die_with_their_parent_even_when_it_is_killed() -> None:
    parent = subprocess.Popen([sys.executable, "-c", _GRANDPARENT], stdout=subprocess.PIPE)
    assert parent.stdout is not None
    pids = [int(p) for p in parent.stdout.readline().split()]
    assert len(pids) == 2 and all(_alive(pid) for pid in pids)
    parent.kill()  # SIGKILL: no atexit, no cleanup in the parent
    parent.wait()
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in pids):
        assert time.monotonic() < deadline, f"children {pids} outlived their parent"
        time.sleep(0.05)


def test_async_child_answers_times_out_and_is_replaced() -> None:
    async def scenario() -> None:
        child = await AsyncChild.spawn(ECHO, {}, what="the echo")
        assert await child.call({"x": [1, 2]}, b"body") == Message({"x": [1, 2]}, b"body")
        await child.close()
        assert child.process.returncode == 0

    asyncio.run(scenario())
