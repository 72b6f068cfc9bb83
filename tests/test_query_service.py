"""A query with SERVICE calls the service exactly once: the syntax check must not evaluate it."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from support import make_query_project, run


class _Counting(http.server.BaseHTTPRequestHandler):
    calls: list[str] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        type(self).calls.append(self.command)
        body = json.dumps(
            {"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "1"}}]}}
        )
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = _answer
    do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def service() -> Iterator[tuple[str, list[str]]]:
    _Counting.calls = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql", _Counting.calls
    finally:
        server.shutdown()
        server.server_close()


def test_local_query_with_service_calls_it_once(tmp_path: Path, service: tuple[str, list[str]]) -> None:
    url, calls = service
    project = make_query_project(tmp_path / "project")
    result = run("query", "--project", str(project), "--format", "csv",
                 f"SELECT ?x WHERE {{ SERVICE <{url}> {{ ?s ?p ?x }} }}")  # fmt: skip
    assert result.code == 0, result.err
    assert result.out.splitlines() == ["x", "1"]
    assert len(calls) == 1, calls
