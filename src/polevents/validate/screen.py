"""A fast first pass of validation: the SHACL shapes compiled to SPARQL and run by Oxigraph.

pyshacl stays the reference validator.  This module is a faster *screen* in
front of it, used by ``polevents build``: every shape with a target becomes one
SPARQL query (its constraints become filter expressions evaluated once per
focus node) over the same data pyshacl sees — the union of the source graphs
with the ontology mixed in.  Its contract:

* **Sound**: whenever pyshacl would report a result, the screen reports one too. A constraint is
  compiled only where its SPARQL form is exact, or stricter than pyshacl (it may flag more, never less);
  anything else raises :class:`Unsupported` and the caller runs pyshacl.
* **Not a report**: when the screen finds a violation, the caller runs pyshacl for the verdict and the
  full report, so every message the user reads comes from the reference validator.
* **Conservative by construction**: every shape is checked against the list of sh: parameters the
  compiler reads *for that kind of shape* (node or property shape, SPARQL constraint or target); any
  other (a nested ``sh:qualifiedValueShape``, ``sh:minCount`` on a node shape, ...) raises
  :class:`Unsupported`, and so does a shapes graph with SHACL-AF rules, functions, SPARQL-based
  constraint components (parameters outside ``sh:``), JavaScript or node expressions. Severities are
  counted as pyshacl counts them with ``allow_warnings`` (the build's setting): only ``sh:Warning`` and
  ``sh:Info`` do not block, a custom severity does, and a nested shape of severity Warning/Info
  conforms. ``$this`` in a SPARQL constraint is pre-bound by a join, which is exact only where ``$this``
  occurs in the top-level group (or a plain OPTIONAL/EXISTS group right in it); anywhere else the
  constraint is refused (:func:`polevents.validate.sparql_constraint.check_prebinding`). Where rdflib and
  Oxigraph evaluate a FILTER differently, a blocking SPARQL constraint or target is rewritten to keep at
  least rdflib's rows, or refused (:func:`polevents.validate.sparql_safety.make_safe`).
* **Checked**: ``tests/test_shacl_sparql.py`` compares the screen with pyshacl, result for result, on the
  planted-error cases; ``tests/test_w3c_shacl.py`` runs the W3C SHACL Core and SHACL-SPARQL suites (no
  case where the screen says "conforms" and the expected report does not); ``tests/test_screen_differential.py``
  and ``tests/test_sparql_safety.py`` compare it with pyshacl on random shapes and data (hypothesis).

Supported (SHACL Core, https://www.w3.org/TR/shacl/): targets ``sh:targetClass`` (``rdfs:subClassOf*``
in the data: :mod:`~polevents.validate.classes`), ``sh:targetNode``, ``sh:targetSubjectsOf``,
``sh:targetObjectsOf``, implicit class targets; property paths (predicate, inverse, sequence, alternative, zero-or-more,
one-or-more, zero-or-one); ``sh:class``, ``sh:datatype`` (ill-typed literals found by rdflib exactly as pyshacl
does), ``sh:nodeKind``, ``sh:minCount``/``sh:maxCount`` (up to 3), ``sh:minLength``/``sh:maxLength``,
``sh:pattern`` (a conservative regex subset), ``sh:languageIn``, ``sh:uniqueLang``, ``sh:in``,
``sh:hasValue``, value ranges, ``sh:equals``, ``sh:disjoint``, ``sh:lessThan``, ``sh:lessThanOrEquals``,
``sh:node``, ``sh:property`` (also nested in a property shape), ``sh:and``, ``sh:or``, ``sh:not``,
``sh:xone`` (exact constraints only under negation), ``sh:closed``, ``sh:deactivated``, ``sh:severity``,
and SPARQL-based constraints (``sh:sparql`` with ``sh:select``, ``sh:prefixes``) on targeted node
shapes.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..vocab import OWL, RDF, RDFS
from .classes import Closures, check_unmarked, mark, plain
from .literals import fill_ill_typed, ill_typed
from .literals import sparql_term as _term
from .sparql_constraint import Unsupported, check_prebinding, wrap_select
from .sparql_safety import make_safe

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph
    import rdflib

    from .incremental import Plan

__all__ = ["CompiledShapes", "ScreenReport", "ScreenResult", "Unsupported", "compile_shapes", "screen", "screen_store"]

SH = "http://www.w3.org/ns/shacl#"


def _names(text: str) -> frozenset[str]:
    return frozenset(SH + n for n in text.split())


#: Parameters that change no verdict (documentation, report wording, form layout).
_INERT = _names("message name description order group defaultValue severity deactivated")
#: Target parameters (read wherever a shape is, used only where the shape is targeted).
_TARGETS = _names("targetClass targetNode targetSubjectsOf targetObjectsOf target")
#: Value-type, string, range, logical and shape-based parameters: compiled on a node shape's
#: focus node and on a property shape's value nodes alike.
_VALUE = _names(
    "class datatype nodeKind minLength maxLength pattern flags languageIn in minInclusive maxInclusive "
    "minExclusive maxExclusive node and or not xone property"
)
#: What a node shape may carry (anything else, such as sh:minCount on a node shape, is refused).
_NODE_PARAMS = (
    _INERT
    | _TARGETS
    | _VALUE
    | _names("hasValue equals disjoint lessThan lessThanOrEquals closed ignoredProperties sparql")
)
#: What a property shape may carry.
_PROPERTY_PARAMS = (
    _INERT
    | _TARGETS
    | _VALUE
    | _names("path minCount maxCount uniqueLang hasValue equals disjoint lessThan lessThanOrEquals")
)
#: What a SPARQL constraint or SPARQL target node may carry.
_SPARQL_PARAMS = _names("select prefixes message deactivated severity")
#: Severities that do not make data non-conforming: pyshacl's ``allow_warnings`` exempts exactly these.
ALLOWED_SEVERITIES = _names("Warning Info")
#: Present anywhere in the shapes graph, these change what pyshacl checks (rules run before
#: validation, SPARQL-based constraint components with their own parameters, functions, JavaScript,
#: node expressions, entailment): the screen refuses the whole graph.
_GLOBAL_REFUSED = _names(
    "rule parameter validator nodeValidator propertyValidator js jsFunctionName jsLibrary expression "
    "entailment condition filterShape labelTemplate returnType"
)
_REFUSED_TYPES = _names(
    "ConstraintComponent SPARQLAskValidator SPARQLSelectValidator SPARQLFunction Function JSFunction "
    "JSConstraint SPARQLRule TripleRule JSRule SPARQLTargetType JSTarget JSTargetType SPARQLAskExecutable"
)
#: sh:pattern accepted: plain characters and a few escapes on which Python's ``re`` (pyshacl) and
#: Oxigraph's regex agree, or where Oxigraph is the stricter (``$`` only at the very end).
_SAFE_PATTERN_CHARS = re.compile(r"^(?:[^\\]|\\[dDwW.\-\\/^$*+?(){}\[\]|])*$")


@dataclass(frozen=True)
class ScreenResult:
    """One flagged focus node: the rule (property shape, node shape or SPARQL constraint) and severity."""

    rule: str
    focus: str
    severity: str

    @property
    def is_violation(self) -> bool:
        """Blocking: any severity but sh:Warning and sh:Info (custom ones too, as pyshacl counts them)."""
        return self.severity not in ALLOWED_SEVERITIES


@dataclass
class ScreenReport:
    """What the screen found."""

    results: list[ScreenResult]
    queries: int
    seconds: float

    @property
    def violations(self) -> int:
        return sum(1 for r in self.results if r.is_violation)

    @property
    def conforms(self) -> bool:
        """True when nothing was flagged with a severity other than sh:Warning or sh:Info."""
        return self.violations == 0


@dataclass
class _Check:
    """One query: a targeted shape, its focus pattern, and (rule, severity, condition) triples."""

    target: str
    parts: list[tuple[str, str, str]]
    sparql: list[tuple[str, str, str]] = field(default_factory=list)  # (rule, severity, query)
    prefixes: dict[str, str] = field(default_factory=dict)

    @property
    def prologue(self) -> str:
        return _prologue(self.prefixes)


def _prologue(prefixes: dict[str, str]) -> str:
    """The PREFIX declarations of a query for ``prefixes`` (name -> namespace)."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(prefixes.items()))


@dataclass
class CompiledShapes:
    """The shapes as SPARQL: what :func:`screen` runs."""

    checks: list[_Check]
    datatypes: set[str]
    datatype_paths: set[str] | None  # predicates whose values need a datatype check; None = any

    @property
    def queries(self) -> int:
        return sum(bool(c.parts) + len(c.sparql) for c in self.checks)  # as many as _queries yields


# ---------------------------------------------------------------- terms and paths


def _count(node: rdflib.term.Node) -> int:
    """A non-negative xsd:integer parameter (sh:minCount, sh:maxLength, ...); anything else is refused."""
    import rdflib

    value = node.value if isinstance(node, rdflib.Literal) else None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise Unsupported(f"{node!r} where a non-negative integer is expected")
    return value


class _Compiler:
    def __init__(self, shapes: rdflib.Graph) -> None:
        import rdflib

        self.g = shapes
        self.rdflib = rdflib
        self.counter = 0
        self.datatypes: set[str] = set()
        self.datatype_paths: set[str] | None = set()
        self.stack: list[rdflib.term.Node] = []
        self.prefixes: dict[str, str] = {}
        #: count of polarity-dependent (inexact) conditions emitted so far
        self.inexact = 0

    def var(self, stem: str = "v") -> str:
        self.counter += 1
        return f"?{stem}{self.counter}"

    def uri(self, name: str) -> rdflib.URIRef:
        return self.rdflib.URIRef(name)

    def values(self, node: rdflib.term.Node, param: str) -> list[rdflib.term.Node]:
        return list(self.g.objects(node, self.uri(SH + param)))

    def one(self, node: rdflib.term.Node, param: str) -> rdflib.term.Node | None:
        vals = self.values(node, param)
        if len(vals) > 1:
            raise Unsupported(f"{node}: several sh:{param}")
        return vals[0] if vals else None

    def items(self, head: rdflib.term.Node) -> list[rdflib.term.Node]:
        from rdflib.collection import Collection

        return list(Collection(self.g, head))

    def deactivated(self, node: rdflib.term.Node) -> bool:
        value = self.one(node, "deactivated")
        return value is not None and bool(getattr(value, "value", False))

    def severity(self, node: rdflib.term.Node) -> str:
        value = self.one(node, "severity")
        return str(value) if value is not None else SH + "Violation"

    def check_known(self, node: rdflib.term.Node, allowed: frozenset[str] | None = None) -> None:
        """Refuse a shape (or SPARQL node) with an sh: parameter the compiler does not read there."""
        if allowed is None:
            allowed = _PROPERTY_PARAMS if self.one(node, "path") is not None else _NODE_PARAMS
        for p in set(self.g.predicates(node, None)):
            if str(p).startswith(SH) and str(p) not in allowed:
                raise Unsupported(f"{node}: {p} is not compiled here")

    # -- paths
    def path(self, node: rdflib.term.Node) -> str:
        rdflib = self.rdflib
        if isinstance(node, rdflib.URIRef):
            return f"<{node}>"
        if isinstance(node, rdflib.BNode):
            if (node, self.uri(RDF + "first"), None) in self.g:
                return "(" + "/".join(self.path(n) for n in self.items(node)) + ")"
            for kind, fmt in (
                ("inversePath", "^({})"),
                ("zeroOrMorePath", "({})*"),
                ("oneOrMorePath", "({})+"),
                ("zeroOrOnePath", "({})?"),
            ):
                inner = self.one(node, kind)
                if inner is not None:
                    return fmt.format(self.path(inner))
            alt = self.one(node, "alternativePath")
            if alt is not None:
                return "(" + "|".join(self.path(n) for n in self.items(alt)) + ")"
        raise Unsupported(f"property path {node}")

    # -- value conditions (one value node ?v); exact unless said otherwise
    def value_condition(
        self, shape: rdflib.term.Node, v: str, positive: bool, path: str | None, properties: bool = True
    ) -> list[str]:
        """Conditions on value node ``v`` from the value-type, range, string, logical and shape-based
        parameters; with ``properties``, ``v`` must also conform to the shape's sh:property shapes
        (as the value nodes of a property shape must, for a property shape nested in it)."""
        rdflib = self.rdflib
        conds: list[str] = []
        if properties:
            for prop in self.values(shape, "property"):
                conds.append(self.conforms(prop, v, positive))
        cls_list = self.values(shape, "class")
        for c in cls_list:
            conds.append(f"EXISTS {{ {mark(v, _term(c))} }}")
        dt = self.one(shape, "datatype")
        if dt is not None:
            conds.append(self.datatype_condition(str(dt), v, path))
        kind = self.one(shape, "nodeKind")
        if kind is not None:
            kinds = {
                SH + "IRI": f"isIRI({v})",
                SH + "Literal": f"isLiteral({v})",
                SH + "BlankNode": f"isBlank({v})",
                SH + "BlankNodeOrIRI": f"(isBlank({v}) || isIRI({v}))",
                SH + "BlankNodeOrLiteral": f"(isBlank({v}) || isLiteral({v}))",
                SH + "IRIOrLiteral": f"(isIRI({v}) || isLiteral({v}))",
            }
            if str(kind) not in kinds:
                raise Unsupported(f"sh:nodeKind {kind}")
            conds.append(kinds[str(kind)])
        for param, op in (("minLength", ">="), ("maxLength", "<=")):
            n = self.one(shape, param)
            if n is not None:
                conds.append(f"(!isBlank({v}) && STRLEN(STR({v})) {op} {_count(n)})")
        pattern = self.one(shape, "pattern")
        if pattern is not None:
            conds.append(self.pattern_condition(shape, str(pattern), v, positive))
        langs = self.one(shape, "languageIn")
        if langs is not None:
            ranges = [str(x) for x in self.items(langs)]
            alts = " || ".join(f'langMatches(LANG({v}), "{r}")' for r in ranges) or "false"
            conds.append(f'(isLiteral({v}) && LANG({v}) != "" && ({alts}))')
        members = self.one(shape, "in")
        if members is not None:
            terms = self.items(members)
            for t in terms:
                self.no_plain_string(t)
            conds.append("(" + (" || ".join(f"sameTerm({v}, {_term(t)})" for t in terms) or "false") + ")")
        for param, op in (("minInclusive", ">="), ("maxInclusive", "<="), ("minExclusive", ">"), ("maxExclusive", "<")):
            bound = self.one(shape, param)
            if bound is not None:
                if not positive:
                    raise Unsupported(f"sh:{param} under sh:not/sh:xone")
                self.inexact += 1
                if not isinstance(bound, rdflib.Literal):
                    raise Unsupported(f"sh:{param} {bound}")
                conds.append(f"COALESCE({v} {op} {_term(bound)}, false)")
        for ref in self.values(shape, "node"):
            conds.append(self.conforms(ref, v, positive, path))
        for head in self.values(shape, "and"):
            conds.append(
                "(" + (" && ".join(self.conforms(s, v, positive, path) for s in self.items(head)) or "true") + ")"
            )
        for head in self.values(shape, "or"):
            conds.append(
                "(" + (" || ".join(self.conforms(s, v, positive, path) for s in self.items(head)) or "false") + ")"
            )
        for ref in self.values(shape, "not"):
            conds.append(f"!({self.conforms(ref, v, not positive, path)})")
        for head in self.values(shape, "xone"):
            before = self.inexact
            exact = [self.conforms(s, v, positive, path) for s in self.items(head)]
            if self.inexact != before:
                raise Unsupported("sh:xone over inexact constraints")
            ones = " + ".join(f"IF({c}, 1, 0)" for c in exact) or "0"
            conds.append(f"(({ones}) = 1)")
        return conds

    def pattern_condition(self, shape: rdflib.term.Node, text: str, v: str, positive: bool) -> str:
        """sh:pattern; pyshacl uses Python's ``re.search``, Oxigraph Rust's regex.

        On the accepted subset the two agree on printable ASCII text without newlines; elsewhere
        the condition leans the safe way: with ``positive`` it may say "no match" where Python
        matches (a value flagged for nothing, checked again by pyshacl), without it (under
        sh:not) it may say "match" where Python does not.
        """
        flags = [str(f) for f in self.values(shape, "flags")]
        if (
            not _SAFE_PATTERN_CHARS.match(text)
            or "[:" in text
            or "(?" in text
            or len(flags) > 1
            or (flags and set(flags[0]) - {"i"})
        ):
            raise Unsupported(f"sh:pattern {text!r} with flags {flags}")
        self.inexact += 1
        lit = text.replace("\\", "\\\\").replace('"', '\\"')
        flag = ', "i"' if flags and flags[0] else ""
        match = f'REGEX(STR({v}), "{lit}"{flag})'
        plain = f'REGEX(STR({v}), "^[ -~]*$")'  # printable ASCII, no newline
        if positive:
            sure = f"({plain} && {match})" if flag else match  # Rust's $ is the stricter
            return f"(!isBlank({v}) && {sure})"
        maybe = f"({match} || !{plain})" if flag else f'({match} || CONTAINS(STR({v}), "\\n"))'
        return f"(!isBlank({v}) && {maybe})"

    def no_plain_string(self, node: rdflib.term.Node) -> None:
        # pyshacl compares data strings (xsd:string) with the shapes' plain literals by rdflib
        # term equality, which never matches: leave such shapes to pyshacl.
        rdflib = self.rdflib
        if isinstance(node, rdflib.Literal) and not node.language and node.datatype in (None, rdflib.XSD.string):
            raise Unsupported(f"string constant {node!r} in sh:in/sh:hasValue")

    def datatype_condition(self, dt: str, v: str, path: str | None) -> str:
        if dt == RDFS + "Literal":
            return f"isLiteral({v})"
        if dt == RDFS + "Datatype":
            return f'(isLiteral({v}) && LANG({v}) = "")'
        if dt == RDF + "langString":
            return f'(isLiteral({v}) && LANG({v}) != "")'
        self.datatypes.add(dt)
        if self.datatype_paths is not None:
            if path is not None and re.fullmatch(r"<[^<>]+>", path):
                self.datatype_paths.add(path[1:-1])
            else:
                self.datatype_paths = None
        # Ill-typed literals (as rdflib, hence pyshacl, sees them) are listed at run time.
        return f"(isLiteral({v}) && DATATYPE({v}) = <{dt}> && {{{{illtyped|{dt}|{v}}}}})"

    # -- a whole shape as a condition on one node
    def conforms(self, shape: rdflib.term.Node, x: str, positive: bool, path: str | None = None) -> str:
        """``x`` conforms to ``shape``: under-approximated when ``positive``, over- otherwise.

        ``path`` is the path ``x`` was reached by (for where datatype checks look), if any.
        """
        if shape in self.stack:
            raise Unsupported(f"recursive shape {shape}")
        if self.deactivated(shape):
            return "true"
        self.check_known(shape)
        if self.values(shape, "sparql"):
            raise Unsupported(f"{shape}: SPARQL constraint in a nested shape")
        self.stack.append(shape)
        try:
            if self.one(shape, "path") is not None:
                conds = self.property_conditions(shape, x, positive)
            else:
                conds = self.node_conditions(shape, x, positive, path)
            if self.severity(shape) in ALLOWED_SEVERITIES:
                # pyshacl with allow_warnings (as the build runs it) may take a nested shape of
                # severity sh:Warning/sh:Info as conforming though it fails (inside sh:and, sh:or,
                # sh:not, sh:property; not inside sh:node, where any result counts).  "Conforms"
                # is the safe reading under negation; elsewhere its real conditions are (they can
                # only say "fails" more often); sh:xone, not monotone, is refused (inexact).
                # Compiled all the same, so that a malformed one is refused as pyshacl refuses it.
                self.inexact += 1
                if not positive:
                    return "true"
            return "(" + (" && ".join(conds) or "true") + ")"
        finally:
            self.stack.pop()

    def node_conditions(
        self, shape: rdflib.term.Node, x: str, positive: bool, path: str | None = None, properties: bool = True
    ) -> list[str]:
        conds = self.value_condition(shape, x, positive, path, properties)
        has = self.values(shape, "hasValue")
        for h in has:
            self.no_plain_string(h)
            conds.append(f"sameTerm({x}, {_term(h)})")
        for param in ("equals", "disjoint", "lessThan", "lessThanOrEquals"):
            for other in self.values(shape, param):
                conds.append(self.pair(param, x, "", f"<{other}>", positive))
        closed = self.one(shape, "closed")
        if closed is not None and bool(getattr(closed, "value", False)):
            allowed = {
                f"<{p}>"
                for prop in self.values(shape, "property")
                for p in [self.one(prop, "path")]
                if isinstance(p, self.rdflib.URIRef)
            }
            if any(
                not isinstance(self.one(prop, "path"), self.rdflib.URIRef) for prop in self.values(shape, "property")
            ):
                raise Unsupported("sh:closed with complex paths")
            for head in self.values(shape, "ignoredProperties"):
                allowed |= {f"<{p}>" for p in self.items(head)}
            p = self.var("p")
            inside = f"FILTER({p} NOT IN ({', '.join(sorted(allowed))}))" if allowed else ""
            conds.append(f"NOT EXISTS {{ {x} {p} {self.var('o')} {inside} }}")
        return conds

    def pair(self, param: str, x: str, path: str, other: str, positive: bool) -> str:
        """A property-pair constraint; ``path`` empty means the value node is ``x`` itself."""
        v, w = self.var(), self.var("w")
        values = f"{x} {path} {v} ." if path else f"BIND({x} AS {v})"
        if param == "disjoint":
            return f"NOT EXISTS {{ {values} {x} {other} {v} }}"
        if param == "equals":
            return (
                f"(NOT EXISTS {{ {values} FILTER NOT EXISTS {{ {x} {other} {v} }} }} && "
                f"NOT EXISTS {{ {x} {other} {w} . FILTER NOT EXISTS {{ "
                + (f"{x} {path} {w}" if path else f"FILTER(sameTerm({x}, {w}))")
                + " } })"
            )
        if not positive:
            raise Unsupported(f"sh:{param} under sh:not/sh:xone")
        self.inexact += 1
        op = "<" if param == "lessThan" else "<="
        return (
            f"NOT EXISTS {{ {values} {x} {other} {w} . "
            f"FILTER(!COALESCE((isLiteral({v}) && isLiteral({w}) && {v} {op} {w}), false)) }}"
        )

    def property_conditions(self, prop: rdflib.term.Node, x: str, positive: bool) -> list[str]:
        if self.one(prop, "qualifiedValueShape") is not None:
            raise Unsupported("sh:qualifiedValueShape")
        path_node = self.one(prop, "path")
        if path_node is None:
            raise Unsupported(f"{prop}: property shape without sh:path")
        path = self.path(path_node)
        conds: list[str] = []
        lo, hi = self.one(prop, "minCount"), self.one(prop, "maxCount")
        if lo is not None and _count(lo) > 0:
            conds.append(self.at_least(x, path, _count(lo)))
        if hi is not None:
            conds.append(f"!{self.at_least(x, path, _count(hi) + 1)}")
        ul = self.one(prop, "uniqueLang")
        if ul is not None and bool(getattr(ul, "value", False)):
            a, b = self.var("a"), self.var("b")
            conds.append(
                f"NOT EXISTS {{ {x} {path} {a} . {x} {path} {b} . FILTER(!sameTerm({a}, {b}) && "
                f'isLiteral({a}) && isLiteral({b}) && LANG({a}) != "" && LCASE(LANG({a})) = LCASE(LANG({b}))) }}'
            )
        for h in self.values(prop, "hasValue"):
            self.no_plain_string(h)
            conds.append(f"EXISTS {{ {x} {path} {_term(h)} }}")
        for param in ("equals", "disjoint", "lessThan", "lessThanOrEquals"):
            for other in self.values(prop, param):
                conds.append(self.pair(param, x, path, f"<{other}>", positive))
        v = self.var()
        per_value = self.value_condition(prop, v, positive, path)
        if per_value:
            conds.append(f"NOT EXISTS {{ {x} {path} {v} . FILTER(!COALESCE(({' && '.join(per_value)}), false)) }}")
        return conds

    def at_least(self, x: str, path: str, n: int) -> str:
        if n > 3:
            raise Unsupported(f"cardinality {n} > 3")
        vs = [self.var() for _ in range(n)]
        triples = " . ".join(f"{x} {path} {v}" for v in vs)
        distinct = " && ".join(f"!sameTerm({a}, {b})" for i, a in enumerate(vs) for b in vs[i + 1 :])
        return f"EXISTS {{ {triples} {f'FILTER({distinct})' if distinct else ''} }}"

    # -- targets and top-level checks
    def target(self, shape: rdflib.term.Node, blocking: bool) -> str | None:
        rdflib = self.rdflib
        parts: list[str] = []
        for c in self.values(shape, "targetClass"):
            parts.append(f"{mark('?this', _term(c))} .")
        if any((shape, self.uri(RDF + "type"), self.uri(c)) in self.g for c in (RDFS + "Class", OWL + "Class")):
            if isinstance(shape, rdflib.URIRef):
                parts.append(f"{mark('?this', f'<{shape}>')} .")
        for n in self.values(shape, "targetNode"):
            parts.append(f"VALUES ?this {{ {_term(n)} }}")
        for p in self.values(shape, "targetSubjectsOf"):
            parts.append(f"?this <{p}> [] .")
        for p in self.values(shape, "targetObjectsOf"):
            parts.append(f"[] <{p}> ?this .")
        for t in self.values(shape, "target"):
            if (t, self.uri(RDF + "type"), self.uri(SH + "SPARQLTarget")) not in self.g:
                raise Unsupported(f"{shape}: sh:target {t} is not a sh:SPARQLTarget")
            if self.deactivated(t):
                continue
            select = self.select_text(t, blocking)
            select = _with_focus(select, _prologue(self.prefixes))
            parts.append(f"{{ SELECT DISTINCT ?this WHERE {{ {{ {select} }} }} }}")
        if not parts:
            return None
        return " UNION ".join(f"{{ {p} }}" for p in parts)

    def select_text(self, node: rdflib.term.Node, blocking: bool) -> str:
        """The sh:select of a SPARQL constraint or target; its prefixes join the check's prologue.  Where
        its results can block (``blocking``), its FILTERs are made to keep every row rdflib keeps."""
        self.check_known(node, _SPARQL_PARAMS)
        select = self.values(node, "select")
        if len(select) != 1:
            raise Unsupported(f"{node}: no single sh:select")
        text = str(select[0])
        check_unmarked(text, str(node))
        lowered = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text).lower()  # string literals ignored
        head, brace, body = lowered.partition("{")
        if not brace or "prefix" in head or "base" in head.split("select")[0]:
            raise Unsupported(f"{node}: a prologue inside sh:select")
        for word in ("select", "minus", "graph", "service", "group by", "having", "limit", "offset", "order by"):
            if re.search(rf"\b{word}\b", body):
                raise Unsupported(f"{node}: sh:select uses {word.upper()}")
        if re.search(r"\bvalues\s*[^{]*\bthis\b", body):
            raise Unsupported(f"{node}: VALUES binds $this")
        for var in ("$shapesgraph", "$currentshape", "?failure", "$failure", "$path", "$value"):
            if var in lowered:
                raise Unsupported(f"{node}: sh:select uses {var}")
        for holder in self.values(node, "prefixes"):
            for decl in self.g.objects(holder, self.uri(SH + "declare")):
                prefix, ns = self.one(decl, "prefix"), self.one(decl, "namespace")
                if prefix is None or ns is None:
                    raise Unsupported(f"{holder}: incomplete sh:declare")
                if self.prefixes.setdefault(str(prefix), str(ns)) != str(ns):
                    raise Unsupported(f"prefix {prefix} declared twice with different namespaces")
        text = text.replace("$this", "?this")  # the same variable in SPARQL; kept for readability
        return make_safe(text, self.prefixes) if blocking else text

    def compile(self) -> CompiledShapes:
        rdflib = self.rdflib
        for p in sorted(_GLOBAL_REFUSED | {SH + "shapesGraph"}):
            if any(True for _ in self.g.triples((None, self.uri(p), None))):
                raise Unsupported(f"shapes use {p}")
        for t in sorted(_REFUSED_TYPES):
            if any(True for _ in self.g.triples((None, self.uri(RDF + "type"), self.uri(t)))):
                raise Unsupported(f"shapes declare a {t}")
        shapes = set()
        for p in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "target"):
            shapes |= set(self.g.subjects(self.uri(SH + p), None))
        for cls in (RDFS + "Class", OWL + "Class"):
            for s in self.g.subjects(self.uri(RDF + "type"), self.uri(cls)):
                for kind in ("NodeShape", "PropertyShape"):
                    if (s, self.uri(RDF + "type"), self.uri(SH + kind)) in self.g:
                        shapes.add(s)
        checks: list[_Check] = []
        for shape in sorted(shapes, key=str):
            if self.deactivated(shape):
                continue
            self.check_known(shape)
            self.prefixes = {}
            sev = self.severity(shape)  # a target only of Warning/Info results needs no rewrite (never blocks):
            target = self.target(shape, sev not in ALLOWED_SEVERITIES or bool(self.values(shape, "property")))
            if target is None:
                continue
            check = _Check(target=target, parts=[], prefixes=self.prefixes)
            rule = str(shape)
            if self.one(shape, "path") is not None:
                if self.values(shape, "sparql"):
                    raise Unsupported(f"{shape}: SPARQL constraint on a property shape")
                self.stack.append(shape)
                conds = self.property_conditions(shape, "?this", True)
                self.stack.pop()
                if conds:
                    check.parts.append((rule, sev, " && ".join(conds)))
            else:
                self.stack.append(shape)
                conds = self.node_conditions(shape, "?this", True, properties=False)
                if conds:
                    check.parts.append((rule, sev, " && ".join(conds)))
                for prop in self.values(shape, "property"):
                    if self.deactivated(prop):
                        continue
                    self.check_known(prop)
                    if self.values(prop, "sparql"):
                        raise Unsupported(f"{prop}: SPARQL constraint on a property shape")
                    self.stack.append(prop)
                    pconds = self.property_conditions(prop, "?this", True)
                    self.stack.pop()
                    if pconds:
                        check.parts.append((str(prop), self.severity(prop), " && ".join(pconds)))
                for node in self.values(shape, "sparql"):
                    if self.deactivated(node):
                        continue
                    select = self.select_text(node, sev not in ALLOWED_SEVERITIES)
                    check_prebinding(select)
                    check.sparql.append((str(node), sev, select))
                self.stack.pop()
            if not isinstance(shape, (rdflib.URIRef, rdflib.BNode)):
                raise Unsupported(f"shape {shape}")
            if self.values(shape, "targetNode") and any(")*" in c or ")?" in c for _r, _s, c in check.parts):
                # a zero-length path from a focus node the data does not contain: pyshacl gives the
                # node itself as a value, Oxigraph no solution (it only knows terms of the store)
                raise Unsupported(f"{shape}: sh:targetNode with a zero-or-more/zero-or-one path")
            checks.append(check)
        return CompiledShapes(checks=checks, datatypes=self.datatypes, datatype_paths=self.datatype_paths)


def compile_shapes(shapes: rdflib.Graph) -> CompiledShapes:
    """Compile ``shapes`` to SPARQL checks.

    :raises Unsupported: the shapes use a feature the screen does not check exactly.
    """
    return _Compiler(shapes).compile()


# ---------------------------------------------------------------- running


def _queries(
    compiled: CompiledShapes, bad: dict[str, list[str]]
) -> Iterator[tuple[Callable[[str], str], list[tuple[str, str]], bool]]:
    """(query, [(rule, severity) per ?okN column], whole) for every check; a SPARQL constraint is
    its own query with no ?ok column (``whole``: every solution is a result).  The query is a
    function of a ``VALUES ?this {...}`` clause that restricts its focus nodes (empty: none)."""
    for check in compiled.checks:
        if check.parts:
            binds = " ".join(
                f"BIND(COALESCE(({fill_ill_typed(cond, bad)}), false) AS ?ok{i})"
                for i, (_r, _s, cond) in enumerate(check.parts)
            )
            fails = " || ".join(f"!?ok{i}" for i in range(len(check.parts)))
            cols = " ".join(f"?ok{i}" for i in range(len(check.parts)))
            head = f"{check.prologue}SELECT DISTINCT ?this {cols} WHERE {{ {{ "
            tail = f" }} {binds} FILTER({fails}) }}"
            yield functools.partial(_query, check, head, tail, None), [(r, s) for r, s, _c in check.parts], False
        for rule, sev, select in check.sparql:
            yield functools.partial(_query, check, "", "", select), [(rule, sev)], True


#: Where a SPARQL target's own WHERE clause takes the focus nodes of an incremental check (see
#: :func:`_with_focus`); replaced in every query that runs.
_FOCUS = "\x00focus\x00"


def _with_focus(select: str, prologue: str) -> str:
    """A SPARQL target's SELECT with a place for ``VALUES ?this {...}`` at the start of its WHERE clause.

    Oxigraph does not push a VALUES outside a sub-SELECT into it, so a check restricted to a few focus
    nodes would evaluate the whole target first (25 s of a one-source rebuild's 33 s at 10M).  Joined
    at the start of the target's group, the focus nodes give every target row among them, as the outer
    join does (a row that binds ?this binds it to the same node either way); a row that leaves ?this
    unbound, which is no target, may now get a focus node (one more node checked, never one less).
    Not done when the projection has expressions, or when the query does not parse that way (a BIND
    to ?this in the group): the outer join alone restricts those."""
    import pyoxigraph as ox

    keyword = re.search(r"\bSELECT\b", select, re.I)
    brace = select.find("{", keyword.end()) if keyword is not None else -1
    if keyword is None or brace < 0 or "(" in select[keyword.end() : brace]:
        return select
    marked = f"{select[: brace + 1]}{_FOCUS}{select[brace + 1 :]}"
    try:
        ox.Store().query(prologue + marked.replace(_FOCUS, "VALUES ?this { <urn:polevents:focus> }"))
    except SyntaxError:
        return select
    return marked


def _query(check: _Check, head: str, tail: str, select: str | None, focus: str) -> str:
    inner = check.target.replace(_FOCUS, focus)
    target = f"{focus} {{ {inner} }}" if focus else inner
    return head + target + tail if select is None else check.prologue + wrap_select(select, target)


def screen_store(
    store: pyoxigraph.Store, shapes: rdflib.Graph, *, progress: Callable[[str], None] | None = None
) -> ScreenReport:
    """Compile ``shapes`` and run them over ``store`` (in memory or on disk): the one entry point.
    ``store`` holds the source graphs and the ontology, each in a named graph (read as one data graph).

    :raises Unsupported: the shapes use something the screen does not check exactly (run pyshacl).
    """
    return screen(store, compile_shapes(shapes), progress=progress)


#: Queries of a screen run on this many threads at once (Oxigraph releases the GIL while it
#: evaluates): the screen of a cold build takes about half the time on two cores.
THREADS = 2


def screen(
    store: pyoxigraph.Store,
    compiled: CompiledShapes,
    progress: Callable[[str], None] | None = None,
    plan: Plan | None = None,
) -> ScreenReport:
    """Run the compiled shapes over ``store`` (its named graphs read as one data graph).  ``progress`` is
    told every few seconds how many queries have run; ``plan`` restricts each query to the focus nodes a
    change can affect (an incremental rebuild).  :data:`THREADS` threads; the report ignores their order."""
    from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

    started = time.perf_counter()
    last = started
    bad = (
        plan.ill_typed(compiled) if plan is not None else ill_typed(store, compiled.datatypes, compiled.datatype_paths)
    )
    runs: list[tuple[int, list[str] | None, Future[set[ScreenResult]] | None]] = []
    classes = Closures(store)
    with ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="polevents-screen") as pool:
        for index, (query, columns, whole) in enumerate(_queries(compiled, bad)):
            focus = plan.focus(index, plain(query(""))) if plan is not None else None
            job = None
            if focus is None or focus:
                values = "VALUES ?this { " + " ".join(focus) + " }" if focus else ""
                job = pool.submit(_run, store, classes.render(query(values)), columns, whole)
            runs.append((index, focus, job))
        pending = {job for _i, _f, job in runs if job is not None}
        while pending:
            done, pending = wait(pending, timeout=2.0, return_when=FIRST_COMPLETED)
            for job in done:
                if job.exception() is not None:  # an error stops the screen
                    pool.shutdown(cancel_futures=True)
                    job.result()
            if progress is not None and pending and time.perf_counter() - last >= 2.0:
                finished = len(runs) - len(pending)
                progress(f"validation: screened {finished} of {len(runs)} queries")
                last = time.perf_counter()
    results: set[ScreenResult] = set()
    for index, focus, job in runs:
        found = job.result() if job is not None else set()
        results |= plan.merge(index, focus, found) if plan is not None else found
    return ScreenReport(
        results=sorted(results, key=lambda r: (r.rule, r.focus, r.severity)),
        queries=len(runs),
        seconds=time.perf_counter() - started,
    )


def _run(store: pyoxigraph.Store, query: str, columns: list[tuple[str, str]], whole: bool) -> set[ScreenResult]:
    import pyoxigraph as ox

    try:
        solutions = store.query(query, use_default_graph_as_union=True)
    except SyntaxError as exc:  # a compiler bug, or a SPARQL constraint Oxigraph reads differently
        raise Unsupported(f"generated query rejected by Oxigraph ({exc}):\n{query}") from exc
    assert isinstance(solutions, ox.QuerySolutions)
    results: set[ScreenResult] = set()
    for row in solutions:
        node = row["this"]
        if node is None:
            continue
        for i, (rule, sev) in enumerate(columns):
            ok = None if whole else row[f"ok{i}"]
            if ok is None or ok.value != "true":
                results.add(ScreenResult(rule, node.value, sev))
    return results
