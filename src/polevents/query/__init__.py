"""Query stage: run SPARQL 1.1 over the dataset, locally or on a remote endpoint.

The pipeline of one query::

    read_query_file / named_query / read_stdin  ->  QueryText (text + where it came from)
    prepare(QueryText, project)                 ->  PreparedQuery (form and syntax checked, star spelled out)
    answer(PreparedQuery, fmt, out, dist=)      ->  the result written on ``out``, streamed (local)
    execute(PreparedQuery, dist=/endpoint=)     ->  QueryResult (rows read into memory: the table, tests)

The evaluation itself is :mod:`polevents.query.engine`, the same for ``polevents
query`` and for the server's workers: prefixes, base, the union rule, the
``SELECT *`` order, the row cap, the error messages and the writers live there.
The local dataset is the persistent index of the dist folder (:mod:`polevents.store`,
made on first use when ``build`` did not leave one), else the project's sources
loaded in memory.

Remotely (SPARQL 1.1 Protocol, URL-encoded POST), the predefined prefixes the
query uses are declared for it on its *first line*, so line numbers in the
server's messages still match the user's text.

Errors: a syntax error is a :class:`~polevents.errors.QueryError` whose message
starts ``ORIGIN:LINE:COL:`` (``query`` for the argument, ``<stdin>``, or the
file's path); a query running past its timeout is a
:class:`~polevents.errors.QueryTimeoutError`; an endpoint failure a
:class:`~polevents.errors.RemoteError`.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from ..errors import InputError, QueryError, RemoteError
from ..formats import ResultFormat
from ..vocab import PREFIXES
from .engine import Prepared, QueryForm, Written

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

    from ..store import QueryDataset
    from .engine import Job

    Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | pyoxigraph.Triple

__all__ = [
    "NamedQuery",
    "PreparedQuery",
    "QueryForm",
    "QueryResult",
    "QueryText",
    "Written",
    "answer",
    "execute",
    "list_queries",
    "named_query",
    "prepare",
    "read_query_file",
    "read_stdin",
    "remote_text",
]

QUERY_SUFFIX = ".rq"


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
    #: what the engine made of it (:func:`polevents.query.engine.prepare`)
    core: Prepared | None = None

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


# --------------------------------------------------------------------------- preparing


def describe_syntax_error(text: str, message: str, origin: str = "query") -> str:
    """A parser message about ``text`` as ``ORIGIN:LINE:COL: what`` plus the line and a caret."""
    from .engine import syntax_error

    return str(syntax_error(text, message, origin))


def prepare(
    query: QueryText, project: Path = Path("."), *, check: bool = True, params: Mapping[str, str] | None = None
) -> PreparedQuery:
    """Check a query's syntax (unless ``check`` is off) and find its form, with the project's base.

    See :func:`polevents.query.engine.prepare`: it costs next to nothing and reports errors
    before any data is loaded or any request is sent.  ``params`` (``--param NAME=VALUE``)
    bind variables (:mod:`polevents.query.params`).
    """
    from ..config import load_config
    from .engine import prepare as prepare_text

    base = load_config(project).base
    core = prepare_text(query.text, origin=query.origin, base=base, check=check)
    if params:
        from .engine import bind_params

        core = bind_params(core, params, check=check)
        query = dataclasses.replace(query, text=core.text)
    return PreparedQuery(query=query, form=core.form, base=base, declared=core.declared, core=core)


# --------------------------------------------------------------------------- local evaluation


def _dataset(project: Path, dist: Path | None) -> QueryDataset:
    from ..dataset import DUMP_NQUADS, dist_folder
    from ..store import open_query_dataset

    if dist is None and not (dist_folder(project) / DUMP_NQUADS).is_file() and not (project / "ontology").is_dir():
        raise InputError(
            f"no dataset to query: {project / 'dist' / DUMP_NQUADS} does not exist and {project} is not a "
            "polevents project (no ontology/); use --project DIR, --dist DIR or --endpoint URL"
        )
    return open_query_dataset(project, dist)


def _job(prepared: PreparedQuery, ds: QueryDataset, fmt: ResultFormat, max_rows: int | None) -> Job:
    from .engine import Job

    graph = fmt.rdf_format if fmt.for_graphs else None
    return Job(
        query=prepared.query.text,
        origin=prepared.query.origin,
        base=prepared.base,
        union_view=ds.union_view,
        solutions_format=fmt.label if fmt.for_solutions and fmt is not ResultFormat.TABLE else "json",
        graph_format=graph.label if graph is not None else "nt",
        max_rows=max_rows,
        prefixes=prepared.prefixes,
        compact_jsonld=True,
    )


def _local(
    prepared: PreparedQuery,
    fmt: ResultFormat,
    out: BinaryIO,
    *,
    project: Path,
    dist: Path | None,
    timeout: float | None,
    max_rows: int | None,
    notify: Callable[[str], None] | None,
) -> tuple[Written, QueryDataset]:
    from .engine import run

    ds = _dataset(project, dist)
    if ds.in_memory and notify is not None:
        notify(f"no built dataset; querying {ds.origin}")
    job = _job(prepared, ds, fmt, max_rows)
    if timeout is None:
        return run(ds.store, job, out, prepared=prepared.core), ds
    from .timeout import run_with_timeout

    return run_with_timeout(ds, job, prepared.core, out, timeout), ds


def answer(
    prepared: PreparedQuery,
    fmt: ResultFormat,
    out: BinaryIO,
    *,
    project: Path = Path("."),
    dist: Path | None = None,
    timeout: float | None = None,
    max_rows: int | None = None,
    notify: Callable[[str], None] | None = None,
) -> Written:
    """Answer ``prepared`` from the local dataset, written on ``out`` in ``fmt`` (a W3C results
    format for SELECT/ASK, an RDF format for CONSTRUCT/DESCRIBE), streamed.

    ``timeout`` (seconds) bounds evaluation and writing: the query then runs in a child process
    that writes into a temporary file and is killed at the deadline; opening the dataset is
    not counted.  ``notify`` is told when no built dataset exists (the sources are queried).

    :raises QueryError: the query failed (syntax errors start ``ORIGIN:LINE:COL:``).
    :raises QueryTimeoutError: it ran past ``timeout``.
    :raises InputError: no dataset.
    """
    written, _ds = _local(
        prepared, fmt, out, project=project, dist=dist, timeout=timeout, max_rows=max_rows, notify=notify
    )
    return written


def _read_back(data: bytes, form: QueryForm) -> QueryResult:
    """A result :func:`answer` wrote (JSON results or N-Triples), read into a :class:`QueryResult`."""
    import pyoxigraph as ox

    if form.is_graph:
        parsed = ox.parse(data, ox.RdfFormat.N_TRIPLES)
        return QueryResult(
            form=form, triples=sorted({ox.Triple(q.subject, q.predicate, q.object) for q in parsed}, key=str)
        )
    return _materialize(ox.parse_query_results(data, ox.QueryResultsFormat.JSON), form)


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


# --------------------------------------------------------------------------- remote evaluation


def remote_text(prepared: PreparedQuery) -> str:
    """The query as sent to an endpoint: the predefined prefixes it uses (and the base) on line 1.

    The declarations go on the query's first line, not before it, so a line
    number in the server's answer is a line number in the user's text.  A
    ``SELECT *`` goes spelled out (:attr:`engine.Prepared.evaluated`), so the
    endpoint's columns come in the same order as locally.
    """
    from .scan import declares_base, prefixed_names

    text = prepared.core.evaluated if prepared.core is not None else prepared.query.text
    decls: list[str] = []
    if not declares_base(text):
        decls.append(f"BASE <{prepared.base}>")
    for name in dict.fromkeys(name for name, _ in prefixed_names(text)):
        if name in PREFIXES and name not in prepared.declared:
            decls.append(f"PREFIX {name}: <{PREFIXES[name]}>")
    substitutions = prepared.core.substitutions if prepared.core is not None else {}
    if substitutions:  # an endpoint takes no substitutions: a trailing VALUES clause binds them
        names = sorted(substitutions)
        values = " ".join(substitutions[n] for n in names)
        text = f"{text}\nVALUES ({' '.join('?' + n for n in names)}) {{ ({values}) }}"
    return " ".join(decls) + (" " if decls else "") + text


def _read_remote(media: str, content: bytes, form: QueryForm, endpoint: str) -> QueryResult:
    """Parse an endpoint's successful answer (``media``: its content type) into a result."""
    import pyoxigraph as ox

    try:
        if not form.is_graph:
            rfmt = ox.QueryResultsFormat.from_media_type(media) if media else None
            if rfmt is None:
                raise RemoteError(f"{endpoint}: answered with {media or 'no content type'}, not SPARQL results")
            result = _materialize(ox.parse_query_results(content, rfmt), form)
        else:
            gfmt = ox.RdfFormat.from_media_type(media) if media else None
            if gfmt is None and media == "text/plain":
                gfmt = ox.RdfFormat.N_TRIPLES  # old servers label N-Triples text/plain
            if gfmt is None:
                raise RemoteError(f"{endpoint}: answered with {media or 'no content type'}, not RDF")
            triples = {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(content, format=gfmt)}
            result = QueryResult(form=form, triples=sorted(triples, key=str))
    except (SyntaxError, ValueError) as exc:
        raise RemoteError(f"{endpoint}: cannot read its {media} answer: {' '.join(str(exc).split())}") from exc
    if result.form is not form and not (form.is_graph and result.form.is_graph):
        raise RemoteError(f"{endpoint}: answered a {form.value} query with a {result.form.value} result")
    result.origin = endpoint
    return result


def _remote(
    prepared: PreparedQuery, endpoint: str, timeout: float | None, notify: Callable[[str], None] | None = None
) -> QueryResult:
    """Send the query over the SPARQL 1.1 Protocol (query/remote.py); ``notify`` hears why an answer is empty."""
    from .remote import empty_answer_note, fetch
    from .scan import tokens

    answer = fetch(remote_text(prepared), endpoint, graph=prepared.form.is_graph, timeout=timeout)
    result = _read_remote(answer.media_type, answer.content, prepared.form, endpoint)
    if notify is not None and not (result.rows or result.triples or result.boolean):
        chooses_dataset = any(t.text.upper() == "FROM" for t in tokens(prepared.query.text) if t.kind == "word")
        note = None if chooses_dataset else empty_answer_note(endpoint, timeout)
        if note is not None:
            notify(note)
    return result


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
    """Answer a prepared query from ``endpoint``, or from the local dataset, read into memory.

    For the terminal table and for tests; other output goes through :func:`answer`, streamed.
    The local dataset and ``timeout`` are as in :func:`answer`.

    :raises QueryError: the query failed (syntax errors start ``ORIGIN:LINE:COL:``).
    :raises QueryTimeoutError: it ran past ``timeout``.
    :raises RemoteError: the endpoint failed or could not be reached.
    :raises InputError: no dataset, or a bad endpoint URL.
    """
    import io

    if endpoint is not None:
        if dist is not None:
            raise InputError("--dist and --endpoint exclude each other: query a local dataset or an endpoint")
        return _remote(prepared, endpoint, timeout, notify)
    fmt = ResultFormat.NTRIPLES if prepared.form.is_graph else ResultFormat.JSON
    buffer = io.BytesIO()
    _written, ds = _local(
        prepared, fmt, buffer, project=project, dist=dist, timeout=timeout, max_rows=None, notify=notify
    )
    result = _read_back(buffer.getvalue(), prepared.form)
    result.origin = ds.origin
    result.in_memory = ds.in_memory
    return result


def read_stdin() -> QueryText:
    """The query on standard input (``-f -``)."""
    return QueryText(sys.stdin.read(), "<stdin>")
