"""A small SPARQL lexer: what the endpoint must know about a query before running it.

It does not parse SPARQL (Oxigraph does that); it skips comments, string
literals and IRIs and reports the keywords that matter for safety and for
content negotiation:

* the query form (``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``) or the
  update operation the text starts with (``INSERT``, ``LOAD``, …);
* whether ``SERVICE`` occurs as a keyword anywhere: federated queries are
  refused, because pyoxigraph would open the HTTP connection;
* whether the query names its own dataset (``FROM`` / ``FROM NAMED``).
* how deeply it nests (:func:`check_nesting`), before any parser sees it.

The lexer is the first line of defence, not the only one: the server's query
workers run without any network (:mod:`polevents.process`), so a ``SERVICE``
this scan missed fails inside the worker instead of connecting anywhere.

The check is conservative: the text is scanned both as written and after
SPARQL's ``\\uXXXX`` code-point escapes are expanded (SPARQL 1.1 §19.2), and a
keyword found by either scan counts::

    >>> scan_query("PREFIX s: <http://x/SERVICE#> SELECT * { ?service s:p 'SERVICE' }").service
    False
    >>> scan_query("select * { service <http://example.org/sparql> { ?s ?p ?o } }").service
    True
    >>> scan_query("# comment\\nASK {}").form
    'ASK'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "MAX_NESTING",
    "QUERY_FORMS",
    "UPDATE_KEYWORDS",
    "VOLATILE",
    "QueryScan",
    "Token",
    "check_nesting",
    "declared_prefixes",
    "declares_base",
    "nesting_depth",
    "prefixed_names",
    "scan_query",
    "star_position",
    "tokens",
    "top_level_limit",
    "variables_in_order",
]

QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})
#: SPARQL functions whose value is not the same at each evaluation
VOLATILE = frozenset({"RAND", "NOW", "UUID", "STRUUID"})

# Tokens the scan must step over so that keywords inside them are not seen.
_SKIP = re.compile(
    r"""
      \#[^\n\r]*                                   # comment
    | '''(?:[^'\\]|\\.|'(?!''))*(?:'''|$)          # long strings (unterminated: to the end)
    | \"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|$)
    | '(?:[^'\\\n\r]|\\.)*'?                       # short strings
    | "(?:[^"\\\n\r]|\\.)*"?
    | <[^<>"{}|^`\\\x00-\x20]*>                    # IRI reference
    | [?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+   # variable
    | [\w.\-\u00b7]*:(?:[\w.\-:%]|\\.)*          # prefixed name; \# \' … escape one character each
    """,
    re.VERBOSE | re.DOTALL,
)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class QueryScan:
    """What the lexer saw: the first operation keyword and the keywords that matter."""

    #: SELECT / ASK / CONSTRUCT / DESCRIBE, or None when the text starts otherwise
    form: str | None
    #: the update keyword the text starts with (INSERT, LOAD, …), if any
    update: str | None
    #: SERVICE occurs as a keyword
    service: bool
    #: FROM or FROM NAMED occurs as a keyword (the query names its own dataset)
    from_clause: bool
    #: a function whose value changes from one evaluation to the next occurs (:data:`VOLATILE`):
    #: the same text may do other work on the same data
    volatile: bool = False


def _keywords(text: str) -> list[str]:
    """Bare words outside comments, strings, IRIs, variables and prefixed names, upper-cased."""
    words: list[str] = []
    pos = 0
    n = len(text)
    while pos < n:
        m = _SKIP.match(text, pos)
        if m and m.end() > pos:
            pos = m.end()
            continue
        m = _WORD.match(text, pos)
        if m:
            words.append(m.group().upper())
            pos = m.end()
            continue
        pos += 1
    return words


def _unescape(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else m.group()

    return _ESCAPE.sub(repl, text)


#: deepest nesting of ``{`` ``(`` ``[`` (and runs of unary ``!`` ``+`` ``-``) a query may have.  Oxigraph's
#: recursive parser overflows its stack (SIGSEGV, exit 139) between 2,000 and 5,000 levels, and parses
#: nested collections and blank nodes in time growing steeply with depth (1–2 s at 64 levels, 5–7 s at
#: 100, measured); the shipped queries nest at most 11 deep.
MAX_NESTING = 64
_NEST = re.compile(
    _SKIP.pattern
    + r"""
    | (?P<open>[{(\[])
    | (?P<close>[})\]])
    | (?P<unary>[!+\-](?:\s*[!+\-])*)
    | [^{}()\[\]!+\-'"<\#?$:]+
    | .
    """,
    re.VERBOSE | re.DOTALL,
)


def _depth(text: str) -> int:
    depth = deepest = 0
    for m in _NEST.finditer(text):
        kind = m.lastgroup
        if kind == "open":
            depth += 1
            deepest = max(deepest, depth)
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "unary":
            deepest = max(deepest, depth + m.group().count("!") + m.group().count("+") + m.group().count("-"))
    return deepest


def nesting_depth(text: str) -> int:
    """How deep brackets nest in a query (outside comments, strings and IRIs), a run of unary
    operators counting as that many levels.  (Oxigraph expands ``\\u`` escapes only inside IRIs
    and strings, so an escaped bracket nests nothing.)

    >>> nesting_depth("SELECT * { { ?s ?p ?o } FILTER(!!(?o)) }")
    4
    """
    return _depth(text)


def check_nesting(text: str, limit: int = MAX_NESTING) -> None:
    """Refuse a query nested deeper than ``limit``, before any parser sees it.

    :raises QueryError: too deep.
    """
    depth = nesting_depth(text)
    if depth > limit:
        from ..errors import QueryError

        raise QueryError(
            f"the query nests {depth} levels deep ({{ ( [ or unary operators); at most {limit} are accepted"
        )


def _scan(words: list[str]) -> QueryScan:
    first = next((w for w in words if w not in ("BASE", "PREFIX")), None)
    return QueryScan(
        form=first if first in QUERY_FORMS else None,
        update=first if first in UPDATE_KEYWORDS else None,
        service="SERVICE" in words,
        from_clause="FROM" in words,
        volatile=not VOLATILE.isdisjoint(words),
    )


def scan_query(text: str) -> QueryScan:
    """Scan a query as written and with code-point escapes expanded; keywords of either count."""
    plain = _scan(_keywords(text))
    expanded_text = _unescape(text)
    if expanded_text == text:
        return plain
    expanded = _scan(_keywords(expanded_text))
    return QueryScan(
        form=plain.form or expanded.form,
        update=plain.update or expanded.update,
        service=plain.service or expanded.service,
        from_clause=plain.from_clause or expanded.from_clause,
        volatile=plain.volatile or expanded.volatile,
    )


# --------------------------------------------------------------------------- tokens with positions
#
# What the query engine and the remote path need besides the keywords: where things are.
# The same skipping rules as the keyword scan (``_SKIP``): a comment, string or IRI never
# yields a keyword, a prefix or a variable.


@dataclass(frozen=True)
class Token:
    """One token of a query: ``kind`` is comment, string, iri, var, pname, word or punct."""

    kind: str
    text: str
    start: int


def _kind(text: str) -> str:
    first = text[0]
    if first == "#":
        return "comment"
    if first in "'\"":
        return "string"
    if first == "<":
        return "iri"
    if first in "?$":
        return "var"
    return "pname"


def tokens(text: str) -> list[Token]:
    """The tokens of ``text`` as written (no escape expansion), white space left out."""
    out: list[Token] = []
    pos, n = 0, len(text)
    while pos < n:
        if text[pos].isspace():
            pos += 1
            continue
        m = _SKIP.match(text, pos)
        if m and m.end() > pos:
            out.append(Token(_kind(m.group()), m.group(), pos))
            pos = m.end()
            continue
        m = _WORD.match(text, pos)
        if m:
            out.append(Token("word", m.group(), pos))
            pos = m.end()
            continue
        out.append(Token("punct", text[pos], pos))
        pos += 1
    return out


def _prologue_end(toks: list[Token]) -> int:
    """Index of the first token after the prologue (BASE <iri> / PREFIX p: <iri>), comments skipped."""
    i = 0
    code = [t for t in toks if t.kind != "comment"]
    while i < len(code):
        word = code[i].text.upper() if code[i].kind == "word" else ""
        if word == "BASE":
            i += 2
        elif word == "PREFIX":
            i += 3
        else:
            break
    return toks.index(code[i]) if i < len(code) else len(toks)


def declared_prefixes(text: str) -> dict[str, str]:
    """The ``PREFIX name: <iri>`` declarations of a query (outside comments and strings)."""
    code = [t for t in tokens(text) if t.kind != "comment"]
    found: dict[str, str] = {}
    for i, tok in enumerate(code[:-2]):
        if tok.kind == "word" and tok.text.upper() == "PREFIX":
            name, iri = code[i + 1], code[i + 2]
            if name.kind == "pname" and name.text.endswith(":") and iri.kind == "iri":
                found[name.text[:-1]] = iri.text[1:-1]
    return found


def declares_base(text: str) -> bool:
    """Whether the query has its own ``BASE``."""
    return any(t.kind == "word" and t.text.upper() == "BASE" for t in tokens(text))


def prefixed_names(text: str) -> list[tuple[str, int]]:
    """(prefix, offset) of every prefixed name of the query, declarations included, in order."""
    return [(t.text.split(":", 1)[0], t.start) for t in tokens(text) if t.kind == "pname" and ":" in t.text]


def star_position(text: str) -> int | None:
    """The offset of the ``*`` of a ``SELECT [DISTINCT|REDUCED] *`` query, else None."""
    toks = [t for t in tokens(text) if t.kind != "comment"]
    i = _prologue_end(toks)
    if i >= len(toks) or toks[i].kind != "word" or toks[i].text.upper() != "SELECT":
        return None
    i += 1
    if i < len(toks) and toks[i].kind == "word" and toks[i].text.upper() in ("DISTINCT", "REDUCED"):
        i += 1
    if i < len(toks) and toks[i].kind == "punct" and toks[i].text == "*":
        return toks[i].start
    return None


def variables_in_order(text: str, start: int = 0) -> list[str]:
    """The variables of the query from offset ``start`` on, each once, in order of first appearance."""
    return list(dict.fromkeys(t.text[1:] for t in tokens(text) if t.kind == "var" and t.start >= start))


def top_level_limit(text: str) -> int | None:
    """The ``LIMIT`` of the query itself (not of a subquery), or None where the lexer cannot be sure.

    Only a ``LIMIT n`` after the last ``}`` of the text counts: a subquery's or ``EXISTS``' own
    ``LIMIT`` is inside braces, and SPARQL applies the outer ``LIMIT`` last (after a trailing
    ``VALUES`` too), so the query has at most ``n`` solutions.  Anything unusual in that tail
    (a comment, a string, an escape, two ``LIMIT``\\ s) gives None: the caller then counts rows itself.

    >>> top_level_limit("SELECT ?s { { SELECT ?s { ?s ?p ?o } LIMIT 5000 } } ORDER BY ?s LIMIT 10 OFFSET 3")
    10
    >>> top_level_limit("SELECT ?s { { SELECT ?s { ?s ?p ?o } LIMIT 10 } }") is None
    True
    """
    toks = tokens(text)
    closing = [i for i, t in enumerate(toks) if t.kind == "punct" and t.text == "}"]
    if not closing or "\\" in text[toks[closing[-1]].start :]:
        return None
    tail = toks[closing[-1] + 1 :]
    if any(t.kind not in ("word", "punct", "var") for t in tail):
        return None
    limits = [i for i, t in enumerate(tail) if t.kind == "word" and t.text.upper() == "LIMIT"]
    if len(limits) != 1:
        return None
    digits, end = "", 0
    for t in tail[limits[0] + 1 :]:
        if t.kind != "punct" or not t.text.isdigit() or not t.text.isascii():
            break
        if digits and t.start != end:
            return None  # "LIMIT 1 0" does not parse: nothing to promise
        digits, end = digits + t.text, t.start + 1
    return int(digits) if digits else None
