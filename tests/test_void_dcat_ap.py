"""``void.ttl`` is a catalogue record data portals accept: DCAT-AP 3.0.1, validated with its own SHACL shapes.

The shapes (CC-BY 4.0, see tests/dcat-ap-3.0.1/NOTICE.txt) are vendored; ``shapes.ttl`` +
``range.ttl`` must give zero violations; the warnings of ``shapes_recommended.ttl`` that remain
must each be listed, with its reason, in docs/catalogue.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyshacl
import pytest
import rdflib
from rdflib import RDF, Namespace, URIRef

from polevents.export import VOID_FILE, write_dist
from polevents.load import load_project
from support import REPO, copy_repo_project

SHAPES = Path(__file__).parent / "dcat-ap-3.0.1"
SH = Namespace("http://www.w3.org/ns/shacl#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
VOID = Namespace("http://rdfs.org/ns/void#")
BASE = "https://w3id.org/polevents/"


@pytest.fixture(scope="module")
def void(tmp_path_factory: pytest.TempPathFactory) -> rdflib.Graph:
    root = tmp_path_factory.mktemp("dcat")
    write_dist(load_project(copy_repo_project(root / "project")), root / "dist")
    return rdflib.Graph().parse(root / "dist" / VOID_FILE, format="turtle")


def results(data: rdflib.Graph, *names: str) -> Iterator[tuple[str, str, str]]:
    """(severity, path, focus node) of each validation result of ``data`` against the shape files ``names``."""
    shapes = rdflib.Graph()
    for name in names:
        shapes.parse(SHAPES / name, format="turtle")
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    assert isinstance(report, rdflib.Graph)
    for r in report.subjects(RDF.type, SH.ValidationResult):
        severity = str(report.value(r, SH.resultSeverity)).rsplit("#", 1)[1]
        path = report.namespace_manager.normalizeUri(report.value(r, SH.resultPath))  # type: ignore[arg-type]
        yield severity, path.replace("dcterms:", "dct:"), str(report.value(r, SH.focusNode))


def explained_warnings() -> str:
    """The table of docs/catalogue.md that gives a reason for each warning left."""
    text = (REPO / "docs" / "catalogue.md").read_text(encoding="utf-8")
    return text[text.index("| warning | on | why it is left |") :]


def test_no_violation_of_the_mandatory_shapes_and_ranges(void: rdflib.Graph) -> None:
    found = [r for r in results(void, "shapes.ttl", "range.ttl") if r[0] == "Violation"]
    assert found == []


def test_the_shapes_can_fail() -> None:
    """The check is real: a dataset without description, a licence or media type not typed, are violations."""
    g = rdflib.Graph()
    ds, dist = URIRef(BASE + "dataset/x"), URIRef(BASE + "dataset/x/distribution/y")
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCT.title, rdflib.Literal("x")))
    g.add((ds, DCAT.distribution, dist))
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCAT.accessURL, URIRef(BASE + "dist/y")))
    g.add((dist, DCT.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    g.add((dist, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/text/turtle")))
    paths = {r[1] for r in results(g, "shapes.ttl", "range.ttl") if r[0] == "Violation"}
    assert {"dct:description", "dct:license", "dcat:mediaType"} <= paths


def test_every_remaining_recommendation_is_explained(void: rdflib.Graph) -> None:
    docs = explained_warnings()
    warnings = {(path, focus) for severity, path, focus in results(void, "shapes_recommended.ttl")}
    assert all(severity == "Warning" for severity, _, _ in results(void, "shapes_recommended.ttl"))
    for path, focus in sorted(warnings):
        assert f"`{path}`" in docs, f"{path} on {focus} is not explained in docs/catalogue.md"


def test_with_a_sparql_endpoint_too(tmp_path: Path) -> None:
    """A configured endpoint is a dcat:DataService of the catalogue: still no violation, warnings explained."""
    out = tmp_path / "dist"
    write_dist(load_project(copy_repo_project(tmp_path / "project")), out, sparql_endpoint="https://ex.org/sparql")
    void = rdflib.Graph().parse(out / VOID_FILE, format="turtle")
    service = void.value(URIRef(BASE + "catalog"), DCAT.service)
    assert service is not None and void.value(service, DCAT.endpointURL) == URIRef("https://ex.org/sparql")
    assert [r for r in results(void, "shapes.ttl", "range.ttl") if r[0] == "Violation"] == []
    docs = explained_warnings()
    for _, path, focus in results(void, "shapes_recommended.ttl"):
        assert f"`{path}`" in docs, f"{path} on {focus} is not explained in docs/catalogue.md"


def test_catalogue_fields(void: rdflib.Graph) -> None:
    catalog = URIRef(BASE + "catalog")
    release = URIRef(BASE + "dataset/0.1.0")
    assert (catalog, RDF.type, DCAT.Catalog) in void
    assert (catalog, DCAT.dataset, release) in void
    for prop in (DCAT.landingPage, DCAT.keyword, DCAT.theme, DCT.language, DCAT.contactPoint, DCT.description):
        assert void.value(release, prop) is not None, prop
    # coverage computed from the data: the dates the facts state, the country they happen in
    period = void.value(release, DCT.temporal)
    assert str(void.value(period, DCAT.startDate)) == "1999"
    assert str(void.value(period, DCAT.endDate)).startswith("2022-")
    assert URIRef(BASE + "id/place/kazakhstan") in set(void.objects(release, DCT.spatial))


def test_links_graph_is_a_linkset_to_wikidata(void: rdflib.Graph) -> None:
    links = URIRef(BASE + "graph/links")
    assert (links, RDF.type, VOID.Linkset) in void
    assert str(void.value(links, DCT.title)) == "Links to Wikidata"
    assert URIRef("http://www.w3.org/2002/07/owl#sameAs") in set(void.objects(links, VOID.linkPredicate))
    assert void.value(links, VOID.objectsTarget) == URIRef("http://www.wikidata.org/")
    source = URIRef(BASE + "graph/kazakhstan-reform-2022")
    assert (source, RDF.type, VOID.Linkset) not in void
