"""The inboxes settings pages (administrators): per role in each of two brands, the
other brand's ids, write-only secrets sealed at rest, secrets shown once, bad input."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from wowdesk.channels import inbox_secrets
from wowdesk.channels.email.models import EmailMailbox
from wowdesk.channels.email.outbound import relay_for
from wowdesk.channels.social.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Inbox
from wowdesk.core import vault
from wowdesk.core.models import Agent, Brand, Role

ROLES = [Role.AGENT, Role.SUPERVISOR, Role.ADMIN]
HOMES = ["brand", "other_brand"]
IMAP_PASSWORD = "imap-Pa55-word"
SMTP_PASSWORD = "smtp-Pa55-word"


def login(agent: Agent) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


def email_post(brand: Brand | None, **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Support mail",
        "address": "help@acme-settings.test",
        "imap_host": "imap.acme.test",
        "imap_port": "993",
        "imap_security": "ssl",
        "imap_username": "help@acme-settings.test",
        "imap_password": IMAP_PASSWORD,
        "imap_folder": "INBOX",
        "smtp_host": "smtp.acme.test",
        "smtp_port": "587",
        "smtp_security": "starttls",
        "smtp_username": "help@acme-settings.test",
        "smtp_password": SMTP_PASSWORD,
        "smtp_from_name": "Acme Help",
    }
    if brand is not None:
        data["brand"] = brand.pk
    data.update(over)
    return data


def raw_settings(inbox: Inbox) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT settings FROM {Inbox._meta.db_table} WHERE id = %s", [inbox.pk])
        value = cursor.fetchone()[0]
    return value if isinstance(value, str) else json.dumps(value)


def raw_mailbox_password(mailbox: EmailMailbox) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT password FROM {EmailMailbox._meta.db_table} WHERE id = %s", [mailbox.pk]
        )
        return str(cursor.fetchone()[0])


@pytest.mark.parametrize("home", HOMES)
@pytest.mark.parametrize("role", ROLES)
def test_inbox_pages_per_role_and_brand(
    make_agent: Callable[..., Agent], brand: Brand, other_brand: Brand, role: str, home: str
) -> None:
    mine, theirs = (brand, other_brand) if home == "brand" else (other_brand, brand)
    me = make_agent(role, brands=[mine])
    client = login(me)
    other = conversations.create_inbox(brand_id=theirs.pk, name="Their line", channel="voice")
    inbox_secrets.set_secret(other, "secret", "their-voice-secret")
    listed = client.get("/settings/inboxes/")
    new_page = client.get("/settings/inboxes/new/email/")
    created = client.post("/settings/inboxes/new/email/", email_post(mine))
    foreign = client.post(
        "/settings/inboxes/new/voice/", {"brand": theirs.pk, "name": "Sneaky line"}
    )
    edit_other = client.get(f"/settings/inboxes/{other.pk}/")
    post_other = client.post(f"/settings/inboxes/{other.pk}/", {"name": "Hacked"})
    rotate_other = client.post(f"/settings/inboxes/{other.pk}/rotate/", {"key": "secret"})
    test_other = client.post(f"/settings/inboxes/{other.pk}/test/")
    assert Inbox.objects.get(pk=other.pk).name == "Their line"
    assert inbox_secrets.secret(other, "secret") == "their-voice-secret"
    assert not Inbox.objects.filter(name="Sneaky line").exists()
    if role != Role.ADMIN:
        assert {listed.status_code, new_page.status_code, created.status_code} == {403}
        assert {edit_other.status_code, rotate_other.status_code} == {403}
        assert not Inbox.objects.filter(name="Support mail").exists()
        return
    assert listed.status_code == 200 and new_page.status_code == 200
    assert "Their line" not in listed.content.decode()
    assert created.status_code == 201
    assert Inbox.objects.get(brand=mine, name="Support mail").channel == "email"
    assert foreign.status_code == 400
    statuses = [r.status_code for r in (edit_other, post_other, rotate_other, test_other)]
    assert statuses == [404, 404, 404, 404]


def test_email_passwords_are_write_only_and_sealed(
    make_agent: Callable[..., Agent], brand: Brand
) -> None:
    client = login(make_agent(Role.ADMIN))
    created = client.post("/settings/inboxes/new/email/", email_post(brand))
    assert created.status_code == 201
    inbox = Inbox.objects.get(name="Support mail")
    for response in (created, client.get(f"/settings/inboxes/{inbox.pk}/")):
        body = response.content.decode()
        assert IMAP_PASSWORD not in body and SMTP_PASSWORD not in body
        assert 'name="imap_password"' in body and 'name="smtp_password"' in body
    mailbox = EmailMailbox.objects.get(inbox=inbox)
    assert raw_mailbox_password(mailbox).startswith(vault.PREFIX)
    assert mailbox.password == IMAP_PASSWORD
    stored = raw_settings(inbox)
    assert SMTP_PASSWORD not in stored and vault.PREFIX in stored
    relay = relay_for(inbox)
    assert (relay.host, relay.port, relay.security, relay.password, relay.from_name) == (
        "smtp.acme.test",
        587,
        "starttls",
        SMTP_PASSWORD,
        "Acme Help",
    )
    # Empty keeps, typed replaces.
    kept = client.post(
        f"/settings/inboxes/{inbox.pk}/",
        email_post(None, imap_password="", smtp_password="", imap_folder="Support"),
    )
    assert kept.status_code == 302
    mailbox.refresh_from_db()
    assert (mailbox.password, mailbox.folder) == (IMAP_PASSWORD, "Support")
    assert relay_for(Inbox.objects.get(pk=inbox.pk)).password == SMTP_PASSWORD
    client.post(
        f"/settings/inboxes/{inbox.pk}/",
        email_post(None, imap_password="new-imap", smtp_password="new-smtp"),
    )
    mailbox.refresh_from_db()
    assert mailbox.password == "new-imap"
    assert relay_for(Inbox.objects.get(pk=inbox.pk)).password == "new-smtp"
    # No IMAP host: the mailbox goes; no SMTP host: the installation's relay.
    client.post(f"/settings/inboxes/{inbox.pk}/", email_post(None, imap_host="", smtp_host=""))
    assert not EmailMailbox.objects.filter(inbox=inbox).exists()
    assert relay_for(Inbox.objects.get(pk=inbox.pk)).password != "new-smtp"


def test_the_api_never_returns_inbox_secrets(
    make_agent: Callable[..., Agent], make_api: Callable[..., Any], brand: Brand
) -> None:
    admin = make_agent(Role.ADMIN)
    client = login(admin)
    client.post("/settings/inboxes/new/email/", email_post(brand))
    client.post("/settings/inboxes/new/voice/", {"brand": brand.pk, "name": "Line"})
    voice = Inbox.objects.get(name="Line")
    inbox_secrets.set_secret(voice, "twilio_auth_token", "twilio-token-xyz")
    answer = make_api(admin).get("/inboxes")
    assert answer.status_code == 200
    text = answer.content.decode()
    for secret in (IMAP_PASSWORD, SMTP_PASSWORD, "twilio-token-xyz", "password", vault.PREFIX):
        assert secret not in text
    assert "Line" in text and '"settings"' not in text


@pytest.mark.parametrize(
    "over, field",
    [
        ({"address": "not-an-address"}, "address"),
        ({"address": "HELP+x@Acme-Settings.test"}, "address"),  # taken (plus folded)
        ({"name": ""}, "name"),
        ({"imap_port": "70000"}, "imap_port"),
        ({"imap_port": "x"}, "imap_port"),
        ({"imap_security": "rot13"}, "imap_security"),
        ({"imap_username": ""}, "imap_username"),
        ({"smtp_port": "0"}, "smtp_port"),
        ({"smtp_security": "maybe"}, "smtp_security"),
    ],
)
def test_bad_email_inbox_input_is_refused_naming_the_field(
    make_agent: Callable[..., Agent], brand: Brand, over: dict[str, str], field: str
) -> None:
    client = login(make_agent(Role.ADMIN))
    conversations.create_inbox(
        brand_id=brand.pk, name="First", channel="email", address="help@acme-settings.test"
    )
    before = Inbox.objects.count()
    response = client.post(
        "/settings/inboxes/new/email/", email_post(brand, **{"name": "Second", **over})
    )
    assert response.status_code in (400, 409)
    assert f'data-field="{field}"' in response.content.decode()
    assert Inbox.objects.count() == before


def _signed_voice_event(client: Client, inbox: Inbox, secret: str) -> int:
    body = json.dumps(
        {"event": "ringing", "call_id": f"c-{time.time_ns()}", "from": "+4930123456"}
    ).encode()
    ts = int(time.time())
    response = client.post(
        f"/hooks/voice/{inbox.pk}/events",
        body,
        content_type="application/json",
        headers={SIGNATURE_HEADER: sign(secret, body, ts), TIMESTAMP_HEADER: str(ts)},
    )
    return int(response.status_code)


def test_a_voice_secret_is_shown_once_then_masked_and_rotates(
    make_agent: Callable[..., Agent], brand: Brand
) -> None:
    client = login(make_agent(Role.ADMIN))
    created = client.post(
        "/settings/inboxes/new/voice/",
        {"brand": brand.pk, "name": "Hotline", "twilio_auth_token": "tw-token-123456"},
    )
    assert created.status_code == 201
    inbox = Inbox.objects.get(name="Hotline")
    secret = inbox_secrets.secret(inbox, "secret")
    assert len(secret) >= 32
    body = created.content.decode()
    assert f'<code class="cs-secret" data-secret>{secret}</code>' in body
    assert f"/hooks/voice/{inbox.pk}/events" in body and "tw-token-123456" not in body
    again = client.get(f"/settings/inboxes/{inbox.pk}/").content.decode()
    assert secret not in again and "••••" + secret[-4:] in again
    assert secret not in raw_settings(inbox) and "tw-token-123456" not in raw_settings(inbox)
    assert _signed_voice_event(Client(), inbox, secret) < 400
    rotated = client.post(f"/settings/inboxes/{inbox.pk}/rotate/", {"key": "secret"})
    new = inbox_secrets.secret(Inbox.objects.get(pk=inbox.pk), "secret")
    assert new != secret and new in rotated.content.decode()
    assert _signed_voice_event(Client(), inbox, secret) == 403
    assert _signed_voice_event(Client(), inbox, new) < 400
    # Only the secrets wowdesk makes can be rotated.
    for key in ("twilio_auth_token", "nope", ""):
        assert client.post(f"/settings/inboxes/{inbox.pk}/rotate/", {"key": key}).status_code == 400
    assert inbox_secrets.secret(Inbox.objects.get(pk=inbox.pk), "twilio_auth_token") == (
        "tw-token-123456"
    )


@pytest.mark.parametrize(
    "network, made, header",
    [
        ("telegram", "secret_token", "X-Telegram-Bot-Api-Secret-Token"),
        ("whatsapp", "verify_token", None),
        ("generic", "secret", None),
    ],
)
def test_a_social_inbox_gets_its_networks_secret_once(
    make_agent: Callable[..., Agent], brand: Brand, network: str, made: str, header: str | None
) -> None:
    client = login(make_agent(Role.ADMIN))
    created = client.post(
        "/settings/inboxes/new/social/",
        {"brand": brand.pk, "name": "Social", "network": network, "bot_token": "bot:tok-999"},
    )
    assert created.status_code == 201
    inbox = Inbox.objects.get(name="Social")
    value = inbox_secrets.secret(inbox, made)
    assert value and value in created.content.decode()
    assert value not in client.get(f"/settings/inboxes/{inbox.pk}/").content.decode()
    assert value not in raw_settings(inbox)
    assert inbox_secrets.opened(inbox)["network"] == network
    if network == "whatsapp":
        ok = Client().get(
            f"/hooks/social/{inbox.pk}",
            {"hub.mode": "subscribe", "hub.verify_token": value, "hub.challenge": "42"},
        )
        assert (ok.status_code, ok.content) == (200, b"42")
        bad = Client().get(
            f"/hooks/social/{inbox.pk}",
            {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "42"},
        )
        assert bad.status_code == 403
    if header:
        refused = Client().post(
            f"/hooks/social/{inbox.pk}",
            b"{}",
            content_type="application/json",
            headers={header: "wrong"},
        )
        assert refused.status_code == 403


def test_the_chat_inbox_links_to_its_widget_page_only_when_it_exists(
    make_agent: Callable[..., Agent], brand: Brand
) -> None:
    from django.urls import NoReverseMatch, reverse

    client = login(make_agent(Role.ADMIN))
    chat = conversations.create_inbox(brand_id=brand.pk, name="Website chat", channel="chat")
    body = client.get("/settings/inboxes/").content.decode()
    assert 'data-inbox="Website chat"' in body
    try:
        url = reverse("web:inbox-widget", args=[chat.pk])
    except NoReverseMatch:
        assert f"/settings/inboxes/{chat.pk}/widget/" not in body
    else:
        assert url in body


def test_pages_answered_at_another_url_save_to_the_inbox_not_a_new_one(
    make_agent: Callable[..., Agent], brand: Brand
) -> None:
    """The answer to a create, a rotate or a test is shown at that action's URL: its form
    must post to the inbox's own page (saving again must not make a second inbox)."""
    client = login(make_agent(Role.ADMIN))
    created = client.post("/settings/inboxes/new/voice/", {"brand": brand.pk, "name": "Line"})
    inbox = Inbox.objects.get(name="Line")
    rotated = client.post(f"/settings/inboxes/{inbox.pk}/rotate/", {"key": "secret"})
    mail = client.post("/settings/inboxes/new/email/", email_post(brand, imap_host=""))
    email = Inbox.objects.get(name="Support mail")
    tested = client.post(f"/settings/inboxes/{email.pk}/test/")
    for response, pk in (
        (created, inbox.pk),
        (rotated, inbox.pk),
        (mail, email.pk),
        (tested, email.pk),
    ):
        assert f'id="inbox-form" action="/settings/inboxes/{pk}/"' in response.content.decode()
