"""The parser never raises, whatever the bytes; every mail becomes a stored record."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.channels.email.conftest import SUPPORT
from wowdesk.channels.email import services
from wowdesk.channels.email.models import RawMail, RawMailStatus
from wowdesk.channels.email.parse import decode_bytes, parse_mail
from wowdesk.conversations.models import Inbox

HEADER_NAMES = st.sampled_from(
    [
        "From",
        "To",
        "Cc",
        "Subject",
        "Message-ID",
        "In-Reply-To",
        "References",
        "Date",
        "Content-Type",
        "Content-Transfer-Encoding",
        "Content-Disposition",
        "Auto-Submitted",
        "MIME-Version",
        "Reply-To",
    ]
)
NASTY = st.sampled_from(
    [
        "=?utf-8?b?w4Fu?=",
        "=?x-unknown?q?=FF?=",
        "<a@b>",
        '"" <@>',
        "multipart/mixed",
        "multipart/report; report-type=delivery-status; boundary=b",
        "base64",
        "quoted-printable",
        'text/plain; charset="klingon"',
        'attachment; filename="../x"',
        "--b",
        "\r\n",
        ";",
        "\x00",
        "é",
        "𝔘",
    ]
)
HEADER_VALUE = st.lists(st.one_of(NASTY, st.text(max_size=20)), max_size=5).map("".join)


@st.composite
def mails(draw: st.DrawFn) -> bytes:
    headers = draw(st.lists(st.tuples(HEADER_NAMES, HEADER_VALUE), max_size=10))
    body = draw(st.one_of(st.binary(max_size=300), HEADER_VALUE.map(lambda s: s.encode())))
    head = "".join(f"{k}: {v}\r\n" for k, v in headers).encode("utf-8", "surrogateescape")
    return head + b"\r\n" + body


@given(st.one_of(st.binary(max_size=2000), mails()))
@settings(max_examples=300, deadline=None)
def test_parse_never_raises(raw: bytes) -> None:
    parsed = parse_mail(raw, max_attachment_bytes=100)
    assert isinstance(parsed.text, str) and "\x00" not in parsed.text
    assert "\x00" not in parsed.subject
    assert all(len(a.data) <= 100 for a in parsed.attachments)
    assert parsed.message_id == "" or parsed.message_id.startswith("<")


@given(st.binary(max_size=500), st.sampled_from([None, "utf-8", "klingon", "us-ascii", "gb2312"]))
def test_decode_never_raises(data: bytes, charset: str | None) -> None:
    text, _defect = decode_bytes(data, charset)
    assert isinstance(text, str)


@given(st.one_of(st.binary(max_size=1000), mails()))
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_bytes_end_as_a_stored_record(email_inbox: Inbox, raw: bytes) -> None:
    row = services.receive(
        raw, source="smtp", inbox=email_inbox, mail_from="x@example.com", rcpt_to=[SUPPORT]
    )
    row = RawMail.objects.get(pk=row.pk)
    assert row.status in {
        RawMailStatus.INGESTED,
        RawMailStatus.REJECTED,
        RawMailStatus.IGNORED,
        RawMailStatus.BOUNCE,
    }, row.reason
    assert row.size == len(raw)
    assert services.read_spooled(row) == raw
    if row.status == RawMailStatus.REJECTED:
        assert row.reason
    if row.status == RawMailStatus.INGESTED:
        assert row.message is not None
