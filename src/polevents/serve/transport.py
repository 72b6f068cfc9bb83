"""The HTTP/1.1 protocol the server runs on: uvicorn's httptools protocol with a bounded request head.

uvicorn parses requests with ``h11`` (pure Python) or ``httptools`` (llhttp, C).  h11 has
a bound on the request head (``h11_max_incomplete_event_size``) but costs a large share of
a small ``/sparql`` request's CPU; httptools is several times cheaper but buffers a head
of any size.  :class:`BoundedHttpToolsProtocol` adds the bound to httptools, with two
checks, so that neither a slow drip nor one large packet gets a head past
:data:`MAX_REQUEST_HEAD` accepted (#12 row 5):

* **bytes received**: while a request's head is incomplete, every byte received counts;
  past the bound the connection is answered 431 and closed (what is buffered is at most
  the bound plus one read);
* **bytes parsed**: when the head is complete, its request target and header lines are
  measured; past the bound the request is refused (431) before the application sees it.

Where httptools is not installed, the server runs on h11 with the same bound
(:func:`http_protocol`).  Per-header limits (431 past 8 KiB) are the application's
(:class:`polevents.serve.app.HeaderLimit`), the same with either parser.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MAX_REQUEST_HEAD", "event_loop", "http_protocol"]

#: bytes of request line + headers the server buffers before refusing a request (431): the head is
#: read on the event loop, so a megabyte of headers must not be buffered nor parsed (#12 row 5).
#: A GET query longer than this is sent with POST (which --max-body bounds).
MAX_REQUEST_HEAD = 64 * 1024

_REFUSAL = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
)


class _HeadTooLarge(Exception):
    """Raised from a parser callback to stop parsing a refused request."""


def _bounded_class() -> type[Any]:
    """The protocol class (made on first use: httptools and uvicorn's protocol are imported then)."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class BoundedHttpToolsProtocol(HttpToolsProtocol):
        """uvicorn's httptools protocol, refusing (431) a request head larger than ``max_head`` bytes."""

        max_head = MAX_REQUEST_HEAD

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            #: a request head is being received (from the connection's start or the previous request's end)
            self._in_head = True
            #: bytes received while the head was incomplete; bytes of the head parsed so far
            self._received = 0
            self._parsed = 0
            self._too_large = False

        def data_received(self, data: bytes) -> None:
            if self._in_head:
                self._received += len(data)
            super().data_received(data)
            if self._in_head and self._received > self.max_head:
                self._refuse()

        def send_400_response(self, msg: str) -> None:
            # a parser callback raised _HeadTooLarge: httptools reports it as a parser error
            if self._too_large:
                self._refuse()
            else:
                super().send_400_response(msg)

        def _head_grew(self, size: int) -> None:
            self._parsed += size
            if self._parsed > self.max_head:
                self._too_large = True
                raise _HeadTooLarge()

        def _refuse(self) -> None:
            if self.transport.is_closing():
                return
            message = f"the request head is larger than {self.max_head} bytes\n".encode("ascii")
            length = b"content-length: " + str(len(message)).encode("ascii") + b"\r\n\r\n"
            self.transport.write(_REFUSAL + length + message)
            self.transport.close()

        def on_message_begin(self) -> None:
            self._in_head = True
            self._parsed = 0
            super().on_message_begin()

        def on_url(self, url: bytes) -> None:
            self._head_grew(len(url))
            super().on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            self._head_grew(len(name) + len(value) + 4)  # ": " and CRLF
            super().on_header(name, value)

        def on_headers_complete(self) -> None:
            self._in_head = False
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            # the next request's head starts here (it may be in the same read: counted from its next read on)
            self._in_head = True
            self._received = 0
            super().on_message_complete()

    return BoundedHttpToolsProtocol


def http_protocol() -> tuple[Any, dict[str, Any]]:
    """uvicorn's ``http=`` setting and extra settings: the bounded httptools protocol where
    httptools is installed, else h11 with the same bound."""
    try:
        import httptools  # noqa: F401
    except ImportError:
        return "h11", {"h11_max_incomplete_event_size": MAX_REQUEST_HEAD}
    return _bounded_class(), {}


def event_loop() -> str:
    """uvicorn's ``loop=`` setting: uvloop where it is installed (a faster event loop), else asyncio."""
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return "asyncio"
    return "uvloop"
