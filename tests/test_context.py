"""The term context and the JSON-LD compacted with it: plain keys, and lossless (read back by pyld).

pyld is the JSON-LD processor a consumer would use; the documents are expanded
and turned into RDF by it, and compared as datasets (URDNA2015 canonical
N-Quads) with the N-Quads dump.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from pyld import jsonld

from polevents.export import write_dist
from polevents.export.context import COMPACT_DUMP, CONTEXT_FILE, TermCompactor, term_context
from polevents.load import load_project
from polevents.vocab import ONTOLOGY_IRI
from serve_launch import RunningServer, launched_server
from support import copy_repo_project

BASE = "https://w3id.org/polevents/"
KOSHANOV_TENURE = BASE + "id/tenure/koshanov-chair-of-amanat"
TOKAYEV = BASE + "id/person/kassym-jomart-tokayev"


def canonical(nquads: str) -> set[str]:
    """The lines of the URDNA2015 canonical form of an N-Quads document."""
    options = {"inputFormat": "application/n-quads", "algorithm": "URDNA2015", "format": "application/n-quads"}
    return set(jsonld.normalize(nquads, options).splitlines())


def to_nquads(doc: Any) -> str:
    """What a JSON-LD processor reads from ``doc``, as N-Quads (no document loader: nothing is fetched)."""

    def no_fetch(url: str, options: Any = None) -> Any:
        raise AssertionError(f"the document made pyld fetch {url}")

    return str(jsonld.to_rdf(doc, {"format": "application/n-quads", "documentLoader": no_fetch}))


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("context")
    out = root / "dist"
    write_dist(load_project(copy_repo_project(root / "project")), out)
    return out


@pytest.fixture(scope="module")
def compact(dist: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((dist / COMPACT_DUMP).read_text(encoding="utf-8"))
    return doc


def nodes_of(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The node objects by IRI (an ``id`` relative to the document's ``@base`` resolved, as an app would)."""
    from urllib.parse import urljoin

    base = next((c["@base"] for c in doc["@context"] if "@base" in c), "") if isinstance(doc["@context"], list) else ""
    return {urljoin(base, node["id"]): node for graph in doc["@graph"] for node in graph.get("@graph", [graph])}


def test_compacted_dump_is_lossless(dist: Path, compact: dict[str, Any]) -> None:
    expected = canonical((dist / "polevents.nq").read_text(encoding="utf-8"))
    assert canonical(to_nquads(compact)) == expected


def test_dataset_dump_stays_lossless_too(dist: Path) -> None:
    doc = json.loads((dist / "polevents.jsonld").read_text(encoding="utf-8"))
    assert canonical(to_nquads(doc)) == canonical((dist / "polevents.nq").read_text(encoding="utf-8"))


def test_a_web_developer_reads_plain_keys(compact: dict[str, Any]) -> None:
    nodes = nodes_of(compact)
    tenure = nodes[KOSHANOV_TENURE]
    assert tenure["type"] == "Tenure"
    assert tenure["holder"] == "id/person/yerlan-koshanov"  # an IRI relative to the @base, as a plain string
    assert isinstance(tenure["label"]["en"], str)  # a language map
    assert tenure["startDate"] == {"@value": "2022-04-26", "@type": "xsd:date"}  # the precision is kept
    assert tenure["ordinal"] == 3  # a JSON number
    dated = [n for n in nodes.values() if "date" in n]
    assert dated and all("@value" in n["date"] for n in dated)
    person = nodes[TOKAYEV]
    same_as = person["sameAs"] if isinstance(person["sameAs"], list) else [person["sameAs"]]
    assert all(s.startswith("http://www.wikidata.org/entity/Q") for s in same_as)
    keys = {k for n in nodes.values() for k in n}
    assert {"label", "date", "holder", "sameAs", "wasDerivedFrom"} <= keys


def test_context_comes_from_the_ontology_only(dist: Path, compact: dict[str, Any]) -> None:
    """Versioned file name; the same context inline; no IRI of the dataset's own entities or graphs in it,
    so it does not grow with the sources."""
    published = json.loads((dist / CONTEXT_FILE).read_text(encoding="utf-8"))
    assert compact["@context"] == [published["@context"], {"@base": BASE}]  # the dataset's base on its own
    text = json.dumps(published)
    assert BASE + "id/" not in text and BASE + "graph/" not in text
    nq = ox.Dataset(ox.parse(path=str(dist / "polevents.nq"), format=ox.RdfFormat.N_QUADS))
    ontology = [q.triple for q in nq.quads_for_graph_name(ox.NamedNode(ONTOLOGY_IRI))]
    assert term_context(ontology).document() == published


def test_compacted_dump_is_smaller_than_the_prefix_dump(dist: Path) -> None:
    """Plain keys, language maps and IRIs relative to the base make the term form the smaller one."""
    assert (dist / COMPACT_DUMP).stat().st_size < 0.9 * (dist / "polevents.jsonld").stat().st_size


def test_only_iris_that_resolve_back_are_relative() -> None:
    """An IRI under the base with a colon, a dot segment, a query or nothing after the base stays absolute."""
    from polevents.export.context_lines import LineCompactor

    base = "https://ex.org/d/"
    iris = ["id/a", "id/a:b", "id/./a", "id/../a", "", "?q", "#f", "/x", "@ab", "id/a%20b", "id/a.b", "a//b"]
    lines = sorted(f"<{base}{i}> <http://ex.org/p> <{base}{i}>".encode() for i in iris)
    compactor = LineCompactor(term_context([]), base)
    doc = {"@context": [term_context([]).document()["@context"], {"@base": base}],
           "@graph": [json.loads(n) for n in compactor.nodes(lines)]}  # fmt: skip
    written = {n["id"] for n in doc["@graph"]}
    assert {"id/a", "id/a%20b", "id/a.b", "a//b"} <= written
    assert {base + i for i in ("id/a:b", "id/./a", "id/../a", "", "?q", "#f", "/x", "@ab")} <= written
    expected = "".join(f"<{base}{i}> <http://ex.org/p> <{base}{i}> .\n" for i in iris)
    assert canonical(to_nquads(doc)) == canonical(expected)


def test_values_that_fit_no_term_keep_their_property() -> None:
    """A typed label, an IRI-valued text property, a literal sameAs: nothing is lost or misread."""
    compactor = TermCompactor(term_context([]))
    s = ox.NamedNode("http://ex.org/s")
    rdfs = "http://www.w3.org/2000/01/rdf-schema#"
    statements = [
        (ox.NamedNode(rdfs + "label"), ox.Literal("12", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
        (ox.NamedNode(rdfs + "label"), ox.Literal("plain")),
        (ox.NamedNode(rdfs + "label"), ox.NamedNode("http://ex.org/iri")),
        (ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs"), ox.Literal("not an IRI")),
        (ox.NamedNode("http://ex.org/p"), ox.Literal("007", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
        (ox.NamedNode("http://ex.org/p"), ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))),
    ]  # fmt: skip
    node = compactor.node(s, statements)
    doc = {"@context": term_context([]).document()["@context"], "@graph": [node]}
    expected = ox.serialize([ox.Quad(s, p, o) for p, o in statements], format=ox.RdfFormat.N_QUADS)
    assert canonical(to_nquads(doc)) == canonical(expected.decode())
    assert node["label"] == {"@none": "plain"}
    assert node["http://ex.org/p"][0] == {"@value": "007", "@type": "xsd:integer"}  # not 7


EDGE_CASES = """\
<http://ex.org/s> <http://www.w3.org/2000/01/rdf-schema#label> "12"^^<http://www.w3.org/2001/XMLSchema#integer> .
<http://ex.org/s> <http://www.w3.org/2000/01/rdf-schema#label> "plain" .
<http://ex.org/s> <http://www.w3.org/2000/01/rdf-schema#label> "A \\"quoted\\" \\U0001F600 label"@en .
<http://ex.org/s> <http://www.w3.org/2000/01/rdf-schema#label> "B"@en .
<http://ex.org/s> <http://www.w3.org/2000/01/rdf-schema#label> <http://ex.org/iri> .
<http://ex.org/s> <http://www.w3.org/2002/07/owl#sameAs> "not an IRI" .
<http://ex.org/s> <http://www.w3.org/2002/07/owl#sameAs> _:b0 .
<http://ex.org/s> <http://ex.org/p> "007"^^<http://www.w3.org/2001/XMLSchema#integer> .
<http://ex.org/s> <http://ex.org/p> "1234567890123456"^^<http://www.w3.org/2001/XMLSchema#integer> .
<http://ex.org/s> <http://ex.org/p> "-5"^^<http://www.w3.org/2001/XMLSchema#integer> .
<http://ex.org/s> <http://ex.org/p> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> .
<http://ex.org/s> <http://ex.org/p> "2022-03"^^<http://www.w3.org/2001/XMLSchema#gYearMonth> .
<http://ex.org/s> <http://ex.org/p> "tab\\there" .
<http://ex.org/s> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> _:b1 .
<http://ex.org/s> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://ex.org/Class> .
_:b0 <http://ex.org/p> <http://ex.org/o> .
"""


def test_the_line_writer_makes_the_same_nodes(dist: Path) -> None:
    """The stream writer (from canonical lines) and the term-object compactor agree, node for node."""
    from polevents.export.canonical import CanonicalDataset
    from polevents.export.context_lines import LineCompactor

    nq = list(ox.parse(path=str(dist / "polevents.nq"), format=ox.RdfFormat.N_QUADS))
    edge = [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode("http://ex.org/g"))
            for q in ox.parse(EDGE_CASES.encode(), format=ox.RdfFormat.N_TRIPLES)]  # fmt: skip
    dataset = CanonicalDataset.from_quads([*nq, *edge])
    context = term_context([q.triple for q in nq if q.graph_name == ox.NamedNode(ONTOLOGY_IRI)])
    for base in (None, BASE):  # the server's documents (absolute IRIs) and the dump (relative to the base)
        terms, lines = TermCompactor(context, base), LineCompactor(context, base)
        for graph in dataset.graphs:
            expected = list(terms.nodes(graph.triples()))
            assert [json.loads(n) for n in lines.nodes(graph.lines)] == expected, (graph.iri, base)
    edge_nodes = [json.loads(n) for n in lines.nodes(dataset.graph("http://ex.org/g").lines)]  # type: ignore[union-attr]
    s = next(n for n in edge_nodes if n["id"] == "http://ex.org/s")
    p = s["http://ex.org/p"]
    assert -5 in p and True in p  # JSON numbers and booleans where they read back the same
    assert {"@value": "007", "@type": "xsd:integer"} in p  # not 7
    assert {"@value": "1234567890123456", "@type": "xsd:integer"} in p  # too long for a JavaScript number
    assert "😀" in json.dumps(s["label"], ensure_ascii=False)


# ---------------------------------------------------------------- the server's entity documents


@pytest.fixture(scope="module")
def server(dist: Path) -> Iterator[RunningServer]:
    project = dist.parent / "project"
    with launched_server(["--dist", str(dist), "--project", str(project), "--no-access-log"], cwd=project) as s:
        yield s


@pytest.mark.integration
def test_entity_document_for_apps(server: RunningServer) -> None:
    url = server.url + "polevents/id/person/kassym-jomart-tokayev"
    r = httpx.get(url, headers={"Accept": "application/ld+json"}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/ld+json"
    doc = r.json()
    # lossless: the same triples as the Turtle document
    turtle = httpx.get(url, headers={"Accept": "text/turtle"}, timeout=30)
    expected = ox.serialize(ox.parse(turtle.content, format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_QUADS)
    assert canonical(to_nquads(doc)) == canonical(expected.decode())
    entity, *rest = doc["@graph"]
    assert entity["id"] == TOKAYEV
    assert entity["type"] == "Person"
    assert entity["label"]["en"] == "Kassym-Jomart Tokayev"
    assert any(str(s).startswith("http://www.wikidata.org/entity/") for s in _as_list(entity.get("sameAs")))
    facts = [n for n in rest if "wasDerivedFrom" in n]
    tenure = next(n for n in facts if n["id"] == BASE + "id/tenure/tokayev-chair-of-amanat")
    assert tenure["startDate"]["@value"] == "2022-01-28"
    assert tenure["holder"] == TOKAYEV
    evidence = _as_list(tenure["wasDerivedFrom"])
    assert evidence and all(isinstance(e["sentenceIndex"], int) for e in evidence)
    assert all(e["inSource"].startswith(BASE + "id/source/") for e in evidence)
    sources = {n["id"]: n for n in rest if n["id"] in {e["inSource"] for e in evidence}}
    assert sources and all(n["title"]["en"] for n in sources.values())  # each source by its title
    keys = [_first_date(n) for n in facts]
    assert keys == sorted(keys)  # facts by date


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _first_date(node: dict[str, Any]) -> str:
    for key in ("date", "startDate", "endDate", "earliestDate", "latestDate"):
        if key in node:
            return str(node[key]["@value"])
    return "~"
