"""Releases made from per-graph chunks (#14): the same bytes as before, incremental rebuilds equal full builds.

``tests/release_fixture/`` is a frozen copy of the repository's project as it was before the
chunked writer (commit 038d02d: its ontology, shapes and data), and ``SHA256SUMS.expected``
is what the code of that commit published for it.  The ``.gz`` files are the exception: since
their members are made per graph and per segment of the union (a rebuild recompresses only
what changed), their bytes are not that commit's, but their decompressed content is, byte for
byte, and they are deterministic (the same bytes on every build, cold or incremental).
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from polevents.export import DUMPS, publish_prefixes, write_dumps
from polevents.export.canonical import CanonicalDataset
from polevents.export.chunks import ChunkCache
from polevents.export.prefixes import MAX_NESTED_PREFIXES, dataset_prefixes
from polevents.export.release import GraphInput, make_chunks
from support import copy_repo_project, run

FIXTURE = Path(__file__).resolve().parent / "release_fixture"
#: Files written by the export stage itself.  The ontology page, void.ttl and SHA256SUMS also
#: depend on the page template and the description's vocabulary, which change on their own.
EXPORT_FILES = (
    "context.jsonld",
    "ontology.jsonld",
    "ontology.ttl",
    "polevents.jsonld",
    "polevents.nq",
    "polevents.nq.gz",
    "polevents.nt",
    "polevents.nt.gz",
    "polevents.trig",
    "polevents.ttl",
    "polevents.ttl.gz",
    "shapes.jsonld",
    "shapes.ttl",
)
EX = "http://example.org/"


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def _content_digests(folder: Path) -> dict[str, str]:
    """SHA-256 of each file, of the decompressed content for a ``.gz`` (checked to be one)."""
    out = {}
    for path in sorted(folder.iterdir()):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".gz":
                assert data[:2] == b"\x1f\x8b", path
                data = gzip.decompress(data)
            out[path.name] = hashlib.sha256(data).hexdigest()
    return out


def _expected() -> dict[str, str]:
    text = (FIXTURE / "SHA256SUMS.expected").read_text(encoding="utf-8")
    return {name: digest for digest, _, name in (line.partition("  ") for line in text.splitlines())}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    dest = tmp_path / "project"
    shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns("SHA256SUMS.expected"))
    return dest


def _build(project: Path, out: Path, *flags: str) -> str:
    result = run("build", "--project", project, "--out", out, *flags)
    assert result.code == 0, result.err
    return result.err


def test_the_seed_release_has_the_bytes_the_code_before_chunks_published(project: Path, tmp_path: Path) -> None:
    _build(project, tmp_path / "dist", "--no-cache")
    published, expected = _content_digests(tmp_path / "dist"), _expected()
    assert set(expected) <= set(published)
    # a .gz file: its content is the file it is the copy of (the SHA-256 that commit published for it)
    plain = {n: expected[n.removesuffix(".gz")] for n in EXPORT_FILES}
    assert {n: published[n] for n in EXPORT_FILES} == plain
    _build(project, tmp_path / "again", "--no-cache")
    assert _digests(tmp_path / "again") == _digests(tmp_path / "dist")  # .gz bytes included: deterministic


@pytest.mark.parametrize("which", ["fixture", "repository"])
def test_the_description_counts_what_the_in_memory_counter_counts(project: Path, tmp_path: Path, which: str) -> None:
    """The numbers of void.ttl made from chunks and external merges equal the whole-dataset count."""
    from polevents.export.assemble import DumpPlan, assemble_dumps, chunk_stats
    from polevents.export.context import term_context
    from polevents.export.void import dataset_stats
    from polevents.load import load_project
    from polevents.vocab import ONTOLOGY_IRI

    if which == "repository":
        project = copy_repo_project(tmp_path / "repo")
    loaded = load_project(project)
    base = loaded.config.base
    dataset = CanonicalDataset.from_project(loaded)
    prefixes = publish_prefixes(dataset, base)
    expected = dataset_stats(dataset, base, namespaces=sorted(set(prefixes.values())))
    cache = ChunkCache(tmp_path / "chunks")
    graphs = [(ONTOLOGY_IRI, loaded.ontology), *((s.iri, s.triples) for s in loaded.sources)]
    inputs = [GraphInput(iri, f"k{i}", lambda t=triples: t) for i, (iri, triples) in enumerate(graphs)]  # type: ignore[misc]
    plan = DumpPlan(make_chunks(inputs, cache, base), cache, prefixes, tmp_path / "out", tmp_path, term_context([]))
    plan.out_dir.mkdir()
    assemble_dumps(plan, [d for d in DUMPS if not d.variant])
    union = (plan.out_dir / "polevents.nt").read_bytes().count(b"\n")
    assert chunk_stats(plan, base, sorted(set(prefixes.values())), union) == expected


def _edit(project: Path) -> None:
    facts = project / "data" / "kazakhstan-reform-2022" / "facts.ttl"
    with facts.open("a", encoding="utf-8") as f:
        f.write('\n<id/person/kassym-jomart-tokayev> <http://www.w3.org/2004/02/skos/core#altLabel> "Tokaev K."@en .\n')


def test_a_rebuild_after_one_source_changed_remakes_one_graph_and_equals_a_full_build(
    project: Path, tmp_path: Path
) -> None:
    dist = project / "dist"
    first = _build(project, dist)
    assert "3 made, 0 unchanged" in first
    chunks = project / ".polevents-cache" / "chunks"
    before = {p.name for p in chunks.iterdir()}
    _edit(project)
    again = _build(project, dist)
    assert "1 made, 2 unchanged" in again
    after = {p.name for p in chunks.iterdir()}
    assert len(before - after) == len(after - before) > 0  # the old chunk of the changed graph is gone
    fresh = tmp_path / "fresh"
    _build(project, fresh, "--no-cache")
    assert _digests(dist) == _digests(fresh)
    assert _digests(dist)["polevents.nq"] != _expected()["polevents.nq"]


def _graphs() -> list[tuple[str, list[ox.Triple]]]:
    """Three graphs, two with blank nodes (lists), a triple shared by two graphs, a literal with escapes."""
    a, b, c = (ox.NamedNode(f"{EX}graph/{n}") for n in "abc")
    p, s = ox.NamedNode(f"{EX}p"), ox.NamedNode(f"{EX}id/thing/s")
    first, rest = ox.NamedNode(f"{EX}first"), ox.NamedNode(f"{EX}rest")
    b1, b2, b3 = ox.BlankNode(), ox.BlankNode(), ox.BlankNode()
    return [
        (a.value, [ox.Triple(s, p, b1), ox.Triple(b1, first, ox.Literal("x")), ox.Triple(b1, rest, b2)]),
        (b.value, [ox.Triple(s, p, b3), ox.Triple(b3, first, ox.Literal("x")), ox.Triple(s, p, ox.Literal("shared"))]),
        (c.value, [ox.Triple(s, p, ox.Literal("shared")), ox.Triple(s, p, ox.Literal('line\nbreak "q" é\t'))]),
    ]


@pytest.mark.parametrize("gnu_sort", [True, False], ids=["sort-m", "python-merge"])
def test_dumps_from_chunks_equal_the_whole_dataset_writers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gnu_sort: bool
) -> None:
    """Blank nodes in two graphs keep one dataset-wide labelling; the union drops the shared triple once."""
    from polevents.export import merge
    from polevents.export.assemble import DumpPlan, assemble_dumps
    from polevents.export.context import term_context

    if not gnu_sort:
        monkeypatch.setattr(merge, "_SORT", [None])
    graphs = _graphs()
    dataset = CanonicalDataset.from_graphs(graphs)
    prefixes = publish_prefixes(dataset, EX)
    old = tmp_path / "old"
    old.mkdir()
    write_dumps(dataset, old, prefixes, parallel=False)
    cache = ChunkCache(tmp_path / "chunks")
    inputs = [GraphInput(iri, f"k{i}", lambda t=triples: t) for i, (iri, triples) in enumerate(graphs)]  # type: ignore[misc]
    chunks = make_chunks(inputs, cache, EX)
    assert sum(c.meta.bnodes for c in chunks) == 2
    new = tmp_path / "new"
    new.mkdir()
    plan = DumpPlan(chunks, cache, prefixes, new, tmp_path, term_context=term_context([]))
    assemble_dumps(plan, DUMPS)
    assert _content_digests(new) == _content_digests(old)
    assert (new / "polevents.nt").read_bytes().count(b'"shared"') == 1


def test_the_prefixes_do_not_grow_with_the_number_of_sources() -> None:
    def prefixes(n: int) -> dict[str, str]:
        iris = [f"{EX}id/source/s{i}/sentence/1" for i in range(n)] + [f"{EX}id/person/p{i}" for i in range(n)]
        return dataset_prefixes(EX, iris)

    few = prefixes(2)
    assert "source-s0-sentence" in few and "person" in few
    many = prefixes(MAX_NESTED_PREFIXES + 1)
    assert many == prefixes(10 * MAX_NESTED_PREFIXES) == prefixes(1000)
    assert "person" in many and not any("sentence" in name for name in many)


def test_the_description_is_the_same_bytes_whatever_the_order_of_its_triples() -> None:
    """rdflib numbers unnamed namespaces (``ns1``) in the order it meets them: every vocabulary the
    description uses must have a name, or a rebuild and a cold build write different void.ttl bytes
    (seen on the 3M corpus, where the per-graph facts arrive in another order)."""
    import random

    import pyoxigraph as ox

    from polevents.export.void import DCATAP, VCARD, void_turtle

    n = ox.NamedNode
    triples = [
        ox.Triple(n(f"{EX}contact"), n(f"{VCARD}fn"), ox.Literal("Example Wire")),
        ox.Triple(n(f"{EX}contact"), n(f"{VCARD}hasURL"), n(f"{EX}about")),
        ox.Triple(n(f"{EX}dump"), n(f"{DCATAP}availability"), n(f"{EX}stable")),
    ]
    outputs = set()
    for seed in range(6):
        shuffled = list(triples)
        random.Random(seed).shuffle(shuffled)
        outputs.add(void_turtle(shuffled, {"ex": EX}))
    assert len(outputs) == 1
    text = outputs.pop().decode()
    assert "@prefix vcard:" in text and "@prefix dcatap:" in text and "ns1:" not in text


def test_a_chunk_made_with_another_library_version_is_not_reused() -> None:
    from polevents.export.chunks import graph_key, tool_versions

    args = (f"{EX}graph/a", EX, [("data/a/facts.ttl", "0" * 64)], "code")
    assert f"pyoxigraph {ox.__version__}" in tool_versions() and "rdflib " in tool_versions()
    assert graph_key(*args) == graph_key(*args, versions=tool_versions())
    assert graph_key(*args) != graph_key(*args, versions=tool_versions().replace("pyoxigraph", "pyoxigraph 0.0.0 +"))
    assert graph_key(*args) != graph_key(*args, versions=tool_versions().replace("rdflib", "rdflib 0.0.0 +"))


def test_the_block_child_makes_the_blocks_this_process_makes(project: Path, tmp_path: Path) -> None:
    """The TriG and compact JSON-LD blocks made by the child (a large dataset's path) are the bytes
    made in this process, and a child that fails leaves the blocks to this process."""
    from polevents.export.assemble import DumpPlan, _join_blocks, _start_blocks
    from polevents.export.context import term_context
    from polevents.load import load_project
    from polevents.vocab import ONTOLOGY_IRI

    loaded = load_project(project)
    base = loaded.config.base
    graphs = [(ONTOLOGY_IRI, loaded.ontology), *((s.iri, s.triples) for s in loaded.sources)]
    inputs = [GraphInput(iri, f"k{i}", lambda t=triples: t) for i, (iri, triples) in enumerate(graphs)]  # type: ignore[misc]
    cache = ChunkCache(tmp_path / "chunks")
    chunks = make_chunks(inputs, cache, base)
    prefixes = publish_prefixes(CanonicalDataset.from_project(loaded), base)
    ontology = next(c for c in chunks if c.iri == ONTOLOGY_IRI)
    terms = term_context(CanonicalDataset.from_project(loaded).graph(ONTOLOGY_IRI).triples())  # type: ignore[union-attr]
    plan = DumpPlan(
        chunks, cache, prefixes, tmp_path, tmp_path, term_context=terms, base=base, ontology_key=ontology.key
    )
    child = _start_blocks(plan, DUMPS, min_quads=0)
    assert child is not None
    _join_blocks(child)
    assert _start_blocks(plan, DUMPS, min_quads=0) is None  # every block is made: no child for a rebuild
    for chunk in chunks:
        trig = chunk.path(f"-{plan.pkey}.trig")
        compact = chunk.path(f"-{plan.ckey}.compact.jsonld")
        assert trig.read_bytes() == plan.trig_block(chunk)
        assert compact.read_bytes() == plan.compact_block(chunk)
        trig.unlink()
        compact.unlink()
    broken = DumpPlan(chunks, cache, prefixes, tmp_path, tmp_path, term_context=terms, base=base, ontology_key="nope")
    child = _start_blocks(broken, DUMPS, min_quads=0)
    assert child is not None
    _join_blocks(child)  # the child refused (no such chunk): nothing raised here, nothing made
    assert not any(p.name.endswith((".trig", ".compact.jsonld")) for p in cache.folder.iterdir())
