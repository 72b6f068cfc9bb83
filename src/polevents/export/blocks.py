"""The child process that makes the per-graph blocks of the TriG and compact JSON-LD dumps.

On a cold export of a large dataset, the blocks of the graphs (:class:`polevents.export.assemble.DumpPlan`)
are most of the CPU: this process writes the N-Quads and JSON-LD dumps while a child
(``python -m polevents.process polevents.export.blocks:block_writer``, started by
:func:`polevents.export.assemble.assemble_dumps`) makes the TriG and compact JSON-LD blocks
missing from the chunk cache, each written atomically under its content-addressed name.
The parent then writes those dumps from the cache; a block the child did not make (it failed
or was killed) is made by the parent as before, so the bytes never depend on the child.

The child rebuilds the plan from the chunk cache (the chunks' keys, the prefixes, the base,
the ontology chunk the term context is made from) and refuses to work when its block names
would differ from the parent's (``pkey``/``ckey``).  This module is not imported by
:mod:`polevents.export.assemble` (the child is started by name), so no import cycle.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import PoleventsError

if TYPE_CHECKING:  # pragma: no cover
    from ..process import Handler

__all__ = ["block_writer", "make_blocks"]


def make_blocks(header: dict[str, Any]) -> int:
    """Make the blocks ``header["kinds"]`` (``"trig"``, ``"compact"``) of the chunks ``header["keys"]``
    in the chunk cache ``header["folder"]``; the number of chunks."""
    import tempfile

    from .assemble import DumpPlan
    from .canonical import CanonicalGraph
    from .chunks import ChunkCache
    from .context import term_context

    cache = ChunkCache(Path(header["folder"]))
    chunks = []
    for key in header["keys"]:
        chunk = cache.get(key)
        if chunk is None:
            raise PoleventsError(f"chunk {key} is not in {cache.folder}")
        chunks.append(chunk)
    kinds = list(header["kinds"])
    terms = None
    if "compact" in kinds:
        ontology = cache.get(header["ontology"])
        if ontology is None:
            raise PoleventsError(f"the ontology chunk {header['ontology']} is not in {cache.folder}")
        terms = term_context(CanonicalGraph(ontology.iri, ontology.lines()).triples())
    with tempfile.TemporaryDirectory(prefix="polevents-blocks-") as tmp:
        plan = DumpPlan(
            chunks, cache, dict(header["prefixes"]), Path(tmp), Path(tmp), term_context=terms, base=header["base"]
        )
        if plan.pkey != header["pkey"] or ("compact" in kinds and plan.ckey != header["ckey"]):
            raise PoleventsError("the block child's plan differs from the parent's")
        for chunk in chunks:
            if "trig" in kinds:
                plan.trig_path(chunk)
            if "compact" in kinds:
                plan.compact_path(chunk)
    return len(chunks)


def block_writer(init: dict[str, Any], body: bytes) -> Handler:
    """The factory of a block child: each message is one :func:`make_blocks` job."""
    from ..process import Message

    def make(header: dict[str, Any], body: bytes) -> Message:
        return Message({"chunks": make_blocks(header)})

    return make
