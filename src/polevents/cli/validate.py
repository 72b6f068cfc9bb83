"""``polevents validate``."""

from __future__ import annotations

from pathlib import Path

import click

from .options import format_option, project_option

_FORMATS = ("text", "turtle", "json")


@click.command()
@project_option
@format_option(
    _FORMATS,
    help="text: grouped by source, with file:line and a hint; turtle: the SHACL report graph; json: stable keys.",
)
def validate(project: Path, fmt: str) -> None:
    """Check the data against the SHACL shapes and print the report on stdout.

    Each result names the focus node and its label, the path, the value, the
    message and a hint, and the file and line describing the node.

    Exit codes: 0 the data conforms (warnings may be printed); 1 violations;
    2 bad input (broken RDF is reported as FILE:LINE:COL).
    """
    from ..errors import NonConformingError
    from ..load import load_project
    from ..validate import ReportFormat, validate_project

    report = validate_project(load_project(project))
    click.echo(report.render(ReportFormat.from_name(fmt)), nl=False)
    if not report.conforms:
        raise NonConformingError(report.summary())
