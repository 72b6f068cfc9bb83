"""Start a private OpenLink Virtuoso 7 (Debian ``virtuoso-opensource``) for the tests, and stop it.

    with virtuoso_serve(tmp / "virtuoso") as server:
        httpx.get(server.sparql, params={"query": "ASK {}"})

The system's ``/etc/virtuoso-opensource-7/virtuoso.ini`` is copied with its
``[Database]`` and ``[TempDatabase]`` files moved into ``folder`` and both
``ServerPort`` settings (SQL and HTTP) changed to free loopback ports; then
``virtuoso-t +foreground +configfile FILE`` runs until the block ends.  A fresh
database has the account ``dba`` with password ``dba``.  The tests skip, with
the reason, when the package is not installed (``python3 dev.py test`` installs
it when run as root).
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from support import free_port

__all__ = ["SYSTEM_INI", "VirtuosoServer", "virtuoso_serve"]

SYSTEM_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
#: Seconds a fresh database may take to be created and answer (about 10 s on the test machine).
STARTUP_TIMEOUT_S = 120.0

_DB_FILE = re.compile(
    r"(?m)^(\s*(?:DatabaseFile|ErrorLogFile|LockFile|TransactionFile|xa_persistent_file)\s*=\s*)(\S+)"
)
_SECTION = re.compile(r"(?m)^\[([^\]]+)\]\s*$")
_PORT = re.compile(r"(?m)^(\s*ServerPort\s*=\s*)\S+")


@dataclass(frozen=True)
class VirtuosoServer:
    """A running Virtuoso: its HTTP base URL (no trailing slash), its folder and log."""

    url: str
    folder: Path
    log: Path

    @property
    def sparql(self) -> str:
        """The SPARQL Protocol endpoint."""
        return f"{self.url}/sparql"

    @property
    def graph_store(self) -> str:
        """The Graph Store Protocol endpoint that takes HTTP Digest authentication."""
        return f"{self.url}/sparql-graph-crud-auth"


def private_ini(system_ini: str, folder: Path, sql_port: int, http_port: int) -> str:
    """``system_ini`` with the database files in ``folder`` and the two server ports changed.

    The file is edited as text, section by section: Virtuoso's ini repeats keys
    (``configparser`` refuses it) and keeps comments that should stay.
    """
    pieces = _SECTION.split(system_ini)  # [preamble, name1, body1, name2, body2, ...]
    out = [pieces[0]]
    for name, body in zip(pieces[1::2], pieces[2::2], strict=True):
        if name in ("Database", "TempDatabase"):
            body = _DB_FILE.sub(lambda m: m.group(1) + str(folder / Path(m.group(2)).name), body)
        elif name == "Parameters":
            body = _PORT.sub(lambda m: f"{m.group(1)}{sql_port}", body)
        elif name == "HTTPServer":
            body = _PORT.sub(lambda m: f"{m.group(1)}{http_port}", body)
        elif name == "URIQA":
            body = re.sub(r"(?m)^(\s*DefaultHost\s*=\s*)\S+", lambda m: f"{m.group(1)}localhost:{http_port}", body)
        out.append(f"[{name}]\n{body}")
    return "".join(out)


def virtuoso_binary() -> str:
    """``virtuoso-t``, or skip the test saying how to get it."""
    found = shutil.which("virtuoso-t")
    if found is None or not SYSTEM_INI.is_file():
        pytest.skip(
            "Virtuoso is not installed (Debian package virtuoso-opensource; `python3 dev.py test` "
            "installs it when run as root)"
        )
    return found


@contextmanager
def virtuoso_serve(folder: Path) -> Iterator[VirtuosoServer]:
    """Run a private Virtuoso with its database in ``folder`` until the block ends."""
    import httpx

    binary = virtuoso_binary()
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(private_ini(SYSTEM_INI.read_text(encoding="utf-8"), folder, sql_port, http_port), encoding="utf-8")
    log = folder / "stdout.log"
    url = f"http://127.0.0.1:{http_port}"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "+foreground", "+configfile", str(ini)],
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            try:
                if httpx.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"virtuoso-t did not start: {log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)
        yield VirtuosoServer(url=url, folder=folder, log=log)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # Virtuoso checkpoints and exits
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
