"""The Wikibase-style export (``polevents export --profile wikidata|quickstatements``),
the Wikidata link shape, and the rule that only verified Wikidata IDs appear in the project."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic, to_isomorphic

from polevents.export.quickstatements import quickstatements
from polevents.export.wikibase import GREGORIAN, export_project, time_value
from polevents.export.wikibase_mapping import StoreView, WikidataMapping
from polevents.load import load_project
from support import REPO, WIKIDATA_FIXTURE, make_wikidata_project, run

BASE = "https://w3id.org/polevents/"
WD = "http://www.wikidata.org/entity/"
XSD = "http://www.w3.org/2001/XMLSchema#"

WDQS_QUERY = """
PREFIX p: <http://www.wikidata.org/prop/>
PREFIX ps: <http://www.wikidata.org/prop/statement/>
PREFIX pq: <http://www.wikidata.org/prop/qualifier/>
PREFIX pr: <http://www.wikidata.org/prop/reference/>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?item ?post ?start ?source WHERE {
  ?item p:P39 ?st . ?st ps:P39 ?post ; pq:P580 ?start .
  ?st prov:wasDerivedFrom ?ref . ?ref pr:P248 ?source .
}"""


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    return make_wikidata_project(tmp_path / "proj", links=True)


def export_ttl(project: Path, tmp_path: Path, *extra: str) -> Path:
    out = tmp_path / "wikibase.ttl"
    r = run("export", "--profile", "wikidata", "--project", str(project), "-o", str(out), *extra)
    assert r.code == 0, r.err
    return out


def query(store: ox.Store, q: str) -> list[dict[str, str]]:
    solutions = store.query(q)
    names = [v.value for v in solutions.variables]  # type: ignore[union-attr]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]  # type: ignore[union-attr]


# ---------------------------------------------------------------- mapping from the ontology


def test_mapping_is_read_from_the_ontology_annotations() -> None:
    store = ox.Store()
    store.bulk_load(path=str(REPO / "ontology" / "polevents.ttl"), format=ox.RdfFormat.TURTLE)
    m = WikidataMapping.from_graph(StoreView(store))
    pe = "https://w3id.org/polevents/ontology#"
    assert m.class_pids[pe + "Tenure"] == "P39"
    assert m.class_pids[pe + "PoliticalParty"] == "P102"
    assert m.property_pids[pe + "startDate"] == "P580" and m.roles[pe + "startDate"] == "qualifier"
    assert m.property_pids[pe + "replaces"] == "P1365"
    assert m.roles[pe + "holder"] == "subject" and m.roles[pe + "post"] == "value"
    assert m.roles[pe + "hasName"] == "statement"
    assert m.concept_pids[pe + "daughter"] == "P40"
    assert m.property_pids["http://purl.org/dc/terms/title"] == "P1476"


def test_changing_an_annotation_changes_the_export(tmp_path: Path) -> None:
    """Nothing is hard-coded: re-annotate pe:Tenure and the tenures follow."""
    text = (REPO / "ontology" / "polevents.ttl").read_text(encoding="utf-8")
    changed = re.sub(r"(pe:Tenure a owl:Class ;.*?pe:wikidataProperty) wd:P39 \.", r"\1 wd:P1308 .", text, flags=re.S)
    assert changed != text
    onto = tmp_path / "onto.ttl"
    onto.write_text(changed, encoding="utf-8")
    proj = make_wikidata_project(tmp_path / "p", ontology=onto, links=True)
    ex = export_project(proj)
    pids = {c.pid for c in ex.claims}
    assert "P1308" in pids and "P39" not in pids


# ---------------------------------------------------------------- the Wikibase RDF


def test_wdqs_query_beside_a_wikidata_slice_returns_both_chairmanships(project: Path, tmp_path: Path) -> None:
    out = export_ttl(project, tmp_path)
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.TURTLE)
    store.load(path=str(WIKIDATA_FIXTURE / "slice.ttl"), format=ox.RdfFormat.TURTLE)
    rows = query(store, WDQS_QUERY)
    chair = BASE + "id/post/chair-of-amanat"
    got = {(r["item"], r["post"], r["start"], r["source"]) for r in rows}
    assert (WD + "Q200881", chair, "2022-01-28T00:00:00Z", BASE + "id/source/fixture-a") in got
    assert (WD + "Q200881", chair, "2022-01-28T00:00:00Z", BASE + "id/source/fixture-b") in got
    assert (BASE + "id/person/yerlan-koshanov", chair, "2022-04-26T00:00:00Z", BASE + "id/source/fixture-a") in got
    assert (WD + "Q57394", chair, "1999-01-01T00:00:00Z", BASE + "id/source/fixture-a") in got
    # the slice's own statement and ours meet on the same item
    posts = query(
        store,
        "PREFIX p: <http://www.wikidata.org/prop/> PREFIX ps: <http://www.wikidata.org/prop/statement/> "
        f"SELECT DISTINCT ?post WHERE {{ <{WD}Q200881> p:P39/ps:P39 ?post }}",
    )
    assert {r["post"] for r in posts} == {WD + "Q5256775", chair}
    # rdflib reads the same export and answers the same
    g = rdflib.Graph().parse(out, format="turtle")
    g.parse(WIKIDATA_FIXTURE / "slice.ttl", format="turtle")
    rd = {(str(r[0]), str(r[1]), datetime.fromisoformat(str(r[2])), str(r[3])) for r in g.query(WDQS_QUERY)}
    assert rd == {(i, p, datetime.fromisoformat(s), src) for i, p, s, src in got}


def test_statement_shape_as_a_graph(project: Path) -> None:
    """Tokayev's chairmanship, compared as a graph (hashed node IRIs become blank nodes)."""
    ex = export_project(project)
    g = rdflib.Graph()
    g.parse(data=ex.serialize().decode("utf-8"), format="turtle")
    st = next(
        s
        for s, o in g.subject_objects(rdflib.RDFS.seeAlso)
        if str(o) == BASE + "id/tenure/tokayev-chair-of-amanat"
        and (rdflib.URIRef(WD + "Q200881"), rdflib.URIRef("http://www.wikidata.org/prop/P39"), s) in g
    )
    sub = rdflib.Graph()
    frontier = {st}
    seen = set()
    while frontier:
        node = frontier.pop()
        seen.add(node)
        for p, o in g.predicate_objects(node):
            sub.add((node, p, o))
            if isinstance(o, rdflib.URIRef) and str(o).startswith(BASE + "wikibase/") and o not in seen:
                frontier.add(o)
    expected = rdflib.Graph().parse(
        data=f"""
        @prefix wd: <{WD}> . @prefix wikibase: <http://wikiba.se/ontology#> .
        @prefix ps: <http://www.wikidata.org/prop/statement/> . @prefix pq: <http://www.wikidata.org/prop/qualifier/> .
        @prefix pqv: <http://www.wikidata.org/prop/qualifier/value/> . @prefix pr: <http://www.wikidata.org/prop/reference/> .
        @prefix prv: <http://www.wikidata.org/prop/reference/value/> .
        @prefix prov: <http://www.w3.org/ns/prov#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix d: <{BASE}> .
        _:st a wikibase:Statement, wikibase:BestRank ; wikibase:rank wikibase:NormalRank ;
            rdfs:seeAlso <{BASE}id/tenure/tokayev-chair-of-amanat> ;
            ps:P39 <{BASE}id/post/chair-of-amanat> ;
            pq:P580 "2022-01-28T00:00:00Z"^^xsd:dateTime ; pqv:P580 _:t1 ;
            pq:P582 "2022-04-26T00:00:00Z"^^xsd:dateTime ; pqv:P582 _:t2 ;
            pq:P1365 wd:Q57394 ; pq:P1366 <{BASE}id/person/yerlan-koshanov> ;
            pq:P1534 <{BASE}id/event/2022-04-26-tokayev-resigns-chair> ;
            prov:wasDerivedFrom _:ra, _:rb .
        _:t1 a wikibase:TimeValue ; wikibase:timeValue "2022-01-28T00:00:00Z"^^xsd:dateTime ;
            wikibase:timePrecision 11 ; wikibase:timeTimezone 0 ; wikibase:timeCalendarModel wd:Q1985727 .
        _:t2 a wikibase:TimeValue ; wikibase:timeValue "2022-04-26T00:00:00Z"^^xsd:dateTime ;
            wikibase:timePrecision 11 ; wikibase:timeTimezone 0 ; wikibase:timeCalendarModel wd:Q1985727 .
        _:ra a wikibase:Reference ; pr:P248 <{BASE}id/source/fixture-a> ;
            pr:P854 <https://example.org/news/fixture-a> ; pr:P1476 "Fixture article A"@en ;
            pr:P577 "2022-05-04T00:00:00Z"^^xsd:dateTime ; prv:P577 _:t3 ;
            pr:P813 "2022-05-10T00:00:00Z"^^xsd:dateTime ; prv:P813 _:t4 ;
            prov:wasDerivedFrom <{BASE}id/source/fixture-a/sentence/1>, <{BASE}id/source/fixture-a/sentence/2> .
        _:t3 a wikibase:TimeValue ; wikibase:timeValue "2022-05-04T00:00:00Z"^^xsd:dateTime ;
            wikibase:timePrecision 11 ; wikibase:timeTimezone 0 ; wikibase:timeCalendarModel wd:Q1985727 .
        _:t4 a wikibase:TimeValue ; wikibase:timeValue "2022-05-10T00:00:00Z"^^xsd:dateTime ;
            wikibase:timePrecision 11 ; wikibase:timeTimezone 0 ; wikibase:timeCalendarModel wd:Q1985727 .
        _:rb a wikibase:Reference ; pr:P248 <{BASE}id/source/fixture-b> ;
            pr:P854 <ni:///sha-256;No8S3ruyBOszkWY4RihHQfyFjnLYnU_eQsOOJHK8ku0> ; pr:P1476 "Fixture article B"@en ;
            prov:wasDerivedFrom <{BASE}id/source/fixture-b/sentence/1> .
    """,
        format="turtle",
    )

    def blank(graph: rdflib.Graph) -> rdflib.Graph:
        out = rdflib.Graph()
        conv = lambda n: (
            rdflib.BNode(str(n)) if isinstance(n, rdflib.URIRef) and str(n).startswith(BASE + "wikibase/") else n
        )
        for s, p, o in graph:
            out.add((conv(s), p, conv(o)))
        return out

    a, b = to_isomorphic(blank(sub)), to_isomorphic(expected)
    if not isomorphic(a, b):
        from rdflib.compare import graph_diff

        _both, only_got, only_expected = graph_diff(a, b)
        pytest.fail(
            "statement graph differs\nonly in export:\n"
            + only_got.serialize(format="nt")
            + "\nonly expected:\n"
            + only_expected.serialize(format="nt")
        )


def test_items_properties_and_links(project: Path) -> None:
    ex = export_project(project)
    store = ox.Store()
    store.load(ex.serialize(), format=ox.RdfFormat.TURTLE)
    p = "http://www.wikidata.org/prop/"
    pq = "http://www.wikidata.org/prop/qualifier/"
    ps = "http://www.wikidata.org/prop/statement/"

    def claims(pid: str) -> set[tuple[str, str]]:
        return {(r["s"], r["v"]) for r in query(store, f"SELECT ?s ?v WHERE {{ ?s <{p}{pid}>/<{ps}{pid}> ?v }}")}

    party = BASE + "id/organization/amanat"
    # the party is only a closeMatch of Q1195092: it keeps its own IRI, with the closeMatch beside it
    assert claims("P102") == {(WD + "Q200881", party)}
    assert claims("P463") == {(WD + "Q376532", BASE + "id/organization/amanat-party-committee")}
    assert query(store, f"SELECT ?o WHERE {{ <{party}> <http://www.w3.org/2004/02/skos/core#closeMatch> ?o }}") == [
        {"o": WD + "Q1195092"}
    ]
    # chairperson on the party, from the tenures of its chair post (pe:wikidataHolderProperty P488)
    assert claims("P488") == {
        (party, WD + "Q57394"),
        (party, WD + "Q200881"),
        (party, BASE + "id/person/yerlan-koshanov"),
    }
    # kinship: daughter -> P40, brother -> P3373, father-in-law -> P1038 with P1039
    assert claims("P40") == {(WD + "Q57394", WD + "Q376532")}
    assert claims("P3373") == {(WD + "Q57394", WD + "Q91941470")}
    assert claims("P1038") == {(WD + "Q4312090", BASE + "id/person/father-in-law-of-aliya-nazarbayeva")}
    kin = query(store, f"SELECT ?k WHERE {{ ?s <{p}P1038> ?st . ?st <{pq}P1039> ?k }}")
    assert kin == [{"k": "https://w3id.org/polevents/ontology#fatherInLaw"}]
    assert not query(store, f"SELECT ?k WHERE {{ ?s <{p}P40> ?st . ?st <{pq}P1039> ?k }}")
    # official names with their dates and precision (P1448 monolingual, pq:P580 year precision)
    names = query(
        store,
        f"""SELECT ?name ?prec WHERE {{ <{party}> <{p}P1448> ?st . ?st <{ps}P1448> ?name ;
        <{pq}value/P580> ?t . ?t <http://wikiba.se/ontology#timePrecision> ?prec }}""",
    )
    assert {(r["name"], r["prec"]) for r in names} >= {("Otan", "9"), ("Nur Otan", "9"), ("Amanat", "10")}
    # the presidency tenure: the post has a verified item; P1365 names the predecessor's holder
    pres = query(
        store, f"SELECT ?r WHERE {{ <{WD}Q200881> <{p}P39> ?st . ?st <{ps}P39> <{WD}Q5256775> ; <{pq}P1365> ?r }}"
    )
    assert pres == [{"r": WD + "Q57394"}]
    # a quotation as evidence gives pr:P1683
    quotes = query(
        store,
        f"""SELECT ?q WHERE {{ <{WD}Q200881> <{p}P102> ?st .
        ?st <http://www.w3.org/ns/prov#wasDerivedFrom>/<http://www.wikidata.org/prop/reference/P1683> ?q }}""",
    )
    assert quotes == [{"q": "I am leaving the party."}]
    # no item is invented: every wd: item in the export is a verified one of the data
    wd_items = {
        r["i"]
        for r in query(
            store,
            f'SELECT DISTINCT ?i WHERE {{ {{ ?i ?p ?o }} UNION {{ ?s ?p ?i }} FILTER(STRSTARTS(STR(?i), "{WD}Q")) }}',
        )
    }
    assert wd_items == {
        WD + q
        for q in ("Q200881", "Q57394", "Q376532", "Q91941470", "Q4312090", "Q232", "Q5256775", "Q1195092", "Q1985727")
    }
    # truthy triples and property declarations
    assert bool(store.query(f"ASK {{ <{WD}Q200881> <http://www.wikidata.org/prop/direct/P39> <{WD}Q5256775> }}"))
    assert bool(store.query(f"ASK {{ <{WD}P39> <http://wikiba.se/ontology#claim> <{p}P39> }}"))


def test_time_values_keep_their_precision() -> None:
    assert time_value("1999", XSD + "gYear").quickstatements == "+1999-00-00T00:00:00Z/9"  # type: ignore[union-attr]
    month = time_value("2022-03", XSD + "gYearMonth")
    assert month is not None and month.precision == 10 and month.datetime == "2022-03-01T00:00:00Z"
    day = time_value("2022-01-28", XSD + "date")
    assert day is not None and day.quickstatements == "+2022-01-28T00:00:00Z/11"
    assert time_value("-0044", XSD + "gYear").datetime == "-0044-01-01T00:00:00Z"  # type: ignore[union-attr]
    assert time_value("soon", XSD + "date") is None
    assert time_value("2022", XSD + "string") is None
    assert GREGORIAN == WD + "Q1985727"


def test_export_is_deterministic_and_formats_agree(project: Path, tmp_path: Path) -> None:
    first = export_ttl(project, tmp_path).read_bytes()
    second = export_ttl(project, tmp_path).read_bytes()
    assert first == second
    nt = tmp_path / "wikibase.nt"
    r = run("export", "--profile", "wikidata", "--project", str(project), "-o", str(nt))
    assert r.code == 0, r.err
    lines = nt.read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines)
    assert isomorphic(rdflib.Graph().parse(data=first.decode(), format="turtle"), rdflib.Graph().parse(nt, format="nt"))
    r2 = run("export", "--profile", "wikidata", "--project", str(project), "--format", "nt")
    assert r2.code == 0 and r2.out.splitlines() == lines


def test_export_reads_a_built_dist_without_the_ontology_graph(project: Path, tmp_path: Path) -> None:
    """A dist/polevents.nq holding only the data: the mapping comes from the project's ontology/."""
    proj = load_project(project)
    dist = tmp_path / "dist"
    dist.mkdir()
    ox.serialize(proj.quads(with_ontology=False), output=str(dist / "polevents.nq"), format=ox.RdfFormat.N_QUADS)
    in_memory = export_project(project)
    from_dist = export_project(project, dist)
    assert from_dist.serialize() == in_memory.serialize()


def test_quickstatements_only_between_verified_items(project: Path) -> None:
    r = run("export", "--profile", "quickstatements", "--project", str(project))
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    ref_a = 'S577\t+2022-05-04T00:00:00Z/11\tS813\t+2022-05-10T00:00:00Z/11\tS854\t"https://example.org/news/fixture-a"\tS1476\ten:"Fixture article A"'
    ref_b = 'S1476\ten:"Fixture article B"'
    assert lines == sorted(lines)
    assert set(lines) == {
        f"Q200881\tP39\tQ5256775\tP1365\tQ57394\t{ref_b}",
        f"Q57394\tP39\tQ5256775\tP1366\tQ200881\t{ref_b}",
        f"Q57394\tP40\tQ376532\t{ref_b}",
        f"Q57394\tP3373\tQ91941470\t{ref_b}",
    }
    assert "koshanov-chair-of-amanat>: P39: the item has no verified Wikidata item" in r.err
    assert "tokayev-in-amanat>: P102: the value has no verified Wikidata item" in r.err
    assert ref_a  # source A only supports facts whose value is local (the party, its chair post)


def test_quickstatements_qualifiers_and_url_references(tmp_path: Path) -> None:
    """With the party accepted as Q1195092 the chairmanship and membership become exportable."""
    proj = make_wikidata_project(tmp_path / "p", links=True)
    links = proj / "data" / "sample" / "links.ttl"
    links.write_text(links.read_text().replace("skos:closeMatch wd:Q1195092", "skos:exactMatch wd:Q1195092"))
    qs = quickstatements(export_project(proj))
    assert (
        "Q1195092\tP488\tQ200881\tP580\t+2022-01-28T00:00:00Z/11\tP582\t+2022-04-26T00:00:00Z/11\tP1365\tQ57394\t"
        'S577\t+2022-05-04T00:00:00Z/11\tS813\t+2022-05-10T00:00:00Z/11\tS854\t"https://example.org/news/fixture-a"\t'
        'S1476\ten:"Fixture article A"'
    ) in qs.lines
    assert (
        "Q200881\tP102\tQ1195092\tP582\t+2022-04-26T00:00:00Z/11\tS577\t+2022-05-04T00:00:00Z/11\tS813\t"
        '+2022-05-10T00:00:00Z/11\tS854\t"https://example.org/news/fixture-a"\tS1476\ten:"Fixture article A"\t'
        'S1683\ten:"I am leaving the party."'
    ) in qs.lines
    assert 'Q1195092\tP1448\tkk:"Нұр Отан"\tP580\t+2006-00-00T00:00:00Z/9\tP582\t+2022-03-00T00:00:00Z/10' in "\n".join(
        qs.lines
    )
    # the hash-only source never becomes an S854 (a ni: URI is not a Wikidata URL)
    assert not any("ni:///" in line for line in qs.lines)
    assert any(s.reason == "P488 qualifier P1534: the value has no verified item" for s in qs.skipped)


def test_export_usage_errors(project: Path, tmp_path: Path) -> None:
    r = run("export", "--profile", "quickstatements", "--format", "nt", "--project", str(project))
    assert r.code == 2 and "--format applies to --profile wikidata" in r.err
    r = run("export", "--profile", "wikidata", "--project", str(project), "-o", str(tmp_path / "x.jsonld"))
    assert r.code == 2 and "turtle or nt" in r.err
    r = run("export", "--profile", "wikidata", "--project", str(project), "--dist", str(tmp_path / "nodist"))
    assert r.code == 2 and "no built dataset" in r.err
    r = run("export", "--profile", "wikibase", "--project", str(project))
    assert r.code == 2 and "wikidata" in r.err and "quickstatements" in r.err


# ---------------------------------------------------------------- the real data


def test_real_data_wdqs_query_returns_tokayev_and_koshanov(tmp_path: Path) -> None:
    ex = export_project(REPO)
    store = ox.Store()
    store.load(ex.serialize(), format=ox.RdfFormat.TURTLE)
    store.load(path=str(WIKIDATA_FIXTURE / "slice.ttl"), format=ox.RdfFormat.TURTLE)
    rows = query(store, WDQS_QUERY)
    starts = {(r["item"], r["start"]) for r in rows if r["post"].endswith("/chair-of-amanat")}
    assert (WD + "Q200881", "2022-01-28T00:00:00Z") in starts
    assert (BASE + "id/person/yerlan-koshanov", "2022-04-26T00:00:00Z") in starts
    assert all(r["source"] == BASE + "id/source/kazakhstan-reform-2022" for r in rows)
    if (REPO / "data" / "links" / "wikidata-mapping.ttl").is_file():  # the chair post's P488 mapping
        chairs = query(
            store,
            f"""PREFIX p: <http://www.wikidata.org/prop/> PREFIX ps: <http://www.wikidata.org/prop/statement/>
            SELECT ?holder WHERE {{ <{BASE}id/organization/amanat> p:P488/ps:P488 ?holder }}""",
        )
        assert {r["holder"] for r in chairs} >= {WD + "Q200881", BASE + "id/person/yerlan-koshanov"}


# ---------------------------------------------------------------- the link shape


def test_link_shape_rejects_planted_bad_links() -> None:
    from polevents.validate import validate_graphs

    shapes = rdflib.Graph().parse(REPO / "shapes" / "wikidata-links.ttl", format="turtle")
    data = rdflib.Graph().parse(
        data=f"""
        @prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <{BASE}id/person/a> owl:sameAs <http://www.wikidata.org/entity/Q200881> .
        <{BASE}id/person/b> skos:exactMatch <http://www.wikidata.org/entity/Q57394> .
        <{BASE}id/organization/c> skos:closeMatch <http://www.wikidata.org/entity/Q1195092>, <http://example.org/other> .
    """,
        format="turtle",
    )
    assert validate_graphs(data, shapes).conforms
    bad = {
        "https://www.wikidata.org/entity/Q200881": "owl:sameAs",
        "https://www.wikidata.org/wiki/Q57394": "skos:exactMatch",
        "http://www.wikidata.org/wiki/Q232": "skos:closeMatch",
        "http://www.wikidata.org/entity/P39": "skos:exactMatch",
        "http://www.wikidata.org/entity/Q232x": "owl:sameAs",
        "http://wikidata.org/entity/Q232": "skos:closeMatch",
        "https://www.wikidata.org/wiki/Special:EntityData/Q232.ttl": "skos:relatedMatch",
    }
    for i, (iri, prop) in enumerate(sorted(bad.items())):
        planted = rdflib.Graph().parse(
            data=f"""
            @prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
            <{BASE}id/person/x{i}> {prop} <{iri}> .""",
            format="turtle",
        )
        report = validate_graphs(data + planted, shapes)
        assert not report.conforms, iri
        assert [str(r.value) for r in report.results] == [iri] or [r.value for r in report.results][0].endswith(
            iri + ">"
        )
    literal = rdflib.Graph().parse(
        data=f"""@prefix owl: <http://www.w3.org/2002/07/owl#> .
        <{BASE}id/person/y> owl:sameAs "http://www.wikidata.org/entity/Q232" .""",
        format="turtle",
    )
    assert not validate_graphs(literal, shapes).conforms


# ---------------------------------------------------------------- only verified Wikidata IDs


def _shared_ids_file() -> Path | None:
    for candidate in (REPO.parent / "shared" / "wikidata-ids.md",):
        if candidate.is_file():
            return candidate
    return None


def _verified_qids(path: Path) -> set[str]:
    """The QIDs of the table of ../shared/wikidata-ids.md (the second column of its rows)."""
    qids = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and re.fullmatch(r"Q[0-9]+", cells[1]):
            qids.add(cells[1])
    return qids


_MENTION = re.compile(r"(?:wikidata\.org/(?:entity|wiki)/|\bwd:|\bwdt?:|/entity/)(Q[0-9]+)\b")


def _mentions(folders: list[Path]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")) if folder.is_dir() else [folder]:
            if not path.is_file() or path.suffix in (".pyc", ".gz") or "__pycache__" in path.parts:
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            for n, line in enumerate(text.splitlines(), 1):
                for m in _MENTION.finditer(line):
                    found.setdefault(m.group(1), []).append(f"{path.relative_to(REPO)}:{n}")
    return found


def test_only_verified_wikidata_items_in_data_and_ontology() -> None:
    ids_file = _shared_ids_file()
    if ids_file is None:
        pytest.skip("../shared/wikidata-ids.md is not here")
    verified = _verified_qids(ids_file)
    assert {"Q232", "Q200881", "Q1985727"} <= verified and len(verified) >= 12
    found = _mentions([REPO / "data", REPO / "ontology"])
    assert found, "the data links no Wikidata item at all"
    unverified = {q: where for q, where in found.items() if q not in verified}
    assert not unverified, f"Wikidata IDs not in {ids_file}: {unverified}"


def test_only_verified_wikidata_items_in_code_shapes_and_these_fixtures() -> None:
    ids_file = _shared_ids_file()
    if ids_file is None:
        pytest.skip("../shared/wikidata-ids.md is not here")
    verified = _verified_qids(ids_file)
    folders = [REPO / d for d in ("src", "shapes", "queries", "docs") if (REPO / d).is_dir()]
    folders += [WIKIDATA_FIXTURE, Path(__file__), Path(__file__).with_name("test_link.py")]
    unverified = {q: where for q, where in _mentions(folders).items() if q not in verified}
    assert not unverified, f"Wikidata IDs not in {ids_file}: {unverified}"


def test_the_id_scanner_finds_planted_ids(tmp_path: Path) -> None:
    q1, q2 = "Q" + "99999999", "Q" + "12345678"  # built here so that this file holds no such ID
    (tmp_path / "x.ttl").write_text(f"<a> owl:sameAs wd:{q1} .\n<b> <c> <http://www.wikidata.org/entity/{q2}> .\n")
    assert set(_MENTION.findall((tmp_path / "x.ttl").read_text())) == {q1, q2}
