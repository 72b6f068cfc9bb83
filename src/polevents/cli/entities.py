"""``polevents entities``: the dataset's entities to reuse, found by type or by any of their names."""

from __future__ import annotations

from pathlib import Path

import click

from .options import dist_option, format_option, project_option

_FORMATS = ("tsv", "table", "json")


@click.command()
@click.option(
    "--type",
    "type_name",
    default=None,
    metavar="CLASS",
    help="Only entities of CLASS and its subclasses (pe:Person, Person or a full IRI).",
)
@click.option(
    "--search",
    "text",
    default=None,
    metavar="TEXT",
    help="Only entities one of whose names (label, alternative, misspelling, a source's spelling) matches TEXT, in any script or transliteration; best first.",
)
@format_option(
    _FORMATS,
    help="tsv: tab-separated with a header; table: aligned, IRIs relative to the base; json: a list of objects with every name.",
)
@dist_option
@project_option
def entities(type_name: str | None, text: str | None, fmt: str, dist: Path | None, project: Path) -> None:
    """List the entities of the dataset to reuse in a new facts file: IRI, type, label, sources.

    Reads the project's files (what is written so far, built or not); with
    --dist DIR, or outside a project, the built dataset.
    With --search, two more columns: the name that matched and the score (0-1).

    \b
    polevents entities --type pe:Person
    polevents entities --search Tokaev          # finds Kassym-Jomart Tokayev
    polevents entities --search "Nur Otan" --format table

    Exit codes: 0 (also when nothing matches); 2 bad input (unknown class, no dataset).
    """
    from ..config import load_config
    from ..source.entities import format_json, format_table, format_tsv, load_entities, search

    records = load_entities(project, dist, type_name=type_name)
    items = search(records, text) if text is not None else records
    if fmt == "json":
        click.echo(format_json(items), nl=False)
    elif fmt == "table":
        base = load_config(project).base if (project / "polevents.toml").is_file() else None
        click.echo(format_table(items, base, searched=text is not None), nl=False)
    else:
        click.echo(format_tsv(items, searched=text is not None), nl=False)
    if text is not None and not items:
        click.echo(f"polevents: no entity matches {text!r}", err=True)
