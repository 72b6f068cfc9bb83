"""``polevents serve``: dereferencing, content negotiation, HTML pages, dumps, VoID — over real HTTP.

One server (a subprocess on a free loopback port) serves a small fixture dataset
written here, with a dist/ folder beside it.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import re
import shutil
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
import pyoxigraph as ox
import pytest

from serve_launch import RunningServer, launched_server

pytestmark = pytest.mark.integration

BASE = "https://w3id.org/polevents/"
PE = "https://w3id.org/polevents/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
PERSON = BASE + "id/person/kassym-jomart-tokayev"
PERSON_PATH = "/polevents/id/person/kassym-jomart-tokayev"
SENTENCE_PATH = "/polevents/id/source/article/sentence/3"

FIXTURE = """\
@prefix pe:      <https://w3id.org/polevents/ontology#> .
@prefix rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl:     <http://www.w3.org/2002/07/owl#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema:  <http://schema.org/> .
@prefix wd:      <http://www.wikidata.org/entity/> .

<https://w3id.org/polevents/ontology> {
  <https://w3id.org/polevents/ontology> a owl:Ontology ; rdfs:label "polevents ontology"@en .
  pe:Person a owl:Class ; rdfs:label "person"@en ; rdfs:comment "A human being."@en .
  pe:Appointment a owl:Class ; rdfs:label "appointment or election"@en .
  pe:Tenure a owl:Class ; rdfs:label "tenure"@en .
  pe:Membership a owl:Class ; rdfs:label "membership"@en .
  pe:Sentence a owl:Class ; rdfs:label "sentence"@en .
  pe:Source a owl:Class ; rdfs:label "source document"@en .
  pe:date a owl:DatatypeProperty ; rdfs:label "date"@en .
  pe:startDate a owl:DatatypeProperty ; rdfs:label "start date"@en .
  pe:actor a owl:ObjectProperty ; rdfs:label "actor"@en .
  pe:holder a owl:ObjectProperty ; rdfs:label "holder"@en .
  pe:member a owl:ObjectProperty ; rdfs:label "member"@en .
}

<https://w3id.org/polevents/graph/test> {
  <https://w3id.org/polevents/id/person/kassym-jomart-tokayev> a pe:Person ;
      rdfs:label "Kassym-Jomart Tokayev"@en ;
      skos:altLabel "Касым-Жомарт Токаев"@ru ;
      owl:sameAs wd:Q200881 .
  <https://w3id.org/polevents/id/event/elected-chair> a pe:Appointment ;
      rdfs:label "Tokayev elected chairman of the party"@en ;
      pe:date "2022-04-26"^^xsd:date ;
      pe:actor <https://w3id.org/polevents/id/person/kassym-jomart-tokayev> ;
      prov:wasDerivedFrom <https://w3id.org/polevents/id/source/article/sentence/3> .
  <https://w3id.org/polevents/id/tenure/chair> a pe:Tenure ;
      rdfs:label "Tokayev, chairman of the party"@en ;
      pe:holder <https://w3id.org/polevents/id/person/kassym-jomart-tokayev> ;
      pe:startDate "2022-03"^^xsd:gYearMonth ;
      prov:wasDerivedFrom <https://w3id.org/polevents/id/source/article/sentence/3>,
                          <https://w3id.org/polevents/id/source/article/sentence/4> .
  <https://w3id.org/polevents/id/membership/otan> a pe:Membership ;
      rdfs:label "Tokayev, member of Otan"@en ;
      pe:member <https://w3id.org/polevents/id/person/kassym-jomart-tokayev> ;
      pe:startDate "1999"^^xsd:gYear ;
      prov:wasDerivedFrom <https://w3id.org/polevents/id/source/article/sentence/4> .
  <https://w3id.org/polevents/id/source/article> a pe:Source ;
      dcterms:title "A test article about the reform"@en ;
      schema:url <https://example.org/article> .
  <https://w3id.org/polevents/id/source/article/sentence/3> a pe:Sentence ;
      pe:inSource <https://w3id.org/polevents/id/source/article> ;
      pe:sentenceIndex 3 ; pe:startOffset 100 ; pe:endOffset 180 .
  <https://w3id.org/polevents/id/source/article/sentence/4> a pe:Sentence ;
      pe:inSource <https://w3id.org/polevents/id/source/article> ;
      pe:sentenceIndex 4 ; pe:startOffset 181 ; pe:endOffset 250 .
  <https://w3id.org/polevents/id/person/mallory> a pe:Person ;
      rdfs:label "<script>alert('x')</script> Mallory"@en ;
      rdfs:seeAlso <javascript:alert(1)> .
}

<http://example.org/outside> rdfs:label "An IRI outside the base"@en ;
    <http://example.org/mentions> <https://w3id.org/polevents/id/person/kassym-jomart-tokayev> .
"""

VOID = """\
@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://w3id.org/polevents/dataset/1.0> a void:Dataset ;
    dcat:version "1.0" ;
    dcterms:title "The fixture dataset"@en ;
    dcterms:description "A handful of facts to test the server."@en ;
    void:exampleResource <https://w3id.org/polevents/id/person/kassym-jomart-tokayev> ;
    void:triples 42 .
"""

QUERY = "# Every person and their label\nSELECT ?p ?label WHERE { ?p a pe:Person ; rdfs:label ?label }\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, Path]]:
    root = tmp_path_factory.mktemp("site")
    data = root / "fixture.trig"
    data.write_text(FIXTURE, encoding="utf-8")
    (root / "queries").mkdir()
    (root / "queries" / "people.rq").write_text(QUERY, encoding="utf-8")
    dist = root / "dist"
    dist.mkdir()
    quads = ox.parse(FIXTURE.encode(), format=ox.RdfFormat.TRIG)
    nq = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    assert nq is not None
    (dist / "polevents.nq").write_bytes(nq)
    (dist / "polevents.nq.gz").write_bytes(gzip.compress(nq, mtime=0))
    (dist / "void.ttl").write_text(VOID, encoding="utf-8")
    sums = "".join(f"{hashlib.sha256((dist / n).read_bytes()).hexdigest()}  {n}\n"
                   for n in ("polevents.nq", "polevents.nq.gz", "void.ttl"))  # fmt: skip
    (dist / "SHA256SUMS").write_text(sums, encoding="utf-8")
    (dist / ".hidden").write_text("hidden", encoding="utf-8")
    (root / "secret.txt").write_text("TOP-SECRET", encoding="utf-8")
    (dist / "link-out.txt").symlink_to(root / "secret.txt")
    with launched_server([str(data), "--dist", str(dist), "--no-access-log"], cwd=root) as server:
        yield server, dist


@pytest.fixture(scope="module")
def server(site: tuple[RunningServer, Path]) -> RunningServer:
    return site[0]


@pytest.fixture(scope="module")
def client(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url.rstrip("/"), timeout=30) as c:
        yield c


def triples_of(response: httpx.Response) -> set[ox.Triple]:
    fmt = ox.RdfFormat.from_media_type(response.headers["content-type"].split(";")[0])
    assert fmt is not None, response.headers["content-type"]
    return {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(response.content, format=fmt)}


def nn(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


# ---------------------------------------------------------------- start-up


def test_prints_its_address(server: RunningServer) -> None:
    assert re.search(r"serving http://127\.0\.0\.1:\d+/ ", server.stderr())
    assert urlsplit(server.url).port not in (None, 0, 8000)


# ---------------------------------------------------------------- dereferencing and negotiation


def test_iri_answers_at_the_base_path_with_turtle_by_default(client: httpx.Client) -> None:
    r = client.get(PERSON_PATH)
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/turtle; charset=utf-8"
    assert "Accept" in r.headers["vary"]
    graph = triples_of(r)
    person = nn(PERSON)
    rdfs_label = nn("http://www.w3.org/2000/01/rdf-schema#label")
    # outgoing
    assert ox.Triple(person, rdfs_label, ox.Literal("Kassym-Jomart Tokayev", language="en")) in graph
    assert (
        ox.Triple(person, nn("http://www.w3.org/2002/07/owl#sameAs"), nn("http://www.wikidata.org/entity/Q200881"))
        in graph
    )
    # incoming, with the label of the node pointing here
    event = nn(BASE + "id/event/elected-chair")
    assert ox.Triple(event, nn("https://w3id.org/polevents/ontology#actor"), person) in graph
    assert ox.Triple(event, rdfs_label, ox.Literal("Tokayev elected chairman of the party", language="en")) in graph
    assert ox.Triple(nn("http://example.org/outside"), nn("http://example.org/mentions"), person) in graph
    # the facts pointing here come whole: their dates, and the sentences they cite (number and source)
    assert ox.Triple(event, nn(PE + "date"), ox.Literal("2022-04-26", datatype=nn(XSD + "date"))) in graph
    sentence = nn(BASE + "id/source/article/sentence/3")
    assert ox.Triple(sentence, nn(PE + "sentenceIndex"), ox.Literal("3", datatype=nn(XSD + "integer"))) in graph
    assert ox.Triple(sentence, nn(PE + "inSource"), nn(BASE + "id/source/article")) in graph
    # a node outside the dataset that is no fact (no date, no evidence) comes with its link and label only
    outside = {t.predicate.value for t in graph if t.subject.value == "http://example.org/outside"}
    assert outside <= {"http://example.org/mentions", "http://www.w3.org/2000/01/rdf-schema#label"}


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/json", "application/ld+json"),
        ("text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json"),
        ("application/*", "application/ld+json"),
        ("text/html;q=0.1, application/rdf+xml;q=0.2", "application/rdf+xml"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
    ],
)
def test_content_negotiation(client: httpx.Client, accept: str, media_type: str) -> None:
    r = client.get(PERSON_PATH, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in r.headers["vary"]
    if media_type != "text/html":
        assert triples_of(r) == triples_of(client.get(PERSON_PATH, headers={"Accept": "text/turtle"}))


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("nt", "application/n-triples"),
     ("rdf", "application/rdf+xml"), ("html", "text/html")],
)  # fmt: skip
def test_format_parameter_overrides_accept(client: httpx.Client, fmt: str, media_type: str) -> None:
    r = client.get(PERSON_PATH, params={"format": fmt}, headers={"Accept": "image/png"})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media_type


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [("turtle", "text/turtle"), ("json", "application/ld+json"), ("json-ld", "application/ld+json"),
     ("ntriples", "application/n-triples"), ("xml", "application/rdf+xml"), ("rdfxml", "application/rdf+xml"),
     ("HTM", "text/html")],
)  # fmt: skip
def test_format_parameter_takes_every_rdf_format_name(client: httpx.Client, fmt: str, media_type: str) -> None:
    r = client.get(PERSON_PATH, params={"format": fmt})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media_type


def test_format_parameter_for_a_format_not_offered_is_406(client: httpx.Client) -> None:
    r = client.get(PERSON_PATH, params={"format": "nq"})  # an RDF format, but not one for entities
    assert r.status_code == 406
    assert "format=ttl|jsonld|nt|rdf|html" in r.text


def test_entity_documents_use_the_prefixes_of_the_dumps(client: httpx.Client) -> None:
    """The prefixes of dataset_prefixes, as in dist/: sentences and people get theirs."""
    sentence = client.get(SENTENCE_PATH, headers={"Accept": "text/turtle"}).text
    assert f"@prefix source-article-sentence: <{BASE}id/source/article/sentence/> ." in sentence
    assert "source-article-sentence:3 " in sentence
    person = client.get(PERSON_PATH, headers={"Accept": "text/turtle"}).text
    assert f"@prefix person: <{BASE}id/person/> ." in person
    assert "@prefix wd: <http://www.wikidata.org/entity/> ." in person
    assert "@prefix sh:" not in person  # only the prefixes the document uses
    # JSON-LD uses the term context instead (tests/test_context.py)
    context = client.get(PERSON_PATH, params={"format": "jsonld"}).json()["@context"]
    assert context["holder"] == {"@id": "pe:holder", "@type": "@id"}


def test_406_lists_what_is_available(client: httpx.Client) -> None:
    r = client.get(PERSON_PATH, headers={"Accept": "image/png, text/csv"})
    assert r.status_code == 406
    for media_type in (
        "text/turtle",
        "application/ld+json",
        "application/n-triples",
        "application/rdf+xml",
        "text/html",
    ):
        assert media_type in r.text
    assert client.get(PERSON_PATH, params={"format": "pdf"}).status_code == 406


def test_link_header_names_the_alternates(client: httpx.Client) -> None:
    link = client.get(PERSON_PATH).headers["link"]
    assert f'<{PERSON_PATH}?format=jsonld>; rel="alternate"; type="application/ld+json"' in link
    assert 'type="application/rdf+xml"' in link


def test_unknown_iri_is_404(client: httpx.Client) -> None:
    r = client.get("/polevents/id/person/nobody")
    assert r.status_code == 404
    assert "nobody" in r.text
    page = client.get("/polevents/id/person/nobody", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>404 Not found</h1>" in page.text
    assert client.get("/no/such/page", headers={"Accept": "text/html"}).status_code == 404


def test_etag_and_304(client: httpx.Client) -> None:
    first = client.get(PERSON_PATH, headers={"Accept": "text/html"})
    etag = first.headers["etag"]
    again = client.get(PERSON_PATH, headers={"Accept": "text/html", "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    other = client.get(PERSON_PATH, headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert other.status_code == 200


def test_head(client: httpx.Client) -> None:
    r = client.head(PERSON_PATH, headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert r.content == b""
    assert int(r.headers["content-length"]) == len(client.get(PERSON_PATH).content)


def test_describe_any_iri(client: httpx.Client) -> None:
    r = client.get("/describe", params={"iri": "http://example.org/outside"}, headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert "An IRI outside the base" in r.text
    redirect = client.get("/describe", params={"iri": PERSON}, follow_redirects=False)
    assert redirect.status_code == 303
    assert redirect.headers["location"] == PERSON_PATH
    assert client.get("/describe", params={"iri": "http://example.org/unknown"}).status_code == 404
    assert client.get("/describe", params={"iri": "not an iri"}).status_code == 400


def test_dataset_iris_of_void_dereference(client: httpx.Client) -> None:
    r = client.get("/polevents/dataset/1.0", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert ox.Triple(nn(BASE + "dataset/1.0"), nn("http://purl.org/dc/terms/title"),
                     ox.Literal("The fixture dataset", language="en")) in triples_of(r)  # fmt: skip


def test_ontology_document(client: httpx.Client) -> None:
    r = client.get("/polevents/ontology", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    graph = triples_of(r)
    assert ox.Triple(nn("https://w3id.org/polevents/ontology#Person"),
                     nn("http://www.w3.org/2000/01/rdf-schema#comment"),
                     ox.Literal("A human being.", language="en")) in graph  # fmt: skip
    page = client.get("/polevents/ontology", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert 'id="Person"' in page.text


# ---------------------------------------------------------------- the HTML page


def test_person_page_for_people(client: httpx.Client) -> None:
    r = client.get(PERSON_PATH, headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    html = r.text
    assert "<title>Kassym-Jomart Tokayev · " in html
    assert "<h1>Kassym-Jomart Tokayev</h1>" in html
    # the type and the properties by their labels, linked to the ontology
    assert '<a href="/polevents/ontology#Person"' in html and ">person</a>" in html
    assert "Касым-Жомарт Токаев" in html
    # dates at their precision
    assert '<time datetime="2022-04-26"' in html and ">26 April 2022</time>" in html
    assert ">March 2022</time>" in html
    assert ">1999</time>" in html
    # the facts pointing here, with their evidence
    assert 'href="/polevents/id/event/elected-chair"' in html
    assert f'<a href="{SENTENCE_PATH}" class="sentence">sentence 3</a>' in html
    assert "characters 100–180" in html
    assert "A test article about the reform" in html
    assert 'href="https://example.org/article"' in html
    # Wikidata and the other formats
    assert 'href="https://www.wikidata.org/wiki/Q200881"' in html
    assert f'<link rel="alternate" type="text/turtle" href="{PERSON_PATH}?format=ttl"' in html
    assert f'<a href="{PERSON_PATH}?format=rdf" type="application/rdf+xml">RDF/XML</a>' in html
    # an outside IRI pointing here links to its /describe page
    assert 'href="/describe?iri=http%3A%2F%2Fexample.org%2Foutside"' in html


def test_fact_page_shows_its_evidence(client: httpx.Client) -> None:
    html = client.get("/polevents/id/tenure/chair", params={"format": "html"}).text
    assert "<h2>Evidence</h2>" in html
    assert 'class="sentence">sentence 3</a>' in html and 'class="sentence">sentence 4</a>' in html
    assert 'href="/polevents/id/person/kassym-jomart-tokayev"' in html


def test_sentence_page_lists_the_facts_citing_it(client: httpx.Client) -> None:
    html = client.get(SENTENCE_PATH, params={"format": "html"}).text
    assert "Sentence 3 of “A test article about the reform”" in html
    assert 'href="/polevents/id/event/elected-chair"' in html
    assert 'href="/polevents/id/tenure/chair"' in html


def test_labels_are_escaped(client: httpx.Client) -> None:
    html = client.get("/polevents/id/person/mallory", params={"format": "html"}).text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Mallory" in html
    assert 'href="javascript:' not in html  # shown, not linked
    assert "javascript:alert(1)" in html


def test_base_path_leads_home(client: httpx.Client) -> None:
    r = client.get("/polevents/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_home_page(client: httpx.Client) -> None:
    r = client.get("/")
    assert r.status_code == 200
    html = r.text
    assert "The fixture dataset" in html  # from void.ttl
    assert "A handful of facts to test the server." in html
    # served outside a project (no polevents.toml): version and site title from void.ttl, not the defaults
    assert "<dt>Version</dt><dd>1.0" in html and "0.0.0" not in html
    assert '<a class="brand" href="/">The fixture dataset</a>' in html and "polevents dataset" not in html
    assert 'href="/dist/polevents.nq.gz"' in html and 'href="/dist/SHA256SUMS"' in html
    assert ".hidden" not in html
    assert "Every person and their label" in html  # the example query's first comment line
    assert 'href="/sparql?query=%23%20Every%20person' in html
    assert '<textarea id="query" name="query"' in html and 'action="/sparql"' in html
    assert f'href="{PERSON_PATH}"' in html
    assert 'href="/browse?class=https%3A%2F%2Fw3id.org%2Fpolevents%2Fontology%23Person"' in html
    assert "owl:Class" not in html  # the ontology's own classes are not browsed as data


def test_browse(client: httpx.Client) -> None:
    r = client.get("/browse", params={"class": "https://w3id.org/polevents/ontology#Person"})
    assert r.status_code == 200
    assert f'href="{PERSON_PATH}"' in r.text
    assert "2 resources" in r.text


def test_stylesheet(client: httpx.Client) -> None:
    r = client.get("/static/style.css")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/css; charset=utf-8"
    assert client.get("/static/style.css", headers={"If-None-Match": r.headers["etag"]}).status_code == 304


# ---------------------------------------------------------------- dumps


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("polevents.nq", "application/n-quads"),
        ("polevents.nq.gz", "application/gzip"),
        ("void.ttl", "text/turtle; charset=utf-8"),
        ("SHA256SUMS", "text/plain; charset=utf-8"),
    ],
)
@pytest.mark.parametrize("prefix", ["/dist/", "/polevents/dist/"])
def test_dumps(client: httpx.Client, site: tuple[RunningServer, Path], name: str, media_type: str, prefix: str) -> None:
    path = site[1] / name
    r = client.get(prefix + name)
    assert r.status_code == 200
    assert r.headers["content-type"] == media_type
    assert r.content == path.read_bytes()
    assert int(r.headers["content-length"]) == path.stat().st_size
    assert r.headers["last-modified"] == formatdate(path.stat().st_mtime, usegmt=True)
    etag = r.headers["etag"]
    assert client.get(prefix + name, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(prefix + name, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert client.get(prefix + name, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(prefix + name, headers={"If-Modified-Since": r.headers["last-modified"]}).status_code == 304
    old = formatdate(path.stat().st_mtime - 3600, usegmt=True)
    assert client.get(prefix + name, headers={"If-Modified-Since": old}).status_code == 200


def test_changed_file_gets_a_new_etag(client: httpx.Client, site: tuple[RunningServer, Path]) -> None:
    path = site[1] / "notes.txt"
    path.write_text("one", encoding="utf-8")
    try:
        etag = client.get("/dist/notes.txt").headers["etag"]
        path.write_text("two!", encoding="utf-8")
        r = client.get("/dist/notes.txt", headers={"If-None-Match": etag})
        assert r.status_code == 200 and r.text == "two!"
        assert r.headers["etag"] != etag
    finally:
        path.unlink()  # the dist folder is shared by the module's tests


EVIL = [
    "/dist/../secret.txt",
    "/dist/%2e%2e/secret.txt",
    "/dist/%2E%2E%2Fsecret.txt",
    "/dist/..%2fsecret.txt",
    "/dist/%252e%252e%252fsecret.txt",
    "/dist/..%5csecret.txt",
    "/dist/..\\secret.txt",
    "/dist//etc/passwd",
    "/dist/%2fetc%2fpasswd",
    "/dist/./polevents.nq/../../secret.txt",
    "/dist/.hidden",
    "/dist/link-out.txt",
    "/dist/%00polevents.nq",
    "/polevents/dist/%2e%2e/%2e%2e/secret.txt",
    "/static/..%2f..%2fserve%2fapp.py",
]


@pytest.mark.parametrize("path", EVIL)
def test_no_path_traversal(server: RunningServer, path: str) -> None:
    """Raw request targets (no client-side normalisation) never reach outside dist/."""
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.endheaders()
        resp = conn.getresponse()
        body = resp.read()
    finally:
        conn.close()
    assert resp.status in (400, 404)
    assert b"TOP-SECRET" not in body and b"root:" not in body and b"hidden" != body


# ---------------------------------------------------------------- VoID


def test_void_serves_void_ttl_with_the_endpoint(client: httpx.Client, site: tuple[RunningServer, Path]) -> None:
    r = client.get("/.well-known/void")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/turtle; charset=utf-8"
    in_file = {q.triple for q in ox.parse((site[1] / "void.ttl").read_bytes(), format=ox.RdfFormat.TURTLE)}
    endpoint = ox.Triple(nn(BASE + "dataset/1.0"), nn("http://rdfs.org/ns/void#sparqlEndpoint"),
                         nn(site[0].url + "sparql"))  # fmt: skip
    assert triples_of(r) == in_file | {endpoint}
    as_jsonld = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert as_jsonld.headers["content-type"] == "application/ld+json"
    assert triples_of(as_jsonld) == triples_of(r)
    browser = client.get("/.well-known/void", headers={"Accept": "text/html"}, follow_redirects=False)
    assert browser.status_code == 303


def test_cors_on_pages(client: httpx.Client) -> None:
    r = client.get(PERSON_PATH, headers={"Origin": "https://example.org"})
    assert r.headers["access-control-allow-origin"] == "*"


def test_dump_names_are_quoted_in_links(client: httpx.Client, site: tuple[RunningServer, Path]) -> None:
    odd = site[1] / "a b&c.txt"
    odd.write_text("odd", encoding="utf-8")
    try:
        assert quote("a b&c.txt") == "a%20b%26c.txt"
        assert 'href="/dist/a%20b%26c.txt"' in client.get("/").text
        assert client.get("/dist/" + quote("a b&c.txt")).text == "odd"
    finally:
        odd.unlink()


def test_copying_dist_is_not_needed(site: tuple[RunningServer, Path]) -> None:
    """The server reads dist/ where it is: a file added later is served (the listing is live)."""
    extra = site[1] / "late.txt"
    shutil.copyfile(site[1] / "SHA256SUMS", extra)
    try:
        with httpx.Client(base_url=site[0].url.rstrip("/")) as c:
            assert c.get("/dist/late.txt").status_code == 200
    finally:
        extra.unlink()


# ---------------------------------------------------------------- a much-cited IRI


def test_incoming_links_are_capped_at_2000(tmp_path: Path) -> None:
    """2001 subjects point at one IRI: its RDF carries the first 2000 incoming triples, its page
    shows 2000 of them and says how many there are."""
    target = BASE + "id/person/much-cited"
    points = "http://example.org/points"
    lines = [f'<{target}> <http://www.w3.org/2000/01/rdf-schema#label> "Much cited"@en <{BASE}graph/test> .']
    lines += [f"<{BASE}id/thing/n{i:04d}> <{points}> <{target}> <{BASE}graph/test> ." for i in range(2001)]
    data = tmp_path / "cited.nq"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with (
        launched_server([str(data), "--no-access-log"], cwd=tmp_path) as running,
        httpx.Client(base_url=running.url.rstrip("/"), timeout=60) as c,
    ):
        r = c.get("/polevents/id/person/much-cited", headers={"Accept": "application/n-triples"})
        assert r.status_code == 200, r.text
        incoming = [t for t in triples_of(r) if t.object == nn(target)]
        assert len(incoming) == 2000
        assert {t.predicate for t in incoming} == {nn(points)}
        assert len({t.subject for t in incoming}) == 2000
        assert {t.subject.value for t in incoming} < {f"{BASE}id/thing/n{i:04d}" for i in range(2001)}

        page = c.get("/polevents/id/person/much-cited", headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert "<h1>Much cited</h1>" in page.text
        assert "2001 statements point here; the first 2000 are shown." in page.text
        linked = set(re.findall(r'href="/polevents/id/thing/(n\d{4})"', page.text))
        assert len(linked) == 2000
