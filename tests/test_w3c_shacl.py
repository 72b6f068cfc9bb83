"""The W3C SHACL test suites (Core and SHACL-SPARQL) run through the SPARQL screen.

The screen (:mod:`polevents.validate.screen`) lets ``polevents build`` publish without pyshacl when it
finds nothing, so it must never say "conforms" where the data does not conform.  Every case of the
W3C suites (vendored in ``tests/w3c-shacl/``, W3C licence beside them) is run through it:

* when the screen cannot check the shapes exactly it raises ``Unsupported`` (pyshacl decides): fine;
* otherwise, when the expected report has results, the screen must flag something, and when one of
  them has a severity other than ``sh:Warning``/``sh:Info`` (what stops a build), the screen must
  report a violation; a case the reference must refuse (``sht:Failure``) must not be decided.

A count check keeps the suite from shrinking silently (a filter left in a test suite once ran one
case of it for years).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from polevents.validate.screen import Unsupported, compile_shapes, screen

SUITE = Path(__file__).parent / "w3c-shacl"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = rdflib.Namespace("http://www.w3.org/ns/shacl-test#")
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
#: Severities that do not stop a build (pyshacl's allow_warnings)
_ALLOWED = {SH.Warning, SH.Info}

#: Cases per suite, as vendored from pyshacl 0.40.1's sdist (test/resources/sht_tests).
EXPECTED_COUNTS = {"core": 98, "sparql": 23}


@dataclass(frozen=True)
class Case:
    """One W3C test: its id, data and shapes files, and what the reference reports."""

    id: str
    data: Path
    shapes: Path
    failure: bool  # the reference must refuse the shapes (sht:Failure)
    results: int  # number of results expected
    blocking: int  # of them, with a severity other than sh:Warning/sh:Info


def _graph(path: Path) -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(path, format="turtle", publicID=path.as_uri())
    return g


def _file(iri: rdflib.term.Node) -> Path:
    text = str(iri)
    assert text.startswith("file://"), text
    return Path(text[len("file://") :])


def _cases(manifest: Path) -> list[Case]:
    g = _graph(manifest)
    found: list[Case] = []
    for m in sorted(g.subjects(rdflib.RDF.type, MF.Manifest), key=str):
        for inc in sorted(g.objects(m, MF.include), key=str):
            found.extend(_cases(_file(inc)))
        for head in g.objects(m, MF.entries):
            for entry in rdflib.collection.Collection(g, head):
                action = g.value(entry, MF.action)
                result = g.value(entry, MF.result)
                failure = result == SHT.Failure
                results = [] if failure else list(g.objects(result, SH.result))
                blocking = [r for r in results if g.value(r, SH.resultSeverity) not in _ALLOWED]
                name = _file(entry).relative_to(SUITE).as_posix().removesuffix(".ttl")
                found.append(
                    Case(
                        id=name.split("#")[0] if "#" not in name else name,
                        data=_file(g.value(action, SHT.dataGraph)),
                        shapes=_file(g.value(action, SHT.shapesGraph)),
                        failure=failure,
                        results=len(results),
                        blocking=len(blocking),
                    )
                )
    return found


CASES = _cases(SUITE / "manifest.ttl")


def test_the_suite_is_complete() -> None:
    """Every vendored case is found: the suite cannot shrink without this test failing."""
    counts = {suite: sum(1 for c in CASES if c.id.startswith(suite + "/")) for suite in EXPECTED_COUNTS}
    assert counts == EXPECTED_COUNTS
    assert len({c.id for c in CASES}) == len(CASES)
    files = sorted(p.relative_to(SUITE).as_posix() for p in SUITE.rglob("*.ttl"))
    assert len(files) == 150
    assert (SUITE / "LICENSE").is_file()


def _store(path: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.as_uri(), to_graph=ox.NamedNode("urn:data"))
    return store


def _verdict(case: Case) -> str:
    """ "unsupported", or the screen's finding: "violation", "warning" (results, none blocking), "conforms"."""
    try:
        report = screen(_store(case.data), compile_shapes(_graph(case.shapes)))
    except Unsupported:
        return "unsupported"
    if not report.conforms:
        return "violation"
    return "warning" if report.results else "conforms"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_the_screen_never_passes_what_the_reference_rejects(case: Case) -> None:
    verdict = _verdict(case)
    if verdict == "unsupported":
        return
    assert not case.failure, f"the reference refuses these shapes, the screen said {verdict}"
    if case.blocking:
        assert verdict == "violation", f"{case.blocking} blocking result(s) expected"
    elif case.results:
        assert verdict != "conforms", f"{case.results} result(s) expected"


def test_the_screen_decides_most_cases() -> None:
    """The screen stays useful: it decides a good share of the suite itself (pyshacl the rest)."""
    decided = [c for c in CASES if _verdict(c) != "unsupported"]
    assert len(decided) >= 60, len(decided)
