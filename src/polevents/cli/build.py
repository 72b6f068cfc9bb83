"""``polevents build``."""

from __future__ import annotations

from pathlib import Path

import click

from .options import project_option


@click.command()
@project_option
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default: dist/ of the project). Replaced atomically.",
)
def build(project: Path, out: Path | None) -> None:
    """Load, validate and publish every dump and the dataset description.

    Exit codes: 0 built; 1 the data does not conform (nothing published);
    2 bad input (broken RDF is reported as FILE:LINE:COL).
    """
    from ..build import build as run_build

    result = run_build(project, out)
    click.echo(str(result.out_dir))
