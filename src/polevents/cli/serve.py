"""``polevents serve``."""

from __future__ import annotations

from pathlib import Path

import click

from ..process import DEFAULT_MEMORY_LIMIT
from .options import dist_option, project_option


@click.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@project_option
@dist_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
    help="TCP port; 0 picks a free one (the address is printed on stderr).",
)  # fmt: skip
@click.option(
    "--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
    help="Seconds a SPARQL query may take; past it the answer is 503 and the worker that ran it is replaced.",
)  # fmt: skip
@click.option(
    "--max-rows", type=click.IntRange(min=1), default=100_000, show_default=True,
    help="Solutions or triples a query returns at most; a cut result has the header X-SPARQL-MaxRows.",
)  # fmt: skip
@click.option(
    "--max-body", type=click.IntRange(min=1024), default=1 << 20, show_default=True,
    help="Largest request body in bytes; larger ones get 413.",
)  # fmt: skip
@click.option(
    "--workers", type=click.IntRange(1, 64), default=2, show_default=True,
    help="HTTP worker processes answering requests (sandboxed; each runs up to 3 queries at once).",
)  # fmt: skip
@click.option(
    "--max-memory", type=click.IntRange(min=64), default=DEFAULT_MEMORY_LIMIT >> 20, show_default=True,
    help="Address space of each HTTP worker in MiB (RLIMIT_AS); past 75 %% of it its queries are stopped with 503.",
)  # fmt: skip
@click.option(
    "--isolate-network/--no-isolate-network", default=True, show_default=True,
    help="Run the query workers in a network namespace of their own (no outbound connection is possible); "
    "without it, or where the OS refuses, SERVICE is refused on a parse of each query.",
)  # fmt: skip
@click.option("--access-log/--no-access-log", default=True, show_default=True, help="Log each request on stderr.")
def serve(
    files: tuple[Path, ...],
    project: Path,
    dist: Path | None,
    host: str,
    port: int,
    timeout: float,
    max_rows: int,
    max_body: int,
    workers: int,
    max_memory: int,
    isolate_network: bool,
    access_log: bool,
) -> None:
    """Serve the dataset as Linked Data with a SPARQL 1.1 endpoint.

    Serves the built dataset (dist/polevents.nq; the project's sources in
    memory when nothing is built), or the RDF FILES given (any format by
    extension, .gz too; quad formats keep their graphs, triples go to the
    default graph).

    \b
    Every IRI under the dataset base answers at the server root plus the IRI's
    path: https://w3id.org/polevents/id/person/x -> http://HOST:PORT/polevents/id/person/x.
    The answer is 200 directly (no 303 redirect), by content negotiation
    (Accept: text/html, text/turtle, application/ld+json, application/n-triples,
    application/rdf+xml; ?format=html|ttl|jsonld|nt|rdf overrides), Vary: Accept.
    An entity's RDF is its outgoing triples (blank nodes followed), the triples
    pointing to it, and the labels of the nodes they mention.

    \b
    Also: / (home, query form), /sparql (SPARQL 1.1 Protocol, read-only;
    SERVICE refused), /dist/NAME (dumps with ETag/Last-Modified),
    /.well-known/void (VoID), /browse?class=IRI.
    """
    from ..serve.app import ServeSettings
    from ..serve.server import run_server

    settings = ServeSettings(
        timeout=timeout, max_rows=max_rows, max_body=max_body, workers=workers, max_memory=max_memory << 20,
        isolate_network=isolate_network,
    )  # fmt: skip
    run_server(
        list(files), project, dist, host, port, settings,
        notify=lambda line: click.echo(line, err=True), access_log=access_log,
    )  # fmt: skip
