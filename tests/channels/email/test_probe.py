""" "Test connection" of an email inbox against real servers: Dovecot (IMAP login and
folder), an SMTP server with and without AUTH, and a closed port."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.channels.email.conftest import Dovecot, Sink, free_port
from wowdesk.channels.email import probe
from wowdesk.channels.email.models import EmailMailbox
from wowdesk.channels.email.outbound import Relay
from wowdesk.conversations.models import Inbox

pytestmark = [
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),
    pytest.mark.filterwarnings("ignore:Session.login_data is deprecated"),
]

SMTP_USER = "relay-user"
SMTP_PASSWORD = "relay-Pa55"


def closed_port() -> int:
    """A port of our range nobody listens on (bound and released: connecting is refused)."""
    port = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
    return port


def mailbox(inbox: Inbox, dovecot: Dovecot, **over: Any) -> EmailMailbox:
    fields: dict[str, Any] = {
        "inbox": inbox,
        "host": "127.0.0.1",
        "port": dovecot.port,
        "security": "none",
        "username": dovecot.new_user(),
        "password": dovecot.password,
        "folder": "INBOX",
    }
    fields.update(over)
    return EmailMailbox.objects.create(**fields)


def test_imap_login_and_folder_work(email_inbox: Inbox, dovecot: Dovecot) -> None:
    result = probe.probe_imap(mailbox(email_inbox, dovecot))
    assert result.ok, result.reason
    assert "INBOX" in result.reason


@pytest.mark.parametrize(
    "over, words",
    [
        # One failed login only: Dovecot delays every later login from the address more.
        ({"password": "wrong"}, "IMAP refused"),
        ({"folder": "No Such Folder"}, "IMAP refused"),
        ({"folder": 'Quoted "odd" \\ folder'}, "IMAP refused"),
    ],
)
def test_imap_refusals_are_reported_with_the_reason(
    email_inbox: Inbox, dovecot: Dovecot, over: dict[str, Any], words: str
) -> None:
    result = probe.probe_imap(mailbox(email_inbox, dovecot, **over))
    assert not result.ok
    assert words in result.reason


@pytest.mark.parametrize("security", ["none", "ssl", "starttls"])
def test_imap_on_a_closed_port_says_it_cannot_connect(
    email_inbox: Inbox, dovecot: Dovecot, security: str
) -> None:
    port = closed_port()
    result = probe.probe_imap(mailbox(email_inbox, dovecot, port=port, security=security))
    assert not result.ok
    assert f"127.0.0.1:{port}" in result.reason


def test_imap_tls_against_a_plain_server_fails_with_a_reason(
    email_inbox: Inbox, dovecot: Dovecot
) -> None:
    for security in ("ssl", "starttls"):
        result = probe.probe_imap(mailbox(email_inbox, dovecot, security=security))
        assert not result.ok and result.reason


class Authenticator:
    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        ok = (
            isinstance(data, LoginPassword)
            and data.login == SMTP_USER.encode()
            and data.password == SMTP_PASSWORD.encode()
        )
        return AuthResult(success=ok, handled=False)


@pytest.fixture
def auth_sink() -> Sink:
    return Sink()


@pytest.fixture
def auth_relay(auth_sink: Sink) -> Iterator[int]:
    """An SMTP server that wants a login (offered without TLS, on localhost only); what
    it is sent lands in ``auth_sink``."""
    port = free_port()
    controller = Controller(
        auth_sink,
        hostname="127.0.0.1",
        port=port,
        authenticator=Authenticator(),
        auth_require_tls=False,
        auth_required=True,
    )
    controller.start()
    yield port
    controller.stop()


def test_smtp_login_works(auth_relay: int) -> None:
    relay = Relay(host="127.0.0.1", port=auth_relay, username=SMTP_USER, password=SMTP_PASSWORD)
    result = probe.probe_smtp(relay)
    assert result.ok, result.reason
    assert SMTP_USER in result.reason


@pytest.mark.parametrize(
    "username, password",
    [(SMTP_USER, "wrong"), ("someone", SMTP_PASSWORD), (SMTP_USER, "")],
)
def test_smtp_login_refused_is_reported(auth_relay: int, username: str, password: str) -> None:
    relay = Relay(host="127.0.0.1", port=auth_relay, username=username, password=password)
    result = probe.probe_smtp(relay)
    assert not result.ok
    assert "535" in result.reason


def test_smtp_without_auth_and_a_login_asked_for_is_reported(sink: Sink, settings: Any) -> None:
    port = settings.CONFIG.email_port
    assert probe.probe_smtp(Relay(host="127.0.0.1", port=port)).ok
    result = probe.probe_smtp(Relay(host="127.0.0.1", port=port, username="u", password="p"))
    assert not result.ok and "SMTP" in result.reason


@pytest.mark.parametrize("security", ["none", "ssl", "starttls"])
def test_smtp_on_a_closed_port_says_it_cannot_connect(security: str) -> None:
    port = closed_port()
    result = probe.probe_smtp(Relay(host="127.0.0.1", port=port, security=security))
    assert not result.ok
    assert f"127.0.0.1:{port}" in result.reason


def test_starttls_against_a_server_without_it_is_reported(sink: Sink, settings: Any) -> None:
    relay = Relay(host="127.0.0.1", port=settings.CONFIG.email_port, security="starttls")
    result = probe.probe_smtp(relay)
    assert not result.ok and result.reason


def test_a_password_that_cannot_be_decrypted_is_reported_not_crashing(
    email_inbox: Inbox, dovecot: Dovecot, settings: Any
) -> None:
    """The secret key changed (or the value was altered): the test and the poller say
    so instead of trying an empty password."""
    from wowdesk.channels.email import imap

    box = mailbox(email_inbox, dovecot)
    settings.SECRET_KEY = "another-install-" + "k" * 40
    reloaded = EmailMailbox.objects.get(pk=box.pk)
    assert reloaded.password == ""
    result = probe.probe_imap(reloaded)
    assert not result.ok and "cannot be decrypted" in result.reason
    with pytest.raises(imap.PasswordUnreadable):
        imap.poll_once(box.pk)


def test_replies_leave_through_the_inboxs_own_relay_with_its_sender_name(
    sink: Sink,
    auth_relay: int,
    auth_sink: Sink,
    email_inbox: Inbox,
    agent: Any,
) -> None:
    """An inbox with its own SMTP settings sends through that relay (logged in), under
    its sender name; without them, through the installation's relay (``sink``)."""
    from tests.channels.email.test_outbound import inbound, reply
    from wowdesk.channels import inbox_secrets, outbox
    from wowdesk.conversations.models import OutboxMessage, OutboxStatus

    inbox_secrets.configure(
        email_inbox,
        smtp={
            "host": "127.0.0.1",
            "port": auth_relay,
            "security": "none",
            "username": SMTP_USER,
            "from_name": "Acme Help Desk",
        },
        smtp_password=SMTP_PASSWORD,
    )
    out = reply(inbound(email_inbox), agent)
    row = outbox.deliver(OutboxMessage.objects.get(message=out).pk)
    assert row.status == OutboxStatus.SENT, row.last_error
    assert sink.mails == []  # not through the installation's relay
    assert len(auth_sink.mails) == 1
    assert auth_sink.mails[0][2]["From"].addresses[0].display_name == "Acme Help Desk"
    # A wrong stored password: the relay refuses, the reply is not lost (it fails with
    # the reason), and the installation's relay is not used instead.
    inbox_secrets.configure(
        Inbox.objects.get(pk=email_inbox.pk),
        smtp={"host": "127.0.0.1", "port": auth_relay, "security": "none", "username": SMTP_USER},
        smtp_password="wrong",
    )
    second = reply(inbound(email_inbox, subject="Another"), agent)
    failed = outbox.deliver(OutboxMessage.objects.get(message=second).pk)
    assert failed.status != OutboxStatus.SENT and "535" in failed.last_error
    assert sink.mails == []
    # No SMTP settings: the installation's relay, the brand's name.
    inbox_secrets.configure(Inbox.objects.get(pk=email_inbox.pk), smtp={})
    third = reply(inbound(email_inbox, subject="Third"), agent)
    assert outbox.deliver(OutboxMessage.objects.get(message=third).pk).status == OutboxStatus.SENT
    assert len(sink.mails) == 1
    assert sink.mails[0][2]["From"].addresses[0].display_name == email_inbox.brand.name
