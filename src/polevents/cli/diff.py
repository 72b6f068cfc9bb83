"""``polevents diff OLD_DIST NEW_DIST``."""

from __future__ import annotations

from pathlib import Path

import click

from .options import format_option

_FORMATS = ("text", "patch")


@click.command()
@click.argument("old", metavar="OLD_DIST", type=click.Path(file_okay=False, path_type=Path))
@click.argument("new", metavar="NEW_DIST", type=click.Path(file_okay=False, path_type=Path))
@format_option(
    _FORMATS,
    help="text: grouped by subject, with prefixes; patch: an RDF Patch (D and A rows in N-Quads).",
)
def diff(old: Path, new: Path, fmt: str) -> None:
    """Print the quads added and removed between two builds (folders with polevents.nq).

    The changes go to stdout, grouped by subject; the counts go to stderr.

    Exit codes: 0 compared (whether or not anything changed); 2 a folder has no
    polevents.nq, or it is broken.
    """
    from ..diff import DiffFormat, diff_dists

    result = diff_dists(old, new)
    click.echo(result.render(DiffFormat.from_name(fmt)), nl=False)
    click.echo(f"polevents: {result.summary()}", err=True)
