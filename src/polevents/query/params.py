"""Query parameters: ``polevents query --param NAME=VALUE`` binds the variable ``?NAME``.

A value is written as in SPARQL: an IRI (``<id/event/x>``, relative to the
dataset's base, or absolute), a prefixed name (``pe:Person``), a literal
(``"Amanat"@en``, ``42``, ``"2022"^^xsd:gYear``); anything else is a plain
string.  Locally the variables are bound before evaluation (pyoxigraph
substitutions, SEP-0007); at an endpoint a trailing ``VALUES`` clause binds them.

A query that gives a variable its default in a ``VALUES ?NAME { … }`` block of
that one variable (V7 names its fact that way) has that block's values replaced,
so ``--param fact=<id/event/…>`` asks about another fact without editing the file::

    >>> _replace_values("SELECT * { VALUES ?fact { <a> } ?fact ?p ?o }", "fact", "<b>")
    'SELECT * { VALUES ?fact { <b> } ?fact ?p ?o }'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import InputError

__all__ = ["parse_param", "parse_term_ntriples"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def parse_param(text: str) -> tuple[str, str]:
    """``NAME=VALUE`` as ``(NAME, VALUE)``; a leading ``?`` or ``$`` on the name is dropped."""
    name, sep, value = text.partition("=")
    name = name.strip().lstrip("?$")
    if not sep or not _NAME.fullmatch(name):
        raise InputError(
            f"--param {text!r}: write NAME=VALUE, e.g. fact='<id/event/2022-04-26-koshanov-becomes-chair>'"
        )
    return name, value


def _term(value: str, base: str, prefixes: Mapping[str, str]) -> Any:
    """The RDF term ``value`` is, read as SPARQL would (with the dataset's base and prefixes)."""
    import pyoxigraph as ox

    try:
        solutions = ox.Store().query(
            f"SELECT ?v WHERE {{ VALUES ?v {{ {value} }} }}", base_iri=base, prefixes=dict(prefixes)
        )
        rows = list(solutions)  # type: ignore[arg-type]
        if len(rows) == 1 and rows[0]["v"] is not None:
            return rows[0]["v"]
    except (SyntaxError, ValueError):
        pass
    if re.search(r'[<>"\'{}]', value) or not value.strip():
        raise InputError(f"--param: cannot read {value!r} as an IRI, prefixed name or literal")
    return ox.Literal(value)


def parse_term_ntriples(text: str) -> Any:
    """A term written in N-Triples syntax (as :class:`PreparedQuery` keeps them) as a pyoxigraph term."""
    import pyoxigraph as ox

    quad = next(iter(ox.parse(f"<urn:s> <urn:p> {text} .".encode(), format=ox.RdfFormat.N_TRIPLES)))
    return quad.object


def _replace_values(query: str, name: str, term: str) -> str | None:
    """``query`` with the values of its one-variable ``VALUES ?name {…}`` block replaced by ``term``;
    ``None`` when it has no such block (or one whose values hold a brace or quote, left alone)."""
    pattern = re.compile(rf"(VALUES\s+[?$]{re.escape(name)}\s*\{{)([^{{}}\"']*)(\}})", re.IGNORECASE)
    if len(pattern.findall(query)) != 1:
        return None
    return pattern.sub(lambda m: f"{m.group(1)} {term} {m.group(3)}", query, count=1)


def _substitutable(text: str, name: str, term: str, base: str, prefixes: Mapping[str, str]) -> bool:
    """Whether pyoxigraph substitutes ``?name`` in ``text`` (it refuses a variable a SELECT does not
    project); probed on an empty store, never for a query with SERVICE (it would call out)."""
    import pyoxigraph as ox

    from .scan import scan_query

    if scan_query(text).service:
        return False
    try:
        ox.Store().query(text, base_iri=base, prefixes=dict(prefixes),
                         substitutions={ox.Variable(name): parse_term_ntriples(term)})  # fmt: skip
    except (SyntaxError, ValueError, OSError, RuntimeError):
        return False
    return True


def _inject_values(text: str, name: str, term: str, form_is_graph: bool) -> str:
    """``text`` with ``VALUES ?name { term }`` first in its main group (the WHERE clause)."""
    from .scan import tokens

    toks = tokens(text)
    start = 0
    if form_is_graph:  # CONSTRUCT { template } WHERE { … }: the group after WHERE
        start = next((i for i, t in enumerate(toks) if t.kind == "word" and t.text.upper() == "WHERE"), 0)
    brace = next((t.start for t in toks[start:] if t.kind == "punct" and t.text == "{"), None)
    if brace is None:
        raise InputError(f"--param {name}: the query has no WHERE clause to bind ?{name} in")
    return f"{text[: brace + 1]} VALUES ?{name} {{ {term} }} {text[brace + 1 :]}"
