"""BackPath's ``intake_details`` questionnaire: intake facts no standard instrument holds.

Each item's ``linkId`` is the intake path it carries (``episode.duration_weeks``), so the
export writes answers from an intake and the import puts them back in the same place.
``prior_treatments`` is a repeating group, one group per prior treatment.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

FhirType = Literal["boolean", "decimal", "integer", "string", "group"]

_ANSWER_FIELDS = {
    "boolean": "valueBoolean",
    "decimal": "valueDecimal",
    "integer": "valueInteger",
    "string": "valueString",
    "group": "",
}


@dataclass(frozen=True)
class DetailItem:
    link_id: str
    text: str
    fhir_type: FhirType
    repeats: bool = False
    children: tuple[DetailItem, ...] = ()

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(self.link_id.split("."))

    @property
    def key(self) -> str:
        return self.path[-1]

    @property
    def answer_field(self) -> str:
        return _ANSWER_FIELDS[self.fhir_type]


DETAIL_ITEMS: tuple[DetailItem, ...] = (
    DetailItem("patient.pregnant", "Currently pregnant", "boolean"),
    DetailItem("patient.weight_kg", "Weight (kg)", "decimal"),
    DetailItem("patient.height_cm", "Height (cm)", "decimal"),
    DetailItem("episode.duration_weeks", "Weeks since this episode began", "decimal"),
    DetailItem("episode.region", "Region of the back", "string"),
    DetailItem("episode.leg_pain", "How far leg pain reaches", "string"),
    DetailItem("episode.suspected_cause", "Suspected cause", "string"),
    DetailItem("episode.prior_episodes", "Number of earlier episodes", "integer"),
    DetailItem("pain.nrs_week_average", "Average pain over the past week (0-10)", "integer"),
    DetailItem("preferences.avoid", "Kinds of care the person wants to avoid", "string", True),
    DetailItem("preferences.max_sessions_per_week", "Most sessions a week", "integer"),
    DetailItem("preferences.budget", "Budget", "string"),
    DetailItem(
        "prior_treatments",
        "Treatments tried before",
        "group",
        True,
        (
            DetailItem("prior_treatments.treatment", "Treatment id", "string"),
            DetailItem("prior_treatments.weeks", "Weeks tried", "decimal"),
            DetailItem("prior_treatments.response", "Response", "string"),
        ),
    ),
)


def _lookup(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = data
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def detail_values(intake: dict[str, Any]) -> Iterator[tuple[DetailItem, Any]]:
    """Items of ``DETAIL_ITEMS`` with a value in ``intake``, and that value."""
    for item in DETAIL_ITEMS:
        value = _lookup(intake, item.path)
        if value is None or (item.repeats and not value):
            continue
        yield item, value


def store(intake: dict[str, Any], item: DetailItem, value: Any) -> None:
    """Put ``value`` at the item's intake path, creating parent objects as needed."""
    node = intake
    for part in item.path[:-1]:
        node = node.setdefault(part, {})
    node[item.key] = value


def by_link_id() -> dict[str, DetailItem]:
    return {item.link_id: item for item in DETAIL_ITEMS}
