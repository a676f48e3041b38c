"""Every public event, each caused by a real action (the API, the scorer, the SLA sweep,
the customer's survey page), reaches a webhook receiver on 127.0.0.1, signed; another
brand's webhook hears nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import time_machine
from django.test import Client

from tests.conftest import ApiClient, inbound
from tests.factories import outbox_of
from tests.surveys.answer_helpers import link, sent_survey
from tests.webhooks.conftest import Receiver
from wowdesk.channels import outbox
from wowdesk.conversations.models import Conversation, Message
from wowdesk.core.events import PUBLIC
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.intelligence import services as intelligence
from wowdesk.routing import sla
from wowdesk.surveys.models import FollowUp
from wowdesk.webhooks import services

pytestmark = pytest.mark.django_db

T = dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def commits(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    @contextmanager
    def run() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return run


def signed(secret: str, request: Any) -> bool:
    stamp = request.headers["X-Wowdesk-Timestamp"]
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + request.raw, hashlib.sha256)
    return hmac.compare_digest(request.headers["X-Wowdesk-Signature"], f"sha256={mac.hexdigest()}")


def test_every_public_event_from_real_actions_reaches_the_receiver_signed(
    admin_api: ApiClient,
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
    receiver: Receiver,
    commits: Callable[[], Any],
) -> None:
    everything = [e.value for e in PUBLIC]
    hook = admin_api.post("/webhooks", {"url": receiver.url, "events": everything}).json()
    other_admin = make_api(make_agent(Role.ADMIN, brands=[other_brand]))
    theirs = other_admin.post("/webhooks", {"url": receiver.url + "/theirs", "events": everything})
    assert theirs.status_code == 201, theirs.content
    policy = admin_api.post(
        "/sla-policies",
        {
            "name": "Fast",
            "first_response_minutes": 60,
            "next_response_minutes": 120,
            "resolution_minutes": 480,
            "business_hours": False,
            "warn_at": 0.75,
        },
    )
    assert policy.status_code == 201, policy.content

    # a customer writes (customer.created, conversation.created, message.created)
    with time_machine.travel(T, tick=False), commits():
        first = admin_api.post(
            "/inbound",
            inbound("real-1", body="I am furious: my order never came and nobody answers!"),
        )
    assert first.status_code == 202, first.content
    conversation_id = first.json()["conversation_id"]
    customer_id = Conversation.objects.get(pk=conversation_id).customer_id
    with time_machine.travel(T + dt.timedelta(minutes=1), tick=False), commits():
        second = admin_api.post(
            "/inbound",
            inbound("real-2", **{"from": {"name": "Ana L.", "email": "ana.other@example.com"}}),
        )
    second_customer = Conversation.objects.get(pk=second.json()["conversation_id"]).customer_id
    # the scorer reads the mood (message.annotated)
    with commits():
        assert intelligence.score_pending() >= 1
    # people change things (conversation.updated, customer.updated, customer.merged)
    with commits():
        patched = admin_api.patch(f"/conversations/{conversation_id}", {"priority": "high"})
        assert patched.status_code == 200, patched.content
    with commits():
        renamed = admin_api.patch(f"/customers/{customer_id}", {"name": "Ana Lima-Souza"})
        assert renamed.status_code == 200, renamed.content
    with commits():
        merged = admin_api.post(f"/customers/{customer_id}/merge", {"source_id": second_customer})
        assert merged.status_code == 200, merged.content
    # the SLA clock warns (sla.warning, alert.raised) and breaches (sla.breached)
    with commits():
        sla.check_due(T + dt.timedelta(minutes=50))
    with commits():
        sla.check_due(T + dt.timedelta(minutes=70))
    # an agent replies and the reply is delivered or not (message.delivery_changed)
    with commits():
        reply = admin_api.post(f"/conversations/{conversation_id}/replies", {"body": "On it"})
        assert reply.status_code == 201, reply.content
    with commits():
        outbox.deliver(outbox_of(Message.objects.get(pk=reply.json()["id"])).pk)
    # the customer answers the survey's link, one tap on the page (survey.answered)
    survey = sent_survey(Conversation.objects.get(pk=conversation_id), "nps", language="id")
    with commits():
        tapped = Client().get(link(survey) + "?score=3")
        assert tapped.status_code == 200, tapped.content
    # the NPS 3 opens a follow-up (followup.created); the administrator closes it with an
    # outcome (followup.updated)
    followup = FollowUp.objects.get(conversation_id=conversation_id)
    with commits():
        closed = admin_api.patch(
            f"/followups/{followup.pk}", {"status": "done", "outcome": "Called back"}
        )
        assert closed.status_code == 200, closed.content
    services.deliver_due()

    mine = [r for r in receiver.requests if not r.path.endswith("/theirs")]
    assert {r.headers["X-Wowdesk-Event"] for r in mine} == set(everything)
    assert all(signed(hook["secret"], r) for r in mine)
    assert all(r.json["brand_id"] == brand.pk for r in mine)
    assert [r for r in receiver.requests if r.path.endswith("/theirs")] == []
