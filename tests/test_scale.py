"""Speed paths that must not change answers: the union view of `polevents query`, the fast loader."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from polevents.dataset import prepare_union
from polevents.load import load_project

REPO = Path(__file__).resolve().parents[1]
EX = "http://example.org/"


def _store(quads: list[str]) -> ox.Store:
    store = ox.Store()
    store.bulk_extend(ox.parse("\n".join(quads).encode(), format=ox.RdfFormat.N_QUADS))
    return store


def _answers(store: ox.Store, text: str, union: bool = False) -> list[tuple[str, ...]]:
    raw = store.query(text, use_default_graph_as_union=union)
    return sorted(tuple(t.value if t is not None else "" for t in row) for row in raw)  # type: ignore[union-attr]


QUERIES = [
    "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
    "SELECT ?s (COUNT(?o) AS ?n) { ?s ?p ?o } GROUP BY ?s",
    "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "SELECT ?s ?o { ?s <http://example.org/p>/<http://example.org/q> ?o }",
]


@pytest.mark.parametrize("shared", [False, True], ids=["disjoint-graphs", "a-triple-in-two-graphs"])
def test_union_view_and_copied_union_agree(shared: bool) -> None:
    quads = [
        f"<{EX}a> <{EX}p> <{EX}b> <{EX}g1> .",
        f'<{EX}b> <{EX}q> "1" <{EX}g1> .',
        f'<{EX}b> <{EX}q> "2" <{EX}g2> .',
        f"<{EX}c> <{EX}p> <{EX}b> <{EX}g2> .",
    ]
    if shared:
        quads.append(f"<{EX}a> <{EX}p> <{EX}b> <{EX}g2> .")
    fast = _store(quads)
    union = prepare_union(fast)
    assert union is not shared  # copied only when needed
    reference = _store(quads)  # the default graph as an explicit copy: the semantics to keep
    default = ox.DefaultGraph()
    reference.bulk_extend([ox.Quad(q.subject, q.predicate, q.object, default) for q in list(reference)])
    for text in QUERIES:
        assert _answers(fast, text, union) == _answers(reference, text), text
    assert _answers(fast, QUERIES[0], union) == [("4",)]


def test_subject_index_is_computed_on_demand_and_right() -> None:
    project = load_project(REPO)
    source = project.sources[0]
    assert "subject_files" not in source.__dict__  # not paid for by the load
    facts = next(f for f in source.files if f.name == "facts.ttl")
    assert source.subject_files["https://w3id.org/polevents/id/person/kassym-jomart-tokayev"] == facts
    assert all(project.digests[f] for f in source.files)
