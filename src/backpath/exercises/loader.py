"""Load, validate and cross-check the home-exercise library.

Loaded once per process and cached; the result is immutable. Any problem raises
``KnowledgeBaseError`` naming the file and the field, as the knowledge base does: an unknown
field or wrong type, an id that is not the file name or not one of ``EXERCISE_IDS``, a missing
or duplicated exercise, an unknown source, condition tag or stop rule, a dose that is
inconsistent or outside the exercise's limits, and a broken library rule (below).

Library rules checked here, because a wrong edit would be unsafe:
- every stop rule has a valid urgency (``none``, ``contact_clinic``, ``urgent``, ``emergency``)
  and advice for the person who reports it;
- general stop rules apply to every exercise, listed or not (``stop_rules_for``), so a new
  warning sign reaches every programme without editing each exercise;
- an exercise that starts lying face down avoids ``pregnancy`` (the intake records pregnancy,
  not its stage, so face-down lying is left out for the whole pregnancy);
- an exercise and a stop rule cite only clinical evidence (``knowledge.check_citations``), never
  a health service's leaflet or a clinic's marketing page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from types import MappingProxyType

from backpath.errors import KnowledgeBaseError
from backpath.exercises.models import EXERCISE_IDS, Exercise, StopRule
from backpath.knowledge import load_knowledge
from backpath.knowledge.loader import check_citations
from backpath.knowledge.models import Source
from backpath.knowledge.yaml_files import listed, read_yaml, unique_by_id, validate

STOP_RULES_FILE = "stop_rules.yaml"
FACE_DOWN_AVOIDS = "pregnancy"


def _data_dir() -> Traversable:
    return resources.files("backpath.exercises").joinpath("data")


def _load_stop_rules(data_dir: Traversable, sources: Mapping[str, Source]) -> dict[str, StopRule]:
    label = STOP_RULES_FILE
    raw = listed(read_yaml(data_dir.joinpath(label), label), "stop_rules", label)
    rules = unique_by_id(
        [validate(StopRule, r, label, f"stop_rules.{i}") for i, r in enumerate(raw)],
        label,
        "stop_rules",
    )
    for i, rule in enumerate(rules.values()):
        field = f"stop_rules.{i}.sources"
        unknown = [s for s in rule.sources if s not in sources]
        if unknown:
            raise KnowledgeBaseError(label, field, f"unknown source id '{unknown[0]}'")
        check_citations(rule.sources, sources, label, field)
    return rules


def _check_exercise(
    ex: Exercise, rules: Mapping[str, StopRule], sources: Mapping[str, Source], label: str
) -> None:
    for field, ids in ex.cited():
        check_citations(ids, sources, label, field)
    for i, rule_id in enumerate(ex.stop_rules):
        if rule_id not in rules:
            raise KnowledgeBaseError(label, f"stop_rules.{i}", f"unknown stop rule '{rule_id}'")
    tags = set(load_knowledge().conditions)  # the contract's tags and those BackPath derives
    tagged = [("avoid", i, a.tag) for i, a in enumerate(ex.avoid)]
    tagged += [("caution", i, c.tag) for i, c in enumerate(ex.caution)]
    for key, i, tag in tagged:
        if tag not in tags:
            raise KnowledgeBaseError(label, f"{key}.{i}.tag", f"unknown condition tag '{tag}'")
    for i, c in enumerate(ex.caution):
        if c.tag in ex.avoided_tags:
            raise KnowledgeBaseError(label, f"caution.{i}.tag", f"'{c.tag}' is also avoided")
    for field, message in ex.dose_violations():
        raise KnowledgeBaseError(label, field, message)
    if ex.position == "lying_face_down" and FACE_DOWN_AVOIDS not in ex.avoided_tags:
        raise KnowledgeBaseError(
            label, "avoid", f"an exercise that starts face down must avoid '{FACE_DOWN_AVOIDS}'"
        )


def _load(
    data_dir: Traversable, sources: Mapping[str, Source] | None
) -> tuple[Mapping[str, StopRule], Mapping[str, Exercise]]:
    known = load_knowledge().sources if sources is None else sources
    rules = _load_stop_rules(data_dir, known)
    folder = data_dir.joinpath("exercises")
    files = sorted(f.name for f in folder.iterdir() if f.name.endswith(".yaml"))
    found: dict[str, Exercise] = {}
    where: dict[str, str] = {}
    for name in files:
        label = f"exercises/{name}"
        ex = validate(Exercise, read_yaml(folder.joinpath(name), label), label)
        if ex.id in found:
            raise KnowledgeBaseError(label, "id", f"duplicate id '{ex.id}' (also {where[ex.id]})")
        if ex.id not in EXERCISE_IDS:
            raise KnowledgeBaseError(label, "id", f"'{ex.id}' is not a library exercise id")
        if name != f"{ex.id}.yaml":
            raise KnowledgeBaseError(label, "id", f"is '{ex.id}', expected '{name[:-5]}'")
        _check_exercise(ex, rules, known, label)
        found[ex.id] = ex
        where[ex.id] = label
    for ident in EXERCISE_IDS:
        if ident not in found:
            raise KnowledgeBaseError(f"exercises/{ident}.yaml", "", "file is missing")
    ordered = {ident: found[ident] for ident in EXERCISE_IDS}
    return MappingProxyType(rules), MappingProxyType(ordered)


def load_exercises_from(
    data_dir: Traversable, sources: Mapping[str, Source] | None = None
) -> Mapping[str, Exercise]:
    """Load and check the library under ``data_dir`` (tests pass broken copies).

    ``sources`` are the sources that may be cited, by id; by default the packaged knowledge
    base's.
    Returns a read-only mapping id -> exercise in ``EXERCISE_IDS`` order.
    """
    return _load(data_dir, sources)[1]


def load_stop_rules_from(
    data_dir: Traversable, sources: Mapping[str, Source] | None = None
) -> Mapping[str, StopRule]:
    """The stop-rule vocabulary under ``data_dir``, checked with the exercises that use it."""
    return _load(data_dir, sources)[0]


@cache
def _library() -> tuple[Mapping[str, StopRule], Mapping[str, Exercise]]:
    return _load(_data_dir(), None)


def load_exercises() -> Mapping[str, Exercise]:
    """The packaged library, loaded and checked once per process: id -> exercise, in order."""
    return _library()[1]


def load_stop_rules() -> Mapping[str, StopRule]:
    """The packaged stop-rule vocabulary: id -> rule, in file order."""
    return _library()[0]


def stop_rules_for(listed: Iterable[str]) -> tuple[StopRule, ...]:
    """The stop rules that apply to an exercise that lists ``listed``: every general rule (in
    file order), then the listed rules particular to it. Ids the library does not know are
    left out (a stored programme may be older than the library)."""
    rules = load_stop_rules()
    own = [rules[i] for i in dict.fromkeys(listed) if i in rules and not rules[i].general]
    return (*(r for r in rules.values() if r.general), *own)
