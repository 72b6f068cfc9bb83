"""Literals as the screen writes and checks them: SPARQL terms for constants of the shapes, and the
ill-typed literals pyshacl rejects (``sh:datatype``), found once per screen and written into its queries.

pyshacl decides whether a literal is well-typed through rdflib; the screen asks Oxigraph for the literals
of the constrained datatypes and lets pyshacl's own rule judge each one (:func:`ill_typed`), so both
agree on every lexical form (:mod:`polevents.validate.screen`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..vocab import XSD
from .sparql_constraint import Unsupported

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph
    import rdflib

__all__ = ["StoredForms", "fill_ill_typed", "ill_typed", "sparql_term"]


def sparql_term(node: rdflib.term.Node) -> str:
    """``node`` (an IRI or a literal of the shapes graph) written as a SPARQL term."""
    import rdflib

    if isinstance(node, rdflib.URIRef):
        return f"<{node}>"
    if isinstance(node, rdflib.Literal):
        text = str(node).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        if node.language:
            return f'"{text}"@{node.language}'
        dt = node.datatype or rdflib.URIRef(XSD + "string")
        return f'"{text}"^^<{dt}>'
    raise Unsupported(f"a blank node as a constant ({node})")


def ill_typed(
    store: pyoxigraph.Store,
    datatypes: set[str],
    paths: set[str] | None,
    among: Iterable[pyoxigraph.Triple] | None = None,
) -> dict[str, list[str]]:
    """Literals of the constrained ``datatypes`` that pyshacl (through rdflib) rejects, per datatype, among
    the values of ``paths`` (predicate IRIs; None: any) in ``store`` — or, with ``among``, in those
    triples only (an incremental check: the literals a change added)."""
    import pyoxigraph as ox
    import rdflib
    from pyshacl.constraints.core.value_constraints import DatatypeConstraintComponent

    if not datatypes:
        return {}
    check = getattr(DatatypeConstraintComponent, "_assert_actual_datatype", None)
    if check is None:  # pyshacl changed: its datatype rule can no longer be reproduced exactly
        raise Unsupported("pyshacl's datatype check is not where it was; cannot mirror it")
    literals: Iterable[object]
    if among is not None:
        literals = {
            t.object
            for t in among
            if isinstance(t.object, ox.Literal)
            and t.object.datatype.value in datatypes
            and (paths is None or t.predicate.value in paths)
        }
    else:
        dts = ", ".join(f"<{d}>" for d in sorted(datatypes))
        if paths is not None:
            preds = " ".join(f"<{p}>" for p in sorted(paths))
            where = f"VALUES ?p {{ {preds} }} ?s ?p ?o ."
        else:
            where = "?s ?p ?o ."
        query = f"SELECT DISTINCT ?o WHERE {{ {where} FILTER(isLiteral(?o) && DATATYPE(?o) IN ({dts})) }}"
        rows = store.query(query, use_default_graph_as_union=True)
        assert isinstance(rows, ox.QuerySolutions)
        literals = (row[0] for row in rows)
    bad: dict[str, list[str]] = {d: [] for d in datatypes}
    for lit in literals:
        assert isinstance(lit, ox.Literal)
        dt = lit.datatype.value
        value = rdflib.Literal(lit.value, datatype=rdflib.URIRef(dt))
        if getattr(value, "ill_typed", None) is True or not check(None, value, rdflib.URIRef(dt)):
            bad[dt].append(sparql_term(value))
    for terms in bad.values():
        terms.sort()
    return bad


_ILL = re.compile(r"\{\{illtyped\|([^|]+)\|(\?[A-Za-z0-9_]+)\}\}")


def fill_ill_typed(condition: str, bad: dict[str, list[str]]) -> str:
    """``condition`` with each ``{{illtyped|datatype|?v}}`` placeholder of the compiler replaced by a test
    that ``?v`` is none of that datatype's ill-typed literals (``bad``, from :func:`ill_typed`)."""

    def repl(m: re.Match[str]) -> str:
        dt, v = m.group(1), m.group(2)
        terms = bad.get(dt, [])
        if not terms:
            return "true"
        return "!(" + " || ".join(f"sameTerm({v}, {t})" for t in terms) + ")"

    return _ILL.sub(repl, condition)


#: The XSD datatypes whose literals Oxigraph's store keeps as values, not as written: a valid lexical
#: form comes back canonical ("01"^^xsd:integer as "1", "1.50"^^xsd:decimal as "1.5", "PT24H" as
#: "P1D") and the derived integer types and xsd:dateTimeStamp come back as xsd:integer and xsd:dateTime.
_VALUE_TYPES = (
    "integer decimal float double boolean date dateTime dateTimeStamp time gYear gYearMonth gMonth gDay "
    "gMonthDay duration yearMonthDuration dayTimeDuration byte short int long unsignedByte unsignedShort "
    "unsignedInt unsignedLong positiveInteger nonNegativeInteger negativeInteger nonPositiveInteger"
).split()
_VALUE_TYPE_NAMES = frozenset(name.encode() for name in _VALUE_TYPES)
#: A typed XSD literal of N-Triples/N-Quads text.  A lexical form with a quote, a backslash or a line
#: break is no valid number or date, and such forms are kept as written: they need no match.
_TYPED = re.compile(rb'"([^"\\\n]*)"\^\^<http://www\.w3\.org/2001/XMLSchema#([A-Za-z]+)>')


class StoredForms:
    """Which typed literals of N-Quads text Oxigraph's store keeps otherwise than written.

    The screen reads the store, pyshacl reads the files: a shape on a lexical form (``sh:pattern``,
    ``sh:in``, ``STR()`` in SHACL-SPARQL) or on a datatype (``sh:datatype xsd:integer`` on
    ``"5"^^xsd:byte``) could pass in the store and fail in pyshacl.  Such data is left to pyshacl
    (:mod:`polevents.verdict`).  Each distinct literal is put once into a scratch store and read back.
    """

    def __init__(self) -> None:
        self.known: dict[tuple[bytes, bytes], str] = {}  # "" when kept as written

    def altered(self, nquads: bytes) -> str | None:
        """The first literal of ``nquads`` (in sorted order) the store keeps otherwise, described as
        ``"01"^^xsd:integer is kept as "1"^^xsd:integer``; None when every one is kept as written."""
        found = {f for f in set(_TYPED.findall(nquads)) if f[1] in _VALUE_TYPE_NAMES}
        new = sorted(f for f in found if f not in self.known)
        if new:
            self._check(new)
        return next((self.known[f] for f in sorted(found) if self.known[f]), None)

    def _check(self, literals: list[tuple[bytes, bytes]]) -> None:
        import pyoxigraph as ox

        store = ox.Store()
        p = ox.NamedNode("urn:polevents:p")
        for i, (lexical, name) in enumerate(literals):
            literal = ox.Literal(lexical.decode(), datatype=ox.NamedNode(XSD + name.decode()))
            store.add(ox.Quad(ox.NamedNode(f"urn:polevents:{i}"), p, literal))
        for quad in store:
            i = int(quad.subject.value.rsplit(":", 1)[1])
            lexical, name = literals[i]
            kept = quad.object
            assert isinstance(kept, ox.Literal)
            written = f'"{lexical.decode()}"^^xsd:{name.decode()}'
            same = kept.value == lexical.decode() and kept.datatype.value == XSD + name.decode()
            self.known[(lexical, name)] = "" if same else f"{written} is kept as {_short(kept)}"
        for pair in literals:
            self.known.setdefault(pair, "")


def _short(literal: pyoxigraph.Literal) -> str:
    dt = literal.datatype.value
    return f'"{literal.value}"^^' + (f"xsd:{dt[len(XSD) :]}" if dt.startswith(XSD) else f"<{dt}>")
