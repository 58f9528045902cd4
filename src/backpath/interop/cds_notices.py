"""What BackPath could not read or check, said on the cards: a prefetch key that is unknown
(an OperationOutcome, or none of its resources readable), resources left out as invalid, a
searchset holding only part of its matches, medicines not recognised, and the red-flag
questions a medicine on record should prompt. Never read as "nothing to say"."""

from __future__ import annotations

import re

from backpath.instruments import red_flags
from backpath.interop.cds_prefetch import FETCHED_MEDICATIONS
from backpath.interop.cds_reading import Reading, code_text
from backpath.interop.cds_values import faults_text
from backpath.reports.citations import markdown

MAX_LISTED = 10
UNREADABLE = {
    "conditions": "conditions could not be read from the EHR: red flags and conditions on "
    "record were not checked",
    "observations": "observations could not be read from the EHR: a STarT Back result on "
    "record may be missing",
    "medications": "medicines (MedicationRequest) could not be read from the EHR: interaction "
    "checks were not done",
    "medicationStatements": "medicines (MedicationStatement) could not be read from the EHR: "
    "interaction checks were not done for them",
    "questionnaireResponses": "questionnaire responses could not be read from the EHR: "
    "BackPath's red-flag screen and scores on record were not checked",
}
"""Prefetch key -> what is not known when the EHR answered it with an OperationOutcome, or
none of its resources could be read."""
PARTLY_UNREADABLE = {
    "conditions": ("conditions", "red flags in {it} were not checked, nor medicines against {it}"),
    "observations": ("observations", "a STarT Back result in {it} may be missing"),
    "medications": (
        "medicine orders (MedicationRequest)",
        "the medicines in {it} were not checked for interactions",
    ),
    "medicationStatements": (
        "medicine statements (MedicationStatement)",
        "the medicines in {it} were not checked for interactions",
    ),
    "questionnaireResponses": (
        "questionnaire responses",
        "BackPath's red-flag screen and scores in {it} were not checked",
    ),
    FETCHED_MEDICATIONS: (
        "Medications fetched by reference",
        "the medicines that refer to {it} are listed as not recognised",
    ),
}
"""Prefetch key -> (what its resources are, what was not checked) when some of them could not
be read."""
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~])")


def md(text: str) -> str:
    """Text from the EHR, escaped so that it shows as written and cannot inject links."""
    return _MARKDOWN.sub(r"\\\1", " ".join(text.split()))


def flag_label(flag_id: str) -> str:
    items = {item.id: item.label for item in red_flags.definition().items}
    return items.get(flag_id, flag_id.replace("_", " "))


def _unreadable_lines(reading: Reading) -> list[str]:
    """One line per key some of whose resources were left out as not valid FHIR R4."""
    lines = []
    for key in dict.fromkeys(u.key for u in reading.unreadable):
        faults = [u for u in reading.unreadable if u.key == key]
        what, missed = PARTLY_UNREADABLE.get(key, (f"{key} resources", "{it} were not checked"))
        it = "it" if len(faults) == 1 else "them"
        lines.append(
            f"**{len(faults)} of the EHR's {what} could not be read** "
            f"({md(faults_text(faults))}): {missed.format(it=it)}."
        )
    return lines


def notice_lines(reading: Reading) -> list[str]:
    """What BackPath could not read or check, and the questions medicines should prompt."""
    lines = [
        f"**Not checked: {UNREADABLE.get(key, f'{key} could not be read from the EHR')}** "
        f"({md(why)})."
        for key, why in reading.unknown.items()
    ]
    lines += _unreadable_lines(reading)
    for key, how in reading.partial.items():
        what, missed = PARTLY_UNREADABLE.get(key, (f"{key} resources", "{it} were not checked"))
        lines.append(
            f"**Only part of the EHR's {what} was sent** ({md(how)}): "
            f"{missed.format(it='the rest')}."
        )
    unknown = reading.unrecognised
    if unknown:
        shown = "; ".join(md(m.described()) for m in unknown[:MAX_LISTED])
        more = f"; and {len(unknown) - MAX_LISTED} more" if len(unknown) > MAX_LISTED else ""
        lines.append(
            f"**Medicines BackPath did not recognise ({len(unknown)})**, so they were not "
            f"checked for interactions or against the person's conditions: {shown}{more}."
        )
    screen = red_flags.definition()
    asked: set[str] = set()
    for medicine in reading.medicines:
        for ingredient in medicine.ingredients:
            for flag in ingredient.ask_about:
                if flag in asked:
                    continue
                asked.add(flag)
                coded = f" ({code_text(medicine.matched)})" if medicine.matched else ""
                lines.append(
                    f"**Ask: {flag_label(flag).lower()}?** {md(medicine.label())}{coded} is "
                    f"a {', '.join(ingredient.class_labels)} on record. If so, record it in "
                    "BackPath's red-flag screen, which weighs it with the rest of the history. "
                    f"Sources: {markdown(screen.scoring.flags[flag].sources)}."
                )
    return lines


def notice_summary(reading: Reading) -> str:
    """A short prefix for the info card's summary, or ``""``."""
    parts = []
    if reading.unknown:
        parts.append("EHR data unreadable: " + ", ".join(reading.unknown))
    if reading.partial:
        parts.append("EHR data partly sent: " + ", ".join(reading.partial))
    if reading.unreadable:
        count = len(reading.unreadable)
        parts.append(f"{count} EHR resource{'s' if count > 1 else ''} unreadable")
    if reading.unrecognised:
        count = len(reading.unrecognised)
        parts.append(f"{count} medicine{'s' if count > 1 else ''} not recognised")
    return "; ".join(parts)
