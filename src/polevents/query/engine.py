"""The one query evaluation core: ``polevents query``, the server's workers and any other caller.

One query goes through three steps, the same wherever it runs::

    prepare(text, origin=, base=)          -> Prepared   (form, syntax checked, SELECT * spelled out)
    evaluate(store, prepared, union_view=) -> pyoxigraph QuerySolutions | QueryBoolean | QueryTriples
    write(raw, out, ...)                   -> Written    (bytes on ``out``; rows, truncated)

and :func:`run` does all three for a :class:`Job` (what a server worker receives).

The rules, in one place:

* **Prefixes and base**: :data:`polevents.vocab.PREFIXES` are predefined; a ``PREFIX`` the
  query declares wins.  The base is the dataset's (``polevents.toml``).
* **Union rule**: the default graph is the RDF merge of all graphs, each triple once.  The
  store says how to read it (``union_view``, see :mod:`polevents.store`): pyoxigraph's union
  view, or the store's own default graph that holds the merge.  A query with ``FROM`` /
  ``FROM NAMED``, or a protocol request naming graphs, gets exactly the dataset it names.
* **Star order**: ``SELECT *`` lists its variables in order of first appearance in the query
  (``?s ?p ?o``, as Jena does), not Oxigraph's sorted order.  :func:`prepare` spells the
  star out (``SELECT ?s ?p ?o``: the same variables, the same answers), so every writer,
  and a remote endpoint sent :attr:`Prepared.evaluated`, gives the columns in that order.
* **Row cap**: ``max_rows`` solutions or triples at most; :attr:`Written.truncated` says more existed.
* **Results**: pyoxigraph's serializers write uncapped SPARQL results (streamed); with a cap,
  the writers of :mod:`polevents.query.results` stream row by row in the same bytes.
* **Errors**: :class:`~polevents.errors.QueryError` with ``ORIGIN:LINE:COL:`` for syntax
  errors (and the line with a caret); a worker sends it as an
  :class:`~polevents.errors.ErrorPayload`.
* **Timeouts**: pyoxigraph cannot interrupt a query; the caller runs :func:`run` in a process
  it kills at the deadline (the server's worker pool; ``polevents query --timeout``).
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

from ..errors import QueryError
from ..formats import RdfFormat, ResultFormat
from ..vocab import PREFIXES

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

    Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | pyoxigraph.Triple
    Raw = pyoxigraph.QuerySolutions | pyoxigraph.QueryBoolean | pyoxigraph.QueryTriples

__all__ = [
    "Job",
    "Prepared",
    "QueryForm",
    "Written",
    "bind_params",
    "evaluate",
    "predefined_prefixes",
    "prepare",
    "run",
    "syntax_error",
    "write",
]


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
class Prepared:
    """A query that parsed: its form, and the text as it is evaluated."""

    #: the user's text, and where it came from (``origin`` starts every error message)
    text: str
    origin: str
    form: QueryForm
    base: str | None
    #: the text as evaluated: ``SELECT *`` spelled out in the star order (else ``text``)
    evaluated: str
    #: the query names its own dataset (FROM / FROM NAMED)
    from_clause: bool = False
    #: the query calls SERVICE
    service: bool = False
    #: the syntax was checked here (False with ``check=False`` or a SERVICE query)
    checked: bool = True
    #: variables bound before evaluation (pyoxigraph substitutions): name -> term in N-Triples syntax
    substitutions: dict[str, str] = field(default_factory=dict)

    @property
    def declared(self) -> dict[str, str]:
        """The prefixes the query declares itself (they win over the predefined ones)."""
        from .scan import declared_prefixes

        return declared_prefixes(self.text)

    @property
    def prefixes(self) -> dict[str, str]:
        """Every prefix known to the query: the predefined ones, then the query's own."""
        return {**PREFIXES, **self.declared}


@dataclass(frozen=True)
class Written:
    """What :func:`write` wrote."""

    #: "solutions", "boolean" or "graph"
    kind: str
    content_type: str
    #: solutions or triples written (None when pyoxigraph streamed an uncapped result uncounted)
    rows: int | None
    #: more existed than ``max_rows``: the output holds the first ``max_rows``
    truncated: bool = False
    #: the answer of an ASK query
    boolean: bool | None = None


# --------------------------------------------------------------------------- syntax errors

# patterns as text: compiled (and cached by re) on first use, not at start-up
_ERROR_AT = r"(?s)\Aerror at (\d+):(\d+): (.*)\Z"
_EXPECTED_ITEM = r"""\s*("(?:[^"\\]|\\.)*"|\[(?:'(?:[^'\\]|\\.)*'|[^\]])*\]|[^,]+)\s*(?:,|$)"""


def _explain(detail: str) -> str:
    """pyoxigraph's ``expected one of …`` made readable: tokens kept, character classes dropped."""
    detail = " ".join(detail.split())
    m = re.match(r"expected (?:one of )?(.*)", detail)
    if not m:
        return detail
    tokens: list[str] = []
    notes: list[str] = []
    for item in (x.group(1).strip() for x in re.finditer(_EXPECTED_ITEM, m.group(1))):
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


def _display_width(text: str) -> int:
    import unicodedata

    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text
    )


def _excerpt(text: str, line: int, col: int) -> str:
    """The erroneous line and a caret under the column, indented, at most ~100 columns."""
    lines = text.splitlines() or [""]
    if not 1 <= line <= len(lines):
        return " (at the end of the query)"
    src = lines[line - 1].replace("\t", " ")
    start = max(0, col - 1 - 60)
    shown = src[start : start + 100]
    lead = "…" if start else ""
    caret = " " * _display_width(lead + src[start : col - 1])
    return f"\n  {lead}{shown}\n  {caret}^"


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset)
    return line + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _unknown_prefix(text: str, declared: Mapping[str, str], line: int, col: int) -> tuple[str, int, int] | None:
    """The undeclared prefix nearest before (line, col): (prefix, line, col) of its use."""
    from .scan import prefixed_names

    lines = text.split("\n")
    error_at = sum(len(x) + 1 for x in lines[: max(0, line - 1)]) + col - 1
    best: tuple[str, int] | None = None
    for name, offset in prefixed_names(text):
        if name in PREFIXES or name in declared:
            continue
        if best is None or offset < error_at:
            best = (name, offset)
    if best is None:
        return None
    name, offset = best
    return (name, *_line_col(text, offset))


def syntax_error(text: str, message: str, origin: str = "query") -> QueryError:
    """pyoxigraph's ``SyntaxError`` message about ``text`` as ``ORIGIN:LINE:COL: what`` (+ the line and a caret)."""
    from .scan import declared_prefixes

    m = re.match(_ERROR_AT, message)
    if m is None:
        return QueryError(f"{origin}: syntax error: {' '.join(message.split())}")
    line, col, detail = int(m.group(1)), int(m.group(2)), m.group(3)
    if "Prefix not found" in detail:
        found = _unknown_prefix(text, declared_prefixes(text), line, col)
        if found is not None:
            name, pline, pcol = found
            known = ", ".join(sorted(PREFIXES))
            return QueryError(
                f"{origin}:{pline}:{pcol}: unknown prefix '{name}:'; declare it "
                f"(PREFIX {name}: <…>) or use a predefined one: {known}"
            )
    return QueryError(f"{origin}:{line}:{col}: syntax error: {_explain(detail)}{_excerpt(text, line, col)}")


# --------------------------------------------------------------------------- prepare


def _star_spelled_out(text: str, variables: list[str]) -> str:
    """``text`` with the ``*`` of ``SELECT *`` replaced by ``variables`` in order of first appearance."""
    from .scan import star_position, variables_in_order

    pos = star_position(text)
    if pos is None or not variables:
        return text
    rank = {name: i for i, name in enumerate(variables_in_order(text, pos))}
    order = sorted(variables, key=lambda v: (rank.get(v, len(rank)), variables.index(v)))
    return text[:pos] + " ".join("?" + v for v in order) + text[pos + 1 :]


def prepare(text: str, *, origin: str = "query", base: str | None = None, check: bool = True) -> Prepared:
    """Check a query (form, read-only, syntax) before any data is opened.

    The syntax check parses the query against an empty store (it costs next to
    nothing).  A query with SERVICE is not probed (evaluating it, even on an
    empty store, would call the service); nor is one with ``check`` off (an
    endpoint's own syntax): their syntax is checked where they run.

    :raises QueryError: empty, SPARQL Update, no query form, or a syntax error (``ORIGIN:LINE:COL:``).
    """
    from .scan import check_nesting, scan_query

    if not text.strip():
        raise QueryError(f"{origin}: the query is empty")
    try:
        check_nesting(text)  # before any parser: Oxigraph's overflows its stack (#12 row 3)
    except QueryError as exc:
        raise QueryError(f"{origin}: {exc.message}") from None
    scan = scan_query(text)
    if scan.update:
        raise QueryError(
            f"{origin}: {scan.update} is SPARQL Update: queries are read-only (SELECT, ASK, CONSTRUCT, DESCRIBE)"
        )
    form = QueryForm(scan.form) if scan.form else None
    evaluated = text
    # the probe parses on an empty store: for the check, for the variables of a SELECT *, or for
    # the form the scan could not tell (a worker skips it otherwise: evaluating parses anyway)
    probed = (check or form is None or ("*" in text and form is QueryForm.SELECT)) and not scan.service
    if probed:
        import pyoxigraph as ox

        try:
            probe = ox.Store().query(text, prefixes=dict(PREFIXES), base_iri=base)
        except SyntaxError as exc:
            if check:
                raise syntax_error(text, str(exc), origin) from exc
            probe = None  # unchecked (an endpoint's own syntax; a worker evaluates it next and says where)
        except (OSError, RuntimeError, ValueError):
            probe = None  # parsed, but failed on the empty store: the scanned form stays
        if isinstance(probe, ox.QuerySolutions):
            form = QueryForm.SELECT
            evaluated = _star_spelled_out(text, [v.value for v in probe.variables])
        elif isinstance(probe, ox.QueryBoolean):
            form = QueryForm.ASK
        elif isinstance(probe, ox.QueryTriples) and (form is None or not form.is_graph):
            form = QueryForm.CONSTRUCT
    if form is None:
        raise QueryError(f"{origin}: cannot tell the query form (expected SELECT, ASK, CONSTRUCT or DESCRIBE)")
    return Prepared(
        text=text,
        origin=origin,
        form=form,
        base=base,
        evaluated=evaluated,
        from_clause=scan.from_clause,
        service=scan.service,
        checked=probed and check,
    )


# --------------------------------------------------------------------------- evaluate


def predefined_prefixes(text: str) -> dict[str, str]:
    """The predefined prefixes (:data:`~polevents.vocab.PREFIXES`) that ``text`` can use: those whose
    ``name:`` occurs in it, or all of them when it has ``\\u``/``\\U`` escapes (SPARQL resolves them
    before parsing).  The same answers as passing all: a prefix the text never names cannot be used,
    and Oxigraph parses each prefix given (a tenth of a small query's evaluation for all 26)."""
    if len(text) > 4096:
        return dict(_predefined(text))
    return dict(_predefined_cached(text))


def _predefined(text: str) -> tuple[tuple[str, str], ...]:
    if "\\u" in text or "\\U" in text:
        return tuple(PREFIXES.items())
    return tuple((name, iri) for name, iri in PREFIXES.items() if name + ":" in text)


_predefined_cached = functools.lru_cache(maxsize=1024)(_predefined)  # short texts: clients repeat them


def evaluate(
    store: pyoxigraph.Store,
    prepared: Prepared,
    *,
    union_view: bool = True,
    default_graphs: tuple[str, ...] | None = None,
    named_graphs: tuple[str, ...] | None = None,
) -> Raw:
    """Start evaluating ``prepared`` on ``store`` (pyoxigraph evaluates lazily, as it is read).

    ``union_view``: the store's default graph is read as pyoxigraph's union of all graphs
    (else the store's default graph holds the merge; :mod:`polevents.store`).  The union is
    not applied when the query has FROM/FROM NAMED or the caller names ``default_graphs`` /
    ``named_graphs`` (the SPARQL protocol's ``default-graph-uri`` / ``named-graph-uri``).

    :raises QueryError: a syntax error (``ORIGIN:LINE:COL:``) or an evaluation error.
    """
    import pyoxigraph as ox

    kwargs: dict[str, Any] = {"prefixes": predefined_prefixes(prepared.evaluated), "base_iri": prepared.base}
    if default_graphs is not None or named_graphs is not None:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs or ()]
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs or ()]
    elif union_view and not prepared.from_clause:
        kwargs["use_default_graph_as_union"] = True
    if prepared.substitutions:
        from .params import parse_term_ntriples

        kwargs["substitutions"] = {ox.Variable(k): parse_term_ntriples(v) for k, v in prepared.substitutions.items()}
    try:
        return store.query(prepared.evaluated, **kwargs)
    except SyntaxError as exc:
        raise syntax_error(prepared.text, str(exc), prepared.origin) from exc
    except (OSError, RuntimeError, ValueError, TypeError) as exc:
        raise QueryError(f"{prepared.origin}: the query failed: {' '.join(str(exc).split())}") from exc


# --------------------------------------------------------------------------- write


def write(
    raw: Raw,
    out: BinaryIO,
    *,
    solutions_format: ResultFormat = ResultFormat.JSON,
    graph_format: RdfFormat = RdfFormat.TURTLE,
    max_rows: int | None = None,
    prefixes: Mapping[str, str] | None = None,
    compact_jsonld: bool = True,
    origin: str = "query",
) -> Written:
    """Write a result on ``out``: SELECT/ASK in ``solutions_format`` (a W3C results format),
    CONSTRUCT/DESCRIBE in ``graph_format``; at most ``max_rows`` solutions or triples.

    ``raw`` may come from :func:`evaluate` or from ``pyoxigraph.parse_query_results`` (an
    endpoint's answer).  Graphs are sorted (the same answer, the same bytes); Turtle declares
    the ``prefixes`` its names use; JSON-LD is compacted with them unless ``compact_jsonld`` is off.

    :raises QueryError: evaluation failed while the result was read.
    """
    import pyoxigraph as ox

    from . import results

    try:
        if isinstance(raw, ox.QueryBoolean):
            out.write(results.boolean_document(bool(raw), solutions_format))
            return Written("boolean", solutions_format.content_type, 1, boolean=bool(raw))
        if isinstance(raw, ox.QuerySolutions):
            rows, truncated = results.write_solutions(raw, solutions_format, out, max_rows)
            return Written("solutions", solutions_format.content_type, rows, truncated)
        triples, truncated = _graph(raw, max_rows)
        out.write(results.graph_document(triples, graph_format, prefixes or PREFIXES, compact_jsonld=compact_jsonld))
        return Written("graph", graph_format.content_type, len(triples), truncated)
    except (OSError, RuntimeError, ValueError) as exc:
        if isinstance(exc, BrokenPipeError):
            raise
        raise QueryError(f"{origin}: the query failed: {' '.join(str(exc).split())}") from exc


def _graph(raw: pyoxigraph.QueryTriples, max_rows: int | None) -> tuple[list[pyoxigraph.Triple], bool]:
    """The distinct triples of a graph result, sorted; at most ``max_rows`` read."""
    seen: set[pyoxigraph.Triple] = set()
    truncated = False
    for triple in raw:
        if max_rows is not None and len(seen) >= max_rows:
            truncated = True
            break
        seen.add(triple)
    return sorted(seen, key=str), truncated


# --------------------------------------------------------------------------- a whole job


@dataclass(frozen=True)
class Job:
    """Everything needed to answer one query on a store: plain data (JSON for a worker process)."""

    query: str
    origin: str = "query"
    base: str | None = None
    #: the store's default graph is read as pyoxigraph's union view (see :func:`evaluate`)
    union_view: bool = True
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    #: a ResultFormat label (SELECT/ASK) and an RdfFormat label (CONSTRUCT/DESCRIBE)
    solutions_format: str = "json"
    graph_format: str = "turtle"
    max_rows: int | None = None
    #: prefixes Turtle/JSON-LD results may use (None: vocab.PREFIXES)
    prefixes: dict[str, str] | None = None
    compact_jsonld: bool = False
    #: parse on an empty store first (an unchecked query still fails on a syntax error when it is
    #: evaluated, with the same ``ORIGIN:LINE:COL`` message: a worker does not check twice)
    check: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Job:
        fields = dict(data)
        for key in ("default_graphs", "named_graphs"):
            if fields.get(key) is not None:
                fields[key] = tuple(fields[key])
        return cls(**fields)


def run(store: pyoxigraph.Store, job: Job, out: BinaryIO, *, prepared: Prepared | None = None) -> Written:
    """Prepare, evaluate and write ``job`` on ``store``: the whole of a query worker's work
    (``prepared``: the job's query already prepared, by the caller).

    :raises QueryError: the query is refused, does not parse, or fails (a ``PoleventsError``:
        a worker sends ``exc.to_payload()``).
    """
    if prepared is None:
        prepared = prepare(job.query, origin=job.origin, base=job.base, check=job.check)
    raw = evaluate(
        store,
        prepared,
        union_view=job.union_view,
        default_graphs=job.default_graphs,
        named_graphs=job.named_graphs,
    )
    solutions_format, graph_format = _formats(job.solutions_format, job.graph_format)
    return write(
        raw,
        out,
        solutions_format=solutions_format,
        graph_format=graph_format,
        max_rows=job.max_rows,
        prefixes=job.prefixes,
        compact_jsonld=job.compact_jsonld,
        origin=job.origin,
    )


@functools.lru_cache(maxsize=64)
def _formats(solutions_label: str, graph_label: str) -> tuple[ResultFormat, RdfFormat]:
    """The formats a :class:`Job` names (remembered: a server asks for the same few again and again)."""
    return ResultFormat.from_name(solutions_label), RdfFormat.from_name(graph_label)


def bind_params(prepared: Prepared, params: Mapping[str, str], *, check: bool = True) -> Prepared:
    """``prepared`` with ``params`` (name -> value text) bound (see the module docstring).

    A variable a SELECT does not project cannot be substituted: it is bound by a
    ``VALUES`` block put first in the WHERE clause instead (the same answer).
    """
    from .params import _inject_values, _replace_values, _substitutable, _term

    text = prepared.text
    substitutions = dict(prepared.substitutions)
    base = prepared.base or ""
    for name, value in params.items():
        term = str(_term(value, base, prepared.prefixes))
        replaced = _replace_values(text, name, term)
        if replaced is not None:
            text = replaced
        elif _substitutable(text, name, term, base, prepared.prefixes):
            substitutions[name] = term
        else:
            text = _inject_values(text, name, term, prepared.form.is_graph)
    again = (
        prepare(text, origin=prepared.origin, base=prepared.base, check=check) if text != prepared.text else prepared
    )
    return dataclasses.replace(again, substitutions=substitutions)
