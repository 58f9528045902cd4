"""What the id of a resource of a patient's record names: its patient, and the episode (and
plan version) or the diary row it was built from.

The ids are the ones ``backpath.interop.fhir_export.everything_resources`` gives (read its
docstring): ``12`` the Patient; ``12-ep5-<part>`` a resource of episode 5 (``12-ep5-careplan-v3``
its plan version 3); ``12-diary-301-nrs`` the score of diary row 301. They are stable as long
as the row exists. An id names rows only: whether the caller may see them, and whether they
belong together, is checked against the database on every read (``records.find``), so an id
of another clinic's record answers exactly like one that never existed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KEY = r"[1-9][0-9]{0,17}"
"""A primary key as text; longer numbers cannot exist (and would overflow the database)."""
PATIENT_ID = re.compile(KEY)
RECORD_ID = re.compile(
    rf"(?P<patient>{KEY})-(?:ep(?P<episode>{KEY})-(?P<part>[A-Za-z0-9.-]+)"
    rf"|diary-(?P<diary>{KEY})-(?P<kind>[a-z]+))",
    re.ASCII,
)
PLAN_PART = re.compile(rf"careplan-v(?P<number>{KEY})", re.ASCII)


@dataclass(frozen=True)
class RecordId:
    patient: int
    episode: int | None = None
    plan_number: int | None = None
    diary: int | None = None


def parse(resource_id: str) -> RecordId | None:
    """The rows ``resource_id`` names, or None when it is not an id of a patient's record."""
    if PATIENT_ID.fullmatch(resource_id):
        return RecordId(patient=int(resource_id))
    found = RECORD_ID.fullmatch(resource_id)
    if found is None:
        return None
    patient = int(found["patient"])
    if found["diary"] is not None:
        return RecordId(patient=patient, diary=int(found["diary"]))
    plan = PLAN_PART.fullmatch(found["part"])
    number = int(plan["number"]) if plan else None
    return RecordId(patient=patient, episode=int(found["episode"]), plan_number=number)
