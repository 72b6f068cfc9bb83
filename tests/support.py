"""Helpers shared by the test files: run the CLI as a user does, copy projects, start ``oxigraph serve``.

Imported as ``from support import ...`` (pytest puts ``tests/`` on ``sys.path``).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
#: The publishing fixture: a polevents.toml and two tiny sources, ``alpha`` and ``beta``.
PUBLISH_FIXTURE = FIXTURES / "publish"
#: The query fixture: two sources, no shapes; see tests/fixtures/query-project.
QUERY_FIXTURE = FIXTURES / "query-project"
#: A Wikidata-style slice, a small dataset to link against it, its verified links and a gold standard.
WIKIDATA_FIXTURE = FIXTURES / "wikidata"
#: A fictional news article (no real people or places) used by the source and walkthrough tests.
EXAMPLE_ARTICLE = FIXTURES / "example-article.txt"
#: Its sentences as a reader splits them, pinned by hand: (number, start, end, text), offsets in
#: characters of the decoded text.  Abbreviations (Jan., Mr., No., U.S., J. R.) end no sentence; the
#: title, the note under it and the subheading are sentences of their own.
EXAMPLE_SENTENCES: list[tuple[int, int, int, str]] = [
    (1, 0, 30, "Veloria Votes on a New Charter"),
    (
        2,
        31,
        133,
        "A fictional article written for the polevents tests: Veloria, its parties and its people do not exist.",
    ),
    (
        3,
        135,
        278,
        "ARDENVALE — The Civic Harmony Party of Veloria elected Marta J. Oduya as its chair on Jan. "
        "28, 2022, at an extraordinary congress in Ardenvale.",
    ),
    (4, 279, 341, "She replaced Mr. Tomas Vell, who had led the party since 2015."),
    (5, 342, 437, "Addressing the delegates, Oduya said, “The charter belongs to every citizen, not to one party.”"),
    (6, 438, 533, "She then asked the congress to back Amendment No. 5, which would limit presidents to two terms."),
    (7, 534, 571, "Is the party ready for such a change?"),
    (8, 572, 609, "Its younger members seem to think so!"),
    (9, 610, 692, "Vell is believed to be the real owner of the Northgate Trading Co. in the capital."),
    (10, 693, 788, "An audit by the State Revenue Office found that the company owed $1.3 million in unpaid duties."),
    (11, 789, 844, "Some newspapers spelled the new chair's name “Oduja”..."),
    (12, 845, 883, "The party corrected them the next day."),
    (13, 884, 952, "In early May 2022, the National Assembly accepted the draft charter."),
    (
        14,
        953,
        1056,
        "A visiting delegation from the U.S. Congress welcomed the decision, said its spokesman, J. R. Calloway.",
    ),
    (15, 1057, 1112, "The referendum on the charter was held on May 29, 2022."),
    (
        16,
        1113,
        1227,
        "Of 2,000,000 eligible voters, 1,228,000 cast a ballot, a turnout of 61.4%, and 77.5% of "
        "them approved the charter.",
    ),
    (17, 1228, 1243, "What comes next"),
    (18, 1244, 1323, "Oduya has said she will step down as party chair once the charter takes effect."),
]


# ---------------------------------------------------------------- the command line


@dataclass(frozen=True)
class Run:
    """What one ``polevents`` run showed: exit code, stdout (bytes, and as text), stderr."""

    code: int
    data: bytes
    err: str

    @property
    def out(self) -> str:
        """stdout decoded as UTF-8."""
        return self.data.decode("utf-8")


def run(*args: str | Path, input: str | None = None) -> Run:
    """Run ``polevents ARGS`` through the real entry point (errors mapped to exit codes there).

    stdout and stderr are kept apart; ``input`` is what the command reads on stdin.
    """
    from click.testing import CliRunner

    from polevents.cli import main

    with CliRunner().isolation(input=input) as (out, err, _mixed):
        try:
            returned = main([str(a) for a in args])  # the console script does sys.exit(main())
            code = returned if isinstance(returned, int) else 0  # `ctx.exit(1)` comes back as 1
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return Run(code, out.getvalue(), err.getvalue().decode("utf-8"))


# ---------------------------------------------------------------- projects


def copy_repo_project(dest: Path, *, data: bool = True) -> Path:
    """A copy of the repository's project: polevents.toml, ontology, shapes, queries, and data/.

    With ``data=False`` the copy gets an empty ``data/`` instead of the repository's sources.
    """
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "polevents.toml", dest / "polevents.toml")
    for folder in ("ontology", "shapes", "queries"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, dest / folder)
    if data:
        shutil.copytree(REPO / "data", dest / "data")
    else:
        (dest / "data").mkdir()
    return dest


def make_publish_project(root: Path, toml: str | None = None) -> Path:
    """The publishing fixture project: the repository's ontology and shapes, sources alpha and beta.

    ``toml`` replaces the fixture's polevents.toml when given.
    """
    root.mkdir(parents=True, exist_ok=True)
    config = toml if toml is not None else (PUBLISH_FIXTURE / "polevents.toml").read_text(encoding="utf-8")
    (root / "polevents.toml").write_text(config, encoding="utf-8")
    shutil.copytree(REPO / "ontology", root / "ontology")
    shutil.copytree(REPO / "shapes", root / "shapes")
    for name in ("alpha", "beta"):
        shutil.copytree(PUBLISH_FIXTURE / name, root / "data" / name)
    return root


def make_query_project(root: Path, *, built: bool = True) -> Path:
    """A copy of the query fixture project; ``built`` writes dist/polevents.nq from its sources."""
    import pyoxigraph as ox

    from polevents.dataset import DUMP_NQUADS
    from polevents.load import load_project

    shutil.copytree(QUERY_FIXTURE, root)
    if built:
        (root / "dist").mkdir()
        quads = sorted(load_project(root).quads(), key=str)
        ox.serialize(quads, str(root / "dist" / DUMP_NQUADS), ox.RdfFormat.N_QUADS)
    return root


def make_wikidata_project(root: Path, *, links: bool, ontology: Path | None = None) -> Path:
    """A project with the repository's ontology (or ``ontology``) and the Wikidata fixture's dataset.

    ``links`` adds the fixture's verified links (data/sample/links.ttl).
    """
    (root / "ontology").mkdir(parents=True)
    shutil.copy(ontology or REPO / "ontology" / "polevents.ttl", root / "ontology" / "polevents.ttl")
    data = root / "data" / "sample"
    data.mkdir(parents=True)
    shutil.copy(WIKIDATA_FIXTURE / "dataset.ttl", data / "dataset.ttl")
    if links:
        shutil.copy(WIKIDATA_FIXTURE / "links.ttl", data / "links.ttl")
    return root


# ---------------------------------------------------------------- a real oxigraph server


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def refused_port() -> Iterator[int]:
    """A loopback port where every connection is refused for as long as the block runs.

    The port stays bound to a socket that never listens, so no other process can
    take it meanwhile (a port from :func:`free_port` could be bound by anyone).
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield int(s.getsockname()[1])


def oxigraph_binary() -> Path:
    """The ``oxigraph`` CLI beside this Python, else on PATH; skips the test when it is not installed."""
    beside = Path(sys.executable).with_name("oxigraph")
    if beside.is_file():
        return beside
    found = shutil.which("oxigraph")
    if found is None:
        pytest.skip("the oxigraph CLI (pip package 'oxigraph') is not installed")
    return Path(found)


def oxigraph_load(location: Path, *files: Path) -> None:
    """``oxigraph load`` the files into the store at ``location``."""
    subprocess.run(
        [str(oxigraph_binary()), "load", "--location", str(location), "--file", *map(str, files)],
        check=True,
        capture_output=True,
    )


@contextmanager
def oxigraph_serve(location: Path, *options: str) -> Iterator[str]:
    """``oxigraph serve`` the store at ``location`` on a free loopback port; yields its base URL.

    Returns once ``ASK {}`` is answered; the test fails with the server's log if it never is.
    The server is stopped (and killed if it will not stop) on the way out.
    """
    import httpx

    port = free_port()
    log_path = location.parent / f"{location.name}-serve.log"
    url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(oxigraph_binary()), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", *options],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{url}/query", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"oxigraph serve did not start: {log_path.read_text(errors='replace')}")
                time.sleep(0.1)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
