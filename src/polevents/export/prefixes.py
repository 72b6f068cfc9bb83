"""The prefixes every published file abbreviates IRIs with.

The fixed vocabulary prefixes of :data:`polevents.vocab.PREFIXES`, a few more the
published files need (``vann:``, ``spdx:``), and one prefix per "folder" of the
dataset's own IRIs, derived from the data so a new kind of entity needs no code:
``person:`` for ``<BASE>id/person/``, ``graph:`` for ``<BASE>graph/``,
``source-kazakhstan-reform-2022-sentence:`` for the sentences of that source.
Prefixes only abbreviate: every IRI stays absolute in every dump (no ``@base``,
no ``@vocab``), and one deterministic mapping is shared by Turtle, TriG and the
JSON-LD context::

    >>> p = dataset_prefixes("https://ex.org/", ["https://ex.org/id/person/ann"])
    >>> p["person"]
    'https://ex.org/id/person/'
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from typing import Final

from ..vocab import PREFIXES

__all__ = ["EXTRA_PREFIXES", "MAX_NESTED_PREFIXES", "dataset_prefixes", "namespace_of", "prefix_digest"]

#: Prefixes the published files use beyond the query prefixes.
EXTRA_PREFIXES: Final[dict[str, str]] = {
    "vann": "http://purl.org/vocab/vann/",
    "pav": "http://purl.org/pav/",
    "spdx": "http://spdx.org/rdf/terms#",
    "pesh": "https://w3id.org/polevents/shapes#",
}

#: A prefix name both Turtle (PN_PREFIX) and JSON-LD accept, without '.' to stay simple.
_PREFIX_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")

#: URI schemes: a prefix with such a name would make JSON-LD read ``urn:x`` as a compact IRI.
_RESERVED: Final = frozenset(
    {"http", "https", "urn", "mailto", "file", "ftp", "data", "tag", "doi", "info", "geo", "tel"}
)


def namespace_of(iri: str) -> str | None:
    """The "folder" of an IRI: everything up to and including its last ``/``."""
    cut = iri.rfind("/")
    return iri[: cut + 1] if cut >= 0 else None


def _prefix_name(base: str, namespace: str) -> str | None:
    segments = [s for s in namespace[len(base) :].split("/") if s]
    if len(segments) > 1 and segments[0] == "id":
        segments = segments[1:]
    name = "-".join(segments)
    if not _PREFIX_NAME.fullmatch(name) or name.lower() in _RESERVED:
        return None
    return name


#: Namespaces nested deeper than a kind of entity (``id/source/<slug>/sentence/``: one per
#: source) get prefixes only while there are at most this many, so that the prefixes — the
#: JSON-LD context, the Turtle and TriG headers — do not grow with the number of sources.
MAX_NESTED_PREFIXES: Final = 8


def _depth(base: str, namespace: str) -> int:
    return len([s for s in namespace[len(base) :].split("/") if s])


def dataset_prefixes(base: str, iris: Iterable[str]) -> dict[str, str]:
    """Fixed prefixes plus one per namespace of the dataset's own ``iris`` (sorted, deterministic).

    A derived name that is taken (``org``, ``time``), not a valid prefix name, or a
    URI scheme is skipped: those IRIs are then written in full.  Namespaces of the
    kinds of entities (``<BASE>id/person/``, ``<BASE>graph/``) always get a prefix;
    deeper ones (``<BASE>id/source/<slug>/sentence/``) only while there are at most
    :data:`MAX_NESTED_PREFIXES` of them: the mapping is bounded whatever the number
    of sources.
    """
    prefixes: dict[str, str] = {**PREFIXES, **EXTRA_PREFIXES}
    known = set(prefixes.values())
    namespaces = sorted(
        {ns for iri in iris if iri.startswith(base) and (ns := namespace_of(iri)) and len(ns) > len(base)}
    )
    nested = [ns for ns in namespaces if _depth(base, ns) > 2]
    if len(nested) > MAX_NESTED_PREFIXES:
        namespaces = [ns for ns in namespaces if _depth(base, ns) <= 2]
    for ns in namespaces:
        if ns in known:
            continue
        name = _prefix_name(base, ns)
        if name is None or name in prefixes:
            continue
        prefixes[name] = ns
        known.add(ns)
    return dict(sorted(prefixes.items()))


def prefix_digest(prefixes: dict[str, str]) -> str:
    """A short digest of a prefix mapping (names the TriG, JSON-LD and Turtle blocks made with it)."""
    text = json.dumps(sorted(prefixes.items()), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
