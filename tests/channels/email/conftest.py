"""Real servers for the email tests, on 127.0.0.1 in ports 18300-18399: our own SMTP
listener, an aiosmtpd sink standing in for the outbound relay, and Dovecot for IMAP.

Without the ``dovecot`` binary the IMAP tests skip, unless ``WOWDESK_REQUIRE_SERVICES=1``
(then they fail): ``apt-get install -y dovecot-imapd``.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import pwd
import random
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from wowdesk.channels.email.smtp_server import InboundController, start_smtp_server
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Inbox
from wowdesk.core.models import Brand

SUPPORT = "help@acme.test"
PORTS = range(18300, 18400)  # this suite's range; several runs may share the machine


def free_port() -> int:
    """A port of our range nobody listens on now (random start: parallel runs differ)."""
    start = random.randrange(len(PORTS))
    for i in range(len(PORTS)):
        port = PORTS[(start + i) % len(PORTS)]
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18300-18399")


def _unavailable(reason: str) -> None:
    if os.environ.get("WOWDESK_REQUIRE_SERVICES") == "1":
        pytest.fail(f"email tests need it but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def email_inbox(brand: Brand) -> Inbox:
    return conversations.create_inbox(
        brand_id=brand.pk, name="Support mail", channel="email", address=SUPPORT
    )


@pytest.fixture
def listener(transactional_db: None) -> Iterator[InboundController]:
    controller = start_smtp_server("127.0.0.1", free_port())
    yield controller
    controller.stop()


class Sink:
    """An SMTP server that keeps what it is sent; ``reply`` makes it answer RCPT with a
    given code instead (e.g. ``"451 4.3.0 busy"``)."""

    def __init__(self) -> None:
        self.mails: list[tuple[str, list[str], EmailMessage]] = []
        self.reply: str | None = None

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if self.reply:
            return self.reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        mail = message_from_bytes(raw, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        self.mails.append((envelope.mail_from or "", list(envelope.rcpt_tos), mail))
        return "250 OK"


@pytest.fixture
def sink(settings: Any) -> Iterator[Sink]:
    handler = Sink()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.CONFIG = dataclasses.replace(
        settings.CONFIG, email_host="127.0.0.1", email_port=port, email_timeout=5.0
    )
    yield handler
    controller.stop()


@dataclasses.dataclass
class Dovecot:
    port: int
    password: str
    users: Iterator[str]

    def new_user(self) -> str:
        return next(self.users)


DOVECOT_CONF = """
protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
first_valid_uid = 100
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {d}/passwd
}}
userdb {{
  driver = passwd-file
  args = {d}/passwd
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
}}
"""


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    binary = shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
    )
    if binary is None:
        _unavailable("dovecot is not installed (apt-get install -y dovecot-imapd)")
    try:
        owner = pwd.getpwnam("dovecot")
    except KeyError:
        _unavailable("there is no dovecot user")
    d = Path(tempfile.mkdtemp(prefix="wowdesk-dovecot-"))
    d.chmod(0o755)  # dovecot's auth and mail processes run as the dovecot user
    for sub in ("run", "state", "mail"):
        (d / sub).mkdir()
    os.chown(d / "mail", owner.pw_uid, owner.pw_gid)
    password = "secret"
    users = [f"u{i}@acme.test" for i in range(1, 41)]
    (d / "passwd").write_text(
        "".join(
            f"{u}:{{PLAIN}}{password}:{owner.pw_uid}:{owner.pw_gid}::{d}/mail/{u.split('@')[0]}\n"
            for u in users
        )
    )
    (d / "passwd").chmod(0o644)
    conf = d / "dovecot.conf"
    port = free_port()
    conf.write_text(DOVECOT_CONF.format(d=d, port=port))
    proc = subprocess.Popen(
        [str(binary), "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None:
                err = proc.stderr.read().decode() if proc.stderr else ""
                _unavailable(f"dovecot did not start: {err[:500]}")
            time.sleep(0.1)
    else:
        proc.terminate()
        _unavailable("dovecot did not listen in time")
    yield Dovecot(port=port, password=password, users=iter(users))
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    shutil.rmtree(d, ignore_errors=True)


_seq = itertools.count(1)


def make_mail(
    *,
    subject: str = "My lamp arrived broken",
    body: str = "Hello, the lamp I ordered arrived with a cracked shade.",
    sender: str = "Ana Lima <ana@example.com>",
    to: str = SUPPORT,
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Message-ID"] = message_id or f"<t{next(_seq)}.{time.time_ns()}@example.com>"
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(body)
    return mail
