"""Forecast accuracy on two real call-centre series: a rolling-origin backtest, one week
ahead at 30-minute intervals, every method against seasonal naive in the same run.

Run: ``.venv/bin/python -m bench.forecast [--data-dir DIR] [--origins N] [--results-dir DIR]``

The series are read at bench time from the public data sets folder (``callcenter/`` of
``$WOWDESK_DATASETS_DIR``, by default ``../shared/data`` beside the repository), never
copied into the repository (their licence is the GPL):

* ``anonymous_bank_1999_6min.csv`` — the "Anonymous Bank" (Israel) calls per 6 minutes of
  1999 (Brown et al., JASA 2005), summed into half hours; Israeli holidays;
* ``fpp3_bank_calls.csv`` — a North American bank's calls per 5 minutes on weekdays,
  March–October 2003 (Weinberg, Brown & Stroud, JASA 2007), summed into half hours; US
  holidays.

For each series: weekly origins (on the weekday of the first day) after four weeks of
history, up to ``--origins`` of them (all by default); at each origin every method of
``wowdesk.wfm.forecast`` forecasts the next 7 days from the days before it. WAPE and MASE
per method over all origins, and ``wape_vs_seasonal_naive`` = 1 − WAPE / WAPE(seasonal
naive). Target: the chosen (best) method beats seasonal naive by ≥ 15 % WAPE on both.
Prints JSON, compares with ``bench/results/forecast.json``, then writes it. ``--quick``
runs a few origins of the first series only (the smoke test); without the data it says so
and exits 0 with ``"skipped"``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import holidays  # noqa: E402

from bench.lib.common import machine, now_iso, save_and_compare  # noqa: E402
from wowdesk.wfm import forecast as F  # noqa: E402


def _data_dir(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    base = os.environ.get("WOWDESK_DATASETS_DIR")
    return (Path(base) if base else ROOT.parent / "shared" / "data") / "callcenter"


def _holidays(country: str, years: range) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays(country, years=list(years)).keys())


def load_anonymous_bank(path: Path) -> F.DaySeries:
    rows = []
    with path.open(newline="") as fh:
        for r in csv.DictReader(fh):
            h, m = r["start_hhmm"].split(":")
            day = dt.date.fromisoformat(r["date"])
            rows.append(
                (dt.datetime(day.year, day.month, day.day, int(h), int(m)), float(r["calls"]))
            )
    return F.DaySeries.from_intervals(rows, interval_minutes=30)


def load_fpp3(path: Path) -> F.DaySeries:
    rows = []
    with path.open(newline="") as fh:
        for r in csv.DictReader(fh):
            # the clock of the call centre, written with a Z in the file
            t = dt.datetime.fromisoformat(r["DateTime"].replace("Z", ""))
            rows.append((t, float(r["Calls"])))
    return F.DaySeries.from_intervals(rows, interval_minutes=30)


SERIES = {
    "anonymous_bank_1999": ("anonymous_bank_1999_6min.csv", load_anonymous_bank, "IL"),
    "us_bank_2003": ("fpp3_bank_calls.csv", load_fpp3, "US"),
}


def run_series(h: F.DaySeries, country: str, origins: int) -> dict[str, Any]:
    years = range(h.first.year, h.date(h.days - 1).year + 1)
    cal = F.Calendar(holidays=_holidays(country, years))
    t = time.perf_counter()
    bt = F.backtest(h, cal, origins=origins, min_history_days=28)
    seconds = time.perf_counter() - t
    naive = bt.scores["seasonal_naive"].wape
    methods = {
        m: {
            "wape": round(s.wape, 4),
            "mase": round(s.mase, 3),
            "wape_vs_seasonal_naive": round(1 - s.wape / naive, 4),
        }
        for m, s in bt.scores.items()
    }
    best = bt.best
    return {
        "days": h.days,
        "days_with_data": int(h.present.sum()),
        "contacts": int(h.values.sum()),
        "origins": next(iter(bt.scores.values())).origins,
        "methods": methods,
        "best": best,
        "best_wape_vs_seasonal_naive": methods[best]["wape_vs_seasonal_naive"],
        "meets_target_15pct": methods[best]["wape_vs_seasonal_naive"] >= 0.15,
        "backtest_seconds": round(seconds, 2),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", default=None)
    p.add_argument("--origins", type=int, default=1000)
    p.add_argument("--results-dir", type=Path, default=None)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--no-save", action="store_true")
    args = p.parse_args()
    folder = _data_dir(args.data_dir)
    result: dict[str, Any] = {"run_at": now_iso(), "machine": machine(), "series": {}}
    names = list(SERIES)[:1] if args.quick else list(SERIES)
    for name in names:
        file, loader, country = SERIES[name]
        path = folder / file
        if not path.exists():
            result["series"][name] = {"skipped": f"{path} not found"}
            continue
        result["series"][name] = run_series(
            loader(path), country, 3 if args.quick else args.origins
        )
    done = [s for s in result["series"].values() if "skipped" not in s]
    if done and not args.quick and not args.no_save:
        result["comparison"] = save_and_compare(
            "forecast", dict(result), ["wape", "best_wape_vs_seasonal_naive"], args.results_dir
        )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
