"""Staging folders of a build: where the new output is written before it replaces the old one.

A build writes into a sibling of the output folder, ``.<out>.build-<pid>-<start>.<random>``,
and renames it over the output folder when complete (:func:`polevents.build.publish_atomically`).
The name says which process owns it: its PID and, where ``/proc`` tells it, the process's start
time (so a reused PID is not mistaken for the owner).  A build killed with SIGKILL cannot clean
up; the next build into the same folder removes every staging folder whose owner is gone
(:func:`remove_stale`), and never one of a build still running.

The staging folder is created with the mode a published folder should have: ``0777`` less the
umask (``0755`` under the usual ``022``), not the ``0700`` of :func:`tempfile.mkdtemp`.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

__all__ = ["new_staging", "owner_alive", "remove_stale", "staging_prefix"]

_OWNER = re.compile(r"\.build-(\d+)-(\d+)\.[^.]*$")


def _start_time(pid: int) -> int:
    """The start time of process ``pid`` in clock ticks since boot (``/proc/PID/stat`` field 22),
    0 where ``/proc`` is not available; -1 if the process does not exist."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        if not Path("/proc/self/stat").exists():  # no /proc: ask the kernel whether the PID exists
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return -1
            except PermissionError:
                return 0
            return 0
        return -1
    except OSError:
        return 0
    # the command name (field 2) is in parentheses and may contain spaces
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[19])


def staging_prefix(out: Path) -> str:
    """The name prefix of the staging folders of ``out`` (``.dist.build-``)."""
    return f".{out.name}.build-"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def new_staging(out: Path) -> Path:
    """A new, empty staging folder beside ``out``, owned by this process, mode ``0777 & ~umask``."""
    pid = os.getpid()
    path = Path(tempfile.mkdtemp(prefix=f"{staging_prefix(out)}{pid}-{max(_start_time(pid), 0)}.", dir=out.parent))
    path.chmod(0o777 & ~_umask())
    return path


def owner_alive(staging: Path) -> bool:
    """Whether the build that created ``staging`` is still running (True when unsure)."""
    match = _OWNER.search(staging.name)
    if match is None:
        return True
    pid, started = int(match.group(1)), int(match.group(2))
    now = _start_time(pid)
    if now < 0:
        return False
    return started == 0 or now == 0 or now == started


def remove_stale(out: Path) -> list[Path]:
    """Remove the staging folders of ``out`` left by builds that are no longer running.

    Only folders named by :func:`new_staging` for this output folder are considered; the
    folder of a build still running is left alone.  Returns the folders removed.
    """
    removed: list[Path] = []
    prefix = staging_prefix(out)
    try:
        entries = list(out.parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(prefix) or not entry.is_dir() or entry.is_symlink():
            continue
        if owner_alive(entry):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return sorted(removed)
