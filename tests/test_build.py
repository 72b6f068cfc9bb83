"""`polevents build` as the contract in DESIGN.md states it: exit codes, atomic publication, messages."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from polevents.store import INDEX_DIR
from support import copy_repo_project, run


def snapshot(folder: Path) -> dict[str, bytes]:
    """The published files (not the query index, dist/.index: an Oxigraph store, not published)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and INDEX_DIR not in p.relative_to(folder).parts
    }


def build(project: Path, out: Path) -> tuple[int, str, str]:
    """Run the real entry point (errors become exit codes there): exit code, stdout, stderr."""
    result = run("build", "--project", project, "--out", out, "--no-cache")
    return result.code, result.out, result.err


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, bytes]]:
    root = tmp_path_factory.mktemp("build")
    project = copy_repo_project(root / "project")
    out = root / "dist"
    code, stdout, stderr = build(project, out)
    assert code == 0, stderr
    assert stdout.strip() == str(out.resolve())
    return project, out, snapshot(out)


def published_copy(out: Path, tmp_path: Path) -> Path:
    """A private copy of the module's build output, for a test whose build must fail without touching it."""
    return Path(shutil.copytree(out, tmp_path / "published"))


def test_build_writes_the_dumps_and_description(built: tuple[Path, Path, dict[str, bytes]]) -> None:
    _, _, files = built
    for name in (
        "polevents.nq",
        "polevents.nt",
        "polevents.ttl",
        "polevents.trig",
        "polevents.jsonld",
        "void.ttl",
        "SHA256SUMS",
        "ontology.ttl",
        "shapes.ttl",
    ):
        assert files.get(name), name


def test_broken_turtle_gives_file_line_col_and_keeps_the_previous_output(
    built: tuple[Path, Path, dict[str, bytes]], tmp_path: Path
) -> None:
    _, shared_out, before = built
    out = published_copy(shared_out, tmp_path)
    broken = copy_repo_project(tmp_path / "project")
    facts = broken / "data" / "kazakhstan-reform-2022" / "facts.ttl"
    lines = facts.read_text(encoding="utf-8").splitlines()
    lines.insert(40, 'person:nobody a pe:Person ; rdfs:label "unterminated .')
    facts.write_text("\n".join(lines) + "\n", encoding="utf-8")

    code, stdout, stderr = build(broken, out)

    assert code == 2
    assert stdout == ""
    match = re.search(r"(\S+facts\.ttl):(\d+):(\d+): ", stderr)
    assert match, stderr
    assert int(match.group(2)) == 41
    assert snapshot(out) == before


def test_non_conforming_data_exits_1_names_the_node_and_publishes_nothing(
    built: tuple[Path, Path, dict[str, bytes]], tmp_path: Path
) -> None:
    _, shared_out, before = built
    out = published_copy(shared_out, tmp_path)
    bad = copy_repo_project(tmp_path / "project")
    facts = bad / "data" / "kazakhstan-reform-2022" / "facts.ttl"
    text = facts.read_text(encoding="utf-8")
    # Koshanov's tenure ends before it starts.
    planted = text.replace(
        '    pe:startDate "2022-04-26"^^xsd:date ;\n    pe:startedBy ev:2022-04-26-koshanov-becomes-chair ;',
        '    pe:startDate "2022-04-26"^^xsd:date ;\n    pe:endDate "2021"^^xsd:gYear ;\n'
        "    pe:startedBy ev:2022-04-26-koshanov-becomes-chair ;",
    )
    assert planted != text
    facts.write_text(planted, encoding="utf-8")

    code, stdout, stderr = build(bad, out)

    assert code == 1
    assert "koshanov-chair-of-amanat" in stderr
    assert "facts.ttl" in stderr
    assert snapshot(out) == before


def test_two_builds_are_byte_identical(built: tuple[Path, Path, dict[str, bytes]], tmp_path: Path) -> None:
    project, _, first = built
    code, _, stderr = build(project, tmp_path / "again")
    assert code == 0, stderr
    assert snapshot(tmp_path / "again") == first


def test_missing_project_is_a_usage_error(tmp_path: Path) -> None:
    code, stdout, stderr = build(tmp_path / "nowhere", tmp_path / "out")
    assert code == 2
    assert stdout == ""
    assert "nowhere" in stderr
