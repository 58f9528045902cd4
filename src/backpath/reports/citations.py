"""Citations as every output words them, written once: the plan page and its print, the
review page, the home program, the CLI and the CDS Hooks cards.

A source id resolves to its entry in ``sources.yaml``; an id the knowledge base does not know
is shown as it is (never dropped), so a citation can never silently disappear.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from backpath.engine.plan_models import Plan
from backpath.engine.stored_plan import StoredPlan
from backpath.knowledge import load_knowledge


@dataclass(frozen=True)
class Citation:
    id: str
    short: str
    """First author and year: 'Owen 2020' (inline, next to a statement)."""
    authors_year: str
    """Every author and the year (lists where several sources sit side by side)."""
    full: str
    """'Authors (year). Title. Journal.' (the reference list)."""
    title: str
    href: str
    """The DOI link, else the URL; '' when the source has neither."""


def citation(source_id: str) -> Citation:
    source = load_knowledge().sources.get(source_id)
    if source is None:
        return Citation(source_id, source_id, source_id, source_id, "", "")
    first_author = source.authors.split(";")[0].split(",")[0].strip()
    where = f" {source.published_in}." if source.published_in else ""
    return Citation(
        id=source_id,
        short=f"{first_author} {source.year}",
        authors_year=f"{source.authors} {source.year}",
        full=f"{source.authors} ({source.year}). {source.title}.{where}",
        title=source.title,
        href=source.href,
    )


def citations(source_ids: Iterable[str]) -> list[Citation]:
    """Each id once, in first-cited order."""
    return [citation(sid) for sid in dict.fromkeys(source_ids)]


def plan_source_ids(plan: Plan | StoredPlan) -> list[str]:
    """Every source a plan cites (its items, then its home program), once each."""
    ids: list[str] = []
    for item in (*plan.recommended, *plan.not_recommended):
        ids += item.sources
    program = plan.home_program
    if program is not None:
        ids += program.sources
        if program.walking_goal is not None:
            ids += program.walking_goal.sources
        for exercise in program.exercises:
            ids += exercise.sources
    return list(dict.fromkeys(ids))


def markdown(source_ids: Iterable[str]) -> str:
    """Source ids as Markdown links where the source can be linked (CDS Hooks cards)."""
    return ", ".join(
        f"[{c.id}]({c.href})" if c.href else c.id for c in (citation(s) for s in source_ids)
    )
