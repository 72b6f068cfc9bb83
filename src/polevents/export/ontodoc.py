"""The ontology's documentation page (``ontology.html``), generated from the ontology graph.

One section per kind of term (classes, object/datatype/annotation properties,
concept schemes and concepts, external terms the ontology annotates), one
``<section id="LocalName">`` per term, so ``ontology.html#Tenure`` is the
documentation of ``pe:Tenure``.  For each term: label, IRI, definition,
super- and sub-terms, alignments to other vocabularies, domain and range (and,
for a class, the properties whose domain or range it is), the Wikidata
annotations, and every other statement about it, so nothing in the graph is
left out.  The page is rendered by jinja2 with autoescaping from
``templates/ontology.html``; it is deterministic (terms sorted by local name).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..names import IriNames
from ..vocab import DCTERMS, ONTOLOGY_IRI, OWL, PE, RDF, RDFS, SKOS

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

_WEB_LINK = re.compile(r"https?://", re.IGNORECASE)

__all__ = ["render_ontology_html"]

VANN = "http://purl.org/vocab/vann/"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

#: (section id, title, rdf:type IRIs that put a term there), in page order.
KINDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("classes", "Classes", (f"{OWL}Class", f"{RDFS}Class")),
    ("object-properties", "Object properties", (f"{OWL}ObjectProperty",)),
    ("datatype-properties", "Datatype properties", (f"{OWL}DatatypeProperty",)),
    ("annotation-properties", "Annotation properties", (f"{OWL}AnnotationProperty",)),
    ("properties", "Other properties", (f"{RDF}Property",)),
    ("concept-schemes", "Concept schemes", (f"{SKOS}ConceptScheme",)),
    ("concepts", "Concepts", (f"{SKOS}Concept",)),
    ("individuals", "Individuals", (f"{OWL}NamedIndividual",)),
)

#: Predicates shown in their own row, in this order: (predicate, row title, inverse row title).
RELATIONS: tuple[tuple[str, str, str | None], ...] = (
    (f"{RDFS}subClassOf", "Subclass of", "Superclass of"),
    (f"{RDFS}subPropertyOf", "Subproperty of", "Superproperty of"),
    (f"{OWL}inverseOf", "Inverse of", "Inverse of"),
    (f"{RDFS}domain", "Domain", "Domain of"),
    (f"{RDFS}range", "Range", "Range of"),
    (f"{SKOS}inScheme", "In scheme", "Concepts"),
    (f"{SKOS}broader", "Broader", "Narrower"),
)
#: Predicates that align a term with another vocabulary.
ALIGNMENTS: tuple[tuple[str, str], ...] = (
    (f"{OWL}equivalentClass", "equivalent class"),
    (f"{OWL}equivalentProperty", "equivalent property"),
    (f"{RDFS}subClassOf", "subclass of"),
    (f"{RDFS}subPropertyOf", "subproperty of"),
    (f"{SKOS}exactMatch", "exact match"),
    (f"{SKOS}closeMatch", "close match"),
    (f"{OWL}sameAs", "same as"),
    (f"{RDFS}seeAlso", "see also"),
)
WIKIDATA: tuple[tuple[str, str], ...] = (
    (f"{PE}wikidataProperty", "Wikidata"),
    (f"{PE}wikidataRole", "Wikidata role"),
    (f"{PE}wikidataHolderProperty", "Wikidata holder property"),
    (f"{PE}cameoCode", "CAMEO code"),
)
LABELS = (f"{RDFS}label", f"{SKOS}prefLabel")
DEFINITIONS = (f"{RDFS}comment", f"{SKOS}definition")
#: Shown elsewhere (heading, definition, kind), not as "other statements".
HANDLED = {f"{RDF}type", *LABELS, *DEFINITIONS}


@dataclass(frozen=True)
class Value:
    """A value on the page: a link (to a term here or elsewhere) or a literal."""

    text: str
    href: str | None = None
    title: str | None = None
    lang: str | None = None
    datatype: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Row:
    title: str
    values: list[Value]


@dataclass
class Term:
    anchor: str
    iri: str
    curie: str
    label: str
    kind: str
    definitions: list[Value] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    terms: list[Term]


@dataclass(frozen=True)
class OntologyPage:
    iri: str
    title: str
    metadata: list[Row]
    descriptions: list[Value]
    sections: list[Section]
    downloads: list[Value]


class _Graph:
    """The ontology triples indexed for the page."""

    def __init__(self, triples: Iterable[pyoxigraph.Triple]) -> None:
        import pyoxigraph as ox

        self.out: dict[str, dict[str, list[object]]] = defaultdict(lambda: defaultdict(list))
        self.inverse: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for t in triples:
            if not isinstance(t.subject, ox.NamedNode):
                continue
            self.out[t.subject.value][t.predicate.value].append(t.object)
            if isinstance(t.object, ox.NamedNode):
                self.inverse[t.object.value][t.predicate.value].append(t.subject.value)

    def literal(self, iri: str, predicates: Iterable[str]) -> str | None:
        import pyoxigraph as ox

        for p in predicates:
            values = [o for o in self.out.get(iri, {}).get(p, []) if isinstance(o, ox.Literal)]
            english = sorted(o.value for o in values if (o.language or "").startswith("en"))
            plain = sorted(o.value for o in values)
            if english or plain:
                return (english or plain)[0]
        return None


class _Renderer:
    def __init__(self, graph: _Graph, prefixes: dict[str, str], local: set[str]) -> None:
        self.graph = graph
        self.names = IriNames(prefixes)
        self.local = local

    def curie(self, iri: str) -> str:
        """``prefix:local`` (the rule of :mod:`polevents.names`), else the IRI itself."""
        return self.names.prefixed(iri) or iri

    def anchor(self, iri: str) -> str:
        if iri.startswith(PE):
            return iri[len(PE) :]
        return "ext-" + self.curie(iri).replace(":", "-").replace("/", "-")

    def link(self, iri: str, note: str | None = None) -> Value:
        label = self.graph.literal(iri, LABELS)
        # only web links are linked (as on the entity pages): never javascript:, data: or file:
        href = f"#{self.anchor(iri)}" if iri in self.local else iri if _WEB_LINK.match(iri) else None
        return Value(text=self.curie(iri), href=href, title=label or iri, note=note)

    def value(self, term: object, note: str | None = None) -> Value:
        import pyoxigraph as ox

        if isinstance(term, ox.NamedNode):
            return self.link(term.value, note)
        if isinstance(term, ox.Literal):
            datatype = term.datatype.value
            shown = None if term.language or datatype == XSD_STRING else self.curie(datatype)
            return Value(text=term.value, lang=term.language or None, datatype=shown, note=note)
        return Value(text=str(term), note=note)

    def values(self, terms: Iterable[object], note: str | None = None) -> list[Value]:
        rendered = [self.value(t, note) for t in terms]
        return sorted(rendered, key=lambda v: (v.text, v.lang or ""))

    def term(self, iri: str, kind: str) -> Term:
        props = self.graph.out.get(iri, {})
        inverse = self.graph.inverse.get(iri, {})
        term = Term(
            anchor=self.anchor(iri),
            iri=iri,
            curie=self.curie(iri),
            label=self.graph.literal(iri, LABELS) or self.curie(iri),
            kind=kind,
        )
        for p in DEFINITIONS:
            term.definitions.extend(self.values(props.get(p, [])))
        rows: dict[str, list[Value]] = {}

        def add(title: str, values: Iterable[Value]) -> None:
            current = rows.setdefault(title, [])
            current.extend(v for v in values if v not in current)

        add("Type", self.values(props.get(f"{RDF}type", [])))
        shown: set[str] = set(HANDLED)
        hierarchy = (f"{RDFS}subClassOf", f"{RDFS}subPropertyOf")
        for p, title, inverse_title in RELATIONS:
            objects = props.get(p, [])
            if p in hierarchy:  # other vocabularies' terms are alignments
                objects = [o for o in objects if getattr(o, "value", "").startswith(PE)]
            add(title, self.values(objects))
            if inverse_title:
                add(inverse_title, sorted((self.link(x) for x in set(inverse.get(p, []))), key=lambda v: v.text))
            shown.add(p)
        for p, note in ALIGNMENTS:
            objects = [o for o in props.get(p, []) if not getattr(o, "value", "").startswith(PE)]
            if p not in hierarchy:
                objects = props.get(p, [])
            add("Alignments", self.values(objects, note))
            shown.add(p)
        for p, title in WIKIDATA:
            add(title, self.values(props.get(p, [])))
            shown.add(p)
        for p in sorted(set(props) - shown, key=self.curie):
            add(self.curie(p), self.values(props[p]))
        term.rows = [Row(title, values) for title, values in rows.items() if values]
        return term


def _kind(graph: _Graph, iri: str) -> str | None:
    types = {getattr(o, "value", None) for o in graph.out.get(iri, {}).get(f"{RDF}type", [])}
    for section, _, kinds in KINDS:
        if types & set(kinds):
            return section
    return None


def build_page(
    triples: Iterable[pyoxigraph.Triple], prefixes: dict[str, str], downloads: Iterable[str] = ()
) -> OntologyPage:
    """The page's content, from the ontology triples (see :func:`render_ontology_html`)."""
    graph = _Graph(triples)
    terms_by_section: dict[str, list[tuple[str, str]]] = defaultdict(list)
    external: list[str] = []
    for iri in graph.out:
        if iri == ONTOLOGY_IRI:
            continue
        kind = _kind(graph, iri)
        if iri.startswith(PE):
            terms_by_section[kind or "other"].append((iri, kind or "other"))
        else:
            external.append(iri)
    local = {iri for items in terms_by_section.values() for iri, _ in items} | set(external)
    renderer = _Renderer(graph, prefixes, local)
    sections = []
    titles = [(s, t) for s, t, _ in KINDS] + [("other", "Other terms")]
    for section, title in titles:
        items = sorted(terms_by_section.get(section, []))
        if items:
            sections.append(Section(section, title, [renderer.term(i, k) for i, k in items]))
    if external:
        ext_terms = [renderer.term(i, "external") for i in sorted(external, key=renderer.curie)]
        sections.append(Section("external-terms", "Terms of other vocabularies annotated here", ext_terms))

    meta = graph.out.get(ONTOLOGY_IRI, {})
    metadata: list[Row] = [Row("IRI", [Value(ONTOLOGY_IRI, href=ONTOLOGY_IRI)])]
    for p, title in (
        (f"{OWL}versionIRI", "Version IRI"),
        (f"{OWL}versionInfo", "Version"),
        (f"{OWL}priorVersion", "Prior version"),
        (f"{DCTERMS}license", "License"),
        (f"{DCTERMS}creator", "Creator"),
        (f"{DCTERMS}issued", "Issued"),
        (f"{DCTERMS}modified", "Modified"),
        (f"{VANN}preferredNamespacePrefix", "Preferred prefix"),
        (f"{VANN}preferredNamespaceUri", "Namespace"),
    ):
        if meta.get(p):
            metadata.append(Row(title, renderer.values(meta[p])))
    shown_meta = {
        f"{RDF}type",
        f"{DCTERMS}title",
        f"{DCTERMS}description",
        f"{RDFS}comment",
        f"{RDFS}label",
        f"{OWL}versionIRI",
        f"{OWL}versionInfo",
        f"{OWL}priorVersion",
        f"{DCTERMS}license",
        f"{DCTERMS}creator",
        f"{DCTERMS}issued",
        f"{DCTERMS}modified",
        f"{VANN}preferredNamespacePrefix",
        f"{VANN}preferredNamespaceUri",
    }
    for p in sorted(set(meta) - shown_meta, key=renderer.curie):
        metadata.append(Row(renderer.curie(p), renderer.values(meta[p])))
    descriptions = renderer.values(meta.get(f"{DCTERMS}description", [])) + renderer.values(
        meta.get(f"{RDFS}comment", [])
    )
    title = graph.literal(ONTOLOGY_IRI, (f"{DCTERMS}title", f"{RDFS}label")) or ONTOLOGY_IRI
    return OntologyPage(
        iri=ONTOLOGY_IRI,
        title=title,
        metadata=metadata,
        descriptions=descriptions,
        sections=sections,
        downloads=[Value(name, href=name) for name in downloads],
    )


def render_ontology_html(
    triples: Iterable[pyoxigraph.Triple], prefixes: dict[str, str], downloads: Iterable[str] = ()
) -> str:
    """The ontology documentation as one HTML5 page; ``downloads`` are file names linked from it."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("polevents", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    page = build_page(triples, prefixes, downloads)
    return env.get_template("ontology.html").render(page=page)
