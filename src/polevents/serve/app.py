"""The Starlette application of ``polevents serve``: routes, dereferencing, home page.

Routes::

    /                         home: dataset description, browse, dumps, example queries, query form
    /sparql                   SPARQL 1.1 Protocol endpoint (see .sparql)
    /dist/<name>              the files of dist/ (see .files); also at <base path>dist/<name>,
                              where void.ttl's download URLs (<BASE>dist/<name>) point
    /.well-known/void         VoID description (dist/void.ttl + this endpoint, or generated)
    /browse?class=<IRI>       the entities of a class, by label
    /describe?iri=<IRI>       any IRI the dataset mentions that is not under the base
    /static/style.css         the stylesheet
    <base path>…              the dataset's IRIs, e.g. /polevents/id/person/x (see .urls)

Dereferencing answers **200 directly** (no 303 redirect) with the
representation chosen by content negotiation (``Vary: Accept``), ``?format=``
overriding it; ``Link: rel="alternate"`` names the other formats.  IRIs that
only dist/void.ttl describes (the dataset, its releases and distributions)
dereference too.  Representations are cached in memory (the data never changes
while the server runs) and carry an ETag (304 on ``If-None-Match``).
"""

from __future__ import annotations

import asyncio
import sys
from collections import OrderedDict
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from ..errors import (
    HeaderTooLargeError,
    InputError,
    NotAcceptableError,
    NotFoundError,
    PoleventsError,
)
from ..formats import RdfFormat
from ..process import DEFAULT_MEMORY_LIMIT, Sandbox
from ..query.results import graph_document
from ..vocab import DCTERMS, ONTOLOGY_IRI, OWL, PE, PREFIXES, RDF, VOID
from .data import select
from .display import safe_href
from .entity import Describer
from .files import DistFile, body_etag, dist_files, file_response, not_modified
from .negotiate import choose
from .pages import Alternate, Pages, SiteInfo, stylesheet
from .sparql import sparql_endpoint, wants_html
from .status import ERROR_STATUS, ERROR_TITLES, status_of
from .urls import UrlMap, describe_url
from .worker import QueryPool

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

    from ..export.context import TermContext
    from .data import ServedData
    from .runner import LocalRunner

__all__ = ["ERROR_STATUS", "ServeSettings", "ServerContext", "create_app", "error_response", "status_of"]

RDF_TYPE = RDF + "type"
DCAT = PREFIXES["dcat"]

#: RDF formats of entity documents, in the server's order of preference, with the name a page shows;
#: ``?format=`` takes any name :meth:`RdfFormat.from_name` knows (links use the file extension)
ENTITY_FORMATS: dict[RdfFormat, str] = {
    RdfFormat.TURTLE: "Turtle",
    RdfFormat.JSONLD: "JSON-LD",
    RdfFormat.NTRIPLES: "N-Triples",
    RdfFormat.RDFXML: "RDF/XML",
}
#: media types a client may ask for -> the RDF format (None: the HTML page)
ENTITY_OFFERS: tuple[tuple[str, RdfFormat | None], ...] = (
    *((fmt.media_type, fmt) for fmt in ENTITY_FORMATS),
    ("application/x-turtle", RdfFormat.TURTLE),
    ("application/json", RdfFormat.JSONLD),
    ("application/xml", RdfFormat.RDFXML),
    ("text/html", None),
)
#: ``?format=`` values that ask for the HTML page
HTML_FORMAT_NAMES = ("html", "htm")
BROWSE_PAGE = 200
#: A request header longer than this is refused (431) before anything reads it.
MAX_HEADER_BYTES = 8192


class BodyCache:
    """Recently served representations (the data never changes while serving): an LRU by bytes."""

    def __init__(self, max_bytes: int = 64 << 20) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._items: OrderedDict[tuple[str, ...], tuple[bytes, str, dict[str, str]]] = OrderedDict()

    def get(self, key: tuple[str, ...]) -> tuple[bytes, str, dict[str, str]] | None:
        item = self._items.get(key)
        if item is not None:
            self._items.move_to_end(key)
        return item

    def put(self, key: tuple[str, ...], body: bytes, media_type: str, headers: dict[str, str]) -> None:
        if len(body) > self.max_bytes // 16 or key in self._items:
            return
        self._items[key] = (body, media_type, headers)
        self.size += len(body)
        while self.size > self.max_bytes:
            _, (old, _, _) = self._items.popitem(last=False)
            self.size -= len(old)


@dataclass
class ServeSettings:
    """Limits and knobs of a server (the ``polevents serve`` options)."""

    #: seconds a SPARQL query may run (waiting for a free worker included) before the answer is 503
    timeout: float = 10.0
    #: solutions (SELECT) or triples (CONSTRUCT/DESCRIBE) returned at most; more -> cut, X-SPARQL-MaxRows
    max_rows: int = 100_000
    #: request bodies larger than this are refused with 413
    max_body: int = 1 << 20
    #: query worker processes
    workers: int = 2
    #: address space of a query worker in bytes (RLIMIT_AS); a query past it is stopped, the answer 503
    max_memory: int = DEFAULT_MEMORY_LIMIT
    #: run the query workers without network (their own network namespace) where the OS allows it
    isolate_network: bool = True


@dataclass
class ServerContext:
    """Everything a request handler needs, on ``app.state.ctx``."""

    data: ServedData
    settings: ServeSettings
    urls: UrlMap
    describer: Describer
    #: describes the IRIs of dist/void.ttl (the dataset, its versions and distributions), not in the store
    meta: Describer | None
    pages: Pages
    #: where queries run: threads of this HTTP worker (the server), or a pool of worker processes
    pool: LocalRunner | QueryPool
    project: Path
    examples: list[dict[str, str]] = field(default_factory=list)
    home: dict[str, Any] = field(default_factory=dict)
    cache: BodyCache = field(default_factory=lambda: BodyCache())
    #: the JSON-LD term context of entity documents (made from the ontology graph on first use)
    term_context: TermContext | None = None


# ---------------------------------------------------------------- helpers


def _example_queries(project: Path) -> list[dict[str, str]]:
    """The project's ``queries/*.rq``: name, description (first comment line), text."""
    from ..query import list_queries

    out = []
    for named in list_queries(project):
        try:
            text = named.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        out.append({"name": named.name, "description": named.description, "text": text,
                    "href": "/sparql?query=" + quote(text, safe="")})  # fmt: skip
    return out


def _alternates(href_for: Callable[[RdfFormat], str]) -> list[Alternate]:
    return [Alternate(label, fmt.media_type, href_for(fmt)) for fmt, label in ENTITY_FORMATS.items()]


def _link_header(alternates: list[Alternate]) -> str:
    return ", ".join(f'<{a.href}>; rel="alternate"; type="{a.media_type}"' for a in alternates)


def _negotiate_entity(request: Request) -> RdfFormat | None:
    """The RDF format asked for by ``?format=`` (a name :meth:`RdfFormat.from_name` knows) or
    else by Accept; ``None`` for the HTML page.

    :raises NotAcceptableError: no format offered fits (the answer is 406).
    """
    param = request.query_params.get("format")
    fmt: RdfFormat | None = None
    if param:
        if param.lower() in HTML_FORMAT_NAMES:
            return None
        try:
            fmt = RdfFormat.from_name(param)
        except InputError:
            fmt = None
    else:
        chosen = choose(request.headers.get("accept"), [m for m, _ in ENTITY_OFFERS])
        if chosen is not None:
            return dict(ENTITY_OFFERS)[chosen]
    if fmt is not None and fmt in ENTITY_FORMATS:
        return fmt
    available = ", ".join(dict.fromkeys(m for m, _ in ENTITY_OFFERS))
    keys = "|".join([*(f.extension for f in ENTITY_FORMATS), HTML_FORMAT_NAMES[0]])
    raise NotAcceptableError(f"not acceptable; this resource is available as: {available} (or ?format={keys})")


def _validated(request: Request, body: bytes, media_type: str, headers: dict[str, str], status: int = 200) -> Response:
    etag = body_etag(body)
    headers = {**headers, "ETag": etag}
    if status == 200 and not_modified(request.headers, etag):
        return Response(status_code=304, headers=headers)
    headers["Content-Type"] = media_type
    return Response(body, status_code=status, headers=headers)


# ---------------------------------------------------------------- dereferencing


async def _represent(request: Request, iri: str, href_for: Callable[[RdfFormat], str]) -> Response:
    """The representation of ``iri`` the client asked for (HTML page or RDF document)."""
    ctx: ServerContext = request.app.state.ctx
    fmt = _negotiate_entity(request)
    cache_key = (iri, "html" if fmt is None else fmt.label, href_for(RdfFormat.TURTLE))
    hit = ctx.cache.get(cache_key)
    if hit is not None:
        return _validated(request, *hit)
    describer = ctx.describer
    if not await run_in_threadpool(describer.exists, iri):
        if ctx.meta is None or not ctx.meta.exists(iri):
            raise NotFoundError(f"The dataset says nothing about <{iri}>.")
        describer = ctx.meta
    alternates = _alternates(href_for)
    headers = {"Vary": "Accept", "Link": _link_header(alternates)}
    if fmt is None:
        dist = dist_files(ctx.data.dist_dir)
        if iri == ONTOLOGY_IRI and "ontology.html" in dist:
            response = file_response(request, dist["ontology.html"])
            response.headers.update(headers)
            return response
        view = await run_in_threadpool(describer.view, iri)
        if view is None:
            raise NotFoundError(f"The dataset says nothing about <{iri}>.")
        page = ctx.pages.render("page_entity.html", view=view, alternates=alternates,
                                sparql_href=_inverse_query_href(iri))  # fmt: skip
        body, media_type = page.encode("utf-8"), "text/html; charset=utf-8"
    elif fmt is RdfFormat.JSONLD and describer is ctx.describer and iri != ONTOLOGY_IRI:
        body = await run_in_threadpool(_entity_jsonld, ctx, iri)
        media_type = fmt.content_type
    else:
        triples = await run_in_threadpool(describer.triples, iri)
        prefixes = await run_in_threadpool(ctx.data.prefixes)
        body = await run_in_threadpool(graph_document, triples, fmt, prefixes)
        media_type = fmt.content_type
    ctx.cache.put(cache_key, body, media_type, headers)
    return _validated(request, body, media_type, headers)


def _entity_jsonld(ctx: ServerContext, iri: str) -> bytes:
    """The JSON-LD document of an entity, compacted with the term context (made once from the ontology graph)."""
    import json

    import pyoxigraph as ox

    from ..export.context import term_context

    if ctx.term_context is None:
        graph = ox.NamedNode(ONTOLOGY_IRI)
        ontology = [q.triple for q in ctx.data.store.quads_for_pattern(None, None, None, graph)]
        ctx.term_context = term_context(ontology)
    doc = ctx.describer.document(iri, ctx.term_context)
    return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def _inverse_query_href(iri: str) -> str:
    query = f"SELECT ?subject ?property WHERE {{\n  ?subject ?property <{iri}>\n}}\nORDER BY ?property ?subject"
    return "/sparql?query=" + quote(query, safe="")


def _is_iri(text: str) -> bool:
    import pyoxigraph as ox

    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


async def entity(request: Request) -> Response:
    """An IRI under the dataset base (or the ontology), at its local path."""
    ctx: ServerContext = request.app.state.ctx
    path = request.url.path
    iri = ctx.urls.iri_for_path(path)
    if iri is None:
        raise NotFoundError(f"Nothing here: {path}")
    if not _is_iri(iri):  # a space, a quote, bytes that are no UTF-8: no IRI of the dataset is like that
        raise InputError(f"not the path of an IRI: {path!r}")
    if not await run_in_threadpool(ctx.describer.exists, iri):
        raw = request.scope.get("raw_path", b"").decode("latin-1")
        raw_iri = ctx.urls.iri_for_path(raw) if raw else None
        if raw_iri and raw_iri != iri and await run_in_threadpool(ctx.describer.exists, raw_iri):
            iri = raw_iri
    local = quote(path, safe="/:@!$&'()*+,;=-._~%")
    return await _represent(request, iri, lambda fmt: f"{local}?format={fmt.extension}")


async def describe(request: Request) -> Response:
    """``/describe?iri=…``: any IRI; those under the base are redirected to their own path."""

    ctx: ServerContext = request.app.state.ctx
    iri = request.query_params.get("iri", "")
    if not _is_iri(iri):
        raise InputError("give an absolute IRI: /describe?iri=…")
    local = ctx.urls.local_path(iri)
    if local is not None and "#" not in local:
        fmt = request.query_params.get("format")
        return RedirectResponse(local + (f"?format={quote(fmt)}" if fmt else ""), status_code=303)
    return await _represent(request, iri, lambda fmt: f"{describe_url(iri)}&format={fmt.extension}")


# ---------------------------------------------------------------- home, browse, VoID


def _dataset_summary(ctx: ServerContext) -> dict[str, Any]:
    """Title, description and counts for the home page (from void.ttl when there is one)."""
    import pyoxigraph as ox

    config = ctx.data.config
    summary: dict[str, Any] = {
        "title": config.title, "description": config.description, "license": config.license,
        "publisher": config.publisher, "version": config.version, "issued": config.issued,
        "origin": ctx.data.origin, "triples": ctx.data.quad_count, "graphs": ctx.data.graphs,
        "modified": None, "dataset_iri": None, "example": None,
    }  # fmt: skip
    if ctx.meta is not None:
        summary.update(_void_summary(ctx.meta))
    store = ctx.data.store
    classes = []
    for row in select(
        store,
        f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) {{ ?s a ?c FILTER NOT EXISTS {{ GRAPH <{ONTOLOGY_IRI}> {{ ?s a ?c }} }} }}"
        " GROUP BY ?c ORDER BY DESC(?n) ?c",
        union=True,
    ):
        c, n = row[0], row[1]
        if isinstance(c, ox.NamedNode) and isinstance(n, ox.Literal):
            classes.append({"node": ctx.describer.node(c), "count": int(n.value),
                            "href": "/browse?class=" + quote(c.value, safe="")})  # fmt: skip
    summary["classes"] = classes
    sources = []
    for q in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(PE + "Source"), None):
        if isinstance(q.subject, ox.NamedNode):
            sources.append(ctx.describer.node(q.subject))
    summary["sources"] = sorted({s.iri: s for s in sources}.values(), key=lambda n: n.text.lower())
    example = summary.pop("example", None)
    summary["example"] = ctx.describer.node(ox.NamedNode(example)) if example else None
    dataset = summary.get("dataset_iri")
    summary["dataset"] = ctx.meta.node(ox.NamedNode(dataset)) if dataset and ctx.meta is not None else None
    summary["license_href"] = safe_href(summary["license"]) if summary.get("license") else None
    return summary


def _void_summary(meta: Describer) -> dict[str, Any]:
    """Title, description, licence, dates, publisher and example of the main dataset of void.ttl."""
    import pyoxigraph as ox

    store = meta.store
    candidates: dict[str, int] = {}
    for q in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(VOID + "Dataset"), None):
        if isinstance(q.subject, ox.NamedNode):
            candidates[q.subject.value] = len(list(store.quads_for_pattern(q.subject, None, None, None)))
    if not candidates:
        return {}
    main = ox.NamedNode(max(sorted(candidates), key=lambda k: candidates[k]))

    def first(prop: str) -> Any:
        values = meta.objects(main, prop)
        return values[0] if values else None

    out: dict[str, Any] = {"dataset_iri": main.value}
    for key, prop in (("title", DCTERMS + "title"), ("description", DCTERMS + "description"),
                      ("issued", DCTERMS + "issued"), ("modified", DCTERMS + "modified")):  # fmt: skip
        value = first(prop)
        if isinstance(value, ox.Literal):
            out[key] = value.value
    license_ = first(DCTERMS + "license")
    if isinstance(license_, ox.NamedNode):
        out["license"] = license_.value
    publisher = first(DCTERMS + "publisher")
    if isinstance(publisher, ox.NamedNode):
        out["publisher"] = meta.display_name(publisher.value)
    for prop in (DCAT + "version", OWL + "versionInfo"):
        version = first(prop)
        if isinstance(version, ox.Literal):
            out["version"] = version.value
            break
    example = first(VOID + "exampleResource")
    if isinstance(example, ox.NamedNode):
        out["example"] = example.value
    return out


async def home(request: Request) -> Response:
    ctx: ServerContext = request.app.state.ctx
    if not ctx.home:
        ctx.home = await run_in_threadpool(_dataset_summary, ctx)
    downloads = list(dist_files(ctx.data.dist_dir).values())
    page = ctx.pages.render("home.html", summary=ctx.home, downloads=downloads, examples=ctx.examples,
                            sparql_url=str(request.url_for("sparql")))  # fmt: skip
    return _validated(request, page.encode("utf-8"), "text/html; charset=utf-8", {})


def _browse_rows(ctx: ServerContext, cls: str) -> list[Any]:
    import pyoxigraph as ox

    subjects = {
        q.subject
        for q in ctx.data.store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(cls), None)
        if isinstance(q.subject, ox.NamedNode)
    }
    nodes = [ctx.describer.node(s) for s in subjects]
    return sorted(nodes, key=lambda n: (n.text.lower(), n.iri or ""))


async def browse(request: Request) -> Response:
    """``/browse?class=IRI&page=N``: the instances of a class, by label, 200 a page."""
    import pyoxigraph as ox

    ctx: ServerContext = request.app.state.ctx
    cls = request.query_params.get("class")
    if not cls:
        return RedirectResponse("/#browse", status_code=303)
    if not _is_iri(cls):
        raise InputError(f"not an IRI: {cls!r}; give /browse?class=IRI")
    try:
        page_no = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        page_no = 1
    rows = await run_in_threadpool(_browse_rows, ctx, cls)
    pages = max(1, -(-len(rows) // BROWSE_PAGE))
    start = (page_no - 1) * BROWSE_PAGE
    cls_node = ctx.describer.node(ox.NamedNode(cls))
    base = "/browse?class=" + quote(cls, safe="")
    page = ctx.pages.render(
        "page_browse.html", cls=cls_node, rows=rows[start : start + BROWSE_PAGE], total=len(rows),
        page=page_no, pages=pages,
        prev=f"{base}&page={page_no - 1}" if page_no > 1 else None,
        next=f"{base}&page={page_no + 1}" if page_no < pages else None,
    )  # fmt: skip
    return _validated(request, page.encode("utf-8"), "text/html; charset=utf-8", {})


def generated_void(ctx: ServerContext, site_root: str) -> list[pyoxigraph.Triple]:
    """The description of the served data when dist/ has no void.ttl: the one VoID generator
    (:func:`polevents.export.void.describe`) over the store, with this server's endpoint and downloads."""
    import dataclasses

    import pyoxigraph as ox

    from ..export.canonical import CanonicalDataset
    from ..export.void import FileRole, PublishedFile, dataset_stats, describe
    from ..vocab import PREFIXES

    config = ctx.data.config
    default = "urn:polevents:default-graph"  # the default graph's triples count, but it is no subset
    by_graph: dict[str, list[pyoxigraph.Triple]] = {}
    for q in ctx.data.store.quads_for_pattern(None, None, None, None):
        name = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else default
        by_graph.setdefault(name, []).append(q.triple)
    dataset = CanonicalDataset.from_graphs(by_graph.items())
    stats = dataset_stats(dataset, config.base, namespaces=sorted(set(PREFIXES.values())))
    stats = dataclasses.replace(stats, graphs=tuple(g for g in stats.graphs if g.iri != default))
    files = []
    for name, item in dist_files(ctx.data.dist_dir).items():
        fmt = RdfFormat.from_media_type(item.media_type)
        if fmt is not None and name.startswith("polevents."):
            title = f"Whole dataset, {fmt.label}"
            files.append(PublishedFile.measure(item.path, title=title, role=FileRole.DUMP,
                                               media_type=fmt.media_type, rdf_format=fmt))  # fmt: skip
    return describe(config, stats, files, download_base=site_root + "dist/", sparql_endpoint=site_root + "sparql")


def _void_ttl_with_endpoint(ctx: ServerContext, item: DistFile, endpoint: str) -> bytes:
    """dist/void.ttl with this server's ``void:sparqlEndpoint`` added (cached per file version and URL)."""
    from ..export.void import add_sparql_endpoint

    key = ("void.ttl", item.etag, endpoint)
    hit = ctx.cache.get(key)
    if hit is not None:
        return hit[0]
    body = add_sparql_endpoint(item.path.read_bytes(), endpoint)
    ctx.cache.put(key, body, "text/turtle", {})
    return body


async def void(request: Request) -> Response:
    """``/.well-known/void``: dist/void.ttl plus this server's SPARQL endpoint (any RDF format by
    negotiation); a description computed from the store when dist/ has no void.ttl."""
    import pyoxigraph as ox

    ctx: ServerContext = request.app.state.ctx
    fmt = _negotiate_entity(request)
    if fmt is None:
        return RedirectResponse("/#dataset", status_code=303, headers={"Vary": "Accept"})
    item = dist_files(ctx.data.dist_dir).get("void.ttl")
    headers = {"Vary": "Accept"}
    endpoint = str(request.url_for("sparql"))
    if item is not None:
        turtle = await run_in_threadpool(_void_ttl_with_endpoint, ctx, item, endpoint)
        if fmt is RdfFormat.TURTLE:
            return _validated(request, turtle, fmt.content_type, headers)
        triples = [q.triple for q in ox.parse(turtle, format=ox.RdfFormat.TURTLE)]
    else:
        triples = await run_in_threadpool(generated_void, ctx, str(request.base_url))
    prefixes = await run_in_threadpool(ctx.data.prefixes)
    body = await run_in_threadpool(graph_document, triples, fmt, prefixes)
    return _validated(request, body, fmt.content_type, headers)


# ---------------------------------------------------------------- small routes


async def dist_file(request: Request) -> Response:
    """``/dist/<name>``: only a name listed in dist/ is served (nothing is joined to a path)."""
    ctx: ServerContext = request.app.state.ctx
    name = request.path_params["name"]
    item = dist_files(ctx.data.dist_dir).get(name)
    if item is None:
        raise NotFoundError(f"No file {name!r} is published here.")
    return file_response(request, item)


async def to_home(request: Request) -> Response:
    return RedirectResponse("/", status_code=303)


async def dist_index(request: Request) -> Response:
    return RedirectResponse("/#downloads", status_code=303)


_CSS: bytes | None = None


async def style(request: Request) -> Response:
    global _CSS
    if _CSS is None:
        _CSS = stylesheet()
    return _validated(request, _CSS, "text/css; charset=utf-8", {"Cache-Control": "public, max-age=3600"})


# ---------------------------------------------------------------- errors: the one seam


def error_response(request: Request, exc: PoleventsError) -> Response:
    """``exc`` as an answer: its status from :data:`ERROR_STATUS`, an HTML page for a browser, else one line."""
    status = status_of(exc)
    # a message may quote a request path with bytes that are no UTF-8 (lone surrogates): escape them
    message = str(exc).encode("utf-8", "backslashreplace").decode("utf-8")
    headers = {"Vary": "Accept"}
    if status == 503:
        headers["Retry-After"] = "5"
    ctx: ServerContext | None = getattr(request.app.state, "ctx", None) if "app" in request.scope else None
    if ctx is not None and status != 431 and wants_html(request):
        title = ERROR_TITLES.get(status, "Error")
        page = ctx.pages.render("page_error.html", status=status, title=title, message=message)
        return HTMLResponse(page, status_code=status, headers=headers)
    return PlainTextResponse(message + "\n", status_code=status, headers=headers)


async def polevents_error_handler(request: Request, exc: Exception) -> Response:
    """Starlette's handler for every :class:`PoleventsError` a route raises."""
    assert isinstance(exc, PoleventsError)
    return error_response(request, exc)


async def http_error_handler(request: Request, exc: Exception) -> Response:
    """Starlette's own errors (no route matches: 404; a method not allowed: 405)."""
    status = getattr(exc, "status_code", 404)
    if status == 404:
        return error_response(request, NotFoundError(f"Nothing here: {request.url.path}"))
    return PlainTextResponse(str(getattr(exc, "detail", "error")) + "\n", status_code=status)


class HeaderLimit:
    """Refuses a request any of whose headers is longer than ``max_bytes`` (431), before any route
    parses it: a megabyte ``Accept`` costs nothing but this length check."""

    def __init__(self, app: Any, max_bytes: int = MAX_HEADER_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            for name, value in scope.get("headers", ()):
                if len(value) > self.max_bytes:
                    header = name.decode("latin-1")
                    exc = HeaderTooLargeError(
                        f"the {header} header has {len(value)} bytes; this server reads at most {self.max_bytes}"
                    )
                    await error_response(Request(scope), exc)(scope, receive, send)
                    return
        await self.app(scope, receive, send)


# ---------------------------------------------------------------- the application


def _meta_describer(data: ServedData, urls: UrlMap) -> Describer | None:
    """A describer over dist/void.ttl, so the dataset's own IRIs dereference too."""
    import pyoxigraph as ox

    item = dist_files(data.dist_dir).get("void.ttl")
    if item is None:
        return None
    store = ox.Store()
    try:
        store.bulk_load(path=str(item.path), format=ox.RdfFormat.TURTLE, base_iri=data.base)
    except (SyntaxError, OSError) as exc:
        print(f"polevents serve: ignoring {item.path}: {exc}", file=sys.stderr)
        return None
    return Describer(store, urls)


def create_app(
    data: ServedData,
    settings: ServeSettings,
    project: Path = Path("."),
    on_ready: Callable[[], None] | None = None,
    runner: LocalRunner | None = None,
) -> Starlette:
    """The ASGI application over ``data``; queries run on ``runner`` (an HTTP worker's threads), else
    on a pool of query worker processes; either starts and stops with the application (lifespan)."""
    urls = UrlMap(data.base)
    describer = Describer(data.store, urls)
    meta = _meta_describer(data, urls)
    # the title of the built dataset (dist/void.ttl) wins over polevents.toml: --dist may be served from anywhere
    described = _void_summary(meta) if meta is not None else {}
    site = SiteInfo(title=described.get("title", data.config.title), base=data.base,
                    description=described.get("description", data.config.description))  # fmt: skip
    site.nav = [("Home", "/"), ("SPARQL", "/sparql"), ("Downloads", "/#downloads"),
                ("Ontology", urls.ontology_path), ("VoID", "/.well-known/void")]  # fmt: skip
    pool: LocalRunner | QueryPool
    if runner is not None:
        pool = runner
    else:
        sandbox = Sandbox(network=not settings.isolate_network, memory=settings.max_memory)
        pool = QueryPool(data.store_dir, settings.workers, sandbox)
    ctx = ServerContext(
        data=data, settings=settings, urls=urls, describer=describer, meta=meta,
        pages=Pages(site), pool=pool, project=project, examples=_example_queries(project),
    )  # fmt: skip

    @asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        await pool.start()
        if on_ready is not None:
            on_ready()
        try:
            yield
        finally:
            await asyncio.shield(pool.close())

    routes = [
        Route("/", home),
        Route("/sparql", sparql_endpoint, methods=["GET", "POST", "OPTIONS"], name="sparql"),
        Route("/sparql/", sparql_endpoint, methods=["GET", "POST", "OPTIONS"]),
        Route("/dist/", dist_index),
        Route("/dist/{name:path}", dist_file),
        Route("/.well-known/void", void),
        Route("/browse", browse),
        Route("/describe", describe),
        Route("/static/style.css", style),
        *([Route(urls.base_path, to_home)] if urls.base_path != "/" else []),
        Route(urls.ontology_path, entity),
        Route(urls.base_path + "dist/{name:path}", dist_file),
        Route(urls.base_path + "{rest:path}", entity),
    ]
    middleware = [
        Middleware(HeaderLimit),
        Middleware(
            CORSMiddleware,
            allow_origins=["*"],
            allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
            allow_headers=["*"],
            expose_headers=["X-SPARQL-MaxRows", "Link", "ETag", "Content-Length"],
            max_age=86400,
        ),
    ]
    handlers = {PoleventsError: polevents_error_handler, HTTPException: http_error_handler}
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan, exception_handlers=handlers)
    app.state.ctx = ctx
    return app
