"""The ids of a patient's record name its rows (``backpath.web.fhir.ids``), for every id
the export gives."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from backpath.engine import assess_and_plan
from backpath.interop.export_inputs import DiaryRecord, EpisodeRecord, PatientInfo, PlanRecord
from backpath.interop.fhir_export import everything_resources
from backpath.web.fhir.ids import RecordId, parse
from tests.conftest import ROOT

keys = st.integers(min_value=1, max_value=10**17)


def test_every_id_of_an_exported_record_names_its_rows() -> None:
    intake = json.loads((ROOT / "examples" / "chronic_low_back_pain.json").read_text("utf-8"))
    plan = assess_and_plan(intake).to_json_dict()
    when = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
    plans = tuple(
        PlanRecord(number=n, status="superseded", created=when, plan=plan) for n in (1, 2)
    )
    episode = EpisodeRecord(id="5", intake=intake, recorded=when, plans=plans)
    diary = [DiaryRecord(date=dt.date(2026, 1, 9), kind="odi", value=30, key="301")]
    patient = PatientInfo(id="12", given="Jane", family="Sample", birth_year=1979)
    found = everything_resources(patient, [episode], diary)
    named = {(r.get_resource_type(), r.id): parse(str(r.id)) for r in found}
    assert named.pop(("Patient", "12")) == RecordId(patient=12)
    assert named.pop(("CarePlan", "12-ep5-careplan-v1")) == RecordId(12, 5, plan_number=1)
    assert named.pop(("CarePlan", "12-ep5-careplan-v2")) == RecordId(12, 5, plan_number=2)
    assert named.pop(("Observation", "12-diary-301-odi")) == RecordId(12, diary=301)
    questionnaires = [key for key in named if key[0] == "Questionnaire"]
    assert questionnaires and all(named.pop(key) is None for key in questionnaires)
    assert named and set(named.values()) == {RecordId(12, 5)}


@given(
    patient=keys,
    episode=keys,
    number=keys,
    part=st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True),
)
def test_ids_round_trip(patient: int, episode: int, number: int, part: str) -> None:
    assume(not part.startswith("careplan-v"))
    assert parse(f"{patient}-ep{episode}-careplan-v{number}") == RecordId(patient, episode, number)
    assert parse(f"{patient}-ep{episode}-{part}") == RecordId(patient, episode)
    assert parse(f"{patient}-diary-{number}-nrs") == RecordId(patient, diary=number)


@pytest.mark.parametrize(
    "text", ["0", "01", "-1", "1-ep0-x", "1-ep1-", "1-diary-1", "1-diary-x-nrs", "1" * 19,
             "1-ep1-a/b", "abc", "1-EP1-x", "١"],
)  # fmt: skip
def test_what_names_no_rows_is_none(text: str) -> None:
    assert parse(text) is None
