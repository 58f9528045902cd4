"""``backpath.errors``: one tree that every user-caused error hangs from, drawn in its docstring."""

from __future__ import annotations

import ast
import re

import pytest
from pydantic import BaseModel, ValidationError

from backpath import errors
from backpath.errors import BackPathError, database_error, field_error, field_path
from tests.conftest import ROOT

BUILTIN_BASES = {"Exception", "BaseException", "ValueError", "TypeError", "KeyError",
                 "LookupError", "RuntimeError", "OSError"}  # fmt: skip


def error_classes() -> dict[str, type[BaseException]]:
    return {
        name: value
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, BaseException)
    }


def test_every_error_class_of_the_module_is_under_the_root() -> None:
    for name, cls in error_classes().items():
        assert issubclass(cls, BackPathError), name


def test_the_docstring_tree_names_every_error_class() -> None:
    tree = (errors.__doc__ or "").split("\n\n")[1]
    drawn = re.findall(r"^\s*(?:[│ ]*[├└]── )?(\w+)", tree, re.MULTILINE)
    assert sorted(drawn) == sorted(error_classes())


def test_the_docstring_tree_draws_each_class_under_its_parent() -> None:
    tree = (errors.__doc__ or "").split("\n\n")[1].splitlines()
    depth = {line.strip("│├└─ ").split()[0]: len(re.match(r"\s*[│ ├└─]*", line)[0])  # type: ignore[index]
             for line in tree}  # fmt: skip
    for name, cls in error_classes().items():
        if cls is not BackPathError:
            parent = cls.__mro__[1].__name__
            assert depth[name] > depth[parent], name


def test_no_module_declares_an_exception_outside_the_tree() -> None:
    """A new error class belongs in ``backpath.errors`` (and so in its drawn tree)."""
    offenders = []
    for path in (ROOT / "src" / "backpath").rglob("*.py"):
        if path.name == "errors.py" and path.parent.name == "backpath":
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
                if bases & (BUILTIN_BASES | set(error_classes())):
                    offenders.append(f"{path.relative_to(ROOT)}: {node.name}")
    assert offenders == []


def test_names_stay_importable_from_where_they_were() -> None:
    from backpath.engine.plan_edits import EditRefused
    from backpath.interop.cds_prefetch import FetchError, PrefetchUnavailable

    assert EditRefused is errors.EditRefused
    assert (FetchError, PrefetchUnavailable) == (errors.FetchError, errors.PrefetchUnavailable)


class Answer(BaseModel):
    value: int


class Form(BaseModel):
    answers: list[Answer]


def nested_error() -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        Form.model_validate({"answers": [{"value": 1}, {"value": 2}, {"value": "many"}]})
    return caught.value


def test_a_nested_validation_error_becomes_its_path_and_message() -> None:
    err = field_error(nested_error())
    assert str(err) == (
        "answers[2].value: Input should be a valid integer, unable to parse string as an integer"
    )
    assert (err.kind, err.input) == ("int_parsing", "many")


def test_knowledge_files_name_list_items_with_dots_after_their_prefix() -> None:
    err = field_error(nested_error(), "form", dotted_indexes=True)
    assert err.field == "form.answers.2.value"


def test_pydantic_validator_steps_are_not_part_of_the_path() -> None:
    assert field_path(("pain", "function-after[check(), int]", "nrs_now")) == "pain.nrs_now"
    assert field_path((), "body") == "body"


def test_a_database_error_is_one_line_naming_what_to_do() -> None:
    error = database_error(RuntimeError("no such table: patients_patient\nmore detail"))
    assert str(error).startswith("database: no such table: patients_patient (")
    assert "migrate" in str(error) and "\n" not in str(error)
