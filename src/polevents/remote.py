"""The one HTTP client of polevents: a client factory, one error mapping, one server-message rule.

Every request polevents sends to another server goes through here: ``query
--endpoint`` (SPARQL Protocol), ``link`` against a SPARQL endpoint (paged
SELECTs) and ``publish`` (Graph Store PUTs).  Three things are decided once:

* **Time.**  :func:`client` gives an ``httpx.Client`` whose ``timeout`` bounds
  the *whole* exchange of one call (``client.get/post/put/send``): connecting,
  sending the body, the authentication round trip, redirects and reading the
  answer to its last byte.  httpx's own timeouts bound each socket operation,
  so a server that sends one byte every half second never trips them; here
  every read, write and connect is given only what is left of the call's
  deadline.  There is always a deadline (:data:`DEFAULT_TIMEOUT_S`).
* **Errors.**  :func:`error_for` turns any ``httpx`` exception into the
  project's hierarchy (:class:`~polevents.errors.RemoteError`, a time-out class
  the caller picks, or :class:`~polevents.errors.InputError` for a URL httpx
  cannot use), and :func:`status_error` an error status into a
  :class:`~polevents.errors.RemoteError` that carries the status.
* **The server's words.**  :func:`server_message` is how an error body is
  shown: HTML tags, scripts and styles removed, the first few non-empty lines
  joined with ``" | "``, at most 600 characters.

This module imports httpx at import time; callers import it inside the function
that needs it, so commands that never touch the network do not pay for httpx.
"""

from __future__ import annotations

import contextvars
import re
import ssl
import threading
import time
from collections.abc import Generator, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx

from . import __version__
from .errors import InputError, PoleventsError, RemoteError

__all__ = [
    "CONNECT_TIMEOUT_S",
    "DEFAULT_TIMEOUT_S",
    "USER_AGENT",
    "client",
    "credentials",
    "error_for",
    "server_message",
    "status_error",
]

#: The deadline of one call when the caller gives none (seconds).
DEFAULT_TIMEOUT_S = 60.0
#: How long to wait for a TCP connection, whatever the deadline says (seconds).
CONNECT_TIMEOUT_S = 10.0
#: Sent with every request.
USER_AGENT = f"polevents/{__version__} (+https://w3id.org/polevents/; httpx)"

#: Lines and characters of an error body shown by :func:`server_message`.
MESSAGE_LINES = 5
MESSAGE_CHARS = 600

#: The monotonic time by which the current call must be over (``None``: outside a call).
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("polevents_remote_deadline", default=None)

_SCRIPTS = re.compile(r"(?is)<(script|style)\b.*?</\1\s*>")
_TAGS = re.compile(r"(?s)<[^>]+>")
_ERRNO = re.compile(r"^\[Errno -?\d+\]\s*")


# --------------------------------------------------------------------------- the deadline


def _left(kind: type[httpcore.TimeoutException], timeout: float | None) -> float | None:
    """What remains of the call's deadline for one socket operation, capped by ``timeout``."""
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise kind("the request's deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every operation ends by the call's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(httpcore.ReadTimeout, timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(httpcore.WriteTimeout, timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname, _left(httpcore.ConnectTimeout, timeout))
        return _DeadlineStream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's synchronous sockets, each operation bounded by the call's deadline."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        left = _left(httpcore.ConnectTimeout, timeout)
        return _DeadlineStream(self._inner.connect_tcp(host, port, left, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        left = _left(httpcore.ConnectTimeout, timeout)
        return _DeadlineStream(self._inner.connect_unix_socket(path, left, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


#: httpcore's exceptions as httpx's (most specific first), as httpx's own transport maps them.
_MAPPED: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextmanager
def _httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for source, target in _MAPPED:
            if isinstance(exc, source):
                raise target(str(exc)) from exc
        raise


class _ResponseStream(httpx.SyncByteStream):
    def __init__(self, inner: Iterable[bytes]) -> None:
        self._inner = inner

    def __iter__(self) -> Iterator[bytes]:
        with _httpx_errors():
            yield from self._inner

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()


class _DeadlineTransport(httpx.BaseTransport):
    """An HTTP/1.1 transport on httpcore's public API, with :class:`_DeadlineBackend` sockets."""

    def __init__(self, connections: int) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=None,  # httpcore makes the default context on the first https connection
            max_connections=connections,
            max_keepalive_connections=connections,
            network_backend=_DeadlineBackend(),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _httpx_errors():
            response = self._pool.handle_request(core)
        assert isinstance(response.stream, Iterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(response.stream),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._pool.close()


class _Client(httpx.Client):
    """An ``httpx.Client`` whose every call (``send``, and so get/post/put) ends by one deadline."""

    def __init__(self, total: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.total = total

    def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        if _DEADLINE.get() is not None:  # a call within a call keeps the outer deadline
            return super().send(request, **kwargs)
        token = _DEADLINE.set(time.monotonic() + self.total)
        try:
            response = super().send(request, **kwargs)
            if not kwargs.get("stream", False):
                return response
            response.read()  # a streamed answer is read here, within the deadline, too
            return response
        finally:
            _DEADLINE.reset(token)


# --------------------------------------------------------------------------- the factory


def client(
    *,
    timeout: float | None = None,
    headers: Mapping[str, str] | None = None,
    auth: httpx.Auth | None = None,
    connections: int = 1,
    follow_redirects: bool = True,
) -> httpx.Client:
    """A client for one endpoint; use it as a context manager.

    :param timeout: seconds one call may take, everything included (default :data:`DEFAULT_TIMEOUT_S`).
    :param headers: sent with every request, after the ``User-Agent``.
    :param auth: from :func:`credentials`, or any ``httpx.Auth``.
    :param connections: how many requests may be in flight at once (threads sharing the client).
    :param follow_redirects: off for requests whose body must not be sent twice (uploads).

    The client ignores proxy and certificate settings from the environment
    (``trust_env=False``): a deadline must hold for every route a request can take.
    """
    total = DEFAULT_TIMEOUT_S if timeout is None else timeout
    if total <= 0:
        raise InputError(f"a timeout must be positive, not {timeout:g}")
    return _Client(
        total,
        timeout=httpx.Timeout(total, connect=min(total, CONNECT_TIMEOUT_S)),
        headers={"User-Agent": USER_AGENT, **(headers or {})},
        auth=auth,
        follow_redirects=follow_redirects,
        transport=_DeadlineTransport(max(1, connections)),
        trust_env=False,
    )


class _PerThread(httpx.Auth):
    """One authenticator per thread: Digest counts its nonces, so threads must not share one."""

    def __init__(self, user: str, password: str, digest: bool) -> None:
        self._args = (user, password)
        self._digest = digest
        self._local = threading.local()

    def _auth(self) -> httpx.Auth:
        auth: httpx.Auth | None = getattr(self._local, "auth", None)
        if auth is None:
            auth = httpx.DigestAuth(*self._args) if self._digest else httpx.BasicAuth(*self._args)
            self._local.auth = auth
        return auth

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        yield from self._auth().sync_auth_flow(request)


def credentials(user: str, password: str, *, digest: bool = False) -> httpx.Auth:
    """HTTP Basic (or Digest) authentication, safe to share between threads."""
    return _PerThread(user, password, digest)


# --------------------------------------------------------------------------- errors


def server_message(response: httpx.Response) -> str:
    """The server's explanation in an error answer: the first lines of its body, tags removed.

    An HTML body loses its scripts, styles and tags; the first
    :data:`MESSAGE_LINES` non-empty lines, each with its spaces collapsed, are
    joined with ``" | "`` and cut at :data:`MESSAGE_CHARS` characters.  A body
    that cannot be decoded gives ``""`` (say nothing rather than fail while failing).
    """
    try:
        body = response.text
    except Exception:  # an undecodable error body is not worth a second error
        return ""
    if "html" in response.headers.get("content-type", "") or body.lstrip().startswith("<"):
        body = _TAGS.sub("\n", _SCRIPTS.sub(" ", body))
    lines = [" ".join(line.split()) for line in body.splitlines()]
    message = " | ".join([line for line in lines if line][:MESSAGE_LINES])
    return message if len(message) <= MESSAGE_CHARS else message[: MESSAGE_CHARS - 1] + "…"


def _where(endpoint: str, doing: str) -> str:
    return f"{endpoint}: {doing}: " if doing else f"{endpoint}: "


def status_error(response: httpx.Response, endpoint: str, doing: str = "", hint: str = "") -> RemoteError:
    """``ENDPOINT: [DOING: ]HTTP 404 Not Found[ (HINT)][: the server's message]``, with ``status`` set."""
    detail = server_message(response)
    message = (
        f"{_where(endpoint, doing)}HTTP {response.status_code} {response.reason_phrase}"
        + (f" ({hint})" if hint else "")
        + (f": {detail}" if detail else "")
    )
    error = RemoteError(message)
    error.status = response.status_code
    return error


def error_for(
    exc: httpx.HTTPError,
    endpoint: str,
    *,
    doing: str = "",
    timeout: float | None = None,
    timeout_error: type[PoleventsError] = RemoteError,
) -> PoleventsError:
    """The project's error for an exception of httpx (raise it ``from exc``).

    * a URL httpx cannot use → :class:`InputError`;
    * no connection within :data:`CONNECT_TIMEOUT_S` → :class:`RemoteError` ``unreachable``;
    * the deadline passed → ``timeout_error`` (``QueryTimeoutError`` for a query, exit 3);
    * refused, reset, a broken answer → :class:`RemoteError`.

    ``timeout`` is the deadline the client was made with (for the message).
    """
    where = _where(endpoint, doing)
    if isinstance(exc, (httpx.InvalidURL, httpx.UnsupportedProtocol)):
        return InputError(f"{endpoint}: not a usable endpoint URL ({exc})")
    total = DEFAULT_TIMEOUT_S if timeout is None else timeout
    if isinstance(exc, httpx.ConnectTimeout):
        return RemoteError(f"{where}unreachable (no connection within {min(total, CONNECT_TIMEOUT_S):g} s)")
    if isinstance(exc, httpx.TimeoutException):
        return timeout_error(f"{where}no answer within {total:g} s; the request was abandoned")
    if isinstance(exc, httpx.ConnectError):
        reason = _ERRNO.sub("", str(exc)) or type(exc).__name__
        return RemoteError(f"{where}unreachable ({reason})")
    return RemoteError(f"{where}request failed: {type(exc).__name__}: {exc}")
