"""Publish stage: push the built dataset into a triplestore over the Graph Store Protocol.

The dataset is read from the build's N-Quads dump (``dist/polevents.nq``), so
only validated data is ever pushed.  Each named graph (one per source, plus the
ontology graph) is sent with one HTTP ``PUT ENDPOINT?graph=IRI`` whose body is
that graph alone (SPARQL 1.1 Graph Store HTTP Protocol, section 5.3): a PUT
replaces the graph, so publishing again is idempotent.  Triples in the default
graph, if any, go to ``ENDPOINT?default``.

Endpoints (see docs/publish.md)::

    Oxigraph server   http://HOST:7878/store
    Apache Jena Fuseki http://HOST:3030/DATASET/data        (server started with --update)
    Virtuoso          http://HOST:8890/sparql-graph-crud-auth (user dba, Digest authentication)
    GraphDB           http://HOST:7200/repositories/ID/rdf-graphs/service

Memory stays bounded whatever the size of the dump: the dump is read as a
stream (the build writes it graph by graph), each graph is serialised into a
spooled temporary file (in memory up to :data:`SPOOL_BYTES`, on disk past it)
and sent from there with its ``Content-Length``; at most ``jobs`` PUTs are in
flight and one more body is being prepared.  A dump whose graphs are not
contiguous is first loaded into a temporary on-disk store.

The first failing PUT stops the scheduling of new ones; the PUTs already in
flight finish.  The :class:`~polevents.errors.RemoteError` then says which
graphs the store now holds in their new version, which ones it still holds in
their previous version (if it had one), and which may hold either (a PUT that
was cut off); ``progress`` hears the full lists.

Bulk loading (``bulk=True``, Oxigraph only) trades the per-graph transaction
for Oxigraph's bulk loader: the graphs are sent as N-Quads in batches of whole
graphs (``POST ENDPOINT?no_transaction``, byte ranges of the dump, no parsing),
each graph of a batch deleted first so that publishing again still replaces it.
The server then writes about as fast as ``oxigraph load``, but a reader may see
a graph half loaded, and a failure leaves the graphs of the batch in flight
absent or partial (they are reported as such).

Every HTTP exchange goes through :mod:`polevents.remote` (one deadline per
request, one error mapping, one server-message rule).
"""

from __future__ import annotations

import functools
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from .dataset import DUMP_NQUADS, dist_folder
from .errors import InputError, RemoteError
from .formats import RdfFormat
from .vocab import PREFIXES

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import Future

    import httpx
    import pyoxigraph

__all__ = [
    "BODY_FORMATS",
    "GraphPush",
    "PublishResult",
    "publish",
]

#: Body formats a Graph Store accepts for one graph (triples only).
BODY_FORMATS = (RdfFormat.TURTLE, RdfFormat.NTRIPLES, RdfFormat.RDFXML)
#: A graph's body stays in memory up to this size, then moves to a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024
#: Bytes read from a body file per write to the socket.
CHUNK_BYTES = 256 * 1024
#: With more graphs than this, progress is reported every :data:`PROGRESS_EVERY_S` seconds, not per graph.
PROGRESS_EACH_UP_TO = 20
PROGRESS_EVERY_S = 2.0
#: Graphs named in the error message per category (``progress`` hears them all).
NAMED_IN_MESSAGE = 5
#: Bytes of N-Quads per request when bulk loading (whole graphs; a larger graph goes alone).
BULK_BYTES = 8 * 1024 * 1024
#: What a server that bulk loads N-Quads sent without a graph says in its ``Server`` header.
BULK_SERVER = "Oxigraph/"


@dataclass(frozen=True)
class GraphPush:
    """One graph sent: its IRI (``None`` for the default graph), size, and the server's status."""

    graph: str | None
    triples: int
    bytes: int
    status: int


@dataclass(frozen=True)
class PublishResult:
    """What :func:`publish` sent (the default graph first, then by IRI), where, and how long it took."""

    endpoint: str
    dump: Path
    graphs: list[GraphPush] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def triples(self) -> int:
        return sum(g.triples for g in self.graphs)

    def summary(self) -> str:
        """One line for stdout: graphs, triples, endpoint."""
        created = sum(1 for g in self.graphs if g.status == 201)
        return (
            f"published {len(self.graphs)} graph(s), {self.triples} triples to {self.endpoint} "
            f"({created} created, {len(self.graphs) - created} replaced) in {self.seconds:.2f}s"
        )


def _label(graph: str | None) -> str:
    return f"<{graph}>" if graph is not None else "the default graph"


def _labels(graphs: list[str | None], limit: int | None = None) -> str:
    shown = [_label(g) for g in (graphs if limit is None else graphs[:limit])]
    more = len(graphs) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


# --------------------------------------------------------------------------- reading the dump


def _graph_name(quad: pyoxigraph.Quad) -> str | None:
    import pyoxigraph as ox

    name = quad.graph_name
    if isinstance(name, ox.DefaultGraph):
        return None
    if isinstance(name, ox.BlankNode):
        raise InputError(f"a graph named by the blank node _:{name.value} cannot be sent to a Graph Store")
    return str(name.value)


def _scan(dump: Path) -> tuple[dict[str | None, int], bool]:
    """Triples per graph in dump order, and whether each graph's quads are contiguous."""
    import pyoxigraph as ox

    sizes: dict[str | None, int] = {}
    contiguous = True
    current: object = object()
    try:
        for quad in ox.parse(path=str(dump), format=ox.RdfFormat.N_QUADS):
            name = _graph_name(quad)
            if name != current:
                if name in sizes:
                    contiguous = False
                current = name
                sizes[name] = sizes.get(name, 0)
            sizes[name] += 1
    except SyntaxError as exc:
        raise InputError(f"{dump}: not valid N-Quads ({exc}); rebuild with `polevents build`") from exc
    return sizes, contiguous


def _runs(dump: Path) -> Iterator[tuple[str | None, Iterator[pyoxigraph.Triple]]]:
    """The dump's graphs as (name, triples) in file order; each run must be consumed before the next."""
    import itertools

    import pyoxigraph as ox

    quads = ox.parse(path=str(dump), format=ox.RdfFormat.N_QUADS)
    for name, run in itertools.groupby(quads, key=_graph_name):
        yield name, (q.triple for q in run)


@contextmanager
def _graphs(
    dump: Path, sizes: Mapping[str | None, int], contiguous: bool
) -> Iterator[Iterator[tuple[str | None, Iterator[pyoxigraph.Triple]]]]:
    """Each graph of the dump with a lazy iterator over its triples, never the whole dump in memory."""
    import pyoxigraph as ox

    if contiguous:
        yield _runs(dump)
        return
    with tempfile.TemporaryDirectory(prefix="polevents-publish-") as folder:
        store = ox.Store(folder)
        store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)

        def graphs() -> Iterator[tuple[str | None, Iterator[pyoxigraph.Triple]]]:
            for name in sizes:
                node = ox.DefaultGraph() if name is None else ox.NamedNode(name)
                yield name, (q.triple for q in store.quads_for_pattern(None, None, None, node))

        yield graphs()


@dataclass(frozen=True)
class _Run:
    """The lines of one graph in a canonical dump: byte range, the graph term as written, triples."""

    graph: str | None
    term: bytes
    start: int
    end: int
    triples: int


#: The graph term that ends a line of canonical N-Quads (an IRI without escapes).
_LAST_IRI = re.compile(rb' (<[^ <>"{}|^`\\]*+>) \.\n')
#: A line with three terms only (``S P O .``): a triple in the default graph.
_THREE_TERMS = re.compile(rb"\n[^ \n]++ [^ \n]++ [^ \n]++ \.\n")


def _line_runs(dump: Path) -> list[_Run] | None:
    """The graphs of a dump in canonical N-Quads form (as the build writes it), found without parsing it.

    Every line must be ``S P O <G> .`` with single spaces and the graph's
    lines contiguous; the file is read in blocks of whole lines and checked
    with regular expressions (no per-line Python).  ``None`` when it is in
    another form (triples in the default graph, tabs, comments, quoted triples,
    escaped or blank-node graph names, graphs in pieces): the caller then parses it.
    """
    runs: list[_Run] = []
    seen: set[bytes] = set()
    current = b""
    start = count = offset = 0
    with dump.open("rb") as f:
        while block := f.read(CHUNK_BYTES * 64):
            if not block.endswith(b"\n"):
                block += f.readline()
                if not block.endswith(b"\n"):
                    return None
            if b"\t" in block or b"<<" in block or b"\r" in block or b"\n#" in block or block.startswith(b"#"):
                return None
            if _THREE_TERMS.search(b"\n" + block):
                return None
            lines = block.count(b"\n")
            previous_end = 0
            for m in _LAST_IRI.finditer(block):
                lines -= 1
                term = m.group(1)
                if term != current:
                    if current:
                        runs.append(_Run(_term_graph(current), current, start, offset + previous_end, count))
                    if term in seen:
                        return None
                    seen.add(term)
                    current, start, count = term, offset + previous_end, 0
                count += 1
                previous_end = m.end()
            if lines:  # some line does not end with a graph IRI
                return None
            offset += len(block)
    if current:
        runs.append(_Run(_term_graph(current), current, start, offset, count))
    return runs


def _term_graph(term: bytes) -> str | None:
    return term[1:-1].decode("utf-8") if term else None


def _text_body(dump: Path, run: _Run) -> _Body:
    """The run's lines as N-Triples (a subset of Turtle): each line loses its graph term, no parsing."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, prefix="polevents-publish-")
    suffix, plain = b" " + run.term + b" .\n", b" .\n"
    with dump.open("rb") as f:
        f.seek(run.start)
        left = run.end - run.start
        while left > 0:
            block = f.read(min(CHUNK_BYTES * 16, left))
            if not block:
                break
            if not block.endswith(b"\n"):
                block += f.readline()  # whole lines only: the graph term ends a line
            left -= len(block)
            spool.write(block.replace(suffix, plain) if run.term else block)
    return _Body(spool, spool.tell())


class _Body:
    """A graph's serialised body in a spooled file; iterable again (an authentication retry resends it)."""

    def __init__(self, file: IO[bytes], size: int) -> None:
        self.file = file
        self.size = size

    def __iter__(self) -> Iterator[bytes]:
        self.file.seek(0)
        while chunk := self.file.read(CHUNK_BYTES):
            yield chunk

    def close(self) -> None:
        self.file.close()


def _body(triples: Iterable[pyoxigraph.Triple], body_format: RdfFormat) -> _Body:
    import pyoxigraph as ox

    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, prefix="polevents-publish-")
    prefixes = dict(PREFIXES) if body_format is RdfFormat.TURTLE else None
    ox.serialize(triples, spool, body_format.oxigraph, prefixes=prefixes)
    return _Body(spool, spool.tell())


@contextmanager
def _text_bodies(dump: Path, runs: list[_Run]) -> Iterator[Iterator[tuple[str | None, Callable[[], _Body]]]]:
    yield ((run.graph, functools.partial(_text_body, dump, run)) for run in runs)


@contextmanager
def _parsed_bodies(
    dump: Path, sizes: Mapping[str | None, int], contiguous: bool, body_format: RdfFormat
) -> Iterator[Iterator[tuple[str | None, Callable[[], _Body]]]]:
    with _graphs(dump, sizes, contiguous) as graphs:
        yield ((graph, functools.partial(_body, triples, body_format)) for graph, triples in graphs)


class _Slice:
    """Bytes ``start:end`` of a file as a request body, read in blocks; iterable again (a retry resends it)."""

    def __init__(self, path: Path, start: int, end: int) -> None:
        self.path, self.start, self.size = path, start, end - start

    def __iter__(self) -> Iterator[bytes]:
        with self.path.open("rb") as f:
            f.seek(self.start)
            left = self.size
            while left > 0 and (block := f.read(min(CHUNK_BYTES, left))):
                left -= len(block)
                yield block


def _batches(runs: list[_Run], limit: int) -> Iterator[list[_Run]]:
    """Consecutive runs grouped into batches of about ``limit`` bytes (whole graphs only)."""
    batch: list[_Run] = []
    size = 0
    for run in runs:
        if batch and size + run.end - run.start > limit:
            yield batch
            batch, size = [], 0
        batch.append(run)
        size += run.end - run.start
    if batch:
        yield batch


# --------------------------------------------------------------------------- sending


@dataclass
class _Outcome:
    """Where each graph stands while publishing (shared by the sending threads; guarded by ``lock``)."""

    pushed: dict[str | None, GraphPush] = field(default_factory=dict)
    #: failed with an answer from the server: the store keeps its previous version
    refused: dict[str | None, RemoteError] = field(default_factory=dict)
    #: failed without an answer (time-out, connection lost): the store may hold either version
    unsure: dict[str | None, RemoteError] = field(default_factory=dict)
    first_error: RemoteError | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


def publish(
    endpoint: str,
    *,
    project_dir: Path = Path("."),
    dist_dir: Path | None = None,
    headers: Mapping[str, str] | None = None,
    user: str | None = None,
    password: str = "",
    digest: bool = False,
    body_format: RdfFormat = RdfFormat.TURTLE,
    graph_param: str = "graph",
    timeout: float = 60.0,
    jobs: int = 2,
    bulk: bool = False,
    batch_bytes: int = BULK_BYTES,
    progress: Callable[[str], None] | None = None,
) -> PublishResult:
    """PUT every graph of the built dataset to the Graph Store at ``endpoint``.

    :param endpoint: the Graph Store URL (``http://host:7878/store`` for Oxigraph).
    :param dist_dir: the build output (default ``project_dir/dist``); its N-Quads dump is sent.
    :param headers: extra headers sent with every request (a token).
    :param user: a user name for HTTP authentication, with ``password``.
    :param digest: HTTP Digest instead of Basic authentication for ``user`` (Virtuoso).
    :param graph_param: the query parameter naming the graph (``graph`` per the standard).
    :param timeout: seconds one PUT may take, everything included.
    :param jobs: how many PUTs are in flight at once (the server usually is the bottleneck).
    :param bulk: send N-Quads batches to an Oxigraph server's bulk loader instead (not
        transactional; ``body_format``, ``graph_param`` and ``jobs`` do not apply).
    :param batch_bytes: about how many bytes of N-Quads one bulk request carries.
    :param progress: told what is happening, one line at a time.
    :raises InputError: no built dataset, or a bad argument.
    :raises RemoteError: the endpoint could not be reached or answered with an error; the message
        says which graphs were replaced and which were not.
    """
    from concurrent.futures import ThreadPoolExecutor

    from . import remote

    say = progress or (lambda _m: None)
    if not endpoint.startswith(("http://", "https://")):
        raise InputError(f"{endpoint!r}: give an http:// or https:// Graph Store URL")
    if body_format not in BODY_FORMATS:
        allowed = ", ".join(f.label for f in BODY_FORMATS)
        raise InputError(f"cannot send graphs as {body_format.label}; use one of: {allowed}")
    if jobs < 1:
        raise InputError(f"jobs must be at least 1, not {jobs}")
    if batch_bytes < 1:
        raise InputError(f"a bulk batch must hold at least one byte, not {batch_bytes}")
    dist = dist_folder(project_dir, dist_dir)
    dump = dist / DUMP_NQUADS
    if not dump.is_file():
        raise InputError(f"{dist}: no built dataset ({DUMP_NQUADS} missing); run `polevents build` first")
    if user is not None and not user:
        raise InputError("the user name for authentication is empty")

    started = time.perf_counter()
    runs = _line_runs(dump) if bulk or body_format in (RdfFormat.TURTLE, RdfFormat.NTRIPLES) else None
    if bulk and runs is None:
        raise InputError(
            f"{dump}: bulk loading sends the build's canonical N-Quads dump as it is, and this file is not "
            "in that form; rebuild it, or publish graph by graph"
        )
    if runs is not None:
        sizes = {run.graph: run.triples for run in runs}
        bodies = _text_bodies(dump, runs)
    else:
        sizes, contiguous = _scan(dump)
        bodies = _parsed_bodies(dump, sizes, contiguous, body_format)
    total, total_triples = len(sizes), sum(sizes.values())
    say(
        f"publishing {total} graph(s), {total_triples} triples from {dump} to {endpoint}"
        + (" with the server's bulk loader" if bulk else f" ({jobs} at a time)" if jobs > 1 and total > 1 else "")
    )
    auth = remote.credentials(user, password, digest=digest) if user is not None else None
    outcome = _Outcome()
    slots = threading.Semaphore(jobs)
    sent_triples = done = 0
    last_report = time.perf_counter()

    def report(push: GraphPush) -> None:
        nonlocal sent_triples, last_report, done
        with outcome.lock:
            sent_triples += push.triples
            done += 1
            now = time.perf_counter()
            if total > PROGRESS_EACH_UP_TO and done < total and now - last_report < PROGRESS_EVERY_S:
                return
            last_report = now
        if total <= PROGRESS_EACH_UP_TO:
            say(f"[{done}/{total}] {_label(push.graph)}: {push.triples} triples, HTTP {push.status}")
        else:
            rate = sent_triples / max(now - started, 1e-9)
            say(
                f"[{done}/{total}] graphs, {sent_triples} of {total_triples} triples "
                f"({100 * sent_triples / max(total_triples, 1):.0f}%, {rate:,.0f} triples/s)"
            )

    def put(client: httpx.Client, graph: str | None, body: _Body) -> None:
        import httpx

        params = {"default": ""} if graph is None else {graph_param: graph}
        doing = f"PUT of {_label(graph)}"
        error: RemoteError | None = None
        try:
            send = functools.partial(
                client.put, endpoint, params=params, content=body, headers={"Content-Length": str(body.size)}
            )
            try:
                try:
                    response = send()
                except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError) as exc:
                    # the connection broke before an answer (a kept-alive connection the server had
                    # just closed, seen with Virtuoso): a PUT is idempotent, so it is sent once more
                    say(f"{doing}: the connection broke before an answer ({exc!r}); sending it once more")
                    response = send()
            except httpx.HTTPError as exc:
                mapped = remote.error_for(exc, endpoint, doing=doing, timeout=timeout)
                error = mapped if isinstance(mapped, RemoteError) else RemoteError(mapped.message)
                never_sent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
                with outcome.lock:
                    (outcome.refused if never_sent else outcome.unsure)[graph] = error
            else:
                if response.status_code >= 300:
                    error = remote.status_error(response, endpoint, doing, _hint(response.status_code))
                    with outcome.lock:
                        outcome.refused[graph] = error
                else:
                    push = GraphPush(graph, sizes[graph], body.size, response.status_code)
                    with outcome.lock:
                        outcome.pushed[graph] = push
                    report(push)
        finally:
            body.close()
            if error is not None:
                with outcome.lock:
                    if outcome.first_error is None:
                        outcome.first_error = error
            slots.release()  # after recording the error: the scheduler checks it once it has a slot

    if bulk and runs is not None:
        with remote.client(timeout=timeout, headers=headers, auth=auth, follow_redirects=False) as client:
            pushed = _bulk(client, endpoint, dump, runs, limit=batch_bytes, timeout=timeout, report=report, say=say)
        return PublishResult(
            endpoint=endpoint,
            dump=dump,
            graphs=sorted(pushed, key=lambda p: (p.graph is not None, p.graph or "")),
            seconds=time.perf_counter() - started,
        )
    client_headers = {"Content-Type": body_format.media_type, **(headers or {})}
    futures: list[Future[None]] = []
    with (
        remote.client(
            timeout=timeout, headers=client_headers, auth=auth, connections=jobs, follow_redirects=False
        ) as client,
        ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="polevents-publish") as pool,
        bodies as graphs,
    ):
        for graph, make_body in graphs:
            if outcome.first_error is not None:
                break
            body = make_body()
            slots.acquire()
            if outcome.first_error is not None:  # a PUT failed while this body was prepared
                slots.release()
                body.close()
                break
            futures.append(pool.submit(put, client, graph, body))
        for future in futures:
            future.result()  # put() records its own errors; this only re-raises a bug
    if outcome.first_error is not None:
        raise _incomplete(outcome, list(sizes), say)
    return PublishResult(
        endpoint=endpoint,
        dump=dump,
        graphs=[outcome.pushed[g] for g in sorted(sizes, key=lambda g: (g is not None, g or ""))],
        seconds=time.perf_counter() - started,
    )


def _bulk(
    client: httpx.Client,
    endpoint: str,
    dump: Path,
    runs: list[_Run],
    *,
    limit: int,
    timeout: float,
    report: Callable[[GraphPush], None],
    say: Callable[[str], None],
) -> list[GraphPush]:
    """Send the dump's graphs in batches to Oxigraph's bulk loader; see the module's docstring."""
    import httpx

    from . import remote

    def exchange(method: str, params: dict[str, str], doing: str, **kwargs: object) -> httpx.Response:
        try:
            return client.request(method, endpoint, params=params, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            mapped = remote.error_for(exc, endpoint, doing=doing, timeout=timeout)
            raise mapped if isinstance(mapped, RemoteError) else RemoteError(mapped.message) from exc

    probe = exchange("HEAD", {"default": ""}, "asking the server what it is")
    software = probe.headers.get("server", "")
    if not software.startswith(BULK_SERVER):
        named = f"answers as {software!r}" if software else "does not name its software"
        raise InputError(
            f"{endpoint} {named}: bulk loading uses the N-Quads loader of an Oxigraph server "
            "(no_transaction); publish graph by graph to other stores"
        )
    if probe.status_code >= 300:
        raise remote.status_error(probe, endpoint, "asking the server what it is", _hint(probe.status_code))
    outcome = _Outcome()
    for batch in _batches(runs, limit):
        created: set[str | None] = set()
        try:
            for run in batch:
                doing = f"DELETE of {_label(run.graph)} before bulk loading it"
                answer = exchange("DELETE", {"graph": run.graph or ""}, doing)
                if answer.status_code == 404:
                    created.add(run.graph)
                elif answer.status_code >= 300:
                    raise remote.status_error(answer, endpoint, doing, _hint(answer.status_code))
            body = _Slice(dump, batch[0].start, batch[-1].end)
            doing = f"bulk load of {len(batch)} graph(s) from {_label(batch[0].graph)} on"
            answer = exchange(
                "POST",
                {"no_transaction": ""},
                doing,
                content=body,
                headers={"Content-Type": RdfFormat.NQUADS.media_type, "Content-Length": str(body.size)},
            )
            if answer.status_code >= 300:
                raise remote.status_error(answer, endpoint, doing, _hint(answer.status_code))
        except RemoteError as error:
            outcome.unsure.update({run.graph: error for run in batch})
            outcome.first_error = error
            raise _incomplete(
                outcome,
                [r.graph for r in runs],
                say,
                unsure=("absent or partly loaded, the bulk load was cut off", "may be absent or partial"),
            ) from None
        for run in batch:
            push = GraphPush(run.graph, run.triples, run.end - run.start, 201 if run.graph in created else 204)
            outcome.pushed[run.graph] = push
            report(push)
    return [outcome.pushed[r.graph] for r in runs]


def _hint(status: int) -> str:
    if status in (401, 403):
        return "the server refused the credentials, or wants some"
    if status in (404, 405):
        return "is this the Graph Store URL? Oxigraph: /store, Fuseki: /DATASET/data"
    return ""


def _incomplete(
    outcome: _Outcome,
    order: list[str | None],
    say: Callable[[str], None],
    unsure: tuple[str, str] = ("either version may be in the store, the PUT was cut off", "may hold either"),
) -> RemoteError:
    """The error for a publication that stopped: what the store now holds, graph by graph.

    ``unsure`` words the graphs whose request was cut off: in the progress list, and in the message.
    """
    assert outcome.first_error is not None
    new = [g for g in order if g in outcome.pushed]
    cut = [g for g in order if g in outcome.unsure]
    old = [g for g in order if g not in outcome.pushed and g not in outcome.unsure]
    if new:
        say(f"new version in the store ({len(new)}): {_labels(new)}")
    if old:
        say(f"previous version (if any) still in the store ({len(old)}): {_labels(old)}")
    if cut:
        say(f"{unsure[0]} ({len(cut)}): {_labels(cut)}")
    parts = [
        f"{len(new)} of {len(order)} graph(s) now hold the new version"
        + (f" ({_labels(new, NAMED_IN_MESSAGE)})" if new else "")
    ]
    if old:
        parts.append(f"{len(old)} still hold the previous one ({_labels(old, NAMED_IN_MESSAGE)})")
    if cut:
        parts.append(f"{len(cut)} {unsure[1]} ({_labels(cut, NAMED_IN_MESSAGE)})")
    error = RemoteError(f"{outcome.first_error.message}; publishing stopped: " + "; ".join(parts))
    error.status = outcome.first_error.status
    return error
