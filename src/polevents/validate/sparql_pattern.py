"""A reader of the SPARQL a SHACL-SPARQL constraint or target holds: its patterns and expressions.

Enough of the SPARQL 1.1 grammar for :mod:`polevents.validate.sparql_safety` to reason about a
``sh:select``: the WHERE clause as groups (FILTERs, BINDs, OPTIONALs, UNION branches, the variables
of triple patterns and those in subject position) and every FILTER and BIND expression as a tree
whose nodes keep their place in the text (so that one can be rewritten where it stands).  Whatever
it does not read raises :class:`Unsupported`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .sparql_constraint import Unsupported

__all__ = ["Group", "Node", "Parser", "parse_where"]

_TOK = re.compile(
    r"""(?P<ws>\s+|\#[^\n]*)
    |(?P<str>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    |(?P<var>[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]+)
    |(?P<num>(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)
    |(?P<pname>(?:[A-Za-z\u00c0-\uffff][\w\-]*(?:\.[\w\-]+)*)?:(?:[\w\-%]|\\.|\.(?=[\w\-%]))*)
    |(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    |(?P<word>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<op>\^\^|&&|\|\||!=|<=|>=|[(){}\[\],;.!=<>+\-*/|^])
    |(?P<other>.)""",
    re.X | re.S,
)


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    start: int
    end: int

    @property
    def word(self) -> str:
        return self.text.lower() if self.kind == "word" else ""


def _tokens(text: str) -> list[_Tok]:
    out = []
    for m in _TOK.finditer(text):
        kind = m.lastgroup or "other"
        if kind == "other":
            raise Unsupported(f"sh:select: cannot read {m.group()!r}")
        if kind != "ws":
            out.append(_Tok(kind, m.group(), m.start(), m.end()))
    return out


# ---------------------------------------------------------------- expressions


@dataclass
class Node:
    kind: str  # or and not rel in call var const exists paren neg arith
    start: int
    end: int
    args: list[Node] = field(default_factory=list)
    name: str = ""  # operator, function name (lower case), variable name, constant kind
    extra: object = None  # EXISTS: the group; IN: negated?


class Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokens(text)
        self.i = 0

    def peek(self, k: int = 0) -> _Tok | None:
        return self.toks[self.i + k] if self.i + k < len(self.toks) else None

    def take(self, text: str | None = None) -> _Tok:
        tok = self.peek()
        if tok is None or (text is not None and tok.text.lower() != text):
            raise Unsupported(f"sh:select: expected {text!r} at {tok.text if tok else 'the end'!r}")
        self.i += 1
        return tok

    def at(self, *texts: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.text.lower() in texts

    # -- graph patterns
    def group(self) -> Group:
        start = self.take("{").start
        g = Group(start=start)
        stmt_start = True
        while not self.at("}"):
            tok = self.peek()
            if tok is None:
                raise Unsupported("sh:select: unbalanced braces")
            w = tok.word
            if w == "filter":
                self.i += 1
                g.filters.append(self.constraint())
                stmt_start = True
            elif w == "bind":
                self.i += 1
                self.take("(")
                expr = self.expr()
                self.take("as")
                var = self.take()
                if var.kind != "var":
                    raise Unsupported("sh:select: BIND without a variable")
                self.take(")")
                g.binds.append((var.text[1:], expr))
                stmt_start = True
            elif w == "optional":
                self.i += 1
                g.optionals.append(self.group())
                stmt_start = True
            elif w == "values":
                self.i += 1
                while not self.at("{"):
                    self.take()
                self.skip_block("{", "}")
                stmt_start = True
            elif tok.text == "{":
                branches = [self.group()]
                while self.at("union"):
                    self.i += 1
                    branches.append(self.group())
                if any(b.filters or b.binds for b in branches):
                    # the analysis does not model a nested group's own scope (its FILTERs do not see
                    # the variables bound outside it): not read, so refused
                    raise Unsupported("sh:select: a FILTER or BIND inside a nested group or UNION branch")
                g.unions.append(branches)
                stmt_start = True
            elif w in ("minus", "graph", "service", "select", "union"):
                raise Unsupported(f"sh:select: {w.upper()} in a pattern")
            elif tok.text == ".":
                self.i += 1
                stmt_start = True
            else:  # a triple pattern
                if tok.kind == "var":
                    g.triple_vars.add(tok.text[1:])
                    if stmt_start:
                        g.subjects.add(tok.text[1:])
                if tok.text in "[(":
                    self.skip_block(tok.text, "]" if tok.text == "[" else ")", g.triple_vars)
                else:
                    self.i += 1
                stmt_start = False
        g.end = self.take("}").end
        return g

    def skip_block(self, open_: str, close: str, vars_: set[str] | None = None) -> None:
        depth = 0
        while True:
            tok = self.take()
            if tok.kind == "var" and vars_ is not None:
                vars_.add(tok.text[1:])
            if tok.text == open_:
                depth += 1
            elif tok.text == close:
                depth -= 1
                if depth == 0:
                    return
            elif tok.text in "{}" and open_ != "{":
                raise Unsupported("sh:select: a brace inside a bracket")

    def constraint(self) -> Node:
        tok = self.peek()
        if tok is not None and (
            tok.text == "(" or tok.word in ("exists", "not") or tok.kind in ("word", "iri", "pname")
        ):
            return self.primary()
        raise Unsupported("sh:select: FILTER without a constraint")

    # -- expressions
    def expr(self) -> Node:
        return self.binary("||", self.and_)

    def and_(self) -> Node:
        return self.binary("&&", self.rel)

    def binary(self, op: str, sub: Callable[[], Node]) -> Node:
        first = sub()
        items = [first]
        while self.at(op):
            self.i += 1
            items.append(sub())
        if len(items) == 1:
            return first
        return Node("or" if op == "||" else "and", first.start, items[-1].end, items)

    def rel(self) -> Node:
        left = self.arith()
        tok = self.peek()
        if tok is not None and tok.text in ("=", "!=", "<", ">", "<=", ">="):
            self.i += 1
            right = self.arith()
            return Node("rel", left.start, right.end, [left, right], tok.text)
        negated = False
        if self.at("not") and (nxt := self.peek(1)) is not None and nxt.word == "in":
            self.i += 1
            negated = True
        if self.at("in"):
            self.i += 1
            self.take("(")
            items = [left]
            while not self.at(")"):
                items.append(self.expr())
                if self.at(","):
                    self.i += 1
            end = self.take(")").end
            return Node("in", left.start, end, items, "in", negated)
        return left

    def arith(self) -> Node:
        first = self.unary()
        items = [first]
        while self.at("+", "-", "*", "/"):
            self.i += 1
            items.append(self.unary())
        return first if len(items) == 1 else Node("arith", first.start, items[-1].end, items)

    def unary(self) -> Node:
        tok = self.peek()
        if tok is not None and tok.text == "!":
            self.i += 1
            inner = self.unary()
            return Node("not", tok.start, inner.end, [inner])
        if tok is not None and tok.text in "+-" and tok.kind == "op":
            self.i += 1
            inner = self.unary()
            return Node("arith", tok.start, inner.end, [inner])
        return self.primary()

    def primary(self) -> Node:
        tok = self.take()
        if tok.text == "(":
            inner = self.expr()
            end = self.take(")").end
            return Node("paren", tok.start, end, [inner])
        if tok.word == "not" or tok.word == "exists":
            negated = tok.word == "not"
            if negated:
                self.take("exists")
            g = self.group()
            return Node("exists", tok.start, g.end, [], "not" if negated else "", g)
        if tok.kind == "var":
            return Node("var", tok.start, tok.end, name=tok.text[1:])
        if tok.kind == "num":
            return Node("const", tok.start, tok.end, name="int" if tok.text.isdigit() else "number")
        if tok.kind == "str":
            nxt = self.peek()
            if nxt is not None and nxt.kind == "lang":
                self.i += 1
                return Node("const", tok.start, nxt.end, name="lang")
            if nxt is not None and nxt.text == "^^":
                self.i += 1
                dt = self.take()
                return Node("const", tok.start, dt.end, name="typed")
            return Node("const", tok.start, tok.end, name="str")
        if tok.word in ("true", "false"):
            return Node("const", tok.start, tok.end, name="bool")
        if tok.kind in ("word", "iri", "pname"):
            if not self.at("("):
                if tok.kind == "word":
                    raise Unsupported(f"sh:select: {tok.text} without arguments")
                return Node("const", tok.start, tok.end, name="iri")
            self.take("(")
            args: list[Node] = []
            if self.at("distinct", "*"):
                raise Unsupported(f"sh:select: aggregate {tok.text}")
            while not self.at(")"):
                args.append(self.expr())
                if self.at(","):
                    self.i += 1
            end = self.take(")").end
            name = tok.text.lower() if tok.kind == "word" else tok.text
            return Node("call", tok.start, end, args, name)
        raise Unsupported(f"sh:select: unexpected {tok.text!r} in an expression")


@dataclass
class Group:
    start: int
    end: int = 0
    filters: list[Node] = field(default_factory=list)
    binds: list[tuple[str, Node]] = field(default_factory=list)
    optionals: list[Group] = field(default_factory=list)
    unions: list[list[Group]] = field(default_factory=list)
    subjects: set[str] = field(default_factory=set)
    triple_vars: set[str] = field(default_factory=set)


def parse_where(select: str) -> Group:
    """The WHERE clause of ``select`` (the first group after the projection)."""
    parser = Parser(select)
    while parser.peek() is not None and not parser.at("{"):
        parser.i += 1
    if parser.peek() is None:
        raise Unsupported("sh:select without a WHERE clause")
    return parser.group()


def triple_variables(g: Group) -> set[str]:
    """Every variable of a triple pattern in ``g``, its nested groups and its EXISTS groups."""
    found = set(g.triple_vars)
    for o in g.optionals:
        found |= triple_variables(o)
    for branches in g.unions:
        for b in branches:
            found |= triple_variables(b)
    stack = list(g.filters) + [e for _v, e in g.binds]
    while stack:
        n = stack.pop()
        if n.kind == "exists" and isinstance(n.extra, Group):
            found |= triple_variables(n.extra)
        stack.extend(n.args)
    return found
