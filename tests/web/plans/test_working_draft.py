"""A clinician's edits collect in one working draft until they save, publish or discard it;
another clinician's edit keeps their changes; a form from before a change saves nothing."""

from __future__ import annotations

import html
from typing import Any

import jsonschema
import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backpath import contract
from backpath.engine import plan_edits as editing
from backpath.engine.plan_edits import EditRefused
from backpath.web.accounts.models import Role, User
from backpath.web.audit.models import AuditEvent
from backpath.web.patients.models import Episode
from backpath.web.plans import versions
from backpath.web.plans.models import PlanChange, PlanVersion, Printout
from tests.web.builders import latest, logged_in, make_user


@pytest.fixture
def client(clinician: User) -> Client:
    return logged_in(clinician)


@pytest.fixture
def colleague(clinician: User) -> User:
    return make_user("colleague", Role.CLINICIAN, clinician.clinic)


def post(client: Client, action: str, episode: Episode, treatment: str = "", **data: Any) -> Any:
    current = latest(episode)
    fields = {"version": str(current.number), "revision": str(current.revision),
              "reason": "Discussed with the patient."}  # fmt: skip
    fields |= {k: str(v) for k, v in data.items()}
    args = [episode.pk, treatment] if treatment else [episode.pk]
    return client.post(reverse(f"plans:{action}", args=args), fields)


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def test_edits_collect_in_one_working_draft_with_a_change_row_each(
    client: Client, episode: Episode
) -> None:
    assert post(client, "accept", episode, "physical_therapy").status_code == 302
    assert post(client, "drop", episode, "yoga", drop_reason="preference").status_code == 302
    assert post(client, "add", episode, "superficial_heat", line=1).status_code == 302
    first, draft = episode.plan_versions.order_by("number")
    assert (draft.number, draft.status, draft.in_progress, draft.revision) == (2, "draft", True, 2)
    assert [c.action for c in draft.changes.all()] == ["accept", "drop", "add"]
    assert "Accepted Physical therapy" in draft.change_summary
    assert "Dropped Yoga" in draft.change_summary and "Added" in draft.change_summary
    assert first.plan == PlanVersion.objects.get(pk=first.pk).plan  # v1 untouched
    assert any(i["treatment"] == "yoga" for i in first.plan["recommended"])
    jsonschema.validate(draft.plan, contract.schema("plan"))
    assert AuditEvent.objects.filter(object_id=str(draft.pk), action="create").count() == 1
    assert AuditEvent.objects.filter(object_id=str(draft.pk), action="update").count() == 2
    page = text(client.get(reverse("plans:plan", args=[episode.pk])))
    assert "v2 · Working draft" in page and "3 changes so far" in page


def test_saving_the_draft_makes_the_next_edit_a_new_version(
    client: Client, episode: Episode
) -> None:
    post(client, "accept", episode, "physical_therapy")
    assert post(client, "save_draft", episode).status_code == 302
    assert latest(episode).in_progress is False
    post(client, "drop", episode, "yoga", drop_reason="not_offered")
    assert [v.number for v in episode.plan_versions.order_by("number")] == [1, 2, 3]
    assert latest(episode).in_progress is True


def test_discarding_the_draft_brings_back_the_version_before(
    client: Client, episode: Episode
) -> None:
    post(client, "drop", episode, "yoga", drop_reason="preference")
    post(client, "drop", episode, "tai_chi", drop_reason="clinical_judgement")
    assert post(client, "discard_draft", episode).status_code == 302
    assert list(episode.plan_versions.values_list("number", flat=True)) == [1]
    assert not PlanChange.objects.exclude(action="publish").exists()
    event = AuditEvent.objects.get(action="delete")
    assert "discarded" in event.detail and "Dropped Yoga" in event.detail


def test_only_its_author_discards_a_draft_and_a_colleague_builds_on_it(
    client: Client, colleague: User, episode: Episode
) -> None:
    post(client, "drop", episode, "yoga", drop_reason="preference")
    other = logged_in(colleague)
    response = post(other, "discard_draft", episode)
    assert response.status_code == 302 and latest(episode).number == 2  # nothing discarded
    assert "Only the clinician who made these changes" in text(other.get(response["Location"]))
    page = text(other.get(reverse("plans:plan", args=[episode.pk])))
    assert "has unsaved changes here; an edit of yours keeps them" in page
    post(other, "accept", episode, "physical_therapy")
    mine, theirs = episode.plan_versions.order_by("number")[1:]
    assert (mine.in_progress, theirs.in_progress, theirs.created_by) == (False, True, colleague)
    assert not any(i["treatment"] == "yoga" for i in theirs.plan["recommended"])  # kept


def test_a_form_from_before_the_last_edit_saves_nothing(client: Client, episode: Episode) -> None:
    post(client, "accept", episode, "physical_therapy")  # v2, revision 0
    post(client, "drop", episode, "yoga", drop_reason="preference")  # v2, revision 1
    response = post(client, "drop", episode, "tai_chi", drop_reason="preference", revision=0)
    assert response.status_code == 200 and "Nothing was saved" in text(response)
    assert "version 2 is now the latest" in text(response)
    assert latest(episode).revision == 1 and latest(episode).changes.count() == 2


def test_publishing_a_working_draft_saves_it(client: Client, episode: Episode) -> None:
    post(client, "accept", episode, "physical_therapy")
    assert post(client, "publish", episode, note="").status_code == 302
    version = latest(episode)
    assert (version.number, version.status, version.in_progress) == (2, "published", False)


def test_a_new_version_from_elsewhere_seals_the_working_draft(
    clinician: User, client: Client, episode: Episode
) -> None:
    post(client, "accept", episode, "physical_therapy")
    draft = latest(episode)
    versions.create_version(episode, draft.plan, summary="A review.", user=clinician)
    draft.refresh_from_db()
    assert draft.in_progress is False and latest(episode).number == 3


def test_a_changed_draft_drops_its_stale_pdfs(client: Client, episode: Episode) -> None:
    post(client, "accept", episode, "physical_therapy")
    draft = latest(episode)
    Printout.objects.create(version=draft, kind="plan", pdf=b"%PDF old")
    post(client, "drop", episode, "yoga", drop_reason="preference")
    assert not Printout.objects.filter(version=draft).exists()


@pytest.mark.parametrize(
    ("reason", "label"),
    [("not_offered", "Not offered at this clinic"), ("clinical_judgement", "Clinical judgement")],
)
def test_the_new_drop_reasons_are_stored_and_grouped(
    client: Client, episode: Episode, reason: str, label: str
) -> None:
    post(client, "drop", episode, "yoga", drop_reason=reason, reason="We have no yoga teacher.")
    dropped = next(i for i in latest(episode).plan["not_recommended"] if i["treatment"] == "yoga")
    assert (dropped["reason"], dropped["why"]) == (reason, "Clinician: We have no yoga teacher.")
    jsonschema.validate(latest(episode).plan, contract.schema("plan"))
    page = text(client.get(reverse("plans:plan", args=[episode.pk]) + "?changed=yoga"))
    group = page.index(f'<details class="left-out-group reason-{reason}"')
    assert page.index(label, group) < page.index('id="item-yoga"', group)


def test_htmx_gets_the_main_region_and_no_reload(client: Client, episode: Episode) -> None:
    hx = {"HTTP_HX_REQUEST": "true"}
    url = reverse("plans:item_edit", args=[episode.pk, "yoga"])
    form = text(client.get(url, **hx)).strip()
    assert form.startswith('<div id="plan-main"') and "<html" not in form
    assert 'name="drop_reason"' in form and form.count('name="drop_reason"') == 1
    current = latest(episode)
    response = client.post(
        reverse("plans:drop", args=[episode.pk, "yoga"]),
        {"version": current.number, "revision": current.revision, "drop_reason": "preference",
         "reason": "Declined."},
        **hx,
    )  # fmt: skip
    body = text(response).strip()
    assert response.status_code == 200 and body.startswith('<div id="plan-main"')
    assert "Dropped Yoga (the patient's preference): Declined." in body
    assert 'role="status"' in body
    invalid = client.post(reverse("plans:accept", args=[episode.pk, "tai_chi"]),
                          {"version": 2, "revision": 0, "reason": " "}, **hx)  # fmt: skip
    assert "Required. Say in a few words why" in text(invalid)
    assert 'id="accept-tai_chi-reason"' in text(invalid)  # the form stays open at its item


def test_without_javascript_the_item_page_and_redirect_work(
    client: Client, episode: Episode
) -> None:
    page = text(client.get(reverse("plans:item_edit", args=[episode.pk, "yoga"])))
    assert "<html" in page and "Back to the plan for" in page and 'name="drop_reason"' in page
    response = post(client, "drop", episode, "yoga", drop_reason="preference")
    assert response["Location"].endswith("?changed=yoga#item-yoga")
    assert client.get(reverse("plans:item_edit", args=[episode.pk, "no_such"])).status_code == 404


def test_the_plan_page_opens_with_a_summary_and_keeps_detail_one_click_away(
    client: Client, episode: Episode
) -> None:
    response = client.get(reverse("plans:plan", args=[episode.pk]))
    page = text(response)
    summary = page[page.index('class="plan-summary"') : page.index('aria-labelledby="recommended"')]
    for words in ("Triage", "Phase", "STarT Back", "Pain", "Line 1: start now",
                  "Needs a decision", "Publish version 1 to the patient"):  # fmt: skip
        assert words in summary, words
    line_one = [i for i in latest(episode).document.recommended if i.line == 1]
    assert all(f'href="#item-{i.treatment}"' in summary for i in line_one if not i.alternative_to)
    assert "Check the precautions for Spinal manipulation and mobilisation (line 2)" in summary
    assert '<details class="plan-item' in page and "<form" not in page.split("recommended")[-1]
    assert '<details class="left-out-group' in page and "open>" not in page.split("left-out")[-1]
    assert "Guideline verdicts" not in page and len(response.content) <= 60_000


def test_another_clinics_staff_gets_the_same_404_on_every_new_route(
    outsider: User, episode: Episode
) -> None:
    other = logged_in(outsider)
    for name, args in (("item_edit", [episode.pk, "yoga"]), ("evidence", [episode.pk]),
                       ("program", [episode.pk]), ("save_draft", [episode.pk]),
                       ("discard_draft", [episode.pk])):  # fmt: skip
        assert other.get(reverse(f"plans:{name}", args=args)).status_code == 404, name


# --- Any sequence of edits by two clinicians ----------------------------------------------

STEPS = st.lists(
    st.tuples(
        st.sampled_from(["accept", "drop", "add", "save", "discard", "publish"]),
        st.sampled_from(["yoga", "tai_chi", "physical_therapy", "superficial_heat", "massage"]),
        st.booleans(),  # which clinician
    ),
    max_size=8,
)


def _apply(episode: Episode, action: str, treatment: str, user: User) -> str | None:
    """Do one step through ``versions``; the text of the edit it stored, or None."""
    current = latest(episode)
    seen, revision = current.number, current.revision
    try:
        if action == "save":
            versions.seal(episode, seen, revision, user)
        elif action == "discard":
            versions.discard(episode, seen, revision, user)
        elif action == "publish":
            versions.publish(episode, seen, "", user, revision=revision)
        else:
            plan = current.document
            if action == "accept":
                edit = editing.accept(plan, treatment, "ok")
            elif action == "drop":
                edit = editing.drop(plan, treatment, "clinical_judgement", "ok")
            else:
                edit = editing.add(plan, treatment, 2, "ok", versions.facts_for(episode))
            versions.save_edit(episode, seen, edit, "ok", user, revision=revision)
            return edit.summary
    except EditRefused:
        return None
    return None


@pytest.mark.slow
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=STEPS)
def test_any_sequence_of_edits_keeps_one_working_draft_and_loses_nothing(
    clinician: User, colleague: User, episode: Episode, steps: list[tuple[str, str, bool]]
) -> None:
    episode.plan_versions.exclude(number=1).delete()
    PlanVersion.objects.filter(episode=episode).update(
        status="draft", published=None, in_progress=False, revision=0
    )
    for action, treatment, second in steps:
        before = latest(episode)
        before_plan = before.plan
        summary = _apply(episode, action, treatment, colleague if second else clinician)
        after = latest(episode)
        numbers = list(episode.plan_versions.order_by("number").values_list("number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1))  # consecutive, none lost
        assert episode.plan_versions.filter(in_progress=True).count() <= 1
        assert episode.plan_versions.filter(status="published").count() <= 1
        jsonschema.validate(after.plan, contract.schema("plan"))
        if summary is not None:  # the edit is in the latest version, on top of what was there
            assert after.in_progress and summary in after.change_summary
            assert after.changes.exclude(action="publish").count() == after.revision + 1
        elif action not in ("discard",):
            assert after.plan == before_plan  # a refused or non-edit step changes no plan
