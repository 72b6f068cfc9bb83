"""Registering sources: ``polevents source add | list | show`` and the registered first article.

The CLI is run through :func:`polevents.cli.main`, the real entry point, so exit
codes and the one-line error messages are the ones a user sees.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import rdflib
from rdflib import Literal, Namespace, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from polevents.source import describe_source, facts_template, read_source_text
from polevents.source.segment import sha256_hex, split_sentences
from support import EXAMPLE_ARTICLE, EXAMPLE_SENTENCES, REPO, run

FIXTURES = Path(__file__).parent / "fixtures"
ARTICLE = EXAMPLE_ARTICLE
SEED_FOLDERS = [REPO.parent / "shared" / "seed"]
BASE = "https://w3id.org/polevents/"
PE = Namespace("https://w3id.org/polevents/ontology#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
SCHEMA = Namespace("http://schema.org/")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh project: polevents.toml with the default text folder, an empty data/."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "polevents.toml").write_text(f'[dataset]\nbase = "{BASE}"\n', encoding="utf-8")
    (root / "data").mkdir()
    return root


def _graph(path: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(path, format="turtle", publicID=BASE)


def _assert_isomorphic(expected: rdflib.Graph, actual: rdflib.Graph) -> None:
    if not isomorphic(expected, actual):
        _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
        pytest.fail(
            "graphs differ\nonly expected:\n"
            + only_expected.serialize(format="nt")
            + "\nonly actual:\n"
            + only_actual.serialize(format="nt")
        )


def _expected_description(
    text_path: Path, slug: str, sentences: list[tuple[int, int, int, str]], **meta: Literal | URIRef
) -> rdflib.Graph:
    """The description a registered text must have, built independently of describe_source
    (the sentences' spans are the pinned ones, not the splitter's)."""
    data = text_path.read_bytes()
    text = data.decode("utf-8")
    g = rdflib.Graph()
    doc = URIRef(f"{BASE}id/source/{slug}")
    g.add((doc, rdflib.RDF.type, PE.Source))
    g.add((doc, rdflib.RDF.type, SCHEMA.NewsArticle))
    g.add((doc, PE.sha256, Literal(sha256_hex(data))))
    g.add((doc, DCTERMS.identifier, Literal("sha256:" + sha256_hex(data))))
    g.add((doc, PE.characterCount, Literal(len(text))))
    g.add((doc, DCTERMS.language, Literal("en")))
    for pred, value in meta.items():
        g.set(
            (
                doc,
                {
                    "title": DCTERMS.title,
                    "url": SCHEMA.url,
                    "issued": DCTERMS.issued,
                    "publisher": DCTERMS.publisher,
                    "language": DCTERMS.language,
                }[pred],
                value,
            )
        )
    for index, start, end, sentence in sentences:
        assert text[start:end] == sentence, f"the pinned sentence {index} is not at {start}-{end}"
        node = URIRef(f"{BASE}id/source/{slug}/sentence/{index}")
        g.add((node, rdflib.RDF.type, PE.Sentence))
        g.add((node, PE.inSource, doc))
        g.add((node, PE.sentenceIndex, Literal(index)))
        g.add((node, PE.startOffset, Literal(start)))
        g.add((node, PE.endOffset, Literal(end)))
    return g


# ---------------------------------------------------------------- the registered first article


def _seed_text_path() -> Path:
    for folder in SEED_FOLDERS:
        path = folder / "kazakhstan-reform-2022.txt"
        if path.is_file():
            return path
    pytest.skip("the shared seed text (../shared/seed/kazakhstan-reform-2022.txt) is not available")


def test_first_article_offsets_match_its_text() -> None:
    seed = _seed_text_path()
    data = seed.read_bytes()
    text = data.decode("utf-8")
    g = _graph(REPO / "data" / "kazakhstan-reform-2022" / "source.ttl")
    doc = URIRef(f"{BASE}id/source/kazakhstan-reform-2022")
    assert str(g.value(doc, PE.sha256)) == sha256_hex(data)
    assert int(g.value(doc, PE.characterCount)) == len(text)  # type: ignore[arg-type]
    spans = sorted(
        (int(g.value(n, PE.sentenceIndex)), int(g.value(n, PE.startOffset)), int(g.value(n, PE.endOffset)))  # type: ignore[arg-type]
        for n in g.subjects(PE.inSource, doc)
    )
    assert len(spans) == 64
    assert [i for i, _, _ in spans] == list(range(1, 65))
    previous_end = 0
    for index, start, end in spans:
        assert previous_end <= start < end <= len(text), f"sentence {index}: {start}-{end}"
        piece = text[start:end]
        assert piece.strip() and piece == piece.strip(), f"sentence {index} is empty or padded"
        previous_end = end
    assert [(s.index, s.start, s.end) for s in split_sentences(text)] == spans


def test_first_article_description_is_what_source_add_writes() -> None:
    seed = _seed_text_path()
    path = REPO / "data" / "kazakhstan-reform-2022" / "source.ttl"
    title = str(_graph(path).value(URIRef(f"{BASE}id/source/kazakhstan-reform-2022"), DCTERMS.title))
    regenerated = describe_source(read_source_text(seed), "kazakhstan-reform-2022", title=title)
    _assert_isomorphic(_graph(path), rdflib.Graph().parse(data=regenerated, format="turtle", publicID=BASE))
    assert regenerated == path.read_text(encoding="utf-8")


def test_re_registering_the_first_article_reproduces_its_description(project: Path) -> None:
    """``source add --force`` over the committed description writes it again byte for byte."""
    seed = _seed_text_path()
    committed = REPO / "data" / "kazakhstan-reform-2022" / "source.ttl"
    folder = project / "data" / "kazakhstan-reform-2022"
    folder.mkdir()
    shutil.copy(committed, folder / "source.ttl")
    r = run("source", "add", seed, "--slug", "kazakhstan-reform-2022", "--force", "--no-copy", "--project", project)
    assert r.code == 0, r.err
    assert (folder / "source.ttl").read_bytes() == committed.read_bytes()
    assert "check every s:N" not in r.err  # same text, same sentences


COPY_CHECKED = ("data", "ontology", "shapes", "queries", "src", "tests", "docs", "README.md")


def _normalised(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def test_no_long_sentence_of_the_article_is_copied_into_the_repository() -> None:
    """The article is third-party text: short quotations are data, whole long sentences are not."""
    text = _seed_text_path().read_text(encoding="utf-8")
    # The headline is the document's title: citing it (dcterms:title) is bibliographic metadata.
    titles = {str(t) for f in (REPO / "data").glob("*/source.ttl") for t in _graph(f).objects(None, DCTERMS.title)}
    long_sentences = [s.text(text) for s in split_sentences(text) if len(s.text(text)) > 60]
    long_sentences = [s for s in long_sentences if s not in titles]
    assert len(long_sentences) > 40
    files: list[Path] = []
    for name in COPY_CHECKED:
        target = REPO / name
        if target.is_file():
            files.append(target)
        elif target.is_dir():
            files += [p for p in target.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    assert any(f.name == "facts.ttl" for f in files)
    offenders = []
    for f in files:
        try:
            content = f.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        flat = _normalised(content)
        for sentence in long_sentences:
            if sentence in content or _normalised(sentence) in flat:
                offenders.append(f"{f.relative_to(REPO)}: {sentence[:40]}…")
    assert not offenders, "sentences of the article copied verbatim:\n" + "\n".join(offenders)


def test_text_folder_is_git_ignored() -> None:
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").split()
    assert "/sources/" in ignored or "sources/" in ignored


# ---------------------------------------------------------------- source add


def test_add_writes_the_description_and_a_template(project: Path) -> None:
    r = run(
        "source",
        "add",
        ARTICLE,
        "--project",
        project,
        "--title",
        "Veloria votes (fictional)",
        "--url",
        "https://example.org/veloria",
        "--published",
        "2022-05",
        "--publisher",
        "Example Wire",
    )
    assert r.code == 0, r.err
    assert r.out.splitlines() == ["data/example-article/source.ttl", "data/example-article/facts.ttl"]
    assert "18 sentences" in r.err and "copied to sources/example-article.txt" in r.err

    expected = _expected_description(
        ARTICLE, "example-article", EXAMPLE_SENTENCES,
        title=Literal("Veloria votes (fictional)", lang="en"),
        url=URIRef("https://example.org/veloria"),
        issued=Literal("2022-05", datatype=XSD.gYearMonth),
        publisher=Literal("Example Wire"),
    )  # fmt: skip
    _assert_isomorphic(expected, _graph(project / "data" / "example-article" / "source.ttl"))

    facts = project / "data" / "example-article" / "facts.ttl"
    assert len(_graph(facts)) == 0  # a template: prefixes and comments only
    content = facts.read_text(encoding="utf-8")
    assert "@prefix s:" in content and "<id/source/example-article/sentence/>" in content
    for pattern in (
        "pe:Tenure",
        "pe:Appointment",
        "pe:Quotation",
        "pe:Claim",
        "pe:hedge",
        "pe:MonetaryAmount",
        "pe:NameMention",
        "pe:OrganizationName",
        "pe:earliestDate",
        "pe:dateQualifier",
        "pe:Referendum",
        "pe:turnoutPercent",
        "pe:ballotsCast",
        "prov:wasDerivedFrom s:",
    ):
        assert pattern in content, pattern  # fmt: skip

    # The text is kept, byte for byte, in the git-ignored folder, and nowhere in data/.
    assert (project / "sources" / "example-article.txt").read_bytes() == ARTICLE.read_bytes()
    text = ARTICLE.read_text(encoding="utf-8")
    data_text = "".join(p.read_text(encoding="utf-8") for p in (project / "data").rglob("*.ttl"))
    long_sentences = [sentence for _, _, _, sentence in EXAMPLE_SENTENCES if len(sentence) > 30]
    assert len(long_sentences) == 16
    for sentence in long_sentences:
        assert sentence not in data_text


def test_template_examples_uncommented_conform_to_the_shapes(project: Path) -> None:
    """Every example of the template is right: uncommented, the whole template validates."""
    from polevents.load import load_project
    from polevents.validate import validate_project

    for folder in ("ontology", "shapes"):
        shutil.copytree(REPO / folder, project / folder)
    assert run("source", "add", ARTICLE, "--project", project, "--title", "Example").code == 0
    facts = project / "data" / "example-article" / "facts.ttl"
    uncommented = re.sub(r"(?m)^# ", "", facts.read_text(encoding="utf-8"))
    facts.write_text(uncommented, encoding="utf-8")
    assert len(_graph(facts)) > 80
    report = validate_project(load_project(project))
    assert report.conforms, report.to_text()
    assert not report.results, report.to_text()


def test_facts_template_lines_are_commented_turtle_or_prose() -> None:
    for line in facts_template("x", title="T", sentences=3).splitlines():
        assert line == "" or line.startswith(("@prefix ", "# ", "#", "## ")), line


def test_add_refuses_an_existing_source_and_force_keeps_facts(project: Path) -> None:
    assert run("source", "add", ARTICLE, "--project", project, "--title", "First title").code == 0
    facts = project / "data" / "example-article" / "facts.ttl"
    facts.write_text("# my facts\n", encoding="utf-8")

    again = run("source", "add", ARTICLE, "--project", project)
    assert again.code == 2
    assert "already registered" in again.err and "--force" in again.err
    assert "Traceback" not in again.err

    forced = run("source", "add", ARTICLE, "--project", project, "--force")
    assert forced.code == 0, forced.err
    assert forced.out.splitlines() == ["data/example-article/source.ttl"]
    assert "kept the existing data/example-article/facts.ttl" in forced.err
    assert facts.read_text(encoding="utf-8") == "# my facts\n"
    g = _graph(project / "data" / "example-article" / "source.ttl")
    assert str(g.value(URIRef(f"{BASE}id/source/example-article"), DCTERMS.title)) == "First title"


def test_force_with_a_changed_text_warns_that_numbers_moved(project: Path, tmp_path: Path) -> None:
    text = tmp_path / "note.txt"
    text.write_text("First sentence here. Second one.\n", encoding="utf-8")
    assert run("source", "add", text, "--project", project).code == 0
    text.write_text("A new first sentence. First sentence here. Second one.\n", encoding="utf-8")
    r = run("source", "add", text, "--project", project, "--force")
    assert r.code == 0, r.err
    assert "check every s:N cited" in r.err and "2 -> 3 sentences" in r.err


def test_add_refuses_the_same_text_under_another_slug(project: Path) -> None:
    assert run("source", "add", ARTICLE, "--project", project).code == 0
    r = run("source", "add", ARTICLE, "--project", project, "--slug", "copy-of-it")
    assert r.code == 2
    assert "already registered as 'example-article'" in r.err
    assert not (project / "data" / "copy-of-it").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--slug", "Bad Slug"], "invalid slug"),
        (["--published", "2022-13"], "month must be 01 to 12"),
        (["--published", "May 2022"], "YYYY-MM-DD, YYYY-MM or YYYY"),
        (["--url", "www.example.org/a b"], "absolute URL"),
        (["--language", "english!"], "BCP 47"),
    ],
)
def test_add_rejects_bad_options(project: Path, args: list[str], message: str) -> None:
    r = run("source", "add", ARTICLE, "--project", project, *args)
    assert r.code == 2
    assert message in r.err
    assert not (project / "data" / "example-article").exists()


def test_add_rejects_texts_it_cannot_register(project: Path, tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Caf\xe9 politics.".encode("latin-1"))
    r = run("source", "add", latin1, "--project", project)
    assert r.code == 2 and "not UTF-8 (byte 3)" in r.err
    blank = tmp_path / "blank.txt"
    blank.write_text(" \n", encoding="utf-8")
    r = run("source", "add", blank, "--project", project)
    assert r.code == 2 and "empty" in r.err
    odd = tmp_path / "---.txt"
    odd.write_text("Text.", encoding="utf-8")
    r = run("source", "add", odd, "--project", project)
    assert r.code == 2 and "--slug" in r.err


def test_slug_comes_from_the_file_name(project: Path, tmp_path: Path) -> None:
    named = tmp_path / "Élection Présidentielle 2022.txt"
    named.write_text("Headline\nBody sentence.", encoding="utf-8")
    r = run("source", "add", named, "--project", project)
    assert r.code == 0, r.err
    assert (project / "data" / "election-presidentielle-2022" / "source.ttl").is_file()


# ---------------------------------------------------------------- where the text is kept


def test_text_paths_are_configurable(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "archive"
    outside.mkdir()
    (project / "polevents.toml").write_text(
        f'[dataset]\nbase = "{BASE}"\n[sources]\ntext_paths = ["../archive", "texts"]\n', encoding="utf-8"
    )
    r = run("source", "add", ARTICLE, "--project", project)
    assert r.code == 0, r.err
    assert (project / "texts" / "example-article.txt").read_bytes() == ARTICLE.read_bytes()
    assert not (project / "sources").exists() and not any(outside.iterdir())

    # A text already in a configured folder (found by hash, under any name) is not copied again.
    other = tmp_path / "second.txt"
    other.write_text("Another fictional text. It has two sentences.", encoding="utf-8")
    shutil.copy(other, outside / "renamed-by-someone.txt")
    r = run("source", "add", other, "--project", project)
    assert r.code == 0, r.err
    assert f"found at {outside / 'renamed-by-someone.txt'}" in r.err
    assert not (project / "texts" / "second.txt").exists()
    shown = run("source", "show", "second", "--sentences", "--project", project)
    assert shown.out == "1\tAnother fictional text.\n2\tIt has two sentences.\n"


def test_no_copy_then_show_names_the_folders_and_the_hash(project: Path) -> None:
    r = run("source", "add", ARTICLE, "--project", project, "--no-copy")
    assert r.code == 0, r.err
    assert not (project / "sources").exists()
    assert "not copied" in r.err
    shown = run("source", "show", "example-article", "--sentences", "--project", project)
    assert shown.code == 2
    assert shown.out == ""
    assert str(project / "sources") in shown.err
    assert sha256_hex(ARTICLE.read_bytes()) in shown.err
    assert "text_paths" in shown.err and "Traceback" not in shown.err


def test_show_refuses_a_changed_text(project: Path) -> None:
    assert run("source", "add", ARTICLE, "--project", project).code == 0
    copy = project / "sources" / "example-article.txt"
    copy.write_text(copy.read_text(encoding="utf-8").replace("Oduya", "Oduyo"), encoding="utf-8")
    shown = run("source", "show", "example-article", "--sentences", "--project", project)
    assert shown.code == 2
    assert "expected SHA-256 " + sha256_hex(ARTICLE.read_bytes()) in shown.err


# ---------------------------------------------------------------- source list and show


def test_list_prints_one_line_per_source(project: Path, tmp_path: Path) -> None:
    assert run("source", "add", ARTICLE, "--project", project, "--title", "Veloria\tvotes").code == 0
    other = tmp_path / "b-note.txt"
    other.write_text("Only one sentence here.", encoding="utf-8")
    assert run("source", "add", other, "--project", project, "--no-copy").code == 0
    r = run("source", "list", "--project", project)
    assert r.code == 0, r.err
    rows = [line.split("\t") for line in r.out.splitlines()]
    sha = sha256_hex(ARTICLE.read_bytes())
    assert rows == [
        ["b-note", "1", sha256_hex(other.read_bytes())[:12], "", "missing"],
        ["example-article", "18", sha[:12], "Veloria votes", "sources/example-article.txt"],
    ]


def test_list_of_an_empty_project_is_empty(project: Path) -> None:
    r = run("source", "list", "--project", project)
    assert (r.code, r.out) == (0, "")


def test_show_prints_metadata_and_numbered_sentences(project: Path) -> None:
    assert run("source", "add", ARTICLE, "--project", project, "--title", "Veloria votes",
               "--published", "2022-05-30").code == 0  # fmt: skip
    meta = run("source", "show", "example-article", "--project", project)
    assert meta.code == 0, meta.err
    fields = dict(line.split(":\t", 1) for line in meta.out.splitlines())
    assert fields["slug"] == "example-article"
    assert fields["iri"] == f"{BASE}id/source/example-article"
    assert fields["title"] == "Veloria votes"
    assert fields["published"] == "2022-05-30"
    assert fields["sha256"] == sha256_hex(ARTICLE.read_bytes())
    assert fields["sentences"] == "18"
    assert fields["text"] == "sources/example-article.txt"

    shown = run("source", "show", "example-article", "--sentences", "--project", project)
    assert shown.code == 0, shown.err
    lines = shown.out.splitlines()
    assert len(lines) == 18
    assert lines[0] == "1\tVeloria Votes on a New Charter"
    assert lines[3] == "4\tShe replaced Mr. Tomas Vell, who had led the party since 2015."
    assert lines[16] == "17\tWhat comes next"

    one = run("source", "show", "example-article", "--sentence", "16", "--sentence", "5", "--project", project)
    assert [line.split("\t")[0] for line in one.out.splitlines()] == ["5", "16"]
    missing = run("source", "show", "example-article", "--sentence", "19", "--project", project)
    assert missing.code == 2 and "no sentence 19" in missing.err


def test_show_unknown_source_lists_the_registered_ones(project: Path) -> None:
    assert run("source", "add", ARTICLE, "--project", project).code == 0
    r = run("source", "show", "nope", "--project", project)
    assert r.code == 2
    assert "no registered source 'nope'" in r.err and "example-article" in r.err


def test_sentences_are_code_points_across_scripts_and_line_ends(project: Path, tmp_path: Path) -> None:
    text = tmp_path / "mixed.txt"
    text.write_bytes("Заголовок 🗳\r\nПервое предложение. «Второе», сказал он!\r\n\r\nLast one.".encode())
    assert run("source", "add", text, "--project", project).code == 0
    shown = run("source", "show", "mixed", "--sentences", "--project", project)
    assert shown.out.splitlines() == [
        "1\tЗаголовок 🗳",
        "2\tПервое предложение.",
        "3\t«Второе», сказал он!",
        "4\tLast one.",
    ]


def test_a_half_edited_facts_file_does_not_hide_the_sentences(project: Path) -> None:
    assert run("source", "add", ARTICLE, "--project", project).code == 0
    (project / "data" / "example-article" / "facts.ttl").write_text("@prefix s: <x> .\ns:1 s:2 ", encoding="utf-8")
    shown = run("source", "show", "example-article", "--sentence", "1", "--project", project)
    assert shown.code == 0, shown.err
    assert shown.out == "1\tVeloria Votes on a New Charter\n"
    assert "data/example-article/facts.ttl does not parse" in shown.err
    assert run("source", "list", "--project", project).out.startswith("example-article\t18\t")


def test_the_example_article_is_split_as_a_reader_splits_it() -> None:
    """The splitter on the fictional fixture article gives the spans pinned by hand in support.py."""
    text = ARTICLE.read_text(encoding="utf-8")
    assert [(s.index, s.start, s.end, s.text(text)) for s in split_sentences(text)] == EXAMPLE_SENTENCES
