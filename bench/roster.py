"""Weekly roster at the seeds' scale: 600 agents, 65 languages, 15 sites, 30-min intervals.

A deterministic generated instance (``--seed``): 15 sites over the world's time zones;
languages with a skewed share (a few big ones spread over several sites, many small ones
at one or two); agents speak their site's languages, some also English; requirements per
language from a diurnal curve peaking in its customers' daytime, scaled so the agents can
cover them. Runs ``wowdesk.wfm.roster.solve_roster`` (stage 1 the HiGHS LP in a thread,
stage 2 a covering greedy and LNS with CP-SAT, 4 workers a round) and prints JSON:
``first_roster_seconds``, ``first_full_coverage_seconds``, ``within_1pct_seconds``,
``gap_at_end`` (``--seconds``, default 180), ``lower_bound_hours``, ``hours``,
``short_intervals`` and the machine. Writes ``bench/results/roster-<date or --name>.json``.
Usage: ``.venv/bin/python -m bench.roster [--quick] [--seconds 180] [--seed 17]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.lib.common import machine, now_iso, publish
from wowdesk.wfm.roster import (
    AgentSpec,
    BreakRule,
    Requirement,
    RosterProblem,
    ShiftPattern,
    solve_roster,
    violations,
)

SITES = [
    ("Asia/Manila", ["tl", "en", "zh"]),
    ("Europe/Berlin", ["de", "en", "fr", "nl", "pl"]),
    ("America/Toronto", ["en", "fr"]),
    ("Asia/Tokyo", ["ja", "ko"]),
    ("Asia/Kolkata", ["hi", "en", "bn", "ta", "te", "mr", "ur"]),
    ("Europe/London", ["en", "ga", "cy"]),
    ("America/Sao_Paulo", ["pt", "es"]),
    ("Africa/Cairo", ["ar", "en", "am", "sw"]),
    ("Australia/Sydney", ["en", "vi", "id"]),
    ("America/Los_Angeles", ["en", "es"]),
    ("Asia/Jakarta", ["id", "ms", "jv", "th", "vi"]),
    ("Europe/Istanbul", ["tr", "az", "ka", "hy", "fa", "ku"]),
    ("America/Mexico_City", ["es", "en"]),
    ("Asia/Dubai", ["ar", "fa", "ur", "he"]),
    ("Europe/Warsaw", ["pl", "cs", "sk", "hu", "ro", "bg", "el", "ru", "uk", "sr", "hr", "sl",
                       "lt", "lv", "et", "fi", "sv", "da", "no", "is", "it", "sq", "mk",
                       "bs", "mt", "lb", "ca", "eu", "gl", "af", "zu", "xh"]),
]  # fmt: skip
BIG = {"en": 0.30, "es": 0.10, "de": 0.06, "fr": 0.05, "pt": 0.04, "ar": 0.04, "ja": 0.03}


def languages() -> list[str]:
    seen: dict[str, None] = {}
    for _, langs in SITES:
        for lang in langs:
            seen.setdefault(lang, None)
    return list(seen)


def instance(agents: int, seed: int, sites: int, langs_limit: int) -> RosterProblem:
    rng = random.Random(seed)
    chosen_sites = SITES[:sites]
    langs = [lang for lang in languages() if any(lang in s[1] for s in chosen_sites)]
    langs = langs[:langs_limit]
    small = [lang for lang in langs if lang not in BIG]
    share = {lang: BIG[lang] for lang in langs if lang in BIG}
    rest = 1.0 - sum(share.values())
    # Zipf-like tail for the small languages
    weights = [1 / (i + 1) ** 0.8 for i in range(len(small))]
    for lang, w in zip(small, weights, strict=True):
        share[lang] = rest * w / sum(weights)
    # agents per language: at least 4 (one per shift of the day and a spare)
    per_lang = {lang: max(4, round(agents * share[lang])) for lang in langs}
    scale = agents / sum(per_lang.values())
    per_lang = {lang: max(4, math.floor(n * scale)) for lang, n in per_lang.items()}
    home = {lang: [tz for tz, ls in chosen_sites if lang in ls] for lang in langs}
    patterns = tuple(ShiftPattern(dt.time(h, 0), length) for h in range(0, 24) for length in (8.5,))
    specs: list[AgentSpec] = []
    next_id = 1
    for lang in langs:
        zones = home[lang]
        for i in range(per_lang[lang]):
            tz = zones[i % len(zones)]
            spoken = {lang}
            if lang != "en" and "en" in langs and rng.random() < 0.3:
                spoken.add("en")
            specs.append(
                AgentSpec(
                    id=next_id, time_zone=tz, languages=frozenset(spoken), patterns=patterns,
                    max_hours_per_week=40.0, min_rest_hours=11.0, max_days_in_row=5,
                    max_nights=3,
                )
            )  # fmt: skip
            next_id += 1
    week = dt.date(2027, 3, 22)  # Europe's DST change falls on Sunday the 28th
    problem = RosterProblem(week_start=week, agents=specs, requirements=[])
    problem.breaks = BreakRule(min_shift_hours=6.0, minutes=30, window_minutes=0)
    # demand: a diurnal curve per language in its customers' (first site's) local day
    reqs: list[Requirement] = []
    from zoneinfo import ZoneInfo

    for lang in langs:
        zone = ZoneInfo(home[lang][0])
        speakers = sum(1 for a in specs if lang in a.languages)
        mono = per_lang[lang]
        peak = max(1.0, mono * 0.32)  # ~35 h paid of 168 h, peaks near 2× the mean
        for t in range(problem.horizon):
            local = problem.at(t).astimezone(zone)
            hour = local.hour + local.minute / 60
            curve = 0.15 + 0.85 * max(0.0, math.sin(math.pi * (hour - 7) / 15)) ** 1.5
            if local.weekday() >= 5:
                curve *= 0.7
            need = int(peak * curve + 0.5)
            need = min(need, speakers)
            if need > 0:
                reqs.append(Requirement(lang, t, need))
    problem.requirements = reqs
    return problem


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small instance (CI smoke)")
    parser.add_argument("--seconds", type=float, default=180.0)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--agents", type=int, default=600)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument(
        "--target-gap",
        type=float,
        default=None,
        help="stop at the first full roster within this gap (e.g. 0.01)",
    )
    parser.add_argument(
        "--cover-share",
        type=float,
        default=0.9,
        help="the stage-1 LP's time limit as a share of the time (it runs beside stage 2)",
    )
    parser.add_argument("--results-dir", type=Path, default=None)
    parser.add_argument(
        "--name", default=None, help="the results file: roster-<name>.json (default: the date)"
    )
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    if args.quick:
        problem = instance(agents=40, seed=args.seed, sites=3, langs_limit=6)
        args.seconds = min(args.seconds, 20.0)
    else:
        problem = instance(agents=args.agents, seed=args.seed, sites=len(SITES), langs_limit=65)
    problem.time_limit_seconds = args.seconds
    problem.workers = args.workers
    problem.seed = args.seed
    began = time.monotonic()
    roster = solve_roster(problem, target_gap=args.target_gap, cover_share=args.cover_share)
    wall = time.monotonic() - began
    within = next(
        (p["seconds"] for p in roster.progress if p["short"] <= 0 and p["gap"] <= 0.01), None
    )
    broken = violations(problem, roster)
    result: dict[str, Any] = {
        "run_at": now_iso(),
        "instance": {
            "agents": len(problem.agents),
            "languages": len({lang for a in problem.agents for lang in a.languages}),
            "sites": len({a.time_zone for a in problem.agents}),
            "intervals": problem.horizon,
            "interval_minutes": problem.interval_minutes,
            "required_agent_hours": sum(r.agents for r in problem.requirements)
            * problem.interval_minutes
            / 60,
            "seed": args.seed,
            "quick": args.quick,
        },
        "time_limit_seconds": args.seconds,
        "cover_share": args.cover_share,
        "wall_seconds": round(wall, 2),
        "first_roster_seconds": roster.seconds.get("first_solution"),
        "first_full_coverage_seconds": roster.seconds.get("first_full_coverage"),
        "within_1pct_seconds": within,
        "gap_at_end": roster.gap,
        "lower_bound_hours": roster.lower_bound_hours,
        "hours": roster.hours,
        "short_intervals": roster.short_intervals,
        "short_agent_intervals": roster.short_agent_intervals,
        "over_hours": roster.over_hours,
        "shifts": len(roster.shifts),
        "hard_rule_violations": len(broken),
        "statuses": roster.statuses,
        "seconds": {k: round(v, 2) for k, v in roster.seconds.items()},
        "incumbents": [
            {k: round(v, 4) for k, v in p.items() if k in ("seconds", "hours", "short", "gap")}
            for p in roster.progress
        ][-30:],
        "machine": machine(),
    }
    name = f"roster-{args.name or dt.date.today().isoformat()}" + ("-quick" if args.quick else "")
    publish(
        result, name, ["seconds", "hours", "gap_at_end"],
        save=not args.no_save, out_dir=args.results_dir,
    )  # fmt: skip


if __name__ == "__main__":
    main()
