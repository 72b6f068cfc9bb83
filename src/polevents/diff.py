"""What changed between two builds: quads added and removed, grouped by subject.

Both builds are read from their ``polevents.nq`` (parsed by Oxigraph, so any
N-Quads file works, not only the canonical one polevents writes) and compared
as sets of quads.  Two renderings:

``text``
    for people: one block per subject, sorted, the subject and every term written
    with the published prefixes (from the new build's ``context.jsonld``)::

        person:kassym-jomart-tokayev
          + skos:altLabel "Тоқаев"@kk  [graph:kazakhstan-reform-2022]
          - rdfs:label "Tokayev"@en  [graph:kazakhstan-reform-2022]

``patch``
    for machines: an RDF Patch (``TX .``, ``D`` rows, ``A`` rows, ``TC .``), each
    row an N-Quads statement, sorted.

Blank nodes are compared by their (canonical) labels: when the shape of a blank
node structure changes, its labels may shift and show as removed and re-added.
"""

from __future__ import annotations

import enum
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .dataset import DUMP_NQUADS as DUMP
from .errors import InputError, RdfSyntaxError
from .names import IriNames

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

__all__ = ["DatasetDiff", "DiffFormat", "diff_dists", "read_quads"]

CONTEXT = "context.jsonld"
VOID = "void.ttl"
DCAT_VERSION = "http://www.w3.org/ns/dcat#version"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class DiffFormat(enum.Enum):
    """How a diff is printed."""

    TEXT = "text"
    PATCH = "patch"

    @classmethod
    def from_name(cls, name: str) -> DiffFormat:
        for fmt in cls:
            if fmt.value == name.lower():
                return fmt
        raise InputError(f"unknown diff format {name!r}; use one of: {', '.join(f.value for f in cls)}")


def read_quads(dist: Path) -> dict[str, pyoxigraph.Quad]:
    """The quads of ``dist/polevents.nq``, keyed by their N-Quads form."""
    import pyoxigraph as ox

    dump = dist / DUMP
    if not dump.is_file():
        raise InputError(f"{dist}: no {DUMP} here; give a folder written by `polevents build`")
    try:
        return {str(q): q for q in ox.parse(path=str(dump), format=ox.RdfFormat.N_QUADS)}
    except SyntaxError as exc:
        raise RdfSyntaxError.from_parser(dump, exc) from exc


def _prefixes(dist: Path) -> dict[str, str]:
    from .export.prefixes import EXTRA_PREFIXES
    from .vocab import PREFIXES

    context = dist / CONTEXT
    if context.is_file():
        try:
            mapping = json.loads(context.read_text(encoding="utf-8")).get("@context", {})
            if isinstance(mapping, dict):
                return {k: v for k, v in mapping.items() if isinstance(v, str) and not k.startswith("@")}
        except (json.JSONDecodeError, UnicodeDecodeError):
            pass
    return {**PREFIXES, **EXTRA_PREFIXES}


def _version(dist: Path) -> str | None:
    import pyoxigraph as ox

    void = dist / VOID
    if not void.is_file():
        return None
    try:
        versions = sorted(
            q.object.value
            for q in ox.parse(path=str(void), format=ox.RdfFormat.TURTLE)
            if q.predicate.value == DCAT_VERSION
        )
    except SyntaxError:
        return None
    return versions[0] if versions else None


class _Names:
    """Terms written with prefixes, for people."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.names = IriNames(prefixes)

    def iri(self, iri: str) -> str:
        return self.names.compact(iri)

    def term(self, term: object) -> str:
        import pyoxigraph as ox

        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        if isinstance(term, ox.Literal):
            quoted = str(ox.Literal(term.value))  # N-Triples escapes, no datatype
            if term.language:
                return f"{quoted}@{term.language}"
            if term.datatype.value == XSD_STRING:
                return quoted
            return f"{quoted}^^{self.iri(term.datatype.value)}"
        return str(term)


@dataclass(frozen=True)
class DatasetDiff:
    """The quads only in the old build (removed) and only in the new one (added)."""

    old: Path
    new: Path
    removed: dict[str, pyoxigraph.Quad]
    added: dict[str, pyoxigraph.Quad]
    old_version: str | None
    new_version: str | None
    prefixes: dict[str, str]

    @property
    def changed_subjects(self) -> int:
        """Number of subjects with at least one quad added or removed."""
        return len({q.subject for q in (*self.removed.values(), *self.added.values())})

    def summary(self) -> str:
        """One line: counts and versions."""
        versions = ""
        if self.old_version or self.new_version:
            versions = f" (version {self.old_version or '?'} -> {self.new_version or '?'})"
        return (
            f"{len(self.added)} quad(s) added, {len(self.removed)} removed, "
            f"{self.changed_subjects} subject(s) changed{versions}"
        )

    def render(self, fmt: DiffFormat) -> str:
        """The diff as text or as an RDF Patch."""
        return self.to_patch() if fmt is DiffFormat.PATCH else self.to_text()

    def to_text(self) -> str:
        """One block per subject (sorted); lines by predicate, ``-`` before ``+``, each with its graph."""
        names = _Names(self.prefixes)
        blocks: dict[str, list[tuple[str, int, str, str]]] = defaultdict(list)
        for order, quads in enumerate((self.removed, self.added)):
            for q in quads.values():
                blocks[names.term(q.subject)].append(
                    (names.term(q.predicate), order, names.term(q.object), names.term(q.graph_name))
                )
        out: list[str] = []
        for subject in sorted(blocks):
            out.append(subject)
            # by predicate; within one, what was removed before what was added
            for predicate, order, obj, graph in sorted(blocks[subject]):
                out.append(f"  {'-+'[order]} {predicate} {obj}  [{graph}]")
        return "".join(f"{line}\n" for line in out)

    def to_patch(self) -> str:
        """An RDF Patch: delete rows, then add rows, in N-Quads order."""
        rows = ["TX ."]
        rows += [f"D {key} ." for key in sorted(self.removed)]
        rows += [f"A {key} ." for key in sorted(self.added)]
        rows.append("TC .")
        return "".join(f"{row}\n" for row in rows)


def diff_dists(old: Path, new: Path) -> DatasetDiff:
    """Compare two build folders (each with a ``polevents.nq``)."""
    before = read_quads(old)
    after = read_quads(new)
    return DatasetDiff(
        old=old,
        new=new,
        removed={k: q for k, q in before.items() if k not in after},
        added={k: q for k, q in after.items() if k not in before},
        old_version=_version(old),
        new_version=_version(new),
        prefixes=_prefixes(new) if (new / CONTEXT).is_file() else _prefixes(old),
    )
