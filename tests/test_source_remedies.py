"""``source add``: reserved slugs are refused, and the library words its errors without option names.

The library (``polevents.source``) says what to do in words and names the remedy
(:class:`polevents.source.Remedy`); only the command line knows ``--force`` and ``--slug``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from polevents.config import load_config
from polevents.source import RESERVED_SLUGS, Remedy, SourceError, add_source, validate_slug
from support import EXAMPLE_ARTICLE, run


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    (root / "polevents.toml").write_text('[dataset]\nbase = "https://w3id.org/polevents/"\n', encoding="utf-8")
    return root


def test_links_is_reserved() -> None:
    assert "links" in RESERVED_SLUGS
    with pytest.raises(SourceError) as caught:
        validate_slug("links")
    assert caught.value.remedies == (Remedy.OTHER_SLUG,)


def test_source_add_refuses_a_reserved_slug(project: Path) -> None:
    r = run("source", "add", EXAMPLE_ARTICLE, "--slug", "links", "--project", project)
    assert r.code == 2
    assert "reserved" in r.err
    assert not (project / "data" / "links").exists()


def test_source_add_refuses_a_file_whose_name_makes_a_reserved_slug(project: Path, tmp_path: Path) -> None:
    text = tmp_path / "Links.txt"
    shutil.copy(EXAMPLE_ARTICLE, text)
    r = run("source", "add", text, "--project", project)
    assert r.code == 2
    assert "reserved" in r.err and "--slug" in r.err
    assert not (project / "data" / "links").exists()


def test_library_messages_name_no_options_and_the_cli_adds_them(project: Path) -> None:
    config = load_config(project)
    add_source(config, EXAMPLE_ARTICLE, copy=False)
    with pytest.raises(SourceError) as caught:
        add_source(config, EXAMPLE_ARTICLE, copy=False)
    assert "--" not in str(caught.value)
    assert set(caught.value.remedies) == {Remedy.REPLACE, Remedy.OTHER_SLUG}
    with pytest.raises(SourceError) as twin:
        add_source(config, EXAMPLE_ARTICLE, slug="again", copy=False)
    assert "--" not in str(twin.value) and twin.value.remedies == (Remedy.REGISTER_TWICE,)
    added = add_source(config, EXAMPLE_ARTICLE, slug="untitled", copy=False, force=True)
    assert not [note for note in added.notes if "--" in note]

    r = run("source", "add", EXAMPLE_ARTICLE, "--project", project, "--no-copy")
    assert r.code == 2
    assert "already registered" in r.err and "--force" in r.err and "--slug" in r.err
