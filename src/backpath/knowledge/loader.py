"""Load, validate and cross-check the knowledge base.

Loaded once per process and cached; the result is immutable. Any problem raises
``KnowledgeBaseError`` naming the file and the field, so a bad edit fails loudly at start-up
rather than producing a subtly wrong plan.

Every clinical statement (a condition's plan note, the policy, everything on a treatment card
but its ``seed_claims``) may cite only sources whose kind is clinical evidence
(``CLINICAL_SOURCE_KINDS``): a health service's leaflet or a clinic's marketing page is refused
by ``check_citations``, which the exercise library uses too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from types import MappingProxyType
from typing import get_args

from backpath import contract
from backpath.errors import KnowledgeBaseError
from backpath.knowledge.models import PHASES, Category, Condition, Source, Treatment
from backpath.knowledge.policy import Policy
from backpath.knowledge.triage import TIMEFRAMES, Suspect, TriageRules
from backpath.knowledge.yaml_files import listed, read_yaml, unique_by_id, validate


@dataclass(frozen=True)
class KnowledgeBase:
    """The whole knowledge base. Mappings are read-only; treatments are in contract order."""

    sources: Mapping[str, Source]
    conditions: Mapping[str, Condition]
    treatments: Mapping[str, Treatment]
    policy: Policy
    triage: TriageRules

    def treatment(self, treatment_id: str) -> Treatment:
        return self.treatments[treatment_id]


def _data_dir() -> Traversable:
    return resources.files("backpath.knowledge").joinpath("data")


def load_from(data_dir: Traversable) -> KnowledgeBase:
    """Load and cross-check a knowledge base from ``data_dir`` (tests pass broken copies)."""
    label = "sources.yaml"
    raw = listed(read_yaml(data_dir.joinpath(label), label), "sources", label)
    sources = unique_by_id(
        [validate(Source, s, label, f"sources[{i}]") for i, s in enumerate(raw)], label, "sources"
    )

    label = "conditions.yaml"
    raw = listed(read_yaml(data_dir.joinpath(label), label), "conditions", label)
    conditions = unique_by_id(
        [validate(Condition, c, label, f"conditions[{i}]") for i, c in enumerate(raw)],
        label,
        "conditions",
    )
    for tag in contract.condition_tags():
        if tag not in conditions:
            raise KnowledgeBaseError(label, "conditions", f"contract tag '{tag}' is not described")
    check_citations(sorted({s for c in conditions.values() for s in c.sources}), sources, label)

    label = "policy.yaml"
    policy = validate(Policy, read_yaml(data_dir.joinpath(label), label), label)
    check_citations(sorted(policy.source_ids()), sources, label)

    treatments: dict[str, Treatment] = {}
    folder = data_dir.joinpath("treatments")
    known_files = {f.name for f in folder.iterdir() if f.name.endswith(".yaml")}
    for tid in contract.treatment_ids():
        label = f"treatments/{tid}.yaml"
        if f"{tid}.yaml" not in known_files:
            raise KnowledgeBaseError(label, "", "file is missing for a contract treatment id")
        treatment = validate(Treatment, read_yaml(folder.joinpath(f"{tid}.yaml"), label), label)
        if treatment.id != tid:
            raise KnowledgeBaseError(label, "id", f"is '{treatment.id}', expected '{tid}'")
        _check_treatment(treatment, sources, conditions, label)
        treatments[tid] = treatment
    extra = known_files - {f"{t}.yaml" for t in treatments}
    if extra:
        raise KnowledgeBaseError(
            f"treatments/{sorted(extra)[0]}", "", "not a contract treatment id"
        )

    triage = _load_triage(data_dir, sources, conditions)
    return KnowledgeBase(
        sources=MappingProxyType(sources),
        conditions=MappingProxyType(conditions),
        treatments=MappingProxyType(treatments),
        policy=policy,
        triage=triage,
    )


def check_citations(
    ids: Iterable[str], sources: Mapping[str, Source], label: str, field: str = "sources"
) -> None:
    """Raise ``KnowledgeBaseError`` for the first id that is not in ``sources``, or whose
    source is not clinical evidence (a clinical statement never cites such a page)."""
    for source_id in ids:
        source = sources.get(source_id)
        if source is None:
            raise KnowledgeBaseError(label, field, f"unknown source id '{source_id}'")
        if not source.clinical:
            raise KnowledgeBaseError(
                label,
                field,
                f"'{source_id}' is {source.kind.replace('_', ' ')}, not clinical evidence; "
                "cite a guideline, review or trial",
            )


def _check_sources(ids: set[str], sources: Mapping[str, Source], label: str) -> None:
    unknown = sorted(ids - sources.keys())
    if unknown:
        raise KnowledgeBaseError(label, "sources", f"unknown source id '{unknown[0]}'")


def _check_treatment(
    t: Treatment, sources: Mapping[str, Source], conditions: Mapping[str, Condition], label: str
) -> None:
    ids = t.source_ids()
    if not ids:
        raise KnowledgeBaseError(label, "", "cites no source")
    _check_sources(ids, sources, label)
    check_citations(sorted(t.clinical_source_ids()), sources, label)
    for i, c in enumerate(t.contraindications):
        for tag in (c.condition, *c.also):
            if tag not in conditions:
                field = "condition" if tag == c.condition else "also"
                raise KnowledgeBaseError(
                    label, f"contraindications[{i}].{field}", f"unknown condition tag '{tag}'"
                )
    if t.category == Category.interventional and (t.indication is None or not t.indication.phases):
        raise KnowledgeBaseError(
            label, "indication.phases", "a procedure needs an indication with its phases"
        )
    for phase in PHASES:
        for key in ("acp2017", "nice_ng59", "who2023"):
            verdict = getattr(t.guidelines, key).for_phase(phase)
            steps = verdict.after_failed.steps if verdict.after_failed else []
            unknown = [x for step in steps for x in step if x not in contract.treatment_ids()]
            if unknown:
                raise KnowledgeBaseError(
                    label,
                    f"guidelines.{key}.{phase}.after_failed",
                    f"unknown treatment id '{unknown[0]}'",
                )


# --- triage.yaml: conditions, contradictions and weak flags in triage (engine.triage) ---


def _load_triage(
    data_dir: Traversable, sources: Mapping[str, Source], conditions: Mapping[str, Condition]
) -> TriageRules:
    label = "triage.yaml"
    rules = validate(TriageRules, read_yaml(data_dir.joinpath(label), label), label)
    _check_sources(rules.source_ids(), sources, label)
    if unknown := sorted(rules.flag_ids() - set(contract.red_flag_ids())):
        raise KnowledgeBaseError(label, "flags", f"unknown red flag '{unknown[0]}'")
    if unknown := sorted(rules.condition_tags() - conditions.keys()):
        raise KnowledgeBaseError(label, "conditions", f"unknown condition tag '{unknown[0]}'")
    known_suspects = set(get_args(Suspect))
    for i, rule in enumerate(rules.rules):
        if unknown := sorted(set(rule.suspects) - known_suspects):
            raise KnowledgeBaseError(label, f"rules[{i}].suspects", f"unknown '{unknown[0]}'")
        if TIMEFRAMES[rule.timeframe][0] != rule.disposition:
            raise KnowledgeBaseError(
                label, f"rules[{i}].timeframe", f"does not belong to {rule.disposition}"
            )
        if rule.disposition == "emergency" and rule.safety_net:
            raise KnowledgeBaseError(label, f"rules[{i}].safety_net", "an emergency has none")
    return rules


@cache
def load_knowledge() -> KnowledgeBase:
    """The packaged knowledge base, loaded and checked once per process."""
    return load_from(_data_dir())
