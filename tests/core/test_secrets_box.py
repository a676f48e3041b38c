"""Secrets at rest: round trip, a tampered value fails loudly, retired keys still open,
readers get "" (logged) instead of a crash, plain values stored before are sealed by the
migration."""

from __future__ import annotations

import base64
import binascii
import importlib
import logging
from typing import Any

import pytest
from django.apps import apps as django_apps
from hypothesis import given, settings
from hypothesis import strategies as st

from wowdesk.channels import inbox_secrets
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Inbox
from wowdesk.core import secrets_box, vault
from wowdesk.core.models import Brand

KEY = "k" * 50
OLD_KEY = "o" * 50


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_round_trip(plaintext: str) -> None:
    sealed = secrets_box.encrypt(plaintext, KEY)
    if plaintext:
        assert sealed.startswith(secrets_box.PREFIX)
        assert secrets_box.encrypt(plaintext, KEY) != sealed  # random IV
    assert secrets_box.decrypt(sealed, [KEY]) == plaintext
    assert secrets_box.decrypt(sealed, [OLD_KEY, KEY]) == plaintext


def _b64_bytes(text: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(text)
    except (ValueError, binascii.Error):
        return None


@settings(max_examples=40, deadline=None)
@given(st.text(min_size=1, max_size=60), st.data())
def test_any_change_to_a_sealed_value_fails_loudly(plaintext: str, data: Any) -> None:
    sealed = secrets_box.encrypt(plaintext, KEY)
    body = sealed[len(secrets_box.PREFIX) :]
    i = data.draw(st.integers(0, len(body) - 1))
    replacement = data.draw(st.sampled_from("ABCDEFabcdef0123456789-_="))
    if body[i] == replacement:
        return
    changed = body[:i] + replacement + body[i + 1 :]
    if _b64_bytes(changed) == _b64_bytes(body):
        return  # only the unused low bits of the last base64 character: the same token
    tampered = secrets_box.PREFIX + changed
    with pytest.raises(secrets_box.SecretTampered):
        secrets_box.decrypt(tampered, [KEY])


@pytest.mark.parametrize(
    "value", ["enc1:", "enc1:not-a-token", "enc1:" + "A" * 120, "enc1:gAAAA==", "enc1:\x00"]
)
def test_garbage_after_the_prefix_fails_loudly(value: str) -> None:
    with pytest.raises(secrets_box.SecretTampered):
        secrets_box.decrypt(value, [KEY])


def test_another_key_cannot_open_and_a_retired_key_still_can(settings: Any) -> None:
    sealed = secrets_box.encrypt("s3cret", OLD_KEY)
    with pytest.raises(secrets_box.SecretTampered):
        secrets_box.decrypt(sealed, [KEY])
    settings.SECRET_KEY = KEY
    settings.SECRET_KEY_FALLBACKS = [OLD_KEY]
    assert vault.open_sealed(sealed) == "s3cret"
    resealed = vault.seal("s3cret")
    assert secrets_box.decrypt(resealed, [KEY]) == "s3cret"  # under the current key


def test_a_plain_value_stored_before_reads_as_it_is() -> None:
    assert secrets_box.decrypt("legacy-plain", [KEY]) == "legacy-plain"
    assert not secrets_box.is_encrypted("legacy-plain")


@pytest.mark.parametrize(
    "plaintext, shown", [("", ""), ("short", "••••"), ("a" * 20 + "wxyz", "••••wxyz")]
)
def test_the_hint_never_shows_a_short_secret(plaintext: str, shown: str) -> None:
    assert secrets_box.hint(plaintext) == shown


def test_an_unreadable_secret_is_reported_not_raised(
    brand: Brand, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    inbox = conversations.create_inbox(brand_id=brand.pk, name="Line", channel="voice")
    inbox_secrets.set_secret(inbox, "secret", "voice-secret-1")
    tampered = dict(Inbox.objects.get(pk=inbox.pk).settings)
    tampered["secret"] = tampered["secret"][:-6] + "AAAAAA"
    Inbox.objects.filter(pk=inbox.pk).update(settings=tampered)
    with caplog.at_level(logging.ERROR, logger="wowdesk.core.vault"):
        assert inbox_secrets.secret(Inbox.objects.get(pk=inbox.pk), "secret") == ""
    assert "cannot be decrypted" in caplog.text
    assert "voice-secret-1" not in caplog.text


def test_plain_inbox_secrets_are_sealed_by_the_migration(brand: Brand) -> None:
    voice = conversations.create_inbox(brand_id=brand.pk, name="Line", channel="voice")
    social = conversations.create_inbox(brand_id=brand.pk, name="Social", channel="social")
    email = conversations.create_inbox(
        brand_id=brand.pk, name="Mail", channel="email", address="m@acme-mig.test"
    )
    plain = {
        voice.pk: {"secret": "v-secret", "twilio_auth_token": "tw", "default_region": "DE"},
        social.pk: {"network": "telegram", "secret_token": "tg-secret", "bot_token": "b:1"},
        email.pk: {"smtp": {"host": "smtp.x", "password": "smtp-pw"}},
    }
    for pk, settings_ in plain.items():
        Inbox.objects.filter(pk=pk).update(settings=settings_)
    migration = importlib.import_module("wowdesk.channels.migrations.0007_sealed_inbox_secrets")
    migration.seal_inbox_secrets(django_apps, None)
    v, s, e = (Inbox.objects.get(pk=i.pk) for i in (voice, social, email))
    assert v.settings["default_region"] == "DE" and s.settings["network"] == "telegram"
    for row, key in (
        (v, "secret"),
        (v, "twilio_auth_token"),
        (s, "secret_token"),
        (s, "bot_token"),
    ):
        assert vault.is_sealed(row.settings[key])
    assert vault.is_sealed(e.settings["smtp"]["password"])
    assert inbox_secrets.opened(v)["secret"] == "v-secret"
    assert inbox_secrets.opened(s)["bot_token"] == "b:1"
    assert inbox_secrets.opened(e)["smtp"]["password"] == "smtp-pw"
    # Running it again changes nothing.
    before = [Inbox.objects.get(pk=i.pk).settings for i in (voice, social, email)]
    migration.seal_inbox_secrets(django_apps, None)
    assert [Inbox.objects.get(pk=i.pk).settings for i in (voice, social, email)] == before
