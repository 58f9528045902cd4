"""The values of the FHIR R4 search parameters BackPath's server reads, parsed as the
specification's search page defines them (no Django; the web layer maps errors to a 400).

- Dates (``_lastUpdated``): ``[prefix]YYYY[-MM[-DD[Thh:mm[:ss[.fff]][Z|+hh:mm]]]]``. A value
  stands for the whole range its precision implies (``2026-01`` is all of January), and
  the prefix compares that range with the resource's instant:
  ``eq`` (default) inside it, ``ge`` from its start on, ``le`` before its end, ``gt`` from its
  end on, ``lt`` before its start. A value without a time zone is read in ``default_zone``.
  ``ne``, ``sa``, ``eb`` and ``ap`` are refused (400), not guessed.
- Tokens (``identifier``): ``system|value`` with the escapes ``\\|``, ``\\,``, ``\\$`` and
  ``\\\\``; BackPath matches an identifier on both parts, so both are required.
- Canonicals (``url``): ``<url>`` or ``<url>|<version>``.
- References (``patient``): ``12``, ``Patient/12`` or ``<base>/Patient/12``.
- ``_count``: a whole number; above the server's maximum it is lowered to it (the
  specification lets a server return fewer than asked).

Every error is ``InvalidInput`` whose field is the parameter's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from backpath.errors import InvalidInput

DATE_PREFIXES = ("eq", "ge", "gt", "le", "lt")
UNSUPPORTED_PREFIXES = ("ne", "sa", "eb", "ap")
DATE_VALUE = re.compile(
    r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
    r"(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,9}))?)?"
    r"(?P<zone>Z|[+-]\d{2}:\d{2})?)?)?)?",
    re.ASCII,
)
DATE_FORM = (
    "give [prefix]YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.fff]][Z|+hh:mm], "
    f"prefix one of {', '.join(DATE_PREFIXES)}"
)
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


@dataclass(frozen=True)
class DateRange:
    """The instants ``start <= t < end`` that a date search value stands for."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class DateCondition:
    prefix: str
    range: DateRange

    def matches(self, instant: datetime) -> bool:
        """Whether a resource's instant (e.g. ``meta.lastUpdated``) meets the condition."""
        start, end = self.range.start, self.range.end
        return {
            "eq": start <= instant < end,
            "ge": instant >= start,
            "gt": instant >= end,
            "le": instant < end,
            "lt": instant < start,
        }[self.prefix]


def _zone(text: str | None, default_zone: tzinfo) -> tzinfo:
    if text is None:
        return default_zone
    if text == "Z":
        return UTC
    sign = 1 if text[0] == "+" else -1
    hours, minutes = int(text[1:3]), int(text[4:6])
    if hours > 14 or minutes > 59:
        raise ValueError("time zone out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _next_month(moment: datetime, months: int) -> datetime:
    index = moment.month - 1 + months
    return moment.replace(year=moment.year + index // 12, month=index % 12 + 1)


def date_range(text: str, default_zone: tzinfo = UTC) -> DateRange:
    """The range a date or dateTime search value (without prefix) stands for.

    Raises ``ValueError`` when the text is not such a value or names no real date.
    """
    found = DATE_VALUE.fullmatch(text)
    if found is None:
        raise ValueError("not a date")
    parts = found.groupdict()
    zone = _zone(parts["zone"], default_zone)
    year = int(parts["year"])
    month, day = int(parts["month"] or 1), int(parts["day"] or 1)
    hour, minute = int(parts["hour"] or 0), int(parts["minute"] or 0)
    second = int(parts["second"] or 0)
    fraction = parts["fraction"] or ""
    micro = int((fraction + "000000")[:6])
    start = datetime(year, month, day, hour, minute, second, micro, tzinfo=zone)
    try:
        if parts["month"] is None:
            end = start.replace(year=year + 1)
        elif parts["day"] is None:
            end = _next_month(start, 1)
        elif parts["hour"] is None:
            end = start + timedelta(days=1)
        elif parts["second"] is None:
            end = start + timedelta(minutes=1)
        elif not fraction:
            end = start + timedelta(seconds=1)
        else:
            end = start + timedelta(microseconds=10 ** max(0, 6 - len(fraction)))
    except (OverflowError, ValueError):  # the range ends past year 9999
        end = datetime.max.replace(tzinfo=UTC)
    return DateRange(start, end)


def date_condition(param: str, raw: str, default_zone: tzinfo = UTC) -> DateCondition:
    """``raw`` (e.g. ``ge2026-01-05``) as a condition; ``InvalidInput`` names ``param``."""
    value = raw.strip()
    prefix = value[:2] if value[:2].isalpha() else "eq"
    if prefix in UNSUPPORTED_PREFIXES:
        raise InvalidInput(param, f"the prefix {prefix!r} is not supported; {DATE_FORM}.")
    if value[:2].isalpha():
        if prefix not in DATE_PREFIXES:
            raise InvalidInput(param, f"{raw[:40]!r} is not a date; {DATE_FORM}.")
        value = value[2:]
    try:
        return DateCondition(prefix, date_range(value, default_zone))
    except ValueError:
        raise InvalidInput(param, f"{raw[:40]!r} is not a date; {DATE_FORM}.") from None


def split_unescaped(text: str, separator: str) -> list[str]:
    """``text`` split on ``separator`` where it is not escaped by a backslash, with the
    search escapes (``\\|``, ``\\,``, ``\\$``, ``\\\\``) undone in each part."""
    parts, current, escaped = [], [], False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if escaped:
        current.append("\\")
    parts.append("".join(current))
    return parts


def identifier_token(param: str, raw: str) -> tuple[str, str]:
    """``system|value`` as ``(system, value)``; ``InvalidInput`` names ``param``."""
    usage = "give one system|value, e.g. http://hospital.example/mrn|12345"
    if len(split_unescaped(raw, ",")) > 1:
        raise InvalidInput(param, f"one identifier at a time; {usage}.")
    parts = split_unescaped(raw, "|")
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        raise InvalidInput(param, f"the system and the value are both needed; {usage}.")
    return parts[0].strip(), parts[1].strip()


def canonical(param: str, raw: str) -> tuple[str, str | None]:
    """``url`` or ``url|version`` as ``(url, version or None)``."""
    url, bar, version = raw.strip().rpartition("|")
    if not bar:
        url, version = raw.strip(), ""
    if not url or (bar and not version):
        raise InvalidInput(param, "give a canonical URL, optionally with |version.")
    return url, version or None


def reference_id(param: str, raw: str, resource_type: str, base_url: str) -> str:
    """The id in a reference search value (``12``, ``Type/12`` or ``<base>/Type/12``)."""
    value = raw.strip().removeprefix(f"{base_url}/").removeprefix(f"{resource_type}/")
    if not FHIR_ID.fullmatch(value):
        raise InvalidInput(
            param,
            f"{raw[:64]!r} is not valid; give one {resource_type} id, such as 12 or "
            f"{resource_type}/12.",
        )
    return value


def page_size(param: str, raw: str | None, default: int, maximum: int) -> int:
    """``_count`` as a number from 0 (only the total) to ``maximum``; absent: ``default``."""
    if raw is None:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", raw.strip()):
        raise InvalidInput(param, f"{raw[:20]!r} is not a whole number from 0 to {maximum}.")
    return min(int(raw.strip()), maximum)
