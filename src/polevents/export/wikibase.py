"""Export stage, Wikidata profile: the dataset's facts as Wikibase claims, written as Wikibase RDF.

The mapping from the ontology to Wikidata is read from the ontology's own
annotations (``pe:wikidataProperty``, ``pe:wikidataRole``,
``pe:wikidataHolderProperty``; see :mod:`polevents.export.wikibase_mapping`); nothing
here repeats that table.  The rules:

* A **statement node** is a node whose class (or nearest annotated superclass)
  has ``pe:wikidataProperty`` and which has a property of role ``"subject"``
  (or is reached from its item through a property of role ``"statement"``,
  as ``pe:hasName`` reaches a name record).  Properties of role ``"value"``
  give the main value (``ps:``), properties of role ``"qualifier"`` the
  qualifiers (``pq:``).  ``pe:Tenure`` → ``p:P39``, ``pe:Membership`` →
  ``p:P463``, ``pe:KinshipRelation`` → ``p:P1038``, ``pe:OrganizationName`` →
  ``p:P1448``.
* The main property is **refined** by a qualifier value that carries its own
  ``pe:wikidataProperty`` (``pe:kinship pe:daughter`` → ``P40``; the
  ``P1039`` qualifier is kept only when the refined property is the class's
  own, as for ``pe:fatherInLaw`` under ``P1038``), else by the class of the
  value (a membership of a ``pe:PoliticalParty`` → ``P102``).
* A qualifier value that is itself a statement node stands for that
  statement's item (``pe:replaces`` a tenure → ``P1365`` its holder).
* A statement whose value is a post with ``pe:wikidataHolderProperty`` (on the
  post or its class) is also given to the organisation the post is in
  (``pe:postIn``): the chair of a party → ``party p:P488 holder``.
* **References** (``prov:wasDerivedFrom`` → ``wikibase:Reference``): one per
  source document the fact's evidence points to.  ``pr:P248`` stated in the
  source node, and every property of role ``"reference"`` found on the fact,
  its evidence (``pe:quote`` → ``pr:P1683``) and the source (``dcterms:title``
  → ``pr:P1476``, ``schema:url`` → ``pr:P854``, ``dcterms:issued`` →
  ``pr:P577``, ``pav:retrievedOn`` → ``pr:P813``).  A source without a URL
  gets ``pr:P854`` the RFC 6920 named-information URI of its SHA-256
  (``ni:///sha-256;…``), which names exactly the text the offsets refer to.
  The reference node also keeps ``prov:wasDerivedFrom`` to the sentences.
* **Items**: an entity with ``owl:sameAs`` or ``skos:exactMatch`` to a
  ``wd:Q…`` item is exported as that item; any other keeps its dataset IRI
  (no Q-id is ever made up); ``skos:closeMatch`` is not identity and is kept
  as a ``skos:closeMatch`` beside the dataset IRI.
* **Dates** become ``wikibase:TimeValue`` nodes (precision 9 year, 10 month,
  11 day; Gregorian, UTC) linked by ``psv:``/``pqv:``/``prv:``, beside the
  plain ``xsd:dateTime`` literal of ``ps:``/``pq:``/``pr:``.

Node IRIs are the dataset base plus ``wikibase/statement/``,
``wikibase/reference/`` or ``wikibase/value/`` and a hash of what they hold,
so two exports of the same data are byte-identical.

The same claims are written as QuickStatements by :mod:`polevents.export.quickstatements`
(:func:`polevents.export.quickstatements.quickstatements`, which reads a :class:`WikibaseExport`).
"""

from __future__ import annotations

import base64
import enum
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from ..formats import RdfFormat
from ..names import IriNames
from ..vocab import OWL, PE, PROV, RDF, RDFS, SCHEMA, SKOS, WD, XSD
from .wikibase_mapping import StoreView, WikidataMapping, id_number

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph


__all__ = [
    "Claim",
    "ExportProfile",
    "ItemRef",
    "Reference",
    "Skipped",
    "Text",
    "TimeValue",
    "Url",
    "WikibaseExport",
    "WikidataMapping",
    "export_project",
    "export_store",
]

WIKIBASE = "http://wikiba.se/ontology#"
WDT = "http://www.wikidata.org/prop/direct/"
P = "http://www.wikidata.org/prop/"
PS = "http://www.wikidata.org/prop/statement/"
PSV = "http://www.wikidata.org/prop/statement/value/"
PQ = "http://www.wikidata.org/prop/qualifier/"
PQV = "http://www.wikidata.org/prop/qualifier/value/"
PR = "http://www.wikidata.org/prop/reference/"
PRV = "http://www.wikidata.org/prop/reference/value/"
GREGORIAN = WD + "Q1985727"


#: Prefixes of the exported Turtle.
OUTPUT_PREFIXES: dict[str, str] = {
    "wd": WD,
    "wdt": WDT,
    "p": P,
    "ps": PS,
    "psv": PSV,
    "pq": PQ,
    "pqv": PQV,
    "pr": PR,
    "prv": PRV,
    "wikibase": WIKIBASE,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "skos": SKOS,
    "owl": OWL,
    "schema": SCHEMA,
    "xsd": XSD,
}

_QID = re.compile(r"^http://www\.wikidata\.org/entity/(Q[0-9]+)$")
_DATE = re.compile(r"^(-?)(\d{4,})(?:-(\d{2}))?(?:-(\d{2}))?")
_DATE_TYPES = {XSD + "gYear": 9, XSD + "gYearMonth": 10, XSD + "date": 11, XSD + "dateTime": 11}


class ExportProfile(enum.Enum):
    """What ``polevents export`` writes."""

    WIKIDATA = "wikidata"
    QUICKSTATEMENTS = "quickstatements"


# ---------------------------------------------------------------- values


@dataclass(frozen=True, order=True)
class ItemRef:
    """An item: a verified Wikidata item (``qid`` set) or an entity of the dataset."""

    iri: str
    qid: str | None = None


@dataclass(frozen=True, order=True)
class TimeValue:
    """A Wikibase time: ``time`` in the Wikibase form (``+2022-03-00T00:00:00Z``) and its precision."""

    time: str
    precision: int

    @property
    def datetime(self) -> str:
        """The ``xsd:dateTime`` lexical form Wikibase RDF uses (unknown month/day as 01)."""
        sign, rest = self.time[0], self.time[1:]
        date, clock = rest.split("T")
        y, m, d = date.split("-")
        m = "01" if m == "00" else m
        d = "01" if d == "00" else d
        return f"{'-' if sign == '-' else ''}{y}-{m}-{d}T{clock}"

    @property
    def quickstatements(self) -> str:
        return f"{self.time}/{self.precision}"


@dataclass(frozen=True, order=True)
class Text:
    """A string, or a monolingual text when ``language`` is set."""

    text: str
    language: str | None = None


@dataclass(frozen=True, order=True)
class Url:
    """A URL value (``P854``)."""

    iri: str


Value = ItemRef | TimeValue | Text | Url
Snak = tuple[str, Value]


def _value_key(v: Value) -> tuple[str, str]:
    return (type(v).__name__, repr(v))


def _snak_key(s: Snak) -> tuple[int, tuple[str, str]]:
    return (id_number(s[0]), _value_key(s[1]))


@dataclass(frozen=True)
class Reference:
    """One reference: its snaks (``pr:``) and the evidence nodes (sentences) it rests on."""

    snaks: tuple[Snak, ...]
    evidence: tuple[str, ...]

    def iri(self, base: str) -> str:
        return f"{base}wikibase/reference/{_digest(repr((self.snaks, self.evidence)))}"


@dataclass(frozen=True)
class Claim:
    """One Wikibase statement made from one fact node of the dataset."""

    fact: str
    subject: ItemRef
    pid: str
    value: Value
    qualifiers: tuple[Snak, ...]
    references: tuple[Reference, ...]

    def iri(self, base: str) -> str:
        return f"{base}wikibase/statement/{_digest(repr((self.fact, self.pid, self.subject, self.value)))}"


@dataclass(frozen=True)
class Skipped:
    """A fact (or part of one) that was not exported, and why."""

    fact: str
    reason: str


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def time_value(lexical: str, datatype: str) -> TimeValue | None:
    """The Wikibase time of an ``xsd:gYear``/``gYearMonth``/``date``/``dateTime`` literal, else None.

    >>> time_value("2022-03", XSD + "gYearMonth")
    TimeValue(time='+2022-03-00T00:00:00Z', precision=10)
    """
    precision = _DATE_TYPES.get(datatype)
    m = _DATE.match(lexical)
    if precision is None or m is None:
        return None
    sign, year, month, day = m.groups()
    month = month if precision >= 10 and month else "00"
    day = day if precision >= 11 and day else "00"
    return TimeValue(f"{'-' if sign else '+'}{year}-{month}-{day}T00:00:00Z", precision)


# ---------------------------------------------------------------- building the claims


@dataclass
class WikibaseExport:
    """The dataset's facts as Wikibase claims, ready to be written as RDF or QuickStatements."""

    base: str
    claims: list[Claim]
    items: dict[str, ItemRef]
    labels: dict[str, list[tuple[str, str, str | None]]]
    links: list[tuple[str, str, str]]
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def triples(self) -> list[pyoxigraph.Triple]:
        """All triples of the Wikibase RDF, sorted."""
        return sorted(set(_rdf_triples(self)), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))

    def serialize(self, fmt: RdfFormat = RdfFormat.TURTLE) -> bytes:
        """The Wikibase RDF in ``fmt`` (a triples format), byte-deterministic."""
        import pyoxigraph as ox

        if fmt.is_quads:
            raise InputError(f"the Wikibase export is one graph; {fmt.label} is a quads format, use turtle or nt")
        triples = self.triples()
        if fmt is RdfFormat.NTRIPLES:
            return "".join(f"{t} .\n" for t in triples).encode("utf-8")
        if fmt is RdfFormat.TURTLE:
            return _turtle(triples, OUTPUT_PREFIXES).encode("utf-8")
        data = ox.serialize(triples, format=fmt.oxigraph)
        assert data is not None  # no output file: the bytes are returned
        return data


class _Builder:
    def __init__(self, g: StoreView, mapping: WikidataMapping, base: str) -> None:
        self.g = g
        self.m = mapping
        self.base = base
        self.warnings: list[str] = []
        self.skipped: list[Skipped] = []
        self.items = self._items()
        self._types: dict[str, list[str]] = {}
        for s, o in g.pairs(RDF + "type"):
            self._types.setdefault(s, []).append(getattr(o, "value", ""))

    def _items(self) -> dict[str, ItemRef]:
        found: dict[str, set[str]] = {}
        for p in (OWL + "sameAs", SKOS + "exactMatch"):
            for s, o in self.g.pairs(p):
                m = _QID.match(getattr(o, "value", ""))
                if m and not s.startswith(WD):
                    found.setdefault(s, set()).add(m.group(1))
        items = {}
        for s, qids in sorted(found.items()):
            chosen = sorted(qids, key=id_number)[0]
            if len(qids) > 1:
                self.warnings.append(f"<{s}> is linked to several items ({', '.join(sorted(qids))}); using {chosen}")
            items[s] = ItemRef(WD + chosen, chosen)
        return items

    def item(self, iri: str) -> ItemRef:
        return self.items.get(iri) or ItemRef(iri, None)

    def types(self, iri: str) -> list[str]:
        return self._types.get(iri, [])

    def subjects_of(self, fact: str) -> list[str]:
        out = [o for p in self.m.with_role("subject") for o in self.g.iris(fact, p)]
        out += [s for p in self.m.with_role("statement") for s in self.g.subjects(p, fact)]
        return sorted(set(out))

    def value(self, term: pyoxigraph.NamedNode | pyoxigraph.Literal) -> Value | None:
        import pyoxigraph as ox

        if isinstance(term, ox.Literal):
            dt = term.datatype.value
            if dt in _DATE_TYPES:
                return time_value(term.value, dt)
            return Text(term.value, term.language.lower() if term.language else None)
        subjects = self.subjects_of(term.value)
        if subjects and self.m.nearest_pid(self.types(term.value)):
            return self.item(subjects[0])  # a statement node stands for its item
        return self.item(term.value)

    def claims(self) -> list[Claim]:
        claims: list[Claim] = []
        facts = sorted(s for s, ts in self._types.items() if self.m.nearest_pid(ts))
        for fact in facts:
            class_pid = self.m.nearest_pid(self.types(fact))
            assert class_pid is not None
            subjects = self.subjects_of(fact)
            values = [o for p in self.m.with_role("value") for o in self.g.objects(fact, p)]
            if not subjects and not values:
                continue  # not a statement node (a party, a source, a mention)
            if not subjects or not values:
                missing = "item (a property of role subject)" if not subjects else "value (a property of role value)"
                self.skipped.append(Skipped(fact, f"no {missing}"))
                continue
            claims.extend(self._claims_of(fact, class_pid, subjects, values))
        return claims

    def _claims_of(
        self, fact: str, class_pid: str, subjects: list[str], values: list[pyoxigraph.NamedNode | pyoxigraph.Literal]
    ) -> Iterator[Claim]:
        pid, qualifiers = self._main_pid(fact, class_pid)
        references = self.references(fact)
        for s in subjects:
            for v in values:
                value = self.value(v)
                if value is None:
                    self.skipped.append(Skipped(fact, f"value {v} is not a Wikibase value"))
                    continue
                main = pid
                if pid == class_pid and isinstance(value, ItemRef) and hasattr(v, "value"):
                    main = self.m.nearest_pid(self.types(v.value)) or pid
                subject = self.item(s)
                yield Claim(fact, subject, main, value, qualifiers, references)
                if isinstance(value, ItemRef):
                    yield from self._holder_claims(fact, v.value, subject, qualifiers, references)

    def _main_pid(self, fact: str, class_pid: str) -> tuple[str, tuple[Snak, ...]]:
        pid = class_pid
        snaks: list[Snak] = []
        refined: list[tuple[str, str]] = []
        for prop in self.m.with_role("qualifier"):
            qpid = self.m.property_pids.get(prop)
            if qpid is None:
                continue
            for term in self.g.objects(fact, prop):
                concept_pid = self.m.concept_pids.get(getattr(term, "value", ""))
                if concept_pid is not None and not hasattr(term, "datatype"):
                    refined.append((concept_pid, qpid))
                value = self.value(term)
                if value is not None:
                    snaks.append((qpid, value))
        if refined:
            pid = sorted(refined)[0][0]
            if pid != class_pid:  # the refining qualifier is said by the property itself
                dropped = {q for _c, q in refined}
                snaks = [s for s in snaks if s[0] not in dropped]
        return pid, tuple(sorted(set(snaks), key=_snak_key))

    def _holder_claims(
        self, fact: str, post: str, holder: ItemRef, qualifiers: tuple[Snak, ...], refs: tuple[Reference, ...]
    ) -> Iterator[Claim]:
        pids = {self.m.holder_pids[k] for k in [post, *self.types(post)] if k in self.m.holder_pids}
        for pid in sorted(pids, key=id_number):
            for org in self.g.iris(post, PE + "postIn"):
                yield Claim(fact, self.item(org), pid, holder, qualifiers, refs)

    def references(self, fact: str) -> tuple[Reference, ...]:
        ref_props = [(p, self.m.property_pids[p]) for p in self.m.with_role("reference") if p in self.m.property_pids]
        stated_in = {p for p, pid in ref_props if pid == "P248"}

        def own_snaks(node: str) -> list[Snak]:
            out: list[Snak] = []
            for p, pid in ref_props:
                if p in stated_in:
                    continue
                for term in self.g.objects(node, p):
                    v = Url(term.value) if pid == "P854" and not hasattr(term, "datatype") else self.value(term)
                    if v is not None:
                        out.append((pid, v))
            return out

        def sources_of(node: str) -> list[str]:
            if self.m.nearest_pid(self.types(node)) == "P248":
                return [node]
            return sorted({s for p in stated_in for s in self.g.iris(node, p)})

        groups: dict[str, tuple[set[Snak], set[str]]] = {}
        fact_snaks = own_snaks(fact)
        for ev in self.g.iris(fact, PROV + "wasDerivedFrom"):
            found = [(src, ev) for src in sources_of(ev)]
            if not found:  # evidence that is itself derived (a quotation): one level down
                found = [(src, sub) for sub in self.g.iris(ev, PROV + "wasDerivedFrom") for src in sources_of(sub)]
            extra = own_snaks(ev) if ev not in {src for src, _ in found} else []
            for src, sentence in found:
                snaks, evidence = groups.setdefault(src, (set(fact_snaks), set()))
                snaks.update(extra)
                if sentence != src:
                    evidence.add(sentence)
        refs = []
        for src, (snaks, evidence) in sorted(groups.items()):
            snaks.add(("P248", self.item(src)))
            snaks.update(own_snaks(src))
            if not any(pid == "P854" for pid, _ in snaks):
                for digest in self.g.objects(src, PE + "sha256"):
                    snaks.add(("P854", Url(_ni_uri(digest.value))))
            refs.append(Reference(tuple(sorted(snaks, key=_snak_key)), tuple(sorted(evidence))))
        if not refs:
            self.skipped.append(Skipped(fact, "no evidence with a source: exported without a reference"))
        return tuple(refs)


def _ni_uri(hex_digest: str) -> str:
    """RFC 6920 named-information URI of a SHA-256 given in hex."""
    try:
        raw = bytes.fromhex(hex_digest)
    except ValueError as exc:
        raise InputError(f"pe:sha256 {hex_digest!r} is not a hex digest") from exc
    return "ni:///sha-256;" + base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def export_store(store: pyoxigraph.Store, base: str, ontology: pyoxigraph.Store | None = None) -> WikibaseExport:
    """Build the Wikibase export of the dataset in ``store``.

    ``ontology`` is read beside ``store`` when given (else ``store`` itself
    must hold the ontology, whose annotations are the mapping).
    """
    import pyoxigraph as ox

    g = StoreView(store) if ontology is None else StoreView(store, ontology)
    mapping = WikidataMapping.from_graph(g)
    if not mapping.class_pids:
        raise InputError("the ontology has no pe:wikidataProperty annotations on classes; nothing to export")
    b = _Builder(g, mapping, base)
    claims = sorted(b.claims(), key=lambda c: c.iri(base))
    used: dict[str, ItemRef] = {}
    for c in claims:
        for ref in [c.subject, c.value, *(v for _p, v in c.qualifiers)]:
            if isinstance(ref, ItemRef):
                used[ref.iri] = ref
    entity_classes = [PE + "Person", PE + "Organization", PE + "Place", PE + "Post"]
    for s, ts in b._types.items():
        if mapping.is_a(ts, entity_classes):
            ref = b.item(s)
            used.setdefault(ref.iri, ref)
    labels: dict[str, list[tuple[str, str, str | None]]] = {}
    local_of: dict[str, list[str]] = {}
    for local, ref in b.items.items():
        local_of.setdefault(ref.iri, []).append(local)
    for iri in used:
        for local in local_of.get(iri, [iri]):
            for p in (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel"):
                for lit in g.objects(local, p):
                    if isinstance(lit, ox.Literal):
                        labels.setdefault(iri, []).append((p, lit.value, lit.language))
    links: list[tuple[str, str, str]] = []
    for p in (OWL + "sameAs", SKOS + "exactMatch"):
        for s, o in g.pairs(p):
            if s in b.items and getattr(o, "value", "") == b.items[s].iri:
                links.append((b.items[s].iri, p, s))
    for s, o in g.pairs(SKOS + "closeMatch"):
        if _QID.match(getattr(o, "value", "")) and s not in b.items:
            links.append((s, SKOS + "closeMatch", o.value))
    return WikibaseExport(
        base=base,
        claims=claims,
        items=dict(sorted(used.items())),
        labels={k: sorted(set(v), key=str) for k, v in sorted(labels.items())},
        links=sorted(set(links)),
        skipped=sorted(set(b.skipped), key=lambda s: (s.fact, s.reason)),
        warnings=b.warnings,
    )


def export_project(project_dir: Path = Path("."), dist_dir: Path | None = None) -> WikibaseExport:
    """The Wikibase export of a project's dataset: ``dist/`` when built, else the sources in memory.

    The mapping is read from the dataset's ontology graph, or from the
    project's ``ontology/`` when the built dump does not include it.
    """
    import pyoxigraph as ox

    from ..config import load_config
    from ..dataset import open_dataset

    config = load_config(project_dir)
    ds = open_dataset(config.root, dist_dir)
    ontology = None
    if not any(True for _ in ds.store.quads_for_pattern(None, ox.NamedNode(PE + "wikidataProperty"), None, None)):
        from ..load import load_project

        ontology = ox.Store()
        ontology.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in load_project(config.root).ontology)
    return export_store(ds.store, config.base, ontology)


# ---------------------------------------------------------------- Wikibase RDF


def _rdf_triples(ex: WikibaseExport) -> Iterator[pyoxigraph.Triple]:
    import pyoxigraph as ox

    N = ox.NamedNode

    def lit(v: str, dt: str | None = None, lang: str | None = None) -> pyoxigraph.Literal:
        if lang:
            return ox.Literal(v, language=lang)
        return ox.Literal(v, datatype=N(dt)) if dt else ox.Literal(v)

    def simple(v: Value) -> pyoxigraph.NamedNode | pyoxigraph.Literal:
        if isinstance(v, ItemRef):
            return N(v.iri)
        if isinstance(v, Url):
            return N(v.iri)
        if isinstance(v, TimeValue):
            return lit(v.datetime, XSD + "dateTime")
        return lit(v.text, lang=v.language)

    def time_node(v: TimeValue) -> Iterator[pyoxigraph.Triple]:
        node = N(f"{ex.base}wikibase/value/{_digest(repr(v))}")
        yield ox.Triple(node, N(RDF + "type"), N(WIKIBASE + "TimeValue"))
        yield ox.Triple(node, N(WIKIBASE + "timeValue"), lit(v.datetime, XSD + "dateTime"))
        yield ox.Triple(node, N(WIKIBASE + "timePrecision"), lit(str(v.precision), XSD + "integer"))
        yield ox.Triple(node, N(WIKIBASE + "timeTimezone"), lit("0", XSD + "integer"))
        yield ox.Triple(node, N(WIKIBASE + "timeCalendarModel"), N(GREGORIAN))

    def snak(node: pyoxigraph.NamedNode, ns: str, ns_value: str, pid: str, v: Value) -> Iterator[pyoxigraph.Triple]:
        yield ox.Triple(node, N(ns + pid), simple(v))
        if isinstance(v, TimeValue):
            yield ox.Triple(node, N(ns_value + pid), N(f"{ex.base}wikibase/value/{_digest(repr(v))}"))
            yield from time_node(v)

    types: dict[str, str] = {}
    for c in ex.claims:
        st = N(c.iri(ex.base))
        subject = N(c.subject.iri)
        yield ox.Triple(subject, N(P + c.pid), st)
        yield ox.Triple(subject, N(WDT + c.pid), simple(c.value))  # every statement is of best (normal) rank
        yield ox.Triple(st, N(RDF + "type"), N(WIKIBASE + "Statement"))
        yield ox.Triple(st, N(RDF + "type"), N(WIKIBASE + "BestRank"))
        yield ox.Triple(st, N(WIKIBASE + "rank"), N(WIKIBASE + "NormalRank"))
        yield ox.Triple(st, N(RDFS + "seeAlso"), N(c.fact))
        yield from snak(st, PS, PSV, c.pid, c.value)
        types.setdefault(c.pid, _property_type(c.value))
        for pid, v in c.qualifiers:
            yield from snak(st, PQ, PQV, pid, v)
            types.setdefault(pid, _property_type(v))
        for ref in c.references:
            rn = N(ref.iri(ex.base))
            yield ox.Triple(st, N(PROV + "wasDerivedFrom"), rn)
            yield ox.Triple(rn, N(RDF + "type"), N(WIKIBASE + "Reference"))
            for pid, v in ref.snaks:
                yield from snak(rn, PR, PRV, pid, v)
                types.setdefault(pid, _property_type(v))
            for ev in ref.evidence:
                yield ox.Triple(rn, N(PROV + "wasDerivedFrom"), N(ev))
    for pid, ptype in types.items():
        prop = N(WD + pid)
        yield ox.Triple(prop, N(RDF + "type"), N(WIKIBASE + "Property"))
        yield ox.Triple(prop, N(WIKIBASE + "propertyType"), N(WIKIBASE + ptype))
        for link, ns in (
            ("directClaim", WDT),
            ("claim", P),
            ("statementProperty", PS),
            ("statementValue", PSV),
            ("qualifier", PQ),
            ("qualifierValue", PQV),
            ("reference", PR),
            ("referenceValue", PRV),
        ):
            yield ox.Triple(prop, N(WIKIBASE + link), N(ns + pid))
    for iri in ex.items:
        yield ox.Triple(N(iri), N(RDF + "type"), N(WIKIBASE + "Item"))
        for p, text, lang in ex.labels.get(iri, []):
            value = lit(text, lang=lang)
            targets = [RDFS + "label", SKOS + "prefLabel", SCHEMA + "name"] if p != SKOS + "altLabel" else [p]
            for target in targets:
                yield ox.Triple(N(iri), N(target), value)
    for s, p, o in ex.links:
        yield ox.Triple(N(s), N(p), N(o))


def _turtle(triples: list[pyoxigraph.Triple], prefixes: dict[str, str]) -> str:
    """Turtle with sorted prefixes, subjects, predicates (rdf:type first) and objects: byte-deterministic."""
    import pyoxigraph as ox

    names = IriNames(prefixes)
    used: set[str] = set()

    def iri(value: str) -> str:
        found = names.split(value)
        if found is None:
            return f"<{value}>"
        used.add(found[0])
        return f"{found[0]}:{found[1]}"

    def term(node: object) -> str:
        if isinstance(node, ox.NamedNode):
            return iri(node.value)
        assert isinstance(node, ox.Literal)
        quoted = str(ox.Literal(node.value))
        if node.language:
            return f"{quoted}@{node.language}"
        dt = node.datatype.value
        return quoted if dt == XSD + "string" else f"{quoted}^^{iri(dt)}"

    blocks: dict[str, dict[str, list[str]]] = {}
    for t in triples:
        pred = "a" if t.predicate.value == RDF + "type" else iri(t.predicate.value)
        blocks.setdefault(term(t.subject), {}).setdefault(pred, []).append(term(t.object))
    body = []
    for subject in sorted(blocks):
        preds = blocks[subject]
        order = sorted(preds, key=lambda p: (p != "a", p))
        sep = " ,\n        "
        lines = [f"    {p} {sep.join(sorted(set(preds[p])))}" for p in order]
        body.append(f"{subject}\n" + " ;\n".join(lines) + " .\n")
    head = "".join(f"@prefix {name}: <{prefixes[name]}> .\n" for name in sorted(used))
    return head + "\n" + "\n".join(body)


def _property_type(v: Value) -> str:
    if isinstance(v, ItemRef):
        return "WikibaseItem"
    if isinstance(v, TimeValue):
        return "Time"
    if isinstance(v, Url):
        return "Url"
    return "Monolingualtext" if v.language else "String"
