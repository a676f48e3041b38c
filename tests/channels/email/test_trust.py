"""Threading trusts a reference only from a participant; Reply-To never redirects an
existing conversation to a stranger; names with line breaks never stop a reply."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import pytest

from tests.channels.email.conftest import SUPPORT, Sink, make_mail
from wowdesk.channels import outbox
from wowdesk.channels.email import services
from wowdesk.channels.email.models import RawMail
from wowdesk.channels.email.threading import make_message_id
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Direction, Inbox, Message, OutboxMessage, OutboxStatus
from wowdesk.core.models import Agent
from wowdesk.customers.models import Customer


def receive(inbox: Inbox, mail: EmailMessage | bytes, mail_from: str = "x@example.com") -> RawMail:
    raw = mail if isinstance(mail, bytes) else mail.as_bytes()
    return services.receive(raw, source="smtp", inbox=inbox, mail_from=mail_from, rcpt_to=[SUPPORT])


def message_of(row: RawMail) -> Message:
    assert row.message is not None, row.reason
    return Message.objects.select_related("conversation").get(pk=row.message.pk)


def first_mail(inbox: Inbox, **kw: Any) -> Message:
    kw.setdefault("message_id", "<first@example.com>")
    return message_of(receive(inbox, make_mail(**kw)))


def activities(conversation_id: int) -> list[str]:
    return list(
        Message.objects.filter(
            conversation_id=conversation_id, direction=Direction.ACTIVITY
        ).values_list("body", flat=True)
    )


def sent_to(sink: Sink, message: Message) -> list[str]:
    row = outbox.deliver(OutboxMessage.objects.get(message=message).pk)
    assert row.status == OutboxStatus.SENT, row.last_error
    return sink.mails[-1][1]


@pytest.mark.parametrize(
    "reference",
    ["in-reply-to-ours", "references-ours", "in-reply-to-theirs", "references-theirs", "subject"],
)
@pytest.mark.parametrize("stranger", ["eve@example.com", "Eve <ana@example.com.evil.test>"])
def test_a_stranger_referring_to_a_conversation_opens_their_own(
    email_inbox: Inbox, agent: Agent, reference: str, stranger: str
) -> None:
    first = first_mail(email_inbox)
    conversation = first.conversation
    out = conversations.add_reply(conversation, author=agent, body="We are on it.")
    ours = make_message_id(out.pk, "acme.test")
    headers = {
        "in-reply-to-ours": {"In-Reply-To": ours},
        "references-ours": {"References": f"<a@b> {ours}"},
        "in-reply-to-theirs": {"In-Reply-To": "<first@example.com>"},
        "references-theirs": {"References": "<first@example.com> <zzz@example.com>"},
        "subject": {},
    }[reference]
    subject = f"Re: lamp [#{conversation.number}]" if reference == "subject" else "Re: lamp"
    row = receive(
        email_inbox,
        make_mail(sender=stranger, subject=subject, headers=headers, body="Send it to me."),
    )
    message = message_of(row)
    assert message.conversation_id != conversation.pk
    assert message.direction == Direction.IN
    assert Message.objects.filter(conversation=conversation, body="Send it to me.").count() == 0
    if reference != "subject":  # a subject token alone is no reference (nothing to note)
        assert message.meta["email"]["untrusted_reference"] == conversation.pk
        opened = message.conversation
        assert any(f"#{opened.number}" in text for text in activities(conversation.pk))
        assert any(f"#{conversation.number}" in text for text in activities(opened.pk))


@pytest.mark.parametrize(
    "sender", ["ana@example.com", "ANA@Example.COM", "Ana Lima <Ana@EXAMPLE.com>"]
)
def test_a_participant_in_any_case_threads(email_inbox: Inbox, agent: Agent, sender: str) -> None:
    first = first_mail(email_inbox)
    out = conversations.add_reply(first.conversation, author=agent, body="We are on it.")
    for headers in (
        {"In-Reply-To": make_message_id(out.pk, "acme.test")},
        {"References": "<first@example.com>"},
    ):
        row = receive(email_inbox, make_mail(sender=sender, headers=headers))
        assert message_of(row).conversation_id == first.conversation_id
    row = receive(
        email_inbox, make_mail(sender=sender, subject=f"Again [#{first.conversation.number}]")
    )
    assert message_of(row).conversation_id == first.conversation_id


def test_the_opening_reply_to_is_a_participant(
    email_inbox: Inbox, agent: Agent, sink: Sink
) -> None:
    # a web form mails from its own address on behalf of the customer
    first = first_mail(
        email_inbox, sender="Form <noreply@shop.test>", headers={"Reply-To": "ana@example.com"}
    )
    out = conversations.add_reply(first.conversation, author=agent, body="Hello Ana")
    assert sent_to(sink, out) == ["ana@example.com"]
    row = receive(
        email_inbox,
        make_mail(sender="ana@example.com", headers={"In-Reply-To": "<first@example.com>"}),
    )
    assert message_of(row).conversation_id == first.conversation_id


@pytest.mark.parametrize(
    "reply_to",
    [
        "eve@example.com",
        "Ana Lima <eve@example.com>",
        "ana@example.com.evil.test",
        "eve@example.com, ana@example.com",
    ],
)
def test_reply_to_on_a_follow_up_never_redirects_to_a_stranger(
    email_inbox: Inbox, agent: Agent, sink: Sink, reply_to: str
) -> None:
    first = first_mail(email_inbox)
    out = conversations.add_reply(first.conversation, author=agent, body="We are on it.")
    follow = receive(
        email_inbox,
        make_mail(
            headers={"In-Reply-To": make_message_id(out.pk, "acme.test"), "Reply-To": reply_to}
        ),
    )
    assert message_of(follow).conversation_id == first.conversation_id
    answer = conversations.add_reply(first.conversation, author=agent, body="Here it is.")
    assert sent_to(sink, answer) == ["ana@example.com"]


def test_reply_to_a_participant_in_another_case_is_kept(
    email_inbox: Inbox, agent: Agent, sink: Sink
) -> None:
    first = first_mail(email_inbox)
    receive(
        email_inbox,
        make_mail(headers={"References": "<first@example.com>", "Reply-To": "ANA@example.com"}),
    )
    answer = conversations.add_reply(first.conversation, author=agent, body="Here it is.")
    assert [r.lower() for r in sent_to(sink, answer)] == ["ana@example.com"]


@pytest.mark.parametrize(
    "header",
    [
        "=?utf-8?q?Ana=0D=0ABcc=3A_eve=40example=2Ecom?= <ana@example.com>",
        "=?utf-8?b?QW5hDQpMaW1h?= <ana@example.com>",  # "Ana\r\nLima"
        "=?utf-8?q?Ana=0ALima=09?= <ana@example.com>",
        "ana@example.com (=?utf-8?q?Ana=0D=0ALima?=)",
    ],
)
def test_line_breaks_in_a_sender_name_are_cleaned_and_replies_go_out(
    email_inbox: Inbox, agent: Agent, sink: Sink, header: str
) -> None:
    raw = (
        f"From: {header}\r\nTo: {SUPPORT}\r\nSubject: Hi\r\nMessage-ID: <n@example.com>\r\n"
        "\r\nThe lamp is broken.\r\n"
    ).encode()
    message = message_of(receive(email_inbox, raw))
    customer = Customer.objects.get(pk=message.conversation.customer_id)
    assert customer.name.startswith("Ana")
    assert not any(c in customer.name for c in "\r\n\t")
    answer = conversations.add_reply(message.conversation, author=agent, body="Fixed.")
    assert sent_to(sink, answer) == ["ana@example.com"]
    assert "\n" not in str(sink.mails[-1][2]["To"])
    assert sink.mails[-1][2]["Bcc"] is None


@pytest.mark.parametrize("name", ["Ana\r\nLima", "Ana\nBcc: eve@example.com", "Ana\tLima\u2029"])
def test_names_with_line_breaks_are_refused_at_the_api_edge(
    api: Any, agent: Agent, name: str
) -> None:
    """The API refuses a name with a line break (422 naming the field, nothing stored);
    only channel adapters, which cannot refuse a header, make such a name one line."""
    from tests.conftest import inbound

    r = api.post("/inbound", inbound("crlf-1", **{"from": {"name": name, "email": "a@x.test"}}))
    assert r.status_code == 422, r.content
    assert r.json()["field"] == "from.name"
    assert not Customer.objects.exists()
    ok = api.post("/inbound", inbound("crlf-2", **{"from": {"name": "Ana", "email": "a@x.test"}}))
    assert ok.status_code == 202, ok.content
    customer = Customer.objects.get()
    patched = api.patch(f"/customers/{customer.pk}", {"name": f"New\r\n{name}"})
    assert patched.status_code == 422, patched.content
    customer.refresh_from_db()
    assert customer.name == "Ana"
    created = api.post("/customers", {"name": f"{name}\r\n", "email": "b@x.test"})
    assert created.status_code == 422, created.content
    assert Customer.objects.count() == 1


def test_a_sender_an_agent_merged_in_is_a_participant_from_then_on(
    email_inbox: Inbox, agent: Agent
) -> None:
    first = first_mail(email_inbox)
    colleague = make_mail(
        sender="Bob <bob@example.com>", headers={"References": "<first@example.com>"}
    )
    opened = message_of(receive(email_inbox, colleague)).conversation
    assert opened.pk != first.conversation_id
    conversations.merge_conversations(opened, first.conversation, actor=agent)
    again = make_mail(sender="bob@example.com", headers={"References": "<first@example.com>"})
    assert message_of(receive(email_inbox, again)).conversation_id == first.conversation_id
    # a stranger still is not
    eve = make_mail(sender="eve@example.com", headers={"References": "<first@example.com>"})
    assert message_of(receive(email_inbox, eve)).conversation_id != first.conversation_id
