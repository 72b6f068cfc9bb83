"""Nothing that pyshacl or the ontology rejects is published (issue #11), checked as a user meets it.

On a copy of this repository, each planted defect must make ``polevents build`` (default
validator: cache, SPARQL screen, pyshacl) exit non-zero, leave the previous ``dist/`` byte for
byte, and name the file and line the editor has to fix:

* shapes the screen used to misread: a property shape nested in a property shape (on pe:Tenure),
  a shape with a custom severity;
* typos: ``pe:startDat``, ``pe:approvalPercnt``, ``a pe:Statment``; a dangling ``pe:actor`` IRI;
  a Cyrillic look-alike letter in an IRI; an untyped subject;
* an empty ``shapes/`` (exit 2 unless ``--no-shapes``, which is said loudly);
* a second source adding a bad value to a node the first source declares: reported at the second
  source's file and line, under its heading, once.

Lines are found in the files (never written down here), so the tests survive new data.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from support import copy_repo_project, run

FACTS = Path("data/kazakhstan-reform-2022/facts.ttl")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A dist/ built from the unchanged repository (the previous publication every failed build must keep)."""
    root = tmp_path_factory.mktemp("published")
    project = copy_repo_project(root / "project")
    result = run("build", "--project", project, "--out", root / "dist", "--no-cache")
    assert result.code == 0, result.err
    return root / "dist"


def _build_fails(project: Path, published: Path, tmp_path: Path, code: int = 1) -> str:
    """Build ``project`` over a private copy of ``published``; assert it fails and changes nothing."""
    out = tmp_path / "dist"
    shutil.copytree(published, out)
    before = snapshot(out)
    result = run("build", "--project", project, "--out", out, "--no-cache")
    assert result.code == code, result.err
    assert snapshot(out) == before
    return result.err


def _insert_after(path: Path, anchor: str, text: str) -> int:
    """Insert ``text`` as a line after the first line containing ``anchor``; its line number (1-based)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if anchor in line)
    lines.insert(at + 1, text)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return at + 2


def _replace_first(path: Path, old: str, new: str) -> int:
    """Replace the first ``old`` with ``new``; the line number (1-based) where it was."""
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if old in line)
    lines[at] = lines[at].replace(old, new, 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return at + 1


def _line_of(path: Path, text: str) -> int:
    return 1 + next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()) if text in line)


# ---------------------------------------------------------------- shapes the screen must not decide alone

PLANTED_SHAPES = """@prefix pesh: <https://w3id.org/polevents/shapes#> .
@prefix pe: <https://w3id.org/polevents/ontology#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""


def test_a_property_shape_nested_in_a_property_shape_is_checked(published: Path, tmp_path: Path) -> None:
    project = copy_repo_project(tmp_path / "project")
    (project / "shapes" / "planted.ttl").write_text(
        PLANTED_SHAPES
        + """pesh:PlantedTenure a sh:NodeShape ;
    sh:targetClass pe:Tenure ;
    sh:property [ sh:path pe:holder ;
        sh:property [ sh:path rdfs:label ; sh:pattern "^Zz" ; sh:message "planted: a holder's label must start with Zz" ] ] .
""",
        encoding="utf-8",
    )
    err = _build_fails(project, published, tmp_path)
    assert "planted: a holder's label must start with Zz" in err
    line = _line_of(project / FACTS, 'rdfs:label "Yerlan Koshanov"@en')
    assert f"{FACTS.as_posix()}:{line}:" in err


def test_a_custom_severity_stops_the_build(published: Path, tmp_path: Path) -> None:
    project = copy_repo_project(tmp_path / "project")
    (project / "shapes" / "planted.ttl").write_text(
        PLANTED_SHAPES
        + """pesh:PlantedSeverity a sh:NodeShape ;
    sh:targetNode <https://w3id.org/polevents/id/person/yerlan-koshanov> ;
    sh:severity pesh:Blocking ;
    sh:nodeKind sh:BlankNode ;
    sh:message "planted: a custom severity" .
""",
        encoding="utf-8",
    )
    err = _build_fails(project, published, tmp_path)
    assert "planted: a custom severity" in err
    line = _line_of(project / FACTS, "person:yerlan-koshanov a pe:Person")
    assert f"{FACTS.as_posix()}:{line}:" in err
    # the summary counts what blocked the build, under its own name, not "0 violations" alone
    assert "1 Blocking result" in err
    assert "== source kazakhstan-reform-2022: 1 Blocking result" in err


# ---------------------------------------------------------------- typos and undeclared IRIs


@pytest.mark.parametrize(
    ("anchor", "planted", "expect"),
    [
        (
            "tenure:koshanov-chair-of-amanat a pe:Tenure",
            '    pe:startDat "2022"^^xsd:gYear ;',
            "did you mean pe:startDate",
        ),
        (
            "ev:2022-constitutional-referendum a ",
            "    pe:approvalPercnt 77.18 ;",
            "did you mean pe:approvalPercent",
        ),
    ],
    ids=["startDat", "approvalPercnt"],
)
def test_a_typo_in_a_property_is_reported_with_the_nearest_term(
    published: Path, tmp_path: Path, anchor: str, planted: str, expect: str
) -> None:
    project = copy_repo_project(tmp_path / "project")
    line = _insert_after(project / FACTS, anchor, planted)
    err = _build_fails(project, published, tmp_path)
    assert f"{FACTS.as_posix()}:{line}:" in err
    assert expect in err


def test_a_typo_in_a_class_is_reported(published: Path, tmp_path: Path) -> None:
    project = copy_repo_project(tmp_path / "project")
    line = _replace_first(project / FACTS, " a pe:Statement ;", " a pe:Statment ;")
    err = _build_fails(project, published, tmp_path)
    assert f"{FACTS.as_posix()}:{line}:" in err
    assert "pe:Statment is not declared in ontology/" in err
    assert "did you mean pe:Statement" in err


def test_a_dangling_actor_iri_is_reported_with_the_closest_declared(published: Path, tmp_path: Path) -> None:
    project = copy_repo_project(tmp_path / "project")
    line = _replace_first(
        project / FACTS, "pe:actor person:nursultan-nazarbayev", "pe:actor person:nursultan-nazarbaev"
    )
    err = _build_fails(project, published, tmp_path)
    assert f"{FACTS.as_posix()}:{line}:" in err
    assert "<id/person/nursultan-nazarbaev> is used as a value but declared (typed) nowhere" in err
    assert "<id/person/nursultan-nazarbayev>" in err


def test_a_look_alike_letter_and_an_untyped_subject_are_reported(published: Path, tmp_path: Path) -> None:
    project = copy_repo_project(tmp_path / "project")
    cyrillic = _replace_first(project / FACTS, "pe:country place:kazakhstan", "pe:country place:k\u0430zakhstan")
    untyped = _insert_after(
        project / FACTS, "prov:wasDerivedFrom s:39, s:40, s:9 .", 'person:nobody rdfs:label "x"@en .'
    )
    err = _build_fails(project, published, tmp_path)
    assert f"{FACTS.as_posix()}:{cyrillic}:" in err
    assert "mixes letters of several scripts (CYRILLIC, LATIN)" in err
    assert f"{FACTS.as_posix()}:{untyped}:" in err
    assert "<id/person/nobody> has no rdf:type in any graph" in err


def test_an_unknown_term_of_an_aligned_vocabulary_is_reported(published: Path, tmp_path: Path) -> None:
    project = copy_repo_project(tmp_path / "project")
    line = _insert_after(project / FACTS, "person:yerlan-koshanov a pe:Person", '    schema:nam "Koshanov"@en ;')
    err = _build_fails(project, published, tmp_path)
    assert f"{FACTS.as_posix()}:{line}:" in err
    assert "did you mean schema:name" in err


# ---------------------------------------------------------------- no shapes, no silent skipping


def test_no_shapes_is_a_usage_error_unless_asked_for_loudly(published: Path, tmp_path: Path) -> None:
    project = copy_repo_project(tmp_path / "project")
    for f in (project / "shapes").iterdir():
        f.unlink()
    err = _build_fails(project, published, tmp_path, code=2)
    assert "no SHACL shapes" in err and "--no-shapes" in err
    validate = run("validate", "--project", project)
    assert validate.code == 2 and "no SHACL shapes" in validate.err

    allowed = run("build", "--project", project, "--out", tmp_path / "other", "--no-shapes")
    assert allowed.code == 0, allowed.err
    assert "WARNING: --no-shapes" in allowed.err
    again = run("build", "--project", project, "--out", tmp_path / "other")  # the cache is no way round
    assert again.code == 2 and "no SHACL shapes" in again.err


def test_without_shapes_the_terms_are_still_checked(tmp_path: Path) -> None:
    project = copy_repo_project(tmp_path / "project")
    for f in (project / "shapes").iterdir():
        f.unlink()
    line = _replace_first(project / FACTS, " a pe:Statement ;", " a pe:Statment ;")
    result = run("build", "--project", project, "--out", tmp_path / "dist", "--no-cache", "--no-shapes")
    assert result.code == 1
    assert f"{FACTS.as_posix()}:{line}:" in result.err
    assert not (tmp_path / "dist").exists()


# ---------------------------------------------------------------- right place, once


def test_a_bad_value_from_a_second_source_is_reported_there_once(published: Path, tmp_path: Path) -> None:
    project = copy_repo_project(tmp_path / "project")
    second = project / "data" / "second-source" / "facts.ttl"
    second.parent.mkdir()
    second.write_text(
        "@prefix pe: <https://w3id.org/polevents/ontology#> .\n"
        "@prefix ev: <id/event/> .\n"
        "\n"
        "ev:2022-constitutional-referendum pe:approvalPercent 177.18 .\n",
        encoding="utf-8",
    )
    err = _build_fails(project, published, tmp_path)
    located = [line for line in err.splitlines() if "177.18" in line]
    assert len(located) == 1, err
    assert located[0].startswith("data/second-source/facts.ttl:4: Violation:"), located
    heading = err[: err.index(located[0])].rstrip().splitlines()
    assert [h for h in heading if h.startswith("== ")][-1].startswith("== source second-source:")
