"""Patient-reported red flags reach a person: advice at once, an alert the clinic sees and
acknowledges, and an email to the responsible clinician (pages and API alike)."""

from __future__ import annotations

import datetime as dt
import html
import json
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backpath.exercises import load_exercises, load_stop_rules, stop_rules_for
from backpath.exercises.advice import advice_for, load_advice_data, warning_sign_rules
from backpath.web.accounts.models import Role, User
from backpath.web.alerts.models import Alert
from backpath.web.alerts.notify import NO_ADDRESS, responsible_clinicians
from backpath.web.audit.models import AuditEvent
from backpath.web.diary.models import DiaryEntry
from backpath.web.patients.models import Episode, Patient
from backpath.web.plans.models import PlanChange
from tests.web.builders import (
    BROKEN_MAIL,
    give_program,
    log_exercise,
    logged_in,
    make_user,
    tap,
    with_program,
)

CAUDA_EQUINA = "red_flag_symptoms"
EMERGENCY_TEXT = "Go to an emergency department now"


def words(response: Any) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


@pytest.fixture
def clinician_with_email(clinician: User) -> User:
    clinician.email = "maya@clinic.example"
    clinician.save()
    return clinician


@pytest.fixture
def me(patient: Patient, clinician_with_email: User) -> Client:
    """The patient, signed in, with a published home program (bird-dog, glute bridge, ...)."""
    with_program(patient.episodes.get())
    return logged_in(patient.user)


def report_stop_rule(client: Client, rule: str, exercise: str = "bird_dog") -> Any:
    return tap(client, exercise, "too_painful", stop_rule=rule, question="on")


def post_json(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def side_effect(client: Client, serious: bool, signs: tuple[str, ...] = ()) -> Any:
    data = {
        "adverse_event-on": timezone.localdate().isoformat(),
        "adverse_event-description": "Sore and numb after the session",
        "adverse_event-serious": "yes" if serious else "no",
        "adverse_event-warning_signs": list(signs),
    }
    return client.post(reverse("care:diary") + "?add=adverse_event", data, follow=True)


# --- the exercise log on the today page --------------------------------------------------------


def test_cauda_equina_signs_in_the_exercise_log_say_go_to_the_emergency_department_now(
    me: Client, patient: Patient
) -> None:
    response = report_stop_rule(me, CAUDA_EQUINA)
    page = words(me.get(response["Location"]))
    assert EMERGENCY_TEXT in page
    assert "Your clinic has been told" in page
    alert = Alert.objects.get()
    assert (alert.patient, alert.origin, alert.urgency) == (patient, "exercise_log", "emergency")
    assert alert.advice.startswith(EMERGENCY_TEXT)


def test_the_responsible_clinician_is_emailed_without_the_patients_name(
    me: Client, patient: Patient
) -> None:
    report_stop_rule(me, CAUDA_EQUINA)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["maya@clinic.example"]
    assert "Emergency" in email.subject
    assert f"/patients/{patient.pk}/" in email.body
    assert patient.family_name not in email.subject + email.body
    assert Alert.objects.get().emailed_to == "maya@clinic.example"


@pytest.mark.parametrize(
    ("rule", "urgency"),
    [("nerve_signs_worsening", "urgent"), ("not_improving", "contact_clinic")],
)
def test_urgent_and_contact_the_clinic_answers_raise_alerts_of_their_urgency(
    me: Client, rule: str, urgency: str
) -> None:
    page = words(me.get(report_stop_rule(me, rule)["Location"]))
    assert " ".join(load_stop_rules()[rule].advice.split()) in page
    assert Alert.objects.get().urgency == urgency
    assert len(mail.outbox) == 1


def test_an_ordinary_stop_rule_raises_no_alert_and_sends_no_email(me: Client) -> None:
    report_stop_rule(me, "pain_worse")
    assert Alert.objects.count() == 0
    assert mail.outbox == []


def test_saving_the_same_report_again_raises_one_alert(me: Client) -> None:
    report_stop_rule(me, CAUDA_EQUINA)
    report_stop_rule(me, CAUDA_EQUINA)
    assert Alert.objects.count() == 1
    assert len(mail.outbox) == 1


def test_every_general_stop_rule_can_be_reported_for_every_exercise(me: Client) -> None:
    tap(me, "bird_dog", "too_painful")
    page = words(me.get(reverse("care:today"), {"ask": "bird_dog"}))
    for rule in stop_rules_for(load_exercises()["bird_dog"].stop_rules):
        assert " ".join(rule.patient_text.split()) in page


# --- diary side effects ------------------------------------------------------------------------


def test_a_serious_side_effect_is_same_day_advice_and_an_urgent_alert(me: Client) -> None:
    page = words(side_effect(me, serious=True))
    assert "Speak to a doctor today" in page
    assert "Your clinic has been told" in page
    alert = Alert.objects.get()
    assert (alert.origin, alert.urgency) == ("adverse_event", "urgent")
    assert "Sore and numb after the session" in alert.reported


def test_a_warning_sign_ticked_with_a_side_effect_makes_it_an_emergency(me: Client) -> None:
    page = words(side_effect(me, serious=False, signs=(CAUDA_EQUINA,)))
    assert EMERGENCY_TEXT in page
    entry = DiaryEntry.objects.get()
    assert entry.answers == [CAUDA_EQUINA]
    assert Alert.objects.get().urgency == "emergency"


def test_a_minor_side_effect_asks_to_tell_the_clinic_and_alerts_it(me: Client) -> None:
    page = words(side_effect(me, serious=False))
    assert "Contact your clinic" in page
    assert Alert.objects.get().urgency == "contact_clinic"


def test_an_unknown_warning_sign_on_the_form_is_refused_with_a_message(me: Client) -> None:
    response = side_effect(me, serious=False, signs=("headache",))
    assert response.status_code == 200
    assert "Choose among the signs listed." in words(response)
    assert DiaryEntry.objects.count() == 0 and Alert.objects.count() == 0


# --- what the clinic sees ----------------------------------------------------------------------


def test_an_open_alert_shows_on_the_patient_list_and_record_until_acknowledged(
    me: Client, patient: Patient, clinician_with_email: User
) -> None:
    report_stop_rule(me, CAUDA_EQUINA)
    alert = Alert.objects.get()
    staff = logged_in(clinician_with_email)
    listing = words(staff.get(reverse("patients:list")))
    assert "Open alerts (1)" in listing and "1 open alert" in listing
    record = words(staff.get(reverse("patients:detail", args=[patient.pk])))
    assert "Acknowledge this emergency alert" in record
    response = staff.post(
        reverse("alerts:acknowledge", args=[alert.pk]),
        {"next": reverse("patients:detail", args=[patient.pk])},
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == clinician_with_email and alert.acknowledged_at
    event = AuditEvent.objects.get(object_type="Alert", action="update")
    assert (event.patient, event.user) == (patient, clinician_with_email)
    assert "Open alerts (" not in words(staff.get(reverse("patients:list")))
    assert "Acknowledged alerts" in words(staff.get(reverse("patients:detail", args=[patient.pk])))


def test_another_clinics_alert_looks_like_one_that_does_not_exist(
    me: Client, outsider: User
) -> None:
    report_stop_rule(me, CAUDA_EQUINA)
    alert = Alert.objects.get()
    outside = logged_in(outsider)
    assert outside.post(reverse("alerts:acknowledge", args=[alert.pk])).status_code == 404
    assert outside.post(reverse("alerts:acknowledge", args=[alert.pk + 99])).status_code == 404
    assert "Open alerts (" not in words(outside.get(reverse("patients:list")))
    alert.refresh_from_db()
    assert alert.is_open


def test_a_patient_cannot_acknowledge_and_a_get_changes_nothing(
    me: Client, clinician_with_email: User
) -> None:
    report_stop_rule(me, CAUDA_EQUINA)
    alert = Alert.objects.get()
    assert me.post(reverse("alerts:acknowledge", args=[alert.pk])).status_code == 403
    url = reverse("alerts:acknowledge", args=[alert.pk])
    assert logged_in(clinician_with_email).get(url).status_code == 405
    alert.refresh_from_db()
    assert alert.is_open


def test_the_review_shows_open_alerts_first_and_holds_progression(
    episode: Episode, clinician_with_email: User
) -> None:
    """Bird-dog done comfortably on 4 days would be progressed, until an alert is open."""
    version = give_program(episode)
    version.status, version.published = "published", timezone.now() - dt.timedelta(days=10)
    version.save()
    for n in (6, 5, 4, 3):
        log_exercise(episode, "bird_dog", n, "done")
    staff = logged_in(clinician_with_email)
    url = reverse("review:review", args=[episode.pk])
    assert "Accept: progress to the next step, Bird-dog" in words(staff.get(url))
    report_stop_rule(logged_in(episode.patient.user), CAUDA_EQUINA, exercise="glute_bridge")
    assert Alert.objects.get().is_open
    page = words(staff.get(url))
    assert page.index("Open alerts (1)") < page.index("Baseline and now")
    assert "No exercise is progressed while an alert is open" in page
    assert "Accept: progress to the next step, Bird-dog" not in page
    assert "Held: the patient has an open alert" in page
    accept = {"version": str(version.number), "exercise": "bird_dog", "action": "progress",
              "to_level": "1", "reason": "ready"}  # fmt: skip
    refused = staff.post(url, accept)
    assert refused.status_code == 200 and "Nothing was saved" in words(refused)


# --- who is emailed ----------------------------------------------------------------------------


def test_the_clinician_who_published_the_plan_is_responsible_before_the_one_who_added_the_patient(
    patient: Patient, clinician_with_email: User, clinic: Any
) -> None:
    physio = make_user("physio", Role.CLINICIAN, clinic)
    physio.email = "physio@clinic.example"
    physio.save()
    version = with_program(patient.episodes.get())
    PlanChange.objects.create(
        version=version, action=PlanChange.Action.PUBLISH, reason="ready", created_by=physio
    )
    assert responsible_clinicians(clinic, patient) == [physio]


def test_without_a_responsible_address_the_leads_are_emailed_or_the_alert_says_why(
    patient: Patient, clinician: User, clinic: Any
) -> None:
    with_program(patient.episodes.get())
    me = logged_in(patient.user)
    report_stop_rule(me, CAUDA_EQUINA)
    assert Alert.objects.get().email_problem == NO_ADDRESS
    lead = make_user("lead", Role.LEAD, clinic)
    lead.email = "lead@clinic.example"
    lead.save()
    assert responsible_clinicians(clinic, patient) == [lead]


def test_a_failed_email_keeps_the_alert_and_says_why(me: Client) -> None:
    with override_settings(EMAIL_BACKEND=BROKEN_MAIL):
        report_stop_rule(me, CAUDA_EQUINA)
    alert = Alert.objects.get()
    assert alert.is_open and "connection refused" in alert.email_problem


# --- the API -----------------------------------------------------------------------------------


def log_url(patient: Patient) -> str:
    return f"/api/v1/patients/{patient.pk}/exercise-log"


def diary_url(patient: Patient) -> str:
    return f"/api/v1/patients/{patient.pk}/diary"


def test_the_exercise_log_api_answers_with_the_advice_and_raises_the_alert(
    me: Client, patient: Patient
) -> None:
    body = {"exercise": "bird_dog", "outcome": "too_painful", "stop_rule": CAUDA_EQUINA}
    response = post_json(me, log_url(patient), body)
    assert response.status_code == 201
    advice = response.json()["advice"]
    assert advice["urgency"] == "emergency" and advice["text"].startswith(EMERGENCY_TEXT)
    assert Alert.objects.get().origin == "exercise_log"
    assert len(mail.outbox) == 1


def test_a_done_exercise_gets_advice_of_no_urgency(me: Client, patient: Patient) -> None:
    response = post_json(me, log_url(patient), {"exercise": "bird_dog", "outcome": "done"})
    assert response.json()["advice"]["urgency"] == "none"
    assert Alert.objects.count() == 0


def test_the_diary_api_gives_a_side_effect_its_advice(me: Client, patient: Patient) -> None:
    body = {"kind": "adverse_event", "note": "Fell on the stairs", "serious": False,
            "warning_signs": ["fall_or_injury"]}  # fmt: skip
    response = post_json(me, diary_url(patient), body)
    assert response.status_code == 201
    assert response.json()["advice"]["urgency"] == "urgent"
    assert response.json()["answers"] == ["fall_or_injury"]
    assert Alert.objects.get().urgency == "urgent"
    nrs = post_json(me, diary_url(patient), {"kind": "nrs", "value": 4}).json()
    assert nrs["advice"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "adverse_event", "note": "x", "warning_signs": ["headache"]},
         "warning_signs[0]"),
        ({"kind": "nrs", "value": 3, "warning_signs": [CAUDA_EQUINA]}, "warning_signs"),
        ({"kind": "adverse_event", "note": "x", "warning_signs": "fall_or_injury"},
         "warning_signs"),
    ],
)  # fmt: skip
def test_bad_warning_signs_are_refused_naming_the_field(
    me: Client, patient: Patient, body: dict[str, Any], field: str
) -> None:
    response = post_json(me, diary_url(patient), body)
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert Alert.objects.count() == 0


def test_staff_list_the_open_alerts_of_their_clinic_and_acknowledge_one(
    me: Client, patient: Patient, clinician_with_email: User
) -> None:
    report_stop_rule(me, CAUDA_EQUINA)
    side_effect(me, serious=False)
    staff = logged_in(clinician_with_email)
    listing = staff.get("/api/v1/alerts").json()
    assert listing["count"] == 2
    assert [a["urgency"] for a in listing["items"]] == ["emergency", "contact_clinic"]
    first = listing["items"][0]["id"]
    response = staff.post(f"/api/v1/alerts/{first}/acknowledge")
    assert response.status_code == 200
    assert response.json()["acknowledged_by"] == "clinician"
    assert AuditEvent.objects.filter(object_type="Alert", action="update").count() == 1
    assert staff.get("/api/v1/alerts").json()["count"] == 1


def test_a_patient_gets_403_from_the_alerts_api_and_another_clinic_404(
    me: Client, outsider: User
) -> None:
    report_stop_rule(me, CAUDA_EQUINA)
    alert = Alert.objects.get()
    assert me.get("/api/v1/alerts").status_code == 403
    assert me.post(f"/api/v1/alerts/{alert.pk}/acknowledge").status_code == 403
    outside = logged_in(outsider)
    assert outside.get("/api/v1/alerts").json()["count"] == 0
    assert outside.post(f"/api/v1/alerts/{alert.pk}/acknowledge").status_code == 404
    assert Client().get("/api/v1/alerts").status_code == 401


# --- for every report ---------------------------------------------------------------------------


@pytest.mark.parametrize("rule", sorted(load_stop_rules()))
def test_each_stop_rule_gets_its_advice_and_an_alert_exactly_when_it_needs_a_person(
    me: Client, patient: Patient, rule: str
) -> None:
    body = {"exercise": "bird_dog", "outcome": "too_painful", "stop_rule": rule}
    expected = load_stop_rules()[rule]
    allowed = {r.id for r in stop_rules_for(load_exercises()["bird_dog"].stop_rules)}
    response = post_json(me, log_url(patient), body)
    if rule not in allowed:
        assert response.status_code == 422 and response.json()["field"] == "stop_rule"
        return
    assert response.json()["advice"]["urgency"] == expected.urgency
    assert Alert.objects.filter(urgency=expected.urgency).count() == (
        1 if expected.urgency != "none" else 0
    )
    assert Alert.objects.count() == (1 if expected.urgency != "none" else 0)


SIGNS = [r.id for r in warning_sign_rules()]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(signs=st.lists(st.sampled_from(SIGNS), unique=True, max_size=3), serious=st.booleans())
def test_a_side_effect_gets_the_most_severe_advice_and_an_alert_iff_it_needs_one(
    me: Client, patient: Patient, signs: list[str], serious: bool
) -> None:
    Alert.objects.all().delete()
    body = {"kind": "adverse_event", "note": "Worse after the session", "serious": serious,
            "warning_signs": signs}  # fmt: skip
    advice = post_json(me, diary_url(patient), body).json()["advice"]
    rules = load_stop_rules()
    effect = load_advice_data().side_effects["serious" if serious else "not_serious"]
    urgencies = [rules[s].urgency for s in signs] + [effect.urgency]
    expected = advice_for(warning_signs=signs, side_effect="serious" if serious else "not_serious")
    assert advice == expected.as_json()
    assert advice["urgency"] == max(urgencies, key=("none", "contact_clinic", "urgent",
                                                    "emergency").index)  # fmt: skip
    assert Alert.objects.count() == (0 if advice["urgency"] == "none" else 1)
