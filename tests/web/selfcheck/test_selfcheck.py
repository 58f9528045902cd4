"""The public self-check: red flags first, options in plain language, a request that staff
turn into a patient without retyping. Nothing is stored for the clinic until the request is
sent; every answer is posted, then redirected to a page that reads it from the session."""

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


def url(name: str, clinic: Clinic) -> str:
    return reverse(f"selfcheck:{name}", args=[clinic.pk])


def took_a_while(client: Client, clinic: Clinic) -> None:
    """As if the request form had been shown 10 s ago (bots are faster than people)."""
    session = client.session
    session[f"selfcheck:{clinic.pk}"]["shown"] = time.time() - 10
    session.save()


def at_the_options(client: Client, clinic: Clinic, slow: bool = True) -> Any:
    client.post(url("start", clinic), NO_FLAGS)
    page = client.post(url("basics", clinic), BASICS, follow=True)
    assert page.redirect_chain == [(url("options", clinic), 303)]
    if slow:
        took_a_while(client, clinic)
    return page


def at_act_now(client: Client, clinic: Clinic, **flags: str) -> Any:
    page = client.post(url("start", clinic), NO_FLAGS | flags, follow=True)
    assert page.redirect_chain == [(url("act_now", clinic), 303)]
    took_a_while(client, clinic)
    return page


def request_data(**changes: Any) -> dict[str, Any]:
    return {
        "name": "Sam Rivera",
        "email": "sam@example.org",
        "phone": "",
        "message": "Evenings suit me",
        "consent": "on",
        "website": "",
        **changes,
    }


def test_a_cauda_equina_answer_says_get_emergency_help_and_shows_no_options(clinic: Clinic) -> None:
    page = Client().post(url("start", clinic), NO_FLAGS | {"bladder_dysfunction": "yes"},
                         follow=True)  # fmt: skip
    assert b"Get emergency help now" in page.content
    assert b"Options that fit" not in page.content
    assert ConsultationRequest.objects.count() == 0


PUBLIC_JARGON = ("cauda equina", "metasta", "oncology", "MRI", "vertebra", "spondylo",
                 "saddle", "anaesthesia", "proceed", "urgent_referral", "disposition")  # fmt: skip


@pytest.mark.parametrize("flag", sorted(contract.red_flag_ids()))
def test_the_public_is_told_what_to_do_in_everyday_words(clinic: Clinic, flag: str) -> None:
    page = Client().post(url("start", clinic), NO_FLAGS | {flag: "yes"}, follow=True)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page.content.decode()))
    main = text.split("Skip to content", 1)[-1]
    assert not [j for j in PUBLIC_JARGON if j.lower() in main.lower()], (flag, main[:2000])


def test_a_fracture_risk_answer_says_see_a_doctor_urgently(clinic: Clinic) -> None:
    page = Client().post(url("start", clinic), NO_FLAGS | {"major_trauma": "yes"}, follow=True)
    assert b"See a doctor urgently" in page.content


def test_options_are_shown_in_plain_language_and_nothing_is_stored(clinic: Clinic) -> None:
    page = at_the_options(Client(), clinic)
    assert b"General exercise" in page.content and b"What to expect" in page.content
    assert b"Acupuncture" not in page.content.split(b"Not supported")[0]  # the needle preference
    assert ConsultationRequest.objects.count() == 0 and Patient.objects.count() == 0


def test_every_answer_is_posted_then_redirected_with_no_health_data_in_the_url(
    clinic: Clinic,
) -> None:
    client = Client()
    first = client.post(url("start", clinic), NO_FLAGS)
    second = client.post(url("basics", clinic), BASICS)
    assert (first.status_code, first["Location"]) == (303, url("basics", clinic))
    assert (second.status_code, second["Location"]) == (303, url("options", clinic))
    took_a_while(client, clinic)
    third = client.post(url("submit", clinic), request_data())
    assert (third.status_code, third["Location"]) == (303, url("thanks", clinic))
    assert all("?" not in r["Location"] for r in (first, second, third))


def test_reloading_a_result_page_shows_it_again_and_never_sends_twice(clinic: Clinic) -> None:
    client = Client()
    at_the_options(client, clinic)
    again = client.get(url("options", clinic))
    assert again.status_code == 200 and b"General exercise" in again.content
    client.post(url("submit", clinic), request_data())
    for _ in range(2):
        assert b"Thank you" in client.get(url("thanks", clinic)).content
    assert ConsultationRequest.objects.count() == 1
    # The answers are gone from the session once sent: back to the options starts again.
    assert client.get(url("options", clinic))["Location"] == url("start", clinic)


def test_going_back_keeps_the_answers_given(clinic: Clinic) -> None:
    client = Client()
    at_the_options(client, clinic)
    basics = client.get(url("basics", clinic)).content.decode()
    assert 'value="44"' in basics and 'value="needles" id="id_avoid_0" checked' in basics
    start = client.get(url("start", clinic)).content.decode()
    assert 'value="no" id="id_major_trauma_1" checked' in start


def test_a_page_without_the_answers_before_it_starts_again(clinic: Clinic) -> None:
    for name in ("basics", "options", "act_now", "thanks"):
        assert Client().get(url(name, clinic))["Location"] == url("start", clinic)
    assert Client().post(url("basics", clinic), BASICS)["Location"] == url("start", clinic)


def test_wrong_basics_are_shown_at_the_form_with_a_summary_and_kept(clinic: Clinic) -> None:
    client = Client()
    client.post(url("start", clinic), NO_FLAGS)
    page = client.post(url("basics", clinic), {**BASICS, "age": "7", "nrs_now": "11"})
    text = page.content.decode()
    assert page.status_code == 200
    assert text.index('class="error-summary"') < text.index("<form")
    assert 'href="#id_age_error">Your age: Enter a whole number from 16 to 120.' in text
    assert 'id="id_age_error">Enter a whole number from 16 to 120.' in text  # at the field
    assert 'value="7"' in text and 'value="11"' in text and 'value="20"' in text


def test_an_unanswered_screen_is_named_question_by_question(clinic: Clinic) -> None:
    page = Client().post(url("start", clinic), {"major_trauma": "no"})
    text = page.content.decode()
    assert page.status_code == 200 and 'class="error-summary"' in text
    assert 'href="#id_saddle_anaesthesia_error">' in text
    assert 'value="no" id="id_major_trauma_1" checked' in text


def test_a_request_lands_in_the_clinic_queue(clinic: Clinic, clinician: User) -> None:
    client = Client()
    at_the_options(client, clinic)
    page = client.post(url("submit", clinic), request_data(), follow=True)
    assert b"Thank you" in page.content
    req = ConsultationRequest.objects.get()
    assert req.clinic == clinic and req.answers["pain"]["nrs_now"] == 6
    queue = logged_in(clinician).get(reverse("selfcheck:queue"))
    assert b"Sam Rivera" in queue.content


def test_a_request_needs_a_way_to_reply_and_keeps_the_answers(clinic: Clinic) -> None:
    client = Client()
    at_the_options(client, clinic)
    page = client.post(url("submit", clinic), request_data(email=""))
    text = page.content.decode()
    assert page.status_code == 400
    assert text.index('id="request"') < text.index('class="error-summary"') < text.index(
        'action="' + url("submit", clinic))  # fmt: skip
    assert 'href="#id_email_error">Email: Give an email address or a phone number' in text
    assert 'value="Sam Rivera"' in text and "Evenings suit me" in text
    assert ConsultationRequest.objects.count() == 0


def test_bots_filling_the_honeypot_or_racing_are_not_stored(clinic: Clinic) -> None:
    client = Client()
    at_the_options(client, clinic, slow=False)  # the form was shown just now: too fast
    assert b"Thank you" in client.post(url("submit", clinic), request_data(), follow=True).content
    client = Client()
    at_the_options(client, clinic)
    client.post(url("submit", clinic), request_data(website="http://spam"))
    assert ConsultationRequest.objects.count() == 0


def test_posting_too_often_is_rate_limited(clinic: Clinic) -> None:
    client = Client()
    statuses = [client.post(url("submit", clinic), {}).status_code for _ in range(7)]
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


def test_an_emergency_self_check_can_ask_the_clinic_to_call_and_raises_an_alert(
    clinic: Clinic, lead: User
) -> None:
    lead.email = "lead@clinic.example"
    lead.save()
    client = Client()
    at_act_now(client, clinic, saddle_anaesthesia="yes")
    page = client.post(url("submit", clinic), request_data(), follow=True)
    assert page.redirect_chain == [(url("thanks", clinic), 303)]
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
    at_act_now(client, clinic, major_trauma="yes")
    page = client.post(url("submit", clinic), request_data(email="", phone=""))
    assert page.status_code == 400
    assert b"See a doctor urgently" in page.content
    assert b"Give an email address or a phone number" in page.content
    assert b'class="error-summary"' in page.content
    assert ConsultationRequest.objects.count() == 0


def test_a_routine_self_check_request_raises_no_alert(clinic: Clinic) -> None:
    client = Client()
    at_the_options(client, clinic)
    client.post(url("submit", clinic), request_data())
    assert ConsultationRequest.objects.count() == 1 and Alert.objects.count() == 0


def test_none_of_these_answers_every_red_flag_no(clinic: Clinic) -> None:
    page = Client().post(url("start", clinic), {"none": "on"}, follow=True)
    assert page.redirect_chain == [(url("basics", clinic), 303)]
    assert "Your age" in page.content.decode()  # on to the basics


def test_none_of_these_with_a_yes_is_named_and_an_unanswered_flag_is_not_a_no(
    clinic: Clinic,
) -> None:
    clash = Client().post(url("start", clinic), {"none": "on", "bladder_dysfunction": "yes"})
    text = clash.content.decode()
    assert "You ticked None of these but answered Yes to: New trouble passing urine" in text
    blank = Client().post(url("start", clinic), {"major_trauma": "no"}).content.decode()
    assert "Answer yes or no (or tick None of these above)." in blank
    assert "<fieldset" in blank and "<legend>" in blank  # each yes/no pair has a name


@pytest.mark.parametrize("flag", ["saddle_anaesthesia", "major_trauma"])
def test_the_emergency_and_urgent_pages_say_each_action_once_with_the_clinics_phone(
    clinic: Clinic, flag: str
) -> None:
    Clinic.objects.filter(pk=clinic.pk).update(phone="020 7946 0123")
    flags = {flag: "yes"}
    if flag == "saddle_anaesthesia":  # three flags whose advice is one sentence
        flags |= {"bladder_dysfunction": "yes", "bowel_incontinence": "yes"}
    page = Client().post(url("start", clinic), NO_FLAGS | flags, follow=True)
    text = page.content.decode()
    sentences = re.findall(r"<p>([^<]+)</p>", text.split('class="banner', 1)[1].split("</div>")[0])
    assert len(sentences) == len(set(sentences))
    if flag == "saddle_anaesthesia":
        assert text.count("Numbness between the legs") == 1  # three flags, one sentence
    assert 'href="tel:020 7946 0123"' in text


def test_the_request_is_offered_near_the_top_and_after_the_options(clinic: Clinic) -> None:
    options = at_the_options(Client(), clinic).content.decode()
    assert options.index('href="#request"') < options.index('class="item')
    last_option = options.rindex('class="item')
    assert last_option < options.index('id="request"') < options.index("Send my request")
    assert '#request" novalidate' in options
