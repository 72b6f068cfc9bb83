"""Start ``polevents serve`` as a separate process and wait until it answers (tests, benchmarks).

    with launched_server(["data.trig"], cwd=tmp) as server:
        httpx.get(server.url + "sparql", params={"query": "ASK {}"})

The server is started on port 0; its address is read from the line it prints
on stderr (``serving http://127.0.0.1:PORT/ …``).  Its stderr goes to a file,
never to a pipe nobody reads.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from polevents.errors import PoleventsError

__all__ = ["RunningServer", "launched_server"]

_ADDRESS = re.compile(r"serving (http://\S+/) ")


@dataclass
class RunningServer:
    """A ``polevents serve`` process and the base URL it answers at (ends with ``/``)."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stderr(self) -> str:
        """What the server printed on stderr so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def launched_server(
    args: Sequence[str], cwd: Path | None = None, startup_timeout: float = 60.0
) -> Iterator[RunningServer]:
    """Run ``polevents serve ARGS --port 0`` until the block ends (then SIGTERM, then SIGKILL)."""
    code = "import sys; from polevents.cli import main; sys.exit(main())"
    command = [sys.executable, "-c", code, "serve", *args, "--port", "0"]
    with tempfile.TemporaryDirectory(prefix="polevents-serve-log-") as tmp:
        log = Path(tmp) / "stderr.txt"
        with log.open("wb") as err:
            process = subprocess.Popen(
                command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )  # fmt: skip
        try:
            deadline = time.monotonic() + startup_timeout
            url = None
            while url is None:
                text = log.read_text(encoding="utf-8", errors="replace")
                m = _ADDRESS.search(text)
                if m:
                    url = m.group(1)
                elif process.poll() is not None:
                    raise PoleventsError(f"polevents serve exited with {process.returncode}:\n{text}")
                elif time.monotonic() > deadline:
                    raise PoleventsError(f"polevents serve did not start within {startup_timeout:g} s:\n{text}")
                else:
                    time.sleep(0.05)
            yield RunningServer(url=url, process=process, log=log)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
