"""Project configuration: ``polevents.toml`` at the project root.

The base IRI of the dataset is set here and nowhere else; data files write
relative IRIs (``<id/person/…>``) that are resolved against it when loaded.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError

__all__ = ["CONFIG_FILE", "ProjectConfig", "check_graph_name", "load_config", "require_project"]

CONFIG_FILE = "polevents.toml"
DEFAULT_BASE = "https://w3id.org/polevents/"
#: Where source texts are looked for when polevents.toml does not say (git-ignored).
DEFAULT_TEXT_PATHS = ("sources",)


@dataclass(frozen=True)
class ProjectConfig:
    """Settings of one project directory (ontology/, shapes/, data/, queries/)."""

    root: Path
    base: str = DEFAULT_BASE
    title: str = "polevents dataset"
    description: str = ""
    license: str = "https://creativecommons.org/licenses/by/4.0/"
    publisher: str = "polevents"
    version: str = "0.0.0"
    issued: str | None = None
    #: The version this release follows (a version string or an absolute IRI), for the description.
    previous_version: str | None = None
    #: Where the files of dist/ are downloaded from (default: ``<base>dist/``).
    download_base: str | None = None
    #: A public SPARQL endpoint serving the dataset, named in the dataset description.
    sparql_endpoint: str | None = None
    #: Keywords of the catalogue record (``dcat:keyword``).
    keywords: tuple[str, ...] = ()
    #: Themes (``dcat:theme``): codes of the EU data-theme vocabulary (``GOVE``) or IRIs.
    themes: tuple[str, ...] = ()
    #: Whom to contact (``dcat:contactPoint``): an e-mail address or a URL (default: the landing page).
    contact: str | None = None
    #: The dataset's web page (``dcat:landingPage``; default: the base IRI, where ``polevents serve`` answers).
    landing_page: str | None = None
    #: Folders where source texts are looked for (matched by SHA-256), in order;
    #: ``polevents source add`` copies a text into the first one inside the project.
    text_paths: tuple[Path, ...] = field(default_factory=tuple)

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    def graph_iri(self, name: str) -> str:
        """The IRI of the named graph holding the data of ``data/<name>/``.

        :raises InputError: ``name`` cannot be part of an IRI (a folder named ``my links``).
        """
        return f"{self.base}graph/{check_graph_name(name, self.data_dir / name)}"

    def graph_name(self, iri: str) -> str | None:
        """Inverse of :meth:`graph_iri`; ``None`` for a graph outside the dataset."""
        prefix = f"{self.base}graph/"
        return iri[len(prefix) :] if iri.startswith(prefix) else None


def require_project(root: Path) -> Path:
    """``root`` if it is a polevents project (it has ``polevents.toml`` or ``ontology/``).

    :raises InputError: it is not, with how to point at one.
    """
    if not (root / CONFIG_FILE).is_file() and not (root / "ontology").is_dir():
        raise InputError(
            f"{root.resolve()}: not a polevents project (no {CONFIG_FILE}, no ontology/); "
            "run in a project folder or give --project DIR"
        )
    return root


def load_config(root: Path) -> ProjectConfig:
    """Read ``polevents.toml`` under ``root``; defaults where it is missing."""
    root = root.resolve()
    if not root.is_dir():
        raise InputError(f"{root}: project directory does not exist")
    path = root / CONFIG_FILE
    raw: dict[str, object] = {}
    text = ""
    if path.is_file():
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
            raise InputError(
                f"{path}:{line}:{column}: not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
            ) from exc
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            where = _TOML_POSITION.search(str(exc))
            detail = _TOML_POSITION.sub("", str(exc)).strip()
            position = f"{path}:{where.group(1)}:{where.group(2)}" if where else str(path)
            raise InputError(f"{position}: {detail}") from exc
    elif path.exists():
        raise InputError(f"{path}: not a file")
    dataset = raw.get("dataset", {})
    sources = raw.get("sources", {})
    if not isinstance(dataset, dict) or not isinstance(sources, dict):
        raise InputError(f"{path}: [dataset] and [sources] must be tables")
    base = str(dataset.get("base", DEFAULT_BASE))
    if not _BASE.fullmatch(base):
        raise InputError(
            f"{_key_position(path, text, 'base')}: dataset.base must be an absolute http(s) IRI without spaces, "
            f"quotes or line breaks, ending with '/' or '#' (e.g. \"{DEFAULT_BASE}\"), got {base!r}"
        )
    keywords = _string_list(dataset, "keywords", path)
    themes = _string_list(dataset, "themes", path)
    raw_paths = sources.get("text_paths", list(DEFAULT_TEXT_PATHS))
    if not isinstance(raw_paths, list) or not all(isinstance(p, str) for p in raw_paths):
        raise InputError(f'{path}: sources.text_paths must be a list of folder names, e.g. ["sources"]')
    text_paths = tuple(root / p for p in raw_paths)
    issued = dataset.get("issued")

    def optional(key: str) -> str | None:
        value = dataset.get(key)
        return str(value) if value is not None else None

    return ProjectConfig(
        root=root,
        base=base,
        title=str(dataset.get("title", ProjectConfig.title)),
        description=str(dataset.get("description", "")),
        license=str(dataset.get("license", ProjectConfig.license)),
        publisher=str(dataset.get("publisher", ProjectConfig.publisher)),
        version=str(dataset.get("version", ProjectConfig.version)),
        issued=str(issued) if issued is not None else None,
        previous_version=optional("previous_version"),
        download_base=optional("download_base"),
        sparql_endpoint=optional("sparql_endpoint"),
        keywords=keywords,
        themes=themes,
        contact=optional("contact"),
        landing_page=optional("landing_page"),
        text_paths=text_paths,
    )


#: An absolute http(s) IRI that ends with / or # and holds no character an IRI cannot (RFC 3987).
_BASE = re.compile(r"https?://[^\s<>\"{}|\\^`\x00-\x1f\x7f]+[/#]")
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
#: A data folder's name becomes part of its graph IRI (``<BASE>graph/NAME``).
_GRAPH_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _key_position(path: Path, text: str, key: str) -> str:
    """``FILE:LINE:COL`` of ``key = …`` in the TOML text (``FILE`` alone when it is not found)."""
    for number, line in enumerate(text.splitlines(), start=1):
        match = re.match(rf"\s*{re.escape(key)}\s*=\s*", line)
        if match:
            return f"{path}:{number}:{match.end() + 1}"
    return str(path)


def check_graph_name(name: str, where: Path) -> str:
    """``name`` if it can name a graph (``<BASE>graph/NAME``); else an :class:`InputError` saying how to rename it.

    >>> check_graph_name("kazakhstan-reform-2022", Path("data"))
    'kazakhstan-reform-2022'
    """
    if not _GRAPH_NAME.fullmatch(name):
        suggestion = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-._") or "source"
        raise InputError(
            f"{where}: the folder name {name!r} cannot be part of a graph IRI; use letters, digits, '.', '_' "
            f"and '-' only (rename it, e.g. to {suggestion!r})"
        )
    return name


def _string_list(table: dict[str, object], key: str, path: Path) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f'{path}: dataset.{key} must be a list of strings, e.g. {key} = ["…"]')
    return tuple(value)
