"""Follow-the-sun routing end to end: language, shifts in each agent's own zone, presence,
capacity, the queue, reassignment, and every decision explained in the thread."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import time_machine

from tests.conftest import ApiClient, inbound
from wowdesk.conversations.models import Conversation, Direction, Message
from wowdesk.core.models import Agent, Brand, Presence, Role
from wowdesk.core.services import AgentInput, create_agent, create_site
from wowdesk.routing import services as routing

UTC = dt.UTC
# Monday 2026-03-02 02:00 UTC = 03:00 Berlin, 10:00 Manila, 21:00 (Sunday) Toronto.
NIGHT_IN_BERLIN = dt.datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
# Monday 2026-03-02 10:00 UTC = 11:00 Berlin, 18:00 Manila, 05:00 Toronto.
MORNING_IN_BERLIN = dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def commits(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """Run after-commit listeners (routing, SLA) as a real request would."""

    @contextmanager
    def run() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return run


@pytest.fixture
def team(brand: Brand) -> dict[str, Agent]:
    manila = create_site(name="Manila", timezone_name="Asia/Manila", brand_ids=[brand.pk])
    berlin = create_site(name="Berlin", timezone_name="Europe/Berlin", brand_ids=[brand.pk])
    toronto = create_site(name="Toronto", timezone_name="America/Toronto", brand_ids=[brand.pk])
    day = ("mon-sun 08:00-16:00",)

    def agent(
        email: str, name: str, langs: tuple[str, ...], tz: str, site: Any, **kw: Any
    ) -> Agent:
        a = create_agent(
            AgentInput(
                email=email,
                name=name,
                role=Role.AGENT,
                languages=langs,
                timezone=tz,
                site_id=site.pk,
                shifts=kw.pop("shifts", day),
                **kw,
            ),
            brands=[brand],
        )
        routing.set_presence(a, Presence.ONLINE, actor=a)
        return a

    return {
        "maria": agent("maria@x.com", "Maria", ("id", "tl", "en"), "Asia/Manila", manila),
        "hans": agent("hans@x.com", "Hans", ("de", "en"), "Europe/Berlin", berlin),
        "tom": agent("tom@x.com", "Tom", ("en", "fr"), "America/Toronto", toronto),
    }


def _assignee(conversation_id: int) -> str | None:
    c = Conversation.objects.select_related("assignee").get(pk=conversation_id)
    return c.assignee.display_name if c.assignee else None


def _activities(conversation_id: int) -> list[str]:
    return list(
        Message.objects.filter(conversation_id=conversation_id, direction=Direction.ACTIVITY)
        .order_by("id")
        .values_list("body", flat=True)
    )


def test_indonesian_at_3am_berlin_goes_to_manila(
    api: ApiClient, team: dict[str, Agent], commits: Callable[[], Any]
) -> None:
    with time_machine.travel(NIGHT_IN_BERLIN, tick=False), commits():
        r = api.post(
            "/inbound",
            inbound(
                "id-1", body="Halo, pesanan saya belum sampai sejak minggu lalu. Tolong bantu."
            ),
        )
    cid = r.json()["conversation_id"]
    conversation = api.get(f"/conversations/{cid}").json()
    assert conversation["language"] == "id"
    assert conversation["messages"][0]["language"] == "id"
    assert conversation["assignee"]["email"] == "maria@x.com"
    explained = _activities(cid)[-1]
    assert "Maria" in explained and "Manila" in explained and "speaks id" in explained
    assert "least loaded" in explained


def test_nobody_on_shift_waits_then_is_assigned_when_the_shift_starts(
    api: ApiClient, team: dict[str, Agent], commits: Callable[[], Any]
) -> None:
    with time_machine.travel(NIGHT_IN_BERLIN, tick=False), commits():
        r = api.post(
            "/inbound",
            inbound("de-1", body="Guten Tag, meine Bestellung ist leider beschädigt angekommen."),
        )
    cid = r.json()["conversation_id"]
    assert _assignee(cid) is None
    assert "Waiting in the queue" in _activities(cid)[-1]
    assert [c.pk for c in routing.waiting_queue(team["hans"].brands.get().pk)] == [cid]
    # the worker's tick tries again while nobody is eligible, without repeating the note
    with time_machine.travel(NIGHT_IN_BERLIN + dt.timedelta(minutes=1), tick=False), commits():
        assert routing.tick()["assigned"] == 0
    assert sum("Waiting in the queue" in t for t in _activities(cid)) == 1
    # Hans's shift starts at 08:00 Berlin; the worker's tick serves the queue.
    with time_machine.travel(MORNING_IN_BERLIN, tick=False), commits():
        assert routing.tick()["assigned"] == 1
    assert _assignee(cid) == "Hans"


def test_never_over_capacity(
    api: ApiClient, team: dict[str, Agent], commits: Callable[[], Any]
) -> None:
    from wowdesk.core.services import update_agent

    update_agent(team["maria"], actor=None, channel_capacity={"api": 1})
    with time_machine.travel(NIGHT_IN_BERLIN, tick=False), commits():
        first = api.post(
            "/inbound",
            inbound(
                "id-a",
                body="Halo, saya mau menukar ukuran sepatu saya.",
                **{"from": {"email": "a@x.com"}},
            ),
        )
        second = api.post(
            "/inbound",
            inbound(
                "id-b",
                body="Selamat pagi, kapan paket saya akan dikirim?",
                **{"from": {"email": "b@x.com"}},
            ),
        )
    assert _assignee(first.json()["conversation_id"]) == "Maria"
    assert _assignee(second.json()["conversation_id"]) is None
    # Maria resolves the first: capacity frees and the queue is served at once.
    with time_machine.travel(NIGHT_IN_BERLIN + dt.timedelta(minutes=5), tick=False), commits():
        api.patch(f"/conversations/{first.json()['conversation_id']}", {"status": "resolved"})
    assert _assignee(second.json()["conversation_id"]) == "Maria"


@pytest.mark.parametrize(
    ("channel", "handed_back"),
    [("chat", True), ("voice", True), ("email", False), ("social", False), ("api", False)],
)
def test_going_offline_hands_back_live_chats_and_calls_only(
    make_api: Callable[[Agent | None], ApiClient],
    team: dict[str, Agent],
    commits: Callable[[], Any],
    api: ApiClient,
    channel: str,
    handed_back: bool,
) -> None:
    with time_machine.travel(MORNING_IN_BERLIN, tick=False), commits():
        r = api.post(
            "/inbound", inbound("en-1", channel=channel, body="Hello, where is my parcel? Thanks.")
        )
    cid = r.json()["conversation_id"]
    # Tom is off shift (05:00 Toronto), Maria too (18:00 Manila)
    assert _assignee(cid) == "Hans"
    team["tom"].shifts = ["mon-sun 00:00-24:00"]
    team["tom"].save()
    with time_machine.travel(MORNING_IN_BERLIN, tick=False), commits():
        hans_api = make_api(team["hans"])
        resp = hans_api.post(f"/agents/{team['hans'].pk}/presence", {"status": "offline"})
    assert resp.status_code == 200
    assert resp.json()["presence"] == "offline"
    texts = _activities(cid)
    if handed_back:
        assert _assignee(cid) == "Tom"
        assert any("went offline" in t for t in texts)
        assert "Tom" in texts[-1]
    else:
        assert _assignee(cid) == "Hans"
        assert not any("went offline" in t for t in texts)
        # the customer writes again: it stays with Hans, who answers when back
        later = MORNING_IN_BERLIN + dt.timedelta(minutes=3)
        with time_machine.travel(later, tick=False), commits():
            api.post(
                "/inbound",
                inbound("en-2", channel=channel, body="Any news about my parcel? Thanks."),
            )
        assert _assignee(cid) == "Hans"


def test_an_agent_cannot_set_someone_elses_presence(
    make_api: Callable[[Agent | None], ApiClient], team: dict[str, Agent]
) -> None:
    maria_api = make_api(team["maria"])
    r = maria_api.post(f"/agents/{team['hans'].pk}/presence", {"status": "offline"})
    assert r.status_code == 403
    r = maria_api.post(f"/agents/{team['maria'].pk}/presence", {"status": "asleep"})
    assert r.status_code == 422


def test_angry_and_vip_customers_jump_the_queue(
    api: ApiClient, brand: Brand, team: dict[str, Agent], commits: Callable[[], Any]
) -> None:
    from wowdesk.customers.models import Customer

    with time_machine.travel(NIGHT_IN_BERLIN, tick=False), commits():
        calm = api.post(
            "/inbound",
            inbound(
                "q-1",
                body="Guten Tag, eine kurze Frage zur Rechnung.",
                **{"from": {"email": "calm@x.com"}},
            ),
        )
        vip = api.post(
            "/inbound",
            inbound(
                "q-2",
                body="Guten Tag, wo bleibt meine Lieferung?",
                **{"from": {"email": "vip@x.com"}},
            ),
        )
        angry = api.post(
            "/inbound",
            inbound(
                "q-3",
                body="Das ist eine Frechheit, ich kündige!",
                **{"from": {"email": "angry@x.com"}},
            ),
        )
    Customer.objects.filter(email="vip@x.com").update(vip_tier="gold")
    Message.objects.filter(conversation_id=angry.json()["conversation_id"]).update(emotion=-0.9)
    order = [c.pk for c in routing.waiting_queue(brand.pk)]
    ids = [r.json()["conversation_id"] for r in (angry, vip, calm)]
    assert order == ids
    assert [q["id"] for q in api.get("/queue").json()] == ids


def test_agents_list_shows_shifts_presence_and_load(
    api: ApiClient, team: dict[str, Agent], commits: Callable[[], Any]
) -> None:
    with time_machine.travel(NIGHT_IN_BERLIN, tick=False), commits():
        api.post("/inbound", inbound("id-9", body="Halo, pesanan saya rusak, mohon bantuannya."))
    with time_machine.travel(NIGHT_IN_BERLIN, tick=False):
        agents = {a["email"]: a for a in api.get("/agents").json()["items"]}
    maria = agents["maria@x.com"]
    assert maria["presence"] == "online"
    assert maria["shifts"] == ["mon-sun 08:00-16:00"]
    assert maria["on_shift"] is True
    assert maria["open_load"] == {"api": 1} and maria["open_total"] == 1
    assert agents["hans@x.com"]["on_shift"] is False


def test_coverage_report_names_the_gaps(
    api: ApiClient, agent: Agent, team: dict[str, Agent]
) -> None:
    from wowdesk.core.services import update_agent

    # the API caller has no shifts (= always available): give it no languages here
    update_agent(agent, actor=None, languages=[])
    r = api.get("/reports/coverage", week_of="2026-03-02", tz="UTC")
    assert r.status_code == 200
    langs = {row["language"]: row for row in r.json()["languages"]}
    # en is spoken in Manila, Berlin and Toronto: 8 h shifts in three zones
    assert langs["en"]["covered_hours"] > langs["de"]["covered_hours"]
    assert langs["de"]["covered_hours"] == 7 * 8
    assert langs["de"]["gaps"]  # Berlin alone cannot cover the night
    assert api.get("/reports/coverage", tz="Mars/Olympus").status_code == 422


@pytest.fixture
def route_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each serving of a brand's queue (``route_waiting``), by brand id."""
    runs: list[int] = []
    real = routing.route_waiting

    def counted(brand_id: int, *args: Any, **kwargs: Any) -> int:
        runs.append(brand_id)
        return real(brand_id, *args, **kwargs)

    monkeypatch.setattr(routing, "route_waiting", counted)
    return runs


def test_routings_own_assignments_do_not_serve_the_queue_again(
    api: ApiClient, team: dict[str, Agent], commits: Callable[[], Any], route_runs: list[int]
) -> None:
    bodies = [
        "Guten Tag, meine Bestellung ist leider beschädigt angekommen.",
        "Hello, where is my parcel? Thanks a lot.",
        "Hallo, wann wird mein Paket endlich verschickt? Danke.",
    ]
    with time_machine.travel(MORNING_IN_BERLIN, tick=False), commits():
        ids = [
            api.post(
                "/inbound", inbound(f"own-{i}", body=body, **{"from": {"email": f"o{i}@x.com"}})
            ).json()["conversation_id"]
            for i, body in enumerate(bodies)
        ]
    assert all(_assignee(cid) is not None for cid in ids)
    assert route_runs == []
    # the worker's tick serves the queue once per brand, its assignments add no run
    brand_id = team["hans"].brands.get().pk
    with time_machine.travel(MORNING_IN_BERLIN, tick=False), commits():
        api.patch(f"/conversations/{ids[0]}", {"assignee_id": None})
    assert route_runs == [brand_id]  # a person unassigned: served once, reassigned
    assert _assignee(ids[0]) is not None
    route_runs.clear()
    with time_machine.travel(MORNING_IN_BERLIN, tick=False), commits():
        routing.tick()
    assert route_runs == [brand_id]


def test_a_person_resolving_or_unassigning_serves_the_queue(
    api: ApiClient, team: dict[str, Agent], commits: Callable[[], Any], route_runs: list[int]
) -> None:
    with time_machine.travel(NIGHT_IN_BERLIN, tick=False), commits():
        ids = [
            api.post(
                "/inbound",
                inbound(
                    f"p-{i}",
                    body="Halo, pesanan saya belum sampai sejak minggu lalu.",
                    **{"from": {"email": f"p{i}@x.com"}},
                ),
            ).json()["conversation_id"]
            for i in range(3)
        ]
    assert route_runs == []
    brand_id = team["maria"].brands.get().pk
    with time_machine.travel(NIGHT_IN_BERLIN, tick=False), commits():
        api.patch(f"/conversations/{ids[0]}", {"status": "resolved"})
    assert route_runs == [brand_id]
    with time_machine.travel(NIGHT_IN_BERLIN, tick=False), commits():
        api.patch(f"/conversations/{ids[1]}", {"assignee_id": None})
    assert route_runs == [brand_id, brand_id]
    with time_machine.travel(NIGHT_IN_BERLIN, tick=False), commits():
        api.patch(f"/conversations/{ids[2]}", {"priority": "high"})
    assert route_runs == [brand_id, brand_id]  # neither capacity nor the queue changed
