"""RDF and query-result formats as one type each.

A format carries everything the code needs to know about it (names, media
type, file extension, whether it holds quads), so no code chooses a format by
comparing strings::

    >>> RdfFormat.from_name("ttl") is RdfFormat.TURTLE
    True
    >>> RdfFormat.TURTLE.media_type
    'text/turtle'
    >>> RdfFormat.from_extension("nq").is_quads
    True
    >>> ResultFormat.CSV.content_type
    'text/csv; charset=utf-8'
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

__all__ = ["RdfFormat", "ResultFormat"]


def _content_type(media_type: str) -> str:
    return media_type + "; charset=utf-8" if media_type.startswith("text/") else media_type


class RdfFormat(enum.Enum):
    """An RDF serialisation: (name, rdflib name, media type, extension, quads?, aliases)."""

    TURTLE = ("turtle", "turtle", "text/turtle", "ttl", False, ("ttl",))
    NTRIPLES = ("nt", "nt", "application/n-triples", "nt", False, ("ntriples", "n-triples"))
    NQUADS = ("nquads", "nquads", "application/n-quads", "nq", True, ("nq", "n-quads"))
    TRIG = ("trig", "trig", "application/trig", "trig", True, ())
    JSONLD = ("jsonld", "json-ld", "application/ld+json", "jsonld", True, ("json-ld", "json"))
    RDFXML = ("rdfxml", "xml", "application/rdf+xml", "rdf", False, ("xml", "rdf", "owl"))

    def __init__(
        self,
        label: str,
        rdflib_name: str,
        media_type: str,
        extension: str,
        is_quads: bool,
        aliases: tuple[str, ...],
    ) -> None:
        self.label = label
        self.rdflib_name = rdflib_name
        self.media_type = media_type
        self.extension = extension
        self.is_quads = is_quads
        self.aliases = aliases

    @property
    def content_type(self) -> str:
        """The HTTP Content-Type: the media type, with ``charset=utf-8`` for a ``text/`` type."""
        return _content_type(self.media_type)

    @property
    def oxigraph(self) -> pyoxigraph.RdfFormat:
        """The matching ``pyoxigraph.RdfFormat``."""
        import pyoxigraph

        return pyoxigraph.RdfFormat.from_media_type(self.media_type)  # type: ignore[return-value]

    @classmethod
    def from_name(cls, name: str) -> RdfFormat:
        """A format by name, file extension (``ttl``, ``.nq``) or media type (``text/turtle``)."""
        key = name.lower().strip().lstrip(".")
        for fmt in cls:
            if key in (fmt.label, fmt.extension, fmt.rdflib_name, *fmt.aliases):
                return fmt
        by_type = cls.from_media_type(key) if "/" in key else None
        if by_type is not None:
            return by_type
        allowed = ", ".join(f.label for f in cls)
        raise InputError(f"unknown RDF format {name!r}; use one of: {allowed} (or a file extension or media type)")

    @classmethod
    def from_extension(cls, ext: str) -> RdfFormat:
        return cls.from_name(ext)

    @classmethod
    def from_path(cls, path: Path) -> RdfFormat:
        suffixes = [s for s in path.suffixes if s != ".gz"]
        if not suffixes:
            raise InputError(f"{path}: cannot tell the RDF format from the file name")
        return cls.from_extension(suffixes[-1])

    @classmethod
    def from_media_type(cls, media_type: str) -> RdfFormat | None:
        base = media_type.split(";")[0].strip().lower()
        for fmt in cls:
            if fmt.media_type == base:
                return fmt
        return None


#: File extensions and other names of the result formats (the W3C's ``.srj``/``.srx``).
_RESULT_ALIASES: dict[str, str] = {
    "srj": "json", "srx": "xml", "ttl": "turtle", "json-ld": "jsonld", "ntriples": "nt", "n-triples": "nt",
    "txt": "table", "text": "table",
}  # fmt: skip


class ResultFormat(enum.Enum):
    """How query results are printed: (name, media type, for SELECT/ASK?, for graphs?)."""

    TABLE = ("table", "text/plain", True, False)
    CSV = ("csv", "text/csv", True, False)
    TSV = ("tsv", "text/tab-separated-values", True, False)
    JSON = ("json", "application/sparql-results+json", True, False)
    XML = ("xml", "application/sparql-results+xml", True, False)
    TURTLE = ("turtle", "text/turtle", False, True)
    JSONLD = ("jsonld", "application/ld+json", False, True)
    NTRIPLES = ("nt", "application/n-triples", False, True)

    def __init__(self, label: str, media_type: str, for_solutions: bool, for_graphs: bool) -> None:
        self.label = label
        self.media_type = media_type
        self.for_solutions = for_solutions
        self.for_graphs = for_graphs

    @classmethod
    def from_name(cls, name: str) -> ResultFormat:
        """A format by name, file extension (``srj``, ``.ttl``) or media type (``text/csv``).

        >>> ResultFormat.from_name("application/sparql-results+json") is ResultFormat.JSON
        True
        >>> ResultFormat.from_name(".ttl") is ResultFormat.TURTLE
        True
        """
        key = name.lower().strip().lstrip(".")
        key = _RESULT_ALIASES.get(key, key)
        for fmt in cls:
            if key == fmt.label or key == fmt.media_type or key == fmt.media_type.split("/")[1]:
                return fmt
        if "/" in key:
            base = key.split(";")[0].strip()
            for fmt in cls:
                if base == fmt.media_type:
                    return fmt
        allowed = ", ".join(f.label for f in cls)
        raise InputError(f"unknown result format {name!r}; use one of: {allowed} (or a file extension or media type)")

    @property
    def content_type(self) -> str:
        """The HTTP Content-Type: the media type, with ``charset=utf-8`` for a ``text/`` type
        (SPARQL 1.1 Query Results CSV and TSV: ``text/csv; charset=utf-8``)."""
        return _content_type(self.media_type)

    @property
    def rdf_format(self) -> RdfFormat | None:
        """The RDF format for graph results, None for solution formats."""
        return RdfFormat.from_media_type(self.media_type) if self.for_graphs else None
