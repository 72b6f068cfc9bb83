"""Validation at scale (#14): an on-disk store kept across builds, checked only where a change can matter."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

import pytest

from polevents import verdict, verdict_store
from polevents.errors import NonConformingError
from polevents.load import Layout

FIXTURE = Path(__file__).resolve().parent / "release_fixture"
BROKEN = (
    "\n<id/tenure/broken> a <https://w3id.org/polevents/ontology#Tenure> ;"
    ' <http://www.w3.org/2000/01/rdf-schema#label> "broken"@en .\n'
)
FINE = '\n<id/person/kassym-jomart-tokayev> <http://www.w3.org/2004/02/skos/core#altLabel> "Tokaev K."@en .\n'


@pytest.fixture(params=["screened in memory", "screened on disk"])
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Path:
    """The release fixture, validated as a big project: on-disk store, screen findings as the report;
    the screen reads the store's in-memory copy (a project below MEMORY_SCREEN_MAX_QUADS) or the
    on-disk store itself (above)."""
    dest = tmp_path / "project"
    shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns("SHA256SUMS.expected"))
    monkeypatch.setattr(verdict, "ON_DISK_MIN_BYTES", 0)
    monkeypatch.setattr(verdict, "PYSHACL_MAX_TRIPLES", 0)
    if request.param == "screened on disk":
        monkeypatch.setattr(verdict_store, "MEMORY_SCREEN_MAX_QUADS", 0)
    return dest


def _decide(project: Path, messages: list[str]) -> str:
    return verdict.decide(Layout.of(project), messages.append, cache_dir=project / ".polevents-cache")


def test_a_changed_source_updates_the_kept_store_and_everything_is_checked(project: Path) -> None:
    facts = project / "data" / "kazakhstan-reform-2022" / "facts.ttl"
    messages: list[str] = []
    _decide(project, messages)
    assert not any("focus node" in m for m in messages)  # the first check is a full one
    copied = any("screened in an in-memory copy" in m for m in messages)
    assert copied == (verdict_store.MEMORY_SCREEN_MAX_QUADS > 0), messages
    with facts.open("a", encoding="utf-8") as f:
        f.write(FINE)
    messages.clear()
    _decide(project, messages)
    assert any("1 source graph(s) changed" in m for m in messages), messages
    with facts.open("a", encoding="utf-8") as f:
        f.write(BROKEN)
    messages.clear()
    with pytest.raises(NonConformingError) as raised:
        _decide(project, messages)
    assert any("1 source graph(s) changed" in m for m in messages), messages
    text = str(raised.value)
    assert "data/kazakhstan-reform-2022/facts.ttl:" in text and "tenure/broken" in text
    # the store now holds non-conforming data: the next check is a full one, and still fails
    del raised  # its traceback holds the store open
    gc.collect()
    messages.clear()
    with pytest.raises(NonConformingError) as again:
        _decide(project, messages)
    assert not any("focus node" in m for m in messages)
    assert "data/kazakhstan-reform-2022/facts.ttl:" in str(again.value) and "tenure/broken" in str(again.value)


def test_a_changed_shape_checks_everything(project: Path) -> None:
    messages: list[str] = []
    _decide(project, messages)
    with (project / "shapes" / "polevents-shapes.ttl").open("a", encoding="utf-8") as f:
        f.write("\n# a comment is a change of the shapes' bytes\n")
    messages.clear()
    _decide(project, messages)
    assert not any("focus node" in m for m in messages)


# A tenure added by another graph (links) to a post whose current tenure (Koshanov's, in the
# article's graph) is open: the two overlap, and pesh:TenureOverlap flags Koshanov's tenure (its IRI
# sorts first) — two links from anything the change touches (tenure → post ← new tenure).
OVERLAP = """
@prefix pe: <https://w3id.org/polevents/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<id/tenure/zz-karin-chair-of-amanat> a pe:Tenure ;
    rdfs:label "Yerlan Karin, chairman of the ruling party, from 2023"@en ;
    pe:holder <id/person/yerlan-karin> ;
    pe:post <id/post/chair-of-amanat> ;
    pe:startDate "2023"^^xsd:gYear ;
    prov:wasDerivedFrom <id/source/kazakhstan-reform-2022/sentence/7> .
"""


def test_after_a_change_the_screen_rechecks_what_the_change_can_affect(project: Path) -> None:
    """Each query re-checks the focus nodes it can reach from a changed triple, however far:
    a violation two links away, at a node of another graph, is found by the narrowed check."""
    _decide(project, [])
    _decide(project, [])  # nothing changed (the build cache answers): the screen's results are kept
    facts = project / "data" / "kazakhstan-reform-2022" / "facts.ttl"
    with facts.open("a", encoding="utf-8") as f:
        f.write(FINE)
    messages: list[str] = []
    _decide(project, messages)
    assert any("queries on the" in m for m in messages), messages  # narrowed, and conforms
    links = project / "data" / "links" / "wikidata-mapping.ttl"
    with links.open("a", encoding="utf-8") as f:
        f.write(OVERLAP)
    messages.clear()
    with pytest.raises(NonConformingError) as raised:
        _decide(project, messages)
    assert any("queries on the" in m for m in messages), messages
    text = str(raised.value)
    assert "tenure/koshanov-chair-of-amanat> https://w3id.org/polevents/shapes#TenureOverlap" in text, text
    assert "data/kazakhstan-reform-2022/facts.ttl:" in text


def test_a_verdict_from_the_build_cache_keeps_the_screen_results_up_to_date(project: Path) -> None:
    """Inputs that conformed before (an edit undone) get their verdict from the build cache, but
    the kept store changed: its screen results are brought up to date, so the next edit is still
    checked where it can matter only — and a violation it brings is still found."""
    facts = project / "data" / "kazakhstan-reform-2022" / "facts.ttl"
    original = facts.read_bytes()
    _decide(project, [])
    facts.write_bytes(original + FINE.encode())
    _decide(project, [])
    facts.write_bytes(original)  # back to inputs the build cache knows
    messages: list[str] = []
    _decide(project, messages)
    assert any("inputs unchanged since a conforming build" in m for m in messages), messages
    assert any("queries on the" in m for m in messages), messages  # the kept results, updated
    links = project / "data" / "links" / "wikidata-mapping.ttl"
    with links.open("a", encoding="utf-8") as f:
        f.write(OVERLAP)
    messages.clear()
    with pytest.raises(NonConformingError) as raised:
        _decide(project, messages)
    assert any("queries on the" in m for m in messages), messages  # narrowed, not in full
    assert "tenure/koshanov-chair-of-amanat> https://w3id.org/polevents/shapes#TenureOverlap" in str(raised.value)


def test_the_store_loaded_in_small_batches_holds_the_same_quads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The on-disk load goes through Oxigraph's bulk loader in batches of whole files (its memory
    grows with one call's input): many small batches give the same store as one."""
    import pyoxigraph as ox

    def named(view: verdict_store.StoreView) -> set[ox.Quad]:
        return {q for q in view.store if not any(isinstance(t, ox.BlankNode) for t in q.triple)}

    layout = Layout.of(FIXTURE)
    monkeypatch.setattr(verdict_store, "MEMORY_SCREEN_MAX_QUADS", 0)
    whole = verdict.load_store(layout, tmp_path / "whole")
    monkeypatch.setattr(verdict_store, "BULK_BATCH_QUADS", 100)
    batched = verdict.load_store(layout, tmp_path / "batched")
    assert batched.quads == whole.quads == len(batched.store) == len(whole.store) > 1000
    assert named(batched) == named(whole)
    monkeypatch.setattr(verdict_store, "MEMORY_SCREEN_MAX_QUADS", 10**9)
    copied = verdict.load_store(layout, tmp_path / "copied")
    assert copied.copy is not None and len(copied.copy) == len(copied.store) == whole.quads


# A literal Oxigraph's store keeps otherwise than written ("01" comes back as "1"): a shape on its
# lexical form would read another value in the store than pyshacl reads in the file.
ALTERED = '\n<id/person/kassym-jomart-tokayev> <https://example.org/rank> "01"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'


def test_a_literal_the_store_rewrites_is_left_to_pyshacl(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from polevents.errors import PoleventsError

    facts = project / "data" / "kazakhstan-reform-2022" / "facts.ttl"
    with facts.open("a", encoding="utf-8") as f:
        f.write(ALTERED)
    messages: list[str] = []
    with pytest.raises(PoleventsError) as raised:  # too large for pyshacl here (PYSHACL_MAX_TRIPLES = 0)
        _decide(project, messages)
    text = str(raised.value)
    assert "cannot decide" in text and '"01"^^xsd:integer is kept as "1"^^xsd:integer' in text, text
    assert "facts.ttl" in text and not any("screening with" in m for m in messages)
    del raised  # its traceback holds the store open
    gc.collect()
    monkeypatch.setattr(verdict, "PYSHACL_MAX_TRIPLES", 10**9)
    messages.clear()
    _decide(project, messages)
    assert any("pyshacl does" in m for m in messages) and any("conforms (pyshacl)" in m for m in messages)
    _decide(project, messages)  # unchanged: the build cache's verdict, the kept store marked conforming
    # another graph changes: the kept store's note about the first graph still stands
    with (project / "data" / "links" / "wikidata-verified.ttl").open("a", encoding="utf-8") as f:
        f.write(FINE)
    messages.clear()
    _decide(project, messages)
    assert any("1 source graph(s) changed" in m for m in messages), messages
    assert any("pyshacl does" in m for m in messages) and not any("screening with" in m for m in messages)
