"""``wowdesk demo`` on a small size: what it writes, that it is consistent, and that a
second run writes nothing."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.db.models import F
from django.test import Client
from django.utils import timezone
from rich.console import Console

from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Direction, Message, Status
from wowdesk.core.models import Agent, Brand, Role, Site
from wowdesk.customers.identity import normalize_phone
from wowdesk.customers.models import Customer, Identity, Purchase
from wowdesk.demo import catalog
from wowdesk.demo.seed import DemoReport, DemoSize, seed_demo

SIZE = DemoSize(customers=40, conversations=120)
DEMO_SLUGS = [b.slug for b in catalog.BRANDS]


def quiet() -> Console:
    return Console(file=io.StringIO(), width=120)


def all_counts() -> dict[str, int]:
    """Rows in every table Django knows, many-to-many tables included."""
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models(include_auto_created=True)
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[DemoReport]:
    """One small demo for the whole module, rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed_demo(SIZE, seed=3, console=quiet())
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded: DemoReport, db: None) -> DemoReport:
    return seeded


def demo_conversations() -> Any:
    return Conversation.objects.filter(brand__slug__in=DEMO_SLUGS)


def test_report_says_what_was_seeded(demo: DemoReport) -> None:
    assert demo.seeded == DEMO_SLUGS
    assert demo.skipped == []
    assert demo.counts["conversations_conversation"] == SIZE.conversations
    assert demo.counts["customers_customer"] == SIZE.customers


def test_two_brands_and_three_sites_in_three_time_zones(demo: DemoReport) -> None:
    assert sorted(Brand.objects.filter(slug__in=DEMO_SLUGS).values_list("slug", flat=True)) == [
        "acme",
        "globex",
    ]
    sites = Site.objects.filter(name__in=["Manila", "Berlin", "Toronto"])
    assert {s.timezone for s in sites} == {"Asia/Manila", "Europe/Berlin", "America/Toronto"}
    for site in sites:
        assert set(site.brands.values_list("slug", flat=True)) == set(DEMO_SLUGS)


def test_agents_have_roles_languages_sites_and_cover_every_language(demo: DemoReport) -> None:
    agents = list(Agent.objects.filter(brands__slug__in=DEMO_SLUGS).distinct())
    assert 18 <= len(agents) <= 24
    assert sum(a.role == Role.SUPERVISOR for a in agents) >= 2
    for slug in DEMO_SLUGS:
        admins = Agent.objects.filter(role=Role.ADMIN, brands__slug=slug)
        assert admins.count() == 1
        assert list(admins[0].brands.values_list("slug", flat=True)) == [slug]
        assert admins[0].user.is_staff and not admins[0].user.is_superuser
    for a in agents:
        assert a.languages and a.site is not None and a.timezone == a.site.timezone
        assert a.skills
    for brand in Brand.objects.filter(slug__in=DEMO_SLUGS):
        spoken = {
            lang
            for langs in Agent.objects.filter(brands=brand).values_list("languages", flat=True)
            for lang in langs
        }
        used = set(demo_conversations().filter(brand=brand).values_list("language", flat=True))
        assert used <= spoken


def test_conversations_in_at_least_eight_languages(demo: DemoReport) -> None:
    languages = set(demo_conversations().values_list("language", flat=True))
    assert len(languages) >= 8, languages
    mismatched = Message.objects.filter(
        conversation__brand__slug__in=DEMO_SLUGS, direction=Direction.IN
    ).exclude(language=F("conversation__language"))
    assert not mismatched.exists()


def test_every_conversation_starts_with_a_customer_message(demo: DemoReport) -> None:
    for c in demo_conversations().prefetch_related("messages"):
        messages = list(c.messages.all())
        assert messages, c.number
        assert messages[0].direction == Direction.IN
        assert messages[0].sender_id == c.customer_id
        assert messages[0].created_at == c.created_at
        assert messages[0].body.strip()


def test_numbers_are_unique_per_brand_and_the_sequence_continues(demo: DemoReport) -> None:
    for brand in Brand.objects.filter(slug__in=DEMO_SLUGS):
        numbers = list(
            Conversation.objects.filter(brand=brand)
            .order_by("number")
            .values_list("number", flat=True)
        )
        assert numbers == list(range(1, len(numbers) + 1))
        assert brand.conversation_seq == numbers[-1]
        # The next conversation made by the services takes the next number.
        inbox = conversations.default_inbox(brand.pk, "email")
        customer = Customer.objects.filter(brand=brand).first()
        assert customer is not None
        made = conversations.create_conversation(inbox=inbox, customer=customer)
        assert made.number == numbers[-1] + 1


def test_counters_and_status_agree_with_the_messages(demo: DemoReport) -> None:
    """Recomputed here from the messages, the way the services keep them: notes count,
    activities do not; a customer message starts the wait, a reply ends it."""
    for c in demo_conversations().prefetch_related("messages"):
        messages = list(c.messages.all())
        counted = [m for m in messages if m.direction != Direction.ACTIVITY]
        talk = [m for m in messages if m.direction in (Direction.IN, Direction.OUT)]
        replies = [m for m in talk if m.direction == Direction.OUT]
        assert c.message_count == len(counted), c.number
        assert c.first_response_at == (replies[0].created_at if replies else None)
        assert c.last_message_at == talk[-1].created_at
        assert c.updated_at == max(m.created_at for m in messages)
        after_last_reply = [
            m
            for m in talk
            if m.direction == Direction.IN
            and (not replies or m.created_at > replies[-1].created_at)
        ]
        if c.status == Status.RESOLVED:
            assert c.resolved_at is not None and c.waiting_since is None
            assert messages[-1].direction == Direction.ACTIVITY
        else:
            assert c.resolved_at is None
            expected = after_last_reply[0].created_at if after_last_reply else None
            assert c.waiting_since == expected, c.number
        if c.status == Status.OPEN:
            assert talk[-1].direction == Direction.IN
        if c.status == Status.PENDING:
            assert talk[-1].direction == Direction.OUT


def test_statuses_priorities_tags_and_teams_vary(demo: DemoReport) -> None:
    qs = demo_conversations()
    assert set(qs.values_list("status", flat=True)) == {"open", "pending", "resolved"}
    assert len(set(qs.values_list("priority", flat=True))) >= 3
    assert qs.filter(tags__isnull=False).distinct().count() == qs.count()
    assert qs.exclude(team=None).count() > qs.count() // 2
    assert qs.exclude(assignee=None).count() > qs.count() // 2
    for c in qs.exclude(assignee=None).select_related("assignee"):
        assert c.language in c.assignee.languages or "en" in c.assignee.languages


def test_history_spreads_over_a_year_with_replies_after_messages(demo: DemoReport) -> None:
    now = timezone.now()
    qs = demo_conversations()
    oldest = min(qs.values_list("created_at", flat=True))
    newest = max(Message.objects.values_list("created_at", flat=True))
    assert now - dt.timedelta(days=367) < oldest < now - dt.timedelta(days=180)
    assert newest <= now
    for c in qs.exclude(first_response_at=None):
        assert c.first_response_at > c.created_at
    frt = [
        (c.first_response_at - c.created_at).total_seconds()
        for c in qs.filter(inbox__channel="chat").exclude(first_response_at=None)
    ]
    email = [
        (c.first_response_at - c.created_at).total_seconds()
        for c in qs.filter(inbox__channel="email").exclude(first_response_at=None)
    ]
    # Chats are answered in minutes, emails in hours.
    assert sorted(frt)[len(frt) // 2] < 600 < sorted(email)[len(email) // 2]


def test_customers_have_identities_organizations_and_warranties(demo: DemoReport) -> None:
    identities = Identity.objects.filter(brand__slug__in=DEMO_SLUGS)
    assert set(identities.values_list("kind", flat=True)) == {"email", "phone", "chat", "social"}
    for phone in identities.filter(kind="phone").values_list("value", flat=True):
        assert phone.startswith("+") and normalize_phone(phone) == phone
    customers = Customer.objects.filter(brand__slug__in=DEMO_SLUGS)
    assert customers.exclude(organization=None).exists()
    assert all(c.language and c.timezone for c in customers)
    today = timezone.now().date()
    purchases = Purchase.objects.filter(brand__slug__in=DEMO_SLUGS)
    assert purchases.count() >= SIZE.customers
    assert purchases.filter(
        warranty_until__gte=today, warranty_until__lte=today + dt.timedelta(days=30)
    ).exists()
    assert purchases.filter(warranty_until__lt=today).exists()
    for p in purchases:
        assert p.purchased_on is not None and p.warranty_until is not None
        assert p.purchased_on < p.warranty_until


def test_no_placeholder_or_lorem_in_the_text(demo: DemoReport) -> None:
    bodies = Message.objects.filter(conversation__brand__slug__in=DEMO_SLUGS).values_list(
        "body", flat=True
    )
    for body in bodies:
        assert not re.search(r"\{\{|\{[a-z_]+\}", body), body
        assert "lorem" not in body.lower()


def test_a_second_run_writes_nothing(demo: DemoReport) -> None:
    before = all_counts()
    out = io.StringIO()
    report = seed_demo(SIZE, seed=3, console=Console(file=out, width=120))
    assert report.seeded == [] and report.skipped == DEMO_SLUGS
    assert all_counts() == before
    assert "already seeded" in out.getvalue()
    assert "admin@acme.demo" in out.getvalue()


def test_the_admin_of_each_brand_can_log_in_to_the_settings(demo: DemoReport) -> None:
    logins = {login.email for login in demo.logins}
    for spec in catalog.BRANDS:
        assert spec.admin_email in logins
        client = Client()
        assert client.login(username=spec.admin_email, password=catalog.DEMO_PASSWORD)
        for page in ("/settings/", "/settings/agents/", "/settings/sites/", "/settings/sla/"):
            assert client.get(page).status_code == 200, page
        # the Django admin is a superuser's
        assert client.get("/admin/").status_code == 302


def test_the_demo_prints_a_working_login_for_every_role(demo: DemoReport) -> None:
    roles = {login.role for login in demo.logins}
    assert roles == {"agent", "supervisor", "admin"}
    for role in sorted(roles):
        login = next(x for x in demo.logins if x.role == role)
        assert login.password == catalog.DEMO_PASSWORD
        client = Client()
        response = client.post("/login/", {"username": login.email, "password": login.password})
        assert response.status_code == 302, (role, login.email)
        assert client.get("/inbox/").status_code == 200


def test_demo_agents_are_offline_until_they_sign_in(demo: DemoReport) -> None:
    from wowdesk.core.models import Agent, Presence

    agents = Agent.objects.filter(brands__slug__in=DEMO_SLUGS).distinct()
    assert agents.exists()
    assert set(agents.values_list("presence", flat=True)) == {Presence.OFFLINE}
