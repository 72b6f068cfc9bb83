"""Result formats: each parses with the standard tools; the table reads well in any script."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from polevents.dataset import DUMP_NQUADS
from polevents.errors import InputError
from polevents.formats import ResultFormat
from polevents.load import to_rdflib_term
from polevents.query import QueryForm, QueryResult, QueryText, execute, prepare
from polevents.query.results import check_format, default_format, solutions_document, write_result
from polevents.query.table import display_width, render_table, term_display
from polevents.vocab import PREFIXES
from support import make_query_project

BASE = "https://example.org/pe/"
XSD = "http://www.w3.org/2001/XMLSchema#"
SPARQL_NS = "{http://www.w3.org/2005/sparql-results#}"
ALL_ROWS = "SELECT ?s ?p ?o { ?s ?p ?o } ORDER BY ?s ?p ?o"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_query_project(tmp_path_factory.mktemp("results") / "project")


def answer(project: Path, text: str) -> QueryResult:
    return execute(prepare(QueryText(text), project), project=project)


def output(project: Path, text: str, fmt: ResultFormat, **kwargs: object) -> bytes:
    prepared = prepare(QueryText(text), project)
    buffer = io.BytesIO()
    write_result(answer(project, text), fmt, buffer, prefixes=prepared.prefixes, base=prepared.base, **kwargs)  # type: ignore[arg-type]
    return buffer.getvalue()


def union_triple_count(project: Path) -> int:
    quads = ox.parse(path=str(project / "dist" / DUMP_NQUADS), format=ox.RdfFormat.N_QUADS)
    lines = ox.serialize({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, format=ox.RdfFormat.N_TRIPLES)
    return len((lines or b"").splitlines())


# --------------------------------------------------------------------------- COUNT in every format


def _count_from(fmt: ResultFormat, data: bytes) -> int:
    text = data.decode("utf-8")
    if fmt is ResultFormat.JSON:
        return int(json.loads(text)["results"]["bindings"][0]["n"]["value"])
    if fmt is ResultFormat.XML:
        literal = ET.fromstring(data).find(
            f"{SPARQL_NS}results/{SPARQL_NS}result/{SPARQL_NS}binding/{SPARQL_NS}literal"
        )
        assert literal is not None and literal.get("datatype") == XSD + "integer"
        return int(literal.text or "")
    if fmt is ResultFormat.CSV:
        return int(list(csv.reader(io.StringIO(text)))[1][0])
    if fmt is ResultFormat.TSV:
        return int(text.splitlines()[1])
    return int(text.splitlines()[2].strip("| "))  # table: header, rule, row


@pytest.mark.parametrize("fmt", [f for f in ResultFormat if f.for_solutions])
def test_count_equals_the_ntriples_dump_in_every_format(project: Path, fmt: ResultFormat) -> None:
    data = output(project, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", fmt)
    assert _count_from(fmt, data) == union_triple_count(project) == 34


# --------------------------------------------------------------------------- the standard formats


def test_json_is_sparql_results_json(project: Path) -> None:
    doc = json.loads(output(project, ALL_ROWS, ResultFormat.JSON))
    assert set(doc) == {"head", "results"}
    assert doc["head"]["vars"] == ["s", "p", "o"]
    bindings = doc["results"]["bindings"]
    assert len(bindings) == 34
    for row in bindings:
        for term in row.values():
            assert term["type"] in ("uri", "literal", "bnode")
            assert isinstance(term["value"], str)
            assert set(term) <= {"type", "value", "xml:lang", "datatype"}
    quote = next(r for r in bindings if r["p"]["value"].endswith("#quote"))
    assert quote["o"] == {
        "type": "literal",
        "value": 'First line of what he said,\nsecond line: "quoted", with a comma.',
        "xml:lang": "en",
    }
    ordinal = next(r for r in bindings if r["p"]["value"].endswith("#ordinal"))
    assert ordinal["o"] == {"type": "literal", "value": "2", "datatype": XSD + "integer"}


def test_json_keeps_unbound_variables_out(project: Path) -> None:
    q = "SELECT ?p ?hidden { ?p a pe:Person OPTIONAL { ?p skos:hiddenLabel ?hidden } } ORDER BY ?p"
    doc = json.loads(output(project, q, ResultFormat.JSON))
    assert [sorted(b) for b in doc["results"]["bindings"]] == [["p"], ["p"], ["hidden", "p"]]


def test_xml_is_sparql_results_xml(project: Path) -> None:
    root = ET.fromstring(output(project, ALL_ROWS, ResultFormat.XML))
    assert root.tag == f"{SPARQL_NS}sparql"
    names = [v.get("name") for v in root.iter(f"{SPARQL_NS}variable")]
    assert names == ["s", "p", "o"]
    results = root.findall(f"{SPARQL_NS}results/{SPARQL_NS}result")
    assert len(results) == 34
    kinds = {child.tag for r in results for b in r for child in b}
    assert kinds == {f"{SPARQL_NS}uri", f"{SPARQL_NS}literal"}
    langs = {lit.get("{http://www.w3.org/XML/1998/namespace}lang") for lit in root.iter(f"{SPARQL_NS}literal")}
    assert {"en", "kk", "zh"} <= langs


def test_csv_is_w3c_csv(project: Path) -> None:
    data = output(project, ALL_ROWS, ResultFormat.CSV)
    assert data.endswith(b"\r\n") and data.count(b"\r\n") >= 35  # CRLF line ends
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert rows[0] == ["s", "p", "o"]
    assert len(rows) == 35
    by_p = {r[1]: r for r in rows[1:]}
    # plain values: no quotes, no language tags, no angle brackets; the awkward literal survives
    assert (
        by_p["https://w3id.org/polevents/ontology#quote"][2]
        == 'First line of what he said,\nsecond line: "quoted", with a comma.'
    )
    assert by_p["https://w3id.org/polevents/ontology#ordinal"] == [
        f"{BASE}id/tenure/koshanov-chair",
        "https://w3id.org/polevents/ontology#ordinal",
        "2",
    ]


def test_tsv_is_w3c_tsv(project: Path) -> None:
    data = output(project, ALL_ROWS, ResultFormat.TSV)
    lines = data.decode("utf-8").splitlines()
    assert lines[0] == "?s\t?p\t?o"
    assert all(line.count("\t") == 2 for line in lines)  # newlines in literals are escaped
    assert f"<{BASE}id/tenure/koshanov-chair>\t<https://w3id.org/polevents/ontology#ordinal>\t2" in lines
    assert any(line.endswith('\t"2022-01"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>') for line in lines)
    # it parses back to the very same terms
    parsed = [tuple(s) for s in ox.parse_query_results(data, ox.QueryResultsFormat.TSV)]
    assert parsed == answer(project, ALL_ROWS).rows


def test_ask_in_each_solution_format(project: Path) -> None:
    assert json.loads(output(project, "ASK { ?s ?p ?o }", ResultFormat.JSON)) == {"head": {}, "boolean": True}
    root = ET.fromstring(output(project, "ASK { ?s a pe:Referendum }", ResultFormat.XML))
    assert root.findtext(f"{SPARQL_NS}boolean") == "false"
    for fmt in (ResultFormat.TABLE, ResultFormat.TSV):
        assert output(project, "ASK {}", fmt) == b"true\n"
    assert (
        output(project, "ASK {}", ResultFormat.CSV) == b"true\n"
    )  # no ASK form in CSV: one word, a plain newline for shells


def test_quoted_triples_and_control_characters_in_each_solution_format() -> None:
    """TSV writes a quoted triple as <<( s p o )>> and reads back; XML stays XML 1.0 (U+FFFD)."""
    quoted = ox.Triple(ox.NamedNode("http://ex.org/s"), ox.NamedNode("http://ex.org/p"), ox.Literal("o"))
    rows = [[quoted, ox.Literal("a\x01b")]]
    for fmt, parser in ((ResultFormat.TSV, ox.QueryResultsFormat.TSV), (ResultFormat.JSON, ox.QueryResultsFormat.JSON)):
        parsed = ox.parse_query_results(solutions_document(["t", "x"], rows, fmt), parser)
        assert [list(solution) for solution in parsed] == rows, fmt
    xml = solutions_document(["t", "x"], rows, ResultFormat.XML)
    root = ET.fromstring(xml)  # well-formed although U+0001 cannot be in XML 1.0
    assert [lit.text for lit in root.iter(f"{SPARQL_NS}literal")] == ["o", "a\ufffdb"]
    assert b"http://ex.org/s http://ex.org/p o\r\n" in solutions_document(["t"], [[quoted]], ResultFormat.CSV)
    with pytest.raises(ValueError):
        solutions_document(["t"], rows, ResultFormat.TABLE)


AWKWARD = [
    ox.Literal("<a&b>'\"\x7f\u2028/\\\t\n\r é 𝄞"),
    ox.Literal("x", language="en-gb"),
    ox.Literal("1", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("1500", datatype=ox.NamedNode(XSD + "double")),
    ox.Literal("1.5E3", datatype=ox.NamedNode(XSD + "double")),
    ox.Literal("-0.5", datatype=ox.NamedNode(XSD + "decimal")),
    ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
    ox.Literal("a,b"),
    ox.Literal('q"q'),
    ox.BlankNode("b1"),
    ox.NamedNode("http://x/a?b=c&d'"),
    ox.Triple(ox.NamedNode("http://s"), ox.NamedNode("http://p"), ox.Literal('o"')),
    ox.Literal("2022-01", datatype=ox.NamedNode(XSD + "gYearMonth")),
    ox.Literal(" lead, trail \t"),
    ox.Literal("\n"),
    ox.Literal(""),
    ox.Literal("Қазақстан 中文"),
]


@pytest.mark.parametrize("fmt", [ResultFormat.JSON, ResultFormat.XML, ResultFormat.CSV, ResultFormat.TSV])
def test_capped_writers_write_the_bytes_pyoxigraph_writes(fmt: ResultFormat) -> None:
    """The row-capped writers (the server's --max-rows) and pyoxigraph's serializers (uncapped) agree
    byte for byte, so a result reads the same whichever path wrote it; the cap cuts whole rows."""
    from polevents.query.results import write_solutions

    store = ox.Store()
    for i, term in enumerate(AWKWARD):
        store.add(ox.Quad(ox.NamedNode(f"http://s/{i:02d}"), ox.NamedNode("http://p"), term))
    query = "SELECT ?s ?o ?unbound { ?s ?p ?o OPTIONAL { ?s <http://none> ?unbound } } ORDER BY ?s"
    uncapped, capped = io.BytesIO(), io.BytesIO()
    assert write_solutions(store.query(query), fmt, uncapped) == (None, False)
    assert write_solutions(store.query(query), fmt, capped, max_rows=len(AWKWARD)) == (len(AWKWARD), False)
    assert capped.getvalue() == uncapped.getvalue()
    cut = io.BytesIO()
    assert write_solutions(store.query(query), fmt, cut, max_rows=3) == (3, True)
    if fmt is ResultFormat.CSV:  # lossy: pyoxigraph does not read it back
        assert len(list(csv.reader(io.StringIO(cut.getvalue().decode(), newline="")))) == 1 + 3
    else:
        parsed = ox.parse_query_results(cut.getvalue(), ox.QueryResultsFormat.from_media_type(fmt.media_type))
        assert len(list(parsed)) == 3


# --------------------------------------------------------------------------- graph formats


CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def _expected_graph(project: Path, text: str) -> Graph:
    g = Graph()
    for t in answer(project, text).triples:
        g.add((to_rdflib_term(t.subject), to_rdflib_term(t.predicate), to_rdflib_term(t.object)))  # type: ignore[arg-type]
    return g


@pytest.mark.parametrize(
    ("fmt", "rdflib_name"),
    [(ResultFormat.TURTLE, "turtle"), (ResultFormat.NTRIPLES, "nt"), (ResultFormat.JSONLD, "json-ld")],
)
def test_graph_formats_round_trip(project: Path, fmt: ResultFormat, rdflib_name: str) -> None:
    expected = _expected_graph(project, CONSTRUCT)
    assert len(expected) == 34
    parsed = Graph().parse(data=output(project, CONSTRUCT, fmt), format=rdflib_name)
    if not isomorphic(parsed, expected):
        _, missing, extra = graph_diff(to_isomorphic(expected), to_isomorphic(parsed))
        pytest.fail(f"missing {sorted(missing)}\nextra {sorted(extra)}")


def test_graph_output_is_byte_deterministic_and_uses_only_needed_prefixes(project: Path) -> None:
    first = output(project, CONSTRUCT, ResultFormat.TURTLE)
    assert first == output(project, CONSTRUCT, ResultFormat.TURTLE)
    text = first.decode("utf-8")
    declared = [line.split()[1] for line in text.splitlines() if line.startswith("@prefix")]
    assert len(declared) == len(set(declared))
    assert set(declared) == {"owl:", "pe:", "rdf:", "rdfs:", "schema:", "skos:", "xsd:"}
    doc = json.loads(output(project, CONSTRUCT, ResultFormat.JSONLD))
    assert set(doc["@context"]) == {"owl", "pe", "rdf", "rdfs", "schema", "skos", "xsd"}


def test_empty_graph_in_each_format(project: Path) -> None:
    q = "CONSTRUCT WHERE { ?s a pe:Referendum }"
    assert output(project, q, ResultFormat.NTRIPLES) == b""
    assert output(project, q, ResultFormat.TURTLE) == b""
    assert json.loads(output(project, q, ResultFormat.JSONLD)) == []


# --------------------------------------------------------------------------- format choice


def test_format_fits_form() -> None:
    check_format(QueryForm.SELECT, ResultFormat.CSV)
    check_format(QueryForm.DESCRIBE, ResultFormat.JSONLD)
    with pytest.raises(InputError, match="--format turtle is for graphs"):
        check_format(QueryForm.ASK, ResultFormat.TURTLE)
    with pytest.raises(InputError, match="--format json is for solutions"):
        check_format(QueryForm.CONSTRUCT, ResultFormat.JSON)
    assert default_format(QueryForm.SELECT, terminal=True) is ResultFormat.TABLE
    assert default_format(QueryForm.SELECT, terminal=False) is ResultFormat.CSV
    assert default_format(QueryForm.CONSTRUCT, terminal=True) is ResultFormat.TURTLE


# --------------------------------------------------------------------------- table


def test_display_width_counts_terminal_columns() -> None:
    assert display_width("Tokayev") == 7
    assert display_width("Қасым-Жомарт") == 12
    assert display_width("托卡耶夫") == 8
    assert display_width("e\u0301") == 1  # e + combining acute
    assert display_width("👩\u200d⚖\ufe0f") == 2  # one emoji, joined
    assert display_width("🇰🇿") == 2


def test_terms_read_naturally() -> None:
    prefixes = dict(PREFIXES)
    assert term_display(ox.NamedNode("https://w3id.org/polevents/ontology#Person"), prefixes, BASE) == "pe:Person"
    assert term_display(ox.NamedNode(f"{BASE}id/person/tokayev"), prefixes, BASE) == "<id/person/tokayev>"
    assert term_display(ox.NamedNode("http://other.example/a/b"), prefixes, BASE) == "<http://other.example/a/b>"
    assert term_display(ox.NamedNode("http://www.wikidata.org/entity/Q232"), prefixes, BASE) == "wd:Q232"
    # a local part that is not a valid prefixed name stays a full IRI
    assert term_display(ox.NamedNode("http://schema.org/a/b"), prefixes, BASE) == "<http://schema.org/a/b>"
    assert term_display(ox.Literal("Amanat", language="en"), prefixes) == "Amanat@en"
    assert term_display(ox.Literal("plain"), prefixes) == "plain"
    assert term_display(ox.Literal("2", datatype=ox.NamedNode(XSD + "integer")), prefixes) == "2"
    assert term_display(ox.Literal("2022-03", datatype=ox.NamedNode(XSD + "gYearMonth")), prefixes) == "2022-03"
    assert term_display(ox.Literal("P1Y", datatype=ox.NamedNode(XSD + "duration")), prefixes) == '"P1Y"^^xsd:duration'
    assert term_display(ox.Literal("a\nb\tc"), prefixes) == "a\\nb\\tc"
    assert term_display(ox.BlankNode("b0"), prefixes) == "_:b0"
    assert term_display(None, prefixes) == ""


def _table(result: QueryResult, width: int = 72) -> list[str]:
    return render_table(result, prefixes=PREFIXES, base=BASE, max_width=width).splitlines()


def test_table_columns_align_by_display_width(project: Path) -> None:
    lines = _table(answer(project, "SELECT ?p ?alt { ?p skos:altLabel ?alt } ORDER BY ?alt"))
    assert lines[0].startswith("| ?p ") and "| ?alt" in lines[0]
    assert {display_width(line) for line in lines} == {display_width(lines[0])}
    assert any("托卡耶夫@zh" in line for line in lines)

    # the column separators sit at the same terminal column on every line
    def bars(line: str) -> list[int]:
        return [display_width(line[:i]) for i, ch in enumerate(line) if ch == "|"]

    assert all(bars(line) == bars(lines[0]) for line in lines if line.startswith("| "))


def test_table_right_aligns_numbers(project: Path) -> None:
    result = QueryResult(
        form=QueryForm.SELECT,
        variables=["name", "n"],
        rows=[
            (ox.Literal("a"), ox.Literal("5", datatype=ox.NamedNode(XSD + "integer"))),
            (ox.Literal("b"), ox.Literal("1234", datatype=ox.NamedNode(XSD + "integer"))),
        ],
    )
    lines = _table(result)
    assert lines[0] == "| ?name |   ?n |"
    assert lines[2] == "| a     |    5 |"
    assert lines[3] == "| b     | 1234 |"


def test_table_wraps_long_values_at_word_breaks(project: Path) -> None:
    result = answer(project, "SELECT ?c { <id/organization/amanat> rdfs:comment ?c }")
    lines = _table(result, width=40)
    body = [line[2:-2].rstrip() for line in lines[2:]]
    assert len(body) > 2
    assert all(display_width(line) <= 40 for line in body)
    assert " ".join(body) == term_display(result.rows[0][0], PREFIXES)  # nothing lost, words intact


def test_table_never_splits_a_character_and_cuts_with_an_ellipsis() -> None:
    text = "a\u0301👩\u200d⚖\ufe0f漢" * 200  # combining mark, ZWJ emoji, wide character
    result = QueryResult(form=QueryForm.SELECT, variables=["x"], rows=[(ox.Literal(text),)])
    lines = _table(result, width=9)
    cells = [line[2:-2].rstrip() for line in lines[2:]]
    assert len(cells) == 12  # at most twelve lines per value...
    assert cells[-1].endswith("…")  # ...then an ellipsis
    for cell in cells:
        assert display_width(cell) <= 9
        assert not cell.startswith(("\u0301", "\u200d", "\ufe0f", "⚖"))  # no orphaned pieces
    joined = "".join(cells[:-1])
    assert joined == text[: len(joined)]


def test_table_marks_rows_when_values_wrap(project: Path) -> None:
    result = answer(project, "SELECT ?s ?c { ?s rdfs:comment ?c } ORDER BY ?s")
    lines = _table(result, width=30)
    rules = [i for i, line in enumerate(lines) if line.startswith("|-")]
    assert len(rules) == 2  # under the header, and between the two (multi-line) rows
    mixed = answer(project, "SELECT ?s ?o { ?s rdfs:label|rdfs:comment ?o } ORDER BY ?s ?o")
    lines = _table(mixed, width=30)
    rules = [i for i, line in enumerate(lines) if line.startswith("|-")][1:]
    # only the wrapped rows are framed: the first (the header rule above it), and the fourth
    assert len(rules) == 3, "\n".join(lines)
    assert lines[rules[1] + 1].startswith("| <id/person/nazarbayeva>") and lines[rules[2] + 1].startswith(
        "| <id/person/tokayev>"
    )


def test_table_shows_unbound_as_empty(project: Path) -> None:
    result = answer(project, "SELECT ?p ?h { ?p a pe:Person OPTIONAL { ?p skos:hiddenLabel ?h } } ORDER BY ?p")
    lines = _table(result)
    assert lines[2] == "| <id/person/koshanov>    |        |"
    assert lines[4] == "| <id/person/tokayev>     | Tokaev |"


def test_table_fits_a_terminal_width(project: Path) -> None:
    result = answer(project, ALL_ROWS)
    wide = _table(result)
    assert max(display_width(line) for line in wide) > 80
    fitted = render_table(result, prefixes=PREFIXES, base=BASE, total_width=80).splitlines()
    assert max(display_width(line) for line in fitted) <= 80
    assert all(display_width(line) == display_width(fitted[0]) for line in fitted)
    # nothing is lost or repeated: the same characters as the values and headers, only folded
    shown = sorted(
        "".join(line[1:-1].replace(" | ", "") for line in fitted if not line.startswith("|-")).replace(" ", "")
    )
    values = "".join(f"?{v}" for v in result.variables) + "".join(
        term_display(t, PREFIXES, BASE) for row in result.rows for t in row
    )
    assert shown == sorted(values.replace(" ", ""))
    # too many columns to fit without cutting words: one record per row, every column visible
    many = QueryResult(
        form=QueryForm.SELECT,
        variables=[f"v{i}" for i in range(12)],
        rows=[tuple(ox.Literal(f"{i}" + "x" * 29) for i in range(12)) for _ in range(2)],
    )
    lines = render_table(many, prefixes=PREFIXES, total_width=80).splitlines()
    assert max(display_width(line) for line in lines) <= 80
    assert [line for line in lines if line.startswith("-[ row ")] == [line for line in lines if line.startswith("-[")]
    assert sum(line.startswith("-[ row ") for line in lines) == 2
    for i in range(12):
        assert sum(line.startswith(f"?v{i} ") for line in lines) == 2
        assert sum(f"| {i}{'x' * 29}" in line for line in lines) == 2
    assert render_table(many, prefixes=PREFIXES).splitlines()[0].startswith("| ?v0 ")  # no width: the table
    # a word is not cut to make room
    words = QueryResult(
        form=QueryForm.SELECT,
        variables=["a", "b"],
        rows=[(ox.Literal("Nursultan Nazarbayev", language="en"), ox.Literal("y " * 40))],
    )
    lines = render_table(words, prefixes=PREFIXES, total_width=40).splitlines()
    assert max(display_width(line) for line in lines) <= 40
    assert "Nazarbayev@en" in "\n".join(lines)
