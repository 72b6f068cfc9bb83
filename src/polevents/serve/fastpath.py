"""``GET /sparql`` answered before the web framework: the endpoint's common case at a lower cost.

Most requests to an endpoint are a ``GET /sparql?query=…`` from a program (no browser,
no CORS) asking for SPARQL results.  :func:`with_fast_sparql` wraps the ASGI application
so that such a request is answered from the raw ASGI scope, with the very functions the
endpoint uses (:mod:`.protocol` to read the request, :func:`.sparql.refused_or_scanned`,
:func:`.sparql.result_format`, :func:`.sparql.query_job`, :func:`.sparql.failure`), and
the same answer: status, body, ``Content-Type``, ``Vary``, ``X-SPARQL-MaxRows``, the
plain-text error messages.  Everything else goes to the application (Starlette) as it is:
POST, HEAD, OPTIONS, a request with ``Origin`` (CORS headers), a browser (the HTML page),
no query (the service description), a CONSTRUCT/DESCRIBE result, a header longer than the
application's bound (431), a malformed request, a worker without a network namespace (the
SERVICE check by parse).  Being more restrictive than the endpoint, it can only hand
over, never answer differently.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import PoleventsError
from ..formats import ResultFormat
from .negotiate import choose
from .protocol import ProtocolError, read_query_string
from .sparql import Refusal, failure, query_job, refused_or_scanned, result_format
from .worker import QueryJob, QueryOutcome

if TYPE_CHECKING:  # pragma: no cover
    from starlette.applications import Starlette

    from .app import ServerContext

__all__ = ["SPARQL_PATHS", "fast_protocol", "with_fast_sparql"]

SPARQL_PATHS = frozenset({"/sparql", "/sparql/"})
_Answer = tuple[int, list[tuple[bytes, bytes]], bytes]
_TEXT = b"text/plain; charset=utf-8"


def with_fast_sparql(app: Starlette) -> Any:
    """``app`` with the common ``GET /sparql`` requests answered first (see the module docstring)."""
    from .app import MAX_HEADER_BYTES

    ctx: ServerContext = app.state.ctx
    plan = _planner(ctx)

    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        if getattr(ctx.pool, "retired", None) is not None:
            send = _closing(send)  # this worker ends soon: the client's next request goes to another
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] in SPARQL_PATHS:
            answer = await _answer(ctx, scope, MAX_HEADER_BYTES, plan)
            if answer is not None:
                status, headers, body = answer
                headers = [*headers, (b"content-length", str(len(body)).encode("ascii"))]  # (answers are shared)
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await app(scope, receive, send)

    return asgi


def _closing(send: Any) -> Any:
    """``send`` with ``Connection: close`` added to the response head."""

    async def closing(message: Any) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", ()), (b"connection", b"close")]}
        await send(message)

    return closing


@functools.lru_cache(maxsize=256)
def _browser(accept: str) -> bool:
    """What :func:`polevents.serve.sparql.wants_html` says for this Accept header."""
    return choose(accept, ["text/plain", "text/html"]) == "text/html"


def _error(status: int, message: str) -> _Answer:
    headers = [(b"content-type", _TEXT), (b"vary", b"Accept"), (b"cache-control", b"no-store")]
    if status == 503:
        headers.append((b"retry-after", b"5"))
    return status, headers, (message + "\n").encode("utf-8")


#: a query string up to this many bytes (and an Accept header up to :data:`PLAN_CACHE_ACCEPT`) has
#: its plan remembered (:func:`_planner`)
PLAN_CACHE_BYTES = 4096
PLAN_CACHE_ACCEPT = 512
_Plan = Callable[[bytes, "str | None"], "_Answer | QueryJob | None"]


def _planner(ctx: ServerContext) -> _Plan:
    """:func:`_plan_query` for ``ctx``, its answers remembered for short query strings: a plan is a
    function of the query string and the Accept header alone (the server's settings do not change),
    and clients send the same queries again and again.  What is remembered is how to run the query
    (the job) or the error answer before any evaluation, never a result."""
    cached = functools.lru_cache(maxsize=1024)(functools.partial(_plan_query, ctx))

    def plan(query_string: bytes, accept: str | None) -> _Answer | QueryJob | None:
        if len(query_string) > PLAN_CACHE_BYTES or (accept is not None and len(accept) > PLAN_CACHE_ACCEPT):
            return _plan_query(ctx, query_string, accept)
        return cached(query_string, accept)

    return plan


def _plan(
    ctx: ServerContext, headers: Any, query_string: bytes, max_header: int, plan: _Plan | None = None
) -> _Answer | QueryJob | None:
    """A ``GET /sparql`` request's job, or its error answer; None to hand it to the application.
    (``plan``: :func:`_plan_query` for ``ctx``, remembered: :func:`_planner`.)"""
    accept = None
    for name, value in headers:
        if len(value) > max_header or name == b"origin":
            return None
        if name == b"accept":
            accept = value.decode("latin-1")
    if accept is not None and _browser(accept):
        return None
    if plan is not None:
        return plan(query_string, accept)
    return _plan_query(ctx, query_string, accept)


def _plan_query(ctx: ServerContext, query_string: bytes, accept: str | None) -> _Answer | QueryJob | None:
    """:func:`_plan` once the headers are read (a function of its arguments alone)."""
    try:
        sreq = read_query_string(query_string)
    except ProtocolError:
        return None
    query = sreq.query
    if query is None or not ctx.pool.network_isolated:
        return None
    try:
        scan = refused_or_scanned(query)
        fmt = result_format(scan, accept, sreq.format)
    except Refusal as refusal:
        return _error(refusal.status, refusal.message)
    if not isinstance(fmt, ResultFormat):
        return None  # the HTML page, or a graph (Turtle declares the dataset's prefixes): the endpoint's
    return query_job(ctx, sreq, scan, fmt, None)


def _result(ctx: ServerContext, result: QueryOutcome | PoleventsError) -> _Answer:
    """The answer of a query that ran (or failed)."""
    if isinstance(result, PoleventsError):
        return _error(*failure(ctx, result))
    headers = [(b"content-type", result.content_type.encode("latin-1")), (b"vary", b"Accept")]
    if result.truncated:
        headers.append((b"x-sparql-maxrows", str(ctx.settings.max_rows).encode("ascii")))
    return 200, headers, result.body


async def _answer(ctx: ServerContext, scope: Any, max_header: int, plan: _Plan) -> _Answer | None:
    """The answer to a ``GET /sparql`` request, or None to hand it to the application."""
    planned = _plan(ctx, scope["headers"], scope["query_string"], max_header, plan)
    if not isinstance(planned, QueryJob):
        return planned
    try:
        outcome: QueryOutcome | PoleventsError = await ctx.pool.run(planned, ctx.settings.timeout)
    except PoleventsError as exc:
        outcome = exc
    return _result(ctx, outcome)


# ---------------------------------------------------------------- the same, in the HTTP protocol


class _Lean:
    """What uvicorn's protocol keeps as ``cycle`` while a request is answered here (see :func:`fast_protocol`)."""

    def __init__(self, keep_alive: bool) -> None:
        self.keep_alive = keep_alive
        self.response_complete = False
        self.disconnected = False
        self.more_body = True
        self.body = bytearray()  # a GET's body, if one comes: read and dropped
        self.message_event = self

    def set(self) -> None:
        """uvicorn wakes the request's reader: there is none."""


def fast_protocol(base: type[Any], ctx: ServerContext) -> type[Any]:
    """uvicorn's httptools protocol class ``base`` answering the common ``GET /sparql`` requests itself,
    without the ASGI round (no task, no scope, no messages): the same answers as :func:`with_fast_sparql`.

    Only when nothing else is in flight on the connection (a pipelined request keeps its order:
    it goes the ASGI way), and not in a worker that is retiring (whose answers close the connection).
    """
    import httptools
    from uvicorn.protocols.http.httptools_impl import STATUS_LINE

    from .app import MAX_HEADER_BYTES

    runner = ctx.pool
    submit = getattr(runner, "submit", None)
    timeout = ctx.settings.timeout
    plan = _planner(ctx)

    class FastSparqlProtocol(base):  # type: ignore[misc]
        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            sock = transport.get_extra_info("socket")
            #: the connection's socket, for an answer written while the event loop is blocked (see _stuck)
            self._fd = sock.fileno() if sock is not None else -1

        def on_headers_complete(self) -> None:
            if (
                submit is not None
                and getattr(runner, "retired", None) is None
                and (self.cycle is None or self.cycle.response_complete)  # type: ignore[has-type]
                and not self.pipeline
                and self.parser.get_method() == b"GET"
            ):
                url = httptools.parse_url(self.url)
                if url.path in (b"/sparql", b"/sparql/"):
                    planned = _plan(ctx, self.headers, url.query or b"", MAX_HEADER_BYTES, plan)
                    if planned is not None:
                        self._in_head = False
                        version = self.parser.get_http_version()
                        lean = _Lean(version != "1.0" and self.parser.should_keep_alive())
                        self.cycle = lean
                        if isinstance(planned, QueryJob):
                            submit(
                                planned, timeout, lambda result: self._lean_answer(lean, version, _result(ctx, result)),
                                self._stuck(),
                            )  # fmt: skip
                        else:
                            self._lean_answer(lean, version, planned)
                        return
            super().on_headers_complete()

        def _stuck(self) -> Any:
            """What writes the answer to a query that overran on the blocked event loop (the runner's
            watchdog thread calls it, then the worker ends): None when the connection has bytes
            waiting to be sent (the answer would come before them), or no socket of its own."""
            fd = self._fd
            if fd < 0 or self.transport.get_write_buffer_size():
                return None

            def stuck(error: PoleventsError) -> None:
                with contextlib.suppress(OSError):
                    os.write(fd, self._framed(_result(ctx, error), False))

            return stuck

        def _framed(self, answer: _Answer, keep_alive: bool) -> bytes:
            status, headers, body = answer
            content = [STATUS_LINE[status]]
            for name, value in self.server_state.default_headers:
                content += [name, b": ", value, b"\r\n"]
            for name, value in headers:
                content += [name, b": ", value, b"\r\n"]
            content += [b"content-length: ", str(len(body)).encode("ascii"), b"\r\n"]
            if not keep_alive:
                content.append(b"connection: close\r\n")
            content += [b"\r\n", body]
            return b"".join(content)

        def _lean_answer(self, lean: _Lean, version: str, answer: _Answer) -> None:
            if lean.disconnected or self.transport.is_closing():
                return
            if self.access_log:
                client = f"{self.client[0]}:{self.client[1]}" if self.client else "-"
                self.access_logger.info(
                    '%s - "GET %s HTTP/%s" %d', client, self.url.decode("latin-1"), version, answer[0]
                )
            self.transport.write(self._framed(answer, lean.keep_alive))
            lean.response_complete = True
            if not lean.keep_alive:
                self.transport.close()
            self.on_response_complete()

    return FastSparqlProtocol
