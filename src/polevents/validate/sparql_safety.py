"""SHACL-SPARQL in the screen: make a constraint's or target's FILTERs answer at least what rdflib answers.

The screen runs a SPARQL constraint (``sh:select``) or SPARQL target on Oxigraph; pyshacl, the
reference, runs the same text on rdflib's engine.  The two evaluate expressions differently on
some terms (found empirically, ``tests/test_sparql_safety.py`` keeps them pinned):

* rdflib orders terms Oxigraph finds incomparable: ``"x" > 1`` is true in rdflib, a type error
  (the row filtered out) in Oxigraph; ``"abc"^^xsd:integer > 1`` likewise;
* rdflib normalises literals when it reads them: ``STR("2022-01-01Z"^^xsd:date)`` is
  ``"2022-01-01"``, ``STR(5.0)`` ``"5.0"`` (Oxigraph ``"5"``), ``STR("yes"^^xsd:boolean)``
  ``"false"``; ``STR(_:b)`` is the blank node's label (an error in Oxigraph);
* ``"0.1"^^xsd:decimal = "0.1"^^xsd:double`` is false in rdflib, true in Oxigraph; dates with
  and without a time zone compare equal in rdflib;
* ``DATATYPE("5"^^xsd:byte)`` is ``xsd:integer`` in Oxigraph; ``LANG("x"@EN)`` is ``"en"``;
* ``isNumeric("abc"^^xsd:integer)`` is true in rdflib (it reads the datatype only), and false
  for an unbound variable (an error in Oxigraph); rdflib's casts to ``xsd:date``, ``xsd:gYear``
  and ``xsd:gYearMonth`` of a string fail even on valid values;
* rdflib's ``&&`` is strict from the left (an error in an earlier operand wins over a later
  ``false``); its ``||``, ``!``, ``IF`` and ``COALESCE`` follow SPARQL.

:func:`make_safe` reads the ``sh:select`` text and proves, for every FILTER, that Oxigraph keeps
every row rdflib keeps (the screen may flag more, never less), rewriting where that needs it:

* Each FILTER holds where its group's rows must not shrink (the WHERE clause, a UNION branch,
  an ``EXISTS`` whose truth must not drop) or must not grow (inside ``NOT EXISTS``).  For a
  boolean expression four properties are tracked between Oxigraph's value ``o`` and rdflib's
  ``r`` (true, false or error): ``PT`` r=T ⇒ o=T, ``PF`` r=F ⇒ o=F, ``QT`` o=T ⇒ r=T,
  ``QF`` o=F ⇒ r=F.  A FILTER in a growing position needs ``PT``, in a shrinking one ``QT``;
  ``!`` swaps T and F; ``||`` and ``&&`` keep what all their operands have (``&&`` keeps ``QF``
  only when every operand but the last never fails, rdflib's strict ``&&``).
* An atom (a comparison, a function call, ``EXISTS``) is *exact* (all four) when the analysis
  proves both engines agree: IRIs compared with IRIs; strings built by ``STR`` of an IRI, string
  constants and ``SUBSTR``/``CONCAT`` of such strings; ``DATATYPE`` compared with a datatype IRI
  the store does not merge (:data:`MERGED`); ``BOUND``, ``isIRI``/``isLiteral``/``isBlank``;
  ``sameTerm`` with a constant IRI; ``=``/``!=`` between subjects of triple patterns (IRIs or
  blank nodes); ``SUBSTR(STR(?d), 1, n≤10)`` where the group's exact FILTERs and the enclosing
  ``IF`` branches fix ``?d``'s datatype as xsd:gYear or xsd:gYearMonth.  BIND variables are read
  as the expression they name, where they are used.
* Otherwise it is weakened in the direction the position allows: ``COALESCE(a, true)`` where
  Oxigraph only fails where rdflib has a value (``STR`` of a blank node, ``=`` of a term and a
  string or boolean constant); ``IF(guard, a, true)`` where the atom is exact under a guard
  Oxigraph evaluates (``=`` of two terms when one is not a literal; ``STR(?x)`` when ``?x`` is an
  IRI, a string or language-tagged; an xsd:date's ``STR`` when it starts with YYYY-MM-DD; ``?x <
  3`` when ``?x`` is a valid, non-NaN xsd:integer, xsd:decimal or xsd:double, two such numbers
  when both are integers/decimals or both doubles); and ``true`` or ``false`` outright (a cast,
  ``REGEX``, ``LANG``, ``LCASE``, arithmetic, an unknown function).  ``isNumeric(?x)`` becomes
  rdflib's own rule (the datatype alone).
* A value in an ``IF`` condition, a function argument or a ``BIND`` that a triple pattern uses
  must be exact as written, and so must every FILTER of an ``OPTIONAL``; a FILTER or BIND in a
  nested group or UNION branch (the analysis does not model the scope of such a group),
  ``MINUS``, ``GRAPH``, ``SERVICE``, subqueries and aggregates raise :class:`Unsupported`
  (pyshacl decides).

One gap is not closed here: Oxigraph's store keeps ``"5"^^xsd:byte`` as ``"5"^^xsd:integer``
(:data:`MERGED`), so a literal of a derived integer type that rdflib finds ill-typed (``"+9"^^
xsd:negativeInteger``) looks like a valid integer to the screen; numbers compared under the guard
above, like the SHACL Core ``sh:datatype xsd:integer`` check of the screen, can then differ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..vocab import RDF, XSD
from .sparql_constraint import Unsupported
from .sparql_pattern import Group, Node, parse_where, triple_variables

__all__ = ["ALL", "make_safe"]

PT, PF, QT, QF = "PT", "PF", "QT", "QF"
ALL = frozenset({PT, PF, QT, QF})
NONE: frozenset[str] = frozenset()
_SWAP = {PT: PF, PF: PT, QT: QF, QF: QT}
#: Needs of a FILTER in a group whose rows may grow (UP), must not grow (DOWN), must be exact.
UP, DOWN = frozenset({PT}), frozenset({QT})

_DATES = frozenset({XSD + "date", XSD + "gYearMonth", XSD + "gYear"})
#: The derived integer types (Oxigraph's DATATYPE answers xsd:integer for them).
_INTEGERS = frozenset(
    XSD + n
    for n in (
        "integer nonPositiveInteger negativeInteger nonNegativeInteger positiveInteger unsignedLong "
        "unsignedInt unsignedShort unsignedByte long int short byte"
    ).split()
)
#: rdflib's isNumeric: the datatype alone (rdflib.plugins.sparql.operators.numeric).
_NUMERIC = sorted(_INTEGERS | {XSD + "float", XSD + "double", XSD + "decimal"})
#: Datatypes Oxigraph's store merges (it keeps "5"^^xsd:byte as "5"^^xsd:integer, an
#: xsd:dateTimeStamp as an xsd:dateTime): a DATATYPE compared with one of them may disagree.
MERGED = _INTEGERS | {XSD + "dateTime", XSD + "dateTimeStamp"}
_STRING_TESTS = {"contains", "strstarts", "strends"}
_SMALL_INT = re.compile(r"^\d{1,15}$")

# ---------------------------------------------------------------- analysis


@dataclass(frozen=True)
class _Val:
    """What the analysis knows of a value: its kind, and how far both engines agree on it.

    ``how``: "exact" (the same term, or an error in both; for a plain variable: the same data
    term, each engine reading its literal its own way), "partial" (Oxigraph fails where rdflib
    may have a value, otherwise the same), "guarded" (exact where ``guard`` holds in Oxigraph),
    "none".  ``kind``: iri, node (IRI or blank node), term (any data term), str (a simple
    literal), datestr (STR of an xsd:date/gYearMonth/gYear literal: the first 10 characters
    agree), dt (a DATATYPE), count (a STRLEN), int (a small integer constant), bool, other."""

    kind: str
    how: str
    guard: str = ""
    var: str = ""


_NONE = _Val("other", "none")
#: (text, properties, total: never an error in either engine)
_Cand = tuple[str, frozenset[str], bool]


def _str_guard(v: str) -> str:
    # STR agrees on IRIs, plain and xsd:string literals and language-tagged literals
    return f'(isIRI(?{v}) || (isLiteral(?{v}) && (DATATYPE(?{v}) = <{XSD}string> || LANG(?{v}) != "")))'


def _date_guard(v: str) -> str:
    # rdflib rewrites an xsd:date it can parse to YYYY-MM-DD (dropping a time zone, reading
    # "2022-W01-1" as "2022-01-03"): the first 10 characters agree where they are YYYY-MM-DD
    return (
        f"COALESCE(DATATYPE(?{v}) != <{XSD}date> || "
        f'REGEX(STR(?{v}), "^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"), true)'
    )


def _combine(vals: list[_Val], kind: str) -> _Val:
    """A value computed from ``vals`` by a function exact on exact arguments."""
    hows = {v.how for v in vals}
    if hows <= {"exact"}:
        return _Val(kind, "exact")
    if hows <= {"exact", "guarded"}:
        return _Val(kind, "guarded", " && ".join(dict.fromkeys(v.guard for v in vals if v.guard)))
    if hows <= {"exact", "partial"}:
        return _Val(kind, "partial")
    return _NONE


def _num_guard(v: str) -> str:
    # valid for Oxigraph, not NaN (rdflib: NaN < 1 is true), and not a float (single precision in
    # Oxigraph): then a comparison with a whole number agrees
    return f"(isNumeric(?{v}) && ?{v} = ?{v} && DATATYPE(?{v}) IN (<{XSD}integer>, <{XSD}decimal>, <{XSD}double>))"


def _num_pair_guard(a: str, b: str) -> str:
    # integers and decimals compare exactly in both engines, doubles with doubles; an integer
    # with a double does not (Oxigraph converts, Python compares exactly)
    exact = f"<{XSD}integer>, <{XSD}decimal>"
    return (
        f"(isNumeric(?{a}) && isNumeric(?{b}) && ?{a} = ?{a} && ?{b} = ?{b} && "
        f"((DATATYPE(?{a}) IN ({exact}) && DATATYPE(?{b}) IN ({exact})) "
        f"|| (DATATYPE(?{a}) = <{XSD}double> && DATATYPE(?{b}) = <{XSD}double>)))"
    )


class _Analysis:
    def __init__(self, text: str, prefixes: dict[str, str], bind_in_triples: set[str]) -> None:
        self.text = text
        self.prefixes = prefixes
        self.kinds: dict[str, str] = {}
        self.macros: dict[str, Node] = {}
        self.facts: dict[str, frozenset[str]] = {}
        self.triple_vars = bind_in_triples
        self.depth = 0
        #: in a value (an IF condition, a BIND): the text stays as written, so only what is
        #: exact as written may be used
        self.frozen = False

    def exact_as_written(self, n: Node) -> bool:
        saved, self.frozen = self.frozen, True
        try:
            self.cond(n, ALL)
        except Unsupported:
            return False
        finally:
            self.frozen = saved
        return True

    def src(self, n: Node) -> str:
        return self.text[n.start : n.end]

    def iri(self, n: Node) -> str | None:
        """The IRI of a constant IRI or prefixed name (None when unknown)."""
        if n.kind == "paren":
            return self.iri(n.args[0])
        if n.kind != "const" or n.name != "iri":
            return None
        t = self.src(n)
        if t.startswith("<"):
            return t[1:-1]
        prefix, _, local = t.partition(":")
        ns = self.prefixes.get(prefix, {"xsd": XSD, "rdf": RDF}.get(prefix))
        return ns + local if ns is not None else None

    # -- values
    def val(self, n: Node) -> _Val:
        if n.kind == "paren":
            return self.val(n.args[0])
        if n.kind == "var":
            if n.name in self.macros:
                if self.depth > 20:
                    raise Unsupported("sh:select: BIND nested too deep")
                self.depth += 1
                try:
                    return self.val(self.macros[n.name])
                finally:
                    self.depth -= 1
            return _Val(self.kinds.get(n.name, "term"), "exact", var=n.name)
        if n.kind == "const":
            t = self.src(n)
            if n.name == "int":
                return _Val("int" if _SMALL_INT.match(t) else "other", "exact")
            return _Val(n.name, "exact") if n.name in ("iri", "str", "bool") else _Val("other", "exact")
        if n.kind == "call":
            return self.call_val(n)
        if n.kind in ("rel", "in", "and", "or", "not", "exists"):
            return _Val("bool", "exact" if self.exact_as_written(n) else "none")
        return _NONE

    def call_val(self, n: Node) -> _Val:
        name, args = n.name, [self.val(a) for a in n.args]
        if name == "str" and len(args) == 1:
            a = args[0]
            if a.how == "exact" and a.kind in ("iri", "str"):
                return _Val("str", "exact")
            if a.how == "exact" and a.kind == "node":
                return _Val("str", "partial")  # a blank node: an error in Oxigraph, its label in rdflib
            if a.how == "exact" and a.var and a.kind == "term":
                dts = self.facts.get(a.var, frozenset({""}))
                if dts <= _DATES - {XSD + "date"}:
                    return _Val("datestr", "exact")  # rdflib keeps a gYear's or gYearMonth's form
                if dts <= _DATES:
                    return _Val("datestr", "guarded", _date_guard(a.var))
                return _Val("str", "guarded", _str_guard(a.var))
            return _NONE
        if name == "datatype" and len(args) == 1 and args[0].how == "exact":
            return _Val("dt", "exact")
        if name == "strlen" and len(args) == 1 and args[0].kind == "str" and args[0].how == "exact":
            return _Val("count", "exact")
        if name == "substr" and 2 <= len(args) <= 3 and all(a.kind == "int" for a in args[1:]):
            a = args[0]
            bounds = [int(self.src(x)) for x in n.args[1:]]
            if a.kind == "datestr" and bounds[0] == 1 and len(bounds) == 2 and bounds[1] <= 10:
                return _combine([a], "str")
            return _combine([a], "str") if a.kind == "str" else _NONE
        if name in ("concat", "strbefore", "strafter") and args:
            return _combine(args, "str") if all(a.kind == "str" for a in args) else _NONE
        if name == "if" and len(n.args) == 3:
            if not self.exact_as_written(n.args[0]):
                return _NONE
            saved = self.facts
            try:
                self.facts = self.with_facts(n.args[0], True)
                a = self.val(n.args[1])
                self.facts = self.with_facts(n.args[0], False, saved)
                b = self.val(n.args[2])
            finally:
                self.facts = saved
            return _combine([a, b], a.kind if a.kind == b.kind else "other")
        if name == "coalesce" and args and all(a.how == "exact" for a in args):
            return _Val(args[0].kind if len({a.kind for a in args}) == 1 else "other", "exact")
        if name in {"isiri", "isuri", "isblank", "isliteral", "bound", "sameterm", "isnumeric"} | _STRING_TESTS:
            return _Val("bool", "exact" if self.exact_as_written(n) else "none")
        return _NONE

    # -- facts: what the datatype of a variable is where a condition holds (or fails)
    def dt_var(self, n: Node) -> str | None:
        """``?x`` when ``n`` is DATATYPE(?x) or a variable BOUND to it."""
        while n.kind == "paren":
            n = n.args[0]
        if n.kind == "var" and n.name in self.macros:
            return self.dt_var(self.macros[n.name])
        if n.kind == "call" and n.name == "datatype" and len(n.args) == 1 and n.args[0].kind == "var":
            if n.args[0].name not in self.macros:
                return n.args[0].name
        return None

    def with_facts(
        self, n: Node, holds: bool, base: dict[str, frozenset[str]] | None = None
    ) -> dict[str, frozenset[str]]:
        facts = dict(self.facts if base is None else base)
        for var, (keep, drop) in self.facts_of(n, holds).items():
            prior = facts.get(var)
            if keep is not None:
                prior = keep if prior is None else prior & keep
            if drop and prior is not None:
                prior = prior - drop
            if prior is not None:
                facts[var] = prior
        return facts

    def facts_of(self, n: Node, holds: bool) -> dict[str, tuple[frozenset[str] | None, frozenset[str]]]:
        if n.kind == "paren":
            return self.facts_of(n.args[0], holds)
        if n.kind == "not":
            return self.facts_of(n.args[0], not holds)
        if (n.kind == "and" and holds) or (n.kind == "or" and not holds):
            out: dict[str, tuple[frozenset[str] | None, frozenset[str]]] = {}
            for a in n.args:
                for name, (keep, drop) in self.facts_of(a, holds).items():
                    k0, d0 = out.get(name, (None, frozenset()))
                    out[name] = (keep if k0 is None else (k0 if keep is None else k0 & keep), d0 | drop)
            return out
        consts: list[Node] = []
        var: str | None = None
        if n.kind == "rel" and n.name in ("=", "!="):
            var, consts = self.dt_var(n.args[0]), n.args[1:]
            if var is None:
                var, consts = self.dt_var(n.args[1]), n.args[:1]
            if n.name == "!=":
                holds = not holds
        elif n.kind == "in":
            var, consts = self.dt_var(n.args[0]), n.args[1:]
            if n.extra:
                holds = not holds
        iris = [self.iri(c) for c in consts]
        if var is None or not consts or any(i is None or i in MERGED for i in iris):
            return {}
        found = frozenset(i for i in iris if i is not None)
        if holds:
            return {var: (found, frozenset())}
        return {var: (None, found)}

    # -- conditions
    def cond(self, n: Node, need: frozenset[str], want_total: bool = False) -> _Cand:
        """``n`` rewritten so that it has the properties ``need`` (and never fails: ``want_total``)."""
        if n.kind == "paren":
            text, props, total = self.cond(n.args[0], need, want_total)
            return f"({text})", props, total
        if n.kind == "not":
            text, props, total = self.cond(n.args[0], frozenset(_SWAP[p] for p in need), want_total)
            return f"!({text})", frozenset(_SWAP[p] for p in props), total
        if n.kind == "or":
            parts = [self.cond(a, need, want_total) for a in n.args]
            props = frozenset.intersection(*(p for _t, p, _x in parts))
            return " || ".join(f"({t})" for t, _p, _x in parts), props, all(x for _t, _p, x in parts)
        if n.kind == "and":
            saved, parts = self.facts, []
            try:
                for i, a in enumerate(n.args):
                    last = i == len(n.args) - 1
                    parts.append(self.cond(a, need, want_total or (QF in need and not last)))
                    self.facts = self.with_facts(a, True)
            finally:
                self.facts = saved
            props = frozenset.intersection(*(p for _t, p, _x in parts))
            if not all(x for _t, _p, x in parts[:-1]):
                props -= {QF}  # rdflib's && fails at the first error even when a later operand is false
            return " && ".join(f"({t})" for t, _p, _x in parts), props, all(x for _t, _p, x in parts)
        if n.kind == "exists":
            inner = frozenset(_SWAP[p] for p in need) if n.name == "not" else need
            if inner <= {PT, QF}:
                mode = UP
            elif inner <= {PF, QT}:
                mode = DOWN
            else:
                mode = ALL
            group = self.extra_group(n)
            text = self.group(group, mode)
            got = {UP: frozenset({PT, QF}), DOWN: frozenset({PF, QT})}.get(mode, ALL)
            if n.name == "not":
                return f"NOT EXISTS {text}", frozenset(_SWAP[p] for p in got), True
            return f"EXISTS {text}", got, True
        for cand in self.atom(n):
            if self.frozen and cand[0] != self.src(n):
                continue
            if need <= cand[1] and (cand[2] or not want_total):
                return cand
        raise Unsupported(f"sh:select: cannot show that Oxigraph and rdflib agree on {self.src(n)!r}")

    def extra_group(self, n: Node) -> Group:
        assert isinstance(n.extra, Group)
        return n.extra

    def atom(self, n: Node) -> list[_Cand]:
        """Candidate texts for a comparison, function call or variable: the first that has
        the needed properties is used."""
        orig = self.src(n)
        props, guarded, guard, text = self.classify(n)
        text = text or orig
        total = (n.kind == "call" and n.name == "bound") or text.startswith("COALESCE(")
        cands: list[_Cand] = []
        if props:
            cands.append((text, props, total))
        if QF in props:
            cands.append((f"COALESCE({text}, true)", _coalesce(props, True), True))
        if QT in props:
            cands.append((f"COALESCE({text}, false)", _coalesce(props, False), True))
        if guard:
            # where the guard fails (or errs) the atom is replaced by true (false); where it holds,
            # the atom has the properties ``guarded`` (and COALESCE may lift them as above)
            g = f"COALESCE({guard}, false)"
            inner = [(text, guarded), (f"COALESCE({text}, true)", _coalesce(guarded, True))]
            inner.append((f"COALESCE({text}, false)", _coalesce(guarded, False)))
            for body, got in inner:
                up, down = frozenset({PT, QF}) & got, frozenset({PF, QT}) & got
                if up:
                    cands.append((f"IF({g}, {body}, true)", up, body.startswith("COALESCE(")))
                if down:
                    cands.append((f"IF({g}, {body}, false)", down, body.startswith("COALESCE(")))
        cands += [("true", frozenset({PT, QF}), True), ("false", frozenset({PF, QT}), True)]
        return cands

    def classify(self, n: Node) -> tuple[frozenset[str], frozenset[str], str, str]:
        """(properties, properties under the guard, guard, replacement text) of an atom."""
        if n.kind == "const":
            return (ALL if n.name == "bool" else NONE), NONE, "", ""
        if n.kind == "var":
            v = self.val(n)
            return (ALL if v.kind == "bool" and v.how == "exact" else NONE), NONE, "", ""
        if n.kind == "call":
            return self.classify_call(n)
        if n.kind == "rel":
            return self.classify_rel(n.name, self.val(n.args[0]), self.val(n.args[1]), n)
        if n.kind == "in":
            x = self.val(n.args[0])
            items = [self.val(a) for a in n.args[1:]]
            iris = [self.iri(a) for a in n.args[1:]]
            if x.how == "exact" and items and all(i is not None for i in iris):
                if x.kind != "dt" or not (set(iris) & MERGED):
                    return ALL, NONE, "", ""
            if (
                x.how == "exact"
                and x.kind == "str"
                and items
                and all(i.kind == "str" and i.how == "exact" for i in items)
            ):
                return ALL, NONE, "", ""
            return NONE, NONE, "", ""
        return NONE, NONE, "", ""

    def classify_call(self, n: Node) -> tuple[frozenset[str], frozenset[str], str, str]:
        name, args = n.name, [self.val(a) for a in n.args]
        if name == "bound" and len(n.args) == 1 and n.args[0].kind == "var":
            macro = self.macros.get(n.args[0].name)
            if macro is None or self.val(macro).how == "exact":
                return ALL, NONE, "", ""
        elif name in ("isiri", "isuri", "isblank", "isliteral") and len(args) == 1:
            if args[0].how == "exact":
                return ALL, NONE, "", ""
        elif name == "isnumeric" and len(args) == 1 and args[0].how == "exact" and args[0].var:
            v = args[0].var
            dts = ", ".join(f"<{d}>" for d in _NUMERIC)
            return ALL, NONE, "", f"COALESCE(isLiteral(?{v}) && DATATYPE(?{v}) IN ({dts}), false)"
        elif name == "sameterm" and len(args) == 2:
            a, b = args
            if a.how == b.how == "exact" and "dt" not in (a.kind, b.kind):
                if "iri" in (a.kind, b.kind) or a.kind == b.kind == "str" or a.kind == b.kind == "node":
                    return ALL, NONE, "", ""
                if a.var and b.var:
                    return NONE, ALL, f"(!isLiteral(?{a.var}) || !isLiteral(?{b.var}))", ""
        elif name in _STRING_TESTS and len(args) == 2:
            if all(a.kind == "str" and a.how == "exact" for a in args):
                return ALL, NONE, "", ""
        return NONE, NONE, "", ""

    def classify_rel(self, op: str, a: _Val, b: _Val, n: Node) -> tuple[frozenset[str], frozenset[str], str, str]:
        eq = op in ("=", "!=")
        kinds = {a.kind, b.kind}
        partial = frozenset({QT, QF})
        if a.kind == b.kind == "str":
            hows = {a.how, b.how}
            guards = " && ".join(v.guard for v in (a, b) if v.how == "guarded")
            if hows == {"exact"}:
                return ALL, NONE, "", ""
            if hows <= {"exact", "partial"}:
                return partial, NONE, "", ""
            if hows <= {"exact", "guarded"}:
                return NONE, ALL, guards, ""
            if hows <= {"exact", "guarded", "partial"}:
                return NONE, partial, guards, ""
            return NONE, NONE, "", ""
        if a.how != "exact" or b.how != "exact":
            return NONE, NONE, "", ""
        if kinds <= {"count", "int"}:
            return ALL, NONE, "", ""
        if eq:
            consts = [self.iri(x) for x in n.args]
            if "dt" in kinds:
                other = consts[1] if a.kind == "dt" else consts[0]
                if kinds == {"dt"} or other is None or other in MERGED:
                    return NONE, NONE, "", ""
                return ALL, NONE, "", ""
            if "iri" in kinds or kinds == {"node"}:
                return ALL, NONE, "", ""
            data = [v for v in (a, b) if v.kind in ("term", "node") and v.var]
            if len(data) == 2:
                return NONE, ALL, f"(!isLiteral(?{a.var}) || !isLiteral(?{b.var}))", ""
            if len(data) == 1 and kinds - {"term", "node"} <= {"str", "bool"}:
                return partial, NONE, "", ""
            return NONE, NONE, "", ""
        if kinds == {"node"} or kinds <= {"node", "iri"}:
            return partial, NONE, "", ""
        data = [v for v in (a, b) if v.kind == "term" and v.var]
        if len(data) == 1 and kinds == {"term", "int"}:
            return NONE, ALL, _num_guard(data[0].var), ""
        if len(data) == 2:
            return NONE, ALL, _num_pair_guard(a.var, b.var), ""
        return NONE, NONE, "", ""

    # -- groups
    def group(self, g: Group, need: frozenset[str], optional: bool = False) -> str:
        """The group's text with its FILTERs rewritten to ``need`` (UP, DOWN or ALL).  The BINDs of
        an ``optional`` group must be exact: their variables are seen outside it as plain values."""
        saved = (dict(self.kinds), dict(self.macros), dict(self.facts))
        try:
            for v in g.subjects:
                self.kinds.setdefault(v, "node")
            for var, expr in g.binds:
                self.macros[var] = expr
            exact: list[int] = []
            for i, f in enumerate(g.filters):
                try:
                    self.cond(f, ALL)
                    exact.append(i)
                except Unsupported:
                    pass
            base = self.facts
            for var, expr in g.binds:
                if (optional or var in self.triple_vars) and self.val(expr).how != "exact":
                    raise Unsupported(f"sh:select: ?{var} is BOUND to a value the engines may disagree on")
            edits: list[tuple[int, int, str]] = []
            for i, f in enumerate(g.filters):
                facts = base
                for j in exact:
                    if j != i:
                        self.facts = facts
                        facts = self.with_facts(g.filters[j], True)
                self.facts = facts
                text, _props, _total = self.cond(f, need)
                edits.append((f.start, f.end, f"({text})" if f.kind != "paren" else text))
            self.facts = base
            for o in g.optionals:
                edits.append((o.start, o.end, self.group(o, ALL, optional=True)))
            for branches in g.unions:
                for b in branches:
                    edits.append((b.start, b.end, self.group(b, need)))
        finally:
            self.kinds, self.macros, self.facts = saved
        out, pos = [], g.start
        for start, end, text in sorted(edits):
            out.append(self.text[pos:start])
            out.append(text)
            pos = end
        out.append(self.text[pos : g.end])
        return "".join(out)


def _coalesce(props: frozenset[str], default: bool) -> frozenset[str]:
    """The properties of COALESCE(a, default) from those of ``a`` (it never fails)."""
    if default:
        got = {PT: QF, PF: PF, QT: PF, QF: QF}
    else:
        got = {PT: PT, PF: QT, QT: QT, QF: PT}
    return frozenset(p for p, src in got.items() if src in props)


def make_safe(select: str, prefixes: dict[str, str] | None = None) -> str:
    """``select`` (a SHACL-SPARQL constraint's or target's SELECT, ``$this`` written ``?this``)
    with its FILTERs rewritten so that Oxigraph keeps every solution rdflib keeps.

    :raises Unsupported: an expression the analysis cannot prove or weaken soundly.
    """
    where = parse_where(select)
    analysis = _Analysis(select, dict(prefixes or {}), triple_variables(where))
    return select[: where.start] + analysis.group(where, UP) + select[where.end :]
