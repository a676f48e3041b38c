"""A customer with something in every app that keeps customer data (the privacy tests)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone

from tests.factories import make_reply, post_inbound
from wowdesk.analytics.models import Topic, TopicMember
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Attachment, Conversation, Message
from wowdesk.core import alerts
from wowdesk.core.models import Agent, Brand
from wowdesk.customers import services as customers
from wowdesk.customers.models import Customer
from wowdesk.knowledge.models import BotSession
from wowdesk.notifications.models import Notification
from wowdesk.policies.models import AbuseReport, Approval, Grant
from wowdesk.surveys.models import FollowUp, Survey, SurveyResponse, SurveyStatus
from wowdesk.training.models import Scenario
from wowdesk.webhooks import services as webhooks

NAME = "Zephyrine Quillfeather"
EMAIL = "zephyrine.quill@example.org"
PHONE = "+4915178901234"
PHRASE = "marmalade teapot exploded"
SERIAL = "SN-ZQ-778899"


@dataclass
class World:
    brand: Brand
    customer: Customer
    conversations: list[Conversation]
    attachment_files: list[str] = field(default_factory=list)

    @property
    def needles(self) -> list[str]:
        return [NAME, "Zephyrine", EMAIL, PHONE, "15178901234", PHRASE, SERIAL]


def build(brand: Brand, agent: Agent, *, commits: Any) -> World:
    """An email conversation with an attachment, a chat conversation, a survey with a
    comment, a follow-up, a grant with an approval, an abuse report, a bot session, a
    webhook delivery, a notification, an alert, a topic quote, a scenario, a purchase and
    audit rows naming the customer."""
    webhooks.create_webhook(
        brand_id=brand.pk,
        url="https://hooks.example.com/in",
        events=["message.created", "customer.updated"],
        actor=None,
    )
    with commits():
        first = post_inbound(
            brand,
            channel="email",
            **{
                "from": {"name": NAME, "email": EMAIL, "phone": PHONE},
                "subject": f"Broken kettle for {NAME}",
                "body": f"Hello, my {PHRASE} yesterday. Call me on {PHONE}. {NAME}",
                "html": f"<p>Hello, my {PHRASE} yesterday.</p><p>{NAME}, {EMAIL}</p>",
                "meta": {"email": {"from": EMAIL, "reply_to": EMAIL}},
            },
        )
        second = post_inbound(
            brand,
            channel="chat",
            **{
                "from": {"name": NAME, "email": EMAIL},
                "body": f"Chat again: the {PHRASE}, signed {NAME}",
            },
        )
    email_conv = Conversation.objects.get(pk=first.conversation_id)
    chat_conv = Conversation.objects.get(pk=second.conversation_id)
    customer = Customer.objects.get(pk=email_conv.customer_id)
    customers.update_customer(
        customer, actor=agent, notes=f"{NAME} prefers calls on {PHONE}", timezone="Europe/Berlin"
    )
    customers.add_purchase(
        customer,
        customers.PurchaseInput(
            product="Kettle", serial_number=SERIAL, order_ref="ORD-ZQ-1", amount=Decimal("49.90")
        ),
        actor=agent,
    )
    first_message = Message.objects.filter(conversation=email_conv, direction="in").first()
    assert first_message is not None
    attachment = conversations.add_attachment(
        first_message,
        filename=f"{NAME}.txt",
        content=f"receipt of {NAME}, {PHRASE}".encode(),
        content_type="text/plain",
    )
    make_reply(email_conv, agent, f"Dear {NAME}, sorry about the {PHRASE}.")
    now = timezone.now()
    survey = Survey.objects.create(
        brand_id=brand.pk,
        conversation=email_conv,
        customer=customer,
        kind="csat",
        status=SurveyStatus.ANSWERED,
        resolved_at=now - dt.timedelta(hours=1),
        scheduled_for=now,
        sent_at=now,
        answered_at=now,
        channel="email",
    )
    response = SurveyResponse.objects.create(
        survey=survey,
        brand_id=brand.pk,
        kind="csat",
        score=2,
        comment=f"The {PHRASE} and nobody called {NAME}",
        conversation=email_conv,
        customer=customer,
        channel="email",
        answered_at=now,
        updated_at=now,
    )
    Survey.objects.create(
        brand_id=brand.pk,
        conversation=chat_conv,
        customer=customer,
        kind="nps",
        status=SurveyStatus.SENT,
        resolved_at=now,
        scheduled_for=now,
        sent_at=now,
        expires_at=now + dt.timedelta(days=7),
        channel="chat",
    )
    FollowUp.objects.create(
        brand_id=brand.pk,
        kind="detractor",
        conversation=email_conv,
        customer=customer,
        response=response,
        reason=f"Call {NAME} back on {PHONE}",
        details={"quote": PHRASE},
        due_at=now,
    )
    grant = Grant.objects.create(
        brand_id=brand.pk,
        conversation=email_conv,
        customer=customer,
        agent=agent,
        action="refund",
        amount=Decimal("25.00"),
        currency="EUR",
        reason=f"{NAME}'s {PHRASE}",
        details={"note": f"send to {EMAIL}"},
        status="pending_approval",
    )
    Approval.objects.create(brand_id=brand.pk, grant=grant, requested_by=agent, note=NAME)
    AbuseReport.objects.create(
        brand_id=brand.pk,
        customer=customer,
        conversation=email_conv,
        message_ids=[first_message.pk],
        reported_by=agent,
        note=f"{NAME} shouted about the {PHRASE}",
    )
    BotSession.objects.create(
        brand_id=brand.pk,
        conversation=chat_conv,
        language="en",
        outcome="handed_over",
        summary=f"{NAME} asked about the {PHRASE}",
        tried=[{"query": PHRASE}],
    )
    Notification.objects.create(
        agent=agent,
        brand_id=brand.pk,
        kind="assigned",
        conversation=email_conv,
        params={"customer": NAME, "subject": email_conv.subject},
        created_at=now,
        updated_at=now,
    )
    alerts.create(
        brand.pk,
        "mood_drop",
        f"{NAME} is upset",
        conversation_id=email_conv.pk,
        data={"name": NAME},
    )
    topic = Topic.objects.create(
        brand_id=brand.pk,
        label="kettles",
        example=f"my {PHRASE}",
        example_conversation=email_conv,
    )
    TopicMember.objects.create(
        topic=topic,
        brand_id=brand.pk,
        kind="message",
        conversation=email_conv,
        customer=customer,
        text=f"my {PHRASE}",
        at=now,
    )
    Scenario.objects.create(
        brand_id=brand.pk,
        title="Kettle",
        source="conversation",
        source_conversation=email_conv,
        opening="My kettle broke",
    )
    return World(
        brand=brand,
        customer=customer,
        conversations=[email_conv, chat_conv],
        attachment_files=[attachment.file.name],
    )


def scan(needles: list[str]) -> list[str]:
    """Every text and JSON column of every wowdesk model, searched for each needle
    (ignoring case): where each one was found."""
    found: list[str] = []
    lowered = [n.lower() for n in needles]
    for model in apps.get_models():
        if not model.__module__.startswith("wowdesk."):
            continue
        columns = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        ]
        if not columns:
            continue
        for row in model._default_manager.all().values("pk", *columns).iterator():
            for column in columns:
                value = row[column]
                if value in (None, "", {}, []):
                    continue
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                low = text.lower()
                for needle in lowered:
                    if needle in low:
                        found.append(f"{model._meta.label}#{row['pk']}.{column} has {needle!r}")
    return found


def attachments_of(world: World) -> int:
    return Attachment.objects.filter(message__conversation__in=world.conversations).count()
