"""The README's `backpath assess` examples are real output: every line they show appears in
the command's output, in the same order ("..." marks where the README shortens it)."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from backpath.cli.main import app
from tests.conftest import ROOT

BLOCK = re.compile(r"```text\n\$ backpath assess (\S+)( --format json)?\n(.*?)```", re.S)


def examples() -> list[tuple[str, bool, list[str]]]:
    readme = (ROOT / "README.md").read_text("utf-8")
    return [
        (path, bool(fmt), [line for line in body.splitlines() if line.strip() != "..."])
        for path, fmt, body in BLOCK.findall(readme)
    ]


def test_the_readme_shows_several_assess_examples() -> None:
    assert len(examples()) >= 4


@pytest.mark.parametrize(("path", "as_json", "shown"), examples())
def test_each_readme_example_is_the_commands_real_output(
    path: str, as_json: bool, shown: list[str]
) -> None:
    args = ["assess", str(ROOT / path)] + (["--format", "json"] if as_json else [])
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.stderr
    actual = result.stdout.splitlines()
    at = 0
    for line in shown:
        assert line in actual[at:], f"{path}: not in the output (in order): {line!r}"
        at = actual.index(line, at) + 1
