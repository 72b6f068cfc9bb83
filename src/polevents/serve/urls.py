"""Where an IRI lives on the local server, and which IRI a local path stands for.

The local URL of an IRI under the dataset base is the server root plus the
IRI's path, as Trifid rewrites its dataset base: with the default base
``https://w3id.org/polevents/``, ``https://w3id.org/polevents/id/person/x`` is
served at ``/polevents/id/person/x``.  The ontology
(``https://w3id.org/polevents/ontology``, whose terms are hash IRIs) is served at
its own path the same way.  Other IRIs that the dataset describes are served at
``/describe?iri=…``::

    >>> m = UrlMap("https://w3id.org/polevents/")
    >>> m.local_path("https://w3id.org/polevents/id/person/x")
    '/polevents/id/person/x'
    >>> m.iri_for_path("/polevents/id/person/x")
    'https://w3id.org/polevents/id/person/x'
    >>> m.local_path("https://w3id.org/polevents/ontology#Person")
    '/polevents/ontology#Person'
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from ..vocab import ONTOLOGY_IRI

__all__ = ["UrlMap", "describe_url"]

# Characters an IRI may carry that stay as they are in a URL path.
_SAFE = "/:@!$&'()*+,;=-._~%"


def describe_url(iri: str) -> str:
    """The generic page of any IRI: ``/describe?iri=…``."""
    return "/describe?iri=" + quote(iri, safe="")


@dataclass(frozen=True)
class UrlMap:
    """The mapping between the dataset base (and the ontology) and local paths."""

    base: str

    @property
    def base_path(self) -> str:
        """The local path prefix of the base, e.g. ``/polevents/``; ``/`` for a bare host."""
        path = urlsplit(self.base).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def slash_base(self) -> bool:
        """Whether entity IRIs are paths under the base (``…/``), not fragments (``…#``)."""
        return self.base.endswith("/")

    @property
    def ontology_path(self) -> str:
        return urlsplit(ONTOLOGY_IRI).path

    def local_path(self, iri: str) -> str | None:
        """The local path (and fragment) of ``iri``, or ``None`` when it is not served by path."""
        if iri == ONTOLOGY_IRI or iri.startswith(ONTOLOGY_IRI + "#"):
            return self.ontology_path + iri[len(ONTOLOGY_IRI) :]
        if self.slash_base and iri.startswith(self.base) and len(iri) > len(self.base):
            rest = iri[len(self.base) :]
            if "#" in rest or "?" in rest:
                return None
            return self.base_path + quote(rest, safe=_SAFE)
        return None

    def iri_for_path(self, path: str) -> str | None:
        """The IRI a (percent-decoded) request path stands for, or ``None`` outside the base."""
        if path == self.ontology_path:
            return ONTOLOGY_IRI
        if self.slash_base and path.startswith(self.base_path) and len(path) > len(self.base_path):
            return self.base + path[len(self.base_path) :]
        return None

    def href(self, iri: str, described: bool = False) -> str | None:
        """Where a link to ``iri`` should point: its local path, ``/describe`` if the
        dataset describes it (``described``), else ``None`` (link to the IRI itself)."""
        local = self.local_path(iri)
        if local is not None:
            return local
        return describe_url(iri) if described else None
