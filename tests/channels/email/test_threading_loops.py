"""Which conversation a mail continues; automatic mail and bounces never open one."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from tests.channels.email.conftest import SUPPORT, make_mail
from wowdesk.channels.email import services
from wowdesk.channels.email.models import RawMail, RawMailStatus
from wowdesk.channels.email.threading import make_message_id
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import (
    Conversation,
    Direction,
    Inbox,
    Message,
    OutboxMessage,
    OutboxStatus,
)
from wowdesk.core.models import Agent


def receive(
    inbox: Inbox, mail: EmailMessage | bytes, mail_from: str = "ana@example.com"
) -> RawMail:
    raw = mail if isinstance(mail, bytes) else mail.as_bytes()
    return services.receive(raw, source="smtp", inbox=inbox, mail_from=mail_from, rcpt_to=[SUPPORT])


def opened(inbox: Inbox, **kw: object) -> Conversation:
    row = receive(inbox, make_mail(**kw))  # type: ignore[arg-type]
    assert row.message is not None, row.reason
    conversation = row.message.conversation
    conversations.update_conversation(conversation, actor=None, status="resolved")
    return conversation


def test_references_to_a_customer_mail_thread(email_inbox: Inbox) -> None:
    first = opened(email_inbox, message_id="<m1@example.com>")
    row = receive(
        email_inbox,
        make_mail(subject="More", headers={"References": "<x@y> <m1@example.com>"}),
    )
    assert row.message is not None and row.message.conversation_id == first.pk


def test_subject_token_threads_for_the_same_customer_only(email_inbox: Inbox) -> None:
    first = opened(email_inbox)
    mine = receive(email_inbox, make_mail(subject=f"Still broken [#{first.number}]"))
    assert mine.message is not None and mine.message.conversation_id == first.pk
    other = receive(
        email_inbox,
        make_mail(subject=f"Hijack [#{first.number}]", sender="eve@example.com"),
        mail_from="eve@example.com",
    )
    assert other.message is not None and other.message.conversation_id != first.pk


def test_forged_message_id_does_not_thread(email_inbox: Inbox, agent: Agent) -> None:
    first = opened(email_inbox)
    out = conversations.add_reply(first, author=agent, body="Hi")
    good = make_message_id(out.pk, "acme.test")
    bad = f"<wowdesk.{out.pk}.{'0' * 20}@acme.test>"  # right shape, wrong signature
    row = receive(
        email_inbox,
        make_mail(sender="eve@example.com", headers={"In-Reply-To": bad}),
        mail_from="eve@example.com",
    )
    assert row.message is not None and row.message.conversation_id != first.pk
    row = receive(email_inbox, make_mail(headers={"In-Reply-To": good}))
    assert row.message is not None and row.message.conversation_id == first.pk


def test_a_new_mail_opens_a_new_conversation_beside_an_open_one(email_inbox: Inbox) -> None:
    a = receive(email_inbox, make_mail(subject="One"))
    b = receive(email_inbox, make_mail(subject="Two"))
    assert a.message is not None and b.message is not None
    assert a.message.conversation_id != b.message.conversation_id
    assert a.message.conversation.customer_id == b.message.conversation.customer_id
    assert Conversation.objects.filter(status="open").count() == 2


def test_automatic_mail_is_kept_but_opens_nothing(email_inbox: Inbox) -> None:
    for headers in (
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X-Wowdesk-Loop": "abc"},
    ):
        row = receive(email_inbox, make_mail(headers=headers))
        assert row.status == RawMailStatus.IGNORED
        assert next(iter(headers)) in row.reason
    row = receive(email_inbox, make_mail(), mail_from="")
    assert row.status == RawMailStatus.IGNORED and "null" in row.reason
    row = receive(email_inbox, make_mail(sender=SUPPORT))
    assert row.status == RawMailStatus.IGNORED
    assert not Conversation.objects.exists()
    assert RawMail.objects.count() == 5
    row = receive(email_inbox, make_mail(headers={"Auto-Submitted": "no"}))
    assert row.status == RawMailStatus.INGESTED


def test_an_auto_reply_to_our_mail_is_noted_not_answered(email_inbox: Inbox, agent: Agent) -> None:
    first = opened(email_inbox)
    out = conversations.add_reply(first, author=agent, body="Fixed?")
    conversations.update_conversation(first, actor=None, status="resolved")
    row = receive(
        email_inbox,
        make_mail(
            subject="Out of office",
            headers={"Auto-Submitted": "auto-replied", "In-Reply-To": make_message_id(out.pk, "x")},
        ),
    )
    assert row.status == RawMailStatus.IGNORED
    first.refresh_from_db()
    assert first.status == "resolved"
    assert not first.messages.filter(direction=Direction.IN, body__contains="office").exists()
    note = first.messages.get(direction=Direction.ACTIVITY, body__contains="Out of office")
    assert note.meta["email"]["raw_mail_id"] == row.pk


DSN = """From: MAILER-DAEMON@mx.example.net
To: help@acme.test
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn1@mx.example.net>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; ana@example.com
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 User unknown

--B
Content-Type: text/rfc822-headers

From: Acme <help@acme.test>
To: ana@example.com
Subject: Re: My lamp arrived broken [#1]
Message-ID: {mid}

--B--
"""


def test_a_bounce_is_recorded_on_our_message(email_inbox: Inbox, agent: Agent) -> None:
    first = opened(email_inbox)
    out = conversations.add_reply(first, author=agent, body="Fixed?")
    row = OutboxMessage.objects.get(message=out)
    OutboxMessage.objects.filter(pk=row.pk).update(status=OutboxStatus.SENT)
    conversations_before = Conversation.objects.count()
    raw = DSN.format(mid=make_message_id(out.pk, "acme.test")).replace("\n", "\r\n").encode()
    bounce = receive(email_inbox, raw, mail_from="")
    assert bounce.status == RawMailStatus.BOUNCE
    assert bounce.message == out
    out.refresh_from_db()
    assert out.meta["bounce"]["action"] == "failed"
    assert out.meta["bounce"]["status"] == "5.1.1"
    assert out.meta["bounce"]["recipient"] == "ana@example.com"
    assert "User unknown" in out.meta["bounce"]["diagnostic"]
    row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED
    assert "5.1.1" in row.last_error
    assert Conversation.objects.count() == conversations_before
    assert first.messages.filter(direction=Direction.ACTIVITY, body__contains="ana@example.com")


def test_a_bounce_for_someone_else_opens_nothing(email_inbox: Inbox) -> None:
    raw = DSN.format(mid="<not-ours@elsewhere>").replace("\n", "\r\n").encode()
    row = receive(email_inbox, raw, mail_from="")
    assert row.status == RawMailStatus.BOUNCE
    assert not Conversation.objects.exists()
    assert not Message.objects.exists()


def test_processing_failure_is_retried(email_inbox: Inbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "thread_mail", lambda *a: 1 / 0)
    row = receive(email_inbox, make_mail())
    monkeypatch.undo()
    assert row.status == RawMailStatus.FAILED
    assert "ZeroDivisionError" in row.reason
    RawMail.objects.filter(pk=row.pk).update(received_at=row.received_at.replace(year=2000))
    assert services.retry_pending() == 1
    row.refresh_from_db()
    assert row.status == RawMailStatus.INGESTED
    assert row.message is not None
