"""The public self-check: red flags first, options in plain language, a request that staff
turn into a patient without retyping. Nothing is stored until the request is sent."""

from __future__ import annotations

import html
import re
import time
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from backpath import contract
from backpath.web.accounts.models import Clinic, User
from backpath.web.alerts.models import Alert
from backpath.web.patients.models import Patient
from backpath.web.selfcheck.forms import sign, unsign
from backpath.web.selfcheck.models import ConsultationRequest
from tests.web.builders import logged_in

NO_FLAGS = dict.fromkeys(contract.red_flag_ids(), "no")
BASICS = {
    "age": "44",
    "duration_weeks": "20",
    "leg_pain": "none",
    "nrs_now": "6",
    "avoid": ["needles"],
}


@pytest.fixture(autouse=True)
def fresh_rate_limits(db: Any) -> None:
    cache.clear()  # the rate-limit counters live in the database cache


def token_after_basics(client: Client, clinic: Clinic) -> str:
    page = client.post(reverse("selfcheck:start", args=[clinic.pk]), NO_FLAGS)
    flags_token = page.context["token"]
    page = client.post(
        reverse("selfcheck:basics", args=[clinic.pk]), {**BASICS, "token": flags_token}
    )
    assert page.status_code == 200
    return str(page.context["token"])


def request_data(token: str, **changes: Any) -> dict[str, Any]:
    return {
        "token": token,
        "name": "Sam Rivera",
        "email": "sam@example.org",
        "phone": "",
        "message": "Evenings suit me",
        "consent": "on",
        "website": "",
        **changes,
    }


def test_a_cauda_equina_answer_says_get_emergency_help_and_shows_no_options(clinic: Clinic) -> None:
    page = Client().post(
        reverse("selfcheck:start", args=[clinic.pk]), NO_FLAGS | {"bladder_dysfunction": "yes"}
    )
    assert b"Get emergency help now" in page.content
    assert b"Options that fit" not in page.content
    assert ConsultationRequest.objects.count() == 0


PUBLIC_JARGON = ("cauda equina", "metasta", "oncology", "MRI", "vertebra", "spondylo",
                 "saddle", "anaesthesia", "proceed", "urgent_referral", "disposition")  # fmt: skip


@pytest.mark.parametrize("flag", sorted(contract.red_flag_ids()))
def test_the_public_is_told_what_to_do_in_everyday_words(clinic: Clinic, flag: str) -> None:
    page = Client().post(reverse("selfcheck:start", args=[clinic.pk]), NO_FLAGS | {flag: "yes"})
    text = html.unescape(re.sub(r"<[^>]+>", " ", page.content.decode()))
    main = text.split("Skip to content", 1)[-1]
    assert not [j for j in PUBLIC_JARGON if j.lower() in main.lower()], (flag, main[:2000])


def test_a_fracture_risk_answer_says_see_a_doctor_urgently(clinic: Clinic) -> None:
    page = Client().post(
        reverse("selfcheck:start", args=[clinic.pk]), NO_FLAGS | {"major_trauma": "yes"}
    )
    assert b"See a doctor urgently" in page.content


def test_options_are_shown_in_plain_language_and_nothing_is_stored(clinic: Clinic) -> None:
    client = Client()
    page = client.post(reverse("selfcheck:start", args=[clinic.pk]), NO_FLAGS)
    page = client.post(
        reverse("selfcheck:basics", args=[clinic.pk]), {**BASICS, "token": page.context["token"]}
    )
    assert b"General exercise" in page.content and b"What to expect" in page.content
    assert b"Acupuncture" not in page.content.split(b"Not supported")[0]  # the needle preference
    assert ConsultationRequest.objects.count() == 0 and Patient.objects.count() == 0


def test_a_tampered_token_starts_again(clinic: Clinic) -> None:
    page = Client().post(
        reverse("selfcheck:basics", args=[clinic.pk]), {**BASICS, "token": "forged"}
    )
    assert page.status_code == 302 and page["Location"].endswith(f"/check/{clinic.pk}/")


def test_a_request_lands_in_the_clinic_queue(clinic: Clinic, clinician: User) -> None:
    client = Client()
    token = token_after_basics(client, clinic)
    state = unsign(token)
    assert state is not None
    token = sign({**state, "shown": time.time() - 10})  # as if the visitor took 10 s
    page = client.post(reverse("selfcheck:submit", args=[clinic.pk]), request_data(token))
    assert b"Thank you" in page.content
    req = ConsultationRequest.objects.get()
    assert req.clinic == clinic and req.answers["pain"]["nrs_now"] == 6
    queue = logged_in(clinician).get(reverse("selfcheck:queue"))
    assert b"Sam Rivera" in queue.content


def test_a_request_needs_a_way_to_reply_and_keeps_the_answers(clinic: Clinic) -> None:
    client = Client()
    token = sign({**unsign(token_after_basics(client, clinic)), "shown": time.time() - 10})  # type: ignore[dict-item]
    page = client.post(reverse("selfcheck:submit", args=[clinic.pk]), request_data(token, email=""))
    assert b"Give an email address or a phone number" in page.content
    assert b'value="Sam Rivera"' in page.content
    assert ConsultationRequest.objects.count() == 0


def test_bots_filling_the_honeypot_or_racing_are_not_stored(clinic: Clinic) -> None:
    client = Client()
    token = token_after_basics(client, clinic)  # "shown" is now: too fast
    client.post(reverse("selfcheck:submit", args=[clinic.pk]), request_data(token))
    slow = sign({**unsign(token), "shown": time.time() - 10})  # type: ignore[dict-item]
    client.post(
        reverse("selfcheck:submit", args=[clinic.pk]), request_data(slow, website="http://spam")
    )
    assert ConsultationRequest.objects.count() == 0


def test_posting_too_often_is_rate_limited(clinic: Clinic) -> None:
    client = Client()
    statuses = [
        client.post(reverse("selfcheck:submit", args=[clinic.pk]), {"token": "x"}).status_code
        for _ in range(7)
    ]
    assert statuses[:5] == [302] * 5 and statuses[-1] == 429


def test_staff_turn_a_request_into_a_patient_and_intake_without_retyping(
    clinic: Clinic, clinician: User
) -> None:
    req = ConsultationRequest.objects.create(
        clinic=clinic,
        name="Sam Rivera",
        email="sam@example.org",
        disposition="proceed",
        answers={
            "patient": {"age": 44},
            "episode": {"duration_weeks": 20, "leg_pain": "none"},
            "pain": {"nrs_now": 6},
            "red_flags": {f: False for f in contract.red_flag_ids()},
            "preferences": {"avoid": ["needles"]},
        },
    )
    client = logged_in(clinician)
    response = client.post(reverse("selfcheck:convert", args=[req.pk]))
    patient = Patient.objects.get(family_name="Rivera")
    intake = patient.episodes.get().intake
    assert response.status_code == 302
    assert intake.data["pain"]["nrs_now"] == 6 and intake.data["preferences"]["avoid"] == [
        "needles"
    ]
    assert "red_flags" in intake.completed_steps
    req.refresh_from_db()
    assert req.status == "booked" and req.patient == patient
    assert patient.email == "sam@example.org"  # the contact details came along
    change = req.changes.get()
    assert (change.old, change.new, change.by) == ("new", "booked", clinician)


def test_a_request_moves_through_its_states_with_who_and_when(
    clinic: Clinic, clinician: User
) -> None:
    req = ConsultationRequest.objects.create(clinic=clinic, name="Kim Lee", phone="0700",
                                             disposition="urgent_referral", answers={})  # fmt: skip
    client = logged_in(clinician)
    page = client.get(reverse("selfcheck:queue")).content.decode()
    assert "Red flags: urgent" in page and "Mark contacted" in page
    status = reverse("selfcheck:status", args=[req.pk])
    assert client.post(status, {"status": "contacted", "note": "Left a message"}).status_code == 302
    client.post(status, {"status": "declined"})
    req.refresh_from_db()
    assert req.status == "declined"
    history = [(c.old, c.new, c.by_id) for c in req.changes.all()]
    assert history == [("new", "contacted", clinician.pk), ("contacted", "declined", clinician.pk)]
    refused = client.post(status, {"status": "booked"}, follow=True).content.decode()
    assert "Not changed: status: a declined request can become: contacted" in refused
    assert "Kim Lee" not in client.get(reverse("selfcheck:queue")).content.decode()  # not open
    shown = client.get(reverse("selfcheck:queue"), {"show": "declined"}).content.decode()
    assert "Kim Lee" in shown and "Left a message" in shown
    assert client.get(status).status_code == 405


def test_another_clinic_cannot_change_a_request(clinic: Clinic, outsider: User) -> None:
    req = ConsultationRequest.objects.create(clinic=clinic, name="X Y", disposition="proceed",
                                             answers={})  # fmt: skip
    url = reverse("selfcheck:status", args=[req.pk])
    assert logged_in(outsider).post(url, {"status": "spam"}).status_code == 404


def test_another_clinic_cannot_convert_a_request(clinic: Clinic, outsider: User) -> None:
    req = ConsultationRequest.objects.create(
        clinic=clinic, name="X Y", disposition="proceed", answers={"patient": {"age": 40}}
    )
    assert logged_in(outsider).post(reverse("selfcheck:convert", args=[req.pk])).status_code == 404


# --- red flags reach a person ------------------------------------------------------------------


def act_now_token(client: Client, clinic: Clinic, **flags: str) -> str:
    page = client.post(reverse("selfcheck:start", args=[clinic.pk]), NO_FLAGS | flags)
    state = unsign(page.context["token"])
    assert state is not None and state["act_now"]
    return sign({**state, "shown": time.time() - 10})


def test_an_emergency_self_check_can_ask_the_clinic_to_call_and_raises_an_alert(
    clinic: Clinic, lead: User
) -> None:
    lead.email = "lead@clinic.example"
    lead.save()
    client = Client()
    token = act_now_token(client, clinic, saddle_anaesthesia="yes")
    page = client.post(reverse("selfcheck:submit", args=[clinic.pk]), request_data(token))
    assert b"Get emergency help now" in page.content and b"has been told" in page.content
    req = ConsultationRequest.objects.get()
    assert req.disposition == "emergency" and req.answers["red_flags"]["saddle_anaesthesia"]
    alert = Alert.objects.get()
    assert (alert.origin, alert.urgency, alert.patient) == ("selfcheck", "emergency", None)
    assert alert.consultation_request == req
    assert [m.to for m in mail.outbox] == [["lead@clinic.example"]]
    listing = logged_in(lead).get(reverse("patients:list")).content.decode()
    assert "Open alerts (1)" in listing and "self-check request" in listing
    queue = logged_in(lead).get(reverse("selfcheck:queue")).content.decode()
    assert "Add the person by hand" in queue


def test_an_urgent_self_check_request_with_errors_keeps_the_advice_and_stores_nothing(
    clinic: Clinic,
) -> None:
    client = Client()
    token = act_now_token(client, clinic, major_trauma="yes")
    page = client.post(
        reverse("selfcheck:submit", args=[clinic.pk]), request_data(token, email="", phone="")
    )
    assert page.status_code == 400
    assert b"See a doctor urgently" in page.content
    assert b"Give an email address or a phone number" in page.content
    assert ConsultationRequest.objects.count() == 0


def test_a_routine_self_check_request_raises_no_alert(clinic: Clinic) -> None:
    client = Client()
    token = sign({**unsign(token_after_basics(client, clinic)), "shown": time.time() - 10})  # type: ignore[dict-item]
    client.post(reverse("selfcheck:submit", args=[clinic.pk]), request_data(token))
    assert ConsultationRequest.objects.count() == 1 and Alert.objects.count() == 0


def test_none_of_these_answers_every_red_flag_no(clinic: Clinic) -> None:
    client = Client()
    page = client.post(reverse("selfcheck:start", args=[clinic.pk]), {"none": "on"})
    assert page.status_code == 200 and "Your age" in page.content.decode()  # on to the basics


def test_none_of_these_with_a_yes_is_named_and_an_unanswered_flag_is_not_a_no(
    clinic: Clinic,
) -> None:
    start = reverse("selfcheck:start", args=[clinic.pk])
    clash = Client().post(start, {"none": "on", "bladder_dysfunction": "yes"}).content.decode()
    assert "You ticked None of these but answered Yes to: New trouble passing urine" in clash
    blank = Client().post(start, {"major_trauma": "no"}).content.decode()
    assert "Answer yes or no (or tick None of these above)." in blank
    assert "<fieldset" in blank and "<legend>" in blank  # each yes/no pair has a name


def test_the_emergency_page_says_each_action_once_with_the_clinics_phone(clinic: Clinic) -> None:
    Clinic.objects.filter(pk=clinic.pk).update(phone="020 7946 0123")
    flags = {"saddle_anaesthesia": "yes", "bladder_dysfunction": "yes",
             "bowel_incontinence": "yes"}  # fmt: skip
    page = Client().post(reverse("selfcheck:start", args=[clinic.pk]), NO_FLAGS | flags)
    text = page.content.decode()
    assert text.count("Numbness between the legs") == 1  # three flags, one sentence
    assert 'href="tel:020 7946 0123"' in text


def test_the_request_is_offered_near_the_top_and_errors_land_at_the_form(clinic: Clinic) -> None:
    client = Client()
    page = client.post(reverse("selfcheck:start", args=[clinic.pk]), NO_FLAGS)
    options = client.post(reverse("selfcheck:basics", args=[clinic.pk]),
                          {**BASICS, "token": page.context["token"]}).content.decode()  # fmt: skip
    assert options.index('href="#request"') < options.index('class="item')
    assert 'id="request"' in options and '#request" novalidate' in options
