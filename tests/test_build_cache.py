"""`polevents build`: the SPARQL screen, pyshacl as the last word, and the build cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from polevents.errors import NonConformingError
from support import copy_repo_project, run


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the repository's project (its first article), in tmp_path."""
    return copy_repo_project(tmp_path / "project")


def _build(project: Path, *extra: str) -> tuple[int, str]:
    """``polevents build`` through the real entry point: its exit code and stderr."""
    result = run("build", "--project", project, *extra)
    return result.code, result.err


def _facts(project: Path) -> Path:
    return project / "data" / "kazakhstan-reform-2022" / "facts.ttl"


def test_screen_then_cache_then_revalidate_after_a_change(project: Path) -> None:
    code, err = _build(project)
    assert code == 0, err
    assert "conforms (SPARQL screen" in err
    verdicts = json.loads((project / ".polevents-cache" / "validation.json").read_text())
    assert len(verdicts) == 1 and next(iter(verdicts.values()))["validator"] == "screen"
    assert (project / ".polevents-cache" / ".gitignore").read_text() == "*\n"

    code, err = _build(project)  # nothing changed: the output is what a build would write
    assert code == 0 and "up to date" in err and "SPARQL screen" not in err
    nt = project / "dist" / "polevents.nt"
    good = nt.read_bytes()
    nt.write_bytes(good.replace(b"Tokayev", b"Tokaev", 1))  # someone edits the output
    code, err = _build(project)
    assert code == 0 and "up to date" not in err
    assert "inputs unchanged since a conforming build" in err  # validation is not run again
    assert nt.read_bytes() == good
    (project / "dist" / "stray.txt").write_text("x")
    code, err = _build(project)
    assert "up to date" not in err and not (project / "dist" / "stray.txt").exists()
    assert "up to date" in _build(project)[1]

    with _facts(project).open("a", encoding="utf-8") as f:
        f.write('\n<id/person/yerlan-karin> <http://www.w3.org/2004/02/skos/core#altLabel> "Y. Karin"@en .\n')
    code, err = _build(project)
    assert code == 0, err
    assert "inputs unchanged" not in err and "conforms (SPARQL screen" in err

    code, err = _build(project, "--no-cache")
    assert code == 0 and "inputs unchanged" not in err


def test_violation_is_judged_and_reported_by_pyshacl(project: Path) -> None:
    assert _build(project)[0] == 0
    dist = (project / "dist" / "polevents.nq").read_bytes()
    with _facts(project).open("a", encoding="utf-8") as f:
        f.write(
            "\n<id/tenure/broken> a <https://w3id.org/polevents/ontology#Tenure> ;"
            ' <http://www.w3.org/2000/01/rdf-schema#label> "broken"@en .\n'
        )
    code, err = _build(project)
    assert code == NonConformingError.exit_code == 1, err
    assert "the screen flags" in err and "running pyshacl" in err
    errors = err[err.index("polevents: error: ") :]  # the error, as main() reports it
    assert "Tenure-holder" in errors or "pe:holder" in errors
    assert (project / "dist" / "polevents.nq").read_bytes() == dist  # nothing published
    verdicts = json.loads((project / ".polevents-cache" / "validation.json").read_text())
    assert len(verdicts) == 1  # the failure was not recorded


def test_reference_validator_on_request(project: Path) -> None:
    code, err = _build(project, "--validator", "pyshacl")
    assert code == 0 and "conforms (pyshacl)" in err and "SPARQL screen" not in err
    code, err = _build(project, "--validator", "pyshacl")
    assert "conforms (pyshacl)" in err  # the reference validator never reads the cache


def test_shapes_the_screen_cannot_compile_go_to_pyshacl(project: Path) -> None:
    (project / "shapes" / "extra.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix pe: <https://w3id.org/polevents/ontology#> .\n"
        "<urn:x:QualifiedShape> a sh:NodeShape ; sh:targetClass pe:Tenure ;\n"
        "  sh:property [ sh:path pe:holder ; sh:qualifiedValueShape [ sh:class pe:Person ] ;"
        " sh:qualifiedMinCount 1 ] .\n",
        encoding="utf-8",
    )
    code, err = _build(project)
    assert code == 0, err
    assert "cannot check these shapes" in err and "conforms (pyshacl)" in err


def test_a_screen_false_alarm_is_overruled_by_pyshacl(project: Path) -> None:
    # Under the case-insensitive Wikidata rule the screen flags any non-ASCII IRI to be safe;
    # pyshacl finds nothing wrong with this one, and pyshacl decides.
    with _facts(project).open("a", encoding="utf-8") as f:
        f.write(
            "\n<id/place/kazakhstan> <http://www.w3.org/2004/02/skos/core#closeMatch>"
            " <http://example.org/\u049a\u0430\u0437\u0430\u049b\u0441\u0442\u0430\u043d> .\n"
        )
    code, err = _build(project)
    assert code == 0, err
    assert "the screen flags 1 node(s)" in err and "conforms (pyshacl)" in err


def test_parallel_validation_publishes_only_conforming_data(project: Path) -> None:
    """Validation in a forked child beside the export (the default for big projects), forced here."""
    from polevents.build import build

    result = build(project, parallel=True, use_cache=False)
    assert (result.out_dir / "polevents.nq").is_file()
    published = (result.out_dir / "polevents.nq").read_bytes()
    with _facts(project).open("a", encoding="utf-8") as f:
        f.write(
            "\n<id/tenure/broken> a <https://w3id.org/polevents/ontology#Tenure> ;"
            ' <http://www.w3.org/2000/01/rdf-schema#label> "broken"@en .\n'
        )
    with pytest.raises(NonConformingError, match="pe:holder|Tenure-holder"):
        build(project, parallel=True, use_cache=False)
    assert (result.out_dir / "polevents.nq").read_bytes() == published
    assert not [p for p in project.iterdir() if p.name.startswith(".dist.")]  # no staging left


def test_parallel_worker_refuses_files_changed_after_loading(project: Path) -> None:
    from polevents.errors import InputError
    from polevents.load import load_project

    loaded = load_project(project)
    assert set(loaded.store_from_files()) == set(loaded.store())
    with _facts(project).open("a", encoding="utf-8") as f:
        f.write("\n# edited during the build\n")
    with pytest.raises(InputError, match="changed while the project was being built"):
        loaded.store_from_files()


def test_parallel_join_refuses_a_verdict_on_other_bytes(project: Path) -> None:
    """The forked validator reports the digest of what it read; another digest publishes nothing."""
    from polevents.build import _BackgroundValidation
    from polevents.errors import InputError

    background = _BackgroundValidation(project, lambda _m: None, "auto", False)
    with pytest.raises(InputError, match="files changed while the project was being built"):
        background.join("0" * 64)


#: A stricter rule than the shipped shapes: every tenure has ended (the data has ongoing ones).
STRICTER_SHAPE = """
pesh:TestEveryTenureHasEnded a sh:NodeShape ;
    sh:targetClass pe:Tenure ;
    sh:property [ sh:path pe:endDate ; sh:minCount 1 ; sh:message "test: every tenure has ended"@en ] .
"""


def test_a_changed_shape_is_validated_again(project: Path) -> None:
    """The shapes are inputs of the key: a stricter shape is judged, the cached verdict is not used."""
    code, err = _build(project)
    assert code == 0, err
    dist = (project / "dist" / "polevents.nq").read_bytes()
    with (project / "shapes" / "polevents-shapes.ttl").open("a", encoding="utf-8") as f:
        f.write(STRICTER_SHAPE)

    # Another output folder: only the verdict cache could wrongly say yes.
    code, err = _build(project, "--out", str(project / "elsewhere"))
    assert code == 1, err
    assert "inputs unchanged" not in err and "up to date" not in err
    assert "test: every tenure has ended" in err and "<id/tenure/koshanov-chair-of-amanat>" in err
    assert not (project / "elsewhere").exists()

    # The folder built before the change: the output record must not say "up to date" either.
    code, err = _build(project)
    assert code == 1, err
    assert "inputs unchanged" not in err and "up to date" not in err
    assert "test: every tenure has ended" in err
    assert (project / "dist" / "polevents.nq").read_bytes() == dist  # nothing published


def test_the_key_depends_on_polevents_own_code(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same inputs, other polevents code (another validator or writer): another key."""
    from polevents import cache
    from polevents.load import load_project

    loaded = load_project(project)
    keys = set()
    for code in ("a" * 64, "b" * 64):
        monkeypatch.setattr(cache, "code_digest", lambda code=code: code)
        keys.add(cache.input_digest(loaded.config, loaded.digests))
        assert cache.input_digest(loaded.config, loaded.digests) in keys  # the same code, the same key
    assert len(keys) == 2


def test_a_build_after_a_code_change_validates_and_writes_again(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from polevents import cache

    code, err = _build(project)
    assert code == 0 and "conforms (SPARQL screen" in err, err
    assert "up to date" in _build(project)[1]

    monkeypatch.setattr(cache, "code_digest", lambda: "0" * 64)  # as if polevents had changed
    code, err = _build(project)
    assert code == 0, err
    assert "up to date" not in err and "inputs unchanged" not in err
    assert "conforms (SPARQL screen" in err  # judged again by the new code
    assert "up to date" in _build(project)[1]  # and remembered under the new key


def test_relative_names_are_those_of_resolved_paths(tmp_path: Path) -> None:
    """One resolution per folder gives the names ``path.resolve()`` gives, symlinks included."""
    from polevents.cache import relative_names

    root = (tmp_path / "project").resolve()
    (root / "data" / "a").mkdir(parents=True)
    (root / "real").mkdir()
    (root / "data" / "a" / "facts.ttl").write_text("")
    (root / "real" / "x.ttl").write_text("")
    (root / "data" / "b").symlink_to(root / "real")  # a linked folder
    (root / "data" / "a" / "link.ttl").symlink_to(root / "real" / "x.ttl")  # a linked file
    outside = tmp_path / "outside.ttl"
    outside.write_text("")
    (root / "data" / "a" / "out.ttl").symlink_to(outside)  # a link out of the project
    paths = [
        root / "data" / "a" / "facts.ttl",
        root / "data" / "b" / "x.ttl",
        root / "data" / "a" / "link.ttl",
        root / "data" / "a" / "out.ttl",
    ]
    names = relative_names(paths, root)
    assert names == {
        paths[0]: "data/a/facts.ttl",
        paths[1]: "real/x.ttl",
        paths[2]: "real/x.ttl",
        paths[3]: paths[3].as_posix(),
    }
