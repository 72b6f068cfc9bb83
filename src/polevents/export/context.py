"""The term context: JSON-LD a web developer reads with plain keys, generated from the ontology.

The dataset dump (``polevents.jsonld``) maps prefixes only, so its keys are
``pe:date`` and ``rdfs:label``.  This module makes the second JSON-LD form:
a context of *terms* derived from the ontology, and documents compacted with it
(the compacted dump ``polevents.compact.jsonld`` and the per-entity documents of
``polevents serve``), where the same data reads::

    {"id": "https://w3id.org/polevents/id/tenure/koshanov-chair-of-amanat",
     "type": "Tenure",
     "holder": "https://w3id.org/polevents/id/person/yerlan-koshanov",
     "label": {"en": "Yerlan Koshanov, chairman of Amanat"},
     "startDate": {"@value": "2022-04-26", "@type": "xsd:date"},
     "wasDerivedFrom": ["https://w3id.org/polevents/id/source/…/sentence/40"]}

The context (:func:`term_context`) depends only on the ontology graph and on
:data:`EXTERNAL_TERMS`, never on the sources, and it is embedded in every
document (nothing is fetched).  It is versioned by :data:`CONTEXT_VERSION`
(published as :data:`CONTEXT_FILE`); a change that reads an existing document
differently bumps it.  Rules:

* ``id`` and ``type`` alias ``@id`` and ``@type``;
* every class and property of the ontology is a term named by its local name;
  object properties coerce their values to IRIs (``"@type": "@id"``);
* :data:`EXTERNAL_TERMS` name the common properties the data uses from other
  vocabularies (``label``, ``sameAs``, ``wasDerivedFrom``…); text properties
  among them are ``@language`` maps (``"label": {"en": …, "kk": …}``, a string
  without language under ``@none``); an ontology term with the same local name
  wins, the other property keeps its compact IRI (``rdf:subject``);
* the vocabulary prefixes (not the dataset's own ``person:``… ones, which grow
  with the data) shorten everything else.

The context says nothing of the dataset's base IRI.  A document compacted with a
``base`` (the compacted dump) adds it as a second context, ``"@context": [{…terms…},
{"@base": "https://w3id.org/polevents/"}]``, and writes the entity and graph IRIs
under it relative to it (``"holder": "id/person/yerlan-koshanov"``), where that
resolves back to the same IRI (:func:`relative_iri`), and the other node IRIs of the
vocabularies as compact IRIs (``pe:Event``); the rest stay absolute.

Compaction (:class:`TermCompactor`) is lossless: canonical ``xsd:integer`` and
``xsd:boolean`` literals become JSON numbers and booleans, other typed literals
keep their datatype (``{"@value": "1999", "@type": "xsd:gYear"}``: a date keeps
its precision), and a value that does not fit a term's coercion or container
stays under the compact IRI of its property.  Tests expand the documents with
pyld and compare ``toRdf`` with the N-Quads dump as datasets.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from ..errors import InputError
from ..vocab import OWL, PE, PREFIXES, RDF, XSD

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

    Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal

__all__ = [
    "COMPACT_DUMP",
    "CONTEXT_FILE",
    "CONTEXT_VERSION",
    "EXTERNAL_TERMS",
    "TermCompactor",
    "TermDefinition",
    "TermKind",
    "document_context",
    "relative_iri",
    "term_context",
]

#: Bumped whenever a document compacted with the context would read differently.
CONTEXT_VERSION: Final = 1
#: The context file in dist/ (versioned name: a consumer may pin it).
CONTEXT_FILE: Final = f"context-terms-v{CONTEXT_VERSION}.jsonld"
#: The dataset dump compacted with the term context.
COMPACT_DUMP: Final = "polevents.compact.jsonld"

#: The prefixes of the term context: the vocabularies, not the items of Wikidata (``wd:``),
#: whose IRIs a developer follows as links and so stay absolute.
CONTEXT_PREFIXES: Final[dict[str, str]] = {k: v for k, v in PREFIXES.items() if k != "wd"}

_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")
#: Integers of more digits stay value objects (beyond 2**53 a JavaScript number loses precision).
_SAFE_DIGITS = 15
_XSD_STRING = XSD + "string"
_XSD_INTEGER = XSD + "integer"
_XSD_BOOLEAN = XSD + "boolean"
_RDF_TYPE = RDF + "type"
_RDF_LANGSTRING = RDF + "langString"


class TermKind(enum.Enum):
    """How a term reads its values."""

    #: a class (a value of ``type``)
    CLASS = "class"
    #: values are IRIs written as plain strings (``"@type": "@id"``)
    IRI = "iri"
    #: values are texts in a ``@language`` map
    LANGUAGE = "language"
    #: no coercion: strings, numbers, booleans, value objects, ``{"id": …}``
    PLAIN = "plain"


@dataclass(frozen=True)
class TermDefinition:
    """One term of the context: its name, the IRI it stands for, how it reads values."""

    name: str
    iri: str
    kind: TermKind

    def definition(self, compact: dict[str, str]) -> str | dict[str, str]:
        """The term definition as JSON (``compact`` maps an IRI to its compact form)."""
        iri = compact.get(self.iri, self.iri)
        if self.kind is TermKind.IRI:
            return {"@id": iri, "@type": "@id"}
        if self.kind is TermKind.LANGUAGE:
            return {"@id": iri, "@container": "@language"}
        return iri


_RDFS = PREFIXES["rdfs"]
_SKOS = PREFIXES["skos"]
_DCT = PREFIXES["dcterms"]
_SCHEMA = PREFIXES["schema"]
_PROV = PREFIXES["prov"]

#: Properties of other vocabularies the data uses, as terms (an ontology term of the same name wins).
EXTERNAL_TERMS: Final[tuple[TermDefinition, ...]] = (
    TermDefinition("label", _RDFS + "label", TermKind.LANGUAGE),
    TermDefinition("comment", _RDFS + "comment", TermKind.LANGUAGE),
    TermDefinition("seeAlso", _RDFS + "seeAlso", TermKind.IRI),
    TermDefinition("subClassOf", _RDFS + "subClassOf", TermKind.IRI),
    TermDefinition("prefLabel", _SKOS + "prefLabel", TermKind.LANGUAGE),
    TermDefinition("altLabel", _SKOS + "altLabel", TermKind.LANGUAGE),
    TermDefinition("hiddenLabel", _SKOS + "hiddenLabel", TermKind.LANGUAGE),
    TermDefinition("exactMatch", _SKOS + "exactMatch", TermKind.IRI),
    TermDefinition("closeMatch", _SKOS + "closeMatch", TermKind.IRI),
    TermDefinition("broader", _SKOS + "broader", TermKind.IRI),
    TermDefinition("inScheme", _SKOS + "inScheme", TermKind.IRI),
    TermDefinition("sameAs", OWL + "sameAs", TermKind.IRI),
    TermDefinition("wasDerivedFrom", _PROV + "wasDerivedFrom", TermKind.IRI),
    TermDefinition("title", _DCT + "title", TermKind.LANGUAGE),
    TermDefinition("description", _DCT + "description", TermKind.LANGUAGE),
    TermDefinition("publisher", _DCT + "publisher", TermKind.IRI),
    TermDefinition("source", _DCT + "source", TermKind.IRI),
    TermDefinition("license", _DCT + "license", TermKind.IRI),
    TermDefinition("identifier", _DCT + "identifier", TermKind.PLAIN),
    TermDefinition("language", _DCT + "language", TermKind.PLAIN),
    TermDefinition("issued", _DCT + "issued", TermKind.PLAIN),
    TermDefinition("url", _SCHEMA + "url", TermKind.IRI),
    TermDefinition("currency", _SCHEMA + "currency", TermKind.PLAIN),
    TermDefinition("value", _SCHEMA + "value", TermKind.PLAIN),
    TermDefinition("legislationChanges", _SCHEMA + "legislationChanges", TermKind.IRI),
)

#: Keyword aliases; they and the prefix names cannot be term names.
_ALIASES: Final[dict[str, str]] = {"id": "@id", "type": "@type"}
_PROPERTY_KINDS: Final[dict[str, TermKind]] = {
    OWL + "ObjectProperty": TermKind.IRI,
    OWL + "DatatypeProperty": TermKind.PLAIN,
    OWL + "AnnotationProperty": TermKind.PLAIN,
    RDF + "Property": TermKind.PLAIN,
    OWL + "Class": TermKind.CLASS,
    _RDFS + "Class": TermKind.CLASS,
}
_TERM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _ontology_terms(triples: Iterable[pyoxigraph.Triple]) -> list[TermDefinition]:
    """The ontology's classes and properties (``pe:`` local names), one kind each."""
    import pyoxigraph as ox

    kinds: dict[str, set[TermKind]] = {}
    for t in triples:
        subject, obj = t.subject, t.object
        if not isinstance(subject, ox.NamedNode) or not isinstance(obj, ox.NamedNode):
            continue
        if t.predicate.value != _RDF_TYPE or obj.value not in _PROPERTY_KINDS:
            continue
        iri = subject.value
        if not iri.startswith(PE) or not _TERM_NAME.fullmatch(iri[len(PE) :]):
            continue
        kinds.setdefault(iri, set()).add(_PROPERTY_KINDS[obj.value])
    out = []
    for iri in sorted(kinds):
        found = kinds[iri]
        # declared twice (object and datatype property): no coercion, nothing is misread
        kind = found.pop() if len(found) == 1 else TermKind.PLAIN
        out.append(TermDefinition(iri[len(PE) :], iri, kind))
    return out


@dataclass(frozen=True)
class TermContext:
    """The term context: its terms by name and by IRI, and the prefixes."""

    terms: tuple[TermDefinition, ...]
    prefixes: dict[str, str]

    def document(self) -> dict[str, Any]:
        """The context document ``{"@context": {...}}``: aliases, prefixes, then terms, each sorted."""
        compact = {t.iri: self._prefixed(t.iri) for t in self.terms}
        context: dict[str, Any] = {"@version": 1.1, **_ALIASES}
        context.update(sorted(self.prefixes.items()))
        context.update((t.name, t.definition(compact)) for t in sorted(self.terms, key=lambda t: t.name))
        return {"@context": context}

    def _prefixed(self, iri: str) -> str:
        best = ""
        for name, ns in self.prefixes.items():
            if iri.startswith(ns) and len(ns) > len(self.prefixes.get(best, "")) and len(iri) > len(ns):
                best = name
        return f"{best}:{iri[len(self.prefixes[best]) :]}" if best else iri


def term_context(ontology: Iterable[pyoxigraph.Triple]) -> TermContext:
    """The term context of an ontology graph (see the module docstring for the rules)."""
    reserved = set(_ALIASES) | set(CONTEXT_PREFIXES)
    terms: dict[str, TermDefinition] = {}
    for term in (*_ontology_terms(ontology), *EXTERNAL_TERMS):
        if term.name not in reserved and term.name not in terms:
            terms[term.name] = term
    return TermContext(tuple(terms.values()), dict(CONTEXT_PREFIXES))


#: A relative reference that resolves to ``base`` + itself (RFC 3986 section 5.2) and that a
#: JSON-LD processor reads as relative: no scheme-like colon, query, fragment, leading ``/`` or
#: ``@`` (a keyword form), no ``.`` or ``..`` segment (resolution would remove it).
_RELATIVE = re.compile(r"[A-Za-z0-9_~%!$&'()*+,;=-][A-Za-z0-9_~%!$&'()*+,;=@./-]*")


def relative_iri(iri: str, base: str) -> str | None:
    """``iri`` relative to ``base`` where it reads back the same against ``"@base": base``, else None.

    >>> relative_iri("https://ex.org/d/id/person/a", "https://ex.org/d/")
    'id/person/a'
    >>> [relative_iri(i, "https://ex.org/d/") for i in ("https://ex.org/d/a:b", "https://ex.org/d/x/../y",
    ...                                                  "https://ex.org/d/", "https://ex.org/e/a")]
    [None, None, None, None]
    """
    if not base.endswith("/") or not iri.startswith(base):
        return None
    rest = iri[len(base) :]
    if not _RELATIVE.fullmatch(rest) or any(seg in (".", "..") for seg in rest.split("/")):
        return None
    return rest


def document_context(context: TermContext, base: str | None = None) -> Any:
    """The ``@context`` of a document compacted with ``context`` (and ``base``, if given)."""
    terms = context.document()["@context"]
    return terms if base is None else [terms, {"@base": base}]


class TermCompactor:
    """Node objects compacted with a :class:`TermContext`, from RDF terms.

    >>> import pyoxigraph as ox
    >>> c = TermCompactor(term_context([]))
    >>> s = ox.NamedNode("http://ex.org/a")
    >>> c.node(s, [(ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("A", language="en")),
    ...            (ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs"), ox.NamedNode("http://ex.org/b"))])
    {'id': 'http://ex.org/a', 'label': {'en': 'A'}, 'sameAs': 'http://ex.org/b'}
    """

    def __init__(self, context: TermContext, base: str | None = None) -> None:
        self.context = context
        #: the document's ``@base``: IRIs under it are written relative to it (:func:`relative_iri`)
        self.base = base
        self._by_iri = {t.iri: t for t in context.terms}
        self._names = frozenset(t.name for t in context.terms) | frozenset(_ALIASES)
        self._keys: dict[str, str] = {}

    # ------------------------------------------------------------ IRIs

    def _absolute(self, iri: str) -> str:
        """``iri`` written in full; refused when JSON-LD would read it as a compact IRI or term."""
        scheme = iri.split(":", 1)[0]
        if scheme in self.context.prefixes or scheme in self._names or ":" not in iri:
            raise InputError(f"cannot write {iri!r} in JSON-LD: {scheme!r} is a name of the term context")
        return iri

    def _vocab(self, iri: str) -> str:
        """A property, class or datatype IRI: its term, else its compact IRI, else the IRI."""
        found = self._keys.get(iri)
        if found is None:
            term = self._by_iri.get(iri)
            if term is not None:
                found = term.name
            else:
                prefixed = self.context._prefixed(iri)
                found = prefixed if prefixed != iri else self._absolute(iri)
            self._keys[iri] = found
        return found

    def _fallback_key(self, iri: str) -> str:
        """The key of a value that does not fit its property's term: the compact IRI."""
        prefixed = self.context._prefixed(iri)
        return prefixed if prefixed != iri else self._absolute(iri)

    def _ref(self, term: Term) -> str:
        import pyoxigraph as ox

        return f"_:{term.value}" if isinstance(term, ox.BlankNode) else self.iri(term.value)

    def iri(self, iri: str) -> str:
        """A node's IRI as written.  With a base: relative to it where that reads back the same,
        else a compact IRI of the context's prefixes (``pe:Event``), else absolute; without: absolute."""
        if self.base is not None:
            relative = relative_iri(iri, self.base)
            if relative is not None:
                return relative
            prefixed = self.context._prefixed(iri)
            if prefixed != iri:
                return prefixed
        return self._absolute(iri)

    # ------------------------------------------------------------ values

    def _literal(self, lit: pyoxigraph.Literal) -> Any:
        """A literal as a plain JSON value where that reads back the same, else a value object."""
        dt = lit.datatype.value
        value = lit.value
        if lit.language:
            out: dict[str, Any] = {"@value": value, "@language": lit.language}
            direction = getattr(lit, "direction", None)
            if direction:
                out["@direction"] = str(direction).lower().rsplit(".", 1)[-1]
            return out
        if dt == _XSD_STRING:
            return value
        if dt == _XSD_INTEGER and _INTEGER.fullmatch(value) and len(value.lstrip("-")) <= _SAFE_DIGITS:
            return int(value)
        if dt == _XSD_BOOLEAN and value in ("true", "false"):
            return value == "true"
        return {"@value": value, "@type": self._vocab(dt)}

    def node(
        self, subject: pyoxigraph.NamedNode | pyoxigraph.BlankNode, statements: Sequence[tuple[Any, Any]]
    ) -> dict[str, Any]:
        """The node object of ``subject`` with ``(predicate, object)`` statements, in their order."""
        import pyoxigraph as ox

        node: dict[str, Any] = {"id": self._ref(subject)}
        types: list[str] = []
        values: dict[str, list[Any]] = {}
        maps: dict[str, dict[str, list[str]]] = {}
        for predicate, obj in statements:
            p = predicate.value
            if p == _RDF_TYPE and not isinstance(obj, ox.Literal):
                types.append(self._vocab(obj.value) if isinstance(obj, ox.NamedNode) else self._ref(obj))
                continue
            term = self._by_iri.get(p)
            kind = term.kind if term is not None else TermKind.PLAIN
            if isinstance(obj, ox.Literal):
                if kind is TermKind.LANGUAGE and term is not None and not getattr(obj, "direction", None):
                    if obj.language:
                        maps.setdefault(term.name, {}).setdefault(obj.language, []).append(obj.value)
                        continue
                    if obj.datatype.value == _XSD_STRING:
                        maps.setdefault(term.name, {}).setdefault("@none", []).append(obj.value)
                        continue
                key = self._vocab(p) if kind in (TermKind.PLAIN, TermKind.CLASS) else self._fallback_key(p)
                values.setdefault(key, []).append(self._literal(obj))
            elif kind is TermKind.IRI:
                values.setdefault(self._vocab(p), []).append(self._ref(obj))
            else:
                key = self._vocab(p) if kind in (TermKind.PLAIN, TermKind.CLASS) else self._fallback_key(p)
                values.setdefault(key, []).append({"id": self._ref(obj)})
        if types:
            node["type"] = types[0] if len(types) == 1 else types
        entries: list[tuple[str, Any]] = [(k, v[0] if len(v) == 1 else v) for k, v in values.items()]
        entries += [(k, {lang: v[0] if len(v) == 1 else v for lang, v in m.items()}) for k, m in maps.items()]
        for key, value in sorted(entries, key=lambda kv: kv[0]):
            node[key] = value
        return node

    def nodes(self, triples: Iterable[pyoxigraph.Triple]) -> Iterator[dict[str, Any]]:
        """Node objects of ``triples`` sorted by subject (consecutive triples of a subject form one node)."""
        subject: Any = None
        statements: list[tuple[Any, Any]] = []
        for t in triples:
            if t.subject != subject:
                if subject is not None:
                    yield self.node(subject, statements)
                subject, statements = t.subject, []
            statements.append((t.predicate, t.object))
        if subject is not None:
            yield self.node(subject, statements)


def _dumps(value: Any) -> str:
    """JSON text of ``value`` as every compacted document writes it (UTF-8 kept, no ASCII escapes)."""
    return json.dumps(value, ensure_ascii=False)


def context_json(context: TermContext) -> str:
    """The context file's text (indented, sorted, with a final newline)."""
    return json.dumps(context.document(), ensure_ascii=False, indent=2) + "\n"
