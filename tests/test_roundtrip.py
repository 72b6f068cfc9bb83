"""Property: any small dataset written by the dump writers reads back unchanged, in every format.

Generated graphs mix Kazakh, Russian and Latin labels (with escapes JSON and N-Triples
both care about), language tags, every date datatype the data uses, numbers with
non-canonical lexical forms, IRIs and blank nodes, spread over named graphs.  Each
dump is read back by Oxigraph and by rdflib, and the JSON-LD also by pyld.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import tempfile
from pathlib import Path

import pyoxigraph as ox
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.compare import isomorphic

from polevents.export import DUMPS, publish_prefixes, write_dumps
from polevents.export.canonical import CanonicalDataset
from polevents.formats import RdfFormat

BASE = "https://example.org/rt/"
PE = "https://w3id.org/polevents/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"

KAZAKH = "әғқңөұүһіӘҒҚҢӨҰҮҺІ"
CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
LATIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜäöüßéçı0123456789"
TRICKY = " \"\\'\n\t\r.,;:!?«»—-–_@#$%&*()[]{}<>/|^`~\u00a0\u2028\U0001f600"
TEXT = st.text(alphabet=KAZAKH + CYRILLIC + LATIN + TRICKY, min_size=0, max_size=24)
LANGS = st.sampled_from(["en", "ru", "kk", "kk-Latn", "kk-Cyrl", "en-GB"])
SLUG = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=10).filter(lambda s: s[0] != "-")

PREDICATES = [
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#altLabel",
    f"{PE}date",
    f"{PE}startDate",
    f"{PE}quote",
    f"{PE}holder",
    "http://schema.org/value",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
]


def typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


YEARS = st.integers(min_value=1, max_value=9999)
DATE_LITERALS = st.one_of(
    st.dates(min_value=dt.date(1, 1, 1)).map(lambda d: typed(f"{d.year:04d}-{d.month:02d}-{d.day:02d}", "date")),
    st.tuples(YEARS, st.integers(1, 12)).map(lambda ym: typed(f"{ym[0]:04d}-{ym[1]:02d}", "gYearMonth")),
    YEARS.map(lambda y: typed(f"{y:04d}", "gYear")),
    st.datetimes(
        min_value=dt.datetime(1000, 1, 1),
        timezones=st.one_of(st.none(), st.just(dt.UTC), st.just(dt.timezone(dt.timedelta(hours=6)))),
    ).map(lambda d: typed(d.replace(microsecond=0).isoformat(), "dateTime")),
)
NUMBER_LITERALS = st.one_of(
    st.integers(-(10**6), 10**6).map(lambda n: typed(str(n), "integer")),
    st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False).map(lambda d: typed(str(d), "decimal")),
    st.booleans().map(lambda b: typed(str(b).lower(), "boolean")),
)
LITERALS = st.one_of(
    TEXT.map(ox.Literal),
    st.tuples(TEXT, LANGS).map(lambda t: ox.Literal(t[0], language=t[1])),
    DATE_LITERALS,
    NUMBER_LITERALS,
)
KINDS = st.sampled_from(["person", "event", "organization", "source/doc/sentence"])
ENTITY = st.tuples(KINDS, SLUG).map(lambda k: ox.NamedNode(f"{BASE}id/{k[0]}/{k[1]}"))
BLANK = st.sampled_from(["b1", "b2", "b3"]).map(ox.BlankNode)
OBJECTS = st.one_of(LITERALS, ENTITY, BLANK, st.just(ox.NamedNode(f"{PE}Person")))
GRAPHS = st.sampled_from(["one", "two", "three"]).map(lambda g: ox.NamedNode(f"{BASE}graph/{g}"))


@st.composite
def datasets(draw: st.DrawFn) -> list[ox.Quad]:
    quads = []
    for _ in range(draw(st.integers(min_value=1, max_value=25))):
        graph = draw(GRAPHS)
        subject = draw(st.one_of(ENTITY, BLANK))
        if isinstance(subject, ox.BlankNode):  # blank nodes are local to their graph in the input
            subject = ox.BlankNode(f"{subject.value}{graph.value.rsplit('/', 1)[1]}")
        obj = draw(OBJECTS)
        if isinstance(obj, ox.BlankNode):
            obj = ox.BlankNode(f"{obj.value}{graph.value.rsplit('/', 1)[1]}")
        quads.append(ox.Quad(subject, ox.NamedNode(draw(st.sampled_from(PREDICATES))), obj, graph))
    return quads


def rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Node:
    """The rdflib term for an Oxigraph one, written out here (not polevents' converter)."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == XSD + "string":  # rdflib's parsers give a plain literal
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def rdflib_graph(triples: list[ox.Triple]) -> rdflib.Graph:
    """A plain rdflib graph of ``triples``."""
    g = rdflib.Graph()
    for t in triples:
        g.add((rdflib_term(t.subject), rdflib_term(t.predicate), rdflib_term(t.object)))  # type: ignore[arg-type]
    return g


def canonical(quads: list[ox.Quad]) -> set[str]:
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


def read_ox(path: Path) -> list[ox.Quad]:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return list(ox.parse(data, format=RdfFormat.from_path(path).oxigraph))


def read_rdflib(path: Path) -> dict[str, rdflib.Graph]:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    fmt = RdfFormat.from_path(path)
    if not fmt.is_quads:
        return {"": rdflib.Graph().parse(data=data, format=fmt.rdflib_name)}
    ds = rdflib.Dataset()
    ds.parse(data=data, format=fmt.rdflib_name)
    return {str(g.identifier): g for g in ds.graphs() if len(g)}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets())
def test_every_dump_reads_back_as_the_dataset(quads: list[ox.Quad]) -> None:
    expected = canonical(quads)
    expected_triples = canonical([ox.Quad(q.subject, q.predicate, q.object) for q in quads])
    by_graph: dict[str, list[ox.Triple]] = {}
    for q in quads:
        by_graph.setdefault(q.graph_name.value, []).append(q.triple)
    dataset = CanonicalDataset.from_quads(quads)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        files = write_dumps(dataset, out, publish_prefixes(dataset, BASE), parallel=False)
        for f in files:
            path = out / f.name
            fmt = RdfFormat.from_path(path)
            # Oxigraph
            got = read_ox(path)
            if fmt.is_quads:
                assert canonical(got) == expected, f.name
            else:
                assert canonical(got) == expected_triples, f.name
            # rdflib
            graphs = read_rdflib(path)
            if fmt.is_quads:
                assert set(graphs) == set(by_graph), f.name
                for iri, triples in by_graph.items():
                    assert isomorphic(graphs[iri], rdflib_graph(triples)), f"{f.name} {iri}"
            else:
                union = rdflib_graph([t for ts in by_graph.values() for t in ts])
                assert isomorphic(graphs[""], union), f.name
        # pyld: the JSON-LD expanded to RDF is the same dataset, statement for statement
        from pyld import jsonld

        doc = json.loads((out / "polevents.jsonld").read_text(encoding="utf-8"))
        nquads = jsonld.to_rdf(doc, {"format": "application/n-quads"})
        assert canonical(list(ox.parse(nquads.encode(), format=ox.RdfFormat.N_QUADS))) == expected
        assert nquads.count("\n") == len(expected)
    assert {d.name for d in DUMPS} <= {f.name for f in files}
