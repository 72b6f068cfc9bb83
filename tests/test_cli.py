"""The command line as a whole: every command is registered, documented, and mentioned in the README."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from polevents.cli import cli

#: The nine commands of the CLI contract (DESIGN.md), written out: not read from the code under test.
EXPECTED_COMMANDS = {"build", "validate", "query", "serve", "export", "link", "publish", "diff", "entities", "source"}
README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_command_is_registered() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    listed = {line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.strip()}
    assert listed == EXPECTED_COMMANDS


@pytest.mark.parametrize("name", sorted(EXPECTED_COMMANDS))
def test_every_command_has_help_and_is_in_the_readme(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    summary = result.output.split("\n\n")[1].strip()
    assert len(summary) > 20, f"{name}: no real help text"
    assert f"polevents {name}" in README, f"{name} is not mentioned in the README"


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["frobnicate"])
    assert result.exit_code == 2
