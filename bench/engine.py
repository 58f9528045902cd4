"""Engine benchmark: prints figures, asserts nothing (timing belongs here, not in tests).

    .venv/bin/python bench/engine.py [--intakes 100000]

Prints: knowledge-base load time (fresh load, no cache); assess + plan latency per intake
(median and p99); plans per second over generated intakes on one core; CLI cold start next to
``python -c pass``, measured in the same run, and their ratio, with the part no command can
avoid (importing pydantic, which the domain's models are built on). Targets: <= 1 ms median,
>= 5,000 plans/s, load <= 150 ms, cold start <= 10x ``python -c pass``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from backpath import contract
from backpath.engine import assess_and_plan
from backpath.knowledge import load_knowledge
from backpath.knowledge.loader import _data_dir, load_from

AVOID = ["needles", "medication", "manual_therapy", "devices", "supplements", "injections",
         "group_classes"]  # fmt: skip


def random_intake(rng: random.Random) -> dict[str, Any]:
    """A valid intake with realistic variety (mostly flag-free, so most build full plans)."""
    flags = contract.red_flag_ids()
    red = dict.fromkeys(flags, False)
    if rng.random() < 0.1:
        red[rng.choice(flags)] = True
    data: dict[str, Any] = {
        "patient": {"age": rng.randint(16, 95), "pregnant": rng.random() < 0.03},
        "episode": {
            "duration_weeks": rng.choice([0.5, 2, 5, 10, 16, 52, 200]),
            "leg_pain": rng.choice(["none", "above_knee", "below_knee"]),
        },
        "pain": {"nrs_now": rng.randint(0, 10), "nrs_week_average": rng.randint(0, 10)},
        "red_flags": red,
        "questionnaires": {
            "startback": [rng.randint(0, 1) for _ in range(8)] + [rng.randint(0, 4)],
            "odi": [rng.choice([None, 0, 1, 2, 3, 4, 5]) for _ in range(10)],
            "peg": [rng.randint(0, 10) for _ in range(3)],
        },
        "conditions": rng.sample(contract.condition_tags(), rng.randint(0, 4)),
        "preferences": {
            "avoid": rng.sample(AVOID, rng.randint(0, 2)),
            "max_sessions_per_week": rng.randint(0, 5),
            "budget": rng.choice(["low", "medium", "high"]),
        },
        "prior_treatments": [
            {"treatment": rng.choice(contract.treatment_ids()), "weeks": rng.choice([2, 8]),
             "response": rng.choice(["none", "partial", "good", "adverse"])}
            for _ in range(rng.randint(0, 2))
        ],
    }  # fmt: skip
    return data


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_load(runs: int = 15) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        load_from(_data_dir())
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def bench_latency(intakes: list[dict[str, Any]]) -> tuple[float, float]:
    times = []
    for data in intakes:
        start = time.perf_counter()
        assess_and_plan(data).to_json_dict()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6, percentile(times, 0.99) * 1e6


def bench_throughput(intakes: list[dict[str, Any]]) -> float:
    start = time.perf_counter()
    for data in intakes:
        assess_and_plan(data)
    return len(intakes) / (time.perf_counter() - start)


def bench_cold_start(runs: int = 7) -> tuple[float, float, float]:
    exe = Path(sys.executable).parent / "backpath"
    example = Path(__file__).resolve().parent.parent / "examples" / "chronic_low_back_pain.json"

    def timed(cmd: list[str]) -> float:
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=True)
            samples.append(time.perf_counter() - start)
        return statistics.median(samples) * 1000

    return (
        timed([sys.executable, "-c", "pass"]),
        timed([sys.executable, "-c", "from pydantic import BaseModel"]),
        timed([str(exe), "assess", str(example), "-f", "json"]),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--intakes", type=int, default=100_000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})  # one core
    rng = random.Random(20261124)
    load_knowledge()
    intakes = [random_intake(rng) for _ in range(args.intakes)]
    for data in intakes[:500]:  # warm the caches once, as a long-running server would be
        assess_and_plan(data)

    print(f"python {sys.version.split()[0]} on {os.cpu_count()} cores (pinned to one)")
    print(f"knowledge base load (fresh, median of 15): {bench_load():.1f} ms   [target <= 150 ms]")
    median_us, p99_us = bench_latency(intakes[:10_000])
    print(
        f"assess + plan + JSON per intake (10,000): median {median_us:.0f} us, p99 {p99_us:.0f} us"
        "   [target median <= 1 ms]"
    )
    print(
        f"plans per second over {len(intakes):,} intakes, one core: "
        f"{bench_throughput(intakes):,.0f}"
        "   [target >= 5,000/s]"
    )
    bare, pydantic, cli = bench_cold_start()
    print(
        f"CLI cold start (median of 7): python -c pass {bare:.0f} ms; backpath assess {cli:.0f} ms;"
        f" ratio {cli / bare:.1f}x   [target <= 10x]"
    )
    print(
        f"  of which the floor, importing pydantic alone: {pydantic:.0f} ms, "
        f"{pydantic / bare:.1f}x python -c pass"
    )


if __name__ == "__main__":
    main()
