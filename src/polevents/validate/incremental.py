"""The screen after a change: each query re-checks only the focus nodes the change can affect.

A rebuild with the kept validation store (:mod:`polevents.verdict_store`) knows the last
check's results, query by query (:class:`Memory`; that content conformed) and the triples that
changed since (removed and added).  For every query of the screen, :mod:`.footprint` proves from
the query text which focus nodes' answers may differ; the query runs on those only
(``VALUES ?this``) and the last results stand for the others.  The merged report equals a full
screen of the new content (``tests/test_incremental.py`` checks it against a full screen and
pyshacl on random edits).  A query runs in full when its footprint is unbounded, when more than
:data:`MAX_FOCUS` nodes may be affected, or when an affected focus node is not an IRI; every
query runs in full when a triple of the class hierarchy (:data:`.footprint.GUARDED`) changed or
there is no memory.  Shapes, ontology or code changed: the caller checks everything afresh.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from .footprint import GUARDED, affected, footprint
from .screen import CompiledShapes, ScreenReport, ScreenResult, screen

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

__all__ = ["MAX_FOCUS", "Memory", "Plan", "screen_incremental"]

#: Above this many possibly affected focus nodes a query runs in full (a VALUES clause of
#: that size is no longer cheaper).
MAX_FOCUS: Final = 5_000

#: One remembered result: [query index, rule, focus node, severity].
Entry = list[object]


@dataclass
class Memory:
    """The results of a screen, per query (what an incremental check keeps for unaffected nodes)."""

    queries: int
    entries: list[Entry] = field(default_factory=list)
    #: the ill-typed literals of the constrained datatypes found in the store (SPARQL terms per
    #: datatype, :func:`polevents.validate.literals.ill_typed`); None: not known
    ill_typed: dict[str, list[str]] | None = None

    def to_json(self) -> dict[str, object]:
        return {"queries": self.queries, "entries": self.entries, "ill_typed": self.ill_typed}

    @classmethod
    def from_json(cls, data: object) -> Memory | None:
        if not isinstance(data, dict) or not isinstance(data.get("queries"), int):
            return None
        entries = data.get("entries")
        if not isinstance(entries, list) or not all(isinstance(e, list) and len(e) == 4 for e in entries):
            return None
        bad = data.get("ill_typed")
        known = isinstance(bad, dict) and all(
            isinstance(v, list) and all(isinstance(t, str) for t in v) for v in bad.values()
        )
        return cls(data["queries"], entries, bad if known else None)


class Plan:
    """For :func:`polevents.validate.screen.screen`: the focus nodes each query re-checks."""

    def __init__(
        self, store: pyoxigraph.Store, changed: Sequence[pyoxigraph.Triple] | None, memory: Memory | None
    ) -> None:
        self.store = store
        self.changed = changed
        self.memory = memory
        self.kept: dict[int, list[ScreenResult]] = {}
        if memory is not None:
            for index, rule, focus, severity in memory.entries:
                self.kept.setdefault(int(str(index)), []).append(ScreenResult(str(rule), str(focus), str(severity)))
        self.new = Memory(0)
        self.full = 0
        self.narrowed = 0
        self.rechecked = 0

    @property
    def everything(self) -> bool:
        """No narrowing at all: no change list, no memory, or the class hierarchy changed."""
        if self.changed is None or self.memory is None:
            return True
        return any(t.predicate.value in GUARDED for t in self.changed)

    def ill_typed(self, compiled: CompiledShapes) -> dict[str, list[str]]:
        """The ill-typed literals the screen's queries must know: those of the last check and those
        the change added (a literal's typing depends on the literal alone, so no other can be in the
        store; one the change removed stays listed, which changes no answer), else a scan of the store."""
        from .literals import ill_typed

        last = self.memory.ill_typed if self.memory is not None else None
        if self.everything or last is None:
            bad = ill_typed(self.store, compiled.datatypes, compiled.datatype_paths)
        else:
            bad = ill_typed(self.store, compiled.datatypes, compiled.datatype_paths, among=self.changed)
            bad = {dt: sorted(set(terms) | set(last.get(dt, []))) for dt, terms in bad.items()}
        self.new.ill_typed = bad
        return bad

    def focus(self, index: int, query: str) -> list[str] | None:
        import pyoxigraph as ox

        if self.everything:
            self.full += 1
            return None
        assert self.changed is not None
        fp = footprint(query)
        nodes = affected(self.store, fp, self.changed, MAX_FOCUS) if fp is not None else None
        if nodes is None or not all(isinstance(n, ox.NamedNode) for n in nodes):
            self.full += 1
            return None
        self.narrowed += 1
        self.rechecked += len(nodes)
        return sorted(str(n) for n in nodes)

    def merge(self, index: int, focus: list[str] | None, found: set[ScreenResult]) -> set[ScreenResult]:
        results = set(found)
        if focus is not None:
            rechecked = {f[1:-1] for f in focus}  # <iri> → iri
            results |= {r for r in self.kept.get(index, []) if r.focus not in rechecked}
        self.new.queries = max(self.new.queries, index + 1)
        self.new.entries.extend([index, r.rule, r.focus, r.severity] for r in sorted(results, key=_order))
        return results


def _order(r: ScreenResult) -> tuple[str, str, str]:
    return (r.rule, r.focus, r.severity)


def screen_incremental(
    store: pyoxigraph.Store,
    compiled: CompiledShapes,
    changed: Iterable[pyoxigraph.Triple] | None,
    memory: Memory | None,
    progress: object = None,
) -> tuple[ScreenReport, Memory, str]:
    """Screen ``store`` after ``changed`` triples (None: unknown, check everything), keeping the
    results in ``memory`` (the last check's, whose content conformed) where nothing changed.

    Returns the report (equal to a full screen's), the memory of this check, and a summary."""
    triples = list(changed) if changed is not None else None
    if memory is not None and memory.queries != compiled.queries:
        memory = None  # not the same queries: nothing to keep
    plan = Plan(store, triples, memory)
    report = screen(store, compiled, progress=progress if callable(progress) else None, plan=plan)
    plan.new.queries = compiled.queries
    if plan.narrowed:
        note = (
            f"{plan.narrowed} of {report.queries} queries on the {plan.rechecked} focus node(s) the change can "
            f"affect, {plan.full} in full"
        )
    else:
        note = f"all {report.queries} queries in full"
    return report, plan.new, note
