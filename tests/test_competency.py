"""The shipped competency queries (queries/*.rq) answer the questions with the facts of the article.

Each answer is checked against what the first source (Kazakhstan's 2022 reform) says:
names, dates as typed literals with the datatype of their precision, sentence numbers.
The expected values are written here from the article, not copied from the queries'
output, so a wrong fact in data/ or a wrong join in a query fails the test. Where the
article's text is at hand (../shared/seed/), the sentences the answers cite are read
and checked to contain what the answer claims they say.

The answers about the article are asked of the article's own graph (with the ontology and
the curated links), not of the union of every source: what other sources add to data/ (a
date for the referendum the article only proposes, more evidence for a shared event) does
not change what this article says.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from polevents.load import load_project
from polevents.vocab import PREFIXES
from second_source import project_with_second_source
from support import copy_repo_project

REPO = Path(__file__).resolve().parents[1]
QUERIES = REPO / "queries"
SEED = REPO.parent / "shared" / "seed" / "kazakhstan-reform-2022.txt"
XSD = "http://www.w3.org/2001/XMLSchema#"
WD = "http://www.wikidata.org/entity/"
SLUG = "kazakhstan-reform-2022"
SHA256 = "368f12debbb204eb3391663846284741fc858e72d89d4fde42c38e2472bc92ed"
TITLE = "Tokayev Accelerates Political Reform to Reduce The Legal Privileges of 1st President"

#: The competency questions of competency-questions.md, one shipped query each.
COMPETENCY = [
    "v1-party-chairs",
    "v2-party-names",
    "v3-april-2022-events",
    "v4-tokayev-quotations",
    "v5-nazarbayev-relatives",
    "v6-draft-amendment",
    "v7-fact-evidence",
    "v8-organisations",
    "v9-hedged-claims",
    "v10-spelling-variants",
]

Row = dict[str, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None]


# --------------------------------------------------------------------------- helpers


def query_files() -> list[Path]:
    return sorted(QUERIES.glob("*.rq"))


#: The graphs the answers about the article are asked of: its own and the curated links.
ARTICLE_GRAPHS = (SLUG, "links")


def source_store(root: Path, names: tuple[str, ...] = ARTICLE_GRAPHS) -> tuple[ox.Store, str]:
    """The ontology and the named graphs of the project's sources ``names``, and the base IRI."""
    project = load_project(root)
    store = ox.Store()
    store.bulk_extend(
        q for q in project.quads() if q.graph_name.value == project.ontology_graph_iri
        or any(q.graph_name.value == src.iri for src in project.sources if src.name in names)
    )  # fmt: skip
    return store, project.config.base


@pytest.fixture(scope="module", params=["repository", "with-second-source"])
def project_root(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's project; and a copy with a second source that reuses the article's nodes.

    Every answer about the article must be the same in both (tests/second_source.py).
    """
    if request.param == "repository":
        return REPO
    return project_with_second_source(tmp_path_factory.mktemp("two-sources"))


@pytest.fixture(scope="module")
def project_store(project_root: Path) -> tuple[ox.Store, str]:
    """The article's graph in memory (with the ontology and the links) and the base IRI."""
    return source_store(project_root)


def run_text(store_base: tuple[ox.Store, str], text: str) -> list[Row]:
    """Rows of a SELECT over the union default graph, as ``polevents query`` evaluates it."""
    store, base = store_base
    result = store.query(text, prefixes=dict(PREFIXES), base_iri=base, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: sol[n] for n in names} for sol in result]


def run(store_base: tuple[ox.Store, str], name: str) -> list[Row]:
    return run_text(store_base, (QUERIES / f"{name}.rq").read_text(encoding="utf-8"))


def s(term: object) -> str | None:
    """The lexical value of a term (None when unbound)."""
    if term is None:
        return None
    assert isinstance(term, (ox.Literal, ox.NamedNode)), term
    return term.value


def date(lexical: str, datatype: str) -> ox.Literal:
    return ox.Literal(lexical, datatype=ox.NamedNode(XSD + datatype))


def en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def numbers(term: object) -> list[int]:
    """A "7, 11, 12" sentence list as integers."""
    value = s(term)
    return [int(n) for n in value.split(", ")] if value else []


@pytest.fixture(scope="module")
def article() -> str:
    if not SEED.is_file():
        pytest.skip(f"the article's text is not at hand ({SEED})")
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sentence_text(project_store: tuple[ox.Store, str], article: str) -> dict[int, str]:
    """Sentence number -> the sentence's text, cut from the article at the data's offsets."""
    rows = run_text(
        project_store,
        f"""SELECT ?n ?start ?end WHERE {{
              ?sentence pe:inSource <id/source/{SLUG}> ; pe:sentenceIndex ?n ;
                        pe:startOffset ?start ; pe:endOffset ?end . }}""",
    )
    return {int(s(r["n"]) or 0): article[int(s(r["start"]) or 0) : int(s(r["end"]) or 0)] for r in rows}


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]  # fmt: skip


def written_forms(literal: ox.Literal) -> list[str]:
    """Patterns of the ways an article writes a date of this precision: "April 26", "Apr. 26", "26 April",
    "March" (a month), "1999" (a year)."""
    value, kind = literal.value, literal.datatype.value.removeprefix(XSD)
    if kind == "gYear":
        return [rf"\b{value}\b"]
    month = MONTHS[int(value[5:7]) - 1]
    name = rf"(?:{month}|{month[:3]}\.?)"
    if kind == "gYearMonth":
        return [rf"\b{name}"]
    day = int(value[8:10])
    return [rf"\b{name}\s+{day}\b", rf"\b{day}\s+{name}"]


def test_every_dated_fact_cites_a_sentence_with_its_date(
    project_store: tuple[ox.Store, str], sentence_text: dict[int, str]
) -> None:
    """A fact's date is written in one of the sentences it cites, not only in an uncited neighbour."""
    rows = run_text(
        project_store,
        f"""SELECT ?fact ?property ?date (GROUP_CONCAT(STR(?n); separator=", ") AS ?sentences) WHERE {{
              VALUES ?property {{ pe:date pe:startDate pe:endDate pe:earliestDate pe:latestDate }}
              GRAPH <graph/{SLUG}> {{ ?fact ?property ?date ; prov:wasDerivedFrom ?sentence . }}
              ?sentence pe:inSource <id/source/{SLUG}> ; pe:sentenceIndex ?n .
            }} GROUP BY ?fact ?property ?date ORDER BY ?fact ?property""",
    )
    assert len(rows) > 60
    undated = []
    for r in rows:
        date_literal = r["date"]
        assert isinstance(date_literal, ox.Literal)
        texts = [sentence_text[n] for n in numbers(r["sentences"])]
        if not any(re.search(form, text) for form in written_forms(date_literal) for text in texts):
            undated.append((s(r["fact"]), s(r["property"]), date_literal.value, numbers(r["sentences"])))
    assert undated == []


# --------------------------------------------------------------------------- every shipped query


def test_every_competency_question_has_its_query() -> None:
    shipped = {p.stem for p in query_files()}
    assert set(COMPETENCY) <= shipped, sorted(set(COMPETENCY) - shipped)
    assert len(shipped) >= len(COMPETENCY) + 5  # and more: timeline, tenures, amounts, sources, ...


@pytest.mark.parametrize("path", query_files(), ids=lambda p: p.stem)
def test_query_file_is_described_self_contained_and_sorted(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert re.fullmatch(r"# \S.{20,}", first), f"{path.name}: first line must be '# <what it answers>'"
    # Parses on its own: every prefix declared, no relative IRI (so it runs in any SPARQL tool).
    try:
        ox.Store().query(text)
    except SyntaxError as exc:
        pytest.fail(f"{path.name} does not parse without the predefined prefixes and base: {exc}")
    # Declares only prefixes that mean what the project's predefined ones mean.
    for prefix, iri in re.findall(r"(?im)^PREFIX\s+([\w-]*):\s*<([^>]*)>", text):
        if prefix in PREFIXES:
            assert PREFIXES[prefix] == iri, f"{path.name}: PREFIX {prefix}: differs from the project's"
    assert re.search(r"(?i)\bORDER\s+BY\b", text), f"{path.name}: answers must be sorted (ORDER BY)"


@pytest.mark.parametrize("path", query_files(), ids=lambda p: p.stem)
def test_query_answers_with_at_least_one_row(project_store: tuple[ox.Store, str], path: Path) -> None:
    rows = run(project_store, path.stem)
    assert rows, f"{path.name} returns no rows on the project's data"


def test_answers_are_deterministic() -> None:
    """Two stores loaded separately give the same rows in the same order."""
    first = load_project(REPO)
    second = load_project(REPO)
    for path in query_files():
        a = run((first.store(), first.config.base), path.stem)
        b = run((second.store(), second.config.base), path.stem)
        assert [{k: str(v) for k, v in r.items()} for r in a] == [{k: str(v) for k, v in r.items()} for r in b], (
            path.name
        )


# --------------------------------------------------------------------------- V1 .. V10


def test_v1_party_chairs(project_store: tuple[ox.Store, str]) -> None:
    rows = [r for r in run(project_store, "v1-party-chairs") if s(r["party"]) == "Amanat"]
    assert [(r["chair"], r["start"], r["end"]) for r in rows] == [
        (en("Nursultan Nazarbayev"), date("1999", "gYear"), date("2022-01-28", "date")),
        (en("Kassym-Jomart Tokayev"), date("2022-01-28", "date"), date("2022-04-26", "date")),
        (en("Yerlan Koshanov"), date("2022-04-26", "date"), None),
    ]
    assert [(s(r["startPrecision"]), s(r["endPrecision"])) for r in rows] == [
        ("year", "day"),
        ("day", "day"),
        ("day", None),
    ]
    # The events that began and ended them: the two congresses. The article says the party was founded
    # in 1999 on Nazarbayev's initiative (37) and that he chaired it from 1999 (39), not that the founding
    # made him chairman: no event starts his tenure.
    assert rows[0]["startedBy"] is None
    assert "Tokayev" in (s(rows[1]["startedBy"]) or "") and "resigns" in (s(rows[1]["endedBy"]) or "")
    assert "Koshanov" in (s(rows[2]["startedBy"]) or "") and rows[2]["endedBy"] is None
    # Evidence: "Nazarbayev served as the party's chairman from 1999 until January 2022" is sentence 39;
    # the transfer "only on January 28, 2022" sentence 40; Koshanov "the new chairman" 7 and 31.
    assert {39, 40} <= set(numbers(rows[0]["sentences"]))
    assert {7, 31} <= set(numbers(rows[2]["sentences"]))
    assert {s(r["source"]) for r in rows} == {TITLE}


def test_v2_party_names(project_store: tuple[ox.Store, str]) -> None:
    rows = [r for r in run(project_store, "v2-party-names") if s(r["organisation"]) == "Amanat"]
    names = [r for r in rows if s(r["row"]) == "name"]
    assert [(s(r["name"]), r["start"], r["end"]) for r in names] == [
        ("Otan", date("1999", "gYear"), date("2006", "gYear")),
        ("Nur Otan", date("2006", "gYear"), date("2022-03", "gYearMonth")),
        ("Amanat", date("2022-03", "gYearMonth"), None),
    ]
    assert [s(r["startPrecision"]) for r in names] == ["year", "year", "month"]
    assert [s(r["meaning"]) for r in names[:2]] == ["Fatherland", "Light of the Fatherland"]
    spellings = {s(r["name"]): s(r["misspelled"]) for r in rows if s(r["row"]) == "spelling"}
    assert {"Aaranat": "true", "Amarnat": "true", "Amanat": "false"}.items() <= spellings.items()
    assert {"Otan", "Nur Otan"} <= set(spellings)


def test_v2_spellings_are_the_articles(project_store: tuple[ox.Store, str], sentence_text: dict[int, str]) -> None:
    for r in run(project_store, "v2-party-names"):
        if s(r["row"]) == "spelling":
            for n in numbers(r["sentences"]):
                assert s(r["name"]) in sentence_text[n], (s(r["name"]), n)


def test_v3_april_2022_events(project_store: tuple[ox.Store, str]) -> None:
    rows = run(project_store, "v3-april-2022-events")
    dates = [s(r["date"]) or "" for r in rows]
    assert all(d.startswith("2022-04") for d in dates)
    assert dates == sorted(dates), "not in date order"
    days = {int(d[8:]) for d in dates if len(d) == 10}
    assert days == {15, 22, 25, 26, 27, 28, 29, 30}
    # Everything dated to a day is an xsd:date; anything dated to the month only an xsd:gYearMonth.
    for r in rows:
        d = r["date"]
        assert isinstance(d, ox.Literal)
        assert d.datatype.value == XSD + ("date" if len(d.value) == 10 else "gYearMonth")
        assert s(r["precision"]) == ("day" if len(d.value) == 10 else "month")

    def has(day: str, kind: str, participant: str) -> bool:
        return any(
            s(r["date"]) == day and s(r["kind"]) == kind and participant in (s(r["participants"]) or "") for r in rows
        )

    expected = [
        ("2022-04-15", "legal action", "Karim Massimov"),  # put on the most-wanted list
        ("2022-04-15", "investigation", "market"),  # the financial audit of the market
        ("2022-04-22", "meeting", "Government of Kazakhstan"),  # the special session
        ("2022-04-22", "submission", "Kassym-Jomart Tokayev (actor)"),
        ("2022-04-22", "submission", "Parliament of Kazakhstan (addressed to)"),
        ("2022-04-25", "acceptance", "Constitutional Council"),
        ("2022-04-26", "meeting", "Amanat"),  # the extraordinary congress
        ("2022-04-26", "resignation", "Kassym-Jomart Tokayev (actor)"),
        ("2022-04-26", "appointment or election", "Yerlan Koshanov (participant)"),
        ("2022-04-26", "merger", "Adal (original organisation)"),
        ("2022-04-27", "statement", "Yerlan Koshanov (speaker)"),
        ("2022-04-28", "appointment or election", "Assembly of the People of Kazakhstan"),
        ("2022-04-28", "legal action", "father-in-law of Aliya Nazarbayeva"),
        ("2022-04-29", "proposal", "Kassym-Jomart Tokayev (actor)"),
        ("2022-04-30", "investigation", "local government of Almaty"),
    ]
    missing = [e for e in expected if not has(*e)]
    assert not missing, missing
    # 26 April: the congress, at which Tokayev resigned the chair and left the party, Koshanov became
    # chairman and the party merged with Adal; what was said there belongs to the congress, not the list.
    congress_day = sorted(s(r["kind"]) or "" for r in rows if s(r["date"]) == "2022-04-26")
    assert congress_day == ["appointment or election", "meeting", "merger", "resignation", "resignation"]
    # The investigations of the Nazarbayev family and associates happened "during the past half
    # month" (19): the article gives no date for them, so they are not among April's events.
    assert not [r for r in rows if "family" in (s(r["event"]) or "")]
    assert s(rows[0]["date"]) == "2022-04-15"


def test_v4_tokayev_quotations(project_store: tuple[ox.Store, str]) -> None:
    rows = run(project_store, "v4-tokayev-quotations")
    assert {s(r["speaker"]) for r in rows} == {"Kassym-Jomart Tokayev"}
    # Each quotation cites the sentence with its words and, when that sentence has no date, the one
    # that dates it: "On March 16" (47), "On April 22" (52), "on April 26" (27), "On April 29" (60).
    assert [(r["date"], numbers(r["sentences"])) for r in rows] == [
        (date("2022-03-16", "date"), [47, 48]),
        (date("2022-04-22", "date"), [52]),
        (date("2022-04-22", "date"), [52, 53]),
        (date("2022-04-26", "date"), [27, 28]),
        (date("2022-04-26", "date"), [27, 30]),
        (date("2022-04-29", "date"), [16]),
        (date("2022-04-29", "date"), [60, 61]),
    ]
    occasions = [(s(r["occasionKind"]), s(r["occasion"]) or "") for r in rows]
    # What he said on March 16 (47, 48) is not said to be part of the state of the nation address (55).
    assert occasions[0] == (None, "")
    assert all(kind == "meeting" and "Special session" in o for kind, o in occasions[1:3])
    assert all(kind == "meeting" and "congress" in o for kind, o in occasions[3:5])
    assert all(kind == "proposal" and "referendum" in o for kind, o in occasions[5:7])
    quotes = [s(r["quote"]) or "" for r in rows]
    assert "Second Republic" in quotes[2]
    assert quotes[3].startswith("As of today, I decided to terminate my powers as party chairman")
    assert "every citizen" in quotes[6]


def test_v4_quotes_are_the_articles_words(project_store: tuple[ox.Store, str], sentence_text: dict[int, str]) -> None:
    for r in run(project_store, "v4-tokayev-quotations"):
        cited = numbers(r["sentences"])
        assert any(s(r["quote"]) in sentence_text[n] for n in cited), cited


def test_v4_other_speakers_by_variant_spelling(project_store: tuple[ox.Store, str]) -> None:
    text = (QUERIES / "v4-tokayev-quotations.rq").read_text(encoding="utf-8")
    assert text.count('"Kassym-Jomart Tokayev"') == 1, "one VALUES to edit"
    same = run_text(project_store, text.replace('"Kassym-Jomart Tokayev"', '"tokaev"'))
    assert len(same) == 7
    karin = run_text(project_store, text.replace('"Kassym-Jomart Tokayev"', '"Yerlan Kalin"'))
    # "After Tokayev's resignation" (34): the resignation is dated in 6.
    assert [(s(r["speaker"]), numbers(r["sentences"])) for r in karin] == [("Yerlan Karin", [6, 34])]


def test_v5_nazarbayev_relatives(project_store: tuple[ox.Store, str]) -> None:
    rows = run(project_store, "v5-nazarbayev-relatives")
    assert {s(r["person"]) for r in rows} == {"Nursultan Nazarbayev"}
    found = {
        (s(r["relative"]), s(r["kinship"]), s(r["seniority"]), int(s(r["degree"]) or 0), s(r["via"])) for r in rows
    }
    father_in_law = "father-in-law of Aliya Nazarbayeva"  # not named (21), which the label does not say
    assert found == {
        ("Dariga Nazarbayeva", "daughter", "eldest", 1, None),  # sentence 45
        ("Aliya Nazarbayeva", "daughter", "youngest", 1, None),  # sentence 21
        ("Bolat Nazarbayev", "brother", None, 1, None),  # sentences 23, 25
        (father_in_law, "father-in-law", None, 2, "Aliya Nazarbayeva"),  # sentence 21
    }
    by_relative = {s(r["relative"]): r for r in rows}
    assert numbers(by_relative["Dariga Nazarbayeva"]["sentences"]) == [45]
    assert numbers(by_relative["Aliya Nazarbayeva"]["sentences"]) == [21]
    assert numbers(by_relative["Bolat Nazarbayev"]["sentences"]) == [23, 25]
    assert s(by_relative[father_in_law]["relation"]) == "father-in-law of the youngest daughter Aliya Nazarbayeva"


def test_v6_draft_amendment(project_store: tuple[ox.Store, str]) -> None:
    answer = run(project_store, "v6-draft-amendment")
    rows = [r for r in answer if "Draft amendments" in (s(r["legislation"]) or "")]
    parts = [s(r["part"]) for r in rows]
    assert parts == sorted(parts, key=lambda p: p != "provision"), "provisions first, then the steps"
    provisions = " | ".join(s(r["what"]) or "" for r in rows if s(r["part"]) == "provision")
    # What the draft provides (sentences 58, 59).
    for words in (
        "land and its resources owned by the state",
        "Constitutional Court",
        "death penalty",
        "role for Parliament",
        "restricted powers of the President",
        "may not take part in the activities of political parties",
        "relatives may not hold senior government positions",
    ):
        assert words in provisions, words
    # Not provisions: the end of the Elbasy privileges is expected "once the new constitutional
    # amendments are adopted" (13, a hedged claim), and wider participation of citizens and stronger
    # human rights are Tokayev's description of "the new paradigm" (53, a statement).
    for words in ("Leader of the Nation", "participation of citizens", "human rights"):
        assert words not in provisions, words
    steps = [(r["date"], s(r["kind"]), s(r["by"]), s(r["to"])) for r in rows if s(r["part"]) == "step"]
    order = [kind for _, kind, _, _ in steps]
    # Submitted on 22 April, accepted by the Constitutional Council on 25 April, referendum proposed 29 April.
    assert (date("2022-04-22", "date"), "submission", "Kassym-Jomart Tokayev", "Parliament of Kazakhstan") in steps
    assert (date("2022-04-25", "date"), "acceptance", "Constitutional Council of Kazakhstan",
            "Constitutional Council of Kazakhstan") in steps  # fmt: skip
    assert (date("2022-04-29", "date"), "proposal", "Kassym-Jomart Tokayev", None) in steps
    positions = [order.index(kind) for kind in ("submission", "acceptance", "proposal")]
    assert positions == sorted(positions), order
    dated = [str(d.value) for d, *_ in steps if d is not None]
    assert dated == sorted(dated)
    # The article only reports the proposal to hold a referendum (16, 60): no referendum step, and no
    # step is said to follow another (the article links none of them).
    assert "referendum" not in order and steps[-1][1] == "proposal"
    assert all(r["follows"] is None for r in rows)


def test_v7_fact_evidence(project_store: tuple[ox.Store, str]) -> None:
    rows = run(project_store, "v7-fact-evidence")
    _, base = project_store
    assert {s(r["fact"]) for r in rows} == {base + "id/event/2022-04-26-koshanov-becomes-chair"}
    # Sentences 7 and 12 name Koshanov as the new chairman, 11 is the subheading announcing it, 31
    # tells again of his election "at the meeting", the extraordinary congress "on April 26" (27).
    assert [int(s(r["sentenceNumber"]) or 0) for r in rows] == [7, 11, 12, 27, 31]
    assert {s(r["graph"]) for r in rows} == {base + f"graph/{SLUG}"}
    assert {s(r["sha256"]) for r in rows} == {SHA256}
    assert {s(r["source"]) for r in rows} == {TITLE}
    assert {s(r["document"]) for r in rows} == {base + f"id/source/{SLUG}"}
    assert [(int(s(r["start"]) or 0), int(s(r["end"]) or 0)) for r in rows] == [
        (565, 658), (1277, 1345), (1347, 1625), (3671, 3820), (4718, 4799),
    ]  # fmt: skip


def test_v7_answers_for_any_fact_given_in_values(project_store: tuple[ox.Store, str]) -> None:
    text = (QUERIES / "v7-fact-evidence.rq").read_text(encoding="utf-8")
    default = "<https://w3id.org/polevents/id/event/2022-04-26-koshanov-becomes-chair>"
    assert text.count(default) == 1
    two = text.replace(default, "<id/tenure/koshanov-chair-of-amanat> <id/event/2022-04-25-amendments-accepted>")
    rows = run_text(project_store, two)
    found = {(s(r["fact"]) or "").rsplit("/", 1)[1]: [] for r in rows}
    for r in rows:
        found[(s(r["fact"]) or "").rsplit("/", 1)[1]].append(int(s(r["sentenceNumber"]) or 0))
    # The acceptance by the Constitutional Council is stated in sentence 54 only.
    assert found == {"koshanov-chair-of-amanat": [7, 11, 12, 27, 31], "2022-04-25-amendments-accepted": [54]}


def test_v7_offsets_cut_the_stated_sentences(project_store: tuple[ox.Store, str], article: str) -> None:
    assert hashlib.sha256(article.encode("utf-8")).hexdigest() == SHA256
    for r in run(project_store, "v7-fact-evidence"):
        sentence = article[int(s(r["start"]) or 0) : int(s(r["end"]) or 0)]
        if s(r["sentenceNumber"]) == "27":  # the date: the congress "on April 26"
            assert "extraordinary congress on April 26" in sentence, sentence
        else:
            assert "Koshanov" in sentence and "chairman" in sentence, sentence


def test_v8_organisations(project_store: tuple[ox.Store, str]) -> None:
    rows = run(project_store, "v8-organisations")
    by_name: dict[str, list[Row]] = {}
    for r in rows:
        by_name.setdefault(s(r["organisation"]) or "", []).append(r)
    links = {
        name: {(s(r["wikidata"]), s(r["match"]), s(r["verified"])) for r in rs if r["wikidata"] is not None}
        for name, rs in by_name.items()
    }
    assert links["Adal"] == {(WD + "Q27972277", "skos:exactMatch", "true")}
    assert links["Parliament of Kazakhstan"] == {(WD + "Q2995409", "skos:exactMatch", "true")}
    # The ruling party: Q1195092 is "Nur Otan"; that it is today's Amanat is not verified.
    assert links["Amanat"] == {(WD + "Q1195092", "skos:closeMatch", "false")}
    # No verified item was found for these (../shared/wikidata-ids.md): no link may be invented.
    unlinked = [
        "Mazhilis",
        "Constitutional Council of Kazakhstan",
        "National Security Council of Kazakhstan",  # as the article names it (20), not "corrected"
        "Assembly of the People of Kazakhstan",
        "Constitutional Court of Kazakhstan",
    ]
    for name in unlinked:
        assert links[name] == set(), name
    kinds = {name: {s(r["kind"]) for r in rs} for name, rs in by_name.items()}
    assert kinds["Amanat"] == kinds["Adal"] == {"political party"}
    for body in ["Parliament of Kazakhstan", "Mazhilis", "Constitutional Council of Kazakhstan"]:
        assert kinds[body] == {"public body"}, body
    assert {s(r["partOf"]) for r in by_name["Mazhilis"]} == {"Parliament of Kazakhstan"}


def test_v9_hedged_claims(project_store: tuple[ox.Store, str]) -> None:
    rows = run(project_store, "v9-hedged-claims")
    hedges = {s(r["hedge"]) for r in rows}
    assert hedges == {"is believed", "is considered", "is seen as", "is expected", "is likely", "attributed"}
    assert "stated" not in hedges

    def claim(about: str, relation: str, value: str) -> Row:
        [row] = [
            r for r in rows
            if about in (s(r["about"]) or "") and s(r["relation"]) == relation and value in (s(r["value"]) or "")
        ]  # fmt: skip
        return row

    # "The market is believed to be linked to Nazarbayev's brother, Borat Nazarbayev." (23)
    linked = claim("market in Almaty", "linked to", "Bolat Nazarbayev")
    assert (s(linked["hedge"]), numbers(linked["sentences"])) == ("is believed", [23])
    # "... is considered to be the actual owner of the market." (25)
    owner = claim("market in Almaty", "owner", "Bolat Nazarbayev")
    assert (s(owner["hedge"]), numbers(owner["sentences"])) == ("is considered", [25])
    # The audit of 15 April "said that the market had committed tax evasion" (24): held by the audit.
    tax = claim("market in Almaty", "characterised as", "tax evasion")
    assert s(tax["hedge"]) == "attributed" and "audit" in (s(tax["heldBy"]) or "")
    # Tokayev: "it is likely that new political parties will emerge" (30); the transition "is expected" (56).
    likely = claim("Kazakhstan", "characterised as", "new political parties")
    assert (s(likely["hedge"]), s(likely["heldBy"]), numbers(likely["sentences"])) == (
        "is likely", "Kassym-Jomart Tokayev", [30]
    )  # fmt: skip
    expected = claim("Kazakhstan", "characterised as", "presidential republic")
    assert (s(expected["hedge"]), s(expected["heldBy"])) == ("is expected", "Kassym-Jomart Tokayev")
    # The draft amendments "are seen as a concrete implementation of this plan" (57).
    seen = claim("Draft amendments", "implements", "reform programme")
    assert (s(seen["hedge"]), numbers(seen["sentences"])) == ("is seen as", [57])
    # The father-in-law "was accused of defrauding the country for $1.3 million" (21): an accusation.
    accused = claim("father-in-law", "characterised as", "1.3 million")
    assert s(accused["hedge"]) == "attributed" and "accused" in (s(accused["heldBy"]) or "")
    # Plain statements of fact (pe:stated) are not hedged claims.
    assert not [r for r in rows if "majority of seats" in (s(r["claim"]) or "")]


def test_v10_spelling_variants(project_store: tuple[ox.Store, str]) -> None:
    rows = run(project_store, "v10-spelling-variants")
    spellings: dict[str, dict[str, str | None]] = {}
    for r in rows:
        spellings.setdefault(s(r["normalisedName"]) or "", {})[s(r["spelling"]) or ""] = s(r["misspelled"])
    assert all(len(forms) > 1 for forms in spellings.values())
    party = spellings["Amanat"]
    assert {"Aaranat": "true", "Amarnat": "true", "Amanat": "false"}.items() <= party.items()
    assert spellings["Kassym-Jomart Tokayev"] == {"Tokayev": "false", "Tokaev": "false"}
    assert spellings["Yerlan Karin"] == {"Yerlan Kalin": "true", "Kalin": "true"}
    # Adal is spelled one way only ("Adar"): not a name spelled in more than one way.
    assert "Adal" not in spellings
    counts = {s(r["normalisedName"]): int(s(r["spellings"]) or 0) for r in rows}
    assert counts["Kassym-Jomart Tokayev"] == 2 and counts["Amanat"] == len(party)


def test_v10_spellings_occur_in_the_cited_sentences(
    project_store: tuple[ox.Store, str], sentence_text: dict[int, str]
) -> None:
    for r in run(project_store, "v10-spelling-variants") + run(project_store, "misspellings"):
        spelling = s(r.get("spelling") or r.get("misspelling")) or ""
        for n in numbers(r["sentences"]):
            assert spelling in sentence_text[n], (spelling, n)


# --------------------------------------------------------------------------- the other shipped queries


def test_timeline_is_sorted_with_precision(project_store: tuple[ox.Store, str]) -> None:
    rows = run(project_store, "timeline")
    keys = [s(r["date"]) or "" for r in rows]
    assert keys == sorted(keys)
    assert keys[0] == "1999"  # Otan founded
    precision = {"gYear": "year", "gYearMonth": "month", "date": "day"}
    for r in rows:
        d = r["date"]
        assert isinstance(d, ox.Literal)
        assert s(r["precision"]) == precision[d.datatype.value.removeprefix(XSD)]
    labels = [(s(r["date"]), s(r["kind"])) for r in rows]
    for expected in [("2006", "renaming"), ("2021-11", "meeting"), ("2022-01-28", "appointment or election"),
                     ("2022-03", "renaming"), ("2022-03-16", "address"), ("2022-04-26", "merger")]:  # fmt: skip
        assert expected in labels, expected


def test_tenures_cover_every_post(project_store: tuple[ox.Store, str]) -> None:
    rows = run(project_store, "tenures")
    held = {(s(r["post"]), s(r["holder"])) for r in rows}
    assert ("President of Kazakhstan", "Nursultan Nazarbayev") in held
    assert ("President of Kazakhstan", "Kassym-Jomart Tokayev") in held
    assert ("State Secretary of Kazakhstan", "Yerlan Karin") in held
    assert ("Chairman (speaker) of the Mazhilis", "Yerlan Koshanov") in held
    presidents = [r for r in rows if s(r["post"]) == "President of Kazakhstan"]
    assert [(s(r["holder"]), s(r["ordinal"])) for r in presidents] == [
        ("Nursultan Nazarbayev", "1"),
        ("Kassym-Jomart Tokayev", "2"),
    ]


def test_amounts_are_typed_with_currencies(project_store: tuple[ox.Store, str]) -> None:
    rows = run(project_store, "amounts")
    found = {(r["value"], s(r["currency"]), s(r["kind"])) for r in rows}
    # "$1.3 million" (21) and "110,000 Kazakhstan tenge" (24).
    assert (date("1300000", "decimal"), "USD", "legal action") in found
    assert (date("110000", "decimal"), "KZT", "investigation") in found
    assert {s(r["currency"]) for r in rows} == {"USD", "KZT"}


def test_sources_describe_the_registered_article(project_store: tuple[ox.Store, str]) -> None:
    _, base = project_store
    [row] = [r for r in run(project_store, "sources") if s(r["sha256"]) == SHA256]
    assert s(row["title"]) == TITLE
    assert s(row["graph"]) == base + f"graph/{SLUG}"
    assert int(s(row["sentences"]) or 0) == 64
    assert int(s(row["facts"]) or 0) > 100


def test_sources_match_the_article_text(project_store: tuple[ox.Store, str], article: str) -> None:
    [row] = [r for r in run(project_store, "sources") if s(r["sha256"]) == SHA256]
    assert int(s(row["characters"]) or 0) == len(article)


def test_wikidata_links_only_verified_items(project_store: tuple[ox.Store, str]) -> None:
    rows = run(project_store, "wikidata-links")
    # Items verified in ../shared/wikidata-ids.md; any other item would be invented.
    verified = {"Q232", "Q200881", "Q57394", "Q376532", "Q4312090", "Q91941470", "Q1195092", "Q27972277",
                "Q35493", "Q2995409", "Q5256775", "Q21328574"}  # fmt: skip
    items = {(s(r["wikidata"]) or "").removeprefix(WD) for r in rows}
    assert items <= verified, items - verified
    linked = {(s(r["entity"]), (s(r["wikidata"]) or "").removeprefix(WD)) for r in rows}
    assert {("Kassym-Jomart Tokayev", "Q200881"), ("Nursultan Nazarbayev", "Q57394"), ("Kazakhstan", "Q232"),
            ("President of Kazakhstan", "Q5256775")} <= linked  # fmt: skip


# --------------------------------------------------------------------------- through `polevents query`


def _invoke(args: list[str]) -> tuple[int, str, str]:
    from click.testing import CliRunner

    from polevents.cli import cli

    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _csv_rows(text: str) -> Iterator[dict[str, str]]:
    return csv.DictReader(io.StringIO(text))


def test_cli_runs_v1_as_csv(tmp_path: Path) -> None:
    # A copy without dist/: the answer comes from the sources, not from whatever dist/ the checkout holds.
    project = copy_repo_project(tmp_path / "project")
    code, out, err = _invoke(["query", "--project", str(project), "--name", "v1-party-chairs", "--format", "csv"])
    assert code == 0, err
    assert "sources loaded in memory" in err
    rows = [r for r in _csv_rows(out) if r["party"] == "Amanat"]
    assert [(r["chair"], r["start"], r["end"]) for r in rows] == [
        ("Nursultan Nazarbayev", "1999", "2022-01-28"),
        ("Kassym-Jomart Tokayev", "2022-01-28", "2022-04-26"),
        ("Yerlan Koshanov", "2022-04-26", ""),
    ]


def test_cli_lists_every_query_with_its_description() -> None:
    code, out, err = _invoke(["query", "--project", str(REPO), "--list"])
    assert code == 0, err
    listed = dict(line.split("\t", 1) for line in out.splitlines())
    assert sorted(listed) == [p.stem for p in query_files()]
    for path in query_files():
        described = path.read_text(encoding="utf-8").splitlines()[0].lstrip("#").strip()
        assert listed[path.stem] == described
