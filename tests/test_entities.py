"""``polevents entities``: the dataset's entities to reuse, by type and by any of their names.

The project is a copy of the repository's (whatever sources it holds) plus the fictional example
article registered as a second source, so the tests name the entities they expect and never
count all of them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from polevents.source.entities import name_match
from support import EXAMPLE_ARTICLE, FIXTURES, copy_repo_project, run

BASE = "https://w3id.org/polevents/"
TOKAYEV = BASE + "id/person/kassym-jomart-tokayev"
ODUYA = BASE + "id/person/marta-j-oduya"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's project with the example article and its facts as one more source."""
    root = copy_repo_project(tmp_path_factory.mktemp("entities") / "project")
    r = run("source", "add", EXAMPLE_ARTICLE, "--project", root, "--no-copy", "--title", "Veloria Votes")
    assert r.code == 0, r.err
    shutil.copy(FIXTURES / "example-facts.ttl", root / "data" / "example-article" / "facts.ttl")
    return root


def _rows(output: str) -> list[dict[str, str]]:
    lines = output.splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]


def test_lists_entities_with_type_label_and_sources(project: Path) -> None:
    r = run("entities", "--project", project)
    assert r.code == 0, r.err
    rows = {row["iri"]: row for row in _rows(r.out)}
    assert rows[ODUYA] == {
        "iri": ODUYA,
        "type": "pe:Person",
        "label": "Marta J. Oduya",
        "sources": "example-article",
    }
    assert rows[TOKAYEV]["sources"] == "kazakhstan-reform-2022"
    assert rows[BASE + "id/organization/civic-harmony-party"]["type"] == "pe:PoliticalParty"
    # evidence records are not entities to reuse
    assert not [iri for iri in rows if "/sentence/" in iri or "/id/mention/" in iri]
    assert BASE + "id/source/example-article" not in rows


def test_type_includes_subclasses(project: Path) -> None:
    r = run("entities", "--type", "pe:Organization", "--project", project)
    assert r.code == 0, r.err
    types = {row["iri"]: row["type"] for row in _rows(r.out)}
    assert types[BASE + "id/organization/civic-harmony-party"] == "pe:PoliticalParty"
    assert types[BASE + "id/organization/northgate-trading"] == "pe:Organization"
    assert types[BASE + "id/organization/national-assembly-of-veloria"] == "pe:PublicBody"
    assert ODUYA not in types
    people = {row["iri"] for row in _rows(run("entities", "--type", "Person", "--project", project).out)}
    assert {ODUYA, TOKAYEV} <= people and BASE + "id/place/veloria" not in people


@pytest.mark.parametrize(
    ("text", "iri", "matched"),
    [
        ("Tokaev", TOKAYEV, "Tokaev (alternative)"),
        ("Токаев", TOKAYEV, None),
        ("Qasym-Zhomart Toqaev", TOKAYEV, None),
        ("Oduja", ODUYA, "Oduja (hidden label)"),  # the newspapers' misspelling
        ("Oduya", ODUYA, None),  # one word of the name
        ("Nur-Otan", BASE + "id/organization/amanat", None),  # a former name of the party
        ("Amarnat", BASE + "id/organization/amanat", None),  # a source's spelling
    ],
)
def test_search_finds_names_in_any_spelling(project: Path, text: str, iri: str, matched: str | None) -> None:
    r = run("entities", "--search", text, "--project", project)
    assert r.code == 0, r.err
    rows = _rows(r.out)
    assert rows and rows[0]["iri"] == iri, r.out
    if matched is not None:
        assert rows[0]["matched"] == matched
    assert float(rows[0]["score"]) >= 0.9


def test_search_without_match_prints_the_header_only(project: Path) -> None:
    r = run("entities", "--search", "Xylophonia", "--project", project)
    assert r.code == 0
    assert r.out.splitlines() == ["iri\ttype\tlabel\tsources\tmatched\tscore"]
    assert "no entity matches" in r.err


def test_same_answer_from_dist_as_from_the_project(project: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = run("build", "--project", project, "--out", dist)
    assert built.code == 0, built.err
    from_dist = run("entities", "--search", "Veloria", "--dist", dist, "--project", project)
    from_files = run("entities", "--search", "Veloria", "--project", project)
    assert from_dist.code == from_files.code == 0
    assert from_dist.out == from_files.out
    assert BASE + "id/place/veloria" in from_dist.out


def test_json_lists_every_name(project: Path) -> None:
    r = run("entities", "--search", "Oduja", "--format", "json", "--project", project)
    first = json.loads(r.out)[0]
    assert first["iri"] == ODUYA
    assert {"text": "Oduja", "kind": "source spelling"} in first["names"] or {
        "text": "Oduja",
        "kind": "hidden label",
    } in first["names"]
    assert first["matched"]["text"] == "Oduja"


def test_table_writes_iris_relative_to_the_base(project: Path) -> None:
    r = run("entities", "--type", "pe:Person", "--format", "table", "--project", project)
    assert r.code == 0
    assert "<id/person/marta-j-oduya>" in r.out


def test_unknown_class_is_a_usage_error(project: Path) -> None:
    r = run("entities", "--type", "pe:Nonsense", "--project", project)
    assert r.code == 2
    assert "unknown class 'pe:Nonsense'" in r.err and "pe:Person" in r.err


def test_name_match_is_transliteration_robust() -> None:
    assert name_match("Токаев", "Tokayev") == 1.0
    assert name_match("Tokaev", "Kassym-Jomart Tokayev") >= 0.9
    assert name_match("Nazarbayeva", "Kassym-Jomart Tokayev") < 0.5


def test_an_unbuilt_source_is_listed_even_when_dist_is_older(project: Path, tmp_path: Path) -> None:
    """An editor adding a source finds what is written so far, not a stale dist/."""
    copy = tmp_path / "copy"
    shutil.copytree(project, copy)
    assert run("build", "--project", copy).code == 0
    folder = copy / "data" / "example-article"
    facts = folder / "facts.ttl"
    facts.write_text(
        facts.read_text(encoding="utf-8")
        + '\nperson:ivo-rask a pe:Person ; rdfs:label "Ivo Rask"@en ; skos:prefLabel "Ivo Rask"@en .\n',
        encoding="utf-8",
    )
    rows = _rows(run("entities", "--search", "Rask", "--project", copy).out)
    assert [row["iri"] for row in rows] == [BASE + "id/person/ivo-rask"]
    stale = _rows(run("entities", "--search", "Rask", "--dist", copy / "dist", "--project", copy).out)
    assert stale == []
