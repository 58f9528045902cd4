"""Reading validated YAML data files: one error naming the file and the field, never a trace.

Shared by the knowledge base and the exercise library, whose files follow the same rules.
"""

from __future__ import annotations

from importlib.abc import Traversable
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from backpath.errors import KnowledgeBaseError, field_error

M = TypeVar("M", bound=BaseModel)
# libyaml's C parser when the wheel has it (it does on common platforms): ~10x faster loading.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(file: Traversable, label: str) -> Any:
    try:
        return yaml.load(file.read_text("utf-8"), Loader=_LOADER)
    except FileNotFoundError:
        raise KnowledgeBaseError(label, "", "file is missing") from None
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(label, "", f"not valid YAML ({exc})") from None


def validate(model: type[M], data: Any, label: str, prefix: str = "") -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = field_error(exc, prefix, dotted_indexes=True)
        raise KnowledgeBaseError(label, err.field, err.message) from None


def listed(data: Any, key: str, label: str) -> list[Any]:
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise KnowledgeBaseError(label, key, f"expected a mapping with a list under '{key}'")
    items: list[Any] = data[key]
    return items


def unique_by_id(items: list[M], label: str, key: str) -> dict[str, M]:
    out: dict[str, M] = {}
    for i, item in enumerate(items):
        ident = getattr(item, "id")  # noqa: B009 - every listed model has an id
        if ident in out:
            raise KnowledgeBaseError(label, f"{key}[{i}].id", f"duplicate id '{ident}'")
        out[ident] = item
    return out
