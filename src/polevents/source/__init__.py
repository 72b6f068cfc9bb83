"""Authoring stage: register a source document and describe it without copying it.

A source is described by its SHA-256, its length and one node per sentence
(number and offsets); the text itself stays outside the project's data.  The
description is written as ``data/<slug>/source.ttl`` with IRIs relative to the
project base, so the base stays configurable in one place.  Beside it,
``data/<slug>/facts.ttl`` starts as a template the author fills in, citing
sentences by number (``prov:wasDerivedFrom s:12``): the sentence node in
``source.ttl`` carries the offsets, so evidence by number is complete.

The text is kept where ``polevents.toml`` says (``[sources] text_paths``,
default ``sources/``, a git-ignored folder) and found again by its SHA-256, so
renaming or moving the file within those folders does not matter.

Library functions (the CLI ``polevents source add/list/show`` is a thin layer):

* :func:`add_source` — hash, split, write ``source.ttl`` and ``facts.ttl``, keep the text;
* :func:`registered_sources` / :func:`get_source` — read the registered sources back;
* :func:`find_text` / :func:`sentence_texts` — the local text of a source, hash-verified.
"""

from __future__ import annotations

import datetime as _dt
import enum
import os
import re
import shutil
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import ProjectConfig
from ..errors import InputError, RdfSyntaxError
from ..vocab import PE, PREFIXES
from .segment import Span, sha256_hex, split_sentences
from .template import facts_template

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

    from .draft import Draft

__all__ = [
    "RESERVED_SLUGS",
    "AddedSource",
    "RegisteredSource",
    "Remedy",
    "SourceError",
    "SourceText",
    "add_source",
    "describe_source",
    "facts_template",
    "find_text",
    "get_source",
    "parse_partial_date",
    "read_source_text",
    "registered_sources",
    "sentence_path",
    "sentence_texts",
    "slug_from_filename",
    "source_path",
    "validate_language",
    "validate_slug",
    "validate_url",
]

SOURCE_FILE = "source.ttl"
FACTS_FILE = "facts.ttl"
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
_IRI_FORBIDDEN = re.compile(r'[\s<>"{}|\\^`]')
_XSD = PREFIXES["xsd"]
_DCTERMS = PREFIXES["dcterms"]
_SCHEMA = PREFIXES["schema"]
_RDF_TYPE = PREFIXES["rdf"] + "type"
#: Text files larger than this are not hashed when looking for a source text.
MAX_TEXT_BYTES = 64 * 1024 * 1024
#: Folder names of data/ that hold no source (``links``: the links ``polevents link`` accepts).
RESERVED_SLUGS: frozenset[str] = frozenset({"links"})


class Remedy(enum.Enum):
    """What the author can do about a :class:`SourceError` (the command line words it with its options)."""

    #: give the slug (the folder name under data/) explicitly
    NAME_SLUG = "name_slug"
    #: choose another slug
    OTHER_SLUG = "other_slug"
    #: register again over the existing registration (facts.ttl is kept)
    REPLACE = "replace"
    #: register the same text a second time, under another slug
    REGISTER_TWICE = "register_twice"


class SourceError(InputError):
    """An authoring error that one of :class:`Remedy` fixes; the message says it in words."""

    def __init__(self, message: str, *remedies: Remedy) -> None:
        super().__init__(message)
        self.remedies: tuple[Remedy, ...] = remedies


def source_path(slug: str) -> str:
    """Path (relative to the base IRI) of a source document node."""
    return f"id/source/{slug}"


def sentence_path(slug: str, index: int) -> str:
    """Path (relative to the base IRI) of sentence ``index`` of a source."""
    return f"id/source/{slug}/sentence/{index}"


# ---------------------------------------------------------------- values an author types


def validate_slug(slug: str) -> str:
    """A source slug: lower-case letters and digits in hyphen-separated words.

    >>> validate_slug("second-article-2022")
    'second-article-2022'
    """
    if not _SLUG.fullmatch(slug):
        raise InputError(
            f"invalid slug {slug!r}: use lower-case letters, digits and single hyphens, e.g. 'veloria-charter-2022'"
        )
    if slug in RESERVED_SLUGS:
        raise SourceError(
            f"the slug {slug!r} is reserved (data/{slug}/ holds no source); choose another", Remedy.OTHER_SLUG
        )
    return slug


def slug_from_filename(path: Path) -> str:
    """The default slug of a text file: its name without suffix, ASCII, lower case, hyphens.

    >>> slug_from_filename(Path("Велория Report_2022.txt"))
    'report-2022'
    >>> slug_from_filename(Path("Élection présidentielle.txt"))
    'election-presidentielle'
    """
    ascii_name = unicodedata.normalize("NFKD", path.stem).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    if not slug:
        raise SourceError(f"{path}: cannot make a slug from this file name; name one", Remedy.NAME_SLUG)
    if slug in RESERVED_SLUGS:
        raise SourceError(
            f"{path}: the slug {slug!r} made from this file name is reserved; name another", Remedy.NAME_SLUG
        )
    return slug


def parse_partial_date(value: str) -> tuple[str, str]:
    """A date with its precision: ``(lexical form, XSD datatype IRI)``.

    >>> parse_partial_date("2022-05")
    ('2022-05', 'http://www.w3.org/2001/XMLSchema#gYearMonth')
    >>> parse_partial_date("2022-02-30")
    Traceback (most recent call last):
    ...
    polevents.errors.InputError: invalid date '2022-02-30': day is out of range for month
    """
    value = value.strip()
    if re.fullmatch(r"\d{4}", value):
        return value, _XSD + "gYear"
    if m := re.fullmatch(r"(\d{4})-(\d{2})", value):
        if not 1 <= int(m.group(2)) <= 12:
            raise InputError(f"invalid date {value!r}: month must be 01 to 12")
        return value, _XSD + "gYearMonth"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            _dt.date.fromisoformat(value)
        except ValueError as exc:
            raise InputError(f"invalid date {value!r}: {exc}") from exc
        return value, _XSD + "date"
    raise InputError(f"invalid date {value!r}: write YYYY-MM-DD, YYYY-MM or YYYY (the precision you know)")


def validate_url(url: str) -> str:
    """An absolute IRI usable in Turtle (``https://…``)."""
    if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", url) or _IRI_FORBIDDEN.search(url):
        raise InputError(f"invalid URL {url!r}: give an absolute URL such as https://example.org/article")
    return url


def validate_language(tag: str) -> str:
    """A BCP 47 language tag (``en``, ``kk-Latn``)."""
    if not _LANGUAGE.fullmatch(tag):
        raise InputError(f"invalid language tag {tag!r}: use a BCP 47 tag such as 'en', 'ru' or 'kk-Latn'")
    return tag


# ---------------------------------------------------------------- the text and its description


@dataclass(frozen=True)
class SourceText:
    """A source's text with its hash and sentence spans."""

    path: Path
    text: str
    sha256: str
    sentences: list[Span]


def read_source_text(path: Path) -> SourceText:
    """Read a UTF-8 text file and split it into sentences."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the source text: {exc.strerror}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: the source text is not UTF-8 (byte {exc.start})") from exc
    return SourceText(path=path, text=text, sha256=sha256_hex(data), sentences=split_sentences(text))


def _literal(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def describe_source(
    source: SourceText,
    slug: str,
    *,
    title: str | None = None,
    url: str | None = None,
    published: str | None = None,
    publisher: str | None = None,
    language: str = "en",
) -> str:
    """The Turtle description of a source: document node plus one node per sentence.

    ``published`` is a date of any precision (``2022-05-03``, ``2022-05``, ``2022``).
    """
    doc = f"<{source_path(slug)}>"
    lines = [
        "# Generated by `polevents source add`: the source's hash and sentence offsets, never its text.",
        "@prefix pe:      <https://w3id.org/polevents/ontology#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix schema:  <http://schema.org/> .",
        "@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .",
        "",
        f"{doc} a pe:Source, schema:NewsArticle ;",
    ]
    if title:
        lines.append(f"    dcterms:title {_literal(title)}@{language} ;")
    if url:
        lines.append(f"    schema:url <{validate_url(url)}> ;")
    if published:
        lexical, datatype = parse_partial_date(published)
        lines.append(f"    dcterms:issued {_literal(lexical)}^^xsd:{datatype[len(_XSD) :]} ;")
    if publisher:
        lines.append(f"    dcterms:publisher {_literal(publisher)} ;")
    lines += [
        f"    dcterms:language {_literal(language)} ;",
        f"    dcterms:identifier {_literal('sha256:' + source.sha256)} ;",
        f"    pe:sha256 {_literal(source.sha256)} ;",
        f"    pe:characterCount {len(source.text)} .",
        "",
    ]
    for s in source.sentences:
        lines.append(
            f"<{sentence_path(slug, s.index)}> a pe:Sentence ; pe:inSource {doc} ; "
            f"pe:sentenceIndex {s.index} ; pe:startOffset {s.start} ; pe:endOffset {s.end} ."
        )
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- registered sources


@dataclass(frozen=True)
class RegisteredSource:
    """A source as the project describes it (``data/<slug>/…``), read back from RDF."""

    slug: str
    iri: str
    folder: Path
    described_in: Path
    sha256: str
    character_count: int | None
    sentences: list[Span]
    title: str | None = None
    url: str | None = None
    published: str | None = None
    publisher: str | None = None
    language: str | None = None
    #: data files of the folder that could not be parsed (they did not hold the source)
    unreadable: list[Path] = field(default_factory=list)


def _rdf_files_first(folder: Path) -> list[Path]:
    """The folder's RDF files as the loader finds them, the source description file first."""
    from ..load import rdf_files

    return sorted(rdf_files(folder), key=lambda p: (p.name != SOURCE_FILE, str(p)))


def _value(term: pyoxigraph.NamedNode | pyoxigraph.Literal | object) -> str:
    return str(getattr(term, "value", term))


def _sources_in_folder(folder: Path, config: ProjectConfig) -> list[RegisteredSource]:
    """Every pe:Source described in one folder of data/ (usually one, in source.ttl)."""
    from ..load import parse_file

    triples: list[pyoxigraph.Triple] = []
    file_of: dict[str, Path] = {}
    errors: list[RdfSyntaxError] = []
    unreadable: list[Path] = []
    for f in _rdf_files_first(folder):
        try:
            part = parse_file(f, config.base)
        except RdfSyntaxError as exc:
            errors.append(exc)
            unreadable.append(f)
            continue
        for t in part:
            if t.predicate.value == _RDF_TYPE and _value(t.object) == PE + "Source":
                file_of.setdefault(_value(t.subject), f)
        triples.extend(part)
    if not file_of:
        if errors:
            raise errors[0]
        return []
    props: dict[str, dict[str, list[object]]] = {}
    for t in triples:
        props.setdefault(_value(t.subject), {}).setdefault(t.predicate.value, []).append(t.object)
    sentences: dict[str, list[Span]] = {iri: [] for iri in file_of}
    for _subject, p in props.items():
        in_source = p.get(PE + "inSource")
        if not in_source:
            continue
        doc = _value(in_source[0])
        if doc not in sentences:
            continue
        try:
            span = Span(
                int(_value(p[PE + "sentenceIndex"][0])),
                int(_value(p[PE + "startOffset"][0])),
                int(_value(p[PE + "endOffset"][0])),
            )
        except (KeyError, ValueError):
            continue  # an incomplete sentence node: validation reports it
        sentences[doc].append(span)
    result = []
    prefix = config.base + "id/source/"
    for iri, described_in in sorted(file_of.items()):
        p = props.get(iri, {})

        def first(pred: str, p: dict[str, list[object]] = p) -> str | None:
            values = p.get(pred)
            return _value(values[0]) if values else None

        local = iri[len(prefix) :] if iri.startswith(prefix) else ""
        slug = local if _SLUG.fullmatch(local) else folder.name
        count = first(PE + "characterCount")
        title_lit = p.get(_DCTERMS + "title")
        result.append(
            RegisteredSource(
                slug=slug,
                iri=iri,
                folder=folder,
                described_in=described_in,
                sha256=first(PE + "sha256") or "",
                character_count=int(count) if count and count.isdigit() else None,
                sentences=sorted(sentences[iri], key=lambda s: s.index),
                title=_value(title_lit[0]) if title_lit else None,
                url=first(_SCHEMA + "url"),
                published=first(_DCTERMS + "issued"),
                publisher=first(_DCTERMS + "publisher"),
                language=first(_DCTERMS + "language"),
                unreadable=unreadable,
            )
        )
    return result


def registered_sources(config: ProjectConfig) -> list[RegisteredSource]:
    """Every registered source of the project: each ``data/<slug>/`` with a ``pe:Source``.

    A folder whose files cannot be parsed is reported (:class:`RdfSyntaxError`)
    only when no readable file of it describes the source, so a half-edited
    ``facts.ttl`` does not hide the source's sentences from its author.
    """
    if not config.data_dir.is_dir():
        return []
    found: list[RegisteredSource] = []
    for folder in sorted(p for p in config.data_dir.iterdir() if p.is_dir()):
        found.extend(_sources_in_folder(folder, config))
    return found


def get_source(config: ProjectConfig, slug: str) -> RegisteredSource:
    """The registered source called ``slug``; :class:`InputError` naming the known ones if absent."""
    sources = registered_sources(config)
    for src in sources:
        if src.slug == slug:
            return src
    known = ", ".join(s.slug for s in sources) or "none yet"
    raise InputError(
        f"no registered source {slug!r} in {config.data_dir} (registered: {known}); "
        "register a text with `polevents source add FILE`"
    )


# ---------------------------------------------------------------- finding the local text

_HASH_CACHE: dict[tuple[str, int, int], str] = {}


def _file_sha256(path: Path) -> str | None:
    try:
        st = path.stat()
    except OSError:
        return None
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _HASH_CACHE:
        try:
            _HASH_CACHE[key] = sha256_hex(path.read_bytes())
        except OSError:
            return None
    return _HASH_CACHE[key]


def _candidate_files(folder: Path, slug: str | None) -> Iterator[Path]:
    """Regular, not hidden files under ``folder``; those named after ``slug`` first."""
    if not folder.is_dir():
        return
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                files.append(Path(dirpath) / name)
    files.sort(key=lambda p: (slug is None or not p.stem.startswith(slug), str(p)))
    for f in files:
        try:
            if f.is_file() and f.stat().st_size <= MAX_TEXT_BYTES:
                yield f
        except OSError:
            continue


def find_text(config: ProjectConfig, sha256: str, slug: str | None = None) -> Path | None:
    """The first file under the configured text folders whose SHA-256 is ``sha256``."""
    for folder in config.text_paths:
        for f in _candidate_files(folder, slug):
            if _file_sha256(f) == sha256:
                return f
    return None


def _missing_text_error(config: ProjectConfig, src: RegisteredSource, changed: Path | None = None) -> InputError:
    searched = ", ".join(str(p) for p in config.text_paths) or "(none configured)"
    what = (
        f"the text at {changed} no longer matches (its SHA-256 changed)"
        if changed
        else "its text is not available locally"
    )
    return InputError(
        f"source {src.slug!r}: {what}. Searched: {searched}; expected SHA-256 {src.sha256}. "
        f"Put the original file in one of these folders (any name), or add its folder to "
        f"[sources] text_paths in {config.root / 'polevents.toml'}"
    )


@dataclass(frozen=True)
class SentenceText:
    """One registered sentence with its text, read from the local copy."""

    index: int
    start: int
    end: int
    text: str


def sentence_texts(config: ProjectConfig, src: RegisteredSource) -> tuple[Path, list[SentenceText]]:
    """The local text of ``src`` (hash-verified) and its registered sentences with their text.

    The registered offsets are used, not a fresh split: the numbers authors cite
    are the ones in ``source.ttl``.
    """
    path = find_text(config, src.sha256, src.slug)
    if path is None:
        raise _missing_text_error(config, src)
    data = path.read_bytes()
    if sha256_hex(data) != src.sha256:  # changed since it was hashed above
        raise _missing_text_error(config, src, changed=path)
    text = data.decode("utf-8")
    if src.character_count is not None and src.character_count != len(text):
        raise SourceError(
            f"source {src.slug!r}: {path} has the registered SHA-256 but {len(text)} characters, "
            f"not {src.character_count}; {src.described_in} was edited by hand: register {path} again "
            f"as {src.slug!r} over the old registration",
            Remedy.REPLACE,
        )
    out = []
    for s in src.sentences:
        if not 0 <= s.start <= s.end <= len(text):
            raise InputError(
                f"source {src.slug!r}: sentence {s.index} ({s.start}-{s.end}) lies outside the text "
                f"({len(text)} characters); re-register the source"
            )
        out.append(SentenceText(s.index, s.start, s.end, text[s.start : s.end]))
    return path, out


# ---------------------------------------------------------------- registering a source


@dataclass(frozen=True)
class AddedSource:
    """What :func:`add_source` did."""

    slug: str
    sha256: str
    sentences: int
    characters: int
    source_file: Path
    facts_file: Path
    #: proposals of the draft written into facts.ttl (0 without a draft)
    proposals: int
    #: False when facts.ttl already existed (never overwritten)
    facts_written: bool
    #: where the text can be found now (a copy, or an existing file), or None
    text_path: Path | None
    text_copied: bool
    #: registered again over an earlier registration of a different text: cited numbers may have moved
    renumbered: bool
    notes: list[str] = field(default_factory=list)


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def _text_folder(config: ProjectConfig) -> Path | None:
    """The first configured text folder inside the project (not in data/, ontology/, shapes/) that is writable."""
    published = (config.data_dir, config.ontology_dir, config.shapes_dir, config.queries_dir)
    for folder in config.text_paths:
        if not _inside(folder, config.root) or any(_inside(folder, p) for p in published):
            continue
        probe = folder
        while not probe.exists():
            probe = probe.parent
        if probe.is_dir() and os.access(probe, os.W_OK):
            return folder
    return None


def _keep_text(config: ProjectConfig, text: SourceText, slug: str, notes: list[str]) -> tuple[Path | None, bool]:
    existing = find_text(config, text.sha256, slug)
    if existing is not None:
        return existing, False
    folder = _text_folder(config)
    if folder is None:
        notes.append(
            "no writable text folder inside the project is configured ([sources] text_paths); "
            f"keep {text.path} where `polevents source show` can find it"
        )
        return None, False
    suffix = text.path.suffix or ".txt"
    dest = folder / f"{slug}{suffix}"
    if dest.exists():
        dest = folder / f"{slug}-{text.sha256[:12]}{suffix}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(text.path, dest)
    except OSError as exc:
        raise InputError(f"{dest}: cannot keep a copy of the text: {exc.strerror}") from exc
    return dest, True


def _write_atomically(path: Path, content: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(content, encoding="utf-8", newline="\n")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write: {exc.strerror}") from exc


def _draft(config: ProjectConfig, text: SourceText, slug: str, published: str | None, notes: list[str]) -> Draft:
    """The draft of ``text``, matched against the entities of the dataset (none when it cannot be read)."""
    from ..errors import PoleventsError
    from .draft import draft_facts
    from .entities import EntityRecord, load_entities

    entities: list[EntityRecord] = []
    try:
        entities = load_entities(config.root)
    except PoleventsError as exc:
        notes.append(f"the dataset could not be read, so the draft reuses no entity: {exc}")
    sentences = [(s.index, text.text[s.start : s.end]) for s in text.sentences]
    return draft_facts(slug, sentences, entities, published=published)


def add_source(
    config: ProjectConfig,
    file: Path,
    *,
    slug: str | None = None,
    title: str | None = None,
    url: str | None = None,
    published: str | None = None,
    publisher: str | None = None,
    language: str | None = None,
    force: bool = False,
    copy: bool = True,
    draft: bool = False,
) -> AddedSource:
    """Register the text ``file`` as source ``slug`` of the project.

    Writes ``data/<slug>/source.ttl`` (hash, length, sentences; never text) and,
    unless it exists, ``data/<slug>/facts.ttl`` (the template to fill in).  An
    existing source is replaced only with ``force``; ``facts.ttl`` is never
    replaced.  With ``force``, metadata not given is kept from the earlier
    registration.  The text is kept (``copy``) in the first writable text folder
    inside the project unless it is already found in a configured text folder.
    With ``draft``, a new ``facts.ttl`` also gets commented proposals found in the
    text (:mod:`polevents.source.draft`), matched against the dataset's entities.
    """
    text = read_source_text(file)
    if not text.text.strip():
        raise InputError(f"{file}: the source text is empty")
    slug = validate_slug(slug) if slug is not None else slug_from_filename(file)
    language = validate_language(language) if language is not None else None
    if url is not None:
        validate_url(url)
    if published is not None:
        parse_partial_date(published)
    notes: list[str] = []
    folder = config.data_dir / slug
    source_file = folder / SOURCE_FILE
    facts_file = folder / FACTS_FILE
    sources = registered_sources(config)
    previous = next((s for s in sources if s.slug == slug or s.folder == folder), None)
    if previous is None and source_file.exists():
        raise SourceError(
            f"{source_file} exists but describes no pe:Source; move it away or choose another slug", Remedy.OTHER_SLUG
        )
    if previous is not None and not force:
        raise SourceError(
            f"source {slug!r} is already registered in {previous.described_in} "
            f"(SHA-256 {previous.sha256[:12]}…); register it again over the old registration "
            "(facts.ttl is kept), or choose another slug",
            Remedy.REPLACE,
            Remedy.OTHER_SLUG,
        )
    twin = next((s for s in sources if s.sha256 == text.sha256 and s.folder != folder), None)
    if twin is not None:
        if not force:
            raise SourceError(
                f"{file}: this text (SHA-256 {text.sha256[:12]}…) is already registered as {twin.slug!r} "
                f"in {twin.described_in}; cite its sentences, or register it twice",
                Remedy.REGISTER_TWICE,
            )
        notes.append(f"the same text is also registered as {twin.slug!r}")
    renumbered = False
    if previous is not None:
        old_spans = [(s.index, s.start, s.end) for s in previous.sentences]
        new_spans = [(s.index, s.start, s.end) for s in text.sentences]
        renumbered = previous.sha256 != text.sha256 or old_spans != new_spans
        if renumbered and facts_file.exists():
            notes.append(
                f"the text or its sentences changed since the earlier registration "
                f"({len(old_spans)} -> {len(new_spans)} sentences): check every s:N cited in {facts_file}"
            )
        title = title if title is not None else previous.title
        url = url if url is not None else previous.url
        published = published if published is not None else previous.published
        publisher = publisher if publisher is not None else previous.publisher
        language = language if language is not None else previous.language
        if previous.described_in != source_file:
            notes.append(f"the earlier description stays in {previous.described_in}; remove it by hand")
    language = language or "en"
    if not title:
        notes.append("no title given: validation warns until the source has a dcterms:title")
    _write_atomically(
        source_file,
        describe_source(text, slug, title=title, url=url, published=published, publisher=publisher, language=language),
    )
    facts_written = not facts_file.exists()
    proposals = 0
    if facts_written:
        content = facts_template(slug, title=title, sentences=len(text.sentences))
        if draft:
            proposed = _draft(config, text, slug, published, notes)
            proposals = len(proposed.proposals)
            content += proposed.to_turtle()
        _write_atomically(facts_file, content)
    elif draft:
        notes.append(f"{facts_file} exists and is never overwritten: no draft written (register under a new slug)")
    text_path, copied = (None, False)
    if copy:
        text_path, copied = _keep_text(config, text, slug, notes)
    else:
        text_path = find_text(config, text.sha256, slug)
        if text_path is None:
            notes.append(
                "the text was not copied and is not in a configured text folder; "
                "`polevents source show` will not find it"
            )
    return AddedSource(
        slug=slug,
        sha256=text.sha256,
        sentences=len(text.sentences),
        characters=len(text.text),
        source_file=source_file,
        facts_file=facts_file,
        proposals=proposals,
        facts_written=facts_written,
        text_path=text_path,
        text_copied=copied,
        renumbered=renumbered,
        notes=notes,
    )
