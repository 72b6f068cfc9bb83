"""The dataset description (void.ttl): every number in it matches the files written."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import RDF, XSD, Literal, Namespace, URIRef

from polevents.config import load_config
from polevents.errors import InputError
from polevents.export import SHA256SUMS, VOID_FILE, write_dist
from polevents.export.void import add_sparql_endpoint, release_dates
from polevents.load import load_project
from polevents.vocab import ONTOLOGY_IRI
from support import PUBLISH_FIXTURE, make_publish_project

BASE = "https://example.org/pe/"
DATASET = URIRef(f"{BASE}dataset/1.2.0")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
IANA = "https://www.iana.org/assignments/media-types/"
DATA_DUMPS = {
    "polevents.nq", "polevents.nq.gz", "polevents.trig", "polevents.nt", "polevents.nt.gz",
    "polevents.ttl", "polevents.ttl.gz", "polevents.jsonld", "polevents.compact.jsonld",
}  # fmt: skip


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("describe")
    out = root / "dist"
    mp = pytest.MonkeyPatch()
    mp.delenv("SOURCE_DATE_EPOCH", raising=False)
    try:
        write_dist(load_project(make_publish_project(root / "project")), out)
    finally:
        mp.undo()
    return out


@pytest.fixture(scope="module")
def void(dist: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(dist / VOID_FILE, format="turtle")


def one(graph: rdflib.Graph, s: rdflib.term.Node, p: rdflib.term.Node) -> rdflib.term.Node:
    values = list(graph.objects(s, p))
    assert len(values) == 1, f"{s} {p}: {values}"
    return values[0]


def test_dataset_is_a_void_and_dcat_dataset(void: rdflib.Graph) -> None:
    assert (DATASET, RDF.type, VOID.Dataset) in void
    assert (DATASET, RDF.type, DCAT.Dataset) in void
    assert one(void, DATASET, DCTERMS.title) == Literal("polevents test dataset", lang="en")
    assert one(void, DATASET, DCTERMS.description) == Literal("A small fixture for the publishing tests.", lang="en")
    assert one(void, DATASET, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert one(void, DATASET, DCAT.version) == Literal("1.2.0")
    assert one(void, DATASET, DCTERMS.issued) == Literal("2026-01-15", datatype=XSD.date)
    assert one(void, DATASET, DCTERMS.modified) == Literal("2026-01-15", datatype=XSD.date)
    publisher = one(void, DATASET, DCTERMS.publisher)
    assert one(void, publisher, rdflib.FOAF.name) == Literal("polevents tests")
    assert one(void, DATASET, VOID.uriSpace) == Literal(f"{BASE}id/")
    series = URIRef(f"{BASE}dataset")
    assert one(void, series, DCAT.hasCurrentVersion) == DATASET
    assert one(void, DATASET, DCTERMS.isVersionOf) == series


def test_previous_version_is_linked(void: rdflib.Graph) -> None:
    previous = URIRef(f"{BASE}dataset/1.1.0")
    assert one(void, DATASET, DCAT.previousVersion) == previous
    assert one(void, DATASET, OWL.priorVersion) == previous


def test_void_triple_counts_match_the_files(void: rdflib.Graph, dist: Path) -> None:
    triples = {str(q.triple) for q in ox.parse(path=str(dist / "polevents.nt"), format=ox.RdfFormat.N_TRIPLES)}
    assert one(void, DATASET, VOID.triples).toPython() == len(triples)
    per_graph: dict[str, int] = {}
    for q in ox.parse(path=str(dist / "polevents.nq"), format=ox.RdfFormat.N_QUADS):
        per_graph[q.graph_name.value] = per_graph.get(q.graph_name.value, 0) + 1
    subsets = set(void.objects(DATASET, VOID.subset))
    assert {str(s) for s in subsets} == set(per_graph) == {f"{BASE}graph/alpha", f"{BASE}graph/beta", ONTOLOGY_IRI}
    for subset in subsets:
        assert (subset, RDF.type, VOID.Dataset) in void
        assert one(void, subset, VOID.triples).toPython() == per_graph[str(subset)], subset
    # the triple both sources state is one triple of the dataset, counted in both subsets
    assert sum(per_graph.values()) > len(triples)


def test_void_statistics_match_the_data(void: rdflib.Graph, dist: Path) -> None:
    g = rdflib.Graph().parse(dist / "polevents.nt", format="nt")
    subjects = set(g.subjects())
    assert one(void, DATASET, VOID.distinctSubjects).toPython() == len(subjects)
    assert one(void, DATASET, VOID.distinctObjects).toPython() == len(set(g.objects()))
    assert one(void, DATASET, VOID.properties).toPython() == len(set(g.predicates()))
    assert one(void, DATASET, VOID.classes).toPython() == len(set(g.objects(None, RDF.type)))
    entities = {s for s in subjects if str(s).startswith(f"{BASE}id/")}
    assert one(void, DATASET, VOID.entities).toPython() == len(entities)
    example = one(void, DATASET, VOID.exampleResource)
    assert (example, RDF.type, URIRef("https://w3id.org/polevents/ontology#Person")) in g
    assert example == URIRef(f"{BASE}id/person/aigerim-test")  # the person described most
    vocabularies = {str(v) for v in void.objects(DATASET, VOID.vocabulary)}
    assert {"https://w3id.org/polevents/ontology#", "http://www.w3.org/2004/02/skos/core#"} <= vocabularies
    assert "http://www.w3.org/ns/dcat#" not in vocabularies  # not used by the data
    prov = rdflib.Namespace("http://www.w3.org/ns/prov#")
    sources = {str(s) for s in void.objects(DATASET, prov.wasDerivedFrom)}  # articles: no dcat:Dataset
    assert sources == {f"{BASE}id/source/alpha", f"{BASE}id/source/beta"}
    assert one(void, URIRef(f"{BASE}graph/alpha"), DCTERMS.source) == URIRef(f"{BASE}id/source/alpha")


def test_data_dumps_and_features(void: rdflib.Graph) -> None:
    dumps = {str(u) for u in void.objects(DATASET, VOID.dataDump)}
    assert dumps == {f"{BASE}dist/{name}" for name in DATA_DUMPS}
    features = {str(f) for f in void.objects(DATASET, VOID.feature)}
    assert features == {
        f"http://www.w3.org/ns/formats/{n}" for n in ("N-Quads", "N-Triples", "Turtle", "TriG", "JSON-LD")
    }
    assert (DATASET, VOID.sparqlEndpoint, None) not in void  # none configured


def test_a_distribution_per_file_with_size_checksum_and_media_type(void: rdflib.Graph, dist: Path) -> None:
    described = set()
    for d in void.objects(DATASET, DCAT.distribution):
        assert (d, RDF.type, DCAT.Distribution) in void
        url = str(one(void, d, DCAT.downloadURL))
        assert url.startswith(f"{BASE}dist/")
        name = url.rsplit("/", 1)[1]
        described.add(name)
        path = dist / name
        assert one(void, d, DCAT.byteSize) == Literal(str(path.stat().st_size), datatype=XSD.nonNegativeInteger)
        checksum = one(void, d, SPDX.checksum)
        assert isinstance(checksum, URIRef)  # no blank nodes
        assert one(void, checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        value = one(void, checksum, SPDX.checksumValue)
        assert value == Literal(hashlib.sha256(path.read_bytes()).hexdigest(), datatype=XSD.hexBinary)
        media = str(one(void, d, DCAT.mediaType))
        assert media.startswith(IANA)
        compress = list(void.objects(d, DCAT.compressFormat))
        if name.endswith(".gz"):
            assert compress == [URIRef(IANA + "application/gzip")]
            assert media != IANA + "application/gzip"  # the media type of what is inside
        else:
            assert compress == []
    expected = {p.name for p in dist.iterdir()} - {VOID_FILE, SHA256SUMS}
    assert described == expected
    assert one(void, URIRef(f"{DATASET}/distribution/polevents.ttl"), DCAT.mediaType) == URIRef(IANA + "text/turtle")


def test_no_blank_nodes_and_conforms_to(void: rdflib.Graph) -> None:
    assert not any(isinstance(t, rdflib.BNode) for triple in void for t in triple)
    conforms = {str(o) for o in void.objects(DATASET, DCTERMS.conformsTo)}
    assert ONTOLOGY_IRI in conforms


def test_sparql_endpoint_and_download_base_options(tmp_path: Path) -> None:
    project = load_project(make_publish_project(tmp_path / "p"))
    write_dist(
        project,
        tmp_path / "d",
        download_base="https://downloads.example.net/v1/",
        sparql_endpoint="http://127.0.0.1:8000/sparql",
    )
    g = rdflib.Graph().parse(tmp_path / "d" / VOID_FILE, format="turtle")
    assert one(g, DATASET, VOID.sparqlEndpoint) == URIRef("http://127.0.0.1:8000/sparql")
    dumps = {str(u) for u in g.objects(DATASET, VOID.dataDump)}
    assert dumps == {f"https://downloads.example.net/v1/{n}" for n in DATA_DUMPS}


def test_add_sparql_endpoint_for_serve(dist: Path) -> None:
    data = add_sparql_endpoint((dist / VOID_FILE).read_bytes(), "http://127.0.0.1:9999/sparql")
    g = rdflib.Graph().parse(data=data, format="turtle")
    assert one(g, DATASET, VOID.sparqlEndpoint) == URIRef("http://127.0.0.1:9999/sparql")
    before = rdflib.Graph().parse(dist / VOID_FILE, format="turtle")
    # what it adds: the endpoint, and the endpoint as a dcat:DataService of the catalogue
    added = {(str(s), str(p), str(o)) for s, p, o in g} - {(str(s), str(p), str(o)) for s, p, o in before}
    assert {p for _, p, _ in added} == {
        str(VOID.sparqlEndpoint), str(RDF.type), "http://purl.org/dc/terms/title", "http://purl.org/dc/terms/conformsTo",
        "http://www.w3.org/ns/dcat#service", "http://www.w3.org/ns/dcat#endpointURL",
        "http://www.w3.org/ns/dcat#servesDataset",
    }  # fmt: skip
    assert len(g) - len(before) == len(added)  # nothing removed


def test_dates_come_from_config_or_source_date_epoch_never_the_clock(tmp_path: Path) -> None:
    text = (PUBLISH_FIXTURE / "polevents.toml").read_text(encoding="utf-8")
    config = load_config(make_publish_project(tmp_path / "a", text))
    issued, modified = release_dates(config, {"SOURCE_DATE_EPOCH": "1700000000"})
    assert issued is not None and issued.value == "2026-01-15"
    assert modified is not None and modified.value == "2023-11-14"
    no_issued = dataclasses.replace(config, issued=None)
    assert release_dates(no_issued, {}) == (None, None)
    issued, modified = release_dates(no_issued, {"SOURCE_DATE_EPOCH": "1700000000"})
    assert issued == modified and issued is not None and issued.value == "2023-11-14"
    with pytest.raises(InputError, match="SOURCE_DATE_EPOCH"):
        release_dates(no_issued, {"SOURCE_DATE_EPOCH": "yesterday"})
    with pytest.raises(InputError, match="not a date"):
        release_dates(dataclasses.replace(config, issued="soon"), {})


def test_previous_version_may_be_an_iri(tmp_path: Path) -> None:
    text = (
        (PUBLISH_FIXTURE / "polevents.toml")
        .read_text(encoding="utf-8")
        .replace('previous_version = "1.1.0"', 'previous_version = "https://archive.example.org/pe/1.1.0"')
    )
    project = load_project(make_publish_project(tmp_path / "p", text))
    write_dist(project, tmp_path / "d")
    g = rdflib.Graph().parse(tmp_path / "d" / VOID_FILE, format="turtle")
    assert one(g, DATASET, DCAT.previousVersion) == URIRef("https://archive.example.org/pe/1.1.0")


def test_no_previous_version_no_link(tmp_path: Path) -> None:
    text = (PUBLISH_FIXTURE / "polevents.toml").read_text(encoding="utf-8").replace('previous_version = "1.1.0"\n', "")
    write_dist(load_project(make_publish_project(tmp_path / "p", text)), tmp_path / "d")
    g = rdflib.Graph().parse(tmp_path / "d" / VOID_FILE, format="turtle")
    assert (DATASET, DCAT.previousVersion, None) not in g
    assert (DATASET, OWL.priorVersion, None) not in g
