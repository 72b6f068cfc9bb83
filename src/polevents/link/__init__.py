"""Link stage: propose items of a Wikidata-style graph for the dataset's people, organisations and places.

Names on our side: ``rdfs:label``, ``skos:prefLabel``, ``skos:altLabel``, the
dated names of an organisation (``pe:hasName``/``pe:name``: a renamed party is
found under any of its names), and, with less weight, ``skos:hiddenLabel`` and
the source's misspelt surface forms.  Names on the target: ``rdfs:label``,
``skos:prefLabel``, ``skos:altLabel``, ``schema:name``, in every language.

**Normalisation** (:func:`normalise`): Kazakh letters folded first (ұ ү→u,
қ→k, ғ→g, ң→n, ә→a, ө→o, і→i, һ→h), then any script to ASCII (unidecode),
lower case, punctuation to spaces; then per token the transliteration
variants are folded: dzh/dj/zh→j, kh→h, q→k, ye→e, y→i, and doubled letters
collapse.  Tokayev, Tokaev, Toqaev, Токаев and Тоқаев all become ``tokaev``;
Нұр Отан and Nur-Otan become ``nur otan``.

**Score** of one pair of names (:func:`name_score`), in [0, 1]:

* 1.0 — the normalised names are identical (also with the spaces removed);
* 0.98 — the same tokens in another order (Токаев Касым-Жомарт);
* otherwise a Dice coefficient over the tokens, weighted by token length,
  where tokens pair up greedily when their similarity (difflib ratio) is at
  least 0.85; capped at 0.94, so only exact normalised names reach the
  exact-match band (≥ 0.95);
* for people, every token of the shorter name must find its pair, or the
  score is capped at 0.5: Dariga Nazarbayeva and Aliya Nazarbayeva share a
  surname, not a name; a lone surname against a full name is capped at 0.55.

The score of a candidate is its best pair, times the weight of our name
(hidden labels and misspellings 0.8), times 0.8 when another candidate of the
same entity agrees with more of our distinct names (the other party called
Otan loses to the one also called Nur Otan), times 0.5 when the candidate's
``wdt:P31`` types are known to belong to another kind of entity (types are
learnt from the items our data already links to, or given as hints), and
times 0.5 when the data already links another of its entities to the
candidate with ``owl:sameAs``/``skos:exactMatch`` (one item, one entity: the
Mazhilis is not the Parliament it is part of).

``--accept`` writes, for each entity not yet linked elsewhere in the data, its
best candidate when it scores at least ``accept_min`` and leads the next one
by 0.05: ``skos:exactMatch`` from 0.95, else ``skos:closeMatch``.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError, RemoteError
from ..formats import RdfFormat
from ..names import IriNames
from ..vocab import OWL, PE, PREFIXES, RDF, RDFS, SCHEMA, SKOS, WD

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

    from ..config import ProjectConfig

__all__ = [
    "AcceptResult",
    "Candidate",
    "Entity",
    "LinkReport",
    "Metrics",
    "Name",
    "TargetItem",
    "accept_links",
    "evaluate",
    "link_project",
    "link_store",
    "load_target",
    "name_score",
    "normalise",
    "read_gold",
]

RDF_TYPE = RDF + "type"
RDFS_LABEL = RDFS + "label"
RDFS_SUBCLASS = RDFS + "subClassOf"
OWL_SAME_AS = OWL + "sameAs"
SCHEMA_NAME = SCHEMA + "name"
WDT_P31 = "http://www.wikidata.org/prop/direct/P31"

#: Our name properties and the weight of a match through them.
LOCAL_NAMES: dict[str, float] = {
    RDFS_LABEL: 1.0,
    SKOS + "prefLabel": 1.0,
    SKOS + "altLabel": 1.0,
    SKOS + "hiddenLabel": 0.8,
}
TARGET_NAMES: tuple[str, ...] = (RDFS_LABEL, SKOS + "prefLabel", SKOS + "altLabel", SCHEMA_NAME)
LINK_PROPERTIES: tuple[str, ...] = (OWL_SAME_AS, SKOS + "exactMatch", SKOS + "closeMatch")
KINDS: dict[str, str] = {"person": PE + "Person", "organization": PE + "Organization", "place": PE + "Place"}

EXACT_BAND = 0.95
TOKEN_MATCH = 0.85
FUZZY_CAP = 0.94
PERSON_CONFLICT_CAP = 0.5
SURNAME_ONLY_CAP = 0.55
WEAK_NAME = 0.8
LESS_SUPPORT = 0.8
TYPE_MISMATCH = 0.5
CLAIMED = 0.5
LEAD_MARGIN = 0.05

_KAZAKH = str.maketrans({"ұ": "u", "ү": "u", "қ": "k", "ғ": "g", "ң": "n", "ә": "a", "ө": "o", "і": "i", "һ": "h"})
_FOLDS = (("dzh", "j"), ("dj", "j"), ("zh", "j"), ("kh", "h"), ("q", "k"), ("ye", "e"), ("y", "i"))
_DOUBLE = re.compile(r"(.)\1+")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


# ---------------------------------------------------------------- names


@lru_cache(maxsize=65536)
def normalise(text: str) -> tuple[str, ...]:
    """The folded tokens of a name, for comparing across scripts and transliterations.

    >>> normalise("Тоқаев") == normalise("Toqaev") == normalise("Tokayev")
    True
    >>> normalise("Нұр Отан")
    ('nur', 'otan')
    """
    from unidecode import unidecode

    lowered = unicodedata.normalize("NFC", text).lower().translate(_KAZAKH)
    ascii_text = _NON_ALNUM.sub(" ", unidecode(lowered).lower())
    tokens = []
    for token in ascii_text.split():
        for old, new in _FOLDS:
            token = token.replace(old, new)
        tokens.append(_DOUBLE.sub(r"\1", token))
    return tuple(tokens)


@lru_cache(maxsize=262144)
def _token_similarity(a: str, b: str) -> float:
    return 1.0 if a == b else difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def name_score(ours: tuple[str, ...], theirs: tuple[str, ...], *, person: bool = False) -> float:
    """How well two normalised names agree, in [0, 1] (see the module docstring).

    >>> name_score(normalise("Kassym-Jomart Tokayev"), normalise("Qasym-Zhomart Toqaev"))
    1.0
    >>> name_score(normalise("Dariga Nazarbayeva"), normalise("Aliya Nazarbayeva"), person=True)
    0.5
    """
    if not ours or not theirs:
        return 0.0
    if ours == theirs or "".join(ours) == "".join(theirs):
        return 1.0
    if sorted(ours) == sorted(theirs):
        return 0.98
    pairs = sorted(
        ((_token_similarity(a, b), i, j) for i, a in enumerate(ours) for j, b in enumerate(theirs)),
        key=lambda x: (-x[0], x[1], x[2]),
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    matched = 0.0
    for sim, i, j in pairs:
        if sim < TOKEN_MATCH:
            break
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        matched += sim * (len(ours[i]) + len(theirs[j]))
    total = sum(map(len, ours)) + sum(map(len, theirs))
    score = min(matched / total, FUZZY_CAP)
    if person:
        shorter, used = (ours, used_a) if len(ours) <= len(theirs) else (theirs, used_b)
        if len(used) < len(shorter):
            score = min(score, PERSON_CONFLICT_CAP)
        elif len(shorter) == 1 < max(len(ours), len(theirs)):
            score = min(score, SURNAME_ONLY_CAP)
    return score


@dataclass(frozen=True)
class Name:
    """One name of an entity or item: its text, language and where it comes from."""

    text: str
    language: str | None
    source: str
    weight: float = 1.0

    @property
    def tokens(self) -> tuple[str, ...]:
        return normalise(self.text)


@dataclass(frozen=True)
class Entity:
    """A person, organisation or place of the dataset with its names and existing links."""

    iri: str
    kind: str
    names: tuple[Name, ...]
    linked_elsewhere: tuple[str, ...] = ()


@dataclass(frozen=True)
class TargetItem:
    """An item of the target graph: its names and its ``wdt:P31`` types."""

    iri: str
    names: tuple[Name, ...]
    types: tuple[str, ...] = ()


@dataclass(frozen=True)
class Candidate:
    """One proposed link: our entity, the target's item, the score and the names that agreed."""

    local: str
    candidate: str
    score: float
    ours: str
    theirs: str
    kind: str
    support: int = 1

    @property
    def label(self) -> str:
        return f"{self.ours} ↔ {self.theirs}"


# ---------------------------------------------------------------- reading our side


def _objects(
    store: pyoxigraph.Store,
    s: str | pyoxigraph.NamedNode | pyoxigraph.BlankNode | None,
    p: str,
    o: str | None = None,
) -> Iterator[pyoxigraph.Quad]:
    """Quads of ``store`` matching a subject (an IRI string or a node), a predicate IRI and an object IRI."""
    import pyoxigraph as ox

    subject = ox.NamedNode(s) if isinstance(s, str) else s
    yield from store.quads_for_pattern(subject, ox.NamedNode(p), ox.NamedNode(o) if o else None, None)


def read_entities(store: pyoxigraph.Store, links_graph: str | None = None) -> list[Entity]:
    """People, organisations and places of the dataset (subclasses included) with their names."""
    import pyoxigraph as ox

    supers: dict[str, set[str]] = {}
    for q in _objects(store, None, RDFS_SUBCLASS):
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
            supers.setdefault(q.subject.value, set()).add(q.object.value)

    def kind_of(cls: str) -> str | None:
        frontier, seen = {cls}, set()
        while frontier:
            for kind, root in KINDS.items():
                if root in frontier:
                    return kind
            seen |= frontier
            frontier = {s for c in frontier for s in supers.get(c, ()) if s not in seen}
        return None

    kinds: dict[str, str] = {}
    for q in _objects(store, None, RDF_TYPE):
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
            kind = kind_of(q.object.value)
            if kind and q.subject.value not in kinds:
                kinds[q.subject.value] = kind
    entities = []
    for iri, kind in sorted(kinds.items()):
        names: set[Name] = set()
        for prop, weight in LOCAL_NAMES.items():
            for q in _objects(store, iri, prop):
                if isinstance(q.object, ox.Literal):
                    names.add(Name(q.object.value, q.object.language, prop, weight))
        for q in _objects(store, iri, PE + "hasName"):
            if not isinstance(q.object, ox.NamedNode | ox.BlankNode):
                continue
            for n in _objects(store, q.object, PE + "name"):
                if isinstance(n.object, ox.Literal):
                    names.add(Name(n.object.value, n.object.language, PE + "name", 1.0))
        for q in _objects(store, None, PE + "mentionOf", iri):
            mention = q.subject
            if isinstance(mention, ox.Triple):
                continue
            misspelt = any(
                isinstance(m.object, ox.Literal) and m.object.value == "true"
                for m in _objects(store, mention, PE + "misspelled")
            )
            for n in _objects(store, mention, PE + "surfaceForm"):
                if isinstance(n.object, ox.Literal):
                    names.add(
                        Name(n.object.value, n.object.language, PE + "surfaceForm", WEAK_NAME if misspelt else 1.0)
                    )
        linked = sorted(
            {
                q.object.value
                for p in LINK_PROPERTIES
                for q in _objects(store, iri, p)
                if isinstance(q.object, ox.NamedNode)
                and (
                    links_graph is None
                    or not isinstance(q.graph_name, ox.NamedNode)
                    or q.graph_name.value != links_graph
                )
            }
        )
        best: dict[tuple[str, str | None], Name] = {}
        for name in sorted(names, key=lambda n: (-n.weight, n.source, n.text)):
            best.setdefault((name.text, name.language), name)
        entities.append(
            Entity(iri, kind, tuple(sorted(best.values(), key=lambda n: (n.text, n.language or ""))), tuple(linked))
        )
    return entities


def _anchor_types(store: pyoxigraph.Store, entities: list[Entity], items: dict[str, TargetItem]) -> dict[str, set[str]]:
    """Target types of the items our data already links to (sameAs/exactMatch), by kind of entity."""
    import pyoxigraph as ox

    anchors: dict[str, set[str]] = {}
    for e in entities:
        for p in (OWL_SAME_AS, SKOS + "exactMatch"):
            for q in _objects(store, e.iri, p):
                if isinstance(q.object, ox.NamedNode) and q.object.value in items:
                    anchors.setdefault(e.kind, set()).update(items[q.object.value].types)
    return anchors


def _claimed(store: pyoxigraph.Store, entities: list[Entity]) -> dict[str, set[str]]:
    """Target IRIs the data already declares identical (sameAs/exactMatch) to one of its entities."""
    import pyoxigraph as ox

    claimed: dict[str, set[str]] = {}
    for p in (OWL_SAME_AS, SKOS + "exactMatch"):
        for q in _objects(store, None, p):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
                claimed.setdefault(q.object.value, set()).add(q.subject.value)
    return claimed


# ---------------------------------------------------------------- reading the target

_NAMES_QUERY = """SELECT ?item ?p ?label WHERE {{
  VALUES ?p {{ {props} }}
  ?item ?p ?label . FILTER(isIRI(?item) && isLiteral(?label))
}} ORDER BY ?item ?p ?label LIMIT {limit} OFFSET {offset}"""
_TYPES_QUERY = """SELECT ?item ?type WHERE {{
  ?item <{p31}> ?type . FILTER(isIRI(?item) && isIRI(?type))
}} ORDER BY ?item ?type LIMIT {limit} OFFSET {offset}"""
PAGE = 10000
#: Rows read from an endpoint before giving up: link against a slice you host, not all of Wikidata.
MAX_ROWS = 2_000_000


def load_target(target: str, *, timeout: float = 60.0) -> dict[str, TargetItem]:
    """The items of a Wikidata-style graph: an RDF file (any format, .gz too) or a SPARQL endpoint URL."""
    if target.startswith(("http://", "https://")):
        rows = _remote_rows(target, timeout)
    else:
        rows = _file_rows(Path(target))
    names: dict[str, set[Name]] = {}
    types: dict[str, set[str]] = {}
    for kind, item, a, b, c in rows:
        if kind == "name":
            names.setdefault(item, set()).add(Name(b, c, a))
        else:
            types.setdefault(item, set()).add(a)
    return {
        iri: TargetItem(
            iri,
            tuple(sorted(names[iri], key=lambda n: (n.text, n.language or "", n.source))),
            tuple(sorted(types.get(iri, ()))),
        )
        for iri in sorted(names)
    }


Row = tuple[str, str, str, str, "str | None"]


def _file_rows(path: Path) -> list[Row]:
    import gzip

    import pyoxigraph as ox

    if not path.is_file():
        raise InputError(f"{path}: no such file (TARGET is an RDF file or an http(s):// SPARQL endpoint)")
    fmt = RdfFormat.from_path(path)
    try:
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        store = ox.Store()
        store.bulk_load(data, format=fmt.oxigraph)
    except (SyntaxError, OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read the target graph: {exc}") from exc
    rows: list[Row] = []
    for p in TARGET_NAMES:
        for q in store.quads_for_pattern(None, ox.NamedNode(p), None, None):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal):
                rows.append(("name", q.subject.value, p, q.object.value, q.object.language))
    for q in store.quads_for_pattern(None, ox.NamedNode(WDT_P31), None, None):
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
            rows.append(("type", q.subject.value, q.object.value, "", None))
    return rows


def _remote_rows(endpoint: str, timeout: float) -> list[Row]:
    props = " ".join(f"<{p}>" for p in TARGET_NAMES)
    rows: list[Row] = []
    for b in _paged(endpoint, lambda off: _NAMES_QUERY.format(props=props, limit=PAGE, offset=off), timeout):
        label = b["label"]
        rows.append(("name", b["item"]["value"], b["p"]["value"], label["value"], label.get("xml:lang")))
    for b in _paged(endpoint, lambda off: _TYPES_QUERY.format(p31=WDT_P31, limit=PAGE, offset=off), timeout):
        rows.append(("type", b["item"]["value"], b["type"]["value"], "", None))
    return rows


def _paged(endpoint: str, query_at: Callable[[int], str], timeout: float) -> Iterator[dict[str, dict[str, str]]]:
    """The bindings of ``query_at(offset)`` for offsets 0, PAGE, 2·PAGE… up to a short page; each request within ``timeout``."""
    import httpx

    from .. import remote

    doing = "cannot query the SPARQL endpoint"
    offset = 0
    with remote.client(timeout=timeout, headers={"Accept": "application/sparql-results+json"}) as client:
        while True:
            try:
                response = client.post(endpoint, data={"query": query_at(offset)})
            except httpx.HTTPError as exc:
                raise remote.error_for(exc, endpoint, doing=doing, timeout=timeout) from exc
            if response.status_code != 200:
                raise remote.status_error(response, endpoint, doing)
            try:
                bindings = response.json()["results"]["bindings"]
            except (ValueError, KeyError) as exc:
                raise RemoteError(f"{endpoint}: not a SPARQL JSON result: {exc}") from exc
            yield from bindings
            if len(bindings) < PAGE:
                return
            offset += PAGE
            if offset >= MAX_ROWS:
                raise RemoteError(
                    f"{endpoint}: more than {MAX_ROWS} label rows; link against a Wikidata-style slice "
                    "(the items you expect, as a file or a small endpoint), not a whole knowledge graph"
                )


# ---------------------------------------------------------------- matching


@dataclass
class LinkReport:
    """Every proposal of one run, sorted by local IRI then score (best first)."""

    target: str
    entities: list[Entity]
    items: int
    candidates: list[Candidate]
    min_score: float

    def best(self) -> dict[str, list[Candidate]]:
        out: dict[str, list[Candidate]] = {}
        for c in self.candidates:
            out.setdefault(c.local, []).append(c)
        return out

    def decisions(self, threshold: float) -> dict[str, Candidate]:
        """The candidate chosen per entity: the best, if it scores ``threshold`` and leads the next by 0.05."""
        chosen = {}
        for local, cands in self.best().items():
            top = cands[0]
            runner = cands[1].score if len(cands) > 1 else 0.0
            if top.score >= threshold and top.score - runner >= LEAD_MARGIN - 1e-9:
                chosen[local] = top
        return chosen

    def to_tsv(self, *, header: bool = True) -> str:
        lines = ["local\tcandidate\tscore\tlabel"] if header else []
        for c in self.candidates:
            label = c.label.replace("\t", " ").replace("\n", " ")
            lines.append(f"{c.local}\t{c.candidate}\t{c.score:.3f}\t{label}")
        return "".join(f"{line}\n" for line in lines)

    def to_json(self) -> str:
        body = {
            "target": self.target,
            "entities": len(self.entities),
            "items": self.items,
            "min_score": self.min_score,
            "candidates": [
                {**{k: v for k, v in asdict(c).items() if k != "score"}, "score": round(c.score, 3), "label": c.label}
                for c in self.candidates
            ],
        }
        return json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _block_keys(tokens: tuple[str, ...]) -> set[str]:
    return {t[:3] for t in tokens if len(t) >= 2}


def link_store(
    store: pyoxigraph.Store,
    items: dict[str, TargetItem],
    *,
    target: str = "",
    min_score: float = 0.6,
    top: int = 5,
    type_hints: dict[str, set[str]] | None = None,
    links_graph: str | None = None,
) -> LinkReport:
    """Propose target items for every person, organisation and place of ``store``."""
    entities = read_entities(store, links_graph)
    anchors = _anchor_types(store, entities, items)
    claimed = _claimed(store, entities)
    for kind, hinted in (type_hints or {}).items():
        anchors.setdefault(kind, set()).update(hinted)
    index: dict[str, set[str]] = {}
    for item in items.values():
        for n in item.names:
            for key in _block_keys(n.tokens):
                index.setdefault(key, set()).add(item.iri)
    out: list[Candidate] = []
    for e in entities:
        out.extend(_candidates(e, items, index, anchors, claimed, min_score, top))
    out.sort(key=lambda c: (c.local, -round(c.score, 3), c.candidate))
    return LinkReport(target=target, entities=entities, items=len(items), candidates=out, min_score=min_score)


def _candidates(
    e: Entity,
    items: dict[str, TargetItem],
    index: dict[str, set[str]],
    anchors: dict[str, set[str]],
    claimed: dict[str, set[str]],
    min_score: float,
    top: int,
) -> list[Candidate]:
    person = e.kind == "person"
    pool = sorted({iri for n in e.names for key in _block_keys(n.tokens) for iri in index.get(key, ())})
    scored: list[Candidate] = []
    for iri in pool:
        best: tuple[float, str, str] = (0.0, "", "")
        support: set[tuple[str, ...]] = set()
        for ours in e.names:
            for theirs in items[iri].names:
                raw = name_score(ours.tokens, theirs.tokens, person=person)
                if raw >= 0.9 and ours.weight >= 1.0:
                    support.add(ours.tokens)
                s = raw * ours.weight
                if s > best[0] or (s == best[0] and (ours.text, theirs.text) < best[1:]):
                    best = (s, ours.text, theirs.text)
        if best[0] <= 0.0:
            continue
        score = best[0]
        types = set(items[iri].types)
        own = anchors.get(e.kind, set())
        others = set().union(*(v for k, v in anchors.items() if k != e.kind)) - own
        if types and not types & own and types & others:
            score *= TYPE_MISMATCH
        if claimed.get(iri, set()) - {e.iri}:
            score *= CLAIMED
        scored.append(Candidate(e.iri, iri, score, best[1], best[2], e.kind, len(support)))
    most = max((c.support for c in scored), default=0)
    adjusted = [
        Candidate(
            c.local,
            c.candidate,
            c.score * (LESS_SUPPORT if c.support < most else 1.0),
            c.ours,
            c.theirs,
            c.kind,
            c.support,
        )
        for c in scored
    ]
    kept = [c for c in adjusted if round(c.score, 3) >= min_score]
    kept.sort(key=lambda c: (-c.score, c.candidate))
    return kept[:top]


def link_project(
    target: str,
    project_dir: Path = Path("."),
    dist_dir: Path | None = None,
    *,
    min_score: float = 0.6,
    top: int = 5,
    type_hints: dict[str, set[str]] | None = None,
    timeout: float = 60.0,
) -> LinkReport:
    """Propose links from the project's dataset (dist/ when built, else in memory) to ``target``."""
    from ..config import load_config
    from ..dataset import open_dataset

    config = load_config(project_dir)
    ds = open_dataset(config.root, dist_dir)
    items = load_target(target, timeout=timeout)
    return link_store(
        ds.store,
        items,
        target=target,
        min_score=min_score,
        top=top,
        type_hints=type_hints,
        links_graph=config.graph_iri(LINKS_FOLDER),
    )


# ---------------------------------------------------------------- accepting


LINKS_FOLDER = "links"
ACCEPTED_FILE = "accepted.ttl"


@dataclass(frozen=True)
class AcceptResult:
    """What ``--accept`` wrote."""

    path: Path
    added: list[tuple[str, str, str]]
    total: int


def accept_links(report: LinkReport, config: ProjectConfig, accept_min: float = 0.85) -> AcceptResult:
    """Write the chosen links to ``data/links/accepted.ttl`` (merged with what is there; deterministic).

    Entities already linked in another file of the data are left alone.
    """
    import pyoxigraph as ox

    from ..load import parse_file

    path = config.data_dir / LINKS_FOLDER / ACCEPTED_FILE
    existing: set[tuple[str, str, str]] = set()
    if path.is_file():
        for t in parse_file(path, config.base):
            if (
                t.predicate.value in LINK_PROPERTIES
                and isinstance(t.subject, ox.NamedNode)
                and isinstance(t.object, ox.NamedNode)
            ):
                existing.add((t.subject.value, t.predicate.value, t.object.value))
    elsewhere = {e.iri for e in report.entities if e.linked_elsewhere}
    notes: dict[tuple[str, str, str], str] = {}
    added: list[tuple[str, str, str]] = []
    for local, c in sorted(report.decisions(accept_min).items()):
        if local in elsewhere:
            continue
        prop = SKOS + ("exactMatch" if c.score >= EXACT_BAND else "closeMatch")
        same = [k for k in existing if k[0] == local and k[2] == c.candidate]
        key = same[0] if same else (local, prop, c.candidate)  # kept as it is (perhaps edited by hand)
        if not same:
            existing.add(key)
            added.append(key)
        notes[key] = f"# {c.score:.3f} {c.label}"
    if not existing and not path.is_file():
        return AcceptResult(path=path, added=[], total=0)  # nothing to write: no empty graph
    path.parent.mkdir(parents=True, exist_ok=True)
    text = _links_turtle(existing, config.base, notes)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        tmp = path.with_suffix(".ttl.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return AcceptResult(path=path, added=sorted(added), total=len(existing))


def _links_turtle(links: Iterable[tuple[str, str, str]], base: str, notes: dict[tuple[str, str, str], str]) -> str:
    prefixes = {"owl": PREFIXES["owl"], "skos": SKOS, "wd": WD}
    iri = IriNames(prefixes, base).compact

    lines = [
        "# Links accepted by `polevents link --accept`: the best candidate of each entity, scored by name",
        "# agreement (skos:exactMatch from 0.95, else skos:closeMatch). Review before publishing; edit freely:",
        "# the next --accept keeps what is here. Relative IRIs resolve against the project's base.",
    ]
    lines += [f"@prefix {n}: <{ns}> ." for n, ns in sorted(prefixes.items())]
    lines.append("")
    for key in sorted(links):
        if key in notes:
            lines.append(notes[key])
        s, p, o = key
        lines.append(f"{iri(s)} {iri(p)} {iri(o)} .")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class Metrics:
    """Precision and recall of the decisions at one threshold against a gold standard."""

    threshold: float
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        decided = self.true_positives + self.false_positives
        return self.true_positives / decided if decided else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0

    def __str__(self) -> str:
        return (
            f"threshold {self.threshold:.2f}: precision {self.precision:.3f} recall {self.recall:.3f} "
            f"(tp {self.true_positives}, fp {self.false_positives}, fn {self.false_negatives})"
        )


def read_gold(path: Path, base: str) -> dict[str, str | None]:
    """A gold standard: TSV lines ``local IRI<TAB>expected item IRI`` (empty or ``-`` when absent); # comments."""
    gold: dict[str, str | None] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the gold standard: {exc.strerror}") from exc
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        local = cells[0].strip()
        expected = cells[1].strip() if len(cells) > 1 else ""
        if not local:
            raise InputError(f"{path}:{n}: a gold line needs a local IRI")
        full = local if re.match(r"^[a-z][a-z0-9+.-]*:", local) else base + local
        gold[full] = expected if expected not in ("", "-") else None
    return gold


def evaluate(report: LinkReport, gold: dict[str, str | None], threshold: float) -> Metrics:
    """Count the decisions at ``threshold`` that agree with ``gold`` (entities outside the gold are ignored)."""
    decided = report.decisions(threshold)
    tp = fp = fn = 0
    for local, expected in gold.items():
        got = decided.get(local)
        if got is not None and got.candidate == expected:
            tp += 1
            continue
        if got is not None:
            fp += 1
        if expected is not None:
            fn += 1
    return Metrics(threshold, tp, fp, fn)
