"""Query stage: run SPARQL 1.1 over the dataset, locally or on a remote endpoint.

The pipeline of one query::

    read_query / read_query_file / named_query  ->  QueryText (text + where it came from)
    prepare(QueryText, project)                  ->  PreparedQuery (form checked, syntax checked)
    execute(PreparedQuery, dist=/endpoint=)      ->  QueryResult (variables + rows, boolean, or triples)

and :mod:`polevents.query.results` writes a :class:`QueryResult` in any
:class:`~polevents.formats.ResultFormat`.

Semantics, the same locally and remotely:

* The prefixes of :data:`polevents.vocab.PREFIXES` are predefined; a ``PREFIX``
  the query declares itself wins.  The dataset's base IRI (``polevents.toml``)
  is the query's base, so ``<id/person/…>`` works as it does in the data files.
* Locally (pyoxigraph), the default graph is the union of all named graphs (the
  sources and the ontology); ``GRAPH ?g { … }`` reaches each graph.
* Remotely (SPARQL 1.1 Protocol, URL-encoded POST), the predefined prefixes the
  query uses are declared for it on its *first line*, so line numbers in the
  server's messages still match the user's text.

Errors: a syntax error is a :class:`~polevents.errors.QueryError` whose message
starts ``ORIGIN:LINE:COL:`` (``query`` for the argument, ``<stdin>``, or the
file's path); a query running past its timeout is a
:class:`~polevents.errors.QueryTimeoutError`; an endpoint failure a
:class:`~polevents.errors.RemoteError`.
"""

from __future__ import annotations

import enum
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError, PoleventsError, QueryError, QueryTimeoutError, RemoteError
from ..vocab import PREFIXES

if TYPE_CHECKING:  # pragma: no cover
    from multiprocessing.connection import Connection

    import httpx
    import pyoxigraph

    Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | pyoxigraph.Triple

__all__ = [
    "NamedQuery",
    "PreparedQuery",
    "QueryForm",
    "QueryResult",
    "QueryText",
    "execute",
    "list_queries",
    "named_query",
    "prepare",
    "read_query_file",
    "read_stdin",
    "remote_text",
    "star_order",
]

QUERY_SUFFIX = ".rq"
#: How long to wait for a TCP connection to an endpoint, whatever --timeout says.
CONNECT_TIMEOUT_S = 10.0
_UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})


class QueryForm(enum.Enum):
    """The four SPARQL query forms; ``is_graph`` for the ones answering with triples."""

    SELECT = "SELECT"
    ASK = "ASK"
    CONSTRUCT = "CONSTRUCT"
    DESCRIBE = "DESCRIBE"

    @property
    def is_graph(self) -> bool:
        return self in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE)


@dataclass(frozen=True)
class QueryText:
    """The text of a query and where it came from (``origin`` starts every error message)."""

    text: str
    origin: str = "query"


@dataclass(frozen=True)
class NamedQuery:
    """A shipped query: ``queries/NAME.rq``, described by its first ``#`` comment line."""

    name: str
    description: str
    path: Path


@dataclass(frozen=True)
class PreparedQuery:
    """A query that parsed, with its form and the prefixes/base it is evaluated with."""

    query: QueryText
    form: QueryForm
    base: str
    #: prefixes the query declares itself (they win over the predefined ones)
    declared: dict[str, str] = field(default_factory=dict)

    @property
    def prefixes(self) -> dict[str, str]:
        """Every prefix known to the query: the predefined ones, then the query's own."""
        return {**PREFIXES, **self.declared}


@dataclass
class QueryResult:
    """The answer to a query: rows (SELECT), a boolean (ASK) or triples (CONSTRUCT/DESCRIBE)."""

    form: QueryForm
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[pyoxigraph.Triple] = field(default_factory=list)
    #: where the answer came from: a dump path, a project (in memory), an endpoint URL
    origin: str = ""
    #: True when no built dataset was found and the sources were loaded in memory
    in_memory: bool = False


# --------------------------------------------------------------------------- reading queries


def read_query_file(path: Path) -> QueryText:
    """The query in ``path``; a missing or unreadable file is an :class:`InputError`."""
    try:
        return QueryText(path.read_text(encoding="utf-8"), str(path))
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such query file") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{path}: is a directory, not a query file") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from exc


def _queries_dir(project: Path) -> Path:
    from ..config import load_config

    return load_config(project).queries_dir


def _description(path: Path) -> str:
    """The first ``#`` comment line of a query file, without the ``#``."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("#"):
            return stripped.lstrip("#").strip()
        if stripped:
            break
    return ""


def list_queries(project: Path = Path(".")) -> list[NamedQuery]:
    """The shipped queries of a project (``queries/*.rq``), sorted by name."""
    folder = _queries_dir(project)
    if not folder.is_dir():
        return []
    return [NamedQuery(p.stem, _description(p), p) for p in sorted(folder.glob(f"*{QUERY_SUFFIX}")) if p.is_file()]


def named_query(project: Path, name: str) -> QueryText:
    """The text of ``queries/NAME.rq``; an unknown name lists the available ones."""
    stem = name.removesuffix(QUERY_SUFFIX)
    available = list_queries(project)
    for q in available:
        if q.name == stem:
            return read_query_file(q.path)
    folder = _queries_dir(project)
    if not available:
        raise InputError(f"unknown query name {name!r}: there are no queries in {folder}")
    names = ", ".join(q.name for q in available)
    raise InputError(f"unknown query name {name!r}; available: {names} (see `polevents query --list`)")


# --------------------------------------------------------------------------- lexing helpers

_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_PNAME = re.compile(r"(?<![\w\-.:?$])([A-Za-z](?:[\w\-.]*[\w\-])?)?:")
_PREFIX_DECL = re.compile(r"(?i)\bPREFIX\s+((?:[A-Za-z](?:[\w\-.]*[\w\-])?)?):\s*(<)")
_BASE_DECL = re.compile(r"(?i)\bBASE\s*<")
_PROLOGUE = re.compile(r"(?is)\A\s*(?:(?:BASE\s*<[^>]*>|PREFIX\s+[\w\-.]*:\s*<[^>]*>)\s*)*([A-Za-z]+)")


def _mask(text: str, *, iris: bool) -> str:
    """``text`` with comments and string contents (and IRI contents if ``iris``) blanked.

    Positions are kept, so a match in the mask is a match at the same place in
    the text; what is left is the query's own tokens.
    """
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            j = i + len(quote)
            closed = False
            while j < n:
                if text.startswith(quote, j):
                    closed = True
                    break
                if len(quote) == 1 and text[j] == "\n":
                    break
                j += 2 if text[j] == "\\" else 1
            j = min(j, n)
            out.append(quote + re.sub(r"[^\n]", " ", text[i + len(quote) : j]))
            if closed:
                out.append(quote)
                j += len(quote)
            i = j
        elif c == "<" and (m := _IRIREF.match(text, i)):
            inner = m.group()[1:-1]
            out.append("<" + (" " * len(inner) if iris else inner) + ">")
            i = m.end()
        elif c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def declared_prefixes(text: str) -> dict[str, str]:
    """The ``PREFIX`` declarations of a query (outside comments and strings)."""
    masked = _mask(text, iris=False)
    found: dict[str, str] = {}
    for m in _PREFIX_DECL.finditer(masked):
        end = masked.find(">", m.end(2))
        if end > 0:
            found[m.group(1)] = text[m.end(2) : end]
    return found


def _used_prefixes(text: str) -> list[str]:
    """Prefix names used in prefixed names of the query, in order of first use."""
    seen: dict[str, None] = {}
    for m in _PNAME.finditer(_mask(text, iris=True)):
        if m.group(1):
            seen.setdefault(m.group(1), None)
    return list(seen)


_STAR = re.compile(r"(?is)\s*(?:DISTINCT\s+|REDUCED\s+)?\*")
_VARIABLE = re.compile(r"[?$]([\w\u00b7]+)")


def star_order(text: str) -> list[str] | None:
    """For ``SELECT *``: the variables in order of first appearance in the query (else None).

    SPARQL leaves the order of ``*`` open and Oxigraph sorts it; readers expect
    the order they wrote (``?s ?p ?o``, not ``?o ?p ?s``), as Jena gives it.
    """
    masked = _mask(text, iris=True)
    m = _PROLOGUE.match(masked)
    if m is None or m.group(1).upper() != "SELECT" or not _STAR.match(masked, m.end()):
        return None
    return list(dict.fromkeys(v.group(1) for v in _VARIABLE.finditer(masked, m.end())))


def _reorder(result: QueryResult, order: list[str] | None) -> None:
    """Put a ``SELECT *`` result's columns in ``order`` (variables not in it keep theirs, after)."""
    if order is None or not result.variables:
        return
    rank = {name: i for i, name in enumerate(order)}
    positions = sorted(range(len(result.variables)), key=lambda i: (rank.get(result.variables[i], len(rank)), i))
    result.variables = [result.variables[i] for i in positions]
    result.rows = [tuple(row[i] for i in positions) for row in result.rows]


def detect_form(text: str) -> QueryForm | None:
    """The form of a query from its first keyword after the prologue (no full parse)."""
    m = _PROLOGUE.match(_mask(text, iris=True))
    if m is None:
        return None
    keyword = m.group(1).upper()
    if keyword in _UPDATE_KEYWORDS:
        raise QueryError(f"{keyword} is SPARQL Update: polevents query is read-only (SELECT, ASK, CONSTRUCT, DESCRIBE)")
    try:
        return QueryForm(keyword)
    except ValueError:
        return None


# --------------------------------------------------------------------------- syntax errors

_ERROR_AT = re.compile(r"(?s)\Aerror at (\d+):(\d+): (.*)\Z")
_EXPECTED_ITEM = re.compile(r"""\s*("(?:[^"\\]|\\.)*"|\[(?:'(?:[^'\\]|\\.)*'|[^\]])*\]|[^,]+)\s*(?:,|$)""")


def _explain(detail: str) -> str:
    """pyoxigraph's ``expected one of …`` made readable: tokens kept, character classes dropped."""
    detail = " ".join(detail.split())
    m = re.match(r"expected (?:one of )?(.*)", detail)
    if not m:
        return detail
    tokens: list[str] = []
    notes: list[str] = []
    for item in (x.group(1).strip() for x in _EXPECTED_ITEM.finditer(m.group(1))):
        if not item:
            continue
        if item.startswith("["):
            if item.startswith("['0'") and item not in tokens:
                tokens.append("a digit")
            continue  # a character class or "[_]" (any character): noise for a reader
        if item.startswith('"') or re.fullmatch(r"[A-Z][A-Z_0-9]*", item):
            tokens.append(item)
        else:
            notes.append(item)  # an error message oxigraph filed among the expectations
    if notes:
        return "; ".join(notes)
    if not tokens:
        return "unexpected input here"
    return ("expected " if len(tokens) == 1 else "expected one of ") + ", ".join(tokens)


def _excerpt(text: str, line: int, col: int) -> str:
    """The erroneous line and a caret under the column, indented, at most ~100 columns."""
    from .results import display_width

    lines = text.splitlines() or [""]
    if not 1 <= line <= len(lines):
        return " (at the end of the query)"
    src = lines[line - 1].replace("\t", " ")
    start = max(0, col - 1 - 60)
    shown = src[start : start + 100]
    lead = "…" if start else ""
    caret = " " * (display_width(lead + src[start : col - 1]))
    return f"\n  {lead}{shown}\n  {caret}^"


def _unknown_prefix(text: str, declared: Mapping[str, str], line: int, col: int) -> tuple[str, int, int] | None:
    """The undeclared prefix nearest before (line, col): (prefix, line, col) of its use."""
    masked = _mask(text, iris=True)
    starts = [0]
    for i, ch in enumerate(masked):
        if ch == "\n":
            starts.append(i + 1)
    error_at = starts[min(line, len(starts)) - 1] + col - 1
    best: tuple[str, int] | None = None
    for m in _PNAME.finditer(masked):
        name = m.group(1) or ""
        if name in PREFIXES or name in declared:
            continue
        if best is None or m.start() < error_at:
            best = (name, m.start())
    if best is None:
        return None
    name, offset = best
    ln = max(i for i, s in enumerate(starts) if s <= offset)
    return name, ln + 1, offset - starts[ln] + 1


def describe_syntax_error(text: str, message: str, origin: str = "query") -> str:
    """A parser message about ``text`` as ``ORIGIN:LINE:COL: what`` plus the line and a caret."""
    return str(_syntax_error(QueryText(text, origin), SyntaxError(message)))


def _syntax_error(query: QueryText, exc: SyntaxError) -> QueryError:
    """Turn pyoxigraph's ``SyntaxError`` into ``ORIGIN:LINE:COL: what`` (+ the line and a caret)."""
    message = str(exc)
    m = _ERROR_AT.match(message)
    if m is None:
        return QueryError(f"{query.origin}: syntax error: {' '.join(message.split())}")
    line, col, detail = int(m.group(1)), int(m.group(2)), m.group(3)
    if "Prefix not found" in detail:
        declared = declared_prefixes(query.text)
        found = _unknown_prefix(query.text, declared, line, col)
        if found is not None:
            name, pline, pcol = found
            known = ", ".join(sorted(PREFIXES))
            return QueryError(
                f"{query.origin}:{pline}:{pcol}: unknown prefix '{name}:'; declare it "
                f"(PREFIX {name}: <…>) or use a predefined one: {known}"
            )
    return QueryError(f"{query.origin}:{line}:{col}: syntax error: {_explain(detail)}{_excerpt(query.text, line, col)}")


# --------------------------------------------------------------------------- preparing


def prepare(query: QueryText, project: Path = Path("."), *, check: bool = True) -> PreparedQuery:
    """Check a query's syntax (unless ``check`` is off) and find its form.

    The check parses the query with the predefined prefixes and the project's
    base against an empty store, so it costs next to nothing and reports
    errors before any data is loaded or any request is sent.  A query with
    SERVICE is not probed: evaluating it, even on an empty store, would call
    the remote service (once more than the user asked, and outside --timeout);
    its syntax is then checked where it runs.
    """
    from ..config import load_config
    from .scan import scan_query

    if not query.text.strip():
        raise QueryError(f"{query.origin}: the query is empty")
    base = load_config(project).base
    form = detect_form(query.text)  # also rejects SPARQL Update with a clear message
    declared = declared_prefixes(query.text)
    if check and not scan_query(query.text).service:
        import pyoxigraph as ox

        try:
            probe = ox.Store().query(query.text, prefixes=dict(PREFIXES), base_iri=base)
        except SyntaxError as exc:
            raise _syntax_error(query, exc) from exc
        except (OSError, RuntimeError, ValueError):
            probe = None  # parsed, but evaluation failed (e.g. an ASK with SERVICE): the form stays
        if isinstance(probe, ox.QuerySolutions):
            form = QueryForm.SELECT
        elif isinstance(probe, ox.QueryBoolean):
            form = QueryForm.ASK
        elif isinstance(probe, ox.QueryTriples) and form not in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE):
            form = QueryForm.CONSTRUCT
    if form is None:
        raise QueryError(f"{query.origin}: cannot tell the query form (expected SELECT, ASK, CONSTRUCT or DESCRIBE)")
    return PreparedQuery(query=query, form=form, base=base, declared=declared)


# --------------------------------------------------------------------------- local evaluation


def _materialize(raw: object, form: QueryForm) -> QueryResult:
    """Read a pyoxigraph result completely into a :class:`QueryResult`."""
    import pyoxigraph as ox

    if isinstance(raw, ox.QueryBoolean):
        return QueryResult(form=QueryForm.ASK, boolean=bool(raw))
    if isinstance(raw, ox.QuerySolutions):
        variables = [v.value for v in raw.variables]
        rows = [tuple(sol[v] for v in variables) for sol in raw]
        return QueryResult(form=QueryForm.SELECT, variables=variables, rows=rows)
    if isinstance(raw, ox.QueryTriples):
        triples = sorted(set(raw), key=str)  # a graph is a set; sorted for deterministic output
        return QueryResult(form=form if form.is_graph else QueryForm.CONSTRUCT, triples=triples)
    raise QueryError(f"unexpected query result type {type(raw).__name__}")


def _evaluate(store: pyoxigraph.Store, prepared: PreparedQuery, union: bool = False) -> QueryResult:
    """Run a prepared query on a store whose default graph is the union of its named graphs: held in
    it, or read as the union view when ``union`` (see :func:`polevents.dataset.prepare_union`)."""
    try:
        raw = store.query(
            prepared.query.text,
            prefixes=dict(PREFIXES),
            base_iri=prepared.base,
            use_default_graph_as_union=union,
        )
        return _materialize(raw, prepared.form)
    except SyntaxError as exc:
        raise _syntax_error(prepared.query, exc) from exc
    except (OSError, RuntimeError, ValueError, TypeError) as exc:
        raise QueryError(f"{prepared.query.origin}: the query failed: {' '.join(str(exc).split())}") from exc


def _open_store(project: Path, dist: Path | None) -> tuple[pyoxigraph.Store, str, bool, bool]:
    """The dataset store, where it came from, whether it was loaded in memory from sources, and
    whether its default graph is to be read as the union view (see :func:`polevents.dataset.prepare_union`)."""
    from ..dataset import DUMP_NQUADS, dist_folder, open_dataset, prepare_union

    if dist is None and not (dist_folder(project) / DUMP_NQUADS).is_file() and not (project / "ontology").is_dir():
        raise InputError(
            f"no dataset to query: {project / 'dist' / DUMP_NQUADS} does not exist and {project} is not a "
            "polevents project (no ontology/); use --project DIR, --dist DIR or --endpoint URL"
        )
    ds = open_dataset(project, dist)
    union = prepare_union(ds.store)
    return ds.store, ds.origin, not ds.from_dist, union


#: The store a forked worker inherits, and its union flag (set only around the fork).
_FORK_STORE: Any = None


def _worker(conn: Connection, prepared: PreparedQuery, project: Path, dist: Path | None) -> None:
    """Child process: evaluate and send back ("ok", result) or ("error", an ErrorPayload)."""
    try:
        if _FORK_STORE is not None:
            store, union = _FORK_STORE
        else:
            store, _origin, _in_memory, union = _open_store(project, dist)
        conn.send(("ok", _evaluate(store, prepared, union)))
    except PoleventsError as exc:
        conn.send(("error", exc.to_payload()))
    except BaseException as exc:
        conn.send(("error", QueryError(f"the query failed: {type(exc).__name__}: {exc}").to_payload()))
    finally:
        conn.close()


def _evaluate_with_timeout(
    store: pyoxigraph.Store,
    prepared: PreparedQuery,
    project: Path,
    dist: Path | None,
    timeout: float,
    union: bool = False,
) -> QueryResult:
    """Evaluate in a child process that is killed when ``timeout`` seconds pass.

    pyoxigraph cannot interrupt a running query, and a thread cannot be
    stopped, so the honest way is a process: forked where the platform
    allows it (the child inherits the loaded store), spawned elsewhere (the
    child loads the dataset itself).
    """
    import multiprocessing as mp

    global _FORK_STORE
    methods = mp.get_all_start_methods()
    ctx = mp.get_context("fork" if "fork" in methods else "spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    _FORK_STORE = (store, union) if ctx.get_start_method() == "fork" else None
    try:
        process = ctx.Process(target=_worker, args=(sender, prepared, project, dist), daemon=True)
        process.start()
    finally:
        _FORK_STORE = None
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise QueryTimeoutError(
                f"{prepared.query.origin}: the query ran longer than {timeout:g} s and was stopped "
                "(raise --timeout, or add LIMIT / more selective patterns)"
            )
        message = receiver.recv()
    except EOFError as exc:
        raise QueryError(f"{prepared.query.origin}: the query process died (exit code {process.exitcode})") from exc
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()
    if message[0] == "ok":
        result: QueryResult = message[1]
        return result
    raise PoleventsError.from_payload(message[1])


# --------------------------------------------------------------------------- remote evaluation

SOLUTIONS_ACCEPT = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, text/tab-separated-values;q=0.8"
)
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/n-quads;q=0.8, application/rdf+xml;q=0.5"


def remote_text(prepared: PreparedQuery) -> str:
    """The query as sent to an endpoint: the predefined prefixes it uses (and the base) on line 1.

    The declarations go on the query's first line, not before it, so a line
    number in the server's answer is a line number in the user's text.
    """
    text = prepared.query.text
    decls: list[str] = []
    if not _BASE_DECL.search(_mask(text, iris=True)):
        decls.append(f"BASE <{prepared.base}>")
    for name in _used_prefixes(text):
        if name in PREFIXES and name not in prepared.declared:
            decls.append(f"PREFIX {name}: <{PREFIXES[name]}>")
    return " ".join(decls) + (" " if decls else "") + text


def _server_message(response: httpx.Response, limit: int = 5) -> str:
    """The first lines of an error body, tags stripped when it is HTML."""
    body = response.text
    if "html" in response.headers.get("content-type", "") or body.lstrip().startswith("<"):
        body = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", body)
        body = re.sub(r"(?s)<[^>]+>", "\n", body)
    lines = [" ".join(x.split()) for x in body.splitlines()]
    kept = [x for x in lines if x][:limit]
    message = " | ".join(kept)
    return message if len(message) <= 600 else message[:599] + "…"


def _read_remote(response: httpx.Response, form: QueryForm, endpoint: str) -> QueryResult:
    """Parse an endpoint's successful answer by its content type."""
    import pyoxigraph as ox

    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if not form.is_graph:
            rfmt = ox.QueryResultsFormat.from_media_type(media) if media else None
            if rfmt is None:
                raise RemoteError(f"{endpoint}: answered with {media or 'no content type'}, not SPARQL results")
            result = _materialize(ox.parse_query_results(response.content, rfmt), form)
        else:
            gfmt = ox.RdfFormat.from_media_type(media) if media else None
            if gfmt is None and media == "text/plain":
                gfmt = ox.RdfFormat.N_TRIPLES  # old servers label N-Triples text/plain
            if gfmt is None:
                raise RemoteError(f"{endpoint}: answered with {media or 'no content type'}, not RDF")
            triples = {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(response.content, format=gfmt)}
            result = QueryResult(form=form, triples=sorted(triples, key=str))
    except (SyntaxError, ValueError) as exc:
        raise RemoteError(f"{endpoint}: cannot read its {media} answer: {' '.join(str(exc).split())}") from exc
    if result.form is not form and not (form.is_graph and result.form.is_graph):
        raise RemoteError(f"{endpoint}: answered a {form.value} query with a {result.form.value} result")
    result.origin = endpoint
    return result


def _remote(prepared: PreparedQuery, endpoint: str, timeout: float | None) -> QueryResult:
    """Send the query over the SPARQL 1.1 Protocol (URL-encoded POST; GET when POST is refused)."""
    import httpx

    from .. import __version__

    accept = GRAPH_ACCEPT if prepared.form.is_graph else SOLUTIONS_ACCEPT
    headers = {"Accept": accept, "User-Agent": f"polevents/{__version__} (SPARQL client; httpx)"}
    connect = CONNECT_TIMEOUT_S if timeout is None else min(timeout, CONNECT_TIMEOUT_S)
    text = remote_text(prepared)
    try:
        with httpx.Client(timeout=httpx.Timeout(timeout, connect=connect), follow_redirects=True) as client:
            response = client.post(endpoint, data={"query": text}, headers=headers)
            if response.status_code == 405:
                response = client.get(endpoint, params={"query": text}, headers=headers)
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise InputError(f"{endpoint}: not a usable endpoint URL ({exc})") from exc
    except httpx.ConnectTimeout as exc:
        raise RemoteError(f"{endpoint}: unreachable (no connection within {connect:g} s)") from exc
    except httpx.TimeoutException as exc:
        raise QueryTimeoutError(f"{endpoint}: no answer within {timeout:g} s; the request was abandoned") from exc
    except httpx.ConnectError as exc:
        reason = re.sub(r"^\[Errno -?\d+\]\s*", "", str(exc)) or type(exc).__name__
        raise RemoteError(f"{endpoint}: unreachable ({reason})") from exc
    except httpx.HTTPError as exc:
        raise RemoteError(f"{endpoint}: request failed: {type(exc).__name__}: {exc}") from exc
    if response.status_code >= 400:
        detail = _server_message(response)
        raise RemoteError(
            f"{endpoint}: HTTP {response.status_code} {response.reason_phrase}" + (f": {detail}" if detail else "")
        )
    return _read_remote(response, prepared.form, endpoint)


# --------------------------------------------------------------------------- the entry point


def execute(
    prepared: PreparedQuery,
    *,
    project: Path = Path("."),
    dist: Path | None = None,
    endpoint: str | None = None,
    timeout: float | None = None,
    notify: Callable[[str], None] | None = None,
) -> QueryResult:
    """Answer a prepared query from ``endpoint``, or from the local dataset.

    The local dataset is ``dist/polevents.nq`` (``dist`` defaults to the
    project's ``dist/``), else the project's sources loaded in memory
    (``result.in_memory`` says so, and ``notify`` is told before the query
    runs).  ``timeout`` (seconds) bounds the query's evaluation; loading the
    dataset is not counted.

    :raises QueryError: the query failed (syntax errors start ``ORIGIN:LINE:COL:``).
    :raises QueryTimeoutError: it ran past ``timeout``.
    :raises RemoteError: the endpoint failed or could not be reached.
    :raises InputError: no dataset, or a bad endpoint URL.
    """
    if endpoint is not None:
        if dist is not None:
            raise InputError("--dist and --endpoint exclude each other: query a local dataset or an endpoint")
        result = _remote(prepared, endpoint, timeout)
        _reorder(result, star_order(prepared.query.text))
        return result
    store, origin, in_memory, union = _open_store(project, dist)
    if in_memory and notify is not None:
        notify(f"no built dataset; querying {origin}")
    if timeout is None:
        result = _evaluate(store, prepared, union)
    else:
        result = _evaluate_with_timeout(store, prepared, project, dist, timeout, union)
    _reorder(result, star_order(prepared.query.text))
    result.origin = origin
    result.in_memory = in_memory
    return result


def read_stdin() -> QueryText:
    """The query on standard input (``-f -``)."""
    return QueryText(sys.stdin.read(), "<stdin>")
