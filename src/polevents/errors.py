"""The one error hierarchy of polevents.

Every error the library raises on purpose derives from :class:`PoleventsError`
and carries the process exit code the command line should end with.  The
library never prints or exits; ``polevents.cli`` turns these into one line on
stderr and the exit code, in one place.

::

    PoleventsError (exit 2)
    ├── InputError (exit 2)            bad input: a file, an option, a config value
    │   └── RdfSyntaxError (exit 2)    broken RDF, with file:line:col
    ├── NonConformingError (exit 1)    the data violates the SHACL shapes
    ├── QueryError (exit 2)            a SPARQL query that cannot be parsed or run
    ├── QueryTimeoutError (exit 3)     a query that ran past --timeout
    └── RemoteError (exit 2)           an HTTP endpoint failed or could not be reached
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "InputError",
    "NonConformingError",
    "Position",
    "PoleventsError",
    "QueryError",
    "QueryTimeoutError",
    "RdfSyntaxError",
    "RemoteError",
]


class PoleventsError(Exception):
    """Base of every polevents error; ``exit_code`` is what the CLI exits with."""

    exit_code: int = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(PoleventsError):
    """Bad input: a missing file, a wrong option value, a broken configuration."""


@dataclass(frozen=True)
class Position:
    """A place in a text file, 1-based line and column."""

    path: Path | None
    line: int | None
    column: int | None

    def __str__(self) -> str:
        parts = [str(self.path) if self.path else "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


class RdfSyntaxError(InputError):
    """Broken RDF; the message starts with ``FILE:LINE:COL:``."""

    def __init__(self, position: Position, detail: str) -> None:
        super().__init__(f"{position}: {detail}")
        self.position = position
        self.detail = detail

    @classmethod
    def from_parser(cls, path: Path | None, exc: SyntaxError) -> RdfSyntaxError:
        """Oxigraph's ``SyntaxError`` ("Parser error between line 3 column 11 and …: what") as ``FILE:3:11: what``."""
        detail = " ".join(str(exc.msg if exc.msg else exc).split())
        if ": " in detail and detail.startswith(("Parser error", "error at")):
            detail = detail.split(": ", 1)[1]
        return cls(Position(path, exc.lineno, exc.offset), detail)


class NonConformingError(PoleventsError):
    """The data does not conform to the shapes; nothing was published."""

    exit_code = 1


class QueryError(PoleventsError):
    """A SPARQL query that cannot be parsed or evaluated."""


class QueryTimeoutError(PoleventsError):
    """A query ran longer than the allowed time and was stopped."""

    exit_code = 3


class RemoteError(PoleventsError):
    """A remote endpoint answered with an error or could not be reached."""
