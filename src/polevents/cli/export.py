"""``polevents export``: the dataset for Wikidata (Wikibase RDF or QuickStatements)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .options import RdfFormatChoice, dist_option, project_option

_RDF_FORMATS = ("turtle", "nt")


@click.command()
@click.option(
    "--profile",
    "profile",
    type=click.Choice(["wikidata", "quickstatements"]),
    required=True,
    help="wikidata: Wikibase RDF (wd/wdt/p/ps/pq/pr, references, time values); "
    "quickstatements: QuickStatements V1 commands for the statements between verified items.",
)
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write to FILE instead of stdout.",
)
@click.option(
    "--format",
    "fmt",
    type=RdfFormatChoice(_RDF_FORMATS),
    default=None,
    help="RDF syntax of the wikidata profile (default: from the -o extension, else turtle).",
)
@project_option
@dist_option
def export(profile: str, output: Path | None, fmt: str | None, project: Path, dist: Path | None) -> None:
    """Write the dataset in Wikidata's conventions.

    Reads the built dataset (dist/) or, when there is none, the project's
    sources in memory. Entities linked to a verified item (owl:sameAs or
    skos:exactMatch wd:Q…) are exported as that item; the others keep their
    dataset IRIs. What could not be exported is listed on stderr.

    Exit codes: 0 written; 2 bad input or usage.
    """
    from ..errors import InputError
    from ..export.wikibase import ExportProfile, export_project
    from ..formats import RdfFormat

    chosen = ExportProfile(profile)
    if chosen is ExportProfile.QUICKSTATEMENTS and fmt is not None:
        raise InputError("--format applies to --profile wikidata only (QuickStatements is plain text)")
    result = export_project(project, dist)
    for warning in result.warnings:
        click.echo(f"polevents: warning: {warning}", err=True)
    if chosen is ExportProfile.WIKIDATA:
        if fmt is not None:
            rdf_format = RdfFormat.from_name(fmt)
        elif output is not None and output.suffix:
            rdf_format = RdfFormat.from_path(output)
            if rdf_format.label not in _RDF_FORMATS:
                raise InputError(f"{output}: the Wikibase export is written as turtle or nt, not {rdf_format.label}")
        else:
            rdf_format = RdfFormat.TURTLE
        data = result.serialize(rdf_format)
        summary = f"{len(result.claims)} statements, {len(result.items)} items"
        skipped = result.skipped
    else:
        from ..export.quickstatements import quickstatements

        qs = quickstatements(result)
        data = qs.text().encode("utf-8")
        summary = f"{len(qs.lines)} QuickStatements commands from {len(result.claims)} statements"
        skipped = qs.skipped
    for s in skipped:
        click.echo(f"polevents: not exported: <{s.fact}>: {s.reason}", err=True)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_bytes(data)
        except OSError as exc:
            raise InputError(f"{output}: cannot write: {exc.strerror}") from exc
    click.echo(f"polevents: {summary}" + (f" written to {output}" if output else ""), err=True)
