"""``polevents validate``."""

from __future__ import annotations

from pathlib import Path

import click

from .options import format_option, project_option, shapes_option, warn_no_shapes

_FORMATS = ("text", "turtle", "json")


@click.command()
@project_option
@format_option(
    _FORMATS,
    help="text: grouped by source, with file:line and a hint; turtle: the SHACL report graph; json: stable keys.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Also fail (exit 1) on evidence warnings: a fact's date, number or quotation found in none of the "
    "sentences it cites (checked when the source's text is at hand).",
)
@shapes_option
def validate(project: Path, fmt: str, strict: bool, shapes_required: bool) -> None:
    """Check the data against the SHACL shapes and print the report on stdout.

    Each result names the focus node and its label, the path, the value, the
    message and a hint, and the file and line describing the node.

    When a source's text is at hand, each fact is also read against the
    sentences it cites: a date, number or quotation found in none of them is a
    warning (a violation with --strict); a prefix that silently cites another
    source's sentences is a violation.

    Exit codes: 0 the data conforms (warnings may be printed); 1 violations;
    2 bad input (broken RDF is reported as FILE:LINE:COL).
    """
    from ..errors import NonConformingError
    from ..load import load_project
    from ..validate import ReportFormat, validate_project
    from ..validate.evidence import check_evidence

    warn_no_shapes(shapes_required)
    loaded = load_project(project)
    report = validate_project(loaded, shapes_required=shapes_required)
    evidence = check_evidence(loaded, strict=strict)
    evidence.merge_into(report)
    if evidence.checked or (strict and evidence.skipped):
        click.echo(f"polevents: {evidence.summary()}", err=True)
    click.echo(report.render(ReportFormat.from_name(fmt)), nl=False)
    if not report.conforms:
        raise NonConformingError(report.summary())
