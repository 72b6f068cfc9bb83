"""The one error hierarchy of polevents.

Every error the library raises on purpose derives from :class:`PoleventsError`
and carries the process exit code the command line should end with.  The
library never prints or exits; ``polevents.cli`` turns these into one line on
stderr and the exit code, in one place.

::

    PoleventsError (exit 2)
    ├── InputError (exit 2)            bad input: a file, an option, a config value
    │   ├── RdfSyntaxError (exit 2)    broken RDF, with file:line:col
    │   ├── NotFoundError (exit 2)     nothing is known by that name (the server answers 404)
    │   ├── NotAcceptableError (exit 2) no format offered fits the request (406)
    │   └── HeaderTooLargeError (exit 2) a request header past the server's limit (431)
    ├── NonConformingError (exit 1)    the data violates the SHACL shapes
    ├── QueryError (exit 2)            a SPARQL query that cannot be parsed or run
    ├── QueryTimeoutError (exit 3)     a query (or other work in a child process) that ran past its time limit
    ├── RemoteError (exit 2)           an HTTP endpoint failed or could not be reached
    └── WorkerError (exit 2)           a child process (polevents.process) died without answering
        └── MemoryLimitError (exit 2)  … because it reached its memory bound

An error raised in another process (a forked validator, a query worker) crosses
the pipe as an :class:`ErrorPayload` — plain data, for pickle or JSON — and is
raised again on this side as the same class::

    >>> payload = NonConformingError("2 violations").to_payload()
    >>> payload
    ErrorPayload(kind='NonConformingError', message='2 violations', exit_code=1, position=None)
    >>> again = PoleventsError.from_payload(payload)
    >>> type(again).__name__, str(again), again.exit_code
    ('NonConformingError', '2 violations', 1)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

__all__ = [
    "ErrorPayload",
    "HeaderTooLargeError",
    "InputError",
    "MemoryLimitError",
    "NonConformingError",
    "NotAcceptableError",
    "NotFoundError",
    "PoleventsError",
    "Position",
    "QueryError",
    "QueryTimeoutError",
    "RdfSyntaxError",
    "RemoteError",
    "WorkerError",
]


class ErrorPayload(NamedTuple):
    """A :class:`PoleventsError` as plain data, to carry it across a pipe (pickled, or as a JSON list)."""

    #: the error's class name, one of the hierarchy above
    kind: str
    message: str
    exit_code: int
    #: where a :class:`RdfSyntaxError` is: (path or None, line, column)
    position: tuple[str | None, int | None, int | None] | None = None


class PoleventsError(Exception):
    """Base of every polevents error; ``exit_code`` is what the CLI exits with."""

    exit_code: int = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def to_payload(self) -> ErrorPayload:
        """This error as plain data (see :meth:`from_payload`)."""
        return ErrorPayload(type(self).__name__, self.message, self.exit_code)

    @classmethod
    def from_payload(cls, payload: ErrorPayload | Sequence[object]) -> PoleventsError:
        """The error :meth:`to_payload` made ``payload`` of, to raise again.

        The class is looked up by name among ``cls`` and its subclasses; an unknown
        name gives ``cls`` itself.  Message and exit code are the payload's.
        ``payload`` may be the plain sequence an :class:`ErrorPayload` becomes in JSON.
        """
        data = ErrorPayload(*payload)
        target = _error_class(cls, str(data.kind)) or cls
        exc = target._rebuild(data)
        exc.message = str(data.message)
        exc.args = (exc.message,)
        if exc.exit_code != int(data.exit_code):
            exc.exit_code = int(data.exit_code)
        return exc

    @classmethod
    def _rebuild(cls, payload: ErrorPayload) -> PoleventsError:
        """An instance of this class for ``payload`` (a subclass with other arguments overrides this)."""
        return cls(str(payload.message))


def _error_class(root: type[PoleventsError], name: str) -> type[PoleventsError] | None:
    """``root`` or the subclass of it (at any depth) called ``name``."""
    if root.__name__ == name:
        return root
    for sub in root.__subclasses__():
        found = _error_class(sub, name)
        if found is not None:
            return found
    return None


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

    def to_payload(self) -> ErrorPayload:
        path = str(self.position.path) if self.position.path is not None else None
        return super().to_payload()._replace(position=(path, self.position.line, self.position.column))

    @classmethod
    def _rebuild(cls, payload: ErrorPayload) -> PoleventsError:
        path, line, column = payload.position or (None, None, None)
        position = Position(Path(path) if path is not None else None, line, column)
        message = str(payload.message)
        prefix = f"{position}: "
        return cls(position, message[len(prefix) :] if message.startswith(prefix) else message)


class NotFoundError(InputError):
    """Nothing is known by that name (an IRI the dataset does not mention, a file not published)."""


class NotAcceptableError(InputError):
    """No representation offered fits what the request accepts (``Accept``, ``?format=``)."""


class HeaderTooLargeError(InputError):
    """A request header is longer than the server reads."""


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

    #: the HTTP status of the answer that failed, when there was one
    status: int | None = None


class WorkerError(PoleventsError):
    """A child process (see :mod:`polevents.process`) died before it answered."""


class MemoryLimitError(WorkerError):
    """A child process reached its memory bound (``RLIMIT_AS``) and was stopped."""
