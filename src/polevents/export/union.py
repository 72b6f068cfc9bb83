"""The union dumps (N-Triples, Turtle and their gzip copies) from content-addressed segments.

The N-Triples dump is the sorted union of the graphs' lines (an external merge,
:mod:`polevents.export.merge`): one change anywhere shifts it, so it cannot be kept
per graph like the N-Quads.  It is cut instead into **segments** at content-defined
points: before a line whose subject differs from the previous line's and whose
subject's CRC-32 has its low :data:`CUT_BITS` bits zero (about one subject in
1,024: segments of about a megabyte), or at the next subject once a segment has
reached :data:`MAX_SEGMENT` bytes.  The cut points depend only on the lines around
them, so a change in one source changes the one or two segments its lines are in,
and every other segment has the same bytes as in the previous build.

Each segment is cached by the SHA-256 of its bytes (:func:`segment_key`) in the chunk
cache's folder:

* ``SEG.nt.gz``     the segment as one gzip member;
* ``SEG-P.ttl``     Oxigraph's Turtle of the segment alone, without the prefix header
  (``P``: the digest of the prefixes);
* ``SEG-P.ttl.gz``  that Turtle as one gzip member.

The dumps are the concatenations: gzip members concatenated are one valid gzip
stream (RFC 1952 §2.2) whose content is the concatenated contents, and Oxigraph's
Turtle of sorted lines cut at subject boundaries is the header, then each part's
statements (a subject's ``;``/``,`` groups never cross a cut), byte for byte what
converting the whole file gives (a test checks it).  A rebuild therefore converts
and compresses only the changed segments; a cold build does the same work as
before, one segment at a time, in a child process beside the other writers
(:mod:`polevents.export.worker`).
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Final

from .chunks import write_atomically

__all__ = [
    "CUT_BITS",
    "GZIP_LEVEL",
    "MAX_SEGMENT",
    "UnionJob",
    "UnionResult",
    "gzip_member",
    "segment_key",
    "segments",
    "write_union",
]

#: Cut before a new subject whose CRC-32 has these many low bits zero (1 in 2**CUT_BITS subjects).
CUT_BITS: Final = 10
#: Cut at the next subject once a segment is this long (bytes), whatever its subjects' CRCs.
MAX_SEGMENT: Final = 8 << 20
#: The compression level of every published gzip file.
GZIP_LEVEL: Final = 6
#: Bump when the bytes cached for a segment change meaning.
SEGMENT_VERSION: Final = "1"
#: The header of every gzip member polevents writes: deflate, no flags, mtime 0, no extra
#: flags, OS "unknown" (what :class:`gzip.GzipFile` wrote for ``filename="", mtime=0``).
_GZIP_HEADER: Final = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"


def gzip_member(data: bytes, level: int = GZIP_LEVEL) -> bytes:
    """``data`` as one gzip member (RFC 1952): no file name, mtime 0, the same bytes on every run."""
    deflate = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = deflate.compress(data) + deflate.flush()
    return _GZIP_HEADER + body + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)


def _salt() -> bytes:
    import pyoxigraph

    return (
        f"polevents-segment {SEGMENT_VERSION} zlib {zlib.ZLIB_RUNTIME_VERSION} level {GZIP_LEVEL} "
        f"oxigraph {pyoxigraph.__version__}\n"
    ).encode()


def segment_key(segment: bytes, salt: bytes = b"") -> str:
    """The cache key of a segment: SHA-256 of its bytes (and of the versions that make its files)."""
    return hashlib.sha256(salt + segment).hexdigest()


def segments(stream: BinaryIO) -> Iterator[tuple[bytes, int]]:
    """The segments of a sorted N-Triples stream, each with its number of lines."""
    mask = (1 << CUT_BITS) - 1
    lines: list[bytes] = []
    size = 0
    last = b""
    crc32 = zlib.crc32
    for line in stream:
        # the first token: a subject IRI or blank node (a quoted triple's "<<" never cuts inside it)
        subject = line[: line.find(b" ")]
        if subject != last:
            if lines and (size >= MAX_SEGMENT or not crc32(subject) & mask):
                yield b"".join(lines), len(lines)
                lines, size = [], 0
            last = subject
        lines.append(line)
        size += len(line)
    if lines:
        yield b"".join(lines), len(lines)


def _turtle_header(prefixes: dict[str, str]) -> bytes:
    import pyoxigraph as ox

    probe = ox.Triple(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.NamedNode("urn:x:o"))
    text = ox.serialize([probe], format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b""
    return text[: text.index(b"<urn:x:s>")]


@dataclass
class UnionJob:
    """Write the union dumps from the sorted N-Triples file ``ntriples`` (already merged).

    Targets left ``None`` are not written.  ``cache`` is the folder of the segments.
    """

    ntriples: Path
    cache: Path
    prefixes: dict[str, str]
    turtle: Path | None = None
    ntriples_gz: Path | None = None
    turtle_gz: Path | None = None


@dataclass
class UnionResult:
    """What :func:`write_union` did: the union's triple count and the cache files it used."""

    triples: int
    #: names of the cache files used (and segment keys): a rebuild's prune keeps them
    used: list[str] = field(default_factory=list)
    made: int = 0
    segments: int = 0


def _cached(folder: Path, name: str, make: Callable[[], bytes]) -> bytes:
    path = folder / name
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    data = make()
    write_atomically(path, data)
    return data


def write_union(job: UnionJob) -> UnionResult:
    """Write the Turtle and gzip copies of ``job.ntriples`` from its segments (cached ones reused)."""
    import pyoxigraph as ox

    from ..formats import RdfFormat
    from .prefixes import prefix_digest
    from .rdf import convert_file

    salt = _salt()
    pkey = prefix_digest(job.prefixes)
    header = _turtle_header(job.prefixes)
    result = UnionResult(0)
    job.cache.mkdir(parents=True, exist_ok=True)

    def turtle(segment: bytes) -> bytes:
        result.made += 1
        quads = ox.parse(segment, format=ox.RdfFormat.N_TRIPLES)
        text = ox.serialize(quads, format=ox.RdfFormat.TURTLE, prefixes=job.prefixes) or b""
        if not text.startswith(header):  # pragma: no cover - Oxigraph writes its prefixes first
            raise AssertionError("Oxigraph's Turtle of a segment does not start with the prefix header")
        return text[len(header) :]

    def cached(name: str, make: Callable[[], bytes]) -> bytes:
        result.used.append(name)
        return _cached(job.cache, name, make)

    with ExitStack() as stack:
        ttl, nt_gz, ttl_gz = (
            stack.enter_context(p.open("wb")) if p is not None else None
            for p in (job.turtle, job.ntriples_gz, job.turtle_gz)
        )
        source = stack.enter_context(job.ntriples.open("rb"))
        for segment, count in segments(source):
            if result.segments == 0:
                if ttl is not None:
                    ttl.write(header)
                if ttl_gz is not None:
                    ttl_gz.write(gzip_member(header))
            result.triples += count
            result.segments += 1
            key = segment_key(segment, salt)
            result.used.append(key)
            if nt_gz is not None:
                nt_gz.write(cached(f"{key}.nt.gz", lambda segment=segment: gzip_member(segment)))  # type: ignore[misc]
            if ttl is None and ttl_gz is None:
                continue
            name = f"{key}-{pkey}.ttl"
            text = cached(name, lambda segment=segment: turtle(segment))  # type: ignore[misc]
            if ttl is not None:
                ttl.write(text)
            if ttl_gz is not None:
                ttl_gz.write(cached(f"{name}.gz", lambda text=text: gzip_member(text)))  # type: ignore[misc]
    if result.segments == 0:  # an empty union: what the whole-file writers make of nothing
        empty_ttl = b""
        if job.turtle is not None or job.turtle_gz is not None:
            target = job.turtle or job.turtle_gz.with_suffix(".tmp")  # type: ignore[union-attr]
            convert_file(job.ntriples, RdfFormat.NTRIPLES, target, RdfFormat.TURTLE, job.prefixes)
            empty_ttl = target.read_bytes()
            if job.turtle is None:
                target.unlink()
        if job.ntriples_gz is not None:
            job.ntriples_gz.write_bytes(gzip_member(b""))
        if job.turtle_gz is not None:
            job.turtle_gz.write_bytes(gzip_member(empty_ttl))
    return result
