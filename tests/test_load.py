"""The load stage: which files are inputs, and each read once per build."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from polevents.formats import RdfFormat
from polevents.load import RDF_SUFFIXES, Layout, load_project, rdf_files
from support import copy_repo_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the repository's project, in tmp_path."""
    return copy_repo_project(tmp_path / "project")


def test_rdf_suffixes_are_the_formats_extensions_and_owl() -> None:
    assert set(RDF_SUFFIXES) == {".ttl", ".nt", ".nq", ".trig", ".jsonld", ".rdf", ".owl"}
    assert {f".{fmt.extension}" for fmt in RdfFormat} <= set(RDF_SUFFIXES)
    for suffix in RDF_SUFFIXES:  # every suffix the loader picks names its format
        RdfFormat.from_path(Path(f"x{suffix}"))
    assert RdfFormat.from_path(Path("x.owl")) is RdfFormat.RDFXML


def test_rdf_files_picks_rdf_files_at_any_depth_and_nothing_else(tmp_path: Path) -> None:
    for name in ("a.ttl", "deep/b.nq", "c.owl", "notes.txt", "d.xml", "e.ttl.gz", "f.TTL"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    assert [p.relative_to(tmp_path).as_posix() for p in rdf_files(tmp_path)] == ["a.ttl", "c.owl", "deep/b.nq"]
    assert rdf_files(tmp_path / "missing") == []


def test_a_build_reads_each_input_file_once(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache check and loading share one read of every file, with the cache and without."""
    from polevents.build import build

    inputs = set(Layout.of(project).files)
    assert len(inputs) > 3
    reads: Counter[Path] = Counter()
    read_bytes = Path.read_bytes

    def counting(path: Path) -> bytes:
        reads[path] += 1
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", counting)
    for use_cache in (True, False):
        reads.clear()
        build(project, project / f"out-{use_cache}", parallel=False, use_cache=use_cache)
        assert {path: reads[path] for path in inputs} == dict.fromkeys(inputs, 1)


def test_what_is_loaded_is_what_was_read_and_hashed(project: Path) -> None:
    """A file edited after the read: the project, its digests and the store keep the bytes read."""
    import hashlib

    layout = Layout.of(project)
    before = load_project(project)
    inputs = layout.read()
    facts = layout.sources[0][1][-1]
    assert inputs.digests[facts] == hashlib.sha256(facts.read_bytes()).hexdigest()
    facts.write_text("this is no longer Turtle", encoding="utf-8")

    loaded = layout.load(inputs)
    assert loaded.digests == before.digests == inputs.digests
    assert [set(s.triples) for s in loaded.sources] == [set(s.triples) for s in before.sources]
    assert set(layout.store(inputs)) == set(before.store())
