"""The screen's class tests, ``?x rdf:type/rdfs:subClassOf* C``, written for the store they run on.

The compiler (:mod:`polevents.validate.screen`) writes every class test it makes (``sh:class``,
``sh:targetClass``, an implicit class target) with :func:`mark`: the node and the class between
control characters, which no SPARQL text the compiler accepts from the shapes contains
(:func:`check_unmarked`).  A marked query is read two ways:

* :func:`plain`: the path form, as SHACL defines the test, for whoever reads the query text
  (the footprint analysis of an incremental check, error messages);
* :meth:`Closures.render`: for one store, ``?x rdf:type ?c . VALUES ?c { C C1 C2 ... }`` where
  ``C1 C2 ...`` are every class with an ``rdfs:subClassOf`` path to C *in that store* (its named
  graphs read as one, as the screen reads them), read before the query runs.  The two forms have
  the same solutions: ``rdf:type/rdfs:subClassOf*`` is ``?x rdf:type ?t . ?t rdfs:subClassOf* C``
  (SPARQL 1.1, section 9.3), and the zero-or-more path's values of ``?t`` are C and the classes
  that reach C.  Oxigraph evaluates the join with a ``VALUES`` faster than the path: on the on-disk
  store of the 1M corpus the screen's 34 queries, one after the other, took 20.8 s against 24.7 s
  (quiet machine; 68.7 s at 3M).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..vocab import RDF, RDFS
from .sparql_constraint import Unsupported

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

__all__ = ["Closures", "check_unmarked", "mark", "plain"]

_OPEN, _SEP, _CLOSE = "\x01", "\x02", "\x03"
_MARKED = re.compile("\x01([^\x01\x02\x03]*)\x02([^\x01\x02\x03]*)\x03")


def mark(node: str, cls: str) -> str:
    """The class test "``node`` is an instance of ``cls``" (SPARQL terms), marked for rendering."""
    return f"{_OPEN}{node}{_SEP}{cls}{_CLOSE}"


def check_unmarked(text: str, where: str) -> None:
    """Refuse a SPARQL text from the shapes that holds a mark's control characters (it would be
    rendered as a class test)."""
    if any(c in text for c in (_OPEN, _SEP, _CLOSE)):
        raise Unsupported(f"{where}: control characters U+0001-U+0003 in a SPARQL text")


def plain(text: str) -> str:
    """``text`` with every marked class test in its path form."""
    return _MARKED.sub(lambda m: f"{m[1]} <{RDF}type>/<{RDFS}subClassOf>* {m[2]}", text)


class Closures:
    """The class tests of queries rendered for one store (see the module's text).  The closures are
    read once per class; make a new one when the store's content changes."""

    def __init__(self, store: pyoxigraph.Store) -> None:
        self.store = store
        self._closure: dict[str, str | None] = {}

    def closure(self, cls: str) -> str | None:
        """``cls`` and every class with an ``rdfs:subClassOf`` path to it, as SPARQL terms; None when
        one of them is a blank node (a ``VALUES`` cannot hold one: the test keeps its path form)."""
        if cls not in self._closure:
            import pyoxigraph as ox

            rows = self.store.query(
                f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS}subClassOf>* {cls} }}", use_default_graph_as_union=True
            )
            assert isinstance(rows, ox.QuerySolutions)
            nodes = [row["c"] for row in rows]
            blank = any(not isinstance(n, (ox.NamedNode, ox.Literal)) for n in nodes)
            self._closure[cls] = None if blank else " ".join(sorted({str(n) for n in nodes} | {cls}))
        return self._closure[cls]

    def render(self, text: str) -> str:
        """``text`` with every marked class test as a join with the class's closure in the store."""
        count = 0

        def join(m: re.Match[str]) -> str:
            nonlocal count
            closure = self.closure(m[2])
            if closure is None:
                return plain(m[0])
            count += 1
            var = f"?polevents_class_{count}"
            return f"{m[1]} <{RDF}type> {var} . VALUES {var} {{ {closure} }}"

        return _MARKED.sub(join, text)
