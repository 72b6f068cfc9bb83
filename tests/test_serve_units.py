"""Unit tests of the server's pure parts: negotiation, the query lexer, result writers, dates, URLs."""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest

from polevents.formats import ResultFormat
from polevents.query.results import boolean_document, solutions_document
from polevents.query.scan import scan_query, top_level_limit
from polevents.serve.data import select
from polevents.serve.display import XSD, display_iri, format_date, wikidata_page
from polevents.serve.negotiate import choose, parse_accept, quality
from polevents.serve.urls import UrlMap

# ---------------------------------------------------------------- Accept


@pytest.mark.parametrize(
    ("accept", "offers", "expected"),
    [
        (None, ["text/turtle", "text/html"], "text/turtle"),
        ("", ["text/turtle", "text/html"], "text/turtle"),
        ("*/*", ["text/turtle", "text/html"], "text/turtle"),
        ("text/html", ["text/turtle", "text/html"], "text/html"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", ["text/turtle", "text/html"], "text/html"),
        ("text/*;q=0.5, application/ld+json", ["text/turtle", "application/ld+json"], "application/ld+json"),
        ("text/*, text/turtle;q=0.1", ["text/turtle", "text/html"], "text/html"),
        ("application/rdf+xml;q=0.9, text/turtle;q=0.2", ["text/turtle", "application/rdf+xml"], "application/rdf+xml"),
        ("image/png", ["text/turtle"], None),
        ("text/turtle;q=0", ["text/turtle", "text/html"], None),
        ("text/turtle;q=0, */*", ["text/turtle", "text/html"], "text/html"),
        ("TEXT/Turtle", ["text/turtle"], "text/turtle"),
        ("text/turtle;q=bogus, text/html", ["text/turtle", "text/html"], "text/html"),
        ("garbage", ["text/turtle"], "text/turtle"),
    ],
)
def test_choose(accept: str | None, offers: list[str], expected: str | None) -> None:
    assert choose(accept, offers) == expected


def test_most_specific_range_gives_the_quality() -> None:
    ranges = parse_accept("text/*;q=0.3, text/html;q=0.7, */*;q=0.1")
    assert quality(ranges, "text/html") == 0.7
    assert quality(ranges, "text/csv") == 0.3
    assert quality(ranges, "image/png") == 0.1


# ---------------------------------------------------------------- the query lexer


@pytest.mark.parametrize(
    ("query", "form", "update", "service", "from_clause"),
    [
        ("SELECT * { ?s ?p ?o }", "SELECT", None, False, False),
        ("prefix x: <http://x/> ask { }", "ASK", None, False, False),
        ("BASE <http://x/> PREFIX : <http://y/> CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT", None, False, False),
        ("# SELECT\nDESCRIBE <x>", "DESCRIBE", None, False, False),
        ("INSERT DATA { <a> <b> <c> }", None, "INSERT", False, False),
        ("LOAD <http://example.org/data.ttl>", None, "LOAD", False, False),
        ("select * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SELECT", None, True, False),
        ("select * { service silent ?x { ?s ?p ?o } }", "SELECT", None, True, False),
        ("SELECT * {\tSeRvIcE<http://e/>{?s ?p ?o}}", "SELECT", None, True, False),
        ("SELECT * { \\u0053ERVICE <http://e/> { ?s ?p ?o } }", "SELECT", None, True, False),
        ("SELECT ?service { ?service <http://x/SERVICE> 'SERVICE' . }", "SELECT", None, False, False),
        ('SELECT * { ?s ?p """ SERVICE <x> { } """ }', "SELECT", None, False, False),
        ("PREFIX service: <http://x/> SELECT * { ?s service:SERVICE ?o } # SERVICE", "SELECT", None, False, False),
        ("SELECT * FROM <http://g/> { ?s ?p ?o }", "SELECT", None, False, True),
        ("SELECT * FROM NAMED <http://g/> { GRAPH ?g { ?s ?p ?o } }", "SELECT", None, False, True),
        ("SELECT ?from { ?from ?p 'FROM' }", "SELECT", None, False, False),
    ],
)
def test_scan(query: str, form: str | None, update: str | None, service: bool, from_clause: bool) -> None:
    scan = scan_query(query)
    assert (scan.form, scan.update, scan.service, scan.from_clause) == (form, update, service, from_clause)


# ---------------------------------------------------------------- result writers


def _solutions() -> ox.QuerySolutions:
    store = ox.Store()
    query = """SELECT ?a ?b ?c ?d ?e ?f ?u WHERE {
      VALUES (?a ?b ?c ?d ?e ?f) {
        ("tab\\there, comma \\"quoted\\"\\nnewline" <http://example.org/x> 12 "été"@fr 1.5 "2022-03"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>)
        ("<xml> & stuff" <http://example.org/y?a=1&b=2> -3 "x" 2.0e3 true)
      }
    }"""
    return select(store, query)


def _table() -> tuple[list[str], list[list[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None]]]:
    solutions = _solutions()
    variables = [v.value for v in solutions.variables]
    return variables, [[s[v] for v in variables] for s in solutions]


@pytest.mark.parametrize("fmt", [ResultFormat.JSON, ResultFormat.XML, ResultFormat.TSV])
def test_solutions_round_trip(fmt: ResultFormat) -> None:
    """What we write reads back (with Oxigraph's parser) as the same solutions."""
    variables, rows = _table()
    body = solutions_document(variables, rows, fmt)
    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.from_media_type(fmt.media_type))
    assert isinstance(parsed, ox.QuerySolutions)
    assert [v.value for v in parsed.variables] == variables
    assert [[s[v] for v in variables] for s in parsed] == rows


def test_csv_is_rfc4180_with_lexical_values() -> None:
    """CSV (lossy by design) carries lexical forms, quoted where needed, CRLF line ends."""
    variables, rows = _table()
    body = solutions_document(variables, rows, ResultFormat.CSV).decode("utf-8")
    assert body.endswith("\r\n")
    read = list(csv.reader(io.StringIO(body, newline="")))
    assert read[0] == variables
    assert read[1:] == [["" if t is None else t.value for t in row] for row in rows]


def test_row_cap_truncates_and_says_so() -> None:
    from polevents.query.results import write_solutions

    store = ox.Store()
    out = io.BytesIO()
    assert write_solutions(select(store, "SELECT ?n { VALUES ?n { 1 2 3 4 5 } }"), ResultFormat.TSV, out, 3) == (
        3,
        True,
    )
    assert out.getvalue() == b"?n\n1\n2\n3\n"
    out = io.BytesIO()
    assert write_solutions(select(store, "SELECT ?n { VALUES ?n { 1 2 3 } }"), ResultFormat.TSV, out, 3) == (3, False)


@pytest.mark.parametrize("fmt", [ResultFormat.JSON, ResultFormat.XML])
@pytest.mark.parametrize("value", [True, False])
def test_boolean_round_trip(fmt: ResultFormat, value: bool) -> None:
    parsed = ox.parse_query_results(
        boolean_document(value, fmt), format=ox.QueryResultsFormat.from_media_type(fmt.media_type)
    )
    assert bool(parsed) is value


def test_empty_table() -> None:
    body = solutions_document(["x"], [], ResultFormat.TSV)
    assert body == b"?x\n"


# ---------------------------------------------------------------- display


@pytest.mark.parametrize(
    ("lexical", "datatype", "shown"),
    [
        ("1999", "gYear", "1999"),
        ("2022-03", "gYearMonth", "March 2022"),
        ("2022-04-26", "date", "26 April 2022"),
        ("2022-04-26Z", "date", "26 April 2022"),
        ("2022-01-05T10:30:00Z", "dateTime", "5 January 2022, 10:30 UTC"),
        ("2022-13", "gYearMonth", None),
        ("26/04/2022", "date", None),
        ("-0043", "gYear", "44 BCE"),
    ],
)
def test_format_date(lexical: str, datatype: str, shown: str | None) -> None:
    assert format_date(lexical, XSD + datatype) == shown


def test_display_iri_and_wikidata() -> None:
    assert display_iri("http://www.w3.org/2000/01/rdf-schema#label") == "rdfs:label"
    assert display_iri("http://example.org/x") == "http://example.org/x"
    assert wikidata_page("http://www.wikidata.org/entity/Q200881") == "https://www.wikidata.org/wiki/Q200881"
    assert wikidata_page("http://www.wikidata.org/entity/P39") == "https://www.wikidata.org/wiki/Property:P39"
    assert wikidata_page("http://example.org/Q1") is None


# ---------------------------------------------------------------- URLs


def test_url_map_round_trip() -> None:
    m = UrlMap("https://w3id.org/polevents/")
    iri = "https://w3id.org/polevents/id/person/kassym-jomart-tokayev"
    assert m.local_path(iri) == "/polevents/id/person/kassym-jomart-tokayev"
    assert m.iri_for_path("/polevents/id/person/kassym-jomart-tokayev") == iri
    assert m.iri_for_path("/sparql") is None
    assert m.iri_for_path("/polevents/ontology") == "https://w3id.org/polevents/ontology"
    assert m.local_path("https://w3id.org/polevents/ontology#date") == "/polevents/ontology#date"
    assert m.local_path("http://example.org/x") is None
    assert m.href("http://example.org/x", described=True) == "/describe?iri=http%3A%2F%2Fexample.org%2Fx"


def test_url_map_other_base() -> None:
    m = UrlMap("http://data.example.org/")
    assert m.local_path("http://data.example.org/id/x") == "/id/x"
    assert m.iri_for_path("/id/x") == "http://data.example.org/id/x"
    hashed = UrlMap("http://example.org/data#")
    assert hashed.local_path("http://example.org/data#x") is None


# ---------------------------------------------------------------- the query's own LIMIT (fast result writing)


@pytest.mark.parametrize(
    ("query", "limit"),
    [
        ("SELECT * { ?s ?p ?o } LIMIT 10", 10),
        ("select * { ?s ?p ?o } order by ?s limit 10 offset 20", 10),
        ("SELECT * { ?s ?p ?o } OFFSET 20 LIMIT 7", 7),
        ("SELECT * { { SELECT * { ?s ?p ?o } LIMIT 10 } }", None),  # a subquery's
        ("SELECT * { ?s ?p ?o FILTER EXISTS { SELECT * {} LIMIT 1 } }", None),
        ("SELECT * { ?s ?p ?o } LIMIT 10 VALUES ?s { <http://x/> }", None),  # a trailing VALUES: unsure
        ("SELECT * { ?s ?p ?o } # LIMIT 1\n", None),
        ("SELECT * { ?s ?p ?o } LIMIT 1 0", None),  # does not parse
        ("SELECT * { ?s ?p ?o } LIMIT 1 LIMIT 2", None),
        ("SELECT * { ?s ?p ?o }", None),
        ("SELECT * { ?s ?p ?o } \\u004CIMIT 3", None),
        ("SELECT * { ?s ?p '}' } LIMIT 3", 3),
    ],
)
def test_top_level_limit(query: str, limit: int | None) -> None:
    assert top_level_limit(query) == limit
