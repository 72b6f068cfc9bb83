"""The shapes of the patterns for many sources (shapes/patterns.ttl): each rule rejects its planted error.

Proposed events, vote results reported by several bodies, legal acts, rules with thresholds, and
the warning about labels of shared nodes that speak of one source.  The valid base is the shapes
fixture (tests/fixtures/shapes/, a made-up article) plus one complete example of each pattern; each
case appends a few triples with one mistake and states the exact results, as tests/test_shapes.py
does for polevents-shapes.ttl.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from polevents.load import parse_file, to_rdflib_graph
from polevents.validate import SHAPES_NS, ValidationReport, validate_triples

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
PATTERNS = REPO / "shapes" / "patterns.ttl"
BASE = "https://w3id.org/polevents/"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
S1 = "<id/source/demo/sentence/1>"

#: One complete, valid example of each pattern, appended to the shapes fixture.
EXAMPLES = f"""
<id/event/proposed-vote> a pe:ProposedEvent ; rdfs:label "Referendum on the amendment"@en ;
    prov:wasDerivedFrom {S1} .
<id/event/vote> a pe:Referendum ; rdfs:label "Referendum on the term limit"@en ; prov:wasDerivedFrom {S1} ;
    pe:date "2022-06-05"^^xsd:date ; pe:result <id/result/vote-official>, <id/result/vote-exit-poll> .
<id/result/vote-official> a pe:VoteResult ; rdfs:label "Official result (council)"@en ; prov:wasDerivedFrom {S1} ;
    pe:reportedBy <id/organization/council> ; pe:resultKind pe:officialResult ;
    pe:turnoutPercent 68.4 ; pe:approvalPercent 77.2 ; pe:eligibleVoters 1000 ; pe:ballotsCast 684 .
<id/result/vote-exit-poll> a pe:VoteResult ; rdfs:label "Exit poll (Ana Example)"@en ; prov:wasDerivedFrom {S1} ;
    pe:reportedBy <id/person/ana-example> ; pe:resultKind pe:exitPoll ; pe:turnoutPercent 65.1 .
<id/legislation/decree> a pe:Decree ; rdfs:label "Decree calling the referendum"@en ;
    dcterms:identifier "No. 5" ; pe:provides <id/provision/vote-valid-above-half> .
<id/legislation/referendum-law> a pe:Law ; rdfs:label "Referendum law"@en .
<id/event/decree-signed> a pe:Signing ; rdfs:label "Decree signed"@en ; prov:wasDerivedFrom {S1} ;
    pe:date "2022-05-05"^^xsd:date ; pe:actor <id/person/ben-sample> ; pe:legislation <id/legislation/decree> .
<id/event/law-adopted> a pe:Adoption ; rdfs:label "Law adopted"@en ; prov:wasDerivedFrom {S1} ;
    pe:actor <id/organization/council> ; pe:legislation <id/legislation/referendum-law> .
<id/event/law-in-force> a pe:EntryIntoForce ; rdfs:label "Law in force"@en ; prov:wasDerivedFrom {S1} ;
    pe:legislation <id/legislation/referendum-law> .
<id/provision/vote-valid-above-half> a pe:Rule ; rdfs:label "valid if more than half vote"@en ;
    prov:wasDerivedFrom {S1} ; pe:ruleKind pe:validityRule ; pe:appliesTo <id/event/vote> ;
    pe:measure "turnout of eligible voters"@en ; pe:comparison pe:moreThan ;
    pe:thresholdValue 50 ; pe:thresholdUnit "percent" .
<id/provision/voting-age> a pe:Rule ; rdfs:label "voters are 18 or over"@en ; prov:wasDerivedFrom {S1} ;
    pe:ruleKind pe:eligibilityRule ; pe:comparison pe:atLeast ; pe:thresholdValue 18 ; pe:thresholdUnit "years" .
<id/claim/only-proposed> a pe:Claim ; rdfs:label "The source gives no date for the referendum"@en ;
    prov:wasDerivedFrom {S1} ; rdf:subject <id/event/proposed-vote> ; rdf:predicate pe:characterizedAs ;
    rdf:object "proposed; the source gives no date"@en ; pe:hedge pe:stated .
<id/mention/proposed-vote> a pe:NameMention ; rdfs:label "\\"vote\\" (as the article calls it)"@en ;
    prov:wasDerivedFrom {S1} ; pe:mentionOf <id/event/proposed-vote> ; pe:surfaceForm "vote" .
"""
VALID = (
    (FIXTURES / "source.ttl").read_text(encoding="utf-8")
    + (FIXTURES / "facts.ttl").read_text(encoding="utf-8")
    + "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
    + EXAMPLES
)


@dataclass(frozen=True)
class Case:
    id: str
    add: str
    expect: frozenset[tuple[str, str]]
    conforms: bool


def case(id: str, add: str, *expect: tuple[str, str], conforms: bool | None = None) -> Case:
    return Case(id, add, frozenset(expect), (not expect) if conforms is None else conforms)


def result(name: str, body: str, of: bool = True) -> str:
    link = f"<id/event/vote> pe:result <id/result/{name}> .\n" if of else ""
    return f'<id/result/{name}> a pe:VoteResult ; rdfs:label "{name}"@en ; prov:wasDerivedFrom {S1} ; {body} .\n' + link


def rule(name: str, body: str) -> str:
    return f'<id/provision/{name}> a pe:Rule ; rdfs:label "{name}"@en ; prov:wasDerivedFrom {S1} ; {body} .\n'


OK_RESULT = "pe:reportedBy <id/organization/council> ; pe:resultKind pe:preliminaryResult"
CASES = [
    case("proposed-event-without-evidence", '<id/event/p1> a pe:ProposedEvent ; rdfs:label "p1"@en .',
         ("Fact-evidence", "id/event/p1")),
    case("proposed-event-without-label", f"<id/event/p2> a pe:ProposedEvent ; prov:wasDerivedFrom {S1} .",
         ("Label-present", "id/event/p2")),
    case("result-of-no-vote", result("r1", OK_RESULT, of=False), ("VoteResult-of", "id/result/r1")),
    case("result-of-two-votes", result("r2", OK_RESULT) + "<id/event/referendum> pe:result <id/result/r2> .",
         ("VoteResult-of", "id/result/r2")),
    case("result-without-body", result("r3", "pe:resultKind pe:exitPoll"), ("VoteResult-reportedBy", "id/result/r3")),
    case("result-by-a-place", result("r4", "pe:reportedBy <id/place/examplia> ; pe:resultKind pe:exitPoll"),
         ("VoteResult-reportedBy", "id/result/r4")),
    case("result-without-kind", result("r5", "pe:reportedBy <id/organization/council>"),
         ("VoteResult-kind", "id/result/r5")),
    case("result-kind-not-in-scheme", result("r6", "pe:reportedBy <id/organization/council> ; pe:resultKind pe:likely"),
         ("VoteResult-kind", "id/result/r6")),
    case("result-turnout-out-of-range", result("r7", OK_RESULT + " ; pe:turnoutPercent 140"),
         ("Vote-turnoutPercent", "id/result/r7")),
    case("two-results-side-by-side-ok", result("r8", OK_RESULT + " ; pe:turnoutPercent 60")
         + result("r9", "pe:reportedBy <id/person/cara-example> ; pe:resultKind pe:opinionPoll ; pe:turnoutPercent 70")),
    case("rule-without-kind", rule("u1", ""), ("Rule-kind", "id/provision/u1")),
    case("rule-kind-not-in-scheme", rule("u2", "pe:ruleKind pe:exitPoll"), ("Rule-kind", "id/provision/u2")),
    case("rule-threshold-not-a-number",
         rule("u3", 'pe:ruleKind pe:validityRule ; pe:thresholdValue "half" ; pe:thresholdUnit "percent" ; '
                    "pe:comparison pe:moreThan"),
         ("Rule-thresholdValue", "id/provision/u3")),
    case("rule-unit-with-language",
         rule("u4", 'pe:ruleKind pe:validityRule ; pe:thresholdValue 50 ; pe:thresholdUnit "percent"@en ; '
                    "pe:comparison pe:moreThan"),
         ("Rule-thresholdUnit", "id/provision/u4")),
    case("rule-comparison-not-in-scheme",
         rule("u5", 'pe:ruleKind pe:validityRule ; pe:thresholdValue 50 ; pe:thresholdUnit "percent" ; '
                    "pe:comparison pe:stated"),
         ("Rule-comparison", "id/provision/u5")),
    case("rule-threshold-without-unit",
         rule("u6", "pe:ruleKind pe:validityRule ; pe:thresholdValue 50 ; pe:comparison pe:moreThan"),
         ("RuleThresholdIncomplete", "id/provision/u6")),
    case("rule-threshold-without-comparison",
         rule("u7", 'pe:ruleKind pe:validityRule ; pe:thresholdValue 50 ; pe:thresholdUnit "percent"'),
         ("RuleThresholdIncomplete", "id/provision/u7")),
    case("rule-percent-above-100",
         rule("u8", 'pe:ruleKind pe:validityRule ; pe:thresholdValue 150 ; pe:thresholdUnit "percent" ; '
                    "pe:comparison pe:atLeast"),
         ("RulePercentOutOfRange", "id/provision/u8")),
    case("rule-150-people-ok",
         rule("u9", 'pe:ruleKind pe:eligibilityRule ; pe:thresholdValue 150 ; pe:thresholdUnit "people" ; '
                    "pe:comparison pe:atLeast")),
    # Labels of shared nodes: a warning, on entities, events, proposed events and the like.
    case("person-not-named-in-the-source",
         '<id/person/in-law> a pe:Person ; rdfs:label "father-in-law (not named in the source)"@en .',
         ("SourceSpecificLabel", "id/person/in-law"), conforms=True),
    case("proposed-referendum-label",
         f'<id/event/p3> a pe:ProposedEvent ; prov:wasDerivedFrom {S1} ; '
         'rdfs:label "Referendum (proposed; the source gives no date or result)"@en .',
         ("SourceSpecificLabel", "id/event/p3"), conforms=True),
    case("tenure-comment-about-the-article",
         f'<id/tenure/t1> a pe:Tenure ; rdfs:label "t1"@en ; prov:wasDerivedFrom {S1} ; '
         'pe:holder <id/person/ben-sample> ; pe:post <id/post/member-of-council> ; '
         'rdfs:comment "In office at the time of the article."@en .',
         ("SourceSpecificLabel", "id/tenure/t1"), conforms=True),
    case("place-alt-label-according-to",
         '<id/place/p4> a pe:Place ; rdfs:label "a market"@en ; skos:altLabel "the market, according to the audit"@en .',
         ("SourceSpecificLabel", "id/place/p4"), conforms=True),
    case("statement-may-speak-of-the-source",
         f'<id/statement/s1> a pe:Statement ; rdfs:label "The source does not say when"@en ; '
         f"prov:wasDerivedFrom {S1} ; pe:speaker <id/person/ben-sample> ."),
    case("neutral-labels-ok",
         '<id/person/p5> a pe:Person ; rdfs:label "Sourcewell Proposer"@en ; skos:altLabel "the proposer"@en .'),
]  # fmt: skip


@pytest.fixture(scope="module")
def ontology() -> list[ox.Triple]:
    return [t for path in sorted((REPO / "ontology").glob("*.ttl")) for t in parse_file(path, BASE)]


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return to_rdflib_graph([t for path in sorted((REPO / "shapes").glob("*.ttl")) for t in parse_file(path, BASE)])


def check(text: str, ontology: list[ox.Triple], shapes: rdflib.Graph) -> ValidationReport:
    triples = ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=BASE)
    return validate_triples(triples, shapes, ontology, base=BASE)


def found(report: ValidationReport) -> set[tuple[str, str]]:
    return {
        ((r.source_constraint or r.source_shape).removeprefix(SHAPES_NS), r.focus.removeprefix(BASE))
        for r in report.results
    }


def test_examples_of_every_pattern_conform_without_any_result(ontology: list[ox.Triple], shapes: rdflib.Graph) -> None:
    report = check(VALID, ontology, shapes)
    assert report.results == [], report.to_text()


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_planted_error(c: Case, ontology: list[ox.Triple], shapes: rdflib.Graph) -> None:
    report = check(VALID + "\n" + c.add + "\n", ontology, shapes)
    assert found(report) == set(c.expect), report.to_text()
    assert report.conforms is c.conforms
    for r in report.results:
        assert r.message and r.hint, f"{r.source_shape} lacks a message or a hint"


def test_every_rule_of_the_patterns_has_a_planted_error() -> None:
    shapes = to_rdflib_graph(parse_file(PATTERNS, BASE))
    rules = {
        str(s).removeprefix(SHAPES_NS)
        for kind in (SH.PropertyShape, SH.SPARQLConstraint)
        for s in shapes.subjects(rdflib.RDF.type, kind)
        if str(s).startswith(SHAPES_NS)
    }
    assert len(rules) >= 10
    tested = {rule for c in CASES for rule, _ in c.expect}
    assert rules - tested == set()
