"""HTML pages: Jinja2 templates (autoescaped) from ``polevents/templates``.

Templates only lay out what the view objects of :mod:`.describe` and the
route handlers prepare; they compute nothing.  Every page extends
``base.html`` (header, navigation, the stylesheet at ``/static/style.css``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import jinja2

__all__ = ["Alternate", "Pages", "SiteInfo", "stylesheet"]


@dataclass(frozen=True)
class Alternate:
    """Another representation of the same resource: ``<link rel="alternate">`` and a visible link."""

    label: str
    media_type: str
    href: str


@dataclass
class SiteInfo:
    """What every page shows: the dataset's title and where things are."""

    title: str
    base: str
    description: str = ""
    nav: list[tuple[str, str]] = field(
        default_factory=lambda: [
            ("Home", "/"),
            ("SPARQL", "/sparql"),
            ("Downloads", "/#downloads"),
            ("Ontology", "/polevents/ontology"),
        ]
    )


def stylesheet() -> bytes:
    """The site's CSS, shipped with the package."""
    return resources.files("polevents").joinpath("templates/style.css").read_bytes()


class Pages:
    """The template environment and the site context every page gets."""

    def __init__(self, site: SiteInfo) -> None:
        import jinja2

        self.site = site
        self.env: jinja2.Environment = jinja2.Environment(
            loader=jinja2.PackageLoader("polevents", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def render(self, template: str, **context: Any) -> str:
        """Render ``template`` with the site information and ``context``."""
        context.setdefault("alternates", [])
        context.setdefault("robots", None)
        return self.env.get_template(template).render(site=self.site, **context)
