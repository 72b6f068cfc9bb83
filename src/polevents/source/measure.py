"""Measuring a draft: recall and precision of its proposals against the facts an editor wrote.

*Gold items* are what a facts file states that a draft could propose: the lexical forms of its
dates (``xsd:date``, ``gYearMonth``, ``gYear``, bounds included), its numbers (amounts,
percentages, counts; not bookkeeping such as ``pe:ordinal``), its quotations, its named entities
(people, organisations, places with their names) and the spellings of its ``pe:NameMention`` s.

* **recall** — the share of gold items some proposal gives (an entity counts when a proposed name
  agrees with one of its names, :func:`polevents.source.entities.name_match` either way round);
* **precision** — the share of proposals that give a gold item.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from .draft import KNOWN_MATCH, Draft, Proposal, decimal_text

if TYPE_CHECKING:  # pragma: no cover
    from .entities import EntityRecord

__all__ = ["DraftScore", "GoldItem", "gold_items", "score_draft"]


@dataclass(frozen=True)
class GoldItem:
    """What an editor's facts state that a draft should propose: kind and value."""

    kind: str
    value: str
    #: names of an entity (for "mention" items)
    names: tuple[str, ...] = ()


@dataclass
class DraftScore:
    """Recall (share of the gold items proposed) and precision (share of proposals that are right)."""

    found: dict[str, tuple[int, int]] = field(default_factory=dict)
    right: dict[str, tuple[int, int]] = field(default_factory=dict)
    missed: list[GoldItem] = field(default_factory=list)
    wrong: list[Proposal] = field(default_factory=list)

    @property
    def recall(self) -> float:
        hit = sum(h for h, _ in self.found.values())
        total = sum(t for _, t in self.found.values())
        return hit / total if total else 1.0

    @property
    def precision(self) -> float:
        hit = sum(h for h, _ in self.right.values())
        total = sum(t for _, t in self.right.values())
        return hit / total if total else 1.0

    def __str__(self) -> str:
        per = ", ".join(f"{k} {h}/{t}" for k, (h, t) in sorted(self.found.items()))
        ok = ", ".join(f"{k} {h}/{t}" for k, (h, t) in sorted(self.right.items()))
        return f"recall {self.recall:.2f} ({per}); precision {self.precision:.2f} ({ok})"


def gold_items(triples: Iterable[tuple[str, str, object]], known: Iterable[EntityRecord] = ()) -> list[GoldItem]:
    """The dates, numbers (amounts, percentages, counts), quotations and named entities of a facts graph.

    ``triples`` are (subject, predicate, object) with IRIs as strings and literals as
    ``pyoxigraph.Literal`` (or anything with ``value`` and ``datatype``).  The people,
    organisations and places of ``known`` (the dataset the draft was matched against) that
    the facts refer to are named entities of the facts too.
    """
    from ..vocab import PE, RDF, RDFS, SCHEMA, SKOS, XSD

    names: dict[str, set[str]] = {}
    types: dict[str, set[str]] = {}
    items: set[GoldItem] = set()
    referenced: set[str] = set()
    for s, p, o in triples:
        value = getattr(o, "value", o)
        if isinstance(o, str):
            referenced.add(o)
        datatype = getattr(getattr(o, "datatype", None), "value", None)
        if p == RDF + "type":
            types.setdefault(s, set()).add(str(value))
        elif p in (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", SKOS + "hiddenLabel"):
            names.setdefault(s, set()).add(str(value))
        elif p == PE + "quote":
            items.add(GoldItem("quotation", " ".join(str(value).split())))
        elif p == PE + "surfaceForm":
            items.add(GoldItem("mention", str(value), (str(value),)))
        elif datatype in (XSD + "date", XSD + "gYearMonth", XSD + "gYear"):
            items.add(GoldItem("date", str(value)))
        elif datatype in (XSD + "decimal", XSD + "integer", XSD + "double", XSD + "nonNegativeInteger") and p not in (
            PE + "ordinal",
            PE + "sentenceIndex",
            PE + "startOffset",
            PE + "endOffset",
            PE + "characterCount",
        ):
            items.add(GoldItem("number", decimal_text(Decimal(str(value)))))
        elif p == SCHEMA + "value":
            items.add(GoldItem("number", decimal_text(Decimal(str(value)))))
    named = {PE + c for c in ("Person", "Organization", "PoliticalParty", "PublicBody", "Place")}
    for s, ts in types.items():
        if ts & named and s in names:
            items.add(GoldItem("entity", s, tuple(sorted(names[s]))))
    for record in known:
        if record.iri in referenced and record.iri not in types and set(record.types) & named:
            items.add(GoldItem("entity", record.iri, tuple(sorted(n.text for n in record.names))))
    return sorted(items, key=lambda g: (g.kind, g.value))


def _names_agree(a: str, b: str) -> bool:
    from .entities import name_match

    return max(name_match(a, b), name_match(b, a)) >= KNOWN_MATCH


def score_draft(draft: Draft, gold: Sequence[GoldItem]) -> DraftScore:
    """Recall and precision of ``draft`` against the items of an editor's facts (:func:`gold_items`)."""
    score = DraftScore()
    proposed_dates = {p.value for p in draft.of_kind("date")} | {b for p in draft.of_kind("date") for b in p.extra}
    proposed_numbers = {p.value for p in draft.of_kind("amount", "percent", "count")}
    quotes = [" ".join(p.text.split()) for p in draft.of_kind("quotation")]
    named = [p.text for p in draft.of_kind("entity", "mention", "reuse")] + [
        x for p in draft.of_kind("reuse") for x in p.extra
    ]
    reused = {p.value for p in draft.of_kind("reuse", "mention")}

    def found(g: GoldItem) -> bool:
        if g.kind == "date":
            return g.value in proposed_dates
        if g.kind == "number":
            return g.value in proposed_numbers
        if g.kind == "quotation":
            return any(g.value in q or q in g.value for q in quotes)
        if g.kind == "mention":
            return g.value in named
        return g.value in reused or any(_names_agree(n, x) for n in g.names for x in named)

    groups = {
        "date": "dates",
        "number": "numbers",
        "quotation": "quotations",
        "mention": "mentions",
        "entity": "mentions",
    }
    for g in gold:
        key = groups[g.kind]
        hit, total = score.found.get(key, (0, 0))
        ok = found(g)
        score.found[key] = (hit + ok, total + 1)
        if not ok:
            score.missed.append(g)

    gold_dates = {g.value for g in gold if g.kind == "date"}
    gold_numbers = {g.value for g in gold if g.kind == "number"}
    gold_quotes = [g.value for g in gold if g.kind == "quotation"]
    gold_names = [n for g in gold if g.kind in ("entity", "mention") for n in g.names]

    def right(p: Proposal) -> bool:
        if p.kind == "date":
            return p.value in gold_dates
        if p.kind in ("amount", "percent", "count"):
            return p.value in gold_numbers
        if p.kind == "quotation":
            text = " ".join(p.text.split())
            return any(text in q or q in text for q in gold_quotes)
        if p.kind in ("reuse", "mention") and p.value in gold_iris:
            return True
        return any(_names_agree(p.text, n) for n in gold_names)

    groups_p = {
        "date": "dates",
        "amount": "numbers",
        "percent": "numbers",
        "count": "numbers",
        "quotation": "quotations",
        "entity": "mentions",
        "mention": "mentions",
        "reuse": "mentions",
    }
    gold_iris = {g.value for g in gold if g.kind == "entity"}
    for p in draft.proposals:
        key = groups_p[p.kind]
        hit, total = score.right.get(key, (0, 0))
        ok = right(p)
        score.right[key] = (hit + ok, total + 1)
        if not ok:
            score.wrong.append(p)
    return score
