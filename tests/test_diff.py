"""``polevents diff OLD_DIST NEW_DIST``: what was added and removed between two builds."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from polevents.diff import DiffFormat, diff_dists
from polevents.errors import InputError
from polevents.export import write_dist
from polevents.load import load_project
from support import make_publish_project, run


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("diff")
    project = make_publish_project(root / "project")
    old = root / "old"
    write_dist(load_project(project), old)
    # the next release: one label changed, one triple removed, one person added, a new version
    facts = project / "data" / "beta" / "facts.ttl"
    text = facts.read_text(encoding="utf-8")
    text = text.replace('rdfs:label "Kazakh letters"@en', 'rdfs:label "Kazakh alphabet"@en')
    text = text.replace('    pe:startDate "2022"^^xsd:gYear .', "    .")
    text += '\n<id/person/new-person> a pe:Person ; rdfs:label "New Person"@en ; skos:altLabel "Жаңа адам"@kk .\n'
    facts.write_text(text, encoding="utf-8")
    toml = project / "polevents.toml"
    toml.write_text(toml.read_text().replace('version = "1.2.0"', 'version = "1.3.0"'))
    new = root / "new"
    write_dist(load_project(project), new)
    return old, new


def test_text_diff_groups_by_subject_with_prefixes(dists: tuple[Path, Path]) -> None:
    old, new = dists
    result = run("diff", str(old), str(new))
    assert result.code == 0, result.err
    assert result.out == (
        "person:kazakh-letters\n"
        '  - pe:startDate "2022"^^xsd:gYear  [graph:beta]\n'
        '  - rdfs:label "Kazakh letters"@en  [graph:beta]\n'
        '  + rdfs:label "Kazakh alphabet"@en  [graph:beta]\n'
        "person:new-person\n"
        "  + rdf:type pe:Person  [graph:beta]\n"
        '  + rdfs:label "New Person"@en  [graph:beta]\n'
        '  + skos:altLabel "Жаңа адам"@kk  [graph:beta]\n'
    )
    assert "4 quad(s) added, 2 removed, 2 subject(s) changed (version 1.2.0 -> 1.3.0)" in result.err


def test_patch_turns_the_old_build_into_the_new_one(dists: tuple[Path, Path]) -> None:
    old, new = dists
    result = run("diff", "--format", "patch", str(old), str(new))
    assert result.code == 0, result.err
    rows = result.out.splitlines()
    assert rows[0] == "TX ." and rows[-1] == "TC ."
    assert [r[0] for r in rows[1:-1]] == ["D"] * 2 + ["A"] * 4

    def quads(path: Path) -> set[str]:
        return {str(q) for q in ox.parse(path=str(path / "polevents.nq"), format=ox.RdfFormat.N_QUADS)}

    state = quads(old)
    for row in rows[1:-1]:
        op, statement = row.split(" ", 1)
        (quad,) = list(ox.parse(statement.encode(), format=ox.RdfFormat.N_QUADS))
        if op == "D":
            state.remove(str(quad))
        else:
            state.add(str(quad))
    assert state == quads(new)


def test_identical_builds_have_no_differences(dists: tuple[Path, Path]) -> None:
    old, _ = dists
    result = run("diff", str(old), str(old))
    assert result.code == 0
    assert result.out == ""
    assert "0 quad(s) added, 0 removed, 0 subject(s) changed" in result.err


def test_reversed_diff_swaps_added_and_removed(dists: tuple[Path, Path]) -> None:
    old, new = dists
    forward, backward = diff_dists(old, new), diff_dists(new, old)
    assert set(forward.added) == set(backward.removed)
    assert set(forward.removed) == set(backward.added)
    assert forward.render(DiffFormat.TEXT) != backward.render(DiffFormat.TEXT)


def test_missing_dump_is_a_usage_error(dists: tuple[Path, Path], tmp_path: Path) -> None:
    old, _ = dists
    result = run("diff", str(old), str(tmp_path))
    assert result.code == 2
    assert "no polevents.nq" in result.err and "polevents build" in result.err
    with pytest.raises(InputError):
        diff_dists(tmp_path, old)


def test_broken_dump_is_reported_with_its_position(dists: tuple[Path, Path], tmp_path: Path) -> None:
    old, _ = dists
    (tmp_path / "polevents.nq").write_text("<urn:x:a> <urn:x:b> .\n", encoding="utf-8")
    result = run("diff", str(old), str(tmp_path))
    assert result.code == 2
    assert "polevents.nq:1" in result.err


def test_unknown_format_is_refused(dists: tuple[Path, Path]) -> None:
    old, new = dists
    result = run("diff", "--format", "xml", str(old), str(new))
    assert result.code == 2
