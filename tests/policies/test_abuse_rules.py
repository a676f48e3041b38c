"""What a restriction does: a warning sent once in the customer's language; a restricted
customer's message on another channel and every message of a blocked one is stored,
answered by the courteous template (once per conversation per day) and never routed, even
with an agent online with free capacity; lifting routes the next message as usual."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.factories import make_conversation, post_inbound, quick_conversation
from tests.policies.helpers import abusive, customer_messages
from wowdesk.conversations.models import Conversation, Direction, Message
from wowdesk.core.models import Agent, Brand, Presence, Role
from wowdesk.customers import services as customers
from wowdesk.customers.models import Customer
from wowdesk.policies import abuse_services
from wowdesk.policies.models import AbuseReport, AbuseStatus
from wowdesk.routing import services as routing

pytestmark = pytest.mark.django_db


@pytest.fixture
def commits(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """Run after-commit listeners (routing, the templates) as a real request would."""

    @contextmanager
    def run() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return run


@pytest.fixture
def boss(make_agent: Callable[..., Agent]) -> Agent:
    return make_agent(Role.SUPERVISOR)


@pytest.fixture
def online(make_agent: Callable[..., Agent]) -> Agent:
    """An agent online with free capacity, who takes routed work in English."""
    a = make_agent(Role.AGENT, languages=("en", "de"))
    routing.set_presence(a, Presence.ONLINE, actor=a)
    return a


def templates(conversation: Conversation) -> list[Message]:
    return list(
        Message.objects.filter(
            conversation=conversation, direction=Direction.OUT, meta__system="abuse"
        ).order_by("id")
    )


def write(customer: Customer, body: str, **over: Any) -> Conversation:
    email = customer.identities.get(kind="email").value
    result = post_inbound(
        Brand.objects.get(pk=customer.brand_id),
        **{"from": {"name": customer.name, "email": email}, "body": body, **over},
    )
    return Conversation.objects.get(pk=result.conversation_id)


def test_an_ordinary_message_is_routed(brand: Brand, online: Agent, commits: Any) -> None:
    with commits():
        conversation = make_conversation(brand, body="Hello, my order is late.")
    conversation.refresh_from_db()
    assert conversation.assignee_id == online.pk


def test_a_blocked_customers_message_is_stored_answered_and_never_routed(
    brand: Brand, boss: Agent, online: Agent, commits: Any
) -> None:
    conversation = abusive(brand)  # nobody routed it: no commit ran
    customer = conversation.customer
    abuse_services.restrict(boss, customer, level="blocked", reason="Threats to staff")
    with commits():
        again = write(customer, "I will find you all.")
        write(customer, "Answer me!")
    assert again.pk == conversation.pk
    again.refresh_from_db()
    bodies = list(
        Message.objects.filter(conversation=again, direction=Direction.IN).values_list(
            "body", flat=True
        )
    )
    assert "I will find you all." in bodies and "Answer me!" in bodies  # stored
    sent = templates(again)
    assert len(sent) == 1  # once per conversation per day, never a loop
    assert "no longer able to assist you" in sent[0].body and brand.name in sent[0].body
    assert sent[0].outbox.channel == again.inbox.channel  # type: ignore[attr-defined]
    assert again.assignee_id is None  # an agent online with free capacity: not routed
    with commits():
        routing.tick()  # the queue served every 30 s skips it too
        routing.route(again)
    again.refresh_from_db()
    assert again.assignee_id is None
    # a supervisor lifts it: the next message is routed as any other
    abuse_services.lift(boss, Customer.objects.get(pk=customer.pk), reason="Apologised")
    with commits():
        write(customer, "Sorry about before. Where is my order?")
    again.refresh_from_db()
    assert again.assignee_id == online.pk
    assert len(templates(again)) == 1


def test_a_restricted_customer_is_pointed_to_the_allowed_channel(
    brand: Brand, boss: Agent, online: Agent, commits: Any
) -> None:
    conversation = abusive(brand)
    customer = conversation.customer
    abuse_services.restrict(
        boss, customer, level="restricted", reason="Abuse on the phone", channel="email"
    )
    with commits():
        write(customer, "Why does nobody answer here?")
    conversation.refresh_from_db()
    sent = templates(conversation)
    assert len(sent) == 1 and "through email" in sent[0].body
    assert conversation.assignee_id is None
    # on the allowed channel their message is routed
    with commits():
        by_mail = quick_conversation(
            brand, channel="email", email=customer.identities.get(kind="email").value
        )
    by_mail.refresh_from_db()
    assert by_mail.customer_id == customer.pk and by_mail.inbox.channel == "email"
    assert by_mail.assignee_id == online.pk
    assert templates(by_mail) == []


def test_a_warning_is_sent_once_in_the_customers_language(
    brand: Brand, boss: Agent, online: Agent, commits: Any
) -> None:
    conversation = abusive(brand)
    customer = customers.update_customer(conversation.customer, actor=None, language="de")
    report = abuse_services.report_abuse(
        online,
        customer,
        conversation_id=conversation.pk,
        message_ids=customer_messages(conversation),
        note="Rude",
    )
    abuse_services.decide_report(boss, report, decision="warned", reason="Insults")
    report.refresh_from_db()
    assert report.status == AbuseStatus.DECIDED and report.decided_by_id == boss.pk
    sent = templates(conversation)
    assert len(sent) == 1 and sent[0].body.startswith("Guten Tag") and sent[0].language == "de"
    activity = Message.objects.filter(
        conversation=conversation, direction=Direction.ACTIVITY, meta__abuse="warned"
    )
    assert activity.count() == 1 and "Insults" in activity.get().body
    abuse_services.restrict(boss, customer, level="warned", reason="Still rude")
    assert len(templates(conversation)) == 1  # already warned: not again
    with commits():  # a warned customer is still routed
        write(customer, "Fine. Where is my parcel?")
    conversation.refresh_from_db()
    assert conversation.assignee_id == online.pk


def test_a_brands_own_wording_comes_first(brand: Brand, boss: Agent, commits: Any) -> None:
    from wowdesk.policies.models import PolicySettings

    PolicySettings.objects.create(  # the grants part's service writes these in the app
        brand=brand, abuse_templates={"blocked": {"en": "{brand} cannot help you any more."}}
    )
    conversation = abusive(brand)
    abuse_services.restrict(boss, conversation.customer, level="blocked", reason="Threats")
    with commits():
        write(conversation.customer, "Hello?")
    assert [m.body for m in templates(conversation)] == ["Acme cannot help you any more."]


def test_the_right_to_be_forgotten_deletes_the_reports(
    brand: Brand, boss: Agent, online: Agent
) -> None:
    from wowdesk.core.events import Event, emit

    conversation = abusive(brand)
    report = abuse_services.report_abuse(
        online,
        conversation.customer,
        conversation_id=conversation.pk,
        message_ids=customer_messages(conversation),
        note="Called me names",
    )
    emit(Event.CUSTOMER_ERASING, customer_id=conversation.customer_id, brand_id=brand.pk)
    # they judge a person and quote their messages: they go with the customer's data
    assert not AbuseReport.objects.filter(pk=report.pk).exists()


def test_blocking_takes_open_conversations_from_their_agents(
    brand: Brand, boss: Agent, online: Agent, commits: Any
) -> None:
    with commits():
        conversation = abusive(brand)
    conversation.refresh_from_db()
    assert conversation.assignee_id == online.pk
    with commits():
        abuse_services.restrict(boss, conversation.customer, level="blocked", reason="Threats")
        write(conversation.customer, "Still here?")
    conversation.refresh_from_db()
    assert conversation.assignee_id is None
    assert Message.objects.filter(
        conversation=conversation, direction=Direction.ACTIVITY, body__contains="no agent works"
    ).exists()
