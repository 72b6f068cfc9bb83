"""Export stage, Wikidata profile: the claims as QuickStatements V1 commands.

One tab-separated command per claim and reference, written only when its item
and value are verified Wikidata items (or plain values: dates, texts);
qualifiers whose value has no verified item are left out, and so is ``S248``
(the source has no item); ``S854`` is written only for an http(s) URL.  What
was left out, and why, is returned in :attr:`QuickStatements.skipped`.
The claims come from :func:`polevents.export.wikibase.export_project`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .wikibase import ItemRef, Skipped, TimeValue, Url, Value, WikibaseExport

__all__ = ["QuickStatements", "quickstatements"]


@dataclass(frozen=True)
class QuickStatements:
    """QuickStatements V1 commands (one per line, tab-separated) and what was left out."""

    lines: list[str]
    skipped: list[Skipped]

    def text(self) -> str:
        return "".join(f"{line}\n" for line in self.lines)


def _qs_value(v: Value) -> str | None:
    if isinstance(v, ItemRef):
        return v.qid
    if isinstance(v, TimeValue):
        return v.quickstatements
    if isinstance(v, Url):
        return f'"{v.iri}"' if v.iri.startswith(("http://", "https://")) else None
    text = " ".join(v.text.split())  # no tabs or line breaks inside a command
    return f'{v.language}:"{text}"' if v.language else f'"{text}"'


def quickstatements(ex: WikibaseExport) -> QuickStatements:
    """The statements of ``ex`` between verified items (or plain values) as QuickStatements V1."""
    lines: set[str] = set()
    skipped: list[Skipped] = []
    for c in ex.claims:
        value = _qs_value(c.value)
        if c.subject.qid is None or value is None:
            who = "item" if c.subject.qid is None else "value"
            skipped.append(Skipped(c.fact, f"{c.pid}: the {who} has no verified Wikidata item"))
            continue
        head = [c.subject.qid, c.pid, value]
        for pid, v in c.qualifiers:
            qv = _qs_value(v)
            if qv is None:
                skipped.append(Skipped(c.fact, f"{c.pid} qualifier {pid}: the value has no verified item"))
            else:
                head += [pid, qv]
        refs = []
        for ref in c.references:
            cells: list[str] = []
            for pid, v in ref.snaks:
                rv = _qs_value(v)
                if rv is not None:
                    cells += [f"S{pid[1:]}", rv]
            if cells:
                refs.append(cells)
        for cells in refs or [[]]:
            lines.add("\t".join(head + cells))
    return QuickStatements(sorted(lines), sorted(set(skipped), key=lambda s: (s.fact, s.reason)))
