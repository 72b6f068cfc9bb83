"""One engine: every shipped query answers the same through ``polevents query``, ``query --endpoint``
(against ``polevents serve`` and against ``oxigraph serve``) and ``/sparql``; ``SELECT *`` columns alike."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from polevents.store import ensure_index, index_key, store_dir
from serve_launch import launched_server
from support import copy_repo_project, oxigraph_serve, run

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_repo_project(tmp_path_factory.mktemp("paths") / "project")
    r = run("build", "--project", root, "--no-cache")
    assert r.code == 0, r.err
    return root


@pytest.fixture(scope="module")
def polevents_url(project: Path) -> Iterator[str]:
    with launched_server(["--project", str(project), "--no-access-log", "--workers", "2"]) as server:
        yield server.url.rstrip("/")


@pytest.fixture(scope="module")
def oxigraph_url(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Oxigraph's own server on a copy of the index: its default graph read as the union when the
    index says so, else the index's default graph, which holds the merge (see polevents.store)."""
    dist = project / "dist"
    ensure_index(dist)
    key = index_key(dist)
    assert key is not None
    location = tmp_path_factory.mktemp("oxigraph") / "store"
    shutil.copytree(store_dir(dist), location)
    with oxigraph_serve(location, *(["--union-default-graph"] if key.union_view else [])) as url:
        yield url


def answers(document: str) -> tuple[list[str], list[tuple[str, ...]]]:
    """SPARQL JSON results as (columns, sorted rows); a row is its terms in N-Triples-like text."""

    def term(t: dict[str, str] | None) -> str:
        if t is None:
            return ""
        if t["type"] == "bnode":
            return "_:b"  # labels are not part of the answer
        return f"{t['type']}|{t['value']}|{t.get('xml:lang', '')}|{t.get('datatype', '')}"

    doc = json.loads(document)
    columns = doc["head"]["vars"]
    rows = sorted(tuple(term(b.get(v)) for v in columns) for b in doc["results"]["bindings"])
    return columns, rows


def shipped(project: Path) -> list[str]:
    return sorted(p.stem for p in (project / "queries").glob("*.rq"))


def test_the_repository_ships_queries(project: Path) -> None:
    assert len(shipped(project)) >= 10


def test_every_shipped_query_answers_the_same_on_every_path(
    project: Path, polevents_url: str, oxigraph_url: str
) -> None:
    for name in shipped(project):
        local = run("query", "--name", name, "--project", project, "--format", "json")
        assert local.code == 0, (name, local.err)
        expected = answers(local.out)
        for endpoint in (f"{polevents_url}/sparql", f"{oxigraph_url}/query"):
            remote = run(
                "query", "--name", name, "--project", project, "--endpoint", endpoint, "--format", "json"
            )  # fmt: skip
            assert remote.code == 0, (name, endpoint, remote.err)
            assert answers(remote.out) == expected, (name, endpoint)
        text = (project / "queries" / f"{name}.rq").read_text(encoding="utf-8")
        direct = httpx.post(
            f"{polevents_url}/sparql", data={"query": text}, headers={"Accept": "application/sparql-results+json"}
        )
        assert direct.status_code == 200, (name, direct.text)
        assert answers(direct.text) == expected, name


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { ?s ?p ?o } LIMIT 3",
        "SELECT DISTINCT * WHERE { ?who a pe:Person OPTIONAL { ?who skos:altLabel ?alias } } LIMIT 5",
        "SELECT * { ?z rdfs:label ?a . ?z a ?m } LIMIT 2",
    ],
)
def test_select_star_columns_are_the_same_from_the_cli_and_the_endpoints(
    project: Path, polevents_url: str, oxigraph_url: str, query: str
) -> None:
    local = run("query", query, "--project", project, "--format", "json")
    columns = json.loads(local.out)["head"]["vars"]
    mentioned = [v for v in ("s", "p", "o", "who", "alias", "z", "a", "m") if f"?{v} " in query or f"?{v}}}" in query]
    assert columns == mentioned  # the order of first appearance, not Oxigraph's sorted order
    direct = httpx.get(
        f"{polevents_url}/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert direct.json()["head"]["vars"] == columns
    for endpoint in (f"{polevents_url}/sparql", f"{oxigraph_url}/query"):
        remote = run("query", query, "--project", project, "--endpoint", endpoint, "--format", "json")
        assert json.loads(remote.out)["head"]["vars"] == columns, endpoint
