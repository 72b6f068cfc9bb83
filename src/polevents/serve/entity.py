"""What the server says about one IRI: its RDF description and the view of its HTML page.

**The RDF of an entity** (Turtle, JSON-LD, N-Triples, RDF/XML) is, over all
graphs of the dataset:

1. its Concise Bounded Description: every triple with the IRI as subject, and
   recursively those of the blank nodes among their objects;
2. the inverse links: every triple with the IRI as object (what points here),
   at most :data:`MAX_INVERSE`; for those that are facts (a node with evidence or
   a date: a tenure, an event, a statement), all their statements;
3. the statements about every sentence cited (``prov:wasDerivedFrom``): its
   number, offsets and source, and that source's title and URL;
4. the ``rdfs:label`` and ``skos:prefLabel`` of every other IRI in subject or
   object position, so that a client can show names without more requests.

The ontology document (``https://w3id.org/polevents/ontology``) is described by
its whole graph.  As JSON-LD, the description is compacted with the term context
(:mod:`polevents.export.context`): plain keys (``label``, ``date``, ``holder``,
``sameAs``), the entity first, then its facts by date, each with its evidence
embedded (:meth:`Describer.document`).

**The HTML page** shows the same, arranged for a reader: the label as title;
statements grouped by property, with labels for IRIs and dates at their
precision; the evidence of a fact node (source document, sentence number and
character offsets, linking to the sentence page); Wikidata links; and the
facts pointing here (tenures, events, statements…) as a timeline with their own
dates and evidence, followed by the other inverse links.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..vocab import DCTERMS, FOAF, ONTOLOGY_IRI, OWL, PE, PROV, RDF, RDFS, SCHEMA, SKOS, XSD
from .display import DATE_TYPES, date_precision, display_iri, format_date, safe_href, wikidata_page
from .urls import UrlMap

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

    from ..export.context import TermContext

    Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal

__all__ = [
    "MAX_INVERSE",
    "Describer",
    "EntityView",
    "Evidence",
    "EvidenceGroup",
    "Fact",
    "FactDate",
    "Node",
    "PropertyValues",
    "group_evidence",
]


#: inverse links shown and returned at most (the rest is reachable by SPARQL)
MAX_INVERSE = 2000

LABEL_PROPERTIES = (SKOS + "prefLabel", RDFS + "label", DCTERMS + "title", SCHEMA + "name", FOAF + "name")
DESCRIPTION_LABELS = (RDFS + "label", SKOS + "prefLabel")
#: what an entity's document says of each source its evidence is in
SOURCE_NAMES = (DCTERMS + "title", SCHEMA + "url")
MATCH_PROPERTIES = (OWL + "sameAs", SKOS + "exactMatch", SKOS + "closeMatch")
DATE_PROPERTIES = (
    PE + "date", PE + "startDate", PE + "endDate", PE + "earliestDate", PE + "latestDate",
)  # fmt: skip
#: properties shown first on a page, in this order; the others follow by label
PROPERTY_ORDER = (
    RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", SKOS + "hiddenLabel", RDFS + "comment",
    *DATE_PROPERTIES, PE + "dateQualifier",
)  # fmt: skip
#: shown elsewhere on the page than the statements table
SEPARATE_PROPERTIES = frozenset({RDF + "type", PROV + "wasDerivedFrom", *MATCH_PROPERTIES})


@dataclass
class Node:
    """An RDF term as shown on a page."""

    text: str
    kind: str  # "iri", "literal", "bnode"
    href: str | None = None
    iri: str | None = None
    lang: str | None = None
    datatype: str | None = None
    #: ISO value for <time datetime=…>, and the precision shown in its title
    datetime: str | None = None
    precision: str | None = None
    external: bool = False
    #: statements about a blank node, shown inline
    nested: list[PropertyValues] = field(default_factory=list)


@dataclass
class PropertyValues:
    """One property and its values (or, for inverse links, its subjects)."""

    prop: Node
    values: list[Node]


@dataclass
class Evidence:
    """One sentence a fact was derived from."""

    sentence: Node
    index: int | None
    start: int | None
    end: int | None
    source: Node | None
    source_url: str | None


@dataclass
class FactDate:
    """When a fact holds: ``on`` a date, a ``range`` (start – end), or ``between`` two bounds;
    a missing end of a range or bound is ``None``."""

    kind: str
    first: Node | None
    second: Node | None


@dataclass
class EvidenceGroup:
    """The sentences of one source a fact was derived from."""

    source: Node | None
    source_url: str | None
    sentences: list[Evidence]


def group_evidence(evidence: list[Evidence]) -> list[EvidenceGroup]:
    """Evidence grouped by source document, in order."""
    groups: dict[str | None, EvidenceGroup] = {}
    for ev in evidence:
        key = ev.source.iri if ev.source else None
        if key not in groups:
            groups[key] = EvidenceGroup(source=ev.source, source_url=ev.source_url, sentences=[])
        groups[key].sentences.append(ev)
    return list(groups.values())


@dataclass
class Fact:
    """A fact node pointing at the entity: a timeline entry."""

    node: Node
    types: list[Node]
    roles: list[Node]
    date: FactDate | None
    sort_key: str
    evidence: list[EvidenceGroup]


@dataclass
class EntityView:
    """Everything the entity template shows."""

    iri: str
    label: str
    types: list[Node]
    comment: str | None
    properties: list[PropertyValues]
    evidence: list[EvidenceGroup]
    matches: list[PropertyValues]
    facts: list[Fact]
    referenced_by: list[PropertyValues]
    inverse_total: int
    facts_heading: str = ""
    terms: list[tuple[str, Node, list[Node], str | None]] = field(default_factory=list)


def _sort_terms(terms: set[Term]) -> list[Term]:
    return sorted(terms, key=lambda t: (type(t).__name__, str(t)))


class Describer:
    """Reads descriptions from a store; label lookups are cached (the data never changes)."""

    def __init__(self, store: pyoxigraph.Store, urls: UrlMap) -> None:
        self.store = store
        self.urls = urls
        self._labels: dict[str, str | None] = {}
        self._described: dict[str, bool] = {}

    # ------------------------------------------------------------ store access

    def _nn(self, iri: str) -> pyoxigraph.NamedNode:
        import pyoxigraph as ox

        return ox.NamedNode(iri)

    def objects(self, subject: pyoxigraph.NamedNode | pyoxigraph.BlankNode, prop: str) -> list[Term]:
        """Distinct objects of ``subject prop``, over all graphs, in a stable order."""
        found = {q.object for q in self.store.quads_for_pattern(subject, self._nn(prop), None, None)}
        return _sort_terms(found)  # type: ignore[arg-type]

    def _first_int(self, subject: pyoxigraph.NamedNode, prop: str) -> int | None:
        import pyoxigraph as ox

        for value in self.objects(subject, prop):
            if isinstance(value, ox.Literal):
                try:
                    return int(value.value)
                except ValueError:
                    continue
        return None

    def is_described(self, iri: str) -> bool:
        """Whether the dataset states anything with ``iri`` as subject."""
        if iri not in self._described:
            subject = self._nn(iri)
            self._described[iri] = next(iter(self.store.quads_for_pattern(subject, None, None, None)), None) is not None
        return self._described[iri]

    def exists(self, iri: str) -> bool:
        """Whether ``iri`` occurs as subject or object (something can be said about it)."""
        if self.is_described(iri):
            return True
        node = self._nn(iri)
        return next(iter(self.store.quads_for_pattern(None, None, node, None)), None) is not None

    # ------------------------------------------------------------ labels

    @staticmethod
    def _pick(literals: list[pyoxigraph.Literal]) -> str | None:
        """An English label first, then one without language, then any."""

        def rank(lit: pyoxigraph.Literal) -> tuple[int, str, str]:
            lang = (lit.language or "").lower()
            if lang == "en" or lang.startswith("en-"):
                return (0, lang, lit.value)
            return (1 if not lang else 2, lang, lit.value)

        return min(literals, key=rank).value if literals else None

    def label(self, iri: str) -> str | None:
        """The best label of ``iri`` (see :data:`LABEL_PROPERTIES`); sentences get ``sentence N``."""
        if iri in self._labels:
            return self._labels[iri]
        import pyoxigraph as ox

        node = self._nn(iri)
        found: str | None = None
        for prop in LABEL_PROPERTIES:
            literals = [o for o in self.objects(node, prop) if isinstance(o, ox.Literal)]
            found = self._pick(literals)
            if found:
                break
        if found is None:
            index = self._first_int(node, PE + "sentenceIndex")
            if index is not None:
                found = f"sentence {index}"
        self._labels[iri] = found
        return found

    def display_name(self, iri: str) -> str:
        """The label, else a compact IRI, else the last path segment."""
        label = self.label(iri)
        if label:
            return label
        compact = display_iri(iri)
        if compact != iri:
            return compact
        tail = iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        return tail or iri

    # ------------------------------------------------------------ nodes

    def node(self, term: Term, depth: int = 0) -> Node:
        """A term as shown on a page: IRIs labelled and linked, dates formatted."""
        import pyoxigraph as ox

        if isinstance(term, ox.NamedNode):
            iri = term.value
            wikidata = wikidata_page(iri)
            if wikidata is not None:
                return Node(text=display_iri(iri), kind="iri", href=wikidata, iri=iri, external=True)
            local = self.urls.href(iri, described=self.urls.local_path(iri) is None and self.is_described(iri))
            return Node(
                text=self.display_name(iri),
                kind="iri",
                href=local or safe_href(iri),
                iri=iri,
                external=local is None,
            )
        if isinstance(term, ox.Literal):
            dt = term.datatype.value
            shown = format_date(term.value, dt) if dt in DATE_TYPES else None
            return Node(
                text=shown or term.value,
                kind="literal",
                lang=term.language,
                datatype=None if term.language or dt == XSD + "string" else display_iri(dt),
                datetime=term.value if shown else None,
                precision=date_precision(dt) if shown else None,
            )
        if isinstance(term, ox.BlankNode):
            nested = self._properties(term, depth + 1) if depth < 2 else []
            return Node(text="(blank node)", kind="bnode", nested=nested)
        return Node(text=str(term), kind="literal")

    def _prop_node(self, iri: str) -> Node:
        node = self.node(self._nn(iri))
        node.external = False  # a property links to its definition; no "leaving the site" mark
        return node

    def _properties(self, subject: pyoxigraph.NamedNode | pyoxigraph.BlankNode, depth: int = 0) -> list[PropertyValues]:
        grouped: dict[str, set[Term]] = {}
        for q in self.store.quads_for_pattern(subject, None, None, None):
            if q.predicate.value in SEPARATE_PROPERTIES and depth == 0:
                continue
            grouped.setdefault(q.predicate.value, set()).add(q.object)  # type: ignore[arg-type]
        order = {p: i for i, p in enumerate(PROPERTY_ORDER)}
        props = sorted(grouped, key=lambda p: (order.get(p, len(order)), self.display_name(p).lower(), p))
        out = []
        for prop in props:
            values = [self.node(v, depth) for v in _sort_terms(grouped[prop])]
            values.sort(key=lambda n: (n.kind != "literal", n.lang or "", n.text.lower()))
            out.append(PropertyValues(prop=self._prop_node(prop), values=values))
        return out

    # ------------------------------------------------------------ evidence and dates

    def evidence(self, subject: pyoxigraph.NamedNode) -> list[Evidence]:
        """The sentences ``subject`` was derived from (``prov:wasDerivedFrom``), by source and number."""
        import pyoxigraph as ox

        out = []
        for target in self.objects(subject, PROV + "wasDerivedFrom"):
            if not isinstance(target, ox.NamedNode):
                continue
            sources = [s for s in self.objects(target, PE + "inSource") if isinstance(s, ox.NamedNode)]
            source = sources[0] if sources else None
            url = None
            if source is not None:
                urls = [u for u in self.objects(source, SCHEMA + "url") if isinstance(u, ox.NamedNode)]
                url = safe_href(urls[0].value) if urls else None
            out.append(
                Evidence(
                    sentence=self.node(target),
                    index=self._first_int(target, PE + "sentenceIndex"),
                    start=self._first_int(target, PE + "startOffset"),
                    end=self._first_int(target, PE + "endOffset"),
                    source=self.node(source) if source is not None else None,
                    source_url=url,
                )
            )
        out.sort(key=lambda e: (e.source.text if e.source else "", e.index or 0, e.sentence.text))
        return out

    def dates(self, subject: pyoxigraph.NamedNode) -> tuple[FactDate | None, str]:
        """A fact's date for a timeline (``pe:date``, or start–end, or between earliest and latest),
        and its sort key (the lexical form: ISO dates of any precision sort as text)."""
        import pyoxigraph as ox

        found: dict[str, Node] = {}
        raw: dict[str, str] = {}
        for prop in DATE_PROPERTIES:
            values = [v for v in self.objects(subject, prop) if isinstance(v, ox.Literal)]
            if values:
                found[prop] = self.node(values[0])
                raw[prop] = values[0].value
        if not found:
            return None, "~"
        if PE + "date" in found:
            return FactDate("on", found[PE + "date"], None), raw[PE + "date"]
        start, end = found.get(PE + "startDate"), found.get(PE + "endDate")
        if start or end:
            key = raw.get(PE + "startDate") or raw.get(PE + "endDate", "~")
            return FactDate("range", start, end), key
        early, late = found.get(PE + "earliestDate"), found.get(PE + "latestDate")
        key = raw.get(PE + "earliestDate") or raw.get(PE + "latestDate", "~")
        return FactDate("between", early, late), key

    # ------------------------------------------------------------ the page

    def view(self, iri: str) -> EntityView | None:
        """The HTML view of ``iri``; ``None`` when the dataset says nothing about it."""
        import pyoxigraph as ox

        if not self.exists(iri):
            return None
        subject = self._nn(iri)
        types = [self.node(t) for t in self.objects(subject, RDF + "type")]
        comments = [c for c in self.objects(subject, RDFS + "comment") if isinstance(c, ox.Literal)]
        matches = []
        for prop in MATCH_PROPERTIES:
            values = [self.node(v) for v in self.objects(subject, prop)]
            if values:
                matches.append(PropertyValues(prop=self._prop_node(prop), values=values))
        facts, referenced_by, total = self._inverse(subject)
        label = self.display_name(iri)
        type_iris = {t.iri for t in types}
        citing = bool(type_iris & {PE + "Sentence", PE + "Source"})
        index = self._first_int(subject, PE + "sentenceIndex")
        sources = [s for s in self.objects(subject, PE + "inSource") if isinstance(s, ox.NamedNode)]
        if index is not None and sources:
            label = f"Sentence {index} of “{self.display_name(sources[0].value)}”"
        view = EntityView(
            iri=iri,
            label=label,
            types=types,
            comment=self._pick(comments),
            properties=self._properties(subject),
            evidence=group_evidence(self.evidence(subject)),
            matches=matches,
            facts=facts,
            referenced_by=referenced_by,
            inverse_total=total,
            facts_heading=f"Facts citing {label}" if citing else f"Facts about {label}",
        )
        if iri == ONTOLOGY_IRI:
            view.terms = self.ontology_terms()
        return view

    def _inverse(self, subject: pyoxigraph.NamedNode) -> tuple[list[Fact], list[PropertyValues], int]:
        import pyoxigraph as ox

        by_subject: dict[Term, set[str]] = {}
        total = 0
        for q in self.store.quads_for_pattern(None, None, subject, None):
            total += 1
            if len(by_subject) < MAX_INVERSE or q.subject in by_subject:
                by_subject.setdefault(q.subject, set()).add(q.predicate.value)  # type: ignore[arg-type]
        facts: list[Fact] = []
        others: dict[str, list[Node]] = {}
        for s in _sort_terms(set(by_subject)):
            props = sorted(by_subject[s])
            if isinstance(s, ox.NamedNode):
                evidence = self.evidence(s)
                date, key = self.dates(s)
                if evidence or date is not None:
                    facts.append(
                        Fact(
                            node=self.node(s),
                            types=[self.node(t) for t in self.objects(s, RDF + "type")],
                            roles=[self._prop_node(p) for p in props],
                            date=date,
                            sort_key=key,
                            evidence=group_evidence(evidence),
                        )
                    )
                    continue
            for p in props:
                others.setdefault(p, []).append(self.node(s))
        facts.sort(key=lambda f: (f.sort_key, f.node.text.lower()))
        referenced_by = [
            PropertyValues(prop=self._prop_node(p), values=sorted(nodes, key=lambda n: n.text.lower()))
            for p, nodes in sorted(others.items(), key=lambda kv: self.display_name(kv[0]).lower())
        ]
        return facts, referenced_by, total

    def ontology_terms(self) -> list[tuple[str, Node, list[Node], str | None]]:
        """The ontology's terms: (anchor, term, types, comment), classes first."""
        import pyoxigraph as ox

        graph = self._nn(ONTOLOGY_IRI)
        subjects = {
            q.subject.value
            for q in self.store.quads_for_pattern(None, None, None, graph)
            if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(ONTOLOGY_IRI + "#")
        }
        rows = []
        for iri in sorted(subjects):
            node = self._nn(iri)
            types = [self.node(t) for t in self.objects(node, RDF + "type")]
            comments = [c for c in self.objects(node, RDFS + "comment") if isinstance(c, ox.Literal)]
            rows.append((iri.split("#", 1)[1], self.node(node), types, self._pick(comments)))
        rank = {"owl:Class": 0, "owl:ObjectProperty": 1, "owl:DatatypeProperty": 2}
        rows.sort(key=lambda r: (min((rank.get(t.text, 3) for t in r[2]), default=3), r[0].lower()))
        return rows

    # ------------------------------------------------------------ RDF

    def _is_fact(self, node: pyoxigraph.NamedNode) -> bool:
        """Whether ``node`` is a fact node: it has evidence or a date."""
        props = (PROV + "wasDerivedFrom", *DATE_PROPERTIES)
        return any(next(iter(self.store.quads_for_pattern(node, self._nn(p), None, None)), None) for p in props)

    def document(self, iri: str, context: TermContext) -> dict[str, Any]:
        """The JSON-LD document of ``iri`` for apps: the triples of :meth:`triples`, compacted with the
        term context; the entity first, then the facts about it by date, then the other nodes; each
        sentence a fact cites is embedded where it is cited (its number, offsets and source)."""
        import pyoxigraph as ox

        from ..export.context import TermCompactor

        triples = self.triples(iri)
        by_subject: dict[Term, list[tuple[Any, Any]]] = {}
        for t in triples:
            by_subject.setdefault(t.subject, []).append((t.predicate, t.object))  # type: ignore[arg-type]
        compactor = TermCompactor(context)
        nodes = {s: compactor.node(s, st) for s, st in by_subject.items()}  # type: ignore[arg-type]
        sentences = {
            s.value: nodes[s]
            for s in nodes
            if isinstance(s, ox.NamedNode)
            and s.value != iri
            and any(p.value == PE + "sentenceIndex" for p, _ in by_subject[s])
        }
        for s, node in nodes.items():
            cites = node.get("wasDerivedFrom")
            if cites is None or s.value in sentences:
                continue
            if isinstance(cites, list):
                node["wasDerivedFrom"] = [sentences.get(c, c) for c in cites]
            else:
                node["wasDerivedFrom"] = sentences.get(cites, cites)
        root = ox.NamedNode(iri)
        first = [nodes[root]] if root in nodes else []
        facts = []
        others = []
        for s in _sort_terms(set(nodes)):
            if s == root or (isinstance(s, ox.NamedNode) and s.value in sentences):
                continue
            if isinstance(s, ox.NamedNode) and s != root and self._is_fact(s):
                facts.append((self.dates(s)[1], s.value, nodes[s]))
            else:
                others.append(nodes[s])
        ordered = first + [n for _, _, n in sorted(facts, key=lambda f: (f[0], f[1]))] + others
        return {"@context": context.document()["@context"], "@graph": ordered}

    def triples(self, iri: str) -> list[pyoxigraph.Triple]:
        """The RDF description of ``iri`` (see the module docstring), sorted; empty when unknown."""
        import pyoxigraph as ox

        subject = self._nn(iri)
        if iri == ONTOLOGY_IRI:
            quads = self.store.quads_for_pattern(None, None, None, subject)
            return sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=str)
        out: set[pyoxigraph.Triple] = set()
        seen: set[Term] = set()
        todo: list[pyoxigraph.NamedNode | pyoxigraph.BlankNode] = [subject]
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            for q in self.store.quads_for_pattern(node, None, None, None):
                out.add(ox.Triple(q.subject, q.predicate, q.object))
                if isinstance(q.object, ox.BlankNode):
                    todo.append(q.object)
        cited: set[pyoxigraph.NamedNode] = set()
        for i, q in enumerate(self.store.quads_for_pattern(None, None, subject, None)):
            if i >= MAX_INVERSE:
                break
            out.add(ox.Triple(q.subject, q.predicate, q.object))
            # a fact about the entity (a tenure, an event...): its statements, dates and evidence
            if isinstance(q.subject, ox.NamedNode) and q.subject not in seen and self._is_fact(q.subject):
                seen.add(q.subject)
                for fq in self.store.quads_for_pattern(q.subject, None, None, None):
                    out.add(ox.Triple(fq.subject, fq.predicate, fq.object))
        for t in list(out):
            if t.predicate.value == PROV + "wasDerivedFrom" and isinstance(t.object, ox.NamedNode):
                cited.add(t.object)
        sources: set[pyoxigraph.NamedNode] = set()
        for sentence in cited:
            for sq in self.store.quads_for_pattern(sentence, None, None, None):
                out.add(ox.Triple(sq.subject, sq.predicate, sq.object))
                if sq.predicate.value == PE + "inSource" and isinstance(sq.object, ox.NamedNode):
                    sources.add(sq.object)
        for source in sources:  # what names the document a sentence is in: its title and URL
            for prop in SOURCE_NAMES:
                for value in self.objects(source, prop):
                    out.add(ox.Triple(source, self._nn(prop), value))
        mentioned = {t.subject for t in out} | {t.object for t in out}
        for term in mentioned:
            if isinstance(term, ox.NamedNode) and term != subject:
                for prop in DESCRIPTION_LABELS:
                    for value in self.objects(term, prop):
                        out.add(ox.Triple(term, self._nn(prop), value))
        return sorted(out, key=str)
