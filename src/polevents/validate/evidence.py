"""Machine-checked evidence: is what a fact says in the sentences it cites?

When a source's text is at hand (``[sources] text_paths`` in ``polevents.toml``, matched by
SHA-256), every node of a source graph that cites sentences (``prov:wasDerivedFrom``) is read
against the text of those sentences:

* a **quotation** (``pe:quote``) must be in one of them word for word (typographic quotes,
  dashes and runs of spaces count as their plain forms; ``…`` or ``[…]`` inside the quotation
  stands for left-out words);
* a **date** (any literal typed ``xsd:date``, ``xsd:gYearMonth``, ``xsd:gYear``) must be
  written in one of them at its precision — ``"2022-04-26"^^xsd:date`` needs ``April 26``,
  ``Apr. 26, 2022`` or ``26 April``; ``"2022-03"^^xsd:gYearMonth`` needs March (of 2022 or no
  year); ``"1999"^^xsd:gYear`` needs 1999.  The bounds of a vague date (``pe:earliestDate``,
  ``pe:latestDate``) may be written coarser (``early May 2022`` for 1–10 May);
* a **number** (any numeric literal except bookkeeping such as ``pe:ordinal``) must be written
  in one of them: ``1300000`` as ``$1.3 million``, ``110000`` as ``110,000``, ``61.4`` as
  ``61.4%``; small counts also as words (``two``).

Each miss is a **warning** (an error with ``strict``): the date is perhaps in a neighbouring
sentence the fact does not cite, or the fact says more than its source.  Sources whose text
is not at hand are skipped and listed.

Independently of the text, a facts file that **cites another source's sentences without
saying so** is reported as a violation: the prefix that names a source's own sentences
(``s:``, as the template declares it, or the empty prefix) pointing at another source's
sentences — a copied ``@prefix s: <id/source/OTHER/sentence/>`` — in a folder that registers
another source.  Citing another source on purpose is written out: the full IRI
``<id/source/OTHER/sentence/16>``, or a prefix of its own (``@prefix kz:
<id/source/OTHER/sentence/>``).

Findings are :class:`polevents.validate.ValidationResult` s, so they are printed with the
SHACL report (file and line of the fact, its label, the property and the value).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from ..source.extract import DateMention, NumberMention, find_dates, find_numbers, plain_text
from ..vocab import PE, PROV, RDF, RDFS, SKOS, XSD

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

    from ..load import Project, SourceGraph
    from . import ValidationReport, ValidationResult

__all__ = [
    "CHECKS",
    "EvidenceReport",
    "check_evidence",
    "quotation_in",
]

SHAPES_NS = "https://w3id.org/polevents/shapes#"
#: The checks, as the "shape" and "constraint component" of the results they give.
CHECKS: dict[str, str] = {
    "quote": SHAPES_NS + "QuotationEvidence",
    "date": SHAPES_NS + "DateEvidence",
    "number": SHAPES_NS + "NumberEvidence",
    "citation": SHAPES_NS + "OwnSentenceCitation",
}
_DERIVED = PROV + "wasDerivedFrom"
_DATE_TYPES = {XSD + "date": 3, XSD + "gYearMonth": 2, XSD + "gYear": 1, XSD + "dateTime": 3}
_NUMBER_TYPES = {
    XSD + t
    for t in (
        "integer decimal double float int long short byte nonNegativeInteger positiveInteger "
        "nonPositiveInteger negativeInteger unsignedInt unsignedLong unsignedShort unsignedByte"
    ).split()
}
#: Numbers that count our own records, not the source's facts.
_NOT_STATED = {PE + "ordinal", PE + "sentenceIndex", PE + "startOffset", PE + "endOffset", PE + "characterCount"}
#: Date properties whose value a vague date implies (written coarser in the text).
_BOUNDS = {PE + "earliestDate": "earliest", PE + "latestDate": "latest"}
_QUOTE = PE + "quote"
_ELLIPSIS = re.compile(r"\s*(?:\[\s*(?:\.\.\.|…)\s*\]|\.\.\.|…)\s*")


@dataclass
class EvidenceReport:
    """What :func:`check_evidence` found, and which sources it could read."""

    results: list[ValidationResult] = field(default_factory=list)
    #: sources whose text was read (slugs)
    checked: list[str] = field(default_factory=list)
    #: sources skipped because their text is not at hand (slugs)
    skipped: list[str] = field(default_factory=list)
    #: facts read against their sentences
    facts: int = 0

    def merge_into(self, report: ValidationReport) -> None:
        """Add these results to a SHACL ``report`` (text and JSON renderings; not its Turtle graph)."""
        report.results = sorted([*report.results, *self.results], key=lambda r: r.sort_key())
        report.conforms = report.conforms and not any(r.severity == "Violation" for r in self.results)

    def summary(self) -> str:
        """One line for stderr: what was checked, what was skipped."""
        warned = sum(1 for r in self.results if r.source_shape != CHECKS["citation"])
        line = (
            f"evidence: {self.facts} facts of {len(self.checked)} source(s) read against their cited sentences, "
            f"{warned} not found there"
        )
        if self.skipped:
            line += f"; not checked (text not at hand): {', '.join(self.skipped)}"
        return line


# ---------------------------------------------------------------- reading the sentences


@dataclass(frozen=True)
class _Sentence:
    source: str
    index: int
    start: int
    end: int


def _literal_value(term: object) -> str:
    return str(getattr(term, "value", term))


def _sentences(project: Project) -> tuple[dict[str, _Sentence], dict[str, str]]:
    """Sentence IRI -> where it is; source IRI -> SHA-256 (from every source graph)."""
    sentences: dict[str, _Sentence] = {}
    hashes: dict[str, str] = {}
    for src in project.sources:
        props: dict[str, dict[str, str]] = {}
        for t in src.triples:
            pred = t.predicate.value
            if pred in (PE + "inSource", PE + "sentenceIndex", PE + "startOffset", PE + "endOffset"):
                props.setdefault(_literal_value(t.subject), {})[pred] = _literal_value(t.object)
            elif pred == PE + "sha256":
                hashes[_literal_value(t.subject)] = _literal_value(t.object)
        for iri, p in props.items():
            try:
                sentences[iri] = _Sentence(
                    p[PE + "inSource"],
                    int(p[PE + "sentenceIndex"]),
                    int(p[PE + "startOffset"]),
                    int(p[PE + "endOffset"]),
                )
            except (KeyError, ValueError):
                continue  # an incomplete sentence node: the shapes report it
    return sentences, hashes


def _slug(source_iri: str, base: str) -> str:
    prefix = base + "id/source/"
    return source_iri[len(prefix) :] if source_iri.startswith(prefix) else source_iri


def _text_index(project: Project, wanted: set[str]) -> dict[str, Path]:
    """SHA-256 -> a file of the configured text folders with that hash (each file hashed once)."""
    import os

    from ..source import MAX_TEXT_BYTES
    from ..source.segment import sha256_hex

    found: dict[str, Path] = {}
    for folder in project.config.text_paths:
        if not folder.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                path = Path(dirpath) / name
                try:
                    if name.startswith(".") or not path.is_file() or path.stat().st_size > MAX_TEXT_BYTES:
                        continue
                    sha = sha256_hex(path.read_bytes())
                except OSError:
                    continue
                if sha in wanted:
                    found.setdefault(sha, path)
            if len(found) == len(wanted):
                return found
    return found


def _texts(project: Project, hashes: dict[str, str]) -> dict[str, str]:
    """Source IRI -> its text, for the sources whose text is found by SHA-256."""
    from ..source.segment import sha256_hex

    index = _text_index(project, set(hashes.values())) if hashes else {}
    texts: dict[str, str] = {}
    for iri, sha in sorted(hashes.items()):
        path = index.get(sha)
        if path is None:
            continue
        data = path.read_bytes()
        if sha256_hex(data) == sha:
            try:
                texts[iri] = data.decode("utf-8")
            except UnicodeDecodeError:
                continue
    return texts


# ---------------------------------------------------------------- the checks


def quotation_in(quote: str, text: str) -> bool:
    """Whether ``quote`` is in ``text`` word for word (typography aside; ``…`` stands for left-out words).

    >>> quotation_in("The charter belongs to every citizen", "Oduya said, “The charter belongs to every citizen.”")
    True
    >>> quotation_in("The charter belongs to … citizen", "“The charter belongs to every citizen.”")
    True
    >>> quotation_in("The charter belongs to all", "“The charter belongs to every citizen.”")
    False
    >>> quotation_in("We will win.", "“we will win”, he said")  # a capital or a final stop added is no misquote
    True
    """
    haystack = plain_text(text).lower()
    position = 0
    for part in _ELLIPSIS.split(plain_text(quote).lower()):
        part = part.strip().strip('"').rstrip(".,;:").strip()
        if not part:
            continue
        found = haystack.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return True


def _date_parts(lexical: str, datatype: str) -> tuple[int, int | None, int | None] | None:
    m = re.match(r"(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", lexical)
    if not m:
        return None
    precision = _DATE_TYPES[datatype]
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) and precision >= 2 else None
    day = int(m.group(3)) if m.group(3) and precision >= 3 else None
    return year, month, day


def _date_found(parts: tuple[int, int | None, int | None], mentions: Iterable[DateMention], bound: str | None) -> bool:
    year, month, day = parts
    return any(m.agrees(year, month, day, bound=bound) for m in mentions)


@functools.lru_cache(maxsize=4096)
def _dates_in(text: str) -> tuple[DateMention, ...]:
    return tuple(find_dates(text))


@functools.lru_cache(maxsize=4096)
def _numbers_in(text: str) -> tuple[NumberMention, ...]:
    return tuple(find_numbers(text, words=True))


def _number_found(value: Decimal, texts: Iterable[str]) -> bool:
    return any(n.agrees(value) for text in texts for n in _numbers_in(text))


@dataclass
class _Fact:
    iri: str
    cites: list[str] = field(default_factory=list)
    values: list[tuple[str, pyoxigraph.Literal]] = field(default_factory=list)
    label: str | None = None


def _facts(src: SourceGraph) -> dict[str, _Fact]:
    import pyoxigraph as ox

    facts: dict[str, _Fact] = {}
    others: dict[str, list[tuple[str, ox.Literal]]] = {}
    labels: dict[str, str] = {}
    for t in src.triples:
        s = _literal_value(t.subject)
        p = t.predicate.value
        if p == _DERIVED and isinstance(t.object, ox.NamedNode):
            facts.setdefault(s, _Fact(s)).cites.append(t.object.value)
        elif isinstance(t.object, ox.Literal):
            if p in (RDFS + "label", SKOS + "prefLabel") and (t.object.language or "en").startswith("en"):
                labels.setdefault(s, t.object.value)
            others.setdefault(s, []).append((p, t.object))
    for iri, fact in facts.items():
        fact.values = others.get(iri, [])
        fact.label = labels.get(iri)
    return facts


def _result(
    project: Project,
    src: SourceGraph,
    fact: _Fact,
    check: str,
    path: str | None,
    value: str | None,
    message: str,
    hint: str,
    severity: str,
) -> ValidationResult:
    from . import ValidationResult

    file = src.subject_files.get(fact.iri)
    line = None
    rel = None
    if file is not None:
        line = _subject_line(file, fact.iri, project.config.base)
        rel = _relative(file, project.config.root)
    return ValidationResult(
        severity=severity,
        focus=fact.iri,
        focus_label=fact.label,
        path=path,
        value=value,
        message=message,
        hint=hint,
        source_shape=CHECKS[check],
        constraint_component=CHECKS[check],
        graph=src.name,
        file=rel,
        line=line,
    )


_SUBJECT = re.compile(r"^(<[^>\s]*>|[A-Za-z][\w.-]*:[\w\-.%:]*|:[\w\-.%:]*)\s", re.MULTILINE)


@functools.lru_cache(maxsize=64)
def _subject_lines(file: Path, base: str) -> tuple[dict[str, int], tuple[str, ...]]:
    """IRI -> first line of ``file`` that starts a statement about it; and the file's lines (read once)."""
    try:
        content = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}, ()
    prefixes: dict[str, str] = {}
    for m in _PREFIX.finditer(content):
        ns = m.group(2)
        prefixes[m.group(1) or ""] = ns if re.match(r"[A-Za-z][\w+.-]*:", ns) else base + ns
    index: dict[str, int] = {}
    lines = tuple(content.splitlines())
    for number, line in enumerate(lines, start=1):
        subject = _SUBJECT.match(line)
        if not subject:
            continue
        token = subject.group(1)
        if token.startswith("<"):
            iri = token[1:-1]
            iri = iri if re.match(r"[A-Za-z][\w+.-]*:", iri) else base + iri
        else:
            name, _, local = token.partition(":")
            if name not in prefixes:
                continue
            iri = prefixes[name] + local.rstrip(".")
        index.setdefault(iri, number)
    return index, lines


def _subject_line(file: Path, iri: str, base: str) -> int | None:
    """The line of ``file`` describing ``iri`` (an index built once per file, else the report's rule)."""
    from . import find_line

    index, lines = _subject_lines(file, base)
    return index.get(iri) or find_line(lines, iri, base)


@functools.lru_cache(maxsize=1024)
def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _cited(numbers: list[int]) -> str:
    return ", ".join(f"s:{n}" for n in sorted(set(numbers)))


def _check_fact(
    project: Project,
    src: SourceGraph,
    fact: _Fact,
    sentences: dict[str, _Sentence],
    texts: dict[str, str],
    severity: str,
) -> list[ValidationResult] | None:
    """Findings about one fact; ``None`` when its sentences cannot be read (text not at hand)."""
    cited = [sentences[c] for c in fact.cites if c in sentences]
    if not cited or any(s.source not in texts for s in cited):
        return None
    bodies = [texts[s.source][s.start : s.end] for s in cited]
    where = _cited([s.index for s in cited])
    out: list[ValidationResult] = []
    dates = [d for body in bodies for d in _dates_in(body)]
    for prop, lit in fact.values:
        datatype = lit.datatype.value
        nt = f'"{lit.value}"^^<{datatype}>'
        if prop == _QUOTE:
            if not quotation_in(lit.value, " ".join(bodies)):
                out.append(
                    _result(
                        project,
                        src,
                        fact,
                        "quote",
                        prop,
                        f'"{lit.value[:60]}…"' if len(lit.value) > 60 else f'"{lit.value}"',
                        f"the quotation is not word for word in the cited sentences ({where})",
                        "Copy the words exactly as the source prints them (… for words left out), and cite the "
                        "sentence that holds them.",
                        severity,
                    )
                )
        elif datatype in _DATE_TYPES:
            parts = _date_parts(lit.value, datatype)
            if parts is not None and not _date_found(parts, dates, _BOUNDS.get(prop)):
                out.append(
                    _result(
                        project,
                        src,
                        fact,
                        "date",
                        prop,
                        nt,
                        f"the date {lit.value} is written in none of the cited sentences ({where})",
                        "Cite the sentence that gives the date as well (often the one before), or give the date at "
                        "the precision the source gives it.",
                        severity,
                    )
                )
        elif datatype in _NUMBER_TYPES and prop not in _NOT_STATED:
            try:
                value = Decimal(lit.value)
            except InvalidOperation:
                continue  # an ill-typed number: the shapes report it
            if not _number_found(value, bodies):
                out.append(
                    _result(
                        project,
                        src,
                        fact,
                        "number",
                        prop,
                        nt,
                        f"the number {lit.value} is written in none of the cited sentences ({where})",
                        "Cite the sentence that gives the number, and check its digits and scale "
                        "(1.3 million is 1300000).",
                        severity,
                    )
                )
    return out


# ---------------------------------------------------------------- citations of other sources

#: Prefix names that say "this source's sentences": the template's ``s:``, and the empty prefix.
SILENT_PREFIXES = frozenset({"s", ""})
_PREFIX = re.compile(r"^[ \t]*(?:@prefix|PREFIX)[ \t]+([A-Za-z][\w.-]*)?:[ \t]*<([^>]*)>", re.IGNORECASE | re.MULTILINE)


def _own_sources(src: SourceGraph) -> set[str]:
    return {
        _literal_value(t.subject)
        for t in src.triples
        if t.predicate.value == RDF + "type" and getattr(t.object, "value", None) == PE + "Source"
    }


def _foreign_prefix_results(project: Project, src: SourceGraph) -> list[ValidationResult]:
    """A prefix of another source's sentences, not named after it, used in a folder with its own source."""
    from . import ValidationResult

    base = project.config.base
    own = {_slug(iri, base) for iri in _own_sources(src)}
    if not own:
        return []
    sentence_ns = re.compile(re.escape(base) + r"id/source/([^/]+)/sentence/$")
    out = []
    for file in src.files:
        if file.suffix not in (".ttl", ".trig", ".n3"):
            continue
        try:
            content = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        lines: list[str] = []
        for m in _PREFIX.finditer(content):  # one pass in C over a file of any size
            name, ns = m.group(1) or "", m.group(2)
            resolved = ns if re.match(r"[A-Za-z][\w+.-]*:", ns) else base + ns
            target = sentence_ns.match(resolved)
            if target is None or target.group(1) in own or name not in SILENT_PREFIXES:
                continue
            number = content.count("\n", 0, m.start()) + 1
            lines = lines or content.splitlines()
            use = re.compile(rf"(?<![\w:.-]){re.escape(name)}:(\d+)\b")
            uses = [
                (n, u.group(1))
                for n, text in enumerate(lines, start=1)
                if not text.lstrip().startswith("#")
                for u in use.finditer(text.split(" #", 1)[0])
            ]
            if not uses:
                continue
            first_line, first_index = uses[0]
            mine = sorted(own)[0]
            out.append(
                ValidationResult(
                    severity="Violation",
                    focus=f"{base}id/source/{target.group(1)}/sentence/{first_index}",
                    focus_label=None,
                    path=None,
                    value=None,
                    message=(
                        f"the prefix {name}: names the sentences of source {target.group(1)!r}, not of this "
                        f"folder's source {mine!r}: its {len(uses)} citation(s) (first {name}:{first_index}, line "
                        f"{first_line}) point into the other article"
                    ),
                    hint=(
                        f"To cite your own sentences write @prefix {name}: <id/source/{mine}/sentence/> . "
                        f"To cite the other source on purpose, write <id/source/{target.group(1)}/sentence/N> in "
                        f"full or through a prefix of your own that says so (not {name}:)."
                    ),
                    source_shape=CHECKS["citation"],
                    constraint_component=CHECKS["citation"],
                    graph=src.name,
                    file=_relative(file, project.config.root),
                    line=number,
                )
            )
    return out


# ---------------------------------------------------------------- entry point


def check_evidence(project: Project, *, strict: bool = False) -> EvidenceReport:
    """Read every fact of ``project`` against the sentences it cites (see the module docstring).

    Evidence misses are warnings, violations with ``strict``; a prefix that silently
    cites another source's sentences is always a violation.
    """
    sentences, hashes = _sentences(project)
    texts = _texts(project, hashes)
    report = EvidenceReport(
        checked=sorted(_slug(iri, project.config.base) for iri in texts),
        skipped=sorted(_slug(iri, project.config.base) for iri in hashes if iri not in texts),
    )
    severity = "Violation" if strict else "Warning"
    for src in project.sources:
        report.results.extend(_foreign_prefix_results(project, src))
        if not texts:
            continue  # no text at hand: nothing to read the facts against
        for fact in _facts(src).values():
            found = _check_fact(project, src, fact, sentences, texts, severity)
            if found is not None:
                report.facts += 1
                report.results.extend(found)
    report.results.sort(key=lambda r: r.sort_key())
    return report
