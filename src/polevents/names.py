"""IRIs as people and parsers read them: ``pe:Person``, ``<id/person/x>`` or ``<http://…>``.

One rule decides when an IRI may be written as a prefixed name, for every
output that abbreviates IRIs (query tables, Turtle results, entity documents,
validation reports, diffs, HTML pages) and, with a looser local part, for
JSON-LD compact IRIs:

* the **longest** namespace of ``prefixes`` the IRI starts with whose remainder
  (the local part) is allowed wins; a shorter one is tried when it is not
  (several names for one namespace: the shortest name, then the first in
  alphabetical order);
* :attr:`NameSyntax.TURTLE` allows the local parts that Turtle 1.1 and SPARQL 1.1
  both read back as the very same IRI without escapes: the ``PN_LOCAL``
  production without its backslash escapes, without ``.`` and without the
  characters beyond U+FFFF.  So ``/``, ``#``, ``?``, ``~``, ``(``… never appear
  (they would need ``\\/``…); ``.`` and the supplementary planes are left out
  because Oxigraph's SPARQL parser (the one ``polevents query`` runs) rejects a
  local name with two dots (``release:0.1.0``) or with an emoji, although
  ``PN_LOCAL`` allows both, and an IRI written in full always re-parses.
  A leading digit (``sentence:12``, ``event:2022-01-05-…``), ``:`` and ``%HH``
  are allowed, as both grammars allow them; the empty local part (``wd:``) too;
* :attr:`NameSyntax.JSONLD` allows what a JSON-LD 1.1 processor reads as a
  compact IRI: a namespace ending in a gen-delim character (``/ # : ? [ ] @``,
  the only ones a simple term definition may serve as a prefix with), and any
  non-empty local part that does not start with ``//`` (``p://x`` would read
  as an absolute IRI).

An IRI no prefix fits is written relative to ``base`` when that resolves back
to it (``<id/person/x>``), else in full::

    >>> compact_iri("https://w3id.org/polevents/ontology#Person", {"pe": "https://w3id.org/polevents/ontology#"})
    'pe:Person'
    >>> compact_iri("https://ex.org/id/person/ann", {}, base="https://ex.org/")
    '<id/person/ann>'
    >>> compact_iri("https://ex.org/release/0.1.0", {"release": "https://ex.org/release/"})
    '<https://ex.org/release/0.1.0>'
    >>> prefixed_name("https://ex.org/a/b.c", {"a": "https://ex.org/a/"}, syntax=NameSyntax.JSONLD)
    'a:b.c'

This module imports nothing heavy (``polevents query`` stays fast to start).
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

__all__ = ["IriNames", "NameSyntax", "compact_iri", "is_local_name", "prefixed_name", "triple_iris", "used_prefixes"]

# Turtle 1.1 / SPARQL 1.1 character classes (PN_CHARS_BASE, PN_CHARS_U, PN_CHARS); PN_CHARS_BASE
# without its last range, #x10000-#xEFFFF, which Oxigraph's SPARQL parser does not read (emoji…)
_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PERCENT = "%[0-9A-Fa-f]{2}"
#: PN_LOCAL without PN_LOCAL_ESC and without '.'; the empty local part is allowed too
_TURTLE_LOCAL = re.compile(f"(?:(?:[{_PN_CHARS_U}:0-9]|{_PERCENT})(?:[{_PN_CHARS}:]|{_PERCENT})*)?")
#: characters a JSON-LD simple term definition's IRI must end with to serve as a prefix
_GEN_DELIMS = frozenset(":/?#[]@")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class NameSyntax(enum.Enum):
    """Which local parts a prefixed name may have (see the module docstring)."""

    #: Turtle 1.1 and SPARQL 1.1 prefixed names, without escapes and without '.'
    TURTLE = "turtle"
    #: JSON-LD 1.1 compact IRIs
    JSONLD = "jsonld"


def is_local_name(local: str, syntax: NameSyntax = NameSyntax.TURTLE) -> bool:
    """Whether ``local`` may follow ``prefix:`` in ``syntax``.

    >>> is_local_name("kassym-jomart-tokayev"), is_local_name("12"), is_local_name("a/b"), is_local_name("0.1")
    (True, True, False, False)
    """
    if syntax is NameSyntax.JSONLD:
        return bool(local) and not local.startswith("//")
    return _TURTLE_LOCAL.fullmatch(local) is not None


class IriNames:
    """``prefixes`` indexed once, to abbreviate many IRIs (see the module docstring for the rule).

    >>> names = IriNames({"ex": "http://ex.org/", "exp": "http://ex.org/p/"})
    >>> names.prefixed("http://ex.org/p/1"), names.prefixed("http://ex.org/a"), names.prefixed("http://o.org/x")
    ('exp:1', 'ex:a', None)
    """

    def __init__(
        self, prefixes: Mapping[str, str], base: str | None = None, syntax: NameSyntax = NameSyntax.TURTLE
    ) -> None:
        self.base = base or None
        self.syntax = syntax
        by_namespace: dict[str, str] = {}
        for name, ns in sorted(prefixes.items(), key=lambda item: (len(item[0]), item[0])):
            if not ns or (syntax is NameSyntax.JSONLD and ns[-1] not in _GEN_DELIMS):
                continue
            by_namespace.setdefault(ns, name)
        self._by_namespace = by_namespace
        #: the characters namespaces end with: a namespace of an IRI ends where one of them occurs
        self._ends = tuple(sorted({ns[-1] for ns in by_namespace}))

    def split(self, iri: str) -> tuple[str, str] | None:
        """``(prefix name, local part)`` of the longest namespace that fits ``iri``, or ``None``."""
        by_namespace, ends, syntax = self._by_namespace, self._ends, self.syntax
        end = len(iri)
        while end > 0 and ends:
            # the next shorter candidate namespace: up to the last end character before ``end``
            cut = max([iri.rfind(c, 0, end) for c in ends])
            if cut < 0:
                return None
            name = by_namespace.get(iri[: cut + 1])
            if name is not None:
                local = iri[cut + 1 :]
                if is_local_name(local, syntax):
                    return name, local
            end = cut
        return None

    def prefixed(self, iri: str) -> str | None:
        """``prefix:local``, or ``None`` when no prefix fits."""
        found = self.split(iri)
        return None if found is None else f"{found[0]}:{found[1]}"

    def relative(self, iri: str) -> str | None:
        """``iri`` relative to the base when it resolves back to ``iri`` (RFC 3986), else ``None``."""
        base = self.base
        if base is None or not iri.startswith(base) or len(iri) == len(base) or "?" in base or "#" in base:
            return None
        rest = iri[len(base) :]
        if rest.startswith(("/", "?", "#")) or ":" in re.split(r"[/?#]", rest, maxsplit=1)[0]:
            return None  # an absolute path, or a first segment that reads as a scheme
        path = re.split(r"[?#]", rest, maxsplit=1)[0]
        if any(segment in (".", "..") for segment in path.split("/")):
            return None  # dot segments are removed when resolved
        return rest

    def compact(self, iri: str) -> str:
        """``prefix:local``, ``<relative>`` (Turtle and SPARQL resolve it against the base) or ``<iri>``."""
        name = self.prefixed(iri)
        if name is not None:
            return name
        rest = self.relative(iri)
        return f"<{iri if rest is None else rest}>"

    def used(self, iris: Iterable[str]) -> dict[str, str]:
        """The prefixes :meth:`prefixed` uses for ``iris``, sorted by name."""
        names = {found[0] for iri in iris if (found := self.split(iri)) is not None}
        return {name: ns for ns, name in sorted(self._by_namespace.items(), key=lambda kv: kv[1]) if name in names}


@functools.lru_cache(maxsize=32)
def _names(prefixes: tuple[tuple[str, str], ...], base: str | None, syntax: NameSyntax) -> IriNames:
    return IriNames(dict(prefixes), base, syntax)


def _cached(prefixes: Mapping[str, str], base: str | None, syntax: NameSyntax) -> IriNames:
    return _names(tuple(prefixes.items()), base, syntax)


def compact_iri(iri: str, prefixes: Mapping[str, str], base: str | None = None) -> str:
    """``iri`` as Turtle and SPARQL write it: ``prefix:local``, ``<relative>`` to ``base``, or ``<iri>``."""
    return _cached(prefixes, base, NameSyntax.TURTLE).compact(iri)


def prefixed_name(iri: str, prefixes: Mapping[str, str], syntax: NameSyntax = NameSyntax.TURTLE) -> str | None:
    """``prefix:local`` for ``iri``, or ``None`` when no prefix fits."""
    return _cached(prefixes, None, syntax).prefixed(iri)


def used_prefixes(
    iris: Iterable[str], prefixes: Mapping[str, str], syntax: NameSyntax = NameSyntax.TURTLE
) -> dict[str, str]:
    """The prefixes the names of ``iris`` use (see :func:`prefixed_name`), sorted by name.

    >>> used_prefixes(["http://ex.org/a", "http://o.org/b"], {"ex": "http://ex.org/", "o": "http://ex.org/o/"})
    {'ex': 'http://ex.org/'}
    """
    return IriNames(prefixes, syntax=syntax).used(iris)


def triple_iris(triples: Iterable[pyoxigraph.Triple]) -> Iterator[str]:
    """Every IRI of ``triples`` a serialisation writes: terms, datatypes (not those of plain and
    language-tagged strings, which are not written), and those of quoted triples."""
    import pyoxigraph as ox

    def of(term: object) -> Iterator[str]:
        if isinstance(term, ox.NamedNode):
            yield term.value
        elif isinstance(term, ox.Literal):
            if not term.language and term.datatype.value != _XSD_STRING:
                yield term.datatype.value
        elif isinstance(term, ox.Triple):
            yield from of(term.subject)
            yield from of(term.predicate)
            yield from of(term.object)

    for t in triples:
        yield from of(t.subject)
        yield from of(t.predicate)
        yield from of(t.object)
