"""The plan tab's two long sections, the recommended items and the left-out options, built on
first use: a view served from the fragment cache (``key``) never builds them.

They change only with the version (its number and working-draft revision), the intake the
edit checks read, and whether the version may still be edited, so those make the key; the
summary, the alerts and the draft bar around them are rendered fresh on every request.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from backpath.engine.plan_edits import Facts
from backpath.web.patients.models import Episode, Intake
from backpath.web.plans import display, summary, versions
from backpath.web.plans.models import PlanVersion


class Sections:
    def __init__(
        self,
        episode: Episode,
        version: PlanVersion,
        *,
        editable: bool,
        editing: str = "",
        bound: dict[str, Any] | None = None,
        changed: str = "",
    ) -> None:
        self.episode, self.version, self.editable = episode, version, editable
        self.editing, self.bound, self.changed = editing, bound or {}, changed

    @property
    def cacheable(self) -> bool:
        """Only the plain view is cached: an open form or a just-saved change is not."""
        return not (self.editing or self.bound or self.changed)

    @property
    def key(self) -> str:
        v = self.version
        try:
            intake = self.episode.intake.updated.timestamp() if self.editable else 0
        except Intake.DoesNotExist:
            intake = 0
        return f"{v.pk}.{v.created.timestamp()}.{v.revision}.{int(self.editable)}.{intake}"

    @cached_property
    def _built(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
        plan = self.version.document
        facts = versions.facts_for(self.episode) if self.editable else Facts()
        left_out = display.left_out(plan, facts)
        lines = display.lines(plan)
        focus = {self.editing, self.bound.get("treatment")} - {"", None}
        for line in lines:
            for item in line["items"]:
                for one in (item, *item["alternatives"]):
                    if one["treatment"] in focus:
                        one["editing"], one["bound"] = True, self.bound
        for item in left_out:
            if item["treatment"] in focus:
                item["editing"], item["bound"] = True, self.bound
        groups = summary.left_out_groups(left_out)
        opened = focus | {self.changed}
        for group in groups:
            group["open"] = any(i["treatment"] in opened for i in group["items"])
        return lines, groups, len(left_out)

    @property
    def lines(self) -> list[dict[str, Any]]:
        return self._built[0]

    @property
    def left_out_groups(self) -> list[dict[str, Any]]:
        return self._built[1]

    @property
    def left_out_count(self) -> int:
        return self._built[2]

    def find(self, treatment: str) -> dict[str, Any] | None:
        """One item (recommended, an alternative, or left out) as the templates see it."""
        for line in self.lines:
            for item in line["items"]:
                for one in (item, *item["alternatives"]):
                    if one["treatment"] == treatment:
                        return dict(one)
        for group in self.left_out_groups:
            for item in group["items"]:
                if item["treatment"] == treatment:
                    return dict(item)
        return None
