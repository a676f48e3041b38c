"""API: the measures (``GET /api/v1/metrics``) and every row behind a report table
(``GET /api/v1/metrics/export``), for supervisors and administrators of the brands whose
reports they see."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from wowdesk.analytics import export, services
from wowdesk.core.api import me
from wowdesk.core.schemas import ERRORS

router = Router(tags=["analytics"])


class MetricsParams(Schema):
    """Every value is checked by ``analytics.services.parse_query`` (400 naming the field)."""

    from_: str | None = Field(None, alias="from", description="date or datetime")
    to: str | None = Field(None, description="date (included) or datetime (excluded)")
    tz: str | None = Field(None, description="IANA time zone; default the caller's")
    group_by: str | None = None
    previous: str | None = Field(None, description="0 or 1 (default 1)")
    brand: str | None = Field(None, description="ids or slugs, comma-separated")
    site: str | None = None
    team: str | None = None
    agent: str | None = None
    channel: str | None = None
    language: str | None = None
    inbox: str | None = None
    tag: str | None = None
    product: str | None = None
    intent: str | None = None


class MetricsExportParams(MetricsParams):
    format: str | None = Field(None, description="csv (default) or json")
    table: str | None = Field(None, description="groups (default), responses or conversations")


class MetricsValue(Schema):
    value: float | None
    responses: int


class MetricsNps(Schema):
    value: float | None
    promoters: int
    passives: int
    detractors: int
    responses: int
    ci95: list[float | None] | None


class MetricsCes(Schema):
    value: float | None
    easy: float | None
    responses: int


class MetricsFcr(Schema):
    value: float | None
    resolved: int


class MetricsTimes(Schema):
    median_s: float | None
    p90_s: float | None
    business_median_s: float | None
    business_p90_s: float | None


class MetricsBot(Schema):
    resolution_rate: float | None
    handover_rate: float | None


class MetricsHandle(Schema):
    median_s: float | None


class MetricsMeasures(Schema):
    csat: MetricsValue
    nps: MetricsNps
    ces: MetricsCes
    fcr: MetricsFcr
    first_response: MetricsTimes
    resolution: MetricsTimes
    sla_attainment: float | None
    reopen_rate: float | None
    response_rate: float | None
    backlog: int
    asa_s: float | None
    abandonment: float | None
    occupancy: float | None
    bot: MetricsBot
    handle_time: MetricsHandle
    conversations: int


class MetricsGroup(MetricsMeasures):
    key: int | str | None
    label: str
    previous: MetricsMeasures | None = None


class MetricsPeriod(Schema):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str


class MetricsPrevious(MetricsPeriod):
    totals: MetricsMeasures | None


class MetricsOut(Schema):
    period: MetricsPeriod
    previous: MetricsPrevious
    totals: MetricsMeasures
    group_by: str | None
    tz: str
    groups: list[MetricsGroup]


def _params(params: MetricsParams) -> dict[str, Any]:
    return {k: v for k, v in params.dict(by_alias=True).items() if v is not None}


@router.get("/metrics", response={200: MetricsOut, **ERRORS}, by_alias=True)
def get_metrics(request: HttpRequest, params: Query[MetricsParams]) -> dict[str, Any]:
    """The measures of a period (default the last 28 days) in the brands whose reports the
    caller sees, grouped by a dimension or by day/week/month in the viewer's time zone,
    with the previous period of the same length beside them (definitions:
    docs/metrics.md)."""
    return services.metrics(me(request), _params(params))


@router.get("/metrics/export", response={200: None, **ERRORS})
def export_metrics(
    request: HttpRequest, params: Query[MetricsExportParams]
) -> StreamingHttpResponse:
    """Every row behind a table, streamed: ``table=groups`` (the grouped measures),
    ``responses`` (survey responses) or ``conversations`` (the conversation facts), as
    ``format=csv`` (formula-safe) or ``json``."""
    agent = me(request)
    raw = _params(params)
    fmt = raw.pop("format", "csv")
    table = raw.pop("table", "groups")
    if fmt not in export.FORMATS:
        raise services.MetricsQueryError(
            _("Export as one of: %(v)s") % {"v": ", ".join(export.FORMATS)}, field="format"
        )
    if table not in export.TABLES:
        raise services.MetricsQueryError(
            _("Export one of: %(v)s") % {"v": ", ".join(export.TABLES)}, field="table"
        )
    query = services.parse_query(agent, raw)
    columns, data = export.rows(agent, query, table)
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    if fmt == "json":
        response = StreamingHttpResponse(
            export.stream_json(columns, data), content_type="application/json; charset=utf-8"
        )
    else:
        response = StreamingHttpResponse(
            export.stream_csv(columns, data), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="wowdesk-{table}-{stamp}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
