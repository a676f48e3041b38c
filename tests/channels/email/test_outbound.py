"""Agent replies leave by SMTP (a local aiosmtpd sink stands in for the relay)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from tests.channels.email.conftest import SUPPORT, Sink, free_port, make_mail
from wowdesk.channels import outbox
from wowdesk.channels.email import services
from wowdesk.channels.email.outbound import loop_token
from wowdesk.channels.email.threading import our_message_pk
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Inbox, Message, OutboxMessage, OutboxStatus
from wowdesk.core.models import Agent


def inbound(inbox: Inbox, **kw: Any) -> Message:
    mail = make_mail(**kw)
    row = services.receive(
        mail.as_bytes(),
        source="smtp",
        inbox=inbox,
        mail_from="ana@example.com",
        rcpt_to=[SUPPORT],
    )
    assert row.message is not None, row.reason
    return row.message


def reply(message: Message, agent: Agent, body: str = "We send a new shade today.") -> Message:
    conversation = Conversation.objects.get(pk=message.conversation_id)
    return conversations.add_reply(conversation, author=agent, body=body)


def test_reply_is_sent_with_threading_headers(sink: Sink, email_inbox: Inbox, agent: Agent) -> None:
    first = inbound(
        email_inbox, message_id="<c1@example.com>", headers={"References": "<c0@example.com>"}
    )
    out = reply(first, agent)
    row = outbox.deliver(OutboxMessage.objects.get(message=out).pk)
    assert row.status == OutboxStatus.SENT, row.last_error
    assert len(sink.mails) == 1
    mail_from, rcpts, mail = sink.mails[0]
    number = first.conversation.number
    assert mail_from == SUPPORT
    assert rcpts == ["ana@example.com"]
    assert mail["From"].addresses[0].addr_spec == SUPPORT
    assert mail["To"].addresses[0].addr_spec == "ana@example.com"
    assert mail["Subject"] == f"Re: My lamp arrived broken [#{number}]"
    assert mail["In-Reply-To"] == "<c1@example.com>"
    assert mail["References"] == "<c0@example.com> <c1@example.com>"
    assert mail["X-Wowdesk-Loop"] == loop_token()
    assert our_message_pk(mail["Message-ID"]) == out.pk
    assert mail["Message-ID"].endswith("@acme.test>")
    plain = mail.get_body(("plain",))
    assert plain is not None
    assert plain.get_content().strip() == "We send a new shade today."
    out.refresh_from_db()
    assert out.external_id == mail["Message-ID"]
    assert out.sent_at is not None

    # the customer answers our mail: it threads by In-Reply-To into the same
    # conversation, even after it was resolved
    conversations.update_conversation(first.conversation, actor=None, status="resolved")
    answer = inbound(
        email_inbox,
        subject="Re: whatever the client wrote",
        message_id="<c2@example.com>",
        headers={"In-Reply-To": mail["Message-ID"]},
    )
    assert answer.conversation_id == first.conversation_id
    assert Conversation.objects.get(pk=first.conversation_id).status == "open"


def test_4xx_is_retried_then_sent(sink: Sink, email_inbox: Inbox, agent: Agent) -> None:
    out = reply(inbound(email_inbox), agent)
    pk = OutboxMessage.objects.get(message=out).pk
    sink.reply = "451 4.3.0 Try again later"
    row = outbox.deliver(pk)
    assert row.status == OutboxStatus.QUEUED
    assert row.attempts == 1
    assert "451" in row.last_error
    assert row.next_attempt_at > row.created_at
    sink.reply = None
    row = outbox.deliver(pk)
    assert row.status == OutboxStatus.SENT
    assert row.attempts == 2
    assert len(sink.mails) == 1


def test_5xx_fails_for_good(sink: Sink, email_inbox: Inbox, agent: Agent) -> None:
    out = reply(inbound(email_inbox), agent)
    sink.reply = "550 5.1.1 No such user"
    row = outbox.deliver(OutboxMessage.objects.get(message=out).pk)
    assert row.status == OutboxStatus.FAILED
    assert "550" in row.last_error and "No such user" in row.last_error
    assert sink.mails == []


def test_no_server_is_transient(
    sink: Sink, email_inbox: Inbox, agent: Agent, settings: Any
) -> None:
    settings.CONFIG = dataclasses.replace(settings.CONFIG, email_port=free_port())  # nobody there
    out = reply(inbound(email_inbox), agent)
    row = outbox.deliver(OutboxMessage.objects.get(message=out).pk)
    assert row.status == OutboxStatus.QUEUED
    assert "ConnectionRefusedError" in row.last_error


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Broken lamp", "Re: Broken lamp [#7]"),
        ("Re: Broken lamp [#7]", "Re: Broken lamp [#7]"),
        ("", "Re: Your request [#7]"),
    ],
)
def test_reply_subject(subject: str, expected: str) -> None:
    from wowdesk.channels.email.outbound import reply_subject

    assert reply_subject(subject, 7) == expected


@pytest.mark.django_db(transaction=True)
def test_smtp_is_spoken_with_no_transaction_open(
    sink: Sink, email_inbox: Inbox, agent: Agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The relay may take its timeout to answer: no write lock is held meanwhile."""
    from django.db import connection

    from wowdesk.channels.email import outbound

    real = outbound.deliver_smtp
    seen: list[bool] = []

    def watched(*args: Any, **kwargs: Any) -> None:
        seen.append(connection.in_atomic_block)
        real(*args, **kwargs)

    monkeypatch.setattr(outbound, "deliver_smtp", watched)
    first = inbound(email_inbox, message_id="<tx1@example.com>")
    for body in ("one", "two"):
        row = outbox.deliver(OutboxMessage.objects.get(message=reply(first, agent, body)).pk)
        assert row.status == OutboxStatus.SENT, row.last_error
    assert seen == [False, False]
    assert len(sink.mails) == 2
