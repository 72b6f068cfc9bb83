"""``polevents query``: SPARQL over the dataset or an endpoint (library: polevents.query)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any, BinaryIO

import click

from ..errors import InputError
from ..formats import ResultFormat
from ..vocab import PREFIXES
from .options import dist_option, project_option


class ResultFormatType(click.ParamType[ResultFormat, object]):
    """A :class:`ResultFormat` by name; a wrong name lists the allowed ones."""

    name = "format"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> ResultFormat:
        if isinstance(value, ResultFormat):
            return value
        try:
            return ResultFormat.from_name(str(value))
        except InputError as exc:
            self.fail(exc.message, param, ctx)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(f.label for f in ResultFormat) + "]"


class EndpointType(click.ParamType[str, object]):
    """An http(s) URL."""

    name = "url"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        if not text.lower().startswith(("http://", "https://")) or len(text.split("://", 1)[1]) == 0:
            self.fail(f"{text!r} is not an http:// or https:// URL", param, ctx)
        return text


HELP = f"""Run a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE).

The query is the QUERY argument, a file (-f FILE, '-' for stdin) or a shipped
query (--name NAME, see --list); give exactly one.

Data: dist/polevents.nq of the project (or --dist DIR). When it has not been
built, the project's sources are loaded in memory, unvalidated, and a note on
stderr says so. With --endpoint URL the query goes to that SPARQL 1.1 Protocol
endpoint instead, with the same output formats.

Graphs: the default graph is the UNION of all named graphs (one per source,
plus the ontology graph), each triple once; GRAPH ?g {{ ... }} queries each
named graph on its own:

\b
  polevents query 'SELECT ?g (COUNT(*) AS ?n)
                   {{ GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g'

Prefixes: {" ".join(f"{name}:" for name in PREFIXES)} are predefined; a PREFIX
the query declares wins. The base IRI is the dataset's (polevents.toml), so
<id/person/...> names an entity as in the data files. Remotely, the
predefined prefixes the query uses are declared on its first line, so line
numbers in the server's messages still match.

Output: table (aligned, for reading), csv, tsv, json, xml (the W3C SPARQL
results formats) for SELECT/ASK; turtle, jsonld, nt for CONSTRUCT/DESCRIBE.
ASK prints true or false. Data goes to stdout; notes and errors to stderr.

Exit codes: 0 answered (ASK true or false); 1 ASK was false, only with
--ask-exit; 2 bad query (syntax errors as ORIGIN:LINE:COL with what was
expected), unknown prefix or name, missing file, a format that does not fit
the query form, unreachable endpoint or HTTP error; 3 timeout.
"""


@click.command(help=HELP)
@click.argument("query_text", metavar="[QUERY]", required=False)
@click.option("-f", "--file", "file", metavar="FILE", help="Read the query from FILE ('-' for stdin).")
@click.option("--name", "name", metavar="NAME", help="Run the shipped query queries/NAME.rq of the project.")
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind ?NAME to VALUE (an IRI <…>, a prefixed name, a literal, else a plain string); repeatable. "
    "A query's one-variable VALUES ?NAME {…} block (its default) is replaced.",
)
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE",
    help="Write the answer to FILE instead of stdout (the format from its extension unless --format).",
)
@click.option("--list", "list_", is_flag=True, help="List the shipped queries (name TAB description) and exit.")
@click.option(
    "--format",
    "fmt",
    type=ResultFormatType(),
    default=None,
    help="Output format. Default: table on a terminal and csv in a pipe for SELECT/ASK; turtle for CONSTRUCT/DESCRIBE.",
)
@dist_option
@click.option(
    "--endpoint",
    type=EndpointType(),
    default=None,
    metavar="URL",
    help="Query this SPARQL 1.1 Protocol endpoint instead of the local dataset.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="S",
    help="Stop the query after S seconds (exit 3). Local: evaluation only, the query runs in a child "
    "process that is killed. Remote: the whole request, connecting to reading the last byte "
    "(default 60 s).",
)
@click.option(
    "--ask-exit",
    is_flag=True,
    help="For ASK: exit 0 when the answer is true, 1 when it is false (like grep). Without it ASK exits 0 either way.",
)
@click.option(
    "--check/--no-check",
    default=True,
    show_default=True,
    help="With --endpoint: check the syntax locally before sending. --no-check sends endpoint-specific syntax as is.",
)
@click.option(
    "--max-width",
    type=click.IntRange(min=8),
    default=72,
    show_default=True,
    help="Table format: wrap values wider than this many columns.",
)
@click.option(
    "--fit/--no-fit",
    default=True,
    show_default=True,
    help="Table format on a terminal: narrow the widest columns so the table fits the window.",
)
@project_option
@click.pass_context
def query(
    ctx: click.Context,
    query_text: str | None,
    file: str | None,
    name: str | None,
    params: tuple[str, ...],
    output: Path | None,
    list_: bool,
    fmt: ResultFormat | None,
    dist: Path | None,
    endpoint: str | None,
    timeout: float | None,
    ask_exit: bool,
    check: bool,
    max_width: int,
    fit: bool,
    project: Path,
) -> None:
    """Run a SPARQL 1.1 query; the help text is :data:`HELP`."""
    from ..config import require_project
    from ..query import (
        QueryText,
        answer,
        execute,
        list_queries,
        named_query,
        prepare,
        read_query_file,
        read_stdin,
    )
    from ..query.results import check_format, default_format, write_result

    if list_ or name is not None:
        require_project(project)
    if list_:
        if query_text is not None or file is not None or name is not None:
            raise click.UsageError("--list takes no query")
        for named in list_queries(project):
            click.echo(f"{named.name}\t{named.description}")
        return
    given = [x for x in (query_text, file, name) if x is not None]
    if len(given) != 1:
        raise click.UsageError(
            "give exactly one query: QUERY, -f FILE or --name NAME" + (" (not several)" if given else "")
        )
    if dist is not None and endpoint is not None:
        raise click.UsageError("--dist and --endpoint exclude each other")

    if query_text is not None:
        text = QueryText(query_text, "query")
    elif file is not None:
        text = read_stdin() if file == "-" else read_query_file(Path(file))
    else:
        assert name is not None
        text = named_query(project, name)

    from ..query.params import parse_param

    bindings = dict(parse_param(p) for p in params)
    prepared = prepare(text, project, check=check or endpoint is None, params=bindings)
    if fmt is None and output is not None and output.suffix:
        fmt = ResultFormat.from_name(output.suffix)
    out_format = fmt if fmt is not None else default_format(prepared.form, sys.stdout.isatty() and output is None)
    check_format(prepared.form, out_format)
    notify = lambda note: click.echo(f"polevents: note: {note}", err=True)  # noqa: E731
    if output is not None:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            stdout: BinaryIO = output.open("wb")
        except OSError as exc:
            raise InputError(f"{output}: cannot write: {exc.strerror}") from exc
    else:
        stdout = sys.stdout.buffer
    if endpoint is None and out_format is not ResultFormat.TABLE:
        # the local dataset, written by the engine straight to stdout (streamed)
        written = answer(prepared, out_format, stdout, project=project, dist=dist, timeout=timeout, notify=notify)
        stdout.flush()
        if output is not None:
            stdout.close()
        if ask_exit and written.boolean is False:
            ctx.exit(1)
        return
    result = execute(
        prepared,
        project=project,
        dist=dist,
        endpoint=endpoint,
        timeout=timeout,
        notify=notify,
    )

    # the window's width on a terminal; elsewhere only when COLUMNS says it (a pipe has no width)
    terminal = output is None and (sys.stdout.isatty() or "COLUMNS" in os.environ)
    write_result(
        result,
        out_format,
        stdout,
        prefixes=prepared.prefixes,
        base=prepared.base,
        max_width=max_width,
        total_width=shutil.get_terminal_size().columns if terminal and fit else None,
    )
    stdout.flush()
    if output is not None:
        stdout.close()
    if out_format is ResultFormat.TABLE and result.boolean is None and sys.stderr.isatty():
        rows = len(result.rows)
        click.echo(f"({rows} row{'s' if rows != 1 else ''})", err=True)
    if ask_exit and result.boolean is False:
        ctx.exit(1)
