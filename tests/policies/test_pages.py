"""The pages of "Policies and approvals": Settings → Policies, the conversation's Grant
panel, the approvals page and the board tile, the cost report — each per role (agent,
supervisor, admin) of two brands: allowed, refused, and the other brand's ids."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import quick_conversation
from wowdesk.conversations.models import Conversation
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.policies.models import Approval, Grant, Policy, PolicySettings

pytestmark = pytest.mark.django_db

ROLES = [Role.AGENT, Role.SUPERVISOR, Role.ADMIN]


def login(agent: Agent) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


@dataclass
class Side:
    brand: Brand
    people: dict[str, Agent]
    conversation: Conversation
    refund: Policy
    approval: Approval


@pytest.fixture
def world(brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent]) -> dict[str, Side]:
    sides = {}
    for key, b in (("a", brand), ("b", other_brand)):
        people = {r: make_agent(r, brands=[b]) for r in ROLES}
        conversation = quick_conversation(b, subject=f"Parcel {key}")
        refund = Policy.objects.create(
            brand=b, action="refund", role=Role.AGENT, limit=Decimal(50), currency="EUR"
        )
        approval = _pending(b, conversation, people[Role.AGENT], Decimal(80), reason=f"why {key}")
        sides[key] = Side(b, people, conversation, refund, approval)
    return sides


def _pending(
    b: Brand, conversation: Conversation, who: Agent, amount: Decimal, reason: str = "broken"
) -> Approval:
    grant = Grant.objects.create(
        brand=b,
        conversation=conversation,
        agent=who,
        action="refund",
        amount=amount,
        currency="EUR",
        reason=reason,
        status="pending_approval",
    )
    return Approval.objects.create(
        brand=b,
        grant=grant,
        requested_by=who,
        why="limit",
        due_at=timezone.now() + timezone.timedelta(minutes=30),
    )


# --- Settings → Policies ------------------------------------------------------------------------

SETTINGS = "/policies/settings/"


def line(b: Brand, **over: Any) -> dict[str, Any]:
    data = {
        "brand": b.pk,
        "op": "save",
        "action": "replacement",
        "role": "agent",
        "min_tenure_months": "3",
        "limit": "",
        "unit": "items",
        "currency": "",
        "monthly_budget": "",
        "team": "",
        "enabled": "on",
    }
    data.update(over)
    return data


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR])
def test_settings_refuse_agents_and_supervisors(world: dict[str, Side], role: str) -> None:
    a = world["a"]
    client = login(a.people[role])
    assert client.get(SETTINGS).status_code == 403
    assert client.post(SETTINGS, line(a.brand)).status_code == 403
    assert not Policy.objects.filter(action="replacement").exists()


def test_settings_admin_edits_the_grid(world: dict[str, Side]) -> None:
    a = world["a"]
    client = login(a.people[Role.ADMIN])
    page = client.get(SETTINGS)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-section="policies"' in html
    assert (
        f'data-line="{a.refund.pk}"' in html and f'data-line="{world["b"].refund.pk}"' not in html
    )
    # add a line, a custom action with its label, change one, remove one
    assert client.post(SETTINGS, line(a.brand)).status_code == 302
    assert Policy.objects.get(brand=a.brand, action="replacement").min_tenure_months == 3
    r = client.post(
        SETTINGS,
        line(
            a.brand, action="__custom", custom_action="free_gift", label="Free gift", unit="items"
        ),
    )
    assert r.status_code == 302
    assert Policy.objects.get(brand=a.brand, action="free_gift").label == "Free gift"
    assert "Free gift" in client.get(SETTINGS).content.decode()
    r = client.post(
        SETTINGS,
        line(
            a.brand, policy=a.refund.pk, action="refund", unit="money", limit="75", currency="eur"
        ),
    )
    assert r.status_code == 302
    a.refund.refresh_from_db()
    assert (a.refund.limit, a.refund.currency) == (Decimal(75), "EUR")
    r = client.post(SETTINGS, {"brand": a.brand.pk, "op": "delete", "policy": a.refund.pk})
    assert r.status_code == 302
    assert not Policy.objects.filter(pk=a.refund.pk).exists()
    # the approval deadline
    r = client.post(SETTINGS, {"brand": a.brand.pk, "op": "sla", "approval_sla_minutes": "45"})
    assert r.status_code == 302
    assert PolicySettings.objects.get(brand=a.brand).approval_sla_minutes == 45


def test_settings_errors_show_on_the_field(world: dict[str, Side]) -> None:
    a = world["a"]
    client = login(a.people[Role.ADMIN])
    r = client.post(SETTINGS, line(a.brand, limit="lots"))
    html = r.content.decode()
    assert r.status_code == 422
    assert 'id="line-new-limit"' in html
    assert 'id="line-new-error" data-field="limit"' in html
    assert 'value="lots" aria-invalid="true"' in html  # what was typed stays
    r = client.post(SETTINGS, {"brand": a.brand.pk, "op": "sla", "approval_sla_minutes": "soon"})
    assert r.status_code == 422 and 'id="p-sla-error" data-field="approval_sla_minutes"' in (
        r.content.decode()
    )


def test_settings_wall_the_other_brand(world: dict[str, Side]) -> None:
    a, b = world["a"], world["b"]
    client = login(a.people[Role.ADMIN])
    assert client.get(SETTINGS, {"brand": b.brand.pk}).status_code == 403
    assert client.post(SETTINGS, line(b.brand)).status_code == 403
    # the other brand's line through one's own brand: not found, untouched
    r = client.post(SETTINGS, {"brand": a.brand.pk, "op": "delete", "policy": b.refund.pk})
    assert r.status_code == 404
    r = client.post(SETTINGS, line(a.brand, policy=b.refund.pk, limit="1", unit="money"))
    assert r.status_code == 404
    assert Policy.objects.filter(pk=b.refund.pk, limit=Decimal(50)).exists()
    assert not Policy.objects.filter(brand=b.brand, action="replacement").exists()


def test_settings_brand_picker_for_admins_of_several_brands(
    world: dict[str, Side], make_agent: Callable[..., Agent]
) -> None:
    both = make_agent(Role.ADMIN, brands=[world["a"].brand, world["b"].brand])
    html = login(both).get(SETTINGS, {"brand": world["b"].brand.pk}).content.decode()
    assert 'id="p-brand"' in html and f'data-line="{world["b"].refund.pk}"' in html


# --- the Grant panel ----------------------------------------------------------------------------


def grants_url(c: Conversation) -> str:
    return f"/policies/conversations/{c.pk}/grants/"


@pytest.mark.parametrize("role", ROLES)
def test_panel_shows_grants_and_choices(world: dict[str, Side], role: str) -> None:
    a, b = world["a"], world["b"]
    client = login(a.people[role])
    r = client.get(grants_url(a.conversation))
    html = r.content.decode()
    assert r.status_code == 200
    assert "waiting for approval" in html and "why a" in html and "why b" not in html
    assert 'value="refund"' in html
    if role == Role.AGENT:
        assert "up to 50 EUR" in html  # the line that applies to an agent
    # the other brand's conversation
    assert client.get(grants_url(b.conversation)).status_code == 403
    r = client.post(
        grants_url(b.conversation),
        {"action": "refund", "amount": "5", "currency": "EUR", "reason": "x"},
    )
    assert r.status_code == 403
    assert not Grant.objects.filter(conversation=b.conversation, amount=5).exists()
    assert client.get("/policies/conversations/999999/grants/").status_code == 404


def test_panel_grants_within_the_limit_and_asks_above(world: dict[str, Side]) -> None:
    a = world["a"]
    client = login(a.people[Role.AGENT])
    hx = {"HTTP_HX_REQUEST": "true"}
    body = {"action": "refund", "amount": "40", "currency": "EUR", "reason": "damaged parcel"}
    r = client.post(grants_url(a.conversation), body, **hx)
    assert r.status_code == 200
    assert 'id="grant-said">Granted<' in r.content.decode()
    assert Grant.objects.get(conversation=a.conversation, amount=40).status == "granted"
    r = client.post(grants_url(a.conversation), body | {"amount": "120"}, **hx)
    assert 'id="grant-said">Sent for approval<' in r.content.decode()
    assert Grant.objects.get(conversation=a.conversation, amount=120).status == "pending_approval"
    # without htmx: back to the conversation
    r = client.post(grants_url(a.conversation), body | {"amount": "10"})
    assert r.status_code == 302 and r["Location"].endswith(f"/{a.conversation.pk}/")


def test_panel_refusal_names_the_field(world: dict[str, Side]) -> None:
    a = world["a"]
    client = login(a.people[Role.AGENT])
    r = client.post(
        grants_url(a.conversation),
        {"action": "refund", "amount": "much", "currency": "EUR", "reason": "x"},
        HTTP_HX_REQUEST="true",
    )
    html = r.content.decode()
    assert r.status_code == 422
    assert 'data-field="amount"' in html and 'id="grant-menu" open' in html
    assert 'value="much" aria-invalid="true"' in html


def test_panel_list_part_costs_the_same_for_5_and_20(
    world: dict[str, Side], django_assert_max_num_queries: Any
) -> None:
    a = world["a"]
    client = login(a.people[Role.AGENT])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(grants_url(a.conversation), {"part": "list"}).status_code == 200
        return len(ctx.captured_queries)

    for _i in range(4):
        _pending(a.brand, a.conversation, a.people[Role.AGENT], Decimal(99))
    five = count()
    for _i in range(30):
        _pending(a.brand, a.conversation, a.people[Role.AGENT], Decimal(99))
    assert count() == five


# --- approvals: the page, the decision, the board tile ------------------------------------------

APPROVALS = "/policies/approvals/"


def decide_url(ap: Approval) -> str:
    return f"/policies/approvals/{ap.pk}/decide/"


def test_approvals_refuse_agents(world: dict[str, Side]) -> None:
    a = world["a"]
    client = login(a.people[Role.AGENT])
    assert client.get(APPROVALS).status_code == 403
    assert client.post(decide_url(a.approval), {"decision": "approve"}).status_code == 403
    a.approval.refresh_from_db()
    assert a.approval.status == "pending"


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
def test_approvals_page_and_decisions(world: dict[str, Side], role: str) -> None:
    a, b = world["a"], world["b"]
    client = login(a.people[role])
    html = client.get(APPROVALS).content.decode()
    assert f'data-approval-id="{a.approval.pk}"' in html
    assert f'data-approval-id="{b.approval.pk}"' not in html
    assert "above the agent&#x27;s limit" in html or "above the agent's limit" in html
    # the other brand's approval: not found, still pending
    r = client.post(decide_url(b.approval), {"decision": "approve"})
    assert r.status_code == 404
    b.approval.refresh_from_db()
    assert b.approval.status == "pending"
    # a bad decision names the field and changes nothing
    r = client.post(decide_url(a.approval), {"decision": "maybe"})
    assert r.status_code == 302
    a.approval.refresh_from_db()
    assert a.approval.status == "pending"
    r = client.post(decide_url(a.approval), {"decision": "decline", "note": "too much"})
    assert r.status_code == 302 and r["Location"] == APPROVALS
    a.approval.refresh_from_db()
    assert (a.approval.status, a.approval.note) == ("declined", "too much")
    html = client.get(APPROVALS).content.decode()
    assert "too much" in html.split('id="approvals-decided"')[1]


def test_approvals_page_marks_overdue(world: dict[str, Side]) -> None:
    a = world["a"]
    Approval.objects.filter(pk=a.approval.pk).update(
        due_at=timezone.now() - timezone.timedelta(minutes=5)
    )
    html = login(a.people[Role.SUPERVISOR]).get(APPROVALS).content.decode()
    assert f'class="approval overdue" data-approval-id="{a.approval.pk}"' in html


def test_approvals_page_query_count_5_vs_50(world: dict[str, Side]) -> None:
    a = world["a"]
    client = login(a.people[Role.SUPERVISOR])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(APPROVALS).status_code == 200
        return len(ctx.captured_queries)

    for _i in range(4):
        _pending(a.brand, a.conversation, a.people[Role.AGENT], Decimal(70))
    five = count()
    for i in range(45):
        ap = _pending(a.brand, a.conversation, a.people[Role.AGENT], Decimal(70))
        if i % 2:
            Approval.objects.filter(pk=ap.pk).update(
                status="approved", decided_by=a.people[Role.SUPERVISOR]
            )
    assert count() == five


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
def test_board_tile_decides_from_the_board(world: dict[str, Side], role: str) -> None:
    a, b = world["a"], world["b"]
    client = login(a.people[role])
    html = client.get("/supervisor/").content.decode()
    assert 'data-tile="approvals"' in html
    tile = html.split('data-tile="approvals"')[1].split('class="board-tile"')[0]
    assert f'data-approval-id="{a.approval.pk}"' in tile
    assert f'data-approval-id="{b.approval.pk}"' not in tile
    assert 'data-count="approvals">1<' in tile
    r = client.post(decide_url(a.approval), {"decision": "approve", "next": "board"})
    assert r.status_code == 302 and r["Location"] == "/supervisor/"
    a.approval.refresh_from_db()
    assert a.approval.status == "approved"
    a.approval.grant.refresh_from_db()
    assert a.approval.grant.status == "granted"


def test_board_tile_query_count_5_vs_50(world: dict[str, Side]) -> None:
    from django.test import RequestFactory

    from wowdesk.policies.grant_pages import tile_context

    a = world["a"]
    boss = a.people[Role.SUPERVISOR]

    def count() -> int:
        request = RequestFactory().get("/supervisor/")
        request.agent = Agent.objects.get(pk=boss.pk)  # type: ignore[attr-defined]
        with CaptureQueriesContext(connection) as ctx:
            ctx_ = tile_context(request)
            assert ctx_ is not None
            [(r["grant"].conversation.number, r["a"].requested_by) for r in ctx_["rows"]]
        return len(ctx.captured_queries)

    for _i in range(4):
        _pending(a.brand, a.conversation, a.people[Role.AGENT], Decimal(70))
    five = count()
    for _i in range(45):
        _pending(a.brand, a.conversation, a.people[Role.AGENT], Decimal(70))
    assert count() == five


def test_board_has_no_tile_for_agents(world: dict[str, Side]) -> None:
    from django.test import RequestFactory

    from wowdesk.policies.grant_pages import tile_context

    request = RequestFactory().get("/supervisor/")
    request.agent = world["a"].people[Role.AGENT]  # type: ignore[attr-defined]
    assert tile_context(request) is None


# --- costs --------------------------------------------------------------------------------------

COSTS = "/policies/costs/"


def test_costs_refuse_agents(world: dict[str, Side]) -> None:
    client = login(world["a"].people[Role.AGENT])
    assert client.get(COSTS).status_code == 403
    assert client.get(COSTS, {"format": "csv"}).status_code == 403


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
def test_costs_page_chart_table_and_csv(world: dict[str, Side], role: str) -> None:
    a, b = world["a"], world["b"]
    for side, amount in ((a, "30.00"), (b, "77.00")):
        Grant.objects.create(
            brand=side.brand,
            conversation=side.conversation,
            agent=side.people[Role.AGENT],
            action="refund",
            amount=Decimal(amount),
            currency="EUR",
            reason="damaged",
        )
    client = login(a.people[role])
    r = client.get(COSTS, {"group_by": "action"})
    html = r.content.decode()
    assert r.status_code == 200
    assert 'id="cost-chart"' in html and 'data-chart="cost-chart"' in html
    table = html.split('id="cost-table"')[1]
    assert "30" in table and "77" not in table
    csv = client.get(COSTS, {"group_by": "reason", "format": "csv"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode()
    assert text.splitlines()[0].startswith("month,reason,currency,total")
    assert "damaged" in text and "77" not in text
    # the other brand: refused
    assert client.get(COSTS, {"brand": b.brand.pk}).status_code == 403


def test_costs_bad_input_names_the_field(world: dict[str, Side]) -> None:
    client = login(world["a"].people[Role.SUPERVISOR])
    r = client.get(COSTS, {"from": "yesterday"})
    assert r.status_code == 422 and 'data-field="from"' in r.content.decode()
    r = client.get(COSTS, {"group_by": "mood"})
    assert r.status_code == 422 and 'data-field="group_by"' in r.content.decode()


# --- in Chinese ---------------------------------------------------------------------------------


def test_pages_have_no_english_left_in_chinese(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    from django.conf import settings as django_settings

    from tests.test_i18n import visible_english

    agent = make_agent(Role.AGENT, name="王芳")
    admin = make_agent(Role.ADMIN, name="张伟")
    conversation = quick_conversation(brand, subject="包裹压坏了", name="陈静")
    Policy.objects.create(
        brand=brand,
        action="refund",
        role=Role.AGENT,
        limit=Decimal(50),
        currency="EUR",
        monthly_budget=Decimal(500),
    )
    Policy.objects.create(
        brand=brand, action="onsite_repair", role=Role.AGENT, unit="hours", limit=Decimal(48)
    )
    ap = _pending(brand, conversation, agent, Decimal(80), reason="压坏两次")
    Approval.objects.filter(pk=ap.pk).update(due_at=timezone.now() - timezone.timedelta(hours=1))
    Grant.objects.create(
        brand=brand,
        conversation=conversation,
        agent=agent,
        action="refund",
        amount=Decimal(20),
        currency="EUR",
        reason="迟到",
    )
    pages = {
        "settings": (admin, SETTINGS),
        "approvals": (admin, APPROVALS),
        "board": (admin, "/supervisor/"),
        "costs": (admin, COSTS + "?group_by=reason"),
        "panel": (agent, grants_url(conversation)),
    }
    for name, (who, url) in pages.items():
        client = login(who)
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
        r = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert r.status_code == 200, name
        html = r.content.decode()
        if name == "board":
            html = html.split('data-tile="approvals">')[1].split('<div class="board-tile"')[0]
        elif name != "panel":
            html = html.split('<main id="main"')[1].split(">", 1)[1].split("</main>")[0]
        left = visible_english(html) - {"EUR"}
        assert not left, (name, left)


def withdraw_url(c: Conversation, g: Grant) -> str:
    return f"/policies/conversations/{c.pk}/grants/{g.pk}/withdraw/"


def test_the_requester_withdraws_a_pending_grant(
    world: dict[str, Side], make_agent: Callable[..., Agent]
) -> None:
    a, b = world["a"], world["b"]
    grant = a.approval.grant
    requester = login(a.people[Role.AGENT])
    html = requester.get(grants_url(a.conversation)).content.decode()
    assert withdraw_url(a.conversation, grant) in html
    # a colleague of the brand does not see the button and may not withdraw it
    colleague = login(make_agent(Role.AGENT, brands=[a.brand]))
    assert withdraw_url(a.conversation, grant) not in (
        colleague.get(grants_url(a.conversation)).content.decode()
    )
    assert colleague.post(withdraw_url(a.conversation, grant)).status_code == 403
    # the other brand's grant through one's own conversation, and the other conversation
    assert requester.post(withdraw_url(a.conversation, b.approval.grant)).status_code == 404
    assert requester.post(withdraw_url(b.conversation, b.approval.grant)).status_code == 403
    grant.refresh_from_db()
    assert grant.status == "pending_approval"
    r = requester.post(
        withdraw_url(a.conversation, grant), {"op": "withdraw"}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200 and 'id="grant-said">Withdrawn<' in r.content.decode()
    grant.refresh_from_db()
    assert grant.status == "cancelled"
    assert "withdrawn" in r.content.decode().split('id="grant-list"')[1]
    # twice: refused, named
    r = requester.post(
        withdraw_url(a.conversation, grant), {"op": "withdraw"}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 409 and 'id="grant-error" data-field="status"' in r.content.decode()
