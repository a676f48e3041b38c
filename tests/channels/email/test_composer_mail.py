"""The composer's mail through a real SMTP server (the aiosmtpd sink): a reply's CC and BCC,
and a forwarded conversation."""

from __future__ import annotations

from typing import Any

from tests.channels.email.conftest import SUPPORT, Sink, make_mail
from wowdesk.channels import outbox
from wowdesk.channels.email import services
from wowdesk.channels.email.outbound import loop_token
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import (
    Conversation,
    Inbox,
    Message,
    OutboxMessage,
    OutboxStatus,
)
from wowdesk.core.models import Agent


def inbound(inbox: Inbox, **kw: Any) -> Message:
    mail = make_mail(**kw)
    row = services.receive(
        mail.as_bytes(), source="smtp", inbox=inbox, mail_from="ana@example.com", rcpt_to=[SUPPORT]
    )
    assert row.message is not None, row.reason
    return row.message


def deliver(message: Message) -> OutboxMessage:
    row = outbox.deliver(OutboxMessage.objects.get(message=message).pk)
    assert row.status == OutboxStatus.SENT, row.last_error
    return row


def test_cc_is_a_header_and_a_recipient_bcc_only_a_recipient(
    sink: Sink, email_inbox: Inbox, agent: Agent
) -> None:
    first = inbound(email_inbox)
    conversation = Conversation.objects.get(pk=first.conversation_id)
    out = conversations.add_reply(
        conversation,
        author=agent,
        body="Copying our courier.",
        cc=["Courier@Ship.example", "team@acme.test"],
        bcc=["boss@acme.test", "courier@ship.example"],
    )
    deliver(out)
    mail_from, rcpts, mail = sink.mails[-1]
    assert mail_from == SUPPORT
    assert sorted(rcpts) == sorted(
        ["ana@example.com", "courier@ship.example", "team@acme.test", "boss@acme.test"]
    )
    assert [a.addr_spec for a in mail["Cc"].addresses] == [
        "courier@ship.example",
        "team@acme.test",
    ]
    assert mail["Bcc"] is None
    assert b"boss@acme.test" not in mail.as_bytes()
    assert mail["To"].addresses[0].addr_spec == "ana@example.com"


def test_a_reply_without_copies_has_no_cc(sink: Sink, email_inbox: Inbox, agent: Agent) -> None:
    first = inbound(email_inbox)
    out = conversations.add_reply(
        Conversation.objects.get(pk=first.conversation_id), author=agent, body="Plain."
    )
    deliver(out)
    _from, rcpts, mail = sink.mails[-1]
    assert rcpts == ["ana@example.com"] and mail["Cc"] is None


def test_a_forward_sends_the_thread_with_files_and_no_notes(
    sink: Sink, email_inbox: Inbox, agent: Agent
) -> None:
    first = inbound(email_inbox, body="The shade is cracked, photo attached.")
    conversation = Conversation.objects.get(pk=first.conversation_id)
    conversations.add_attachment(
        first, filename="shade.jpg", content=b"\xff\xd8jpeg-bytes", content_type="image/jpeg"
    )
    reply = conversations.add_reply(conversation, author=agent, body="A new shade is on its way.")
    deliver(reply)
    conversations.add_reply(
        conversation, author=agent, body="Secret: supplier margin is 40%", private=True
    )
    line = conversations.forward_conversation(
        conversation, actor=agent, to="Parts@Supplier.example", note="Please check this one."
    )
    deliver(line)
    mail_from, rcpts, mail = sink.mails[-1]
    assert mail_from == SUPPORT
    assert rcpts == ["parts@supplier.example"]
    assert mail["To"] == "parts@supplier.example"
    assert mail["Subject"] == "Fwd: My lamp arrived broken"
    assert mail["X-Wowdesk-Loop"] == loop_token()
    text = mail.get_body(("plain",)).get_content()
    assert text.startswith("Please check this one.")
    assert text.index("The shade is cracked") < text.index("A new shade is on its way.")
    assert agent.display_name in text
    assert "supplier margin" not in text
    files = [(p.get_filename(), p.get_content()) for p in mail.iter_attachments()]
    assert files == [("shade.jpg", b"\xff\xd8jpeg-bytes")]
    # the thread says so, in the reader's language
    line.refresh_from_db()
    assert line.body == f"Forwarded to parts@supplier.example by {agent.display_name}"


def test_a_forward_from_a_chat_conversation_leaves_from_the_brands_mail_inbox(
    sink: Sink, email_inbox: Inbox, agent: Agent
) -> None:
    from tests.factories import quick_conversation

    chat = quick_conversation(email_inbox.brand, channel="chat", body="Hi from the chat")
    line = conversations.forward_conversation(chat, actor=agent, to="ops@acme.example")
    deliver(line)
    mail_from, rcpts, mail = sink.mails[-1]
    assert (mail_from, rcpts) == (SUPPORT, ["ops@acme.example"])
    assert "Hi from the chat" in mail.get_body(("plain",)).get_content()
    assert mail["From"].addresses[0].addr_spec == SUPPORT


def test_the_customer_named_again_in_the_copies_gets_one_mail(
    sink: Sink, email_inbox: Inbox, agent: Agent
) -> None:
    first = inbound(email_inbox)
    out = conversations.add_reply(
        Conversation.objects.get(pk=first.conversation_id),
        author=agent,
        body="Once is enough.",
        cc=["ANA@example.com"],
        bcc=["ana@example.com", "audit@acme.test"],
    )
    deliver(out)
    _from, rcpts, _mail = sink.mails[-1]
    assert rcpts == ["ana@example.com", "audit@acme.test"]


def test_files_beyond_the_forward_budget_are_left_out(
    sink: Sink, email_inbox: Inbox, agent: Agent, monkeypatch: Any
) -> None:
    from wowdesk.channels.email import outbound

    first = inbound(email_inbox)
    conversation = Conversation.objects.get(pk=first.conversation_id)
    for name, size in (("a.bin", 40), ("big.bin", 70), ("c.bin", 50)):
        conversations.add_attachment(first, filename=name, content=name.encode() * size)
    monkeypatch.setattr(outbound, "FORWARD_ATTACHMENTS_BYTES", 5 * 40 + 5 * 50 + 10)
    line = conversations.forward_conversation(conversation, actor=agent, to="x@partner.example")
    deliver(line)
    _from, _rcpts, mail = sink.mails[-1]
    assert [p.get_filename() for p in mail.iter_attachments()] == ["a.bin", "c.bin"]
