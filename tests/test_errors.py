"""The error hierarchy: every error crosses a process boundary as itself."""

from __future__ import annotations

import json
import pickle
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from polevents import errors
from polevents.errors import ErrorPayload, PoleventsError, Position, RdfSyntaxError
from support import copy_repo_project

#: One example of every class of the hierarchy (a new class needs one here: see the first test).
EXAMPLES: dict[type[PoleventsError], Callable[[], PoleventsError]] = {
    errors.PoleventsError: lambda: errors.PoleventsError("something went wrong"),
    errors.InputError: lambda: errors.InputError("polevents.toml: base must be an absolute IRI"),
    errors.RdfSyntaxError: lambda: RdfSyntaxError(Position(Path("data/a: b/facts.ttl"), 3, 11), "expected '.'"),
    errors.NonConformingError: lambda: errors.NonConformingError("the data does not conform (2 result(s))"),
    errors.QueryError: lambda: errors.QueryError("query:1:8: unknown prefix 'foo'"),
    errors.QueryTimeoutError: lambda: errors.QueryTimeoutError("query: ran longer than 2 s and was stopped"),
    errors.RemoteError: lambda: errors.RemoteError("http://127.0.0.1:1/sparql: connection refused"),
    errors.WorkerError: lambda: errors.WorkerError("the query worker died (SIGSEGV)"),
    errors.MemoryLimitError: lambda: errors.MemoryLimitError("the query worker needed more than 2048 MiB"),
    errors.NotFoundError: lambda: errors.NotFoundError("The dataset says nothing about <https://ex.org/id/x>."),
    errors.NotAcceptableError: lambda: errors.NotAcceptableError("not acceptable; available as: text/turtle"),
    errors.HeaderTooLargeError: lambda: errors.HeaderTooLargeError("the accept header has 1048576 bytes"),
}


def _hierarchy(root: type[PoleventsError] = PoleventsError) -> set[type[PoleventsError]]:
    found = {root}
    for sub in root.__subclasses__():
        found |= _hierarchy(sub)
    return found


def _through_json(payload: ErrorPayload) -> object:
    return json.loads(json.dumps({"error": payload}))["error"]


def test_every_class_of_the_hierarchy_has_an_example() -> None:
    assert {cls for cls in _hierarchy() if cls.__module__ == errors.__name__} == set(EXAMPLES)


def test_the_tree_in_the_module_docstring_is_the_hierarchy() -> None:
    """errors.py draws the tree with each exit code; a new class or a changed code must be drawn too."""
    drawn = {
        name: int(code)
        for name, code in re.findall(r"^\s*(?:[│ ]*[├└]── )?(\w+Error) \(exit (\d)\)", errors.__doc__ or "", re.M)
    }
    classes = {cls.__name__: cls.exit_code for cls in _hierarchy() if cls.__module__ == errors.__name__}
    assert drawn == classes


@pytest.mark.parametrize("cls", list(EXAMPLES), ids=lambda c: c.__name__)
@pytest.mark.parametrize("carry", [pickle.dumps, _through_json], ids=["pickle", "json"])
def test_round_trip(cls: type[PoleventsError], carry: Callable[[ErrorPayload], object]) -> None:
    original = EXAMPLES[cls]()
    payload = original.to_payload()
    assert payload.kind == cls.__name__ and payload.exit_code == cls.exit_code
    carried = pickle.loads(carry(payload)) if carry is pickle.dumps else carry(payload)  # type: ignore[arg-type]

    again = PoleventsError.from_payload(carried)  # type: ignore[arg-type]
    assert type(again) is cls
    assert str(again) == again.message == str(original)
    assert again.args == (str(original),)
    assert again.exit_code == original.exit_code
    assert again.to_payload() == payload


def test_a_syntax_error_keeps_its_position() -> None:
    for position in (Position(Path("x.ttl"), 3, 11), Position(Path("x.ttl"), 3, None), Position(None, None, None)):
        original = RdfSyntaxError(position, "expected '.'")
        again = PoleventsError.from_payload(_through_json(original.to_payload()))  # type: ignore[arg-type]
        assert isinstance(again, RdfSyntaxError)
        assert again.position == position and again.detail == "expected '.'"


def test_an_unknown_class_becomes_the_base_with_its_exit_code() -> None:
    again = PoleventsError.from_payload(ErrorPayload("ErrorFromANewerVersion", "it broke", 4))
    assert type(again) is PoleventsError
    assert str(again) == "it broke" and again.exit_code == 4


def test_an_exit_code_set_on_the_instance_travels() -> None:
    original = errors.InputError("odd")
    original.exit_code = 5
    again = PoleventsError.from_payload(original.to_payload())
    assert type(again) is errors.InputError and again.exit_code == 5
    assert errors.InputError.exit_code == 2  # the class is untouched


def test_a_lookup_from_a_subclass_stays_under_it() -> None:
    payload = errors.NonConformingError("no").to_payload()
    assert type(errors.InputError.from_payload(payload)) is errors.InputError
    assert (
        type(errors.InputError.from_payload(RdfSyntaxError(Position(None, 1, 1), "x").to_payload())) is RdfSyntaxError
    )


def test_the_forked_validator_raises_the_syntax_error_it_met(tmp_path: Path) -> None:
    """A broken file seen by the validating child arrives in the parent as RdfSyntaxError, position and all."""
    from polevents.build import _BackgroundValidation

    project = copy_repo_project(tmp_path / "project")
    facts = project / "data" / "kazakhstan-reform-2022" / "facts.ttl"
    facts.write_text(facts.read_text(encoding="utf-8") + "\n<id/x> <id/y> .\n", encoding="utf-8")
    background = _BackgroundValidation(project, lambda _m: None, "auto", False)
    with pytest.raises(RdfSyntaxError) as raised:
        background.join("0" * 64)
    assert raised.value.position.path == facts and raised.value.position.line is not None
    assert str(raised.value).startswith(f"{facts}:{raised.value.position.line}:")
    assert raised.value.exit_code == 2
