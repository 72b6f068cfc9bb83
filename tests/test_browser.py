"""What a person sees in a real browser (Debian ``chromium``, headless) on pages of ``polevents serve``.

Skipped when chromium is not installed (``apt-get install chromium``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest

from serve_launch import RunningServer, launched_server
from support import copy_repo_project
from test_serve import FIXTURE, PERSON_PATH, SENTENCE_PATH

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed"),
]


def chromium(*args: str) -> str:
    """Run headless chromium with a throw-away profile; its stdout."""
    with tempfile.TemporaryDirectory(prefix="polevents-chromium-") as profile:
        command = [
            "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", *args,
        ]  # fmt: skip
        done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class Seen(HTMLParser):
    """The text a reader sees, per element kind, and the links with their text."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.text: dict[str, list[str]] = {}
        self.links: list[tuple[str, str, str]] = []  # (href, class, text)
        self._link: list[str] | None = None
        self._link_attrs: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append((tag, dict(attrs)))
        if tag == "a":
            self._link, self._link_attrs = [], dict(attrs)

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break
        if tag == "a" and self._link is not None:
            self.links.append((self._link_attrs.get("href") or "", self._link_attrs.get("class") or "",
                               "".join(self._link).strip()))  # fmt: skip
            self._link = None

    def handle_data(self, data: str) -> None:
        for tag, _ in self.stack:
            self.text.setdefault(tag, []).append(data)
        if self._link is not None:
            self._link.append(data)

    def all(self, tag: str) -> str:
        return " ".join(" ".join(self.text.get(tag, [])).split())


def seen(dom: str) -> Seen:
    parser = Seen()
    parser.feed(dom)
    return parser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    root = tmp_path_factory.mktemp("browser")
    data = root / "fixture.trig"
    data.write_text(FIXTURE, encoding="utf-8")
    with launched_server([str(data), "--no-access-log"], cwd=root) as running:
        yield running


def test_person_page_as_a_reader_sees_it(server: RunningServer) -> None:
    page = seen(chromium("--dump-dom", server.url.rstrip("/") + PERSON_PATH))
    assert page.all("title").startswith("Kassym-Jomart Tokayev")
    assert page.all("h1") == "Kassym-Jomart Tokayev"
    dates = page.all("time")
    assert "26 April 2022" in dates  # xsd:date
    assert "March 2022" in dates  # xsd:gYearMonth
    assert "1999" in dates  # xsd:gYear
    evidence = [(href, text) for href, cls, text in page.links if "sentence" in cls.split()]
    assert (SENTENCE_PATH, "sentence 3") in evidence
    assert any(href == "https://www.wikidata.org/wiki/Q200881" for href, _, _ in page.links)


def test_follow_the_evidence_link(server: RunningServer) -> None:
    page = seen(chromium("--dump-dom", server.url.rstrip("/") + SENTENCE_PATH))
    assert page.all("h1") == "Sentence 3 of “A test article about the reform”"
    facts = {text for href, _, text in page.links if href == "/polevents/id/event/elected-chair"}
    assert facts == {"Tokayev elected chairman of the party"}


def test_query_form_results(server: RunningServer) -> None:
    query = "SELECT ?label WHERE { ?p a pe:Person ; rdfs:label ?label } ORDER BY ?label"
    page = seen(chromium("--dump-dom", f"{server.url}sparql?format=html&query={quote(query)}"))
    assert "Kassym-Jomart Tokayev" in page.all("td")
    assert "2 results" in page.all("p")


def test_screenshot(server: RunningServer, tmp_path: Path) -> None:
    shot = tmp_path / "person.png"
    chromium("--window-size=1280,1600", f"--screenshot={shot}", server.url.rstrip("/") + PERSON_PATH)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one


def test_new_user_flow_on_the_project(tmp_path: Path) -> None:
    """Home page -> a person -> an event about them -> its evidence; a dump; an example query."""
    import httpx

    project = copy_repo_project(tmp_path / "project")  # the build cache is written there, not in the repository
    dist = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-c", "import sys; from polevents.cli import main; sys.exit(main())",
         "build", "--project", str(project), "--out", str(dist)],
        check=False, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    with launched_server(["--project", str(project), "--dist", str(dist), "--no-access-log"], cwd=tmp_path) as running:
        root = running.url.rstrip("/")

        def follow(path: str) -> Seen:
            return seen(chromium("--dump-dom", root + path))

        home = follow("/")
        person = next(href for href, _, _ in home.links if "/id/person/" in href)
        person_page = follow(person)
        assert person_page.all("h1")
        event = next(href for href, _, _ in person_page.links if "/id/event/" in href)
        event_page = follow(event)
        sentence = next(href for href, cls, _ in event_page.links if "sentence" in cls.split())
        assert follow(sentence).all("h1").startswith("Sentence ")
        dump = next(href for href, _, _ in home.links if href.endswith("/polevents.nq.gz"))
        download = httpx.get(root + dump)
        assert download.status_code == 200 and download.headers["content-type"] == "application/gzip"
        query = next(href for href, _, _ in home.links if href.startswith("/sparql?query="))
        assert follow(query).all("td")
