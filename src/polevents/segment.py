"""Sentence segmentation of a source text, by rules, into character spans.

The spans (not the text) are what the dataset keeps: sentence number, start and
end offsets in Unicode code points, end exclusive — the convention of
``oa:TextPositionSelector`` and NIF.  The rules:

* every line is a paragraph; a line with no sentence-ending punctuation (a
  headline) is one sentence;
* a sentence ends at ``.``, ``!`` or ``?`` (plus closing quotes/brackets) when
  whitespace and then an upper-case letter, a digit or an opening quote follow;
* not inside a quotation (“…” or "…"): a quoted speech stays in the sentence
  that reports it;
* not after an abbreviation (``Jan.``, ``Mr.``, ``U.S.``, ``e.g.``) or an
  initial (``J. Smith``).

>>> [s.text("Mr. Smith came. He left.") for s in split_sentences("Mr. Smith came. He left.")]
['Mr. Smith came.', 'He left.']

Changing these rules renumbers the sentences of every registered source; the
tests pin the numbering of the first article.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

__all__ = ["Span", "sha256_hex", "split_sentences"]

ABBREVIATIONS = frozenset(
    """
    jan feb mar apr jun jul aug sep sept oct nov dec
    mr mrs ms dr prof sr jr st gen col lt sgt capt maj adm gov sen rep pres
    no nos vol pp fig inc ltd co corp dept univ est approx vs etc
    e.g i.e cf al u.s u.k u.n e.u a.m p.m
    """.split()
)
OPENING_QUOTES = "“‘«„"
CLOSING_QUOTES = "”’»"
CLOSERS = "”’»\"')]"
_END = re.compile(r"[.!?…]+")


@dataclass(frozen=True)
class Span:
    """One sentence: 1-based ``index`` and ``[start, end)`` code-point offsets."""

    index: int
    start: int
    end: int

    def text(self, document: str) -> str:
        return document[self.start : self.end]


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of a source's bytes, as the dataset identifies the document."""
    return hashlib.sha256(data).hexdigest()


def _word_before(line: str, dot: int) -> str:
    start = dot
    while start > 0 and not line[start - 1].isspace() and line[start - 1] not in OPENING_QUOTES + "(\"":
        start -= 1
    return line[start:dot]


def _is_abbreviation(line: str, dot: int) -> bool:
    word = _word_before(line, dot)
    if not word:
        return False
    if word.lower().rstrip(".") in ABBREVIATIONS or word.lower() in ABBREVIATIONS:
        return True
    # An initial ("J.") or dotted initials ("U.S", "J.R").
    return bool(re.fullmatch(r"(?:[A-Z]\.)*[A-Z]", word))


def _split_line(line: str) -> list[tuple[int, int]]:
    """Sentence boundaries inside one line, as offsets relative to the line."""
    spans: list[tuple[int, int]] = []
    depth = 0
    straight_open = False
    start = 0
    i = 0
    n = len(line)
    while i < n:
        ch = line[i]
        closed = False
        if ch in OPENING_QUOTES:
            depth += 1
        elif ch in CLOSING_QUOTES and ch != "’":
            closed = depth == 1
            depth = max(0, depth - 1)
        elif ch == '"':
            closed = straight_open
            straight_open = not straight_open
        if closed and depth == 0 and not straight_open and i > 0 and line[i - 1] in ".!?…":
            # A quotation that ends a sentence: “… time.” He also said …
            j = i + 1
            k = j
            while k < n and line[k].isspace():
                k += 1
            if k > j and k < n and (line[k].isupper() or line[k] in OPENING_QUOTES + '"'):
                spans.append((start, j))
                start = k
                i = k
                continue
        m = _END.match(line, i)
        if m and depth == 0 and not straight_open:
            j = m.end()
            while j < n and line[j] in CLOSERS:
                if line[j] == '"':
                    straight_open = not straight_open
                j += 1
            k = j
            while k < n and line[k].isspace():
                k += 1
            next_ok = k < n and k > j and (line[k].isupper() or line[k].isdigit() or line[k] in OPENING_QUOTES + '"')
            if next_ok and not (line[i] == "." and m.end() - i == 1 and _is_abbreviation(line, i)):
                spans.append((start, j))
                start = k
                i = k
                continue
            i = j
            continue
        i += 1
    if start < n:
        spans.append((start, n))
    return spans


def split_sentences(text: str) -> list[Span]:
    """Split ``text`` into sentences; offsets index into ``text`` itself."""
    result: list[Span] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        line = raw.rstrip("\r\n")
        for s, e in _split_line(line):
            seg = line[s:e]
            lead = len(seg) - len(seg.lstrip())
            trail = len(seg) - len(seg.rstrip())
            if seg.strip():
                result.append(Span(len(result) + 1, pos + s + lead, pos + e - trail))
        pos += len(raw)
    return result
