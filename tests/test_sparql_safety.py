"""SHACL-SPARQL in the screen against pyshacl: FILTER and BIND expressions over mixed terms.

Oxigraph (the screen) and rdflib (pyshacl) evaluate some SPARQL expressions differently
(``polevents.validate.sparql_safety`` lists what was found).  The screen rewrites or refuses a
SPARQL constraint or target so that it flags at least the focus nodes pyshacl flags.  Checked:

* the divergences the analysis was built on, one by one (the engines still differ there, and
  the screen now flags what pyshacl flags);
* random constraints and SPARQL targets (hypothesis, derandomized), the screen's flagged focus
  nodes including pyshacl's (or the screen refusing), over data with IRIs, blank nodes, plain,
  language-tagged, typed and ill-typed literals, numbers of several types and dates: one or two
  comparisons or tests under each polarity (``!``, ``&&``, ``||``, EXISTS, NOT EXISTS); deeper
  expressions (string and type functions, casts, IF/COALESCE, IN, BIND, OPTIONAL); the shipped
  shapes' date idiom over dates the engines read differently;
* the one known gap (datatypes Oxigraph's store merges), as a strict xfail;
* the shipped shapes compile with no refusal, and what the rewrite keeps exact stays exact.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polevents.validate.screen import Unsupported, compile_shapes, screen
from polevents.validate.sparql_safety import MERGED, make_safe

REPO = Path(__file__).resolve().parents[1]
EX = "http://example.org/"
SH = "http://www.w3.org/ns/shacl#"
PREFIXES = """@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
#: sh:prefixes for the generated queries (a prologue inside sh:select is refused by the screen)
DECLARE = """ex:P sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] ,
    [ sh:prefix "xsd" ; sh:namespace "http://www.w3.org/2001/XMLSchema#"^^xsd:anyURI ] .
"""

#: Terms on which the engines were seen to differ, and ordinary ones.
TERMS = [
    "ex:i",
    "ex:j",
    "_:b",
    '"x"',
    '"y"',
    '"5"',
    '"percent"',
    '"x"@en',
    '"X"@EN',
    '"x"^^xsd:string',
    "5",
    "150",
    "-3",
    "5.0",
    "5.0e0",
    '"0.1"^^xsd:decimal',
    '"0.1"^^xsd:double',
    '"NaN"^^xsd:double',
    '"INF"^^xsd:double',
    '"2022-01-01T00:00:00Z"^^xsd:dateTimeStamp',
    '"100.000001"^^xsd:float',
    '"05"^^xsd:integer',
    '" 5 "^^xsd:integer',
    '"abc"^^xsd:integer',
    '"99999999999999999999999"^^xsd:integer',
    '"5"^^xsd:byte',
    '"-5"^^xsd:int',
    '"7"^^xsd:nonNegativeInteger',
    # not here: a derived integer type out of its range ("300"^^xsd:byte): the gap below
    "true",
    '"1"^^xsd:boolean',
    '"yes"^^xsd:boolean',
    '"2022-01-01"^^xsd:date',
    '"2022-01-01Z"^^xsd:date',
    '"2021-12-31+05:00"^^xsd:date',
    '"2022-13-40"^^xsd:date',
    '"-0044-03-15"^^xsd:date',
    '"12022-01-01"^^xsd:date',
    '"2022-W01-1"^^xsd:date',
    '"2022-001"^^xsd:date',
    '"2022-01-01T00:00:00"^^xsd:dateTime',
    '"2022"^^xsd:gYear',
    '"2021-07"^^xsd:gYearMonth',
    '"x"^^ex:dt',
    '"x"^^xsd:normalizedString',
]


def _quiet() -> None:
    logging.getLogger("rdflib").setLevel(logging.CRITICAL)
    warnings.simplefilter("ignore")


def _flagged_by_pyshacl(data: str, shapes: str) -> set[str] | None:
    """Focus nodes of pyshacl's blocking results (None: pyshacl itself fails on this input)."""
    _quiet()
    d = rdflib.Graph().parse(data=PREFIXES + data, format="turtle")
    s = rdflib.Graph().parse(data=PREFIXES + DECLARE + shapes, format="turtle")
    try:
        _conforms, graph, _text = pyshacl.validate(
            d, shacl_graph=s, inference="none", advanced=True, allow_warnings=True, inplace=True
        )
    except Exception:  # rdflib raises bare Python errors on some comparisons (decimal.InvalidOperation)
        return None
    sh = rdflib.Namespace(SH)
    assert isinstance(graph, rdflib.Graph)
    return {
        str(graph.value(r, sh.focusNode))
        for r in graph.subjects(rdflib.RDF.type, sh.ValidationResult)
        if graph.value(r, sh.resultSeverity) == sh.Violation
    }


def _flagged_by_screen(data: str, shapes: str) -> set[str] | None:
    """Focus nodes the screen flags as blocking (None: it refuses the shapes)."""
    store = ox.Store()
    store.load((PREFIXES + data).encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("urn:g"))
    try:
        compiled = compile_shapes(rdflib.Graph().parse(data=PREFIXES + DECLARE + shapes, format="turtle"))
        report = screen(store, compiled)
    except Unsupported:
        return None
    return {r.focus for r in report.results if r.is_violation}


def _constraint(where: str) -> str:
    return f'''ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:w ;
    sh:sparql [ sh:prefixes ex:P ; sh:select """SELECT $this WHERE {{ {where} }}""" ] .
'''


def _target(where: str) -> str:
    """A SPARQL target whose every focus node violates (sh:maxCount 0 on a property all of them have)."""
    return f'''ex:S a sh:NodeShape ; sh:property [ sh:path ex:w ; sh:maxCount 0 ] ;
    sh:target [ a sh:SPARQLTarget ; sh:prefixes ex:P ; sh:select """SELECT ?this WHERE {{ {where} }}""" ] .
'''


def _check(data: str, shapes: str) -> None:
    found = _flagged_by_screen(data, shapes)
    if found is None:
        return  # refused: pyshacl decides
    expected = _flagged_by_pyshacl(data, shapes)
    if expected is None:
        return  # pyshacl fails on this input (the build reports its error); nothing to compare
    assert found >= expected, f"the screen misses {sorted(expected - found)}\n{shapes}\n{data}"


# ---------------------------------------------------------------- the divergences, one by one

BRIEF = 'ex:a ex:w "x" . ex:b ex:w 5 . ex:c ex:w "x"@en .\n'


@pytest.mark.parametrize(
    ("data", "where", "pyshacl_flags"),
    [
        (BRIEF, "$this ex:w ?w . FILTER(?w > 1)", {"a", "b", "c"}),
        (BRIEF, "$this ex:w ?w . OPTIONAL { $this ex:u ?u } FILTER(!BOUND(?u) || ?w > 1)", {"a", "b", "c"}),
        (BRIEF, '$this ex:w ?w . FILTER(?w < "y")', {"a", "b"}),
        ('ex:a ex:w "abc"^^xsd:integer . ex:b ex:w 5 .\n', "$this ex:w ?w . FILTER(isNumeric(?w) && ?w > 7)", {"a"}),
        ('ex:a ex:w "2022-01-01Z"^^xsd:date .\n', '$this ex:w ?w . FILTER(STR(?w) = "2022-01-01")', {"a"}),
        ("ex:a ex:w 5.0 .\n", '$this ex:w ?w . FILTER(STR(?w) = "5.0")', {"a"}),
        ("ex:a ex:w _:b .\n", "$this ex:w ?w . FILTER(STRLEN(STR(?w)) > 3)", {"a"}),
        ('ex:a ex:w "yes"^^xsd:boolean .\n', "$this ex:w ?w . FILTER(?w != true)", {"a"}),
        (
            'ex:a ex:w "0.1"^^xsd:decimal ; ex:v "0.1"^^xsd:double .\n',
            "$this ex:w ?w ; ex:v ?v . FILTER(?w != ?v)",
            {"a"},
        ),
        ('ex:a ex:w "5"^^xsd:byte .\n', "$this ex:w ?w . FILTER(DATATYPE(?w) != xsd:integer)", {"a"}),
        ('ex:a ex:w "X"@EN .\n', '$this ex:w ?w . FILTER(LANG(?w) = "EN")', {"a"}),
        (
            'ex:a ex:w "2022-01-01"^^xsd:date .\n',
            "$this ex:w ?w . FILTER(!BOUND(?nothing) && !isNumeric(?nothing))",
            {"a"},
        ),
        (
            'ex:a ex:w "2022-01-01"^^xsd:date .\n',
            '$this ex:w ?w . FILTER(sameTerm(COALESCE(xsd:date(STR(?w)), "invalid"), "invalid"))',
            {"a"},
        ),
    ],
)
def test_each_divergence_is_flagged(data: str, where: str, pyshacl_flags: set[str]) -> None:
    shapes = _constraint(where)
    assert _flagged_by_pyshacl(data, shapes) == {EX + n for n in pyshacl_flags}
    found = _flagged_by_screen(data, shapes)
    assert found is None or found >= {EX + n for n in pyshacl_flags}
    assert _flagged_by_screen(data, _target(where)) in (None, {EX + n for n in pyshacl_flags} | (found or set()))


def test_the_engines_still_differ_where_the_analysis_says() -> None:
    """Oxigraph alone, on the brief's example, drops what rdflib keeps: the rewrite is needed."""
    _quiet()
    query = f"SELECT ?s WHERE {{ ?s <{EX}w> ?w . FILTER(?w > 1) }}"
    g = rdflib.Graph().parse(data=PREFIXES + BRIEF, format="turtle")
    store = ox.Store()
    store.load((PREFIXES + BRIEF).encode(), format=ox.RdfFormat.TURTLE)
    assert {str(r[0]) for r in g.query(query)} == {EX + "a", EX + "b", EX + "c"}  # type: ignore[index]
    assert {s["s"].value for s in store.query(query)} == {EX + "b"}  # type: ignore[union-attr,index]
    assert "?w > 1" in make_safe(query) and make_safe(query) != query


def test_oxigraph_merges_exactly_the_datatypes_the_analysis_distrusts() -> None:
    """The analysis never trusts a DATATYPE comparison with a datatype Oxigraph's store merges
    (``MERGED``); this pins that list against the Oxigraph in use, over every XSD datatype."""
    xsd = "http://www.w3.org/2001/XMLSchema#"
    samples = {
        "string": "x", "normalizedString": "x", "token": "x", "language": "en", "NMTOKEN": "x", "Name": "x",
        "NCName": "x", "anyURI": "http://a", "boolean": "true", "decimal": "1.5", "integer": "5",
        "nonPositiveInteger": "-1", "negativeInteger": "-1", "long": "5", "int": "5", "short": "5", "byte": "5",
        "nonNegativeInteger": "5", "unsignedLong": "5", "unsignedInt": "5", "unsignedShort": "5",
        "unsignedByte": "5", "positiveInteger": "5", "float": "1.5", "double": "1.5", "duration": "P1D",
        "dayTimeDuration": "P1D", "yearMonthDuration": "P1Y", "dateTime": "2022-01-01T00:00:00",
        "dateTimeStamp": "2022-01-01T00:00:00Z", "time": "00:00:00", "date": "2022-01-01", "gYearMonth": "2022-01",
        "gYear": "2022", "gMonthDay": "--01-01", "gDay": "---01", "gMonth": "--01", "hexBinary": "0F",
        "base64Binary": "AA==",
    }  # fmt: skip
    store = ox.Store()
    store.load(
        "".join(f'<{EX}{k}> <{EX}p> "{v}"^^<{xsd}{k}> .\n' for k, v in samples.items()).encode(),
        format=ox.RdfFormat.N_TRIPLES,
    )
    rows = store.query(f"SELECT ?s (DATATYPE(?o) AS ?d) WHERE {{ ?s <{EX}p> ?o }}")
    assert isinstance(rows, ox.QuerySolutions)
    changed = {xsd + row[0].value[len(EX) :] for row in rows if row[1].value != xsd + row[0].value[len(EX) :]}
    assert changed, "Oxigraph keeps every datatype now: the analysis may trust more"
    assert changed | {xsd + "integer", xsd + "dateTime"} == MERGED


@pytest.mark.xfail(
    strict=True,
    reason="known gap of the screen function (docs/validation.md): Oxigraph's store keeps an out-of-range "
    '"-5"^^xsd:nonNegativeInteger as "-5"^^xsd:integer, which rdflib reads as ill-typed; the build does '
    "not screen such data (tests/test_verdict.py::test_a_literal_the_store_rewrites_is_left_to_pyshacl)",
)
def test_the_gap_of_merged_datatypes() -> None:
    data = 'ex:a ex:w "-5"^^xsd:nonNegativeInteger .\n'
    where = "$this ex:w ?w . FILTER(?w > 1)"  # rdflib: true (it orders the ill-typed literal by datatype)
    assert _flagged_by_pyshacl(data, _constraint(where)) == {EX + "a"}
    assert _flagged_by_screen(data, _constraint(where)) == {EX + "a"}


# ---------------------------------------------------------------- random constraints

VARS = ["?w", "?u", "$this", "?o"]
CONSTS = ["1", "100", "0", '"x"', '"y"', '"percent"', "true", "ex:i", "xsd:date", "0.5", '"5"^^xsd:integer', '"x"@en']

variable = st.sampled_from(VARS)
term = st.one_of(variable, variable, st.sampled_from(CONSTS))
string = st.one_of(
    term.map(lambda t: f"STR({t})"),
    term.map(lambda t: f"SUBSTR(STR({t}), 1, 4)"),
    term.map(lambda t: f'CONCAT(STR({t}), "-01")'),
    term.map(lambda t: f"LANG({t})"),
    term.map(lambda t: f"LCASE(STR({t}))"),
)
value = st.one_of(
    variable,
    term,
    string,
    term.map(lambda t: f"DATATYPE({t})"),
    term.map(lambda t: f"STRLEN(STR({t}))"),
    term.map(lambda t: f"xsd:integer({t})"),
    term.map(lambda t: f"xsd:date(STR({t}))"),
    st.tuples(term, term).map(lambda p: f"COALESCE({p[0]}, {p[1]})"),
    st.tuples(term, string).map(lambda p: f"IF(isLiteral({p[0]}), {p[1]}, STR({p[0]}))"),
    term.map(lambda t: f'IF(DATATYPE({t}) = xsd:date, SUBSTR(STR({t}), 1, 10), "0000")'),
    term.map(lambda t: f"({t} + 1)"),
)
atom = st.one_of(
    st.tuples(variable, st.sampled_from(["=", "!=", "<", ">", "<=", ">="]), term).map(
        lambda t: f"{t[0]} {t[1]} {t[2]}"
    ),
    st.tuples(value, st.sampled_from(["=", "!=", "<", ">", "<=", ">="]), value).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
    st.tuples(value, st.sampled_from(["=", "!=", "<", ">"]), st.sampled_from(CONSTS)).map(
        lambda t: f"{t[0]} {t[1]} {t[2]}"
    ),
    st.tuples(st.sampled_from(["isNumeric", "isLiteral", "isIRI", "isBlank"]), term).map(lambda t: f"{t[0]}({t[1]})"),
    st.sampled_from(["BOUND(?u)", "?w", "?u", '"x"', "1"]),
    st.tuples(term, term).map(lambda p: f"sameTerm({p[0]}, {p[1]})"),
    st.tuples(term, st.lists(st.sampled_from(CONSTS), min_size=1, max_size=3)).map(
        lambda p: f"{p[0]} IN ({', '.join(p[1])})"
    ),
    st.tuples(term, st.lists(st.sampled_from(CONSTS), min_size=1, max_size=2)).map(
        lambda p: f"{p[0]} NOT IN ({', '.join(p[1])})"
    ),
    st.tuples(string, st.sampled_from(['"x"', '"2"'])).map(lambda p: f"CONTAINS({p[0]}, {p[1]})"),
    string.map(lambda s: f'REGEX({s}, "^x")'),
    term.map(lambda t: f'sameTerm(COALESCE(xsd:date(STR({t})), "invalid"), "invalid")'),
)


def _combine(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        inner.map(lambda c: f"!({c})"),
        st.tuples(inner, inner).map(lambda p: f"({p[0]}) && ({p[1]})"),
        st.tuples(inner, inner).map(lambda p: f"({p[0]}) || ({p[1]})"),
        inner.map(lambda c: f"EXISTS {{ $this ex:w ?w2 . FILTER({c.replace('?w', '?w2')}) }}"),
        inner.map(lambda c: f"NOT EXISTS {{ $this ex:w ?w2 . FILTER({c.replace('?w', '?w2')}) }}"),
    )


condition = st.one_of(atom, st.recursive(atom, _combine, max_leaves=4))
PATTERNS = [
    "OPTIONAL { $this ex:u ?u } ",
    "OPTIONAL { $this ex:u ?u } ",
    "$this ex:u ?u . ",
    "OPTIONAL { $this ex:u ?u FILTER(?u != 5) } ",  # refused: the FILTER of an OPTIONAL must be exact
    "OPTIONAL { $this ex:u ?u BIND(STR(?u) AS ?o) } ",
    "$this ex:u ?u . OPTIONAL { $this ex:w ?o } ",
]
where = st.builds(
    lambda pattern, bind, conds: (
        "$this ex:w ?w . "
        + pattern
        + (f"BIND({bind} AS ?b) FILTER(BOUND(?b) || !BOUND(?b)) " if bind else "")
        + " ".join(f"FILTER({c})" for c in conds)
    ),
    st.sampled_from(PATTERNS),
    st.one_of(st.none(), value),
    st.lists(condition, min_size=1, max_size=2),
)
#: each of ex:a, ex:b, ex:c with one or two ex:w values and maybe an ex:u value (dense: most
#: FILTERs then keep some row in one engine or the other)
data = st.lists(
    st.tuples(st.lists(st.sampled_from(TERMS), min_size=1, max_size=2), st.one_of(st.none(), st.sampled_from(TERMS))),
    min_size=3,
    max_size=3,
).map(
    lambda nodes: "".join(
        "".join(f"ex:{s} ex:w {w} .\n" for w in ws) + (f"ex:{s} ex:u {u} .\n" if u else "")
        for s, (ws, u) in zip("abc", nodes, strict=True)
    )
)


comparison = st.tuples(
    st.sampled_from(["?w", "?u"]),
    st.sampled_from(["=", "!=", "<", ">", "<=", ">="]),
    st.sampled_from(["1", "100", '"y"', '"x"', "true", "ex:i", "0.5", "?w", "?u", "$this"]),
).map(lambda t: f"{t[0]} {t[1]} {t[2]}")
simple_atom = st.one_of(
    comparison,
    comparison,
    st.tuples(
        st.sampled_from(["STR(?w)", "DATATYPE(?w)", "LANG(?w)", "STRLEN(STR(?w))", "SUBSTR(STR(?w), 1, 4)", "STR(?u)"]),
        st.sampled_from(["=", "!=", "<", ">"]),
        st.sampled_from([*CONSTS, "STR(?u)", "DATATYPE(?u)", '"2022"', '"5.0"', "xsd:integer", "xsd:string", "3"]),
    ).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
    st.sampled_from(["isNumeric(?w)", "isLiteral(?u)", "BOUND(?u)", "?w", "sameTerm(?w, ?u)", "isIRI(?w)"]),
    st.lists(st.sampled_from(CONSTS), min_size=1, max_size=3).map(lambda cs: f"?w IN ({', '.join(cs)})"),
)
simple_where = st.builds(
    lambda form, a, b: (
        "$this ex:w ?w . OPTIONAL { $this ex:u ?u } "
        + form.format(a=a, b=b, a2=a.replace("?w", "?w2"), b2=b.replace("?w", "?w2"))
    ),
    st.sampled_from(
        [
            "FILTER({a})",
            "FILTER(!({a}))",
            "FILTER(({a}) || ({b}))",
            "FILTER(({a}) && ({b}))",
            "FILTER(!(({a}) && ({b})))",
            "FILTER NOT EXISTS {{ $this ex:w ?w2 . FILTER({a2}) }}",
            "FILTER EXISTS {{ $this ex:w ?w2 . FILTER(!({a2})) }}",
            "FILTER(!({a}) || NOT EXISTS {{ $this ex:w ?w2 . FILTER(({a2}) && !({b2})) }})",
        ]
    ),
    simple_atom,
    simple_atom,
)


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(where=simple_where, data=data, as_target=st.booleans())
def test_single_comparisons_flag_what_pyshacl_flags(where: str, data: str, as_target: bool) -> None:
    """One or two comparisons or tests of the data's terms, under ``!``, ``&&``, ``||``, EXISTS
    and NOT EXISTS: each polarity the analysis distinguishes, on dense data."""
    _check(data, _target(where.replace("$this", "?this")) if as_target else _constraint(where))


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(where=where, data=data, as_target=st.booleans())
def test_the_screen_flags_what_pyshacl_flags(where: str, data: str, as_target: bool) -> None:
    _check(data, _target(where.replace("$this", "?this")) if as_target else _constraint(where))


DATES = [
    '"2022-01-01"^^xsd:date',
    '"2022-01-05Z"^^xsd:date',
    '"2022-01-04+05:00"^^xsd:date',
    '"2022-W01-1"^^xsd:date',
    '"2022-001"^^xsd:date',
    '"-0044-03-15"^^xsd:date',
    '"12022-01-01"^^xsd:date',
    '"2022-13-40"^^xsd:date',
    '"2022-01-01T00:00:00"^^xsd:date',
    '"2022"^^xsd:gYear',
    '"2021Z"^^xsd:gYear',
    '"2021-12"^^xsd:gYearMonth',
    '"2022-01"^^xsd:gYearMonth',
    '"2022-01-03"',
    "5",
    "ex:i",
]


def _latest(v: str, name: str) -> str:
    """The shipped shapes' idiom: the latest day a date of any precision may mean, as text."""
    return (
        f"BIND(DATATYPE({v}) AS ?{name}dt) BIND(STR({v}) AS ?{name}text) "
        f"BIND(IF(?{name}dt = xsd:date, SUBSTR(?{name}text, 1, 10), IF(?{name}dt = xsd:gYearMonth, "
        f'CONCAT(SUBSTR(?{name}text, 1, 7), "-31"), CONCAT(SUBSTR(?{name}text, 1, 4), "-12-31"))) AS ?{name}) '
    )


date_where = st.builds(
    lambda guard, op, other, negate: (
        "$this ex:w ?w ; ex:u ?u . "
        + _latest("?w", "a")
        + _latest("?u", "b")
        + (
            "FILTER(?adt IN (xsd:date, xsd:gYearMonth, xsd:gYear) && ?bdt IN (xsd:date, xsd:gYearMonth, xsd:gYear)) "
            if guard
            else ""
        )
        + (f"FILTER(!(?a {op} {other}))" if negate else f"FILTER(?a {op} {other})")
    ),
    st.booleans(),
    st.sampled_from(["<", ">", "=", "!=", "<="]),
    st.sampled_from(["?b", '"2022-01-03"', "SUBSTR(STR(?u), 1, 10)", "STR(?u)"]),
    st.booleans(),
)
date_data = st.lists(st.tuples(st.sampled_from(DATES), st.sampled_from(DATES)), min_size=1, max_size=3).map(
    lambda pairs: "".join(f"ex:n{i} ex:w {w} ; ex:u {u} .\n" for i, (w, u) in enumerate(pairs))
)


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(where=date_where, data=date_data, as_target=st.booleans())
def test_date_comparisons_flag_what_pyshacl_flags(where: str, data: str, as_target: bool) -> None:
    """The shipped shapes' date idiom (DATATYPE, STR, SUBSTR, CONCAT, IF, compared as text) over
    dates rdflib and Oxigraph read differently (time zones, week dates, years before 1 or after 9999)."""
    _check(data, _target(where.replace("$this", "?this")) if as_target else _constraint(where))


# ---------------------------------------------------------------- the shipped shapes


def test_the_shipped_shapes_compile_without_refusal() -> None:
    """All of shapes/ together, as the build reads it: no Unsupported (at scale that would leave
    the verdict undecided), and every SPARQL constraint and target kept."""
    g = rdflib.Graph()
    for path in sorted((REPO / "shapes").glob("*.ttl")):
        g.parse(path)
    compiled = compile_shapes(g)
    sparql = [c for c in compiled.checks if c.sparql]
    assert sum(len(c.sparql) for c in sparql) == len(set(g.subjects(rdflib.URIRef(SH + "select"), None))) - 1
    # the progress line's "of N queries" counts the queries the screen runs
    assert (
        screen(ox.Store(), compiled).queries
        == compiled.queries
        == len(compiled.checks) + sum(len(c.sparql) for c in compiled.checks if c.parts)
    )


def test_the_shipped_constraints_keep_their_exact_comparisons() -> None:
    """The datatype tests and the comparisons of IRIs are proven exact and left as written; the
    date comparisons (strings from SUBSTR/CONCAT of STR of a date) are exact where an xsd:date's
    text starts with YYYY-MM-DD, and flag the focus node otherwise."""
    g = rdflib.Graph().parse(REPO / "shapes" / "polevents-shapes.ttl")
    selects = {str(s).rsplit("#", 1)[1]: str(o) for s, o in g.subject_objects(rdflib.URIRef(SH + "select"))}
    prefixes = {"pe": "https://w3id.org/polevents/ontology#", "xsd": "http://www.w3.org/2001/XMLSchema#"}
    end = make_safe(selects["EndBeforeStart"].replace("$this", "?this"), prefixes)
    assert (
        "FILTER ((?edt IN (xsd:date, xsd:gYearMonth, xsd:gYear)) && (?sdt IN (xsd:date, xsd:gYearMonth, xsd:gYear)))"
        in end
    )
    assert "?endLatest < ?startEarliest, true))" in end and "REGEX(STR(?value)" in end and "REGEX(STR(?start)" in end
    overlap = make_safe(selects["TenureOverlap"].replace("$this", "?this"), prefixes)
    assert "?start1 < ?end2, true)" in overlap and "REGEX(STR(?e2)" in overlap
    assert "(?value != ?this)" in overlap  # both subjects of triple patterns: IRIs or blank nodes
    assert "COALESCE(STR(?this) < STR(?value), true)" in overlap  # STR of a blank node fails in Oxigraph only
    doubtful = make_safe(selects["NodesWithDoubtfulDates"].replace("$this", "?this"), prefixes)
    assert "xsd:date(STR(?v))" not in doubtful  # rdflib's cast fails even on valid dates: every date is a target


ODD_DATES = [
    # rdflib reads a week date as a date (2022-01-03), Oxigraph does not: end before start for pyshacl
    'ex:t pe:startDate "2022-01-05"^^xsd:date ; pe:endDate "2022-W01-1"^^xsd:date .',
    # a year before 1: valid for Oxigraph's cast, ill-typed for rdflib (DatesShape's target and datatype)
    'ex:t pe:date "-0044-03-15"^^xsd:date .',
    'ex:t pe:startDate "2022-01-05Z"^^xsd:date ; pe:endDate "2022-01-04+05:00"^^xsd:date .',
    'ex:t pe:earliestDate "2022"^^xsd:gYear ; pe:latestDate "2021-12"^^xsd:gYearMonth .',
    'ex:r pe:thresholdUnit "percent" ; pe:thresholdValue "abc"^^xsd:integer ; pe:comparison pe:atLeast .',
    'ex:r pe:thresholdUnit "percent" ; pe:thresholdValue "100.000001"^^xsd:float ; pe:comparison pe:atLeast .',
    'ex:r pe:thresholdUnit "percent"^^xsd:string ; pe:thresholdValue 150 ; pe:comparison pe:atLeast .',
]


@pytest.fixture(scope="module")
def shipped() -> rdflib.Graph:
    g = rdflib.Graph()
    for path in sorted((REPO / "shapes").glob("*.ttl")):
        g.parse(path)
    return g


@pytest.mark.parametrize("text", ODD_DATES)
def test_the_shipped_shapes_flag_what_pyshacl_flags_on_odd_values(text: str, shipped: rdflib.Graph) -> None:
    _quiet()
    data = "@prefix pe: <https://w3id.org/polevents/ontology#> .\n" + text + "\n"
    store = ox.Store()
    store.load((PREFIXES + data).encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("urn:g"))
    found = {r.focus for r in screen(store, compile_shapes(shipped)).results if r.is_violation}
    d = rdflib.Graph().parse(data=PREFIXES + data, format="turtle")
    _c, graph, _t = pyshacl.validate(d, shacl_graph=shipped, inference="none", advanced=True, allow_warnings=True)
    sh = rdflib.Namespace(SH)
    assert isinstance(graph, rdflib.Graph)
    expected = {
        str(graph.value(r, sh.focusNode))
        for r in graph.subjects(rdflib.RDF.type, sh.ValidationResult)
        if graph.value(r, sh.resultSeverity) == sh.Violation
    }
    assert expected, "pyshacl flags each of these"
    assert found >= expected
