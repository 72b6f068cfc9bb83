"""The union dumps made of content-addressed segments (#14): the bytes of the whole-file writers,
and a change remakes only the segments it falls in."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest

from polevents.export.prefixes import dataset_prefixes
from polevents.export.rdf import convert_file
from polevents.export.union import UnionJob, gzip_member, segments, write_union
from polevents.export.worker import UnionTask
from polevents.formats import RdfFormat

EX = "http://example.org/"


def _lines(n: int, extra: bytes = b"") -> bytes:
    """``n`` subjects with several predicates and objects (``;`` and ``,`` groups), some blank nodes."""
    lines = []
    for i in range(n):
        s = f"<{EX}id/thing/t{i:05d}>".encode() if i % 7 else f"_:b{i:05d}".encode()
        lines.append(s + f' <{EX}p> "v{i} \\"q\\" \\n é"@en .\n'.encode())
        lines.append(s + f" <{EX}q> <{EX}id/thing/t{(i * 31) % n:05d}> .\n".encode())
        lines.append(s + f" <{EX}q> <{EX}id/thing/t{(i * 17) % n:05d}> .\n".encode())
        lines.append(s + b" <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/C> .\n")
    return b"".join(sorted(set(lines + ([extra] if extra else []))))


def _write(folder: Path, data: bytes, cache: Path, *, child: bool = False) -> tuple[Path, int]:
    folder.mkdir()
    nt = folder / "u.nt"
    nt.write_bytes(data)
    prefixes = dataset_prefixes(EX, [f"{EX}id/thing/x"])
    job = UnionJob(nt, cache, prefixes, folder / "u.ttl", folder / "u.nt.gz", folder / "u.ttl.gz")
    if child:  # the child merges the graphs' files itself: here one file, already sorted
        part = folder.parent / f"{folder.name}.part.nt"
        part.write_bytes(data)
        result = UnionTask([part, part], folder.parent, job).start().wait()
    else:
        result = write_union(job)
    assert result.triples == data.count(b"\n")
    return folder, result.made


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_segments_are_cut_at_subjects_and_join_to_the_whole() -> None:
    import io

    data = _lines(6000)
    parts = list(segments(io.BytesIO(data)))
    assert len(parts) > 3
    assert b"".join(p for p, _ in parts) == data
    for before, after in zip(parts, parts[1:], strict=False):
        last_subject = before[0].splitlines()[-1].split(b" ")[0]
        assert after[0].split(b" ")[0] != last_subject


def test_the_union_dumps_equal_the_whole_file_writers(tmp_path: Path) -> None:
    data = _lines(6000)
    out, made = _write(tmp_path / "a", data, tmp_path / "cache")
    assert made > 3
    whole = tmp_path / "whole.ttl"
    convert_file(out / "u.nt", RdfFormat.NTRIPLES, whole, RdfFormat.TURTLE, dataset_prefixes(EX, [f"{EX}id/thing/x"]))
    assert (out / "u.ttl").read_bytes() == whole.read_bytes()
    assert gzip.decompress((out / "u.ttl.gz").read_bytes()) == whole.read_bytes()
    assert gzip.decompress((out / "u.nt.gz").read_bytes()) == data


def test_a_change_remakes_its_segment_only_and_equals_a_cold_write(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _, made = _write(tmp_path / "first", _lines(6000), cache)
    changed = _lines(6000, f'<{EX}id/thing/t03001> <{EX}p> "added" .\n'.encode())
    again, remade = _write(tmp_path / "again", changed, cache)
    assert remade == 1 < made
    cold, _ = _write(tmp_path / "cold", changed, tmp_path / "cold-cache")
    assert _digests(again) == _digests(cold)


def test_the_child_writes_the_same_bytes(tmp_path: Path) -> None:
    data = _lines(3000)
    here, _ = _write(tmp_path / "here", data, tmp_path / "c1")
    there, _ = _write(tmp_path / "there", data, tmp_path / "c2", child=True)
    assert _digests(here) == _digests(there)


@pytest.mark.parametrize("data", [b"", b"x" * 100_000])
def test_a_gzip_member_is_what_gzip_reads_and_is_deterministic(data: bytes) -> None:
    member = gzip_member(data)
    assert gzip.decompress(member) == data
    assert gzip.decompress(member + gzip_member(b"tail")) == data + b"tail"
    assert member == gzip_member(data)
    assert member[4:8] == b"\0\0\0\0"  # mtime 0
