"""Rosters: the writer of ``Roster`` and ``RosterShift``, and publication to routing.

A roster is asked for (``create_roster``: the week, the requirements — given, or staffed
from a forecast —, the agents, the rules), solved by the worker (``solve_roster_task``:
``wfm.roster`` — the covering MILP, then named agents with CP-SAT), published
(``publish_roster``: each agent's shifts and breaks become their dated shifts for that week,
which routing follows), and simulated (``simulate_roster``: the SimPy replay of the
published coverage against the forecast).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from wowdesk.core import audit
from wowdesk.core.errors import Conflict, InvalidInput
from wowdesk.core.models import Agent
from wowdesk.routing import services as routing
from wowdesk.routing.engine import DEFAULT_LANGUAGE_LEVEL
from wowdesk.wfm import erlang, services, simulation
from wowdesk.wfm import roster as R
from wowdesk.wfm.models import (
    Forecast,
    ForecastValue,
    RequestKind,
    RequestStatus,
    Roster,
    RosterShift,
    RosterStatus,
    RunStatus,
    ShiftRequest,
)

DEFAULT_RULES: dict[str, Any] = {
    "max_hours_per_week": 40.0,
    "min_rest_hours": 11.0,
    "max_days_in_row": 5,
    "shift_hours": [8.0],
    # local wall-clock starts tried for every shift length
    "start_hours": list(range(0, 24)),
}
DEFAULT_TARGET = erlang.Target(service_level=0.8, seconds=20)
MAX_TIME_LIMIT = 900.0


def _week_origin(week_start: dt.date) -> dt.datetime:
    return dt.datetime.combine(week_start, dt.time(), dt.UTC)


def _check_rules(rules: dict[str, Any] | None) -> dict[str, Any]:
    out = dict(DEFAULT_RULES)
    for key, value in (rules or {}).items():
        if key not in DEFAULT_RULES:
            raise InvalidInput(_("Unknown rule: %(k)s.") % {"k": key}, field="rules")
        out[key] = value
    try:
        hours = [float(h) for h in out["shift_hours"]]
        starts = sorted({int(h) for h in out["start_hours"]})
        max_h = float(out["max_hours_per_week"])
        rest = float(out["min_rest_hours"])
        in_row = int(out["max_days_in_row"])
    except (TypeError, ValueError):
        raise InvalidInput(_("Rules are numbers (shift_hours a list)."), field="rules") from None
    if not hours or any(not 2 <= h <= 14 for h in hours):
        raise InvalidInput(_("Shift lengths are 2 to 14 hours."), field="rules")
    if not starts or any(not 0 <= h <= 23 for h in starts):
        raise InvalidInput(_("Start hours are 0 to 23."), field="rules")
    if not 4 <= max_h <= 80 or not 0 <= rest <= 24 or not 1 <= in_row <= 7:
        raise InvalidInput(
            _("Max hours 4–80 a week, rest 0–24 hours, 1–7 days in a row."), field="rules"
        )
    return {
        "max_hours_per_week": max_h,
        "min_rest_hours": rest,
        "max_days_in_row": in_row,
        "shift_hours": hours,
        "start_hours": starts,
    }


def _roster_staffing_input(row: Forecast) -> services.StaffingInput:
    """How a roster staffs a forecast: Erlang C, 80 % in 20 s, no shrinkage (breaks are in
    the shifts)."""
    return services.StaffingInput(
        interval_seconds=row.interval_minutes * 60,
        aht_seconds=services.history.DEFAULT_AHT_SECONDS,
        target=DEFAULT_TARGET,
        shrinkage=0.0,
        model="erlang_c",
        patience_seconds=None,
        occupancy_cap=1.0,
        concurrency=1,
    )


def _requirements_from_forecast(
    row: Forecast, week_start: dt.date, interval_minutes: int
) -> list[dict[str, Any]]:
    """Agents per language and interval of the week. An agent serves every channel of their
    language, so each language is staffed once (``services.language_requirements``): its
    immediate channels (chat, voice…) pooled by Erlang C (80 % in 20 s), its deferred
    channels (email) by their backlog within the brand's response window."""
    origin = _week_origin(week_start)
    end = origin + dt.timedelta(days=7)
    grid, by_language = services.language_requirements(row, _roster_staffing_input(row))
    need: dict[tuple[str, dt.datetime], int] = defaultdict(int)
    step = dt.timedelta(minutes=interval_minutes)
    for language, req in by_language.items():
        for at, agents in zip(grid, req.agents, strict=True):
            if not origin <= at < end:
                continue
            # a forecast interval may be longer than the roster's: fill each roster slot
            t = at
            while t < at + dt.timedelta(minutes=row.interval_minutes):
                need[(language, t)] = need[(language, t)] + int(agents)
                t += step
    return [
        {"language": lang, "interval_start": at.isoformat(), "agents": n}
        for (lang, at), n in sorted(need.items())
        if n > 0
    ]


def create_roster(
    actor: Agent | None,
    brand_id: int,
    *,
    week_start: dt.date,
    interval_minutes: int = 30,
    forecast_id: int | None = None,
    requirements: list[dict[str, Any]] | None = None,
    agent_ids: list[int] | None = None,
    rules: dict[str, Any] | None = None,
    time_limit_seconds: float | None = None,
    enqueue: bool = True,
) -> Roster:
    """Check the request and queue it; the worker solves it."""
    if interval_minutes not in (15, 30, 60):
        raise InvalidInput(_("The interval is 15, 30 or 60 minutes."), field="interval_minutes")
    limit = float(time_limit_seconds or 60.0)
    if not 1 <= limit <= MAX_TIME_LIMIT:
        raise InvalidInput(_("The time limit is 1 to 900 seconds."), field="time_limit_seconds")
    checked_rules = _check_rules(rules)
    forecast = None
    if requirements is None:
        qs = Forecast.objects.filter(brand_id=brand_id, status=RunStatus.DONE)
        if forecast_id is not None:
            forecast = qs.filter(pk=forecast_id).first()
            if forecast is None:
                raise InvalidInput(_("No finished forecast with that id."), field="forecast_id")
        else:
            forecast = (
                qs.filter(first_day__lte=week_start).order_by("-first_day", "-created_at").first()
            )
            if forecast is None:
                raise InvalidInput(
                    _("Give requirements, or forecast the week first."), field="forecast_id"
                )
        requirements = _requirements_from_forecast(forecast, week_start, interval_minutes)
    origin = _week_origin(week_start)
    clean = []
    for i, r in enumerate(requirements):
        try:
            at = dt.datetime.fromisoformat(str(r["interval_start"]).replace("Z", "+00:00"))
            agents_needed = int(r["agents"])
            language = str(r["language"]).strip().lower()
        except (KeyError, TypeError, ValueError):
            raise InvalidInput(
                _("Requirement %(i)s needs language, interval_start (ISO) and agents.")
                % {"i": i + 1},
                field="requirements",
            ) from None
        if at.tzinfo is None:
            at = at.replace(tzinfo=dt.UTC)
        index = (at - origin).total_seconds() / (interval_minutes * 60)
        if index != int(index) or not 0 <= index < 7 * 24 * 60 // interval_minutes:
            raise InvalidInput(
                _("Requirement %(i)s is not on the week's %(m)s-minute grid.")
                % {"i": i + 1, "m": interval_minutes},
                field="requirements",
            )
        if agents_needed < 0 or agents_needed > 10_000 or not language:
            raise InvalidInput(
                _("Requirement %(i)s: agents 0 to 10,000 and a language.") % {"i": i + 1},
                field="requirements",
            )
        channel = str(r.get("channel") or "").strip().lower()
        clean.append(
            {
                "queue": f"{language}/{channel}" if channel else language,
                "interval": int(index),
                "agents": agents_needed,
            }
        )
    agents = _brand_agents(brand_id, agent_ids)
    if not agents:
        raise InvalidInput(_("No active agent to roster."), field="agent_ids")
    row = Roster.objects.create(
        brand_id=brand_id,
        week_start=week_start,
        interval_minutes=interval_minutes,
        forecast=forecast,
        request={
            "requirements": clean,
            "agent_ids": [a.pk for a in agents],
            "rules": checked_rules,
            "time_limit_seconds": limit,
        },
        created_by=actor,
    )
    if enqueue:
        pk = row.pk
        transaction.on_commit(lambda: solve_roster_task.enqueue(pk))
    return row


def _brand_agents(brand_id: int, agent_ids: list[int] | None) -> list[Agent]:
    qs = Agent.objects.filter(brands=brand_id, is_active=True).select_related("site")
    if agent_ids is not None:
        found = list(qs.filter(pk__in=agent_ids))
        if len(found) != len(set(agent_ids)):
            raise InvalidInput(
                _("Every agent must be an active agent of the brand."), field="agent_ids"
            )
        return sorted(found, key=lambda a: a.pk)
    return list(qs.order_by("id"))


@dataclass(frozen=True)
class Carry:
    """What an agent brings into a week: the rest still owed after their last shift before
    it, the local dates they worked in the seven days before it, their approved time off."""

    not_before: dt.datetime | None = None
    worked_before: frozenset[dt.date] = frozenset()
    unavailable: tuple[tuple[dt.datetime, dt.datetime], ...] = ()


def carry_into(agents: list[Agent], week_start: dt.date, rest_hours: float) -> dict[int, Carry]:
    """Per agent, what binds their roster of the week starting ``week_start``: the shifts
    they were scheduled in the eight days before it (the shifts of published rosters, the
    weekly shifts outside published weeks — what routing followed) and their approved time
    off inside it. Three queries whatever the number of agents."""
    from wowdesk.routing.shifts import parse_shifts, scheduled_spans

    origin = _week_origin(week_start)
    since, end = origin - dt.timedelta(days=8), origin + dt.timedelta(days=7)
    ids = [a.pk for a in agents]
    starts: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for agent_id, start, stop in RosterShift.objects.filter(
        agent_id__in=ids,
        roster__status=RosterStatus.PUBLISHED,
        start__gte=since,
        start__lt=origin,
    ).values_list("agent_id", "start", "end"):
        starts[agent_id].append((start, stop))
    for a in agents:
        try:
            weekly = parse_shifts(a.shifts) if a.shifts else []
        except ValueError:
            weekly = []
        windows_only = {"windows": (a.schedule or {}).get("windows") or [], "shifts": []}
        for s0, s1 in scheduled_spans(windows_only, weekly, a.timezone or "UTC", since, origin):
            if s1 >= origin:  # a weekly shift running into the week ends where it ends
                s1 = _weekly_end(weekly, a.timezone or "UTC", s0, s1)
            starts[a.pk].append((s0, s1))
    off: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for agent_id, t0, t1 in ShiftRequest.objects.filter(
        agent_id__in=ids,
        kind=RequestKind.TIME_OFF,
        status=RequestStatus.APPROVED,
        start__lt=end,
        end__gt=origin,
    ).values_list("agent_id", "start", "end"):
        if t0 is not None and t1 is not None:
            off[agent_id].append((t0, t1))
    rest = dt.timedelta(hours=rest_hours)
    out: dict[int, Carry] = {}
    for a in agents:
        spans = starts.get(a.pk, [])
        zone = ZoneInfo(a.timezone or "UTC")
        last = max((s1 for _, s1 in spans), default=None)
        out[a.pk] = Carry(
            not_before=last + rest if last is not None and last + rest > origin else None,
            worked_before=frozenset(
                s0.astimezone(zone).date() for s0, _ in spans if s0 >= origin - dt.timedelta(days=7)
            ),
            unavailable=tuple(sorted(off.get(a.pk, []))),
        )
    return out


def _weekly_end(
    weekly: Sequence[Any], tz: str, start: dt.datetime, clipped: dt.datetime
) -> dt.datetime:
    """The real end of a weekly-shift span cut at the week's start."""
    from wowdesk.routing.shifts import on_shift_intervals

    for s0, s1 in on_shift_intervals(weekly, tz, start, start + dt.timedelta(days=2)):
        if s0 <= start < s1:
            return max(s1, clipped)
    return clipped


def _spec(agent: Agent, rules: dict[str, Any], carry: Carry | None = None) -> R.AgentSpec:
    languages = frozenset(
        code
        for code in agent.languages
        if agent.language_levels.get(code, DEFAULT_LANGUAGE_LEVEL) >= 2
    )
    tz = agent.timezone or (agent.site.timezone if agent.site else "UTC") or "UTC"
    patterns = tuple(
        R.ShiftPattern(start=dt.time(h), wall_hours=float(length))
        for length in rules["shift_hours"]
        for h in rules["start_hours"]
    )
    return R.AgentSpec(
        id=agent.pk,
        time_zone=tz,
        languages=languages,
        patterns=patterns,
        max_hours_per_week=rules["max_hours_per_week"],
        min_rest_hours=rules["min_rest_hours"],
        max_days_in_row=rules["max_days_in_row"],
        not_before=carry.not_before if carry else None,
        worked_before=carry.worked_before if carry else frozenset(),
        unavailable=carry.unavailable if carry else (),
    )


def problem_of(row: Roster) -> R.RosterProblem:
    req = row.request
    rules = req["rules"]
    agents = _brand_agents(row.brand_id, req["agent_ids"]) if req.get("agent_ids") else []
    carry = carry_into(agents, row.week_start, float(rules["min_rest_hours"]))
    return R.RosterProblem(
        week_start=row.week_start,
        agents=[_spec(a, rules, carry.get(a.pk)) for a in agents],
        requirements=[
            R.Requirement(r["queue"], r["interval"], r["agents"]) for r in req["requirements"]
        ],
        interval_minutes=row.interval_minutes,
        time_limit_seconds=float(req.get("time_limit_seconds", 60.0)),
        workers=8,
    )


def solve(roster_id: int) -> Roster:
    """Solve a queued roster and store its shifts and result (the worker's job)."""
    row = Roster.objects.get(pk=roster_id)
    if row.status not in (RosterStatus.QUEUED, RosterStatus.FAILED):
        return row
    # The solver reports from its own threads, which hold no database connection: the
    # progress a reader sees is the time spent over the time limit (``roster_progress``).
    Roster.objects.filter(pk=row.pk).update(
        status=RosterStatus.SOLVING,
        progress=0.0,
        result={"started_at": timezone.now().isoformat()},
    )
    try:
        problem = problem_of(row)
        result = R.solve_roster(problem)
    except (ValueError, KeyError, RuntimeError) as exc:
        Roster.objects.filter(pk=row.pk).update(
            status=RosterStatus.FAILED, error=str(exc)[:2000], progress=1.0
        )
        row.refresh_from_db()
        return row
    agents_lang = {a.id: sorted(a.languages) for a in problem.agents}
    with transaction.atomic():
        RosterShift.objects.filter(roster=row).delete()
        RosterShift.objects.bulk_create(
            [
                RosterShift(
                    roster=row,
                    agent_id=s.agent_id,
                    start=s.start,
                    end=s.end,
                    breaks=[
                        {"start": b0.isoformat(), "end": b1.isoformat()} for b0, b1 in s.breaks
                    ],
                    language=(agents_lang.get(s.agent_id) or [""])[0],
                )
                for s in result.shifts
            ],
            batch_size=2000,
        )
        row.result = _result_json(problem, result)
        row.status = RosterStatus.SOLVED
        row.progress = 1.0
        row.error = ""
        row.solved_at = timezone.now()
        row.save(update_fields=["result", "status", "progress", "error", "solved_at"])
    return row


@task()
def solve_roster_task(roster_id: int) -> str:
    return solve(roster_id).status


def roster_progress(row: Roster, now: dt.datetime | None = None) -> float:
    """0–1: done when solved; while solving, the time spent over the time limit."""
    if row.status != RosterStatus.SOLVING:
        return 1.0 if row.status in (RosterStatus.SOLVED, RosterStatus.PUBLISHED) else row.progress
    started = (row.result or {}).get("started_at")
    if not started:
        return 0.0
    limit = float(row.request.get("time_limit_seconds", 60.0))
    spent = ((now or timezone.now()) - dt.datetime.fromisoformat(started)).total_seconds()
    return round(min(max(spent / max(limit, 1.0), 0.0), 0.99), 3)


def _result_json(problem: R.RosterProblem, result: R.Roster) -> dict[str, Any]:
    origin = problem.origin
    step = dt.timedelta(minutes=problem.interval_minutes)
    need: dict[str, list[int]] = defaultdict(lambda: [0] * problem.horizon)
    for r in problem.requirements:
        need[r.queue][r.interval] += r.agents
    have: dict[str, list[int]] = defaultdict(lambda: [0] * problem.horizon)
    for (queue, t), n in result.coverage.items():
        if 0 <= t < problem.horizon:
            have[queue][t] = n
    short = [
        {"queue": q, "interval_start": (origin + t * step).isoformat(), "missing": n}
        for (q, t), n in sorted(result.short.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]
    return {
        "hours": round(result.hours, 2),
        "lower_bound_hours": round(result.lower_bound_hours, 2),
        "gap": round(result.gap, 4)
        if result.gap is not None and math.isfinite(result.gap)
        else None,
        "coverage": {
            "short_intervals": result.short_intervals,
            "short_agent_intervals": result.short_agent_intervals,
            "over_hours": round(result.over_hours, 2),
            "short": short[:2000],
        },
        "required": dict(need),
        "covered": {q: have.get(q, [0] * problem.horizon) for q in need},
        "statuses": result.statuses,
        "seconds": {k: round(v, 2) for k, v in result.seconds.items()},
        "agents": len(problem.agents),
    }


def publish_roster(actor: Agent, row: Roster) -> Roster:
    """Make a solved roster the week's shifts: every agent of it (those without a shift
    are off that week) gets its dated shifts, which routing follows."""
    if row.status not in (RosterStatus.SOLVED, RosterStatus.PUBLISHED):
        raise Conflict(_("Only a solved roster can be published."), field="status")
    window = (_week_origin(row.week_start), _week_origin(row.week_start) + dt.timedelta(days=7))
    shifts: dict[
        int, list[tuple[dt.datetime, dt.datetime, list[tuple[dt.datetime, dt.datetime]]]]
    ] = defaultdict(list)
    for s in RosterShift.objects.filter(roster=row).order_by("start"):
        breaks = [
            (dt.datetime.fromisoformat(b["start"]), dt.datetime.fromisoformat(b["end"]))
            for b in s.breaks
        ]
        shifts[s.agent_id].append((s.start, s.end, breaks))
    agent_ids = row.request.get("agent_ids") or sorted(shifts)
    for agent in Agent.objects.filter(pk__in=agent_ids).order_by("id"):
        routing.publish_schedule(agent, window, shifts.get(agent.pk, []))
    row.status = RosterStatus.PUBLISHED
    row.published_at = timezone.now()
    row.published_by = actor
    row.save(update_fields=["status", "published_at", "published_by"])
    audit.record(
        action="wfm.roster_published",
        obj=row,
        actor=actor,
        brand_id=row.brand_id,
        after={"week_start": row.week_start.isoformat(), "agents": len(agent_ids)},
    )
    return row


def simulate_roster(
    row: Roster,
    *,
    replications: int = 20,
    languages: list[str] | None = None,
    patience_seconds: float | None = 180.0,
    handle_cv: float = 1.0,
    seed: int = 0,
) -> dict[str, Any]:
    """Replay the roster's coverage per language against its forecast's contacts of the
    immediate channels (SimPy), less the agents the deferred channels' work plan keeps busy:
    per interval the service level, its 10th percentile and the probability of missing 80 %
    in 20 s, per language the share of intervals that miss."""
    if row.forecast_id is None:
        raise InvalidInput(_("This roster was not made from a forecast."), field="forecast_id")
    covered: dict[str, list[int]] = row.result.get("covered") or {}
    if not covered:
        raise Conflict(_("Solve the roster first."), field="status")
    wanted = {q for q in covered if not languages or q.split("/")[0] in languages}
    origin = _week_origin(row.week_start)
    step = row.interval_minutes * 60
    contacts: dict[str, list[float]] = {q: [0.0] * len(covered[q]) for q in wanted}
    forecast_minutes = row.forecast.interval_minutes if row.forecast else row.interval_minutes
    aht: dict[str, list[float]] = defaultdict(list)
    # email waits in a backlog, not on the line: its contacts are not replayed as calls,
    # and the agents its work plan takes (``deferred``) are not there to answer them
    later = services.deferred_channels()
    k = max(1, forecast_minutes // row.interval_minutes)
    busy_with_backlog: dict[str, list[int]] = {q: [0] * len(covered[q]) for q in wanted}
    if row.forecast is not None:
        grid, plans = services.language_requirements(
            row.forecast, _roster_staffing_input(row.forecast), languages=wanted
        )
        for lang, plan in plans.items():
            for at, n in zip(grid, plan.deferred, strict=True):
                t = int((at - origin).total_seconds() // step)
                for j in range(k):
                    if 0 <= t + j < len(busy_with_backlog[lang]):
                        busy_with_backlog[lang][t + j] = int(n)
    for v in ForecastValue.objects.filter(
        forecast_id=row.forecast_id,
        interval_start__gte=origin,
        interval_start__lt=origin + dt.timedelta(days=7),
    ):
        if v.language not in wanted or v.channel in later:
            continue
        q = v.language
        t = int((v.interval_start - origin).total_seconds() // step)
        # a forecast interval longer than the roster's spreads evenly over its slots
        for j in range(k):
            if 0 <= t + j < len(contacts[q]):
                contacts[q][t + j] += v.contacts / k
        aht[q].append(v.aht_seconds)
    total = sum(sum(c) for c in contacts.values()) * replications
    if total > 3_000_000:
        raise InvalidInput(
            _("Too much to simulate at once: pick languages or fewer replications."),
            field="languages",
        )
    out: dict[str, Any] = {}
    for q in sorted(wanted):
        if not any(contacts[q]):
            continue
        answering = [max(0, a - b) for a, b in zip(covered[q], busy_with_backlog[q], strict=True)]
        sim = simulation.simulate(
            answering,
            contacts[q],
            interval_seconds=step,
            aht_seconds=sum(aht[q]) / len(aht[q])
            if aht[q]
            else services.history.DEFAULT_AHT_SECONDS,
            service_level=DEFAULT_TARGET.service_level or 0.8,
            seconds=DEFAULT_TARGET.seconds or 20.0,
            patience_seconds=patience_seconds,
            handle_cv=handle_cv,
            replications=replications,
            seed=seed,
        )
        out[q] = {
            "miss_probability": round(sim.overall_miss_probability, 4),
            "intervals": [
                {
                    "interval_start": (origin + dt.timedelta(seconds=i * step)).isoformat(),
                    "agents": answering[i],
                    "contacts": round(contacts[q][i], 2),
                    "service_level": round(float(sim.service_level[i]), 4),
                    "service_level_p10": round(float(sim.service_level_p10[i]), 4),
                    "miss_probability": round(float(sim.miss_probability[i]), 4),
                    "abandonment": round(float(sim.abandonment[i]), 4),
                }
                for i in range(len(covered[q]))
                if contacts[q][i] > 0
            ],
        }
    busy = [i for q in out.values() for i in q["intervals"]]
    return {
        "replications": replications,
        "target": {"service_level": 0.8, "seconds": 20},
        "queues": out,
        "miss_probability": round(sum(i["miss_probability"] for i in busy) / len(busy), 4)
        if busy
        else 0.0,
    }


# --- changes to a published roster: swaps and time off (``wfm.request_services``) --------


def _breaks_within(
    breaks: list[dict[str, str]], start: dt.datetime, end: dt.datetime
) -> list[dict[str, str]]:
    return [
        b
        for b in breaks
        if dt.datetime.fromisoformat(b["start"]) >= start
        and dt.datetime.fromisoformat(b["end"]) <= end
    ]


def republish_agents(row: Roster, agent_ids: list[int]) -> None:
    """Publish again the week of ``row`` for these agents only: their shifts in it become
    their dated shifts, which routing follows."""
    window = (_week_origin(row.week_start), _week_origin(row.week_start) + dt.timedelta(days=7))
    for agent in Agent.objects.filter(pk__in=agent_ids).order_by("id"):
        shifts = [
            (
                s.start,
                s.end,
                [
                    (dt.datetime.fromisoformat(b["start"]), dt.datetime.fromisoformat(b["end"]))
                    for b in s.breaks
                ],
            )
            for s in RosterShift.objects.filter(roster=row, agent=agent).order_by("start")
        ]
        routing.publish_schedule(agent, window, shifts)


def reassign_shift(actor: Agent | None, shift: RosterShift, agent: Agent) -> RosterShift:
    """Give a published shift to another agent (an approved swap) and republish both."""
    before = shift.agent_id
    shift.agent = agent
    shift.save(update_fields=["agent"])
    audit.record(
        action="wfm.shift_reassigned",
        obj=shift.roster,
        actor=actor,
        brand_id=shift.roster.brand_id,
        before={"shift": shift.pk, "agent": before},
        after={"shift": shift.pk, "agent": agent.pk},
    )
    if shift.roster.status == RosterStatus.PUBLISHED:
        republish_agents(shift.roster, [before, agent.pk])
    return shift


def cut_shifts(
    actor: Agent | None, agent: Agent, start: dt.datetime, end: dt.datetime
) -> list[int]:
    """Take ``[start, end)`` out of the agent's shifts in published rosters (approved time
    off): shifts inside go, shifts across an edge are shortened, a shift around the span is
    split in two; their breaks outside what is left go. Republishes the weeks touched;
    returns the ids of the rosters changed."""
    touched: dict[int, Roster] = {}
    rows = RosterShift.objects.filter(
        agent=agent, roster__status=RosterStatus.PUBLISHED, start__lt=end, end__gt=start
    ).select_related("roster")
    for s in list(rows):
        touched[s.roster_id] = s.roster
        if start <= s.start and s.end <= end:
            s.delete()
            continue
        if s.start < start and end < s.end:  # split: the tail becomes a shift of its own
            RosterShift.objects.create(
                roster=s.roster,
                agent=agent,
                start=end,
                end=s.end,
                breaks=_breaks_within(s.breaks, end, s.end),
                language=s.language,
            )
            s.end = start
        elif s.start < start:
            s.end = start
        else:
            s.start = end
        s.breaks = _breaks_within(s.breaks, s.start, s.end)
        s.save(update_fields=["start", "end", "breaks"])
    for row in touched.values():
        audit.record(
            action="wfm.shifts_cut",
            obj=row,
            actor=actor,
            brand_id=row.brand_id,
            after={"agent": agent.pk, "start": start.isoformat(), "end": end.isoformat()},
        )
        republish_agents(row, [agent.pk])
    return sorted(touched)
