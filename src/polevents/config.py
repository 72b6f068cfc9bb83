"""Project configuration: ``polevents.toml`` at the project root.

The base IRI of the dataset is set here and nowhere else; data files write
relative IRIs (``<id/person/…>``) that are resolved against it when loaded.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError

__all__ = ["CONFIG_FILE", "ProjectConfig", "load_config"]

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
        """The IRI of the named graph holding the data of ``data/<name>/``."""
        return f"{self.base}graph/{name}"

    def graph_name(self, iri: str) -> str | None:
        """Inverse of :meth:`graph_iri`; ``None`` for a graph outside the dataset."""
        prefix = f"{self.base}graph/"
        return iri[len(prefix) :] if iri.startswith(prefix) else None


def load_config(root: Path) -> ProjectConfig:
    """Read ``polevents.toml`` under ``root``; defaults where it is missing."""
    root = root.resolve()
    if not root.is_dir():
        raise InputError(f"{root}: project directory does not exist")
    path = root / CONFIG_FILE
    raw: dict[str, object] = {}
    if path.exists():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"{path}: {exc}") from exc
    dataset = raw.get("dataset", {})
    sources = raw.get("sources", {})
    if not isinstance(dataset, dict) or not isinstance(sources, dict):
        raise InputError(f"{path}: [dataset] and [sources] must be tables")
    base = str(dataset.get("base", DEFAULT_BASE))
    if not base.endswith(("/", "#")):
        raise InputError(f"{path}: dataset.base must end with '/' or '#', got {base!r}")
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


def _string_list(table: dict[str, object], key: str, path: Path) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f'{path}: dataset.{key} must be a list of strings, e.g. {key} = ["…"]')
    return tuple(value)
