"""The planner's pages (/wfm/, /wfm/forecast/, /wfm/staffing/, /wfm/adherence/) per role
of each of two brands; the other brand's forecast is refused; queries do not grow with
the number of queues."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from wowdesk.core.models import Agent, Brand, Role
from wowdesk.wfm import services
from wowdesk.wfm.models import Forecast, ForecastValue, RunStatus

pytestmark = pytest.mark.django_db

ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
PAGES = ("/wfm/", "/wfm/forecast/", "/wfm/staffing/", "/wfm/adherence/")


def _client(agent: Agent) -> Client:
    c = Client()
    c.force_login(agent.user)
    return c


def _forecast(brand: Brand, queues: int = 2) -> Forecast:
    first = dt.date(2026, 3, 2)
    info = {}
    row = Forecast.objects.create(brand=brand, first_day=first, days=1, status=RunStatus.DONE)
    start = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    values = []
    for i in range(queues):
        lang = f"l{i}"
        info[lang] = {
            "language": lang,
            "channel": "",
            "method": "seasonal_naive",
            "aht_seconds": 300.0,
            "history_contacts": 10,
            "scores": {"seasonal_naive": {"wape": 0.2, "mase": 0.9}},
            "contacts": 48.0,
        }
        for s in range(48):
            values.append(
                ForecastValue(
                    forecast=row,
                    language=lang,
                    channel="",
                    interval_start=start + dt.timedelta(minutes=30 * s),
                    contacts=5.0,
                    lower=3.0,
                    upper=7.0,
                    aht_seconds=300.0,
                )
            )
    ForecastValue.objects.bulk_create(values)
    row.queues = {"tz": "UTC", "queues": info}
    row.save()
    return row


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_pages_per_role(
    role: str, page: str, brand: Brand, other_brand: Brand, make_agent: Callable[..., Any]
) -> None:
    for mine, theirs in ((brand, other_brand), (other_brand, brand)):
        c = _client(make_agent(role, brands=[mine]))
        res = c.get(page)
        if role == Role.AGENT:
            assert res.status_code == 403
            continue
        assert res.status_code == 200
        assert c.get(page, {"brand": mine.pk}).status_code == 200
        assert c.get(page, {"brand": theirs.pk}).status_code == 403


@pytest.mark.parametrize("role", (Role.SUPERVISOR, Role.ADMIN))
def test_forecast_page_other_brands_forecast_refused(
    role: str, brand: Brand, other_brand: Brand, make_agent: Callable[..., Any]
) -> None:
    mine, theirs = _forecast(brand), _forecast(other_brand)
    c = _client(make_agent(role, brands=[brand]))
    page = c.get("/wfm/forecast/", {"forecast": mine.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-chart="chart-forecast"' in html and 'id="forecast-methods"' in html
    assert "<script>" not in html
    assert c.get("/wfm/forecast/", {"forecast": theirs.pk}).status_code == 403
    assert c.get("/wfm/forecast/", {"forecast": 10**9}).status_code == 404
    staff = c.get("/wfm/staffing/", {"go": 1, "source": "forecast", "forecast": theirs.pk})
    assert staff.status_code == 403


def test_forecast_page_queries_constant_in_queues(
    brand: Brand, make_agent: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    c = _client(make_agent(Role.SUPERVISOR))
    small, big = _forecast(brand, 2), _forecast(brand, 12)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert c.get("/wfm/forecast/", {"forecast": small.pk}).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert c.get("/wfm/forecast/", {"forecast": big.pk}).status_code == 200
    assert len(many) == len(few)


def test_adherence_queries_constant_in_agents(brand: Brand, make_agent: Callable[..., Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = _client(make_agent(Role.SUPERVISOR))
    with CaptureQueriesContext(connection) as few:
        assert c.get("/wfm/adherence/", {"partial": 1}).status_code == 200
    for _ in range(5):
        make_agent(Role.AGENT, shifts=["mon-sun 00:00-23:59"])
    with CaptureQueriesContext(connection) as many:
        assert c.get("/wfm/adherence/", {"partial": 1}).status_code == 200
    assert len(many) == len(few)


def test_staffing_pasted_and_bad_input(brand: Brand, make_agent: Callable[..., Any]) -> None:
    c = _client(make_agent(Role.SUPERVISOR))
    res = c.post("/wfm/staffing/", {"go": 1, "source": "paste", "contacts": "100\n120\n80"})
    assert res.status_code == 200, res.content
    assert res.content.decode().count("<tr>") >= 3
    bad = c.post("/wfm/staffing/", {"go": 1, "source": "paste", "contacts": "x"})
    assert bad.status_code == 400 and 'data-field="contacts"' in bad.content.decode()


def test_staffing_page_plans_pasted_email_as_deferred_work(
    brand: Brand, make_agent: Callable[..., Any]
) -> None:
    c = _client(make_agent(Role.SUPERVISOR))
    # a night's trickle then a morning: one email every other half hour at 300 s, 2 h window
    pasted = "0.5\n0.5\n0.5\n0.5\n0.5\n0.5\n0.5\n0.5"
    form = {"go": 1, "source": "paste", "contacts": pasted, "interval_minutes": "30",
            "aht_seconds": "300", "shrinkage": "0", "response_hours": "2"}  # fmt: skip
    res = c.post("/wfm/staffing/", {**form, "model": "deferred"})
    assert res.status_code == 200, res.content
    rows = res.context["rows"]
    # the same as the API's deferred model: agents only when the work falls due
    expected = services.staffing_rows(
        services.StaffingInput(
            interval_seconds=1800, aht_seconds=300,
            target=services.erlang.Target(service_level=0.8, seconds=20), shrinkage=0.0,
            model="deferred", patience_seconds=None, occupancy_cap=0.85, concurrency=1,
            response_seconds=7200,
        ),
        [0.5] * 8,
    )  # fmt: skip
    assert [r["agents"] for r in rows] == [r["agents"] for r in expected]
    assert sum(r["agents"] for r in rows) < 8  # Erlang would staff every interval
    assert all(r["latest_response_seconds"] <= 7200 for r in rows)
    assert "Latest response (min)" in res.content.decode()
    erlang_rows = c.post("/wfm/staffing/", {**form, "model": "erlang_c"}).context["rows"]
    assert all(r["agents"] >= 1 for r in erlang_rows)


def test_forecast_page_starts_and_imports(brand: Brand, make_agent: Callable[..., Any]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = _client(make_agent(Role.SUPERVISOR))
    res = c.post("/wfm/forecast/", {"action": "start", "days": 7, "interval_minutes": 30})
    assert res.status_code == 302
    row = Forecast.objects.get(brand=brand)
    page = c.get(res["Location"]).content.decode()
    assert f"#{row.pk}" in page and 'http-equiv="refresh"' in page
    bad = SimpleUploadedFile("h.csv", b"interval_start,queue,contacts\nnope,de,3\n")
    res = c.post("/wfm/forecast/", {"action": "import", "file": bad})
    assert res.status_code == 400 and "Line 2" in res.content.decode()
    good = SimpleUploadedFile("h.csv", b"interval_start,queue,contacts\n2026-03-02T09:00Z,de,3\n")
    assert c.post("/wfm/forecast/", {"action": "import", "file": good}).status_code == 302
