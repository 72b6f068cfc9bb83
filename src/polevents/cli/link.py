"""``polevents link``: propose links from the dataset's entities to a Wikidata-style graph."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .options import dist_option, project_option


class TypeHint(click.ParamType[tuple[str, str], object]):
    """``KIND=IRI``: items of type IRI (their wdt:P31) are people, organisations or places."""

    name = "KIND=IRI"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> tuple[str, str]:
        from ..link import KINDS

        if isinstance(value, tuple):
            return (str(value[0]), str(value[1]))
        kind, sep, iri = str(value).partition("=")
        if not sep or kind not in KINDS or not iri.strip():
            self.fail(f"{value!r} is not KIND=IRI with KIND one of: {', '.join(KINDS)}", param, ctx)
        return kind, iri.strip()


class Score(click.ParamType[float, object]):
    """A score between 0 and 1."""

    name = "SCORE"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            score = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number between 0 and 1", param, ctx)
        if not 0.0 <= score <= 1.0:
            self.fail(f"{value!r} is not between 0 and 1", param, ctx)
        return score


@click.command()
@click.argument("target")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["tsv", "json"]),
    default="tsv",
    show_default=True,
    help="Output: TSV (local IRI, candidate IRI, score, matched label) or JSON.",
)
@click.option(
    "--min-score",
    "min_score",
    type=Score(),
    default=0.6,
    show_default=True,
    help="Leave out candidates scoring below this.",
)
@click.option(
    "--top",
    "top",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="At most this many candidates per entity.",
)
@click.option("--header/--no-header", "header", default=True, show_default=True, help="TSV header line.")
@click.option(
    "--type-hint",
    "type_hints",
    type=TypeHint(),
    multiple=True,
    help="KIND=IRI: target items with wdt:P31 IRI are of KIND (person, organization, place); "
    "repeatable. Types are also learnt from the items the data already links to.",
)
@click.option(
    "--accept",
    "accept",
    is_flag=True,
    help="Write the best candidate of each entity not yet linked to data/links/accepted.ttl.",
)
@click.option(
    "--accept-min",
    "accept_min",
    type=Score(),
    default=0.85,
    show_default=True,
    help="With --accept: the least score to accept (exactMatch from 0.95, else closeMatch).",
)
@click.option(
    "--gold",
    "gold",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="A gold standard TSV (local IRI, expected item or '-'): print precision and recall to stderr.",
)
@click.option(
    "--timeout",
    "timeout",
    type=float,
    default=60.0,
    show_default=True,
    help="Seconds to wait for each answer of a SPARQL endpoint TARGET.",
)
@project_option
@dist_option
def link(
    target: str,
    fmt: str,
    min_score: float,
    top: int,
    header: bool,
    type_hints: tuple[tuple[str, str], ...],
    accept: bool,
    accept_min: float,
    gold: Path | None,
    timeout: float,
    project: Path,
    dist: Path | None,
) -> None:
    """Propose items of TARGET for the dataset's people, organisations and places.

    TARGET is a Wikidata-style graph: an RDF file (Turtle, N-Triples, RDF/XML,
    JSON-LD, …, optionally .gz) or the URL of a SPARQL endpoint holding one
    (every label is read, page by page: host a slice, not all of Wikidata).
    Names are compared across scripts and transliterations (Tokayev, Toqaev,
    Тоқаев); scores are in [0, 1], 1.0 for identical normalised names.

    Exit codes: 0 ok; 2 bad input, usage, or an endpoint that fails.
    """
    from ..config import load_config
    from ..link import accept_links, evaluate, link_project, read_gold

    hints: dict[str, set[str]] = {}
    for kind, iri in type_hints:
        hints.setdefault(kind, set()).add(iri)
    report = link_project(target, project, dist, min_score=min_score, top=top, type_hints=hints, timeout=timeout)
    out = report.to_tsv(header=header) if fmt == "tsv" else report.to_json()
    sys.stdout.write(out)
    sys.stdout.flush()
    click.echo(
        f"polevents: {len(report.candidates)} candidate(s) for {len({c.local for c in report.candidates})} "
        f"of {len(report.entities)} entities, against {report.items} target items",
        err=True,
    )
    if gold is not None:
        expected = read_gold(gold, load_config(project).base)
        for threshold in sorted({min_score, accept_min}):
            click.echo(f"polevents: {evaluate(report, expected, threshold)}", err=True)
    if accept:
        result = accept_links(report, load_config(project), accept_min)
        click.echo(f"polevents: accepted {len(result.added)} new link(s); {result.total} in {result.path}", err=True)
