"""The server's error seam and hostile requests (#12 rows 5 and 6, #17 "error seam"), over real HTTP.

Every library error a route raises becomes its status in one table (serve.app.ERROR_STATUS);
entity paths that cannot be IRIs are 400, never 500; an oversized header is refused (431) before
anything parses it.
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from polevents.errors import (
    HeaderTooLargeError,
    InputError,
    NotAcceptableError,
    NotFoundError,
    PoleventsError,
    QueryError,
    QueryTimeoutError,
    RdfSyntaxError,
    RemoteError,
)
from polevents.serve.app import ERROR_STATUS, status_of
from polevents.serve.negotiate import MAX_RANGES, choose, parse_accept
from serve_launch import RunningServer, launched_server

DATA = """\
<https://w3id.org/polevents/id/person/x> <http://www.w3.org/2000/01/rdf-schema#label> "X"@en <https://w3id.org/polevents/graph/t> .
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    root = tmp_path_factory.mktemp("serve-errors")
    (root / "d.nq").write_text(DATA, encoding="utf-8")
    with launched_server([str(root / "d.nq"), "--no-access-log"], cwd=root) as running:
        yield running


def raw_get(server: RunningServer, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    """GET ``path`` byte for byte (no client-side normalisation of %-escapes)."""
    url = urlsplit(server.url)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def test_one_table_maps_errors_to_statuses() -> None:
    assert status_of(NotFoundError("x")) == 404
    assert status_of(NotAcceptableError("x")) == 406
    assert status_of(HeaderTooLargeError("x")) == 431
    assert status_of(InputError("x")) == 400
    assert status_of(QueryError("x")) == 400
    assert status_of(QueryTimeoutError("x")) == 503
    assert status_of(RemoteError("x")) == 502
    assert status_of(PoleventsError("x")) == 500
    from polevents.errors import MemoryLimitError, WorkerError
    from polevents.serve.worker import NetworkRefusedError

    assert status_of(NetworkRefusedError("SERVICE")) == 403
    assert status_of(MemoryLimitError("x")) == 503
    assert status_of(WorkerError("x")) == 500

    class Unlisted(InputError):
        pass

    assert status_of(Unlisted("x")) == 400  # a subclass takes its parent's status
    assert RdfSyntaxError in ERROR_STATUS
    assert set(ERROR_STATUS.values()) <= {400, 403, 404, 406, 431, 500, 502, 503}


@pytest.mark.integration
@pytest.mark.parametrize(
    "path", ["/polevents/id/a%20b", "/polevents/id/%ZZ", "/polevents/id/%ff%fe", "/polevents/id/a%22b"]
)
def test_entity_paths_that_are_no_iri_are_not_500(server: RunningServer, path: str) -> None:
    for accept in ("text/turtle", "text/html", "application/ld+json"):
        status, body = raw_get(server, path, {"Accept": accept})
        assert status in (400, 404), (path, accept, status, body)
    assert "Traceback" not in body


@pytest.mark.integration
def test_unknown_entity_is_404_through_the_seam(server: RunningServer) -> None:
    status, body = raw_get(server, "/polevents/id/person/nobody", {"Accept": "text/turtle"})
    assert status == 404 and "says nothing about" in body
    status, body = raw_get(server, "/polevents/id/person/nobody", {"Accept": "text/html"})
    assert status == 404 and "<html" in body.lower()
    status, _ = raw_get(server, "/polevents/id/person/x", {"Accept": "image/png"})
    assert status == 406


@pytest.mark.integration
def test_an_oversized_accept_is_refused_and_pages_still_served(server: RunningServer) -> None:
    huge = "text/plain;q=0.1, " * 60_000  # about 1 MB
    for path in ("/polevents/id/person/x", "/static/style.css", "/sparql?query=ASK%7B%7D"):
        try:
            status, body = raw_get(server, path, {"Accept": huge})
        except (ConnectionResetError, BrokenPipeError):
            continue  # refused at the request head limit (64 KiB) while the client was still sending
        assert status in (400, 431), (path, status)
        assert "Traceback" not in body
    status, _ = raw_get(server, "/static/style.css")
    assert status == 200
    status, _ = raw_get(server, "/polevents/id/person/x", {"Accept": "text/turtle"})
    assert status == 200


def test_accept_parsing_is_bounded() -> None:
    """Only the first MAX_RANGES entries count: a match hidden after many is not read."""
    header = ", ".join(["application/x-nothing"] * (MAX_RANGES + 10)) + ", text/turtle"
    assert len(parse_accept(header)) == MAX_RANGES
    assert choose(header, ["text/turtle"]) is None
    assert choose("application/x-nothing, text/turtle", ["text/turtle"]) == "text/turtle"


def test_no_route_chooses_an_error_status() -> None:
    """Statuses of errors are chosen in the table only (redirects and 304 are no errors)."""
    import re

    source = (Path(__file__).parents[1] / "src" / "polevents" / "serve" / "app.py").read_text(encoding="utf-8")
    chosen = {int(n) for n in re.findall(r"status_code=(\d{3})", source)}
    assert chosen <= {303, 304}, chosen
