"""Mail sent with smtplib to our aiosmtpd listener lands in the inbox, stored first."""

from __future__ import annotations

import smtplib
from pathlib import Path

import pytest
from django.conf import settings

from tests.channels.email.conftest import SUPPORT, free_port, make_mail
from wowdesk.channels.email.models import RawMail, RawMailStatus
from wowdesk.channels.email.smtp_server import InboundController
from wowdesk.channels.models import InboundEnvelope
from wowdesk.conversations.models import Attachment, Conversation, Inbox, Message


def send(
    listener: InboundController,
    raw: bytes | str,
    *,
    to: str = SUPPORT,
    sender: str = "ana@example.com",
) -> None:
    if isinstance(raw, bytes):  # on the wire every line ends in CRLF (smtplib keeps bytes)
        raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    with smtplib.SMTP("127.0.0.1", listener.port, timeout=10) as smtp:
        smtp.sendmail(sender, [to], raw)


def test_a_mail_opens_a_conversation(listener: InboundController, email_inbox: Inbox) -> None:
    mail = make_mail(subject="Lámpara rota", body="Hola, la lámpara llegó rota.")
    mail.add_alternative(
        "<p>Hola, la <b>lámpara</b> llegó rota.<script>alert(1)</script></p>", subtype="html"
    )
    mail.add_attachment(
        b"%PDF-1.4 receipt", maintype="application", subtype="pdf", filename="receipt.pdf"
    )
    send(listener, mail.as_bytes())

    row = RawMail.objects.get()
    assert row.status == RawMailStatus.INGESTED, row.reason
    assert row.source == "smtp"
    assert row.mail_from == "ana@example.com"
    assert row.rcpt_to == [SUPPORT]
    spooled = (settings.DATA_DIR / "mail" / "spool" / row.spool_path).read_bytes()
    assert spooled.replace(b"\r\n", b"\n").rstrip() == mail.as_bytes().rstrip()
    conversation = Conversation.objects.get()
    assert conversation.inbox == email_inbox
    assert conversation.subject == "Lámpara rota"
    message = Message.objects.get(conversation=conversation, direction="in")
    assert message.channel == "email"
    assert message.external_id == mail["Message-ID"]
    assert message.body.strip() == "Hola, la lámpara llegó rota."
    assert "<b>lámpara</b>" in message.html and "<script>" not in message.html
    assert message.meta["email"]["message_id"] == mail["Message-ID"]
    assert row.message == message
    attachment = Attachment.objects.get(message=message)
    assert attachment.filename == "receipt.pdf"
    assert attachment.content_type == "application/pdf"
    assert Path(attachment.file.path).read_bytes() == b"%PDF-1.4 receipt"
    assert str(settings.DATA_DIR) in attachment.file.path


def test_the_same_mail_twice_is_one_message(
    listener: InboundController, email_inbox: Inbox
) -> None:
    raw = make_mail().as_bytes()
    send(listener, raw)
    send(listener, raw)
    assert Message.objects.filter(direction="in").count() == 1
    assert InboundEnvelope.objects.count() == 1
    assert RawMail.objects.count() == 2


def test_unknown_address_is_refused_with_the_reason(
    listener: InboundController, email_inbox: Inbox
) -> None:
    with pytest.raises(smtplib.SMTPRecipientsRefused) as caught:
        send(listener, make_mail(to="nobody@acme.test").as_bytes(), to="nobody@acme.test")
    code, text = caught.value.recipients["nobody@acme.test"]
    assert code == 550
    assert b"no inbox" in text
    assert not RawMail.objects.exists()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"To: help@acme.test\r\nSubject: who am I\r\n\r\nno sender here\r\n", "no sender"),
        (
            b'From: \r\nTo: help@acme.test\r\nContent-Type: multipart/mixed; boundary="zz"\r\n'
            b"\r\n--zz\r\nContent-Type: text/plain; charset=klingon\r\n\r\n\xff\xfe broken",
            "no sender",
        ),
    ],
)
def test_bad_mail_is_stored_and_rejected_with_a_reason(
    listener: InboundController, email_inbox: Inbox, raw: bytes, reason: str
) -> None:
    send(listener, raw)
    row = RawMail.objects.get()
    assert row.status == RawMailStatus.REJECTED
    assert reason in row.reason
    assert (
        (settings.DATA_DIR / "mail" / "spool" / row.spool_path)
        .read_bytes()
        .startswith(raw.split(b"\r\n")[0])
    )
    assert not Conversation.objects.exists()
    # the listener is still there for the next mail
    send(listener, make_mail().as_bytes())
    assert Conversation.objects.count() == 1


def test_wrong_charset_is_decoded_with_replacement(
    listener: InboundController, email_inbox: Inbox
) -> None:
    raw = (
        b"From: =?utf-8?b?w4FuYQ==?= <ana@example.com>\r\nTo: help@acme.test\r\n"
        b"Subject: =?iso-8859-1?q?Caf=E9?=\r\nMessage-ID: <cs1@example.com>\r\n"
        b"Content-Type: text/plain; charset=us-ascii\r\n\r\nna\xefve caf\xe9\r\n"
    )
    send(listener, raw)
    row = RawMail.objects.get()
    assert row.status == RawMailStatus.INGESTED, row.reason
    message = Message.objects.get(direction="in")
    assert message.conversation.subject == "Café"
    assert message.sender is not None and message.sender.name == "Ána"
    assert message.body.strip() == "na\N{REPLACEMENT CHARACTER}ve caf\N{REPLACEMENT CHARACTER}"
    assert message.meta["email"]["defects"]


def test_mail_over_the_size_limit_is_refused(transactional_db: None, email_inbox: Inbox) -> None:
    port = free_port()
    controller = InboundController("127.0.0.1", port, max_bytes=2000)
    controller.start()
    try:
        with (
            pytest.raises(smtplib.SMTPResponseException) as caught,
            smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp,
        ):
            smtp.sendmail("ana@example.com", [SUPPORT], make_mail(body="x" * 5000).as_bytes())
    finally:
        controller.stop()
    assert caught.value.smtp_code == 552
    assert not Message.objects.exists()
