"""The dist/ folder over HTTP: dumps with their media types, validators and conditional requests.

Only the regular files listed in the folder itself can be served: a request
names a file, and the name is looked up in that listing, never joined to a
path, so ``..`` in any encoding (``%2e%2e``, ``%252e``, backslashes, absolute
paths) has nothing to reach.  Every file answers with ``Content-Length``, a
strong ``ETag`` (size and modification time, as nginx makes it) and
``Last-Modified``; ``If-None-Match`` and ``If-Modified-Since`` give 304; byte
ranges are served by Starlette's FileResponse.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from ..errors import InputError
from ..formats import RdfFormat

__all__ = ["DistFile", "body_etag", "dist_files", "file_response", "media_type_for", "not_modified"]

_PLAIN = {"SHA256SUMS", "README", "LICENSE"}
_BY_SUFFIX = {
    ".gz": "application/gzip",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".tsv": "text/tab-separated-values; charset=utf-8",
    ".rq": "application/sparql-query",
    ".shex": "text/shex; charset=utf-8",
}


def media_type_for(name: str) -> str:
    """The Content-Type of a dist file, from its name (RDF formats through :class:`RdfFormat`)."""
    suffix = os.path.splitext(name)[1].lower()
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    if name in _PLAIN or name.upper() in _PLAIN:
        return "text/plain; charset=utf-8"
    try:
        fmt = RdfFormat.from_path(Path(name))
    except InputError:
        return "application/octet-stream"
    return fmt.content_type


@dataclass(frozen=True)
class DistFile:
    """A downloadable file and its HTTP validators."""

    name: str
    path: Path
    size: int
    mtime: float
    etag: str
    media_type: str

    @property
    def last_modified(self) -> str:
        return formatdate(self.mtime, usegmt=True)


def dist_files(folder: Path | None) -> dict[str, DistFile]:
    """The regular files directly in ``folder`` (no dot-files, nothing outside it), by name."""
    if folder is None:
        return {}
    root = folder.resolve()
    out: dict[str, DistFile] = {}
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return {}
    for entry in entries:
        if entry.name.startswith(".") or not entry.is_file():
            continue
        path = Path(entry.path).resolve()
        if path.parent != root:  # a symlink pointing elsewhere
            continue
        st = path.stat()
        out[entry.name] = DistFile(
            name=entry.name,
            path=path,
            size=st.st_size,
            mtime=st.st_mtime,
            etag=f'"{st.st_size:x}-{st.st_mtime_ns:x}"',
            media_type=media_type_for(entry.name),
        )
    return out


def not_modified(headers: Headers, etag: str, mtime: float | None = None) -> bool:
    """RFC 9110 §13: whether a GET with these headers can be answered 304.

    ``If-None-Match`` (weak comparison, ``*``) wins over ``If-Modified-Since``.
    """
    inm = headers.get("if-none-match")
    if inm is not None:
        tags = [t.strip() for t in inm.split(",")]
        return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)
    ims = headers.get("if-modified-since")
    if ims is not None and mtime is not None:
        try:
            since = parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
        return int(mtime) <= since
    return False


def body_etag(body: bytes) -> str:
    """A strong ETag for a generated response body."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def file_response(request: Request, item: DistFile) -> Response:
    """The file, or 304 when the client's copy is current."""
    validators = {"ETag": item.etag, "Last-Modified": item.last_modified, "Cache-Control": "no-cache"}
    if not_modified(request.headers, item.etag, item.mtime):
        return Response(status_code=304, headers=validators)
    return FileResponse(item.path, media_type=item.media_type, headers=validators)
