"""Differential test: random small shapes graphs × random data, the SPARQL screen against pyshacl.

The screen may flag more than pyshacl (pyshacl then decides), never less: whenever pyshacl (with
``allow_warnings``, as the build runs it) says "does not conform", the screen must not say
"conforms".  Shapes are built from the components the screen compiles (targets, value type,
cardinality, value range, string, logical, shape-based and property-pair constraints, nested
property shapes, custom severities); a shape the screen refuses (Unsupported) is fine.
"""

from __future__ import annotations

import pyoxigraph as ox
import pyshacl
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError

from polevents.validate.screen import Unsupported, compile_shapes, screen

PREFIXES = """@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

NODES = ["ex:a", "ex:b", "ex:c", "ex:d"]
CLASSES = ["ex:C", "ex:D"]
PREDICATES = ["ex:p", "ex:q"]
LITERALS = ["1", "2", '"x"@en', '"x"@de', "3.5", "true", '"2022"^^xsd:gYear', '"abc"', '"2022-13-40"^^xsd:date']
OBJECTS = NODES + LITERALS

# ---------------------------------------------------------------- data

triple = st.one_of(
    st.tuples(st.sampled_from(NODES), st.just("a"), st.sampled_from(CLASSES)),
    st.tuples(st.sampled_from(NODES), st.sampled_from(PREDICATES), st.sampled_from(OBJECTS)),
)
data_graph = st.builds(
    lambda ts, sub: "".join(f"{s} {p} {o} .\n" for s, p, o in ts) + ("ex:D rdfs:subClassOf ex:C .\n" if sub else ""),
    st.lists(triple, min_size=0, max_size=12),
    st.booleans(),
)

# ---------------------------------------------------------------- shapes

paths = st.sampled_from(["ex:p", "ex:q", "[ sh:inversePath ex:p ]", "( ex:p ex:q )", "[ sh:zeroOrMorePath ex:p ]"])
severity = st.sampled_from(["", "sh:severity sh:Warning ;", "sh:severity sh:Info ;", "sh:severity ex:Custom ;"])

value_constraint = st.one_of(
    st.sampled_from(CLASSES).map(lambda c: f"sh:class {c} ;"),
    st.sampled_from(["xsd:integer", "xsd:string", "rdf:langString", "xsd:gYear", "xsd:date", "xsd:decimal"]).map(
        lambda d: f"sh:datatype {d} ;"
    ),
    st.sampled_from(["sh:IRI", "sh:Literal", "sh:BlankNodeOrIRI", "sh:IRIOrLiteral"]).map(
        lambda k: f"sh:nodeKind {k} ;"
    ),
    st.integers(0, 3).map(lambda n: f"sh:minLength {n} ;"),
    st.integers(0, 3).map(lambda n: f"sh:maxLength {n} ;"),
    st.sampled_from(['"^a"', '"b"', '"x$"', '"^[0-9]+$"']).map(lambda r: f"sh:pattern {r} ;"),
    st.sampled_from(["1", "2", "3.5"]).map(lambda n: f"sh:minInclusive {n} ;"),
    st.sampled_from(["1", "2"]).map(lambda n: f"sh:maxExclusive {n} ;"),
    st.lists(st.sampled_from(NODES), min_size=1, max_size=2).map(lambda ns: f"sh:in ( {' '.join(ns)} ) ;"),
    st.sampled_from(['"en"', '"de"']).map(lambda lang: f"sh:languageIn ( {lang} ) ;"),
)


def _node_shape(body: list[str]) -> str:
    return "[ " + " ".join(body) + " ]"


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Constraints that contain other shapes (built from ``inner`` constraints)."""
    nested = st.lists(inner, min_size=1, max_size=2).map(_node_shape)
    prop = st.builds(
        lambda path, cs, sev: f"sh:property [ sh:path {path} ; {sev} {' '.join(cs)} ] ;",
        paths,
        st.lists(
            st.one_of(
                inner,
                st.integers(0, 2).map(lambda n: f"sh:minCount {n} ;"),
                st.integers(0, 2).map(lambda n: f"sh:maxCount {n} ;"),
                st.just("sh:uniqueLang true ;"),
                st.sampled_from(PREDICATES).map(lambda p: f"sh:disjoint {p} ;"),
                st.sampled_from(PREDICATES).map(lambda p: f"sh:lessThan {p} ;"),
                st.sampled_from(NODES).map(lambda n: f"sh:hasValue {n} ;"),
            ),
            min_size=1,
            max_size=3,
        ),
        severity,
    )
    return st.one_of(
        inner,
        nested.map(lambda s: f"sh:node {s} ;"),
        nested.map(lambda s: f"sh:not {s} ;"),
        st.lists(nested, min_size=1, max_size=2).map(lambda ss: f"sh:or ( {' '.join(ss)} ) ;"),
        st.lists(nested, min_size=1, max_size=2).map(lambda ss: f"sh:and ( {' '.join(ss)} ) ;"),
        st.lists(nested, min_size=1, max_size=2).map(lambda ss: f"sh:xone ( {' '.join(ss)} ) ;"),
        prop,
    )


constraint = st.recursive(value_constraint, _extend, max_leaves=6)
target = st.one_of(
    st.sampled_from(CLASSES).map(lambda c: f"sh:targetClass {c} ;"),
    st.sampled_from(NODES).map(lambda n: f"sh:targetNode {n} ;"),
    st.sampled_from(PREDICATES).map(lambda p: f"sh:targetSubjectsOf {p} ;"),
    st.sampled_from(PREDICATES).map(lambda p: f"sh:targetObjectsOf {p} ;"),
)
shape = st.builds(
    lambda i, t, sev, cs: f"ex:S{i} a sh:NodeShape ; {t} {sev} {' '.join(cs)} .\n",
    st.integers(0, 9),
    target,
    severity,
    st.lists(constraint, min_size=1, max_size=3),
)
shapes_graph = st.lists(shape, min_size=1, max_size=2).map(lambda ss: "".join(f"{s}" for s in dict.fromkeys(ss)))


def _pyshacl_conforms(data: str, shapes: str) -> bool:
    d = rdflib.Graph().parse(data=PREFIXES + data, format="turtle")
    s = rdflib.Graph().parse(data=PREFIXES + shapes, format="turtle")
    try:
        conforms, _graph, _text = pyshacl.validate(
            d, shacl_graph=s, inference="none", advanced=True, allow_warnings=True, inplace=True
        )
    except (ConstraintLoadError, ReportableRuntimeError):  # the reference refuses the shapes: nothing may be published
        return False
    return bool(conforms)


def _screen_conforms(data: str, shapes: str) -> bool | None:
    store = ox.Store()
    store.load((PREFIXES + data).encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("urn:g"))
    try:
        compiled = compile_shapes(rdflib.Graph().parse(data=PREFIXES + shapes, format="turtle"))
        return screen(store, compiled).conforms
    except Unsupported:
        return None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shapes=shapes_graph, data=data_graph)
def test_screen_never_passes_what_pyshacl_rejects(shapes: str, data: str) -> None:
    verdict = _screen_conforms(data, shapes)
    if verdict is True:
        assert _pyshacl_conforms(data, shapes), f"screen says conforms, pyshacl does not\n{shapes}\n{data}"
