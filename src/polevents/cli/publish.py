"""``polevents publish``."""

from __future__ import annotations

from pathlib import Path

import click

from ..formats import RdfFormat
from .options import RdfFormatChoice, dist_option, project_option


def _progress(message: str) -> None:
    click.echo(f"polevents: {message}", err=True)


@click.command()
@click.option(
    "--to",
    "to",
    required=True,
    metavar="URL",
    help="Graph Store Protocol endpoint, e.g. http://127.0.0.1:7878/store (Oxigraph), "
    "http://host:3030/ds/data (Fuseki), http://host:8890/sparql-graph-crud-auth (Virtuoso), "
    "http://host:7200/repositories/ID/rdf-graphs/service (GraphDB).",
)
@dist_option
@project_option
@click.option(
    "--auth-header",
    "auth_header",
    metavar="'NAME: VALUE'",
    default=None,
    help="Extra header sent with every request, e.g. 'Authorization: Bearer TOKEN'.",
)
@click.option(
    "--user",
    "user",
    metavar="NAME[:PASSWORD]",
    default=None,
    help="HTTP authentication; without :PASSWORD the password is read from $POLEVENTS_PUBLISH_PASSWORD.",
)
@click.option("--digest/--basic", "digest", default=False, help="Authentication scheme for --user.")
@click.option(
    "--format",
    "body_format",
    type=RdfFormatChoice(["turtle", "nt", "rdfxml"]),
    default="turtle",
    show_default=True,
    help="Body format of each graph.",
)
@click.option(
    "--graph-param",
    "graph_param",
    default="graph",
    show_default=True,
    help="Query parameter naming the graph (older Virtuoso releases document 'graph-uri').",
)
@click.option(
    "--timeout",
    "timeout",
    type=click.FloatRange(min=0.1),
    default=60.0,
    show_default=True,
    help="Seconds to wait for each request.",
)
@click.option(
    "--jobs",
    "jobs",
    type=click.IntRange(min=1, max=16),
    default=2,
    show_default=True,
    help="PUT requests in flight at once.",
)
def publish(
    to: str,
    dist: Path | None,
    project: Path,
    auth_header: str | None,
    user: str | None,
    digest: bool,
    body_format: str,
    graph_param: str,
    timeout: float,
    jobs: int,
) -> None:
    """Push the built dataset into a SPARQL 1.1 Graph Store, one PUT per named graph.

    Reads dist/polevents.nq (run `polevents build` first). A PUT replaces the
    graph, so running it again leaves the store with the same data. Progress
    goes to stderr; a one-line summary to stdout.

    Exit codes: 0 published; 2 no build, bad option, or the endpoint failed
    (the HTTP status and the server's message are shown).
    """
    from ..publish import publish as run_publish

    result = run_publish(
        to,
        project_dir=project,
        dist_dir=dist,
        auth_header=auth_header,
        user=user,
        digest=digest,
        body_format=RdfFormat.from_name(body_format),
        graph_param=graph_param,
        timeout=timeout,
        jobs=jobs,
        progress=_progress,
    )
    click.echo(result.summary())
