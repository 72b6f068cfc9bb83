"""First-run polish of the command line (#15): python -m, the V1 table on a 100-column terminal,
formats by extension or media type, commands outside a project, dev.py passing signals on."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from polevents.query.table import display_width
from support import REPO, copy_repo_project, run


def test_python_m_polevents() -> None:
    r = subprocess.run([sys.executable, "-m", "polevents", "--version"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("polevents, version ")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_repo_project(tmp_path_factory.mktemp("polish") / "project")
    assert run("build", "--project", project).code == 0
    return project


def test_v1_fits_a_100_column_terminal(built: Path) -> None:
    """On a terminal (a pty, COLUMNS=100) the V1 answer keeps every column visible within 100 columns."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "LINES": "40"}
    command = [sys.executable, "-m", "polevents", "query", "--name", "v1-party-chairs", "--project", str(built)]
    process = subprocess.Popen(command, stdout=follower, stderr=subprocess.DEVNULL, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(60)
    os.close(leader)
    assert process.returncode == 0
    lines = b"".join(chunks).decode("utf-8").replace("\r\n", "\n").splitlines()
    assert lines and max(display_width(line) for line in lines) <= 100
    text = "\n".join(lines)
    variables = ["party", "post", "ordinal", "chair", "start", "end", "startedBy", "endedBy", "source", "sentences"]
    assert all(f"?{v}" in text for v in variables)
    assert "Yerlan Koshanov" in text and "Kassym-Jomart Tokayev" in text


def test_a_piped_table_fits_the_width_columns_names(built: Path) -> None:
    """No terminal, but COLUMNS=100 set: the table fits 100 columns; without COLUMNS it is not cut."""
    command = [sys.executable, "-m", "polevents", "query", "--name", "v1-party-chairs", "--format", "table"]
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    wide = subprocess.run([*command, "--project", str(built)], capture_output=True, text=True, env=env, timeout=120)
    narrow = subprocess.run(
        [*command, "--project", str(built)],
        capture_output=True,
        text=True,
        env={**env, "COLUMNS": "100"},
        timeout=120,
    )
    assert wide.returncode == 0 and narrow.returncode == 0, (wide.stderr, narrow.stderr)
    assert max(display_width(line) for line in wide.stdout.splitlines()) > 100
    assert max(display_width(line) for line in narrow.stdout.splitlines()) <= 100
    assert "Yerlan Koshanov" in narrow.stdout


@pytest.mark.parametrize("fmt", ["csv", ".csv", "text/csv", "text/csv; charset=utf-8"])
def test_format_by_name_extension_or_media_type(built: Path, fmt: str) -> None:
    r = run("query", "SELECT ?x WHERE { BIND(1 AS ?x) }", "--format", fmt, "--project", built)
    assert r.code == 0 and r.out.splitlines()[0] == "x", r.err


def test_commands_that_need_a_project_say_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = tmp_path / "article.txt"
    text.write_text("One sentence. Another one.\n", encoding="utf-8")
    for args in (["query", "--list"], ["query", "--name", "v1-party-chairs"], ["source", "add", str(text)]):
        r = run(*args)
        assert r.code == 2 and "not a polevents project" in r.err, (args, r.err)
    assert not (tmp_path / "data").exists()  # nothing written outside a project
    for args in (["build"], ["validate"], ["entities"]):  # these say what a project needs
        r = run(*args)
        assert r.code == 2 and "a project needs ontology/" in r.err, (args, r.err)


def test_build_takes_the_common_output_option(built: Path, tmp_path: Path) -> None:
    r = run("build", "--project", built, "-o", tmp_path / "out")
    assert r.code == 0 and (tmp_path / "out" / "void.ttl").is_file()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
def test_dev_py_passes_sigterm_on_to_its_child(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    child = f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(120)"
    wrapper = (
        f"import sys; sys.path.insert(0, {str(REPO)!r}); import dev; "
        f"sys.exit(dev.run(sys.executable, '-c', {child!r}, check=False))"
    )
    process = subprocess.Popen([sys.executable, "-c", wrapper], stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not pid_file.exists() or not pid_file.read_text():
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.05)
        child_pid = int(pid_file.read_text())
        process.send_signal(signal.SIGTERM)
        process.wait(30)
        assert not Path(f"/proc/{child_pid}").exists()  # reaped by dev.py after it ended
    finally:
        if process.poll() is None:
            process.kill()


@pytest.mark.parametrize(("fmt", "start"), [("text/turtle", b"@prefix"), (".nt", b"<"), ("nt", b"<")])
def test_rdf_format_options_take_extensions_and_media_types(built: Path, fmt: str, start: bytes) -> None:
    r = run("export", "--profile", "wikidata", "--format", fmt, "--project", built)
    assert r.code == 0 and r.data.startswith(start), r.err
    assert run("export", "--profile", "wikidata", "--format", "xml", "--project", built).code == 2


def test_query_writes_to_the_common_output_option(built: Path, tmp_path: Path) -> None:
    """-o/--output as in build and export; the format from the file's extension."""
    target = tmp_path / "answers" / "v1.csv"
    r = run("query", "--name", "v1-party-chairs", "-o", target, "--project", built)
    assert r.code == 0 and r.out == "", r.err
    assert target.read_text(encoding="utf-8").startswith("party,post,")
    r = run("query", "ASK { ?s ?p ?o }", "--output", tmp_path / "ask.json", "--project", built)
    assert r.code == 0 and '"boolean"' in (tmp_path / "ask.json").read_text(encoding="utf-8")
