"""FHIR search values (``backpath.interop.fhir_search``) and resource versions
(``backpath.interop.resource_versions``), without a server."""

from __future__ import annotations

import datetime as dt

import pytest
from fhir.resources.R4B.meta import Meta
from fhir.resources.R4B.patient import Patient
from hypothesis import given
from hypothesis import strategies as st

from backpath.errors import InvalidInput
from backpath.interop.fhir_search import (
    DateCondition,
    canonical,
    date_condition,
    date_range,
    identifier_token,
    page_size,
    reference_id,
)
from backpath.interop.resource_versions import version_id, with_meta

UTC = dt.UTC
PARIS = dt.timezone(dt.timedelta(hours=1))


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026", dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2027, 1, 1, tzinfo=UTC)),
        ("2026-12", dt.datetime(2026, 12, 1, tzinfo=UTC), dt.datetime(2027, 1, 1, tzinfo=UTC)),
        ("2024-02-29", dt.datetime(2024, 2, 29, tzinfo=UTC), dt.datetime(2024, 3, 1, tzinfo=UTC)),
        (
            "2026-01-05T10:30Z",
            dt.datetime(2026, 1, 5, 10, 30, tzinfo=UTC),
            dt.datetime(2026, 1, 5, 10, 31, tzinfo=UTC),
        ),
        (
            "2026-01-05T10:30:15+01:00",
            dt.datetime(2026, 1, 5, 9, 30, 15, tzinfo=UTC),
            dt.datetime(2026, 1, 5, 9, 30, 16, tzinfo=UTC),
        ),
        (
            "2026-01-05T10:30:15.25Z",
            dt.datetime(2026, 1, 5, 10, 30, 15, 250000, tzinfo=UTC),
            dt.datetime(2026, 1, 5, 10, 30, 15, 260000, tzinfo=UTC),
        ),
        ("9999", dt.datetime(9999, 1, 1, tzinfo=UTC), dt.datetime.max.replace(tzinfo=UTC)),
    ],
)
def test_a_date_stands_for_the_range_its_precision_implies(
    text: str, start: dt.datetime, end: dt.datetime
) -> None:
    found = date_range(text)
    assert (found.start, found.end) == (start, end)


def test_a_value_without_a_zone_is_read_in_the_default_one() -> None:
    found = date_range("2026-01-05", PARIS)
    assert found.start == dt.datetime(2026, 1, 4, 23, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    ["ne2026", "sa2026", "eb2026", "ap2026", "xx2026", "26", "2026-1", "2026-02-30", "2026-00",
     "2026-01-05T24:00Z", "2026-01-05T10:60Z", "2026-01-05T10:00+15:00", "2026-01-05 10:00",
     "", "ge", "２０２６"],
)  # fmt: skip
def test_what_is_no_date_is_refused_naming_the_parameter(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        date_condition("_lastUpdated", text)
    assert caught.value.field == "_lastUpdated" and "prefix one of eq, ge, gt, le, lt" in (
        caught.value.message
    )


instants = st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2040, 1, 1), timezones=st.just(UTC)
)
values = st.sampled_from(
    ["2026", "2026-03", "2026-03-02", "2026-03-02T10:00Z", "2026-03-02T10:00:30Z",
     "2026-03-02T10:00:30.5+02:00", "2010-12-31T23:59:59.999999Z"]
)  # fmt: skip


@given(instant=instants, value=values)
def test_the_prefixes_split_time_around_the_range(instant: dt.datetime, value: str) -> None:
    """Before, inside or after the range: exactly one; ge, le agree with them."""
    holds = {p: date_condition("_lastUpdated", p + value).matches(instant) for p in
             ("lt", "eq", "gt", "ge", "le")}  # fmt: skip
    assert [holds["lt"], holds["eq"], holds["gt"]].count(True) == 1
    assert holds["ge"] == (holds["eq"] or holds["gt"])
    assert holds["le"] == (holds["eq"] or holds["lt"])
    assert date_condition("_lastUpdated", value).matches(instant) == holds["eq"]


def test_a_condition_reads_its_prefix() -> None:
    found = date_condition("_lastUpdated", "gt2026-01-05")
    assert isinstance(found, DateCondition) and found.prefix == "gt"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("http://ehr.example/mrn|884", ("http://ehr.example/mrn", "884")),
        ("urn:oid:1.2.3| 7 ", ("urn:oid:1.2.3", "7")),
        ("s|a\\|b", ("s", "a|b")),
        ("s|a\\,b", ("s", "a,b")),
        ("s|a\\\\", ("s", "a\\")),
    ],
)
def test_an_identifier_token_is_system_and_value(raw: str, expected: tuple[str, str]) -> None:
    assert identifier_token("identifier", raw) == expected


@pytest.mark.parametrize("raw", ["884", "|884", "s|", "s|1|2", "s|1,s|2", ""])
def test_an_identifier_needs_exactly_a_system_and_a_value(raw: str) -> None:
    with pytest.raises(InvalidInput, match="identifier"):
        identifier_token("identifier", raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://x.example/Questionnaire/odi", ("https://x.example/Questionnaire/odi", None)),
        (
            "https://x.example/Questionnaire/odi|2.1a",
            ("https://x.example/Questionnaire/odi", "2.1a"),
        ),
    ],
)
def test_a_canonical_may_carry_a_version(raw: str, expected: tuple[str, str | None]) -> None:
    assert canonical("url", raw) == expected


@pytest.mark.parametrize("raw", ["", "|", "https://x.example/q|"])
def test_a_canonical_needs_a_url(raw: str) -> None:
    with pytest.raises(InvalidInput, match="url"):
        canonical("url", raw)


@pytest.mark.parametrize("raw", ["12", "Patient/12", "http://s/fhir/Patient/12"])
def test_a_reference_gives_its_id(raw: str) -> None:
    assert reference_id("patient", raw, "Patient", "http://s/fhir") == "12"


@pytest.mark.parametrize(
    ("raw", "expected"), [(None, 100), ("0", 0), ("7", 7), ("500", 500), ("501", 500)]
)
def test_a_page_size_is_bounded(raw: str | None, expected: int) -> None:
    assert page_size("_count", raw, 100, 500) == expected


@pytest.mark.parametrize("raw", ["-1", "1.0", "x", "", "٣", "1234567890"])
def test_a_page_size_is_a_whole_number(raw: str) -> None:
    with pytest.raises(InvalidInput, match="_count"):
        page_size("_count", raw, 100, 500)


def test_a_version_id_is_a_digest_of_the_content_only() -> None:
    one = Patient(id="1", gender="female")
    same = Patient(id="1", gender="female", meta=Meta(versionId="x", source="http://s"))
    other = Patient(id="1", gender="male")
    assert version_id(one) == version_id(same) != version_id(other)
    assert len(version_id(one)) == 16


def test_meta_is_set_and_its_other_elements_kept() -> None:
    when = dt.datetime(2026, 1, 5, 9, tzinfo=UTC)
    served = with_meta(Patient(id="1", meta=Meta(source="http://s")), when)
    assert served.meta is not None
    assert (served.meta.source, served.meta.lastUpdated) == ("http://s", when)
    assert served.meta.versionId == version_id(Patient(id="1"))
    with pytest.raises(ValueError, match="time zone"):
        with_meta(Patient(id="1"), dt.datetime(2026, 1, 5))
