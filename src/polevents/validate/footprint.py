"""What a screen query reads around its focus node, and which focus nodes a change can affect.

An incremental rebuild (:mod:`polevents.verdict_store`) knows the triples that changed: the old
and the new content of the changed source graphs.  Re-checking only some focus nodes is sound
when, for every query of the screen, the result at every *other* focus node is provably the
one the last (conforming) check found.  This module proves it from the query text itself — the
SPARQL the screen runs, core shapes and SHACL-SPARQL constraints alike — so it cannot drift from
the compiler:

* :func:`footprint` parses a query (a SPARQL subset; anything else → ``None``, "unbounded") and
  lists its **lookups**: ``(path, step)`` = "at a node reached from ``?this`` by ``path``, the
  triples with predicate ``step.pred`` (any predicate for ``None``) leaving it (or arriving, for
  an inverse step)".  A query's answer at focus node ``f`` is a function of the answers of the
  lookups an evaluation makes starting at ``f`` (take the evaluation that joins triple patterns
  in the order they become reachable from ``?this``: every pattern is then a lookup at a bound
  node).  If no lookup answer differs between the old and the new store, the answer at ``f`` is
  the old one.  Consider a lookup whose answer differs, of minimal depth: the nodes leading to
  it were reached through triples present in both stores, and the difference is a changed
  triple ``(s, p, o)`` with ``s`` (or ``o``) the looked-up node.  So walking ``path`` backwards
  from ``s`` (or ``o``) in the **new** store reaches ``f``: :func:`affected`.
* a pattern is reachable only through a variable **certainly bound** where it is evaluated:
  those of the triple patterns of the same group (and of groups joined to it), for an OPTIONAL
  or a BIND only the patterns before it; the variables of an OPTIONAL, a BIND or VALUES are not
  anchors.  Nested groups, UNION branches and sub-SELECTs are evaluated on their own (bottom-up):
  they are anchored at ``?this`` only when they bind it themselves.  A pattern not reachable
  this way reads the whole dataset: the query is unbounded.
* ``*``/``+`` paths are unbounded, except over ``rdfs:subClassOf`` (the class hierarchy): a
  change of an ``rdfs:subClassOf`` triple anywhere makes every query run in full (:data:`GUARDED`).

Unsupported here (→ the query runs in full): GRAPH, SERVICE, MINUS, FROM, BASE, aggregates,
ORDER/LIMIT, negated property sets, blank-node property lists and collections in patterns,
nested OPTIONALs, and any token the parser does not know.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from ..vocab import RDF, RDFS

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

__all__ = ["GUARDED", "Footprint", "Step", "affected", "footprint"]

#: Predicates whose change anywhere makes every query run in full (the class hierarchy, read by
#: ``rdf:type/rdfs:subClassOf*`` at any depth).
GUARDED: Final = frozenset({RDFS + "subClassOf"})


@dataclass(frozen=True)
class Step:
    """One hop: ``pred`` (None: any predicate), forwards or ``inverse``; ``star``: zero or more hops."""

    pred: str | None
    inverse: bool = False
    star: bool = False


Path = tuple[Step, ...]
if TYPE_CHECKING:  # pragma: no cover
    Node = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal


@dataclass
class Footprint:
    """The lookups of a query: (path from ?this, step looked up at the node it reaches)."""

    lookups: set[tuple[Path, Step]] = field(default_factory=set)


class _Unbounded(Exception):
    """The query reads something not bounded by its focus node (or is not understood)."""


_TOKEN = re.compile(
    r'(?P<str>"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*')"
    r'|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)'
    r"|(?P<comment>#[^\n]*)"
    r"|(?P<var>[?$][A-Za-z_0-9]+)"
    r"|(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)"
    r"|(?P<num>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))"
    r"|(?P<pname>(?:[A-Za-z][\w.-]*)?:(?:[\w%-]|\.(?=[\w%-]))*)"
    r"|(?P<word>[A-Za-z_]\w*)"
    r"|(?P<op>\^\^|&&|\|\||!=|<=|>=|[{}()\[\].;,|/^*+?!=<>-])"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)",
    re.S,
)
_REFUSED_WORDS = {"graph", "service", "minus", "from", "base", "group", "having", "order", "limit", "offset", "load"}


@dataclass
class _Tok:
    """A token of the query text."""

    kind: str
    text: str


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind in ("space", "comment"):
            continue
        if kind == "other":
            raise _Unbounded(f"unknown character {m.group()!r}")
        tok = _Tok(kind, m.group())
        if kind == "var":
            tok.text = "?" + tok.text[1:]
        if kind == "word" and tok.text.lower() in _REFUSED_WORDS:
            raise _Unbounded(f"{tok.text} in a query")
        out.append(tok)
    return out


Term = tuple[str, str]  # ("var", "?x") | ("const", text)
Seqs = list[list[Step]]
Triple = tuple[Term, Seqs, Term]


@dataclass
class _Group:
    """A group pattern, parsed: its elements in order."""

    elements: list[tuple[str, Any]] = field(default_factory=list)


_MAX_PATHS: Final = 16


class _Parser:
    """A recursive-descent reader of the SPARQL subset the screen runs (anything else: _Unbounded)."""

    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.i = 0
        self.prefixes: dict[str, str] = {}
        self.fresh = 0

    # -- token helpers
    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def at(self, text: str) -> bool:
        t = self.peek()
        return t is not None and t.kind in ("op", "word") and t.text.lower() == text

    def take(self) -> _Tok:
        t = self.peek()
        if t is None:
            raise _Unbounded("unexpected end of query")
        self.i += 1
        return t

    def expect(self, text: str) -> None:
        if not self.at(text):
            raise _Unbounded(f"expected {text!r} at token {self.i}")
        self.i += 1

    def iri(self, tok: _Tok) -> str:
        if tok.kind == "iri":
            if ":" not in tok.text:
                raise _Unbounded(f"relative IRI {tok.text}")
            return tok.text[1:-1]
        if tok.kind == "pname":
            prefix, _, local = tok.text.partition(":")
            if prefix not in self.prefixes:
                raise _Unbounded(f"unknown prefix {prefix}:")
            return self.prefixes[prefix] + local
        if tok.kind == "word" and tok.text == "a":
            return RDF + "type"
        raise _Unbounded(f"not an IRI: {tok.text}")

    # -- query
    def query(self) -> tuple[list[str], _Group]:
        while self.at("prefix"):
            self.take()
            name = self.take()
            ns = self.take()
            if name.kind != "pname" or not name.text.endswith(":") or ns.kind != "iri":
                raise _Unbounded("bad PREFIX")
            self.prefixes[name.text[:-1]] = ns.text[1:-1]
        result = self.select()
        if self.peek() is not None:
            raise _Unbounded("something after the query")
        return result

    def select(self) -> tuple[list[str], _Group]:
        """SELECT [DISTINCT|REDUCED] ?vars WHERE? group."""
        self.expect("select")
        if self.at("distinct") or self.at("reduced"):
            self.take()
        projected: list[str] = []
        while (t := self.peek()) is not None and t.kind == "var":
            projected.append(self.take().text)
        if not projected:
            raise _Unbounded("SELECT * or expressions in the projection")
        if self.at("where"):
            self.take()
        return projected, self.group()

    def group(self) -> _Group:
        self.expect("{")
        g = _Group()
        if self.at("select"):
            g.elements.append(("select", self.select()))
            self.expect("}")
            return g
        while not self.at("}"):
            tok = self.peek()
            if tok is None:
                raise _Unbounded("unbalanced braces")
            word = tok.text.lower() if tok.kind in ("word", "op") else ""
            if word == "{":
                branches = [self.group()]
                while self.at("union"):
                    self.take()
                    branches.append(self.group())
                g.elements.append(("union", branches))
            elif word == "optional":
                self.take()
                g.elements.append(("optional", self.group()))
            elif word == "filter":
                self.take()
                g.elements.append(("filter", self.constraint()))
            elif word == "bind":
                self.take()
                self.expect("(")
                g.elements.append(("bind", self.expression(1)))
            elif word == "values":
                self.take()
                g.elements.append(("values", self.values()))
            elif word == ".":
                self.take()
            else:
                g.elements.append(("triples", self.triples_block()))
        self.expect("}")
        return g

    def values(self) -> list[str]:
        names: list[str] = []
        if self.at("("):
            self.take()
            while not self.at(")"):
                tok = self.take()
                if tok.kind != "var":
                    raise _Unbounded("VALUES")
                names.append(tok.text)
            self.take()
        else:
            tok = self.take()
            if tok.kind != "var":
                raise _Unbounded("VALUES")
            names.append(tok.text)
        self.expect("{")
        depth = 1
        while depth:
            tok = self.take()
            if tok.kind == "word" and tok.text.lower() == "undef":
                raise _Unbounded("UNDEF in VALUES")
            if tok.kind == "op" and tok.text in "{(":
                depth += 1
            elif tok.kind == "op" and tok.text in "})":
                depth -= 1
        return names

    # -- expressions: only their EXISTS groups read the data
    def constraint(self) -> list[_Group]:
        """A FILTER's constraint: EXISTS {…}, NOT EXISTS {…}, a function call or ( … )."""
        if self.at("not"):
            self.take()
        if self.at("exists"):
            self.take()
            return [self.group()]
        tok = self.peek()
        if tok is not None and tok.kind in ("word", "pname", "iri"):  # FILTER regex(…)
            self.take()
        self.expect("(")
        return self.expression(1)

    def expression(self, depth: int) -> list[_Group]:
        """Read up to the bracket that closes an expression; its EXISTS groups."""
        groups: list[_Group] = []
        while depth:
            tok = self.peek()
            if tok is None:
                raise _Unbounded("unbalanced brackets in an expression")
            if tok.kind == "word" and tok.text.lower() == "exists":
                self.take()
                groups.append(self.group())
                continue
            if tok.kind == "op" and tok.text in "{}":
                raise _Unbounded("a brace in an expression")
            self.take()
            if tok.kind == "op" and tok.text == "(":
                depth += 1
            elif tok.kind == "op" and tok.text == ")":
                depth -= 1
        return groups

    # -- triple patterns
    def triples_block(self) -> list[Triple]:
        out: list[Triple] = []
        subject = self.term()
        while True:
            verb = self.verb()
            while True:
                out.append((subject, verb, self.term()))
                if not self.at(","):
                    break
                self.take()
            if not self.at(";"):
                break
            while self.at(";"):
                self.take()
            if self.at(".") or self.at("}"):
                break
        return out

    def term(self) -> Term:
        tok = self.take()
        if tok.kind == "var":
            return ("var", tok.text)
        if tok.kind == "op" and tok.text == "[":
            if not self.at("]"):
                raise _Unbounded("a blank-node property list")
            self.take()
            self.fresh += 1
            return ("var", f"?_:b{self.fresh}")
        if tok.kind in ("iri", "pname"):
            return ("const", self.iri(tok))
        if tok.kind == "num" or (tok.kind == "word" and tok.text in ("true", "false")):
            return ("const", tok.text)
        if tok.kind == "str":
            if self.at("^^"):
                self.take()
                self.iri(self.take())
            elif (t := self.peek()) is not None and t.kind == "lang":
                self.take()
            return ("const", tok.text)
        raise _Unbounded(f"unexpected {tok.text!r} in a triple pattern")

    def verb(self) -> Seqs:
        """The predicate: a variable (any predicate) or a property path, as its step sequences."""
        tok = self.peek()
        if tok is not None and tok.kind == "var":
            self.take()
            return [[Step(None)]]
        return self.path_alt()

    def path_alt(self) -> Seqs:
        seqs = self.path_seq()
        while self.at("|"):
            self.take()
            seqs = seqs + self.path_seq()
        if len(seqs) > _MAX_PATHS:
            raise _Unbounded("too many path alternatives")
        return seqs

    def path_seq(self) -> Seqs:
        seqs = self.path_elt()
        while self.at("/"):
            self.take()
            seqs = [a + b for a in seqs for b in self.path_elt()]
            if len(seqs) > _MAX_PATHS:
                raise _Unbounded("too many path alternatives")
        return seqs

    def path_elt(self) -> Seqs:
        inverse = False
        if self.at("^"):
            self.take()
            inverse = True
        if self.at("("):
            self.take()
            seqs = self.path_alt()
            self.expect(")")
        elif self.at("!"):
            raise _Unbounded("a negated property set")
        else:
            seqs = [[Step(self.iri(self.take()))]]
        if inverse:
            seqs = [_inverse(seq) for seq in seqs]
        if self.at("?"):
            self.take()
            seqs = [[], *seqs]
        elif self.at("*") or self.at("+"):
            mod = self.take().text
            steps = [s for seq in seqs for s in seq]
            if not steps or len(seqs) != 1 or any(s.pred not in GUARDED or s.star for s in steps):
                raise _Unbounded(f"a {mod} path")
            # only the class hierarchy: its lookups never differ in an incremental check (GUARDED)
            star = [Step(s.pred, s.inverse, star=True) for s in steps]
            seqs = [star] if mod == "*" else [[Step(s.pred, s.inverse) for s in steps], star]
        return seqs


def _inverse(seq: list[Step]) -> list[Step]:
    return [Step(s.pred, not s.inverse, s.star) for s in reversed(seq)]


Bound = dict[str, set[Path]]


class _Analysis:
    """The lookups of a parsed query, from ?this (see the module docstring for the rules)."""

    def __init__(self) -> None:
        self.lookups: set[tuple[Path, Step]] = set()

    def reach(self, triples: list[Triple], bound: Bound) -> None:
        """Resolve, in place, every pattern one of whose ends is bound: record its lookups, bind the
        other end (with every path that reaches it).  Unresolved patterns stay in ``triples``."""
        progress = True
        while progress and triples:
            progress = False
            for t in list(triples):
                s, seqs, o = t
                s_paths = bound.get(s[1]) if s[0] == "var" else None
                o_paths = bound.get(o[1]) if o[0] == "var" else None
                if s_paths is not None:
                    start, walk, other = s_paths, seqs, o
                elif o_paths is not None:
                    start, walk, other = o_paths, [_inverse(seq) for seq in seqs], s
                else:
                    continue
                triples.remove(t)
                progress = True
                ends: set[Path] = set()
                for path in start:
                    for seq in walk:
                        here: Path = path
                        for step in seq:
                            if step.pred not in GUARDED:
                                self.lookups.add((here, Step(step.pred, step.inverse)))
                            here = (*here, step)
                        ends.add(here)
                if other[0] == "var" and other[1] not in bound:
                    if len(ends) > _MAX_PATHS:
                        raise _Unbounded("too many paths to one variable")
                    bound[other[1]] = ends

    def group(self, g: _Group, outer: Bound, own_this: bool, substituted: bool = True) -> Bound:
        """Analyse a group; the variables it certainly binds, with their paths.

        ``outer``: variables bound from outside, ``substituted`` everywhere in the group (an
        EXISTS group; an OPTIONAL's left side) or, for the top query, ?this: the focus node its
        solutions are restricted to, which an OPTIONAL or a BIND sees only after a pattern binds
        it.  ``own_this``: a group evaluated on its own (nested, UNION branch, sub-SELECT), which
        starts from ?this only when its own triple patterns bind ?this."""
        bound: Bound = {v: set(p) for v, p in outer.items()}
        certain: set[str] = set()
        scoped: set[str] = set(outer) if substituted else set()  # bound before the current element
        mandatory: list[Triple] = [t for kind, x in g.elements if kind == "triples" for t in x]
        if own_this and any(("var", "?this") in (s, o) for s, _p, o in mandatory):
            bound["?this"] = {()}
        pending: list[Triple] = []
        filters: list[list[_Group]] = []
        for kind, x in g.elements:
            if kind == "triples":
                pending.extend(x)
                for s, _p, o in x:
                    certain.update(t[1] for t in (s, o) if t[0] == "var")
            elif kind == "union":
                branches = [self.group(b, {}, own_this=True) for b in x]
                for v in set.intersection(*(set(b) for b in branches)):
                    certain.add(v)
                    if v not in bound:
                        bound[v] = set().union(*(b[v] for b in branches))
            elif kind == "select":
                projected, inner = x
                got = self.group(inner, {}, own_this=True)
                for v in projected:
                    if v in got:
                        certain.add(v)
                        bound.setdefault(v, got[v])
            elif kind == "optional":
                self.optional(x, {v: p for v, p in bound.items() if v in scoped})
            elif kind == "bind":
                for e in x:
                    self.group(e, {v: p for v, p in bound.items() if v in scoped}, own_this=False)
            elif kind == "filter":
                filters.append(x)
            elif kind == "values":
                certain.update(x)
            self.reach(pending, bound)
            scoped |= certain
        if pending:
            raise _Unbounded("a triple pattern not reachable from the focus node")
        for groups in filters:  # a FILTER constrains the whole group
            for e in groups:
                self.group(e, {v: p for v, p in bound.items() if v in scoped}, own_this=False)
        return {v: bound[v] for v in scoped if v in bound}

    def optional(self, g: _Group, left: Bound) -> None:
        """OPTIONAL { triple patterns and FILTERs } (nothing else): left-joined with ``left``."""
        bound: Bound = {v: set(p) for v, p in left.items()}
        pending: list[Triple] = []
        for kind, x in g.elements:
            if kind == "triples":
                pending.extend(x)
            elif kind != "filter":
                raise _Unbounded(f"{kind} inside OPTIONAL")
        self.reach(pending, bound)
        if pending:
            raise _Unbounded("an OPTIONAL pattern not reachable from the focus node")
        for kind, x in g.elements:
            if kind == "filter":
                for e in x:
                    self.group(e, bound, own_this=False)


def footprint(query: str) -> Footprint | None:
    """The lookups of ``query`` around its focus node ``?this``; None when some read is unbounded."""
    try:
        parser = _Parser(query)
        _projected, where = parser.query()
        analysis = _Analysis()
        # the query is read at one focus node: its solutions restricted to ?this = f
        analysis.group(where, {"?this": {()}}, own_this=False, substituted=False)
    except _Unbounded:
        return None
    for path, _step in analysis.lookups:
        if any(s.star and s.pred not in GUARDED for s in path):
            return None
    return Footprint(analysis.lookups)


def affected(
    store: pyoxigraph.Store, fp: Footprint, changed: Iterable[pyoxigraph.Triple], limit: int
) -> set[Node] | None:
    """The focus nodes whose answer may differ: each changed triple's looked-up end, walked back
    along the lookup's path in ``store`` (the new content).  None: more than ``limit`` nodes."""
    import pyoxigraph as ox

    by_pred: dict[str | None, list[tuple[Path, Step]]] = {}
    for path, step in fp.lookups:
        by_pred.setdefault(step.pred, []).append((path, step))
    starts: set[tuple[Path, Node]] = set()
    for triple in changed:
        for path, step in by_pred.get(triple.predicate.value, []) + by_pred.get(None, []):
            node = triple.object if step.inverse else triple.subject
            if isinstance(node, ox.Triple):  # RDF-star: not walked
                return None
            starts.add((path, node))
    out: set[Node] = set()
    try:
        for path, node in starts:
            out |= _back(store, path, node, limit)
            if len(out) > limit:
                return None
    except _Unbounded:
        return None
    return out


def _back(store: pyoxigraph.Store, path: Path, node: Node, limit: int) -> set[Node]:
    """The nodes from which ``path`` leads to ``node`` in ``store``."""
    import pyoxigraph as ox

    nodes: set[Node] = {node}
    for step in reversed(path):
        pred = ox.NamedNode(step.pred) if step.pred is not None else None
        result: set[Node] = set(nodes) if step.star else set()
        frontier = set(nodes)
        while frontier:
            found: set[Node] = set()
            for m in frontier:
                if step.inverse:  # the parent is an object of m
                    if not isinstance(m, ox.Literal):
                        found |= {q.object for q in store.quads_for_pattern(m, pred, None, None)}  # type: ignore[misc]
                else:
                    found |= {q.subject for q in store.quads_for_pattern(None, pred, m, None)}  # type: ignore[misc]
            if not step.star:
                result = found
                break
            frontier = found - result
            result |= found
        nodes = {n for n in result if not isinstance(n, ox.Triple)}
        if len(nodes) > limit:
            raise _Unbounded("too many nodes")
    return nodes
