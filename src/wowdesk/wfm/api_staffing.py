"""API: staffing.

``POST /api/v1/wfm/staffing`` — required agents per interval by Erlang C or Erlang A, or
for deferred work (email) by its workload within a response window::

    {"interval_seconds": 1800, "aht_seconds": 180,
     "target": {"service_level": 0.8, "seconds": 20} | {"asa_seconds": 30},
     "shrinkage": 0.3, "model": "erlang_c" | "erlang_a" | "deferred",
     "patience_seconds"?: 120, "response_seconds"?: 14400 (deferred; 4 h without),
     "occupancy_cap"?: 0.85, "concurrency"?: 1,
     "intervals": [{"contacts": 100}, ...]}
    → {"intervals": [{"agents", "scheduled", "service_level", "asa_seconds", "occupancy",
                      "abandonment"? (Erlang A),
                      "model", "response_seconds", "workload", "backlog_contacts",
                      "latest_response_seconds"? (deferred)}]}

Or ``"forecast_id"`` instead of ``intervals``: every queue of that forecast, each with its
own handle time (``{"queues": {"de/email": [{..., "interval_start"}]}}``; a deferred
channel's rows say ``"model": "deferred"`` and its ``response_seconds``), and per language
what its agents need for all its channels together (``"languages": {"de": [{"agents",
"immediate", "deferred", "scheduled", "interval_start"}]}``, ``wfm.deferred``). Any signed-in
agent may compute (it reads nothing); a forecast is the planner's (supervisor+ of its
brand). ``POST /api/v1/wfm/pooling`` says what multi-skilled agents save.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from wowdesk.core import permissions
from wowdesk.core.api import me
from wowdesk.core.errors import InvalidInput
from wowdesk.core.models import Agent
from wowdesk.core.schemas import ERRORS
from wowdesk.wfm import erlang, pooling, services
from wowdesk.wfm.models import Forecast, RunStatus

router = Router(tags=["wfm"])


class TargetIn(Schema):
    service_level: float | None = Field(None, gt=0, lt=1)
    seconds: float | None = Field(None, ge=0, le=3600)
    asa_seconds: float | None = Field(None, gt=0, le=86_400)


class IntervalIn(Schema):
    contacts: float = Field(..., ge=0, le=1_000_000)


class StaffingIn(Schema):
    interval_seconds: float = Field(1800, gt=0, le=86_400)
    aht_seconds: float = Field(..., gt=0, le=86_400)
    target: TargetIn
    shrinkage: float = Field(0.0, ge=0, lt=1)
    model: Literal["erlang_c", "erlang_a", "deferred"] = "erlang_c"
    patience_seconds: float | None = Field(None, gt=0, le=86_400)
    response_seconds: float | None = Field(None, gt=0, le=30 * 86_400)
    occupancy_cap: float = Field(1.0, gt=0, le=1)
    concurrency: int = Field(1, ge=1, le=20)
    intervals: list[IntervalIn] | None = Field(None, max_length=20_000)
    forecast_id: int | None = Field(None, ge=1, le=2**62)
    languages: list[str] | None = Field(None, max_length=200)


class StaffingRow(Schema):
    contacts: float
    agents: int
    scheduled: int
    service_level: float
    asa_seconds: float | None
    occupancy: float
    abandonment: float | None = None
    interval_start: str | None = None
    model: str | None = None
    response_seconds: float | None = None
    workload: float | None = None
    backlog_contacts: float | None = None
    latest_response_seconds: float | None = None


class LanguageRow(Schema):
    interval_start: str
    agents: int
    immediate: int
    deferred: int
    scheduled: int


class StaffingOut(Schema):
    intervals: list[StaffingRow] | None = None
    queues: dict[str, list[StaffingRow]] | None = None
    languages: dict[str, list[LanguageRow]] | None = None
    totals: dict[str, int]


def _params(
    t: TargetIn,
    *,
    model: erlang.Model | Literal["deferred"],
    patience_seconds: float | None,
    interval_seconds: float,
    aht_seconds: float,
    shrinkage: float = 0.0,
    occupancy_cap: float = 1.0,
    concurrency: int = 1,
    response_seconds: float | None = None,
) -> services.StaffingInput:
    try:
        target = erlang.Target(
            service_level=t.service_level, seconds=t.seconds, asa_seconds=t.asa_seconds
        )
    except erlang.StaffingError as exc:
        raise InvalidInput(str(exc), field="target") from None
    if model == "erlang_a" and patience_seconds is None:
        raise InvalidInput(_("Erlang A needs patience_seconds."), field="patience_seconds")
    return services.StaffingInput(
        interval_seconds=interval_seconds,
        aht_seconds=aht_seconds,
        target=target,
        shrinkage=shrinkage,
        model=model,
        patience_seconds=patience_seconds,
        occupancy_cap=occupancy_cap,
        concurrency=concurrency,
        response_seconds=response_seconds,
    )


def planner_forecast(agent: Agent, forecast_id: int) -> Forecast:
    row = permissions.get_for_agent(Forecast.objects.all(), agent, forecast_id)
    permissions.check_plans_workforce(agent, row.brand_id)
    return row


@router.post("/wfm/staffing", response={200: StaffingOut, **ERRORS})
def staffing(request: HttpRequest, payload: StaffingIn) -> dict[str, Any]:
    """Required agents per interval (see the module text)."""
    agent = me(request)
    params = _params(
        payload.target,
        model=payload.model,
        patience_seconds=payload.patience_seconds,
        interval_seconds=payload.interval_seconds,
        aht_seconds=payload.aht_seconds,
        shrinkage=payload.shrinkage,
        occupancy_cap=payload.occupancy_cap,
        concurrency=payload.concurrency,
        response_seconds=payload.response_seconds,
    )
    if payload.forecast_id is not None:
        if payload.model == "deferred":
            raise InvalidInput(
                _("A forecast's deferred channels are found by themselves: choose Erlang C or A."),
                field="model",
            )
        row = planner_forecast(agent, payload.forecast_id)
        if row.status != RunStatus.DONE:
            raise InvalidInput(_("That forecast is not ready yet."), field="forecast_id")
        queues = services.forecast_staffing(row, params, languages=payload.languages)
        by_language = services.forecast_language_staffing(row, params, languages=payload.languages)
        return {
            "queues": queues,
            "languages": by_language,
            "totals": {
                "agent_intervals": sum(r["agents"] for q in queues.values() for r in q),
                "scheduled_intervals": sum(r["scheduled"] for q in queues.values() for r in q),
                "language_agent_intervals": sum(
                    r["agents"] for q in by_language.values() for r in q
                ),
            },
        }
    if not payload.intervals:
        raise InvalidInput(_("Give intervals or a forecast_id."), field="intervals")
    rows = services.staffing_rows(params, [i.contacts for i in payload.intervals])
    return {
        "intervals": rows,
        "totals": {
            "agent_intervals": sum(r["agents"] for r in rows),
            "scheduled_intervals": sum(r["scheduled"] for r in rows),
        },
    }


class PoolingIn(Schema):
    interval_seconds: float = Field(1800, gt=0, le=86_400)
    aht_seconds: float = Field(..., gt=0, le=86_400)
    target: TargetIn
    model: Literal["erlang_c", "erlang_a"] = "erlang_c"
    patience_seconds: float | None = Field(None, gt=0, le=86_400)
    # contacts per interval per queue, e.g. {"de": [40, 52], "fr": [30, 41]}
    queues: dict[str, list[float]] = Field(..., max_length=500)
    # each agent's queues, e.g. [["de", "fr"], ["de"]]
    agents: list[list[str]] = Field(..., max_length=20_000)


class PoolingOut(Schema):
    groups: list[list[str]]
    separate_agents: list[int]
    pooled_agents: list[int]
    saved_agent_intervals: int
    saved_share: float


@router.post("/wfm/pooling", response={200: PoolingOut, **ERRORS})
def pooling_view(request: HttpRequest, payload: PoolingIn) -> dict[str, Any]:
    """Agents needed with every queue apart and with queues linked by multi-skilled agents
    pooled (the best pooling can do)."""
    me(request)
    params = _params(
        payload.target,
        model=payload.model,
        patience_seconds=payload.patience_seconds,
        interval_seconds=payload.interval_seconds,
        aht_seconds=payload.aht_seconds,
    )
    lengths = {len(v) for v in payload.queues.values()}
    if len(lengths) > 1:
        raise InvalidInput(_("Every queue needs the same number of intervals."), field="queues")
    if any(c < 0 for v in payload.queues.values() for c in v):
        raise InvalidInput(_("Contacts must be zero or more."), field="queues")
    try:
        r = pooling.pooling_savings(
            payload.queues,
            payload.agents,
            interval_seconds=params.interval_seconds,
            aht_seconds=params.aht_seconds,
            target=params.target,
            model="erlang_a" if params.model == "erlang_a" else "erlang_c",
            patience_seconds=params.patience_seconds,
        )
    except erlang.StaffingError as exc:
        raise InvalidInput(str(exc), field="queues") from None
    return r.__dict__
