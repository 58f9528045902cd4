"""A clinician accepts, drops and adds plan items with a recorded reason, and publishes.

Each change is a new draft version; the safety rules refuse what no clinician edit may do.
"""

from __future__ import annotations

import html
from typing import Any

import jsonschema
import pytest
from django.test import Client
from django.urls import reverse

from backpath import contract
from backpath.engine import plan_edits as editing
from backpath.engine.plan_edits import EditRefused, Facts
from backpath.web.accounts.models import User
from backpath.web.audit.models import AuditEvent
from backpath.web.patients.models import Episode, Patient
from backpath.web.plans.models import PlanChange, PlanVersion
from tests.web.builders import NO_FLAGS_FORM, complete_intake, logged_in


@pytest.fixture
def client(clinician: User) -> Client:
    return logged_in(clinician)


def post(client: Client, action: str, episode: Episode, treatment: str, **data: Any) -> Any:
    fields = {"version": str(latest(episode).number), "reason": "Discussed with the patient."}
    fields |= {k: str(v) for k, v in data.items()}
    return client.post(reverse(f"plans:{action}", args=[episode.pk, treatment]), fields)


def publish(client: Client, episode: Episode, note: str = "") -> Any:
    data = {"version": str(latest(episode).number), "note": note}
    return client.post(reverse("plans:publish", args=[episode.pk]), data)


def latest(episode: Episode) -> PlanVersion:
    return episode.plan_versions.order_by("-number").first()  # type: ignore[return-value]


def item(plan: dict[str, Any], part: str, treatment: str) -> dict[str, Any] | None:
    return next((i for i in plan[part] if i["treatment"] == treatment), None)


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def test_dropping_an_item_makes_a_new_draft_version_with_the_clinicians_reason(
    client: Client, episode: Episode
) -> None:
    response = post(client, "drop", episode, "yoga", drop_reason="preference",
                    reason="Patient declined: no time for classes.")  # fmt: skip
    assert response.status_code == 302
    old, new = episode.plan_versions.order_by("number")
    assert (new.number, new.status, new.created_by) == (2, "draft", old.created_by)
    assert item(new.plan, "recommended", "yoga") is None
    dropped = item(new.plan, "not_recommended", "yoga")
    assert dropped is not None and dropped["reason"] == "preference"
    assert dropped["why"] == "Clinician: Patient declined: no time for classes."
    assert item(old.plan, "recommended", "yoga") is not None  # history is never overwritten
    change = PlanChange.objects.get(version=new)
    assert (change.action, change.treatment) == ("drop", "yoga")
    assert change.reason == "Patient declined: no time for classes."
    assert "Dropped Yoga (the patient's preference)" in new.change_summary
    assert AuditEvent.objects.filter(action="create", object_id=str(new.pk)).exists()


def test_accepting_an_item_records_the_decision_on_a_new_version(
    client: Client, episode: Episode
) -> None:
    assert (
        post(client, "accept", episode, "physical_therapy", reason="Fits her goals.").status_code
        == 302
    )
    new = latest(episode)
    accepted = item(new.plan, "recommended", "physical_therapy")
    assert new.number == 2 and accepted is not None
    assert accepted["clinician"] == {"action": "accept", "reason": "Fits her goals."}
    assert PlanChange.objects.get(version=new).action == "accept"
    assert "Accepted" in text(client.get(reverse("plans:plan", args=[episode.pk])))


def test_adding_an_item_back_puts_it_at_the_chosen_line_with_its_precautions(
    client: Client, episode: Episode
) -> None:
    response = post(client, "add", episode, "massage", line=2,
                    reason="She will pay for it herself.")  # fmt: skip
    assert response.status_code == 302
    new = latest(episode)
    added = item(new.plan, "recommended", "massage")
    assert added is not None and added["line"] == 2
    assert added["why"].startswith("Clinician: She will pay for it herself. BackPath had left it")
    assert any("anticoagulant" in p.lower() for p in added["precautions"])
    assert added["schedule"]["per_week"] <= 2  # the patient's weekly session limit
    assert item(new.plan, "not_recommended", "massage") is None
    assert PlanChange.objects.get(version=new).action == "add"


def test_what_the_patient_asked_to_avoid_is_not_added_back_by_an_edit(
    client: Client, episode: Episode
) -> None:
    response = post(client, "add", episode, "acupuncture", line=2, reason="Accepts needles now.")
    assert response.status_code == 200
    assert "asked to avoid needles" in text(response)
    assert "update the preferences in the intake" in text(response)
    assert episode.plan_versions.count() == 1


def test_a_change_without_a_reason_is_not_saved_and_says_what_is_needed(
    client: Client, episode: Episode
) -> None:
    response = post(client, "drop", episode, "yoga", drop_reason="preference", reason="   ")
    assert response.status_code == 200
    assert "Required. Say in a few words why" in text(response)
    assert episode.plan_versions.count() == 1


def test_a_drop_reason_outside_the_contract_is_refused(client: Client, episode: Episode) -> None:
    response = post(client, "drop", episode, "yoga", drop_reason="red_flag")
    assert response.status_code == 200
    assert "Choose one of the reasons listed." in text(response)
    assert episode.plan_versions.count() == 1


@pytest.mark.parametrize(
    ("treatment", "why"),
    [
        ("nsaids", "it interacts with a medicine or condition this patient has"),
        ("regenerative_cell_therapy", "it is investigational"),
    ],
)
def test_an_item_left_out_for_safety_cannot_be_added_back(
    client: Client, episode: Episode, treatment: str, why: str
) -> None:
    response = post(client, "add", episode, treatment, line=2, reason="Patient insists.")
    assert response.status_code == 200
    assert "Nothing was saved." in text(response) and why in text(response)
    assert episode.plan_versions.count() == 1


def test_a_contraindicated_item_cannot_be_added_back(client: Client, episode: Episode) -> None:
    client.post(reverse("patients:intake", args=[episode.pk, "conditions"]),
                {"conditions": ["osteoporosis"]})  # fmt: skip
    client.post(reverse("patients:intake_review", args=[episode.pk]), {"profile": "consensus"})
    plan = latest(episode).plan
    excluded = item(plan, "not_recommended", "spinal_decompression")
    assert excluded is not None and excluded["reason"] == "contraindicated"
    response = post(client, "add", episode, "spinal_decompression", line=3, reason="Try it.")
    assert response.status_code == 200
    page = text(response)
    assert "cannot be added: it is contraindicated for this patient" in page
    assert episode.plan_versions.count() == 2


def test_an_item_the_clinician_dropped_as_contraindicated_stays_out(
    client: Client, episode: Episode
) -> None:
    post(client, "drop", episode, "spinal_manipulation", drop_reason="contraindicated",
         reason="Osteoporosis found on the scan.")  # fmt: skip
    response = post(client, "add", episode, "spinal_manipulation", line=2, reason="Undo.")
    assert "cannot be added" in text(response)
    assert episode.plan_versions.count() == 2


def test_procedures_come_back_only_at_line_3_and_only_where_indicated(
    client: Client, episode: Episode
) -> None:
    assert editing.allowed_lines(latest(episode).document, "nerve_block") == (3,)
    response = post(client, "add", episode, "nerve_block", line=3, reason="Severe pain.")
    assert response.status_code == 200
    assert "Nothing was saved" in text(response) and "cannot be added" in text(response)
    assert "suspected cause is nonspecific, not facet joint" in text(response)
    assert episode.plan_versions.count() == 1


def test_opioids_are_never_added_as_first_line(client: Client, episode: Episode) -> None:
    response = post(client, "add", episode, "opioids", line=1, reason="Severe pain.")
    assert "Choose line 2 or 3 for this item." in text(response)
    assert episode.plan_versions.count() == 1


def test_an_emergency_plan_cannot_be_edited(client: Client, patient: Patient) -> None:
    episode = patient.episodes.get()
    complete_intake(client, episode, red_flags=NO_FLAGS_FORM | {"saddle_anaesthesia": "yes"})
    for action, treatment in (("accept", "yoga"), ("drop", "yoga"), ("add", "superficial_heat")):
        response = post(client, action, episode, treatment, drop_reason="preference", line=1)
        assert response.status_code == 200
        assert "An emergency plan has no treatment and cannot be edited." in text(response)
    assert episode.plan_versions.count() == 1


def test_an_urgent_referral_plan_takes_no_treatment_beyond_comfort_measures(
    client: Client, patient: Patient
) -> None:
    episode = patient.episodes.get()
    complete_intake(client, episode, red_flags=NO_FLAGS_FORM | {"history_of_cancer": "yes"})
    response = post(client, "add", episode, "physical_therapy", line=1, reason="Mild case.")
    assert "left out because of a red flag" in text(response)
    assert episode.plan_versions.count() == 1


def test_an_edit_based_on_an_older_version_is_not_saved(client: Client, episode: Episode) -> None:
    post(client, "accept", episode, "yoga")
    response = post(client, "drop", episode, "tai_chi", drop_reason="preference", version=1)
    assert "version 2 is now the latest" in text(response)
    assert episode.plan_versions.count() == 2


def test_publishing_makes_the_version_visible_and_records_it(
    client: Client, episode: Episode
) -> None:
    assert publish(client, episode, note="Went through it together.").status_code == 302
    version = latest(episode)
    assert version.status == "published" and version.published is not None
    change = PlanChange.objects.get(version=version)
    assert (change.action, change.reason) == ("publish", "Went through it together.")
    assert AuditEvent.objects.filter(action="update", object_id=str(version.pk)).exists()
    assert "Version 1 is published" in text(client.get(reverse("plans:plan", args=[episode.pk])))


def test_publishing_a_new_version_supersedes_the_published_one(
    client: Client, episode: Episode
) -> None:
    publish(client, episode)
    post(client, "drop", episode, "yoga", drop_reason="preference")
    first, second = episode.plan_versions.order_by("number")
    assert (first.status, second.status) == ("published", "draft")  # the patient keeps v1
    publish(client, episode)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("superseded", "published")
    assert PlanChange.objects.filter(action="publish").count() == 2


def test_publishing_twice_is_refused_with_a_message(client: Client, episode: Episode) -> None:
    publish(client, episode)
    response = publish(client, episode)
    assert "already published" in text(response)
    assert PlanChange.objects.filter(action="publish").count() == 1


def test_every_edited_plan_still_validates_against_the_contract(
    client: Client, episode: Episode
) -> None:
    post(client, "accept", episode, "general_exercise")
    post(client, "drop", episode, "tai_chi", drop_reason="insufficient_evidence")
    post(client, "add", episode, "superficial_heat", line=1)
    post(client, "add", episode, "massage", line=2)
    post(client, "add", episode, "cbt", line=2)
    post(client, "drop", episode, "massage", drop_reason="preference")
    versions = list(episode.plan_versions.all())
    assert len(versions) == 2  # the six edits collect in one working draft
    draft = versions[0]
    assert (draft.number, draft.in_progress, draft.revision) == (2, True, 5)
    assert draft.changes.count() == 6
    for version in versions:
        jsonschema.validate(version.plan, contract.schema("plan"))


def test_the_history_lists_every_version_with_its_recorded_decisions(
    client: Client, episode: Episode
) -> None:
    publish(client, episode)
    post(client, "drop", episode, "yoga", drop_reason="preference", reason="No classes nearby.")
    response = client.get(reverse("plans:history", args=[episode.pk]))
    page = text(response)
    assert response.status_code == 200
    assert "v1" in page and "v2" in page and "Superseded" not in page
    assert "Published to the patient" in page and "Working draft" in page
    assert "Dropped: Yoga" in page and "No classes nearby." in page
    assert "Generated from the intake." in page
    assert AuditEvent.objects.filter(detail="plan history").exists()


def test_an_old_version_is_shown_read_only(client: Client, episode: Episode) -> None:
    post(client, "drop", episode, "yoga", drop_reason="preference")
    response = client.get(reverse("plans:version", args=[episode.pk, 1]))
    page = text(response)
    assert response.status_code == 200
    assert "You are looking at version 1, read-only." in page
    assert "Accept or drop" not in page and "Publish version" not in page
    assert "Yoga" in page
    assert client.get(reverse("plans:version", args=[episode.pk, 9])).status_code == 404


def test_an_item_is_not_added_when_the_person_carries_its_absolute_contraindication(
    episode: Episode,
) -> None:
    plan = latest(episode).document
    left_out = plan.item("spinal_decompression")
    assert left_out is not None and getattr(left_out, "reason", None) == "evidence_against"
    facts = Facts(conditions=frozenset({"osteoporosis"}))
    with pytest.raises(EditRefused, match="it is contraindicated \\(osteoporosis\\)"):
        editing.add(plan, "spinal_decompression", 3, "Patient asks for it.", facts)
    assert editing.add(plan, "spinal_decompression", 3, "Patient asks for it.", Facts()).plan


def test_plan_versions_are_created_in_one_place_only() -> None:
    from tests.conftest import ROOT

    writers = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "src" / "backpath" / "web").rglob("*.py")
        if "PlanVersion.objects.create(" in path.read_text("utf-8")
    ]
    assert writers == ["src/backpath/web/plans/versions.py"]


def test_a_version_built_on_an_older_one_is_refused_as_stale(
    clinician: User, episode: Episode
) -> None:
    from backpath.web.plans import versions

    plan = latest(episode).plan
    versions.create_version(episode, plan, summary="A", user=clinician, seen=1)
    with pytest.raises(versions.StaleVersion) as refused:
        versions.create_version(episode, plan, summary="B", user=clinician, seen=1)
    assert "version 2 is now the latest" in refused.value.message
    assert episode.plan_versions.count() == 2


def test_a_number_clash_the_lock_did_not_prevent_is_stale_not_a_database_error(
    clinician: User, episode: Episode, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backpath.web.plans import versions

    first = latest(episode)
    versions.create_version(episode, first.plan, summary="A", user=clinician)
    monkeypatch.setattr(versions, "latest", lambda _episode: first)  # as if v2 were unseen
    with pytest.raises(versions.StaleVersion):
        versions.create_version(episode, first.plan, summary="B", user=clinician)
    assert episode.plan_versions.count() == 2


def test_the_writer_refuses_a_plan_that_would_not_read_back_and_stores_nothing(
    clinician: User, episode: Episode
) -> None:
    from backpath.errors import InvalidInput
    from backpath.web.plans import versions

    plan = latest(episode).plan
    broken = {**plan, "recommended": [{**plan["recommended"][0], "line": "soon"}]}
    with pytest.raises(InvalidInput) as refused:
        versions.create_version(episode, broken, summary="A", user=clinician)
    assert refused.value.field == "recommended.0.line"
    assert episode.plan_versions.count() == 1
    stored = versions.create_version(episode, plan, summary="A", user=clinician)
    assert stored.document.to_json_dict() == plan == type(stored).objects.get(pk=stored.pk).plan


def test_diary_entries_and_exercise_logs_are_written_in_one_place_only() -> None:
    from tests.conftest import ROOT

    for call in ("DiaryEntry.objects.create(", "ExerciseLog.objects.update_or_create("):
        writers = [
            str(path.relative_to(ROOT))
            for path in (ROOT / "src" / "backpath" / "web").rglob("*.py")
            if call in path.read_text("utf-8")
        ]
        assert writers == ["src/backpath/web/diary/records.py"], call


def test_a_stored_plan_that_cannot_be_read_is_explained_on_its_pages_and_never_edited(
    client: Client, episode: Episode
) -> None:
    version = latest(episode)
    broken = {**version.plan, "recommended": [{**version.plan["recommended"][0], "line": "soon"}]}
    PlanVersion.objects.filter(pk=version.pk).update(plan=broken)  # written outside the writer
    for url in (
        reverse("plans:plan", args=[episode.pk]),
        reverse("plans:version", args=[episode.pk, version.number]),
        reverse("plans:print", args=[episode.pk, version.number]),
        reverse("plans:pdf", args=[episode.pk, version.number]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        page = text(response)
        assert "cannot be shown" in page and "recommended.0.line" in page
    response = post(client, "accept", episode, version.plan["recommended"][0]["treatment"])
    assert response.status_code == 200 and "recommended.0.line" in text(response)
    assert episode.plan_versions.count() == 1
