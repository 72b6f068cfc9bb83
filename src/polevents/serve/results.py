"""Query results written in the W3C formats, with a row cap.

pyoxigraph serialises a whole result set or nothing; the endpoint must stop
after ``max_rows`` solutions (or triples) and still write a valid document, so
the four SPARQL results formats are written here (the W3C recommendations:
SPARQL 1.1 Query Results JSON, XML, CSV and TSV; JSON by the writer
``polevents query`` uses, :func:`polevents.results.select_json`), and graph
results go through ``pyoxigraph.serialize`` after the cap.

    >>> import pyoxigraph as ox
    >>> fmt = SolutionFormat.from_label("csv")
    >>> write_boolean(True, fmt)
    b'true\\r\\n'
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from .. import names
from ..formats import RdfFormat
from ..names import NameSyntax, triple_iris
from ..results import ask_json, select_json
from ..vocab import PREFIXES

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

__all__ = [
    "GRAPH_FORMATS",
    "SolutionFormat",
    "Table",
    "collect_solutions",
    "compact_jsonld",
    "iter_capped",
    "serialize_triples",
    "used_prefixes",
    "write_boolean",
    "write_solutions",
]

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"


class SolutionFormat(enum.Enum):
    """A SPARQL results format for SELECT and ASK: (label, media type, Content-Type sent)."""

    JSON = ("json", "application/sparql-results+json", "application/sparql-results+json")
    XML = ("xml", "application/sparql-results+xml", "application/sparql-results+xml")
    CSV = ("csv", "text/csv", "text/csv; charset=utf-8")
    TSV = ("tsv", "text/tab-separated-values", "text/tab-separated-values; charset=utf-8")

    def __init__(self, label: str, media_type: str, content_type: str) -> None:
        self.label = label
        self.media_type = media_type
        self.content_type = content_type

    @classmethod
    def from_label(cls, label: str) -> SolutionFormat:
        for fmt in cls:
            if fmt.label == label:
                return fmt
        raise ValueError(f"unknown results format {label!r}")


#: RDF formats offered for CONSTRUCT and DESCRIBE results, in the server's order of preference.
GRAPH_FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat.TURTLE,
    RdfFormat.NTRIPLES,
    RdfFormat.JSONLD,
    RdfFormat.RDFXML,
)


@dataclass
class Table:
    """Solutions read from a result iterator, at most ``max_rows`` of them."""

    variables: list[str]
    rows: list[list[pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | None]]
    truncated: bool


def collect_solutions(solutions: pyoxigraph.QuerySolutions, max_rows: int) -> Table:
    """Read up to ``max_rows`` solutions; ``truncated`` tells whether more were left."""
    variables = [v.value for v in solutions.variables]
    rows: list[list[pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | None]] = []
    truncated = False
    for solution in solutions:
        if len(rows) >= max_rows:
            truncated = True
            break
        rows.append([solution[i] for i in range(len(variables))])
    return Table(variables=variables, rows=rows, truncated=truncated)


# ---------------------------------------------------------------- terms


def _xml_term(term: object) -> str:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{_xml_text(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{_xml_text(term.value)}</literal>"
        return f"<literal>{_xml_text(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject>"
            f"<predicate>{_xml_term(term.predicate)}</predicate>"
            f"<object>{_xml_term(term.object)}</object></triple>"
        )
    raise TypeError(f"not an RDF term: {term!r}")


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value: str) -> str:
    """Escape text for XML 1.0; characters XML cannot carry become U+FFFD."""
    return escape(_XML_INVALID.sub("\ufffd", value))


def _csv_field(term: object) -> str:
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        value = "_:" + term.value
    elif isinstance(term, (ox.NamedNode, ox.Literal)):
        value = term.value
    else:
        value = str(term)
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


_TURTLE_NUMBER = {
    XSD + "integer": re.compile(r"[+-]?\d+"),
    XSD + "decimal": re.compile(r"[+-]?\d*\.\d+"),
    XSD + "double": re.compile(r"[+-]?(\d+\.\d*|\.?\d+)[eE][+-]?\d+"),
    XSD + "boolean": re.compile(r"true|false"),
}


def _tsv_field(term: object) -> str:
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.Literal) and not term.language:
        pattern = _TURTLE_NUMBER.get(term.datatype.value)
        if pattern is not None and pattern.fullmatch(term.value):
            return term.value
    return str(term)  # N-Triples syntax: tabs and newlines escaped


# ---------------------------------------------------------------- documents


def write_solutions(table: Table, fmt: SolutionFormat) -> bytes:
    """A SELECT result as a complete document in ``fmt``."""
    if fmt is SolutionFormat.JSON:
        return select_json(table.variables, table.rows)
    if fmt is SolutionFormat.XML:
        parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
        parts.extend(f"<variable name={quoteattr(v)}/>" for v in table.variables)
        parts.append("</head>\n<results>\n")
        for row in table.rows:
            parts.append("<result>")
            for var, term in zip(table.variables, row):
                if term is not None:
                    parts.append(f"<binding name={quoteattr(var)}>{_xml_term(term)}</binding>")
            parts.append("</result>\n")
        parts.append("</results>\n</sparql>\n")
        return "".join(parts).encode("utf-8")
    if fmt is SolutionFormat.CSV:
        lines = [",".join(table.variables)]
        lines.extend(",".join(_csv_field(t) for t in row) for row in table.rows)
        return ("\r\n".join(lines) + "\r\n").encode("utf-8")
    lines = ["\t".join("?" + v for v in table.variables)]
    lines.extend("\t".join(_tsv_field(t) for t in row) for row in table.rows)
    return ("\n".join(lines) + "\n").encode("utf-8")


def write_boolean(value: bool, fmt: SolutionFormat) -> bytes:
    """An ASK result in ``fmt`` (CSV and TSV: one line, ``true`` or ``false``, as Oxigraph writes it)."""
    word = "true" if value else "false"
    if fmt is SolutionFormat.JSON:
        return ask_json(value)
    if fmt is SolutionFormat.XML:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
            f"<head></head>\n<boolean>{word}</boolean>\n</sparql>\n"
        ).encode()
    if fmt is SolutionFormat.CSV:
        return (word + "\r\n").encode("utf-8")
    return (word + "\n").encode("utf-8")


def used_prefixes(triples: Iterable[pyoxigraph.Triple], extra: dict[str, str] | None = None) -> dict[str, str]:
    """The known prefixes (plus ``extra``) the names of ``triples`` use (:mod:`polevents.names`)."""
    return names.used_prefixes(triple_iris(triples), {**PREFIXES, **(extra or {})})


def serialize_triples(
    triples: Sequence[pyoxigraph.Triple], fmt: RdfFormat, extra_prefixes: dict[str, str] | None = None
) -> bytes:
    """Triples in an RDF format; Turtle gets the prefixes it uses declared."""
    import pyoxigraph as ox

    prefixes = used_prefixes(triples, extra_prefixes) if fmt is RdfFormat.TURTLE else None
    body = ox.serialize(list(triples), format=fmt.oxigraph, prefixes=prefixes)
    assert body is not None  # no output given: the bytes are returned
    return body


def compact_jsonld(triples: Sequence[pyoxigraph.Triple], extra_prefixes: dict[str, str] | None = None) -> bytes:
    """Triples as JSON-LD compacted with the prefixes they use (``person:x``, ``rdfs:label``).

    For bounded documents (entity descriptions): compaction (pyld) costs about a
    millisecond per hundred triples, too much for a 100,000-triple query result.
    """
    from pyld import jsonld

    expanded = json.loads(serialize_triples(triples, RdfFormat.JSONLD))
    context = {"@context": names.used_prefixes(triple_iris(triples), {**PREFIXES, **(extra_prefixes or {})}, NameSyntax.JSONLD)}
    compacted = jsonld.compact(expanded, context)
    return json.dumps(compacted, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def iter_capped(items: Iterator[pyoxigraph.Triple], max_rows: int) -> tuple[list[pyoxigraph.Triple], bool]:
    """At most ``max_rows`` items of an iterator, and whether more were left."""
    out: list[pyoxigraph.Triple] = []
    for item in items:
        if len(out) >= max_rows:
            return out, True
        out.append(item)
    return out, False
