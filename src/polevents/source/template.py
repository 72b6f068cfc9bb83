"""The starting ``facts.ttl`` of a registered source: prefixes, guidance, commented examples.

``polevents source add`` writes it once (never over an existing file).  Lines of
commented Turtle start with ``# `` and prose with ``## ``, so an author (or a
test) can uncomment an example by removing ``# ``; uncommented, every example
conforms to the shapes (tests/test_source.py checks it).
"""

from __future__ import annotations

from ..vocab import PE, PREFIXES

__all__ = ["TEMPLATE_PREFIXES", "facts_template"]

SOURCE_FILE = "source.ttl"

#: Prefixes of a facts file: vocabularies, then base-relative prefixes for the dataset's IRIs.
TEMPLATE_PREFIXES: tuple[tuple[str, str], ...] = (
    ("pe", PE),
    ("rdf", PREFIXES["rdf"]),
    ("rdfs", PREFIXES["rdfs"]),
    ("owl", PREFIXES["owl"]),
    ("xsd", PREFIXES["xsd"]),
    ("skos", PREFIXES["skos"]),
    ("prov", PREFIXES["prov"]),
    ("schema", PREFIXES["schema"]),
    ("dcterms", PREFIXES["dcterms"]),
    ("person", "id/person/"),
    ("orgn", "id/organization/"),
    ("place", "id/place/"),
    ("post", "id/post/"),
    ("tenure", "id/tenure/"),
    ("mship", "id/membership/"),
    ("name", "id/name/"),
    ("mention", "id/mention/"),
    ("ev", "id/event/"),
    ("stmt", "id/statement/"),
    ("claim", "id/claim/"),
    ("rel", "id/relation/"),
    ("leg", "id/legislation/"),
    ("prv", "id/provision/"),
    ("amt", "id/amount/"),
    ("src", "id/source/"),
)

# Lines starting with "# " (one hash) are Turtle, commented out; "## " lines are prose.
_TEMPLATE_EXAMPLES = """\
## ------------------------------------------------------------ entities
## People, organisations, places and posts: one IRI each, reused by every fact.
## rdfs:label and skos:prefLabel: the normalised name; skos:altLabel: accepted variants and
## transliterations; skos:hiddenLabel: the source's misspellings.
# person:jane-doe a pe:Person ;
#     rdfs:label "Jane Doe"@en ;
#     skos:prefLabel "Jane Doe"@en ;
#     skos:altLabel "J. Doe"@en .
#
# person:john-roe a pe:Person ;
#     rdfs:label "John Roe"@en ;
#     skos:prefLabel "John Roe"@en ;
#     skos:hiddenLabel "John Rowe"@en .
#
# place:exampleland a pe:Place ;
#     rdfs:label "Exampleland"@en ;
#     skos:prefLabel "Exampleland"@en .
#
# orgn:example-party a pe:PoliticalParty ;
#     rdfs:label "Example Party"@en ;
#     skos:prefLabel "Example Party"@en ;
#     pe:country place:exampleland ;
#     pe:hasName name:example-party .
#
# post:chair-of-example-party a pe:Post ;
#     rdfs:label "Chair of the Example Party"@en ;
#     skos:prefLabel "Chair of the Example Party"@en ;
#     pe:postIn orgn:example-party .
#
## ------------------------------------------------------------ tenure
## One person's holding of a post. Dates keep their precision: "2022-01-28"^^xsd:date,
## "2022-01"^^xsd:gYearMonth, "2022"^^xsd:gYear. Link the tenures before and after, and the
## events that started and ended it.
# tenure:jane-doe-chair-of-example-party a pe:Tenure ;
#     rdfs:label "Jane Doe, chair of the Example Party, from 28 January 2022"@en ;
#     pe:holder person:jane-doe ;
#     pe:post post:chair-of-example-party ;
#     pe:startDate "2022-01-28"^^xsd:date ;
#     pe:startedBy ev:2022-01-28-jane-doe-elected-chair ;
#     pe:replaces tenure:john-roe-chair-of-example-party ;
#     prov:wasDerivedFrom s:1 .
#
# tenure:john-roe-chair-of-example-party a pe:Tenure ;
#     rdfs:label "John Roe, chair of the Example Party, 2015 – 28 January 2022"@en ;
#     pe:holder person:john-roe ;
#     pe:post post:chair-of-example-party ;
#     pe:startDate "2015"^^xsd:gYear ;
#     pe:endDate "2022-01-28"^^xsd:date ;
#     pe:replacedBy tenure:jane-doe-chair-of-example-party ;
#     prov:wasDerivedFrom s:1 .
#
## ------------------------------------------------------------ event
## Kinds: pe:Meeting pe:Address pe:Appointment pe:Resignation pe:Renaming pe:Merger
## pe:Founding pe:Proposal pe:Submission pe:Acceptance pe:Referendum pe:Investigation
## pe:LegalAction. pe:actor does it, pe:participant takes part or undergoes it.
# ev:2022-01-28-example-party-congress a pe:Meeting ;
#     rdfs:label "Extraordinary congress of the Example Party"@en ;
#     pe:date "2022-01-28"^^xsd:date ;
#     pe:actor orgn:example-party ;
#     prov:wasDerivedFrom s:1 .
#
# ev:2022-01-28-jane-doe-elected-chair a pe:Appointment ;
#     rdfs:label "Jane Doe elected chair of the Example Party"@en ;
#     pe:date "2022-01-28"^^xsd:date ;
#     pe:actor orgn:example-party ;
#     pe:participant person:jane-doe ;
#     pe:partOf ev:2022-01-28-example-party-congress ;
#     prov:wasDerivedFrom s:1 .
#
## ------------------------------------------------------------ quotation
## The exact words (short) in pe:quote; reported speech without quotation marks is a
## pe:Statement whose rdfs:label sums it up in your own words.
# stmt:2022-01-28-jane-doe-on-listening a pe:Quotation ;
#     rdfs:label "Jane Doe: the party will listen first"@en ;
#     pe:quote "We will listen before we speak."@en ;
#     pe:speaker person:jane-doe ;
#     pe:occasion ev:2022-01-28-example-party-congress ;
#     pe:date "2022-01-28"^^xsd:date ;
#     prov:wasDerivedFrom s:2 .
#
## ------------------------------------------------------------ hedged claim
## "is believed to", "is considered", "is seen as", "is expected to", "X said": the
## proposition (rdf:subject, rdf:predicate, rdf:object) and how firmly it is stated.
## Hedges: pe:believed pe:considered pe:seenAs pe:expected pe:likely pe:attributed pe:stated.
## Add pe:claimant when someone other than the source holds the claim.
# claim:john-roe-owns-example-market a pe:Claim ;
#     rdfs:label "John Roe is believed to own the Example Market"@en ;
#     rdf:subject place:example-market ;
#     rdf:predicate pe:owner ;
#     rdf:object person:john-roe ;
#     pe:hedge pe:believed ;
#     prov:wasDerivedFrom s:3 .
#
# place:example-market a pe:Place ;
#     rdfs:label "Example Market"@en ;
#     skos:prefLabel "Example Market"@en .
#
## ------------------------------------------------------------ amount of money
## schema:value is an xsd:decimal (1300000.0 for "1.3 million"), schema:currency an
## ISO 4217 code ("USD", "EUR", "KZT").
# ev:2022-04-15-audit-of-example-market a pe:Investigation ;
#     rdfs:label "Audit of the Example Market finds unpaid fees"@en ;
#     pe:date "2022-04-15"^^xsd:date ;
#     pe:subject place:example-market ;
#     pe:amount amt:2022-04-15-unpaid-fees ;
#     prov:wasDerivedFrom s:3 .
#
# amt:2022-04-15-unpaid-fees a pe:MonetaryAmount ;
#     rdfs:label "USD 1.3 million of unpaid fees"@en ;
#     schema:value 1300000.0 ;
#     schema:currency "USD" ;
#     prov:wasDerivedFrom s:3 .
#
## ------------------------------------------------------------ names and spellings
## An organisation's names over time are dated records; how this source spells a name is a
## mention (pe:misspelled true for a mistake, false for an accepted variant).
# name:example-party a pe:OrganizationName ;
#     rdfs:label "Example Party (from 2015)"@en ;
#     pe:name "Example Party"@en ;
#     pe:startDate "2015"^^xsd:gYear ;
#     prov:wasDerivedFrom s:1 .
#
# mention:john-rowe-s4 a pe:NameMention ;
#     rdfs:label "\\"John Rowe\\": the source's spelling of John Roe"@en ;
#     pe:mentionOf person:john-roe ;
#     pe:surfaceForm "John Rowe" ;
#     pe:misspelled true ;
#     prov:wasDerivedFrom s:4 .
#
## ------------------------------------------------------------ vague date
## "early May 2022": the date at its precision, the bounds it allows, and the wording.
# ev:2022-05-draft-accepted a pe:Acceptance ;
#     rdfs:label "The assembly accepts the draft charter"@en ;
#     pe:date "2022-05"^^xsd:gYearMonth ;
#     pe:earliestDate "2022-05-01"^^xsd:date ;
#     pe:latestDate "2022-05-10"^^xsd:date ;
#     pe:dateQualifier "early"@en ;
#     pe:legislation leg:example-charter ;
#     prov:wasDerivedFrom s:5 .
#
# leg:example-charter a pe:Legislation ;
#     rdfs:label "Draft charter of Exampleland"@en .
#
## ------------------------------------------------------------ vote and its results
## A held (or dated) vote is a pe:Referendum or pe:Election; one only proposed is a pe:Proposal
## whose pe:subject is a pe:ProposedEvent. Each body's figures are a pe:VoteResult of their own
## (official count, exit poll: side by side). Counts are whole numbers without separators;
## percentages lie between 0 and 100.
# ev:2022-05-29-charter-referendum a pe:Referendum ;
#     rdfs:label "Referendum on the charter of Exampleland"@en ;
#     pe:date "2022-05-29"^^xsd:date ;
#     pe:legislation leg:example-charter ;
#     pe:location place:exampleland ;
#     pe:result <id/result/2022-05-29-charter-official>, <id/result/2022-05-29-charter-exit-poll> ;
#     prov:wasDerivedFrom s:6 .
#
# <id/result/2022-05-29-charter-official> a pe:VoteResult ;
#     rdfs:label "Official result of the charter referendum (Exampleland Election Commission)"@en ;
#     pe:reportedBy orgn:exampleland-election-commission ;
#     pe:resultKind pe:officialResult ;
#     pe:eligibleVoters 2000000 ;
#     pe:ballotsCast 1228000 ;
#     pe:turnoutPercent 61.4 ;
#     pe:approvalPercent 77.5 ;
#     prov:wasDerivedFrom s:6 .
#
# <id/result/2022-05-29-charter-exit-poll> a pe:VoteResult ;
#     rdfs:label "Exit poll of the charter referendum (Example Polling)"@en ;
#     pe:reportedBy orgn:example-polling ;
#     pe:resultKind pe:exitPoll ;
#     pe:approvalPercent 74.0 ;
#     prov:wasDerivedFrom s:7 .
#
# orgn:exampleland-election-commission a pe:PublicBody ;
#     rdfs:label "Exampleland Election Commission"@en ;
#     skos:prefLabel "Exampleland Election Commission"@en .
#
# orgn:example-polling a pe:Organization ;
#     rdfs:label "Example Polling"@en ;
#     skos:prefLabel "Example Polling"@en .
#
## ------------------------------------------------------------ decree and rule
## A legal act is a pe:Decree (an executive's) or pe:Law (a legislature's), its steps dated
## events (pe:Signing, pe:Adoption, pe:EntryIntoForce). A rule (who may vote, when a vote
## counts) is a pe:Rule: kind, what it applies to, and a threshold with unit and comparison.
# leg:2022-05-01-decree-calling-the-referendum a pe:Decree ;
#     rdfs:label "Decree calling the charter referendum"@en ;
#     dcterms:identifier "No. 12" ;
#     pe:provides prv:charter-referendum-valid-above-half .
#
# ev:2022-05-01-decree-signed a pe:Signing ;
#     rdfs:label "Jane Doe signs the decree calling the charter referendum"@en ;
#     pe:date "2022-05-01"^^xsd:date ;
#     pe:actor person:jane-doe ;
#     pe:legislation leg:2022-05-01-decree-calling-the-referendum ;
#     prov:wasDerivedFrom s:7 .
#
# prv:charter-referendum-valid-above-half a pe:Rule ;
#     rdfs:label "the referendum is valid only if more than half of the eligible voters take part"@en ;
#     pe:ruleKind pe:validityRule ;
#     pe:appliesTo ev:2022-05-29-charter-referendum ;
#     pe:measure "turnout of eligible voters"@en ;
#     pe:comparison pe:moreThan ;
#     pe:thresholdValue 50 ;
#     pe:thresholdUnit "percent" ;
#     prov:wasDerivedFrom s:7 .
"""


def facts_template(slug: str, *, title: str | None = None, sentences: int | None = None) -> str:
    """The starting ``facts.ttl`` of a source: prefixes, guidance, one commented example per pattern.

    Lines of commented Turtle start with ``# `` and prose with ``## ``, so
    removing ``# `` from the former gives a file that parses.
    """
    about = f"{title} " if title else ""
    count = f", {sentences} sentences" if sentences is not None else ""
    width = max(len(p) for p, _ in TEMPLATE_PREFIXES) + 2
    lines = [
        f"## Facts stated by the source <id/source/{slug}> {about}({SOURCE_FILE}{count}).",
        "##",
        f"## Read its sentences, numbered:   polevents source show {slug} --sentences",
        "## Cite the sentences a fact comes from:  prov:wasDerivedFrom s:12, s:13 .",
        f"## (s:12 is <id/source/{slug}/sentence/12>; its offsets are in {SOURCE_FILE}.)",
        "## Every fact node (tenure, membership, event, statement, claim, name, mention, amount)",
        "## needs an rdfs:label in your own words and prov:wasDerivedFrom. IRIs are relative to",
        "## the dataset base set in polevents.toml. Patterns: docs/modelling.md.",
        "## Check with `polevents validate`; publish with `polevents build`.",
        "##",
        "## Below, one commented example per common pattern: copy one, remove the leading '# ',",
        "## and put in the names, dates and sentence numbers of this source.",
        "",
    ]
    for prefix, iri in TEMPLATE_PREFIXES:
        lines.append(f"@prefix {prefix + ':':<{width}}<{iri}> .")
    lines.append(f"@prefix {'s:':<{width}}<id/source/{slug}/sentence/> .")
    lines.append("")
    lines.append(_TEMPLATE_EXAMPLES.rstrip("\n"))
    return "\n".join(lines) + "\n"
