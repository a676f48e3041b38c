"""The abuse API per role of two brands (allowed, 403/404, the other brand's ids); bad input
is a 4xx naming the field; the list is keyset paged with a pinned query count."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import ApiClient
from tests.policies.helpers import abusive, customer_messages, people
from wowdesk.core.models import Agent, Alert, AlertKind, AuditLog, Brand
from wowdesk.customers.models import Customer
from wowdesk.notifications.models import Kind, Notification
from wowdesk.policies.models import AbuseReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def who(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> dict[str, Any]:
    return people(brand, other_brand, make_agent, make_api)


def flag(client: ApiClient, conversation: Any, **over: Any) -> Any:
    body = {
        "conversation_id": conversation.pk,
        "message_ids": customer_messages(conversation),
        "note": "Insults in every message",
        **over,
    }
    return client.post(f"/customers/{conversation.customer_id}/abuse-reports", body)


def test_every_agent_of_the_brand_flags_with_evidence(
    brand: Brand, other_brand: Brand, who: dict[str, Any]
) -> None:
    api, a = who["api"], who["agents"]
    conversation = abusive(brand)
    for role in ("agent", "supervisor", "admin"):
        r = flag(api[role], conversation)
        assert r.status_code == 201, r.content
        body = r.json()
        assert body["status"] == "open" and body["customer_id"] == conversation.customer_id
        assert body["evidence"][0]["body"].startswith("You are useless")
        assert body["reported_by"]["id"] == a[role].pk
    # another brand's people: 403 on this brand's customer
    for role in ("their_agent", "their_supervisor", "their_admin"):
        assert flag(api[role], conversation).status_code == 403
    assert flag(api["agent"], conversation).status_code == 201
    assert (
        api["agent"]
        .post("/customers/999999/abuse-reports", {"conversation_id": 1, "message_ids": [1]})
        .status_code
        == 404
    )
    # the supervisors are told, and the board has an alert
    told = set(
        Notification.objects.filter(kind=Kind.ABUSE_REPORTED).values_list("agent_id", flat=True)
    )
    assert a["supervisor"].pk in told and a["admin"].pk in told
    assert a["their_supervisor"].pk not in told and a["agent"].pk not in told
    from wowdesk.notifications.present import title

    n = Notification.objects.filter(kind=Kind.ABUSE_REPORTED).first()
    assert n is not None
    assert title(n) == f"Abuse reported on #{conversation.number}: Ana Lima"
    assert Alert.objects.filter(kind=AlertKind.ABUSE_REPORTED, brand=brand).exists()
    assert AuditLog.objects.filter(action="abuse.report").count() == 4


def test_evidence_must_be_this_customers_messages(
    brand: Brand, other_brand: Brand, who: dict[str, Any]
) -> None:
    api = who["api"]
    conversation = abusive(brand)
    someone_else = abusive(brand, body="A polite question")
    theirs = abusive(other_brand)
    r = flag(api["agent"], conversation, message_ids=customer_messages(someone_else))
    assert r.status_code == 422 and r.json()["field"] == "message_ids"
    r = flag(api["agent"], conversation, message_ids=customer_messages(theirs))
    assert r.status_code == 422 and r.json()["field"] == "message_ids"
    r = flag(api["agent"], conversation, message_ids=[])
    assert r.status_code == 422
    r = flag(api["agent"], conversation, conversation_id=someone_else.pk)
    assert r.status_code == 422 and r.json()["field"] == "conversation_id"
    r = flag(api["agent"], conversation, note="x\x00y")
    assert r.status_code in (400, 422)
    assert not AbuseReport.objects.exists()


def test_who_lists_and_decides_reports(
    brand: Brand, other_brand: Brand, who: dict[str, Any]
) -> None:
    api = who["api"]
    conversation = abusive(brand)
    report_id = flag(api["agent"], conversation).json()["id"]
    theirs = abusive(other_brand)
    their_id = flag(api["their_agent"], theirs).json()["id"]

    def ids(client: ApiClient, **params: Any) -> list[int]:
        r = client.get("/abuse-reports", **params)
        assert r.status_code == 200, r.content
        return [i["id"] for i in r.json()["items"]]

    assert api["agent"].get("/abuse-reports").status_code == 403
    assert api["their_agent"].get("/abuse-reports").status_code == 403
    assert ids(api["supervisor"]) == [report_id]
    assert ids(api["admin"], status="open") == [report_id]
    assert ids(api["their_supervisor"]) == [their_id]
    assert ids(api["supervisor"], status="decided") == []
    bad = api["supervisor"].get("/abuse-reports", status="nope")
    assert bad.status_code == 422 and bad.json()["field"] == "status"
    assert api["supervisor"].get("/abuse-reports", brand_id=other_brand.pk).status_code == 403
    # one report
    assert api["supervisor"].get(f"/abuse-reports/{report_id}").status_code == 200
    assert api["agent"].get(f"/abuse-reports/{report_id}").status_code == 403
    assert api["supervisor"].get(f"/abuse-reports/{their_id}").status_code == 403
    assert api["supervisor"].get("/abuse-reports/999999").status_code == 404
    # deciding
    decide = {"decision": "blocked", "reason": "Threats to staff"}
    for role in ("agent", "their_supervisor", "their_admin", "their_agent"):
        r = api[role].post(f"/abuse-reports/{report_id}/decision", decide)
        assert r.status_code == 403, role
    r = api["supervisor"].post(f"/abuse-reports/{report_id}/decision", {"decision": "x"})
    assert r.status_code == 422
    r = api["supervisor"].post(
        f"/abuse-reports/{report_id}/decision",
        {"decision": "restricted", "reason": "r", "channel": "fax"},
    )
    assert r.status_code == 422 and r.json()["field"] == "channel"
    r = api["supervisor"].post(f"/abuse-reports/{report_id}/decision", decide)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "decided" and body["decision"] == "blocked"
    assert body["decided_by"]["id"] == who["agents"]["supervisor"].pk
    assert body["restriction"]["level"] == "blocked"
    assert body["restriction"]["reason"] == "Threats to staff"
    again = api["admin"].post(f"/abuse-reports/{report_id}/decision", decide)
    assert again.status_code == 409
    dismissed = flag(api["agent"], conversation).json()["id"]
    r = api["admin"].post(f"/abuse-reports/{dismissed}/decision", {"decision": "dismiss"})
    assert r.status_code == 200 and r.json()["status"] == "dismissed"
    assert ids(api["supervisor"], status="decided") == [report_id]
    assert AuditLog.objects.filter(action="abuse.decide").count() == 2


def test_the_restriction_api_per_role(
    brand: Brand, other_brand: Brand, who: dict[str, Any]
) -> None:
    api = who["api"]
    customer_id = abusive(brand).customer_id
    url = f"/customers/{customer_id}/restriction"
    body = {"level": "restricted", "reason": "Abuse by phone", "channel": "email"}
    for role in ("agent", "their_agent", "their_supervisor", "their_admin"):
        assert api[role].post(url, body).status_code == 403, role
        assert api[role].delete(url).status_code == 403, role
    assert api["their_agent"].get(url).status_code == 403
    assert api["agent"].get(url).json()["level"] == ""
    assert api["supervisor"].post("/customers/999999/restriction", body).status_code == 404
    r = api["supervisor"].post(url, {"level": "blocked", "reason": ""})
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = api["supervisor"].post(url, {"level": "banned", "reason": "x"})
    assert r.status_code == 422
    r = api["supervisor"].post(url, body)
    assert r.status_code == 201, r.content
    assert r.json()["channel"] == "email" and r.json()["decided_by"]["id"]
    r = api["admin"].post(url, {"level": "blocked", "reason": "Worse"})
    assert r.status_code == 200 and r.json()["level"] == "blocked" and r.json()["channel"] == ""
    seen = api["agent"].get(url).json()  # everyone of the brand sees it
    assert seen["level"] == "blocked" and seen["reason"] == "Worse"
    r = api["supervisor"].delete(url + "?reason=Apologised")
    assert r.status_code == 200 and r.json()["level"] == ""
    c = Customer.objects.get(pk=customer_id)
    assert c.restriction == "" and c.restricted_by_id == who["agents"]["supervisor"].pk
    actions = list(
        AuditLog.objects.filter(object_id=customer_id, action__startswith="customer.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-3:] == ["customer.restrict", "customer.restrict", "customer.lift_restriction"]


def test_the_list_costs_the_same_for_5_or_50(brand: Brand, who: dict[str, Any]) -> None:
    api = who["api"]
    agent = who["agents"]["agent"]
    from wowdesk.policies import abuse_services

    def make(n: int) -> None:
        for _ in range(n):
            c = abusive(brand)
            abuse_services.report_abuse(
                agent, c.customer, conversation_id=c.pk, message_ids=customer_messages(c)
            )

    def cost(limit: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            r = api["supervisor"].get("/abuse-reports", limit=limit)
            assert r.status_code == 200 and len(r.json()["items"]) == limit
        return len(ctx.captured_queries)

    make(5)
    cost(5)  # the token's first use is written once
    small = cost(5)
    make(46)
    assert cost(50) == small
    first = api["supervisor"].get("/abuse-reports", limit=50).json()
    rest = api["supervisor"].get("/abuse-reports", limit=50, before=first["next_before"]).json()
    assert len(rest["items"]) == 1 and rest["next_before"] is None
