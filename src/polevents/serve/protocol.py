"""Reading a SPARQL 1.1 Protocol request strictly (https://www.w3.org/TR/sparql11-protocol/ §2.1).

Three ways to send a query: ``GET ?query=``; ``POST`` with
``application/x-www-form-urlencoded`` (parameters in the body, and in the URL);
``POST`` with ``application/sparql-query`` (the query is the body; the dataset
parameters in the URL).  Everything else is a protocol error with its HTTP
status and a message a person can act on:

* 400: two ``query`` parameters, ``query`` with ``update``, a POST without
  Content-Type, percent-encoding that does not decode, text that is not UTF-8,
  a charset other than UTF-8, a dataset IRI that is not absolute, an empty query;
* 403: SPARQL Update (``update=`` or ``application/sparql-update``): the endpoint is read-only;
* 413: a body over the size limit;
* 415: a POST body of any other media type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes

from starlette.requests import Request

__all__ = ["ProtocolError", "SparqlRequest", "parse_urlencoded", "read_query_string", "read_sparql_request"]

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"

_BAD_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*")


class ProtocolError(Exception):
    """A request the endpoint refuses: the HTTP status and what to do about it."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class SparqlRequest:
    """The operation a protocol request asks for."""

    query: str | None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    #: ``format=`` (a polevents extension): overrides the Accept header
    format: str | None = None

    @property
    def has_dataset(self) -> bool:
        """Whether the protocol names the RDF dataset (it then overrides the query's FROM)."""
        return bool(self.default_graphs or self.named_graphs)


def _decode(raw: bytes, where: str) -> str:
    raw = raw.replace(b"+", b" ")
    if _BAD_PERCENT.search(raw):
        raise ProtocolError(400, f"malformed percent-encoding in the {where} ('%' must be followed by two hex digits)")
    try:
        return unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(400, f"the {where} is not UTF-8 once percent-decoded; encode the query in UTF-8") from None


def parse_urlencoded(raw: bytes, where: str) -> list[tuple[str, str]]:
    """``application/x-www-form-urlencoded`` pairs, refusing what does not decode to UTF-8."""
    pairs = []
    for part in raw.split(b"&"):
        if not part:
            continue
        key, _, value = part.partition(b"=")
        pairs.append((_decode(key, where), _decode(value, where)))
    return pairs


def _media_type(header: str | None) -> tuple[str | None, dict[str, str]]:
    if header is None or not header.strip():
        return None, {}
    parts = header.split(";")
    params = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        params[k.strip().lower()] = v.strip().strip('"')
    return parts[0].strip().lower(), params


def _check_charset(params: dict[str, str], what: str) -> None:
    charset = params.get("charset")
    if charset is not None and charset.lower() not in ("utf-8", "utf8"):
        raise ProtocolError(400, f"{what} must be UTF-8, not charset={charset}")


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ProtocolError(413, f"request body of {declared} bytes exceeds the limit of {limit} bytes")
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProtocolError(413, f"request body exceeds the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _collect(pairs: list[tuple[str, str]]) -> SparqlRequest:
    queries = [v for k, v in pairs if k == "query"]
    updates = [v for k, v in pairs if k == "update"]
    if queries and updates:
        raise ProtocolError(400, "a request carries either 'query' or 'update', not both")
    if updates:
        raise ProtocolError(403, "this endpoint is read-only: SPARQL Update is not accepted")
    if len(queries) > 1:
        raise ProtocolError(400, f"{len(queries)} 'query' parameters: send exactly one query per request")
    formats = [v for k, v in pairs if k == "format"]
    out = SparqlRequest(
        query=queries[0] if queries else None,
        default_graphs=[v for k, v in pairs if k == "default-graph-uri"],
        named_graphs=[v for k, v in pairs if k == "named-graph-uri"],
        format=formats[-1] if formats and formats[-1] else None,
    )
    for iri in out.default_graphs + out.named_graphs:
        if not _ABSOLUTE_IRI.fullmatch(iri):
            raise ProtocolError(400, f"graph IRI {iri!r} is not an absolute IRI")
    return out


def read_query_string(raw: bytes) -> SparqlRequest:
    """The operation of a GET request, from its URL query string (as :func:`read_sparql_request` reads it).

    :raises ProtocolError: see the module docstring.
    """
    return _collect(parse_urlencoded(raw, "URL query string"))


async def read_sparql_request(request: Request, max_body: int) -> SparqlRequest:
    """The operation of a GET or POST request on the endpoint (see the module docstring)."""
    if request.method in ("GET", "HEAD"):
        return read_query_string(request.scope.get("query_string", b""))
    url_pairs = parse_urlencoded(request.scope.get("query_string", b""), "URL query string")
    media_type, params = _media_type(request.headers.get("content-type"))
    if media_type is None:
        raise ProtocolError(
            400,
            f"POST without Content-Type: send the query as {FORM} (query=…) or as {DIRECT} (the query as the body)",
        )
    if media_type == UPDATE:
        raise ProtocolError(403, "this endpoint is read-only: SPARQL Update is not accepted")
    if media_type == FORM:
        _check_charset(params, "a form-encoded body")
        body = await _read_body(request, max_body)
        return _collect(url_pairs + parse_urlencoded(body, "form body"))
    if media_type == DIRECT:
        _check_charset(params, "a SPARQL query body")
        if any(k == "query" for k, _ in url_pairs):
            raise ProtocolError(400, "two queries: the body is the query, so the URL must not carry 'query'")
        if any(k == "update" for k, _ in url_pairs):
            raise ProtocolError(400, "a request carries either a query or an update, not both")
        body = await _read_body(request, max_body)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError(400, "the query body is not valid UTF-8") from None
        out = _collect(url_pairs)
        out.query = text.removeprefix("\ufeff")
        return out
    raise ProtocolError(415, f"unsupported media type {media_type!r}: POST a query as {FORM} or {DIRECT}")
