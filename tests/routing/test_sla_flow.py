"""SLA clocks through the API: business hours of the handling site, holidays, the pause
while waiting on the customer, warnings before the breach, the breach recorded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import time_machine

from tests.conftest import ApiClient, inbound
from wowdesk.core.models import Agent, Alert, AlertKind, Brand, Role
from wowdesk.core.services import create_site
from wowdesk.routing import sla
from wowdesk.routing.models import ConversationSla, SlaEvent, SlaState

BERLIN_HOURS = {"mon-fri": [["09:00", "17:00"]]}


def at_berlin(*args: int) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime(*args, tzinfo=ZoneInfo("Europe/Berlin"))  # type: ignore[misc]


@pytest.fixture
def commits(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    @contextmanager
    def run() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return run


@pytest.fixture
def berlin(brand: Brand) -> None:
    site = create_site(
        name="Berlin", timezone_name="Europe/Berlin", country="DE", brand_ids=[brand.pk]
    )
    site.hours = BERLIN_HOURS
    site.subdivision = "BE"
    site.save()


@pytest.fixture
def policy(
    make_api: Callable[[Agent | None], ApiClient], make_agent: Callable[..., Agent], berlin: None
) -> dict[str, Any]:
    admin_api = make_api(make_agent(Role.ADMIN))
    r = admin_api.post(
        "/sla-policies",
        {
            "name": "Standard",
            "first_response_minutes": 60,
            "next_response_minutes": 120,
            "resolution_minutes": 2 * 8 * 60,
            "business_hours": True,
            "warn_at": 0.75,
        },
    )
    assert r.status_code == 201, r.content
    return dict(r.json())


def _sla(cid: int) -> ConversationSla:
    return ConversationSla.objects.get(pk=cid)


def test_first_response_due_counts_only_opening_hours(
    api: ApiClient, policy: dict[str, Any], commits: Callable[[], Any]
) -> None:
    # Friday 16:30 Berlin: 30 min today, the other 30 on Monday 09:00-09:30.
    with time_machine.travel(at_berlin(2026, 3, 6, 16, 30), tick=False), commits():
        r = api.post("/inbound", inbound("s-1"))
    row = _sla(r.json()["conversation_id"])
    assert row.target == "first_response"
    assert row.due_at == at_berlin(2026, 3, 9, 9, 30)
    assert row.warn_at == at_berlin(2026, 3, 9, 9, 15)  # 45 of 60 minutes
    assert row.state == SlaState.OK


def test_holidays_close_the_site(
    api: ApiClient, policy: dict[str, Any], commits: Callable[[], Any]
) -> None:
    # Thursday 24 Dec 2026 16:45; 25 and 26 Dec are holidays in Germany, 27 is a Sunday.
    with time_machine.travel(at_berlin(2026, 12, 24, 16, 45), tick=False), commits():
        r = api.post("/inbound", inbound("s-x"))
    assert _sla(r.json()["conversation_id"]).due_at == at_berlin(2026, 12, 28, 9, 45)


def test_waiting_on_the_customer_pauses_the_clock(
    api: ApiClient, policy: dict[str, Any], commits: Callable[[], Any]
) -> None:
    with time_machine.travel(at_berlin(2026, 3, 3, 10, 0), tick=False), commits():
        cid = api.post("/inbound", inbound("s-2")).json()["conversation_id"]
    with time_machine.travel(at_berlin(2026, 3, 3, 10, 20), tick=False), commits():
        api.patch(f"/conversations/{cid}", {"status": "pending"})
    assert _sla(cid).due_at is None  # paused: nothing can breach
    # the customer answers two business hours later: 2 h are added to the due time
    with time_machine.travel(at_berlin(2026, 3, 3, 12, 20), tick=False), commits():
        api.post("/inbound", inbound("s-3", body="Here is the photo you asked for."))
    row = _sla(cid)
    assert row.paused_at is None
    assert row.due_at == at_berlin(2026, 3, 3, 13, 0)


def test_warning_then_breach_are_recorded_and_alerted(
    api: ApiClient, brand: Brand, policy: dict[str, Any], commits: Callable[[], Any]
) -> None:
    with time_machine.travel(at_berlin(2026, 3, 3, 10, 0), tick=False), commits():
        cid = api.post("/inbound", inbound("s-4")).json()["conversation_id"]
    assert sla.check_due(at_berlin(2026, 3, 3, 10, 30)) == {"warnings": 0, "breaches": 0}
    assert sla.check_due(at_berlin(2026, 3, 3, 10, 50)) == {"warnings": 1, "breaches": 0}
    assert _sla(cid).state == SlaState.WARNING
    assert sla.check_due(at_berlin(2026, 3, 3, 11, 1)) == {"warnings": 0, "breaches": 1}
    assert _sla(cid).state == SlaState.BREACHED
    kinds = list(
        SlaEvent.objects.filter(conversation_id=cid).order_by("at").values_list("target", "kind")
    )
    assert kinds == [("first_response", "warning"), ("first_response", "breach")]
    alerts = set(Alert.objects.filter(conversation_id=cid).values_list("kind", flat=True))
    assert alerts == {AlertKind.SLA_WARNING, AlertKind.SLA_BREACH}
    # breach risk moves the conversation up the queue
    from wowdesk.routing.services import waiting_queue

    assert waiting_queue(brand.pk)[0].pk == cid


def test_a_reply_in_time_meets_the_target_and_starts_the_next(
    api: ApiClient, policy: dict[str, Any], commits: Callable[[], Any]
) -> None:
    with time_machine.travel(at_berlin(2026, 3, 3, 10, 0), tick=False), commits():
        cid = api.post("/inbound", inbound("s-5")).json()["conversation_id"]
    with time_machine.travel(at_berlin(2026, 3, 3, 10, 40), tick=False), commits():
        assert api.post(f"/conversations/{cid}/replies", {"body": "On it!"}).status_code == 201
    assert list(SlaEvent.objects.filter(conversation_id=cid).values_list("kind", flat=True)) == [
        "met"
    ]
    row = _sla(cid)
    assert row.target == "resolution"
    assert row.due_at == at_berlin(2026, 3, 5, 10, 0)  # 16 business hours: 7 + 8 + 1
    with time_machine.travel(at_berlin(2026, 3, 3, 11, 0), tick=False), commits():
        api.post("/inbound", inbound("s-6", body="Thanks, and one more question."))
    row = _sla(cid)
    assert row.target == "next_response"
    assert row.due_at == at_berlin(2026, 3, 3, 13, 0)
    with time_machine.travel(at_berlin(2026, 3, 3, 11, 30), tick=False), commits():
        api.patch(f"/conversations/{cid}", {"status": "resolved"})
    assert _sla(cid).state == SlaState.MET


def test_policies_need_admin_and_valid_targets(api: ApiClient, admin_api: ApiClient) -> None:
    assert api.post("/sla-policies", {"name": "x", "first_response_minutes": 5}).status_code == 403
    r = admin_api.post("/sla-policies", {"name": "x", "first_response_minutes": 0})
    assert r.status_code == 422 and r.json()["field"] == "first_response_minutes"
    assert api.get("/sla-policies").status_code == 200


def _sla_events(log: Any) -> list[tuple[str, int, str, str]]:
    from wowdesk.core.events import Event

    return [
        (str(event), p["conversation_id"], p["target"], p["due_at"])
        for event, p in log.LOG
        if event in (Event.SLA_WARNING, Event.SLA_BREACHED)
    ]


def test_warning_and_breach_are_announced_once_per_clock_and_threshold(
    api: ApiClient, brand: Brand, policy: dict[str, Any], commits: Callable[[], Any], event_log: Any
) -> None:
    with time_machine.travel(at_berlin(2026, 3, 3, 10, 0), tick=False), commits():
        first = api.post("/inbound", inbound("e-1")).json()["conversation_id"]
    with time_machine.travel(at_berlin(2026, 3, 3, 10, 20), tick=False), commits():
        second = api.post("/inbound", inbound("e-2", **{"from": {"email": "bo@example.com"}}))
    second_id = second.json()["conversation_id"]
    due_first = at_berlin(2026, 3, 3, 11, 0).astimezone(dt.UTC).isoformat()
    due_second = at_berlin(2026, 3, 3, 11, 20).astimezone(dt.UTC).isoformat()
    for minute in (50, 52, 55):  # the first warns once, however often the tick runs
        sla.check_due(at_berlin(2026, 3, 3, 10, minute))
    assert _sla_events(event_log) == [("sla.warning", first, "first_response", due_first)]
    event_log.LOG.clear()
    for hour, minute in ((11, 1), (11, 2), (11, 21), (11, 30)):
        sla.check_due(at_berlin(2026, 3, 3, hour, minute))
    # the second was never seen in its warning window: it breaches without a warning
    assert _sla_events(event_log) == [
        ("sla.breached", first, "first_response", due_first),
        ("sla.breached", second_id, "first_response", due_second),
    ]
    assert {p["brand_id"] for e, p in event_log.LOG if str(e).startswith("sla.")} == {brand.pk}


def test_the_next_target_gets_its_own_warning(
    api: ApiClient, policy: dict[str, Any], commits: Callable[[], Any], event_log: Any
) -> None:
    with time_machine.travel(at_berlin(2026, 3, 3, 10, 0), tick=False), commits():
        cid = api.post("/inbound", inbound("e-3")).json()["conversation_id"]
    sla.check_due(at_berlin(2026, 3, 3, 10, 50))
    with time_machine.travel(at_berlin(2026, 3, 3, 10, 55), tick=False), commits():
        assert api.post(f"/conversations/{cid}/replies", {"body": "On it!"}).status_code == 201
    with time_machine.travel(at_berlin(2026, 3, 3, 11, 0), tick=False), commits():
        api.post("/inbound", inbound("e-4", body="Thanks, and one more question."))
    sla.check_due(at_berlin(2026, 3, 3, 12, 40))  # next response due 13:00, warns at 12:30
    sla.check_due(at_berlin(2026, 3, 3, 12, 45))
    assert _sla_events(event_log) == [
        (
            "sla.warning",
            cid,
            "first_response",
            at_berlin(2026, 3, 3, 11, 0).astimezone(dt.UTC).isoformat(),
        ),
        (
            "sla.warning",
            cid,
            "next_response",
            at_berlin(2026, 3, 3, 13, 0).astimezone(dt.UTC).isoformat(),
        ),
    ]
