"""HTTP content negotiation: the ``Accept`` header with q-values and wildcards (RFC 9110 §12.5.1).

The server offers a list of media types, most preferred first; :func:`choose`
returns the one the client accepts with the highest quality, the server's order
breaking ties.  Each offer is matched against the *most specific* media range
that covers it, so ``text/*;q=0.1, text/turtle`` gives Turtle quality 1 and
``text/csv`` quality 0.1::

    >>> choose("text/*;q=0.5, application/ld+json", ["text/turtle", "application/ld+json"])
    'application/ld+json'
    >>> choose("*/*", ["text/turtle", "text/html"])
    'text/turtle'
    >>> choose("image/png", ["text/turtle"]) is None
    True

A missing or empty header accepts anything (the first offer wins); entries that
cannot be parsed are ignored, as RFC 9110 allows.  Parsing is bounded: only the
first :data:`MAX_ACCEPT_CHARS` characters and :data:`MAX_RANGES` entries are read
(the server refuses longer headers before this with 431; a client needs a few
hundred characters), so no header costs more than a few microseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["MAX_ACCEPT_CHARS", "MAX_RANGES", "MediaRange", "choose", "parse_accept", "quality"]

#: Characters of an Accept header read at most.
MAX_ACCEPT_CHARS = 4096
#: Media ranges of an Accept header read at most (the rest is ignored).
MAX_RANGES = 64


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header: ``type/subtype`` (either may be ``*``) and its quality."""

    type: str
    subtype: str
    q: float

    @property
    def specificity(self) -> int:
        """2 for ``type/subtype``, 1 for ``type/*``, 0 for ``*/*``."""
        if self.type == "*":
            return 0
        return 1 if self.subtype == "*" else 2

    def matches(self, media_type: str) -> bool:
        """Whether this range covers the concrete ``media_type``."""
        mtype, _, msub = media_type.partition("/")
        if self.type == "*":
            return True
        if self.type != mtype:
            return False
        return self.subtype in ("*", msub)


def _parse_q(value: str) -> float | None:
    try:
        q = float(value)
    except ValueError:
        return None
    if not 0.0 <= q <= 1.0:
        return None
    return q


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an Accept header (at most :data:`MAX_RANGES`); malformed entries are dropped."""
    ranges: list[MediaRange] = []
    for item in header[:MAX_ACCEPT_CHARS].split(",", MAX_RANGES)[:MAX_RANGES]:
        parts = [p.strip() for p in item.split(";")]
        mtype, sep, msub = parts[0].lower().partition("/")
        if not sep or not mtype or not msub or (mtype == "*" and msub != "*"):
            continue
        q: float | None = 1.0
        for param in parts[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                q = _parse_q(value.strip())
        if q is None:
            continue
        ranges.append(MediaRange(mtype.strip(), msub.strip(), q))
    return ranges


def quality(ranges: Sequence[MediaRange], media_type: str) -> float:
    """The quality the client gives ``media_type``: that of the most specific range covering it."""
    best: MediaRange | None = None
    for r in ranges:
        if r.matches(media_type) and (best is None or r.specificity > best.specificity):
            best = r
    return best.q if best is not None else 0.0


def choose(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offer the client prefers, or ``None`` when it accepts none of them (answer 406)."""
    if not offers:
        return None
    if accept is None or not accept.strip():
        return offers[0]
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0]
    best, best_q = None, 0.0
    for offer in offers:
        q = quality(ranges, offer.lower())
        if q > best_q:
            best, best_q = offer, q
    return best
