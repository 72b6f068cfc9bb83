"""The dataset's entities an editor reuses: list them, and find them by any of their names.

An *entity* is a node of a source graph with a type (people, organisations, places, posts,
events, legislation, claims…), except the evidence records themselves (``pe:Source``,
``pe:Sentence``, ``pe:NameMention``).  Each comes with its most specific types, its label, the
sources (folders of ``data/``) whose graphs describe it, and every name it is known by:
``rdfs:label``, ``skos:prefLabel``/``altLabel``/``hiddenLabel``, an organisation's dated names
(``pe:hasName``/``pe:name``) and the spellings sources used (``pe:surfaceForm`` of the
``pe:NameMention`` records about it).

:func:`search` compares a text with those names through the link matcher
(:func:`polevents.link.normalise`: scripts and transliterations folded, so ``Tokaev``,
``Токаев`` and ``Toqaev`` find Kassym-Jomart Tokayev), and also accepts a name that contains
every word of the text (``Oduya`` finds Marta J. Oduya, ``referendum`` finds the referendum).

The dataset is read from the project's files (what an editor has written so far, built or not),
or from a built ``dist/`` folder when one is named or the project has no ``data/``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from ..link import name_score, normalise
from ..vocab import PE, PREFIXES, RDF, RDFS, SKOS

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

__all__ = [
    "EXCLUDED_TYPES",
    "EntityName",
    "EntityRecord",
    "Match",
    "entity_records",
    "format_json",
    "format_table",
    "format_tsv",
    "load_entities",
    "name_match",
    "resolve_class",
    "search",
]

RDF_TYPE = RDF + "type"
#: Evidence records, not entities: never listed.
EXCLUDED_TYPES: frozenset[str] = frozenset({PE + "Source", PE + "Sentence", PE + "NameMention"})
#: Name properties of an entity, and how they are shown in the ``matched`` column.
NAME_PROPERTIES: dict[str, str] = {
    RDFS + "label": "label",
    SKOS + "prefLabel": "label",
    SKOS + "altLabel": "alternative",
    SKOS + "hiddenLabel": "hidden label",
}
#: Lowest score :func:`search` reports.
SEARCH_THRESHOLD = 0.8
#: How close two words must be (difflib ratio of their folded forms) to count as the same word.
WORD_MATCH = 0.85
#: What each word of a name beyond the query's (and two more) costs a match by containment.
EXTRA_WORD = 0.04


@dataclass(frozen=True)
class EntityName:
    """One name of an entity: its text and what kind of name it is (label, alternative, spelling…)."""

    text: str
    kind: str


@dataclass(frozen=True)
class EntityRecord:
    """An entity of the dataset: IRI, most specific types, label, the sources describing it, its names."""

    iri: str
    types: tuple[str, ...]
    label: str | None
    sources: tuple[str, ...]
    names: tuple[EntityName, ...]


@dataclass(frozen=True)
class Match:
    """An entity found by :func:`search`, with the name that matched and how well (0–1)."""

    entity: EntityRecord
    name: EntityName
    score: float


# ---------------------------------------------------------------- reading the dataset


def _iri(term: object) -> str | None:
    import pyoxigraph as ox

    return term.value if isinstance(term, ox.NamedNode) else None


def _graph_slug(graph: str) -> str:
    """The folder name of a source graph (``…/graph/kazakhstan-reform-2022`` -> the slug)."""
    return graph.rstrip("/").rsplit("/", 1)[-1]


def _best_label(values: Iterable[pyoxigraph.Literal]) -> str | None:
    """The English label, else one without language, else the first (sorted)."""
    ordered = sorted(values, key=lambda lit: (lit.value, lit.language or ""))
    for wanted in ("en", None):
        for lit in ordered:
            lang = lit.language
            if lang == wanted or (wanted == "en" and lang is not None and lang.startswith("en-")):
                return lit.value
    return ordered[0].value if ordered else None


def entity_records(store: pyoxigraph.Store) -> list[EntityRecord]:
    """Every entity of ``store`` (an Oxigraph store holding the ontology and one graph per source), by IRI."""
    import pyoxigraph as ox

    supers: dict[str, set[str]] = {}
    for q in store.quads_for_pattern(None, ox.NamedNode(RDFS + "subClassOf"), None, None):
        sub, sup = _iri(q.subject), _iri(q.object)
        if sub and sup:
            supers.setdefault(sub, set()).add(sup)
    source_graphs: set[str] = set()
    for q in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(PE + "Source"), None):
        if isinstance(q.graph_name, ox.NamedNode):
            source_graphs.add(q.graph_name.value)

    types: dict[str, set[str]] = {}
    graphs: dict[str, set[str]] = {}
    for q in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), None, None):
        subject, cls = _iri(q.subject), _iri(q.object)
        if subject is None or cls is None or not isinstance(q.graph_name, ox.NamedNode):
            continue
        if q.graph_name.value not in source_graphs:
            continue  # the ontology's own classes and properties, links files
        types.setdefault(subject, set()).add(cls)
        graphs.setdefault(subject, set()).add(q.graph_name.value)

    def ancestors(cls: str) -> set[str]:
        seen: set[str] = set()
        frontier = {cls}
        while frontier:
            frontier = {s for c in frontier for s in supers.get(c, ()) if s not in seen}
            seen |= frontier
        return seen

    spellings: dict[str, set[str]] = {}
    mention_of = ox.NamedNode(PE + "mentionOf")
    for q in store.quads_for_pattern(None, mention_of, None, None):
        target = _iri(q.object)
        if target is None:
            continue
        for f in store.quads_for_pattern(q.subject, ox.NamedNode(PE + "surfaceForm"), None, None):
            if isinstance(f.object, ox.Literal):
                spellings.setdefault(target, set()).add(f.object.value)

    records = []
    for iri in sorted(types):
        classes = types[iri]
        if classes & EXCLUDED_TYPES:
            continue
        implied = set().union(*(ancestors(c) for c in classes))
        specific = tuple(sorted(c for c in classes if c not in implied))
        node = ox.NamedNode(iri)
        names: dict[str, EntityName] = {}
        labels: list[ox.Literal] = []
        for prop, kind in NAME_PROPERTIES.items():
            for q in store.quads_for_pattern(node, ox.NamedNode(prop), None, None):
                if isinstance(q.object, ox.Literal):
                    if prop == RDFS + "label":
                        labels.append(q.object)
                    names.setdefault(q.object.value, EntityName(q.object.value, kind))
        for q in store.quads_for_pattern(node, ox.NamedNode(PE + "hasName"), None, None):
            for n in store.quads_for_pattern(q.object, ox.NamedNode(PE + "name"), None, None):  # type: ignore[arg-type]
                if isinstance(n.object, ox.Literal):
                    names.setdefault(n.object.value, EntityName(n.object.value, "name"))
        for text in sorted(spellings.get(iri, ())):
            names.setdefault(text, EntityName(text, "source spelling"))
        records.append(
            EntityRecord(
                iri=iri,
                types=specific,
                label=_best_label(labels),
                sources=tuple(sorted({_graph_slug(g) for g in graphs[iri]})),
                names=tuple(sorted(names.values(), key=lambda n: (n.text, n.kind))),
            )
        )
    return records


def resolve_class(name: str, store: pyoxigraph.Store) -> str:
    """A class named by the user: ``pe:Person``, ``Person`` (a ``pe:`` class) or a full IRI.

    :raises InputError: no such class is used or defined in the dataset (the message lists them).
    """
    import pyoxigraph as ox

    if "://" in name:
        iri = name.strip("<>")
    elif ":" in name:
        prefix, local = name.split(":", 1)
        if prefix not in PREFIXES:
            raise InputError(f"unknown prefix {prefix!r} in class {name!r}; write pe:Person or a full IRI")
        iri = PREFIXES[prefix] + local
    else:
        iri = PE + name
    known = {
        q.subject.value
        for q in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(PREFIXES["owl"] + "Class"), None)
        if isinstance(q.subject, ox.NamedNode)
    } | {
        q.object.value
        for q in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), None, None)
        if isinstance(q.object, ox.NamedNode)
    }
    if iri not in known:
        ours = sorted("pe:" + c[len(PE) :] for c in known if c.startswith(PE))
        raise InputError(f"unknown class {name!r}; the dataset's classes: {', '.join(ours)}")
    return iri


def _subclasses(cls: str, store: pyoxigraph.Store) -> set[str]:
    import pyoxigraph as ox

    found = {cls}
    frontier = {cls}
    while frontier:
        nxt: set[str] = set()
        for c in frontier:
            for q in store.quads_for_pattern(None, ox.NamedNode(RDFS + "subClassOf"), ox.NamedNode(c), None):
                sub = _iri(q.subject)
                if sub and sub not in found:
                    nxt.add(sub)
        found |= nxt
        frontier = nxt
    return found


def load_entities(
    project_dir: Path = Path("."), dist_dir: Path | None = None, *, type_name: str | None = None
) -> list[EntityRecord]:
    """The entities of ``type_name`` (and its subclasses), or all, of the dataset.

    The dataset is ``dist_dir`` when given; else the project's files when it has a
    ``data/`` folder (an editor adding a source sees what is there now, built or not);
    else the project's built ``dist/``.
    """
    from ..dataset import open_dataset

    if dist_dir is None and (project_dir / "data").is_dir():
        from ..load import load_project

        store = load_project(project_dir).store()
    else:
        store = open_dataset(project_dir, dist_dir).store
    records = entity_records(store)
    if type_name is None:
        return records
    wanted = _subclasses(resolve_class(type_name, store), store)
    # a record keeps only its most specific types: compare against the class and its subclasses
    return [r for r in records if set(r.types) & wanted or _implies(r.types, wanted, store)]


def _implies(types: Iterable[str], wanted: set[str], store: pyoxigraph.Store) -> bool:
    import pyoxigraph as ox

    frontier = set(types)
    seen: set[str] = set()
    while frontier:
        if frontier & wanted:
            return True
        seen |= frontier
        frontier = {
            q.object.value
            for c in frontier
            for q in store.quads_for_pattern(ox.NamedNode(c), ox.NamedNode(RDFS + "subClassOf"), None, None)
            if isinstance(q.object, ox.NamedNode) and q.object.value not in seen
        }
    return False


# ---------------------------------------------------------------- searching


def _fold(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Link-matcher tokens with the j/i (Oduja, Oduya) fold that transliterations disagree on."""
    return tuple(t.replace("j", "i") for t in tokens)


def name_match(query: str, name: str) -> float:
    """How well ``query`` names ``name``, in [0, 1]: the link matcher's score, or word containment.

    >>> round(name_match("Tokaev", "Kassym-Jomart Tokayev"), 2)
    0.95
    >>> name_match("Токаев", "Tokayev")
    1.0
    >>> name_match("Oduja", "Oduya") >= 0.95
    True
    """
    import difflib

    q, n = _fold(normalise(query)), _fold(normalise(name))
    if not q or not n:
        return 0.0
    score = name_score(q, n)
    # every word of the query is a word of the name (a surname, one word of a title)
    sims = []
    for word in q:
        best = max(
            (1.0 if word == w else difflib.SequenceMatcher(None, word, w, autojunk=False).ratio() for w in n),
            default=0.0,
        )
        if best < WORD_MATCH:
            return score
        sims.append(best)
    # a word of a long name (a statement's label) says less than a word of a short one
    contained = 0.95 * sum(sims) / len(sims) - EXTRA_WORD * max(0, len(n) - len(q) - 2)
    return max(score, contained)


def search(records: Iterable[EntityRecord], text: str, *, threshold: float = SEARCH_THRESHOLD) -> list[Match]:
    """The entities one of whose names matches ``text`` (see :func:`name_match`), best first."""
    if not normalise(text):
        raise InputError(f"nothing to search for in {text!r}: give a name, e.g. --search Tokayev")
    found = []
    for record in records:
        best: Match | None = None
        for name in record.names:
            score = name_match(text, name.text)
            if score >= threshold and (best is None or score > best.score):
                best = Match(record, name, score)
        if best is not None:
            found.append(best)
    found.sort(key=lambda m: (-round(m.score, 3), m.entity.iri))
    return found


# ---------------------------------------------------------------- output


COLUMNS = ("iri", "type", "label", "sources")


def _type_names(types: Iterable[str]) -> str:
    from ..names import compact_iri

    return " ".join(compact_iri(t, PREFIXES) for t in types)


def _rows(records: Iterable[EntityRecord | Match]) -> Iterator[list[str]]:
    for item in records:
        record = item.entity if isinstance(item, Match) else item
        row = [record.iri, _type_names(record.types), record.label or "", " ".join(record.sources)]
        if isinstance(item, Match):
            row += [f"{item.name.text} ({item.name.kind})", f"{item.score:.2f}"]
        yield [" ".join(cell.split()) for cell in row]


def _header(items: list[EntityRecord] | list[Match], searched: bool) -> list[str]:
    return [*COLUMNS, "matched", "score"] if searched or (items and isinstance(items[0], Match)) else list(COLUMNS)


def format_tsv(items: list[EntityRecord] | list[Match], *, searched: bool = False) -> str:
    """Tab-separated lines with a header: iri, type, label, sources (and matched, score for a search)."""
    lines = ["\t".join(_header(items, searched))] + ["\t".join(row) for row in _rows(items)]
    return "\n".join(lines) + "\n"


def format_table(items: list[EntityRecord] | list[Match], base: str | None = None, *, searched: bool = False) -> str:
    """Aligned columns for a terminal, IRIs written relative to ``base`` (``<id/person/…>``)."""
    from ..names import compact_iri

    rows = [_header(items, searched)]
    for row in _rows(items):
        row[0] = compact_iri(row[0], {}, base) if base else row[0]
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "".join("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() + "\n" for r in rows)


def format_json(items: list[EntityRecord] | list[Match]) -> str:
    """A JSON list of objects (keys: iri, types, label, sources, names; matched and score for a search)."""
    out = []
    for item in items:
        record = item.entity if isinstance(item, Match) else item
        entry: dict[str, object] = {
            "iri": record.iri,
            "types": list(record.types),
            "label": record.label,
            "sources": list(record.sources),
            "names": [{"text": n.text, "kind": n.kind} for n in record.names],
        }
        if isinstance(item, Match):
            entry["matched"] = {"text": item.name.text, "kind": item.name.kind}
            entry["score"] = round(item.score, 3)
        out.append(entry)
    return json.dumps(out, ensure_ascii=False, indent=2) + "\n"
