"""The abuse pages per role of two brands: the conversation's panel and banner, reporting
from it, /policies/abuse/ (open reports with the evidence, restricted customers, the
decision and lift buttons); a constant number of queries; Arabic evidence right to left."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.policies.helpers import abusive, customer_messages
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.customers.models import Customer
from wowdesk.policies import abuse_services
from wowdesk.policies.models import AbuseReport

pytestmark = pytest.mark.django_db


def login(agent: Agent) -> Client:
    c = Client()
    c.force_login(agent.user)
    return c


@pytest.fixture
def who(brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent]) -> dict[str, Agent]:
    return {
        "agent": make_agent(Role.AGENT),
        "supervisor": make_agent(Role.SUPERVISOR),
        "admin": make_agent(Role.ADMIN),
        "their_agent": make_agent(Role.AGENT, brands=[other_brand]),
        "their_supervisor": make_agent(Role.SUPERVISOR, brands=[other_brand]),
        "their_admin": make_agent(Role.ADMIN, brands=[other_brand]),
    }


def report(brand: Brand, by: Agent, body: str = "You are all idiots") -> AbuseReport:
    c = abusive(brand, body=body)
    return abuse_services.report_abuse(
        by, c.customer, conversation_id=c.pk, message_ids=customer_messages(c), note="Rude"
    )


def test_the_panel_and_reporting_per_role(
    brand: Brand, other_brand: Brand, who: dict[str, Agent]
) -> None:
    conversation = abusive(brand)
    panel = f"/policies/abuse/c/{conversation.pk}/panel/"
    post = f"/policies/abuse/c/{conversation.pk}/report/"
    ids = customer_messages(conversation)
    for role in ("agent", "supervisor", "admin"):
        c = login(who[role])
        page = c.get(panel)
        assert page.status_code == 200
        assert f'value="{ids[0]}"' in page.content.decode()
        assert ("Open the abuse reports" in page.content.decode()) == (role != "agent")
        done = c.post(post, {"message_ids": [str(ids[0])], "note": "Insults"})
        assert done.status_code == 200 and 'id="abuse-done"' in done.content.decode()
    for role in ("their_agent", "their_supervisor", "their_admin"):
        assert login(who[role]).get(panel).status_code == 404
        assert login(who[role]).post(post, {"message_ids": [str(ids[0])]}).status_code == 404
    refused = login(who["agent"]).post(post, {"note": "no evidence"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'data-field="message_ids"' in html and "no evidence" in html  # typed text kept
    assert AbuseReport.objects.filter(brand=brand).count() == 3
    # the workspace shows the panel with the banner once the customer is restricted
    abuse_services.restrict(
        who["supervisor"], conversation.customer, level="blocked", reason="Threats to staff"
    )
    page = login(who["agent"]).get(f"/inbox/c/{conversation.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="abuse-banner"' in html
    assert "Customer restricted (relationship ended): Threats to staff" in html
    assert 'id="customer-restriction"' in html


def test_the_abuse_page_per_role(brand: Brand, other_brand: Brand, who: dict[str, Agent]) -> None:
    mine = report(brand, who["agent"])
    theirs = report(other_brand, who["their_agent"], body="Go away, fools")
    for role in ("agent", "their_agent"):
        assert login(who[role]).get("/policies/abuse/").status_code == 403
    for role, shown, hidden in (
        ("supervisor", mine, theirs),
        ("admin", mine, theirs),
        ("their_supervisor", theirs, mine),
        ("their_admin", theirs, mine),
    ):
        html = login(who[role]).get("/policies/abuse/").content.decode()
        assert f'id="abuse-report-{shown.pk}"' in html, role
        assert f'id="abuse-report-{hidden.pk}"' not in html, role
    assert "You are all idiots" in login(who["supervisor"]).get("/policies/abuse/").content.decode()
    decide = {"decision": "restricted", "reason": "Abuse on chat", "channel": "email"}
    # the other brand's report: 404; an agent of the brand: 403
    assert (
        login(who["their_supervisor"])
        .post(f"/policies/abuse/{mine.pk}/decide/", decide)
        .status_code
        == 404
    )
    assert login(who["agent"]).post(f"/policies/abuse/{mine.pk}/decide/", decide).status_code == 403
    assert (
        login(who["supervisor"]).post("/policies/abuse/999999/decide/", decide).status_code == 404
    )
    r = login(who["supervisor"]).post(f"/policies/abuse/{mine.pk}/decide/", decide)
    assert r.status_code == 302
    customer = Customer.objects.get(pk=mine.customer_id)
    assert customer.restriction == "restricted" and customer.restriction_channel == "email"
    html = login(who["admin"]).get("/policies/abuse/").content.decode()
    assert f'id="abuse-customer-{customer.pk}"' in html and "Abuse on chat" in html
    # a bad decision: back to the page with the reason
    other = report(brand, who["agent"])
    r = login(who["supervisor"]).post(
        f"/policies/abuse/{other.pk}/decide/", {"decision": "blocked", "reason": ""}, follow=True
    )
    assert "Say why." in r.content.decode()
    # lifting: supervisors of the brand only
    lift = f"/policies/abuse/customers/{customer.pk}/lift/"
    assert login(who["their_admin"]).post(lift).status_code == 404
    assert login(who["agent"]).post(lift).status_code == 403
    assert login(who["admin"]).post(lift, {"reason": "Apologised"}).status_code == 302
    assert Customer.objects.get(pk=customer.pk).restriction == ""


def test_the_page_costs_the_same_for_5_or_50(brand: Brand, who: dict[str, Agent]) -> None:
    boss = login(who["supervisor"])

    def make(n: int) -> None:
        for _ in range(n):
            r = report(brand, who["agent"])
            abuse_services.restrict(who["supervisor"], r.customer, level="blocked", reason="x")
            report(brand, who["agent"])

    def cost() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert boss.get("/policies/abuse/").status_code == 200
        return len(ctx.captured_queries)

    make(5)
    cost()
    small = cost()
    make(45)
    assert cost() == small


def test_arabic_evidence_is_right_to_left(brand: Brand, who: dict[str, Agent]) -> None:
    from wowdesk.customers import services as customers

    r = report(brand, who["agent"], body="أنتم أغبياء جميعًا")
    customers.update_customer(r.customer, actor=None, language="ar")
    html = login(who["supervisor"]).get("/policies/abuse/").content.decode()
    assert '<blockquote class="abuse-quote" dir="rtl">أنتم أغبياء جميعًا</blockquote>' in html
