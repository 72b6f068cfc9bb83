"""Query results at the endpoint: the RDF formats it offers for graphs.

The results themselves are written by the query engine
(:func:`polevents.query.engine.write`), capped at the server's ``--max-rows``.
"""

from __future__ import annotations

from ..formats import RdfFormat

__all__ = ["GRAPH_FORMATS"]


#: RDF formats offered for CONSTRUCT and DESCRIBE results, in the server's order of preference.
GRAPH_FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat.TURTLE,
    RdfFormat.NTRIPLES,
    RdfFormat.JSONLD,
    RdfFormat.RDFXML,
)
