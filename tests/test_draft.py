"""Assisted drafting (``polevents source add --draft``): proposals, and how many of them are right.

The fictional example article is drafted and measured against its facts
(tests/fixtures/example-facts.ttl, the gold standard): recall is the share of the facts' dates,
numbers (amounts, percentages, counts), quotations and named entities/spellings that the draft
proposes; precision the share of its proposals that are right.  The README publishes both.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from polevents.source.draft import DRAFT_HEADER, Draft, draft_facts
from polevents.source.entities import EntityName, EntityRecord
from polevents.source.measure import gold_items, score_draft
from polevents.source.segment import split_sentences
from support import EXAMPLE_ARTICLE, FIXTURES, REPO, copy_repo_project, run

BASE = "https://w3id.org/polevents/"
#: The floors the measured numbers must keep (the README gives the numbers measured).
RECALL_FLOOR = 0.9
PRECISION_FLOOR = 0.75


def _sentences(path: Path) -> list[tuple[int, str]]:
    text = path.read_text(encoding="utf-8")
    return [(s.index, text[s.start : s.end]) for s in split_sentences(text)]


def _gold(path: Path) -> list:  # type: ignore[type-arg]
    triples = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=BASE)
    return gold_items(
        (t.subject.value, t.predicate.value, t.object if isinstance(t.object, ox.Literal) else t.object.value)  # type: ignore[union-attr]
        for t in triples
    )


@pytest.fixture(scope="module")
def example_draft() -> Draft:
    return draft_facts("example-article", _sentences(EXAMPLE_ARTICLE))


def test_recall_and_precision_on_the_example_article(example_draft: Draft) -> None:
    score = score_draft(example_draft, _gold(FIXTURES / "example-facts.ttl"))
    print(f"example article: {score}")
    assert score.recall >= RECALL_FLOOR, f"{score}; missed {score.missed}"
    assert score.precision >= PRECISION_FLOOR, f"{score}; wrong {score.wrong}"


def test_the_draft_proposes_each_kind_with_its_sentence(example_draft: Draft) -> None:
    by_kind = {(p.kind, p.value): p for p in example_draft.proposals}
    assert by_kind[("date", "2022-01-28")].sentence == 3
    assert by_kind[("date", "2022-01-28")].detail == "date"
    early_may = by_kind[("date", "2022-05")]
    assert (early_may.sentence, early_may.detail, early_may.extra) == (
        13,
        "gYearMonth early",
        ("2022-05-01", "2022-05-10"),
    )
    assert by_kind[("date", "2015")].detail == "gYear"
    amount = by_kind[("amount", "1300000")]
    assert (amount.sentence, amount.detail) == (10, "USD")
    assert by_kind[("percent", "61.4")].detail == "pe:turnoutPercent"
    assert by_kind[("percent", "77.5")].detail == "pe:approvalPercent"
    assert by_kind[("count", "2000000")].detail == "pe:eligibleVoters"
    assert by_kind[("count", "1228000")].detail == "pe:ballotsCast"
    quote = by_kind[("quotation", "The charter belongs to every citizen, not to one party.")]
    assert quote.sentence == 5 and quote.extra == ("person:marta-j-oduya",)
    assert by_kind[("entity", "person:marta-j-oduya")].detail == "pe:Person"
    assert by_kind[("entity", "orgn:northgate-trading-co")].detail == "pe:Organization"
    oduja = by_kind[("mention", "person:marta-j-oduya")]
    assert (oduja.text, oduja.sentence, oduja.detail) == ("Oduja", 11, "true")


def test_known_entities_are_reused_with_misspellings_and_transliterations() -> None:
    tokayev = EntityRecord(
        BASE + "id/person/kassym-jomart-tokayev",
        ("https://w3id.org/polevents/ontology#Person",),
        "Kassym-Jomart Tokayev",
        ("kazakhstan-reform-2022",),
        (EntityName("Kassym-Jomart Tokayev", "label"), EntityName("Tokaev", "alternative")),
    )
    sentences = [
        (1, "On April 26, Tokayev announced his resignation."),
        (2, "He said, “As of today, I decided to quit the party and step down.”"),
        (3, "Later Тоқаев and Toqaev were both written in the same report."),
    ]
    draft = draft_facts("second", sentences, [tokayev])
    reuse = [p for p in draft.proposals if p.kind == "reuse"]
    assert [(p.value, p.sentence) for p in reuse] == [(tokayev.iri, 1)]
    # spellings the dataset does not have yet: another script, another transliteration
    spellings = {p.text: p.detail for p in draft.proposals if p.kind == "mention"}
    assert spellings == {"Тоқаев": "false", "Toqaev": "false"}
    assert not [p for p in draft.proposals if p.kind == "entity"]
    quote = next(p for p in draft.proposals if p.kind == "quotation")
    assert quote.extra == (tokayev.iri,)  # "He said": the person named in the sentence before
    # no year anywhere in the text and no publication date: no date is guessed
    assert draft.default_year is None and not [p for p in draft.proposals if p.kind == "date"]


def test_the_year_comes_from_the_publication_date() -> None:
    draft = draft_facts("x", [(1, "On April 26, the party met.")], published="2022-05-03")
    date = next(p for p in draft.proposals if p.kind == "date")
    assert (date.value, date.detail) == ("2022-04-26", "date year-assumed")


def _uncommented(text: str) -> str:
    return "\n".join(line[2:] if line.startswith("# ") or line == "#" else line for line in text.splitlines())


def test_source_add_draft_writes_proposals_that_parse_when_uncommented(tmp_path: Path) -> None:
    project = copy_repo_project(tmp_path / "p")
    r = run("source", "add", EXAMPLE_ARTICLE, "--draft", "--no-copy", "--title", "Veloria", "--project", project)
    assert r.code == 0, r.err
    facts = (project / "data" / "example-article" / "facts.ttl").read_text(encoding="utf-8")
    assert DRAFT_HEADER in facts
    assert "proposals" in r.err
    draft_part = facts[facts.index(DRAFT_HEADER) :]
    assert '#     pe:quote "The charter belongs to every citizen, not to one party."@en ;' in draft_part
    assert re.search(r"^# amt:usd-1300000-s10 a pe:MonetaryAmount ;$", draft_part, re.MULTILINE)
    # every proposal cites its sentence
    assert "prov:wasDerivedFrom s:16 ." in draft_part
    # the editor accepts proposals by uncommenting them: all of them together still parse
    ox.parse(_uncommented(facts), format=ox.RdfFormat.TURTLE, base_iri=BASE)
    # as written (all commented), the file adds nothing to the dataset
    assert run("validate", "--project", project).code == 0


def test_draft_matches_the_first_articles_entities(tmp_path: Path) -> None:
    """A second text naming the first article's people in other spellings gets their IRIs."""
    project = copy_repo_project(tmp_path / "p")
    text = tmp_path / "second.txt"
    text.write_text(
        "Parliament Votes\nOn May 5, 2022, Tokaev met Yerlan Kalin and Erlan Koshanov in Astana.\n",
        encoding="utf-8",
    )
    r = run("source", "add", text, "--draft", "--no-copy", "--title", "Second", "--project", project)
    assert r.code == 0, r.err
    facts = (project / "data" / "second" / "facts.ttl").read_text(encoding="utf-8")
    assert f"<{BASE}id/person/kassym-jomart-tokayev>" in facts
    assert f"<{BASE}id/person/yerlan-karin>" in facts
    assert f"<{BASE}id/person/yerlan-koshanov>" in facts
    assert "person:astana" in facts or "place:astana" in facts  # a new name


def test_first_article_measured_without_known_entities() -> None:
    """The real first article against its own facts, drafted as if the dataset were empty."""
    seed = REPO.parent / "shared" / "seed" / "kazakhstan-reform-2022.txt"
    if not seed.is_file():
        pytest.skip("the shared seed text is not available")
    draft = draft_facts("kazakhstan-reform-2022", _sentences(seed))
    score = score_draft(draft, _gold(REPO / "data" / "kazakhstan-reform-2022" / "facts.ttl"))
    print(f"first article: {score}")
    assert score.recall >= 0.75 and score.precision >= 0.75, str(score)


def test_second_source_measured_with_the_datasets_entities() -> None:
    """The second fictional source (tests/fixtures/second-source), drafted against the repository's
    entities: it reuses Tokayev and Kazakhstan, and its facts are the gold standard."""
    from polevents.source.entities import load_entities

    folder = FIXTURES / "second-source"
    known = load_entities(REPO)
    draft = draft_facts(
        "referendum-follow-up", _sentences(folder / "referendum-follow-up.txt"), known, published="2022-06-06"
    )
    triples = ox.parse(path=str(folder / "facts.ttl"), format=ox.RdfFormat.TURTLE, base_iri=BASE)
    gold = gold_items(
        (
            (t.subject.value, t.predicate.value, t.object if isinstance(t.object, ox.Literal) else t.object.value)
            for t in triples
        ),  # type: ignore[union-attr]
        known,
    )
    score = score_draft(draft, gold)
    print(f"second source: {score}")
    assert score.recall >= RECALL_FLOOR and score.precision >= PRECISION_FLOOR, str(score)
    reused = {p.value for p in draft.proposals if p.kind == "reuse"}
    assert {BASE + "id/person/kassym-jomart-tokayev", BASE + "id/place/kazakhstan"} <= reused
