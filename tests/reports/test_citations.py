"""Citations: every cited id resolves to its sources.yaml entry, or shows as it is."""

from __future__ import annotations

from backpath.engine.stored_plan import read_stored_plan
from backpath.knowledge import load_knowledge
from backpath.reports.citations import citation, citations, markdown, plan_source_ids
from tests.conftest import make_intake
from tests.engine.builders import plan_of


def test_a_known_source_gives_its_short_and_full_citation_and_link() -> None:
    source = next(s for s in load_knowledge().sources.values() if s.href and s.published_in)
    c = citation(source.id)
    assert c.short.endswith(str(source.year)) and c.short.split()[0] in source.authors
    assert c.full.startswith(f"{source.authors} ({source.year}). {source.title}.")
    assert source.published_in in c.full and c.href == source.href
    assert markdown([source.id]) == f"[{source.id}]({source.href})"


def test_an_unknown_id_is_shown_as_it_is_never_dropped() -> None:
    c = citation("not_a_source")
    assert (c.short, c.full, c.href) == ("not_a_source", "not_a_source", "")
    assert markdown(["not_a_source"]) == "not_a_source"


def test_each_source_is_listed_once_in_first_cited_order() -> None:
    ids = list(load_knowledge().sources)[:3]
    assert [c.id for c in citations([ids[1], ids[0], ids[1], ids[2]])] == [ids[1], ids[0], ids[2]]


def test_a_plan_cites_its_items_and_its_home_program() -> None:
    plan = plan_of(make_intake())
    ids = plan_source_ids(read_stored_plan(plan))
    assert len(ids) == len(set(ids))
    for item in (*plan["recommended"], *plan["not_recommended"]):
        assert set(item["sources"]) <= set(ids)
    program = plan.get("home_program")
    assert program, "the example intake gets a home program"
    for exercise in program["exercises"]:
        assert set(exercise["sources"]) <= set(ids)
