"""IMAP passwords at rest: sealed with a key derived from the secret key, readable by the
poller, never shown again in the admin."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from wowdesk.channels.email.models import EmailMailbox
from wowdesk.conversations.models import Inbox
from wowdesk.core import vault

PASSWORDS = ["imap-pass-1", "pä55wörd with spaces ", "enc1:looks-sealed", "x" * 400, "密码"]


def stored(mailbox: EmailMailbox) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT password FROM {EmailMailbox._meta.db_table} WHERE id = %s", [mailbox.pk]
        )
        return str(cursor.fetchone()[0])


def make_mailbox(inbox: Inbox, password: str) -> EmailMailbox:
    return EmailMailbox.objects.create(
        inbox=inbox, host="imap.example.com", username="help@acme.test", password=password
    )


@pytest.mark.parametrize("password", PASSWORDS)
def test_the_password_is_stored_sealed_and_read_back_plain(
    email_inbox: Inbox, password: str
) -> None:
    mailbox = make_mailbox(email_inbox, password)
    raw = stored(mailbox)
    assert raw.startswith(vault.PREFIX)
    assert password.strip() not in raw
    assert EmailMailbox.objects.get(pk=mailbox.pk).password == password
    # The same secret sealed again is another string (random IV).
    mailbox.save()
    assert stored(mailbox) != raw
    assert EmailMailbox.objects.get(pk=mailbox.pk).password == password


def test_an_empty_password_stays_empty(email_inbox: Inbox) -> None:
    mailbox = make_mailbox(email_inbox, "")
    assert stored(mailbox) == ""
    assert EmailMailbox.objects.get(pk=mailbox.pk).password == ""


def test_another_secret_key_cannot_read_it(email_inbox: Inbox, settings: Any) -> None:
    mailbox = make_mailbox(email_inbox, "imap-pass-1")
    settings.SECRET_KEY = "another-install-" + "k" * 40
    assert EmailMailbox.objects.get(pk=mailbox.pk).password == ""
    with pytest.raises(vault.SecretUnreadable):
        vault.open_sealed(stored(mailbox))


def test_a_password_stored_in_clear_before_is_sealed_by_the_migration(
    email_inbox: Inbox,
) -> None:
    import importlib

    mailbox = make_mailbox(email_inbox, "")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {EmailMailbox._meta.db_table} SET password = %s WHERE id = %s",
            ["legacy-clear", mailbox.pk],
        )
    assert EmailMailbox.objects.get(pk=mailbox.pk).password == "legacy-clear"
    migration = importlib.import_module("wowdesk.channels.migrations.0003_sealed_mailbox_password")
    migration.seal_stored_passwords(django_apps, None)
    assert stored(mailbox).startswith(vault.PREFIX)
    assert EmailMailbox.objects.get(pk=mailbox.pk).password == "legacy-clear"


def _admin_client() -> Client:
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-12345678")
    client = Client()
    client.force_login(user)
    return client


def _form(page: str) -> dict[str, str]:
    """The change form's fields as the browser would post them back."""
    data: dict[str, str] = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        data.setdefault(name, value)
    for name in re.findall(r'<input[^>]*type="checkbox"[^>]*name="([^"]+)"[^>]*checked', page):
        data[name] = "on"
    for name, value in re.findall(
        r'<select[^>]*name="([^"]+)"[^>]*>.*?<option value="([^"]*)"[^>]*selected', page, re.S
    ):
        data[name] = value
    return data


def test_the_admin_never_shows_the_password_and_empty_keeps_it(email_inbox: Inbox) -> None:
    mailbox = make_mailbox(email_inbox, "imap-pass-1")
    client = _admin_client()
    url = f"/admin/ingest/emailmailbox/{mailbox.pk}/change/"
    page = client.get(url).content.decode()
    assert "imap-pass-1" not in page
    assert stored(mailbox) not in page
    assert re.search(r'<input[^>]*type="password"[^>]*name="password"', page)
    data = _form(page)
    data.pop("password", None)
    data["folder"] = "Support"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    mailbox.refresh_from_db()
    assert mailbox.folder == "Support"
    assert mailbox.password == "imap-pass-1"
    data["password"] = "new-pass-2"
    assert client.post(url, data).status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.password == "new-pass-2"
    assert "new-pass-2" not in client.get(url).content.decode()
