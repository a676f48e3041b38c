"""Each measure on a small hand-built world, the expected numbers worked out by hand (see
the comments): business hours of a site in another time zone, the FCR window, reopens,
SLA, surveys, live channels, the bot, the viewer's time zone, the previous period."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from tests.analytics.world import answer, at, conversation, customer_writes
from wowdesk.analytics import metrics as m
from wowdesk.analytics import report_settings, rollups, services
from wowdesk.analytics.models import ConversationFact, ReportSettings
from wowdesk.core.models import Agent, AuditLog, Brand, Role, Site
from wowdesk.knowledge.models import BotSession
from wowdesk.routing.models import SlaEvent

WEEK = {"from": "2026-03-02", "to": "2026-03-08", "tz": "Asia/Tokyo"}


def close(value: float | None, exact: float) -> bool:
    """A quantile read from the sketch: within its error bound of the exact value."""
    return value is not None and abs(value - exact) <= max(m.RELATIVE_ERROR * exact, 1.0)


@pytest.fixture
def tokyo(brand: Brand) -> Site:
    site = Site.objects.create(
        name="Tokyo", timezone="Asia/Tokyo", hours={"mon-fri": [["09:00", "17:00"]]}
    )
    site.brands.add(brand)
    return site


@pytest.fixture
def world(brand: Brand, tokyo: Site, make_agent: Callable[..., Agent]) -> dict[str, Any]:
    ken = make_agent(Role.AGENT, name="Ken", site_id=tokyo.pk)
    mia = make_agent(Role.AGENT, name="Mia")
    # 2026-03-02 is a Monday; Tokyo is open Mon–Fri 09:00–17:00 (UTC+9)
    # A: opened Mon 16:00, answered Tue 10:00 (18 h; business 1 h Mon + 1 h Tue = 7200 s),
    #    resolved Tue 12:00 (20 h; business 1 h + 3 h = 14400 s)
    a = conversation(
        brand,
        created="2026-03-02T16:00+09:00",
        first_response="2026-03-03T10:00+09:00",
        resolved="2026-03-03T12:00+09:00",
        agent=ken,
    )
    # B: 30 min to answer, 1 h to resolve; the customer writes 3 days later: not FCR
    b = conversation(
        brand,
        created="2026-03-02T10:00+09:00",
        first_response="2026-03-02T10:30+09:00",
        resolved="2026-03-02T11:00+09:00",
        agent=ken,
    )
    customer_writes(b, "2026-03-05T10:00+09:00")
    # C: 10 min, 1 h; the customer writes 8 days later (outside the 7-day window): FCR
    c = conversation(
        brand,
        created="2026-03-04T09:00+09:00",
        first_response="2026-03-04T09:10+09:00",
        resolved="2026-03-04T10:00+09:00",
        agent=ken,
    )
    customer_writes(c, "2026-03-12T10:00+09:00")
    # D: 20 min; resolved after 24 h (business: one 8-hour day), reopened once: not FCR
    d = conversation(
        brand,
        created="2026-03-05T09:00+09:00",
        first_response="2026-03-05T09:20+09:00",
        resolved="2026-03-06T09:00+09:00",
        agent=mia,
    )
    AuditLog.objects.create(
        brand=brand,
        action="conversation.update",
        object_type="conversation",
        object_id=str(d.pk),
        before={"status": "resolved"},
        after={"status": "open"},
    )
    # SLA: A breached, B met
    for conv, kind in ((a, "breach"), (b, "met"), (b, "met")):
        SlaEvent.objects.create(
            brand=brand,
            conversation=conv,
            target="first_response",
            kind=kind,
            due_at=conv.created_at,
            at=conv.created_at,
        )
    # surveys, answered on Friday: NPS 3, 10, 9, 7 (+ one unanswered); CSAT 2, 5, 4; CES 6, 2
    friday = "2026-03-06T12:00+09:00"
    for conv, kind, score in (
        (a, "nps", 3),
        (b, "nps", 10),
        (c, "nps", 9),
        (d, "nps", 7),
        (a, "csat", 2),
        (b, "csat", 5),
        (c, "csat", 4),
        (c, "ces", 6),
        (d, "ces", 2),
        (d, "nps", None),
    ):
        answer(conv, kind, score, friday, comment="why" if score == 3 else "")
    # the week before: one conversation
    conversation(brand, created="2026-02-24T10:00+09:00", agent=ken)
    rollups.rebuild([brand.pk])
    return {"ken": ken, "mia": mia, "a": a, "b": b, "c": c, "d": d}


@pytest.fixture
def supervisor(make_agent: Callable[..., Agent]) -> Agent:
    return make_agent(Role.SUPERVISOR)


def test_business_seconds_use_the_handling_sites_hours(world: dict[str, Any]) -> None:
    fact = ConversationFact.objects.get(pk=world["a"].pk)
    assert fact.first_response_s == 18 * 3600
    assert fact.first_response_bs == 7200
    assert fact.resolution_s == 20 * 3600
    assert fact.resolution_bs == 14400
    # Mia has no site: the brand's first site (Tokyo) handles hers
    d = ConversationFact.objects.get(pk=world["d"].pk)
    assert d.resolution_bs == 8 * 3600 and d.reopened == 1 and d.fcr is False


def test_every_measure_of_the_week(world: dict[str, Any], supervisor: Agent) -> None:
    result = services.metrics(supervisor, {**WEEK, "channel": "email"})
    t = result["totals"]
    assert t["conversations"] == 4
    # FCR: A and C of the four resolved
    assert t["fcr"] == {"value": 50.0, "resolved": 4}
    assert t["reopen_rate"] == 25.0
    # first response 600, 1200, 1800, 64800 s: nearest-rank median 1200, p90 64800;
    # business 600, 1200, 1800, 7200: median 1200, p90 7200
    fr = t["first_response"]
    assert close(fr["median_s"], 1200) and close(fr["p90_s"], 64800)
    assert close(fr["business_median_s"], 1200) and close(fr["business_p90_s"], 7200)
    # resolution 3600, 3600, 72000, 86400; business 3600, 3600, 14400, 28800
    res = t["resolution"]
    assert close(res["median_s"], 3600) and close(res["p90_s"], 86400)
    assert close(res["business_median_s"], 3600) and close(res["business_p90_s"], 28800)
    assert t["sla_attainment"] == 50.0
    # NPS: 2 promoters, 1 passive, 1 detractor of 4 → 25
    nps = t["nps"]
    assert (nps["value"], nps["promoters"], nps["passives"], nps["detractors"]) == (25.0, 2, 1, 1)
    assert nps["responses"] == 4 and nps["ci95"][0] < 25 < nps["ci95"][1]
    assert t["csat"] == {"value": 66.67, "responses": 3}
    assert t["ces"] == {"value": 4.0, "easy": 50.0, "responses": 2}
    # 9 answered of 10 sent
    assert t["response_rate"] == 90.0
    assert t["backlog"] == 1  # the week before's conversation is still open
    assert t["handle_time"]["median_s"] == 0.0  # one reply each
    # the week before: one conversation
    assert result["previous"]["totals"]["conversations"] == 1
    assert result["period"]["from"] == "2026-03-02T00:00:00+09:00"
    assert result["period"]["to"] == "2026-03-09T00:00:00+09:00"
    assert result["previous"]["from"] == "2026-02-23T00:00:00+09:00"


def test_groups_by_agent_with_their_previous_period(
    world: dict[str, Any], supervisor: Agent
) -> None:
    result = services.metrics(supervisor, {**WEEK, "channel": "email", "group_by": "agent"})
    groups = {g["label"]: g for g in result["groups"]}
    assert set(groups) == {"Ken", "Mia"}
    assert groups["Ken"]["conversations"] == 3 and groups["Mia"]["conversations"] == 1
    assert groups["Ken"]["key"] == world["ken"].pk
    assert groups["Ken"]["nps"]["value"] == pytest.approx(100 * (2 - 1) / 3, abs=0.01)
    assert groups["Ken"]["previous"]["conversations"] == 1
    assert groups["Mia"]["fcr"] == {"value": 0.0, "resolved": 1}
    # filtering by one agent gives that group's numbers
    only = services.metrics(supervisor, {**WEEK, "agent": str(world["mia"].pk)})
    assert only["totals"]["conversations"] == 1 and only["totals"]["ces"]["value"] == 2.0


def test_drill_lists_the_conversations_behind_a_number(
    world: dict[str, Any], supervisor: Agent
) -> None:
    def ids(measure: str, **more: str) -> set[int]:
        return set(
            services.drill(supervisor, {**WEEK, **more}, measure).values_list("pk", flat=True)
        )

    assert ids("nps_detractors") == {world["a"].pk}
    assert ids("nps_promoters") == {world["b"].pk, world["c"].pk}
    assert ids("fcr") == {world["a"].pk, world["c"].pk}
    assert ids("sla_breached") == {world["a"].pk}
    assert ids("reopened") == {world["d"].pk}
    assert ids("conversations", group_by="agent", key=str(world["mia"].pk)) == {world["d"].pk}
    assert ids("conversations", group_by="day", key="2026-03-02") == {
        world["a"].pk,
        world["b"].pk,
    }
    with pytest.raises(services.MetricsQueryError) as bad:
        services.drill(supervisor, WEEK, "speed_ranking")
    assert bad.value.field == "measure"


def test_the_fcr_window_is_the_brands(
    world: dict[str, Any], brand: Brand, supervisor: Agent
) -> None:
    # 2 days: B's customer (3 days later) is now outside it, so B counts as FCR too
    ReportSettings.objects.create(brand=brand, fcr_days=2)
    rollups.rebuild([brand.pk])
    result = services.metrics(supervisor, {**WEEK, "channel": "email"})
    assert result["totals"]["fcr"] == {"value": 75.0, "resolved": 4}


def test_a_changed_fcr_window_judges_past_resolutions_again(
    world: dict[str, Any],
    brand: Brand,
    supervisor: Agent,
    make_agent: Callable[..., Agent],
    django_capture_on_commit_callbacks: Any,
) -> None:
    admin = make_agent(Role.ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        report_settings.do_update_settings(admin, brand.pk, {"fcr_days": 2})
    queued = DBTaskResult.objects.filter(task_path__endswith="rebuild_task")
    assert [row.args_kwargs["args"] for row in queued] == [[brand.pk]]
    rollups.rebuild_task.call(brand.pk)  # as the worker runs it
    result = services.metrics(supervisor, {**WEEK, "channel": "email"})
    assert result["totals"]["fcr"] == {"value": 75.0, "resolved": 4}
    with django_capture_on_commit_callbacks(execute=True):  # the same window: nothing queued
        report_settings.do_update_settings(admin, brand.pk, {"fcr_days": 2})
    assert queued.count() == 1


def test_live_channels_bot_and_backlog(
    brand: Brand, tokyo: Site, supervisor: Agent, make_agent: Callable[..., Agent]
) -> None:
    ken = make_agent(Role.AGENT, name="Ken", site_id=tokyo.pk)
    # chat: one answered after 30 s, one closed unanswered (abandoned), one still open
    answered = conversation(
        brand,
        channel="chat",
        created="2026-03-03T10:00+09:00",
        first_response="2026-03-03T10:00:30+09:00",
        resolved="2026-03-03T10:10+09:00",
        agent=ken,
    )
    left = conversation(
        brand, channel="chat", created="2026-03-03T11:00+09:00", resolved="2026-03-03T11:05+09:00"
    )
    conversation(brand, channel="chat", created="2026-03-04T11:00+09:00")
    for conv, outcome in ((answered, "handed_over"), (left, "confirmed")):
        BotSession.objects.create(brand=brand, conversation=conv, outcome=outcome, intent="refund")
    rollups.rebuild([brand.pk])
    t = services.metrics(supervisor, {**WEEK, "channel": "chat"})["totals"]
    assert t["conversations"] == 3
    assert t["asa_s"] == 30.0
    assert t["abandonment"] == pytest.approx(100 / 3, abs=0.01)
    assert t["bot"] == {"resolution_rate": 50.0, "handover_rate": 50.0}
    assert t["backlog"] == 1
    by_intent = services.metrics(supervisor, {**WEEK, "group_by": "intent"})["groups"]
    assert {g["key"]: g["conversations"] for g in by_intent} == {"refund": 2, None: 1}
    # backlog per day: open at the end of each local day
    days = services.metrics(supervisor, {**WEEK, "group_by": "day"})["groups"]
    assert {g["key"]: g["backlog"] for g in days} == {"2026-03-03": 0, "2026-03-04": 1}


@pytest.mark.parametrize(
    ("tz", "day"), [("Asia/Kolkata", "2026-03-03"), ("America/Los_Angeles", "2026-03-02")]
)
def test_days_are_the_viewers(brand: Brand, supervisor: Agent, tz: str, day: str) -> None:
    # 20:00 UTC on Monday is Tuesday 01:30 in Kolkata and Monday 12:00 in Los Angeles
    conversation(brand, created="2026-03-02T20:00+00:00")
    rollups.rebuild([brand.pk])
    result = services.metrics(
        supervisor, {"from": "2026-03-01", "to": "2026-03-04", "tz": tz, "group_by": "day"}
    )
    assert [(g["key"], g["conversations"]) for g in result["groups"]] == [(day, 1)]
    weeks = services.metrics(
        supervisor, {"from": "2026-03-01", "to": "2026-03-04", "tz": tz, "group_by": "week"}
    )
    assert [g["key"] for g in weeks["groups"]] == ["2026-03-02"]


def test_occupancy_from_presence(
    brand: Brand, supervisor: Agent, make_agent: Callable[..., Agent]
) -> None:
    ken = make_agent(Role.AGENT, name="Ken")
    # online 10:00–12:00 UTC (2 h); one conversation handled from 10:00 to 10:36 (36 min)
    for when, before, after in (
        ("2026-03-03T10:00+00:00", "offline", "online"),
        ("2026-03-03T12:00+00:00", "online", "offline"),
    ):
        entry = AuditLog.objects.create(
            action="agent.presence",
            object_type="agent",
            object_id=str(ken.pk),
            before={"presence": before},
            after={"presence": after},
        )
        AuditLog.objects.filter(pk=entry.pk).update(created_at=at(when))
    c = conversation(
        brand,
        created="2026-03-03T09:59+00:00",
        first_response="2026-03-03T10:00+00:00",
        agent=ken,
    )
    from tests.analytics.world import reply

    reply(c, ken, "2026-03-03T10:36+00:00")
    rollups.rebuild([brand.pk])
    result = services.metrics(supervisor, {**WEEK, "group_by": "agent"})
    assert result["groups"][0]["occupancy"] == 30.0
    assert result["totals"]["occupancy"] == 30.0


def test_the_hourly_rollups_give_the_facts_numbers(
    world: dict[str, Any], supervisor: Agent
) -> None:
    # no filter: the totals and days come from the hourly rollups; a filter that keeps
    # everything makes them come from the facts: the same numbers
    every = "email,chat,voice,api,social,web"
    for group_by in ("", "day", "week", "month", "brand"):
        fast = services.metrics(supervisor, {**WEEK, "group_by": group_by})
        slow = services.metrics(supervisor, {**WEEK, "group_by": group_by, "channel": every})
        assert fast["totals"] == slow["totals"]
        assert fast["groups"] == slow["groups"]
        assert fast["previous"] == slow["previous"]
    assert services._reads_rollups(services.parse_query(supervisor, WEEK), "", *_period(supervisor))
    kolkata = services.parse_query(supervisor, {**WEEK, "tz": "Asia/Kolkata"})
    assert not services._reads_rollups(kolkata, "", kolkata.start, kolkata.end)


def _period(agent: Agent) -> tuple[Any, Any]:
    q = services.parse_query(agent, WEEK)
    return q.start, q.end
