"""Rules that find dates, numbers, amounts of money and quotations in the text of a sentence.

Both the evidence check (:mod:`polevents.validate.evidence`: is a fact's date, number or quotation
in the sentences it cites?) and the assisted draft (:mod:`polevents.source.draft`) read a
sentence through these rules, so what the draft proposes is what the check accepts.

**Dates** in their written forms, with the precision the text gives:

* ``April 26``, ``Apr. 29``, ``Jan. 28, 2022``, ``28 January 2022``, ``2022-04-26`` — a day;
* ``March 2022``, ``in March``, ``early May``, ``mid-April``, ``late March 2022`` — a month, with
  its qualifier (``early`` is days 1–10, ``mid`` 11–20, ``late`` 21 to the end);
* ``in 1999``, ``since 2015``, ``(1999)``, ``1999–2006`` — a year (a four-digit number from 1800 to
  2099 after a preposition, in brackets, in a range, or before punctuation).

Month names are recognised capitalised only (``may``, ``march`` are verbs).

**Numbers**: ``110,000``, ``1.3 million``, ``$1.3 million``, ``77.18%``, ``61.4 percent``,
``110,000 Kazakhstan tenge``, ``EUR 5 bn``; the words ``one`` to ``twelve`` for small counts
(evidence only).  A number is a *percentage* (``%``, ``percent``, ``per cent``), an *amount*
(a currency symbol, code or word next to it: ``$``, ``€``, ``£``, ``₸``, ``USD``, ``tenge``,
``dollars``…) or a *count*.

**Quotations**: text between paired quotation marks (“…”, "…", «…», „…“), or from an
opening curly quote to the end of the sentence when it is not closed there.

>>> [(d.text, d.lexical(2022)) for d in find_dates("On Apr. 29, he spoke; in early May 2022 it passed.")]
[('Apr. 29', ('2022-04-29', 'date')), ('early May 2022', ('2022-05', 'gYearMonth'))]
>>> [(n.text, n.kind, n.value, n.currency) for n in find_numbers("He owed $1.3 million; turnout was 61.4%.")]
[('$1.3 million', 'amount', Decimal('1300000'), 'USD'), ('61.4%', 'percent', Decimal('61.4'), None)]
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = [
    "CURRENCIES",
    "DateMention",
    "NumberMention",
    "QuoteMention",
    "find_dates",
    "find_numbers",
    "find_quotes",
    "plain_text",
]

MONTHS: dict[str, int] = {name.lower(): i for i, name in enumerate(calendar.month_name) if name} | {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_FULL_MONTHS = frozenset(name.lower() for name in calendar.month_name if name)
_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)(?:\.|\b)"
)
_QUALIFIER = r"(?:(?P<qual>early|mid|late|Early|Mid|Late)[- ](?:in[- ])?)?"
_YEAR = r"(?P<year>1[89]\d\d|20\d\d)"
_DAY = r"(?P<day>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_DATE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(rf"\b{_YEAR}-(?P<mnum>0[1-9]|1[0-2])-(?P<dnum>[0-2]\d|3[01])\b"),
    re.compile(rf"{_QUALIFIER}\b{_MONTH}\s+{_DAY}(?![\d,.]\d)\b(?:(?:,\s*|\s+){_YEAR}\b)?"),
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR}\b)?"),
    re.compile(rf"{_QUALIFIER}\b{_MONTH}(?:,?\s+(?:of\s+)?{_YEAR}\b)?"),
    re.compile(
        r"(?:\b(?:in|In|since|Since|from|From|until|till|to|by|By|of|before|after|during|and|the)\s|(?<=[(–—-]))"
        rf"{_QUALIFIER}{_YEAR}\b(?![,.]?\d)"
    ),
    re.compile(rf"\b{_YEAR}(?=\s*[)–—,;.:!?]|\s*$|\s+(?:and|to|until)\b)(?![,.]\d)"),
)
_PARTS = ("qual", "month", "day", "year", "mnum", "dnum")
QUALIFIER_DAYS: dict[str, tuple[int, int | None]] = {"early": (1, 10), "mid": (11, 20), "late": (21, None)}

#: Currency symbols, codes and words -> ISO 4217 code.
CURRENCIES: dict[str, str] = {
    "$": "USD",
    "us$": "USD",
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "us dollars": "USD",
    "€": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "pound": "GBP",
    "pounds": "GBP",
    "¥": "JPY",
    "jpy": "JPY",
    "yen": "JPY",
    "₸": "KZT",
    "kzt": "KZT",
    "tenge": "KZT",
    "kazakhstan tenge": "KZT",
    "kazakh tenge": "KZT",
    "₽": "RUB",
    "rub": "RUB",
    "ruble": "RUB",
    "rubles": "RUB",
    "rouble": "RUB",
    "roubles": "RUB",
    "chf": "CHF",
    "swiss francs": "CHF",
    "cny": "CNY",
    "yuan": "CNY",
}
_SCALES: dict[str, int] = {
    "thousand": 10**3,
    "k": 10**3,
    "million": 10**6,
    "mln": 10**6,
    "mn": 10**6,
    "m": 10**6,
    "billion": 10**9,
    "bn": 10**9,
    "b": 10**9,
    "trillion": 10**12,
    "tn": 10**12,
}
_PRE_CURRENCY = r"(?P<pre>US\$|\$|€|£|¥|₸|₽|USD|EUR|GBP|KZT|RUB|JPY|CHF|CNY)"
_POST_CURRENCY = (
    r"(?P<post>US dollars|dollars?|euros?|pounds?|yen|(?:Kazakhstan |Kazakh )?tenge|rubles?|roubles?|"
    r"Swiss francs|yuan|USD|EUR|GBP|KZT|RUB|JPY|CHF|CNY)\b"
)
_NUMBER = re.compile(
    rf"(?:{_PRE_CURRENCY}\s?)?(?<![\w.,])(?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:(?P<tight>bn|mln|mn|tn|m|b|k)\b|(?![\w]|[.,]\d)(?:[\s-]?(?P<scale>thousand|million|billion|trillion|mln|mn|bn|tn|m|b|k)\b)?)"
    r"(?:\s?(?P<pct>%|percent\b|per cent\b|percentage points?\b))?"
    rf"(?:\s(?:of\s)?{_POST_CURRENCY})?"
)
_NUMBER_WORDS: dict[str, int] = {
    w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())
}
_WORD = re.compile(
    r"\b(a|" + "|".join(_NUMBER_WORDS) + r")\b(?:[\s-]+(hundred|thousand|million|billion|trillion)\b)?", re.IGNORECASE
)
#: Words before a number that make it a label, not a quantity: "No. 5", "Article 12".
_LABEL_BEFORE = re.compile(r"(?:\bNo|\bNos|\bArt|\bArticle|\bpp?|\bvol|\bSection|\bsec|\bch)\.?\s*$", re.IGNORECASE)

_QUOTES: tuple[tuple[str, str], ...] = (("“", "”"), ("„", "“”"), ("«", "»"), ('"', '"'), ("‹", "›"))
#: Typographic characters read as their plain forms when comparing text.
_PLAIN = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "‘": "'",
        "’": "'",
        "–": "-",
        "—": "-",
        "\u00a0": " ",
        "…": "...",
    }
)


def plain_text(text: str) -> str:
    """``text`` with typographic quotes, dashes and spaces made plain and whitespace collapsed.

    >>> plain_text("“Kazakhstan’s  new—era”")
    '"Kazakhstan\\'s new-era"'
    """
    return " ".join(text.translate(_PLAIN).split())


# ---------------------------------------------------------------- dates


@dataclass(frozen=True)
class DateMention:
    """A date written in a text: what it says, at the precision it says it."""

    text: str
    start: int
    end: int
    year: int | None
    month: int | None = None
    day: int | None = None
    #: "early", "mid" or "late" (of a month or year), else None
    qualifier: str | None = None

    def lexical(self, default_year: int | None = None) -> tuple[str, str] | None:
        """``(lexical form, XSD datatype local name)``, the year taken from ``default_year`` when the text gives none."""
        year = self.year if self.year is not None else default_year
        if year is None:
            return None
        if self.month is None:
            return f"{year:04d}", "gYear"
        if self.day is None:
            return f"{year:04d}-{self.month:02d}", "gYearMonth"
        return f"{year:04d}-{self.month:02d}-{self.day:02d}", "date"

    def bounds(self, default_year: int | None = None) -> tuple[str, str] | None:
        """The earliest and latest day a qualified month allows (``early May 2022``: 1–10 May)."""
        year = self.year if self.year is not None else default_year
        if year is None or self.month is None or self.day is not None or self.qualifier is None:
            return None
        first, last = QUALIFIER_DAYS[self.qualifier]
        last = last if last is not None else calendar.monthrange(year, self.month)[1]
        return f"{year:04d}-{self.month:02d}-{first:02d}", f"{year:04d}-{self.month:02d}-{last:02d}"

    def agrees(self, year: int, month: int | None, day: int | None, *, bound: str | None = None) -> bool:
        """Whether this mention states the date ``year[-month[-day]]``.

        The mention must give the date's month and day when the date has them; a
        mention without a year agrees with any year.  A ``bound`` ("earliest" or
        "latest": the first or last day a vague date allows) agrees with a coarser
        mention whose range starts or ends there: ``early May`` with 1 and 10 May,
        ``May`` with 1 and 31 May, ``2022`` with 1 January and 31 December.

        >>> may = find_dates("in early May 2022")[0]
        >>> may.agrees(2022, 5, None), may.agrees(2022, 5, 10, bound="latest"), may.agrees(2022, 5, 28, bound="latest")
        (True, True, False)
        """
        if self.year is not None and self.year != year:
            return False
        if month is None:
            return self.year == year
        if self.month is None:
            if bound is None or self.year != year:
                return False
            edge = (1, 1) if bound == "earliest" else (12, 31)
            return month == edge[0] and day in (None, edge[1])
        if self.month != month:
            return False
        if day is None or self.day == day:
            return True
        if bound is None or self.day is not None:
            return False
        first, last = QUALIFIER_DAYS[self.qualifier] if self.qualifier else (1, None)
        if last is None:
            last = calendar.monthrange(year, month)[1]
        return day == (first if bound == "earliest" else last)


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def find_dates(text: str) -> list[DateMention]:
    """Every date written in ``text``, in order; the longest reading wins where readings overlap."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if _overlaps(taken, m.start(), m.end()):
                continue
            groups = m.groupdict()
            month_name = groups.get("month")
            month = int(groups["mnum"]) if groups.get("mnum") else MONTHS[month_name.lower()] if month_name else None
            day_text = groups.get("dnum") or groups.get("day")
            day = int(day_text) if day_text else None
            year = int(groups["year"]) if groups.get("year") else None
            if month is not None and day is not None and year is not None:
                try:
                    calendar.weekday(year, month, day)
                except ValueError:
                    continue
            if month_name and not groups.get("day") and len(month_name) <= 4 and month_name != "May":
                # "Mar", "Dec" alone (no day) are more often words or names than months
                if not m.group(0).endswith(".") and year is None:
                    continue
            qual = groups.get("qual")
            start = min(m.start(g) for g in _PARTS if groups.get(g))
            end = m.end()
            if text[start:end].endswith(".") and month_name and month_name.lower() in _FULL_MONTHS:
                end -= 1  # "in mid-April." ends a sentence; "Apr." is an abbreviation
            found.append(DateMention(text[start:end], start, end, year, month, day, qual.lower() if qual else None))
            taken.append((start, end))
    found.sort(key=lambda d: d.start)
    return found


# ---------------------------------------------------------------- numbers


@dataclass(frozen=True)
class NumberMention:
    """A number written in a text."""

    text: str
    start: int
    end: int
    value: Decimal
    #: "percent", "amount" (with a currency) or "count"
    kind: str
    currency: str | None = None
    #: written as a word ("two"), not in digits
    word: bool = False

    def agrees(self, value: Decimal) -> bool:
        """Whether this mention states ``value`` (a percentage also as a fraction: 0.614 for 61.4%)."""
        if _same(self.value, value):
            return True
        return self.kind == "percent" and _same(self.value / 100, value)


def _same(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= Decimal("1e-9") * max(Decimal(1), abs(a), abs(b))


def find_numbers(text: str, *, words: bool = False) -> list[NumberMention]:
    """Every number written in digits in ``text`` (and, with ``words``, the words one to twelve).

    Numbers that label things (``No. 5``, ``Article 12``) are left out; years and the
    day of a date are numbers here too (:func:`find_dates` tells them apart).
    """
    found: list[NumberMention] = []
    for m in _NUMBER.finditer(text):
        if _LABEL_BEFORE.search(text[: m.start("num")]):
            continue
        try:
            value = Decimal(m.group("num").replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the pattern admits digits only
            continue
        scale = m.group("scale") or m.group("tight")
        pre, post, pct = m.group("pre"), m.group("post"), m.group("pct")
        if scale in ("m", "b", "k") and not (pre or post):
            scale = None  # "5 m" is five metres more often than five million
        end = m.end()
        if scale:
            value *= _SCALES[scale.lower()]
        elif m.group("scale") or m.group("tight"):
            end = m.end("num")
        currency = CURRENCIES.get((pre or post or "").lower()) if (pre or post) else None
        kind = "percent" if pct else "amount" if currency else "count"
        if kind == "percent":
            currency = None
            end = m.end("pct")
        start = m.start("pre") if pre else m.start("num")
        if value == value.to_integral_value():
            value = Decimal(int(value))
        found.append(NumberMention(text[start:end], start, end, value, kind, currency))
    if words:
        for m in _WORD.finditer(text):
            head, scale = m.group(1).lower(), m.group(2)
            if head == "a" and not scale:
                continue
            value = Decimal(1 if head == "a" else _NUMBER_WORDS[head])
            if scale:
                value *= 100 if scale.lower() == "hundred" else _SCALES[scale.lower()]
            found.append(NumberMention(m.group(0), m.start(), m.end(), value, "count", word=True))
        found.sort(key=lambda n: n.start)
    return found


# ---------------------------------------------------------------- quotations


@dataclass(frozen=True)
class QuoteMention:
    """A quotation in a text: the words between the marks, and where they are."""

    text: str
    start: int
    end: int

    @property
    def words(self) -> int:
        return len(self.text.split())


def find_quotes(text: str) -> list[QuoteMention]:
    """The quotations of ``text``: paired marks, or an opening curly quote left open to the end."""
    found: list[QuoteMention] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        closers = next((c for o, c in _QUOTES if o == ch), None)
        if closers is None or (ch == '"' and i > 0 and text[i - 1].isalnum()):
            i += 1
            continue
        j = i + 1
        while j < n and text[j] not in closers:
            j += 1
        if j >= n and ch == '"':
            i += 1  # a stray straight quote
            continue
        inner_start, inner_end = i + 1, j
        while inner_start < inner_end and text[inner_start].isspace():
            inner_start += 1
        while inner_end > inner_start and text[inner_end - 1].isspace():
            inner_end -= 1
        if inner_end > inner_start:
            found.append(QuoteMention(text[inner_start:inner_end], inner_start, inner_end))
        i = j + 1
    return found
