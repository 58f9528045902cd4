"""The clinician's patient list and new-patient form: search by POST (no name in an address),
contact details, a date of birth that sets the birth year, a clinic identifier unique within
the clinic."""

from __future__ import annotations

import html
from typing import Any

from django.urls import reverse

from backpath.web.accounts.models import User
from backpath.web.patients.models import Episode, Patient
from tests.web.builders import logged_in

NEW = reverse("patients:create")


def form(**fields: str) -> dict[str, str]:
    blank = dict.fromkeys(("email", "mobile", "date_of_birth", "clinic_identifier"), "")
    person = {"given_name": "Noor", "family_name": "Haddad", "birth_year": "1980", "sex": "female"}
    return person | blank | fields


def test_patients_are_searched_by_post_never_by_address(clinician: User, patient: Patient) -> None:
    client = logged_in(clinician)
    response = client.post(reverse("patients:list"), {"q": "Byrne"})
    assert response.status_code == 302 and "Byrne" not in response["Location"]
    found = client.get(response["Location"]).content.decode()
    assert "Byrne, Ada" in found and "Clear the search" in found
    missed = client.post(reverse("patients:list"), {"q": "Nobody"}, follow=True)
    assert "Byrne, Ada" not in missed.content.decode()
    client.post(reverse("patients:list"), {"q": ""})  # cleared
    ignored = client.get(reverse("patients:list") + "?q=Nobody").content.decode()
    assert "Byrne, Ada" in ignored  # a name in the address filters nothing
    assert 'method="post" role="search"' in found


def test_a_patient_gets_contact_details_and_the_birth_year_from_the_date(clinician: User) -> None:
    response = logged_in(clinician).post(
        NEW, form(email="noor@example.org", mobile="+44 7700 900123", date_of_birth="1981-02-03",
                  birth_year="", clinic_identifier="MRN-0042"),
    )  # fmt: skip
    assert response.status_code == 302
    noor = Patient.objects.get(family_name="Haddad")
    assert (noor.email, noor.mobile, noor.clinic_identifier) == (
        "noor@example.org", "+44 7700 900123", "MRN-0042",
    )  # fmt: skip
    assert noor.birth_year == 1981 and str(noor.date_of_birth) == "1981-02-03"


def test_a_clinic_identifier_is_unique_within_the_clinic(clinician: User, outsider: User) -> None:
    assert logged_in(clinician).post(NEW, form(clinic_identifier="MRN-1")).status_code == 302
    again = logged_in(clinician).post(NEW, form(clinic_identifier="MRN-1", given_name="Other"))
    assert again.status_code == 200
    assert "already has this identifier" in html.unescape(again.content.decode())
    elsewhere = logged_in(outsider).post(NEW, form(clinic_identifier="MRN-1"))
    assert elsewhere.status_code == 302  # another clinic may use the same number


def test_a_birth_year_or_a_date_of_birth_is_needed(clinician: User) -> Any:
    response = logged_in(clinician).post(NEW, form(birth_year=""))
    assert response.status_code == 200
    assert "Give the birth year or the date of birth" in html.unescape(response.content.decode())
    assert not Patient.objects.filter(family_name="Haddad").exists()


def test_the_patient_list_is_one_page_counted_in_the_database(
    clinic: Any, clinician: Any, django_assert_max_num_queries: Any
) -> None:
    many = Patient.objects.bulk_create(
        Patient(clinic=clinic, given_name=f"P{i:03d}", family_name="Many", birth_year=1970)
        for i in range(120)
    )
    Episode.objects.bulk_create(Episode(patient=p) for p in many)
    client = logged_in(clinician)
    with django_assert_max_num_queries(20):  # with the session's once-a-minute write
        first = client.get(reverse("patients:list")).content.decode()
    assert "120 patients, page 1 of 3" in first and first.count("Many, P") == 50
    last = client.get(reverse("patients:list"), {"page": 3}).content.decode()
    assert last.count("Many, P") == 20 and "Many, P119" in last
    found = client.post(reverse("patients:list"), {"q": "P11"}, follow=True).content.decode()
    assert "10 patients matching" in found and found.count("Many, P") == 10
