"""``polevents query`` locally: every form, the query sources, prefixes, graphs, every error, timeouts, start-up."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from polevents.dataset import DUMP_NQUADS
from polevents.errors import InputError, QueryError, QueryTimeoutError
from polevents.query import (
    QueryForm,
    QueryText,
    execute,
    list_queries,
    named_query,
    prepare,
    remote_text,
)
from polevents.query.engine import prepare as prepare_text
from polevents.query.scan import declared_prefixes
from support import QUERY_FIXTURE, make_query_project, run

BASE = "https://example.org/pe/"
PE = "https://w3id.org/polevents/ontology#"
#: Six independent patterns over ~35 triples: 35^6 ≈ 1.8e9 solutions, far beyond any timeout here.
RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?q ?r ?t }"


def ntriples_dump(root: Path) -> Path:
    """The N-Triples dump of the dataset: the union of its graphs, each triple once."""
    store = ox.Store()
    store.bulk_load(path=str(root / "dist" / DUMP_NQUADS), format=ox.RdfFormat.N_QUADS)
    triples = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in store}, key=str)
    path = root / "dump.nt"
    ox.serialize(triples, str(path), ox.RdfFormat.N_TRIPLES)
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_query_project(tmp_path / "project")


# --------------------------------------------------------------------------- forms and data


def test_count_equals_the_ntriples_dump(project: Path) -> None:
    lines = ntriples_dump(project).read_text(encoding="utf-8").splitlines()
    r = run("query", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "--project", str(project), "--format", "csv")
    assert r.code == 0, r.err
    rows = list(csv.reader(io.StringIO(r.out)))
    assert rows == [["n"], [str(len(lines))]]
    # One triple is stated in both sources: the union holds it once, GRAPH sees it twice.
    quads = (project / "dist" / DUMP_NQUADS).read_text(encoding="utf-8").splitlines()
    assert len(quads) == len(lines) + 1


def test_select_rows_and_variables(project: Path) -> None:
    r = run("query", "--name", "people", "--project", str(project), "--format", "json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["head"]["vars"] == ["person", "label"]
    labels = [b["label"]["value"] for b in doc["results"]["bindings"]]
    assert labels == ["Dariga Nazarbayeva", "Kassym-Jomart Tokayev", "Yerlan Koshanov"]
    assert doc["results"]["bindings"][1]["person"] == {"type": "uri", "value": f"{BASE}id/person/tokayev"}


def test_ask_true_false_and_exit_status(project: Path) -> None:
    yes = run("query", "ASK { ?p a pe:Person }", "--project", str(project))
    no = run("query", "ASK { ?p a pe:Referendum }", "--project", str(project))
    # not a terminal: CSV, whose lines end in CRLF (RFC 4180), for ASK as for SELECT
    assert (yes.code, yes.out) == (0, "true\n")
    assert (no.code, no.out) == (0, "false\n")  # the answer is data, not failure...
    strict = run("query", "ASK { ?p a pe:Referendum }", "--project", str(project), "--ask-exit")
    assert (strict.code, strict.out) == (1, "false\n")  # ...unless asked, like grep
    assert run("query", "ASK {}", "--project", str(project), "--ask-exit").code == 0


def test_construct_and_describe(project: Path) -> None:
    r = run(
        "query",
        "CONSTRUCT { ?p rdfs:label ?l } WHERE { ?p a pe:Person ; rdfs:label ?l }",
        "--project",
        str(project),
        "--format",
        "nt",
    )
    assert r.code == 0, r.err
    triples = set(ox.parse(r.data, format=ox.RdfFormat.N_TRIPLES))
    assert len(triples) == 3
    d = run("query", "DESCRIBE <id/person/koshanov>", "--project", str(project), "--format", "nt")
    assert d.code == 0, d.err
    described = list(ox.parse(d.data, format=ox.RdfFormat.N_TRIPLES))
    assert {t.subject.value for t in described} == {f"{BASE}id/person/koshanov"}
    assert len(described) == 3  # type, label, altLabel (the ontology graph adds nothing about him)


def test_graph_results_default_to_turtle(project: Path) -> None:
    r = run("query", "CONSTRUCT WHERE { ?s a pe:PoliticalParty }", "--project", str(project))
    assert r.code == 0, r.err
    assert "@prefix pe: <https://w3id.org/polevents/ontology#> ." in r.out
    assert "@prefix wd:" not in r.out  # only the prefixes the triples use


def test_default_graph_is_the_union_and_graph_reaches_each(project: Path) -> None:
    r = run("query", "--name", "graphs", "--project", str(project), "--format", "json")
    doc = json.loads(r.out)
    counts = {b["g"]["value"]: int(b["n"]["value"]) for b in doc["results"]["bindings"]}
    assert set(counts) == {f"{BASE}graph/alpha", f"{BASE}graph/beta", "https://w3id.org/polevents/ontology"}
    union = run("query", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "--project", str(project), "--format", "csv")
    assert int(union.out.split()[1]) == sum(counts.values()) - 1  # the shared triple
    in_beta = run(
        "query",
        f"ASK {{ GRAPH <{BASE}graph/beta> {{ <id/person/tokayev> a pe:Person }} }}",
        "--project",
        str(project),
    )
    assert in_beta.out == "true\n"


def test_relative_iris_resolve_against_the_dataset_base(project: Path) -> None:
    r = run("query", "SELECT ?l { <id/person/koshanov> rdfs:label ?l }", "--project", str(project), "--format", "tsv")
    assert r.out.splitlines() == ["?l", '"Yerlan Koshanov"@en']


def test_a_declared_prefix_wins_over_the_predefined_one(project: Path) -> None:
    q = "PREFIX pe: <https://example.org/pe/id/person/>\nSELECT ?l { pe:tokayev <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    r = run("query", q, "--project", str(project), "--format", "csv")
    assert r.code == 0, r.err
    assert r.out.splitlines()[1:] == ["Kassym-Jomart Tokayev"]


def test_query_from_file_and_stdin(project: Path, tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text("# count people\nSELECT (COUNT(?p) AS ?n) { ?p a pe:Person }\n", encoding="utf-8")
    from_file = run("query", "-f", str(path), "--project", str(project), "--format", "csv")
    from_stdin = run("query", "-f", "-", "--project", str(project), "--format", "csv", input=path.read_text())
    assert from_file.code == from_stdin.code == 0
    assert from_file.out == from_stdin.out == "n\r\n3\r\n"


def test_in_memory_when_not_built_says_so(tmp_path: Path) -> None:
    root = make_query_project(tmp_path / "project", built=False)
    r = run("query", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "--project", str(root), "--format", "csv")
    assert r.code == 0, r.err
    assert "in memory" in r.err and "not validated" in r.err
    assert r.out == "n\r\n34\r\n"
    assert (
        "in memory" not in run("query", "ASK {}", "--project", str(make_query_project(tmp_path / "b" / "project"))).err
    )


def test_explicit_dist_without_dump_is_an_error(project: Path, tmp_path: Path) -> None:
    r = run("query", "ASK {}", "--project", str(project), "--dist", str(tmp_path / "empty"))
    assert r.code == 2 and r.out == ""
    assert "run `polevents build` first" in r.err


def test_not_a_project_says_how_to_point_at_data(tmp_path: Path) -> None:
    r = run("query", "ASK {}", "--project", str(tmp_path))
    assert r.code == 2
    assert "--project" in r.err and "--endpoint" in r.err


# --------------------------------------------------------------------------- named queries


def test_list_named_queries(project: Path) -> None:
    r = run("query", "--list", "--project", str(project))
    assert r.code == 0
    assert r.out.splitlines() == [
        "graphs\tTriples per named graph",
        "people\tPeople and their English labels",
    ]
    assert [q.name for q in list_queries(project)] == ["graphs", "people"]


def test_unknown_name_lists_the_available_ones(project: Path) -> None:
    r = run("query", "--name", "nope", "--project", str(project))
    assert r.code == 2 and r.out == ""
    assert r.err.strip().splitlines() == [
        "polevents: error: unknown query name 'nope'; available: graphs, people (see `polevents query --list`)"
    ]
    with pytest.raises(InputError, match="available: graphs, people"):
        named_query(project, "../dist/polevents")


def test_name_with_suffix_and_origin_in_errors(project: Path) -> None:
    (project / "queries" / "broken.rq").write_text("# broken\nSELECT * {\n  ?s ?p ?o\n} LIMIT x\n", encoding="utf-8")
    r = run("query", "--name", "broken.rq", "--project", str(project))
    assert r.code == 2
    assert f"{project / 'queries' / 'broken.rq'}:4:9: syntax error" in r.err


# --------------------------------------------------------------------------- errors


def test_syntax_error_has_position_and_expectation(project: Path) -> None:
    r = run("query", "SELECT ?s WHERE {\n  ?s ?p ?o\n} LIMIT many", "--project", str(project))
    assert r.code == 2
    assert r.out == ""
    assert r.err.splitlines() == [
        "polevents: error: query:3:9: syntax error: expected one of HAVING, OFFSET, OPTIONAL, VALUES, a digit",
        "  } LIMIT many",  # the offending line...
        "          ^",  # ...and a caret under the column
    ]


def test_syntax_error_at_the_end_of_the_query(project: Path) -> None:
    r = run("query", "SELECT * WHERE {\n  ?s ?p ?o ", "--project", str(project))
    assert r.code == 2
    assert r.err.startswith('polevents: error: query:2:12: syntax error: expected one of ",", "."')
    assert "[_]" not in r.err
    eof = run("query", "SELECT * WHERE {\n  ?s ?p ?o\n", "--project", str(project))
    assert "(at the end of the query)" in eof.err


def test_syntax_error_position_is_in_the_users_text() -> None:
    """Positions count the user's lines and columns, not the predefined prefixes (passed natively)."""
    q = "SELECT * { ?s ?p ?o } LIMIT x"
    with pytest.raises(QueryError, match=rf"^query:1:{q.index('x') + 1}: syntax error"):
        prepare(QueryText(q), QUERY_FIXTURE)
    with pytest.raises(QueryError, match=r"^q\.rq:3:7: syntax error"):
        prepare(QueryText("PREFIX ex: <http://ex/>\nSELECT ?x { ?x ex:p ?y }\nLIMIT ?x", "q.rq"), QUERY_FIXTURE)
    wide = 'SELECT * { ?s ?p "漢字é" } LIMIT x'  # columns count characters, not bytes
    with pytest.raises(QueryError, match=rf"^query:1:{wide.index('x') + 1}: ") as caught:
        prepare(QueryText(wide), QUERY_FIXTURE)
    caret = caught.value.message.splitlines()[2]
    assert caret == "  " + " " * (wide.index("x") + 2) + "^"  # two CJK characters take two columns each


def test_unknown_prefix_is_one_line_with_its_position(project: Path) -> None:
    r = run("query", "SELECT * {\n  ?s foaf:name ?n ; bogus:knows ?o }", "--project", str(project))
    assert r.code == 2 and r.out == ""
    lines = r.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("polevents: error: query:2:21: unknown prefix 'bogus:'")
    assert "PREFIX bogus:" in lines[0] and "schema" in lines[0]


def test_missing_file(project: Path, tmp_path: Path) -> None:
    r = run("query", "-f", str(tmp_path / "none.rq"), "--project", str(project))
    assert r.code == 2 and r.out == ""
    assert r.err.strip().splitlines() == [f"polevents: error: {tmp_path / 'none.rq'}: no such query file"]


@pytest.mark.parametrize(
    ("query", "fmt", "hint"),
    [
        ("SELECT * { ?s ?p ?o }", "turtle", "use one of: table, csv, tsv, json, xml"),
        ("ASK {}", "nt", "use one of: table, csv, tsv, json, xml"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "csv", "use one of: turtle, jsonld, nt"),
        ("DESCRIBE <id/person/tokayev>", "table", "use one of: turtle, jsonld, nt"),
    ],
)
def test_format_that_does_not_fit_the_form(project: Path, query: str, fmt: str, hint: str) -> None:
    r = run("query", query, "--project", str(project), "--format", fmt)
    assert r.code == 2 and r.out == ""
    assert f"--format {fmt} is for" in r.err and hint in r.err


def test_unknown_format_lists_the_formats(project: Path) -> None:
    r = run("query", "ASK {}", "--project", str(project), "--format", "yaml")
    assert r.code == 2
    assert "table, csv, tsv, json, xml, turtle, jsonld, nt" in r.err


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["ASK {}", "--name", "people"],
        ["ASK {}", "-f", "x.rq"],
        ["--list", "--name", "people"],
        ["ASK {}", "--dist", "d", "--endpoint", "http://127.0.0.1:9/sparql"],
        ["ASK {}", "--endpoint", "ftp://example.org/"],
    ],
)
def test_usage_errors_exit_2(project: Path, args: list[str]) -> None:
    r = run("query", *args, "--project", str(project))
    assert r.code == 2 and r.out == ""


def test_update_is_refused(project: Path) -> None:
    r = run("query", "INSERT DATA { <a> <b> <c> }", "--project", str(project))
    assert r.code == 2
    assert "read-only" in r.err


def test_empty_query(project: Path) -> None:
    r = run("query", "  \n", "--project", str(project))
    assert r.code == 2 and "empty" in r.err


# --------------------------------------------------------------------------- timeout


def test_timeout_stops_a_runaway_query(project: Path) -> None:
    r = run("query", RUNAWAY, "--project", str(project), "--timeout", "0.5")
    assert r.code == 3
    assert r.out == ""
    assert "longer than 0.5 s and was stopped" in r.err
    assert _child_processes() == []  # the worker was killed and reaped


def test_timeout_library_raises_and_leaves_no_process(project: Path) -> None:
    prepared = prepare(QueryText(RUNAWAY), project)
    with pytest.raises(QueryTimeoutError):
        execute(prepared, project=project, timeout=0.3)
    assert _child_processes() == []


def _child_processes() -> list[int]:
    """Processes whose parent is this one, zombies included (a child killed but not reaped counts)."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid():
                children.append(int(entry.name))
    return children


def test_timeout_path_gives_the_same_answer(project: Path) -> None:
    for text in ("SELECT ?p ?l { ?p rdfs:label ?l } ORDER BY ?l", "ASK { ?s ?p ?o }", "CONSTRUCT WHERE { ?s a ?t }"):
        prepared = prepare(QueryText(text), project)
        direct = execute(prepared, project=project)
        bounded = execute(prepared, project=project, timeout=30)
        assert (bounded.variables, bounded.rows, bounded.boolean, bounded.triples) == (
            direct.variables,
            direct.rows,
            direct.boolean,
            direct.triples,
        )


def test_errors_inside_the_worker_come_back(project: Path) -> None:
    prepared = prepare(QueryText("SELECT * { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"), project)
    with pytest.raises(QueryError, match="the query failed"):
        execute(prepared, project=project, timeout=30)


# --------------------------------------------------------------------------- query text helpers


def test_the_form_skips_prologue_comments_and_strings() -> None:
    q = '# SELECT in a comment\nPREFIX ex: <http://ex/#ASK>\nBASE <http://b/>\n  construct { ?s ?p "SELECT" } where {}'
    assert prepare_text(q, check=False).form is QueryForm.CONSTRUCT
    assert prepare_text("describe <x>", check=False).form is QueryForm.DESCRIBE
    with pytest.raises(QueryError, match="cannot tell the query form"):
        prepare_text("FOO", check=False)
    with pytest.raises(QueryError, match="SPARQL Update"):
        prepare_text("PREFIX a: <b>\nDELETE WHERE { ?s ?p ?o }", check=False)
    # one lexer: a \u escape that spells a keyword is read as the keyword, by the form and the guard alike
    with pytest.raises(QueryError, match="SPARQL Update"):
        prepare_text("\\u0044ELETE WHERE { ?s ?p ?o }")


def test_declared_prefixes_ignore_comments_and_strings() -> None:
    q = '# PREFIX no: <http://no/>\nPREFIX ex: <http://ex/#>\nSELECT * { ?s ?p "PREFIX str: <x>" }'
    assert declared_prefixes(q) == {"ex": "http://ex/#"}


def test_remote_text_keeps_line_numbers_and_user_prefixes() -> None:
    q = "PREFIX pe: <http://mine/>\nSELECT ?x {\n  ?x a pe:T ; rdfs:label ?l ; <http://x/#y:z> 'skos:no' }"
    prepared = prepare(QueryText(q), QUERY_FIXTURE)
    sent = remote_text(prepared)
    assert sent.count("\n") == q.count("\n")  # same lines
    first = sent.splitlines()[0]
    assert first.startswith(
        f"BASE <{BASE}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX pe: <http://mine/>"
    )
    assert "PREFIX skos" not in sent and "PREFIX pe: <https://w3id.org" not in sent
    # what is sent parses without any predefined prefix
    ox.Store().query(sent)


def test_no_check_skips_the_local_parse() -> None:
    prepared = prepare(QueryText("SELECT * WHERE { ?s ?p ?o } LIMIT"), QUERY_FIXTURE, check=False)
    assert prepared.form is QueryForm.SELECT


# --------------------------------------------------------------------------- start-up cost


def test_ask_does_not_import_what_it_does_not_use(project: Path) -> None:
    code = (
        "import sys\n"
        "from polevents.cli import main\n"
        f"main(['query', 'ASK {{}}', '--dist', {str(project / 'dist')!r}])\n"
        "heavy = ('pyshacl', 'starlette', 'uvicorn', 'jinja2', 'httpx', 'rdflib', 'pyld', 'multiprocessing')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.splitlines() == ["true", "[]"], r.stderr


def test_jsonld_output_does_not_need_rdflib(project: Path) -> None:
    code = (
        "import sys\n"
        "from polevents.cli import main\n"
        f"main(['query', 'CONSTRUCT WHERE {{ ?s a ?t }}', '--format', 'jsonld', '--dist', {str(project / 'dist')!r}])\n"
        "print('rdflib' in sys.modules, 'pyshacl' in sys.modules)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.splitlines()[-1] == "False False", r.stderr


def test_select_star_keeps_the_order_the_query_names_variables(project: Path) -> None:
    r = run(
        "query", "SELECT * { ?s ?p ?o . FILTER(?p = rdfs:label) } LIMIT 1", "--project", str(project), "--format", "csv"
    )
    assert r.out.splitlines()[0] == "s,p,o"
    r = run(
        "query",
        "SELECT DISTINCT * WHERE { ?who a pe:Person OPTIONAL { ?who skos:hiddenLabel ?alias } }",
        "--project",
        str(project),
        "--format",
        "json",
    )
    assert json.loads(r.out)["head"]["vars"] == ["who", "alias"]
    explicit = "SELECT ?b ?a { ?a ?b ?c }"
    assert prepare_text(explicit).evaluated == explicit  # an explicit projection is kept as written
    spelled = prepare_text("PREFIX x: <http://y/>\n# ?z in a comment\nselect * { ?b <http://p> '?q', ?a }").evaluated
    assert spelled == "PREFIX x: <http://y/>\n# ?z in a comment\nselect ?b ?a { ?b <http://p> '?q', ?a }"
    # only the variables in scope: a FILTER's or a sub-select's own are not columns
    inner = "SELECT * { ?x ?p ?y FILTER NOT EXISTS { ?y ?q ?z } { SELECT ?x { ?x ?r ?w } } }"
    assert prepare_text(inner).evaluated.startswith("SELECT ?x ?p ?y {")


def test_help_states_the_graphs_prefixes_formats_and_exit_codes() -> None:
    r = run("query", "--help")
    assert r.code == 0
    text = " ".join(r.out.split())
    assert "the default graph is the UNION of all named graphs" in text and "GRAPH ?g" in text
    assert all(f"{name}:" in text for name in ("pe", "schema", "wd", "wdt", "prov", "skos"))
    assert "table on a terminal and csv in a pipe" in text
    squeezed = "".join(r.out.split())  # click may wrap at a hyphen
    assert "1ASKwasfalse,onlywith--ask-exit" in squeezed and "3timeout" in squeezed
