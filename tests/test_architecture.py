"""Layering and contract: the domain imports no web code; the shipped contract is the shared one."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, SHARED

DOMAIN = ("knowledge", "instruments", "engine", "tracking", "exercises", "outcomes")
FORBIDDEN = ("django", "ninja", "backpath.web", "backpath.cli", "backpath.interop")


def imported(path: Path) -> list[str]:
    """The modules a source file imports (``import x`` and ``from x import ...``)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def forbidden_imports(package: str, forbidden: tuple[str, ...]) -> list[str]:
    """Every ``import`` in ``backpath.<package>`` of a module starting with ``forbidden``."""
    return [
        f"{path.name}: {name}"
        for path in (ROOT / "src" / "backpath" / package).rglob("*.py")
        for name in imported(path)
        if name.startswith(forbidden)
    ]


def test_domain_modules_import_no_django_or_web_code() -> None:
    assert [o for package in DOMAIN for o in forbidden_imports(package, FORBIDDEN)] == []


def test_loading_the_domain_pulls_in_no_web_framework() -> None:
    code = (
        "import sys, backpath.engine, backpath.instruments, backpath.knowledge;"
        "backpath.knowledge.load_knowledge();"
        "print([m for m in sys.modules if m.split('.')[0] in ('django', 'ninja', 'typer', 'rich')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def additive_changes_only(old: Any, new: Any, path: str = "$") -> list[str]:
    """Where ``new`` is not ``old`` plus additions: a key removed, a value changed, an enum
    value dropped, or a field newly required. New keys and new enum values are additions."""
    if isinstance(old, dict) and isinstance(new, dict):
        problems = [f"{path}.{k}: removed" for k in old if k not in new]
        for key in old.keys() & new.keys():
            if key == "enum":
                problems += [f"{path}.enum: dropped {v!r}" for v in old[key] if v not in new[key]]
            elif key == "required":
                problems += [f"{path}.required: {k} is new" for k in new[key] if k not in old[key]]
            else:
                problems += additive_changes_only(old[key], new[key], f"{path}.{key}")
        return problems
    return [] if old == new else [f"{path}: {old!r} became {new!r}"]


@pytest.mark.parametrize("name", ["intake", "plan"])
def test_the_packaged_contract_only_adds_to_the_shared_contract(name: str) -> None:
    shared = SHARED / "contract" / f"{name}.schema.json"
    if not shared.exists():
        pytest.skip("shared/ is not beside this checkout")
    packaged = ROOT / "src" / "backpath" / "contract" / f"{name}.schema.json"
    old, new = json.loads(Path(shared).read_text()), json.loads(packaged.read_text())
    assert additive_changes_only(old, new) == []


def test_the_additive_check_catches_a_removal_a_new_requirement_and_a_dropped_enum() -> None:
    old = {"required": ["a"], "properties": {"a": {"enum": ["x", "y"]}, "b": {"type": "string"}}}
    assert additive_changes_only(old, old) == []
    grown = {"required": ["a"], "properties": {"a": {"enum": ["x", "y", "z"]}, "b": {"type":
             "string"}, "c": {"type": "integer"}}}  # fmt: skip
    assert additive_changes_only(old, grown) == []
    assert additive_changes_only(old, {**old, "required": ["a", "b"]}) == ["$.required: b is new"]
    assert additive_changes_only(old, {**old, "properties": {"a": {"enum": ["x"]}}}) == [
        "$.properties.b: removed",
        "$.properties.a.enum: dropped 'y'",
    ]


def test_the_interop_services_import_no_web_or_interface_code() -> None:
    assert forbidden_imports("interop", ("django", "ninja", "backpath.web", "backpath.cli")) == []


def test_the_reports_layer_imports_no_django_web_interface_or_interop_code() -> None:
    assert forbidden_imports("reports", FORBIDDEN) == []


LAYERS = {
    "knowledge": 0, "instruments": 1, "tracking": 2, "exercises": 2, "engine": 3, "outcomes": 3,
    "reports": 4,
    "interop": 5, "cli": 6, "web": 6,
}  # fmt: skip
"""The domain's internal order: a package imports only packages of a lower layer (cli and web,
the interfaces, may use each other's services)."""


def upward_imports() -> list[str]:
    offenders = []
    for package, layer in LAYERS.items():
        folder = ROOT / "src" / "backpath" / package
        if not folder.exists():
            continue
        for path in folder.rglob("*.py"):
            for name in imported(path):
                top = name.split(".")[1] if name.startswith("backpath.") else ""
                if top in LAYERS and top != package and LAYERS[top] >= layer < 6:
                    offenders.append(f"{package}/{path.name}: {name}")
    return offenders


def test_each_package_imports_only_lower_layers() -> None:
    assert upward_imports() == []


def cross_imported_test_modules(root: Path) -> list[str]:
    """Every ``test_*.py`` under ``root`` that imports another test module (``tests....test_*``):
    shared builders belong in a builders module or a conftest, not in a test module."""
    return sorted(
        f"{path.relative_to(root)}: {name}"
        for path in root.rglob("test_*.py")
        for name in imported(path)
        if name.startswith("tests.") and name.rsplit(".", 1)[-1].startswith("test_")
    )


def test_no_test_module_imports_another() -> None:
    assert cross_imported_test_modules(ROOT / "tests") == []


def test_the_test_import_check_catches_a_cross_import(tmp_path: Path) -> None:
    (tmp_path / "test_a.py").write_text("from tests.web.test_b import helper\n")
    (tmp_path / "test_b.py").write_text("from tests.web.builders import helper\n")
    assert cross_imported_test_modules(tmp_path) == ["test_a.py: tests.web.test_b"]


def app_imports(web: Path) -> dict[str, set[str]]:
    """Which web apps each web app imports (``backpath.web.<app>``), from its source files."""
    apps = {p.name for p in web.iterdir() if (p / "__init__.py").exists()}
    graph: dict[str, set[str]] = {app: set() for app in apps}
    for app in apps:
        for path in (web / app).rglob("*.py"):
            for name in imported(path):
                parts = name.split(".")
                if parts[:2] == ["backpath", "web"] and len(parts) > 2 and parts[2] in apps:
                    graph[app].add(parts[2])
        graph[app].discard(app)
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every app that can reach itself again, with the path back (depth-first search)."""
    cycles = []
    for start in sorted(graph):
        stack = [(start, [start])]
        seen: set[str] = set()
        while stack:
            node, path = stack.pop()
            for nxt in sorted(graph[node]):
                if nxt == start:
                    cycles.append([*path, start])
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*path, nxt]))
    return cycles


def test_no_web_apps_import_each_other_in_a_circle() -> None:
    assert import_cycles(app_imports(ROOT / "src" / "backpath" / "web")) == []


def test_the_cycle_check_finds_a_circle_of_three(tmp_path: Path) -> None:
    for app, target in (("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")):
        (tmp_path / app).mkdir()
        (tmp_path / app / "__init__.py").write_text("")
        (tmp_path / app / "views.py").write_text(f"from backpath.web.{target} import x\n")
    graph = app_imports(tmp_path)
    assert graph == {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert import_cycles(graph) == [
        ["a", "b", "c", "a"],
        ["b", "c", "a", "b"],
        ["c", "a", "b", "c"],
    ]


def test_the_web_tests_mirror_the_web_apps() -> None:
    """Each folder of tests/web is named for the web app it tests (tests mirror the code)."""
    web = ROOT / "src" / "backpath" / "web"
    folders = {p.name for p in (ROOT / "tests" / "web").iterdir() if (p / "__init__.py").exists()}
    assert folders and folders <= {p.name for p in web.iterdir() if (p / "__init__.py").exists()}
