"""The intake's choice lists word exactly the contract's values, no more and no fewer."""

from __future__ import annotations

import copy

import pytest

from backpath.errors import KnowledgeBaseError
from backpath.knowledge.intake_choices import choices_from, contract_values, intake_choices


def test_every_contract_value_has_words() -> None:
    loaded = intake_choices()
    for name, values in contract_values().items():
        assert list(getattr(loaded, name).choices) == list(values), name


def _data() -> dict:  # type: ignore[type-arg]
    return {name: getattr(intake_choices(), name).model_dump() for name in contract_values()}


def test_a_list_missing_a_contract_value_is_refused_naming_it() -> None:
    data = copy.deepcopy(_data())
    del data["leg_pain"]["choices"]["below_knee"]
    with pytest.raises(KnowledgeBaseError, match=r"leg_pain\.choices: .*missing: below_knee"):
        choices_from(data)


def test_a_value_the_contract_does_not_know_is_refused() -> None:
    data = copy.deepcopy(_data())
    data["budget"]["choices"]["unlimited"] = "Unlimited"
    with pytest.raises(KnowledgeBaseError, match="not in the contract: unlimited"):
        choices_from(data)


def test_blank_words_are_refused() -> None:
    data = copy.deepcopy(_data())
    data["region"]["choices"]["low_back"] = " "
    with pytest.raises(KnowledgeBaseError, match=r"region\.choices\.low_back"):
        choices_from(data)
