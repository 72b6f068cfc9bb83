"""The persistent index (dist/.index): built once, keyed by the dump's SHA-256, never stale, exact union."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from polevents.dataset import DUMP_NQUADS
from polevents.errors import InputError
from polevents.store import INDEX_DIR, dump_digest, ensure_index, index_key, open_index, open_query_dataset, store_dir
from serve_launch import launched_server
from support import make_query_project, run

EX = "http://example.org/"


def count(store: ox.Store, query: str, *, union: bool) -> int:
    solution = next(iter(store.query(query, use_default_graph_as_union=union)))  # type: ignore[arg-type]
    return int(solution[0].value)  # type: ignore[index,union-attr]


def write_dump(dist: Path, quads: list[ox.Quad]) -> Path:
    dist.mkdir(parents=True, exist_ok=True)
    ox.serialize(quads, str(dist / DUMP_NQUADS), ox.RdfFormat.N_QUADS)
    return dist / DUMP_NQUADS


def quad(s: str, o: str, g: str) -> ox.Quad:
    return ox.Quad(ox.NamedNode(EX + s), ox.NamedNode(EX + "p"), ox.Literal(o), ox.NamedNode(EX + g))


def test_the_index_is_keyed_by_the_dump_and_rebuilt_only_when_it_changes(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    dump = write_dump(dist, [quad("a", "1", "g1"), quad("b", "2", "g2")])
    index = ensure_index(dist)
    assert index == dist / INDEX_DIR
    key = json.loads((index / "KEY").read_text(encoding="utf-8"))
    assert key["sha256"] == dump_digest(dump) and key["quads"] == 2 and key["union_view"] is True
    built = (store_dir(dist) / "CURRENT").stat().st_ino
    ensure_index(dist)  # current: nothing rebuilt
    assert (store_dir(dist) / "CURRENT").stat().st_ino == built
    os.utime(dump, ns=(1, 1))  # same bytes, another mtime: the digest decides, nothing rebuilt
    ensure_index(dist)
    assert (store_dir(dist) / "CURRENT").stat().st_ino == built
    assert index_key(dist) is not None and index_key(dist).mtime_ns == 1  # type: ignore[union-attr]
    # the dump changes: the index is stale, never used, and rebuilt
    write_dump(dist, [quad("a", "1", "g1"), quad("b", "2", "g2"), quad("c", "3", "g2")])
    assert index_key(dist) is None
    ensure_index(dist)
    assert count(open_index(dist), "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", union=True) == 3
    assert not [p for p in dist.iterdir() if p.name.startswith(INDEX_DIR + "-")]  # no leftovers


def test_a_triple_in_two_graphs_is_in_the_default_graph_once(tmp_path: Path) -> None:
    """pyoxigraph's union view counts it twice (oxigraph #1919); the index is built so it does not."""
    dist = tmp_path / "dist"
    write_dump(dist, [quad("a", "1", "g1"), quad("a", "1", "g2"), quad("b", "2", "g2")])
    ensure_index(dist)
    key = index_key(dist)
    assert key is not None and key.union_view is False
    ds = open_query_dataset(tmp_path, dist)
    assert not ds.in_memory and ds.store_path == store_dir(dist)
    r = run("query", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "--dist", str(dist), "--format", "csv")
    assert r.code == 0 and r.out.split() == ["n", "2"], r.err
    r = run("query", "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }", "--dist", str(dist), "--format", "csv")
    assert r.out.split() == ["n", "3"]  # each graph keeps its own statement
    with launched_server(["--dist", str(dist), "--no-access-log", "--workers", "1"], cwd=tmp_path) as server:
        answer = httpx.get(server.url + "sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
        assert answer.json()["results"]["bindings"][0]["n"]["value"] == "2"


def test_query_builds_the_index_on_first_use_and_falls_back_when_it_cannot(tmp_path: Path) -> None:
    project = make_query_project(tmp_path / "project")
    dist = project / "dist"
    assert not (dist / INDEX_DIR).exists()
    r = run("query", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "--project", str(project), "--format", "csv")
    assert r.code == 0 and r.out.split()[1] == "34" and (dist / INDEX_DIR / "KEY").is_file()
    with pytest.raises(InputError, match="no built dataset"):
        ensure_index(tmp_path / "nothing")


def test_an_unreadable_dump_is_an_error_with_its_position(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / DUMP_NQUADS).write_text(f"<{EX}a> <{EX}p> .\n", encoding="utf-8")
    r = run("query", "ASK {}", "--dist", str(dist))
    assert r.code == 2 and f"{DUMP_NQUADS}:1:" in r.err and "Traceback" not in r.err
    assert not [p for p in dist.iterdir() if p.name.startswith(INDEX_DIR)]
