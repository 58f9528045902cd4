"""``backpath exercises`` and ``backpath exercise ID``, and the program in ``assess``."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from typer.testing import CliRunner

from backpath import DISCLAIMER
from backpath.cli.main import app
from backpath.exercises import EXERCISE_IDS, load_exercises
from tests.conftest import ROOT

runner = CliRunner()
SVG = "{http://www.w3.org/2000/svg}"


def test_exercises_lists_the_whole_library_as_a_table() -> None:
    result = runner.invoke(app, ["exercises"])
    assert result.exit_code == 0, result.stderr
    assert f"{len(EXERCISE_IDS)} home exercises" in result.stdout
    rows = [line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ")]
    assert rows == list(EXERCISE_IDS)
    assert "does not replace" in result.stdout


def test_exercises_for_one_phase_lists_only_that_phases_exercises() -> None:
    result = runner.invoke(app, ["exercises", "--phase", "acute"])
    assert result.exit_code == 0, result.stderr
    rows = [line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ")]
    expected = [e.id for e in load_exercises().values() if "acute" in e.phases]
    assert rows == expected and "bird_dog" not in rows


def test_exercises_as_json_parses_with_ids_doses_and_the_disclaimer() -> None:
    result = runner.invoke(app, ["exercises", "--phase", "chronic", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    ids = [e["id"] for e in data["exercises"]]
    assert ids == [e.id for e in load_exercises().values() if "chronic" in e.phases]
    bird = next(e for e in data["exercises"] if e["id"] == "bird_dog")
    assert bird["dose"]["hold_seconds"] == 5 and "chronic" in bird["phases"]
    assert data["disclaimer"] == DISCLAIMER


def test_a_bad_phase_exits_2_naming_the_option_and_the_allowed_values() -> None:
    result = runner.invoke(app, ["exercises", "--phase", "later"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip() == (
        "error: --phase: must be one of acute, subacute, chronic (got 'later')"
    )


def test_exercise_shows_the_card() -> None:
    result = runner.invoke(app, ["exercise", "bird_dog"])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith("Bird-dog (bird_dog)")
    for part in ("Starting dose: hold 5 s, 10 times per side", "Start position", "Movement",
                 "Progression (harder)", "Regression (easier)", "Stop rules", "[form_lost]",
                 "Sources:", "does not replace"):  # fmt: skip
        assert part in out, part


def test_exercise_as_json_is_the_library_entry() -> None:
    result = runner.invoke(app, ["exercise", "walking", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["id"] == "walking" and data["goal"]["minutes"] == 30
    assert data["disclaimer"] == DISCLAIMER


def test_exercise_saves_its_picture_as_a_valid_svg(tmp_path: Path) -> None:
    out = tmp_path / "bird.svg"
    result = runner.invoke(app, ["exercise", "bird_dog", "--svg", str(out)])
    assert result.exit_code == 0, result.stderr
    assert f"Picture saved to {out}" in result.stdout
    root = ET.fromstring(out.read_text("utf-8"))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.findtext(f"{SVG}title") == "Bird-dog"
    assert root.find(f".//{SVG}animate") is None  # frames by default, for print


def test_exercise_can_save_the_animated_picture(tmp_path: Path) -> None:
    out = tmp_path / "walk.svg"
    result = runner.invoke(app, ["exercise", "walking", "--svg", str(out), "--picture", "animated"])
    assert result.exit_code == 0, result.stderr
    assert ET.fromstring(out.read_text("utf-8")).find(f".//{SVG}animate") is not None


def test_an_unknown_exercise_exits_2_saying_how_to_list_the_ids() -> None:
    result = runner.invoke(app, ["exercise", "bird_dgo"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.strip() == (
        "error: ID: unknown exercise 'bird_dgo'; did you mean 'bird_dog'? "
        "'backpath exercises' lists the 34 ids"
    )


def test_a_bad_picture_mode_or_unwritable_file_exits_2(tmp_path: Path) -> None:
    bad_mode = runner.invoke(app, ["exercise", "walking", "--svg", "x.svg", "--picture", "gif"])
    assert bad_mode.exit_code == 2 and "--picture: must be one of" in bad_mode.stderr
    missing = tmp_path / "no" / "such" / "dir.svg"
    unwritable = runner.invoke(app, ["exercise", "walking", "--svg", str(missing)])
    assert unwritable.exit_code == 2
    assert unwritable.stderr.startswith(f"error: --svg: cannot write {missing}")


def test_assess_text_shows_the_home_program_briefly() -> None:
    result = runner.invoke(app, ["assess", str(ROOT / "examples" / "chronic_low_back_pain.json")])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Home exercise program" in out
    assert "* Walking programme (walking): 10 minutes, twice a day" in out
    assert "Goal: Build up to walking for at least 30 minutes, 5 days a week" in out
    assert "'backpath exercise ID'" in out


def test_assess_json_carries_the_home_program() -> None:
    path = str(ROOT / "examples" / "chronic_low_back_pain.json")
    result = runner.invoke(app, ["assess", path, "-f", "json"])
    program = json.loads(result.stdout)["home_program"]
    assert 3 <= len(program["exercises"]) <= 5
    assert program["walking_goal"]["per_week"] == 5
