"""``polevents source add | list | show``: register source texts and read their sentences."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..errors import InputError
from ..source import Remedy, SourceError, parse_partial_date, validate_language, validate_slug, validate_url
from .options import project_option

#: How this command line does what a library error's remedy says.
REMEDY_OPTIONS: dict[Remedy, str] = {
    Remedy.NAME_SLUG: "name it with --slug SLUG",
    Remedy.OTHER_SLUG: "another with --slug SLUG",
    Remedy.REPLACE: "register again over it with --force (facts.ttl is kept)",
    Remedy.REGISTER_TWICE: "register it twice with --force",
}


def _with_options(exc: SourceError) -> InputError:
    """``exc`` with the options that carry out its remedies appended."""
    if not exc.remedies:
        return InputError(str(exc))
    return InputError(f"{exc} ({'; '.join(REMEDY_OPTIONS[r] for r in exc.remedies)})")


class _Checked(click.ParamType[str, object]):
    """A text option checked by a library validator (which raises InputError)."""

    def __init__(self, name: str, check: Any) -> None:
        self.name = name
        self._check = check

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            self._check(str(value))
        except InputError as exc:
            self.fail(str(exc), param, ctx)
        return str(value)


SLUG = _Checked("slug", validate_slug)
DATE = _Checked("date", parse_partial_date)
URL = _Checked("url", validate_url)
LANGUAGE = _Checked("language", validate_language)


def _say(message: str) -> None:
    click.echo(f"polevents: {message}", err=True)


def _rel(path: Path, root: Path) -> str:
    """``path`` relative to the project root when inside it, else absolute."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(root))
    except ValueError:
        return str(resolved)


@click.group()
def source() -> None:
    """Register source texts and read their numbered sentences.

    \b
    polevents source add article.txt --title "…"   # writes data/<slug>/source.ttl + facts.ttl
    polevents source list                          # one line per registered source
    polevents source show SLUG --sentences         # N<TAB>sentence, to cite as s:N
    """


@source.command("add")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--slug", type=SLUG, default=None, help="Folder name under data/ (default: from the file name).")
@click.option("--title", default=None, help="The document's title.")
@click.option("--url", type=URL, default=None, help="Where the document was published.")
@click.option("--published", type=DATE, default=None, help="Publication date: YYYY-MM-DD, YYYY-MM or YYYY.")
@click.option("--publisher", default=None, help="Who published it (a newspaper, an agency).")
@click.option("--language", type=LANGUAGE, default=None, help="BCP 47 language tag of the text [default: en].")
@click.option("--force", is_flag=True, help="Re-register an existing source (facts.ttl is never overwritten).")
@click.option(
    "--copy/--no-copy",
    default=True,
    show_default=True,
    help="Keep a copy of the text in the first text folder inside the project (git-ignored sources/).",
)
@click.option(
    "--draft/--no-draft",
    default=False,
    show_default=True,
    help="Append to the new facts.ttl commented proposals found in the text: names (known entities reused), "
    "dates, amounts, percentages, counts, quotations with candidate speakers, each citing its sentence.",
)
@project_option
def add(
    file: Path,
    slug: str | None,
    title: str | None,
    url: str | None,
    published: str | None,
    publisher: str | None,
    language: str | None,
    force: bool,
    copy: bool,
    draft: bool,
    project: Path,
) -> None:
    """Register FILE (UTF-8 text) as a source: hash, sentences, a facts template.

    Writes data/SLUG/source.ttl (SHA-256, length, one node per sentence with its
    offsets — never the text) and data/SLUG/facts.ttl (prefixes and one commented
    example per pattern) unless it exists. Prints the files written.

    Exit codes: 0 registered; 2 bad input (the source exists: use --force).
    """
    from ..config import load_config, require_project
    from ..source import add_source

    config = load_config(require_project(project))
    try:
        added = add_source(
            config,
            file,
            slug=slug,
            title=title,
            url=url,
            published=published,
            publisher=publisher,
            language=language,
            force=force,
            copy=copy,
            draft=draft,
        )
    except SourceError as exc:
        raise _with_options(exc) from exc
    root = config.root
    click.echo(_rel(added.source_file, root))
    if added.facts_written:
        click.echo(_rel(added.facts_file, root))
    _say(
        f"registered {added.slug!r}: {added.sentences} sentences, {added.characters} characters, "
        f"SHA-256 {added.sha256[:12]}…"
    )
    if not added.facts_written:
        _say(f"kept the existing {_rel(added.facts_file, root)}")
    elif draft:
        _say(
            f"draft: {added.proposals} proposals appended to {_rel(added.facts_file, root)}, commented; "
            "accept one by removing the '# ' of its lines"
        )
    if added.text_path is not None:
        verb = "copied to" if added.text_copied else "found at"
        _say(f"text {verb} {_rel(added.text_path, root)} (kept out of the published data)")
    for note in added.notes:
        _say(f"note: {note}")
    _say(
        f"next: `polevents source show {added.slug} --sentences`, write facts in "
        f"{_rel(added.facts_file, root)} citing s:N, then `polevents validate`"
    )


def _clean(value: str) -> str:
    return " ".join(value.split())


@source.command("list")
@project_option
def list_sources(project: Path) -> None:
    """One line per registered source: slug, sentences, SHA-256 prefix, title, local text.

    Columns are tab-separated; the last is the path of the local text, or
    "missing" when no configured text folder holds it.
    """
    from ..config import load_config
    from ..source import find_text, registered_sources

    config = load_config(project)
    for src in registered_sources(config):
        text = find_text(config, src.sha256, src.slug)
        local = _rel(text, config.root) if text is not None else "missing"
        click.echo("\t".join([src.slug, str(len(src.sentences)), src.sha256[:12], _clean(src.title or ""), local]))


@source.command("show")
@click.argument("slug")
@click.option("--sentences", is_flag=True, help="Print the sentences from the local text: N<TAB>text.")
@click.option(
    "--sentence",
    "numbers",
    type=click.IntRange(min=1),
    multiple=True,
    help="Print only sentence N (repeatable); implies --sentences.",
)
@project_option
def show(slug: str, sentences: bool, numbers: tuple[int, ...], project: Path) -> None:
    """Describe a registered source; with --sentences, print its numbered sentences.

    The text is read from the configured text folders ([sources] text_paths in
    polevents.toml) and checked against the registered SHA-256. Exit codes: 0;
    2 unknown source, or text missing or changed.
    """
    from ..config import load_config
    from ..source import find_text, get_source, sentence_texts

    config = load_config(project)
    src = get_source(config, slug)
    for broken in src.unreadable:
        _say(f"note: {_rel(broken, config.root)} does not parse; `polevents validate` shows where")
    if sentences or numbers:
        try:
            path, items = sentence_texts(config, src)
        except SourceError as exc:
            raise _with_options(exc) from exc
        if numbers:
            known = {s.index for s in items}
            unknown = sorted(set(numbers) - known)
            if unknown:
                raise InputError(
                    f"source {slug!r} has sentences 1 to {len(items)}; no sentence {', '.join(map(str, unknown))}"
                )
            items = [s for s in items if s.index in set(numbers)]
        _say(f"{slug}: {len(src.sentences)} sentences from {_rel(path, config.root)}")
        for s in items:
            click.echo(f"{s.index}\t{_clean(s.text)}")
        return
    text = find_text(config, src.sha256, src.slug)
    rows = [
        ("slug", src.slug),
        ("iri", src.iri),
        ("title", src.title),
        ("url", src.url),
        ("published", src.published),
        ("publisher", src.publisher),
        ("language", src.language),
        ("sha256", src.sha256),
        ("characters", str(src.character_count) if src.character_count is not None else None),
        ("sentences", str(len(src.sentences))),
        ("described in", _rel(src.described_in, config.root)),
        (
            "text",
            _rel(text, config.root)
            if text is not None
            else "missing (searched: " + ", ".join(_rel(p, config.root) for p in config.text_paths) + ")",
        ),
    ]
    for key, value in rows:
        if value is not None:
            click.echo(f"{key}:\t{_clean(value)}")
