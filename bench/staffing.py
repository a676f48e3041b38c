"""Staffing a week: Erlang C and Erlang A over 65 queues × 336 half-hour intervals.

Run: ``.venv/bin/python -m bench.staffing [--queues 65] [--intervals 336] [--repeat 15]
[--results-dir DIR] [--quick]``

A seeded week of contacts per queue (a skewed spread of queue sizes — a few big languages,
many small —, a daily curve per queue shifted by its customers' time zone) is staffed for
80 % in 20 s with 30 % shrinkage, first with Erlang C, then with Erlang A (patience 180 s),
by ``wowdesk.wfm.erlang.staff`` — one vectorised call for the whole week. Peer in the same
run: the textbook per-interval loop (Erlang B recursion from one agent up, then Erlang C,
for each interval in turn), which must give the same agents; ``speedup_vs_loop`` is
loop time / vectorised time. Target: the whole week under 10 ms with Erlang C. Prints JSON
and compares with ``bench/results/staffing.json``, then writes it.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from bench.lib.common import machine, now_iso, save_and_compare  # noqa: E402
from wowdesk.wfm import erlang as E  # noqa: E402

AHT = 300.0
INTERVAL = 1800.0
TARGET = E.Target(service_level=0.8, seconds=20)


def week(queues: int, intervals: int, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    sizes = np.exp(rng.normal(2.3, 1.3, queues))  # contacts per half hour at the peak
    hours = (np.arange(intervals) * INTERVAL / 3600.0) % 24.0
    out = np.empty((queues, intervals))
    for q in range(queues):
        shift = rng.uniform(0, 24)
        local = (hours + shift) % 24.0
        curve = np.clip(np.sin((local - 7.0) / 16.0 * math.pi), 0.05, None)
        out[q] = rng.poisson(sizes[q] * curve)
    return out


def textbook_agents(contacts: float) -> int:
    """One interval the classic way: Erlang B by recursion, Erlang C from it, step up."""
    a = contacts * AHT / INTERVAL
    if a <= 0:
        return 0
    b, n = 1.0, 0
    while True:
        n += 1
        b = a * b / (n + a * b)
        if n <= a:
            continue
        c = n * b / (n - a * (1 - b))
        sl = 1 - c * math.exp(-(n - a) * TARGET.seconds / AHT)  # type: ignore[operator]
        if sl >= TARGET.service_level:  # type: ignore[operator]
            return n


def timed(fn, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--queues", type=int, default=65)
    p.add_argument("--intervals", type=int, default=336)
    p.add_argument("--repeat", type=int, default=15)
    p.add_argument("--results-dir", type=Path, default=None)
    p.add_argument("--quick", action="store_true", help="a toy size (the smoke test)")
    p.add_argument("--no-save", action="store_true")
    args = p.parse_args()
    if args.quick:
        args.queues, args.intervals, args.repeat = 5, 48, 2
    m = machine()
    contacts = week(args.queues, args.intervals)
    staff_c = lambda: E.staff(  # noqa: E731
        contacts, interval_seconds=INTERVAL, aht_seconds=AHT, target=TARGET, shrinkage=0.3
    )
    staff_a = lambda: E.staff(  # noqa: E731
        contacts,
        interval_seconds=INTERVAL,
        aht_seconds=AHT,
        target=TARGET,
        shrinkage=0.3,
        model="erlang_a",
        patience_seconds=180.0,
    )
    staff_c()  # warm (imports, caches)
    c_s, c_res = timed(staff_c, args.repeat)
    a_s, a_res = timed(staff_a, max(1, args.repeat // 5))
    flat = contacts.ravel()
    t = time.perf_counter()
    loop = np.array([textbook_agents(x) for x in flat]).reshape(contacts.shape)
    loop_s = time.perf_counter() - t
    assert isinstance(c_res, E.Staffing) and isinstance(a_res, E.Staffing)
    same = bool(np.array_equal(loop, c_res.agents))
    result = {
        "run_at": now_iso(),
        "machine": m,
        "queues": args.queues,
        "intervals": args.intervals,
        "cells": int(contacts.size),
        "contacts": int(contacts.sum()),
        "erlang_c": {
            "week_ms": round(c_s * 1000, 2),
            "agent_intervals": int(c_res.agents.sum()),
            "scheduled_intervals": int(c_res.scheduled.sum()),
            "target_ms": 10,
            "within_target": c_s * 1000 < 10,
        },
        "erlang_a": {
            "week_ms": round(a_s * 1000, 2),
            "agent_intervals": int(a_res.agents.sum()),
            "mean_abandonment": round(float(a_res.performance.abandonment.mean()), 4),
        },
        "peer_textbook_loop": {
            "week_ms": round(loop_s * 1000, 2),
            "same_agents_as_erlang_c": same,
            "speedup_vs_loop": round(loop_s / c_s, 1),
        },
    }
    if not args.no_save and not args.quick:
        result["comparison"] = save_and_compare(
            "staffing", dict(result), ["week_ms", "speedup_vs_loop"], args.results_dir
        )
    print(json.dumps(result, indent=2))
    if not same:
        sys.exit("the vectorised Erlang C disagrees with the textbook loop")


if __name__ == "__main__":
    main()
