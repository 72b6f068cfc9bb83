"""The SHACL shapes: a valid fixture conforms; each planted error is rejected, and only it.

The valid fixture (tests/fixtures/shapes/source.ttl + facts.ttl) is a made-up article with every
pattern the shapes check.  Each case appends a few triples to it with one mistake and states the
exact set of results the shapes must give: (rule, focus node).  A rule is the pesh: name of the
property shape, or of the SPARQL constraint for SPARQL rules.  Cases with no expected result show
what the shapes must *not* report (dates of mixed precision, tenures that touch, ...).
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib

from planted_cases import (
    BASE,
    CASES,
    FACT_CLASSES,
    PESH,
    REPO,
    SH,
    SHAPES_FILE,
    VALID,
    Case,
    D,
    Y,
    check,
    event,
    found,
    post,
    rule_of,
    tenure,
)
from polevents.load import parse_file, to_rdflib_graph
from polevents.validate import SHAPES_NS, validate_graphs


@pytest.fixture(scope="module")
def ontology() -> list[ox.Triple]:
    triples: list[ox.Triple] = []
    for path in sorted((REPO / "ontology").glob("*.ttl")):
        triples.extend(parse_file(path, BASE))
    return triples


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return to_rdflib_graph(parse_file(SHAPES_FILE, BASE))


def test_valid_fixture_conforms_without_any_result(ontology: list[ox.Triple], shapes: rdflib.Graph) -> None:
    report = check(VALID, ontology, shapes)
    assert report.results == [], report.to_text()
    assert report.conforms


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_planted_error(c: Case, ontology: list[ox.Triple], shapes: rdflib.Graph) -> None:
    report = check(VALID + "\n" + c.add + "\n", ontology, shapes)
    assert found(report) == set(c.expect), report.to_text()
    conforms = c.conforms if c.conforms is not None else not c.expect
    assert report.conforms is conforms
    for r in report.results:
        assert r.message and r.hint, f"{r.source_shape} lacks a message or a hint"
        assert r.severity == ("Warning" if conforms else "Violation")


PREFIX_LINES = "".join(line + "\n" for line in VALID.splitlines() if line.startswith("@prefix"))


def case_subjects(c: Case) -> set[str]:
    triples = ox.parse((PREFIX_LINES + c.add).encode(), format=ox.RdfFormat.TURTLE, base_iri=BASE)
    return {t.subject.value for t in triples}


def test_cases_are_unique_and_independent() -> None:
    """Unique ids, and no two cases describe the same node (so cases can be validated together)."""
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    owner: dict[str, str] = {}
    valid_subjects = {t.subject.value for t in ox.parse(VALID.encode(), format=ox.RdfFormat.TURTLE, base_iri=BASE)}
    for c in CASES:
        for subject in case_subjects(c):
            assert subject not in owner, f"{c.id} and {owner[subject]} both describe {subject}"
            assert subject not in valid_subjects, f"{c.id} changes the valid fixture's {subject}"
            owner[subject] = c.id


def test_every_rule_has_a_planted_error(shapes: rdflib.Graph) -> None:
    """Each property shape and SPARQL rule of the shapes is expected by at least one case."""
    rules = {
        str(s)[len(SHAPES_NS) :]
        for kind in (SH.PropertyShape, SH.SPARQLConstraint)
        for s in shapes.subjects(rdflib.RDF.type, kind)
        if isinstance(s, rdflib.URIRef) and str(s).startswith(SHAPES_NS)
    }
    assert len(rules) >= 60
    tested = {rule for c in CASES for rule, _focus in c.expect}
    assert rules - tested == set()
    assert tested - rules == set()


def test_every_rule_has_a_message_and_a_hint(shapes: rdflib.Graph) -> None:
    rules = [
        s
        for kind in (SH.PropertyShape, SH.SPARQLConstraint)
        for s in shapes.subjects(rdflib.RDF.type, kind)
        if isinstance(s, rdflib.URIRef)
    ]
    for rule in rules:
        messages = list(shapes.objects(rule, SH.message))
        hints = list(shapes.objects(rule, PESH.hint))
        assert len(messages) == 1 and len(str(messages[0])) > 20, rule
        assert len(hints) == 1 and len(str(hints[0])) > 20, rule


def test_shapes_cover_every_class_of_the_fixture(ontology: list[ox.Triple], shapes: rdflib.Graph) -> None:
    """At least 8 node shapes, and every pe: class the data uses is targeted (directly or as a subclass)."""
    node_shapes = set(shapes.subjects(rdflib.RDF.type, SH.NodeShape))
    assert len(node_shapes) >= 8
    targeted = set(shapes.objects(None, SH.targetClass))
    onto = to_rdflib_graph(ontology)
    data = to_rdflib_graph(ox.parse(VALID.encode(), format=ox.RdfFormat.TURTLE, base_iri=BASE))
    used = {o for o in data.objects(None, rdflib.RDF.type) if str(o).startswith("https://w3id.org/polevents/ontology#")}
    for cls in used | {rdflib.URIRef("https://w3id.org/polevents/ontology#" + c[3:]) for c in FACT_CLASSES}:
        supers = set(onto.transitive_objects(cls, rdflib.RDFS.subClassOf))
        assert supers & targeted, f"no node shape targets {cls}"


def test_messages_of_sparql_rules_name_the_values(ontology: list[ox.Triple], shapes: rdflib.Graph) -> None:
    add = (
        event("x1", f"pe:startDate {D('2022-01-28')} ; pe:endDate {Y('2021')}")
        + post("x2")
        + tenure("x2-a", "x2", "ana-example", Y("2019"), D("2022-01-28"))
        + tenure("x2-b", "x2", "ben-sample", D("2022-01-20"))
    )
    report = check(VALID + add, ontology, shapes)
    by_rule = {rule_of(r.source_shape, r.source_constraint): r for r in report.results}
    end = by_rule["EndBeforeStart"]
    assert "2021" in end.message and "2022-01-28" in end.message
    assert end.path == "https://w3id.org/polevents/ontology#endDate"
    assert end.value == '"2021"^^<http://www.w3.org/2001/XMLSchema#gYear>'
    assert end.focus_label == "x1"
    overlap = by_rule["TenureOverlap"]
    assert overlap.value == f"<{BASE}id/tenure/x2-b>"
    assert '"x2-b"' in overlap.message and "2019 to 2022-01-28" in overlap.message


def test_rdflib_and_oxigraph_engines_agree(ontology: list[ox.Triple], shapes: rdflib.Graph) -> None:
    """validate_graphs (rdflib graph) and validate_triples (Oxigraph store) give the same results."""
    picked = [c for c in CASES if c.expect][::5]
    text = VALID + "\n".join(c.add for c in picked)
    via_oxigraph = check(text, ontology, shapes)
    data = to_rdflib_graph(ox.parse(text.encode(), format=ox.RdfFormat.TURTLE, base_iri=BASE))
    via_rdflib = validate_graphs(data, shapes, to_rdflib_graph(ontology), base=BASE)
    assert found(via_oxigraph) == set().union(*(c.expect for c in picked))
    # Oxigraph writes literals in canonical form ("1300000.0"^^xsd:decimal comes back as "1300000"):
    # compare values as values.
    assert [normalised(r) for r in via_rdflib.results] == [normalised(r) for r in via_oxigraph.results]
    assert via_rdflib.conforms is via_oxigraph.conforms is False


def normalised(result: object) -> dict[str, object]:
    from rdflib.util import from_n3

    d = result.to_dict()  # type: ignore[attr-defined]
    if d["value"] is not None:
        term = from_n3(d["value"])
        if isinstance(term, rdflib.Literal):
            d["value"] = (term.datatype, term.language, term.toPython() if not term.ill_typed else str(term))
    return d
