"""The SPARQL 1.1 Protocol endpoint at ``/sparql`` (query operation only; read-only).

* GET ``?query=``, POST form-encoded, POST ``application/sparql-query``
  (:mod:`.protocol` reads them strictly); ``default-graph-uri`` and
  ``named-graph-uri`` replace the dataset (and the query's ``FROM``); without
  them the default graph is the union of all graphs, unless the query has its
  own ``FROM``/``FROM NAMED``.
* Results by Accept: SELECT/ASK as SPARQL JSON (default), XML, CSV, TSV;
  CONSTRUCT/DESCRIBE as Turtle (default), N-Triples, JSON-LD, RDF/XML; an HTML
  table for browsers; ``format=`` overrides Accept; 406 lists what is offered.
* GET without a query: the service description (``sd:Service``) by Accept, or
  the query form for a browser.
* Safety: Update, LOAD and friends are refused (403); so is ``SERVICE``
  (403; the server never opens an outbound connection).  The lexer's refusal is
  backed by the workers' sandbox: they run in a network namespace of their own,
  so a ``SERVICE`` the lexer missed cannot connect either (403 as well); where
  the OS gives no namespace, the decision is made on a real parse
  (:func:`service_by_parse`), and the server says at start-up which protection
  is active.  A query nested deeper than :data:`~polevents.query.scan.MAX_NESTING`
  is refused (400) before any parser sees it.  Queries run in worker processes
  (:mod:`.worker`): past ``--timeout`` the worker is killed and the answer is
  503; past ``--max-memory`` too.  At most ``--max-rows`` solutions or triples
  are returned; a cut result carries the header ``X-SPARQL-MaxRows: N``.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from ..errors import InputError, MemoryLimitError, PoleventsError, QueryError, QueryTimeoutError
from ..formats import RdfFormat, ResultFormat
from ..query.results import SOLUTION_FORMATS
from ..query.scan import QueryScan, check_nesting, scan_query
from ..vocab import PREFIXES
from .negotiate import choose
from .protocol import ProtocolError, SparqlRequest, read_sparql_request
from .results import GRAPH_FORMATS
from .status import status_of
from .worker import QueryJob, QueryOutcome

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

    from .app import ServerContext
    from .entity import Node

__all__ = ["GRAPH_OFFERS", "SOLUTION_OFFERS", "checked_scan", "negotiate_result", "sparql_endpoint"]

#: ``format=`` values that ask for the HTML page
HTML_FORMAT_NAMES = ("html", "htm")
#: (media type the client may ask for, results format; None: the HTML page), in the server's order of preference
SOLUTION_OFFERS: tuple[tuple[str, ResultFormat | None], ...] = (
    *((f.media_type, f) for f in SOLUTION_FORMATS),
    ("application/json", ResultFormat.JSON),
    ("application/xml", ResultFormat.XML),
    ("text/xml", ResultFormat.XML),
    ("text/html", None),
)
GRAPH_OFFERS: tuple[tuple[str, RdfFormat | None], ...] = (
    *((f.media_type, f) for f in GRAPH_FORMATS),
    ("application/x-turtle", RdfFormat.TURTLE),
    ("application/json", RdfFormat.JSONLD),
    ("application/xml", RdfFormat.RDFXML),
    ("text/html", None),
)
#: rows an HTML result page shows (the downloads have them all)
HTML_ROWS = 1000
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"


def negotiate_result(graph: bool, accept: str | None, format_param: str | None) -> ResultFormat | RdfFormat | None:
    """The format of a result, from ``format=`` or else Accept (see :func:`_negotiate`; answers are cached:
    clients send the same few Accept headers again and again).

    :raises InputError: no format offered fits (the answer is 406).
    """
    return _negotiate(graph, accept, format_param)


@functools.lru_cache(maxsize=256)  # keys are at most 8 KiB (HeaderLimit): at most ~2 MiB
def _negotiate(graph: bool, accept: str | None, format_param: str | None) -> ResultFormat | RdfFormat | None:
    """The format of a result, from ``format=`` or else Accept: a W3C results format
    (:data:`~polevents.query.results.SOLUTION_FORMATS`) for SELECT/ASK, one of :data:`GRAPH_FORMATS`
    for CONSTRUCT/DESCRIBE, ``None`` for the HTML view.

    ``format=`` takes the names of :meth:`ResultFormat.from_name` (SELECT/ASK) and
    :meth:`RdfFormat.from_name` (CONSTRUCT/DESCRIBE: ``format=json`` is JSON-LD there).

    :raises InputError: no format offered fits (the answer is 406).
    """
    if format_param is not None:
        if format_param.lower() in HTML_FORMAT_NAMES:
            return None
        fmt: ResultFormat | RdfFormat
        if graph:
            fmt = RdfFormat.from_name(format_param)
            offered = fmt in GRAPH_FORMATS
        else:
            fmt = ResultFormat.from_name(format_param)
            offered = fmt in SOLUTION_FORMATS
        if not offered:
            raise InputError(f"format={format_param} is not offered for this result")
        return fmt
    offers: tuple[tuple[str, ResultFormat | RdfFormat | None], ...] = GRAPH_OFFERS if graph else SOLUTION_OFFERS
    chosen = choose(accept, [m for m, _ in offers])
    if chosen is None:
        raise InputError("no format offered fits the Accept header")
    return dict(offers)[chosen]


#: queries up to this many characters have their scan remembered (:func:`checked_scan`)
SCAN_CACHE_TEXT = 4096


def checked_scan(query: str) -> QueryScan:
    """:func:`~polevents.query.scan.check_nesting` and :func:`~polevents.query.scan.scan_query` of
    ``query``; both are pure functions of the text, so the answer for a short text is remembered
    (clients send the same queries again and again; a remembered scan is the same scan).

    :raises QueryError: the query nests too deeply.
    """
    if len(query) > SCAN_CACHE_TEXT:
        check_nesting(query)
        return scan_query(query)
    scan = _scan_cached(query)
    if isinstance(scan, str):
        raise QueryError(scan)
    return scan


@functools.lru_cache(maxsize=1024)  # at most 1024 texts of 4 KiB
def _scan_cached(query: str) -> QueryScan | str:
    try:
        check_nesting(query)
    except QueryError as exc:
        return exc.message
    return scan_query(query)


def _available(graph: bool) -> str:
    offers = GRAPH_OFFERS if graph else SOLUTION_OFFERS
    return ", ".join(dict.fromkeys(m for m, _ in offers))


def wants_html(request: Request) -> bool:
    """Whether the client prefers an HTML page to a machine format (a browser)."""
    return choose(request.headers.get("accept"), ["text/plain", "text/html"]) == "text/html"


# ---------------------------------------------------------------- error answers


def _error(ctx: ServerContext, request: Request, status: int, message: str, query: str | None = None) -> Response:
    headers = {"Vary": "Accept", "Cache-Control": "no-store"}
    if status == 405:
        headers["Allow"] = "GET, POST, OPTIONS"
    if status == 503:
        headers["Retry-After"] = "5"
    if wants_html(request):
        html = ctx.pages.render(
            "page_sparql.html",
            query=query or "",
            error=message,
            status=status,
            result=None,
            examples=ctx.examples,
            downloads=[],
        )
        return HTMLResponse(html, status_code=status, headers=headers)
    return PlainTextResponse(message + "\n", status_code=status, headers=headers)


# ---------------------------------------------------------------- service description


def service_description(ctx: ServerContext, endpoint: str) -> list[pyoxigraph.Triple]:
    """``sd:Service`` of this endpoint: languages, result formats, features, the dataset."""
    import pyoxigraph as ox

    def sd(name: str) -> pyoxigraph.NamedNode:
        return ox.NamedNode(SD + name)

    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    void_triples = ox.NamedNode("http://rdfs.org/ns/void#triples")
    integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    service = ox.NamedNode(endpoint)
    triples = [
        ox.Triple(service, rdf_type, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, ox.NamedNode("http://purl.org/dc/terms/title"), ox.Literal(ctx.pages.site.title)),
    ]
    for name in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
    ):
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMATS_NS + name)))
    dataset = ox.BlankNode("dataset")
    default = ox.BlankNode("default")
    triples += [
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, rdf_type, sd("Graph")),
        ox.Triple(default, void_triples, ox.Literal(str(ctx.data.quad_count), datatype=integer)),
    ]
    for i, (graph, count) in enumerate(ctx.data.graphs):
        named, described = ox.BlankNode(f"named{i}"), ox.BlankNode(f"graph{i}")
        triples += [
            ox.Triple(dataset, sd("namedGraph"), named),
            ox.Triple(named, rdf_type, sd("NamedGraph")),
            ox.Triple(named, sd("name"), ox.NamedNode(graph)),
            ox.Triple(named, sd("graph"), described),
            ox.Triple(described, rdf_type, sd("Graph")),
            ox.Triple(described, void_triples, ox.Literal(str(count), datatype=integer)),
        ]
    return triples


def _service_description_response(ctx: ServerContext, request: Request, format_param: str | None) -> Response:
    from ..query.results import graph_document

    try:
        fmt = negotiate_result(True, request.headers.get("accept"), format_param)
    except InputError:
        return _error(ctx, request, 406, f"not acceptable; available: {_available(True)}")
    if fmt is None:
        html = ctx.pages.render(
            "page_sparql.html", query="", error=None, status=200, result=None, examples=ctx.examples, downloads=[]
        )
        return HTMLResponse(html, headers={"Vary": "Accept"})
    assert isinstance(fmt, RdfFormat)
    endpoint = str(request.url.replace(query=""))
    prefixes = {**PREFIXES, "sd": SD, "formats": FORMATS_NS}
    body = graph_document(service_description(ctx, endpoint), fmt, prefixes)
    return Response(body, headers={"Content-Type": fmt.content_type, "Vary": "Accept"})


# ---------------------------------------------------------------- results as HTML


@dataclass
class HtmlResult:
    """A result prepared for the results table."""

    kind: str
    variables: list[str]
    rows: list[list[Node | None]]
    boolean: bool | None
    total: int
    truncated: bool
    max_rows: int


def _json_term(term: dict[str, Any]) -> pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal:
    import pyoxigraph as ox

    kind = term.get("type")
    if kind == "uri":
        return ox.NamedNode(term["value"])
    if kind == "bnode":
        return ox.BlankNode(term["value"])
    if kind == "literal" or kind == "typed-literal":
        if "xml:lang" in term:
            return ox.Literal(term["value"], language=term["xml:lang"])
        if "datatype" in term:
            return ox.Literal(term["value"], datatype=ox.NamedNode(term["datatype"]))
        return ox.Literal(term["value"])
    return ox.Literal(json.dumps(term["value"]))  # a quoted triple, shown as its JSON


def _html_result(ctx: ServerContext, outcome: QueryOutcome) -> HtmlResult:
    import pyoxigraph as ox

    describer = ctx.describer
    max_rows = ctx.settings.max_rows
    if outcome.kind == "boolean":
        value = json.loads(outcome.body)["boolean"]
        return HtmlResult("boolean", [], [], bool(value), 1, False, max_rows)
    if outcome.kind == "solutions":
        doc = json.loads(outcome.body)
        variables = doc["head"]["vars"]
        bindings = doc["results"]["bindings"]
        rows = [[describer.node(_json_term(b[v])) if v in b else None for v in variables] for b in bindings[:HTML_ROWS]]
        return HtmlResult("solutions", variables, rows, None, len(bindings), outcome.truncated, max_rows)
    triples = list(ox.parse(outcome.body, format=ox.RdfFormat.N_TRIPLES))
    rows = [
        [describer.node(t.subject), describer.node(t.predicate), describer.node(t.object)] for t in triples[:HTML_ROWS]
    ]
    return HtmlResult(
        "graph", ["subject", "predicate", "object"], rows, None, len(triples), outcome.truncated, max_rows
    )


def _downloads(request: Request, graph: bool) -> list[tuple[str, str]]:
    names = [f.extension for f in GRAPH_FORMATS] if graph else [f.label for f in SOLUTION_FORMATS]
    return [(name, str(request.url.include_query_params(format=name))) for name in names]


# ---------------------------------------------------------------- SERVICE without a network namespace


def service_by_parse(query: str) -> bool:
    """Whether a real parse of ``query`` (rdflib's SPARQL grammar) finds ``SERVICE`` or an update;
    a query rdflib cannot parse counts as one (refused: it cannot be checked).

    Only used where the query workers could not get a network namespace of their own: there
    a ``SERVICE`` the lexer missed would reach the network, so the decision needs a parse.
    """
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        tree = parseQuery(query)
    except Exception:
        return True

    def walk(node: object, depth: int = 0) -> bool:
        if depth > 500:
            return True
        if isinstance(node, CompValue):
            if node.name in ("ServiceGraphPattern", "Load"):
                return True
            return any(walk(v, depth + 1) for v in node.values())
        if isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
            return any(walk(v, depth + 1) for v in node)  # type: ignore[attr-defined]
        return False

    return walk(tree)


# ---------------------------------------------------------------- planning a query (shared with .fastpath)

SERVICE_REFUSED = "SERVICE (federated query) is disabled: this endpoint makes no outbound connections"


class Refusal(Exception):
    """A query the endpoint answers with an error before running it: the status and the message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def refused_or_scanned(query: str) -> QueryScan:
    """The scan of a query the endpoint may run (the SERVICE check by parse aside: see :func:`service_by_parse`).

    :raises Refusal: empty (400), nested too deeply (400), SPARQL Update (403), SERVICE found by the lexer (403).
    """
    if not query.strip():
        raise Refusal(400, "empty query")
    try:
        scan = checked_scan(query)
    except QueryError as exc:
        raise Refusal(status_of(exc), exc.message) from None
    if scan.update:
        raise Refusal(403, f"this endpoint is read-only: {scan.update} (SPARQL Update) is not accepted")
    if scan.service:
        raise Refusal(403, SERVICE_REFUSED)
    return scan


def result_format(scan: QueryScan, accept: str | None, format_param: str | None) -> ResultFormat | RdfFormat | None:
    """The result's format (None: the HTML page) by ``format=`` or Accept.

    :raises Refusal: nothing offered fits (406).
    """
    graph = scan.form in ("CONSTRUCT", "DESCRIBE")
    try:
        return negotiate_result(graph, accept, format_param)
    except InputError:
        raise Refusal(
            406, f"not acceptable for a {scan.form or 'query'} result; available: {_available(graph)} (or format=…)"
        ) from None


def query_job(
    ctx: ServerContext, sreq: SparqlRequest, scan: QueryScan, fmt: ResultFormat | RdfFormat | None,
    prefixes: dict[str, str] | None,
) -> QueryJob:  # fmt: skip
    """The job that answers ``sreq`` in ``fmt`` (the HTML page reads the JSON results)."""
    return QueryJob(
        query=sreq.query or "",
        solutions_format=fmt.label if isinstance(fmt, ResultFormat) else ResultFormat.JSON.label,
        graph_format=fmt.label if isinstance(fmt, RdfFormat) else RdfFormat.NTRIPLES.label,
        union=ctx.data.union_view and not scan.from_clause,
        default_graphs=tuple(sreq.default_graphs) if sreq.has_dataset else None,
        named_graphs=tuple(sreq.named_graphs) if sreq.has_dataset else None,
        base_iri=ctx.data.base,
        max_rows=ctx.settings.max_rows,
        prefixes=prefixes,
        form=scan.form,
        from_clause=scan.from_clause,
        volatile=scan.volatile,
    )


def failure(ctx: ServerContext, exc: PoleventsError) -> tuple[int, str]:
    """The status (the server's one table, :mod:`.status`) and message of a query that failed."""
    message = exc.message
    if isinstance(exc, QueryTimeoutError):
        message += f" (--timeout {ctx.settings.timeout:g} s)"
    elif isinstance(exc, MemoryLimitError):
        message += f" (--max-memory {ctx.settings.max_memory >> 20} MiB)"
    return status_of(exc), message


# ---------------------------------------------------------------- the endpoint


async def sparql_endpoint(request: Request) -> Response:
    """Starlette handler of ``/sparql`` for GET, HEAD, POST and OPTIONS."""
    ctx: ServerContext = request.app.state.ctx
    if request.method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": "GET, HEAD, POST, OPTIONS"})
    try:
        sreq = await read_sparql_request(request, ctx.settings.max_body)
    except ProtocolError as exc:
        return _error(ctx, request, exc.status, exc.message)
    if sreq.query is None:
        if request.method == "POST":
            return _error(
                ctx, request, 400, "no query: send query=… (form) or the query itself (application/sparql-query)"
            )
        return _service_description_response(ctx, request, sreq.format)
    query = sreq.query
    try:
        scan = refused_or_scanned(query)
        if not ctx.pool.network_isolated and await run_in_threadpool(service_by_parse, query):
            raise Refusal(403, SERVICE_REFUSED)
        fmt = result_format(scan, request.headers.get("accept"), sreq.format)
    except Refusal as refusal:
        return _error(ctx, request, refusal.status, refusal.message, query)
    html = fmt is None
    # Turtle results declare the dataset's prefixes, as the dumps do
    prefixes = await run_in_threadpool(ctx.data.prefixes) if fmt is RdfFormat.TURTLE else None
    job = query_job(ctx, sreq, scan, fmt, prefixes)
    try:
        outcome = await ctx.pool.run(job, ctx.settings.timeout)
    except PoleventsError as exc:  # the status comes from the server's one table (serve.status)
        status, message = failure(ctx, exc)
        return _error(ctx, request, status, message, query)
    headers = {"Vary": "Accept"}
    if outcome.truncated:
        headers["X-SPARQL-MaxRows"] = str(ctx.settings.max_rows)
    if html:
        result = _html_result(ctx, outcome)
        page = ctx.pages.render(
            "page_sparql.html", query=query, error=None, status=200, result=result, examples=ctx.examples,
            downloads=_downloads(request, outcome.kind == "graph") if request.method != "POST" else [],
        )  # fmt: skip
        return HTMLResponse(page, headers=headers)
    headers["Content-Type"] = outcome.content_type
    return Response(outcome.body, headers=headers)
