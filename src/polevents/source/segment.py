"""Sentence segmentation of a source text, by rules, into character spans.

The spans (not the text) are what the dataset keeps: sentence number, start and
end offsets in Unicode code points, end exclusive — the convention of
``oa:TextPositionSelector`` and NIF.  The rules:

* every line is a paragraph; a line with no sentence-ending punctuation (a
  headline) is one sentence;
* a sentence ends at ``.``, ``!``, ``?`` or an ellipsis (plus closing
  quotes/brackets) when whitespace and then an upper-case letter, a digit or an
  opening quote follow;
* not inside a quotation (“…”, ‘…’, «…», "…"): a quoted speech stays in the
  sentence that reports it, unless the quotation itself ends the sentence
  (“… time.” He said …).  Quotes are paired first, so an apostrophe
  (Kazakhstan’s, ‘90s) or a stray straight quote does not swallow the rest of
  the line; a curly quotation left open (a quote that goes on in the next
  paragraph) keeps the rest of its paragraph in one sentence;
* not after a title or other abbreviation (``Mr.``, ``Gen.``, ``e.g.``), an
  initial (``J. R. Smith``) or dotted initials (``U.S.``);
* not after an abbreviation that stands before a number (``Jan. 28``,
  ``No. 5``, ``pp. 12``) when a number follows — ``He said no. Then`` ends;
* ``etc.``, ``a.m.``, ``p.m.`` end a sentence when a capital follows.

>>> [s.text("Mr. Smith came. He left.") for s in split_sentences("Mr. Smith came. He left.")]
['Mr. Smith came.', 'He left.']

Changing these rules renumbers the sentences of every registered source; the
tests pin the numbering of the first article (tests/test_segment.py).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

__all__ = ["ABBREVIATIONS", "NUMBER_ABBREVIATIONS", "Span", "sha256_hex", "split_sentences"]

#: Abbreviations after which a sentence never ends (titles, Latin, company forms).
ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof sr jr st gen col lt sgt capt maj adm gov sen rep pres rev hon mt ft
    inc ltd co corp dept univ est approx vs cf al e.g i.e u.s u.k u.n e.u
    """.split()
)
#: Abbreviations that stand before a number: no sentence end when a digit follows.
NUMBER_ABBREVIATIONS = frozenset(
    """
    jan feb mar apr jun jul aug sep sept oct nov dec
    no nos vol vols pp p art arts sec ch fig figs para
    """.split()
)
#: Opening quote -> the closing quotes that pair with it.
QUOTE_PAIRS: dict[str, str] = {"“": "”", "‘": "’", "«": "»", "„": "“”", "‹": "›", '"': '"'}
OPENING_QUOTES = "“‘«„‹"
CLOSERS = "”’»›\"')]"
_END = re.compile(r"[.!?…]+")
#: What a sentence never starts or ends with: whitespace, and a byte-order mark.
_BLANK = "".join(chr(c) for c in range(0x3001) if chr(c).isspace()) + "\ufeff"
_INITIALS = re.compile(r"(?:[A-Z]\.)*[A-Z]")


@dataclass(frozen=True)
class Span:
    """One sentence: 1-based ``index`` and ``[start, end)`` code-point offsets."""

    index: int
    start: int
    end: int

    def text(self, document: str) -> str:
        """The sentence's text in ``document``."""
        return document[self.start : self.end]


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of a source's bytes, as the dataset identifies the document."""
    return hashlib.sha256(data).hexdigest()


def _word_before(line: str, dot: int) -> str:
    start = dot
    while start > 0 and not line[start - 1].isspace() and line[start - 1] not in OPENING_QUOTES + '("':
        start -= 1
    return line[start:dot]


def _next_starts_with_digit(line: str, after: int) -> bool:
    k = after
    while k < len(line) and line[k].isspace():
        k += 1
    return k < len(line) and line[k].isdigit()


def _is_abbreviation(line: str, dot: int) -> bool:
    """Whether the ``.`` at ``dot`` closes an abbreviation rather than a sentence."""
    word = _word_before(line, dot)
    if not word:
        return False
    key = word.lower().rstrip(".")
    if key in ABBREVIATIONS or word.lower() in ABBREVIATIONS:
        return True
    if key in NUMBER_ABBREVIATIONS:
        return _next_starts_with_digit(line, dot + 1)
    # An initial ("J.") or dotted initials ("U.S", "J.R").
    return bool(_INITIALS.fullmatch(word))


@dataclass(frozen=True)
class _Quotes:
    """The paired quotation marks of one line."""

    depth: list[int]  # quotation depth at each position (the marks themselves excluded)
    closing: frozenset[int]  # positions of closing marks that were paired
    opening: frozenset[int]  # positions of opening marks that were paired


def _pair_quotes(line: str) -> _Quotes:
    """Pair quotation marks; unpaired ones (apostrophes, quotes left open) do not count."""
    stack: list[int] = []
    pairs: list[tuple[int, int]] = []
    for i, ch in enumerate(line):
        top = line[stack[-1]] if stack else None
        if top is not None and ch in QUOTE_PAIRS[top]:
            if ch == "’" and i + 1 < len(line) and line[i + 1].isalpha():
                continue  # an apostrophe inside a ‘quotation’: Kazakhstan’s
            pairs.append((stack.pop(), i))
        elif ch in OPENING_QUOTES:
            if ch == "‘" and i > 0 and line[i - 1].isalnum():
                continue
            stack.append(i)
        elif ch == '"':
            stack.append(i)
    # A curly quotation left open runs to the end of the paragraph (journalists
    # open, and do not close, a quote that goes on in the next paragraph).
    pairs += [(o, len(line)) for o in stack if line[o] in "“«„‹"]
    delta = [0] * (len(line) + 1)
    for o, c in pairs:
        delta[o + 1] += 1
        delta[c] -= 1
    depth: list[int] = []
    level = 0
    for i in range(len(line)):
        level += delta[i]
        depth.append(level)
    return _Quotes(
        depth=depth,
        closing=frozenset(c for _, c in pairs),
        opening=frozenset(o for o, _ in pairs),
    )


def _skip_space(line: str, j: int) -> int:
    while j < len(line) and line[j].isspace():
        j += 1
    return j


def _split_line(line: str) -> list[tuple[int, int]]:
    """Sentence boundaries inside one line, as offsets relative to the line."""
    quotes = _pair_quotes(line)
    spans: list[tuple[int, int]] = []
    start = 0
    i = 0
    n = len(line)
    while i < n:
        if i in quotes.closing and quotes.depth[i] == 0 and i > 0 and line[i - 1] in ".!?…":
            # A quotation that ends a sentence: “… time.” He also said …
            j = i + 1
            k = _skip_space(line, j)
            if j < k < n and (line[k].isupper() or line[k] in OPENING_QUOTES + '"'):
                spans.append((start, j))
                start = i = k
                continue
        m = _END.match(line, i)
        if m and quotes.depth[i] == 0:
            j = m.end()
            while j < n and line[j] in CLOSERS and j not in quotes.opening:
                j += 1
            k = _skip_space(line, j)
            next_ok = j < k < n and (line[k].isupper() or line[k].isdigit() or line[k] in OPENING_QUOTES + '"')
            if next_ok and not (line[i] == "." and m.end() - i == 1 and _is_abbreviation(line, i)):
                spans.append((start, j))
                start = i = k
                continue
            i = j
            continue
        i += 1
    if start < n:
        spans.append((start, n))
    return spans


def split_sentences(text: str) -> list[Span]:
    """Split ``text`` into sentences; offsets index into ``text`` itself.

    >>> [(s.index, s.start, s.end) for s in split_sentences("Headline\\nOn Jan. 28 it met. It voted.")]
    [(1, 0, 8), (2, 9, 27), (3, 28, 37)]
    """
    result: list[Span] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        line = raw.rstrip("\r\n")
        for s, e in _split_line(line):
            seg = line[s:e]
            lead = len(seg) - len(seg.lstrip(_BLANK))
            trail = len(seg) - len(seg.rstrip(_BLANK))
            if seg.strip(_BLANK):
                result.append(Span(len(result) + 1, pos + s + lead, pos + e - trail))
        pos += len(raw)
    return result
