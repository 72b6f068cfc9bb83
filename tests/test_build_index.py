"""The query index of a big build is the validation store, checked: one load of the quads per build (#14).

A build that validates on disk (in a child, beside the export) checkpoints its store and makes
``dist/.index`` from it (:func:`polevents.store.index_from_checkpoint`) instead of loading
``polevents.nq`` a second time.  What ``polevents query`` and ``serve`` read must still be exactly
the published quads: the same graphs and triples, the dump's canonical blank node labels, a
``KEY`` naming the dump, and the same answer to every shipped query as the dump itself.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from polevents import verdict
from polevents.build import build
from polevents.dataset import prepare_union
from polevents.errors import InputError
from polevents.query.engine import Job, run
from polevents.store import STORE_DIR, index_from_checkpoint, index_key, open_index

REPO = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "release_fixture"
#: blank nodes in three graphs (so the dump's labels come from a joint canonicalisation)
BLANK = {
    "ontology/polevents.ttl": '\n<https://w3id.org/polevents/ontology#Person> <http://www.w3.org/2000/01/rdf-schema#seeAlso> [ <http://www.w3.org/2000/01/rdf-schema#label> "in the ontology"@en ] .\n',
    "data/kazakhstan-reform-2022/facts.ttl": '\n<id/person/kassym-jomart-tokayev> <http://www.w3.org/2000/01/rdf-schema#seeAlso> [ <http://www.w3.org/2000/01/rdf-schema#label> "in the data"@en ; <http://www.w3.org/2000/01/rdf-schema#seeAlso> ( <https://example.org/a> <https://example.org/b> ) ] .\n',
    "data/links/wikidata-mapping.ttl": '\n<id/person/kassym-jomart-tokayev> <http://www.w3.org/2000/01/rdf-schema#seeAlso> [ <http://www.w3.org/2000/01/rdf-schema#label> "in the links"@en ] .\n',
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The release fixture with blank nodes and the shipped queries, validated on disk."""
    dest = tmp_path / "project"
    shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns("SHA256SUMS.expected"))
    shutil.copytree(REPO / "queries", dest / "queries")
    for name, text in BLANK.items():
        with (dest / name).open("a", encoding="utf-8") as f:
            f.write(text)
    monkeypatch.setattr(verdict, "ON_DISK_MIN_BYTES", 0)
    return dest


def _build(project: Path) -> list[str]:
    """A build in this process (validation in a forked child unless this process has used RocksDB)."""
    messages: list[str] = []
    build(project, parallel=True, progress=messages.append)
    return messages


#: a build in a fresh process, so that validation surely runs in a forked child
_FORKED = (
    "import sys; from pathlib import Path; from polevents import verdict; from polevents.build import build; "
    "verdict.ON_DISK_MIN_BYTES = 0; build(Path(sys.argv[1]), parallel=True, progress=lambda m: print(m, file=sys.stderr))"
)


def _published(dist: Path) -> set[ox.Quad]:
    return set(ox.parse(path=str(dist / "polevents.nq"), format=ox.RdfFormat.N_QUADS))


def _indexed(dist: Path) -> set[ox.Quad]:
    store = open_index(dist)
    return {q for q in store.quads_for_pattern(None, None, None, None) if not isinstance(q.graph_name, ox.DefaultGraph)}


def _blank(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def _from_checkpoint(messages: list[str]) -> bool:
    return any(m.startswith("query index: the validation store") for m in messages)


def test_the_index_is_made_from_the_validation_store_and_holds_exactly_the_published_quads(project: Path) -> None:
    dist = project / "dist"
    done = subprocess.run([sys.executable, "-c", _FORKED, str(project)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "validation: running beside the export" in done.stderr
    assert _from_checkpoint(done.stderr.splitlines()), done.stderr
    published = _published(dist)
    assert sum(isinstance(q.subject, ox.BlankNode) for q in published) >= 4  # the test data has blank nodes
    assert _indexed(dist) == published  # blank node labels included: the dump's canonical ones
    key = index_key(dist)
    assert key is not None and key.quads == len(published)
    assert not [p.name for p in project.iterdir() if p.name.startswith(".dist.build-")]  # no staging left over
    # a build with the verdict from the cache, and one after a change: the kept store, still exact
    shutil.rmtree(dist)
    messages = _build(project)  # (the child's messages stay in the child)
    assert _from_checkpoint(messages) and _indexed(dist) == _published(dist)
    with (project / "data/kazakhstan-reform-2022/facts.ttl").open("a", encoding="utf-8") as f:
        f.write('\n<id/person/kassym-jomart-tokayev> <http://www.w3.org/2004/02/skos/core#altLabel> "Tokaev K."@en .\n')
    messages = _build(project)
    assert _from_checkpoint(messages) and _indexed(dist) == _published(dist)
    assert any(q.object == ox.Literal("Tokaev K.", language="en") for q in _indexed(dist))


def _answers(store: ox.Store, union_view: bool, query: Path) -> object:
    """The answer to ``query`` as a comparable value (solutions as a sorted list, graphs as a set)."""
    from io import BytesIO

    out = BytesIO()
    job = Job(query=query.read_text(encoding="utf-8"), base="https://w3id.org/polevents/", union_view=union_view)
    written = run(store, job, out)
    data = out.getvalue()
    if data.lstrip().startswith(b"{"):
        results = json.loads(data)
        if "boolean" in results:
            return results["boolean"]
        return sorted(json.dumps(row, sort_keys=True) for row in results["results"]["bindings"])
    return (written.form, {str(q) for q in ox.parse(data, format=ox.RdfFormat.TURTLE)})


#: a triple stated by two sources: the index's default graph must then hold the merge (union_view false)
SHARED = "\n<id/person/kassym-jomart-tokayev> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <https://example.org/shared> .\n"


@pytest.mark.parametrize("shared", [False, True], ids=["no-shared-triple", "a-triple-in-two-graphs"])
def test_every_shipped_query_answers_the_same_through_the_index_as_over_the_dump(project: Path, shared: bool) -> None:
    dist = project / "dist"
    if shared:
        for name in ("data/kazakhstan-reform-2022/facts.ttl", "data/links/wikidata-mapping.ttl"):
            with (project / name).open("a", encoding="utf-8") as f:
                f.write(SHARED)
    assert _from_checkpoint(_build(project))
    key = index_key(dist)
    assert key is not None
    index = open_index(dist)
    dump = ox.Store()
    dump.bulk_load(path=str(dist / "polevents.nq"), format=ox.RdfFormat.N_QUADS)
    union_view = prepare_union(dump)
    assert key.union_view == union_view == (not shared)
    queries = sorted((project / "queries").glob("*.rq"))
    assert len(queries) >= 10
    for query in queries:
        assert _answers(index, key.union_view, query) == _answers(dump, union_view, query), query.name


def test_a_checkpoint_that_is_not_the_dump_is_refused_and_the_dump_is_loaded(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store with one triple too many (here: added to the checkpoint in the validation child)
    never becomes the index: the build loads the dump instead."""
    checkpoint = verdict._checkpoint

    def tampered(store: ox.Store, folder: Path | None, say: object) -> None:
        checkpoint(store, folder, say)  # type: ignore[arg-type]
        assert folder is not None
        copy = ox.Store(str(folder / STORE_DIR))
        copy.add(
            ox.Quad(
                ox.NamedNode("https://example.org/s"),
                ox.NamedNode("https://example.org/p"),
                ox.Literal("x"),
                ox.NamedNode("https://w3id.org/polevents/graph/links"),
            )
        )
        copy.flush()
        del copy

    monkeypatch.setattr(verdict, "_checkpoint", tampered)
    dist = project / "dist"
    messages = _build(project)
    assert not _from_checkpoint(messages)
    assert any("loading the dump instead" in m for m in messages), messages
    indexed, published = _indexed(dist), _published(dist)
    assert len(indexed) == len(published)  # the dump's quads (a bulk load renames blank nodes)
    assert {q for q in indexed if not _blank(q)} == {q for q in published if not _blank(q)}
    assert index_key(dist) is not None


def test_index_from_checkpoint_checks_graphs_counts_and_blank_nodes(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    g = ox.NamedNode("https://example.org/g")
    s, p = ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p")
    (dist / "polevents.nq").write_text(f'{s} {p} "x" {g} .\n', encoding="utf-8")

    def checkpoint(*quads: ox.Quad) -> Path:
        folder = tmp_path / f"checkpoint-{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        store = ox.Store(str(folder / STORE_DIR))
        store.extend(quads)
        store.flush()
        del store
        return folder

    good = ox.Quad(s, p, ox.Literal("x"), g)
    for bad in (
        checkpoint(good, ox.Quad(s, p, ox.Literal("y"), g)),  # a triple too many
        checkpoint(ox.Quad(s, p, ox.Literal("x"), ox.NamedNode("https://example.org/h"))),  # another graph
        checkpoint(good, ox.Quad(s, p, ox.Literal("x"), ox.DefaultGraph())),  # the default graph
    ):
        with pytest.raises(InputError):
            index_from_checkpoint(dist, bad, graphs={g.value: 1}, blank={})
        assert not (dist / ".index").exists()
    index_from_checkpoint(dist, checkpoint(good), graphs={g.value: 1}, blank={})
    assert index_key(dist) is not None
    assert _indexed(dist) == {good}
