"""Contact volume forecasts per interval: several methods, chosen per queue by a
rolling-origin backtest, with an interval around the forecast.

Pure (numpy; the holiday calendars come in as a set of dates — ``wfm.calendar`` builds
them from the ``holidays`` package). No Django.

A queue's history is a :class:`DaySeries`: one row per calendar day of ``slots`` intervals
(e.g. 48 half hours), in the queue's local wall clock, with ``present[d]`` false for a day
with no data (the queue was closed, or nothing was recorded). Days are what the methods
reason about: contact centres repeat by day of the week, and within the day by the hour.

Methods (each forecasts whole days from the days before the origin):

* ``seasonal_naive`` — the latest day of the same weekday (the peer every method is
  measured against).
* ``weekday_average`` — an exponentially weighted mean of the last ``weeks`` ordinary days
  (no holiday, no special day) of the same weekday, slot by slot.
* ``level_profile`` — the day's total times its intraday shape, estimated apart: the total
  by a damped-trend exponential smoothing (Holt) of the same weekday's totals, the shape by
  a weighted mean of the normalised shapes of the last weeks. Noise in a half hour is
  large next to noise in a day (a Poisson count of 50 varies by ±14 %), so pooling the
  shape over weeks and the level over days helps most on small queues.
* ``calendar_regression`` — ridge regression of ``log(1 + contacts)`` on the slot of the
  week and a linear trend over the last weeks, with one coefficient for the day after a
  holiday.

Holidays and special days: a holiday in the forecast horizon is forecast as the ordinary
forecast times the holiday factor learnt from the holidays in the history (the mean of
actual / ordinary forecast over those days; 0.5 when there were none, 0 when the queue
was always closed on them); a special day a planner enters carries its own factor.
History days that were holidays or special days are left out of every method's averages.

**Backtest** (:func:`backtest`): rolling origins, one per week at the given weekday; at each
origin every method forecasts the next ``horizon_days`` from the history before it, and
is scored against the actuals of the days with data: WAPE = Σ|actual − forecast| / Σ actual,
and MASE = the mean absolute error over the in-sample mean absolute error of the seasonal
naive forecast. :func:`choose` keeps the method with the lowest WAPE per queue;
:func:`forecast` returns its forecast with an 80 % interval from the backtest's relative
errors at the same slot of the day.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

METHODS = ("seasonal_naive", "weekday_average", "level_profile", "calendar_regression")
DEFAULT_HOLIDAY_FACTOR = 0.5


class ForecastError(ValueError):
    """History that cannot be forecast from (too short, wrong shape, negative counts)."""


@dataclass(frozen=True)
class DaySeries:
    """A queue's history: ``values[d, s]`` contacts in slot ``s`` of day ``first + d``."""

    first: dt.date
    values: FloatArray  # shape (days, slots)
    present: NDArray[np.bool_]  # shape (days,)

    def __post_init__(self) -> None:
        if self.values.ndim != 2 or self.present.shape != (self.values.shape[0],):
            raise ForecastError("values are days × slots and present is one flag per day")
        if np.any(self.values[self.present] < 0):
            raise ForecastError("contacts cannot be negative")

    @property
    def days(self) -> int:
        return int(self.values.shape[0])

    @property
    def slots(self) -> int:
        return int(self.values.shape[1])

    def date(self, d: int) -> dt.date:
        return self.first + dt.timedelta(days=d)

    def upto(self, days: int) -> DaySeries:
        """The first ``days`` days (the history before an origin)."""
        return DaySeries(self.first, self.values[:days], self.present[:days])

    @classmethod
    def from_intervals(
        cls,
        rows: Iterable[tuple[dt.datetime, float]],
        *,
        interval_minutes: int,
        first: dt.date | None = None,
        last: dt.date | None = None,
    ) -> DaySeries:
        """Build from ``(local start, contacts)`` rows of any finer interval that divides
        ``interval_minutes`` (6-minute rows summed into half hours, say). Days with no row
        are absent."""
        if interval_minutes <= 0 or 1440 % interval_minutes:
            raise ForecastError("the interval must divide a day (15, 30, 60 minutes…)")
        slots = 1440 // interval_minutes
        acc: dict[dt.date, FloatArray] = {}
        for start, n in rows:
            if n < 0 or not math.isfinite(n):
                raise ForecastError("contacts cannot be negative")
            day = start.date()
            s = (start.hour * 60 + start.minute) // interval_minutes
            acc.setdefault(day, np.zeros(slots))[s] += n
        if not acc:
            raise ForecastError("no history")
        lo = first or min(acc)
        hi = last or max(acc)
        n_days = (hi - lo).days + 1
        values = np.zeros((n_days, slots))
        present = np.zeros(n_days, dtype=bool)
        for day, row in acc.items():
            d = (day - lo).days
            if 0 <= d < n_days:
                values[d] = row
                present[d] = True
        return cls(lo, values, present)


@dataclass(frozen=True)
class Calendar:
    """The dates a queue's sites observe as holidays, and a planner's special days with
    their factors (2.0: twice the usual volume; 0: closed)."""

    holidays: frozenset[dt.date] = frozenset()
    special: Mapping[dt.date, float] = field(default_factory=dict)

    def unusual(self, day: dt.date) -> bool:
        return day in self.holidays or day in self.special


Method = Callable[[DaySeries, Sequence[dt.date], Calendar], FloatArray]


def _same_weekday_days(h: DaySeries, day: dt.date, cal: Calendar, usual: bool) -> list[int]:
    """History rows of ``day``'s weekday with data, latest first (ordinary days only when
    ``usual``)."""
    back = (day - h.first).days
    out = []
    d = back - 7 * math.ceil((back - (h.days - 1)) / 7) if back >= h.days else back - 7
    while d >= 0:
        if h.present[d] and not (usual and cal.unusual(h.date(d))):
            out.append(d)
        d -= 7
    return out


def seasonal_naive(h: DaySeries, targets: Sequence[dt.date], cal: Calendar) -> FloatArray:
    out = np.zeros((len(targets), h.slots))
    for i, day in enumerate(targets):
        rows = _same_weekday_days(h, day, cal, usual=False)
        if rows:
            out[i] = h.values[rows[0]]
    return out


def _weights(n: int, half_life: float) -> FloatArray:
    return np.asarray(0.5 ** (np.arange(n) / half_life), dtype=np.float64)


def weekday_average(
    h: DaySeries,
    targets: Sequence[dt.date],
    cal: Calendar,
    *,
    weeks: int = 8,
    half_life: float = 4.0,
) -> FloatArray:
    out = np.zeros((len(targets), h.slots))
    for i, day in enumerate(targets):
        rows = _same_weekday_days(h, day, cal, usual=True)[:weeks]
        if rows:
            w = _weights(len(rows), half_life)
            out[i] = w @ h.values[rows] / w.sum()
    return out


def _holt(totals: FloatArray, alpha: float = 0.35, beta: float = 0.1, phi: float = 0.9) -> float:
    """One-step damped-trend forecast of a short series (oldest first)."""
    level, trend = float(totals[0]), 0.0
    for y in totals[1:]:
        prev = level
        level = alpha * y + (1 - alpha) * (level + phi * trend)
        trend = beta * (level - prev) + (1 - beta) * phi * trend
    return max(level + phi * trend, 0.0)


def level_profile(
    h: DaySeries,
    targets: Sequence[dt.date],
    cal: Calendar,
    *,
    weeks: int = 10,
    shape_half_life: float = 6.0,
) -> FloatArray:
    out = np.zeros((len(targets), h.slots))
    for i, day in enumerate(targets):
        rows = _same_weekday_days(h, day, cal, usual=True)[:weeks]
        if not rows:
            continue
        block = h.values[rows]
        totals = block.sum(axis=1)
        level = _holt(totals[::-1])
        w = _weights(len(rows), shape_half_life)
        shapes = block / np.where(totals > 0, totals, 1.0)[:, None]
        shape = w @ shapes / w.sum()
        s = shape.sum()
        out[i] = level * (shape / s if s > 0 else shape)
    return out


def calendar_regression(
    h: DaySeries,
    targets: Sequence[dt.date],
    cal: Calendar,
    *,
    weeks: int = 10,
    ridge: float = 1.0,
) -> FloatArray:
    """Per weekday and slot: ``log1p(y) = a[slot] + b·t`` over the last ordinary same-weekday
    days (a shared trend per weekday, fitted by ridge), then ``expm1`` with the
    log-normal bias correction."""
    out = np.zeros((len(targets), h.slots))
    for i, day in enumerate(targets):
        rows = _same_weekday_days(h, day, cal, usual=True)[:weeks]
        if not rows:
            continue
        y = np.log1p(h.values[rows])  # (k, slots), latest first
        k = len(rows)
        t = -np.arange(k, dtype=np.float64) - 1.0  # weeks before the target
        t_c = t - t.mean()
        mean = y.mean(axis=0)
        # the shared trend per week of the day's level (ridge towards no trend)
        level = y.mean(axis=1)
        slope = float((t_c @ (level - level.mean())) / (t_c @ t_c + ridge)) if k > 1 else 0.0
        fitted = mean[None, :] + slope * t_c[:, None]
        resid_var = float(((y - fitted) ** 2).sum() / max(y.size - h.slots - 1, 1))
        pred = mean + slope * (0.0 - t.mean())
        out[i] = np.maximum(np.expm1(pred + resid_var / 2.0), 0.0)
    return out


def _after_holiday(day: dt.date, cal: Calendar) -> bool:
    return (day - dt.timedelta(days=1)) in cal.holidays


_METHODS: dict[str, Method] = {
    "seasonal_naive": seasonal_naive,
    "weekday_average": weekday_average,
    "level_profile": level_profile,
    "calendar_regression": calendar_regression,
}


def holiday_factor(h: DaySeries, cal: Calendar, method: Method) -> float:
    """Actual / ordinary forecast on the holidays of the history (mean of the days);
    :data:`DEFAULT_HOLIDAY_FACTOR` when the history has none."""
    ratios = []
    for d in range(h.days):
        day = h.date(d)
        if day not in cal.holidays or d < 7:
            continue
        ordinary = method(h.upto(d), [day], cal)[0].sum()
        actual = h.values[d].sum() if h.present[d] else 0.0
        if ordinary > 0:
            ratios.append(actual / ordinary)
    return float(np.mean(ratios)) if ratios else DEFAULT_HOLIDAY_FACTOR


def predict(
    h: DaySeries,
    targets: Sequence[dt.date],
    cal: Calendar,
    method: str,
    *,
    holiday_factor_value: float | None = None,
) -> FloatArray:
    """The forecast of ``method`` for the ``targets`` days, holidays and special days
    applied."""
    fn = _METHODS[method]
    out = fn(h, targets, cal)
    factor = holiday_factor_value
    for i, day in enumerate(targets):
        if day in cal.special:
            out[i] *= max(float(cal.special[day]), 0.0)
        elif day in cal.holidays:
            if factor is None:
                factor = holiday_factor(h, cal, fn)
            out[i] *= factor
    return out


@dataclass(frozen=True)
class Score:
    method: str
    wape: float
    mase: float
    origins: int


@dataclass(frozen=True)
class Backtest:
    scores: dict[str, Score]
    # relative errors (actual − forecast) / forecast per slot of the day, best method
    errors_by_slot: dict[str, FloatArray]

    @property
    def best(self) -> str:
        return min(self.scores.values(), key=lambda s: (s.wape, s.method)).method


def _naive_scale(h: DaySeries) -> float:
    """In-sample mean absolute error of the same-weekday naive forecast (MASE's scale)."""
    errs = []
    for d in range(7, h.days):
        if h.present[d] and h.present[d - 7]:
            errs.append(np.abs(h.values[d] - h.values[d - 7]).mean())
    return float(np.mean(errs)) if errs else 1.0


def backtest(
    h: DaySeries,
    cal: Calendar,
    *,
    methods: Sequence[str] = METHODS,
    horizon_days: int = 7,
    origins: int = 12,
    min_history_days: int = 28,
    origin_weekday: int | None = None,
) -> Backtest:
    """Rolling-origin evaluation: the last ``origins`` weekly origins (on
    ``origin_weekday``, Monday = 0; by default the weekday of the first day) that leave
    ``horizon_days`` of actuals after them and at least ``min_history_days`` before."""
    if h.days < min_history_days + horizon_days:
        raise ForecastError("not enough history for a backtest")
    wd = h.first.weekday() if origin_weekday is None else origin_weekday
    starts = [
        d for d in range(min_history_days, h.days - horizon_days + 1) if h.date(d).weekday() == wd
    ][-origins:]
    if not starts:
        raise ForecastError("not enough history for a backtest")
    abs_err = {m: 0.0 for m in methods}
    actual_sum = 0.0
    n_points = 0
    slot_errors: dict[str, list[FloatArray]] = {m: [] for m in methods}
    scale_sum = 0.0
    for o in starts:
        hist = h.upto(o)
        targets = [h.date(o + i) for i in range(horizon_days)]
        rows = [o + i for i in range(horizon_days)]
        mask = h.present[rows]
        if not mask.any():
            continue
        actual = h.values[rows][mask]
        actual_sum += float(actual.sum())
        n_points += int(actual.size)
        scale_sum += _naive_scale(hist) * actual.size
        for m in methods:
            f = predict(hist, targets, cal, m)[mask]
            abs_err[m] += float(np.abs(actual - f).sum())
            slot_errors[m].append((actual - f) / np.maximum(f, 1.0))
    if actual_sum <= 0:
        raise ForecastError("the backtest saw no contacts")
    scale = scale_sum / max(n_points, 1) or 1.0
    scores = {
        m: Score(
            method=m,
            wape=abs_err[m] / actual_sum,
            mase=(abs_err[m] / max(n_points, 1)) / scale,
            origins=len(starts),
        )
        for m in methods
    }
    errors = {m: np.vstack(v) if v else np.zeros((0, h.slots)) for m, v in slot_errors.items()}
    return Backtest(scores=scores, errors_by_slot=errors)


@dataclass(frozen=True)
class Forecast:
    """The chosen method's forecast for ``days`` from ``first``, with an 80 % interval."""

    first: dt.date
    method: str
    values: FloatArray  # (days, slots)
    lower: FloatArray
    upper: FloatArray
    scores: dict[str, Score]


def forecast(
    h: DaySeries,
    cal: Calendar,
    *,
    first: dt.date,
    days: int = 7,
    methods: Sequence[str] = METHODS,
    origins: int = 12,
    level: float = 0.8,
) -> Forecast:
    """Choose the method with the lowest backtest WAPE and forecast ``days`` from ``first``
    (the day after the history, or later). Short histories fall back to the weekday
    average without a backtest."""
    if first < h.first + dt.timedelta(days=h.days):
        raise ForecastError("the forecast starts after the history")
    targets = [first + dt.timedelta(days=i) for i in range(days)]
    try:
        bt = backtest(h, cal, methods=methods, origins=origins, origin_weekday=first.weekday())
    except ForecastError:
        bt = None
    method = bt.best if bt is not None else "weekday_average"
    values = predict(h, targets, cal, method)
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    if bt is not None and len(bt.errors_by_slot[method]):
        errs = bt.errors_by_slot[method]
        lo_rel = np.quantile(errs, lo_q, axis=0)
        hi_rel = np.quantile(errs, hi_q, axis=0)
    else:
        lo_rel = np.full(h.slots, -0.3)
        hi_rel = np.full(h.slots, 0.3)
    # at least the Poisson spread of the count itself
    z = 1.2815515655446004 if level == 0.8 else _z(level)
    pois = z * np.sqrt(np.maximum(values, 0.0))
    lower = np.maximum(np.minimum(values * (1 + lo_rel[None, :]), values - pois), 0.0)
    upper = np.maximum(values * (1 + hi_rel[None, :]), values + pois)
    return Forecast(
        first=first,
        method=method,
        values=values,
        lower=lower,
        upper=upper,
        scores=bt.scores if bt is not None else {},
    )


def _z(level: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(0.5 + level / 2))


def reforecast_intraday(
    planned: FloatArray, actual_so_far: FloatArray, *, min_share: float = 0.15
) -> FloatArray:
    """Today's remaining intervals scaled by how the morning went: ``planned`` and the
    first ``len(actual_so_far)`` actuals of one day; once at least ``min_share`` of the
    day's planned volume is behind us, the rest is scaled by actual / planned so far
    (bounded to 0.5–2 so that one odd hour does not swing the day)."""
    n = len(actual_so_far)
    out = np.array(planned, dtype=np.float64)
    out[:n] = actual_so_far
    done_plan = float(np.sum(planned[:n]))
    if done_plan <= 0 or done_plan < min_share * float(np.sum(planned)):
        return out
    ratio = float(np.clip(np.sum(actual_so_far) / done_plan, 0.5, 2.0))
    out[n:] = np.asarray(planned[n:]) * ratio
    return out
