"""The command line: in-process with Typer's runner, and once as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from backpath import DISCLAIMER, contract
from backpath.cli.main import app
from tests.conftest import ROOT, make_intake

runner = CliRunner()


def write(tmp_path: Path, content: str, name: str = "in.json") -> str:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return str(path)


def test_assess_prints_a_contract_valid_json_plan(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["assess", write(tmp_path, json.dumps(make_intake())), "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    plan = json.loads(result.stdout)
    jsonschema.validate(plan, contract.schema("plan"))
    assert plan["disclaimer"] == DISCLAIMER


def test_assess_text_output_is_readable_and_carries_the_disclaimer(tmp_path: Path) -> None:
    result = runner.invoke(app, ["assess", str(ROOT / "examples" / "chronic_low_back_pain.json")])
    assert result.exit_code == 0, result.stderr
    assert "Line 1: start now" in result.stdout
    assert "Not recommended" in result.stdout
    assert "does not replace" in result.stdout
    assert "\x1b[" not in result.stdout  # plain text when not a terminal


def test_assess_text_lists_alternatives_under_their_option_and_names_the_budget(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, json.dumps(make_intake(preferences={"budget": "low"})))
    result = runner.invoke(app, ["assess", str(path)])
    assert result.exit_code == 0, result.stderr
    assert "  - alternative to spinal_manipulation: Massage therapy (massage)" in result.stdout
    assert "* Massage therapy" not in result.stdout  # listed once, under its option
    assert "Pilates (pilates) - outside the patient's budget" in result.stdout
    assert "Left out to keep within a low budget" in result.stdout


def test_assess_with_the_nice_profile_changes_the_plan(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps(make_intake()))
    nice = json.loads(
        runner.invoke(app, ["assess", path, "-f", "json", "--guideline", "nice"]).stdout
    )
    assert nice["guideline_profile"] == "nice"
    acu = next(n for n in nice["not_recommended"] if n["treatment"] == "acupuncture")
    assert acu["reason"] == "evidence_against"


BAD_INPUTS: list[tuple[str, str | None, str]] = [
    ("not json", "{not json", "not valid JSON"),
    ("empty file", "", "is empty"),
    ("missing file", None, "file not found"),
    ("wrong type", json.dumps(make_intake(pain={"nrs_now": "seven"})), "pain.nrs_now"),
    ("out of range", json.dumps(make_intake(pain={"nrs_now": 11})), "pain.nrs_now"),
    ("unknown tag", json.dumps(make_intake(conditions=["broken_leg"])), "conditions[0]"),
    ("missing field", json.dumps({"patient": {"age": 40}, "pain": {"nrs_now": 3}}), "episode"),
    ("not an object", "[1, 2]", "intake"),
    (
        "short questionnaire",
        json.dumps(make_intake(questionnaires={"odi": [1, 2]})),
        "questionnaires.odi",
    ),
]


@pytest.mark.parametrize(
    ("case", "content", "expected"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS]
)
def test_invalid_input_exits_2_with_one_line_naming_the_problem(
    tmp_path: Path, case: str, content: str | None, expected: str
) -> None:
    path = str(tmp_path / "absent.json") if content is None else write(tmp_path, content)
    result = runner.invoke(app, ["assess", path, "--format", "json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0]
    assert "Traceback" not in result.stderr


def test_an_unknown_format_is_a_one_line_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["assess", write(tmp_path, json.dumps(make_intake())), "-f", "xml"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "--format" in result.stderr and "text, json" in result.stderr


def test_treatments_lists_all_forty_as_json() -> None:
    result = runner.invoke(app, ["treatments", "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [t["id"] for t in data["treatments"]] == list(contract.treatment_ids())
    assert data["disclaimer"] == DISCLAIMER


def test_treatment_card_shows_verdicts_side_by_side_and_seed_claims() -> None:
    result = runner.invoke(app, ["treatment", "acupuncture"])
    assert result.exit_code == 0
    for text in ("ACP 2017", "NICE NG59", "WHO 2023", "BackPath", "source articles claim"):
        assert text in result.stdout


def test_an_unknown_treatment_is_a_one_line_error() -> None:
    result = runner.invoke(app, ["treatment", "leeches"])
    assert result.exit_code == 2 and "unknown treatment 'leeches'" in result.stderr


def test_score_startback_from_a_file(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps([1, 1, 1, 1, 1, 1, 1, 0, 3]))
    result = runner.invoke(app, ["score", "startback", path, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    assert data["total"] == 8 and data["group"] == "high"


def test_score_rejects_an_out_of_range_answer(tmp_path: Path) -> None:
    result = runner.invoke(app, ["score", "odi", write(tmp_path, json.dumps([6] + [0] * 9))])
    assert result.exit_code == 2 and result.stdout == ""
    assert "odi[0]" in result.stderr


def test_sources_lists_every_cited_source() -> None:
    result = runner.invoke(app, ["sources", "--format", "json"])
    data = json.loads(result.stdout)
    assert data["disclaimer"] == DISCLAIMER
    ids = {s["id"] for s in data["sources"]}
    assert {"acp2017", "nice_ng59", "who2023"} <= ids and len(ids) >= 15


def test_the_installed_command_runs_as_a_real_process() -> None:
    exe = Path(sys.executable).parent / "backpath"
    example = ROOT / "examples" / "cauda_equina.json"
    ok = subprocess.run(
        [str(exe), "assess", str(example), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["triage"]["disposition"] == "emergency"
    bad = subprocess.run(
        [str(exe), "assess", str(ROOT / "no-such-file.json")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2 and bad.stdout == ""
    assert len(bad.stderr.strip().splitlines()) == 1


def test_assess_text_names_the_timeframe_contradiction_and_action_of_cancer_with_sciatica() -> None:
    example = ROOT / "examples" / "cancer_with_sciatica.json"
    result = runner.invoke(app, ["assess", str(example)])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[1] == "Triage: emergency (now)"
    assert "  - cancer_with_radicular_pain" in lines
    assert any(line.startswith("  Contradiction: The condition list says active cancer") and
               line.endswith("[nice_ng234, finucane2020]") for line in lines)  # fmt: skip
    assert "within days" not in result.stdout


def test_assess_text_shows_a_concern_and_the_safety_net(tmp_path: Path) -> None:
    data = json.loads((ROOT / "examples" / "chronic_low_back_pain.json").read_text())
    data["red_flags"]["constant_night_pain"] = True
    data["patient"]["age"] = 17
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(data))
    out = runner.invoke(app, ["assess", str(path)]).stdout
    assert "Triage: proceed\n" in out
    assert "Concern (review within 14 days): Constant night pain, with no other red flag." in out
    assert "Concern (review within 28 days): Under 20." in out
    assert "Review in 2 weeks." in out
    data["red_flags"] |= {"constant_night_pain": False, "minor_trauma_with_osteoporosis": True}
    path.write_text(json.dumps(data))
    out = runner.invoke(app, ["assess", str(path)]).stdout
    assert "Triage: urgent referral (within days)" in out
    assert "If it gets worse: Go to an emergency department at once" in out


def test_every_json_output_carries_the_disclaimer_at_the_top(tmp_path: Path) -> None:
    answers = write(tmp_path, json.dumps([1, 1, 1, 1, 1, 1, 1, 0, 3]))
    intake = write(tmp_path, json.dumps(make_intake()), "intake.json")
    for args in (["treatment", "acupuncture"], ["score", "startback", answers],
                 ["treatments"], ["sources"], ["assess", intake]):  # fmt: skip
        result = runner.invoke(app, [*args, "--format", "json"])
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["disclaimer"] == DISCLAIMER, args


def test_no_command_module_imports_main_or_another_command_module() -> None:
    folder = ROOT / "src" / "backpath" / "cli"
    for module in folder.glob("*_commands.py"):
        text = module.read_text("utf-8")
        assert "backpath.cli.main" not in text, module.name
        others = {m.stem for m in folder.glob("*_commands.py")} - {module.stem}
        assert not any(f"backpath.cli.{name}" in text for name in others), module.name


def test_assess_as_json_loads_neither_rich_nor_django() -> None:
    example = ROOT / "examples" / "chronic_low_back_pain.json"
    code = (
        "import sys; from backpath.cli.main import main; "
        f"sys.argv = ['backpath', 'assess', {str(example)!r}, '-f', 'json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('rich', 'django', 'yaml') if m in sys.modules), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "'rich'" not in done.stderr and "'django'" not in done.stderr, done.stderr
