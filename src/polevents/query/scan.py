"""A small SPARQL lexer: what the endpoint must know about a query before running it.

It does not parse SPARQL (Oxigraph does that); it skips comments, string
literals and IRIs and reports the keywords that matter for safety and for
content negotiation:

* the query form (``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``) or the
  update operation the text starts with (``INSERT``, ``LOAD``, …);
* whether ``SERVICE`` occurs as a keyword anywhere: federated queries are
  refused, because pyoxigraph would open the HTTP connection;
* whether the query names its own dataset (``FROM`` / ``FROM NAMED``).

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

__all__ = ["QUERY_FORMS", "UPDATE_KEYWORDS", "QueryScan", "scan_query"]

QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})

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
    | [\w.\-\u00b7]*:[\w.\-:%\\]*                 # prefixed name (prefix and local part)
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


def _scan(words: list[str]) -> QueryScan:
    first = next((w for w in words if w not in ("BASE", "PREFIX")), None)
    return QueryScan(
        form=first if first in QUERY_FORMS else None,
        update=first if first in UPDATE_KEYWORDS else None,
        service="SERVICE" in words,
        from_clause="FROM" in words,
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
    )
