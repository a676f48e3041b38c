"""Surveys go out on the conversation's channel, in the customer's language, in one
message per resolution that changes nothing else of the conversation."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from tests.channels.email.conftest import Sink
from tests.factories import quick_conversation
from tests.surveys.helpers import (
    HOUR,
    Commits,
    phone_only_conversation,
    resolve,
    resolved,
    surveys_of,
)
from wowdesk.channels import outbox
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Message, OutboxMessage, OutboxStatus
from wowdesk.core.models import Agent, Brand
from wowdesk.routing import services as routing
from wowdesk.routing.models import ConversationSla
from wowdesk.surveys import services
from wowdesk.surveys.models import Survey
from wowdesk.surveys.tokens import read_token

pytestmark = pytest.mark.django_db

T = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)
LINK = re.compile(r"https://help\.acme\.test/s/([^\s?\"]+)\?score=(\d+)")


def send(commits: Commits, at: dt.datetime = T + HOUR) -> int:
    with time_machine.travel(at, tick=False), commits():
        return services.send_due()


def the_message(conversation: Conversation) -> Message:
    (survey, *_rest) = surveys_of(conversation)
    assert survey.message_id is not None
    return Message.objects.get(pk=survey.message_id)


def test_email_invitation_with_one_tap_links_reaches_the_customer_by_smtp(
    sink: Sink, brand: Brand, agent: Agent, commits: Commits
) -> None:
    with time_machine.travel(T, tick=False):
        conversation = resolved(brand, agent, commits, language="id", reply=False)
    before = Conversation.objects.get(pk=conversation.pk)
    assert send(commits) == 1
    message = the_message(conversation)
    assert (message.author_id, message.direction, message.channel) == (None, "out", "email")
    row = outbox.deliver(OutboxMessage.objects.get(message=message).pk)
    assert row.status == OutboxStatus.SENT, row.last_error
    (_from, rcpts, mail) = sink.mails[0]
    assert rcpts == [conversation.customer.identities.get(kind="email").value]
    plain = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Terima kasih telah menghubungi Acme" in plain  # the customer's language
    assert "Seberapa besar kemungkinan Anda merekomendasikan Acme" in plain
    csat, nps = surveys_of(conversation)
    for text in (plain, html):
        links = LINK.findall(text)
        by_survey: dict[int | None, list[int]] = {}
        for token, score in links:
            by_survey.setdefault(read_token(token), []).append(int(score))
        assert by_survey == {csat.pk: [1, 2, 3, 4, 5], nps.pk: list(range(11))}
    assert html.count("<table") == 2  # one row of scores per survey
    # the conversation is as it was: resolved, no first response, not waiting, not moved
    after = Conversation.objects.get(pk=conversation.pk)
    assert after.status == "resolved"
    assert after.first_response_at is None
    assert after.waiting_since is None
    assert after.last_message_at == before.last_message_at
    assert after.assignee_id is None  # routing did not wake
    assert (csat.status, csat.sent_at, csat.expires_at) == (
        "sent",
        T + HOUR,
        T + HOUR + dt.timedelta(days=14),
    )


def test_chat_carries_the_card_data_and_the_text(
    brand: Brand, agent: Agent, commits: Commits
) -> None:
    with time_machine.travel(T, tick=False):
        conversation = resolved(brand, agent, commits, channel="chat", language="de")
    send(commits)
    message = the_message(conversation)
    assert message.channel == "chat"
    assert OutboxMessage.objects.get(message=message).channel == "chat"
    card = message.meta["survey"]
    assert card["language"] == "de"
    csat, nps = surveys_of(conversation)
    assert [s["id"] for s in card["surveys"]] == [csat.pk, nps.pk]
    first = card["surveys"][1]
    assert set(first) == {"id", "kind", "url", "min", "max", "question", "low", "high"}
    assert (first["kind"], first["min"], first["max"]) == ("nps", 0, 10)
    assert first["question"].startswith("Wie wahrscheinlich ist es")
    assert first["url"].startswith("https://help.acme.test/s/")
    assert first["url"] in message.body  # any channel shows the text


def test_social_gets_a_short_text_with_the_links(
    brand: Brand, agent: Agent, commits: Commits
) -> None:
    with time_machine.travel(T, tick=False):
        conversation = resolved(brand, agent, commits, channel="social")
    send(commits)
    message = the_message(conversation)
    assert message.channel == "social"
    lines = message.body.splitlines()
    assert len(lines) == 3 and lines[0].startswith("Thank you for contacting Acme")
    assert all(line.startswith("https://help.acme.test/s/") for line in lines[1:])


def test_a_call_is_surveyed_by_email_or_not_at_all(
    brand: Brand, agent: Agent, commits: Commits
) -> None:
    with time_machine.travel(T, tick=False):
        with_mail = resolved(brand, agent, commits, channel="voice")
        phone_only = phone_only_conversation(brand)
        conversations.add_reply(phone_only, author=agent, body="Noted.")
        resolve(phone_only, agent, commits)
    send(commits)
    message = the_message(with_mail)
    assert message.channel == "email"
    assert OutboxMessage.objects.get(message=message).channel == "email"
    assert {(s.status, s.expired_reason) for s in surveys_of(phone_only)} == {
        ("expired", "no_channel")
    }


def test_settings_can_send_every_survey_by_email(
    brand: Brand, agent: Agent, admin: Agent, commits: Commits
) -> None:
    services.do_patch_settings(admin, brand.pk, {"channel": "email"})
    with time_machine.travel(T, tick=False):
        conversation = resolved(brand, agent, commits, channel="chat")
    send(commits)
    assert the_message(conversation).channel == "email"


def test_sent_surveys_expire_when_the_link_runs_out(
    brand: Brand, agent: Agent, admin: Agent, commits: Commits
) -> None:
    services.do_patch_settings(admin, brand.pk, {"expires_days": 2})
    with time_machine.travel(T, tick=False):
        conversation = resolved(brand, agent, commits)
    send(commits)
    with time_machine.travel(T + HOUR + dt.timedelta(days=2), tick=False):
        assert services.expire_old() == 0  # the last moment still counts
    with time_machine.travel(T + HOUR + dt.timedelta(days=2, seconds=1), tick=False):
        assert services.run_job() == {"sent": 0, "expired": 2}
    assert {(s.status, s.expired_reason) for s in surveys_of(conversation)} == {
        ("expired", "timeout")
    }


def test_a_system_message_restarts_no_sla_clock(brand: Brand, commits: Commits) -> None:
    routing.create_sla_policy(brand_id=brand.pk, actor=None, name="Fast", first_response_minutes=60)
    with commits():
        conversation = quick_conversation(brand, channel="chat")
    clock = ConversationSla.objects.get(pk=conversation.pk)
    assert clock.target == "first_response"
    with commits():
        conversations.add_system_message(
            conversation, body="How did we do?", meta={"system": "survey"}
        )
    after = ConversationSla.objects.get(pk=conversation.pk)
    assert (after.target, after.due_at, after.state) == (clock.target, clock.due_at, clock.state)
    conversation.refresh_from_db()
    assert conversation.first_response_at is None
    assert conversation.status == "open"
    assert Survey.objects.count() == 0
