"""Every row behind a report table, streamed as CSV or JSON with flat memory.

The rows come from ``.iterator(chunk_size=...)`` (a server-side cursor on PostgreSQL,
chunked reads on SQLite) and leave as they are read: the memory an export holds does not
grow with its rows. CSV cells that a spreadsheet would run as a formula (starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) get a leading ``'``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from wowdesk.analytics import services
from wowdesk.analytics.models import ConversationFact
from wowdesk.core.models import Agent
from wowdesk.surveys.models import SurveyResponse

TABLES = ("groups", "responses", "conversations")
FORMATS = ("csv", "json")
CHUNK = 2000
_FORMULA = ("=", "+", "-", "@", "\t", "\r")

RESPONSE_COLUMNS = (
    "id",
    "answered_at",
    "brand_id",
    "kind",
    "score",
    "comment",
    "comment_language",
    "conversation_id",
    "customer_id",
    "agent_id",
    "team_id",
    "site_id",
    "inbox_id",
    "channel",
    "language",
    "intent",
)
FACT_COLUMNS = (
    "conversation_id",
    "brand_id",
    "created_at",
    "resolved_at",
    "inbox_id",
    "channel",
    "language",
    "team_id",
    "agent_id",
    "site_id",
    "intent",
    "product",
    "first_response_s",
    "first_response_bs",
    "resolution_s",
    "resolution_bs",
    "handle_s",
    "reopened",
    "fcr",
    "sla_met",
    "live",
    "abandoned",
    "bot",
)
GROUP_COLUMNS = (
    "key",
    "label",
    "conversations",
    "csat",
    "csat_responses",
    "nps",
    "nps_promoters",
    "nps_passives",
    "nps_detractors",
    "nps_responses",
    "nps_ci95_low",
    "nps_ci95_high",
    "ces",
    "ces_easy",
    "ces_responses",
    "fcr",
    "fcr_resolved",
    "first_response_median_s",
    "first_response_p90_s",
    "first_response_business_median_s",
    "first_response_business_p90_s",
    "resolution_median_s",
    "resolution_p90_s",
    "resolution_business_median_s",
    "resolution_business_p90_s",
    "sla_attainment",
    "reopen_rate",
    "response_rate",
    "backlog",
    "asa_s",
    "abandonment",
    "occupancy",
    "bot_resolution_rate",
    "bot_handover_rate",
    "handle_time_median_s",
)


def safe_cell(value: Any) -> Any:
    """A CSV cell: text a spreadsheet would take for a formula is quoted with ``'``;
    datetimes in ISO 8601; None empty."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bool | int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def _flat(group: dict[str, Any]) -> tuple[Any, ...]:
    ci = group["nps"]["ci95"] or [None, None]
    fr, res = group["first_response"], group["resolution"]
    return (
        group.get("key"),
        group.get("label"),
        group["conversations"],
        group["csat"]["value"],
        group["csat"]["responses"],
        group["nps"]["value"],
        group["nps"]["promoters"],
        group["nps"]["passives"],
        group["nps"]["detractors"],
        group["nps"]["responses"],
        ci[0],
        ci[1],
        group["ces"]["value"],
        group["ces"]["easy"],
        group["ces"]["responses"],
        group["fcr"]["value"],
        group["fcr"]["resolved"],
        fr["median_s"],
        fr["p90_s"],
        fr["business_median_s"],
        fr["business_p90_s"],
        res["median_s"],
        res["p90_s"],
        res["business_median_s"],
        res["business_p90_s"],
        group["sla_attainment"],
        group["reopen_rate"],
        group["response_rate"],
        group["backlog"],
        group["asa_s"],
        group["abandonment"],
        group["occupancy"],
        group["bot"]["resolution_rate"],
        group["bot"]["handover_rate"],
        group["handle_time"]["median_s"],
    )


def _responses(agent: Agent, query: services.MetricsQuery) -> QuerySet[Any]:
    brands = services.scoped_brands(agent, query)
    return (
        SurveyResponse.objects.filter(
            services._filter_q(services.RESPONSES, query.filters),
            brand_id__in=brands,
            answered_at__gte=query.start,
            answered_at__lt=query.end,
        )
        .order_by("answered_at", "pk")
        .values_list(*RESPONSE_COLUMNS)
    )


def _facts(agent: Agent, query: services.MetricsQuery) -> QuerySet[Any]:
    brands = services.scoped_brands(agent, query)
    return (
        ConversationFact.objects.filter(
            services._filter_q(services.FACTS, query.filters),
            brand_id__in=brands,
            created_at__gte=query.start,
            created_at__lt=query.end,
        )
        .order_by("created_at", "pk")
        .values_list(*FACT_COLUMNS)
    )


def rows(
    agent: Agent, query: services.MetricsQuery, table: str, *, chunk_size: int = CHUNK
) -> tuple[Sequence[str], Iterable[Sequence[Any]]]:
    """The columns and the rows (lazily read) of a table; scoping and bad values are
    checked now, before anything streams."""
    if table == "groups":
        result = services.metrics(agent, query)
        groups = result["groups"] or [{"key": None, "label": "", **result["totals"]}]
        return GROUP_COLUMNS, [_flat(g) for g in groups]
    if table == "responses":
        return RESPONSE_COLUMNS, _responses(agent, query).iterator(chunk_size=chunk_size)
    if table == "conversations":
        return FACT_COLUMNS, _facts(agent, query).iterator(chunk_size=chunk_size)
    raise services.MetricsQueryError(
        _("Export one of: %(v)s") % {"v": ", ".join(TABLES)}, field="table"
    )


class _Line:
    """A file-like that hands back what ``csv.writer`` wrote."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()

    def take(self) -> str:
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return text


def stream_csv(columns: Sequence[str], data: Iterable[Sequence[Any]]) -> Iterator[str]:
    line = _Line()
    writer = csv.writer(line.buffer)
    writer.writerow(columns)
    yield line.take()
    for row in data:
        writer.writerow([safe_cell(v) for v in row])
        yield line.take()


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def stream_json(columns: Sequence[str], data: Iterable[Sequence[Any]]) -> Iterator[str]:
    """A JSON array of objects, one line per row."""
    yield "[\n"
    first = True
    for row in data:
        item = {c: _json_value(v) for c, v in zip(columns, row, strict=True)}
        yield ("" if first else ",\n") + json.dumps(item, ensure_ascii=False)
        first = False
    yield "\n]\n"
