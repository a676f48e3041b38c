"""An admin sees every stored mail with what became of it, rejections with the reason."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.test import Client

from tests.channels.email.conftest import SUPPORT
from wowdesk.channels.email import services
from wowdesk.channels.email.models import RawMailStatus
from wowdesk.conversations.models import Inbox


def test_rejected_mail_is_listed_with_its_reason(email_inbox: Inbox) -> None:
    row = services.receive(
        b"To: help@acme.test\r\nSubject: anonymous\r\n\r\nwho sent this?\r\n",
        source="smtp",
        inbox=email_inbox,
        mail_from="x@example.com",
        rcpt_to=[SUPPORT],
    )
    assert row.status == RawMailStatus.REJECTED
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-12345678")
    client = Client()
    client.force_login(user)
    page = client.get("/admin/ingest/rawmail/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "anonymous" in text
    assert "The mail has no sender address (From)." in text
    detail = client.get(f"/admin/ingest/rawmail/{row.pk}/change/")
    assert detail.status_code == 200
