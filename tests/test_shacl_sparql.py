"""The SPARQL screen (shapes compiled to SPARQL, run by Oxigraph) against pyshacl, the reference.

The screen lets `polevents build` skip pyshacl on conforming data, so it must never miss what
pyshacl reports.  Checked here, result for result ((rule, focus node) pairs):

* every planted-error case of tests/planted_cases.py, one by one, against the results that test
  asserts pyshacl gives;
* all those cases together, and the repository's own data, against pyshacl run here;
* the Wikidata link shapes (sh:pattern under sh:or and sh:not, case-insensitive) on tricky IRIs;
* features the screen does not compile are refused (Unsupported), so the build runs pyshacl.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

import planted_cases as test_shapes
from polevents.load import load_project, parse_file, to_rdflib_graph
from polevents.validate import SHAPES_NS, validate_triples
from polevents.validate.screen import Unsupported, compile_shapes, screen

REPO = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/polevents/"
SH = "http://www.w3.org/ns/shacl#"


@pytest.fixture(scope="module")
def ontology() -> list[ox.Triple]:
    return [t for p in sorted((REPO / "ontology").glob("*.ttl")) for t in parse_file(p, BASE)]


def _shapes(*names: str) -> list[ox.Triple]:
    return [t for n in names for t in parse_file(REPO / "shapes" / n, BASE)]


def _store(text: str, ontology: list[ox.Triple]) -> ox.Store:
    """The data as the build holds it: the source in one named graph, the ontology in another."""
    store = ox.Store()
    g = ox.NamedNode(BASE + "graph/test")
    store.bulk_extend(
        ox.Quad(t.subject, t.predicate, t.object, g)
        for t in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE, base_iri=BASE)
    )
    onto = ox.NamedNode("https://w3id.org/polevents/ontology")
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, onto) for t in ontology)
    return store


def _name(iri: str) -> str:
    return iri[len(SHAPES_NS) :] if iri.startswith(SHAPES_NS) else iri


def _screen_found(text: str, ontology: list[ox.Triple], shapes: rdflib.Graph) -> set[tuple[str, str, str]]:
    report = screen(_store(text, ontology), compile_shapes(shapes))
    return {(_name(r.rule), r.focus, r.severity.rsplit("#", 1)[1]) for r in report.results}


def _pyshacl_found(text: str, ontology: list[ox.Triple], shapes: rdflib.Graph) -> set[tuple[str, str, str]]:
    triples = ox.parse(text.encode(), format=ox.RdfFormat.TURTLE, base_iri=BASE)
    report = validate_triples(triples, shapes, ontology, base=BASE)
    return {(_name(r.source_constraint or r.source_shape), r.focus, r.severity) for r in report.results}


@pytest.fixture(scope="module")
def core_shapes() -> rdflib.Graph:
    return to_rdflib_graph(_shapes("polevents-shapes.ttl"))


@pytest.mark.parametrize("c", test_shapes.CASES, ids=[c.id for c in test_shapes.CASES])
def test_same_results_as_pyshacl_on_every_planted_error(
    c: test_shapes.Case, ontology: list[ox.Triple], core_shapes: rdflib.Graph
) -> None:
    found = _screen_found(test_shapes.VALID + "\n" + c.add + "\n", ontology, core_shapes)
    assert {(rule, focus[len(BASE) :]) for rule, focus, _sev in found} == set(c.expect)
    conforms = c.conforms if c.conforms is not None else not c.expect
    assert all(sev == ("Warning" if conforms else "Violation") for _r, _f, sev in found)


def test_all_cases_together_match_pyshacl(ontology: list[ox.Triple], core_shapes: rdflib.Graph) -> None:
    text = test_shapes.VALID + "\n" + "\n".join(c.add for c in test_shapes.CASES) + "\n"
    expected = _pyshacl_found(text, ontology, core_shapes)
    assert len(expected) >= 60
    assert _screen_found(text, ontology, core_shapes) == expected


def test_repository_data_matches_pyshacl(ontology: list[ox.Triple]) -> None:
    project = load_project(REPO)
    shapes = to_rdflib_graph(project.shapes)
    text_graph = ox.serialize((t for s in project.sources for t in s.triples), format=ox.RdfFormat.N_TRIPLES)
    assert isinstance(text_graph, bytes)
    text = text_graph.decode()
    assert _screen_found(text, ontology, shapes) == _pyshacl_found(text, ontology, shapes)


WIKIDATA_CASES = {
    "good": "<http://www.wikidata.org/entity/Q1>",
    "https": "<https://www.wikidata.org/entity/Q1>",
    "page": "<https://www.wikidata.org/wiki/Q1>",
    "property": "<http://www.wikidata.org/entity/P31>",
    "zero": "<http://www.wikidata.org/entity/Q0>",
    "upper": "<http://WWW.WIKIDATA.ORG/entity/Q1>",
    "other": "<http://dbpedia.org/resource/Astana>",
    "literal-other": '"Astana"',
    "literal-wd": '"http://www.wikidata.org/entity/Q1"',
    "kelvin": "<http://www.wi\u212adata.org/entity/Q1>",
    "long-s": "<http://wikidata.org/\u017fomething>",
    "cyrillic": "<http://example.org/\u0432\u0438\u043a\u0438>",
}


def test_wikidata_link_patterns_match_pyshacl(ontology: list[ox.Triple]) -> None:
    shapes = to_rdflib_graph(_shapes("wikidata-links.ttl"))
    text = "".join(
        f"<{BASE}id/test/{name}> <http://www.w3.org/2004/02/skos/core#closeMatch> {value} .\n"
        for name, value in WIKIDATA_CASES.items()
    )
    screened = _screen_found(text, ontology, shapes)
    reference = _pyshacl_found(text, ontology, shapes)
    # Never less than pyshacl; on these values (printable ASCII or not) exactly pyshacl, except
    # non-ASCII IRIs under the case-insensitive rule, which the screen flags to be safe.
    assert reference <= screened
    extra = {focus for _r, focus, _s in screened - reference}
    assert extra <= {f"{BASE}id/test/{n}" for n in ("kelvin", "long-s", "cyrillic")}
    flagged = {focus[len(BASE) + 8 :] for _r, focus, _s in reference}
    assert {"https", "page", "property", "zero", "upper", "literal-wd", "literal-other"} <= flagged
    assert not flagged & {"good", "other"}


UNSUPPORTED = {
    "qualified": "sh:property [ sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:C ] ; sh:qualifiedMinCount 1 ]",
    "sparql-on-property": 'sh:property [ sh:path ex:p ; sh:sparql [ sh:select "SELECT $this WHERE { }" ] ]',
    "plain-string-in": 'sh:property [ sh:path ex:p ; sh:in ( "a" "b" ) ]',
    "unknown-param": "sh:property [ sh:path ex:p ; sh:someNewParameter 1 ]",
    "pattern-lookahead": 'sh:property [ sh:path ex:p ; sh:pattern "^(?=a)" ]',
    "range-under-not": "sh:property [ sh:path ex:p ; sh:not [ sh:minInclusive 3 ] ]",
    "big-cardinality": "sh:property [ sh:path ex:p ; sh:minCount 4 ]",
}


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_unsupported_features_are_refused(name: str) -> None:
    text = (
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n"
        f"ex:S a sh:NodeShape ; sh:targetClass ex:C ; {UNSUPPORTED[name]} .\n"
    )
    shapes = rdflib.Graph().parse(data=text, format="turtle")
    with pytest.raises(Unsupported):
        compile_shapes(shapes)


def test_supported_core_features_match_pyshacl(ontology: list[ox.Triple]) -> None:
    """Constraints the project's shapes do not use yet, on data that breaks and keeps each."""
    shapes_text = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ;
  sh:property [ sh:path ex:tag ; sh:in ( ex:a ex:b ) ] ;
  sh:property [ sh:path ex:lang ; sh:languageIn ( "en" "kk" ) ; sh:maxLength 5 ] ;
  sh:property [ sh:path ex:same ; sh:equals ex:same2 ] ;
  sh:property [ sh:path ( ex:next ex:tag ) ; sh:maxCount 1 ] ;
  sh:property [ sh:path [ sh:inversePath ex:owns ] ; sh:minCount 1 ; sh:nodeKind sh:IRI ] ;
  sh:property [ sh:path ex:n ; sh:xone ( [ sh:datatype xsd:integer ] [ sh:datatype xsd:decimal ] ) ;
                sh:maxExclusive 10 ] ;
  sh:property [ sh:path ex:k ; sh:not [ sh:class ex:C ] ] .
ex:T a sh:NodeShape ; sh:targetNode ex:x1 ; sh:closed true ; sh:ignoredProperties ( ex:ok ) ;
  sh:property [ sh:path ex:tag ] .
"""
    data = """
@prefix ex: <http://example.org/> .
ex:good a ex:C ; ex:tag ex:a ; ex:lang "hi"@en ; ex:same ex:a ; ex:same2 ex:a ; ex:next ex:x ;
  ex:n 3 ; ex:k ex:other .
ex:x ex:tag ex:b . ex:owner ex:owns ex:good , ex:bad .
ex:bad a ex:C ; ex:tag ex:c ; ex:lang "hello there"@de ; ex:same ex:a ; ex:same2 ex:b ;
  ex:next ex:y , ex:z ; ex:n 12 , 2.5 , "x" ; ex:k ex:good .
ex:y ex:tag ex:a . ex:z ex:tag ex:b .
ex:lonely a ex:C .
ex:x1 ex:tag ex:a ; ex:ok 1 ; ex:extra 2 .
"""
    shapes = rdflib.Graph().parse(data=shapes_text, format="turtle")
    triples = list(ox.parse(data.encode(), format=ox.RdfFormat.TURTLE))
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode("http://example.org/g")) for t in triples)
    screened = {(r.focus) for r in screen(store, compile_shapes(shapes)).results}
    reference = validate_triples(triples, shapes, None)
    expected = {r.focus for r in reference.results}
    assert expected == {"http://example.org/bad", "http://example.org/lonely", "http://example.org/x1"}
    assert screened == expected


def test_the_screen_runs_on_a_store_restricted_to_focus_nodes(ontology: list[ox.Triple]) -> None:
    """A plan (an incremental rebuild) restricts each query to the focus nodes it gives."""
    from polevents.validate.literals import ill_typed
    from polevents.validate.screen import CompiledShapes, ScreenResult, compile_shapes, screen, screen_store

    class Only:
        def __init__(self, nodes: list[str]) -> None:
            self.nodes = nodes

        def ill_typed(self, compiled: CompiledShapes) -> dict[str, list[str]]:
            return ill_typed(store, compiled.datatypes, compiled.datatype_paths)

        def focus(self, index: int, query: str) -> list[str] | None:
            return [f"<{n}>" for n in self.nodes]

        def merge(self, index: int, focus: list[str] | None, found: set[ScreenResult]) -> set[ScreenResult]:
            return found

    shapes = to_rdflib_graph(_shapes("polevents-shapes.ttl"))
    bad = test_shapes.VALID + "\n<id/person/nameless> a pe:Person .\n<id/person/other> a pe:Person .\n"
    store = _store(bad, ontology)
    everyone = {r.focus for r in screen_store(store, shapes).results}
    assert {BASE + "id/person/nameless", BASE + "id/person/other"} <= everyone
    compiled = compile_shapes(shapes)
    only = screen(store, compiled, plan=Only([BASE + "id/person/other"]))  # type: ignore[arg-type]
    assert {r.focus for r in only.results} == {BASE + "id/person/other"}
    assert screen(store, compiled, plan=Only([])).conforms  # type: ignore[arg-type]
