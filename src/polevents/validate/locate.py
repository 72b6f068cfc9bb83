"""Where a validation result comes from: the file and line of the triple that carries it.

A result is attributed to the triple that carries the offending value (focus node, path, value),
wherever that triple is: a second source that adds a bad value to a node the first source
declares is reported at the second source's file and line, under the second source.  A result
without a value (a missing value, a node-level constraint) is attributed to the file that declares
the focus node's type, and lists every other file that adds to that node.

Lines are exact for the line-based formats (Turtle, TriG, N-Triples, N-Quads): the file is parsed
again by Oxigraph, fed one line at a time, so the parser hands out each triple on the line where
its object ends.  Triples come out in the order the loader read them, so the n-th triple of a file
is the n-th triple of its :class:`~polevents.load.SourceGraph` slice.  This costs one more parse of
the files that have results, and nothing when the data conforms.  Other formats (JSON-LD, RDF/XML)
get the first line that mentions the focus node (:func:`find_line`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..formats import RdfFormat

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

    from ..load import Project, SourceGraph
    from . import ValidationResult

__all__ = ["Location", "ResultLocator", "TripleLocator", "find_line", "triple_lines"]

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_LINE_FORMATS = (RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.NTRIPLES, RdfFormat.NQUADS)


@dataclass(frozen=True)
class Location:
    """A place in the project: the source graph (folder of data/, or None for the ontology), file, line."""

    graph: str | None
    file: Path
    line: int | None


class _OneLine(io.RawIOBase):
    """A byte stream that hands out one line per read, so a parser cannot run ahead of the line."""

    def __init__(self, data: bytes) -> None:
        self.lines = data.splitlines(keepends=True)
        self.number = 0  # lines handed out whole
        self.current = 0  # the line of the last byte handed out (1-based)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self.number >= len(self.lines):
            return 0
        line = self.lines[self.number]
        if len(line) > len(buffer):  # a line longer than the parser's buffer: hand it out in parts
            buffer[:] = line[: len(buffer)]
            self.lines[self.number] = line[len(buffer) :]
            self.current = self.number + 1
            return len(buffer)
        self.number += 1
        self.current = self.number
        buffer[: len(line)] = line
        return len(line)


def triple_lines(path: Path, base: str) -> list[int] | None:
    """The line (1-based) of each triple of ``path``, in the order the loader reads them.

    ``None`` for formats without meaningful lines (JSON-LD, RDF/XML) or a file that cannot be read.
    """
    import pyoxigraph as ox

    try:
        fmt = RdfFormat.from_path(path)
    except Exception:
        return None
    if fmt not in _LINE_FORMATS:
        return None
    try:
        stream = _OneLine(path.read_bytes())
        quads = ox.parse(stream, format=fmt.oxigraph, base_iri=base)  # type: ignore[arg-type]
        return [stream.current for _quad in quads]
    except (OSError, SyntaxError):
        return None


class TripleLocator:
    """Finds the files and lines of triples and nodes of a loaded project (computed on demand)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.base = project.config.base
        self._lines: dict[Path, list[int] | None] = {}
        self._by_subject: dict[str, dict[str, list[int]]] = {}

    def lines(self, path: Path) -> list[int] | None:
        if path not in self._lines:
            self._lines[path] = triple_lines(path, self.base)
        return self._lines[path]

    def _index(self, src: SourceGraph) -> dict[str, list[int]]:
        """Subject (IRI or blank node id) -> positions of its triples in ``src.triples``."""
        if src.name not in self._by_subject:
            index: dict[str, list[int]] = {}
            for i, t in enumerate(src.triples):
                index.setdefault(str(getattr(t.subject, "value", t.subject)), []).append(i)
            self._by_subject[src.name] = index
        return self._by_subject[src.name]

    def _place(self, src: SourceGraph, position: int) -> Location:
        """The file and line of ``src.triples[position]``."""
        start = 0
        sizes = src.file_sizes or [len(src.triples)]
        for path, size in zip(src.files, sizes, strict=False):
            if position < start + size:
                lines = self.lines(path)
                line = lines[position - start] if lines is not None and len(lines) == size else None
                if line is None:
                    t = src.triples[position]
                    line = find_line(_read_lines(path), str(getattr(t.subject, "value", "")), self.base)
                return Location(src.name, path, line)
            start += size
        return Location(src.name, src.files[-1], None)

    def triple(self, subject: str, predicate: str | None, value: str | None) -> list[Location]:
        """Every place stating ``subject predicate value`` (``value`` in N-Triples form; ``None``:
        any value), first the sources in load order."""
        found: list[Location] = []
        wanted = _term(value) if value is not None else None
        for src in self.project.sources:
            for i in self._index(src).get(subject, []):
                t = src.triples[i]
                if predicate is not None and t.predicate.value != predicate:
                    continue
                if value is not None and (wanted is None or t.object != wanted):
                    continue
                found.append(self._place(src, i))
        return found

    def node(self, subject: str) -> list[Location]:
        """Where ``subject`` is described: the triple(s) typing it first, then the first triple of
        every other file adding to it; one location per file."""
        typed = self.triple(subject, _RDF_TYPE, None)
        places: dict[Path, Location] = {}
        for loc in typed:
            places.setdefault(loc.file, loc)
        for src in self.project.sources:
            positions = self._index(src).get(subject, [])
            for loc in (self._place(src, i) for i in _first_per_file(src, positions)):
                places.setdefault(loc.file, loc)
        return list(places.values())


def _first_per_file(src: SourceGraph, positions: list[int]) -> Iterator[int]:
    """The first of ``positions`` in each file of ``src``."""
    sizes = src.file_sizes or [len(src.triples)]
    bounds = []
    start = 0
    for size in sizes:
        bounds.append((start, start + size))
        start += size
    for lo, hi in bounds:
        for p in positions:
            if lo <= p < hi:
                yield p
                break


def _term(nt: str) -> pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | None:
    """The Oxigraph term written ``nt`` in N-Triples (as a report gives values), if it parses."""
    import pyoxigraph as ox

    if nt.startswith("_:"):
        return ox.BlankNode(nt[2:])
    try:
        (quad,) = ox.parse(f"<x:s> <x:p> {nt} .", format=ox.RdfFormat.N_TRIPLES)
    except (SyntaxError, ValueError):
        return None
    obj = quad.object
    return obj if isinstance(obj, (ox.NamedNode, ox.BlankNode, ox.Literal)) else None


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []


_PREFIX_RE = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)
_NAME_CHAR = re.compile(r"[\w\-.:%]")


def find_line(lines: Sequence[str], iri: str, base: str) -> int | None:
    """The first line (1-based) of a Turtle file that describes ``iri``.

    The IRI may be written relative to ``base`` (``<id/person/x>``), absolute,
    or as a prefixed name of a prefix the file declares.  A line that starts
    with one of these (the subject of a statement) wins; else the first line
    that mentions one; else ``None``.
    """
    spellings = [f"<{iri}>"]
    if base and iri.startswith(base):
        spellings.append(f"<{iri[len(base) :]}>")
    for line in lines:
        m = _PREFIX_RE.match(line)
        if not m:
            continue
        ns = m.group(2)
        if not re.match(r"^[a-zA-Z][\w+.-]*:", ns):
            ns = base + ns  # a relative namespace, resolved against the base
        if iri.startswith(ns) and len(iri) > len(ns):
            local = iri[len(ns) :]
            if re.fullmatch(r"[\w\-.%]+", local) and not local.endswith("."):
                spellings.append(f"{m.group(1) or ''}:{local}")

    def mentions(text: str, at_start: bool) -> bool:
        for s in spellings:
            idx = text.find(s)
            while idx != -1:
                before_ok = idx == 0 or (not at_start and not _NAME_CHAR.match(text[idx - 1]))
                end = idx + len(s)
                after_ok = end >= len(text) or s.endswith(">") or not _NAME_CHAR.match(text[end])
                if before_ok and after_ok and (not at_start or idx == 0):
                    return True
                if at_start:
                    break
                idx = text.find(s, idx + 1)
        return False

    for number, line in enumerate(lines, start=1):
        if mentions(line.lstrip(), at_start=True):
            return number
    for number, line in enumerate(lines, start=1):
        stripped = line.lstrip()
        if stripped.startswith("#"):
            continue
        if mentions(line, at_start=False):
            return number
    return None


class ResultLocator:
    """Adds the source graph, file and line a result comes from (through :class:`TripleLocator`):
    the triple carrying its value, else the node's type declaration and every file adding to it."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.root = project.config.root
        self.base = project.config.base
        self.triples = TripleLocator(project)
        self._lines: dict[Path, list[str]] = {}

    def __call__(self, result: ValidationResult) -> ValidationResult:
        import dataclasses

        places = []
        if result.value is not None and result.path is not None and "<" not in result.path:
            places = self.triples.triple(result.focus, result.path, result.value)
        if not places:
            places = self.triples.node(result.focus)
        if not places:  # not described by any source: perhaps by the ontology
            for candidate in self.project.ontology_files:
                line = find_line(self._read(candidate), result.focus, self.base)
                if line is not None:
                    return dataclasses.replace(result, file=self._relative(candidate), line=line)
            return result
        first, *others = places
        also = tuple(f"{self._relative(o.file)}:{o.line}" if o.line else self._relative(o.file) for o in others)
        return dataclasses.replace(
            result, graph=first.graph, file=self._relative(first.file), line=first.line, also=also
        )

    def _relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def _read(self, path: Path) -> list[str]:
        if path not in self._lines:
            self._lines[path] = _read_lines(path)
        return self._lines[path]
