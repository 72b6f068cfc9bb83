"""benchmarks/make_corpus.py: a synthetic project that follows the data model, builds and conforms."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pyoxigraph as ox
import pytest

REPO = Path(__file__).resolve().parents[1]
PE = "https://w3id.org/polevents/ontology#"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
BASE = "https://w3id.org/polevents/"


def _load_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_corpus", REPO / "benchmarks" / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_corpus"] = module
    spec.loader.exec_module(module)
    return module


make_corpus = _load_module()


def _graphs(project: Path) -> dict[str, list[ox.Triple]]:
    out: dict[str, list[ox.Triple]] = {}
    for folder in sorted((project / "data").iterdir()):
        triples: list[ox.Triple] = []
        for f in sorted(folder.glob("*.ttl")):
            triples += [q.triple for q in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE, base_iri=BASE)]
        out[folder.name] = triples
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("corpus") / "c2k"
    info = make_corpus.make_corpus(2000, out, seed=7)
    return out, info


def test_count_is_close_and_exact(corpus: tuple[Path, object]) -> None:
    out, info = corpus
    graphs = _graphs(out)
    counted = sum(len(t) for t in graphs.values())
    assert counted == info.data_triples  # the reported count is the real one
    assert abs(counted - 2000) <= 200, counted
    assert info.articles == len(graphs) >= 2
    manifest = json.loads((out / "corpus.json").read_text())
    assert manifest["data_triples"] == counted
    for folder in ("ontology", "shapes"):
        assert sorted(p.name for p in (out / folder).iterdir()) == sorted(
            p.name for p in (REPO / folder).iterdir() if p.is_file()
        )
    assert "base = " in (out / "polevents.toml").read_text()


def test_deterministic(corpus: tuple[Path, object], tmp_path: Path) -> None:
    out, _ = corpus
    again = tmp_path / "again"
    make_corpus.make_corpus(2000, again, seed=7)
    files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file() and p.name != "corpus.json")
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file() and p.name != "corpus.json")
    for f in files:
        assert (out / f).read_bytes() == (again / f).read_bytes(), f
    other = tmp_path / "other"
    make_corpus.make_corpus(2000, other, seed=8)
    assert (other / "data/synthetic-00001/facts.ttl").read_bytes() != (
        out / "data/synthetic-00001/facts.ttl"
    ).read_bytes()


def test_realistic_patterns(corpus: tuple[Path, object]) -> None:
    out, _ = corpus
    graphs = _graphs(out)
    sentences: dict[str, set[str]] = {}
    subjects: dict[str, str] = {}
    languages: set[str] = set()
    date_types: set[str] = set()
    classes: set[str] = set()
    for name, triples in graphs.items():
        sentences[name] = {
            t.subject.value
            for t in triples
            if t.predicate.value.endswith("#type") and t.object.value == PE + "Sentence"
        }
        for t in triples:
            if isinstance(t.object, ox.Literal):
                if t.object.language:
                    languages.add(t.object.language)
                date_types.add(t.object.datatype.value)
            if t.predicate.value.endswith("#type"):
                classes.add(t.object.value)
            # fresh IRIs: a subject is described in one graph only, except shared places/organisations
            s = t.subject.value
            if not s.startswith((BASE + "id/place/", BASE + "id/organization/")):
                assert subjects.setdefault(s, name) == name, f"{s} in {name} and {subjects[s]}"
        # evidence points at the copy's own sentences
        cited = {t.object.value for t in triples if t.predicate.value == PROV_DERIVED}
        assert cited and cited <= sentences[name], name
    assert {"en", "ru", "kk", "kk-latn"} <= languages
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert {xsd + "date", xsd + "gYearMonth", xsd + "gYear"} <= date_types
    for cls in ("Person", "Post", "Tenure", "Quotation", "Claim", "MonetaryAmount", "Source", "Sentence"):
        assert PE + cls in classes, cls
    kazakh = [
        t.object.value
        for ts in graphs.values()
        for t in ts
        if isinstance(t.object, ox.Literal) and t.object.language == "kk"
    ]
    assert any(set(v) & set("ҚқҰұӘәҒғҮүІіӨөҢң") for v in kazakh)
    # every synthetic source has its text, whose hash and length the description carries
    for name in graphs:
        text = (out / "sources" / f"{name}.txt").read_text(encoding="utf-8")
        desc = (out / "data" / name / "source.ttl").read_text(encoding="utf-8")
        assert f"pe:characterCount {len(text)} ." in desc


def test_builtin_template_when_the_article_is_missing(tmp_path: Path) -> None:
    info = make_corpus.make_corpus(1500, tmp_path / "b", template_dir=tmp_path / "no-such-article")
    assert info.template == "built-in"
    assert abs(info.data_triples - 1500) <= 150


def test_existing_output_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    with pytest.raises(FileExistsError):
        make_corpus.make_corpus(100, tmp_path / "x")
    assert make_corpus.main(["--triples", "100", "--out", str(tmp_path / "x")]) == 2


def test_corpus_conforms(corpus: tuple[Path, object], tmp_path: Path) -> None:
    """pyshacl, the reference validator, accepts the corpus (the real template and the built-in one)."""
    from polevents.load import load_project
    from polevents.validate import validate_project

    out, _ = corpus
    report = validate_project(load_project(out))
    assert report.conforms, report.to_text()
    builtin = tmp_path / "builtin"
    make_corpus.make_corpus(600, builtin, template_dir=None)
    report = validate_project(load_project(builtin))
    assert report.conforms, report.to_text()


def test_corpus_builds(corpus: tuple[Path, object], tmp_path: Path) -> None:
    from polevents.build import build

    out, info = corpus
    result = build(out, tmp_path / "dist")
    store = ox.Store()
    store.bulk_load(path=str(result.out_dir / "polevents.nq"), format=ox.RdfFormat.N_QUADS)
    rows = store.query(
        "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), ?prefix)) }".replace(
            "?prefix", f'"{BASE}graph/"'
        )
    )
    n = int(next(iter(rows))["n"].value)  # type: ignore[index]
    assert n == info.data_triples
    assert abs(n - 2000) <= 200
