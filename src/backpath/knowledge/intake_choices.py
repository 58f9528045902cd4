"""The intake's choice lists in words (``data/intake_choices.yaml``), checked against the
intake contract's values: the clinic intake and the public self-check offer the same choices
in the same words, and a value the contract adds cannot go unworded."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from backpath import contract
from backpath.errors import KnowledgeBaseError
from backpath.knowledge.models import Text
from backpath.knowledge.yaml_files import read_yaml, validate

FILE = "intake_choices.yaml"
Words = Annotated[str, Field(min_length=1, pattern=r"\S")]
"""A choice's words: short ones ("No", "Low") are fine, blank is not."""
ListName = Literal["region", "leg_pain", "suspected_cause", "avoid", "budget", "prior_response"]


class ChoiceList(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    question: Text
    choices: dict[str, Words]

    def pairs(self) -> list[tuple[str, str]]:
        """(value, words) in the file's order, as a form's ``choices``."""
        return list(self.choices.items())


class IntakeChoices(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    region: ChoiceList
    leg_pain: ChoiceList
    suspected_cause: ChoiceList
    avoid: ChoiceList
    budget: ChoiceList
    prior_response: ChoiceList


def contract_values() -> dict[ListName, tuple[str, ...]]:
    """Each list's values as the intake contract allows them."""
    props = contract.schema("intake")["properties"]
    episode, preferences = props["episode"]["properties"], props["preferences"]["properties"]
    prior = props["prior_treatments"]["items"]["properties"]
    enums: dict[ListName, Any] = {
        "region": episode["region"]["enum"],
        "leg_pain": episode["leg_pain"]["enum"],
        "suspected_cause": episode["suspected_cause"]["enum"],
        "avoid": preferences["avoid"]["items"]["enum"],
        "budget": preferences["budget"]["enum"],
        "prior_response": prior["response"]["enum"],
    }
    return {name: tuple(values) for name, values in enums.items()}


@cache
def intake_choices() -> IntakeChoices:
    """The choice lists, validated once per process.

    Raises:
        KnowledgeBaseError: the file does not fit, or a list's values are not the contract's.
    """
    return choices_from(
        read_yaml(resources.files("backpath.knowledge").joinpath("data", FILE), FILE)
    )


def choices_from(data: Any) -> IntakeChoices:
    """Validate parsed ``intake_choices.yaml`` against its schema and the contract's values."""
    loaded = validate(IntakeChoices, data, FILE)
    for name, values in contract_values().items():
        worded = tuple(getattr(loaded, name).choices)
        if set(worded) != set(values):
            missing = ", ".join(v for v in values if v not in worded) or "none"
            extra = ", ".join(v for v in worded if v not in values) or "none"
            raise KnowledgeBaseError(
                FILE, f"{name}.choices", f"must word exactly the contract's values "
                f"(missing: {missing}; not in the contract: {extra})",
            )  # fmt: skip
    return loaded
