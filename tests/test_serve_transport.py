"""The request head is bounded with the httptools parser as it was with h11 (#12 row 5, #13).

The server runs uvicorn's httptools protocol (C) instead of h11 (pure Python) for speed;
httptools buffers a head of any size, so :mod:`polevents.serve.transport` bounds it.  Raw
sockets over real HTTP: what a hostile client sends, byte for byte.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from polevents.serve.transport import MAX_REQUEST_HEAD, event_loop, http_protocol
from serve_launch import RunningServer, launched_server

DATA = """\
<https://w3id.org/polevents/id/person/x> <http://www.w3.org/2000/01/rdf-schema#label> "X"@en <https://w3id.org/polevents/graph/t> .
"""
STYLE = b"GET /static/style.css HTTP/1.1\r\nHost: x\r\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    root = tmp_path_factory.mktemp("serve-transport")
    (root / "d.nq").write_text(DATA, encoding="utf-8")
    with launched_server([str(root / "d.nq"), "--no-access-log"], cwd=root) as running:
        yield running


def exchange(server: RunningServer, data: bytes, pieces: int = 1, pause: float = 0.0) -> bytes:
    """Send ``data`` (in ``pieces``), then read until the server closes or a whole answer came;
    what the server answered (b"" when it reset the connection before answering)."""
    url = urlsplit(server.url)
    received = b""
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 80), timeout=30) as sock:
            size = len(data) // pieces + 1
            for start in range(0, len(data), size):
                sock.sendall(data[start : start + size])
                if pause:
                    time.sleep(pause)
            sock.shutdown(socket.SHUT_WR)
            while chunk := sock.recv(65536):
                received += chunk
    except (ConnectionResetError, BrokenPipeError):
        pass  # refused while the client was still sending
    return received


def status_line(answer: bytes) -> bytes:
    return answer.split(b"\r\n", 1)[0]


def headers_of(total: int, each: int = 7000) -> bytes:
    """Header lines of about ``total`` bytes, each under the 8 KiB per-header limit."""
    return b"".join(b"X-Filler-%d: %s\r\n" % (i, b"a" * each) for i in range(total // (each + 16)))


def test_the_server_runs_the_bounded_httptools_protocol() -> None:
    pytest.importorskip("httptools")
    protocol, settings = http_protocol()
    assert protocol != "h11" and settings == {}
    assert protocol.max_head == MAX_REQUEST_HEAD
    pytest.importorskip("uvloop")
    assert event_loop() == "uvloop"


@pytest.mark.integration
def test_a_head_of_many_small_headers_past_the_bound_is_refused(server: RunningServer) -> None:
    """Every header is under the 8 KiB limit, their sum is over 64 KiB: httptools alone accepts it."""
    answer = exchange(server, STYLE + headers_of(MAX_REQUEST_HEAD + 8000) + b"\r\n")
    assert status_line(answer) == b"HTTP/1.1 431 Request Header Fields Too Large", answer[:200]


@pytest.mark.integration
def test_a_long_request_target_past_the_bound_is_refused(server: RunningServer) -> None:
    target = b"/sparql?query=" + b"a" * (MAX_REQUEST_HEAD + 100)
    answer = exchange(server, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status_line(answer) == b"HTTP/1.1 431 Request Header Fields Too Large", answer[:200]


@pytest.mark.integration
def test_a_dripped_head_is_refused_before_it_ends(server: RunningServer) -> None:
    """A head that never ends, sent slowly: refused once the bound is passed, not buffered for ever."""
    url = urlsplit(server.url)
    with socket.create_connection((url.hostname or "127.0.0.1", url.port or 80), timeout=30) as sock:
        sock.sendall(STYLE + b"Accept: ")
        sent = 0
        refused = b""
        try:
            while sent < 4 * MAX_REQUEST_HEAD:
                sock.sendall(b"a" * 4096)
                sent += 4096
                time.sleep(0.002)
        except (ConnectionResetError, BrokenPipeError):
            refused = b"reset"
        if not refused:
            sock.settimeout(10)
            try:
                refused = sock.recv(200)
            except ConnectionResetError:
                refused = b"reset"
    assert refused == b"reset" or status_line(refused).startswith(b"HTTP/1.1 431"), refused
    assert sent <= 3 * MAX_REQUEST_HEAD  # refused near the bound, not after the whole head


@pytest.mark.integration
def test_heads_within_the_bound_and_large_bodies_are_served(server: RunningServer) -> None:
    answer = exchange(server, STYLE + headers_of(MAX_REQUEST_HEAD - 8000) + b"\r\n")
    assert status_line(answer) == b"HTTP/1.1 200 OK", answer[:200]
    # the body is not part of the head: a 300 KB form (under --max-body) is read whole
    body = b"query=ASK%7B%7D&pad=" + b"a" * 300_000
    request = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        b"Accept: application/sparql-results+json\r\nContent-Length: %d\r\n\r\n" % len(body)
    )
    answer = exchange(server, request + body)
    assert status_line(answer) == b"HTTP/1.1 200 OK", answer[:200]
    assert b'"boolean":' in answer


@pytest.mark.integration
def test_pipelined_requests_are_each_bounded_and_answered(server: RunningServer) -> None:
    """Two requests in one packet: both answered; the count starts again for the second head."""
    one = STYLE + headers_of(MAX_REQUEST_HEAD // 2) + b"\r\n"
    url = urlsplit(server.url)
    answer = b""
    with socket.create_connection((url.hostname or "127.0.0.1", url.port or 80), timeout=30) as sock:
        sock.sendall(one + one)  # the connection stays open: both answers come on it
        while answer.count(b"HTTP/1.1 200 OK") < 2 and (chunk := sock.recv(65536)):
            answer += chunk
    assert answer.count(b"HTTP/1.1 200 OK") == 2, [status_line(answer)]
    assert b"431" not in answer
