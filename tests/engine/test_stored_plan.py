"""The one reader of a stored plan: what the engine and the clinician's edits store reads back
unchanged; a document that does not fit is refused naming the field."""

from __future__ import annotations

import pytest

from backpath.engine import plan_edits as editing
from backpath.engine.stored_plan import read_stored_plan
from backpath.errors import InvalidInput
from tests.conftest import make_intake
from tests.engine.builders import plan_of


def test_an_engine_plan_reads_back_unchanged_with_its_home_program() -> None:
    plan = plan_of(make_intake())
    stored = read_stored_plan(plan)
    assert stored.to_json_dict() == plan
    assert stored.home_program is not None
    assert [e.exercise for e in stored.home_program.exercises] == [
        e["exercise"] for e in plan["home_program"]["exercises"]
    ]


def test_a_clinicians_decisions_are_typed_on_their_items() -> None:
    made = read_stored_plan(plan_of(make_intake()))
    first, second = (item.treatment for item in made.recommended[:2])
    edited = editing.accept(made, first, "Agreed with the patient.").plan
    edited = editing.drop(edited, second, "preference", "The patient would rather not.").plan
    plan = edited.to_json_dict()
    stored = read_stored_plan(plan)
    accepted, dropped = stored.item(first), stored.item(second)
    assert accepted is not None and accepted.clinician is not None
    assert (accepted.clinician.action, accepted.clinician.reason) == (
        "accept",
        "Agreed with the patient.",
    )
    assert dropped is not None and dropped.clinician is not None
    assert dropped.clinician.action == "drop" and dropped.clinician.was_line is not None
    assert stored.to_json_dict() == plan


def test_an_older_plan_without_newer_optional_fields_stays_without_them() -> None:
    plan = plan_of(make_intake())
    older = {**plan, "triage": {k: plan["triage"][k] for k in ("disposition", "reasons")}}
    older.pop("home_program", None)
    assert read_stored_plan(older).to_json_dict() == older


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda p: p.pop("scores"), "scores"),
        (lambda p: p["recommended"][0].update(line="first"), "recommended.0.line"),
        (
            lambda p: p["home_program"]["exercises"][0].update(dose="twice"),
            "home_program.exercises.0.dose",
        ),
        (lambda p: p["recommended"][0].update(surprise=1), "recommended.0.surprise"),
    ],
)
def test_a_document_that_does_not_fit_is_refused_naming_the_field(change, field) -> None:  # type: ignore[no-untyped-def]
    plan = plan_of(make_intake())
    change(plan)
    with pytest.raises(InvalidInput) as refused:
        read_stored_plan(plan)
    assert refused.value.field == field
