"""``polevents build``."""

from __future__ import annotations

from pathlib import Path

import click

from .options import project_option, shapes_option, warn_no_shapes


@click.command()
@project_option
@click.option(
    "-o",
    "--output",
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default: dist/ of the project). Replaced atomically. (-o/--output as in every "
    "command that writes a file; --out is the same.)",
)
@click.option(
    "--validator",
    type=click.Choice(["auto", "pyshacl"]),
    default="auto",
    show_default=True,
    help="auto: a fast SPARQL screen of the shapes, and pyshacl for the verdict and report whenever "
    "the screen flags anything; pyshacl: always the reference validator.",
)
@click.option(
    "--cache/--no-cache",
    "use_cache",
    default=True,
    show_default=True,
    help="Use the build cache (.polevents-cache/): skip validation when the inputs are byte-identical "
    "to a conforming build's, and the whole build when the output folder is also unchanged.",
)
@shapes_option
def build(project: Path, out: Path | None, validator: str, use_cache: bool, shapes_required: bool) -> None:
    """Load, validate and publish every dump and the dataset description.

    Exit codes: 0 built; 1 the data does not conform (nothing published);
    2 bad input (broken RDF is reported as FILE:LINE:COL).
    """
    from ..build import build as run_build

    warn_no_shapes(shapes_required)
    result = run_build(
        project,
        out,
        progress=lambda message: click.echo(f"polevents: {message}", err=True),
        validator=validator,
        use_cache=use_cache,
        shapes_required=shapes_required,
    )
    click.echo(str(result.out_dir))
