"""Compacted JSON-LD, written in a stream from the canonical N-Triples lines.

The document is what a JSON-LD 1.1 processor produces when it compacts the
``fromRdf`` form of the dataset against a context that maps only prefixes:

* the ``@context`` is inline (a consumer needs to fetch nothing); the same
  mapping is published as ``context.jsonld`` for anyone compacting their own data;
* IRIs are compact IRIs (``person:kassym-jomart-tokayev``) or absolute; there is
  no ``@base`` and no ``@vocab``, so no IRI is relative;
* ``rdf:type`` becomes ``@type``; plain strings stay JSON strings; language-tagged
  strings and typed literals are value objects whose ``@value`` keeps the exact
  lexical form (numbers never become JSON numbers, which could change their datatype);
* one ``{"@id": graph, "@graph": [...]}`` per named graph; one node object per
  line, nodes in subject order, properties in IRI order, values in canonical
  order: byte-deterministic.

It is written from the bytes of the lines, without building term objects: the
string of a canonical N-Triples literal (Oxigraph escapes exactly ``"`` ``\\``
and control characters, with ``\\n``-style or ``\\u00XX`` escapes) is already a
valid JSON string, and IRIs cannot contain a character JSON would escape.  A
literal with an escape JSON lacks (``\\U0001F600``, not produced by Oxigraph's
canonical form) is decoded and re-encoded instead.  The writer counts each graph
(:class:`~polevents.export.canonical.Tally`) on the way, for the dataset description.
Tests check the output against pyld.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..errors import InputError
from ..names import IriNames, NameSyntax
from .canonical import RDF_TYPE, Tally

if TYPE_CHECKING:  # pragma: no cover
    from .canonical import CanonicalDataset, CanonicalGraph

__all__ = ["IriCompactor", "context_document", "write_graph_jsonld", "write_jsonld"]

_LT = ord("<")
_QUOTE = ord('"')
_AT = ord("@")


class IriCompactor:
    """Absolute IRIs as JSON-LD writes them: compact IRIs by :class:`polevents.names.IriNames`
    (the longest prefix, :attr:`~polevents.names.NameSyntax.JSONLD` local parts), else absolute.

    >>> c = IriCompactor({"ex": "http://ex.org/", "exp": "http://ex.org/p/"})
    >>> c("http://ex.org/p/1"), c("http://ex.org/a"), c("http://other.org/x")
    ('exp:1', 'ex:a', 'http://other.org/x')
    """

    def __init__(self, prefixes: dict[str, str]) -> None:
        self._names = IriNames(prefixes, syntax=NameSyntax.JSONLD)
        self._prefix_names = frozenset(prefixes)

    def __call__(self, iri: str) -> str:
        """The compact IRI, or ``iri`` itself.

        :raises InputError: ``iri`` stays absolute but its scheme is a prefix name (a JSON-LD
            processor would read it as a compact IRI).
        """
        name = self._names.prefixed(iri)
        if name is not None:
            return name
        scheme = iri.split(":", 1)[0]
        if scheme in self._prefix_names:
            raise InputError(f"cannot write {iri!r} in JSON-LD: its scheme {scheme!r} is also a prefix name")
        return iri


def context_document(prefixes: dict[str, str]) -> dict[str, Any]:
    """The JSON-LD context: one simple term definition per prefix (sorted)."""
    return {"@context": dict(sorted(prefixes.items()))}


class _Terms:
    """JSON renderings of N-Triples terms, cached (IRIs repeat a lot)."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.compact = IriCompactor(prefixes)
        self._ids: dict[bytes, bytes] = {}

    def ref(self, term: bytes) -> bytes:
        """``<iri>`` or ``_:label`` as a JSON string (compact IRI or blank node id)."""
        found = self._ids.get(term)
        if found is None:
            if term[0] == _LT:
                found = json.dumps(self.compact(term[1:-1].decode()), ensure_ascii=False).encode()
            else:
                found = b'"' + term + b'"'
            if len(self._ids) < 2_000_000:
                self._ids[term] = found
        return found

    def value(self, obj: bytes) -> bytes:
        """An object term as a JSON-LD value (string, value object or node reference)."""
        if obj[0] != _QUOTE:
            return b'{"@id": ' + self.ref(obj) + b"}"
        close = obj.rindex(b'"')
        body = obj[: close + 1]
        if b"\\U" in body or b"\\'" in body:
            body = _reencode(body)
        suffix = obj[close + 1 :]
        if not suffix:
            return body
        if suffix[0] == _AT:
            lang, _, direction = suffix[1:].partition(b"--")
            extra = b', "@direction": "' + direction + b'"' if direction else b""
            return b'{"@value": ' + body + b', "@language": "' + lang + b'"' + extra + b"}"
        return b'{"@value": ' + body + b', "@type": ' + self.ref(suffix[2:]) + b"}"


def _reencode(body: bytes) -> bytes:
    import pyoxigraph as ox

    quad = next(iter(ox.parse(b"<x:s> <x:p> " + body + b" .", format=ox.RdfFormat.N_TRIPLES)))
    return json.dumps(quad.object.value, ensure_ascii=False).encode()


def _nodes(lines: Iterable[bytes], terms: _Terms, tally: Tally | None) -> Iterator[bytes]:
    """One JSON node object per subject, from lines sorted by subject, predicate, object
    (counted into ``tally`` unless it is None)."""
    count = tally is not None
    counts = tally if tally is not None else Tally()
    sizes, objects, predicates, instances = counts.sizes, counts.objects, counts.predicates, counts.instances
    add_object, add_predicate = objects.add, predicates.add
    ref, value = terms.ref, terms.value
    rdf_type, lt = RDF_TYPE, _LT
    refs: dict[bytes, bytes] = {}  # object IRI -> {"@id": ...}, they repeat
    subject = b""
    types: list[bytes] = []
    props: list[tuple[bytes, list[bytes]]] = []
    values: list[bytes] = []
    last_p = b""
    start = 0

    def node() -> bytes:
        parts = [b'{"@id": ', ref(subject)]
        if types:
            parts += [b', "@type": ', types[0] if len(types) == 1 else b"[" + b", ".join(types) + b"]"]
        for key, vals in props:
            parts += [b", ", key, b": ", vals[0] if len(vals) == 1 else b"[" + b", ".join(vals) + b"]"]
        parts.append(b"}")
        return b"".join(parts)

    i = -1
    for i, line in enumerate(lines):
        s, p, o = line.split(b" ", 2)
        if s != subject:
            if i:
                if count:
                    sizes[subject] = i - start
                yield node()
            subject, types, props, last_p, start = s, [], [], b"", i
        if count:
            add_object(o)
            add_predicate(p)
        if p == rdf_type:
            if count:
                instances.setdefault(o, []).append(s)
            if o[0] == lt:
                types.append(ref(o))
                continue
        if p != last_p:
            values = []
            props.append((ref(p), values))
            last_p = p
        if o[0] == lt:
            found = refs.get(o)
            if found is None:
                found = refs[o] = value(o)
            values.append(found)
        else:
            values.append(value(o))
    if i >= 0:
        if count:
            sizes[subject] = i + 1 - start
        yield node()


def _write_nodes(out: IO[bytes], nodes: Iterable[bytes], indent: bytes) -> None:
    separator = b",\n" + indent
    first = True
    for node in nodes:
        out.write((b"\n" + indent if first else separator) + node)
        first = False
    out.write(b"\n")


def _write_context(out: IO[bytes], prefixes: dict[str, str]) -> None:
    items = [
        f"\n    {json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}"
        for k, v in sorted(prefixes.items())
    ]
    out.write(('{\n  "@context": {' + ",".join(items) + "\n  },\n").encode())


def write_jsonld(
    dataset: CanonicalDataset, prefixes: dict[str, str], path: Path, tallies: dict[str, Tally] | None = None
) -> None:
    """Write the whole dataset to ``path``, one ``@graph`` object per named graph.

    When ``tallies`` is given, it receives each graph's :class:`Tally` (by graph IRI).
    """
    terms = _Terms(prefixes)
    with path.open("wb") as out:
        _write_context(out, prefixes)
        out.write(b'  "@graph": [')
        for i, graph in enumerate(dataset.graphs):
            tally = Tally()
            out.write((b"\n" if i == 0 else b",\n") + b"    {\n")
            out.write(b'      "@id": ' + terms.ref(f"<{graph.iri}>".encode()) + b',\n      "@graph": [')
            _write_nodes(out, _nodes(graph.lines, terms, tally), b"        ")
            out.write(b"      ]\n    }")
            if tallies is not None:
                tallies[graph.iri] = tally
        out.write(b"\n  ]\n}\n")


def write_graph_jsonld(graph: CanonicalGraph, prefixes: dict[str, str], path: Path) -> None:
    """Write one graph's triples (no graph name: the document's default graph) to ``path``."""
    terms = _Terms(prefixes)
    with path.open("wb") as out:
        _write_context(out, prefixes)
        out.write(b'  "@graph": [')
        _write_nodes(out, _nodes(graph.lines, terms, Tally()), b"    ")
        out.write(b"  ]\n}\n")
