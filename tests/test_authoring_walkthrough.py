"""The "Adding a source" walkthrough (README.md, section "Adding a source"), end to end, as a new user runs it.

``source add`` a small fictional article → fill in facts.ttl citing sentence
numbers → ``validate`` → ``build`` → ``query`` finds the new facts beside the
first article's.  Then planted errors (evidence to a sentence the source does
not have, an impossible percentage, an end date before its start) are rejected
by ``validate`` and ``build`` with the node and the file:line, and a failed
build leaves the previous dist/ untouched.
"""

from __future__ import annotations

import json
from pathlib import Path

from support import EXAMPLE_ARTICLE, EXAMPLE_SENTENCES, Run, copy_repo_project, run

FIXTURES = Path(__file__).parent / "fixtures"
ARTICLE = EXAMPLE_ARTICLE
EXAMPLE_FACTS = FIXTURES / "example-facts.ttl"
SLUG = "example-article"
FACTS = Path("data") / SLUG / "facts.ttl"
TITLE = "Veloria votes on a new charter (fictional)"


def _register_and_write_facts(project: Path) -> Path:
    """Steps 1–3 of the walkthrough: add the source, read its sentences, write the facts."""
    added = run("source", "add", ARTICLE, "--title", TITLE, "--published", "2022-05-30", "--project", project)
    assert added.code == 0, added.err
    assert added.out.splitlines() == [f"data/{SLUG}/source.ttl", f"data/{SLUG}/facts.ttl"]

    shown = run("source", "show", SLUG, "--sentences", "--project", project)
    assert shown.code == 0, shown.err
    numbered = dict(line.split("\t", 1) for line in shown.out.splitlines())
    assert numbered["3"].startswith("ARDENVALE — The Civic Harmony Party of Veloria elected Marta J. Oduya")
    assert numbered["16"].startswith("Of 2,000,000 eligible voters, 1,228,000 cast a ballot")

    # The author keeps the template (its prefixes and comments) and writes the facts below it.
    facts = project / FACTS
    facts.write_text(
        facts.read_text(encoding="utf-8") + "\n" + EXAMPLE_FACTS.read_text(encoding="utf-8"), encoding="utf-8"
    )
    return facts


def _line_of(path: Path, start: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith(start):
            return number
    raise AssertionError(f"{start!r} not in {path}")


def _rows(result: Run) -> list[dict[str, str]]:
    data = json.loads(result.out)
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


# The two questions of the walkthrough (README.md, "Adding a source", step 6).
PARTY_CHAIRS_QUERY = """SELECT ?party ?chair ?start ?end WHERE {
    ?t a pe:Tenure ; pe:holder/rdfs:label ?chair ; pe:post/pe:postIn ?p ; pe:startDate ?start .
    ?p a pe:PoliticalParty ; rdfs:label ?party .
    OPTIONAL { ?t pe:endDate ?end } } ORDER BY ?party STR(?start)"""

REFERENDUM_QUERY = """
SELECT ?turnout ?approval ?ballots ?voters ?sentence ?start ?end WHERE {
    ?r a pe:Referendum ; pe:turnoutPercent ?turnout ; pe:approvalPercent ?approval ;
       pe:ballotsCast ?ballots ; pe:eligibleVoters ?voters ; prov:wasDerivedFrom ?s .
    ?s pe:inSource <id/source/example-article> ;
       pe:sentenceIndex ?sentence ; pe:startOffset ?start ; pe:endOffset ?end .
  } ORDER BY ?sentence"""


def test_walkthrough_from_source_add_to_query(tmp_path: Path) -> None:
    project = copy_repo_project(tmp_path / "project")
    _register_and_write_facts(project)

    # The new source is listed beside the first article (and whatever other sources data/ holds).
    listed = run("source", "list", "--project", project)
    slugs = [line.split("\t")[0] for line in listed.out.splitlines()]
    assert {SLUG, "kazakhstan-reform-2022"} <= set(slugs) and slugs == sorted(slugs)

    validated = run("validate", "--project", project)
    assert validated.code == 0, validated.out + validated.err
    assert SLUG in validated.out and "kazakhstan-reform-2022" in validated.out

    built = run("build", "--project", project)
    assert built.code == 0, built.err
    assert (project / "dist" / "polevents.nq").is_file()
    args: list[str | Path] = ["--dist", project / "dist"]

    # Who chaired the parties: the new party's chairs beside the ruling party's of the first article.
    chairs = run("query", "--name", "v1-party-chairs", "--format", "json", *args)
    assert chairs.code == 0, chairs.err
    rows = {(r["party"], r["chair"]): r for r in _rows(chairs)}
    assert ("Amanat", "Yerlan Koshanov") in rows
    oduya = rows[("Civic Harmony Party", "Marta J. Oduya")]
    assert (oduya["start"], oduya["sentences"], oduya["source"]) == ("2022-01-28", "3, 4", TITLE)
    assert rows[("Civic Harmony Party", "Tomas Vell")]["end"] == "2022-01-28"

    table = run("query", PARTY_CHAIRS_QUERY, "--format", "csv", *args)
    assert table.code == 0, table.err
    lines = table.out.replace("\r\n", "\n").splitlines()
    assert lines[0] == "party,chair,start,end"
    # The new party's chairs, beside the first article's (other sources in data/ may add more rows).
    assert [line for line in lines if line.startswith("Civic Harmony Party,")] == [
        "Civic Harmony Party,Tomas Vell,2015,2022-01-28",
        "Civic Harmony Party,Marta J. Oduya,2022-01-28,",
    ]
    amanat = [line for line in lines if line.startswith("Amanat,")]
    first = [
        "Amanat,Nursultan Nazarbayev,1999,2022-01-28",
        "Amanat,Kassym-Jomart Tokayev,2022-01-28,2022-04-26",
        "Amanat,Yerlan Koshanov,2022-04-26,",
    ]
    assert [line for line in amanat if line in first] == first

    # A question about the new article, answered with the evidence's offsets into its text.
    answer = run("query", REFERENDUM_QUERY, "--format", "json", *args)
    assert answer.code == 0, answer.err
    found = _rows(answer)
    assert [r["sentence"] for r in found] == ["15", "16"]
    assert {(r["turnout"], r["approval"], r["voters"], r["ballots"]) for r in found} == {
        ("61.4", "77.5", "2000000", "1228000")
    }
    text = ARTICLE.read_text(encoding="utf-8")
    spans = {index: (start, end, sentence) for index, start, end, sentence in EXAMPLE_SENTENCES}
    for r in found:
        start, end, sentence = spans[int(r["sentence"])]
        assert (int(r["start"]), int(r["end"])) == (start, end)
        assert text[start:end] == sentence
    assert (int(found[1]["start"]), int(found[1]["end"])) == (1113, 1227)
    assert "61.4%" in text[int(found[1]["start"]) : int(found[1]["end"])]


PLANTED = [
    # (what is replaced, by what, the node named in the message, words of the message)
    ("prov:wasDerivedFrom s:9 .", "prov:wasDerivedFrom s:999 .",
     "claim:vell-owns-northgate-trading", "<id/claim/vell-owns-northgate-trading>",
     "<id/source/example-article/sentence/999>"),
    ("pe:turnoutPercent 61.4 ;", "pe:turnoutPercent 140 ;",
     "ev:2022-05-29-charter-referendum", "<id/event/2022-05-29-charter-referendum>", "from 0 to 100"),
    ('pe:startDate "2015"^^xsd:gYear ;', 'pe:startDate "2023"^^xsd:gYear ;',
     "tenure:vell-chair-of-civic-harmony-party", "<id/tenure/vell-chair-of-civic-harmony-party>",
     "before the start date 2023"),
]  # fmt: skip


def _plant_errors(facts: Path) -> None:
    """Replace each planted value once, in the author's Turtle (not in the template's comments)."""
    lines = facts.read_text(encoding="utf-8").splitlines(keepends=True)
    for old, new, *_ in PLANTED:
        hits = [i for i, line in enumerate(lines) if old in line and not line.startswith("#")]
        assert len(hits) == 1, old
        lines[hits[0]] = lines[hits[0]].replace(old, new)
    facts.write_text("".join(lines), encoding="utf-8")


def _assert_errors_reported(report: str, facts: Path) -> None:
    """Each planted error is reported with its node, at a line of that node's description (the
    triple carrying the offending value)."""
    text = facts.read_text(encoding="utf-8").splitlines()
    for _, _, subject, node, words in PLANTED:
        first = _line_of(facts, subject + " a ")
        last = next((n for n in range(first, len(text) + 1) if not text[n - 1].strip()), len(text) + 1) - 1
        wheres = tuple(f"{FACTS}:{n}:" for n in range(first, last + 1))
        lines = [line for line in report.splitlines() if node in line]
        assert lines, f"{node} not reported:\n{report}"
        assert any(line.startswith(wheres) and words in line for line in lines), (
            f"expected {FACTS}:{first}-{last}: … {node} … {words!r} in:\n{report}"
        )


def test_planted_errors_are_rejected_with_node_and_file(tmp_path: Path) -> None:
    """Only the new source, so the three runs stay fast; the first article is validated above."""
    project = copy_repo_project(tmp_path / "project", data=False)
    facts = _register_and_write_facts(project)
    assert run("validate", "--project", project).code == 0

    _plant_errors(facts)
    validated = run("validate", "--project", project)
    assert validated.code == 1
    _assert_errors_reported(validated.out, facts)
    assert "3 violations" in validated.err

    as_json = json.loads(run("validate", "--format", "json", "--project", project).out)
    reported = {(r["focus"], r["file"]): r["line"] for r in as_json["results"]}
    text = facts.read_text(encoding="utf-8").splitlines()
    for _, _, subject, node, _ in PLANTED:
        iri = "https://w3id.org/polevents/" + node.strip("<>")
        line = reported[(iri, str(FACTS))]  # a line of the node's description: the triple carrying the value
        first = _line_of(facts, subject + " a ")
        assert first <= line and all(text[n - 1].strip() for n in range(first, line + 1))


def test_failed_build_is_rejected_and_leaves_dist_untouched(tmp_path: Path) -> None:
    project = copy_repo_project(tmp_path / "project", data=False)
    facts = _register_and_write_facts(project)
    built = run("build", "--project", project)
    assert built.code == 0, built.err
    dist = project / "dist"
    before = {p.relative_to(dist): p.read_bytes() for p in sorted(dist.rglob("*")) if p.is_file()}
    assert before

    _plant_errors(facts)
    failed = run("build", "--project", project)
    assert failed.code == 1
    _assert_errors_reported(failed.err, facts)
    after = {p.relative_to(dist): p.read_bytes() for p in sorted(dist.rglob("*")) if p.is_file()}
    assert after == before
    assert sorted(p.name for p in project.iterdir() if p.name.startswith((".dist", "dist"))) == ["dist"]
