"""Every endpoint of ``policies/api.py`` per role of two brands (allowed, 403/404, the other
brand's ids), the shapes the issue names (201 granted, 202 pending with approval_id), bad
input naming the field, and query counts of the lists."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.policies.conftest import table
from wowdesk.conversations.models import Conversation
from wowdesk.core.models import Brand
from wowdesk.policies import services

pytestmark = pytest.mark.django_db


def test_the_policy_table_per_role(
    brand: Brand, other_brand: Brand, people: dict[str, Any]
) -> None:
    a, api = people["agents"], people["api"]
    mine = table(brand, a["admin"])
    theirs = services.save_policy(
        a["their_admin"], other_brand.pk, action="refund", role="agent", limit="20", currency="USD"
    )
    for who in ("agent", "supervisor", "admin"):
        r = api[who].get("/policies")
        assert r.status_code == 200
        assert {p["id"] for p in r.json()} == {p.pk for p in mine.values()}
        assert api[who].get("/policies", brand=other_brand.pk).status_code == 403
    # what applies to me
    r = api["agent"].get("/policies", mine=1)
    assert {(p["action"], p["limit"]) for p in r.json()} == {
        ("refund", "50.00"),
        ("replacement", None),
    }
    r = api["supervisor"].get("/policies", mine=1)
    assert ("refund", "500.00") in {(p["action"], p["limit"]) for p in r.json()}
    # only administrators change it
    body = {"action": "refund", "role": "agent", "limit": 60, "currency": "EUR"}
    for who in ("agent", "supervisor", "their_admin"):
        assert api[who].post("/policies", {**body, "brand_id": brand.pk}).status_code == 403
        assert api[who].patch(f"/policies/{mine['refund'].pk}", {"limit": 1}).status_code == 403
        assert api[who].delete(f"/policies/{mine['refund'].pk}").status_code == 403
    r = api["admin"].post("/policies", {**body, "monthly_budget": 300, "min_tenure_months": 6})
    assert r.status_code == 201, r.content
    assert r.json()["monthly_budget"] == "300.00" and r.json()["unit"] == "money"
    created = r.json()["id"]
    r = api["admin"].patch(f"/policies/{created}", {"limit": 70, "label": "Senior refund"})
    assert r.status_code == 200 and r.json()["limit"] == "70.00"
    assert api["admin"].patch(f"/policies/{theirs.pk}", {"limit": 1}).status_code == 403
    assert api["admin"].delete(f"/policies/{theirs.pk}").status_code == 403
    assert api["admin"].delete("/policies/999999").status_code == 404
    assert api["admin"].delete(f"/policies/{created}").status_code == 204
    # bad input names the field
    r = api["admin"].post("/policies", {"action": "refund", "role": "agent", "unit": "money"})
    assert r.status_code == 422 and r.json()["field"] == "currency"
    r = api["admin"].post("/policies", {"action": "no way!", "role": "agent", "unit": "items"})
    assert r.status_code == 422 and r.json()["field"] == "action"
    r = api["admin"].post("/policies", {"action": "refund", "role": "king"})
    assert r.status_code == 422 and "role" in r.content.decode()


def test_policy_settings_per_role(brand: Brand, other_brand: Brand, people: dict[str, Any]) -> None:
    api = people["api"]
    assert api["agent"].get("/policies/settings").status_code == 403
    r = api["supervisor"].get("/policies/settings")
    assert r.status_code == 200 and r.json()["approval_sla_minutes"] == 60
    assert (
        api["supervisor"].patch("/policies/settings", {"approval_sla_minutes": 5}).status_code
        == 403
    )
    assert (
        api["admin"]
        .patch("/policies/settings", {"approval_sla_minutes": 5})
        .json()["approval_sla_minutes"]
        == 5
    )
    r = api["admin"].patch(
        f"/policies/settings?brand={other_brand.pk}", {"approval_sla_minutes": 5}
    )
    assert r.status_code == 403
    r = api["admin"].patch("/policies/settings", {"approval_sla_minutes": 0})
    assert r.status_code == 422 and "approval_sla_minutes" in r.content.decode()


def test_grants_per_role_and_brand(
    brand: Brand,
    people: dict[str, Any],
    conversation: Conversation,
    other_conversation: Conversation,
) -> None:
    a, api = people["agents"], people["api"]
    table(brand, a["admin"])
    url = f"/conversations/{conversation.pk}/grants"
    r = api["agent"].post(
        url, {"action": "refund", "amount": 40, "currency": "EUR", "reason": "damaged parcel"}
    )
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "granted" and r.json()["approval_id"] is None
    r = api["agent"].post(
        url, {"action": "refund", "amount": 80, "currency": "EUR", "reason": "damaged parcel"}
    )
    assert r.status_code == 202
    assert r.json()["status"] == "pending_approval" and r.json()["approval_id"]
    pending_id, approval_id = r.json()["id"], r.json()["approval_id"]
    r = api["agent"].post(url, {"action": "teleport", "reason": "x"})
    assert r.status_code == 400 and r.json()["field"] == "action"
    r = api["agent"].post(url, {"action": "refund", "currency": "EUR", "reason": "x"})
    assert r.status_code == 422 and r.json()["field"] == "amount"
    # the other brand's conversation and people
    other_url = f"/conversations/{other_conversation.pk}/grants"
    body = {"action": "replacement", "reason": "x"}
    for who in ("agent", "supervisor", "admin"):
        assert api[who].post(other_url, body).status_code == 403
        assert api[who].get(other_url).status_code == 403
        assert len(api[who].get(url).json()) == 2
    assert api["their_agent"].post(url, body).status_code == 403
    assert api["their_admin"].get(url).status_code == 403
    assert api["agent"].post("/conversations/99999999/grants", body).status_code == 404
    # the list: supervisors see the brand's, agents their own
    assert len(api["agent"].get("/grants").json()["items"]) == 2
    assert api["other_agent"].get("/grants").json()["items"] == []
    assert len(api["supervisor"].get("/grants").json()["items"]) == 2
    assert api["their_supervisor"].get("/grants").json()["items"] == []
    assert (
        api["supervisor"]
        .get("/grants", brand=brand.pk, status="pending_approval")
        .json()["items"][0]["id"]
        == pending_id
    )
    assert api["their_supervisor"].get("/grants", brand=brand.pk).status_code == 403
    # approvals: supervisors and administrators of the brand
    assert api["agent"].get("/approvals").status_code == 403
    for who in ("supervisor", "admin"):
        items = api[who].get("/approvals").json()["items"]
        assert [x["id"] for x in items] == [approval_id]
        assert items[0]["grant"]["id"] == pending_id and items[0]["what"] == "Refund 80.00 EUR"
    assert api["their_supervisor"].get("/approvals").json()["items"] == []
    assert api["their_supervisor"].get("/approvals", brand=brand.pk).status_code == 403
    decision = {"decision": "approve", "note": ""}
    for who in ("agent", "their_supervisor", "their_admin"):
        assert api[who].post(f"/approvals/{approval_id}/decision", decision).status_code == 403
    assert api["supervisor"].post("/approvals/99999999/decision", decision).status_code == 404
    r = api["supervisor"].post(f"/approvals/{approval_id}/decision", {"decision": "maybe"})
    assert r.status_code == 422
    # withdrawing: the requester only
    assert api["other_agent"].post(f"/grants/{pending_id}/cancel").status_code == 403
    assert api["their_agent"].post(f"/grants/{pending_id}/cancel").status_code == 403
    r = api["agent"].post(f"/grants/{pending_id}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert api["agent"].post(f"/grants/{pending_id}/cancel").status_code == 409


def _grants(brand: Brand, people: dict[str, Any], conversation: Conversation, n: int) -> None:
    a = people["agents"]
    for i in range(n):
        services.request_grant(
            a["agent"],
            conversation,
            action="refund" if i % 2 else "store_credit",
            amount=60 + i,
            currency="EUR",
            reason="late",
        )


def _count(api: Any, path: str, **params: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = api.get(path, **params)
    assert r.status_code == 200, r.content
    return len(ctx.captured_queries)


def test_lists_cost_the_same_for_5_and_50(
    brand: Brand, people: dict[str, Any], conversation: Conversation
) -> None:
    table(brand, people["agents"]["admin"])
    services.save_policy(
        people["agents"]["admin"],
        brand.pk,
        action="store_credit",
        role="agent",
        limit="10",
        currency="EUR",
        label="Store credit",
    )
    _grants(brand, people, conversation, 5)
    api = people["api"]["supervisor"]
    api.get("/grants")  # the token's first use of the day is written once
    counts = {
        "grants": _count(api, "/grants"),
        "approvals": _count(api, "/approvals"),
        "conversation": _count(api, f"/conversations/{conversation.pk}/grants"),
        "policies": _count(api, "/policies"),
    }
    _grants(brand, people, conversation, 45)
    assert _count(api, "/grants") == counts["grants"]
    assert _count(api, "/approvals") == counts["approvals"]
    assert _count(api, f"/conversations/{conversation.pk}/grants") == counts["conversation"]
    assert _count(api, "/policies") == counts["policies"]
    items = api.get("/approvals", limit=50).json()["items"]
    assert {x["what"].split(" ")[0] for x in items} == {"Refund", "Store"}
    first = api.get("/grants", limit=20).json()
    second = api.get("/grants", limit=20, cursor=first["next_cursor"]).json()
    assert not {g["id"] for g in first["items"]} & {g["id"] for g in second["items"]}
    assert api.get("/grants", cursor="nonsense").json()["field"] == "cursor"
