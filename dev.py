#!/usr/bin/env python3
"""Set up and run polevents with nothing but Python 3.11+ (standard library only).

    python3 dev.py run     # venv + install, build the dataset, answer a competency question
    python3 dev.py test    # venv + install (with test extras, Debian chromium if root), run the test suite
    python3 dev.py serve   # venv + install, build, serve the Linked Data site on http://127.0.0.1:8000/
    python3 dev.py lint    # ruff check, ruff format --check and mypy --strict (configured in pyproject.toml)

Extra arguments after `test` go to pytest (e.g. `python3 dev.py test -k query`).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
#: Pinned versions of the test environment, made by
#: `pip-compile --extra test --strip-extras --no-emit-index-url --no-emit-find-links -o requirements-test.lock pyproject.toml`.
LOCK = ROOT / "requirements-test.lock"
#: Debian packages the integration tests use, with the program that shows each is installed:
#: a real browser for the HTML pages, a real Virtuoso 7 for publishing and remote queries.
DEBIAN_PACKAGES = {"chromium": "chromium", "virtuoso-opensource": "virtuoso-t"}


def say(message: str) -> None:
    print(f"dev.py: {message}", file=sys.stderr, flush=True)


def run(*cmd: str | Path, check: bool = True) -> int:
    """Run ``cmd`` in the repository; SIGTERM and SIGINT sent to dev.py are passed on to it (so
    `kill` on `dev.py serve` stops the server too), and dev.py waits for it to end."""
    say(" ".join(str(c) for c in cmd))
    child = subprocess.Popen([str(c) for c in cmd], cwd=ROOT)

    def forward(signum: int, _frame: object) -> None:
        if child.poll() is None:
            child.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        code = child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if check and code != 0:
        raise subprocess.CalledProcessError(code, cmd)
    return code


def ensure_venv(extras: str = "") -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"dev.py: polevents needs Python 3.11 or newer, this is {sys.version.split()[0]}")
    if not (BIN / "python").exists():
        say(f"creating {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed{extras or '-base'}"
    inputs = [ROOT / "pyproject.toml", LOCK]
    if not stamp.exists() or any(stamp.stat().st_mtime < f.stat().st_mtime for f in inputs if f.exists()):
        run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        # The lock pins every package of the test environment (pip-compile --extra test); the
        # same pins apply to the plain install, so `run` and `test` use the same versions.
        constraints = ["-c", str(LOCK)] if LOCK.exists() else []
        run(BIN / "python", "-m", "pip", "install", "--quiet", *constraints, "-e", f".{extras}")
        stamp.touch()


def ensure_debian_packages() -> None:
    """Install the browser and Virtuoso for the integration tests when we may (root with apt); else those tests skip."""
    missing = [p for p, program in DEBIAN_PACKAGES.items() if shutil.which(program) is None]
    if not missing:
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        say(f"not installing {', '.join(missing)} (needs root and apt-get); the tests that need them will skip")
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    say(f"installing Debian packages: {' '.join(missing)}")
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], check=False, env=env)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "run"
    if command == "run":
        ensure_venv()
        run(BIN / "polevents", "build")
        say("Who chaired the ruling party, from when until when? (queries/v1-party-chairs.rq)")
        return run(BIN / "polevents", "query", "--name", "v1-party-chairs", "--format", "table", check=False)
    if command == "serve":
        ensure_venv()
        run(BIN / "polevents", "build")
        return run(BIN / "polevents", "serve", *argv[1:], check=False)
    if command == "lint":
        ensure_venv("[test]")
        status = run(BIN / "ruff", "check", "src", check=False)
        status |= run(BIN / "ruff", "format", "--check", "src", "tests", "benchmarks", "dev.py", check=False)
        status |= run(BIN / "mypy", check=False)
        return status
    if command == "test":
        ensure_venv("[test]")
        ensure_debian_packages()
        return run(BIN / "python", "-m", "pytest", *argv[1:], check=False)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
