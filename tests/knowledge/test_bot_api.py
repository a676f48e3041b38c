"""The answer bot's settings on the inbox API and its read API, per role of two brands."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone

from tests.conftest import ApiClient
from tests.factories import make_conversation
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Inbox
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.knowledge.models import BotSession

ROLES = [Role.AGENT, Role.SUPERVISOR, Role.ADMIN]


@pytest.fixture
def caller(
    request: pytest.FixtureRequest,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
    brand: Brand,
) -> ApiClient:
    client = make_api(make_agent(request.param, brands=[brand]))
    client.role = request.param  # type: ignore[attr-defined]
    return client


# --- the inbox setting ----------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["off", "always", "when_no_agent"])
@pytest.mark.parametrize("channel", ["chat", "email", "social", "api"])
def test_admin_creates_an_inbox_with_the_bot(
    admin_api: ApiClient, brand: Brand, channel: str, mode: str
) -> None:
    body = {"name": "Help", "channel": channel, "answer_bot": mode}
    if channel == "email":
        body["address"] = "help@acme.example"
    response = admin_api.post("/inboxes", body)
    assert response.status_code == 201, response.content
    assert response.json()["answer_bot"] == mode
    inbox = Inbox.objects.get(pk=response.json()["id"])
    assert inbox.answer_bot == mode
    assert conversations.answer_bot_inboxes.get(brand.pk) == (
        None if mode == "off" else {inbox.pk: mode}
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"answer_bot": "sometimes"}, "answer_bot"),
        ({"answer_bot": ""}, "answer_bot"),
        ({"answer_bot": 1}, "answer_bot"),
        ({"answer_bot": "ALWAYS"}, "answer_bot"),
        ({"answer_bot": None}, "answer_bot"),
    ],
)
def test_bad_values_are_refused_naming_the_field(
    admin_api: ApiClient, brand: Brand, body: dict[str, object], field: str
) -> None:
    response = admin_api.post("/inboxes", {"name": "Chat", "channel": "chat", **body})
    assert response.status_code == 422, response.content
    assert field in str(response.json())
    assert not Inbox.objects.exists()
    inbox = conversations.create_inbox(brand_id=brand.pk, name="Chat", channel="chat")
    if body["answer_bot"] is None:
        return  # PATCH: null leaves the setting as it is
    response = admin_api.patch(f"/inboxes/{inbox.pk}", body)
    assert response.status_code == 422, response.content
    assert field in str(response.json())
    inbox.refresh_from_db()
    assert inbox.answer_bot == "off"


@pytest.mark.parametrize("mode", ["always", "when_no_agent"])
def test_voice_inboxes_have_no_bot(admin_api: ApiClient, brand: Brand, mode: str) -> None:
    response = admin_api.post("/inboxes", {"name": "Phone", "channel": "voice", "answer_bot": mode})
    assert response.status_code == 422
    assert response.json()["field"] == "answer_bot"
    inbox = conversations.create_inbox(brand_id=brand.pk, name="Phone", channel="voice")
    response = admin_api.patch(f"/inboxes/{inbox.pk}", {"answer_bot": mode})
    assert response.status_code == 422
    assert response.json()["field"] == "answer_bot"
    assert admin_api.patch(f"/inboxes/{inbox.pk}", {"answer_bot": "off"}).status_code == 200


@pytest.mark.parametrize("caller", ROLES, indirect=True)
def test_patch_inbox_per_role_of_two_brands(
    caller: ApiClient, brand: Brand, other_brand: Brand
) -> None:
    mine = conversations.create_inbox(brand_id=brand.pk, name="Chat", channel="chat")
    theirs = conversations.create_inbox(brand_id=other_brand.pk, name="Chat", channel="chat")
    response = caller.patch(f"/inboxes/{mine.pk}", {"answer_bot": "when_no_agent"})
    mine.refresh_from_db()
    if caller.role == Role.ADMIN:  # type: ignore[attr-defined]
        assert response.status_code == 200, response.content
        assert mine.answer_bot == "when_no_agent"
        assert conversations.answer_bot_inboxes.get(brand.pk) == {mine.pk: "when_no_agent"}
    else:
        assert response.status_code == 403
        assert mine.answer_bot == "off"
    response = caller.patch(f"/inboxes/{theirs.pk}", {"answer_bot": "always"})
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.answer_bot == "off"
    assert caller.patch("/inboxes/999999", {"answer_bot": "always"}).status_code in (403, 404)


# --- bot sessions and stats ------------------------------------------------------------------


@pytest.fixture
def sessions(brand: Brand, other_brand: Brand) -> dict[str, BotSession]:
    ours = make_conversation(brand)
    theirs = make_conversation(other_brand)
    now = timezone.now()
    rows = {
        "confirmed": BotSession.objects.create(
            brand=brand,
            conversation=ours,
            language="es",
            intent="return_item",
            confidence=0.9,
            outcome="confirmed",
            answered_at=now,
            ended_at=now,
        ),
        "handed": BotSession.objects.create(
            brand=brand,
            conversation=ours,
            language="en",
            intent="shipping",
            confidence=0.3,
            outcome="handed_over",
            ended_at=now,
        ),
        "no_return": BotSession.objects.create(
            brand=brand,
            conversation=ours,
            language="es",
            intent="return_item",
            confidence=0.8,
            outcome="no_return",
            answered_at=now,
            ended_at=now,
        ),
        "theirs": BotSession.objects.create(
            brand=other_brand,
            conversation=theirs,
            language="es",
            intent="return_item",
            confidence=0.8,
            outcome="confirmed",
        ),
    }
    return rows


@pytest.mark.parametrize("caller", ROLES, indirect=True)
def test_bot_sessions_per_role_of_two_brands(
    caller: ApiClient, sessions: dict[str, BotSession]
) -> None:
    response = caller.get("/kb/bot-sessions")
    stats = caller.get("/kb/bot-stats")
    if caller.role == Role.AGENT:  # type: ignore[attr-defined]
        assert response.status_code == 403
        assert stats.status_code == 403
        return
    assert response.status_code == 200, response.content
    ids = {item["id"] for item in response.json()["items"]}
    assert ids == {sessions[k].pk for k in ("confirmed", "handed", "no_return")}
    assert sessions["theirs"].pk not in ids
    only = caller.get("/kb/bot-sessions", outcome="confirmed", language="es").json()["items"]
    assert [s["id"] for s in only] == [sessions["confirmed"].pk]
    assert stats.status_code == 200
    data = stats.json()
    assert (data["confirmed"], data["no_return"], data["handed_over"]) == (1, 1, 1)
    assert data["resolution_rate"] == pytest.approx(2 / 3, abs=1e-3)
    assert data["handover_rate"] == pytest.approx(1 / 3, abs=1e-3)
    es = next(row for row in data["by_language"] if row["language"] == "es")
    assert (es["confirmed"], es["no_return"], es["handed_over"]) == (1, 1, 0)
    intent = next(row for row in data["by_intent"] if row["intent"] == "shipping")
    assert intent["handover_rate"] == 1.0


def test_bot_sessions_of_an_agent_in_two_brands(
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
    brand: Brand,
    other_brand: Brand,
    sessions: dict[str, BotSession],
) -> None:
    from wowdesk.core import services as core

    agent = make_agent(Role.SUPERVISOR, brands=[brand])
    core.set_membership(agent, other_brand.pk, Role.AGENT, actor=None)
    ids = {s["id"] for s in make_api(agent).get("/kb/bot-sessions").json()["items"]}
    assert sessions["theirs"].pk not in ids  # only a supervisor's brands
    core.set_membership(agent, other_brand.pk, Role.SUPERVISOR, actor=None)
    ids = {s["id"] for s in make_api(agent).get("/kb/bot-sessions").json()["items"]}
    assert sessions["theirs"].pk in ids


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-13-45"}, "to"),
        ({"from": "1900-01-01T00:00:00"}, "from"),
        ({"outcome": "maybe"}, "outcome"),
    ],
)
def test_bad_filters_are_refused(
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
    params: dict[str, str],
    field: str,
) -> None:
    api = make_api(make_agent(Role.SUPERVISOR))
    response = api.get("/kb/bot-sessions", **params)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field


def test_window_bounds_the_sessions(
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
    sessions: dict[str, BotSession],
) -> None:
    api = make_api(make_agent(Role.ADMIN))
    later = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    assert api.get("/kb/bot-sessions", **{"from": later}).json()["items"] == []
    assert api.get("/kb/bot-stats", to=later).json()["sessions"] == 3
