"""``query --endpoint``: the SPARQL 1.1 Protocol exchange with an endpoint.

The request goes through :mod:`polevents.remote` (one deadline for the whole
exchange, one error mapping): a URL-encoded POST, or a GET when the server
refuses POST (405).  :func:`fetch` returns the answer's media type and bytes;
``polevents.query`` reads them into a ``QueryResult``, as for a local query.

An empty answer from an endpoint whose default graph is empty while its named
graphs hold data (a plain ``oxigraph serve`` after ``polevents publish``) gets
a note (:func:`empty_answer_note`): two ``ASK`` probes, sent only after an
empty answer to a query without ``FROM``.

This module does not import ``polevents.query`` (the package imports it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import QueryTimeoutError

if TYPE_CHECKING:  # pragma: no cover
    import httpx

__all__ = ["GRAPH_ACCEPT", "NAMED_GRAPHS_ONLY", "SOLUTIONS_ACCEPT", "Answer", "empty_answer_note", "fetch"]

SOLUTIONS_ACCEPT = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, text/tab-separated-values;q=0.8"
)
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/n-quads;q=0.8, application/rdf+xml;q=0.5"

#: The note given when an empty answer comes from an endpoint whose data is in named graphs only.
NAMED_GRAPHS_ONLY = (
    "{endpoint}: the answer is empty, and this endpoint's default graph is empty while its named graphs "
    "hold data (polevents publishes one named graph per source); the shipped queries read the default graph: "
    "serve the union of the named graphs as the default graph (oxigraph serve --union-default-graph; "
    "see docs/publish.md for other engines), or write GRAPH ?g {{ ... }} in the query"
)
#: Seconds each probe may take (they are ASKs with one pattern: instant on any store).
PROBE_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Answer:
    """A successful answer: its media type (lower case, no parameters) and body."""

    media_type: str
    content: bytes


def _send(client: httpx.Client, endpoint: str, text: str, accept: str) -> httpx.Response:
    """POST the query (GET when the server refuses POST); the answer, whatever its status."""
    headers = {"Accept": accept}
    response = client.post(endpoint, data={"query": text}, headers=headers)
    if response.status_code == 405:
        response = client.get(endpoint, params={"query": text}, headers=headers)
    return response


def fetch(text: str, endpoint: str, *, graph: bool, timeout: float | None = None) -> Answer:
    """Send the query ``text`` to ``endpoint``; ``graph``: it is a CONSTRUCT or DESCRIBE.

    ``timeout`` bounds the whole exchange (default :data:`polevents.remote.DEFAULT_TIMEOUT_S`).

    :raises QueryTimeoutError: no complete answer within ``timeout``.
    :raises RemoteError: unreachable, or an error status (with the server's message).
    :raises InputError: a URL that cannot be used.
    """
    import httpx

    from .. import remote

    try:
        with remote.client(timeout=timeout) as client:
            response = _send(client, endpoint, text, GRAPH_ACCEPT if graph else SOLUTIONS_ACCEPT)
    except httpx.HTTPError as exc:
        raise remote.error_for(exc, endpoint, timeout=timeout, timeout_error=QueryTimeoutError) from exc
    if response.status_code >= 400:
        raise remote.status_error(response, endpoint)
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    return Answer(media, response.content)


def empty_answer_note(endpoint: str, timeout: float | None = None) -> str | None:
    """Why ``text`` got an empty answer, when the endpoint holds its data in named graphs only; else ``None``.

    Two probes: ``ASK { ?s ?p ?o }`` (the default graph is empty) and
    ``ASK { GRAPH ?g { ?s ?p ?o } }`` (some named graph is not); a probe that
    fails gives ``None``.  Ask only for a query that does not choose its dataset (``FROM``).
    """
    import httpx

    from .. import remote

    probe_timeout = PROBE_TIMEOUT_S if timeout is None else min(timeout, PROBE_TIMEOUT_S)

    def ask(query: str) -> bool | None:
        try:
            response = _send(client, endpoint, query, "application/sparql-results+json")
            return bool(response.json()["boolean"]) if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError, KeyError, TypeError):
            return None

    with remote.client(timeout=probe_timeout) as client:
        if ask("ASK { ?s ?p ?o }") is False and ask("ASK { GRAPH ?g { ?s ?p ?o } }") is True:
            return NAMED_GRAPHS_ONLY.format(endpoint=endpoint)
    return None
