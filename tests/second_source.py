"""A copy of the repository's project with a second, fictional source that reuses the first one's nodes.

The source (tests/fixtures/second-source/) is registered with ``polevents source add`` as an
editor does, and its facts are written below the facts template: it gives the referendum that
the first article only reports as proposed a date and two results (an official count and an exit
poll), and adds a decree and two rules.  Imported as ``from second_source import ...``.
"""

from __future__ import annotations

from pathlib import Path

from support import FIXTURES, copy_repo_project, run

SECOND_SOURCE = FIXTURES / "second-source"
#: Slug, title and text of the second source.
SECOND_SLUG = "referendum-follow-up"
SECOND_TITLE = "Kazakhstan votes on the amendments (fictional)"
SECOND_TEXT = SECOND_SOURCE / "referendum-follow-up.txt"


def add_second_source(project: Path) -> Path:
    """Register the second source in ``project`` (a project folder) and write its facts; return the facts file."""
    added = run("source", "add", SECOND_TEXT, "--slug", SECOND_SLUG, "--title", SECOND_TITLE,
                "--published", "2022-06-06", "--project", project)  # fmt: skip
    assert added.code == 0, added.err
    facts = project / "data" / SECOND_SLUG / "facts.ttl"
    facts.write_text((SECOND_SOURCE / "facts.ttl").read_text(encoding="utf-8"), encoding="utf-8")
    return facts


def project_with_second_source(root: Path) -> Path:
    """A copy of the repository's project under ``root``, with the second source added."""
    project = copy_repo_project(root / "project")
    if not (project / "data" / SECOND_SLUG).exists():  # (unless data/ itself already holds it)
        add_second_source(project)
    return project
