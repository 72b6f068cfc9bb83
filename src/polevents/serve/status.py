"""The one table of the server's error statuses: which HTTP status each library error answers with.

Routes raise :class:`~polevents.errors.PoleventsError` subclasses; the pages
(:func:`polevents.serve.app.error_response`) and the SPARQL endpoint
(:mod:`polevents.serve.sparql`) answer with :func:`status_of` the error, never
with a status of their own choosing.  The most specific class of an error's MRO
found in :data:`ERROR_STATUS` wins::

    >>> from polevents.errors import QueryTimeoutError
    >>> status_of(QueryTimeoutError("ran past 10 s"))
    503
"""

from __future__ import annotations

from ..errors import (
    HeaderTooLargeError,
    InputError,
    MemoryLimitError,
    NonConformingError,
    NotAcceptableError,
    NotFoundError,
    PoleventsError,
    QueryError,
    QueryTimeoutError,
    RdfSyntaxError,
    RemoteError,
    WorkerError,
)
from .worker import NetworkRefusedError

__all__ = ["ERROR_STATUS", "ERROR_TITLES", "status_of"]

#: The HTTP status of each library error: the only place the server chooses an error status.
ERROR_STATUS: dict[type[PoleventsError], int] = {
    NotFoundError: 404,
    NotAcceptableError: 406,
    HeaderTooLargeError: 431,
    RdfSyntaxError: 400,
    InputError: 400,
    NetworkRefusedError: 403,  # SERVICE / LOAD: this server makes no outbound connections
    QueryError: 400,
    QueryTimeoutError: 503,
    MemoryLimitError: 503,  # the query needs more memory than a worker may have: busy, try a smaller one
    WorkerError: 500,  # a worker died answering (a crash is no reason to retry)
    RemoteError: 502,
    NonConformingError: 500,
    PoleventsError: 500,
}
ERROR_TITLES = {400: "Bad request", 403: "Forbidden", 404: "Not found", 406: "Not acceptable",
                431: "Header too large", 500: "Server error", 502: "Bad gateway", 503: "Unavailable"}  # fmt: skip


def status_of(exc: PoleventsError) -> int:
    """The HTTP status :data:`ERROR_STATUS` gives ``exc``."""
    for cls in type(exc).__mro__:
        if cls in ERROR_STATUS:
            return ERROR_STATUS[cls]
    return 500
