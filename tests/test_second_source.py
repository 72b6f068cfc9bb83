"""A second source that touches the first one's nodes: the data checks pass, answers keep sources apart.

The fictional follow-up (tests/fixtures/second-source/, see tests/second_source.py) is added to a
copy of the repository's project as an editor adds it. It reuses the first article's referendum,
which the article only reports as proposed, and gives it a date, an official count and an exit
poll; it adds a decree and two rules. Then ``validate`` and ``build`` pass with no warning, the
shared referendum is dated only in the second source's graph, the two results stand side by side,
and every answer that lists evidence pairs each source with its own sentence numbers.
(The first article's competency answers are checked with this source in place by
tests/test_competency.py, which runs each of them on this project too.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from second_source import SECOND_SLUG, SECOND_TITLE, project_with_second_source
from support import REPO, run

FIRST_SLUG = "kazakhstan-reform-2022"
FIRST_TITLE = "Tokayev Accelerates Political Reform to Reduce The Legal Privileges of 1st President"
REFERENDUM = "https://w3id.org/polevents/id/event/2022-constitutional-referendum"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two-source project, validated and built; its dist/ folder."""
    project = project_with_second_source(tmp_path_factory.mktemp("second-source"))
    validated = run("validate", "--format", "json", "--project", project)
    assert validated.code == 0, validated.out + validated.err
    report = json.loads(validated.out)
    assert report["results"] == [], report["results"]  # no violation, and no warning either
    built = run("build", "--project", project)
    assert built.code == 0, built.err
    return project / "dist"


def rows(dist: Path, *args: str) -> list[dict[str, str]]:
    answer = run("query", *args, "--format", "json", "--dist", dist)
    assert answer.code == 0, answer.err
    data = json.loads(answer.out)
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


def pairs(row: dict[str, str]) -> list[tuple[str, str]]:
    """(source title, its sentence numbers) pairs of an answer row."""
    titles = row["source"].split(" | ")
    groups = row["sentences"].split(" | ")
    assert len(titles) == len(groups), row
    return list(zip(titles, groups, strict=True))


def test_both_sources_are_validated_and_built(dist: Path) -> None:
    graphs = {r["graph"].rsplit("/", 1)[1] for r in rows(dist, "--name", "graphs")}
    assert {FIRST_SLUG, SECOND_SLUG} <= graphs


def test_the_referendum_is_dated_in_the_second_sources_graph_only(dist: Path) -> None:
    found = rows(
        dist,
        f"""SELECT ?graph ?class ?date WHERE {{
        GRAPH ?graph {{ <{REFERENDUM}> a ?class . OPTIONAL {{ <{REFERENDUM}> pe:date ?date }} }}
    }} ORDER BY ?graph ?class""",
    )
    by_graph = {r["graph"].rsplit("/", 1)[1]: (r["class"].rsplit("#", 1)[1], r.get("date")) for r in found}
    # The article proposes it (16, 60), the follow-up reports it held on June 5, 2022 (6).
    assert by_graph == {FIRST_SLUG: ("ProposedEvent", None), SECOND_SLUG: ("Referendum", "2022-06-05")}
    # One label, the first source's, and it says nothing about what either source gives.
    [label] = rows(dist, f"SELECT ?label WHERE {{ <{REFERENDUM}> rdfs:label ?label }} ORDER BY ?label")
    assert label["label"] == "Referendum on the 2022 amendments to the Constitution of Kazakhstan"


def test_results_of_two_bodies_side_by_side(dist: Path) -> None:
    found = rows(
        dist,
        f"""SELECT ?kind ?body ?turnout ?approval ?sentence WHERE {{
        <{REFERENDUM}> pe:result ?r .
        ?r pe:resultKind/skos:prefLabel ?kind ; pe:reportedBy/rdfs:label ?body ;
           pe:turnoutPercent ?turnout ; pe:approvalPercent ?approval ;
           prov:wasDerivedFrom/pe:sentenceIndex ?sentence .
    }} ORDER BY ?kind""",
    )
    assert [(r["kind"], r["body"], r["turnout"], r["approval"], r["sentence"]) for r in found] == [
        ("exit poll", "Steppe Opinion Institute", "65.1", "74.9", "8"),
        ("official result", "Central Referendum Commission", "68.4", "77.2", "7"),
    ]


def test_decree_and_rules(dist: Path) -> None:
    signed = rows(
        dist,
        """SELECT ?date ?by ?act ?kind WHERE {
        ?step a pe:Signing ; pe:date ?date ; pe:actor/rdfs:label ?by ; pe:legislation ?leg .
        ?leg rdfs:label ?act ; a/rdfs:label ?kind . } ORDER BY ?date""",
    )
    assert [(r["date"], r["by"], r["kind"]) for r in signed] == [("2022-05-05", "Kassym-Jomart Tokayev", "decree")]
    rules = rows(
        dist,
        f"""SELECT ?kind ?comparison ?value ?unit WHERE {{
        ?rule pe:appliesTo <{REFERENDUM}> ; pe:ruleKind/skos:prefLabel ?kind ;
              pe:comparison/skos:prefLabel ?comparison ; pe:thresholdValue ?value ; pe:thresholdUnit ?unit .
    }} ORDER BY ?kind""",
    )
    assert [(r["kind"], r["comparison"], r["value"], r["unit"]) for r in rules] == [
        ("eligibility rule", "at least", "18", "years"),
        ("validity rule", "more than", "50", "percent"),
    ]


def test_v6_and_timeline_pair_each_source_with_its_sentences(dist: Path) -> None:
    steps = [r for r in rows(dist, "--name", "v6-draft-amendment") if r["part"] == "step"]
    [referendum] = [r for r in steps if r["kind"] == "referendum"]
    assert referendum["date"] == "2022-06-05"
    # Sentences 16, 17, 60 of the article (the proposal, Karin on it); 3 and 6 of the follow-up.
    assert sorted(pairs(referendum)) == [(SECOND_TITLE, "3, 6"), (FIRST_TITLE, "16, 17, 60")]
    assert [r["kind"] for r in steps][-1] == "referendum"  # held after it was proposed (29 April)
    [row] = [r for r in rows(dist, "--name", "timeline") if r["iri"] == REFERENDUM]
    assert sorted(pairs(row)) == [(SECOND_TITLE, "3, 6"), (FIRST_TITLE, "16, 17, 60")]


@pytest.mark.parametrize(
    "name",
    sorted(p.stem for p in (REPO / "queries").glob("*.rq")
           if "AS ?sentences)" in (text := p.read_text(encoding="utf-8")) and "?source" in text),
)  # fmt: skip
def test_every_answer_lists_evidence_source_by_source(dist: Path, name: str) -> None:
    """In every shipped query that lists sentence numbers, each source has its own group of numbers."""
    answer = rows(dist, "--name", name)
    assert answer
    for row in answer:
        if row.get("sentences"):
            pairs(row)
