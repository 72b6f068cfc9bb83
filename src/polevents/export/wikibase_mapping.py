"""Export stage, Wikidata profile: the ontology's Wikidata annotations, read and indexed.

The mapping from the ontology to Wikidata lives in the ontology itself
(``pe:wikidataProperty`` on classes, properties and concepts,
``pe:wikidataRole`` on properties, ``pe:wikidataHolderProperty`` on posts and
their classes); :class:`WikidataMapping` reads it from a :class:`StoreView`
and answers the questions :mod:`polevents.export.wikibase` asks of it (which property
a fact's class stands for, which properties play which role).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import InputError
from ..vocab import OWL, PE, RDF, RDFS

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

__all__ = ["StoreView", "WikidataMapping", "id_number"]


_PID = re.compile(r"^http://www\.wikidata\.org/entity/(P[0-9]+)$")
_PROPERTY_CLASSES = {
    OWL + "ObjectProperty",
    OWL + "DatatypeProperty",
    OWL + "AnnotationProperty",
    RDF + "Property",
}


def id_number(wikidata_id: str) -> int:
    """The number of a Wikidata ID, for sorting IDs in numeric order (``P39`` → 39, ``Q5`` → 5)."""
    return int(wikidata_id[1:])


class StoreView:
    """Read access to Oxigraph stores (all their graphs; duplicates across graphs merged)."""

    def __init__(self, *stores: pyoxigraph.Store) -> None:
        import pyoxigraph as ox

        self._ox = ox
        self.stores = stores

    def _quads(self, s: str | None, p: str | None, o: str | None) -> Iterator[pyoxigraph.Quad]:
        ox = self._ox
        pattern = (
            ox.NamedNode(s) if s else None,
            ox.NamedNode(p) if p else None,
            ox.NamedNode(o) if o else None,
        )
        for store in self.stores:
            yield from store.quads_for_pattern(*pattern, None)

    def objects(self, s: str, p: str) -> list[pyoxigraph.NamedNode | pyoxigraph.Literal]:
        found = {q.object for q in self._quads(s, p, None)}
        return sorted((o for o in found if not isinstance(o, self._ox.BlankNode)), key=str)  # type: ignore[misc]

    def iris(self, s: str, p: str) -> list[str]:
        return [o.value for o in self.objects(s, p) if isinstance(o, self._ox.NamedNode)]

    def subjects(self, p: str, o: str) -> list[str]:
        found = {q.subject for q in self._quads(None, p, o)}
        return sorted(s.value for s in found if isinstance(s, self._ox.NamedNode))

    def pairs(self, p: str) -> list[tuple[str, pyoxigraph.NamedNode | pyoxigraph.Literal]]:
        ox = self._ox
        found = {
            (q.subject.value, q.object)
            for q in self._quads(None, p, None)
            if isinstance(q.subject, ox.NamedNode) and not isinstance(q.object, ox.BlankNode)
        }
        return sorted(found, key=lambda so: (so[0], str(so[1])))  # type: ignore[arg-type]


def _pid_of(term: object, where: str) -> str:
    value = getattr(term, "value", str(term))
    m = _PID.match(value)
    if m is None:
        raise InputError(f"ontology: {where} must be a Wikidata property (wd:P…), got <{value}>")
    return m.group(1)


@dataclass(frozen=True)
class WikidataMapping:
    """The ontology's Wikidata annotations, indexed."""

    class_pids: dict[str, str]
    superclasses: dict[str, tuple[str, ...]]
    property_pids: dict[str, str]
    roles: dict[str, str]
    concept_pids: dict[str, str]
    holder_pids: dict[str, str]

    @classmethod
    def from_graph(cls, g: StoreView) -> WikidataMapping:
        """Read the annotations from a graph holding the ontology (and the data, for posts)."""
        roles = {s: o.value for s, o in g.pairs(PE + "wikidataRole")}
        classes = {s for s, o in g.pairs(RDF + "type") if getattr(o, "value", "") in (OWL + "Class", RDFS + "Class")}
        superclasses: dict[str, list[str]] = {}
        for s, o in g.pairs(RDFS + "subClassOf"):
            classes.add(s)
            if hasattr(o, "value") and not hasattr(o, "datatype"):
                superclasses.setdefault(s, []).append(o.value)
        properties = set(roles) | {s for s, o in g.pairs(RDF + "type") if getattr(o, "value", "") in _PROPERTY_CLASSES}
        class_pids: dict[str, str] = {}
        property_pids: dict[str, str] = {}
        concept_pids: dict[str, str] = {}
        for s, o in g.pairs(PE + "wikidataProperty"):
            pid = _pid_of(o, f"pe:wikidataProperty of <{s}>")
            if s in classes:
                class_pids[s] = pid
            elif s in properties:
                property_pids[s] = pid
            else:  # a concept (pe:daughter): refines the main property where it is a qualifier value
                concept_pids[s] = pid
        holder = {
            s: _pid_of(o, f"pe:wikidataHolderProperty of <{s}>") for s, o in g.pairs(PE + "wikidataHolderProperty")
        }
        return cls(
            class_pids=class_pids,
            superclasses={k: tuple(sorted(v)) for k, v in superclasses.items()},
            property_pids=property_pids,
            roles=roles,
            concept_pids=concept_pids,
            holder_pids=holder,
        )

    def class_levels(self, types: Iterable[str]) -> Iterator[list[str]]:
        """``types``, then their superclasses, then theirs…: one sorted level at a time, each class once."""
        frontier = sorted(set(types))
        seen: set[str] = set()
        while frontier:
            yield frontier
            seen.update(frontier)
            frontier = sorted({sup for c in frontier for sup in self.superclasses.get(c, ()) if sup not in seen})

    def nearest_pid(self, types: Iterable[str]) -> str | None:
        """The pe:wikidataProperty of the nearest annotated class among ``types`` and their superclasses."""
        for level in self.class_levels(types):
            hits = sorted({self.class_pids[c] for c in level if c in self.class_pids}, key=id_number)
            if hits:
                return hits[0]
        return None

    def is_a(self, types: Iterable[str], wanted: Iterable[str]) -> bool:
        """Whether one of ``types``, or one of their superclasses, is one of ``wanted``."""
        targets = set(wanted)
        return any(targets.intersection(level) for level in self.class_levels(types))

    def with_role(self, role: str) -> list[str]:
        return sorted(p for p, r in self.roles.items() if r == role)
