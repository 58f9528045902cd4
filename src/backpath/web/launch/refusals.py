"""Every way a SMART launch can be refused, written once: its HTTP status, the page's title
and what the clinician can do. No Django here: the discovery, token and Patient readers raise
``Refused``; ``pages.refuse`` renders and audits it.
"""

from __future__ import annotations

from typing import NamedTuple

from backpath.errors import LaunchRefused


class Reason(NamedTuple):
    status: int
    title: str
    advice: str


REASONS: dict[str, Reason] = {
    "incomplete": Reason(
        400, "The launch is incomplete",
        "The EHR opened BackPath without the iss and launch values a SMART launch needs. "
        "Open BackPath again from the EHR.",
    ),
    "unknown_ehr": Reason(
        400, "This EHR is not registered with BackPath",
        "BackPath accepts launches only from EHRs a clinic lead has registered. Ask your clinic "
        "lead to register this EHR on BackPath's EHR launch page.",
    ),
    "not_staff": Reason(
        403, "Only clinic staff can open patients from an EHR",
        "Sign in with a clinician's or clinic lead's account and open BackPath from the EHR "
        "again.",
    ),
    "wrong_clinic": Reason(
        403, "This EHR is not registered for your clinic",
        "BackPath accepts a launch only from an EHR registered for the clinic you work in. Ask "
        "your clinic lead to register it, or sign in with your account at that clinic.",
    ),
    "discovery": Reason(
        502, "BackPath could not read the EHR's SMART configuration",
        "The EHR's server did not answer as a SMART server should. Try again in a few "
        "minutes; if it keeps happening, tell your clinic lead.",
    ),
    "unsupported": Reason(
        502, "The EHR's sign-in service does not offer what BackPath needs",
        "BackPath needs the authorization-code flow with PKCE (S256) and a client secret. Tell "
        "your clinic lead, who can take it up with the EHR's team.",
    ),
    "bad_state": Reason(
        400, "This launch cannot be finished",
        "The answer from the EHR does not belong to a launch started in this browser, or it "
        "was used already. Open BackPath again from the EHR.",
    ),
    "expired": Reason(
        400, "This launch took too long",
        "A launch must be finished within a few minutes. Open BackPath again from the EHR.",
    ),
    "wrong_user": Reason(
        403, "This launch was started by someone else",
        "The launch was started while another person was signed in to BackPath in this "
        "browser. Open BackPath again from the EHR.",
    ),
    "ehr_declined": Reason(
        400, "The EHR did not give BackPath access",
        "The EHR's sign-in service declined the request. Open BackPath again from the EHR; if "
        "it keeps happening, tell your clinic lead.",
    ),
    "token": Reason(
        502, "The EHR refused to give BackPath access",
        "BackPath could not exchange the EHR's answer for access to the patient's record. Try "
        "again from the EHR; if it keeps happening, tell your clinic lead (the client id or "
        "secret may be out of date).",
    ),
    "id_token": Reason(
        502, "The EHR's sign-in answer could not be verified",
        "The identity token the EHR sent is not signed as its published keys say. Nothing was "
        "opened. Tell your clinic lead.",
    ),
    "no_patient": Reason(
        502, "The EHR did not say which patient to open",
        "Open BackPath from a patient's record in the EHR.",
    ),
    "patient_fetch": Reason(
        502, "BackPath could not read the patient from the EHR",
        "Try again from the EHR; if it keeps happening, tell your clinic lead.",
    ),
    "patient_unusable": Reason(
        422, "The EHR's patient record lacks what BackPath needs",
        "Nothing was opened or created. Add the patient in BackPath by hand, or complete the "
        "record in the EHR and open BackPath again.",
    ),
    "ambiguous": Reason(
        409, "More than one BackPath patient matches",
        "The EHR's identifiers for this patient name more than one patient in BackPath, so "
        "nothing was opened. Find the patient in BackPath's patient list and ask your clinic "
        "lead to correct the duplicate identifiers.",
    ),
    "too_many": Reason(
        429, "Too many launches from this address",
        "Wait a minute, then open BackPath again from the EHR.",
    ),
    "ehr_inactive": Reason(
        400, "This EHR's registration was turned off",
        "The clinic lead deactivated this EHR's registration during the launch. Ask your "
        "clinic lead.",
    ),
}  # fmt: skip


Refused = LaunchRefused
"""A launch that cannot go on (``backpath.errors.LaunchRefused``): its ``reason`` is a key of
``REASONS``, which a test holds for every reason the launch raises."""
