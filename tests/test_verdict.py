"""Validation at scale (#14): an on-disk store kept across builds, checked only where a change can matter."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

import pytest

from polevents import verdict
from polevents.errors import NonConformingError
from polevents.load import Layout

FIXTURE = Path(__file__).resolve().parent / "release_fixture"
BROKEN = (
    "\n<id/tenure/broken> a <https://w3id.org/polevents/ontology#Tenure> ;"
    ' <http://www.w3.org/2000/01/rdf-schema#label> "broken"@en .\n'
)
FINE = '\n<id/person/kassym-jomart-tokayev> <http://www.w3.org/2004/02/skos/core#altLabel> "Tokaev K."@en .\n'


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The release fixture, validated as a big project: on-disk store, screen findings as the report."""
    dest = tmp_path / "project"
    shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns("SHA256SUMS.expected"))
    monkeypatch.setattr(verdict, "ON_DISK_MIN_BYTES", 0)
    monkeypatch.setattr(verdict, "PYSHACL_MAX_TRIPLES", 0)
    return dest


def _decide(project: Path, messages: list[str]) -> str:
    return verdict.decide(Layout.of(project), messages.append, cache_dir=project / ".polevents-cache")


def test_a_changed_source_updates_the_kept_store_and_everything_is_checked(project: Path) -> None:
    facts = project / "data" / "kazakhstan-reform-2022" / "facts.ttl"
    messages: list[str] = []
    _decide(project, messages)
    assert not any("focus node" in m for m in messages)  # the first check is a full one
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
    with pytest.raises(NonConformingError):
        _decide(project, messages)
    assert not any("focus node" in m for m in messages)


def test_a_changed_shape_checks_everything(project: Path) -> None:
    messages: list[str] = []
    _decide(project, messages)
    with (project / "shapes" / "polevents-shapes.ttl").open("a", encoding="utf-8") as f:
        f.write("\n# a comment is a change of the shapes' bytes\n")
    messages.clear()
    _decide(project, messages)
    assert not any("focus node" in m for m in messages)


def test_after_a_change_the_screen_checks_every_focus_node(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Soundness: a shape may follow links any distance, so a rebuild never narrows the screen's focus."""
    seen: list[set[str] | None] = []
    real = verdict._screen

    def spy(store, shapes, say, focus=None):  # type: ignore[no-untyped-def]
        seen.append(focus)
        return real(store, shapes, say, focus)

    monkeypatch.setattr(verdict, "_screen", spy)
    _decide(project, [])
    facts = project / "data" / "kazakhstan-reform-2022" / "facts.ttl"
    with facts.open("a", encoding="utf-8") as f:
        f.write(FINE)
    messages: list[str] = []
    _decide(project, messages)
    assert any("1 source graph(s) changed" in m for m in messages), messages
    assert seen and all(focus is None for focus in seen), seen
