"""Publish stage: push the built dataset into a triplestore over the Graph Store Protocol.

The dataset is read from the build's N-Quads dump (``dist/polevents.nq``), so
only validated data is ever pushed.  Each named graph (one per source, plus the
ontology graph) is sent with one HTTP ``PUT ENDPOINT?graph=IRI`` whose body is
that graph alone (SPARQL 1.1 Graph Store HTTP Protocol, section 5.3): a PUT
replaces the graph, so publishing again is idempotent.  Triples in the default
graph, if any, go to ``ENDPOINT?default``.

Endpoints (see docs/publish.md)::

    Oxigraph server   http://HOST:7878/store
    Apache Jena Fuseki http://HOST:3030/DATASET/data        (server started with --update)
    Virtuoso          http://HOST:8890/sparql-graph-crud-auth (--user NAME --digest)
    GraphDB           http://HOST:7200/repositories/ID/rdf-graphs/service

Failures become :class:`~polevents.errors.RemoteError` (exit 2): the HTTP status
and the server's own message, or why the server could not be reached.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .dataset import DUMP_NQUADS, dist_folder
from .errors import InputError, RemoteError
from .formats import RdfFormat
from .vocab import PREFIXES

if TYPE_CHECKING:  # pragma: no cover
    import httpx
    import pyoxigraph
    from httpx._client import UseClientDefault

__all__ = [
    "PASSWORD_ENV",
    "GraphPush",
    "PublishResult",
    "parse_auth_header",
    "publish",
]

#: Environment variable read for the password when ``--user`` carries none.
PASSWORD_ENV = "POLEVENTS_PUBLISH_PASSWORD"

#: Body formats a Graph Store accepts for one graph (triples only).
BODY_FORMATS = (RdfFormat.TURTLE, RdfFormat.NTRIPLES, RdfFormat.RDFXML)

_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class GraphPush:
    """One graph sent: its IRI (``None`` for the default graph), size, and the server's status."""

    graph: str | None
    triples: int
    bytes: int
    status: int


@dataclass(frozen=True)
class PublishResult:
    """What :func:`publish` sent, where, and how long it took."""

    endpoint: str
    dump: Path
    graphs: list[GraphPush] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def triples(self) -> int:
        return sum(g.triples for g in self.graphs)

    def summary(self) -> str:
        """One line for stdout: graphs, triples, endpoint."""
        created = sum(1 for g in self.graphs if g.status == 201)
        return (
            f"published {len(self.graphs)} graph(s), {self.triples} triples to {self.endpoint} "
            f"({created} created, {len(self.graphs) - created} replaced) in {self.seconds:.2f}s"
        )


def parse_auth_header(value: str) -> tuple[str, str]:
    """Split ``'Name: value'`` into a header name and value.

    >>> parse_auth_header("Authorization: Bearer abc")
    ('Authorization', 'Bearer abc')
    """
    name, sep, rest = value.partition(":")
    name = name.strip()
    if not sep or not _HEADER_NAME.match(name) or not rest.strip():
        raise InputError(f"--auth-header {value!r} is not 'Name: value' (for example 'Authorization: Bearer TOKEN')")
    return name, rest.strip()


def _server_message(response: httpx.Response, limit: int = 300) -> str:
    """The server's explanation of an error, as one short line (HTML tags stripped)."""
    try:
        text = response.text
    except Exception:  # undecodable body: say nothing rather than fail while failing
        return ""
    text = _SPACE.sub(" ", _TAGS.sub(" ", text)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _graph_label(graph: str | None) -> str:
    return f"<{graph}>" if graph is not None else "the default graph"


def _auth(user: str | None, digest: bool) -> httpx.Auth | None:
    import httpx

    if user is None:
        if digest:
            raise InputError("--digest needs --user NAME[:PASSWORD]")
        return None
    name, sep, password = user.partition(":")
    if not sep:
        password = os.environ.get(PASSWORD_ENV, "")
        if not password:
            raise InputError(f"--user {name!r} has no password: give NAME:PASSWORD or set {PASSWORD_ENV}")
    if not name:
        raise InputError("--user needs a user name before the ':'")
    return httpx.DigestAuth(name, password) if digest else httpx.BasicAuth(name, password)


def _open_dump(dump: Path) -> pyoxigraph.Store:
    import pyoxigraph as ox

    store = ox.Store()
    try:
        store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    except SyntaxError as exc:
        raise InputError(f"{dump}: not valid N-Quads ({exc}); rebuild with `polevents build`") from exc
    return store


def _graph_sizes(store: pyoxigraph.Store) -> dict[str | None, int]:
    """Triples per graph (``None``: the default graph), graphs sorted by IRI."""
    sizes: dict[str | None, int] = {}
    for row in store.query("SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        sizes[row["g"].value] = int(row["n"].value)
    default = next(iter(store.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")))
    n_default = int(default["n"].value)
    ordered: dict[str | None, int] = {}
    if n_default:
        ordered[None] = n_default
    for iri in sorted(k for k in sizes if k is not None):
        ordered[iri] = sizes[iri]
    return ordered


def publish(
    endpoint: str,
    *,
    project_dir: Path = Path("."),
    dist_dir: Path | None = None,
    auth_header: str | None = None,
    user: str | None = None,
    digest: bool = False,
    body_format: RdfFormat = RdfFormat.TURTLE,
    graph_param: str = "graph",
    timeout: float = 60.0,
    jobs: int = 2,
    progress: Callable[[str], None] | None = None,
) -> PublishResult:
    """PUT every graph of the built dataset to the Graph Store at ``endpoint``.

    :param endpoint: the Graph Store URL (``http://host:7878/store`` for Oxigraph).
    :param dist_dir: the build output (default ``project_dir/dist``); its N-Quads dump is sent.
    :param auth_header: an extra header ``'Name: value'`` sent with every request (a token).
    :param user: ``NAME:PASSWORD`` (or ``NAME`` with the password in ``$POLEVENTS_PUBLISH_PASSWORD``).
    :param digest: HTTP Digest instead of Basic authentication for ``user`` (Virtuoso).
    :param graph_param: the query parameter naming the graph (``graph`` per the standard).
    :param jobs: how many PUTs are in flight at once (the server usually is the bottleneck).
    :raises InputError: no built dataset, or a bad option.
    :raises RemoteError: the endpoint could not be reached or answered with an error.
    """
    import httpx
    import pyoxigraph as ox

    say = progress or (lambda _m: None)
    if not endpoint.startswith(("http://", "https://")):
        raise InputError(f"--to {endpoint!r}: give an http:// or https:// Graph Store URL")
    if body_format not in BODY_FORMATS:
        allowed = ", ".join(f.label for f in BODY_FORMATS)
        raise InputError(f"cannot send graphs as {body_format.label}; use one of: {allowed}")
    dist = dist_folder(project_dir, dist_dir)
    dump = dist / DUMP_NQUADS
    if not dump.is_file():
        raise InputError(f"{dist}: no built dataset ({DUMP_NQUADS} missing); run `polevents build` first")
    headers = {"Content-Type": body_format.media_type}
    if auth_header is not None:
        name, value = parse_auth_header(auth_header)
        headers[name] = value
    auth = _auth(user, digest)
    local = threading.local()

    def thread_auth() -> httpx.Auth | UseClientDefault:
        """Digest authentication keeps a nonce count: one authenticator per thread."""
        if auth is None:
            return httpx.USE_CLIENT_DEFAULT
        if not hasattr(local, "auth"):
            local.auth = _auth(user, digest)
        return local.auth  # type: ignore[no-any-return]

    started = time.perf_counter()
    store = _open_dump(dump)
    sizes = _graph_sizes(store)
    total = len(sizes)
    say(
        f"publishing {total} graph(s), {sum(sizes.values())} triples from {dump} to {endpoint}"
        + (f" ({jobs} at a time)" if jobs > 1 and total > 1 else "")
    )
    prefixes = dict(PREFIXES)

    def put(client: httpx.Client, graph: str | None, n: int) -> GraphPush:
        node = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
        body = store.dump(format=body_format.oxigraph, from_graph=node, prefixes=prefixes)
        assert isinstance(body, bytes)
        params = {"default": ""} if graph is None else {graph_param: graph}
        try:
            response = client.put(endpoint, params=params, content=body, auth=thread_auth())
        except httpx.TimeoutException as exc:
            raise RemoteError(
                f"{endpoint}: no answer within {timeout:g}s while sending {_graph_label(graph)} "
                f"({n} triples); raise --timeout"
            ) from exc
        except httpx.HTTPError as exc:
            raise RemoteError(f"{endpoint}: cannot reach the Graph Store: {exc}") from exc
        if response.status_code >= 300:
            detail = _server_message(response)
            hint = ""
            if response.status_code in (401, 403):
                hint = " (check --user/--digest or --auth-header)"
            elif response.status_code in (404, 405):
                hint = " (is this the Graph Store URL? Oxigraph: /store, Fuseki: /DATASET/data)"
            raise RemoteError(
                f"{endpoint}: PUT of {_graph_label(graph)} failed: HTTP {response.status_code} "
                f"{response.reason_phrase}{hint}" + (f": {detail}" if detail else "")
            )
        return GraphPush(graph=graph, triples=n, bytes=len(body), status=response.status_code)

    done: dict[str | None, GraphPush] = {}
    last_report = time.perf_counter()
    limits = httpx.Limits(max_connections=max(1, jobs), max_keepalive_connections=max(1, jobs))
    with httpx.Client(timeout=timeout, headers=headers, follow_redirects=False, limits=limits) as client:
        if jobs <= 1 or total <= 1:
            results = (put(client, g, n) for g, n in sizes.items())
            pool = None
        else:
            from concurrent.futures import ThreadPoolExecutor

            pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="polevents-publish")
            futures = [pool.submit(put, client, g, n) for g, n in sizes.items()]
            results = (f.result() for f in futures)  # in IRI order; the others keep running
        try:
            for push in results:
                done[push.graph] = push
                now = time.perf_counter()
                if total <= 20 or len(done) == total or now - last_report >= 2.0:
                    say(f"[{len(done)}/{total}] {_graph_label(push.graph)}: {push.triples} triples, HTTP {push.status}")
                    last_report = now
        except RemoteError as exc:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
            raise RemoteError(f"{exc.message} ({len(done)} of {total} graph(s) were sent before)") from exc
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
    pushed = [done[g] for g in sizes]
    return PublishResult(endpoint=endpoint, dump=dump, graphs=pushed, seconds=time.perf_counter() - started)
