"""GET /api/v1/metrics and /metrics/export: the shape, scoping per role of two brands,
bad values (400 naming the field), CSV and JSON exports, formula-safe cells, and the flat
memory of a long stream."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest

from tests.analytics.world import answer, conversation
from tests.conftest import ApiClient
from wowdesk.analytics import export, rollups
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.surveys.models import Survey, SurveyResponse

WEEK = {"from": "2026-03-02", "to": "2026-03-08", "tz": "UTC"}


@pytest.fixture
def two_brands(brand: Brand, other_brand: Brand) -> dict[str, Any]:
    mine = conversation(brand, created="2026-03-03T10:00+00:00", resolved="2026-03-03T11:00+00:00")
    theirs = conversation(
        other_brand, created="2026-03-03T10:00+00:00", resolved="2026-03-03T12:00+00:00"
    )
    answer(mine, "nps", 3, "2026-03-04T10:00+00:00", comment='=HYPERLINK("http://x")')
    answer(theirs, "nps", 10, "2026-03-04T10:00+00:00")
    rollups.rebuild()
    return {"mine": mine, "theirs": theirs}


def _api(
    make_agent: Callable[..., Agent],
    make_api: Callable[..., ApiClient],
    role: str,
    brands: list[Brand],
) -> ApiClient:
    return make_api(make_agent(role, brands=brands))


def test_the_shape(
    two_brands: dict[str, Any],
    brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[..., ApiClient],
) -> None:
    api = _api(make_agent, make_api, Role.SUPERVISOR, [brand])
    response = api.get("/metrics", **WEEK, group_by="brand")
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) >= {"period", "previous", "totals", "groups"}
    assert body["period"] == {
        "from": "2026-03-02T00:00:00+00:00",
        "to": "2026-03-09T00:00:00+00:00",
    }
    assert set(body["previous"]) == {"from", "to", "totals"}
    [group] = body["groups"]
    assert group["key"] == brand.pk and group["label"] == "Acme"
    assert group["nps"]["detractors"] == 1 and group["nps"]["value"] == -100.0
    assert group["first_response"].keys() == {
        "median_s",
        "p90_s",
        "business_median_s",
        "business_p90_s",
    }
    for name in (
        "csat",
        "ces",
        "fcr",
        "resolution",
        "sla_attainment",
        "reopen_rate",
        "response_rate",
        "backlog",
        "asa_s",
        "abandonment",
        "occupancy",
        "bot",
        "handle_time",
        "conversations",
        "previous",
    ):
        assert name in group
    assert group["resolution"]["median_s"] == pytest.approx(3600, rel=0.025)


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
def test_each_role_reads_only_its_brands(
    two_brands: dict[str, Any],
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[..., ApiClient],
    role: str,
) -> None:
    api = _api(make_agent, make_api, role, [other_brand])
    body = api.get("/metrics", **WEEK).json()
    assert body["totals"]["conversations"] == 1
    assert body["totals"]["nps"]["value"] == 100.0  # theirs, not ours
    assert api.get("/metrics", **WEEK, brand=str(brand.pk)).status_code == 403
    assert api.get("/metrics", **WEEK, brand="acme").status_code == 403
    assert api.get("/metrics/export", **WEEK, brand=str(brand.pk)).status_code == 403
    # the other brand's rows never show in an export
    rows = api.get("/metrics/export", **WEEK, table="responses", format="json")
    data = json.loads(b"".join(rows.streaming_content))
    assert [r["brand_id"] for r in data] == [other_brand.pk]


def test_an_agent_reads_no_reports(
    two_brands: dict[str, Any],
    make_agent: Callable[..., Agent],
    make_api: Callable[..., ApiClient],
    brand: Brand,
    anon_api: ApiClient,
) -> None:
    api = _api(make_agent, make_api, Role.AGENT, [brand])
    assert api.get("/metrics", **WEEK).status_code == 403
    assert api.get("/metrics/export", **WEEK).status_code == 403
    assert anon_api.get("/metrics").status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-13-01"}, "to"),
        ({"from": "2026-03-09", "to": "2026-03-01"}, "to"),
        ({"from": "2000-01-01", "to": "2026-01-01"}, "from"),
        ({"group_by": "speed"}, "group_by"),
        ({"tz": "Mars/Olympus"}, "tz"),
        ({"agent": "ken"}, "agent"),
        ({"channel": "pigeon"}, "channel"),
        ({"previous": "maybe"}, "previous"),
        ({"brand": "nobody"}, "brand"),
        ({"format": "xls"}, "format"),
        ({"table": "everything"}, "table"),
    ],
)
def test_bad_values_are_400_with_the_field(
    brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[..., ApiClient],
    params: dict[str, str],
    field: str,
) -> None:
    api = _api(make_agent, make_api, Role.ADMIN, [brand])
    path = "/metrics/export" if field in ("format", "table") else "/metrics"
    response = api.get(path, **params)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field


def test_csv_export_of_each_table_is_formula_safe(
    two_brands: dict[str, Any],
    brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[..., ApiClient],
) -> None:
    api = _api(make_agent, make_api, Role.SUPERVISOR, [brand])
    response = api.get("/metrics/export", **WEEK, table="responses")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 1
    assert rows[0]["comment"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["score"] == "3"
    facts = api.get("/metrics/export", **WEEK, table="conversations")
    [fact] = list(csv.DictReader(io.StringIO(b"".join(facts.streaming_content).decode())))
    assert fact["conversation_id"] == str(two_brands["mine"].pk)
    assert float(fact["resolution_s"]) == 3600
    groups = api.get("/metrics/export", **WEEK, group_by="channel", format="json")
    [row] = json.loads(b"".join(groups.streaming_content))
    assert row["key"] == "email" and row["nps_detractors"] == 1
    assert export.safe_cell("-1+2") == "'-1+2" and export.safe_cell(-3) == -3
    assert export.safe_cell("@SUM(A1)") == "'@SUM(A1)" and export.safe_cell("fine") == "fine"


def _bulk_responses(brand: Brand, n: int) -> None:
    c = conversation(brand, created="2026-03-03T10:00+00:00")
    base = dt.datetime(2026, 3, 3, 12, tzinfo=dt.UTC)
    surveys = Survey.objects.bulk_create(
        Survey(
            brand=brand,
            conversation=c,
            customer=c.customer,
            kind="nps",
            status="answered",
            resolved_at=base + dt.timedelta(seconds=i),
            scheduled_for=base,
        )
        for i in range(n)
    )
    SurveyResponse.objects.bulk_create(
        SurveyResponse(
            survey=s,
            brand=brand,
            kind="nps",
            score=i % 11,
            comment="x" * 200,
            conversation=c,
            customer=c.customer,
            answered_at=base,
            updated_at=base,
        )
        for i, s in enumerate(surveys)
    )


def test_a_long_export_streams_with_flat_memory(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    from wowdesk.analytics import services

    supervisor = make_agent(Role.SUPERVISOR)
    _bulk_responses(brand, 3000)
    query = services.parse_query(supervisor, WEEK)
    columns, data = export.rows(supervisor, query, "responses", chunk_size=100)
    stream = export.stream_csv(columns, data)
    tracemalloc.start()
    try:
        lines = 0
        peaks: list[int] = []
        for _chunk in stream:
            lines += 1
            if lines in (500, 2900):
                peaks.append(tracemalloc.get_traced_memory()[0])
    finally:
        tracemalloc.stop()
    assert lines == 3001
    # what is held after 2,900 rows is about what was held after 500: the rows already
    # written are gone (3,000 rows of 200+ characters would be over 600 kB)
    assert peaks[1] - peaks[0] < 200_000
