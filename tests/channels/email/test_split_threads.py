"""A conversation split off on email gets its own thread: its replies carry its number
and only its mail's references, and the customer's answer to them comes back to it, while
an answer in the old thread stays in the old conversation."""

from __future__ import annotations

from email.message import EmailMessage

from tests.channels.email.conftest import SUPPORT, make_mail
from wowdesk.channels.email import services
from wowdesk.channels.email.models import RawMail
from wowdesk.channels.email.outbound import build_message
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Inbox, Message
from wowdesk.core.models import Agent


def receive(inbox: Inbox, mail: EmailMessage) -> Message:
    row: RawMail = services.receive(
        mail.as_bytes(), source="smtp", inbox=inbox, mail_from="ana@example.com", rcpt_to=[SUPPORT]
    )
    assert row.message is not None, row.reason
    return row.message


def test_the_customers_answer_to_a_split_conversation_threads_to_it(
    email_inbox: Inbox, agent: Agent
) -> None:
    opening = receive(email_inbox, make_mail(subject="Lamp broken", message_id="<m1@example.com>"))
    old = opening.conversation
    first_reply = conversations.add_reply(old, author=agent, body="A new lamp is on its way.")
    first_mail, _from, _to = build_message(first_reply)
    conversations.set_external_id(first_reply, str(first_mail["Message-ID"]))
    r1 = str(first_mail["Message-ID"])
    invoice = receive(
        email_inbox,
        make_mail(
            subject="Re: Lamp broken",
            body="Also the invoice is wrong.",
            message_id="<m2@example.com>",
            headers={"In-Reply-To": r1, "References": f"<m1@example.com> {r1}"},
        ),
    )
    assert invoice.conversation_id == old.pk
    new = conversations.split_conversation(old, invoice.pk, actor=agent, subject="Invoice wrong")
    new = Conversation.objects.select_related("inbox", "customer", "brand").get(pk=new.pk)

    reply = conversations.add_reply(new, author=agent, body="We will fix the invoice.")
    mail, _from, to = build_message(Message.objects.get(pk=reply.pk))
    assert to == "ana@example.com"
    assert f"[#{new.number}]" in str(mail["Subject"]) and "Invoice wrong" in str(mail["Subject"])
    assert str(mail["In-Reply-To"]) == "<m2@example.com>"
    assert str(mail["References"]) == "<m2@example.com>"  # not the old thread's mails
    ours = str(mail["Message-ID"])

    answer = receive(
        email_inbox,
        make_mail(
            subject=str(mail["Subject"]),
            body="Thanks, it should say 30.",
            headers={"In-Reply-To": ours, "References": f"<m2@example.com> {ours}"},
        ),
    )
    assert answer.conversation_id == new.pk
    # an answer in the old thread stays there
    lamp = receive(
        email_inbox,
        make_mail(
            subject="Re: Lamp broken",
            body="The lamp arrived, thanks.",
            headers={"In-Reply-To": r1, "References": f"<m1@example.com> {r1}"},
        ),
    )
    assert lamp.conversation_id == old.pk
