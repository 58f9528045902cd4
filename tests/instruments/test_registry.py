"""The instruments registry: one entry point, one result shape, every error names its field."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from backpath import instruments
from backpath.errors import InvalidInput
from backpath.instruments import INSTRUMENTS, InstrumentResult

VALID_ANSWERS: dict[str, object] = {
    "nrs": 4,
    "odi": [1, 2, 0, None, 3, 1, 1, 0, 2, 1],
    "peg": [6, 5, 4],
    "red_flags": {"major_trauma": True, "iv_drug_use": False},
    "rmdq": [1, 0] * 12,
    "startback": [1, 0, 1, 0, 1, 1, 0, 0, 3],
}

BAD_ANSWERS: list[tuple[str, object, str]] = [
    ("nrs", 11, "nrs"),
    ("nrs", "5", "nrs"),
    ("odi", [0] * 11, "odi"),
    ("odi", [0, 0, -1, 0, 0, 0, 0, 0, 0, 0], "odi[2]"),
    ("peg", None, "peg"),
    ("peg", [0, 0, 10.5], "peg[2]"),
    ("red_flags", {"fever": True}, "red_flags.fever"),
    ("red_flags", {"fever_or_systemic_illness": "no"}, "red_flags.fever_or_systemic_illness"),
    ("rmdq", [0] * 24 + [0], "rmdq"),
    ("rmdq", [0] * 10 + [False] + [0] * 13, "rmdq[10]"),
    ("startback", [0] * 4 + [2] + [0] * 4, "startback[4]"),
    ("startback", (0,) * 9 + (0,), "startback"),
]


def test_the_registry_lists_every_instrument_in_alphabetical_order() -> None:
    assert list(INSTRUMENTS) == ["nrs", "odi", "peg", "red_flags", "rmdq", "startback"]
    assert all(key == module.ID for key, module in INSTRUMENTS.items())


def test_an_unknown_instrument_is_rejected_listing_the_allowed_ones() -> None:
    with pytest.raises(InvalidInput) as caught:
        instruments.score("x", [])
    assert str(caught.value) == (
        "instrument: unknown instrument 'x'; allowed: nrs, odi, peg, red_flags, rmdq, startback"
    )


@pytest.mark.parametrize("instrument_id", sorted(VALID_ANSWERS))
def test_scoring_through_the_registry_equals_scoring_the_module(instrument_id: str) -> None:
    answers = VALID_ANSWERS[instrument_id]
    result = instruments.score(instrument_id, answers)
    assert result == INSTRUMENTS[instrument_id].score(answers)
    assert isinstance(result, InstrumentResult)
    assert result.instrument == instrument_id


@pytest.mark.parametrize("instrument_id", sorted(VALID_ANSWERS))
def test_every_result_turns_into_plain_json(instrument_id: str) -> None:
    data = instruments.score(instrument_id, VALID_ANSWERS[instrument_id]).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert {"instrument", "scored", "reason"} <= set(data)


@pytest.mark.parametrize("instrument_id", sorted(VALID_ANSWERS))
def test_results_are_frozen(instrument_id: str) -> None:
    result = instruments.score(instrument_id, VALID_ANSWERS[instrument_id])
    with pytest.raises(ValueError, match="frozen"):
        result.scored = False  # type: ignore[misc]  # the point of the test


@pytest.mark.parametrize(("instrument_id", "answers", "field"), BAD_ANSWERS)
def test_every_error_message_names_the_field(
    instrument_id: str, answers: object, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        instruments.score(instrument_id, answers)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    assert "got" in caught.value.message or "allowed" in caught.value.message


def test_the_instruments_package_imports_no_django_or_web_code() -> None:
    code = (
        "import sys, backpath.instruments as i\n"
        "i.score('odi', [0] * 10)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'typer', 'rich')]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
