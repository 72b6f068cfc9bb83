"""The planted-error cases of the SHACL shapes: valid fixture data plus one error at a time.

Shared by tests/test_shapes.py (pyshacl finds each error) and tests/test_shacl_sparql.py (the
SPARQL screen finds the same), so the cases live here, in a plain module, not in a test module.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib

from polevents.validate import SHAPES_NS, ValidationReport, validate_triples

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
SHAPES_FILE = REPO / "shapes" / "polevents-shapes.ttl"
BASE = "https://w3id.org/polevents/"
PESH = rdflib.Namespace(SHAPES_NS)
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
VALID = (FIXTURES / "source.ttl").read_text(encoding="utf-8") + (FIXTURES / "facts.ttl").read_text(encoding="utf-8")
HASH = "0097502eccd92a9d91222f2982969fa171de7bd19685180db04099e865b6178e"
S1 = "<id/source/demo/sentence/1>"


def check(text: str, ontology: list[ox.Triple], shapes: rdflib.Graph) -> ValidationReport:
    triples = ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=BASE)
    return validate_triples(triples, shapes, ontology, base=BASE)


def rule_of(result_shape: str, result_constraint: str | None) -> str:
    name = result_constraint or result_shape
    assert name.startswith(SHAPES_NS), name
    return name[len(SHAPES_NS) :]


def found(report: ValidationReport) -> set[tuple[str, str]]:
    return {(rule_of(r.source_shape, r.source_constraint), r.focus[len(BASE) :]) for r in report.results}


# ---------------------------------------------------------------- snippets


def event(name: str, body: str, cls: str = "pe:Meeting") -> str:
    """A complete event with evidence, plus ``body``."""
    more = f" ; {body}" if body else ""
    return f'<id/event/{name}> a {cls} ; rdfs:label "{name}"@en ; prov:wasDerivedFrom {S1}{more} .\n'


def post(name: str, extra: str = "") -> str:
    return f'<id/post/{name}> a pe:Post ; rdfs:label "{name}"@en{extra} .\n'


def tenure(name: str, post_name: str, holder: str, start: str | None, end: str | None = None, extra: str = "") -> str:
    parts = [
        f"<id/tenure/{name}> a pe:Tenure",
        f'rdfs:label "{name}"@en',
        f"pe:holder <id/person/{holder}>",
        f"pe:post <id/post/{post_name}>",
        f"prov:wasDerivedFrom {S1}",
    ]
    if start:
        parts.append(f"pe:startDate {start}")
    if end:
        parts.append(f"pe:endDate {end}")
    if extra:
        parts.append(extra)
    return " ;\n    ".join(parts) + " .\n"


def sentence(n: int, body: str) -> str:
    return f"<id/source/demo/sentence/{n}> a pe:Sentence ; {body} .\n"


def fact(iri: str, cls: str, body: str, evidence: bool = True) -> str:
    ev = f" ; prov:wasDerivedFrom {S1}" if evidence else ""
    more = f" ; {body}" if body else ""
    return f'<{iri}> a {cls} ; rdfs:label "{iri}"@en{ev}{more} .\n'


@dataclass(frozen=True)
class Case:
    id: str
    add: str
    expect: frozenset[tuple[str, str]]
    conforms: bool | None = None  # default: conforms exactly when nothing is expected


def case(id: str, add: str, *expect: tuple[str, str], conforms: bool | None = None) -> Case:
    return Case(id, add, frozenset(expect), conforms)


def D(d: str) -> str:
    return f'"{d}"^^xsd:date'


def YM(d: str) -> str:
    return f'"{d}"^^xsd:gYearMonth'


def Y(d: str) -> str:
    return f'"{d}"^^xsd:gYear'


AMOUNT_OK = 'schema:value 5.0 ; schema:currency "KZT"'
CLAIM_OK = {
    "s": "rdf:subject <id/place/examplia>",
    "p": "rdf:predicate pe:owner",
    "o": "rdf:object <id/person/cara-example>",
    "h": "pe:hedge pe:likely",
}
KIN_OK = {
    "p": "pe:person <id/person/ana-example>",
    "r": "pe:relative <id/person/ben-sample>",
    "k": "pe:kinship pe:spouse",
}


def claim(name: str, drop: str = "", **override: str) -> str:
    parts = {**CLAIM_OK, **override}
    body = " ; ".join(v for k, v in parts.items() if k != drop)
    return fact(f"id/claim/{name}", "pe:Claim", body)


def kin(name: str, drop: str = "", **override: str) -> str:
    parts = {**KIN_OK, **override}
    body = " ; ".join(v for k, v in parts.items() if k != drop)
    return fact(f"id/relation/{name}", "pe:KinshipRelation", body)


SOURCE_OK = 'dcterms:title "t"@en ; pe:characterCount 10'

CASES: list[Case] = [
    # ------------------------------------------------------------ labels
    case(
        "person-without-label",
        '<id/person/p1> a pe:Person ; skos:prefLabel "P"@en .',
        ("Label-present", "id/person/p1"),
    ),
    case("party-without-label", "<id/organization/o1> a pe:PoliticalParty .", ("Label-present", "id/organization/o1")),
    case("place-without-label", "<id/place/p1> a pe:Place .", ("Label-present", "id/place/p1")),
    case("post-without-label", "<id/post/p1> a pe:Post .", ("Label-present", "id/post/p1")),
    case("legislation-without-label", "<id/legislation/l1> a pe:Legislation .", ("Label-present", "id/legislation/l1")),
    case(
        "provision-without-label",
        f"<id/provision/p1> a pe:Provision ; prov:wasDerivedFrom {S1} .",
        ("Label-present", "id/provision/p1"),
    ),
    case(
        "event-subclass-without-label",
        f"<id/event/l1> a pe:Acceptance ; prov:wasDerivedFrom {S1} .",
        ("Label-present", "id/event/l1"),
    ),
    case(
        "two-english-labels",
        '<id/person/p2> a pe:Person ; rdfs:label "One"@en, "Two"@en .',
        ("Label-form", "id/person/p2"),
    ),
    case("empty-label", '<id/place/p2> a pe:Place ; rdfs:label "" .', ("Label-form", "id/place/p2")),
    case(
        "label-is-an-iri", "<id/place/p3> a pe:Place ; rdfs:label <id/place/examplia> .", ("Label-form", "id/place/p3")
    ),
    case("labels-in-two-languages-ok", '<id/person/p3> a pe:Person ; rdfs:label "Ana"@en, "Ана"@ru .'),
    # ------------------------------------------------------------ date datatypes and counts
    case("date-plain-string", event("d1", 'pe:date "2022-03-16"'), ("Dates-date", "id/event/d1")),
    case("date-datetime", event("d2", 'pe:date "2022-03-16T10:00:00"^^xsd:dateTime'), ("Dates-date", "id/event/d2")),
    case("date-ill-typed", event("d3", f"pe:date {D('2022-02-30')}"), ("Dates-date", "id/event/d3")),
    case("date-integer", event("d4", "pe:date 2022"), ("Dates-date", "id/event/d4")),
    case(
        "date-twice", event("d5", f"pe:date {D('2022-03-16')}, {D('2022-03-17')}"), ("Dates-date-once", "id/event/d5")
    ),
    case("start-date-text", event("d6", 'pe:startDate "spring 2022"@en'), ("Dates-startDate", "id/event/d6")),
    case(
        "start-date-twice",
        event("d7", f"pe:startDate {Y('2021')}, {Y('2022')}"),
        ("Dates-startDate-once", "id/event/d7"),
    ),
    case(
        "end-date-twice",
        event("d13", f"pe:startDate {Y('2020')} ; pe:endDate {Y('2021')}, {Y('2022')}"),
        ("Dates-endDate-once", "id/event/d13"),
    ),
    case(
        "earliest-date-twice",
        event("d14", f"pe:earliestDate {YM('2022-05')}, {D('2022-05-01')}"),
        ("Dates-earliestDate-once", "id/event/d14"),
    ),
    case(
        "latest-date-twice",
        event("d15", f"pe:latestDate {YM('2022-05')}, {D('2022-05-10')}"),
        ("Dates-latestDate-once", "id/event/d15"),
    ),
    case(
        "date-wrong-type-and-twice",
        event("d16", 'pe:date "2022", "x"'),
        ("Dates-date", "id/event/d16"),
        ("Dates-date-once", "id/event/d16"),
    ),
    case(
        "end-date-datetime",
        event("d8", f'pe:startDate {Y("2022")} ; pe:endDate "2023-01-01T00:00:00"^^xsd:dateTime'),
        ("Dates-endDate", "id/event/d8"),
    ),
    case("earliest-date-text", event("d9", 'pe:earliestDate "early May"'), ("Dates-earliestDate", "id/event/d9")),
    case("latest-date-integer", event("d10", "pe:latestDate 2022"), ("Dates-latestDate", "id/event/d10")),
    case("all-three-precisions-ok", event("d11", f"pe:date {Y('2022')}") + event("d12", f"pe:date {YM('2022-03')}")),
    # ------------------------------------------------------------ end before start (mixed precision)
    case(
        "end-year-before-start-day",
        event("e1", f"pe:startDate {D('2022-01-28')} ; pe:endDate {Y('2021')}"),
        ("EndBeforeStart", "id/event/e1"),
    ),
    case(
        "end-day-before-start-day",
        event("e2", f"pe:startDate {D('2022-01-28')} ; pe:endDate {D('2022-01-27')}"),
        ("EndBeforeStart", "id/event/e2"),
    ),
    case(
        "end-month-before-start-year",
        event("e3", f"pe:startDate {Y('2022')} ; pe:endDate {YM('2021-12')}"),
        ("EndBeforeStart", "id/event/e3"),
    ),
    case(
        "name-record-ends-before-it-starts",
        fact(
            "id/name/n1", "pe:OrganizationName", f'pe:name "N"@en ; pe:startDate {Y("2006")} ; pe:endDate {Y("1999")}'
        ),
        ("EndBeforeStart", "id/name/n1"),
    ),
    case("end-month-of-start-day-ok", event("e4", f"pe:startDate {D('2022-01-28')} ; pe:endDate {YM('2022-01')}")),
    case("end-year-of-start-day-ok", event("e5", f"pe:startDate {D('2022-01-28')} ; pe:endDate {Y('2022')}")),
    case("end-on-start-day-ok", event("e6", f"pe:startDate {D('2022-01-28')} ; pe:endDate {D('2022-01-28')}")),
    case("end-day-in-start-year-ok", event("e7", f"pe:startDate {Y('2022')} ; pe:endDate {D('2022-01-01')}")),
    case(
        "latest-before-earliest",
        event("e8", f"pe:earliestDate {D('2022-05-02')} ; pe:latestDate {D('2022-05-01')}"),
        ("LatestBeforeEarliest", "id/event/e8"),
    ),
    case(
        "latest-month-before-earliest-day",
        event("e9", f"pe:earliestDate {D('2022-05-01')} ; pe:latestDate {YM('2022-04')}"),
        ("LatestBeforeEarliest", "id/event/e9"),
    ),
    case(
        "latest-month-containing-earliest-ok",
        event("e10", f"pe:earliestDate {D('2022-05-10')} ; pe:latestDate {YM('2022-05')}"),
    ),
    # ------------------------------------------------------------ two holders of a single-holder post
    case(
        "tenures-overlap-by-days",
        post("t1")
        + tenure("t1-a", "t1", "ana-example", Y("2019"), D("2022-01-28"))
        + tenure("t1-b", "t1", "ben-sample", D("2022-01-20")),
        ("TenureOverlap", "id/tenure/t1-a"),
    ),
    case(
        "tenures-touch-at-one-day-ok",
        post("t2")
        + tenure("t2-a", "t2", "ana-example", Y("2019"), D("2022-01-28"))
        + tenure("t2-b", "t2", "ben-sample", D("2022-01-28")),
    ),
    case(
        "open-tenure-overlaps-the-next",
        post("t3")
        + tenure("t3-a", "t3", "ana-example", Y("2019"))
        + tenure("t3-b", "t3", "ben-sample", D("2022-01-28")),
        ("TenureOverlap", "id/tenure/t3-a"),
    ),
    case(
        "replaced-tenure-without-end-not-compared",
        post("t4")
        + tenure("t4-a", "t4", "ana-example", Y("2019"), extra="pe:replacedBy <id/tenure/t4-b>")
        + tenure("t4-b", "t4", "ben-sample", D("2022-01-28"), extra="pe:replaces <id/tenure/t4-a>"),
    ),
    case(
        "imprecise-end-may-not-overlap-ok",
        post("t5")
        + tenure("t5-a", "t5", "ana-example", Y("2019"), YM("2022-01"))
        + tenure("t5-b", "t5", "ben-sample", D("2022-01-28")),
    ),
    case(
        "imprecise-dates-certainly-overlap",
        post("t6")
        + tenure("t6-a", "t6", "ana-example", Y("2019"), Y("2021"))
        + tenure("t6-b", "t6", "ben-sample", D("2020-06-01"), D("2023-01-01")),
        ("TenureOverlap", "id/tenure/t6-a"),
    ),
    case(
        "post-with-multiple-holders-ok",
        post("t7", " ; pe:multipleHolders true")
        + tenure("t7-a", "t7", "ana-example", Y("2019"))
        + tenure("t7-b", "t7", "ben-sample", Y("2020")),
    ),
    case(
        "post-explicitly-single-holder",
        post("t8", " ; pe:multipleHolders false")
        + tenure("t8-a", "t8", "ana-example", Y("2019"))
        + tenure("t8-b", "t8", "ben-sample", Y("2020")),
        ("TenureOverlap", "id/tenure/t8-a"),
    ),
    case(
        "same-holder-twice-not-two-holders",
        post("t9") + tenure("t9-a", "t9", "ana-example", Y("2019")) + tenure("t9-b", "t9", "ana-example", Y("2020")),
    ),
    # ------------------------------------------------------------ evidence
    case(
        "evidence-is-the-document",
        fact("id/provision/v1", "pe:Provision", "prov:wasDerivedFrom <id/source/demo>", evidence=False),
        ("Fact-evidenceIsSentence", "id/provision/v1"),
    ),
    case(
        "evidence-sentence-not-registered",
        fact("id/provision/v2", "pe:Provision", "prov:wasDerivedFrom <id/source/demo/sentence/99>", evidence=False),
        ("Fact-evidenceIsSentence", "id/provision/v2"),
    ),
    case(
        "evidence-is-text",
        fact("id/provision/v3", "pe:Provision", 'prov:wasDerivedFrom "sentence 3"', evidence=False),
        ("Fact-evidenceIsSentence", "id/provision/v3"),
    ),
    case("entity-needs-no-evidence-ok", '<id/person/p4> a pe:Person ; rdfs:label "P4"@en .'),
    # ------------------------------------------------------------ sentences
    case(
        "sentence-without-source",
        sentence(5, "pe:sentenceIndex 5 ; pe:startOffset 0 ; pe:endOffset 10"),
        ("Sentence-inSource", "id/source/demo/sentence/5"),
    ),
    case(
        "sentence-source-not-a-source",
        sentence(6, "pe:inSource <id/person/ana-example> ; pe:sentenceIndex 6 ; pe:startOffset 0 ; pe:endOffset 10"),
        ("Sentence-inSource", "id/source/demo/sentence/6"),
    ),
    case(
        "sentence-without-index",
        sentence(7, "pe:inSource <id/source/demo> ; pe:startOffset 0 ; pe:endOffset 10"),
        ("Sentence-index", "id/source/demo/sentence/7"),
    ),
    case(
        "sentence-index-zero",
        sentence(8, "pe:inSource <id/source/demo> ; pe:sentenceIndex 0 ; pe:startOffset 0 ; pe:endOffset 10"),
        ("Sentence-index", "id/source/demo/sentence/8"),
    ),
    case(
        "sentence-index-text",
        sentence(9, 'pe:inSource <id/source/demo> ; pe:sentenceIndex "9" ; pe:startOffset 0 ; pe:endOffset 10'),
        ("Sentence-index", "id/source/demo/sentence/9"),
    ),
    case(
        "sentence-without-start",
        sentence(10, "pe:inSource <id/source/demo> ; pe:sentenceIndex 10 ; pe:endOffset 10"),
        ("Sentence-startOffset", "id/source/demo/sentence/10"),
    ),
    case(
        "sentence-negative-start",
        sentence(11, "pe:inSource <id/source/demo> ; pe:sentenceIndex 11 ; pe:startOffset -1 ; pe:endOffset 10"),
        ("Sentence-startOffset", "id/source/demo/sentence/11"),
    ),
    case(
        "sentence-without-end",
        sentence(12, "pe:inSource <id/source/demo> ; pe:sentenceIndex 12 ; pe:startOffset 0"),
        ("Sentence-endOffset", "id/source/demo/sentence/12"),
    ),
    case(
        "sentence-end-not-integer",
        sentence(13, "pe:inSource <id/source/demo> ; pe:sentenceIndex 13 ; pe:startOffset 0 ; pe:endOffset 10.5"),
        ("Sentence-endOffset", "id/source/demo/sentence/13"),
    ),
    case(
        "sentence-empty-span",
        sentence(14, "pe:inSource <id/source/demo> ; pe:sentenceIndex 14 ; pe:startOffset 10 ; pe:endOffset 10"),
        ("Sentence-order", "id/source/demo/sentence/14"),
    ),
    case(
        "sentence-reversed-span",
        sentence(15, "pe:inSource <id/source/demo> ; pe:sentenceIndex 15 ; pe:startOffset 20 ; pe:endOffset 10"),
        ("Sentence-order", "id/source/demo/sentence/15"),
    ),
    case(
        "sentence-outside-its-document",
        sentence(16, "pe:inSource <id/source/demo> ; pe:sentenceIndex 16 ; pe:startOffset 390 ; pe:endOffset 401"),
        ("SentenceOutsideDocument", "id/source/demo/sentence/16"),
    ),
    case(
        "sentence-ends-with-its-document-ok",
        sentence(17, "pe:inSource <id/source/demo> ; pe:sentenceIndex 17 ; pe:startOffset 390 ; pe:endOffset 400"),
    ),
    # ------------------------------------------------------------ sources
    case("source-without-hash", f"<id/source/s1> a pe:Source ; {SOURCE_OK} .", ("Source-sha256", "id/source/s1")),
    case(
        "source-hash-upper-case",
        f'<id/source/s2> a pe:Source ; {SOURCE_OK} ; pe:sha256 "{HASH.upper()}" .',
        ("Source-sha256", "id/source/s2"),
    ),
    case(
        "source-hash-too-short",
        f'<id/source/s3> a pe:Source ; {SOURCE_OK} ; pe:sha256 "{HASH[:40]}" .',
        ("Source-sha256", "id/source/s3"),
    ),
    case(
        "source-two-hashes",
        f'<id/source/s4> a pe:Source ; {SOURCE_OK} ; pe:sha256 "{"1" * 64}", "{"2" * 64}" .',
        ("Source-sha256", "id/source/s4"),
    ),
    case(
        "source-negative-length",
        f'<id/source/s5> a pe:Source ; dcterms:title "t"@en ; pe:sha256 "{"5" * 64}" ; pe:characterCount -1 .',
        ("Source-characterCount", "id/source/s5"),
    ),
    case(
        "source-registered-twice",
        f'<id/source/aaa-copy> a pe:Source ; {SOURCE_OK} ; pe:sha256 "{HASH}" .',
        ("SourceRegisteredTwice", "id/source/aaa-copy"),
    ),
    case(
        "source-without-title-is-a-warning",
        f'<id/source/s6> a pe:Source ; pe:sha256 "{"6" * 64}" ; pe:characterCount 10 .',
        ("Source-title", "id/source/s6"),
        conforms=True,
    ),
    # ------------------------------------------------------------ money
    case(
        "amount-without-currency",
        fact("id/amount/a1", "pe:MonetaryAmount", "schema:value 5.0"),
        ("Amount-currency", "id/amount/a1"),
    ),
    case(
        "amount-currency-lower-case",
        fact("id/amount/a2", "pe:MonetaryAmount", 'schema:value 5.0 ; schema:currency "usd"'),
        ("Amount-currency", "id/amount/a2"),
    ),
    case(
        "amount-currency-sign",
        fact("id/amount/a3", "pe:MonetaryAmount", 'schema:value 5.0 ; schema:currency "$"'),
        ("Amount-currency", "id/amount/a3"),
    ),
    case(
        "amount-two-currencies",
        fact("id/amount/a4", "pe:MonetaryAmount", 'schema:value 5.0 ; schema:currency "USD", "KZT"'),
        ("Amount-currency", "id/amount/a4"),
    ),
    case(
        "amount-without-value",
        fact("id/amount/a5", "pe:MonetaryAmount", 'schema:currency "USD"'),
        ("Amount-value", "id/amount/a5"),
    ),
    case(
        "amount-value-in-words",
        fact("id/amount/a6", "pe:MonetaryAmount", 'schema:value "1.3 million" ; schema:currency "USD"'),
        ("Amount-value", "id/amount/a6"),
    ),
    case(
        "amount-value-integer",
        fact("id/amount/a7", "pe:MonetaryAmount", 'schema:value 1300000 ; schema:currency "USD"'),
        ("Amount-value", "id/amount/a7"),
    ),
    # ------------------------------------------------------------ statements and quotations
    case(
        "quotation-without-speaker",
        fact("id/statement/q1", "pe:Quotation", 'pe:quote "We will."@en'),
        ("Statement-speaker", "id/statement/q1"),
    ),
    case(
        "quotation-without-quote",
        fact("id/statement/q2", "pe:Quotation", "pe:speaker <id/person/ben-sample>"),
        ("Quotation-quote", "id/statement/q2"),
    ),
    case(
        "quotation-empty-quote",
        fact("id/statement/q3", "pe:Quotation", 'pe:speaker <id/person/ben-sample> ; pe:quote ""'),
        ("Quotation-quote", "id/statement/q3"),
    ),
    case(
        "statement-without-speaker",
        fact("id/statement/q4", "pe:Statement", ""),
        ("Statement-speaker", "id/statement/q4"),
    ),
    case(
        "statement-speaker-not-a-person",
        fact("id/statement/q5", "pe:Statement", "pe:speaker <id/organization/council>"),
        ("Statement-speaker", "id/statement/q5"),
    ),
    case(
        "statement-occasion-not-an-event",
        fact("id/statement/q6", "pe:Statement", "pe:speaker <id/person/ben-sample> ; pe:occasion <id/place/examplia>"),
        ("Statement-occasion", "id/statement/q6"),
    ),
    # ------------------------------------------------------------ hedged claims
    case("claim-without-subject", claim("c1", drop="s"), ("Claim-subject", "id/claim/c1")),
    case("claim-without-predicate", claim("c2", drop="p"), ("Claim-predicate", "id/claim/c2")),
    case("claim-without-object", claim("c3", drop="o"), ("Claim-object", "id/claim/c3")),
    case("claim-without-hedge", claim("c4", drop="h"), ("Claim-hedge", "id/claim/c4")),
    case("claim-hedge-not-a-hedge", claim("c5", h="pe:hedge pe:sibling"), ("Claim-hedge", "id/claim/c5")),
    case("claim-predicate-is-text", claim("c6", p='rdf:predicate "owns"'), ("Claim-predicate", "id/claim/c6")),
    case(
        "claim-two-objects",
        claim("c7", o="rdf:object <id/person/cara-example>, <id/person/ana-example>"),
        ("Claim-object", "id/claim/c7"),
    ),
    case("claim-stated-hedge-ok", claim("c8", h="pe:hedge pe:stated")),
    # ------------------------------------------------------------ kinship
    case("kinship-without-person", kin("k1", drop="p"), ("Kinship-person", "id/relation/k1")),
    case("kinship-without-relative", kin("k2", drop="r"), ("Kinship-relative", "id/relation/k2")),
    case("kinship-without-kinship", kin("k3", drop="k"), ("Kinship-kinship", "id/relation/k3")),
    case("kinship-not-a-kinship", kin("k4", k="pe:kinship pe:believed"), ("Kinship-kinship", "id/relation/k4")),
    case(
        "kinship-with-oneself",
        kin("k5", r="pe:relative <id/person/ana-example>"),
        ("Kinship-distinct", "id/relation/k5"),
    ),
    case(
        "kinship-relative-not-a-person",
        kin("k6", r="pe:relative <id/organization/forward>"),
        ("Kinship-relative", "id/relation/k6"),
    ),
    # ------------------------------------------------------------ votes
    case(
        "turnout-above-100",
        event("r1", "pe:turnoutPercent 168", "pe:Referendum"),
        ("Vote-turnoutPercent", "id/event/r1"),
    ),
    case(
        "turnout-negative",
        event("r2", "pe:turnoutPercent -0.5", "pe:Referendum"),
        ("Vote-turnoutPercent", "id/event/r2"),
    ),
    case(
        "approval-above-100",
        event("r3", "pe:approvalPercent 100.01", "pe:Referendum"),
        ("Vote-approvalPercent", "id/event/r3"),
    ),
    case(
        "approval-as-text",
        event("r4", 'pe:approvalPercent "77%"', "pe:Referendum"),
        ("Vote-approvalPercent", "id/event/r4"),
    ),
    case(
        "eligible-voters-negative",
        event("r5", "pe:eligibleVoters -5", "pe:Referendum"),
        ("Vote-eligibleVoters", "id/event/r5"),
    ),
    case("ballots-negative", event("r6", "pe:ballotsCast -1", "pe:Referendum"), ("Vote-ballotsCast", "id/event/r6")),
    case(
        "more-ballots-than-voters",
        event("r7", "pe:eligibleVoters 100 ; pe:ballotsCast 101", "pe:Referendum"),
        ("Vote-ballotsWithinElectorate", "id/event/r7"),
    ),
    case("percent-bounds-ok", event("r8", "pe:turnoutPercent 0 ; pe:approvalPercent 100.0", "pe:Referendum")),
    case("percent-on-any-event", event("r9", "pe:turnoutPercent 120.5"), ("Vote-turnoutPercent", "id/event/r9")),
    # ------------------------------------------------------------ tenures
    case(
        "tenure-without-holder",
        fact("id/tenure/u1", "pe:Tenure", "pe:post <id/post/member-of-council>"),
        ("Tenure-holder", "id/tenure/u1"),
    ),
    case(
        "tenure-without-post",
        fact("id/tenure/u2", "pe:Tenure", "pe:holder <id/person/ana-example>"),
        ("Tenure-post", "id/tenure/u2"),
    ),
    case(
        "tenure-holder-not-a-person",
        fact("id/tenure/u3", "pe:Tenure", "pe:holder <id/organization/forward> ; pe:post <id/post/member-of-council>"),
        ("Tenure-holder", "id/tenure/u3"),
    ),
    case(
        "tenure-two-holders",
        fact(
            "id/tenure/u4",
            "pe:Tenure",
            "pe:holder <id/person/ana-example>, <id/person/ben-sample> ; pe:post <id/post/member-of-council>",
        ),
        ("Tenure-holder", "id/tenure/u4"),
    ),
    case(
        "tenure-post-not-a-post",
        fact("id/tenure/u5", "pe:Tenure", "pe:holder <id/person/ana-example> ; pe:post <id/organization/council>"),
        ("Tenure-post", "id/tenure/u5"),
    ),
    case(
        "tenure-replaced-by-a-person",
        tenure("u6", "member-of-council", "ana-example", None, extra="pe:replacedBy <id/person/ben-sample>"),
        ("Tenure-replacedBy", "id/tenure/u6"),
    ),
    case(
        "tenure-replaces-a-person",
        tenure("u7", "member-of-council", "ana-example", None, extra="pe:replaces <id/person/ben-sample>"),
        ("Tenure-replaces", "id/tenure/u7"),
    ),
    case(
        "tenure-started-by-a-person",
        tenure("u8", "member-of-council", "ana-example", None, extra="pe:startedBy <id/person/ben-sample>"),
        ("Tenure-startedBy", "id/tenure/u8"),
    ),
    case(
        "tenure-ended-by-a-date",
        tenure("u9", "member-of-council", "ana-example", None, extra=f"pe:endedBy {D('2022-01-01')}"),
        ("Tenure-endedBy", "id/tenure/u9"),
    ),
    # ------------------------------------------------------------ memberships
    case(
        "membership-without-member",
        fact("id/membership/m1", "pe:Membership", "pe:organization <id/organization/forward>"),
        ("Membership-member", "id/membership/m1"),
    ),
    case(
        "membership-without-organization",
        fact("id/membership/m2", "pe:Membership", "pe:member <id/person/ana-example>"),
        ("Membership-organization", "id/membership/m2"),
    ),
    case(
        "membership-of-a-person",
        fact(
            "id/membership/m3",
            "pe:Membership",
            "pe:member <id/person/ana-example> ; pe:organization <id/person/ben-sample>",
        ),
        ("Membership-organization", "id/membership/m3"),
    ),
    # ------------------------------------------------------------ names
    case(
        "name-record-without-name",
        fact("id/name/n2", "pe:OrganizationName", ""),
        ("OrganizationName-name", "id/name/n2"),
    ),
    case(
        "has-name-is-text",
        '<id/organization/o2> a pe:PoliticalParty ; rdfs:label "O2"@en ; pe:hasName "Old Name" .',
        ("Organization-hasName", "id/organization/o2"),
    ),
    case(
        "mention-without-entity",
        fact("id/mention/x1", "pe:NameMention", 'pe:surfaceForm "Anna"'),
        ("NameMention-mentionOf", "id/mention/x1"),
    ),
    case(
        "mention-without-spelling",
        fact("id/mention/x2", "pe:NameMention", "pe:mentionOf <id/person/ana-example>"),
        ("NameMention-surfaceForm", "id/mention/x2"),
    ),
    case(
        "mention-misspelled-yes",
        fact(
            "id/mention/x3",
            "pe:NameMention",
            'pe:mentionOf <id/person/ana-example> ; pe:surfaceForm "Anna" ; pe:misspelled "yes"',
        ),
        ("NameMention-misspelled", "id/mention/x3"),
    ),
    # ------------------------------------------------------------ renamings, mergers, other events
    case(
        "renaming-without-old-name",
        event(
            "n3", "pe:organization <id/organization/unity-party> ; pe:newName <id/name/unity-party-new>", "pe:Renaming"
        ),
        ("Renaming-oldName", "id/event/n3"),
    ),
    case(
        "renaming-without-new-name",
        event(
            "n4", "pe:organization <id/organization/unity-party> ; pe:oldName <id/name/unity-party-old>", "pe:Renaming"
        ),
        ("Renaming-newName", "id/event/n4"),
    ),
    case(
        "renaming-to-the-same-name",
        event(
            "n5",
            "pe:organization <id/organization/unity-party> ; pe:oldName <id/name/unity-party-old> ; "
            "pe:newName <id/name/unity-party-old>",
            "pe:Renaming",
        ),
        ("Renaming-distinct", "id/event/n5"),
    ),
    case(
        "renaming-without-organization",
        event("n6", "pe:oldName <id/name/unity-party-old> ; pe:newName <id/name/unity-party-new>", "pe:Renaming"),
        ("Renaming-organization", "id/event/n6"),
    ),
    case(
        "merger-without-original",
        event("g1", "pe:resultingOrganization <id/organization/unity-party>", "pe:Merger"),
        ("Merger-original", "id/event/g1"),
    ),
    case(
        "merger-without-result",
        event("g2", "pe:originalOrganization <id/organization/forward>", "pe:Merger"),
        ("Merger-resulting", "id/event/g2"),
    ),
    case(
        "merger-results-in-a-place",
        event(
            "g3",
            "pe:originalOrganization <id/organization/forward> ; pe:resultingOrganization <id/place/examplia>",
            "pe:Merger",
        ),
        ("Merger-resulting", "id/event/g3"),
    ),
    case(
        "event-location-not-a-place",
        event("g4", "pe:location <id/person/ana-example>"),
        ("Event-location", "id/event/g4"),
    ),
    case(
        "event-amount-is-a-number",
        event("g5", "pe:amount 1300000.0", "pe:Investigation"),
        ("Event-amount", "id/event/g5"),
    ),
    case(
        "event-legislation-not-legislation",
        event("g6", "pe:legislation <id/provision/term-limit>", "pe:Proposal"),
        ("Event-legislation", "id/event/g6"),
    ),
    case(
        "legislation-provides-a-person",
        '<id/legislation/l2> a pe:Legislation ; rdfs:label "L2"@en ; pe:provides <id/person/ana-example> .',
        ("Provides-class", "id/legislation/l2"),
    ),
    case(
        "post-multiple-holders-yes", post("p9", ' ; pe:multipleHolders "yes"'), ("Post-multipleHolders", "id/post/p9")
    ),
]

#: Every fact class, and what a complete node of it needs besides label and evidence.
FACT_CLASSES: dict[str, str] = {
    "pe:Tenure": "pe:holder <id/person/cara-example> ; pe:post <id/post/member-of-council>",
    "pe:Membership": "pe:member <id/person/cara-example> ; pe:organization <id/organization/forward>",
    "pe:OrganizationName": 'pe:name "Forward"@en',
    "pe:NameMention": 'pe:mentionOf <id/person/cara-example> ; pe:surfaceForm "Kara"',
    "pe:Event": "",
    "pe:Meeting": "",
    "pe:Appointment": "",
    "pe:Resignation": "",
    "pe:Renaming": "pe:organization <id/organization/unity-party> ; pe:oldName <id/name/unity-party-old> ; "
    "pe:newName <id/name/unity-party-new>",
    "pe:Merger": "pe:originalOrganization <id/organization/forward> ; pe:resultingOrganization <id/organization/unity-party>",
    "pe:Proposal": "",
    "pe:Submission": "",
    "pe:Acceptance": "",
    "pe:Referendum": "",
    "pe:Investigation": "",
    "pe:LegalAction": "",
    "pe:Statement": "pe:speaker <id/person/ben-sample>",
    "pe:Quotation": 'pe:speaker <id/person/ben-sample> ; pe:quote "Yes."@en',
    "pe:Claim": " ; ".join(CLAIM_OK.values()),
    "pe:KinshipRelation": " ; ".join(KIN_OK.values()),
    "pe:Provision": "",
    "pe:MonetaryAmount": AMOUNT_OK,
}

for _cls, _body in FACT_CLASSES.items():
    _iri = f"id/test/no-evidence-{_cls[3:].lower()}"
    CASES.append(
        case(f"fact-without-evidence-{_cls[3:]}", fact(_iri, _cls, _body, evidence=False), ("Fact-evidence", _iri))
    )
    CASES.append(case(f"fact-with-evidence-ok-{_cls[3:]}", fact(_iri + "-ok", _cls, _body)))


# ---------------------------------------------------------------- the tests
