"""The terminal table of ``polevents query``: aligned columns that fit the window.

Columns are as wide as their widest value in terminal columns (wide East Asian
characters count 2, combining marks 0); a value wider than ``max_width`` wraps
onto more lines, cut with an ellipsis past :data:`MAX_CELL_LINES`; numbers are
right-aligned.  Given the terminal's width, the widest columns are narrowed
until the table fits; when even then it cannot (many columns on a narrow
terminal: V1 has 13 on 100 columns), each row is shown as a record, one
``?name | value`` line per column (psql's expanded display), so every column
stays visible and no line is wider than the terminal.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ..names import compact_iri
from ..vocab import XSD

if TYPE_CHECKING:  # pragma: no cover
    from . import QueryResult, Term

__all__ = ["DEFAULT_MAX_WIDTH", "MIN_FIT_WIDTH", "display_width", "render_table", "term_display"]

#: A table cell wider than this (in terminal columns) is wrapped onto more lines.
DEFAULT_MAX_WIDTH = 72
#: A cell longer than this many lines is cut, with an ellipsis.
MAX_CELL_LINES = 12
#: Fitting a table to the terminal narrows no column below this, its header, or its
#: longest word (up to :data:`MAX_FIT_WORD`), so words are not cut to make room.
MIN_FIT_WIDTH = 12
MAX_FIT_WORD = 24
#: Narrowest value column of the record layout (narrower terminals still get it).
MIN_RECORD_VALUE = 16

_NUMERIC = {
    XSD + t
    for t in (
        "integer decimal double float long int short byte nonNegativeInteger positiveInteger "
        "negativeInteger nonPositiveInteger unsignedLong unsignedInt unsignedShort unsignedByte"
    ).split()
}
#: Datatypes whose lexical form says what it is: shown bare in tables.
_SELF_EVIDENT = _NUMERIC | {XSD + t for t in "string boolean date dateTime dateTimeStamp time gYear gYearMonth".split()}


def _graphemes(text: str) -> list[str]:
    """User-perceived characters, approximately (UAX #29 for the common cases).

    A base character keeps its combining marks, variation selectors, emoji
    modifiers and ZWJ-joined followers; regional indicators pair into flags.
    """
    clusters: list[str] = []
    join_next = False
    for ch in text:
        cp = ord(ch)
        extend = (
            unicodedata.category(ch) in ("Mn", "Me", "Mc")
            or 0xFE00 <= cp <= 0xFE0F
            or 0xE0100 <= cp <= 0xE01EF
            or 0x1F3FB <= cp <= 0x1F3FF
            or cp == 0x200D
        )
        flag_pair = (
            0x1F1E6 <= cp <= 0x1F1FF and clusters and len(clusters[-1]) == 1 and 0x1F1E6 <= ord(clusters[-1]) <= 0x1F1FF
        )
        if clusters and (extend or join_next or flag_pair):
            clusters[-1] += ch
        else:
            clusters.append(ch)
        join_next = cp == 0x200D
    return clusters


def _cluster_width(cluster: str) -> int:
    first = cluster[0]
    if unicodedata.category(first) in ("Mn", "Me", "Cf", "Cc") and len(cluster) == 1:
        return 0
    if unicodedata.east_asian_width(first) in ("W", "F") or "\ufe0f" in cluster:
        return 2
    if 0x1F1E6 <= ord(first) <= 0x1F1FF:
        return 2  # a flag (or a lone regional indicator), drawn wide
    return 1


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: wide East Asian characters 2, combining marks 0."""
    return sum(_cluster_width(c) for c in _graphemes(text))


def _readable(text: str) -> str:
    """Line breaks, tabs and other control characters as visible escapes."""
    return re.sub(
        r"[\x00-\x1f\x7f-\x9f\u2028\u2029]",
        lambda m: {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(m.group(), f"\\u{ord(m.group()):04x}"),
        text,
    )


def term_display(term: Term | None, prefixes: Mapping[str, str], base: str | None = None) -> str:
    """How a term reads in a table: names shortened, literals without quotes where unambiguous."""
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact_iri(term.value, prefixes, base)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        value = _readable(term.value)
        if term.language:
            return f"{value}@{term.language}"
        datatype = term.datatype.value
        if datatype in _SELF_EVIDENT:
            return value
        return f'"{value}"^^{compact_iri(datatype, prefixes, base)}'
    parts = (term_display(t, prefixes, base) for t in (term.subject, term.predicate, term.object))
    return "<< " + " ".join(parts) + " >>"


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` columns: break at spaces, else after / # - _, else anywhere
    between user-perceived characters (never inside one); cut past :data:`MAX_CELL_LINES`."""
    if display_width(text) <= width:
        return [text]
    clusters = _graphemes(text)
    lines: list[str] = []
    start = 0
    while start < len(clusters):
        used, end, brk = 0, start, -1
        while end < len(clusters) and used + _cluster_width(clusters[end]) <= width:
            used += _cluster_width(clusters[end])
            if clusters[end] in (" ", "/", "#", "-", "_") and end > start:
                brk = end
            end += 1
        if end < len(clusters) and brk > start:
            end = brk + 1
        lines.append("".join(clusters[start:end]).rstrip(" "))
        start = end
        while start < len(clusters) and clusters[start] == " ":
            start += 1
    if len(lines) > MAX_CELL_LINES:
        lines = lines[:MAX_CELL_LINES]
        last = _graphemes(lines[-1])
        while last and display_width("".join(last)) + 1 > width:
            last.pop()
        lines[-1] = "".join(last) + "…"
    return lines


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def _is_numeric(term: Term | None) -> bool:
    import pyoxigraph as ox

    return isinstance(term, ox.Literal) and term.datatype.value in _NUMERIC


def _fit(natural: list[int], floor: list[int], total: int) -> list[int] | None:
    """Column widths whose table fits ``total`` columns: the widest shrink first, never below ``floor``;
    ``None`` when even the floors do not fit (the rows are then shown as records)."""
    budget = total - (3 * len(natural) + 1)  # "| " + " | " between + " |"
    if sum(floor) > budget:
        return None
    widths = list(natural)
    while sum(widths) > budget:
        i = max(range(len(widths)), key=lambda k: (widths[k] > floor[k], widths[k]))
        widths[i] -= 1
    return widths


def render_table(
    result: QueryResult,
    *,
    prefixes: Mapping[str, str],
    base: str | None = None,
    max_width: int = DEFAULT_MAX_WIDTH,
    total_width: int | None = None,
) -> str:
    """Rows as an aligned, pipe-separated table (``true``/``false`` for ASK).

    Columns are as wide as their widest value, measured in terminal columns;
    a value wider than ``max_width`` wraps onto more lines (such a row is
    framed by rules); numbers are right-aligned.  With ``total_width`` (the
    terminal's width) the widest columns are narrowed until the table fits,
    if it can without cutting words (see :data:`MIN_FIT_WIDTH`); otherwise each
    row is a record (:func:`_records`), no line wider than ``total_width``.
    """
    if result.boolean is not None:
        return "true\n" if result.boolean else "false\n"
    if not result.variables:
        return ""
    cap = max(8, max_width)
    header = [f"?{v}" for v in result.variables]
    texts = [[term_display(t, prefixes, base) for t in row] for row in result.rows]
    natural = [
        min(cap, max([display_width(header[i])] + [display_width(row[i]) for row in texts])) for i in range(len(header))
    ]
    if total_width is not None:
        longest_word = [
            max((display_width(w) for row in texts for w in row[i].split()), default=0) for i in range(len(header))
        ]
        floor = [
            min(natural[i], max(MIN_FIT_WIDTH, display_width(header[i]), min(longest_word[i], MAX_FIT_WORD)))
            for i in range(len(header))
        ]
        fitted = _fit(natural, floor, total_width)
        if fitted is None:
            return _records(header, texts, total_width)
        natural = fitted
    cells = [[_wrap(text, natural[i]) for i, text in enumerate(row)] for row in texts]
    numeric = [
        any(row[i] is not None for row in result.rows)
        and all(row[i] is None or _is_numeric(row[i]) for row in result.rows)
        for i in range(len(header))
    ]
    widths = [
        max([display_width(header[i])] + [display_width(line) for row in cells for line in row[i]])
        for i in range(len(header))
    ]
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|\n"

    def line(values: Sequence[str], right: Sequence[bool]) -> str:
        return "| " + " | ".join(_pad(v, w, r) for v, w, r in zip(values, widths, right, strict=True)) + " |\n"

    out = [line(header, numeric), rule]
    tall = [any(len(c) > 1 for c in row) for row in cells]
    for n, row in enumerate(cells):
        if n and (tall[n] or tall[n - 1]):
            out.append(rule)  # a wrapped row is framed, so its lines read as one row
        for k in range(max((len(c) for c in row), default=1)):
            out.append(line([c[k] if k < len(c) else "" for c in row], numeric))
    return "".join(out)


def _records(header: Sequence[str], texts: Sequence[Sequence[str]], total_width: int) -> str:
    """Each row as a block of ``?name | value`` lines (values wrapped), under a ``-[ row N ]-`` rule::

    -[ row 1 ]---------------------------
    ?party   | Amanat@en
    ?post    | Chairman of the ruling party
             | (Otan / Nur Otan / Amanat)@en
    """
    name_width = max(display_width(h) for h in header)
    value_width = max(MIN_RECORD_VALUE, total_width - name_width - 3)
    out: list[str] = []
    for n, row in enumerate(texts, start=1):
        title = f"-[ row {n} ]"
        out.append(title + "-" * max(0, min(total_width, name_width + 3 + value_width) - len(title)) + "\n")
        for name, text in zip(header, row, strict=True):
            lines = _wrap(text, value_width) if text else [""]
            for k, line in enumerate(lines):
                label = _pad(name if k == 0 else "", name_width, False)
                out.append(f"{label} | {line}".rstrip() + "\n")
    return "".join(out)
