"""The screen's class tests rendered for a store (``validate/classes.py``) give the solutions of the
path form ``?x rdf:type/rdfs:subClassOf* C`` — on random class hierarchies (chains, cycles, blank
nodes, several named graphs), inside a target and inside ``EXISTS``."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import given, settings
from hypothesis import strategies as st

from polevents.validate.classes import Closures, check_unmarked, mark, plain
from polevents.validate.screen import Unsupported, compile_shapes

EX = "http://example.org/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
SUB = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
CLASSES = [f"<{EX}C{i}>" for i in range(3)] + ["_:anon"]
NODES = [f"<{EX}n{i}>" for i in range(4)]
GRAPHS = [f"<{EX}g{i}>" for i in range(2)]

quad = st.one_of(
    st.tuples(st.sampled_from(CLASSES), st.just(SUB), st.sampled_from(CLASSES), st.sampled_from(GRAPHS)),
    st.tuples(st.sampled_from(NODES), st.just(RDF_TYPE), st.sampled_from(CLASSES), st.sampled_from(GRAPHS)),
)


def _store(quads: list[tuple[str, str, str, str]]) -> ox.Store:
    store = ox.Store()
    text = "".join(f"{s} {p} {o} {g} .\n" for s, p, o, g in quads)
    store.load(text.encode(), format=ox.RdfFormat.N_QUADS)
    return store


def _solutions(store: ox.Store, query: str) -> set[str]:
    rows = store.query(query, use_default_graph_as_union=True)
    assert isinstance(rows, ox.QuerySolutions)
    return {str(row["x"]) for row in rows}


@settings(max_examples=150, deadline=None)
@given(st.lists(quad, max_size=14), st.sampled_from([c for c in CLASSES if c.startswith("<")] + ['"lit"']))
def test_rendered_class_tests_have_the_path_forms_solutions(quads: list[tuple[str, str, str, str]], cls: str) -> None:
    store = _store(quads)
    classes = Closures(store)
    for query in (
        f"SELECT DISTINCT ?x WHERE {{ {{ {mark('?x', cls)} . }} UNION {{ ?x {RDF_TYPE} <{EX}none> . }} }}",
        f"SELECT DISTINCT ?x WHERE {{ VALUES ?x {{ {' '.join(NODES)} }} FILTER EXISTS {{ {mark('?x', cls)} }} }}",
        f"SELECT DISTINCT ?x WHERE {{ VALUES ?x {{ {' '.join(NODES)} }} FILTER NOT EXISTS {{ {mark('?x', cls)} }} }}",
    ):
        assert _solutions(store, classes.render(query)) == _solutions(store, plain(query))


def test_a_blank_node_subclass_keeps_the_path_form() -> None:
    store = _store([("_:b", SUB, f"<{EX}C>", GRAPHS[0]), (NODES[0], RDF_TYPE, "_:b", GRAPHS[1])])
    query = f"SELECT ?x WHERE {{ {mark('?x', f'<{EX}C>')} }}"
    rendered = Closures(store).render(query)
    assert rendered == plain(query) and "VALUES" not in rendered
    assert _solutions(store, rendered) == {NODES[0]}


def test_subclasses_at_any_depth_and_in_another_graph_are_in_the_closure() -> None:
    store = _store(
        [
            (f"<{EX}E>", SUB, f"<{EX}D>", GRAPHS[1]),
            (f"<{EX}D>", SUB, f"<{EX}C>", GRAPHS[0]),
            (NODES[0], RDF_TYPE, f"<{EX}E>", GRAPHS[1]),
        ]
    )
    rendered = Closures(store).render(f"SELECT ?x WHERE {{ {mark('?x', f'<{EX}C>')} }}")
    assert f"VALUES ?polevents_class_1 {{ <{EX}C> <{EX}D> <{EX}E> }}" in rendered
    assert _solutions(store, rendered) == {NODES[0]}


def test_a_shapes_sparql_text_with_mark_characters_is_refused() -> None:
    with pytest.raises(Unsupported, match="control characters"):
        check_unmarked('SELECT $this WHERE { $this ?p "\x01" }', "ex:c")
    shapes = rdflib.Graph().parse(
        data=f"""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <{EX}S> a sh:NodeShape ; sh:targetNode <{EX}n0> ;
            sh:sparql [ sh:select "SELECT $this WHERE {{ $this ?p \\"\\u0001\\" }}" ] .""",
        format="turtle",
    )
    with pytest.raises(Unsupported, match="control characters"):
        compile_shapes(shapes)
