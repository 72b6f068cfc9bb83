"""Broken or hostile project input ends with exit 2 and ``FILE[:LINE:COL]: message``, never a traceback
(#12 rows 7, 11 and 12).
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from support import copy_repo_project, run

TOML_POSITION = re.compile(r"polevents\.toml:\d+:\d+: ")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_repo_project(tmp_path / "project")


def build(project: Path) -> tuple[int, str]:
    r = run("build", "--project", project, "--out", project / "dist")
    assert "Traceback" not in r.err
    return r.code, r.err


def set_base(project: Path, base: str) -> None:
    toml = project / "polevents.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(re.sub(r'(?m)^base = ".*"$', lambda _: f"base = {base}", text), encoding="utf-8")


@pytest.mark.parametrize(
    "base", ['"foo/"', '"https://ex.org/a b/"', '"https://ex.org/a\\r\\nb/"', '"https://ex.org/\\"x/"']
)
def test_a_bad_base_is_a_message_at_its_line(project: Path, base: str) -> None:
    set_base(project, base)
    code, err = build(project)
    assert code == 2
    assert TOML_POSITION.search(err), err
    assert "dataset.base must be an absolute http(s) IRI" in err


def test_a_toml_not_in_utf8(project: Path) -> None:
    toml = project / "polevents.toml"
    toml.write_bytes(toml.read_bytes().replace(b"polevents project", b"polevents caf\xe9"))
    code, err = build(project)
    assert code == 2 and TOML_POSITION.search(err) and "not UTF-8" in err, err


def test_a_toml_syntax_error_has_its_position(project: Path) -> None:
    toml = project / "polevents.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[dataset\n", encoding="utf-8")
    code, err = build(project)
    assert code == 2 and TOML_POSITION.search(err), err


def test_a_data_folder_whose_name_cannot_be_in_an_iri(project: Path) -> None:
    (project / "data" / "links").rename(project / "data" / "my links")
    code, err = build(project)
    assert code == 2
    assert "data/my links: the folder name 'my links' cannot be part of a graph IRI" in err
    assert "'my-links'" in err  # how to fix it


def test_a_literal_longer_than_the_parser_takes(project: Path) -> None:
    big = project / "data" / "big"
    big.mkdir()
    (big / "facts.ttl").write_text(
        f'<id/person/x> <http://www.w3.org/2000/01/rdf-schema#label> "{"a" * (17 << 20)}"@en .\n'
    )
    code, err = build(project)
    assert code == 2
    assert "data/big/facts.ttl:1: a term is longer than" in err


def test_a_facts_file_that_is_a_folder(project: Path) -> None:
    folder = project / "data" / "second" / "facts.ttl"
    folder.mkdir(parents=True)
    code, err = build(project)
    assert code == 2 and "second/facts.ttl: a folder named like an RDF file" in err


def test_reserved_slugs_are_refused(project: Path, tmp_path: Path) -> None:
    text = tmp_path / "links.txt"
    text.write_text("A short text. It has two sentences.\n", encoding="utf-8")
    before = sorted(p.name for p in (project / "data" / "links").iterdir())
    for extra in (["--slug", "links"], []):  # given, or made from the file name
        r = run("source", "add", text, *extra, "--no-copy", "--project", project)
        assert r.code == 2 and "reserved" in r.err, r.err
    assert sorted(p.name for p in (project / "data" / "links").iterdir()) == before


def test_ontology_page_links_only_web_iris() -> None:
    from polevents.export.ontodoc import render_ontology_html

    pe = "https://w3id.org/polevents/ontology#"
    turtle = (
        f"<{pe}X> a <http://www.w3.org/2002/07/owl#Class> ; "
        "<http://www.w3.org/2000/01/rdf-schema#seeAlso> <javascript:alert(1)>, <https://example.org/doc> ."
    )
    triples = [q.triple for q in ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE)]
    page = render_ontology_html(triples, {"pe": pe})
    assert 'href="javascript:' not in page
    assert 'href="https://example.org/doc"' in page
