"""The ``polevents`` command line: one click group, commands loaded lazily.

Each command lives in its own module of this package and is imported only when
it runs, so ``polevents query`` does not pay for the validator or the web
server.  Library errors (:class:`polevents.errors.PoleventsError`) become one
line on stderr and their exit code here, in :func:`main`, and nowhere else.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from ..errors import PoleventsError

__all__ = ["cli", "main"]

#: command name -> "module:attribute" inside polevents.cli
COMMANDS: dict[str, str] = {
    "build": "build:build",
    "validate": "validate:validate",
    "query": "query:query",
    "serve": "serve:serve",
    "export": "export:export",
    "link": "link:link",
    "publish": "publish:publish",
    "diff": "diff:diff",
    "entities": "entities:entities",
    "source": "source:source",
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(f"{__name__}.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{module_name}":
                return None  # command not built yet
            raise
        command: click.Command = getattr(module, attr)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="polevents")
@click.option("--traceback", is_flag=True, help="Show the full traceback on errors (read by main()).")
def cli(traceback: bool) -> None:
    """Publish political events from news articles as linked open data.

    Typical flow: `polevents build` (validate and write dist/), then
    `polevents query --name v1-party-chairs`, or `polevents serve`.
    """


def main(argv: list[str] | None = None) -> Any:
    """Entry point: run the CLI, turning library errors into messages and exit codes."""
    args = sys.argv[1:] if argv is None else argv
    try:
        return cli.main(args=args, prog_name="polevents", standalone_mode=False)
    except PoleventsError as exc:
        if "--traceback" in args:
            raise
        click.echo(f"polevents: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(0)
