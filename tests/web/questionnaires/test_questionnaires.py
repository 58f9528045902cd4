"""Questionnaires the patient fills in: sent, answered once without an account, scored, red
flags raised, confirmed into the record, scheduled before a review, licences respected."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from backpath import instruments
from backpath.web.accounts.models import User
from backpath.web.alerts.models import Alert
from backpath.web.diary.models import DiaryEntry
from backpath.web.patients.models import Episode, Patient
from backpath.web.questionnaires import schedule, sending
from backpath.web.questionnaires.forms import FillForm
from backpath.web.questionnaires.models import QuestionnaireRequest
from tests.web.builders import logged_in


def post_data(asked: list[str], **chosen: str) -> dict[str, str]:
    """An answer for every question: the first option, unless ``chosen`` says otherwise."""
    form = FillForm(instruments_asked=asked)
    data: dict[str, str] = {}
    for name, field in form.fields.items():
        if name == "basics__duration_weeks":
            data[name] = "10"
        elif name == "basics__nrs_now":
            data[name] = "6"
        else:
            data[name] = str(field.choices[0][0])  # type: ignore[attr-defined]
    return data | chosen


def link_in(email: Any) -> str:
    found = re.search(r"https?://\S+/q/(\S+)/", email.body)
    assert found, email.body
    return f"/q/{found.group(1)}/"


def send(client: Client, patient: Patient, **fields: Any) -> Any:
    data = {"purpose": "review", "instruments": ["odi", "peg"], "channel": "email"} | fields
    return client.post(reverse("questionnaires:send", args=[patient.pk]), data)


@pytest.fixture
def emailed(patient: Patient) -> Patient:
    Patient.objects.filter(pk=patient.pk).update(email="ada@example.org")
    patient.refresh_from_db()
    return patient


def test_a_review_questionnaire_by_email_is_answered_once_and_confirmed_into_the_diary(
    clinician: User, emailed: Patient
) -> None:
    clinic = logged_in(clinician)
    assert send(clinic, emailed).status_code == 302
    [email] = mail.outbox
    assert email.to == ["ada@example.org"] and "2 short questionnaires" in email.body
    assert "works once" in email.body and "does not replace" in email.body
    link = link_in(email)
    phone = Client()  # no account
    page = phone.get(link)
    assert page.status_code == 200 and "Oswestry Disability Index" in page.content.decode()
    assert instruments.definition("odi").licence.notice.split(":")[0] in page.content.decode()
    odi_worst = {f"odi__{n}": "5" for n in range(10)}
    done = phone.post(link, post_data(["odi", "peg"], **odi_worst))
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    assert phone.get(link).status_code == 410  # the link worked once
    assert phone.post(link, post_data(["odi", "peg"])).status_code == 410
    req = QuestionnaireRequest.objects.get()
    assert req.scores["odi"]["percent"] == 100.0 and req.state == "returned"
    assert not DiaryEntry.objects.filter(patient=emailed).exists()  # not until confirmed
    record = clinic.get(reverse("patients:detail", args=[emailed.pk])).content.decode()
    assert "Returned" in record and "odi: 100.0%" in record
    clinic.post(reverse("questionnaires:confirm", args=[req.pk]))
    entries = DiaryEntry.objects.filter(patient=emailed).order_by("kind")
    assert [(e.kind, e.value) for e in entries] == [("odi", 100.0), ("peg", 0.0)]
    assert all("Answered by the patient" in e.note for e in entries)
    req.refresh_from_db()
    assert req.state == "confirmed" and req.confirmed_by == clinician


def test_a_warning_sign_gets_advice_at_once_and_alerts_the_clinic(
    clinician: User, emailed: Patient
) -> None:
    send(logged_in(clinician), emailed, purpose="intake", instruments=["red_flags", "basics"])
    link = link_in(mail.outbox[0])
    answers = post_data(["red_flags", "basics"], red_flags__bladder_dysfunction="1")
    done = Client().post(link, answers).content.decode()
    assert "emergency department" in done.lower() and "Your clinic has been told" in done
    alert = Alert.objects.get(patient=emailed)
    assert alert.urgency == "emergency" and alert.origin == "questionnaire"
    assert "New trouble passing urine" in alert.reported


def test_intake_answers_flow_into_the_intake_when_confirmed(clinician: User,
                                                           emailed: Patient) -> None:  # fmt: skip
    asked = ["basics", "red_flags", "startback", "peg"]
    send(logged_in(clinician), emailed, purpose="intake", instruments=asked, channel="link")
    req = QuestionnaireRequest.objects.get()
    link = sending.renew_link(req).split("127.0.0.1:8000")[-1]
    Client().post(link, post_data(asked, startback__8="4"))
    logged_in(clinician).post(reverse("questionnaires:confirm", args=[req.pk]))
    intake = emailed.episodes.get().intake
    assert intake.data["episode"]["duration_weeks"] == 10.0
    assert intake.data["pain"]["nrs_now"] == 6
    assert intake.data["questionnaires"]["startback"][8] == 4
    assert {"questionnaires", "red_flags"} <= set(intake.completed_steps)
    step = reverse("patients:intake", args=[intake.episode_id, "questionnaires"])
    page = logged_in(clinician).get(step, follow=True).content.decode()
    assert "Includes answers the patient gave in questionnaires on" in page  # the origin


def test_a_link_shown_once_with_its_qr_code(clinician: User, patient: Patient) -> None:
    page = send(logged_in(clinician), patient, channel="link").content.decode()
    assert "/q/" in page and "<svg" in page and mail.outbox == []


def test_in_the_app_only_the_patients_own_waiting_questionnaires_open(
    clinician: User, patient: Patient, clinic: Any
) -> None:
    send(logged_in(clinician), patient, channel="app")
    req = QuestionnaireRequest.objects.get()
    me = logged_in(patient.user)
    url = reverse("questionnaires:fill_in_app", args=[req.pk])
    assert me.get(url).status_code == 200
    other = User.objects.create_user("p2", password="x" * 12, role="patient", clinic=clinic)
    assert logged_in(other).get(url).status_code == 404
    assert me.post(url, post_data(["odi", "peg"])).status_code == 200
    assert me.get(url).status_code == 404  # answered


def test_bad_sends_name_what_is_wrong(clinician: User, patient: Patient, outsider: User) -> None:
    client = logged_in(clinician)
    none = send(client, patient, instruments=[])
    assert none.status_code == 400 and "Choose at least one questionnaire" in none.content.decode()
    no_email = send(client, patient, channel="email")
    assert no_email.status_code == 400 and "no email address" in no_email.content.decode()
    assert send(logged_in(outsider), patient).status_code == 404
    QuestionnaireRequest.objects.create(
        patient=patient, episode=patient.episodes.get(), purpose="review", instruments=["peg"],
        channel="link", due=timezone.localdate(), expires=timezone.now(),
    )  # fmt: skip
    req = QuestionnaireRequest.objects.get()
    url = reverse("questionnaires:confirm", args=[req.pk])
    assert logged_in(outsider).post(url).status_code == 404
    assert "Not confirmed" in client.post(url, follow=True).content.decode()


def test_an_expired_or_unknown_link_says_what_to_do(clinician: User, emailed: Patient) -> None:
    send(logged_in(clinician), emailed)
    link = link_in(mail.outbox[0])
    QuestionnaireRequest.objects.update(expires=timezone.now() - dt.timedelta(minutes=1))
    gone = Client().get(link)
    assert gone.status_code == 410 and "ask the clinic for a new link" in gone.content.decode()
    assert Client().get("/q/not-a-real-secret/").status_code == 410


@override_settings(BACKPATH_INSTRUMENTS_OFF=frozenset({"odi"}))
def test_an_unlicensed_oswestry_is_replaced_by_roland_morris(clinician: User,
                                                            emailed: Patient) -> None:  # fmt: skip
    client = logged_in(clinician)
    form = client.get(reverse("questionnaires:send", args=[emailed.pk])).content.decode()
    assert "Oswestry" not in form and "Roland-Morris" in form
    refused = send(client, emailed, instruments=["odi", "peg"])
    assert refused.status_code == 400 and "odi is not one of the available" in (
        refused.content.decode())  # fmt: skip
    req, _ = sending.send(emailed.episodes.get(), ["odi", "peg"], "review", "email", clinician)
    assert req.instruments == ["rmdq", "peg"]  # as the scheduled review asks it
    page = Client().get(link_in(mail.outbox[0])).content.decode()
    assert "Oswestry" not in page and "Roland-Morris" in page


def test_review_questionnaires_go_out_a_week_before_the_review_and_are_reminded_once(
    emailed: Patient,
) -> None:
    today = timezone.localdate()
    review = today + dt.timedelta(days=5)
    Episode.objects.filter(patient=emailed).update(plan_status="published", review_due=review)
    assert "1 review questionnaire(s) sent" in schedule.run_due()
    assert "0 review questionnaire(s) sent" in schedule.run_due()  # one per review date
    req = QuestionnaireRequest.objects.get()
    assert (req.purpose, req.due, req.instruments) == ("review", today + dt.timedelta(days=5),
                                                       ["odi", "peg"])  # fmt: skip
    first = link_in(mail.outbox[0])
    QuestionnaireRequest.objects.update(created=timezone.now() - dt.timedelta(days=4))
    assert "1 reminder(s)" in schedule.run_due() and "0 reminder(s)" in schedule.run_due()
    assert "Reminder" in mail.outbox[1].subject
    assert Client().get(first).status_code == 410  # the reminder's link replaces the first
    assert Client().get(link_in(mail.outbox[1])).status_code == 200


def test_the_patients_today_page_lists_what_is_waiting(clinician: User, patient: Patient) -> None:
    from tests.web.builders import with_program

    with_program(patient.episodes.get())
    send(logged_in(clinician), patient, channel="app")
    req = QuestionnaireRequest.objects.get()
    page = logged_in(patient.user).get(reverse("care:today")).content.decode()
    assert reverse("questionnaires:fill_in_app", args=[req.pk]) in page
    assert "2 short questionnaires" in page


def test_every_form_showing_a_questionnaire_shows_its_notice_and_respects_licences(
    clinician: User, patient: Patient
) -> None:
    episode = patient.episodes.get()
    step = reverse("patients:intake", args=[episode.pk, "questionnaires"])
    odi_step = reverse("patients:intake_questionnaire", args=[episode.pk, "odi"])
    assert "Keele University" in logged_in(clinician).get(step, follow=True).content.decode()
    assert "Mapi Research Trust" in logged_in(clinician).get(odi_step).content.decode()
    me = logged_in(patient.user)
    odi = me.get(reverse("care:diary") + "?add=odi").content.decode()
    assert "Mapi Research Trust" in odi
    with override_settings(BACKPATH_INSTRUMENTS_OFF=frozenset({"odi"})):
        assert "Oswestry" not in logged_in(clinician).get(step, follow=True).content.decode()
        assert logged_in(clinician).get(odi_step).status_code == 404
        diary = me.get(reverse("care:diary") + "?add=odi").content.decode()
        assert "?add=odi" not in diary and "Mapi Research Trust" not in diary
