"""How RDF terms are shown to people: dates with their precision, compact IRIs, Wikidata links.

>>> format_date("1999", XSD + "gYear")
'1999'
>>> format_date("2022-03", XSD + "gYearMonth")
'March 2022'
>>> format_date("2022-04-26", XSD + "date")
'26 April 2022'
>>> display_iri("https://w3id.org/polevents/ontology#Person")
'pe:Person'
>>> wikidata_page("http://www.wikidata.org/entity/Q200881")
'https://www.wikidata.org/wiki/Q200881'
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..names import prefixed_name
from ..vocab import PREFIXES, WD, XSD

__all__ = [
    "DATE_TYPES",
    "LINKABLE_SCHEMES",
    "XSD",
    "date_precision",
    "display_iri",
    "format_date",
    "safe_href",
    "wikidata_page",
]


MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

_TZ = r"(Z|[+-]\d\d:\d\d)?"
_YEAR = r"(-?\d{4,})"
_PATTERNS = {
    XSD + "gYear": re.compile(_YEAR + _TZ),
    XSD + "gYearMonth": re.compile(_YEAR + r"-(\d\d)" + _TZ),
    XSD + "date": re.compile(_YEAR + r"-(\d\d)-(\d\d)" + _TZ),
    XSD + "dateTime": re.compile(_YEAR + r"-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?" + _TZ),
    XSD + "dateTimeStamp": re.compile(_YEAR + r"-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?" + _TZ),
}

#: datatype IRI -> the precision it carries
DATE_TYPES = {
    XSD + "gYear": "year",
    XSD + "gYearMonth": "month",
    XSD + "date": "day",
    XSD + "dateTime": "time",
    XSD + "dateTimeStamp": "time",
}


def _year(text: str) -> str:
    year = int(text)
    return str(year) if year > 0 else f"{1 - year} BCE"


def _month(text: str) -> str | None:
    month = int(text)
    return MONTHS[month - 1] if 1 <= month <= 12 else None


def format_date(lexical: str, datatype: str) -> str | None:
    """A date literal as a person reads it, at its own precision; ``None`` if it is not one."""
    pattern = _PATTERNS.get(datatype)
    m = pattern.fullmatch(lexical.strip()) if pattern else None
    if m is None:
        return None
    groups = m.groups()
    year = _year(groups[0])
    if datatype == XSD + "gYear":
        return year
    month = _month(groups[1])
    if month is None:
        return None
    if datatype == XSD + "gYearMonth":
        return f"{month} {year}"
    day = f"{int(groups[2])} {month} {year}"
    if datatype == XSD + "date":
        return day
    tz = groups[6]
    zone = "" if tz is None else (" UTC" if tz == "Z" else f" UTC{tz}")
    return f"{day}, {groups[3]}:{groups[4]}{zone}"


def date_precision(datatype: str) -> str | None:
    """``year``, ``month``, ``day`` or ``time`` for a date datatype."""
    return DATE_TYPES.get(datatype)


def display_iri(iri: str, prefixes: Mapping[str, str] = PREFIXES) -> str:
    """``prefix:local`` (the rule of :mod:`polevents.names`), else the IRI itself, for a page's text."""
    return prefixed_name(iri, prefixes) or iri


#: schemes an IRI may have to become a clickable link (``javascript:`` and the like never are)
LINKABLE_SCHEMES = ("http", "https", "ftp", "mailto", "urn", "doi")


def safe_href(iri: str) -> str | None:
    """``iri`` if a browser may follow it as a link, else ``None``.

    >>> safe_href("https://example.org/x"), safe_href("javascript:alert(1)")
    ('https://example.org/x', None)
    """
    scheme = iri.split(":", 1)[0].lower() if ":" in iri else ""
    return iri if scheme in LINKABLE_SCHEMES else None


def wikidata_page(iri: str) -> str | None:
    """The human page of a Wikidata entity IRI (``wd:Q…``), else ``None``."""
    if iri.startswith(WD):
        item = iri[len(WD) :]
        if re.fullmatch(r"[QPL]\d+", item):
            prefix = "Property:" if item.startswith("P") else "Lexeme:" if item.startswith("L") else ""
            return f"https://www.wikidata.org/wiki/{prefix}{item}"
    return None
