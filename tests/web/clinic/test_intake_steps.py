"""The intake's questionnaires one per sub-step, pregnancy asked once and only when it
applies, and a review that reads as a summary and names contradictions."""

from __future__ import annotations

from typing import Any

from django.test import Client, override_settings
from django.urls import reverse

from backpath.engine import assess, parse_intake
from backpath.web.accounts.models import User
from backpath.web.clinic.views import intake_document
from backpath.web.patients.models import Episode, Intake, Patient
from tests.web.builders import NO_FLAGS, NO_FLAGS_FORM, logged_in

START_BACK = {f"startback_{i}": v for i, v in enumerate("101011013")}
ODI = {f"odi_{i}": "3" for i in range(10)}  # 30 of 50: 60%, severe


def step_url(episode: Episode, step: str) -> str:
    return reverse("patients:intake", args=[episode.pk, step])


def questionnaire_url(episode: Episode, instrument: str) -> str:
    return reverse("patients:intake_questionnaire", args=[episode.pk, instrument])


def stored(episode: Episode) -> dict[str, Any]:
    return dict(Intake.objects.get(episode=episode).data)


# --- one questionnaire per sub-step -------------------------------------------------------------


def test_the_questionnaires_step_opens_its_first_questionnaire_with_progress(
    clinician: User, patient: Patient
) -> None:
    client, episode = logged_in(clinician), patient.episodes.get()
    response = client.get(step_url(episode, "questionnaires"))
    assert response.status_code == 302
    assert response["Location"] == questionnaire_url(episode, "startback")
    page = client.get(questionnaire_url(episode, "startback")).content.decode()
    assert "Questionnaire 1 of 4: STarT Back screening tool" in page
    assert '<progress class="substep-progress" max="4" value="1"' in page
    assert '<li aria-current="step"><a href="' + questionnaire_url(episode, "startback") in page
    assert "odi_0" not in page  # one questionnaire per page
    assert f'href="{step_url(episode, "red_flags")}">Back</a>' in page


def test_saving_one_questionnaire_keeps_the_others_and_moves_on(
    clinician: User, patient: Patient
) -> None:
    client, episode = logged_in(clinician), patient.episodes.get()
    response = client.post(questionnaire_url(episode, "startback"), START_BACK)
    assert response["Location"] == questionnaire_url(episode, "odi")
    response = client.post(questionnaire_url(episode, "odi"), ODI)
    assert response["Location"] == questionnaire_url(episode, "rmdq")
    assert stored(episode)["questionnaires"] == {
        "startback": [1, 0, 1, 0, 1, 1, 0, 1, 3], "odi": [3] * 10}  # fmt: skip
    client.post(questionnaire_url(episode, "rmdq"), {})  # left blank: skipped
    response = client.post(questionnaire_url(episode, "peg"), {})
    assert response["Location"] == step_url(episode, "conditions")
    client.post(questionnaire_url(episode, "odi"), {})  # cleared again: only the ODI goes
    assert stored(episode)["questionnaires"] == {"startback": [1, 0, 1, 0, 1, 1, 0, 1, 3]}
    assert "questionnaires" in Intake.objects.get(episode=episode).completed_steps
    page = client.get(questionnaire_url(episode, "odi")).content.decode()
    assert "Questionnaire 2 of 4: Oswestry Disability Index" in page
    assert 'value="odi"' not in page and "(answered)" in page  # STarT Back shows answered


def test_posting_to_the_step_itself_saves_its_first_questionnaire(
    clinician: User, patient: Patient
) -> None:
    client, episode = logged_in(clinician), patient.episodes.get()
    response = client.post(step_url(episode, "questionnaires"), START_BACK)
    assert response["Location"] == questionnaire_url(episode, "odi")
    assert stored(episode)["questionnaires"]["startback"][8] == 3


def test_a_half_answered_questionnaire_is_shown_again_with_its_errors_and_nothing_saved(
    clinician: User, patient: Patient
) -> None:
    client, episode = logged_in(clinician), patient.episodes.get()
    response = client.post(questionnaire_url(episode, "rmdq"), {"rmdq_0": "1", "rmdq_1": "0"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Answer every item, or leave the whole questionnaire blank." in page
    assert 'href="#id_rmdq_2_error"' in page  # the summary links to the question
    assert 'value="1" class="radio-row" id="id_rmdq_0_1" checked' in page  # nothing lost
    assert "questionnaires" not in stored(episode)


@override_settings(BACKPATH_INSTRUMENTS_OFF=frozenset({"odi"}))
def test_a_questionnaire_not_licensed_here_is_neither_shown_nor_counted(
    clinician: User, patient: Patient
) -> None:
    client, episode = logged_in(clinician), patient.episodes.get()
    assert client.get(questionnaire_url(episode, "odi")).status_code == 404
    page = client.get(questionnaire_url(episode, "rmdq")).content.decode()
    assert "Questionnaire 2 of 3: Roland-Morris" in page and "Oswestry" not in page
    response = client.post(questionnaire_url(episode, "startback"), START_BACK)
    assert response["Location"] == questionnaire_url(episode, "rmdq")


# --- pregnancy: asked once, only when it applies ------------------------------------------------


def person(pregnant: str) -> dict[str, str]:
    return {"pregnant": pregnant, "weight_kg": "70", "height_cm": "170"}


def test_pregnancy_is_asked_in_the_person_step_only_and_written_to_both_places(
    clinician: User, patient: Patient
) -> None:
    client, episode = logged_in(clinician), patient.episodes.get()
    assert "Is the patient pregnant?" in client.get(step_url(episode, "person")).content.decode()
    conditions = client.get(step_url(episode, "conditions")).content.decode()
    assert 'value="pregnancy"' not in conditions and "Pregnancy is asked once" in conditions
    client.post(step_url(episode, "person"), person("yes"))
    client.post(step_url(episode, "conditions"), {"conditions": ["diabetes"]})
    data = stored(episode)
    assert data["patient"]["pregnant"] is True and data["conditions"] == ["diabetes", "pregnancy"]
    client.post(step_url(episode, "person"), person("no"))
    data = stored(episode)
    assert data["patient"]["pregnant"] is False and data["conditions"] == ["diabetes"]


def test_a_pregnant_intake_reaches_the_engine_as_before(clinician: User, patient: Patient) -> None:
    client, episode = logged_in(clinician), patient.episodes.get()
    client.post(step_url(episode, "person"), person("yes"))
    Intake.objects.filter(episode=episode).update(data={
        **stored(episode), "episode": {"duration_weeks": 6}, "pain": {"nrs_now": 5},
        "red_flags": dict(NO_FLAGS)})  # fmt: skip
    episode.refresh_from_db()
    document = intake_document(episode, episode.intake)
    assessment = assess(parse_intake(document))
    assert document["patient"]["pregnant"] is True and "pregnancy" in document["conditions"]
    assert "pregnancy" in assessment.conditions and assessment.triage.contradictions == []


def test_pregnancy_is_not_asked_of_a_man_or_past_55(clinician: User, patient: Patient) -> None:
    client, episode = logged_in(clinician), patient.episodes.get()
    for sex, year in (("male", 1990), ("female", 1960)):
        Patient.objects.filter(pk=patient.pk).update(sex=sex, birth_year=year)
        page = client.get(step_url(episode, "person")).content.decode()
        assert "Is the patient pregnant?" not in page and "Pregnancy is not asked" in page
        assert client.post(step_url(episode, "person"), person("yes")).status_code == 302
        assert "pregnant" not in stored(episode)["patient"]


def test_an_older_intake_with_only_the_condition_ticked_shows_yes_and_can_be_corrected(
    clinician: User, patient: Patient
) -> None:
    client, episode = logged_in(clinician), patient.episodes.get()
    Patient.objects.filter(pk=patient.pk).update(sex="male")
    Intake.objects.filter(episode=episode).update(data={"conditions": ["pregnancy"]})
    page = client.get(step_url(episode, "person")).content.decode()
    assert 'value="yes" class="radio-row" id="id_pregnant_0" checked' in page
    client.post(step_url(episode, "person"), person(""))
    assert stored(episode)["conditions"] == [] and "pregnant" not in stored(episode)["patient"]


# --- the review: a summary in words, contradictions named ---------------------------------------


def test_the_review_reads_as_a_summary_with_scores_and_not_answered(
    clinician: User, patient: Patient
) -> None:
    client, episode = logged_in(clinician), patient.episodes.get()
    client.post(step_url(episode, "person"), person(""))
    client.post(step_url(episode, "pain"), {"nrs_now": "6"})
    client.post(step_url(episode, "red_flags"), NO_FLAGS_FORM)
    client.post(questionnaire_url(episode, "odi"), {**ODI, "odi_0": "", "odi_9": "1"})
    client.post(step_url(episode, "conditions"), {"conditions": ["anticoagulant_therapy"]})
    page = client.get(reverse("patients:intake_review", args=[episode.pk])).content.decode()
    assert "<dt>Pain now</dt><dd>6 out of 10</dd>" in page
    assert '<dt>Average pain over the past week</dt><dd class="not-answered">Not answered' in page
    assert "<dt>Oswestry Disability Index</dt><dd>ODI 55.6% (severe)</dd>" in page
    assert "<dt>Answered yes</dt><dd>None of these</dd>" in page
    assert "Takes an anticoagulant" in page and "anticoagulant_therapy" not in page
    assert "<pre>" not in page and "{&#x27;" not in page  # no data dump
    assert f'href="{step_url(episode, "pain")}">Change pain</a>' in page


def test_the_review_names_each_contradiction_with_a_link_to_fix_it(
    clinician: User, patient: Patient
) -> None:
    client, episode = logged_in(clinician), patient.episodes.get()
    client.post(step_url(episode, "pain"), {"nrs_now": "0", "nrs_week_average": "0"})
    client.post(questionnaire_url(episode, "odi"), ODI)
    client.post(step_url(episode, "red_flags"), NO_FLAGS_FORM)
    client.post(step_url(episode, "conditions"), {"conditions": ["active_cancer"]})
    page = client.get(reverse("patients:intake_review", args=[episode.pk])).content.decode()
    assert "Answers that contradict each other (2)" in page
    assert "Pain is recorded as 0 out of 10, but the Oswestry score is 60% (severe" in page
    assert f'href="{step_url(episode, "pain")}">Correct it in Pain</a>' in page
    assert f'href="{step_url(episode, "red_flags")}">Correct it in Red flags</a>' in page


def test_a_consistent_intake_shows_no_contradictions(clinician: User, patient: Patient) -> None:
    client, episode = logged_in(clinician), patient.episodes.get()
    page = client.get(reverse("patients:intake_review", args=[episode.pk])).content.decode()
    assert "contradict" not in page and "Steps still to complete" in page


def test_another_clinic_cannot_open_a_questionnaire_sub_step(
    outsider: User, patient: Patient
) -> None:
    episode = patient.episodes.get()
    assert logged_in(outsider).get(questionnaire_url(episode, "odi")).status_code == 404
    assert Client().get(questionnaire_url(episode, "odi")).status_code == 302
