"""Validate stage: check the data against the SHACL shapes and report what is wrong, where.

The union of all source graphs is validated with pyshacl against ``shapes/``,
with the whole ontology mixed into the data graph (so ``sh:targetClass
pe:Event`` also reaches ``pe:Merger`` and the SKOS schemes of hedges and
kinships are visible; no RDFS/OWL inference is run).  The data goes into an
in-memory Oxigraph store that pyshacl reads directly (:func:`validate_triples`,
used by :func:`validate_project`); :func:`validate_graphs` runs the same check
on an rdflib graph.  The SPARQL-based rules are written as SPARQL targets too
(see the header of ``shapes/polevents-shapes.ttl``), so conforming data costs
one query per rule.  The report keeps,
for every result, what an author needs to fix it: the focus node and its label,
the path and the offending value, the shape's message and hint (``pesh:hint``
in the shapes), and the file and line where the focus node is described.

Three renderings, all byte-deterministic:

``to_text()``
    grouped by source graph; one block per result::

        data/demo/facts.ttl:12: Violation: Tokayev as chair (<id/tenure/tokayev>) path=pe:endDate value="2021"^^xsd:gYear: The end date 2021 is before ...
            hint: Check both dates against the source; ...

    then one summary line.
``to_json()``
    ``{"conforms": bool, "summary": {...}, "results": [...]}``; the keys of a
    result are documented in :data:`JSON_RESULT_KEYS`.  IRIs are absolute;
    ``value`` is the N-Triples form of the value node; ``path`` is the
    predicate IRI, or a SPARQL property path for complex SHACL paths.
``to_turtle()``
    pyshacl's ``sh:ValidationReport`` graph, with each result's hint added as
    ``pesh:hint``, blank nodes numbered in report order.

Severities: ``sh:Violation`` makes the data non-conforming; ``sh:Warning`` and
``sh:Info`` results are reported but do not (the build goes ahead).
"""

from __future__ import annotations

import contextlib
import enum
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..names import compact_iri
from ..vocab import PREFIXES
from .locate import ResultLocator, find_line

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph
    import rdflib
    from rdflib.term import Node

    from ..load import Project
    from .terms import TermProblem

__all__ = [
    "JSON_RESULT_KEYS",
    "SHAPES_NS",
    "ReportFormat",
    "ValidationReport",
    "ValidationResult",
    "count_shapes",
    "find_line",
    "no_shapes_error",
    "validate_graphs",
    "validate_project",
    "validate_triples",
]

#: Namespace of the polevents shapes (``pesh:``); ``pesh:hint`` annotates shapes with a fix.
SHAPES_NS = "https://w3id.org/polevents/shapes#"
#: The prefixes a report writes names with.
_REPORT_PREFIXES = {**PREFIXES, "pesh": SHAPES_NS}
SH = "http://www.w3.org/ns/shacl#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREFLABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"

#: Keys of one result in :meth:`ValidationReport.to_json`, with their meaning.
JSON_RESULT_KEYS: dict[str, str] = {
    "severity": "Violation, Warning or Info",
    "focus": "IRI of the node that failed the check",
    "focusLabel": "its rdfs:label (English preferred), or null",
    "path": "IRI of the property checked, a SPARQL property path, or null",
    "value": "the offending value in N-Triples form, or null",
    "message": "what is wrong and what was expected",
    "hint": "how to fix it, or null",
    "sourceShape": "IRI of the shape that failed",
    "constraintComponent": "IRI of the SHACL constraint component",
    "sourceConstraint": "IRI of the SPARQL constraint, or null",
    "graph": "name of the source graph (folder under data/) describing the focus node, or null",
    "file": "file describing the focus node, relative to the project, or null",
    "line": "first line of that file describing the focus node (1-based), or null",
    "also": "other places (file:line) stating the same triple or adding to the same node",
}

_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}
_SEVERITY_NOUN = {"Violation": "violation", "Warning": "warning", "Info": "info result"}


def _severities(results: Sequence[ValidationResult]) -> list[str]:
    found = {r.severity for r in results}
    return sorted(found, key=lambda s: (_SEVERITY_ORDER.get(s, 3), s))


class ReportFormat(enum.Enum):
    """How ``polevents validate`` prints its report."""

    TEXT = "text"
    TURTLE = "turtle"
    JSON = "json"

    @classmethod
    def from_name(cls, name: str) -> ReportFormat:
        for fmt in cls:
            if fmt.value == name.lower():
                return fmt
        allowed = ", ".join(f.value for f in cls)
        raise InputError(f"unknown report format {name!r}; use one of: {allowed}")


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL validation result, with where to find and how to fix it."""

    severity: str
    focus: str
    focus_label: str | None
    path: str | None
    value: str | None
    message: str
    hint: str | None
    source_shape: str
    constraint_component: str
    source_constraint: str | None = None
    graph: str | None = None
    file: str | None = None
    line: int | None = None
    #: other places (``file:line``) stating the same triple, or adding to the same node
    also: tuple[str, ...] = ()

    def sort_key(self) -> tuple[Any, ...]:
        """Order of results in every rendering: by graph, file, line, focus, then rule."""
        return (
            self.graph or "\uffff",
            self.file or "\uffff",
            self.line if self.line is not None else 1 << 30,
            self.focus,
            _SEVERITY_ORDER.get(self.severity, 9),
            self.path or "",
            self.source_shape,
            self.constraint_component,
            self.value or "",
            self.message,
        )

    def to_dict(self) -> dict[str, Any]:
        """The result as in :meth:`ValidationReport.to_json` (keys of :data:`JSON_RESULT_KEYS`)."""
        return {
            "severity": self.severity,
            "focus": self.focus,
            "focusLabel": self.focus_label,
            "path": self.path,
            "value": self.value,
            "message": self.message,
            "hint": self.hint,
            "sourceShape": self.source_shape,
            "constraintComponent": self.constraint_component,
            "sourceConstraint": self.source_constraint,
            "graph": self.graph,
            "file": self.file,
            "line": self.line,
            "also": list(self.also),
        }


@dataclass
class ValidationReport:
    """The outcome of a validation: conforms, and every result in a stable order."""

    conforms: bool
    results: list[ValidationResult]
    #: base IRI of the dataset, used to print IRIs relative to it (``<id/…>``)
    base: str = ""
    #: names of the source graphs checked, in order
    graphs: list[str] = field(default_factory=list)
    shapes_checked: int = 0
    report_graph: rdflib.Graph | None = field(default=None, repr=False, compare=False)
    #: pyshacl result node -> result, to add hints and number nodes in :meth:`to_turtle`
    _nodes: list[tuple[Node, ValidationResult]] = field(default_factory=list, repr=False, compare=False)

    # ------------------------------------------------------------ summaries

    def count(self, severity: str) -> int:
        """Number of results of ``severity`` ("Violation", "Warning", "Info")."""
        return sum(1 for r in self.results if r.severity == severity)

    def severities(self) -> list[str]:
        """The severities present, Violation, Warning, Info first, then custom ones (sorted).

        A custom severity (``ex:MySeverity``) blocks conformance as a violation does:
        pyshacl with ``allow_warnings`` only lets ``sh:Warning`` and ``sh:Info`` through.
        """
        return _severities(self.results)

    def summary(self) -> str:
        """One line: conforms or not, with counts per severity."""
        parts = [_plural(self.count("Violation"), "violation")]
        for sev in self.severities():
            if sev != "Violation":
                parts.append(_plural(self.count(sev), _SEVERITY_NOUN.get(sev, f"{sev} result")))
        files = {r.file for r in self.results if r.severity not in ("Warning", "Info") and r.file}
        where = f" in {_plural(len(files), 'file')}" if files else ""
        if self.conforms:
            return f"conforms: {', '.join(parts)}"
        return f"does not conform: {', '.join(parts)}{where}"

    # ------------------------------------------------------------ renderings

    def render(self, fmt: ReportFormat) -> str:
        """The report in ``fmt``."""
        if fmt is ReportFormat.TEXT:
            return self.to_text()
        if fmt is ReportFormat.JSON:
            return self.to_json()
        return self.to_turtle()

    def to_text(self) -> str:
        """A report for people: grouped by source graph, one block per result, then a summary."""
        lines: list[str] = []
        groups: dict[str | None, list[ValidationResult]] = {}
        for r in self.results:
            groups.setdefault(r.graph, []).append(r)
        for graph, results in groups.items():
            counts = ", ".join(
                _plural(sum(1 for r in results if r.severity == sev), _SEVERITY_NOUN.get(sev, f"{sev} result"))
                for sev in _severities(results)
            )
            title = f"source {graph}" if graph is not None else "outside the source graphs"
            lines.append(f"== {title}: {counts}")
            for r in results:
                lines.append(self._text_line(r))
                if r.also:
                    lines.append(f"    also: {', '.join(r.also)}")
                if r.hint:
                    lines.append(f"    hint: {r.hint}")
            lines.append("")
        if not self.results:
            if len(self.graphs) == 1:
                checked = f"source {self.graphs[0]}"
            elif self.graphs:
                checked = "sources " + ", ".join(self.graphs)
            else:
                checked = "the data"
            if self.shapes_checked:
                lines.append(f"checked {checked} against {_plural(self.shapes_checked, 'shape')}")
            else:
                lines.append(f"no SHACL shapes found (shapes/*.ttl): {checked} not checked")
        lines.append(self.summary())
        return "\n".join(lines) + "\n"

    def _text_line(self, r: ValidationResult) -> str:
        where = r.file or "(no file)"
        if r.line is not None:
            where += f":{r.line}"
        focus = _compact(r.focus, self.base)
        who = f"{r.focus_label} ({focus})" if r.focus_label else focus
        detail = ""
        if r.path:
            detail += f" path={_compact_path(r.path, self.base)}"
        if r.value is not None:
            detail += f" value={_compact_term(r.value, self.base)}"
        return f"{where}: {r.severity}: {who}{detail}: {r.message}"

    def to_json(self) -> str:
        """The report as JSON with stable keys (see the module docstring and JSON_RESULT_KEYS)."""
        doc = {
            "conforms": self.conforms,
            "summary": {
                "violations": self.count("Violation"),
                "warnings": self.count("Warning"),
                "infos": self.count("Info"),
                "graphs": list(self.graphs),
            },
            "results": [r.to_dict() for r in self.results],
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

    def to_turtle(self) -> str:
        """pyshacl's report graph in Turtle, hints added, blank nodes numbered in report order."""
        import rdflib

        out = rdflib.Graph(bind_namespaces="none")
        for prefix in ("sh", "rdf", "rdfs", "xsd", "pe", "prov", "schema", "dcterms", "skos"):
            out.bind(prefix, PREFIXES[prefix])
        out.bind("pesh", SHAPES_NS)
        if self.report_graph is None:
            return out.serialize(format="turtle")
        src = self.report_graph
        names: dict[rdflib.BNode, rdflib.BNode] = {}

        def name(node: Node) -> Node:
            if not isinstance(node, rdflib.BNode):
                return node
            if node not in names:
                names[node] = rdflib.BNode(f"b{len(names):05d}")
            return names[node]

        sh = rdflib.Namespace(SH)
        reports = sorted(src.subjects(rdflib.RDF.type, sh.ValidationReport), key=str)
        for report in reports:
            name(report)
        for node, _result in self._nodes:
            name(node)
        # Copy every triple reachable from the report, numbering blank nodes as they are met.
        pending: list[Node] = [*reports, *(n for n, _ in self._nodes)]
        seen: set[Node] = set()
        while pending:
            subject = pending.pop(0)
            if subject in seen:
                continue
            seen.add(subject)
            for p, o in sorted(src.predicate_objects(subject), key=lambda po: (str(po[0]), _signature(src, po[1]))):
                out.add((name(subject), p, _plain(name(o))))
                if isinstance(o, rdflib.BNode) and o not in seen:
                    pending.append(o)
        hint = rdflib.URIRef(SHAPES_NS + "hint")
        for node, result in self._nodes:
            if result.hint:
                out.add((name(node), hint, rdflib.Literal(result.hint, lang="en")))
        return out.serialize(format="turtle")


# ---------------------------------------------------------------- running pyshacl


def validate_triples(
    data: Iterable[pyoxigraph.Triple],
    shapes: rdflib.Graph,
    ontology: Iterable[pyoxigraph.Triple] | None = None,
    *,
    base: str = "",
) -> ValidationReport:
    """Validate Oxigraph triples (one graph) against ``shapes``, with all of ``ontology`` mixed in.

    This is the engine :func:`validate_project` uses: the triples go into an
    in-memory Oxigraph store, which pyshacl reads directly (its SPARQL-based
    rules run in Oxigraph, several times faster than on an rdflib graph, and
    nothing is converted).  Results carry no file or line.

    :raises InputError: the shapes cannot be used (a malformed shape).
    """
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in data)
    if ontology is not None:
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in ontology)
    return _run(store, shapes, _StoreLabels(store), base)


def validate_graphs(
    data: rdflib.Graph,
    shapes: rdflib.Graph,
    ontology: rdflib.Graph | None = None,
    *,
    base: str = "",
    inplace: bool = False,
) -> ValidationReport:
    """Validate an rdflib graph against ``shapes``, with all of ``ontology`` mixed into the data.

    No inference is run; subclass targeting works because the ontology's
    ``rdfs:subClassOf`` triples are in the data graph.  The whole ontology is
    added, not only the RDFS/OWL axioms pyshacl's ``ont_graph`` would copy: the
    shapes also need its SKOS concept schemes (hedges, kinships).  With
    ``inplace`` the ontology is added to ``data`` itself, else to a copy.
    Results carry no file or line; :func:`validate_project` adds them.

    :raises InputError: the shapes cannot be used (a malformed shape).
    """
    import rdflib

    if not inplace:
        copy = rdflib.Graph()
        copy += data
        data = copy
    if ontology is not None:
        data += ontology
    return _run(data, shapes, lambda node: _label(data, node), base)


def validate_project(project: Project, *, shapes_required: bool = True) -> ValidationReport:
    """Validate the union of the project's source graphs against its shapes and its vocabulary.

    The ontology is mixed into the data (see :func:`validate_graphs` for why
    all of it).  Beside the shapes, the terms the data uses are checked (closed
    vocabulary, dangling IRIs, confusable characters: :mod:`polevents.validate.terms`).
    Every result gets the source graph, file and line it comes from (the triple
    carrying the offending value; see :mod:`polevents.validate.locate`), with file
    paths relative to the project root; a result reported by several shapes in the
    same words, at the same place, is kept once.

    :param shapes_required: refuse a project without SHACL shapes (else only the terms are checked).
    :raises InputError: the shapes cannot be used, or there are none and ``shapes_required``.
    """
    from ..load import to_rdflib_graph
    from .terms import check_terms

    with _quiet_literals():
        shapes = to_rdflib_graph(project.shapes)
        if not count_shapes(shapes) and shapes_required:
            raise no_shapes_error(project.config.shapes_dir)
        data = (t for src in project.sources for t in src.triples)
        report = validate_triples(data, shapes, project.ontology, base=project.config.base)
    problems = check_terms(project.store(), project.config.base)
    if problems:
        report.conforms = False
        report._nodes = _merge(report, report._nodes, _term_results(report, problems))
    locate = ResultLocator(project)
    located: list[tuple[Node, ValidationResult]] = []
    seen: set[tuple[Any, ...]] = set()
    for node, result in report._nodes:
        placed = locate(result)
        key = (placed.severity, placed.focus, placed.path, placed.value, placed.message, placed.file, placed.line)
        if key not in seen:
            seen.add(key)
            located.append((node, placed))
    located.sort(key=lambda nr: nr[1].sort_key())
    report._nodes = located
    report.results = [r for _n, r in located]
    report.graphs = [s.name for s in project.sources]
    return report


def _merge(
    report: ValidationReport,
    shape_results: list[tuple[Node, ValidationResult]],
    term_results: list[tuple[Node, ValidationResult]],
) -> list[tuple[Node, ValidationResult]]:
    """Shape and term results together; a term problem on a triple a shape already reports
    (a dangling evidence IRI that the evidence shape rejects too) is said in that result's message."""
    import dataclasses

    import rdflib

    out = list(shape_results)
    by_triple: dict[tuple[str, str | None, str | None], int] = {
        (r.focus, r.path, r.value): i
        for i, (_n, r) in enumerate(out)
        if r.value is not None and r.severity == "Violation"
    }
    for node, term in term_results:
        i = by_triple.get((term.focus, term.path, term.value))
        if i is None:
            out.append((node, term))
            continue
        shape_node, result = out[i]
        out[i] = (shape_node, dataclasses.replace(result, message=f"{result.message} ({term.message})"))
        if report.report_graph is not None:  # the term result is not reported on its own
            report.report_graph.remove((node, None, None))
            report.report_graph.remove((None, rdflib.URIRef(SH + "result"), node))
    return out


def no_shapes_error(shapes_dir: Path) -> InputError:
    """The error for a project without SHACL shapes (validation would check nothing)."""
    return InputError(
        f"{shapes_dir}: no SHACL shapes (no sh:NodeShape or sh:PropertyShape in shapes/*.ttl): the data "
        "would not be checked; add the shapes, or pass --no-shapes to build without them"
    )


def _term_results(report: ValidationReport, problems: Sequence[TermProblem]) -> list[tuple[Node, ValidationResult]]:
    """The term problems as results, each also added to the report graph (for the Turtle report)."""
    import rdflib

    from .terms import KIND_COMPONENT

    sh = rdflib.Namespace(SH)
    graph = report.report_graph
    if graph is None:
        graph = report.report_graph = rdflib.Graph()
    root = next(iter(graph.subjects(rdflib.RDF.type, sh.ValidationReport)), None)
    if root is None:
        root = rdflib.BNode()
        graph.add((root, rdflib.RDF.type, sh.ValidationReport))
    graph.set((root, sh.conforms, rdflib.Literal(False)))
    out: list[tuple[Node, ValidationResult]] = []
    for problem in problems:
        rule = KIND_COMPONENT[problem.kind]
        focus = problem.subject.value if problem.subject is not None else problem.iri
        path = problem.predicate.value if problem.predicate is not None else None
        value = str(problem.object) if problem.object is not None else None
        node = rdflib.BNode()
        graph.add((root, sh.result, node))
        graph.add((node, rdflib.RDF.type, sh.ValidationResult))
        graph.add((node, sh.resultSeverity, sh.Violation))
        graph.add((node, sh.sourceShape, rdflib.URIRef(rule)))
        graph.add((node, sh.sourceConstraintComponent, rdflib.URIRef(rule)))
        graph.add((node, sh.resultMessage, rdflib.Literal(problem.message, lang="en")))
        if problem.subject is not None:
            from ..load import to_rdflib_term

            graph.add((node, sh.focusNode, to_rdflib_term(problem.subject)))
            if problem.predicate is not None:
                graph.add((node, sh.resultPath, rdflib.URIRef(problem.predicate.value)))
            if problem.object is not None:
                graph.add((node, sh.value, to_rdflib_term(problem.object)))
        result = ValidationResult(
            severity="Violation",
            focus=focus,
            focus_label=None,
            path=path,
            value=value,
            message=problem.message,
            hint=None,
            source_shape=rule,
            constraint_component=rule,
        )
        out.append((node, result))
    return out


def _run(
    data: rdflib.Graph | pyoxigraph.Store,
    shapes: rdflib.Graph,
    label_of: Callable[[Node], str | None],
    base: str,
) -> ValidationReport:
    """Run pyshacl on ``data`` (the ontology already in it) and read its report."""
    import pyshacl
    from pyshacl.errors import ReportableRuntimeError

    try:
        with _quiet_literals():
            conforms, report_graph, _text = pyshacl.validate(
                data,  # type: ignore[arg-type]  # pyshacl reads an Oxigraph store too
                shacl_graph=shapes,
                inference="none",
                advanced=True,  # SPARQL targets (see the shapes' header)
                allow_warnings=True,
                inplace=True,
            )
    except ReportableRuntimeError as exc:
        raise InputError(f"shapes/: the SHACL shapes cannot be used: {exc.message}") from exc
    if not hasattr(report_graph, "triples"):  # pyshacl returns the failure here (STYLE: avoid that)
        raise InputError(f"shapes/: validation failed: {report_graph}")
    nodes = sorted(_read_results(report_graph, shapes, label_of), key=lambda nr: nr[1].sort_key())
    return ValidationReport(
        conforms=bool(conforms),
        results=[r for _n, r in nodes],
        base=base,
        shapes_checked=count_shapes(shapes),
        report_graph=report_graph,
        _nodes=nodes,
    )


class _StoreLabels:
    """Label lookup in an Oxigraph store: rdfs:label, else skos:prefLabel, English first."""

    def __init__(self, store: pyoxigraph.Store) -> None:
        self.store = store

    def __call__(self, node: Node) -> str | None:
        import pyoxigraph as ox
        import rdflib

        if not isinstance(node, rdflib.URIRef):
            return None
        subject = ox.NamedNode(str(node))
        for prop in (RDFS_LABEL, SKOS_PREFLABEL):
            lits = [
                rdflib.Literal(q.object.value, lang=q.object.language)
                for q in self.store.quads_for_pattern(subject, ox.NamedNode(prop), None)
                if isinstance(q.object, ox.Literal)
            ]
            found = _best_literal(lits)
            if found:
                return found
        return None


@contextlib.contextmanager
def _quiet_literals() -> Iterator[None]:
    """Silence rdflib's traceback for ill-typed literals ("2022-13-45"^^xsd:date).

    The shapes report them (sh:datatype rejects ill-typed values) with the
    file and line; rdflib's logged traceback would only be noise on stderr.
    """
    logger = logging.getLogger("rdflib.term")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(previous)


def count_shapes(shapes: rdflib.Graph) -> int:
    """The number of shapes in ``shapes``: typed sh:NodeShape/sh:PropertyShape, or with a target."""
    import rdflib

    sh = rdflib.Namespace(SH)
    found = set(shapes.subjects(rdflib.RDF.type, sh.NodeShape))
    found |= set(shapes.subjects(rdflib.RDF.type, sh.PropertyShape))
    for target in (sh.targetClass, sh.targetNode, sh.targetSubjectsOf, sh.targetObjectsOf, sh.target):
        found |= set(shapes.subjects(target, None))
    return len(found)


def _read_results(
    report: rdflib.Graph, shapes: rdflib.Graph, label_of: Callable[[Node], str | None]
) -> list[tuple[Node, ValidationResult]]:
    """Turn pyshacl's result nodes into :class:`ValidationResult`s (no location yet)."""
    import rdflib

    sh = rdflib.Namespace(SH)
    hint_p = rdflib.URIRef(SHAPES_NS + "hint")
    out: list[tuple[Node, ValidationResult]] = []
    nested = set(report.objects(None, sh.detail))  # why an sh:node failed: kept in the Turtle only
    for node in report.subjects(rdflib.RDF.type, sh.ValidationResult):
        if node in nested:
            continue
        focus = report.value(node, sh.focusNode)
        shape = report.value(node, sh.sourceShape)
        constraint = report.value(node, sh.sourceConstraint)
        path = report.value(node, sh.resultPath)
        value = report.value(node, sh.value)
        severity = report.value(node, sh.resultSeverity)
        component = report.value(node, sh.sourceConstraintComponent)
        messages = sorted(str(m) for m in report.objects(node, sh.resultMessage))
        hint = None
        for holder in (constraint, shape):
            if holder is not None and hint is None:
                hint = _best_literal(shapes.objects(holder, hint_p))
        out.append(
            (
                node,
                ValidationResult(
                    severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
                    focus=str(focus),
                    focus_label=label_of(focus) if focus is not None else None,
                    path=_path_string(shapes if path is not None and isinstance(path, rdflib.BNode) else report, path),
                    value=_plain(value).n3() if value is not None else None,
                    message=" ".join(messages) if messages else f"does not satisfy {_compact(str(component), '')}",
                    hint=hint,
                    source_shape=str(shape) if isinstance(shape, rdflib.URIRef) else _anon_shape(shapes, shape),
                    constraint_component=str(component),
                    source_constraint=str(constraint) if isinstance(constraint, rdflib.URIRef) else None,
                ),
            )
        )
    return out


def _anon_shape(shapes: rdflib.Graph, shape: Node | None) -> str:
    """A readable name for a blank-node shape: its parent shape and path."""
    import rdflib

    if shape is None:
        return ""
    sh = rdflib.Namespace(SH)
    parent = shapes.value(predicate=sh.property, object=shape)
    path = shapes.value(shape, sh.path)
    if isinstance(parent, rdflib.URIRef) and isinstance(path, rdflib.URIRef):
        return f"{parent} property {path}"
    return "(anonymous shape)"


def _best_literal(values: Iterable[Node]) -> str | None:
    """The English literal among ``values``, else one without language, else any (sorted)."""
    import rdflib

    lits = sorted((v for v in values if isinstance(v, rdflib.Literal)), key=lambda v: (str(v), v.language or ""))
    for wanted in ("en", None):
        for lit in lits:
            if (lit.language or None) == wanted or (wanted == "en" and (lit.language or "").startswith("en-")):
                return str(lit)
    return str(lits[0]) if lits else None


def _label(data: rdflib.Graph, node: Node | None) -> str | None:
    import rdflib

    if node is None:
        return None
    for prop in (RDFS_LABEL, SKOS_PREFLABEL):
        found = _best_literal(data.objects(node, rdflib.URIRef(prop)))
        if found:
            return found
    return None


def _path_string(graph: rdflib.Graph, path: Node | None) -> str | None:
    """A SHACL path as its predicate IRI, or as a SPARQL property path with <IRI>s."""
    import rdflib

    if path is None:
        return None
    if isinstance(path, rdflib.URIRef):
        return str(path)
    return _sparql_path(graph, path)


def _sparql_path(graph: rdflib.Graph, path: Node) -> str:
    import rdflib
    from rdflib.collection import Collection

    sh = rdflib.Namespace(SH)
    if isinstance(path, rdflib.URIRef):
        return f"<{path}>"
    if (graph.value(path, rdflib.RDF.first)) is not None:
        return "/".join(_sparql_path(graph, p) for p in Collection(graph, path))
    for prop, fmt in (
        (sh.inversePath, "^{}"),
        (sh.zeroOrMorePath, "{}*"),
        (sh.oneOrMorePath, "{}+"),
        (sh.zeroOrOnePath, "{}?"),
    ):
        inner = graph.value(path, prop)
        if inner is not None:
            text = _sparql_path(graph, inner)
            return fmt.format(f"({text})" if ("/" in text or "|" in text) else text)
    alt = graph.value(path, sh.alternativePath)
    if alt is not None:
        return "(" + "|".join(_sparql_path(graph, p) for p in Collection(graph, alt)) + ")"
    return "(complex path)"


# ---------------------------------------------------------------- printing IRIs and terms


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _compact(iri: str, base: str) -> str:
    """``prefix:local`` for known namespaces, ``<id/…>`` for IRIs under the base, else ``<iri>``."""
    return compact_iri(iri, _REPORT_PREFIXES, base or None)


def _compact_path(path: str, base: str) -> str:
    if "<" in path:  # a SPARQL property path
        return re.sub(r"<([^>]*)>", lambda m: _compact(m.group(1), base), path)
    return _compact(path, base)


def _compact_term(nt: str, base: str) -> str:
    """A value in N-Triples form, with its IRIs and datatype compacted."""
    if nt.startswith("<") and nt.endswith(">"):
        return _compact(nt[1:-1], base)
    m = re.fullmatch(r'(".*")\^\^<([^>]*)>', nt, re.DOTALL)
    if m:
        return f"{m.group(1)}^^{_compact(m.group(2), '')}"
    return nt


def _plain(term: Node) -> Node:
    """``"x"^^xsd:string`` as the simple literal ``"x"`` (the same term in RDF 1.1)."""
    import rdflib

    if isinstance(term, rdflib.Literal) and term.datatype == rdflib.XSD.string:
        return rdflib.Literal(str(term))
    return term


def _signature(graph: rdflib.Graph, term: Node, depth: int = 4) -> str:
    """A sort key for a term that does not depend on blank node labels: a blank node by its content."""
    import rdflib

    if not isinstance(term, rdflib.BNode):
        return term.n3()
    if depth == 0:
        return "[]"
    parts = sorted(f"{p.n3()} {_signature(graph, o, depth - 1)}" for p, o in graph.predicate_objects(term))
    return "[" + " ; ".join(parts) + "]"
