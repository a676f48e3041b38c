"""Optimistic concurrency: every editable field of a conversation carries the version it
was based on (``If-Match`` or ``version``); a change based on an older one is refused
with the current values and who changed them. Without either, the last write wins."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import ApiClient
from tests.factories import quick_conversation
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Status, Tag
from wowdesk.core.models import Agent, Brand, Role, Team

MakeApi = Callable[[Agent | None], ApiClient]


def _patch(api: ApiClient, cid: int, body: dict[str, Any], if_match: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {api.token}"}
    if if_match is not None:
        headers["If-Match"] = if_match
    import json

    return api.client.patch(
        f"/api/v1/conversations/{cid}",
        json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


@pytest.fixture
def li(make_agent: Callable[..., Agent]) -> Agent:
    return make_agent(Role.AGENT, name="Li Wei")


@pytest.fixture
def ana(make_agent: Callable[..., Agent]) -> Agent:
    return make_agent(Role.AGENT, name="Ana Costa")


def test_get_sends_the_version_as_etag(brand: Brand, li: Agent, make_api: MakeApi) -> None:
    c = quick_conversation(brand)
    r = make_api(li).get(f"/conversations/{c.pk}")
    assert r.status_code == 200
    assert r["ETag"] == '"1"'
    assert r.json()["version"] == 1


def test_a_change_with_the_current_version_is_saved_and_bumps_it(
    brand: Brand, li: Agent, make_api: MakeApi
) -> None:
    c = quick_conversation(brand)
    api = make_api(li)
    r = _patch(api, c.pk, {"priority": "high"}, if_match='"1"')
    assert r.status_code == 200, r.json()
    assert r.json()["version"] == 2 and r["ETag"] == '"2"'
    r = _patch(api, c.pk, {"priority": "urgent", "version": 2})
    assert r.status_code == 200 and r.json()["version"] == 3
    # W/"3" and * are accepted too
    assert _patch(api, c.pk, {"status": "pending"}, if_match='W/"3"').json()["version"] == 4
    assert _patch(api, c.pk, {"status": "open"}, if_match="*").status_code == 200


@pytest.mark.parametrize(
    ("theirs", "mine", "says"),
    [
        ({"priority": "high"}, {"priority": "low"}, "changed the priority to High"),
        ({"status": "pending"}, {"status": "resolved"}, "changed the status to Pending"),
        ({"tags": ["refund"]}, {"tags": ["vip"]}, "changed the tags to refund"),
        ({"subject": "Broken lamp"}, {"subject": "Lamp"}, "changed the subject to Broken lamp"),
        ({"assignee_id": "ANA"}, {"assignee_id": None}, "changed the assignee to Ana Costa"),
        ({"team_id": "TEAM"}, {"team_id": None}, "changed the team to Lamps"),
        ({"snoozed_until": "SOON"}, {"priority": "high"}, "changed the status to Snoozed"),
    ],
)
@pytest.mark.parametrize("how", ["if-match", "body"])
def test_a_change_based_on_a_stale_version_is_refused_with_the_other_change(
    brand: Brand,
    li: Agent,
    ana: Agent,
    make_api: MakeApi,
    theirs: dict[str, Any],
    mine: dict[str, Any],
    says: str,
    how: str,
) -> None:
    team = Team.objects.create(brand=brand, name="Lamps")
    Tag.objects.create(brand=brand, name="refund")  # agents pick existing tags
    Tag.objects.create(brand=brand, name="vip")
    soon = (timezone.now() + dt.timedelta(hours=2)).isoformat()
    values = {"ANA": ana.pk, "TEAM": team.pk, "SOON": soon}
    theirs = {k: values.get(v, v) if isinstance(v, str) else v for k, v in theirs.items()}
    c = quick_conversation(brand, subject="Help")
    # Ana saves first, from version 1
    assert _patch(make_api(ana), c.pk, {**theirs, "version": 1}).status_code == 200
    # Li's form was also loaded at version 1
    if how == "if-match":
        r = _patch(make_api(li), c.pk, mine, if_match='"1"')
    else:
        r = _patch(make_api(li), c.pk, {**mine, "version": 1})
    assert r.status_code == 409, r.json()
    body = r.json()
    assert body["code"] == "version_conflict" and body["field"] == "version"
    assert f"Ana Costa {says}" in body["detail"]
    assert "your change was not saved" in body["detail"]
    assert body["version"] == 2 and body["current"]["version"] == 2
    assert body["last_change"]["by"] == {"id": ana.pk, "name": "Ana Costa"}
    fresh = Conversation.objects.get(pk=c.pk)
    assert fresh.version == 2
    for key, value in theirs.items():  # Ana's change stands
        now = conversations.snapshot(fresh)[key]
        if key == "snoozed_until":
            assert now is not None
        elif key == "tags":
            assert now == value
        else:
            assert now == value


def test_without_a_version_the_last_write_wins(
    brand: Brand, li: Agent, ana: Agent, make_api: MakeApi
) -> None:
    c = quick_conversation(brand)
    assert _patch(make_api(ana), c.pk, {"priority": "high"}).status_code == 200
    r = _patch(make_api(li), c.pk, {"priority": "low"})
    assert r.status_code == 200 and r.json()["priority"] == "low"
    assert r.json()["version"] == 3


def test_a_change_by_the_system_makes_a_stale_save_fail_too(
    brand: Brand, li: Agent, ana: Agent, make_api: MakeApi
) -> None:
    c = quick_conversation(brand)
    conversations.update_conversation(c, actor=None, assignee_id=ana.pk, reason="Routed")
    r = _patch(make_api(li), c.pk, {"assignee_id": li.pk}, if_match='"1"')
    assert r.status_code == 409
    assert "wowdesk changed the assignee to Ana Costa" in r.json()["detail"]
    assert r.json()["last_change"]["by"] is None


def test_a_customer_reopening_a_snoozed_conversation_bumps_the_version(brand: Brand) -> None:
    c = quick_conversation(brand)
    conversations.update_conversation(
        c, actor=None, snoozed_until=timezone.now() + dt.timedelta(hours=1)
    )
    c.refresh_from_db()
    assert (c.status, c.version) == (Status.SNOOZED, 2)
    conversations.append_incoming(
        c, c.customer, conversations.IncomingMessage(body="Hello again", channel="api")
    )
    c.refresh_from_db()
    assert (c.status, c.version, c.snoozed_until) == (Status.OPEN, 3, None)


def test_nothing_changed_keeps_the_version(brand: Brand, li: Agent, make_api: MakeApi) -> None:
    c = quick_conversation(brand)
    r = _patch(make_api(li), c.pk, {"priority": "normal", "tags": []}, if_match='"1"')
    assert r.status_code == 200 and r.json()["version"] == 1


@pytest.mark.parametrize("bad", ['"abc"', '"0"', "-1", 'W/"x"', '"1', "1" * 20])
def test_a_bad_if_match_is_a_422_naming_the_header(
    brand: Brand, li: Agent, make_api: MakeApi, bad: str
) -> None:
    c = quick_conversation(brand)
    r = _patch(make_api(li), c.pk, {"priority": "high"}, if_match=bad)
    assert r.status_code == 422, bad
    assert r.json()["field"] == "If-Match"
    assert Conversation.objects.get(pk=c.pk).priority == "normal"


@pytest.mark.parametrize("bad", [0, -3, "two", True, 2**63])
def test_a_bad_version_field_is_a_422(brand: Brand, li: Agent, make_api: MakeApi, bad: Any) -> None:
    c = quick_conversation(brand)
    r = _patch(make_api(li), c.pk, {"priority": "high", "version": bad})
    assert r.status_code == 422, bad
    assert r.json()["field"] == "version"


def test_if_match_and_version_must_agree(brand: Brand, li: Agent, make_api: MakeApi) -> None:
    c = quick_conversation(brand)
    r = _patch(make_api(li), c.pk, {"priority": "high", "version": 1}, if_match='"2"')
    assert r.status_code == 422 and r.json()["field"] == "version"


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_versioned_patch_per_role_and_brand(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: MakeApi,
    role: str,
) -> None:
    mine, theirs = quick_conversation(brand), quick_conversation(other_brand)
    for home, own, foreign in ((brand, mine, theirs), (other_brand, theirs, mine)):
        api = make_api(make_agent(role, brands=[home]))
        version = Conversation.objects.get(pk=own.pk).version
        r = _patch(api, own.pk, {"priority": "high"}, if_match=f'"{version}"')
        assert r.status_code == 200
        r = _patch(api, foreign.pk, {"priority": "low"}, if_match='"1"')
        assert r.status_code == 403
        assert api.get(f"/conversations/{foreign.pk}").status_code == 403
        assert Conversation.objects.get(pk=foreign.pk).priority in ("normal", "high")


@pytest.mark.parametrize("how", ["snoozed", "resolved", "pending"])
def test_a_customer_reopening_it_is_the_change_a_stale_save_is_told(
    brand: Brand, li: Agent, make_api: MakeApi, how: str
) -> None:
    c = quick_conversation(brand)
    if how == "snoozed":
        change: dict[str, Any] = {"snoozed_until": timezone.now() + dt.timedelta(hours=1)}
    else:
        change = {"status": how}
    conversations.update_conversation(c, actor=li, **change)
    c.refresh_from_db()
    seen = c.version
    conversations.append_incoming(
        c, c.customer, conversations.IncomingMessage(body="Still broken", channel="api")
    )
    r = _patch(make_api(li), c.pk, {"priority": "low"}, if_match=f'"{seen}"')
    assert r.status_code == 409
    assert r.json()["detail"].startswith("The customer changed the status to Open")
    assert r.json()["current"]["status"] == "open"
