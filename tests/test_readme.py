"""The README's examples run, so they cannot go stale (#15).

Every command of the "A short tour" block runs in a copy of the project and exits 0,
except those that need a server running beside them (listed with the reason). The
shape count the authoring walkthrough shows is the one ``polevents validate`` prints.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from support import REPO, copy_repo_project, run

README = (REPO / "README.md").read_text(encoding="utf-8")
#: Tour commands that need something running beside them, and why they are not run here.
NEEDS_A_SERVER = {
    "serve": "runs until stopped (tests/test_serve.py starts it)",
    "--endpoint": "needs a SPARQL endpoint (tests/test_query_remote.py starts one)",
    "publish": "needs a Graph Store (tests/test_publish.py starts one)",
}


def tour_commands() -> list[list[str]]:
    section = README[README.index("## A short tour") :]
    block = section[section.index("```sh") + len("```sh") : section.index("```", section.index("```sh") + 5)]
    commands = []
    for line in block.strip().splitlines():
        words = shlex.split(line, comments=True)
        assert words and words[0] == "polevents", line
        commands.append(words[1:])
    return commands


def test_the_tour_is_found() -> None:
    commands = tour_commands()
    assert len(commands) >= 10
    assert ["build"] in commands


def test_every_tour_command_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = copy_repo_project(tmp_path / "project")
    fixture = project / "tests" / "fixtures" / "wikidata"
    fixture.mkdir(parents=True)
    shutil.copy(REPO / "tests" / "fixtures" / "wikidata" / "slice.ttl", fixture / "slice.ttl")
    (project / "article.txt").write_text("A first sentence of the article. And a second one.\n", encoding="utf-8")
    monkeypatch.chdir(project)
    ran = 0
    for args in tour_commands():
        if any(key in args for key in NEEDS_A_SERVER):
            continue
        if args[0] == "diff" and not Path(args[1]).exists():
            shutil.copytree(project / "dist", project / args[1])  # the previous build to compare with
        r = run(*args)
        assert r.code == 0, f"polevents {shlex.join(args)}: exit {r.code}\n{r.err}"
        ran += 1
    assert ran >= 9
    assert (project / "exports" / "wikibase.ttl").is_file()


def test_the_shape_count_shown_is_current(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shown = {int(n) for n in re.findall(r"against (\d+) shapes", README)}
    assert shown
    project = copy_repo_project(tmp_path / "project")
    r = run("validate", "--project", project)
    counted = re.search(r"against (\d+) shapes", r.out + r.err)
    assert counted is not None, r.out + r.err
    assert shown == {int(counted.group(1))}


def test_every_competency_question_command_runs(tmp_path: Path) -> None:
    """The commands of the competency-question table (V1–V10, V7 with --param) answer with rows."""
    commands = re.findall(r"`(polevents query [^`]+)`", README[README.index("## Answering the competency") :])
    commands = [c for c in commands if "--name v" in c]
    assert len(commands) >= 11
    project = copy_repo_project(tmp_path / "project")
    assert run("build", "--project", project).code == 0
    for command in commands:
        r = run(*shlex.split(command)[1:], "--format", "csv", "--project", project)
        assert r.code == 0, f"{command}: {r.err}"
        assert len(r.out.splitlines()) > 1, f"{command}: no rows"
