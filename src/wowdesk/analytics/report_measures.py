"""What the report pages show: the measures of each tab (label, where the number is in a
group of ``services.metrics()``, how it is formatted, which conversations are behind it),
and the tables and chart data built from a ``metrics()`` result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

PERCENT, SCORE, MEAN, SECONDS, COUNT = "percent", "score", "mean", "seconds", "count"


@dataclass(frozen=True)
class Measure:
    key: str
    label: str | Promise
    path: tuple[str, ...]  # where the number is in a group: ("nps", "value")
    kind: str  # PERCENT, SCORE, MEAN, SECONDS or COUNT
    drill: str = ""  # the measure ``services.drill`` lists the conversations of
    count_path: tuple[str, ...] = ()  # the count beside it: ("nps", "responses")
    better: int = 1  # 1: higher is better, -1: lower is better, 0: neither


M: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure(
            "conversations", _("Conversations"), ("conversations",), COUNT, "conversations", (), 0
        ),
        Measure("nps", _("NPS"), ("nps", "value"), SCORE, "nps_responses", ("nps", "responses")),
        Measure("nps_promoters", _("Promoters"), ("nps", "promoters"), COUNT, "nps_promoters"),
        Measure("nps_passives", _("Passives"), ("nps", "passives"), COUNT, "nps_passives"),
        Measure(
            "nps_detractors",
            _("Detractors"),
            ("nps", "detractors"),
            COUNT,
            "nps_detractors",
            (),
            -1,
        ),
        Measure(
            "csat", _("CSAT"), ("csat", "value"), PERCENT, "csat_responses", ("csat", "responses")
        ),
        Measure(
            "ces",
            _("CES (mean, 1–7)"),
            ("ces", "value"),
            MEAN,
            "ces_responses",
            ("ces", "responses"),
        ),
        Measure("ces_easy", _("CES: easy (5–7)"), ("ces", "easy"), PERCENT, "ces_easy"),
        Measure("response_rate", _("Response rate"), ("response_rate",), PERCENT, "responses"),
        Measure(
            "fcr",
            _("First-contact resolution"),
            ("fcr", "value"),
            PERCENT,
            "fcr",
            ("fcr", "resolved"),
        ),
        Measure(
            "first_response_median",
            _("First response, median"),
            ("first_response", "median_s"),
            SECONDS,
            "first_response",
            (),
            -1,
        ),
        Measure(
            "first_response_p90",
            _("First response, 90th percentile"),
            ("first_response", "p90_s"),
            SECONDS,
            "first_response",
            (),
            -1,
        ),
        Measure(
            "first_response_business_median",
            _("First response, median (business hours)"),
            ("first_response", "business_median_s"),
            SECONDS,
            "first_response",
            (),
            -1,
        ),
        Measure(
            "first_response_business_p90",
            _("First response, 90th percentile (business hours)"),
            ("first_response", "business_p90_s"),
            SECONDS,
            "first_response",
            (),
            -1,
        ),
        Measure(
            "resolution_median",
            _("Resolution, median"),
            ("resolution", "median_s"),
            SECONDS,
            "resolved",
            (),
            -1,
        ),
        Measure(
            "resolution_p90",
            _("Resolution, 90th percentile"),
            ("resolution", "p90_s"),
            SECONDS,
            "resolved",
            (),
            -1,
        ),
        Measure(
            "resolution_business_median",
            _("Resolution, median (business hours)"),
            ("resolution", "business_median_s"),
            SECONDS,
            "resolved",
            (),
            -1,
        ),
        Measure(
            "resolution_business_p90",
            _("Resolution, 90th percentile (business hours)"),
            ("resolution", "business_p90_s"),
            SECONDS,
            "resolved",
            (),
            -1,
        ),
        Measure(
            "sla_attainment", _("SLA attainment"), ("sla_attainment",), PERCENT, "sla_breached"
        ),
        Measure("backlog", _("Backlog"), ("backlog",), COUNT, "backlog", (), -1),
        Measure("reopen_rate", _("Reopen rate"), ("reopen_rate",), PERCENT, "reopened", (), -1),
        Measure("asa", _("Average speed of answer"), ("asa_s",), SECONDS, "live", (), -1),
        Measure("abandonment", _("Abandonment"), ("abandonment",), PERCENT, "abandoned", (), -1),
        Measure("occupancy", _("Occupancy"), ("occupancy",), PERCENT, "", (), 0),
        Measure(
            "bot_resolution",
            _("Bot resolution"),
            ("bot", "resolution_rate"),
            PERCENT,
            "bot_resolved",
        ),
        Measure(
            "bot_handover",
            _("Bot hand-over"),
            ("bot", "handover_rate"),
            PERCENT,
            "bot_handed_over",
            (),
            0,
        ),
        Measure(
            "handle_time", _("Handle time, median"), ("handle_time", "median_s"), SECONDS, "", (), 0
        ),
    )
}


@dataclass(frozen=True)
class Tab:
    key: str
    label: str | Promise
    group_by: str  # the default grouping
    columns: tuple[str, ...]  # the table's measures
    charts: tuple[tuple[str, ...], ...]  # one chart per tuple of measures
    chart_type: str = "line"


TABS: dict[str, Tab] = {
    t.key: t
    for t in (
        Tab(
            "loyalty",
            _("Loyalty"),
            "week",
            (
                "nps",
                "nps_promoters",
                "nps_passives",
                "nps_detractors",
                "csat",
                "ces",
                "ces_easy",
                "response_rate",
            ),
            (("nps",), ("csat", "ces_easy")),
        ),
        Tab(
            "service",
            _("Service"),
            "week",
            (
                "conversations",
                "first_response_business_median",
                "first_response_business_p90",
                "first_response_median",
                "first_response_p90",
                "resolution_business_median",
                "resolution_business_p90",
                "resolution_median",
                "resolution_p90",
                "sla_attainment",
                "backlog",
                "fcr",
                "reopen_rate",
            ),
            (
                ("first_response_business_median", "resolution_business_median"),
                ("sla_attainment", "fcr", "reopen_rate"),
            ),
        ),
        Tab(
            "channels",
            _("Channels & languages"),
            "channel",
            (
                "conversations",
                "first_response_business_median",
                "asa",
                "abandonment",
                "csat",
                "nps",
                "fcr",
                "bot_resolution",
                "bot_handover",
            ),
            (("conversations",), ("csat", "fcr")),
            "bar",
        ),
        Tab(
            "sites",
            _("Sites"),
            "site",
            (
                "conversations",
                "first_response_business_median",
                "resolution_business_median",
                "sla_attainment",
                "occupancy",
                "csat",
                "nps",
            ),
            (("conversations",), ("sla_attainment", "csat")),
            "bar",
        ),
        Tab(
            "agents",
            _("Agents & teams"),
            "agent",
            (
                "conversations",
                "csat",
                "nps",
                "ces",
                "fcr",
                "reopen_rate",
                "resolution_business_median",
                "handle_time",
            ),
            (("csat", "fcr"),),
            "bar",
        ),
    )
}
SURVEYS_TAB = "surveys"


def pick(group: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    """The number at ``path`` in a group (None when missing)."""
    value: Any = group
    for part in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def fmt(value: Any, kind: str) -> str:
    """A number as the page shows it."""
    if value is None:
        return "—"
    if kind == PERCENT:
        return f"{value:.0f} %"
    if kind == SCORE:
        return f"{value:+.0f}" if value else "0"
    if kind == MEAN:
        return f"{value:.2f}"
    if kind == SECONDS:
        return duration(float(value))
    return f"{int(value):,}".replace(",", "\u202f")


def duration(seconds: float) -> str:
    """``95`` → ``1 min 35 s``; ``7260`` → ``2 h 1 min``; ``200000`` → ``2 d 7 h``."""
    s = round(seconds)
    if s < 60:
        return gettext("%(s)d s") % {"s": s}
    if s < 3600:
        if s % 60:
            return gettext("%(m)d min %(s)d s") % {"m": s // 60, "s": s % 60}
        return gettext("%(m)d min") % {"m": s // 60}
    if s < 86400:
        return gettext("%(h)d h %(m)d min") % {"h": s // 3600, "m": (s % 3600) // 60}
    return gettext("%(d)d d %(h)d h") % {"d": s // 86400, "h": (s % 86400) // 3600}


def cell(group: Mapping[str, Any], key: str, previous: Mapping[str, Any] | None) -> dict[str, Any]:
    """One table cell: the number, its count, the previous period's and the change."""
    m = M[key]
    value = pick(group, m.path)
    count = pick(group, m.count_path) if m.count_path else None
    before = pick(previous, m.path) if previous else None
    change = None
    if isinstance(value, int | float) and isinstance(before, int | float):
        change = value - before
    trend = ""
    if change and m.better:
        trend = "good" if change * m.better > 0 else "bad"
    return {
        "key": key,
        "label": m.label,
        "value": value,
        "text": fmt(value, m.kind),
        "count": count,
        "previous": fmt(before, m.kind) if previous is not None else "",
        "change": change,
        "trend": trend,
        "drill": m.drill,
    }


def chart(
    result: Mapping[str, Any], keys: tuple[str, ...], kind: str, links: list[str]
) -> dict[str, Any]:
    """The chart data of some measures over the groups (read by ``charts.js``). NPS also
    carries its 95 % interval band."""
    groups = result.get("groups") or []
    labels = [str(g.get("label") or g.get("key")) for g in groups]
    datasets = []
    for key in keys:
        m = M[key]
        data = [_plot(pick(g, m.path), m.kind) for g in groups]
        ds: dict[str, Any] = {"key": key, "label": str(m.label), "data": data, "unit": m.kind}
        if key == "nps":
            bands = [pick(g, ("nps", "ci95")) for g in groups]
            ds["low"] = [b[0] if b else None for b in bands]
            ds["high"] = [b[1] if b else None for b in bands]
        datasets.append(ds)
    return {"type": kind, "labels": labels, "datasets": datasets, "links": links}


def _plot(value: Any, kind: str) -> float | None:
    if value is None:
        return None
    if kind == SECONDS:
        return round(float(value) / 3600, 2)  # hours
    return round(float(value), 2)
