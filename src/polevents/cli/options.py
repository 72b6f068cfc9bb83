"""Option bundles shared by several commands (STYLE: one decorator per bundle)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["RdfFormatChoice", "dist_option", "format_option", "project_option"]


def project_option(f: F) -> F:
    """``--project DIR``: the project directory (default: the current directory)."""
    return click.option(
        "--project",
        "project",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="Project directory holding polevents.toml, ontology/, shapes/, data/.",
    )(f)


def dist_option(f: F) -> F:
    """``--dist DIR``: the built output folder."""
    return click.option(
        "--dist",
        "dist",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Built output folder (default: dist/ of the project).",
    )(f)


def format_option(formats: Sequence[str], help: str) -> Callable[[F], F]:
    """``--format NAME``: one of ``formats`` (any case), the first by default; passed as ``fmt``.

    The names stay strings here (the command turns them into its library's
    format enum) so that ``--help`` imports no library module.
    """

    def decorate(f: F) -> F:
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(list(formats), case_sensitive=False),
            default=formats[0],
            show_default=True,
            help=help,
        )(f)

    return decorate


def shapes_option(f: F) -> F:
    """``--shapes/--no-shapes``: require SHACL shapes (default), or allow a project without any."""
    return click.option(
        "--shapes/--no-shapes",
        "shapes_required",
        default=True,
        show_default=True,
        help="Require SHACL shapes in shapes/ (a project without any is refused, exit 2). --no-shapes checks "
        "only the terms the data uses, and says so loudly on stderr.",
    )(f)


def warn_no_shapes(shapes_required: bool) -> None:
    """Say on stderr, loudly, that the data is not checked against any shapes (``--no-shapes``)."""
    if not shapes_required:
        click.echo(
            "polevents: WARNING: --no-shapes: the data is NOT validated against any SHACL shapes; only its "
            "terms (closed vocabulary, undeclared IRIs) are checked",
            err=True,
        )


class RdfFormatChoice(click.ParamType):  # type: ignore[type-arg]
    """One of ``labels`` (RDF format names), also given as a file extension or a media type
    (``ttl``, ``.nt``, ``text/turtle``): :meth:`polevents.formats.RdfFormat.from_name`.  The value
    stays the format's label, so ``--help`` imports nothing heavy."""

    name = "format"

    def __init__(self, labels: Sequence[str]) -> None:
        self.labels = tuple(labels)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from ..errors import InputError
        from ..formats import RdfFormat

        try:
            label = RdfFormat.from_name(str(value)).label
        except InputError as exc:
            self.fail(exc.message, param, ctx)
        if label not in self.labels:
            self.fail(f"{value!r} is not one of {', '.join(self.labels)}", param, ctx)
        return label

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(self.labels) + "]"
