"""The dataset description: VoID and DCAT 3 in one Turtle file (``void.ttl``).

Everything numeric in it is computed from what was written: triple counts from
the canonical lines the dumps are made of, byte sizes and SHA-256 checksums from
the files on disk.  Nothing depends on the clock: the release date is the
``issued`` of ``polevents.toml`` (or ``SOURCE_DATE_EPOCH``), ``dcterms:modified``
is ``SOURCE_DATE_EPOCH`` when set.

Shape of the description (``D`` = ``<BASE>dataset/<version>``)::

    <BASE>dataset  a dcat:Dataset ; dcat:hasVersion D ; dcat:hasCurrentVersion D .
    D  a void:Dataset, dcat:Dataset ;
       dcterms:title, description, license, publisher, issued, modified ; dcat:version ;
       dcterms:isVersionOf <BASE>dataset ; dcat:previousVersion / owl:priorVersion (if configured) ;
       void:triples, entities, classes, properties, distinctSubjects, distinctObjects ;
       void:uriSpace "<BASE>id/" ; void:vocabulary ; void:exampleResource ; void:feature ;
       void:dataDump <download URL> (every data dump) ; void:sparqlEndpoint (when given) ;
       void:subset <graph IRI> (a void:Dataset with its own void:triples) ;
       dcterms:source <source document> ; dcterms:conformsTo <ontology>, <shapes> ;
       dcat:distribution D/distribution/<file> .
    D/distribution/<file>  a dcat:Distribution ; dcat:downloadURL, accessURL, mediaType, byteSize,
       compressFormat (gzip) ; spdx:checksum D/checksum/<file> .

No blank nodes: every node has an IRI, so the file is deterministic and each part
can be referred to.  ``void.ttl`` cannot describe its own checksum;
``SHA256SUMS`` covers it.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from ..formats import RdfFormat
from ..vocab import DCTERMS, FOAF, ONTOLOGY_IRI, OWL, PE, PROV, RDF, SKOS, VOID, XSD

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

    from ..config import ProjectConfig
    from .canonical import CanonicalDataset, Tally

__all__ = [
    "DataFacts",
    "DatasetStats",
    "FileRole",
    "GraphFacts",
    "GraphStats",
    "PublishedFile",
    "add_sparql_endpoint",
    "data_facts",
    "data_service",
    "dataset_iri",
    "dataset_stats",
    "describe",
    "description_prefixes",
    "graph_facts",
    "release_dates",
    "used_vocabularies",
    "void_turtle",
]

DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
GZIP_MEDIA_TYPE = "application/gzip"
VCARD = "http://www.w3.org/2006/vcard/ns#"
DCATAP = "http://data.europa.eu/r5r/"
#: EU vocabularies DCAT-AP asks for (publications.europa.eu authority tables).
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
#: Language IRIs of the Library of Congress (ISO 639-1 two-letter codes, ISO 639-2 three-letter ones).
LOC_ISO639 = "http://id.loc.gov/vocabulary/iso639-{part}/{code}"
#: The dataset Wikidata links point into (its entities' IRIs start with its uriSpace).
WIKIDATA = "http://www.wikidata.org/"
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"
#: Predicates that link an entity to the same (or a close) thing in another dataset.
LINK_PREDICATES = (f"{OWL}sameAs", f"{SKOS}exactMatch", f"{SKOS}closeMatch")

#: The EU data themes (authority table "data-theme"): code -> English label.
EU_THEMES: dict[str, str] = {
    "AGRI": "Agriculture, fisheries, forestry and food", "ECON": "Economy and finance",
    "EDUC": "Education, culture and sport", "ENER": "Energy", "ENVI": "Environment",
    "GOVE": "Government and public sector", "HEAL": "Health", "INTR": "International issues",
    "JUST": "Justice, legal system and public safety", "OP_DATPRO": "Provisional data",
    "REGI": "Regions and cities", "SOCI": "Population and society", "TECH": "Science and technology",
    "TRAN": "Transport",
}  # fmt: skip

#: The EU file types (authority table "file-type") of the formats, for dct:format.
FILE_TYPES: dict[RdfFormat, str] = {
    RdfFormat.TURTLE: "RDF_TURTLE",
    RdfFormat.NTRIPLES: "RDF_N_TRIPLES",
    RdfFormat.NQUADS: "RDF_N_QUADS",
    RdfFormat.TRIG: "RDF_TRIG",
    RdfFormat.JSONLD: "JSON_LD",
    RdfFormat.RDFXML: "RDF_XML",
}

#: W3C's IRIs for RDF formats (https://www.w3.org/ns/formats/), used as void:feature.
FORMAT_IRIS: dict[RdfFormat, str] = {
    RdfFormat.TURTLE: "http://www.w3.org/ns/formats/Turtle",
    RdfFormat.NTRIPLES: "http://www.w3.org/ns/formats/N-Triples",
    RdfFormat.NQUADS: "http://www.w3.org/ns/formats/N-Quads",
    RdfFormat.TRIG: "http://www.w3.org/ns/formats/TriG",
    RdfFormat.JSONLD: "http://www.w3.org/ns/formats/JSON-LD",
    RdfFormat.RDFXML: "http://www.w3.org/ns/formats/RDF_XML",
}

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")


class FileRole(enum.Enum):
    """What a published file is, for the description (is it a dump of the whole data?)."""

    DUMP = ("dump", True)
    CONTEXT = ("context", False)
    ONTOLOGY = ("ontology", False)
    SHAPES = ("shapes", False)
    DOCUMENTATION = ("documentation", False)

    def __init__(self, label: str, is_data_dump: bool) -> None:
        self.label = label
        self.is_data_dump = is_data_dump


@dataclass(frozen=True)
class PublishedFile:
    """One file of the output folder, measured after it was written."""

    name: str
    title: str
    role: FileRole
    media_type: str
    byte_size: int
    sha256: str
    rdf_format: RdfFormat | None = None
    compressed: bool = False

    @classmethod
    def measure(
        cls,
        path: Path,
        *,
        title: str,
        role: FileRole,
        media_type: str,
        rdf_format: RdfFormat | None = None,
        compressed: bool = False,
    ) -> PublishedFile:
        """Describe ``path``: its size and SHA-256 are read from the file itself."""
        digest = hashlib.sha256()
        size = 0
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
        return cls(
            name=path.name,
            title=title,
            role=role,
            media_type=media_type,
            byte_size=size,
            sha256=digest.hexdigest(),
            rdf_format=rdf_format,
            compressed=compressed,
        )


@dataclass(frozen=True)
class GraphStats:
    """One named graph of the dataset: a VoID subset."""

    iri: str
    triples: int
    #: the pe:Source documents described in the graph
    sources: tuple[str, ...]
    #: link predicates (:data:`LINK_PREDICATES`) the graph uses, when some of its objects are Wikidata entities
    link_predicates: tuple[str, ...] = ()

    @property
    def is_linkset(self) -> bool:
        """A graph of links to Wikidata, not the facts of a source: a ``void:Linkset``."""
        return bool(self.link_predicates) and not self.sources


@dataclass(frozen=True)
class DatasetStats:
    """Counts of the whole dataset (the union of its graphs), computed from the canonical lines."""

    triples: int
    quads: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    properties: int
    classes: int
    vocabularies: tuple[str, ...]
    example_resources: tuple[str, ...]
    graphs: tuple[GraphStats, ...]
    #: language tags of the data's texts (primary subtags, sorted)
    languages: tuple[str, ...] = ()
    #: the earliest and latest date the data states (outside the ontology): (lexical form, datatype IRI)
    earliest: tuple[str, str] | None = None
    latest: tuple[str, str] | None = None
    #: the countries the data's facts happen in (objects of ``pe:country``)
    places: tuple[str, ...] = ()

    @property
    def sources(self) -> tuple[str, ...]:
        """Every source document of every graph, sorted."""
        return tuple(sorted({s for g in self.graphs for s in g.sources}))


@dataclass(frozen=True)
class GraphFacts:
    """What the description says of one graph beyond its counts, from that graph's lines alone.

    :func:`graph_facts` makes it, for the dataset in memory (:func:`dataset_stats`) and for each
    chunk of a build (:class:`polevents.export.chunks.ChunkMeta` keeps it), so both count alike.
    """

    #: the pe:Source documents described in the graph (IRIs, sorted)
    sources: tuple[str, ...]
    #: link predicates (:data:`LINK_PREDICATES`) used, when some objects are Wikidata entities
    links: tuple[str, ...]
    #: subjects typed pe:Person under ``<BASE>id/`` (N-Triples form, sorted)
    people: tuple[str, ...]
    #: primary language tags of the graph's literals (sorted)
    languages: tuple[str, ...]
    #: the earliest and latest date literal: (lexical form, datatype IRI)
    earliest: tuple[str, str] | None
    latest: tuple[str, str] | None
    #: objects of pe:country (sorted)
    places: tuple[str, ...]


def graph_facts(lines: Iterable[bytes], tally: Tally, base: str) -> GraphFacts:
    """The :class:`GraphFacts` of one graph: its canonical ``lines`` and their ``tally``."""
    uri_space = f"<{base}id/".encode()
    links: tuple[str, ...] = ()
    if any(o.startswith(f"<{WIKIDATA_ENTITY}".encode()) for o in tally.objects):
        link_predicates = {f"<{p}>".encode() for p in LINK_PREDICATES}
        links = tuple(sorted(p[1:-1].decode() for p in tally.predicates & link_predicates))
    date_suffixes = tuple(f'"^^<{XSD}{t}>'.encode() for t in ("date", "gYearMonth", "gYear", "dateTime"))
    dates: set[tuple[str, str]] = set()
    languages: set[str] = set()
    for o in tally.objects:
        if o[:1] != b'"':
            continue
        if o.endswith(date_suffixes):
            lexical, _, datatype = o.rpartition(b'"^^<')
            dates.add((lexical[1:].decode(), datatype[:-1].decode()))
        elif not o.endswith(b'"') and b'"@' in o:
            tag = o.rsplit(b'"@', 1)[1].decode().split("-")[0].lower()
            if tag.isalpha() and len(tag) in (2, 3):
                languages.add(tag)
    country = f" <{PE}country> <".encode()
    person, source = f"<{PE}Person>".encode(), f"<{PE}Source>".encode()
    return GraphFacts(
        sources=tuple(sorted({s[1:-1].decode() for s in tally.instances.get(source, []) if s.startswith(b"<")})),
        links=links,
        people=tuple(sorted({s.decode() for s in tally.instances.get(person, []) if s.startswith(uri_space)})),
        languages=tuple(sorted(languages)),
        earliest=min(dates) if dates else None,
        latest=max(dates) if dates else None,
        places=tuple(sorted({line.rsplit(b" ", 1)[1][1:-1].decode() for line in lines if country in line})),
    )


@dataclass(frozen=True)
class DataFacts:
    """The data's languages, date range and places (every graph's but the ontology's)."""

    languages: tuple[str, ...]
    earliest: tuple[str, str] | None
    latest: tuple[str, str] | None
    places: tuple[str, ...]


def data_facts(graphs: Iterable[tuple[str, GraphFacts]]) -> DataFacts:
    """Languages, date range and places of the data: every graph's but the ontology's."""
    languages: set[str] = set()
    dates: set[tuple[str, str]] = set()
    places: set[str] = set()
    for iri, facts in graphs:
        if iri == ONTOLOGY_IRI:
            continue
        languages.update(facts.languages)
        dates.update(d for d in (facts.earliest, facts.latest) if d is not None)
        places.update(facts.places)
    return DataFacts(
        tuple(sorted(languages)), min(dates) if dates else None, max(dates) if dates else None, tuple(sorted(places))
    )


def used_vocabularies(namespaces: Iterable[str], terms: Iterable[str]) -> tuple[str, ...]:
    """The ``namespaces`` some of ``terms`` (predicates and classes, N-Triples form) are in."""
    used = {term[1:-1] for term in terms if term.startswith("<")}
    return tuple(sorted({ns for ns in namespaces if any(iri.startswith(ns) for iri in used)}))


def dataset_stats(
    dataset: CanonicalDataset,
    base: str,
    namespaces: Iterable[str] = (),
    tallies: Mapping[str, Tally] | None = None,
) -> DatasetStats:
    """Count the dataset for VoID, from its canonical lines.

    ``tallies`` are the per-graph counts if a writer already made them (the JSON-LD
    writer does); missing ones are counted here.  ``namespaces`` are the vocabulary
    namespaces reported as ``void:vocabulary`` when a predicate or class is in one.
    (:func:`polevents.export.assemble.chunk_stats` counts the same from a build's chunks.)
    """
    known = tallies or {}
    per_graph = [(g, known.get(g.iri) or g.tally) for g in dataset.graphs]
    uri_space = f"<{base}id/".encode()
    sizes: Counter[bytes] = Counter()
    objects: set[bytes] = set()
    predicates: set[bytes] = set()
    classes: set[bytes] = set()
    people: set[bytes] = set()
    graphs = []
    described = []
    for g, tally in per_graph:
        sizes.update(tally.sizes)
        objects.update(tally.objects)
        predicates.update(tally.predicates)
        classes.update(tally.instances)
        facts = graph_facts(g.lines, tally, base)
        people.update(p.encode() for p in facts.people)
        graphs.append(GraphStats(g.iri, len(g.lines), facts.sources, facts.links))
        described.append((g.iri, facts))
    data = data_facts(described)
    # the example: the person the dataset says most about (ties: the first IRI)
    example = sorted(people, key=lambda s: (-sizes[s], s))[:1]
    return DatasetStats(
        triples=len(dataset.union_lines),
        quads=dataset.quad_count,
        entities=sum(1 for s in sizes if s.startswith(uri_space)),
        distinct_subjects=len(sizes),
        distinct_objects=len(objects),
        properties=len(predicates),
        classes=len(classes),
        vocabularies=used_vocabularies(namespaces, (t.decode() for t in (*predicates, *classes))),
        example_resources=tuple(s[1:-1].decode() for s in example),
        graphs=tuple(graphs),
        languages=data.languages,
        earliest=data.earliest,
        latest=data.latest,
        places=data.places,
    )


def dataset_iri(config: ProjectConfig, version: str | None = None) -> str:
    """The IRI of one release of the dataset: ``<BASE>dataset/<version>``."""
    return f"{config.base}dataset/{version if version is not None else config.version}"


def _version_iri(config: ProjectConfig, version: str) -> str:
    if ":" in version:
        return version  # already an IRI
    return dataset_iri(config, version)


def release_dates(
    config: ProjectConfig, environ: Mapping[str, str] | None = None
) -> tuple[pyoxigraph.Literal | None, pyoxigraph.Literal | None]:
    """``(issued, modified)`` as typed literals: from ``issued`` and ``SOURCE_DATE_EPOCH``, never the clock."""
    import pyoxigraph as ox

    env = os.environ if environ is None else environ
    modified = None
    epoch = env.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            when = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        except (ValueError, OverflowError, OSError) as exc:
            raise InputError(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix time in seconds") from exc
        modified = ox.Literal(when.date().isoformat(), datatype=ox.NamedNode(f"{XSD}date"))
    issued = None
    if config.issued is not None:
        text = config.issued.strip()
        if _DATE.fullmatch(text):
            issued = ox.Literal(text, datatype=ox.NamedNode(f"{XSD}date"))
        elif _DATETIME.fullmatch(text.replace(" ", "T")):
            issued = ox.Literal(text.replace(" ", "T"), datatype=ox.NamedNode(f"{XSD}dateTime"))
        else:
            raise InputError(
                f"{config.root / 'polevents.toml'}: dataset.issued {config.issued!r} is not a date "
                "(write it as 2026-11-26)"
            )
    if issued is None:
        issued = modified
    if modified is None:
        modified = issued
    return issued, modified


def describe(
    config: ProjectConfig,
    stats: DatasetStats,
    files: Iterable[PublishedFile],
    *,
    download_base: str | None = None,
    sparql_endpoint: str | None = None,
    title_of_graph: Mapping[str, str] | None = None,
    conforms_to: Iterable[str] = (),
    environ: Mapping[str, str] | None = None,
) -> list[pyoxigraph.Triple]:
    """The VoID + DCAT description of one release, as triples.

    ``download_base`` (default: ``config.download_base``, else ``<BASE>dist/``) is
    prefixed to each file name to make its download URL; ``sparql_endpoint``
    (default: ``config.sparql_endpoint``) is named only when given.
    """
    import pyoxigraph as ox

    def iri(value: str) -> pyoxigraph.NamedNode:
        return ox.NamedNode(value)

    def typed(value: object, datatype: str) -> pyoxigraph.Literal:
        return ox.Literal(str(value), datatype=iri(f"{XSD}{datatype}"))

    def en(text: str) -> pyoxigraph.Literal:
        return ox.Literal(text, language="en")

    out: list[pyoxigraph.Triple] = []

    def add(s: str, p: str, o: pyoxigraph.NamedNode | pyoxigraph.Literal) -> None:
        out.append(ox.Triple(iri(s), iri(p), o))

    base_url = download_base or config.download_base or f"{config.base}dist/"
    endpoint = sparql_endpoint or config.sparql_endpoint
    series = f"{config.base}dataset"
    catalog = f"{config.base}catalog"
    ds = dataset_iri(config)
    a = f"{RDF}type"
    issued, modified = release_dates(config, environ)
    landing = config.landing_page or config.base
    typed_nodes: dict[str, str] = {}  # object -> the class DCAT-AP expects of it (one triple each, at the end)

    def typed_object(s: str, p: str, o: str, cls: str) -> None:
        add(s, p, iri(o))
        typed_nodes.setdefault(o, cls)

    if re.match(r"[a-z][a-z0-9+.-]*://", config.publisher):
        publisher = config.publisher
    else:
        publisher = f"{series}#publisher"
        add(publisher, a, iri(f"{FOAF}Agent"))
        add(publisher, f"{FOAF}name", ox.Literal(config.publisher))
    contact = f"{series}#contact"
    add(contact, a, iri(f"{VCARD}Kind"))
    add(contact, f"{VCARD}fn", ox.Literal(config.publisher))
    reach = config.contact or landing
    if "@" in reach and ":" not in reach:
        reach = f"mailto:{reach}"
    add(contact, f"{VCARD}hasEmail" if reach.startswith("mailto:") else f"{VCARD}hasURL", iri(reach))

    themes = [_theme_iri(config, code) for code in config.themes]
    languages = [_language_iri(tag) for tag in stats.languages]
    period = f"{ds}/period" if stats.earliest is not None and stats.latest is not None else None
    if period is not None and stats.earliest is not None and stats.latest is not None:
        add(period, a, iri(f"{DCTERMS}PeriodOfTime"))
        add(period, f"{DCAT}startDate", ox.Literal(stats.earliest[0], datatype=iri(stats.earliest[1])))
        add(period, f"{DCAT}endDate", ox.Literal(stats.latest[0], datatype=iri(stats.latest[1])))

    def catalogue_fields(subject: str) -> None:
        """What a data portal shows of a dataset (DCAT-AP): the same for the series and the release."""
        add(subject, f"{DCTERMS}title", en(config.title))
        add(subject, f"{DCTERMS}description", en(config.description or config.title))
        add(subject, f"{DCTERMS}publisher", iri(publisher))
        add(subject, f"{DCAT}contactPoint", iri(contact))
        typed_object(subject, f"{DCAT}landingPage", landing, f"{FOAF}Document")
        typed_object(subject, f"{DCTERMS}license", config.license, f"{DCTERMS}LicenseDocument")
        for keyword in config.keywords:
            add(subject, f"{DCAT}keyword", en(keyword))
        for theme in themes:
            typed_object(subject, f"{DCAT}theme", theme, f"{SKOS}Concept")
        for language in languages:
            typed_object(subject, f"{DCTERMS}language", language, f"{DCTERMS}LinguisticSystem")
        for place in stats.places:
            typed_object(subject, f"{DCTERMS}spatial", place, f"{DCTERMS}Location")
        if period is not None:
            add(subject, f"{DCTERMS}temporal", iri(period))

    add(catalog, a, iri(f"{DCAT}Catalog"))
    add(catalog, f"{DCTERMS}title", en(f"{config.title}: catalogue"))
    add(catalog, f"{DCTERMS}description", en(f"The releases of {config.title}, with their downloads."))
    add(catalog, f"{DCTERMS}publisher", iri(publisher))
    typed_object(catalog, f"{DCTERMS}license", config.license, f"{DCTERMS}LicenseDocument")
    typed_object(catalog, f"{FOAF}homepage", landing, f"{FOAF}Document")
    for language in languages:
        add(catalog, f"{DCTERMS}language", iri(language))
    for place in stats.places:
        add(catalog, f"{DCTERMS}spatial", iri(place))
    if themes:
        typed_object(catalog, f"{DCAT}themeTaxonomy", f"{EU_AUTHORITY}data-theme", f"{SKOS}ConceptScheme")
        add(f"{EU_AUTHORITY}data-theme", f"{DCTERMS}title", en("Data theme"))
        for theme in themes:
            code = theme.rsplit("/", 1)[1]
            add(theme, f"{SKOS}prefLabel", en(EU_THEMES[code]))
            add(theme, f"{SKOS}inScheme", iri(f"{EU_AUTHORITY}data-theme"))
    if issued is not None:
        add(catalog, f"{DCTERMS}issued", issued)
    if modified is not None:
        add(catalog, f"{DCTERMS}modified", modified)
    add(catalog, f"{DCAT}dataset", iri(series))
    add(catalog, f"{DCAT}dataset", iri(ds))

    add(series, a, iri(f"{DCAT}Dataset"))
    catalogue_fields(series)
    add(series, f"{DCAT}hasVersion", iri(ds))
    add(series, f"{DCAT}hasCurrentVersion", iri(ds))

    add(ds, a, iri(f"{VOID}Dataset"))
    add(ds, a, iri(f"{DCAT}Dataset"))
    catalogue_fields(ds)
    add(ds, f"{DCAT}version", ox.Literal(config.version))
    add(ds, f"{OWL}versionInfo", ox.Literal(config.version))
    add(ds, f"{DCTERMS}isVersionOf", iri(series))
    if config.previous_version:
        previous = iri(_version_iri(config, config.previous_version))
        add(ds, f"{DCAT}previousVersion", previous)
        add(ds, f"{OWL}priorVersion", previous)
    if issued is not None:
        add(ds, f"{DCTERMS}issued", issued)
    if modified is not None:
        add(ds, f"{DCTERMS}modified", modified)

    add(ds, f"{VOID}triples", typed(stats.triples, "integer"))
    add(ds, f"{VOID}entities", typed(stats.entities, "integer"))
    add(ds, f"{VOID}classes", typed(stats.classes, "integer"))
    add(ds, f"{VOID}properties", typed(stats.properties, "integer"))
    add(ds, f"{VOID}distinctSubjects", typed(stats.distinct_subjects, "integer"))
    add(ds, f"{VOID}distinctObjects", typed(stats.distinct_objects, "integer"))
    add(ds, f"{VOID}uriSpace", ox.Literal(uri_space(config)))
    for vocabulary in stats.vocabularies:
        add(ds, f"{VOID}vocabulary", iri(vocabulary))
    for example in stats.example_resources:
        add(ds, f"{VOID}exampleResource", iri(example))
    if endpoint:
        add(ds, f"{VOID}sparqlEndpoint", iri(endpoint))
        out.extend(
            data_service(
                catalog, ds, endpoint, publisher=publisher, contact=contact, keywords=config.keywords, themes=themes
            )
        )
    for source in stats.sources:
        # news articles, not datasets: PROV (DCAT-AP reads dct:source as a dcat:Dataset)
        add(ds, f"{PROV}wasDerivedFrom", iri(source))
    for target in (ONTOLOGY_IRI, *conforms_to):
        typed_object(ds, f"{DCTERMS}conformsTo", target, f"{DCTERMS}Standard")

    titles = dict(title_of_graph or {})
    linked = False
    for graph in stats.graphs:
        add(ds, f"{VOID}subset", iri(graph.iri))
        add(graph.iri, a, iri(f"{VOID}Dataset"))
        add(graph.iri, f"{VOID}triples", typed(graph.triples, "integer"))
        if graph.is_linkset:
            linked = True
            add(graph.iri, a, iri(f"{VOID}Linkset"))
            add(graph.iri, f"{DCTERMS}title", en("Links to Wikidata"))
            for predicate in graph.link_predicates:
                add(graph.iri, f"{VOID}linkPredicate", iri(predicate))
            add(graph.iri, f"{VOID}subjectsTarget", iri(ds))
            add(graph.iri, f"{VOID}objectsTarget", iri(WIKIDATA))
        elif graph.iri in titles:
            add(graph.iri, f"{DCTERMS}title", en(titles[graph.iri]))
        for source in graph.sources:
            add(graph.iri, f"{DCTERMS}source", iri(source))
    if linked:
        add(WIKIDATA, a, iri(f"{VOID}Dataset"))
        add(WIKIDATA, f"{DCTERMS}title", en("Wikidata"))
        add(WIKIDATA, f"{VOID}uriSpace", ox.Literal(WIKIDATA_ENTITY))

    features: set[RdfFormat] = set()
    for f in files:
        dist = f"{ds}/distribution/{f.name}"
        url = iri(base_url + f.name)
        add(ds, f"{DCAT}distribution", iri(dist))
        if f.role.is_data_dump:
            add(ds, f"{VOID}dataDump", url)
            if f.rdf_format is not None:
                features.add(f.rdf_format)
        add(dist, a, iri(f"{DCAT}Distribution"))
        add(dist, f"{DCTERMS}title", en(f.title))
        packed = ", gzip-compressed" if f.compressed else ""
        add(dist, f"{DCTERMS}description", en(f"{f.title}: {f.media_type}{packed}, {f.byte_size} bytes."))
        add(dist, f"{DCAT}downloadURL", url)
        add(dist, f"{DCAT}accessURL", url)
        typed_object(dist, f"{DCAT}mediaType", IANA_MEDIA_TYPES + f.media_type, f"{DCTERMS}MediaType")
        file_type = _file_type(f)
        if file_type is not None:
            typed_object(dist, f"{DCTERMS}format", file_type, f"{DCTERMS}MediaTypeOrExtent")
        if f.compressed:
            typed_object(dist, f"{DCAT}compressFormat", IANA_MEDIA_TYPES + GZIP_MEDIA_TYPE, f"{DCTERMS}MediaType")
        if f.rdf_format is not None and f.rdf_format in FORMAT_IRIS:
            typed_object(dist, f"{DCTERMS}conformsTo", FORMAT_IRIS[f.rdf_format], f"{DCTERMS}Standard")
        add(dist, f"{DCAT}byteSize", typed(f.byte_size, "nonNegativeInteger"))
        add(dist, f"{DCTERMS}license", iri(config.license))
        typed_object(dist, f"{DCATAP}availability", f"{EU_AUTHORITY}planned-availability/STABLE", f"{SKOS}Concept")
        checksum = f"{ds}/checksum/{f.name}"
        add(dist, f"{SPDX}checksum", iri(checksum))
        add(checksum, a, iri(f"{SPDX}Checksum"))
        add(checksum, f"{SPDX}algorithm", iri(f"{SPDX}checksumAlgorithm_sha256"))
        add(checksum, f"{SPDX}checksumValue", typed(f.sha256, "hexBinary"))
    if f"{EU_AUTHORITY}planned-availability/STABLE" in typed_nodes:
        add(f"{EU_AUTHORITY}planned-availability/STABLE", f"{SKOS}prefLabel", en("stable"))
    for fmt in sorted(features, key=lambda x: x.label):
        add(ds, f"{VOID}feature", iri(FORMAT_IRIS[fmt]))
    for node, cls in typed_nodes.items():
        add(node, a, iri(cls))
    return out


def uri_space(config: ProjectConfig) -> str:
    """The ``void:uriSpace`` of the dataset: where its entities' IRIs start (``<BASE>id/``)."""
    return f"{config.base}id/"


def _theme_iri(config: ProjectConfig, theme: str) -> str:
    """An EU data theme (code or IRI) as its IRI; anything else is refused (a portal needs its label)."""
    code = theme.rsplit("/", 1)[-1].upper()
    if code not in EU_THEMES or ("/" in theme and not theme.startswith(f"{EU_AUTHORITY}data-theme/")):
        allowed = ", ".join(EU_THEMES)
        raise InputError(
            f"{config.root / 'polevents.toml'}: dataset.themes: {theme!r} is not an EU data theme; use {allowed}"
        )
    return f"{EU_AUTHORITY}data-theme/{code}"


def _language_iri(tag: str) -> str:
    """The Library of Congress IRI of a language (``en`` -> ``…/iso639-1/en``)."""
    return LOC_ISO639.format(part="1" if len(tag) == 2 else "2", code=tag)


def _file_type(f: PublishedFile) -> str | None:
    """The EU file type of a published file (``dct:format``)."""
    if f.rdf_format is not None:
        return f"{EU_AUTHORITY}file-type/{FILE_TYPES[f.rdf_format]}"
    fmt = RdfFormat.from_media_type(f.media_type)
    if fmt is not None:
        return f"{EU_AUTHORITY}file-type/{FILE_TYPES[fmt]}"
    if f.media_type == "text/html":
        return f"{EU_AUTHORITY}file-type/HTML"
    return None


def description_prefixes(config: ProjectConfig, download_base: str | None = None) -> dict[str, str]:
    """Prefixes that shorten the description's own IRIs (``distribution:polevents.nq``)."""
    ds = dataset_iri(config)
    return {
        "dataset": f"{config.base}dataset/",
        "distribution": f"{ds}/distribution/",
        "checksum": f"{ds}/checksum/",
        "download": download_base or config.download_base or f"{config.base}dist/",
    }


#: Prefixes of the catalogue vocabularies the description uses beside the dataset's own: bound by
#: name, or rdflib numbers them (``ns1``, ``ns2``) in the order it meets them, which depends on the
#: order of the triples (a rebuild and a cold build then wrote different void.ttl bytes).
DESCRIPTION_VOCABULARIES = {"vcard": VCARD, "dcatap": DCATAP}


def void_turtle(triples: Iterable[pyoxigraph.Triple], prefixes: dict[str, str]) -> bytes:
    """The description as Turtle (rdflib: sorted, grouped by subject; every namespace it uses named)."""
    from .rdf import rdflib_turtle

    return rdflib_turtle(triples, {**DESCRIPTION_VOCABULARIES, **prefixes})


def data_service(
    catalog: str,
    release: str,
    endpoint: str,
    *,
    publisher: str | None = None,
    contact: str | None = None,
    keywords: Iterable[str] = (),
    themes: Iterable[str] = (),
) -> list[pyoxigraph.Triple]:
    """The SPARQL endpoint as a DCAT-AP ``dcat:DataService`` serving ``release``, listed in ``catalog``."""
    import pyoxigraph as ox

    nn = ox.NamedNode
    service = nn(f"{release}/service/sparql")
    extra = [ox.Triple(service, nn(f"{DCTERMS}publisher"), nn(publisher))] if publisher else []
    extra += [ox.Triple(service, nn(f"{DCAT}contactPoint"), nn(contact))] if contact else []
    extra += [ox.Triple(service, nn(f"{DCAT}keyword"), ox.Literal(k, language="en")) for k in keywords]
    extra += [ox.Triple(service, nn(f"{DCAT}theme"), nn(t)) for t in themes]
    return [
        *extra,
        ox.Triple(nn(catalog), nn(f"{DCAT}service"), service),
        ox.Triple(service, nn(f"{RDF}type"), nn(f"{DCAT}DataService")),
        ox.Triple(service, nn(f"{DCTERMS}title"), ox.Literal("SPARQL 1.1 endpoint", language="en")),
        ox.Triple(service, nn(f"{DCAT}endpointURL"), nn(endpoint)),
        ox.Triple(service, nn(f"{DCAT}servesDataset"), nn(release)),
        ox.Triple(service, nn(f"{DCTERMS}conformsTo"), nn("https://www.w3.org/TR/sparql11-protocol/")),
        ox.Triple(nn("https://www.w3.org/TR/sparql11-protocol/"), nn(f"{RDF}type"), nn(f"{DCTERMS}Standard")),
    ]


def add_sparql_endpoint(void_ttl: bytes, endpoint: str) -> bytes:
    """``void.ttl`` with ``void:sparqlEndpoint <endpoint>`` added to every release it describes.

    For ``polevents serve``, which knows its endpoint only when it starts.
    """
    import pyoxigraph as ox

    from ..vocab import PREFIXES
    from .prefixes import EXTRA_PREFIXES
    from .rdf import rdflib_turtle

    try:
        triples = [q.triple for q in ox.parse(void_ttl, format=ox.RdfFormat.TURTLE)]
    except SyntaxError as exc:
        raise InputError(f"void.ttl: {exc}") from exc
    releases = {t.subject for t in triples if t.predicate.value == f"{DCAT}version"}
    void_ds = {t.subject for t in triples if t.predicate.value == f"{RDF}type" and t.object.value == f"{VOID}Dataset"}
    catalogs = sorted(
        {t.subject.value for t in triples if t.predicate.value == f"{RDF}type" and t.object.value == f"{DCAT}Catalog"}
    )
    for subject in sorted(releases & void_ds, key=str):
        triples.append(ox.Triple(subject, ox.NamedNode(f"{VOID}sparqlEndpoint"), ox.NamedNode(endpoint)))
        if catalogs and isinstance(subject, ox.NamedNode):
            triples.extend(data_service(catalogs[0], subject.value, endpoint))
    return rdflib_turtle(triples, {**DESCRIPTION_VOCABULARIES, **PREFIXES, **EXTRA_PREFIXES})
