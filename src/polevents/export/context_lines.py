"""The compacted dump written from canonical N-Triples lines (bytes), without term objects.

The same node objects as :meth:`polevents.export.context.TermCompactor.node` makes
from pyoxigraph terms (a test compares the two on the repository's data and on
edge cases), about twice as fast: the dump of a large dataset is written in a
stream from the lines the other dumps are made of.  A canonical N-Triples string
is already a JSON string (see :mod:`polevents.export.jsonld`); the rare escapes
JSON lacks (``\\U0001F600``) are re-encoded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from .canonical import RDF_TYPE
from .context import TermCompactor, TermKind, document_context

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    from .canonical import CanonicalDataset
    from .context import TermContext

__all__ = ["LineCompactor", "write_compact_jsonld"]

_INTEGER = re.compile(rb"-?(?:0|[1-9][0-9]*)")
_XSD = b"http://www.w3.org/2001/XMLSchema#"
_SAFE_DIGITS = 15  # |n| < 10**15 < 2**53: a JSON number JavaScript reads exactly


def _dumps(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


class LineCompactor:
    """Node objects as JSON text from sorted canonical lines (``<s> <p> <o>``) of one graph."""

    def __init__(self, context: TermContext, base: str | None = None) -> None:
        self.terms = TermCompactor(context, base)
        self._by_iri = {t.iri.encode(): t for t in context.terms}
        self._refs: dict[bytes, str] = {}
        self._vocab: dict[bytes, str] = {}
        self._fallback: dict[bytes, str] = {}
        #: a key as JSON text -> the key itself (to sort by)
        self._plain: dict[str, str] = {}
        self._names: dict[str, str] = {}

    def _ref(self, term: bytes) -> str:
        found = self._refs.get(term)
        if found is None:
            text = term.decode()
            found = _dumps(text if text.startswith("_:") else self.terms.iri(text[1:-1]))
            if len(self._refs) < 1_000_000:
                self._refs[term] = found
        return found

    def _vocab_key(self, iri: bytes) -> str:
        found = self._vocab.get(iri)
        if found is None:
            plain = self.terms._vocab(iri.decode())
            found = self._vocab[iri] = _dumps(plain)
            self._plain[found] = plain
        return found

    def _fallback_key(self, iri: bytes) -> str:
        found = self._fallback.get(iri)
        if found is None:
            plain = self.terms._fallback_key(iri.decode())
            found = self._fallback[iri] = _dumps(plain)
            self._plain[found] = plain
        return found

    @staticmethod
    def _string(body: bytes) -> str:
        """A canonical N-Triples string (with its quotes) as a JSON string."""
        if b"\\U" in body or b"\\'" in body:
            from .jsonld import _reencode

            body = _reencode(body)
        return body.decode()

    def _literal(self, body: bytes, suffix: bytes) -> str:
        """A literal as :meth:`TermCompactor._literal` writes it, as JSON text."""
        string = self._string(body)
        if not suffix:
            return string
        if suffix[:1] == b"@":
            lang, _, direction = suffix[1:].partition(b"--")
            extra = f', "@direction": "{direction.decode()}"' if direction else ""
            return f'{{"@value": {string}, "@language": "{lang.decode()}"{extra}}}'
        datatype = suffix[3:-1]
        if datatype.startswith(_XSD):
            local = datatype[len(_XSD) :]
            lexical = body[1:-1]
            if local == b"integer" and _INTEGER.fullmatch(lexical) and len(lexical.lstrip(b"-")) <= _SAFE_DIGITS:
                return lexical.decode()
            if local == b"boolean" and lexical in (b"true", b"false"):
                return lexical.decode()
        return f'{{"@value": {string}, "@type": {self._vocab_key(datatype)}}}'

    def node(self, subject: bytes, statements: list[tuple[bytes, bytes]]) -> str:
        """The node object of ``subject`` (N-Triples form) with its ``(predicate, object)`` lines."""
        types: list[str] = []
        values: dict[str, list[str]] = {}
        maps: dict[str, dict[str, list[str]]] = {}
        for p, o in statements:
            if p == RDF_TYPE and o[:1] != b'"':
                types.append(self._vocab_key(o[1:-1]) if o[:1] == b"<" else _dumps(o.decode()))
                continue
            iri = p[1:-1]
            term = self._by_iri.get(iri)
            kind = term.kind if term is not None else TermKind.PLAIN
            if o[:1] == b'"':
                close = o.rindex(b'"')
                body, suffix = o[: close + 1], o[close + 1 :]
                if kind is TermKind.LANGUAGE and term is not None and b"--" not in suffix:
                    if suffix[:1] == b"@":
                        maps.setdefault(term.name, {}).setdefault(suffix[1:].decode(), []).append(self._string(body))
                        continue
                    if not suffix or suffix == b"^^<" + _XSD + b"string>":
                        maps.setdefault(term.name, {}).setdefault("@none", []).append(self._string(body))
                        continue
                if suffix == b"^^<" + _XSD + b"string>":
                    suffix = b""
                key = self._vocab_key(iri) if kind in (TermKind.PLAIN, TermKind.CLASS) else self._fallback_key(iri)
                values.setdefault(key, []).append(self._literal(body, suffix))
            elif kind is TermKind.IRI:
                values.setdefault(self._vocab_key(iri), []).append(self._ref(o))
            else:
                key = self._vocab_key(iri) if kind in (TermKind.PLAIN, TermKind.CLASS) else self._fallback_key(iri)
                values.setdefault(key, []).append('{"id": ' + self._ref(o) + "}")
        parts = ['{"id": ' + self._ref(subject)]
        if types:
            parts.append('"type": ' + (types[0] if len(types) == 1 else "[" + ", ".join(types) + "]"))
        plain = self._plain
        entries = [(plain[k], k, v[0] if len(v) == 1 else "[" + ", ".join(v) + "]") for k, v in values.items()]
        for name, langs in maps.items():
            inner = ", ".join(
                f'"{lang}": {v[0] if len(v) == 1 else "[" + ", ".join(v) + "]"}' for lang, v in langs.items()
            )
            quoted = self._names.get(name) or self._names.setdefault(name, _dumps(name))
            entries.append((name, quoted, "{" + inner + "}"))
        for _, key, value in sorted(entries, key=lambda e: e[0]):
            parts.append(f"{key}: {value}")
        return ", ".join(parts) + "}"

    def graph_head(self, iri: str) -> str:
        """The opening of a named graph's object: ``{"id": IRI, "@graph": [``."""
        return '{"id": ' + _dumps(self.terms.iri(iri)) + ', "@graph": ['

    def nodes(self, lines: Iterable[bytes]) -> Iterator[str]:
        """Node objects of sorted lines (consecutive lines of a subject form one node)."""
        subject = b""
        statements: list[tuple[bytes, bytes]] = []
        for line in lines:
            s, p, o = line.split(b" ", 2)
            if s != subject:
                if statements:
                    yield self.node(subject, statements)
                subject, statements = s, []
            statements.append((p, o))
        if statements:
            yield self.node(subject, statements)


def write_compact_jsonld(dataset: CanonicalDataset, context: TermContext, path: Path, base: str | None = None) -> None:
    """Write ``dataset`` compacted with ``context`` (inline) to ``path``: one node per line,
    one ``{"id": graph, "@graph": […]}`` per named graph, in canonical order (byte-deterministic).
    With ``base``, the IRIs under it are relative to it (``"@base"`` in the document's context)."""
    compactor = LineCompactor(context, base)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(
            '{\n  "@context": ' + json.dumps(document_context(context, base), ensure_ascii=False) + ',\n  "@graph": ['
        )
        for i, graph in enumerate(dataset.graphs):
            out.write(("\n" if i == 0 else ",\n") + "    " + compactor.graph_head(graph.iri))
            first = True
            for node in compactor.nodes(graph.lines):
                out.write(("\n      " if first else ",\n      ") + node)
                first = False
            out.write("\n    ]}" if not first else "]}")
        out.write("\n  ]\n}\n")
