"""The home program on the clinician's plan page: shown with its pictures, and swapped, added,
re-dosed or removed with a recorded reason, each change a new draft version like any plan edit.
"""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backpath import DISCLAIMER
from backpath.engine.plan_edits import Facts
from backpath.exercises import load_exercises, load_stop_rules
from backpath.web.accounts.models import User
from backpath.web.audit.models import AuditEvent
from backpath.web.patients.models import Episode
from backpath.web.plans.models import PlanChange, PlanVersion
from backpath.web.plans.program_display import eligible
from tests.web.builders import (
    WALK_GOAL,
    give_program,
    home_program,
    latest,
    logged_in,
    pdf_text,
)

PROGRAM = ("walking", "bird_dog", "glute_bridge")


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def post(client: Client, name: str, episode: Episode, *args: str, **data: Any) -> Any:
    fields = {"version": str(latest(episode).number), "reason": "Discussed with the patient."}
    fields |= {k: str(v) for k, v in data.items()}
    return client.post(reverse(f"plans:{name}", args=[episode.pk, *args]), fields)


def program_ids(version: PlanVersion) -> list[str]:
    program = version.home_program
    assert program is not None
    return [e.exercise for e in program.exercises]


@pytest.fixture
def client(clinician: User) -> Client:
    return logged_in(clinician)


@pytest.fixture
def programmed(episode: Episode) -> Episode:
    give_program(episode)
    return episode


def test_the_plan_page_shows_each_exercise_with_its_picture_dose_why_stop_rules_and_sources(
    client: Client, programmed: Episode
) -> None:
    page = text(client.get(reverse("plans:program", args=[programmed.pk])))
    assert "Home program" in page
    rules = load_stop_rules()
    for exercise in PROGRAM:
        ex = load_exercises()[exercise]
        assert ex.name in page and ex.dose.text().capitalize() in page
        assert f"Chosen for you: {ex.summary}" in page
        assert rules[ex.stop_rules[0]].clinician_text.strip() in page
        figure = reverse("plans:exercise_figure", args=[exercise, "animated"])
        still = reverse("plans:exercise_figure", args=[exercise, "frames"])
        assert f'<img src="{figure}"' in page
        assert f'<source media="(prefers-reduced-motion: reduce)" srcset="{still}"' in page
    assert "Starting level" in page
    assert WALK_GOAL in page
    assert "Limits: Sets 1–1; Repetitions 5–10; Hold (seconds) 5–10; Times a day 1–1." in page
    evidence = text(client.get(reverse("plans:evidence", args=[programmed.pk])))
    assert "doi.org/10.1136/bjsports-2019-100886" in evidence  # bird-dog's source is listed
    assert "<svg" not in page  # pictures are linked, not inlined: the page stays light


def test_the_edit_forms_are_on_the_page_only_when_asked_for(
    client: Client, programmed: Episode
) -> None:
    url = reverse("plans:program", args=[programmed.pk])
    page = text(client.get(url))
    assert 'href="?change=bird_dog#exercise-bird_dog">Change Bird-dog</a>' in page
    assert 'href="?change=add#program-add">Add an exercise to the home program</a>' in page
    assert 'name="new"' not in page and 'name="exercise"' not in page
    asked = text(client.get(url + "?change=bird_dog"))
    assert 'id="swap-bird_dog-new"' in asked and 'id="redose-bird_dog-reps"' in asked
    assert 'id="swap-walking-new"' not in asked and 'name="exercise"' not in asked
    assert 'id="program-add-exercise"' in text(client.get(url + "?change=add"))
    junk = client.get(url + "?change=%3Cscript%3E")
    assert junk.status_code == 200 and 'name="new"' not in text(junk)


def test_the_exercise_picture_is_an_svg_file_for_signed_in_users_only(
    client: Client, programmed: Episode
) -> None:
    url = reverse("plans:exercise_figure", args=["bird_dog", "frames"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert response.content.startswith(b"<svg") and b'role="img"' in response.content
    assert (
        client.get(reverse("plans:exercise_figure", args=["no_such", "frames"])).status_code == 404
    )
    assert (
        client.get(reverse("plans:exercise_figure", args=["bird_dog", "huge"])).status_code == 404
    )
    assert Client().get(url).status_code == 302  # to the login page


def test_swapping_an_exercise_makes_a_new_draft_version_with_the_change_recorded(
    client: Client, programmed: Episode
) -> None:
    response = post(client, "program_swap", programmed, "bird_dog", new="dead_bug",
                     reason="Cannot kneel: sore knees.")  # fmt: skip
    assert response.status_code == 302
    assert response["Location"].endswith("/program/#exercise-dead_bug")
    old, new = programmed.plan_versions.order_by("number")
    assert (new.number, new.status) == (2, "draft")
    assert program_ids(new) == ["walking", "dead_bug", "glute_bridge"]
    assert program_ids(old) == list(PROGRAM)  # history is never overwritten
    swapped = new.home_program.find("dead_bug")  # type: ignore[union-attr]
    assert swapped is not None and swapped.dose == load_exercises()["dead_bug"].dose
    change = PlanChange.objects.get(version=new)
    assert (change.action, change.treatment) == ("swap_exercise", "bird_dog")
    assert change.reason == "Cannot kneel: sore knees."
    assert "swapped Bird-dog for Dead bug: Cannot kneel: sore knees." in new.change_summary
    assert AuditEvent.objects.filter(action="create", object_id=str(new.pk)).exists()
    history = text(client.get(reverse("plans:history", args=[programmed.pk])))
    assert "Exercise swapped: Bird-dog" in history


def test_adding_an_exercise_starts_it_at_its_starting_dose(
    client: Client, programmed: Episode
) -> None:
    assert (
        post(client, "program_add", programmed, exercise="side_plank_modified").status_code == 302
    )
    new = latest(programmed)
    assert program_ids(new) == [*PROGRAM, "side_plank_modified"]
    added = new.home_program.find("side_plank_modified")  # type: ignore[union-attr]
    assert added is not None and added.level == 0
    assert added.why == "Chosen by the clinician: Discussed with the patient."
    assert PlanChange.objects.get(version=new).action == "add_exercise"


def test_a_sixth_exercise_is_refused_and_nothing_is_saved(client: Client, episode: Episode) -> None:
    give_program(episode, home_program(("walking", "bird_dog", "glute_bridge",
                                          "dead_bug", "clamshell")))  # fmt: skip
    page = text(client.get(reverse("plans:program", args=[episode.pk])))
    assert "Add an exercise to the home program" not in page
    assert "The program has 5 exercises, the most BackPath prescribes" in page
    response = post(client, "program_add", episode, exercise="side_plank_modified")
    assert response.status_code == 200
    assert "already has 5 exercises" in text(response)
    assert episode.plan_versions.count() == 1


def test_re_dosing_within_the_limits_saves_the_new_dose(
    client: Client, programmed: Episode
) -> None:
    response = post(client, "program_redose", programmed, "bird_dog", sets=1, reps=8,
                    hold_seconds=10, per_day=1, reason="Holds well; longer holds.")  # fmt: skip
    assert response.status_code == 302
    new = latest(programmed)
    dose = new.home_program.find("bird_dog").dose  # type: ignore[union-attr]
    assert (dose.reps, dose.hold_seconds, dose.per_side) == (8, 10, True)
    changed = new.home_program.find("bird_dog")  # type: ignore[union-attr]
    assert changed is not None and changed.changed_on == timezone.localdate()
    change = PlanChange.objects.get(version=new)
    assert change.action == "redose_exercise"
    assert "Bird-dog from hold 5 s, 10 times per side" in new.change_summary
    assert "to hold 10 s, 8 times per side, once a day" in new.change_summary


def test_a_dose_outside_the_limits_is_refused_naming_the_field_and_keeping_what_was_typed(
    client: Client, programmed: Episode
) -> None:
    response = post(client, "program_redose", programmed, "bird_dog", sets=1, reps=30,
                    hold_seconds=10, per_day=1, reason="More.")  # fmt: skip
    page = text(response)
    assert response.status_code == 200
    assert "Repetitions: enter a whole number from 5 to 10." in page
    assert 'name="reps" inputmode="numeric" required min="5" max="10"' in page
    assert 'value="30"' in page and "More.</textarea>" in page
    assert programmed.plan_versions.count() == 1


def test_removing_an_exercise_keeps_the_rest_and_the_last_one_cannot_go(
    client: Client, episode: Episode
) -> None:
    give_program(episode, home_program(("walking", "bird_dog")))
    assert post(client, "program_remove", episode, "bird_dog").status_code == 302
    assert program_ids(latest(episode)) == ["walking"]
    assert PlanChange.objects.get(version=latest(episode)).action == "remove_exercise"
    response = post(client, "program_remove", episode, "walking")
    assert response.status_code == 200
    assert "the only exercise of the home program" in text(response)
    assert episode.plan_versions.count() == 2


def test_the_choices_leave_out_exercises_the_persons_conditions_rule_out(
    client: Client, programmed: Episode
) -> None:
    intake = programmed.intake
    intake.data["conditions"] = [*intake.data.get("conditions", []), "osteoporosis"]
    intake.save()
    url = reverse("plans:program", args=[programmed.pk])
    page = text(client.get(url + "?change=bird_dog")) + text(client.get(url + "?change=add"))
    assert page.count('<option value="dead_bug">') == 2
    for ruled_out in ("child_pose", "mcgill_curl_up", "knee_to_chest"):
        assert f'<option value="{ruled_out}">' not in page
    response = post(client, "program_swap", programmed, "bird_dog", new="mcgill_curl_up")
    assert response.status_code == 200
    assert "Choose one of the exercises listed" in text(response)
    assert programmed.plan_versions.count() == 1


def test_eligible_exercises_fit_the_phase_and_the_programs_treatments() -> None:
    program = home_program(("walking",))
    offered = {ex.id for ex in eligible("acute", program, Facts(frozenset({"pregnancy"})))}
    assert "cat_camel" in offered
    assert "bird_dog" not in offered  # not for acute pain
    assert "prone_on_elbows" not in offered  # ruled out in pregnancy
    assert "tai_chi" not in offered and "walking" not in offered  # other treatment; taken


def test_every_change_needs_a_reason(client: Client, programmed: Episode) -> None:
    response = post(client, "program_remove", programmed, "bird_dog", reason="   ")
    assert response.status_code == 200
    assert "Required. Say in a few words why" in text(response)
    assert programmed.plan_versions.count() == 1


def test_a_change_to_an_older_version_is_refused(client: Client, programmed: Episode) -> None:
    assert post(client, "program_remove", programmed, "bird_dog").status_code == 302
    response = post(client, "program_remove", programmed, "walking", version=1)
    assert response.status_code == 200
    assert "version 2 is now the latest. Nothing was saved" in text(response)
    assert programmed.plan_versions.count() == 2


@pytest.mark.parametrize(
    ("name", "args", "data"),
    [
        ("program_swap", ["not_in_it"], {"new": "dead_bug"}),
        ("program_swap", ["bird_dog"], {"new": "../../etc/passwd"}),
        ("program_redose", ["bird_dog"], {"reps": "ten", "sets": "", "per_day": "-1"}),
        ("program_redose", ["not_in_it"], {"reps": "8"}),
        ("program_remove", ["bird_dog"], {"version": "x"}),
        ("program_add", [], {"exercise": "walking"}),
    ],
)
def test_junk_posts_get_a_message_never_a_server_error(
    client: Client, programmed: Episode, name: str, args: list[str], data: dict[str, str]
) -> None:
    response = post(client, name, programmed, *args, **data)
    assert response.status_code == 200
    assert "Nothing was saved." in text(response)
    assert programmed.plan_versions.count() == 1


def test_a_plan_without_a_program_refuses_program_changes(client: Client, episode: Episode) -> None:
    version = latest(episode)
    version.plan.pop("home_program", None)
    version.save(update_fields=["plan"])
    response = post(client, "program_add", episode, exercise="dead_bug")
    assert "This version of the plan has no home program." in text(response)


def test_other_clinics_and_patients_cannot_change_the_program(
    programmed: Episode, outsider: User
) -> None:
    assert post(logged_in(outsider), "program_remove", programmed, "bird_dog").status_code == 404
    patient_user = programmed.patient.user
    assert patient_user is not None
    assert (
        post(logged_in(patient_user), "program_remove", programmed, "bird_dog").status_code == 403
    )
    assert programmed.plan_versions.count() == 1


def test_an_older_version_shows_the_program_read_only(client: Client, programmed: Episode) -> None:
    post(client, "program_remove", programmed, "bird_dog")
    page = text(client.get(reverse("plans:version", args=[programmed.pk, 1])))
    assert "Bird-dog" in page and "Change Bird-dog" not in page


def test_the_printout_and_pdf_carry_the_program_with_two_frame_pictures(
    client: Client, programmed: Episode
) -> None:
    page = text(client.get(reverse("plans:print", args=[programmed.pk, 1])))
    assert page.count('class="bp-figure"') == len(PROGRAM)
    assert "bird_dog-frames-title" in page and "animate" not in page
    assert "Change Bird-dog" not in page and DISCLAIMER in page
    pdf = client.get(reverse("plans:pdf", args=[programmed.pk, 1]))
    words = pdf_text(pdf.content)
    assert "Home program" in words and "Bird-dog" in words and "Glute bridge" in words
