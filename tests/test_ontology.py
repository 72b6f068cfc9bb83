"""The ontology as a published vocabulary: documented terms, no undefined terms in use, every class shaped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, SKOS, URIRef

from polevents.load import load_project, to_rdflib_graph
from polevents.vocab import ONTOLOGY_IRI, PE

REPO = Path(__file__).resolve().parent.parent
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


@pytest.fixture(scope="module")
def project():  # type: ignore[no-untyped-def]
    return load_project(REPO)


@pytest.fixture(scope="module")
def ontology(project) -> rdflib.Graph:  # type: ignore[no-untyped-def]
    return to_rdflib_graph(project.ontology)


def pe_terms(graph: rdflib.Graph) -> set[URIRef]:
    return {t for t in graph.all_nodes() if isinstance(t, URIRef) and str(t).startswith(PE)}


def test_one_ontology_with_a_version_iri(ontology: rdflib.Graph) -> None:
    ontologies = set(ontology.subjects(RDF.type, OWL.Ontology))
    assert ontologies == {URIRef(ONTOLOGY_IRI)}
    version = ontology.value(URIRef(ONTOLOGY_IRI), OWL.versionIRI)
    assert version is not None and str(version).startswith(ONTOLOGY_IRI + "/")


def test_version_iri_and_version_info_agree(ontology: rdflib.Graph) -> None:
    """owl:versionIRI is <ontology>/<owl:versionInfo>; a prior version, if named, is an older one."""
    onto = URIRef(ONTOLOGY_IRI)
    info = str(ontology.value(onto, OWL.versionInfo))
    assert re.fullmatch(r"\d+\.\d+\.\d+", info), info
    assert ontology.value(onto, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/{info}")
    for prior in ontology.objects(onto, OWL.priorVersion):
        older = str(prior).removeprefix(ONTOLOGY_IRI + "/")
        assert tuple(map(int, older.split("."))) < tuple(map(int, info.split("."))), prior


def test_every_defined_term_has_a_label_and_a_definition(ontology: rdflib.Graph) -> None:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, SKOS.Concept,
             SKOS.ConceptScheme)  # fmt: skip
    defined = {s for k in kinds for s in ontology.subjects(RDF.type, k) if str(s).startswith(PE)}
    assert len(defined) > 60
    undocumented = sorted(
        str(t) for t in defined
        if (ontology.value(t, RDFS.label) is None and ontology.value(t, SKOS.prefLabel) is None)
        or (all(ontology.value(t, p) is None for p in (RDFS.comment, SKOS.definition))
        and ontology.value(t, RDF.type) != SKOS.Concept)
    )  # fmt: skip
    assert undocumented == []


def test_every_pe_term_in_use_is_defined(project, ontology: rdflib.Graph) -> None:  # type: ignore[no-untyped-def]
    """A typo such as pe:startdate in data, shapes or queries would silently match nothing."""
    defined = {s for s in ontology.subjects() if str(s).startswith(PE)}
    used: dict[str, set[str]] = {}
    data = to_rdflib_graph(t for s in project.sources for t in s.triples)
    shapes = to_rdflib_graph(project.shapes)
    for where, graph in (("data", data), ("shapes", shapes)):
        for term in pe_terms(graph):
            used.setdefault(str(term), set()).add(where)
    for rq in sorted((REPO / "queries").glob("*.rq")):
        text = rq.read_text(encoding="utf-8")
        for local in re.findall(r"\bpe:([A-Za-z][\w-]*)", text):
            used.setdefault(PE + local, set()).add(rq.name)
    undefined = {iri: sorted(where) for iri, where in used.items() if URIRef(iri) not in defined}
    assert undefined == {}


def test_every_class_the_data_uses_is_targeted_by_a_shape(project, ontology: rdflib.Graph) -> None:  # type: ignore[no-untyped-def]
    data = to_rdflib_graph(t for s in project.sources for t in s.triples)
    shapes = to_rdflib_graph(project.shapes)
    targeted = set(shapes.objects(None, SH.targetClass))

    def covered(cls: URIRef) -> bool:
        return any(c in targeted for c in ontology.transitive_objects(cls, RDFS.subClassOf))

    used = {c for c in data.objects(None, RDF.type) if str(c).startswith(PE)}
    assert len(used) >= 8
    assert sorted(str(c) for c in used if not covered(c)) == []
