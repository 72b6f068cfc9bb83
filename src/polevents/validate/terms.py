"""Checks of the terms the data uses, beside the shapes: a closed vocabulary, no dangling IRIs.

SHACL only checks what a shape targets: a typo'd property (``pe:startDat``), a typo'd class
(``a pe:Statment``) or an IRI that nothing declares (``pe:actor <id/person/tokayv>``) reaches no
shape, validates, and silently drops out of every query.  These checks close that gap.  They run
as SPARQL on an Oxigraph store (in memory, or the on-disk index at scale), a few whole-store
scans that Oxigraph does natively, and set arithmetic on the distinct terms in Python:

**Closed vocabulary.**  Every IRI in the ontology's namespace (``pe:``) that a source graph uses —
as a predicate, a class, or any other subject or object — must be declared in ``ontology/`` (be the
subject of a triple there).  Terms of the vocabularies the ontology aligns to are checked against
a built-in list of each vocabulary's terms (no network): RDF, RDFS, OWL, XSD, SHACL, SKOS, PROV-O,
W3C ORG, FOAF, Dublin Core (terms and elements), DCMI types, schema.org (``http:`` and ``https:``),
VoID, DCAT, OWL-Time, VANN, Data Cube (the lists rdflib ships), SEM and LODE (listed here).
These are checked in the ontology graph too.  Terms of any other namespace (Wikidata, Web
Annotation, NIF, PAV, ...) are not checked: the open world stays open.

**No dangling IRIs.**  Every IRI under the dataset's base (outside the ontology namespace, which
the closed vocabulary covers) that a source graph uses as an object must be typed (``rdf:type``)
in some graph, and so must every such subject: an IRI nobody declares is a typo or a missing node.

**Confusable characters.**  An IRI under the base whose path segment mixes letters of several
scripts (a Cyrillic ``а`` inside ``place:astana``) is reported.

Each problem comes with the closest declared terms or IRIs ("did you mean pe:startDate?") and one
triple that uses it (graph, subject, predicate, object), which :mod:`polevents.validate.locate`
turns into a file and line.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from ..names import compact_iri
from ..vocab import ONTOLOGY_IRI, PE, PREFIXES

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

__all__ = ["KIND_COMPONENT", "TermProblem", "check_terms", "known_vocabularies"]

_SHAPES = "https://w3id.org/polevents/shapes#"
#: The rule (reported as the result's source shape and constraint component) per kind of problem.
KIND_COMPONENT = {
    "unknown-term": _SHAPES + "ClosedVocabulary",
    "dangling-iri": _SHAPES + "DanglingIri",
    "untyped-subject": _SHAPES + "UntypedSubject",
    "confusable-iri": _SHAPES + "ConfusableIri",
}
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

#: Vocabularies whose term lists rdflib ships (its closed DefinedNamespaces), by class name.
_RDFLIB_VOCABULARIES = (
    "RDF RDFS OWL XSD SH SKOS PROV ORG FOAF DCTERMS DC DCMITYPE DCAM SDO VOID DCAT TIME VANN QB"
).split()
#: SEM, the Simple Event Model (http://semanticweb.cs.vu.nl/2009/11/sem/).
_SEM = (
    "Actor ActorType Authority Constraint Core Event EventType Place PlaceType Role RoleType Time TimeType Type "
    "View accordingTo actorType eventProperty eventType hasActor hasBeginTimeStamp hasEarliestBeginTimeStamp "
    "hasEarliestEndTimeStamp hasEndTimeStamp hasLatestBeginTimeStamp hasLatestEndTimeStamp hasPlace "
    "hasSubEvent hasSubType hasTime hasTimeStamp hasType placeType roleType subEventOf subTypeOf "
    "timeType type"
).split()
#: LODE, Linking Open Descriptions of Events (http://linkedevents.org/ontology/).
_LODE = "Event atPlace atTime circa illustrate inSpace involved involvedAgent".split()


@lru_cache(maxsize=1)
def known_vocabularies() -> dict[str, frozenset[str]]:
    """Namespace IRI -> the local names of its terms, for every vocabulary checked (built in)."""
    import rdflib.namespace as ns

    vocabularies: dict[str, frozenset[str]] = {}
    for name in _RDFLIB_VOCABULARIES:
        cls = getattr(ns, name)
        terms = set(getattr(cls, "__annotations__", {})) | {str(t) for t in getattr(cls, "_extras", [])}
        vocabularies[str(cls._NS)] = frozenset(t for t in terms if not t.startswith("_"))
    schema = vocabularies["https://schema.org/"]
    vocabularies["http://schema.org/"] = schema
    vocabularies["http://semanticweb.cs.vu.nl/2009/11/sem/"] = frozenset(_SEM)
    vocabularies["http://linkedevents.org/ontology/"] = frozenset(_LODE)
    return vocabularies


@dataclass(frozen=True)
class TermProblem:
    """One term or IRI that the data should not use, with one triple that uses it."""

    kind: str  # a key of KIND_COMPONENT
    iri: str
    message: str
    suggestions: tuple[str, ...]
    graph: str | None
    subject: pyoxigraph.NamedNode | pyoxigraph.BlankNode | None
    predicate: pyoxigraph.NamedNode | None
    object: pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | None


def _distinct(store: pyoxigraph.Store, query: str) -> set[str]:
    import pyoxigraph as ox

    rows = store.query(query)
    assert isinstance(rows, ox.QuerySolutions)
    return {row[0].value for row in rows if isinstance(row[0], ox.NamedNode)}


def _split(
    store: pyoxigraph.Store, query: str, under_base: Callable[[str], bool], typed: set[str]
) -> tuple[set[str], set[str]]:
    """The IRIs ``query`` selects, streamed, in two sets: those an ASCII IRI under the base is not
    (every other IRI: terms of vocabularies, IRIs elsewhere, IRIs with non-ASCII characters), and the
    ASCII IRIs under the base that are not ``typed``; a typed ASCII IRI under the base is dropped."""
    import pyoxigraph as ox

    rows = store.query(query)
    assert isinstance(rows, ox.QuerySolutions)
    other: set[str] = set()
    untyped: set[str] = set()
    for row in rows:
        term = row[0]
        if not isinstance(term, ox.NamedNode):
            continue
        iri = term.value
        if not under_base(iri) or not iri.isascii():
            other.add(iri)
        elif iri not in typed:
            untyped.add(iri)
    return other, untyped


def _namespace_of(iri: str, vocabularies: Iterable[str]) -> str | None:
    for ns in vocabularies:
        if iri.startswith(ns) and len(iri) > len(ns):
            return ns
    return None


def _mixed_scripts(segment: str) -> list[str]:
    """The scripts of the letters of ``segment`` when there are several (LATIN, CYRILLIC, ...)."""
    scripts = set()
    for ch in segment:
        if ch.isalpha():
            scripts.add(unicodedata.name(ch, "UNKNOWN").split(" ")[0])
    return sorted(scripts) if len(scripts) > 1 else []


def _closest(iri: str, candidates: Iterable[str], n: int = 3) -> tuple[str, ...]:
    """The candidates nearest to ``iri`` (compared within the same folder first, then anywhere)."""
    cands = list(candidates)
    folder = iri.rsplit("/", 1)[0] + "/" if "/" in iri else ""
    near = [c for c in cands if folder and c.startswith(folder)]
    found = difflib.get_close_matches(iri, near, n=n, cutoff=0.6) if near else []
    if not found and len(cands) <= 50_000:
        found = difflib.get_close_matches(iri, cands, n=n, cutoff=0.6)
    return tuple(found)


def _one_use(
    store: pyoxigraph.Store, iri: str, role: str, exclude_graph: str | None
) -> tuple[str | None, object, object, object]:
    """One (graph, subject, predicate, object) using ``iri`` as ``role`` ("s", "p" or "o")."""
    import pyoxigraph as ox

    node = ox.NamedNode(iri)
    pattern = {"s": (node, None, None), "p": (None, node, None), "o": (None, None, node)}[role]
    for quad in store.quads_for_pattern(*pattern, None):
        g = quad.graph_name
        name = g.value if isinstance(g, ox.NamedNode) else None
        if exclude_graph is not None and name == exclude_graph:
            continue
        return name, quad.subject, quad.predicate, quad.object
    return None, None, None, None


def check_terms(
    store: pyoxigraph.Store, base: str, *, ontology_graph: str = ONTOLOGY_IRI, only: Collection[str] | None = None
) -> list[TermProblem]:
    """The closed-vocabulary, dangling-IRI and confusable-IRI problems of the data in ``store``.

    ``store`` holds the ontology in ``ontology_graph`` and each source in a named graph of its own
    (as :meth:`polevents.load.Project.store` and the build's on-disk index do).  Problems are sorted
    by kind and IRI; each carries one triple that uses the term (see :class:`TermProblem`).
    ``only``: check these IRIs only (an incremental rebuild: the IRIs of the changed triples, when
    the rest conformed and the ontology is the same; a term's status changes only with a triple
    that names it).
    """

    def name(iri: str) -> str:
        return compact_iri(iri, PREFIXES, base)

    def names(iris: Iterable[str]) -> str:
        return ", ".join(name(i) for i in iris)

    onto = f"<{ontology_graph}>"
    declared = _distinct(store, f"SELECT DISTINCT ?s WHERE {{ GRAPH {onto} {{ ?s ?p ?o }} }}")
    typed_query = f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s <{_RDF_TYPE}> ?t }} }}"
    values = "" if only is None else "VALUES ?x { " + " ".join(f"<{t}>" for t in sorted(only)) + " }"
    predicates = _distinct(store, f"SELECT DISTINCT ?x WHERE {{ {values} GRAPH ?g {{ ?s ?x ?o }} }}")
    typed = _distinct(store, f"SELECT DISTINCT ?x WHERE {{ {values} GRAPH ?g {{ ?x <{_RDF_TYPE}> ?t }} }}")
    own_ns = (PE, ontology_graph, _SHAPES)

    def under_base(iri: str) -> bool:
        return iri.startswith(base) and not iri.startswith(own_ns)

    # Subjects and objects are streamed: the IRIs under the base are the bulk of the data (millions
    # at 10M triples), and all such an ASCII IRI needs is whether it is typed, so only the untyped
    # ones are kept (with the other IRIs: vocabulary terms, look-alikes), not every IRI.
    objects, dangling = _split(
        store, f"SELECT DISTINCT ?x WHERE {{ {values} GRAPH ?g {{ ?s ?p ?x }} FILTER(isIRI(?x)) }}", under_base, typed
    )
    subjects, untyped = _split(
        store, f"SELECT DISTINCT ?x WHERE {{ {values} GRAPH ?g {{ ?x ?p ?o }} }}", under_base, typed
    )
    problems: list[TermProblem] = []

    def add(kind: str, iri: str, role: str, message: str, suggestions: tuple[str, ...], data_only: bool) -> None:
        graph, s, p, o = _one_use(store, iri, role, ontology_graph if data_only else None)
        if data_only and graph is None:
            return  # used by the ontology alone
        problems.append(TermProblem(kind, iri, message, suggestions, graph, s, p, o))  # type: ignore[arg-type]

    # -- closed vocabulary: pe: terms must be declared in ontology/
    own = sorted(t for t in (predicates | objects | subjects) if t.startswith(PE) and t not in declared)
    own_declared = sorted(t for t in declared if t.startswith(PE))
    for term in own:
        role = "p" if term in predicates else ("o" if term in objects else "s")
        near = _closest(term, own_declared)
        hint = f"; did you mean {names(near)}?" if near else ""
        add("unknown-term", term, role, f"{name(term)} is not declared in ontology/{hint}", near, True)
    # -- terms of the aligned vocabularies (data and ontology alike)
    vocabularies = known_vocabularies()
    for term in sorted(predicates | objects | subjects):
        ns = _namespace_of(term, vocabularies)
        if ns is None or term[len(ns) :] in vocabularies[ns] or (term in declared and not term.startswith(PE)):
            continue
        local = term[len(ns) :]
        near = tuple(ns + n for n in difflib.get_close_matches(local, sorted(vocabularies[ns]), n=3, cutoff=0.6))
        hint = f"; did you mean {names(near)}?" if near else ""
        role = "p" if term in predicates else ("o" if term in objects else "s")
        add("unknown-term", term, role, f"{name(term)} is not a term of the vocabulary <{ns}>{hint}", near, False)
    # -- dangling IRIs and untyped subjects under the base
    known: list[str] = []

    def known_nodes() -> list[str]:  # the declared IRIs under the base, sorted once, when a problem needs them
        if not known:  # suggestions come from every typed IRI, also when only some are checked
            every = typed if only is None else _distinct(store, typed_query)
            known.extend(sorted(t for t in every if under_base(t)))
        return known

    # -- confusable characters (reported once, with whether the IRI is declared at all)
    confusable: set[str] = set()
    for iri in sorted(t for t in (subjects | objects) if t.startswith(base) and not t.isascii()):
        for segment in iri[len(base) :].split("/"):
            scripts = _mixed_scripts(segment)
            if scripts:
                confusable.add(iri)
                role = "o" if iri in objects else "s"
                nowhere = "" if iri in typed else ", and is declared (typed) nowhere"
                near = tuple(n for n in _closest(_ascii_lookalike(iri), known_nodes()) if n != iri)
                hint = f"; did you mean {names(near)}?" if near else ""
                message = (
                    f"{name(iri)}: {segment!r} mixes letters of several scripts ({', '.join(scripts)}){nowhere}{hint}"
                )
                add("confusable-iri", iri, role, message, near, True)
                break
    dangling |= {t for t in objects if under_base(t) and t not in typed}
    untyped |= {t for t in subjects if under_base(t) and t not in typed}
    for iri in sorted(t for t in dangling if t not in confusable):
        near = _closest(iri, known_nodes())
        hint = f"; did you mean {names(near)}?" if near else ""
        add("dangling-iri", iri, "o", f"{name(iri)} is used as a value but declared (typed) nowhere{hint}", near, True)
    for iri in sorted(t for t in untyped if t not in confusable):
        near = _closest(iri, known_nodes())
        hint = f"; did you mean {names(near)}?" if near else ""
        message = f"{name(iri)} has no rdf:type in any graph (a typo'd subject, or its type is missing){hint}"
        add("untyped-subject", iri, "s", message, near, True)
    return problems


#: Letters of other scripts that look like Latin ones (the common Cyrillic and Greek look-alikes).
_LOOKALIKES = str.maketrans(
    "аАвВеЕіІјЈкКмМнНоОрРсСтТуУхХԁԛԝοΟαΑβΒεΕιΙκΚνΝρΡτΤυΥχΧζΖ",
    "aABBeEiIjJkKmMHHoOpPcCtTyYxXdqwoOaABBeEiIkKvNpPtTuYxXzZ",
)


def _ascii_lookalike(iri: str) -> str:
    return iri.translate(_LOOKALIKES)
