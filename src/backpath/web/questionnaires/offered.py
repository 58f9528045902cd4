"""Which questionnaires can be sent, as this deployment's licences allow
(``settings.BACKPATH_INSTRUMENTS_OFF``): one turned off is replaced by its free alternative
(``instruments.usable``), or left out when it has none."""

from __future__ import annotations

from django.conf import settings

from backpath import instruments

SENDABLE: dict[str, str] = {
    "basics": "About your back pain (how long, where, how bad)",
    "red_flags": "Warning signs",
    "startback": "STarT Back screening tool",
    "odi": "Oswestry Disability Index",
    "rmdq": "Roland-Morris Disability Questionnaire",
    "peg": "PEG (pain and its effect on life)",
}
DEFAULTS = {"intake": ("basics", "red_flags", "startback", "odi", "peg"),
            "review": ("odi", "peg"), "discharge": ("odi", "peg")}  # fmt: skip


def turned_off() -> frozenset[str]:
    return frozenset(getattr(settings, "BACKPATH_INSTRUMENTS_OFF", frozenset()))


def allowed(ids: tuple[str, ...] | list[str]) -> list[str]:
    """``ids`` with each unlicensed instrument replaced or dropped, without repeats, in order."""
    off = turned_off()
    out: list[str] = []
    for i in ids:
        use = i if i == "basics" else instruments.usable(i, off)
        if use is not None and use not in out:
            out.append(use)
    return out


def choices() -> list[tuple[str, str]]:
    off = turned_off()
    return [(k, v) for k, v in SENDABLE.items() if k not in off]


def notice(instrument: str) -> str:
    """The instrument's copyright notice, shown wherever it is shown ('' for the basics)."""
    return "" if instrument == "basics" else instruments.definition(instrument).licence.notice
