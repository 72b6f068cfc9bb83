"""Machine-checked evidence (``polevents validate [--strict]``) and the rules that read sentences.

The project is the fictional example article with its facts (tests/fixtures), its text in the
project's ``sources/`` folder; each test plants one mistake and checks that it is reported with
the file and line of the fact, as a warning (exit 0) and, with ``--strict``, as an error (exit 1).
"""

from __future__ import annotations

import doctest
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

import polevents.source.entities
import polevents.source.extract
import polevents.validate.evidence
from polevents.source.extract import find_dates, find_numbers, find_quotes
from support import EXAMPLE_ARTICLE, FIXTURES, REPO, copy_repo_project, run

FACTS = (FIXTURES / "example-facts.ttl").read_text(encoding="utf-8")


def _project(root: Path, facts: str = FACTS, *, text: bool = True) -> Path:
    """The example article registered in a fresh project, with ``facts`` as its facts.ttl."""
    root.mkdir(parents=True)
    for folder in ("ontology", "shapes"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "data").mkdir()
    (root / "polevents.toml").write_text(
        '[dataset]\nbase = "https://w3id.org/polevents/"\n[sources]\ntext_paths = ["sources"]\n', encoding="utf-8"
    )
    r = run("source", "add", EXAMPLE_ARTICLE, "--project", root, "--title", "Veloria", *([] if text else ["--no-copy"]))
    assert r.code == 0, r.err
    (root / "data" / "example-article" / "facts.ttl").write_text(facts, encoding="utf-8")
    return root


def _planted(old: str, new: str) -> str:
    assert FACTS.count(old) == 1, old
    return FACTS.replace(old, new)


def _line_of(facts: str, subject: str) -> int:
    return next(n for n, line in enumerate(facts.splitlines(), start=1) if line.startswith(subject + " "))


def test_the_example_facts_are_all_in_their_sentences(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    r = run("validate", "--strict", "--project", project)
    assert r.code == 0, r.out + r.err
    assert "Warning" not in r.out
    assert "read against their cited sentences, 0 not found there" in r.err


@pytest.mark.parametrize(
    ("old", "new", "subject", "path", "words"),
    [
        # the start date is in s:3, not in s:4 alone
        (
            "    pe:replaces tenure:vell-chair-of-civic-harmony-party ;\n    prov:wasDerivedFrom s:3, s:4 .",
            "    pe:replaces tenure:vell-chair-of-civic-harmony-party ;\n    prov:wasDerivedFrom s:4 .",
            "tenure:oduya-chair-of-civic-harmony-party",
            "pe:startDate",
            "the date 2022-01-28 is written in none of the cited sentences (s:4)",
        ),
        # a day the vague date "early May 2022" does not end on
        (
            'pe:latestDate "2022-05-10"^^xsd:date',
            'pe:latestDate "2022-05-15"^^xsd:date',
            "ev:2022-05-assembly-accepts-charter",
            "pe:latestDate",
            "the date 2022-05-15",
        ),
        # a month the sentence does not give
        (
            'pe:date "2022-05"^^xsd:gYearMonth',
            'pe:date "2022-06"^^xsd:gYearMonth',
            "ev:2022-05-assembly-accepts-charter",
            "pe:date",
            "2022-06",
        ),
        (
            "pe:turnoutPercent 61.4 ;",
            "pe:turnoutPercent 61.5 ;",
            "ev:2022-05-29-charter-referendum",
            "pe:turnoutPercent",
            "the number 61.5",
        ),
        (
            "pe:ballotsCast 1228000 ;",
            "pe:ballotsCast 1228 ;",
            "ev:2022-05-29-charter-referendum",
            "pe:ballotsCast",
            "the number 1228 ",
        ),
        (
            "schema:value 1300000.0 ;",
            "schema:value 13000000.0 ;",
            "amt:northgate-trading-unpaid-duties",
            "schema:value",
            "13000000",
        ),
        (
            'pe:quote "The charter belongs to every citizen, not to one party."@en',
            'pe:quote "The charter belongs to all citizens, not to one party."@en',
            "stmt:2022-01-28-oduya-charter-belongs-to-citizens",
            "pe:quote",
            "not word for word in the cited sentences (s:3, s:5)",
        ),
    ],
)
def test_a_fact_not_in_its_sentences_is_a_warning_and_strict_fails(
    tmp_path: Path, old: str, new: str, subject: str, path: str, words: str
) -> None:
    facts = _planted(old, new)
    project = _project(tmp_path / "p", facts)
    r = run("validate", "--project", project)
    assert r.code == 0, r.out + r.err
    line = _line_of(facts, subject)
    warnings = [w for w in r.out.splitlines() if ": Warning: " in w]
    assert len(warnings) == 1, r.out
    assert warnings[0].startswith(f"data/example-article/facts.ttl:{line}: Warning: ")
    assert f"path={path}" in warnings[0] and words in warnings[0]

    strict = run("validate", "--strict", "--format", "json", "--project", project)
    assert strict.code == 1
    results = json.loads(strict.out)["results"]
    assert [(r["severity"], r["file"], r["line"]) for r in results] == [
        ("Violation", "data/example-article/facts.ttl", line)
    ]


def test_build_does_not_fail_on_evidence_warnings(tmp_path: Path) -> None:
    project = _project(tmp_path / "p", _planted("pe:turnoutPercent 61.4 ;", "pe:turnoutPercent 61.5 ;"))
    r = run("build", "--project", project, "--out", tmp_path / "dist")
    assert r.code == 0, r.err


def test_without_the_text_nothing_is_checked_and_the_source_is_named(tmp_path: Path) -> None:
    project = _project(tmp_path / "p", _planted("pe:turnoutPercent 61.4 ;", "pe:turnoutPercent 61.5 ;"), text=False)
    r = run("validate", "--strict", "--project", project)
    assert r.code == 0, r.out
    assert "not checked (text not at hand): example-article" in r.err


# ---------------------------------------------------------------- citing another source's sentences

SECOND = """@prefix pe:     <https://w3id.org/polevents/ontology#> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov:   <http://www.w3.org/ns/prov#> .
@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .
@prefix s:      <id/source/example-article/sentence/> .

<id/event/2022-05-29-charter-referendum> pe:date "2022-05-29"^^xsd:date ;
    prov:wasDerivedFrom {cite} .
"""


def _second_source(tmp_path: Path, cite: str) -> tuple[Path, Path]:
    project = _project(tmp_path / "p")
    text = tmp_path / "second-report.txt"
    text.write_text("Second Report\nThe referendum was held on May 29, 2022.\n", encoding="utf-8")
    r = run("source", "add", text, "--project", project, "--title", "Second report")
    assert r.code == 0, r.err
    facts = project / "data" / "second-report" / "facts.ttl"
    facts.write_text(SECOND.format(cite=cite), encoding="utf-8")
    return project, facts


def test_a_copied_sentence_prefix_is_reported_at_its_line(tmp_path: Path) -> None:
    project, _facts = _second_source(tmp_path, "s:2")
    r = run("validate", "--project", project)
    assert r.code == 1, r.out
    line = next(v for v in r.out.splitlines() if ": Violation: " in v)
    assert line.startswith("data/second-report/facts.ttl:5: Violation: ")
    assert "s: names the sentences of source 'example-article'" in line and "'second-report'" in line
    assert "first s:2, line 8" in line


@pytest.mark.parametrize(
    "cite",
    [
        "<id/source/example-article/sentence/16>",  # the other source's sentence, in full
        "<id/source/second-report/sentence/2>",  # its own sentence
    ],
)
def test_an_explicit_citation_is_not_reported(tmp_path: Path, cite: str) -> None:
    project, _facts = _second_source(tmp_path, cite)
    r = run("validate", "--project", project)
    assert "names the sentences of source" not in r.out, r.out
    assert r.code == 0, r.out


@pytest.mark.parametrize("prefix", ["example-article", "va"])
def test_a_prefix_of_its_own_for_the_other_source_is_explicit(tmp_path: Path, prefix: str) -> None:
    project, facts = _second_source(tmp_path, f"{prefix}:16")
    text = facts.read_text(encoding="utf-8").replace(
        "@prefix s:      <id/source/example-article/sentence/> .",
        f"@prefix s: <id/source/second-report/sentence/> .\n@prefix {prefix}: <id/source/example-article/sentence/> .",
    )
    facts.write_text(text, encoding="utf-8")
    r = run("validate", "--project", project)
    assert r.code == 0, r.out
    assert "names the sentences of source" not in r.out


# ---------------------------------------------------------------- the rules


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("On April 26, Tokayev resigned.", ("April 26", None, 4, 26)),
        ("On Apr. 29 he proposed a referendum.", ("Apr. 29", None, 4, 29)),
        ("It was elected on Jan. 28, 2022, at a congress.", ("Jan. 28, 2022", 2022, 1, 28)),
        ("He came on 28 January 2022.", ("28 January 2022", 2022, 1, 28)),
        ("In early May the assembly voted.", ("early May", None, 5, None)),
        ("It was founded in 1999 on his initiative.", ("1999", 1999, None, None)),
        ("He led it from 1999 until January 2022.", ("1999", 1999, None, None)),
        ("In March 2022, the party was renamed.", ("March 2022", 2022, 3, None)),
        ("On 2022-04-26 it merged.", ("2022-04-26", 2022, 4, 26)),
        ("Unrest grew in mid-April.", ("mid-April", None, 4, None)),
    ],
)
def test_dates_in_their_written_forms(text: str, expected: tuple[str, int | None, int | None, int | None]) -> None:
    first = find_dates(text)[0]
    assert (first.text, first.year, first.month, first.day) == expected


def test_words_that_are_no_dates() -> None:
    assert find_dates("You may march on. He said no. 5 people came.") == []


@pytest.mark.parametrize(
    ("text", "value", "kind", "currency"),
    [
        ("accused of defrauding the country for $1.3 million.", "1300000", "amount", "USD"),
        ("tax evasion of 110,000 Kazakhstan tenge.", "110000", "amount", "KZT"),
        ("77.18% of the votes", "77.18", "percent", None),
        ("a turnout of 61.4 percent", "61.4", "percent", None),
        ("Of 2,000,000 eligible voters", "2000000", "count", None),
        ("fined EUR 2.5 billion", "2500000000", "amount", "EUR"),
        ("$1.3m in unpaid duties", "1300000", "amount", "USD"),
        ("1.3 million people", "1300000", "count", None),
    ],
)
def test_numbers_in_their_written_forms(text: str, value: str, kind: str, currency: str | None) -> None:
    first = find_numbers(text)[0]
    assert (first.value, first.kind, first.currency) == (Decimal(value), kind, currency)


def test_labels_are_no_numbers() -> None:
    assert find_numbers("Amendment No. 5 and Article 12") == []


def test_quotations_paired_or_left_open() -> None:
    text = "He said, “As of today, I quit. This step is symbolic.” Then “great risks” and “structural change"
    assert [q.text for q in find_quotes(text)] == [
        "As of today, I quit. This step is symbolic.",
        "great risks",
        "structural change",
    ]


@pytest.mark.parametrize("module", [polevents.source.extract, polevents.validate.evidence, polevents.source.entities])
def test_docstring_examples(module: object) -> None:
    failed, _attempted = doctest.testmod(module)  # type: ignore[arg-type]
    assert failed == 0


# ---------------------------------------------------------------- the repository's data

SEED = REPO.parent / "shared" / "seed"


def test_every_fact_of_the_first_article_is_in_the_sentences_it_cites(tmp_path: Path) -> None:
    """With its text at hand, no date, number or quotation of the first article's facts is missing
    from the sentences its fact cites (only that source's graph is looked at: other sources may be
    added to data/ with their own findings)."""
    if not (SEED / "kazakhstan-reform-2022.txt").is_file():
        pytest.skip("the shared seed text (../shared/seed) is not available")
    project = copy_repo_project(tmp_path / "repo")
    toml = (project / "polevents.toml").read_text(encoding="utf-8")
    (project / "polevents.toml").write_text(toml.replace('"../shared/seed"', json.dumps(str(SEED))), encoding="utf-8")
    r = run("validate", "--strict", "--format", "json", "--project", project)
    assert r.code in (0, 1), r.err
    evidence = [
        res
        for res in json.loads(r.out)["results"]
        if res["graph"] == "kazakhstan-reform-2022" and res["sourceShape"].endswith("Evidence")
    ]
    assert evidence == []
    assert "kazakhstan-reform-2022" not in r.err.partition("not checked")[2]  # its text was read


def test_counts_in_words_for_the_evidence_check() -> None:
    values = [
        (n.text, n.value) for n in find_numbers("two deputies and one million voters, a hundred seats", words=True)
    ]
    assert ("two", Decimal(2)) in values
    assert ("one million", Decimal(1000000)) in values
    assert ("a hundred", Decimal(100)) in values
