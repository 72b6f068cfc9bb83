"""Publishing: every dump, read by Oxigraph and by rdflib, is the same dataset; pyld reads the
JSON-LD; SHA256SUMS checks; two builds are byte-identical; the ontology page is valid HTML5."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic, to_isomorphic

from polevents.errors import InputError
from polevents.export import DUMPS, SHA256SUMS, publish_prefixes, write_dist, write_dumps
from polevents.export.canonical import CanonicalDataset, Tally
from polevents.export.jsonld import IriCompactor
from polevents.export.prefixes import dataset_prefixes
from polevents.formats import RdfFormat
from polevents.load import load_project, to_rdflib_graph
from polevents.process import Child, Message
from polevents.vocab import ONTOLOGY_IRI
from support import copy_repo_project, make_publish_project

BASE = "https://example.org/pe/"
G_ALPHA = f"{BASE}graph/alpha"
G_BETA = f"{BASE}graph/beta"

EXPECTED_FILES = {
    "polevents.nq", "polevents.nq.gz", "polevents.trig", "polevents.nt", "polevents.nt.gz",
    "polevents.ttl", "polevents.ttl.gz", "polevents.jsonld", "context.jsonld", "polevents.compact.jsonld",
    "context-terms-v1.jsonld",
    "ontology.ttl", "ontology.jsonld", "ontology.html", "shapes.ttl", "shapes.jsonld",
    "void.ttl", "SHA256SUMS",
}  # fmt: skip
QUAD_DUMPS = ("polevents.nq", "polevents.nq.gz", "polevents.trig", "polevents.jsonld", "polevents.compact.jsonld")
TRIPLE_DUMPS = ("polevents.nt", "polevents.nt.gz", "polevents.ttl", "polevents.ttl.gz")


@pytest.fixture(scope="module")
def project_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_publish_project(tmp_path_factory.mktemp("publish") / "project")


@pytest.fixture(scope="module")
def dist(project_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist") / "dist"
    write_dist(load_project(project_dir), out)
    return out


def _bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def _format(path: Path) -> RdfFormat:
    return RdfFormat.from_path(path)


def ox_quads(path: Path) -> set[str]:
    """The statements of a dump as read by Oxigraph (N-Quads strings; blank nodes canonical)."""
    dataset = ox.Dataset(ox.parse(_bytes(path), format=_format(path).oxigraph))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


def rdflib_graphs(path: Path) -> dict[str, rdflib.Graph]:
    """The graphs of a dump as read by rdflib: graph IRI -> graph ("" for the default graph)."""
    fmt = _format(path)
    data = _bytes(path)
    if fmt.is_quads:
        ds = rdflib.Dataset()
        ds.parse(data=data, format=fmt.rdflib_name)
        graphs = {}
        for g in ds.graphs():
            if len(g) == 0:
                continue
            name = "" if g.identifier == rdflib.graph.DATASET_DEFAULT_GRAPH_ID else str(g.identifier)
            graphs[name] = g
        return graphs
    g = rdflib.Graph()
    g.parse(data=data, format=fmt.rdflib_name)
    return {"": g}


def expected_graphs(project_dir: Path) -> dict[str, rdflib.Graph]:
    project = load_project(project_dir)
    graphs = {ONTOLOGY_IRI: to_rdflib_graph(project.ontology)}
    for src in project.sources:
        graphs[src.iri] = to_rdflib_graph(src.triples)
    return graphs


def union(graphs: Iterable[rdflib.Graph]) -> rdflib.Graph:
    out = rdflib.Graph()
    for g in graphs:
        for t in g:
            out.add(t)
    return out


# ---------------------------------------------------------------- files


def test_every_published_file_is_written(dist: Path) -> None:
    assert {p.name for p in dist.iterdir()} == EXPECTED_FILES
    assert all(p.stat().st_size > 0 for p in dist.iterdir())


def test_write_dist_returns_the_paths_it_wrote(project_dir: Path, tmp_path: Path) -> None:
    paths = write_dist(load_project(project_dir), tmp_path / "out")
    assert {p.name for p in paths} == EXPECTED_FILES
    assert paths[-1].name == SHA256SUMS
    assert all(p.parent == tmp_path / "out" and p.is_file() for p in paths)


def test_output_folder_must_be_empty(project_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "stale.txt").write_text("old")
    with pytest.raises(InputError, match="must be empty"):
        write_dist(load_project(project_dir), tmp_path)


def test_dump_names_come_from_the_format_type() -> None:
    assert [d.name for d in DUMPS] == [
        "polevents.nq",
        "polevents.trig",
        "polevents.nt",
        "polevents.ttl",
        "polevents.jsonld",
        "polevents.compact.jsonld",
    ]
    assert {d.fmt for d in DUMPS} == {
        RdfFormat.NQUADS,
        RdfFormat.TRIG,
        RdfFormat.NTRIPLES,
        RdfFormat.TURTLE,
        RdfFormat.JSONLD,
    }


# ---------------------------------------------------------------- same dataset everywhere


def test_quad_dumps_read_by_oxigraph_are_the_same_dataset(dist: Path) -> None:
    reference = ox_quads(dist / "polevents.nq")
    graphs = {q.graph_name.value for q in ox.parse(path=str(dist / "polevents.nq"), format=ox.RdfFormat.N_QUADS)}
    assert graphs == {G_ALPHA, G_BETA, ONTOLOGY_IRI}
    for name in QUAD_DUMPS[1:]:
        assert ox_quads(dist / name) == reference, name


def test_triple_dumps_read_by_oxigraph_are_the_union(dist: Path) -> None:
    quads = ox.parse(path=str(dist / "polevents.nq"), format=ox.RdfFormat.N_QUADS)
    expected = {str(q.triple) for q in quads}
    for name in TRIPLE_DUMPS:
        got = {str(q.triple) for q in ox.parse(_bytes(dist / name), format=_format(dist / name).oxigraph)}
        assert got == expected, name
    # the triple shared by both sources is written once
    nt = (dist / "polevents.nt").read_bytes().splitlines()
    assert len(nt) == len(set(nt)) == len(expected)


def test_every_dump_read_by_rdflib_is_isomorphic_to_the_sources(dist: Path, project_dir: Path) -> None:
    expected = expected_graphs(project_dir)
    for name in QUAD_DUMPS:
        got = rdflib_graphs(dist / name)
        assert set(got) == set(expected), name
        for iri, graph in expected.items():
            assert isomorphic(got[iri], graph), f"{name}: graph {iri} differs"
    expected_union = to_isomorphic(union(expected.values()))
    for name in TRIPLE_DUMPS:
        got = rdflib_graphs(dist / name)
        assert set(got) == {""}
        assert to_isomorphic(got[""]) == expected_union, name


def test_rdflib_and_oxigraph_read_the_same_statements(dist: Path) -> None:
    # rdflib's reading of the Turtle, written back as N-Triples and read by Oxigraph
    g = rdflib_graphs(dist / "polevents.ttl")[""]
    nt = g.serialize(format="nt", encoding="utf-8")
    through_rdflib = {str(q.triple) for q in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)}
    direct = {str(q.triple) for q in ox.parse(path=str(dist / "polevents.ttl"), format=ox.RdfFormat.TURTLE)}
    assert through_rdflib == direct


def test_lexical_forms_and_scripts_survive(dist: Path) -> None:
    nq = (dist / "polevents.nq").read_text(encoding="utf-8")
    assert '"1.30"^^<http://www.w3.org/2001/XMLSchema#decimal>' in nq  # not normalised to 1.3
    assert '"ә ғ қ ң ө ұ ү һ і Ә Ғ Қ Ң Ө Ұ Ү Һ І"@kk' in nq
    assert '"Айгерим Тест"@ru' in nq
    for dt in ("date", "gYearMonth", "gYear", "dateTime"):
        assert f"<http://www.w3.org/2001/XMLSchema#{dt}>" in nq
    ttl = (dist / "polevents.ttl").read_text(encoding="utf-8")
    assert "Әйгерім Тест" in ttl and "\\u04D9" not in ttl.upper()  # raw UTF-8, not escaped


def test_iris_stay_absolute(dist: Path) -> None:
    for name in ("polevents.ttl", "polevents.trig", "ontology.ttl", "shapes.ttl", "void.ttl"):
        text = (dist / name).read_text(encoding="utf-8")
        assert "@base" not in text and "BASE " not in text, name
    context = json.loads((dist / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    assert "@base" not in context and "@vocab" not in context
    assert all(v.startswith(("http://", "https://")) for v in context.values())
    # parsing without a base IRI succeeds only if no IRI is relative
    for name in ("polevents.ttl", "polevents.trig", "polevents.nq"):
        assert list(ox.parse(path=str(dist / name), format=_format(dist / name).oxigraph))


def test_dumps_use_dataset_prefixes(dist: Path) -> None:
    ttl = (dist / "polevents.ttl").read_text(encoding="utf-8")
    assert f"@prefix person: <{BASE}id/person/> ." in ttl
    assert "person:aigerim-test " in ttl
    assert "source-alpha-sentence:1" in ttl
    trig = (dist / "polevents.trig").read_text(encoding="utf-8")
    assert "graph:alpha {" in trig and "graph:beta {" in trig


def test_nquads_are_sorted_by_graph_then_line(dist: Path) -> None:
    lines = (dist / "polevents.nq").read_bytes().splitlines()
    graphs = [line.rsplit(b" ", 2)[1] for line in lines]
    assert graphs == sorted(graphs)
    for g in set(graphs):
        block = [line for line, name in zip(lines, graphs, strict=True) if name == g]
        assert block == sorted(block)
    nt = (dist / "polevents.nt").read_bytes().splitlines()
    assert nt == sorted(set(nt))


# ---------------------------------------------------------------- JSON-LD


def test_jsonld_is_compacted_with_the_published_context(dist: Path) -> None:
    doc = json.loads((dist / "polevents.jsonld").read_text(encoding="utf-8"))
    context = json.loads((dist / "context.jsonld").read_text(encoding="utf-8"))
    assert doc["@context"] == context["@context"]
    graphs = {g["@id"]: g["@graph"] for g in doc["@graph"]}
    assert set(graphs) == {"graph:alpha", "graph:beta", ONTOLOGY_IRI}
    nodes = {n["@id"]: n for n in graphs["graph:alpha"]}
    person = nodes["person:aigerim-test"]
    assert person["@type"] == "pe:Person"
    assert {"@value": "Әйгерім Тест", "@language": "kk"} in person["skos:altLabel"]
    assert person["skos:hiddenLabel"] == "Aigerym Tst"
    amount = nodes["amount:test-amount"]
    assert amount["schema:value"] == {"@value": "1.30", "@type": "xsd:decimal"}


def _pyld_nquads(doc: object) -> str:
    from pyld import jsonld

    return str(jsonld.to_rdf(doc, {"format": "application/n-quads"}))


def test_pyld_reads_the_jsonld_into_the_same_dataset(dist: Path) -> None:
    doc = json.loads((dist / "polevents.jsonld").read_text(encoding="utf-8"))
    nquads = _pyld_nquads(doc)
    got = {str(q) for q in ox.parse(nquads.encode(), format=ox.RdfFormat.N_QUADS)}
    expected = {str(q) for q in ox.parse(path=str(dist / "polevents.nq"), format=ox.RdfFormat.N_QUADS)}
    assert len(nquads.splitlines()) == len(expected)
    assert got == expected


def test_pyld_reads_the_vocabulary_jsonld_files(dist: Path) -> None:
    for stem in ("ontology", "shapes"):
        doc = json.loads((dist / f"{stem}.jsonld").read_text(encoding="utf-8"))
        g_json = rdflib.Graph().parse(data=_pyld_nquads(doc), format="nquads")
        g_ttl = rdflib.Graph().parse(dist / f"{stem}.ttl", format="turtle")
        assert len(g_json) == len(g_ttl) > 10
        assert isomorphic(g_json, g_ttl), stem


def test_our_compaction_equals_pyld_compaction(dist: Path) -> None:
    from pyld import jsonld

    ours = json.loads((dist / "polevents.jsonld").read_text(encoding="utf-8"))
    context = ours["@context"]
    expanded = jsonld.from_rdf((dist / "polevents.nq").read_text(encoding="utf-8"), {"format": "application/n-quads"})
    theirs = jsonld.compact(expanded, {"@context": context})
    assert {str(q) for q in ox.parse(_pyld_nquads(theirs).encode(), format=ox.RdfFormat.N_QUADS)} == {
        str(q) for q in ox.parse(_pyld_nquads(ours).encode(), format=ox.RdfFormat.N_QUADS)
    }

    # and the same node objects, value for value
    def nodes(doc: dict) -> dict[str, dict]:
        return {n["@id"]: n for g in doc["@graph"] for n in g.get("@graph", [])}

    def canon(node: dict) -> dict:
        def each(v: object) -> list[object]:
            return v if isinstance(v, list) else [v]

        return {k: sorted(json.dumps(x, sort_keys=True) for x in each(v)) for k, v in node.items()}

    ours_nodes, theirs_nodes = nodes(ours), nodes(theirs)
    assert set(ours_nodes) == set(theirs_nodes)
    for key in ours_nodes:
        assert canon(ours_nodes[key]) == canon(theirs_nodes[key]), key


def test_compactor_prefers_the_longest_prefix_and_refuses_ambiguity() -> None:
    compact = IriCompactor({"s": "http://x.org/s/", "ss": "http://x.org/s/a/", "urn": "http://u/"})
    assert compact("http://x.org/s/a/1") == "ss:1"
    assert compact("http://x.org/s/b") == "s:b"
    assert compact("http://x.org/s/") == "http://x.org/s/"  # empty local part: left absolute
    assert compact("http://x.org/s///x") == "http://x.org/s///x"  # "s://x" would be an absolute IRI
    with pytest.raises(InputError, match="scheme"):
        compact("urn:isbn:123")


# ---------------------------------------------------------------- checksums and determinism


def test_sha256sum_check_passes(dist: Path) -> None:
    if shutil.which("sha256sum") is None:
        pytest.skip("sha256sum (coreutils) is not installed")
    done = subprocess.run(["sha256sum", "-c", SHA256SUMS], cwd=dist, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    listed = [line.split("  ", 1)[1] for line in (dist / SHA256SUMS).read_text().splitlines()]
    assert listed == sorted(listed)
    assert set(listed) == EXPECTED_FILES - {SHA256SUMS}


def test_sha256sums_catch_a_changed_file(dist: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(dist, copy)
    with (copy / "polevents.nt").open("ab") as f:
        f.write(b"<urn:x:a> <urn:x:b> <urn:x:c> .\n")
    lines = (copy / SHA256SUMS).read_text().splitlines()
    for line in lines:
        digest, name = line.split("  ", 1)
        ok = hashlib.sha256((copy / name).read_bytes()).hexdigest() == digest
        assert ok == (name != "polevents.nt"), name


def test_gzip_copies_are_deterministic_and_complete(dist: Path) -> None:
    for name in ("polevents.nq", "polevents.nt", "polevents.ttl"):
        raw = (dist / f"{name}.gz").read_bytes()
        assert raw[:2] == b"\x1f\x8b"
        assert raw[4:8] == b"\x00\x00\x00\x00", "mtime must be 0"
        assert raw[3] & 0x08 == 0, "no file name in the header"
        assert gzip.decompress(raw) == (dist / name).read_bytes()


def test_two_builds_are_byte_identical(project_dir: Path, tmp_path: Path, dist: Path) -> None:
    again = tmp_path / "again"
    write_dist(load_project(project_dir), again)
    for path in sorted(dist.iterdir()):
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name


def test_builds_in_separate_processes_are_byte_identical(project_dir: Path, tmp_path: Path) -> None:
    """Different hash seeds: nothing may depend on set or dict iteration order."""
    script = (
        "import sys; from pathlib import Path; from polevents.load import load_project; "
        "from polevents.export import write_dist; write_dist(load_project(Path(sys.argv[1])), Path(sys.argv[2]))"
    )
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        env.pop("SOURCE_DATE_EPOCH", None)
        subprocess.run([sys.executable, "-c", script, str(project_dir), str(out)], check=True, env=env)
        outs.append(out)
    for path in sorted(outs[0].iterdir()):
        assert (outs[1] / path.name).read_bytes() == path.read_bytes(), path.name


def test_parallel_conversion_writes_the_same_bytes(project_dir: Path, tmp_path: Path) -> None:
    dataset = CanonicalDataset.from_project(load_project(project_dir))
    prefixes = publish_prefixes(dataset, BASE)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = write_dumps(dataset, tmp_path / "a", prefixes, parallel=False)
    two = write_dumps(dataset, tmp_path / "b", prefixes, parallel=True)
    assert one == two
    for f in one:
        assert (tmp_path / "a" / f.name).read_bytes() == (tmp_path / "b" / f.name).read_bytes(), f.name


def test_the_conversion_child_process_really_runs(dist: Path, tmp_path: Path) -> None:
    from polevents.export.worker import Conversion

    prefixes = json.loads((dist / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    job = Conversion(dist / "polevents.nq", RdfFormat.NQUADS, tmp_path / "x.trig", RdfFormat.TRIG, prefixes)
    job.start()
    assert job.child is not None
    job.wait()
    assert job.child.wait() == 0  # it converted, and ended when told to
    assert (tmp_path / "x.trig").read_bytes() == (dist / "polevents.trig").read_bytes()


def _fail() -> Message:
    raise SystemExit(3)


def test_a_failing_child_falls_back_to_converting_here(dist: Path, tmp_path: Path) -> None:
    from polevents.export.worker import Conversion

    prefixes = json.loads((dist / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    job = Conversion(dist / "polevents.nt", RdfFormat.NTRIPLES, tmp_path / "x.ttl", RdfFormat.TURTLE, prefixes)
    job.child = Child.fork(_fail)
    job.wait()
    assert (tmp_path / "x.ttl").read_bytes() == (dist / "polevents.ttl").read_bytes()


# ---------------------------------------------------------------- canonical form, blank nodes, prefixes


def _parse_triples(text: str) -> list[ox.Triple]:
    return [q.triple for q in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)]


def test_blank_nodes_get_canonical_labels_unique_across_graphs() -> None:
    ttl = '@prefix ex: <http://ex.org/> . ex:s ex:p [ ex:q "1" ; ex:r ( ex:a ex:b ) ] .'
    first = CanonicalDataset.from_graphs([("http://g/1", _parse_triples(ttl)), ("http://g/2", _parse_triples(ttl))])
    second = CanonicalDataset.from_graphs([("http://g/1", _parse_triples(ttl)), ("http://g/2", _parse_triples(ttl))])
    assert [g.lines for g in first.graphs] == [g.lines for g in second.graphs]  # random parser labels gone
    labels = [{t for line in g.lines for t in line.split(b" ") if t.startswith(b"_:")} for g in first.graphs]
    assert labels[0] and labels[1] and not labels[0] & labels[1]
    # the union keeps both structures apart
    assert len(first.union_lines) == first.quad_count


def test_lines_sort_like_full_ntriples_lines() -> None:
    ttl = (
        '@prefix ex: <http://ex.org/> . ex:s ex:p "abc", "abc"@en, "abc"^^ex:t, "ab", ex:o, ex:o2 ; '
        "ex:p2 _:b1, _:b10 . ex:s2 ex:p 1 ."
    )
    dataset = CanonicalDataset.from_graphs([("http://g/1", _parse_triples(ttl))])
    nt = dataset.ntriples().splitlines()
    assert nt == sorted(nt)
    assert b"".join(dataset.nquads()).splitlines() == sorted(b"".join(dataset.nquads()).splitlines())


def test_tally_made_by_the_jsonld_writer_equals_a_fresh_count(dist: Path, project_dir: Path, tmp_path: Path) -> None:
    from polevents.export.jsonld import write_jsonld

    dataset = CanonicalDataset.from_project(load_project(project_dir))
    tallies: dict[str, Tally] = {}
    write_jsonld(dataset, publish_prefixes(dataset, BASE), tmp_path / "x.jsonld", tallies)
    for g in dataset.graphs:
        assert tallies[g.iri] == Tally.of(g.lines), g.iri


def test_dataset_prefixes_follow_the_iri_folders() -> None:
    base = "https://ex.org/"
    prefixes = dataset_prefixes(
        base,
        [
            f"{base}id/person/ann",
            f"{base}id/source/doc/sentence/3",
            f"{base}graph/doc",
            f"{base}id/org/x",  # "org" is taken by the W3C ORG vocabulary: no prefix
            f"{base}id/2022/x",  # not a valid prefix name
            f"{base}id/urn/x",  # a URI scheme: never a prefix name
            "http://elsewhere.org/id/person/bob",
        ],
    )
    assert prefixes["person"] == f"{base}id/person/"
    assert prefixes["source-doc-sentence"] == f"{base}id/source/doc/sentence/"
    assert prefixes["graph"] == f"{base}graph/"
    assert prefixes["org"] == "http://www.w3.org/ns/org#"
    assert "urn" not in prefixes
    assert f"{base}id/2022/" not in prefixes.values()
    assert list(prefixes) == sorted(prefixes)


# ---------------------------------------------------------------- vocabulary files and the ontology page


def test_ontology_files_hold_the_ontology_graph_with_its_version_iri(dist: Path, project_dir: Path) -> None:
    project = load_project(project_dir)
    expected = to_rdflib_graph(project.ontology)
    for name in ("ontology.ttl", "ontology.jsonld"):
        g = rdflib.Graph().parse(dist / name, format=_format(dist / name).rdflib_name)
        assert isomorphic(g, expected), name
        versions = list(g.objects(rdflib.URIRef(ONTOLOGY_IRI), rdflib.OWL.versionIRI))
        assert len(versions) == 1


def test_shapes_files_hold_the_shapes(dist: Path, project_dir: Path) -> None:
    project = load_project(project_dir)
    expected = to_rdflib_graph(project.shapes)
    for name in ("shapes.ttl", "shapes.jsonld"):
        g = rdflib.Graph().parse(dist / name, format=_format(dist / name).rdflib_name)
        assert isomorphic(g, expected), name
    assert "sh:property [" in (dist / "shapes.ttl").read_text(encoding="utf-8")  # nested, readable


def test_ontology_page_is_valid_html5_with_an_anchor_per_term(dist: Path, project_dir: Path) -> None:
    html5rdf = pytest.importorskip("html5rdf")
    import re

    text = (dist / "ontology.html").read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    html5rdf.HTMLParser(strict=True).parse(text)  # raises on any parse error
    ids = re.findall(r'\bid="([^"]+)"', text)
    assert len(ids) == len(set(ids)), "duplicate ids"
    for target in set(re.findall(r'href="#([^"]+)"', text)):
        assert target in ids, f"dangling link #{target}"
    project = load_project(project_dir)
    pe = "https://w3id.org/polevents/ontology#"
    terms = {t.subject.value[len(pe) :] for t in project.ontology if t.subject.value.startswith(pe)}
    assert terms and terms <= set(ids)


def test_ontology_page_shows_what_the_graph_says(dist: Path) -> None:
    text = (dist / "ontology.html").read_text(encoding="utf-8")
    section = text[text.index('<section class="term" id="Tenure">') :]
    section = section[: section.index("</section>")]
    assert "tenure" in section
    assert 'href="http://www.wikidata.org/entity/P39"' in section  # the Wikidata annotation
    assert "Domain of" in section and 'href="#holder"' in section
    person = text[text.index('id="Person"') :]
    person = person[: person.index("</section>")]
    assert "Alignments" in person and "foaf:Person" in person
    assert "https://w3id.org/polevents/ontology/" in text  # the version IRI


def test_ontology_page_escapes_html() -> None:
    from polevents.export.ontodoc import render_ontology_html

    pe = "https://w3id.org/polevents/ontology#"
    triples = _parse_triples(
        f"<{pe}X> a <http://www.w3.org/2002/07/owl#Class> ; "
        f'<http://www.w3.org/2000/01/rdf-schema#label> "<script>alert(1)</script>"@en .'
    )
    page = render_ontology_html(triples, {"pe": pe})
    assert "<script>alert" not in page and "&lt;script&gt;" in page


# ---------------------------------------------------------------- the real project


def test_real_project_builds_and_checks(tmp_path: Path) -> None:
    from polevents.build import build

    result = build(copy_repo_project(tmp_path / "project"), tmp_path / "dist")
    # every published file, and the query index (dist/.index: not published, not in SHA256SUMS)
    assert {p.name for p in result.out_dir.iterdir()} == EXPECTED_FILES | {".index"}
    if shutil.which("sha256sum"):
        subprocess.run(["sha256sum", "--quiet", "-c", SHA256SUMS], cwd=result.out_dir, check=True)
    nq = {str(q) for q in ox.parse(path=str(result.out_dir / "polevents.nq"), format=ox.RdfFormat.N_QUADS)}
    doc = json.loads((result.out_dir / "polevents.jsonld").read_text(encoding="utf-8"))
    assert {str(q) for q in ox.parse(_pyld_nquads(doc).encode(), format=ox.RdfFormat.N_QUADS)} == nq
    ttl = {str(q.triple) for q in ox.parse(path=str(result.out_dir / "polevents.ttl"), format=ox.RdfFormat.TURTLE)}
    triples = {str(q.triple) for q in ox.parse(path=str(result.out_dir / "polevents.nq"), format=ox.RdfFormat.N_QUADS)}
    assert ttl == triples
