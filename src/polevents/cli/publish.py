"""``polevents publish``."""

from __future__ import annotations

import os
import re
from pathlib import Path

import click

from ..errors import InputError, RemoteError
from ..formats import RdfFormat
from .options import RdfFormatChoice, dist_option, project_option

#: Environment variable read for the password when ``--user`` carries none.
PASSWORD_ENV = "POLEVENTS_PUBLISH_PASSWORD"

_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


def _progress(message: str) -> None:
    click.echo(f"polevents: {message}", err=True)


def parse_auth_header(value: str) -> tuple[str, str]:
    """Split ``--auth-header 'Name: value'`` into a header name and value.

    >>> parse_auth_header("Authorization: Bearer abc")
    ('Authorization', 'Bearer abc')
    """
    name, sep, rest = value.partition(":")
    name = name.strip()
    if not sep or not _HEADER_NAME.match(name) or not rest.strip():
        raise InputError(f"--auth-header {value!r} is not 'Name: value' (for example 'Authorization: Bearer TOKEN')")
    return name, rest.strip()


def parse_user(value: str | None, digest: bool) -> tuple[str | None, str]:
    """``--user NAME[:PASSWORD]`` as (name, password); without ``:PASSWORD``, the password is ``$POLEVENTS_PUBLISH_PASSWORD``."""
    if value is None:
        if digest:
            raise InputError("--digest needs --user NAME[:PASSWORD]")
        return None, ""
    name, sep, password = value.partition(":")
    if not name:
        raise InputError("--user needs a user name before the ':'")
    if not sep:
        password = os.environ.get(PASSWORD_ENV, "")
        if not password:
            raise InputError(f"--user {name!r} has no password: give NAME:PASSWORD or set {PASSWORD_ENV}")
    return name, password


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
    help=f"HTTP authentication; without :PASSWORD the password is read from ${PASSWORD_ENV}.",
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
    help="Seconds one PUT may take, everything included.",
)
@click.option(
    "--jobs",
    "jobs",
    type=click.IntRange(min=1, max=16),
    default=2,
    show_default=True,
    help="PUT requests in flight at once.",
)
@click.option(
    "--bulk",
    "bulk",
    is_flag=True,
    default=False,
    help="Oxigraph server only: send N-Quads batches to its bulk loader (about as fast as `oxigraph load`; "
    "not transactional: readers may see a graph half loaded, a failure leaves the batch in flight partial).",
)
@click.pass_context
def publish(
    ctx: click.Context,
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
    bulk: bool,
) -> None:
    """Push the built dataset into a SPARQL 1.1 Graph Store, one PUT per named graph.

    Reads dist/polevents.nq (run `polevents build` first). A PUT replaces the
    graph, so running it again leaves the store with the same data. Progress
    goes to stderr; a one-line summary to stdout. The first failing PUT stops
    the run; stderr then lists which graphs the store holds in their new
    version and which in their previous one.

    Exit codes: 0 published; 2 no build, bad option, or the endpoint failed
    (the HTTP status and the server's message are shown).
    """
    from ..publish import publish as run_publish

    if not to.startswith(("http://", "https://")):
        raise InputError(f"--to {to!r}: give an http:// or https:// Graph Store URL")
    if bulk:
        given = [
            f"--{name.replace('_', '-')}" if name != "body_format" else "--format"
            for name in ("body_format", "graph_param", "jobs")
            if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT
        ]
        if given:
            raise InputError(f"--bulk sends the N-Quads dump in batches: {', '.join(given)} does not apply")
    headers = dict([parse_auth_header(auth_header)]) if auth_header is not None else {}
    name, password = parse_user(user, digest)
    try:
        result = run_publish(
            to,
            project_dir=project,
            dist_dir=dist,
            headers=headers,
            user=name,
            password=password,
            digest=digest,
            body_format=RdfFormat.from_name(body_format),
            graph_param=graph_param,
            timeout=timeout,
            jobs=jobs,
            bulk=bulk,
            progress=_progress,
        )
    except RemoteError as exc:
        if exc.status in (401, 403):
            raise RemoteError(f"{exc.message} (check --user/--digest or --auth-header)") from exc
        raise
    click.echo(result.summary())
