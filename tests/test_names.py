"""polevents.names: the one rule for prefixed names, and that every name it writes reads back.

Turtle names are checked against the parsers a user meets: Oxigraph (Turtle and
the SPARQL of ``polevents query``) and rdflib (Turtle and SPARQL).
"""

from __future__ import annotations

import doctest
import warnings

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import polevents.names
from polevents.names import IriNames, NameSyntax, compact_iri, is_local_name, prefixed_name, triple_iris, used_prefixes
from polevents.vocab import PREFIXES

NS = "http://ex.org/a/"
BASE = "https://w3id.org/polevents/"


def test_doctests() -> None:
    result = doctest.testmod(polevents.names)
    assert result.attempted >= 8 and result.failed == 0


# ---------------------------------------------------------------- which local parts


@pytest.mark.parametrize(
    "local",
    ["Person", "kassym-jomart-tokayev", "12", "2022-01-05-x", "Q232", "_x", "x_", "x-", "Астана", "é", "x·y",
     "x\u0301", "x:y", ":x", "x%20y", "%41b", "x\u203fy", ""],
)  # fmt: skip
def test_turtle_accepts(local: str) -> None:
    assert is_local_name(local)


@pytest.mark.parametrize(
    "local",
    ["a/b", "x#y", "x?y", "0.1.0", "a.b", "x.", ".x", "-x", "·x", "x%zz", "x%2", "x~y", "x(y)", "x y", "x\\y",
     "x'y", "x,y", "x;y", "x=y", "x*y", "x+y", "x!y", "x$y", "x&y", "x@y", "\u0301x"],
)  # fmt: skip
def test_turtle_refuses(local: str) -> None:
    assert not is_local_name(local)


def test_jsonld_allows_more_but_not_an_absolute_looking_or_empty_local() -> None:
    assert is_local_name("a/b.c", NameSyntax.JSONLD)
    assert is_local_name("0.1.0", NameSyntax.JSONLD)
    assert not is_local_name("", NameSyntax.JSONLD)
    assert not is_local_name("//x", NameSyntax.JSONLD)
    assert prefixed_name(NS + "x/y.z", {"a": NS}, NameSyntax.JSONLD) == "a:x/y.z"
    assert prefixed_name(NS + "x/y.z", {"a": NS}) is None
    # a JSON-LD prefix must end in a gen-delim; Turtle has no such rule
    assert prefixed_name("http://ex.org/ax", {"a": "http://ex.org/a"}, NameSyntax.JSONLD) is None
    assert prefixed_name("http://ex.org/ax", {"a": "http://ex.org/a"}) == "a:x"


# ---------------------------------------------------------------- which prefix


def test_longest_namespace_wins_and_a_shorter_one_steps_in() -> None:
    prefixes = {"ex": "http://ex.org/", "exa": NS}
    assert compact_iri(NS + "b", prefixes) == "exa:b"
    assert compact_iri("http://ex.org/b", prefixes) == "ex:b"
    # 'exa:x/y' is not a name, and 'ex:a/x/y' neither: written in full
    assert compact_iri(NS + "x/y", prefixes) == f"<{NS}x/y>"
    # the longest namespace fails the rule, a shorter one fits
    assert compact_iri("http://ex.org/p/q#r", {"ex": "http://ex.org/p/q#", "e": "http://ex.org/p/"}) == "ex:r"
    assert compact_iri("http://ex.org/p/q/", {"deep": "http://ex.org/p/q/x", "e": "http://ex.org/p/q/"}) == "e:"


def test_several_names_for_one_namespace_take_the_shortest() -> None:
    names = IriNames({"longer": NS, "b": NS, "a": NS})
    assert names.prefixed(NS + "x") == "a:x"
    assert names.used([NS + "x"]) == {"a": NS}


def test_namespace_ending_mid_segment() -> None:
    assert compact_iri("http://ex.org/item42", {"it": "http://ex.org/item"}) == "it:42"


def test_relative_to_the_base_only_when_it_resolves_back() -> None:
    assert compact_iri(BASE + "id/person/x", PREFIXES, BASE) == "<id/person/x>"
    assert compact_iri(BASE + "id/person/x", PREFIXES) == f"<{BASE}id/person/x>"
    for rest in ("a:b/c", "/x", "//x", "../x", "id/../x", "./x", ""):
        assert compact_iri(BASE + rest, {}, BASE) == f"<{BASE}{rest}>", rest
    assert compact_iri("http://other.org/x", {}, BASE) == "<http://other.org/x>"
    # a prefix wins over the base
    assert compact_iri(PREFIXES["pe"] + "Person", PREFIXES, "https://w3id.org/") == "pe:Person"


@pytest.mark.parametrize("rest", ["id/person/x", "x?y=1", "x#frag", "a%20b", "id/a:b", "sentence/3"])
def test_relative_iris_resolve_back(rest: str) -> None:
    written = compact_iri(BASE + rest, {}, BASE)
    assert written == f"<{rest}>"
    parsed = next(
        iter(ox.parse(f"{written} <http://p> <http://o> .".encode(), format=ox.RdfFormat.TURTLE, base_iri=BASE))
    )
    assert parsed.subject.value == BASE + rest


def test_used_prefixes_are_those_the_names_use() -> None:
    prefixes = {"ex": "http://ex.org/", "exa": NS, "o": "http://o.org/"}
    iris = [NS + "b", "http://ex.org/c", NS + "x/y", "http://nothing.org/z"]
    assert used_prefixes(iris, prefixes) == {"ex": "http://ex.org/", "exa": NS}
    assert used_prefixes([NS + "x/y"], prefixes, NameSyntax.JSONLD) == {"exa": NS}


def test_triple_iris_skip_the_datatypes_no_syntax_writes() -> None:
    n = ox.NamedNode
    xsd = PREFIXES["xsd"]
    triples = [
        ox.Triple(n(NS + "s"), n(NS + "p"), ox.Literal("plain")),
        ox.Triple(n(NS + "s"), n(NS + "p"), ox.Literal("tagged", language="en")),
        ox.Triple(n(NS + "s"), n(NS + "p"), ox.Literal("1", datatype=n(xsd + "integer"))),
    ]
    assert set(triple_iris(triples)) == {NS + "s", NS + "p", xsd + "integer"}
    assert used_prefixes(triple_iris(triples[:2]), {"xsd": xsd, "a": NS}) == {"a": NS}


# ---------------------------------------------------------------- every name reads back

_LOCAL_CHARS = st.sampled_from(list("aZ09_-.:%/#?~()'!$&*+,;=@ ·\u0301Жé\u203f") + ["%41", "%zz", "Q1", "\U0001f600"])


def _reads_back(local: str) -> None:
    iri = NS + local
    name = compact_iri(iri, {"a": NS})
    assert name == f"a:{local}"
    turtle = f"@prefix a: <{NS}> .\n{name} a:p a:o .\n"
    assert next(iter(ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE))).subject.value == iri
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph = rdflib.Graph().parse(data=turtle, format="turtle")
    assert {str(s) for s in graph.subjects()} == {iri}
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(iri), ox.NamedNode(NS + "p"), ox.NamedNode(NS + "o")))
    query = f"PREFIX a: <{NS}>\nSELECT ?p {{ {name} ?p a:o }}"
    assert len(list(store.query(query))) == 1  # the SPARQL of `polevents query`
    rdflib_graph = rdflib.Graph()
    rdflib_graph.add((rdflib.URIRef(iri), rdflib.URIRef(NS + "p"), rdflib.URIRef(NS + "o")))
    assert len(list(rdflib_graph.query(query))) == 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LOCAL_CHARS, max_size=8).map("".join))
def test_every_turtle_name_reads_back(local: str) -> None:
    try:
        ox.NamedNode(NS + local)
    except ValueError:
        return  # not an IRI at all
    if is_local_name(local):
        _reads_back(local)
    else:
        assert compact_iri(NS + local, {"a": NS}) == f"<{NS}{local}>"


@pytest.mark.parametrize("local", ["0.1.0", "a.b", "x."])
def test_dots_stay_out_because_oxigraph_sparql_cannot_read_them_all(local: str) -> None:
    """PN_LOCAL allows inner dots, but Oxigraph's SPARQL parser rejects two of them."""
    assert compact_iri(NS + local, {"a": NS}) == f"<{NS}{local}>"
    with pytest.raises(SyntaxError):
        ox.Store().query(f"PREFIX a: <{NS}>\nASK {{ a:0.1.0 ?p ?o }}")
