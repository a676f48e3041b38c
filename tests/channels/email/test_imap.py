"""IMAP: mail APPENDed to a real Dovecot is taken in exactly once, by polling and IDLE."""

from __future__ import annotations

import imaplib
import time
from typing import Any

from tests.channels.email.conftest import Dovecot, make_mail
from wowdesk.channels.email import imap
from wowdesk.channels.email.models import EmailMailbox, RawMail, RawMailStatus
from wowdesk.channels.models import InboundEnvelope
from wowdesk.conversations.models import Conversation, Inbox, Message


def mailbox_for(dovecot: Dovecot, inbox: Inbox) -> tuple[EmailMailbox, str]:
    user = dovecot.new_user()
    mailbox = EmailMailbox.objects.create(
        inbox=inbox,
        host="127.0.0.1",
        port=dovecot.port,
        security="none",
        username=user,
        password=dovecot.password,
    )
    return mailbox, user


def append(dovecot: Dovecot, user: str, raw: bytes) -> None:
    conn = imaplib.IMAP4("127.0.0.1", dovecot.port, timeout=10)
    try:
        conn.login(user, dovecot.password)
        # (typeshed's stub of IMAP4.append is wrong: it returns (typ, data))
        result: Any = conn.append("INBOX", None, None, raw)  # type: ignore[arg-type]
        assert result[0] == "OK", result
    finally:
        conn.logout()


def seen_flags(dovecot: Dovecot, user: str) -> list[bytes]:
    conn = imaplib.IMAP4("127.0.0.1", dovecot.port, timeout=10)
    try:
        conn.login(user, dovecot.password)
        conn.select("INBOX", readonly=True)
        _typ, data = conn.uid("FETCH", "1:*", "(FLAGS)")
        return [d for d in data if isinstance(d, bytes)]
    finally:
        conn.logout()


def test_polling_takes_each_mail_once(dovecot: Dovecot, email_inbox: Inbox) -> None:
    mailbox, user = mailbox_for(dovecot, email_inbox)
    append(dovecot, user, make_mail(subject="First", sender="a@example.com").as_bytes())
    append(dovecot, user, make_mail(subject="Second", sender="b@example.com").as_bytes())

    assert imap.poll_once(mailbox.pk) == 2
    assert imap.poll_once(mailbox.pk) == 0
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 2
    assert mailbox.uidvalidity is not None
    assert mailbox.last_error == ""
    assert sorted(Conversation.objects.values_list("subject", flat=True)) == ["First", "Second"]
    assert InboundEnvelope.objects.count() == 2
    rows = RawMail.objects.filter(mailbox=mailbox)
    assert [r.status for r in rows] == [RawMailStatus.INGESTED] * 2
    assert sorted(r.imap_uid or 0 for r in rows) == [1, 2]
    assert all(b"\\Seen" in f for f in seen_flags(dovecot, user))

    # a crash after storing but before last_uid moved: fetched again, stored once
    EmailMailbox.objects.filter(pk=mailbox.pk).update(last_uid=0)
    assert imap.poll_once(mailbox.pk) == 2
    assert RawMail.objects.filter(mailbox=mailbox).count() == 2
    assert Message.objects.filter(direction="in").count() == 2


def test_too_big_mail_is_recorded_not_fetched(
    dovecot: Dovecot, email_inbox: Inbox, settings: object
) -> None:
    import dataclasses

    from django.conf import settings as dj

    mailbox, user = mailbox_for(dovecot, email_inbox)
    append(dovecot, user, make_mail(body="x" * 4000).as_bytes())
    old = dj.CONFIG
    dj.CONFIG = dataclasses.replace(old, email_max_message_bytes=1000)
    try:
        assert imap.poll_once(mailbox.pk) == 0
    finally:
        dj.CONFIG = old
    row = RawMail.objects.get(mailbox=mailbox)
    assert row.status == RawMailStatus.REJECTED
    assert "larger than 1000" in row.reason
    assert row.spool_path == ""
    assert not Conversation.objects.exists()


def test_idle_picks_up_new_mail(
    transactional_db: None, dovecot: Dovecot, email_inbox: Inbox
) -> None:
    mailbox, user = mailbox_for(dovecot, email_inbox)
    poller = imap.MailboxPoller(mailbox.pk, idle_seconds=30)
    poller.start()
    try:
        deadline = time.monotonic() + 20
        while poller.cycles < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert poller.cycles == 1, EmailMailbox.objects.get(pk=mailbox.pk).last_error
        time.sleep(0.2)  # let the poller enter IDLE
        append(dovecot, user, make_mail(subject="Pushed").as_bytes())
        while not Conversation.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert Conversation.objects.get().subject == "Pushed"
        while poller.cycles < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert poller.cycles == 2  # woken by IDLE (the 30 s IDLE did not time out)
        assert EmailMailbox.objects.get(pk=mailbox.pk).last_error == ""
    finally:
        poller.stop()
        poller.join(10)
    assert not poller.is_alive()
    assert RawMail.objects.get().status == RawMailStatus.INGESTED
