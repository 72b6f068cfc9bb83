"""SHACL-SPARQL constraints in the screen: when joining with the focus nodes equals pre-binding ``$this``.

The screen (:mod:`polevents.validate.screen`) runs a SPARQL-based constraint by joining its
``SELECT`` with the focus nodes of its shape.  That is the pre-binding of SHACL 5.3.1 only in
some places of the query; :func:`check_prebinding` refuses the others and :func:`wrap_select`
writes the join.  Both raise :class:`Unsupported`, the one signal of the screen that it cannot
check something exactly and pyshacl must decide (defined here, the screen's lowest module, and
re-exported by :mod:`polevents.validate.screen`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Unsupported", "check_prebinding", "wrap_select"]


class Unsupported(Exception):
    """The shapes use something the screen cannot check exactly; run pyshacl instead."""


_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n]*"
    r"|(?P<var>[?$][A-Za-z_0-9]+)"
    r"|(?P<pname>(?:[A-Za-z][\w.-]*)?:[\w.%-]*)"
    r"|(?P<word>[A-Za-z_]\w*)"
    r"|(?P<brace>[{}])"
    r"|\S",
    re.S,
)
#: Keywords that make a group more than a basic graph pattern.
_COMPLEX = {"filter", "bind", "values", "optional", "minus", "union", "service", "graph", "select", "exists"}


@dataclass
class _Group:
    keyword: str  # the word before its brace: "optional", "exists", "where", "union", ...
    nested: bool = False  # holds a group
    complex: bool = False  # holds a keyword of _COMPLEX other than FILTER
    this: bool = False  # mentions $this (or ?this)


def check_prebinding(select: str) -> None:
    """Refuse a SPARQL constraint whose ``$this`` a join with the focus nodes would not pre-bind.

    The screen joins the constraint's WHERE clause with its shape's focus nodes, which equals
    pre-binding ``$this`` (SHACL 5.3.1: every occurrence replaced by the focus node) where
    ``$this`` occurs in the top-level group, or in an OPTIONAL or EXISTS group right inside it
    that holds only triple patterns and FILTERs (an EXISTS pattern is evaluated with the outer
    solution substituted; an OPTIONAL group's FILTER is its left join's condition, evaluated on
    the joined solution).  Anywhere else (a nested group, a UNION branch, a FILTER
    inside a nested group, a subquery) the join leaves it unbound: :class:`Unsupported`.
    """
    stack: list[_Group] = []
    last_word = ""
    started = False
    for m in _TOKEN.finditer(select):
        brace = m.group("brace")
        if brace == "{":
            if stack:
                stack[-1].nested = True
            stack.append(_Group(last_word if started else "where"))
            started = True
            last_word = ""
        elif brace == "}":
            if not stack:
                raise Unsupported("unbalanced braces in sh:select")
            group = stack.pop()
            if group.this and stack:
                simple = group.keyword in ("optional", "exists") and not group.nested and not group.complex
                if len(stack) > 1 or not simple:
                    raise Unsupported("$this inside a nested group of a SPARQL constraint (pre-binding)")
            last_word = ""
        elif m.group("var") is not None:
            if stack and m.group("var")[1:] == "this":
                stack[-1].this = True
        elif m.group("word") is not None:
            last_word = m.group("word").lower()
            if last_word == "values":  # SHACL 5.3.1 forbids VALUES in a SPARQL constraint
                raise Unsupported("VALUES in a SPARQL constraint")
            if stack and last_word in _COMPLEX and last_word != "filter":
                stack[-1].complex = True
    if stack or not started:
        raise Unsupported("unbalanced braces in sh:select")


def wrap_select(select: str, target: str) -> str:
    """Join the constraint's WHERE clause with the focus nodes of its shape (``$this`` pre-bound)."""
    keyword = re.search(r"\bSELECT\b", select, re.I)
    if keyword is None:
        raise Unsupported("SPARQL constraint without SELECT")
    brace = select.index("{", keyword.end())
    if "(" in select[keyword.end() : brace] and "exists" in select[keyword.end() : brace].lower():
        raise Unsupported("EXISTS in the projection of a SPARQL constraint")
    return f"{select[: keyword.start()]}SELECT DISTINCT ?this WHERE {{ {{ {target} }} {select[brace + 1 :]}"
