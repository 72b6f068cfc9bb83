"""``polevents query --param NAME=VALUE``: variables bound without editing the query."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from polevents.query import QueryText, prepare, remote_text
from support import copy_repo_project, run

BASE = "https://w3id.org/polevents/"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_repo_project(tmp_path_factory.mktemp("params") / "project")
    assert run("build", "--project", root).code == 0
    return root


def rows(project: Path, *args: str) -> list[dict[str, str]]:
    r = run("query", *args, "--format", "csv", "--project", project)
    assert r.code == 0, r.err
    return list(csv.DictReader(io.StringIO(r.out)))


def test_v7_asks_about_another_fact(project: Path) -> None:
    default = {row["fact"] for row in rows(project, "--name", "v7-fact-evidence")}
    assert default == {BASE + "id/event/2022-04-26-koshanov-becomes-chair"}
    other = rows(project, "--name", "v7-fact-evidence", "--param", "fact=<id/tenure/tokayev-chair-of-amanat>")
    assert other and {row["fact"] for row in other} == {BASE + "id/tenure/tokayev-chair-of-amanat"}
    assert all(row["sentenceNumber"] for row in other)


def test_params_bind_iris_literals_and_unprojected_variables(project: Path) -> None:
    person = "p=<id/person/kassym-jomart-tokayev>"
    star = rows(project, "SELECT * WHERE { ?p rdfs:label ?l }", "--param", person)  # substituted
    assert [row["l"] for row in star] == ["Kassym-Jomart Tokayev"]
    hidden = rows(project, "SELECT ?l WHERE { ?p rdfs:label ?l }", "--param", person)  # not projected
    assert [row["l"] for row in hidden] == ["Kassym-Jomart Tokayev"]
    amanat = rows(project, "SELECT ?p WHERE { ?p rdfs:label ?l }", "--param", 'l="Amanat"@en')
    assert amanat == [{"p": BASE + "id/organization/amanat"}]


@pytest.mark.parametrize("bad", ["noequals", "1x=<a>", "x=<unclosed"])
def test_a_bad_param_is_a_usage_error(project: Path, bad: str) -> None:
    r = run("query", "SELECT * WHERE { ?x ?p ?o }", "--param", bad, "--project", project)
    assert r.code == 2 and "--param" in r.err, r.err


def test_an_endpoint_gets_a_values_clause(project: Path) -> None:
    prepared = prepare(QueryText("SELECT * WHERE { ?p ?q ?l }"), project, params={"p": "<id/person/x>"})
    assert prepared.core is not None and prepared.core.substitutions == {"p": f"<{BASE}id/person/x>"}
    assert remote_text(prepared).endswith(f"VALUES (?p) {{ (<{BASE}id/person/x>) }}")
