"""`polevents validate`: report formats, file and line of each result, exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import rdflib

from polevents.load import load_project
from polevents.validate import JSON_RESULT_KEYS, SHAPES_NS, find_line, validate_project
from support import REPO, run

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
BASE = "https://w3id.org/polevents/"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
FACTS = (FIXTURES / "facts.ttl").read_text(encoding="utf-8")

# Ben Sample's tenure ends before it starts: one violation, nothing else.
BEN_STARTS = '    pe:startDate "2022-01-28"^^xsd:date ;\n    pe:startedBy <id/event/ben-elected> ;\n'
BEN_ENDS_EARLY = BEN_STARTS + '    pe:endDate "2021"^^xsd:gYear ;\n'


def make_project(root: Path, facts: str = FACTS, name: str = "demo") -> Path:
    """A project with the repository's ontology, the polevents shapes and the fixture source."""
    (root / "ontology").mkdir(parents=True, exist_ok=True)
    for f in (REPO / "ontology").glob("*.ttl"):
        shutil.copy(f, root / "ontology" / f.name)
    (root / "shapes").mkdir(exist_ok=True)
    shutil.copy(REPO / "shapes" / "polevents-shapes.ttl", root / "shapes")
    (root / "polevents.toml").write_text(f'[dataset]\nbase = "{BASE}"\n', encoding="utf-8")
    data = root / "data" / name
    data.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / "source.ttl", data / "source.ttl")
    (data / "facts.ttl").write_text(facts, encoding="utf-8")
    return root


def planted(old: str, new: str) -> str:
    assert FACTS.count(old) == 1
    return FACTS.replace(old, new)


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


# ---------------------------------------------------------------- exit 0


def test_valid_project_conforms(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    r = run("validate", "--project", str(project))
    assert r.code == 0, r.err
    assert re.fullmatch(r"checked source demo against \d+ shapes\nconforms: 0 violations\n", r.out), r.out
    assert r.err == ""


def test_warnings_do_not_fail(tmp_path: Path) -> None:
    source = (FIXTURES / "source.ttl").read_text(encoding="utf-8")
    project = make_project(tmp_path)
    no_title = source.replace('    dcterms:title "A made-up article about Examplia"@en ;\n', "")
    assert no_title != source
    (project / "data" / "demo" / "source.ttl").write_text(no_title, encoding="utf-8")
    r = run("validate", "--project", str(project))
    assert r.code == 0, r.out + r.err
    line = line_of(no_title, "<id/source/demo> a pe:Source")
    assert f"data/demo/source.ttl:{line}: Warning: <id/source/demo> path=dcterms:title: " in r.out
    assert r.out.endswith("conforms: 0 violations, 1 warning\n")


# ---------------------------------------------------------------- exit 1, each format


def test_text_report_names_file_line_node_path_value_and_hint(tmp_path: Path) -> None:
    facts = planted(BEN_STARTS, BEN_ENDS_EARLY)
    project = make_project(tmp_path, facts)
    r = run("validate", "--project", str(project))
    assert r.code == 1
    line = line_of(facts, 'pe:endDate "2021"^^xsd:gYear')  # the triple carrying the value
    lines = r.out.splitlines()
    assert lines[0] == "== source demo: 1 violation"
    assert lines[1] == (
        f"data/demo/facts.ttl:{line}: Violation: Ben Sample as chair of the Unity Party (<id/tenure/ben-chair>) "
        'path=pe:endDate value="2021"^^xsd:gYear: The end date 2021 is before the start date 2022-01-28, '
        "whatever day within their precision is meant."
    )
    assert lines[2].startswith("    hint: Check both dates against the source")
    assert lines[-1] == "does not conform: 1 violation in 1 file"
    # the report is data (stdout); the error line is a one-line summary on stderr
    assert r.err == "polevents: error: does not conform: 1 violation in 1 file\n"


def test_json_report_has_stable_documented_keys(tmp_path: Path) -> None:
    facts = planted(BEN_STARTS, BEN_ENDS_EARLY)
    project = make_project(tmp_path, facts)
    r = run("validate", "--project", str(project), "--format", "json")
    assert r.code == 1
    doc = json.loads(r.out)
    assert doc["conforms"] is False
    assert doc["summary"] == {"violations": 1, "warnings": 0, "infos": 0, "graphs": ["demo"]}
    [result] = doc["results"]
    assert list(result) == list(JSON_RESULT_KEYS)
    assert result == {
        "severity": "Violation",
        "focus": BASE + "id/tenure/ben-chair",
        "focusLabel": "Ben Sample as chair of the Unity Party",
        "path": "https://w3id.org/polevents/ontology#endDate",
        "value": '"2021"^^<http://www.w3.org/2001/XMLSchema#gYear>',
        "message": result["message"],
        "hint": result["hint"],
        "sourceShape": SHAPES_NS + "EndBeforeStartShape",
        "constraintComponent": "http://www.w3.org/ns/shacl#SPARQLConstraintComponent",
        "sourceConstraint": SHAPES_NS + "EndBeforeStart",
        "graph": "demo",
        "file": "data/demo/facts.ttl",
        "line": line_of(facts, 'pe:endDate "2021"^^xsd:gYear'),
        "also": [],
    }
    assert "2021" in result["message"] and result["hint"]


def test_turtle_report_is_the_shacl_report_graph_and_deterministic(tmp_path: Path) -> None:
    # a nameless person, and a claim whose hedge fails an sh:node (pyshacl nests the reason, sh:detail)
    facts = planted(BEN_STARTS, BEN_ENDS_EARLY).replace("pe:hedge pe:believed", "pe:hedge pe:sibling")
    facts += "\n<id/person/nameless> a pe:Person .\n"
    project = make_project(tmp_path, facts)
    first = run("validate", "--project", str(project), "--format", "turtle")
    second = run("validate", "--project", str(project), "--format", "turtle")
    assert first.code == second.code == 1
    assert first.out == second.out
    g = rdflib.Graph().parse(data=first.out, format="turtle")
    [report] = g.subjects(rdflib.RDF.type, SH.ValidationReport)
    assert g.value(report, SH.conforms) == rdflib.Literal(False)
    results = list(g.objects(report, SH.result))
    focuses = {str(g.value(res, SH.focusNode)) for res in results}
    claim = BASE + "id/claim/cara-owns-market"
    assert focuses == {BASE + "id/tenure/ben-chair", BASE + "id/person/nameless", claim}
    [details] = [g.value(res, SH.detail) for res in results if str(g.value(res, SH.focusNode)) == claim]
    assert g.value(details, SH.focusNode) == rdflib.URIRef("https://w3id.org/polevents/ontology#sibling")
    for res in results:
        assert g.value(res, SH.resultSeverity) == SH.Violation
        assert g.value(res, rdflib.URIRef(SHAPES_NS + "hint")) is not None
        assert g.value(res, SH.resultMessage) is not None


def test_turtle_report_of_conforming_data(tmp_path: Path) -> None:
    r = run("validate", "--project", str(make_project(tmp_path)), "--format", "turtle")
    assert r.code == 0
    g = rdflib.Graph().parse(data=r.out, format="turtle")
    [report] = g.subjects(rdflib.RDF.type, SH.ValidationReport)
    assert g.value(report, SH.conforms) == rdflib.Literal(True)
    assert list(g.objects(report, SH.result)) == []


def test_text_report_is_grouped_by_source(tmp_path: Path) -> None:
    project = make_project(tmp_path, planted(BEN_STARTS, BEN_ENDS_EARLY))
    second = project / "data" / "second"
    second.mkdir()
    (second / "facts.ttl").write_text(
        "@prefix pe: <https://w3id.org/polevents/ontology#> .\n\n"
        "# a place without a label\n"
        "<id/place/nowhere> a pe:Place .\n",
        encoding="utf-8",
    )
    r = run("validate", "--project", str(project))
    assert r.code == 1
    headers = [line for line in r.out.splitlines() if line.startswith("== ")]
    assert headers == ["== source demo: 1 violation", "== source second: 1 violation"]
    block = r.out.split("== source second")[1]
    assert "data/second/facts.ttl:4: Violation: <id/place/nowhere> path=rdfs:label: Missing rdfs:label" in block
    assert r.out.rstrip().endswith("does not conform: 2 violations in 2 files")


def test_ill_typed_date_is_a_violation_without_a_traceback(tmp_path: Path) -> None:
    facts = planted('pe:date "2022-06-05"^^xsd:date', 'pe:date "2022-06-35"^^xsd:date')
    r = run("validate", "--project", str(make_project(tmp_path, facts)))
    assert r.code == 1
    line = line_of(facts, 'pe:date "2022-06-35"^^xsd:date')  # the triple carrying the value
    assert f"data/demo/facts.ttl:{line}: Violation: Referendum on the amendment" in r.out
    assert 'value="2022-06-35"^^xsd:date' in r.out
    assert "Traceback" not in r.err


# ---------------------------------------------------------------- exit 2


def test_broken_turtle_in_data_gives_file_line_col(tmp_path: Path) -> None:
    facts = FACTS.replace("<id/person/ben-sample> a pe:Person ;", "<id/person/ben-sample> a pe:Person ;;; ]", 1)
    project = make_project(tmp_path, facts)
    r = run("validate", "--project", str(project))
    assert r.code == 2
    assert r.out == ""
    m = re.match(r"polevents: error: (.+/data/demo/facts\.ttl):(\d+):(\d+): ", r.err)
    assert m, r.err
    assert int(m.group(2)) == line_of(facts, "<id/person/ben-sample> a pe:Person")


@pytest.mark.parametrize("folder", ["shapes", "ontology"])
def test_broken_turtle_in_shapes_or_ontology(tmp_path: Path, folder: str) -> None:
    project = make_project(tmp_path)
    (project / folder / "zz-broken.ttl").write_text(
        "@prefix ex: <http://example.org/> .\nex:a ex:b \n", encoding="utf-8"
    )
    r = run("validate", "--project", str(project))
    assert r.code == 2
    assert re.match(rf"polevents: error: .+/{folder}/zz-broken\.ttl:\d+:\d+: ", r.err), r.err


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    r = run("validate", "--project", str(make_project(tmp_path)), "--format", "xml")
    assert r.code == 2
    assert "text" in r.err and "turtle" in r.err and "json" in r.err


def test_missing_project_is_bad_input(tmp_path: Path) -> None:
    r = run("validate", "--project", str(tmp_path / "nope"))
    assert r.code == 2
    assert "does not exist" in r.err


# ---------------------------------------------------------------- the shipped data


def test_shipped_data_conforms() -> None:
    report = validate_project(load_project(REPO))
    violations = [r for r in report.results if r.severity == "Violation"]
    assert report.conforms, report.to_text()
    assert violations == []


# ---------------------------------------------------------------- find_line


TURTLE = """\
@prefix pe: <https://w3id.org/polevents/ontology#> .
@prefix person: <id/person/> .
@prefix abs: <https://w3id.org/polevents/id/place/> .

# <id/person/in-a-comment> is not a statement
<id/event/e1> a pe:Event ;
    pe:actor person:ana .
person:ana a pe:Person .
    <id/person/indented> a pe:Person .
abs:paris a pe:Place .
<https://w3id.org/polevents/id/place/rome> a pe:Place .
<id/event/e2> pe:actor <id/person/only-an-object> .
person:ana-b a pe:Person .
"""


@pytest.mark.parametrize(
    ("iri", "line"),
    [
        ("id/event/e1", 6),
        ("id/person/ana", 8),  # a prefixed subject wins over the earlier mention as an object
        ("id/person/indented", 9),
        ("id/place/paris", 10),  # prefix with an absolute namespace
        ("id/place/rome", 11),  # absolute IRI
        ("id/person/only-an-object", 12),  # no statement about it: its first mention
        ("id/person/ana-b", 13),  # person:ana is not person:ana-b
        ("id/person/in-a-comment", None),
        ("id/person/nobody", None),
    ],
)
def test_find_line(iri: str, line: int | None) -> None:
    assert find_line(TURTLE.splitlines(), BASE + iri, BASE) == line


def test_node_described_by_the_ontology_is_located_there(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    (project / "ontology" / "zz-extra.ttl").write_text(
        "@prefix pe: <https://w3id.org/polevents/ontology#> .\n"
        "<https://w3id.org/polevents/id/place/unnamed> a pe:Place .\n",
        encoding="utf-8",
    )
    r = run("validate", "--project", str(project))
    assert r.code == 1
    assert r.out.splitlines()[:2] == [
        "== outside the source graphs: 1 violation",
        "ontology/zz-extra.ttl:2: Violation: <id/place/unnamed> path=rdfs:label: "
        "Missing rdfs:label: every entity and fact needs a human-readable name.",
    ]
