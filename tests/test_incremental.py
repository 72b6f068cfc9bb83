"""Incremental screen (#14): after a one-graph edit, re-checking only the focus nodes each query can
reach from a changed triple gives exactly the full screen's findings.

* a differential test (hypothesis): random data in two graphs, random edits of one graph (add,
  remove, modify; type changes, subclass membership, links that make a node of the OTHER graph
  fail through paths of two or three hops, SPARQL constraints across nodes), the incremental
  report == the full screen's report (rule, focus node, severity), and both agree with pyshacl
  on "conforms";
* planted cases the earlier narrowing ("touched nodes + one link", removed in 2c7c712) got wrong;
* the footprint of queries it cannot bound is "unbounded" (→ the query runs in full).
"""

from __future__ import annotations

import functools

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.namespace import XSD

from polevents.validate import footprint as fp_module
from polevents.validate.footprint import footprint
from polevents.validate.incremental import Memory, screen_incremental
from polevents.validate.screen import CompiledShapes, ScreenReport, compile_shapes, screen

PREFIXES = """@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
EX = "http://example.org/"

# Shapes that read far from their focus node: a two-hop path whose end must be of a class (a third
# hop: its type, with subclasses), an inverse path, a nested node shape on a path, a closed shape,
# targets of every kind, a warning, and SPARQL constraints that join two focus nodes through a
# shared value (like pesh:TenureOverlap) or read a value's neighbour, a SPARQL target (an incremental check
# restricts it inside its own WHERE clause), and ill-typed literals (kept from the last check, with the
# ones the change adds).
SHAPES = """
ex:Deep a sh:NodeShape ; sh:targetClass ex:A ; sh:property ex:DeepP .
ex:DeepP sh:path ( ex:p ex:q ) ; sh:class ex:C .
ex:Inverse a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:InverseR .
ex:InverseR sh:path [ sh:inversePath ex:r ] ; sh:maxCount 1 .
ex:Nested a sh:NodeShape ; sh:targetSubjectsOf ex:q ; sh:property ex:NestedQ .
ex:NestedQ sh:path ex:q ; sh:node ex:Inner .
ex:Inner a sh:NodeShape ; sh:property [ sh:path ex:p ; sh:maxCount 1 ; sh:datatype xsd:integer ] ,
    [ sh:path ex:r ; sh:node ex:Inner2 ] .
ex:Inner2 a sh:NodeShape ; sh:property [ sh:path ex:v ; sh:maxCount 1 ] .
ex:Closed a sh:NodeShape ; sh:targetClass ex:B ; sh:closed true ;
    sh:ignoredProperties ( rdf:type ) ;
    sh:property [ sh:path ex:p ] , [ sh:path ex:q ] , [ sh:path ex:r ] .
ex:Objects a sh:NodeShape ; sh:targetObjectsOf ex:r ; sh:severity sh:Warning ;
    sh:property [ sh:path ex:v ; sh:minCount 1 ] .
ex:Node a sh:NodeShape ; sh:targetNode ex:n0 ;
    sh:property [ sh:path ( ex:r ex:r ) ; sh:maxCount 1 ] .
ex:Shared a sh:NodeShape ; sh:targetClass ex:A ; sh:sparql ex:SharedQ .
ex:SharedQ sh:select \"\"\"
        SELECT $this ?value WHERE {
            $this <http://example.org/p> ?x .
            ?value <http://example.org/p> ?x ; a <http://example.org/C> .
            FILTER (?value != $this)
            FILTER NOT EXISTS { ?x <http://example.org/v> 2 }
        }\"\"\" .
ex:Neighbour a sh:NodeShape ; sh:targetSubjectsOf ex:r ;
    sh:sparql [ sh:select \"\"\"
        SELECT $this ?value WHERE {
            $this <http://example.org/r> ?value .
            OPTIONAL { ?value <http://example.org/v> ?w }
            FILTER (!BOUND(?w) || (isNumeric(?w) && ?w > 1))
        }\"\"\" ] .
ex:Targeted a sh:NodeShape ;
    sh:target [ a sh:SPARQLTarget ; sh:select \"\"\"
        SELECT ?this WHERE { ?this <http://example.org/q> ?x . ?x <http://example.org/v> ?w }\"\"\" ] ;
    sh:property [ sh:path ex:r ; sh:maxCount 1 ] .
"""
ONTOLOGY = "ex:B rdfs:subClassOf ex:A .\nex:D rdfs:subClassOf ex:C .\n"
NODES = [f"ex:n{i}" for i in range(6)]
CLASSES = ["ex:A", "ex:B", "ex:C", "ex:D"]
PREDICATES = ["ex:p", "ex:q", "ex:r"]
LITERALS = ["1", "2", '"x"']
ILL_TYPED = '"one"^^xsd:integer'  # a value of ex:p, whose sh:datatype is xsd:integer

triple = st.one_of(
    st.tuples(st.sampled_from(NODES), st.just("a"), st.sampled_from(CLASSES)),
    st.tuples(st.sampled_from(NODES), st.sampled_from(PREDICATES), st.sampled_from([*NODES, "1", ILL_TYPED])),
    st.tuples(st.sampled_from(NODES), st.just("ex:v"), st.sampled_from(LITERALS)),
)
graph = st.lists(triple, max_size=10).map(lambda ts: sorted(set(ts)))


def _ttl(triples: list[tuple[str, str, str]]) -> str:
    return "".join(f"{s} {p} {o} .\n" for s, p, o in triples)


def _store(graphs: dict[str, list[tuple[str, str, str]]], ontology: str = ONTOLOGY) -> ox.Store:
    store = ox.Store()
    store.load((PREFIXES + ontology).encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("urn:ontology"))
    for name, triples in graphs.items():
        if triples:
            store.load((PREFIXES + _ttl(triples)).encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(name))
    return store


def _replace(store: ox.Store, name: str, triples: list[tuple[str, str, str]]) -> list[ox.Triple]:
    """Replace graph ``name`` as the kept store does; the changed triples (old ^ new)."""
    g = ox.NamedNode(name)
    old = {q.triple for q in store.quads_for_pattern(None, None, None, g)}
    store.remove_graph(g)
    if triples:
        store.load((PREFIXES + _ttl(triples)).encode(), format=ox.RdfFormat.TURTLE, to_graph=g)
    new = {q.triple for q in store.quads_for_pattern(None, None, None, g)}
    return sorted(old ^ new, key=str)


@functools.cache
def _compiled() -> CompiledShapes:
    return compile_shapes(rdflib.Graph().parse(data=PREFIXES + SHAPES, format="turtle"))


def _key(report: ScreenReport) -> list[tuple[str, str, str]]:
    return [(r.rule, r.focus, r.severity) for r in report.results]


def _pyshacl_conforms(store: ox.Store) -> bool:
    data = rdflib.Graph()
    for q in store.quads_for_pattern(None, None, None, None):
        data.parse(data=f"{q.subject} {q.predicate} {q.object} .", format="nt")
    conforms, _g, _t = pyshacl.validate(
        data,
        shacl_graph=rdflib.Graph().parse(data=PREFIXES + SHAPES, format="turtle"),
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    return bool(conforms)


def _incremental(
    before: dict[str, list[tuple[str, str, str]]], graph_name: str, after: list[tuple[str, str, str]]
) -> tuple[ScreenReport, ScreenReport, str, ox.Store]:
    """(incremental report, full report, how it was screened, the store) after the edit."""
    compiled = _compiled()
    store = _store(before)
    _first, memory, _note = screen_incremental(store, compiled, None, None)
    changed = _replace(store, graph_name, after)
    report, _memory, note = screen_incremental(store, compiled, changed, Memory.from_json(memory.to_json()))
    return report, screen(store, compiled), note, store


edit = st.tuples(
    st.sampled_from(["urn:g1", "urn:g2"]),
    st.lists(st.integers(0, 9), max_size=3),  # indexes of triples to remove
    st.lists(triple, max_size=3),  # triples to add
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(g1=graph, g2=graph, change=edit)
def test_incremental_screen_equals_the_full_screen(g1: list, g2: list, change: tuple) -> None:  # type: ignore[type-arg]
    name, drop, add = change
    before = {"urn:g1": g1, "urn:g2": g2}
    old = before[name]
    after = sorted({t for i, t in enumerate(old) if i not in drop} | set(add))
    report, full, _note, _store = _incremental(before, name, after)
    assert _key(report) == _key(full), (before, name, after)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(g1=graph, g2=graph, change=edit)
def test_incremental_and_full_screen_agree_with_pyshacl(g1: list, g2: list, change: tuple) -> None:  # type: ignore[type-arg]
    name, drop, add = change
    before = {"urn:g1": g1, "urn:g2": g2}
    after = sorted({t for i, t in enumerate(before[name]) if i not in drop} | set(add))
    report, full, _note, store = _incremental(before, name, after)
    assert report.conforms == full.conforms == _pyshacl_conforms(store)


# ---------------------------------------------------------------- planted cases

# Each: the other graph holds the focus node; the edited graph changes something two or three hops
# away.  "touched + one link" checked only the changed triples' subjects and the nodes pointing at
# them, and missed every one of these.
PLANTED = [
    pytest.param(
        # n1 (an A, in g1) reaches n3 by p/q; g2 takes n3's class C away: ex:Deep fails at n1
        {
            "urn:g1": [("ex:n1", "a", "ex:A"), ("ex:n1", "ex:p", "ex:n2"), ("ex:n2", "ex:q", "ex:n3")],
            "urn:g2": [("ex:n3", "a", "ex:C")],
        },
        "urn:g2",
        [("ex:n3", "a", "ex:E")],
        ("http://example.org/DeepP", "http://example.org/n1"),
        id="class-of-a-value-two-hops-away",
    ),
    pytest.param(
        # n1 is a B, so an A by the ontology (subclass); its value's value loses class D (a C)
        {
            "urn:g1": [("ex:n1", "a", "ex:B"), ("ex:n1", "ex:p", "ex:n2"), ("ex:n2", "ex:q", "ex:n3")],
            "urn:g2": [("ex:n3", "a", "ex:D")],
        },
        "urn:g2",
        [],
        ("http://example.org/DeepP", "http://example.org/n1"),
        id="subclass-membership-of-a-value",
    ),
    pytest.param(
        # ex:Shared: n1 (A) and n4 (C) share the p-value n2; g2 makes n4 a C (n4's p is in g1)
        {
            "urn:g1": [("ex:n1", "a", "ex:A"), ("ex:n1", "ex:p", "ex:n2"), ("ex:n4", "ex:p", "ex:n2")],
            "urn:g2": [("ex:n5", "ex:v", "1")],
        },
        "urn:g2",
        [("ex:n4", "a", "ex:C")],
        ("http://example.org/SharedQ", "http://example.org/n1"),
        id="sparql-constraint-across-two-focus-nodes",
    ),
    pytest.param(
        # ex:Inverse: n3 (a C, in g1) has one r pointing at it; g2 adds a second (from n2)
        {"urn:g1": [("ex:n3", "a", "ex:C"), ("ex:n1", "ex:r", "ex:n3")], "urn:g2": []},
        "urn:g2",
        [("ex:n2", "ex:r", "ex:n3")],
        ("http://example.org/InverseR", "http://example.org/n3"),
        id="inverse-path-from-the-other-graph",
    ),
    pytest.param(
        # ex:Nested: n1 q n2 r n3 (g1); g2 gives n3 a second v: n1 fails (its value does not conform)
        {"urn:g1": [("ex:n1", "ex:q", "ex:n2"), ("ex:n2", "ex:r", "ex:n3"), ("ex:n3", "ex:v", "1")], "urn:g2": []},
        "urn:g2",
        [("ex:n3", "ex:v", "2")],
        ("http://example.org/NestedQ", "http://example.org/n1"),
        id="nested-node-shape",
    ),
]


@pytest.mark.parametrize(("before", "name", "after", "expected"), PLANTED)
def test_a_change_far_from_a_focus_node_is_found(
    before: dict[str, list[tuple[str, str, str]]],
    name: str,
    after: list[tuple[str, str, str]],
    expected: tuple[str, str],
) -> None:
    report, full, note, _store = _incremental(before, name, after)
    assert expected in {(r.rule, r.focus) for r in full.results}, full.results  # the planted violation
    assert expected not in {(r.rule, r.focus) for r in screen(_store_of(before), _compiled()).results}
    assert _key(report) == _key(full)
    assert "queries on the" in note  # found by a narrowed check, not a full one


def _store_of(graphs: dict[str, list[tuple[str, str, str]]]) -> ox.Store:
    return _store(graphs)


def test_the_old_narrowing_misses_the_planted_cases() -> None:
    """The planted cases are real: "touched nodes + one link" would not have re-checked the focus node."""
    for case in PLANTED:
        before, name, after, (_rule, focus) = case.values
        store = _store(before)
        changed = _replace(store, name, after)
        touched = {t.subject.value for t in changed if isinstance(t.subject, ox.NamedNode)}
        one_link = {
            q.subject.value
            for n in touched
            for q in store.quads_for_pattern(None, None, ox.NamedNode(n), None)
            if isinstance(q.subject, ox.NamedNode)
        }
        assert focus not in touched | one_link, case.id


def test_a_change_of_the_class_hierarchy_checks_everything() -> None:
    before = {"urn:g1": [("ex:n1", "a", "ex:A")], "urn:g2": []}
    _report, _full, note, _store = _incremental(before, "urn:g2", [("ex:E", "rdfs:subClassOf", "ex:C")])
    assert note.startswith("all ")


# ---------------------------------------------------------------- footprints


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?this WHERE { ?this <http://x/p>* ?y }",  # a path of any length
        "SELECT ?this WHERE { ?this <http://x/p>+ ?y }",
        "SELECT ?this WHERE { ?this <http://x/p> ?y . ?a <http://x/q> ?b }",  # a pattern not linked to ?this
        "SELECT ?this WHERE { ?this <http://x/p> ?y . FILTER NOT EXISTS { ?a <http://x/q> ?y } . ?z ?p ?w }",
        "SELECT ?this WHERE { ?this <http://x/p> ?y . OPTIONAL { ?a <http://x/q> ?b } }",
        "SELECT ?this WHERE { ?this <http://x/p> ?y OPTIONAL { ?y <http://x/q> ?b OPTIONAL { ?b <http://x/r> ?c } } }",
        "SELECT ?this WHERE { { ?a <http://x/q> ?b } ?this <http://x/p> ?y }",  # a nested group on its own
        "SELECT ?this WHERE { ?this <http://x/p> ?y { SELECT ?y WHERE { ?y <http://x/q> ?z } } }",
        "SELECT ?this WHERE { BIND(EXISTS { ?y <http://x/q> ?z } AS ?ok) ?this <http://x/p> ?y }",  # ?y unbound there
        "SELECT ?this WHERE { ?this !<http://x/p> ?y }",
        # an OPTIONAL before anything binds ?this is evaluated on its own (global), then joined
        "SELECT ?this WHERE { OPTIONAL { ?this <http://x/q> ?y } ?this <http://x/p> ?z }",
        "SELECT ?this WHERE { BIND(EXISTS { ?this <http://x/q> ?y } AS ?b) ?this <http://x/p> ?z }",
        "SELECT ?this WHERE { GRAPH ?g { ?this <http://x/p> ?y } }",
        "SELECT ?this WHERE { ?this <http://x/p> ?y } ORDER BY ?y",
        "SELECT ?this WHERE { ?this <http://x/p> [ <http://x/q> ?z ] }",
        "SELECT ?this WHERE { ?this p:x ?y }",  # an unknown prefix
        "SELECT * WHERE { ?this <http://x/p> ?y }",
    ],
)
def test_what_cannot_be_bounded_runs_in_full(query: str) -> None:
    assert footprint(query) is None


def test_a_footprint_follows_every_path() -> None:
    query = (
        "PREFIX x: <http://x/>\nSELECT ?this WHERE { ?this x:p/^x:q ?y . ?y (x:r|x:s) ?z . "
        "FILTER NOT EXISTS { ?z x:t ?w } OPTIONAL { ?y x:u ?o FILTER EXISTS { ?o x:w ?m } } BIND(EXISTS { ?this x:v ?k } AS ?b) }"
    )
    fp = footprint(query)
    assert fp is not None
    S = fp_module.Step
    p, q_inv = S("http://x/p"), S("http://x/q", inverse=True)
    assert fp.lookups == {
        ((), p),
        ((p,), q_inv),
        ((p, q_inv), S("http://x/r")),
        ((p, q_inv), S("http://x/s")),
        ((p, q_inv, S("http://x/r")), S("http://x/t")),
        ((p, q_inv, S("http://x/s")), S("http://x/t")),
        ((p, q_inv), S("http://x/u")),
        ((p, q_inv, S("http://x/u")), S("http://x/w")),
        ((), S("http://x/v")),
    }


def test_every_query_of_the_project_shapes_is_bounded() -> None:
    """The project's own shapes (34 queries today) all have a footprint: a rebuild can narrow each."""
    from pathlib import Path

    from polevents import verdict
    from polevents.load import Layout
    from polevents.validate.classes import plain
    from polevents.validate.screen import _queries

    root = Path(__file__).resolve().parent.parent
    compiled = compile_shapes(verdict._shapes(Layout.of(root), None))
    queries = [plain(q("")) for q, _c, _w in _queries(compiled, {})]
    assert queries and all(footprint(q) is not None for q in queries)


# ---------------------------------------------------------------- the term checks after a change

BASE = "https://example.org/"
PE_NS = "https://w3id.org/polevents/ontology#"
TERM_ONTOLOGY = f"<{PE_NS}Thing> a <http://www.w3.org/2002/07/owl#Class> .\n<{PE_NS}link> a <http://www.w3.org/2002/07/owl#ObjectProperty> .\n"
term_triple = st.tuples(
    st.sampled_from([f"<{BASE}id/n{i}>" for i in range(4)]),
    st.sampled_from(["a", f"<{PE_NS}link>", f"<{PE_NS}lnk>"]),
    st.sampled_from([f"<{PE_NS}Thing>", f"<{PE_NS}Thng>", *(f"<{BASE}id/n{i}>" for i in range(5))]),
)
term_graph = st.lists(term_triple, max_size=6).map(lambda ts: sorted(set(ts)))


_NODES4 = [f"<{BASE}id/n{i}>" for i in range(4)]
clean_graph = st.builds(
    lambda typed, links: sorted({(n, "a", f"<{PE_NS}Thing>") for n in typed} | set(links)),
    st.lists(st.sampled_from(_NODES4), max_size=4),
    st.lists(st.tuples(st.sampled_from(_NODES4), st.just(f"<{PE_NS}link>"), st.sampled_from(_NODES4)), max_size=4),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(g1=clean_graph, g2=clean_graph, after=term_graph, which=st.sampled_from(["urn:g1", "urn:g2"]))
def test_term_checks_of_the_changed_iris_equal_the_full_check(g1: list, g2: list, after: list, which: str) -> None:  # type: ignore[type-arg]
    """With no problem before the change (a conforming store), checking only the IRIs of the changed
    triples finds exactly what checking every term finds (same problems, same messages)."""
    from hypothesis import assume

    from polevents.validate.terms import check_terms
    from polevents.vocab import ONTOLOGY_IRI

    store = _store({"urn:g1": g1, "urn:g2": g2}, ontology="")
    store.load(TERM_ONTOLOGY.encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ONTOLOGY_IRI))
    assume(not check_terms(store, BASE))
    changed = _replace(store, which, after)
    iris = {t.value for triple in changed for t in triple if isinstance(t, ox.NamedNode)}
    assert check_terms(store, BASE, only=iris) == check_terms(store, BASE)


def test_an_ill_typed_literal_added_by_a_change_is_found_and_remembered() -> None:
    """The incremental screen takes the last check's ill-typed literals and those of the changed
    triples, without a scan of the store; the literal stays flagged in the next rebuild too."""
    before = {"urn:g1": [("ex:n1", "ex:q", "ex:n2")], "urn:g2": [("ex:n2", "ex:p", "1")]}
    after = [("ex:n2", "ex:p", ILL_TYPED)]
    report, full, note, store = _incremental(before, "urn:g2", after)
    assert "focus node" in note  # narrowed, not a full screen
    assert not full.conforms and _key(report) == _key(full)
    assert (EX + "n1") in {r.focus for r in report.results}
    compiled = _compiled()
    _report, memory, _note = screen_incremental(store, compiled, None, None)
    assert memory.ill_typed is not None and memory.ill_typed[str(XSD.integer)] == ['"one"^^<' + str(XSD.integer) + ">"]
    # a new focus node reaching the ill-typed literal of an unchanged graph: known from the memory only
    changed = _replace(store, "urn:g1", [("ex:n1", "ex:q", "ex:n2"), ("ex:n4", "ex:q", "ex:n2")])
    again, _memory, note = screen_incremental(store, compiled, changed, Memory.from_json(memory.to_json()))
    assert "focus node" in note and _key(again) == _key(screen(store, compiled))
    assert (EX + "n4") in {r.focus for r in again.results}
