"""Query results at the endpoint: at most ``max_rows`` of them, then the writers of :mod:`polevents.query.results`.

pyoxigraph serialises a whole result set or nothing; the endpoint must stop
after ``max_rows`` solutions (or triples) and still write a valid document, so
it reads that many here and hands them to the writers ``polevents query`` uses
(:func:`polevents.query.results.solutions_document`, :func:`~polevents.query.results.boolean_document`,
:func:`~polevents.query.results.graph_document`).

    >>> import pyoxigraph as ox
    >>> table = collect_solutions(ox.Store().query("SELECT ?n { VALUES ?n { 1 2 3 } }"), 2)
    >>> len(table.rows), table.truncated
    (2, True)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..formats import RdfFormat

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

__all__ = ["GRAPH_FORMATS", "Table", "collect_solutions", "iter_capped"]


#: RDF formats offered for CONSTRUCT and DESCRIBE results, in the server's order of preference.
GRAPH_FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat.TURTLE,
    RdfFormat.NTRIPLES,
    RdfFormat.JSONLD,
    RdfFormat.RDFXML,
)


@dataclass
class Table:
    """Solutions read from a result iterator, at most ``max_rows`` of them."""

    variables: list[str]
    rows: list[list[pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | None]]
    truncated: bool


def collect_solutions(solutions: pyoxigraph.QuerySolutions, max_rows: int) -> Table:
    """Read up to ``max_rows`` solutions; ``truncated`` tells whether more were left."""
    variables = [v.value for v in solutions.variables]
    rows: list[list[pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | None]] = []
    truncated = False
    for solution in solutions:
        if len(rows) >= max_rows:
            truncated = True
            break
        rows.append([solution[i] for i in range(len(variables))])
    return Table(variables=variables, rows=rows, truncated=truncated)


def iter_capped(items: Iterator[pyoxigraph.Triple], max_rows: int) -> tuple[list[pyoxigraph.Triple], bool]:
    """At most ``max_rows`` items of an iterator, and whether more were left."""
    out: list[pyoxigraph.Triple] = []
    for item in items:
        if len(out) >= max_rows:
            return out, True
        out.append(item)
    return out, False
