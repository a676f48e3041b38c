"""The planner's API: staffing (the textbook case), history imports, special days and
forecasts — for every role of two brands."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import ApiClient
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.wfm import services
from wowdesk.wfm.models import Forecast, ForecastValue, VolumeRecord

TEXTBOOK = {
    "interval_seconds": 1800,
    "aht_seconds": 180,
    "target": {"service_level": 0.8, "seconds": 20},
    "shrinkage": 0.3,
    "model": "erlang_c",
    "intervals": [{"contacts": 100}, {"contacts": 0}, {"contacts": 200}],
}
MONDAY = dt.date(2026, 11, 2)


def history_csv(weeks: int = 8, start: dt.date = MONDAY, queue: str = "de/email") -> str:
    """A weekly pattern for ``queue``: 10 a half hour in office hours on weekdays, 2 at
    weekends."""
    lines = ["interval_start,queue,contacts,aht_seconds"]
    for d in range(7 * weeks):
        day = start + dt.timedelta(days=d)
        for h in range(8, 18):
            n = 10 if day.weekday() < 5 else 2
            at = dt.datetime.combine(day, dt.time(h), dt.UTC)
            lines.append(f"{at.isoformat()},{queue},{n},240")
            lines.append(f"{(at + dt.timedelta(minutes=30)).isoformat()},{queue},{n},240")
    return "\n".join(lines)


def test_the_textbook_case_through_the_api(api: ApiClient) -> None:
    r = api.post("/wfm/staffing", TEXTBOOK)
    assert r.status_code == 200, r.content
    first, quiet, double = r.json()["intervals"]
    assert (first["agents"], first["scheduled"]) == (14, 20)
    assert first["service_level"] == pytest.approx(0.888, abs=1e-3)
    assert first["occupancy"] == pytest.approx(10 / 14, abs=1e-3)
    assert (quiet["agents"], quiet["scheduled"]) == (0, 0)
    assert double["agents"] > first["agents"]
    a = api.post("/wfm/staffing", {**TEXTBOOK, "model": "erlang_a", "patience_seconds": 120})
    assert a.status_code == 200
    assert a.json()["intervals"][0]["agents"] <= 14
    assert a.json()["intervals"][0]["abandonment"] > 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"model": "erlang_a"}, "patience_seconds"),
        ({"target": {"service_level": 0.8}}, "target"),
        ({"intervals": None}, "intervals"),
    ],
)
def test_bad_staffing_input_is_refused_with_the_field(
    api: ApiClient, change: dict[str, Any], field: str
) -> None:
    r = api.post("/wfm/staffing", {**TEXTBOOK, **change})
    assert r.status_code == 422, r.content
    assert field in r.content.decode()


def test_pooling_shows_what_multilingual_agents_save(api: ApiClient) -> None:
    r = api.post(
        "/wfm/pooling",
        {
            "aht_seconds": 180,
            "target": {"service_level": 0.8, "seconds": 20},
            "queues": {"de": [40, 40], "fr": [40, 40], "ja": [10, 10]},
            "agents": [["de", "fr"], ["ja"]],
        },
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["groups"] == [["de", "fr"], ["ja"]]
    assert body["saved_agent_intervals"] > 0


def _planner(make_agent: Callable[..., Agent], brand: Brand, role: str = Role.SUPERVISOR) -> Agent:
    return make_agent(role, brands=[brand])


def test_import_then_forecast_then_staff_it(
    make_agent: Callable[..., Agent], make_api: Callable[..., ApiClient], brand: Brand
) -> None:
    planner = make_api(_planner(make_agent, brand))
    r = planner.post("/wfm/history/import", {"csv": history_csv()})
    assert r.status_code == 201, r.content
    assert r.json()["queues"] == ["de/email"] and r.json()["created"] == 8 * 7 * 20
    # the same file again updates, never doubles
    again = planner.post("/wfm/history/import", {"csv": history_csv()})
    assert again.json()["updated"] == 8 * 7 * 20 and VolumeRecord.objects.count() == 1120

    first = MONDAY + dt.timedelta(days=56)
    r = planner.post("/wfm/forecasts", {"first_day": first.isoformat()})
    assert r.status_code == 202, r.content
    fid = r.json()["id"]
    services.compute_forecast_task.call(fid)  # as the worker runs it
    body = planner.get(f"/wfm/forecasts/{fid}").json()
    assert body["status"] == "done", body["error"]
    q = body["queues"]["de/email"]
    assert q["method"] in {
        "seasonal_naive",
        "weekday_average",
        "level_profile",
        "calendar_regression",
    }
    assert q["aht_seconds"] == 240
    monday_9 = dt.datetime.combine(first, dt.time(9), dt.UTC)
    by_time = {dt.datetime.fromisoformat(v["interval_start"]): v for v in body["values"]}
    assert by_time[monday_9]["contacts"] == pytest.approx(10, abs=0.5)
    assert by_time[monday_9]["lower"] <= by_time[monday_9]["contacts"] <= by_time[monday_9]["upper"]
    assert by_time[monday_9 - dt.timedelta(hours=6)]["contacts"] == pytest.approx(0, abs=0.5)
    assert len(body["values"]) == 7 * 48

    staffed = planner.post(
        "/wfm/staffing",
        {
            "aht_seconds": 100,
            "target": {"service_level": 0.8, "seconds": 20},
            "shrinkage": 0.3,
            "forecast_id": fid,
        },
    )
    assert staffed.status_code == 200, staffed.content
    body = staffed.json()
    rows = body["queues"]["de/email"]
    # email is deferred work: answered within the response window (4 h without an SLA
    # policy), staffed by its workload (10 contacts × 240 s a half hour ≈ 1.3 agents)
    assert all(r["model"] == "deferred" and r["response_seconds"] == 4 * 3600 for r in rows)
    day = [r for r in rows if r["interval_start"].startswith(first.isoformat())]
    assert sum(r["agents"] for r in day) * 1800 >= sum(r["contacts"] for r in day) * 240
    assert max(r["latest_response_seconds"] for r in rows) <= 4 * 3600
    assert all(r["scheduled"] >= r["agents"] for r in rows)
    # the language's requirement is the pooled one
    assert body["totals"]["language_agent_intervals"] == sum(
        r["agents"] for r in body["languages"]["de"]
    )


def test_a_special_day_changes_the_forecast(
    make_agent: Callable[..., Agent], make_api: Callable[..., ApiClient], brand: Brand
) -> None:
    planner = make_api(_planner(make_agent, brand))
    planner.post("/wfm/history/import", {"csv": history_csv()})
    first = MONDAY + dt.timedelta(days=56)
    r = planner.post(
        "/wfm/special-days", {"date": first.isoformat(), "factor": 0, "note": "closed"}
    )
    assert r.status_code == 201, r.content
    row = services.create_forecast(None, brand.pk, first_day=first, enqueue=False)
    services.compute_forecast(row.pk)
    monday = ForecastValue.objects.filter(forecast=row, interval_start__date=first).values_list(
        "contacts", flat=True
    )
    tuesday = ForecastValue.objects.filter(
        forecast=row, interval_start__date=first + dt.timedelta(days=1)
    ).values_list("contacts", flat=True)
    assert sum(monday) == 0 and sum(tuesday) > 100
    assert planner.delete(f"/wfm/special-days/{r.json()['id']}").status_code == 204


def test_a_forecast_without_history_fails_with_a_reason(brand: Brand) -> None:
    row = services.create_forecast(None, brand.pk, first_day=MONDAY, enqueue=False)
    services.compute_forecast(row.pk)
    row.refresh_from_db()
    assert row.status == "failed" and "history" in row.error


def test_a_bad_csv_line_is_named_and_nothing_is_stored(
    make_agent: Callable[..., Agent], make_api: Callable[..., ApiClient], brand: Brand
) -> None:
    planner = make_api(_planner(make_agent, brand))
    bad = history_csv(1) + "\n2026-11-03T09:07:00Z,de/email,5,240"
    r = planner.post("/wfm/history/import", {"csv": bad})
    assert r.status_code == 422
    assert "boundary" in r.json()["detail"] and VolumeRecord.objects.count() == 0
    r = planner.post("/wfm/history/import", {"csv": "when,what\n1,2"})
    assert r.status_code == 422 and r.json()["field"] == "file"
    r = planner.post(
        "/wfm/history/import", {"csv": "interval_start,queue,contacts\n2026-11-03T09:00:00Z,de,-4"}
    )
    assert r.status_code == 422 and "Line 2" in r.json()["detail"]


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_every_role_of_two_brands(
    role: str,
    make_agent: Callable[..., Agent],
    make_api: Callable[..., ApiClient],
    brand: Brand,
    other_brand: Brand,
) -> None:
    mine = services.create_forecast(None, brand.pk, first_day=MONDAY, enqueue=False)
    theirs = services.create_forecast(None, other_brand.pk, first_day=MONDAY, enqueue=False)
    caller = make_api(make_agent(role, brands=[brand]))
    planner = role != Role.AGENT
    assert caller.post("/wfm/staffing", TEXTBOOK).status_code == 200  # a calculator: anyone
    r = caller.post("/wfm/forecasts", {})
    assert r.status_code == (202 if planner else 403)
    assert caller.post("/wfm/forecasts", {"brand_id": other_brand.pk}).status_code == 403
    assert caller.get(f"/wfm/forecasts/{mine.pk}").status_code == (200 if planner else 403)
    assert caller.get(f"/wfm/forecasts/{theirs.pk}").status_code in (403, 404)
    assert caller.get("/wfm/forecasts/999999").status_code in (403, 404)
    listed = caller.get("/wfm/forecasts")
    if planner:
        assert theirs.pk not in {f["id"] for f in listed.json()}
    else:
        assert listed.status_code == 403
    assert caller.post("/wfm/history/import", {"csv": history_csv(1)}).status_code == (
        201 if planner else 403
    )
    assert (
        caller.post(
            "/wfm/history/import", {"csv": history_csv(1), "brand_id": other_brand.pk}
        ).status_code
        == 403
    )
    staffed = caller.post(
        "/wfm/staffing", {**TEXTBOOK, "intervals": None, "forecast_id": theirs.pk}
    )
    assert staffed.status_code in (403, 404)
    assert Forecast.objects.filter(brand=other_brand).count() == 1
    day = caller.post("/wfm/special-days", {"date": "2026-12-24", "factor": 0.5})
    assert day.status_code == (201 if planner else 403)
    other_day = services.save_special_day(
        make_agent(Role.ADMIN, brands=[other_brand]), other_brand.pk, date=MONDAY, factor=2.0
    )
    assert caller.delete(f"/wfm/special-days/{other_day.pk}").status_code in (403, 404)


def test_the_intraday_reforecast_follows_the_mornings_actuals(
    make_agent: Callable[..., Agent], make_api: Callable[..., ApiClient], brand: Brand
) -> None:
    from tests.analytics.world import conversation
    from wowdesk.analytics import rollups

    planner = make_api(_planner(make_agent, brand))
    day = MONDAY + dt.timedelta(days=56)
    planner.post("/wfm/history/import", {"csv": history_csv()})
    for t in ("09:05", "09:10", "09:40"):
        conversation(brand, created=f"{day.isoformat()}T{t}+00:00", language="de", channel="email")
    rollups.rebuild([brand.pk])
    row = services.create_forecast(None, brand.pk, first_day=day, enqueue=False)
    services.compute_forecast(row.pk)
    now = dt.datetime.combine(day, dt.time(10), dt.UTC)
    queue = services.intraday(row, day, now=now)["de/email"]
    by_time = {r["interval_start"][11:16]: r for r in queue["intervals"]}
    assert by_time["09:00"]["actual"] == 2 and by_time["09:30"]["actual"] == 1
    assert by_time["10:00"]["actual"] is None
    # 3 came where ~40 were planned: the rest of the day is halved (the bound)
    assert by_time["12:00"]["reforecast"] == pytest.approx(by_time["12:00"]["planned"] * 0.5)
    assert queue["reforecast_total"] < queue["planned_total"]
    r = planner.get(f"/wfm/forecasts/{row.pk}/intraday", date=day.isoformat())
    assert r.status_code == 200 and "de/email" in r.json()


def test_the_history_leaves_out_today_and_the_days_after_it(
    make_agent: Callable[..., Agent], brand: Brand
) -> None:
    """A forecast made during the week reads the days not over yet as absent, not quiet."""
    from wowdesk.wfm import history

    services.import_volume_csv(_planner(make_agent, brand), brand.pk, history_csv(weeks=8))
    until = MONDAY + dt.timedelta(weeks=8)
    now = dt.datetime.combine(until - dt.timedelta(days=3), dt.time(12), dt.UTC)
    (queue,) = history.queue_histories(
        brand.pk, until=until, weeks=8, interval_minutes=30, tz="UTC", now=now
    )
    assert queue.series.present[: 8 * 7 - 3].all()
    assert not queue.series.present[8 * 7 - 3 :].any()


def test_a_queues_handle_time_leaves_out_reply_spans_of_hours_and_days(
    make_agent: Callable[..., Agent], brand: Brand
) -> None:
    """The facts' handle time runs from the first to the last reply: an email thread over
    days is waiting, not work, and does not make the queue's handle time days long."""
    from tests.analytics.world import conversation
    from wowdesk.analytics import rollups
    from wowdesk.analytics.models import ConversationFact
    from wowdesk.wfm import history

    day = MONDAY + dt.timedelta(days=7)
    for i, language in enumerate(["de", "de", "de", "ja", "ja"]):
        conversation(
            brand,
            created=f"{day.isoformat()}T09:{10 + i}:00+00:00",
            language=language,
            channel="email",
        )
    rollups.rebuild([brand.pk])
    facts = list(ConversationFact.objects.filter(brand=brand).order_by("conversation_id"))
    for fact, handle in zip(facts, [200.0, 400.0, 3 * 86400.0, 5 * 86400.0, 90000.0], strict=True):
        fact.handle_s = handle
        fact.save(update_fields=["handle_s"])
    until = MONDAY + dt.timedelta(weeks=2)
    queues = history.queue_histories(
        brand.pk,
        until=until,
        weeks=2,
        interval_minutes=30,
        tz="UTC",
        now=dt.datetime.combine(until, dt.time(12), dt.UTC),
    )
    aht = {q.language: q.aht_seconds for q in queues}
    assert aht["de"] == 300.0  # the median of 200 and 400; the 3-day thread left out
    assert aht["ja"] == history.DEFAULT_AHT_SECONDS  # only threads of days: no handle time
