"""Workforce management's writer for history imports, special days and forecasts, and the
staffing computation the API and the pages share.

The algorithms are the pure modules (``wfm.forecast``, ``wfm.erlang``); this module reads
the history (``wfm.history``), calls them and stores what they return.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from wowdesk.core import audit
from wowdesk.core.errors import InvalidInput
from wowdesk.core.models import Agent, Brand
from wowdesk.wfm import deferred, erlang, history
from wowdesk.wfm import forecast as F
from wowdesk.wfm.models import Forecast, ForecastValue, RunStatus, SpecialDay, VolumeRecord

INTERVALS = (15, 30, 60)
MAX_IMPORT_ROWS = 500_000
HISTORY_WEEKS = 16


# --- history imports --------------------------------------------------------------------


@dataclass(frozen=True)
class ImportReport:
    rows: int
    created: int
    updated: int
    queues: list[str]
    first: str | None
    last: str | None


def _parse_instant(text: str, line: int) -> dt.datetime:
    try:
        at = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            _("Line %(n)s: interval_start is not an ISO date and time.") % {"n": line},
            field="interval_start",
        ) from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC)


def _parse_queue(text: str, line: int) -> tuple[str, str]:
    """``de``, ``de/email`` or ``de:email`` → (language, channel)."""
    raw = text.strip().lower()
    for sep in ("/", ":"):
        if sep in raw:
            language, channel = raw.split(sep, 1)
            break
    else:
        language, channel = raw, ""
    if not language or len(language) > 16 or len(channel) > 16:
        raise InvalidInput(
            _("Line %(n)s: queue is a language, optionally with a channel (de/email).")
            % {"n": line},
            field="queue",
        )
    return language, channel


def import_volume_csv(
    actor: Agent, brand_id: int, text: str, *, interval_minutes: int = 30
) -> ImportReport:
    """Store ``interval_start,queue,contacts,aht_seconds`` rows (a header line first;
    ``aht_seconds`` may be empty). Every row is checked before anything is written: one bad
    row refuses the file with its line number. A row for an interval already imported
    replaces it."""
    if interval_minutes not in INTERVALS:
        raise InvalidInput(_("The interval is 15, 30 or 60 minutes."), field="interval_minutes")
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    need = ["interval_start", "queue", "contacts"]
    if header[:3] != need:
        raise InvalidInput(
            _("The first line must be: interval_start,queue,contacts,aht_seconds"), field="file"
        )
    parsed: dict[tuple[str, str, dt.datetime], tuple[float, float | None]] = {}
    for line, row in enumerate(reader, start=2):
        if not row or not any(c.strip() for c in row):
            continue
        if len(parsed) >= MAX_IMPORT_ROWS:
            raise InvalidInput(_("At most 500,000 rows per file."), field="file")
        if len(row) < 3:
            raise InvalidInput(_("Line %(n)s: too few columns.") % {"n": line}, field="file")
        at = _parse_instant(row[0], line)
        if (at.minute % interval_minutes) or at.second:
            raise InvalidInput(
                _("Line %(n)s: the interval does not start on a %(m)s-minute boundary.")
                % {"n": line, "m": interval_minutes},
                field="interval_start",
            )
        language, channel = _parse_queue(row[1], line)
        try:
            contacts = float(row[2])
            aht = float(row[3]) if len(row) > 3 and row[3].strip() else None
        except ValueError:
            raise InvalidInput(
                _("Line %(n)s: contacts and aht_seconds are numbers.") % {"n": line},
                field="contacts",
            ) from None
        if (
            not math.isfinite(contacts)
            or contacts < 0
            or (aht is not None and (not math.isfinite(aht) or aht <= 0 or aht > 86_400))
        ):
            raise InvalidInput(
                _("Line %(n)s: contacts must be zero or more, aht_seconds between 0 and a day.")
                % {"n": line},
                field="contacts",
            )
        parsed[(language, channel, at)] = (contacts, aht)
    if not parsed:
        raise InvalidInput(_("The file has no rows."), field="file")
    keys = list(parsed)
    existing = {
        (r.language, r.channel, r.interval_start): r
        for r in VolumeRecord.objects.filter(
            brand_id=brand_id,
            interval_start__gte=min(k[2] for k in keys),
            interval_start__lte=max(k[2] for k in keys),
            language__in={k[0] for k in keys},
        )
    }
    new, changed = [], []
    for key, (contacts, aht) in parsed.items():
        old = existing.get(key)
        if old is None:
            new.append(
                VolumeRecord(
                    brand_id=brand_id,
                    language=key[0],
                    channel=key[1],
                    interval_start=key[2],
                    interval_minutes=interval_minutes,
                    contacts=contacts,
                    aht_seconds=aht,
                )
            )
        else:
            old.contacts, old.aht_seconds, old.interval_minutes = contacts, aht, interval_minutes
            changed.append(old)
    VolumeRecord.objects.bulk_create(new, batch_size=2000)
    VolumeRecord.objects.bulk_update(
        changed, ["contacts", "aht_seconds", "interval_minutes"], batch_size=2000
    )
    queues = sorted({f"{k[0]}/{k[1]}" if k[1] else k[0] for k in keys})
    audit.record(
        action="wfm.volume_imported",
        obj=Brand(pk=brand_id),
        actor=actor,
        brand_id=brand_id,
        after={"rows": len(parsed), "created": len(new), "updated": len(changed)},
    )
    first, last = min(k[2] for k in keys), max(k[2] for k in keys)
    return ImportReport(
        len(parsed), len(new), len(changed), queues, first.isoformat(), last.isoformat()
    )


# --- special days -----------------------------------------------------------------------


def save_special_day(
    actor: Agent, brand_id: int, *, date: dt.date, factor: float, language: str = "", note: str = ""
) -> SpecialDay:
    if not math.isfinite(factor) or not 0 <= factor <= 20:
        raise InvalidInput(_("The factor is between 0 (closed) and 20."), field="factor")
    day, _created = SpecialDay.objects.update_or_create(
        brand_id=brand_id,
        date=date,
        language=language.strip().lower()[:16],
        defaults={"factor": factor, "note": note.strip()[:200]},
    )
    return day


def delete_special_day(actor: Agent, day: SpecialDay) -> None:
    day.delete()


# --- forecasts ----------------------------------------------------------------------------


def create_forecast(
    actor: Agent | None,
    brand_id: int,
    *,
    first_day: dt.date,
    days: int = 7,
    interval_minutes: int = 30,
    enqueue: bool = True,
) -> Forecast:
    """A forecast row, computed by a background task (``compute_forecast_task``)."""
    if interval_minutes not in INTERVALS:
        raise InvalidInput(_("The interval is 15, 30 or 60 minutes."), field="interval_minutes")
    if not 1 <= days <= 42:
        raise InvalidInput(_("A forecast covers 1 to 42 days."), field="days")
    row = Forecast.objects.create(
        brand_id=brand_id,
        first_day=first_day,
        days=days,
        interval_minutes=interval_minutes,
        created_by=actor,
    )
    if enqueue:
        pk = row.pk
        transaction.on_commit(lambda: compute_forecast_task.enqueue(pk))
    return row


def compute_forecast(forecast_id: int) -> Forecast:
    """Read the history, choose a method per queue by its backtest, store the values (UTC
    intervals) — replacing any values of an earlier run of this forecast."""
    row = Forecast.objects.get(pk=forecast_id)
    Forecast.objects.filter(pk=row.pk).update(status=RunStatus.RUNNING)
    try:
        with transaction.atomic():
            queues, values = _forecast_values(row)
            ForecastValue.objects.filter(forecast=row).delete()
            ForecastValue.objects.bulk_create(values, batch_size=2000)
            row.queues = queues
            row.status = RunStatus.DONE
            row.error = ""
            row.finished_at = timezone.now()
            row.save(update_fields=["queues", "status", "error", "finished_at"])
    except (F.ForecastError, ValueError) as exc:
        row.status = RunStatus.FAILED
        row.error = str(exc)[:2000]
        row.finished_at = timezone.now()
        row.save(update_fields=["status", "error", "finished_at"])
    return row


@task()
def compute_forecast_task(forecast_id: int) -> str:
    return compute_forecast(forecast_id).status


def _forecast_values(row: Forecast) -> tuple[dict[str, Any], list[ForecastValue]]:
    tz = history.planning_zone(row.brand_id)
    zone = ZoneInfo(tz)
    histories = history.queue_histories(
        row.brand_id,
        until=row.first_day,
        weeks=HISTORY_WEEKS,
        interval_minutes=row.interval_minutes,
        tz=tz,
    )
    years = sorted({row.first_day.year - 1, row.first_day.year, row.first_day.year + 1})
    holidays = history.language_holidays(row.brand_id, years)
    specials = list(SpecialDay.objects.filter(brand_id=row.brand_id))
    queues: dict[str, Any] = {}
    values: list[ForecastValue] = []
    step = dt.timedelta(minutes=row.interval_minutes)
    for q in histories:
        special = {s.date: s.factor for s in specials if s.language in ("", q.language)}
        cal = F.Calendar(holidays=holidays.get(q.language, frozenset()), special=special)
        fc = F.forecast(q.series, cal, first=row.first_day, days=row.days)
        key = f"{q.language}/{q.channel}" if q.channel else q.language
        queues[key] = {
            "language": q.language,
            "channel": q.channel,
            "method": fc.method,
            "aht_seconds": round(q.aht_seconds, 1),
            "history_contacts": q.contacts,
            "scores": {
                m: {"wape": round(s.wape, 4), "mase": round(s.mase, 3)}
                for m, s in fc.scores.items()
            },
            "contacts": round(float(fc.values.sum()), 1),
        }
        for d in range(row.days):
            day = row.first_day + dt.timedelta(days=d)
            midnight = dt.datetime.combine(day, dt.time(), zone)
            for s in range(fc.values.shape[1]):
                # wall-clock slot → UTC (a slot a spring-forward skips is not stored)
                local = midnight.replace(tzinfo=None) + s * step
                at = local.replace(tzinfo=zone)
                if at.astimezone(zone).replace(tzinfo=None) != local:
                    continue
                values.append(
                    ForecastValue(
                        forecast=row,
                        language=q.language,
                        channel=q.channel,
                        interval_start=at.astimezone(dt.UTC),
                        contacts=round(float(fc.values[d, s]), 3),
                        lower=round(float(fc.lower[d, s]), 3),
                        upper=round(float(fc.upper[d, s]), 3),
                        aht_seconds=q.aht_seconds,
                    )
                )
    if not histories:
        raise F.ForecastError(_("There is no contact history to forecast from."))
    return {"tz": tz, "queues": queues}, values


# --- staffing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffingInput:
    interval_seconds: float
    aht_seconds: float
    target: erlang.Target
    shrinkage: float
    # "deferred": the workload plan of ``wfm.deferred`` (email), within response_seconds
    model: erlang.Model | Literal["deferred"]
    patience_seconds: float | None
    occupancy_cap: float
    concurrency: int
    response_seconds: float | None = None


def deferred_channels() -> frozenset[str]:
    """Channels staffed as deferred work (``WOWDESK_WFM_DEFERRED_CHANNELS``, default email)."""
    return frozenset(settings.CONFIG.wfm_deferred_channels)


def response_seconds(brand_id: int, channel: str) -> float:
    """The response window of a deferred channel: the first-response target of the SLA
    policy a normal-priority conversation of that channel gets (``routing.sla.policy_for``'s
    ranking), else ``WOWDESK_WFM_DEFERRED_RESPONSE_SECONDS`` (4 hours). The target is read as
    wall-clock time, also where the policy counts business hours only (the stricter
    reading)."""
    from wowdesk.routing.models import SlaPolicy

    candidates = SlaPolicy.objects.filter(
        brand_id=brand_id,
        is_active=True,
        priority__in=("", "normal"),
        channel__in=("", channel),
    )
    ranked = sorted(
        candidates, key=lambda p: (-(bool(p.priority) + bool(p.channel)), p.position, p.pk)
    )
    if ranked:
        return float(ranked[0].first_response_minutes * 60)
    return float(settings.CONFIG.wfm_deferred_response_seconds)


def _deferred_rows(params: StaffingInput, contacts: Sequence[float]) -> list[dict[str, Any]]:
    window = params.response_seconds or deferred.DEFAULT_RESPONSE_SECONDS
    try:
        plan = deferred.deferred_agents(
            contacts,
            params.interval_seconds,
            params.aht_seconds,
            response_seconds=window,
            occupancy_cap=params.occupancy_cap,
        )
    except erlang.StaffingError as exc:
        raise InvalidInput(str(exc), field="intervals") from None
    rows = []
    for i in range(len(contacts)):
        agents = int(plan.agents[i])
        rows.append(
            {
                "contacts": float(contacts[i]),
                "agents": agents,
                "scheduled": math.ceil(agents / (1.0 - params.shrinkage) - 1e-9),
                # every contact is answered within the window
                "service_level": 1.0,
                "asa_seconds": None,
                "occupancy": round(min(float(plan.workload[i]) / agents, 1.0), 4)
                if agents
                else 0.0,
                "model": "deferred",
                "response_seconds": window,
                "workload": round(float(plan.workload[i]), 4),
                "backlog_contacts": round(float(plan.backlog_contacts[i]), 3),
                "latest_response_seconds": round(float(plan.latest_response_seconds[i]), 1),
            }
        )
    return rows


def staffing_rows(params: StaffingInput, contacts: Sequence[float]) -> list[dict[str, Any]]:
    """Per interval: agents, scheduled, service level, ASA, occupancy (and abandonment for
    Erlang A; the workload, backlog and latest response for deferred work) — the shape of
    ``POST /api/v1/wfm/staffing``."""
    if params.model == "deferred":
        return _deferred_rows(params, contacts)
    try:
        result = erlang.staff(
            contacts,
            interval_seconds=params.interval_seconds,
            aht_seconds=params.aht_seconds,
            target=params.target,
            shrinkage=params.shrinkage,
            model=params.model,  # type: ignore[arg-type]
            patience_seconds=params.patience_seconds,
            occupancy_cap=params.occupancy_cap,
            concurrency=params.concurrency,
        )
    except erlang.StaffingError as exc:
        raise InvalidInput(str(exc), field="intervals") from None
    perf = result.performance
    rows: list[dict[str, Any]] = []
    for i in range(len(contacts)):
        asa = float(perf.asa_seconds[i])
        row: dict[str, Any] = {
            "contacts": float(contacts[i]),
            "agents": int(result.agents[i]),
            "scheduled": int(result.scheduled[i]),
            "service_level": round(float(perf.service_level[i]), 4),
            "asa_seconds": round(asa, 2) if math.isfinite(asa) else None,
            "occupancy": round(float(perf.occupancy[i]), 4),
        }
        if params.model == "erlang_a":
            row["abandonment"] = round(float(perf.abandonment[i]), 4)
        rows.append(row)
    return rows


def _forecast_series(
    row: Forecast, languages: Iterable[str] | None
) -> tuple[list[dt.datetime], dict[tuple[str, str], tuple[list[float], float]]]:
    """The forecast's intervals and, per queue (language, channel), its contacts on them
    (0 where the queue has no value) and its handle time."""
    wanted = set(languages) if languages else None
    values: dict[tuple[str, str], tuple[dict[dt.datetime, float], float]] = {}
    times: set[dt.datetime] = set()
    for v in ForecastValue.objects.filter(forecast=row).order_by(
        "language", "channel", "interval_start"
    ):
        if wanted and v.language not in wanted:
            continue
        by_time, _aht = values.setdefault((v.language, v.channel), ({}, v.aht_seconds))
        by_time[v.interval_start] = v.contacts
        times.add(v.interval_start)
    grid = sorted(times)
    return grid, {
        key: ([by_time.get(t, 0.0) for t in grid], aht) for key, (by_time, aht) in values.items()
    }


def _queue_key(language: str, channel: str) -> str:
    return f"{language}/{channel}" if channel else language


def forecast_staffing(
    row: Forecast, params: StaffingInput, *, languages: Iterable[str] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Required agents per queue and interval of a forecast, each queue on its own with its
    own handle time: deferred channels (email) by their workload plan within the brand's
    response window, the others by the model asked for."""
    grid, series = _forecast_series(row, languages)
    deferred_set = deferred_channels()
    out: dict[str, list[dict[str, Any]]] = {}
    for (language, channel), (counts, aht) in series.items():
        fields: dict[str, Any] = {**params.__dict__, "aht_seconds": aht}
        if channel in deferred_set:
            fields["model"] = "deferred"
            fields["response_seconds"] = response_seconds(row.brand_id, channel)
        rows = staffing_rows(StaffingInput(**fields), counts)
        for r, at in zip(rows, grid, strict=True):
            r["interval_start"] = at.isoformat()
        out[_queue_key(language, channel)] = rows
    return out


def language_requirements(
    row: Forecast, params: StaffingInput, *, languages: Iterable[str] | None = None
) -> tuple[list[dt.datetime], dict[str, deferred.LanguageRequirement]]:
    """Per language, the agents per interval its agents need for all its channels
    (``deferred.pooled_language_requirement``: the immediate channels pooled by Erlang, the
    deferred ones by their workload plan), on the forecast's intervals."""
    grid, series = _forecast_series(row, languages)
    deferred_set = deferred_channels()
    model = params.model if params.model != "deferred" else "erlang_c"
    by_language: dict[str, tuple[dict[str, deferred.Queue], dict[str, deferred.Queue]]] = {}
    windows: dict[str, float] = {}
    for (language, channel), (counts, aht) in series.items():
        immediate, deferred_queues = by_language.setdefault(language, ({}, {}))
        if channel in deferred_set:
            if channel not in windows:
                windows[channel] = response_seconds(row.brand_id, channel)
            deferred_queues[channel] = deferred.Queue(counts, aht, windows[channel])
        else:
            immediate[channel] = deferred.Queue(counts, aht)
    out: dict[str, deferred.LanguageRequirement] = {}
    for language, (immediate, deferred_queues) in sorted(by_language.items()):
        try:
            out[language] = deferred.pooled_language_requirement(
                immediate,
                deferred_queues,
                interval_seconds=params.interval_seconds,
                target=params.target,
                model=model,
                patience_seconds=params.patience_seconds,
                occupancy_cap=params.occupancy_cap,
            )
        except erlang.StaffingError as exc:
            raise InvalidInput(str(exc), field="forecast_id") from None
    return grid, out


def forecast_language_staffing(
    row: Forecast, params: StaffingInput, *, languages: Iterable[str] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Per language and interval: the agents its channels need together (pooled), of them
    the immediate channels' and the deferred backlog's, and the scheduled after shrinkage."""
    grid, need = language_requirements(row, params, languages=languages)
    return {
        language: [
            {
                "interval_start": at.isoformat(),
                "agents": int(r.agents[i]),
                "immediate": int(r.immediate[i]),
                "deferred": int(r.deferred[i]),
                "scheduled": math.ceil(int(r.agents[i]) / (1.0 - params.shrinkage) - 1e-9),
            }
            for i, at in enumerate(grid)
        ]
        for language, r in need.items()
    }


def forecast_actuals(row: Forecast) -> dict[tuple[str, str, dt.datetime], int]:
    """Contacts that actually came in during the forecast's days, per queue and interval
    (UTC), from the brand's conversations — what the forecast is compared with."""
    # the forecast's first midnight in its planning zone, where its intervals start
    tz = (row.queues or {}).get("tz") or "UTC"
    start = dt.datetime.combine(row.first_day, dt.time(), ZoneInfo(tz)).astimezone(dt.UTC)
    end = start + dt.timedelta(days=row.days)
    from wowdesk.analytics.models import ConversationFact

    out: dict[tuple[str, str, dt.datetime], int] = {}
    step = row.interval_minutes * 60
    for created, language, channel in ConversationFact.objects.filter(
        brand_id=row.brand_id, created_at__gte=start, created_at__lt=end
    ).values_list("created_at", "language", "channel"):
        offset = int((created - start).total_seconds()) // step * step
        key = (language or "und", channel or "", start + dt.timedelta(seconds=offset))
        out[key] = out.get(key, 0) + 1
    return out


def intraday(row: Forecast, day: dt.date, *, now: dt.datetime) -> dict[str, dict[str, Any]]:
    """Per queue, the day's planned contacts per interval, the actuals so far and the rest
    of the day re-forecast from them (``forecast.reforecast_intraday``). The day is cut in
    the forecast's planning zone."""
    tz = (row.queues or {}).get("tz") or "UTC"
    zone = ZoneInfo(tz)
    start = dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)
    actual = forecast_actuals(row)
    series: dict[str, tuple[list[dt.datetime], list[float], list[float]]] = {}
    values = ForecastValue.objects.filter(
        forecast=row, interval_start__gte=start, interval_start__lt=end
    ).order_by("language", "channel", "interval_start")
    step = dt.timedelta(minutes=row.interval_minutes)
    for v in values:
        key = f"{v.language}/{v.channel}" if v.channel else v.language
        times, planned, seen = series.setdefault(key, ([], [], []))
        times.append(v.interval_start)
        planned.append(v.contacts)
        if v.interval_start + step <= now:
            seen.append(float(actual.get((v.language, v.channel, v.interval_start), 0)))
    out: dict[str, dict[str, Any]] = {}
    for key, (times, planned, seen) in series.items():
        re = F.reforecast_intraday(np.asarray(planned), np.asarray(seen))
        out[key] = {
            "intervals": [
                {
                    "interval_start": t.isoformat(),
                    "planned": round(p, 2),
                    "actual": seen[i] if i < len(seen) else None,
                    "reforecast": round(float(re[i]), 2),
                }
                for i, (t, p) in enumerate(zip(times, planned, strict=True))
            ],
            "planned_total": round(sum(planned), 1),
            "reforecast_total": round(float(re.sum()), 1),
        }
    return out
