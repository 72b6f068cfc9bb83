"""Writing query results: one :class:`~polevents.formats.ResultFormat` at a time.

=========  ==============================================================  ==================
format     what                                                            for
=========  ==============================================================  ==================
table      aligned columns for reading: prefixed names, readable literals  SELECT, ASK
csv        SPARQL 1.1 Query Results CSV (plain values, CRLF)               SELECT, ASK
tsv        SPARQL 1.1 Query Results TSV (N-Triples-style terms)            SELECT, ASK
json       SPARQL 1.1 Query Results JSON                                   SELECT, ASK
xml        SPARQL Query Results XML                                        SELECT, ASK
turtle     Turtle, with the prefixes the triples use                       CONSTRUCT, DESCRIBE
jsonld     JSON-LD, compacted with the prefixes the triples use            CONSTRUCT, DESCRIBE
nt         N-Triples                                                       CONSTRUCT, DESCRIBE
=========  ==============================================================  ==================

The four W3C solution formats (:data:`SOLUTION_FORMATS`) are written here for
``polevents query`` and for the server's endpoint alike (the server cuts the
rows at its ``--max-rows`` first): CSV with CRLF line ends (RFC 4180, as SPARQL
1.1 Query Results CSV says), TSV with LF; XML 1.0 cannot carry some control
characters, which become U+FFFD.  An ASK answer is ``true`` or ``false`` on one
line in table, csv (CRLF) and tsv (the CSV/TSV specification has no boolean form).
Prefixed names follow :mod:`polevents.names`.  Graph results are sorted, so the
same answer gives the same bytes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, BinaryIO

from ..errors import InputError
from ..formats import RdfFormat, ResultFormat
from ..vocab import XSD

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

    from . import QueryForm, QueryResult, Term

__all__ = [
    "SOLUTION_FORMATS",
    "ask_json",
    "boolean_document",
    "check_format",
    "default_format",
    "graph_document",
    "oxigraph_format",
    "select_json",
    "solutions_document",
    "term_json",
    "write_result",
    "write_solutions",
]

#: The W3C SPARQL 1.1 Query Results formats, in a server's order of preference.
SOLUTION_FORMATS: tuple[ResultFormat, ...] = (ResultFormat.JSON, ResultFormat.XML, ResultFormat.CSV, ResultFormat.TSV)


# --------------------------------------------------------------------------- formats


def default_format(form: QueryForm, terminal: bool) -> ResultFormat:
    """``table`` for rows on a terminal, ``csv`` for rows in a pipe, ``turtle`` for graphs."""
    if form.is_graph:
        return ResultFormat.TURTLE
    return ResultFormat.TABLE if terminal else ResultFormat.CSV


def check_format(form: QueryForm, fmt: ResultFormat) -> None:
    """Refuse a format that cannot hold the query's answer (a SELECT as Turtle, a graph as CSV)."""
    fits = fmt.for_graphs if form.is_graph else fmt.for_solutions
    if fits:
        return
    allowed = ", ".join(f.label for f in ResultFormat if (f.for_graphs if form.is_graph else f.for_solutions))
    kind = "graphs (CONSTRUCT, DESCRIBE)" if fmt.for_graphs else "solutions (SELECT, ASK)"
    raise InputError(f"--format {fmt.label} is for {kind}, but this is a {form.value} query; use one of: {allowed}")


# --------------------------------------------------------------------------- standard formats
#
# Uncapped results are written by pyoxigraph's serializers (``QuerySolutions.serialize``,
# streamed).  pyoxigraph cannot stop after N rows, so with a row cap the writers below
# stream row by row, in the very bytes pyoxigraph writes (tested).  XML is the exception
# where pyoxigraph is wrong: it writes control characters XML 1.0 cannot carry, which are
# replaced here by U+FFFD (in both paths).  JSON and XML documents end with a newline.


def term_json(term: Term) -> dict[str, object]:
    """One RDF term in SPARQL 1.1 Query Results JSON (RDF-star triples as ``"type": "triple"``).

        >>> import pyoxigraph as ox
        >>> term_json(ox.Literal("Астана", language="kk"))
        {'type': 'literal', 'value': 'Астана', 'xml:lang': 'kk'}

    :raises TypeError: ``term`` is not an RDF term.
    """
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD + "string":
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": term_json(term.subject),
                "predicate": term_json(term.predicate),
                "object": term_json(term.object),
            },
        }
    raise TypeError(f"not an RDF term: {term!r}")


def _json_dumps(value: object) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# patterns as text: compiled (and cached by re) on first use, not at start-up
_XML_INVALID = "[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
_XML_INVALID_BYTES = b"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]"
_XML_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&apos;", '"': "&quot;"}
_XML_SPECIAL = "[&<>'\"]"
_EDGE_SPACE = "\\A[ \t\n\r]+|[ \t\n\r]+\\Z"


def _xml_text(value: str) -> str:
    """Text as pyoxigraph writes it in XML (leading and trailing white space as character
    references); characters XML 1.0 cannot carry become U+FFFD."""
    value = re.sub(_XML_INVALID, "\ufffd", value)
    value = re.sub(_XML_SPECIAL, lambda m: _XML_ESCAPES[m.group()], value)
    return re.sub(_EDGE_SPACE, lambda m: "".join(f"&#{ord(c)};" for c in m.group()), value)


def _xml_term(term: Term) -> str:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return f"<uri>{_xml_text(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{_xml_text(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f'<literal xml:lang="{_xml_text(term.language)}">{_xml_text(term.value)}</literal>'
        if term.datatype.value != XSD + "string":
            return f'<literal datatype="{_xml_text(term.datatype.value)}">{_xml_text(term.value)}</literal>'
        return f"<literal>{_xml_text(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject>"
            f"<predicate>{_xml_term(term.predicate)}</predicate>"
            f"<object>{_xml_term(term.object)}</object></triple>"
        )
    raise TypeError(f"not an RDF term: {term!r}")


def _csv_field(term: Term | None) -> str:
    """A plain value (lexical form, IRI, ``_:label``), quoted when it holds ``,`` ``"`` CR or LF."""
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.Triple):
        return " ".join(_csv_field(t) for t in (term.subject, term.predicate, term.object))
    value = "_:" + term.value if isinstance(term, ox.BlankNode) else term.value
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


#: Literals TSV writes bare, as Turtle would: (datatype, lexical forms Turtle reads back as it)
_TURTLE_NUMBER = {
    XSD + "integer": r"[+-]?\d+",
    XSD + "decimal": r"[+-]?\d*\.\d+",
    XSD + "double": r"[+-]?(\d+\.\d*|\.?\d+)[eE][+-]?\d+",
    XSD + "boolean": r"true|false",
}
_TSV_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_TSV_SPECIAL = '[\\\\"\n\r\t]'


def _tsv_field(term: Term | None) -> str:
    """A term in N-Triples syntax as pyoxigraph's TSV writes it; numbers and booleans bare."""
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if not term.language:
            pattern = _TURTLE_NUMBER.get(datatype)
            if pattern is not None and re.fullmatch(pattern, term.value):
                return term.value
        quoted = '"' + re.sub(_TSV_SPECIAL, lambda m: _TSV_ESCAPES[m.group()], term.value) + '"'
        if term.language:
            return f"{quoted}@{term.language}"
        return quoted if datatype == XSD + "string" else f"{quoted}^^<{datatype}>"
    if isinstance(term, ox.Triple):
        parts = (_tsv_field(t) for t in (term.subject, term.predicate, term.object))
        return "<<( " + " ".join(parts) + " )>>"
    raise TypeError(f"not an RDF term: {term!r}")


class _SolutionsWriter:
    """Head, rows and tail of one solutions document, in pyoxigraph's bytes."""

    def __init__(self, fmt: ResultFormat, variables: Sequence[str]) -> None:
        if fmt not in SOLUTION_FORMATS:
            raise ValueError(f"{fmt.label} is not a SPARQL results format")
        self.fmt = fmt
        self.variables = list(variables)
        self.first = True

    def head(self) -> str:
        v = self.variables
        if self.fmt is ResultFormat.JSON:
            return '{"head":{"vars":' + _json_dumps(v) + '},"results":{"bindings":['
        if self.fmt is ResultFormat.XML:
            names = "".join(f'<variable name="{_xml_text(x)}"/>' for x in v)
            return f'<?xml version="1.0"?><sparql xmlns="{SPARQL_RESULTS_NS}"><head>{names}</head><results>'
        if self.fmt is ResultFormat.CSV:
            return ",".join(v) + "\r\n"
        return "\t".join("?" + x for x in v) + "\n"

    def row(self, row: Sequence[Term | None]) -> str:
        pairs = zip(self.variables, row, strict=True)
        if self.fmt is ResultFormat.JSON:
            text = _json_dumps({var: term_json(t) for var, t in pairs if t is not None})
            text = text if self.first else "," + text
            self.first = False
            return text
        if self.fmt is ResultFormat.XML:
            bindings = "".join(
                f'<binding name="{_xml_text(var)}">{_xml_term(t)}</binding>' for var, t in pairs if t is not None
            )
            return f"<result>{bindings}</result>"
        if self.fmt is ResultFormat.CSV:
            return ",".join(_csv_field(t) for t in row) + "\r\n"
        return "\t".join(_tsv_field(t) for t in row) + "\n"

    def tail(self) -> str:
        if self.fmt is ResultFormat.JSON:
            return "]}}\n"
        if self.fmt is ResultFormat.XML:
            return "</results></sparql>\n"
        return ""


SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"


class _XmlSafe:
    """A binary writer in front of ``out`` that replaces what XML 1.0 cannot carry by U+FFFD.

    In UTF-8 the bytes of a C0 control character occur in no other character, and U+FFFE /
    U+FFFF are the only characters encoded EF BF BE / EF BF BF, so bytes are enough; a
    chunk ending inside such a three-byte sequence is held back until the next one.
    """

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.held = b""

    def write(self, data: bytes) -> int:
        data = self.held + bytes(data)
        cut = len(data)
        if data[-1:] == b"\xef":
            cut -= 1
        elif data[-2:] == b"\xef\xbf":
            cut -= 2
        self.held = data[cut:]
        self.out.write(re.sub(_XML_INVALID_BYTES, "\ufffd".encode(), data[:cut]))
        return len(data)

    def flush(self) -> None:
        self.out.write(self.held)
        self.held = b""
        self.out.flush()


@functools.lru_cache(maxsize=8)
def oxigraph_format(fmt: ResultFormat) -> pyoxigraph.QueryResultsFormat:
    """pyoxigraph's results format for ``fmt`` (a W3C results format)."""
    import pyoxigraph as ox

    found = ox.QueryResultsFormat.from_media_type(fmt.media_type)
    assert found is not None
    return found


def write_solutions(
    solutions: pyoxigraph.QuerySolutions, fmt: ResultFormat, out: BinaryIO, max_rows: int | None = None
) -> tuple[int | None, bool]:
    """Stream SELECT solutions to ``out`` in a W3C format; at most ``max_rows`` of them.

    Returns (rows written, whether more were left); rows is None when pyoxigraph wrote an
    uncapped result (it does not count).

    :raises ValueError: ``fmt`` is not a W3C solutions format.
    """
    if fmt not in SOLUTION_FORMATS:
        raise ValueError(f"{fmt.label} is not a SPARQL results format")
    if max_rows is None:
        oxfmt = oxigraph_format(fmt)
        if fmt is ResultFormat.XML:
            safe = _XmlSafe(out)
            solutions.serialize(safe, oxfmt)  # type: ignore[arg-type]
            safe.flush()
        else:
            solutions.serialize(out, oxfmt)
        if fmt in (ResultFormat.JSON, ResultFormat.XML):
            out.write(b"\n")
        return None, False
    writer = _SolutionsWriter(fmt, [v.value for v in solutions.variables])
    width = len(writer.variables)
    out.write(writer.head().encode("utf-8"))
    rows = 0
    truncated = False
    for solution in solutions:
        if rows >= max_rows:
            truncated = True
            break
        out.write(writer.row([solution[i] for i in range(width)]).encode("utf-8"))
        rows += 1
    out.write(writer.tail().encode("utf-8"))
    return rows, truncated


def solutions_document(variables: Sequence[str], rows: Iterable[Sequence[Term | None]], fmt: ResultFormat) -> bytes:
    """SELECT solutions as a complete document in one of :data:`SOLUTION_FORMATS` (pyoxigraph's bytes).

    :raises ValueError: ``fmt`` is not a W3C solutions format.
    """
    writer = _SolutionsWriter(fmt, variables)
    parts = [writer.head()]
    parts.extend(writer.row(row) for row in rows)
    parts.append(writer.tail())
    return "".join(parts).encode("utf-8")


def select_json(variables: Sequence[str], rows: Iterable[Sequence[Term | None]]) -> bytes:
    """SELECT solutions as a SPARQL 1.1 Query Results JSON document (compact, UTF-8, no newline)."""
    return solutions_document(variables, rows, ResultFormat.JSON)[:-1]


def ask_json(value: bool) -> bytes:
    """An ASK answer as a SPARQL 1.1 Query Results JSON document."""
    import json

    return json.dumps({"head": {}, "boolean": value}, separators=(",", ":")).encode("utf-8")


@functools.lru_cache(maxsize=16)
def boolean_document(value: bool, fmt: ResultFormat) -> bytes:
    """An ASK answer in one of :data:`SOLUTION_FORMATS`: CSV and TSV one line, ``true`` or ``false``.

        >>> boolean_document(True, ResultFormat.CSV)
        b'true\\n'

    :raises ValueError: ``fmt`` is not a W3C solutions format.
    """
    word = "true" if value else "false"
    if fmt is ResultFormat.JSON:
        return ask_json(value) + b"\n"
    if fmt is ResultFormat.XML:
        return (
            f'<?xml version="1.0"?><sparql xmlns="{SPARQL_RESULTS_NS}"><head></head><boolean>{word}</boolean></sparql>\n'
        ).encode()
    if fmt in (ResultFormat.CSV, ResultFormat.TSV):
        # SPARQL 1.1 CSV/TSV define no ASK form: one word and a newline, so a shell test
        # `[ "$(polevents query 'ASK …')" = true ]` works (no CR to trip over).
        return (word + "\n").encode()
    raise ValueError(f"{fmt.label} is not a SPARQL results format")


def graph_document(
    triples: Sequence[pyoxigraph.Triple],
    fmt: RdfFormat,
    prefixes: Mapping[str, str],
    *,
    compact_jsonld: bool = True,
) -> bytes:
    """Triples in an RDF format: Turtle declares the ``prefixes`` its names use; JSON-LD is
    compacted with them (by pyld) unless ``compact_jsonld`` is false.

    Compaction costs about a millisecond per hundred triples: the server leaves
    large query results expanded and compacts bounded documents (an entity).
    """
    import pyoxigraph as ox

    from ..names import IriNames, NameSyntax, triple_iris

    if fmt is RdfFormat.TURTLE:
        used = IriNames(prefixes).used(triple_iris(triples))
        return ox.serialize(triples, format=fmt.oxigraph, prefixes=used) or b""
    if fmt is not RdfFormat.JSONLD or not compact_jsonld:
        return ox.serialize(triples, format=fmt.oxigraph) or b""
    import json

    from pyld import jsonld  # only compacted JSON-LD pays for it

    expanded = json.loads(ox.serialize(triples, format=ox.RdfFormat.JSON_LD) or b"[]")
    context = IriNames(prefixes, syntax=NameSyntax.JSONLD).used(triple_iris(triples))
    doc = jsonld.compact(expanded, {"@context": context}) if context else expanded
    return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def write_result(
    result: QueryResult,
    fmt: ResultFormat,
    out: BinaryIO,
    *,
    prefixes: Mapping[str, str],
    base: str | None = None,
    max_width: int | None = None,
    total_width: int | None = None,
) -> None:
    """Write ``result`` to ``out`` in ``fmt``.

    ``prefixes`` shorten IRIs in tables, Turtle and JSON-LD; ``base`` lets a
    table show the dataset's own IRIs relative to it (``<id/person/…>``);
    ``max_width`` (default :data:`~polevents.query.table.DEFAULT_MAX_WIDTH`) and ``total_width``
    shape the table (see :func:`~polevents.query.table.render_table`).

    :raises InputError: the format does not fit the query form.
    """
    check_format(result.form, fmt)
    if fmt is ResultFormat.TABLE:
        from .table import DEFAULT_MAX_WIDTH, render_table

        width = DEFAULT_MAX_WIDTH if max_width is None else max_width
        table = render_table(result, prefixes=prefixes, base=base, max_width=width, total_width=total_width)
        out.write(table.encode("utf-8"))
    elif result.boolean is not None:
        out.write(boolean_document(result.boolean, fmt))
    elif fmt.for_solutions:
        out.write(solutions_document(result.variables, result.rows, fmt))
    else:
        rdf_format = fmt.rdf_format
        assert rdf_format is not None  # a graph format (check_format)
        out.write(graph_document(result.triples, rdf_format, prefixes))
