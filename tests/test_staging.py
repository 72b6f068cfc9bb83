"""The build's staging folders (issue #12 rows 9 and 10): stale ones are removed, dist/ gets a public mode."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from polevents.staging import new_staging, owner_alive, remove_stale, staging_prefix
from support import copy_repo_project, run

#: A process that makes a staging folder the way a build does, says where, and waits to be killed.
HOLDER = """
import sys, time
from pathlib import Path
from polevents.staging import new_staging
print(new_staging(Path(sys.argv[1])), flush=True)
time.sleep(600)
"""


@contextmanager
def holder(out: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        yield proc, Path(proc.stdout.readline().strip())
    finally:
        proc.kill()
        proc.wait()


def test_a_killed_builds_staging_folder_is_removed_by_the_next_build(tmp_path: Path) -> None:
    project = copy_repo_project(tmp_path / "project", data=False)
    out = tmp_path / "dist"
    with holder(out) as (proc, staging):
        (staging / "polevents.nq").write_bytes(b"half a dump\n")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert staging.is_dir() and staging.name.startswith(staging_prefix(out))
    result = run("build", "--project", project, "--out", out, "--no-cache")
    assert result.code == 0, result.err
    assert not staging.exists()
    assert staging.name in result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist", "project"]


def test_a_running_builds_staging_folder_is_left_alone(tmp_path: Path) -> None:
    project = copy_repo_project(tmp_path / "project", data=False)
    out = tmp_path / "dist"
    with holder(out) as (_proc, staging):
        assert owner_alive(staging)
        result = run("build", "--project", project, "--out", out, "--no-cache")
        assert result.code == 0, result.err
        assert staging.is_dir()
        assert remove_stale(out) == []
    assert not owner_alive(staging)
    assert remove_stale(out) == [staging]


def test_other_folders_beside_the_output_are_not_touched(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    keep = [tmp_path / ".dist.keep", tmp_path / ".other.build-1-1.x", tmp_path / ".dist.old"]
    for folder in keep:
        folder.mkdir()
    assert remove_stale(out) == []
    assert all(folder.is_dir() for folder in keep)


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o755), (0o027, 0o750), (0o077, 0o700)])
def test_the_output_folder_has_a_public_mode_less_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    project = copy_repo_project(tmp_path / "project", data=False)
    out = tmp_path / "dist"
    old = os.umask(umask)
    try:
        result = run("build", "--project", project, "--out", out, "--no-cache")
        staging = new_staging(tmp_path / "other")
    finally:
        os.umask(old)
    assert result.code == 0, result.err
    assert stat.S_IMODE(out.stat().st_mode) == mode
    assert stat.S_IMODE(staging.stat().st_mode) == mode
