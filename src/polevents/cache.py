"""Build cache: remember that exactly these inputs were validated and conformed.

The cache lives in ``.polevents-cache/`` at the project root (git-ignored).  A
build hashes its inputs — the bytes of every RDF file the loader parsed
(ontology/, shapes/, data/; hashed as they were read, so the key is exactly
what was validated), the project configuration, and the versions of
polevents, pyshacl, pyoxigraph and rdflib — and when the same inputs have
conformed before, validation is not run again.  Only a conforming verdict is
stored; any change to any input (one byte of one source) gives a new key, so a
changed project is always validated in full.

Files enter the digest with their path relative to the project, so renaming a
file changes it too, and so does any change to polevents' own code.  Hashing
costs about 0.1 s for the 57 MB of a one-million-triple corpus.

The cache also remembers which output folder was built from which inputs, with
the SHA-256 of its ``SHA256SUMS``: when the inputs are the same and every file of
the folder still has the checksum listed there (and nothing else is in it), the
folder is what a new build would write, byte for byte, and the build has
nothing to do.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .config import CONFIG_FILE, ProjectConfig
from .store import INDEX_DIR

__all__ = ["CACHE_DIR", "BuildCache", "code_digest", "input_digest", "relative_names"]

CACHE_DIR = ".polevents-cache"
VERDICTS = "validation.json"
OUTPUTS = "outputs.json"
SUMS = "SHA256SUMS"
#: Bump when the meaning of a cached verdict changes (a new validation rule outside the shapes).
CACHE_VERSION = "1"
#: How many verdicts are kept (the most recent ones).
KEEP = 32


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "-"


_CODE: list[str] = []


def code_digest() -> str:
    """SHA-256 of polevents' own files (its code, templates): a changed validator or writer
    invalidates what it judged or wrote, even without a version bump."""
    if not _CODE:
        package = Path(__file__).resolve().parent
        digest = hashlib.sha256()
        for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        _CODE.append(digest.hexdigest())
    return _CODE[0]


def input_digest(config: ProjectConfig, files: dict[Path, str], extra: str = "") -> str:
    """SHA-256 over the project's inputs and the versions of the tools that judge them.

    ``files`` maps every file read to the SHA-256 of its bytes (``Project.digests``).
    """
    digest = hashlib.sha256()
    digest.update(f"polevents-cache {CACHE_VERSION}\n{extra}\n".encode())
    for package in ("polevents", "pyshacl", "pyoxigraph", "rdflib"):
        digest.update(f"{package} {_version(package)}\n".encode())
    digest.update(f"code {code_digest()}\n".encode())
    config_file = config.root / CONFIG_FILE
    if config_file.is_file():
        digest.update(b"config\0" + hashlib.sha256(config_file.read_bytes()).digest())
    digest.update(f"base\0{config.base}\n".encode())
    names = relative_names(files, config.root)
    for path, sha in sorted((names[p], d) for p, d in files.items()):
        digest.update(f"{path}\0{sha}\n".encode())
    return digest.hexdigest()


def relative_names(paths: Iterable[Path], root: Path) -> dict[Path, str]:
    """Each path relative to ``root`` once symlinks are resolved (``path.resolve()``), as a POSIX
    string; a path that resolves outside ``root`` (a symlink out of the project) as it is.

    Each folder is resolved once (a file that is not a symlink resolves to its resolved folder
    plus its name), not every path component of every file again: thousands of source files
    share a handful of folders.
    """
    folders: dict[Path, Path] = {}
    names: dict[Path, str] = {}
    for path in paths:
        if path.name in ("", ".", "..") or path.is_symlink():
            real = path.resolve()
        else:
            folder = folders.get(path.parent)
            if folder is None:
                folder = folders[path.parent] = path.parent.resolve()
            real = folder / path.name
        try:
            names[path] = real.relative_to(root).as_posix()
        except ValueError:  # a symlink out of the project
            names[path] = path.as_posix()
    return names


@dataclass
class BuildCache:
    """Conforming verdicts of earlier builds of one project."""

    root: Path

    @classmethod
    def of(cls, config: ProjectConfig) -> BuildCache:
        return cls(config.root / CACHE_DIR)

    def _read(self, name: str = VERDICTS) -> dict[str, dict[str, object]]:
        try:
            data = json.loads((self.root / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write(self, name: str, data: dict[str, dict[str, object]]) -> None:
        """Replace one cache file atomically (best effort: a read-only project just misses)."""
        try:
            self.root.mkdir(exist_ok=True)
            gitignore = self.root / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("*\n", encoding="utf-8")
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=f".{name}.")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f, indent=1, sort_keys=False)
            os.replace(tmp, self.root / name)
        except OSError:
            pass

    def conformed(self, key: str) -> dict[str, object] | None:
        """What was recorded when inputs with this digest conformed, or None."""
        entry = self._read().get(key)
        return entry if isinstance(entry, dict) else None

    def record(self, key: str, **details: object) -> None:
        """Remember that inputs with this digest conform."""
        data = self._read()
        data.pop(key, None)
        data[key] = details
        while len(data) > KEEP:
            data.pop(next(iter(data)))
        self._write(VERDICTS, data)

    def record_output(self, key: str, out_dir: Path, **details: object) -> None:
        """Remember that ``out_dir`` was built from the inputs with digest ``key``."""
        sums = out_dir / SUMS
        try:
            sums_sha = hashlib.sha256(sums.read_bytes()).hexdigest()
        except OSError:
            return
        data = self._read(OUTPUTS)
        data[str(out_dir)] = {"key": key, "sums": sums_sha, **details}
        while len(data) > KEEP:
            data.pop(next(iter(data)))
        self._write(OUTPUTS, data)

    def output_current(self, key: str, out_dir: Path) -> dict[str, object] | None:
        """The record of ``out_dir`` if it was built from inputs ``key`` and is unchanged since
        (every file has the checksum its SHA256SUMS lists, and no other file is there)."""
        from concurrent.futures import ThreadPoolExecutor

        entry = self._read(OUTPUTS).get(str(out_dir))
        if not isinstance(entry, dict) or entry.get("key") != key or self.conformed(key) is None:
            return None
        try:
            text = (out_dir / SUMS).read_bytes()
            listed = dict(
                (name, digest)
                for digest, _, name in (line.partition("  ") for line in text.decode("utf-8").splitlines())
            )
            present = {p.name for p in out_dir.iterdir() if not p.name.startswith(INDEX_DIR)}  # not published
        except (OSError, UnicodeDecodeError):
            return None
        if hashlib.sha256(text).hexdigest() != entry.get("sums") or present != set(listed) | {SUMS}:
            return None

        def matches(item: tuple[str, str]) -> bool:
            name, digest = item
            try:
                with (out_dir / name).open("rb") as f:
                    return hashlib.file_digest(f, "sha256").hexdigest() == digest
            except OSError:
                return False

        with ThreadPoolExecutor(max_workers=2) as pool:  # hashlib releases the GIL
            if not all(pool.map(matches, sorted(listed.items()))):
                return None
        return entry
