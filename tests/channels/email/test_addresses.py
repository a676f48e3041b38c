"""An email address belongs to one inbox in the whole installation; a mail to any way
of writing it (case, Unicode case, IDNA, plus-addressing) reaches exactly that inbox."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from tests.channels.email.conftest import make_mail
from tests.channels.email.test_smtp_inbound import send
from tests.conftest import ApiClient
from wowdesk.channels.email import services
from wowdesk.channels.email.models import RawMail
from wowdesk.channels.email.smtp_server import InboundController
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Inbox, Message
from wowdesk.core.errors import Conflict, InvalidInput
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.customers.identity import InvalidAddress, inbox_address_key

CLAIMS = [
    ("help@acme.test", ["HELP@acme.test", "help@ACME.TEST", "help+globex@acme.test"]),
    ("Help+Sales@Acme.test", ["help@acme.test", "help+other@acme.test", "HELP+SALES@acme.test"]),
    ("ünal@exämple.test", ["ÜNAL@EXÄMPLE.test", "ünal@xn--exmple-cua.test", "Ünal+x@exämple.test"]),
    ("straße@x.test", ["STRASSE@x.test", "strasse@X.test"]),
]


@pytest.mark.parametrize(("claimed", "variants"), CLAIMS)
def test_no_other_inbox_claims_an_address_in_any_form(
    brand: Brand, other_brand: Brand, claimed: str, variants: list[str]
) -> None:
    conversations.create_inbox(brand_id=brand.pk, name="Mail", channel="email", address=claimed)
    for i, variant in enumerate(variants):
        for owner in (other_brand, brand):
            with pytest.raises(Conflict) as caught:
                conversations.create_inbox(
                    brand_id=owner.pk, name=f"Mail {i}", channel="email", address=variant
                )
            assert caught.value.field == "address"
        # the admin form's check, and the database's last word
        form_side = Inbox(brand=other_brand, name="Copy", channel="email", address=variant)
        with pytest.raises(ValidationError) as invalid:
            form_side.full_clean()
        assert "address" in invalid.value.message_dict
        with pytest.raises(IntegrityError), transaction.atomic():
            Inbox.objects.create(brand=other_brand, name="Copy", channel="email", address=variant)
    assert Inbox.objects.filter(channel="email").count() == 1


def test_other_channels_and_distinct_addresses_are_free(brand: Brand, other_brand: Brand) -> None:
    conversations.create_inbox(brand_id=brand.pk, name="Mail", channel="email", address="a@x.test")
    conversations.create_inbox(
        brand_id=other_brand.pk, name="Mail", channel="email", address="b@x.test"
    )
    conversations.create_inbox(
        brand_id=other_brand.pk, name="Chat", channel="chat", address="a@x.test"
    )
    assert Inbox.objects.count() == 3


def test_an_invalid_email_address_is_refused(brand: Brand) -> None:
    for bad in ("not an address", "a@", "@x.test", "a b@x.test"):
        with pytest.raises(InvalidInput) as caught:
            conversations.create_inbox(brand_id=brand.pk, name="Mail", channel="email", address=bad)
        assert caught.value.field == "address"


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_api_refuses_another_brands_address_for_every_role(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
    role: str,
) -> None:
    conversations.create_inbox(
        brand_id=brand.pk, name="Mail", channel="email", address="help@acme.test"
    )
    for owner in (other_brand, brand):
        api = make_api(make_agent(role, brands=[owner]))
        response = api.post(
            "/inboxes", {"name": "Mine", "channel": "email", "address": "HELP+mine@acme.test"}
        )
        if role != Role.ADMIN:
            assert response.status_code == 403
            continue
        assert response.status_code == 409, response.content
        assert response.json()["field"] == "address"
        ok = api.post(
            "/inboxes",
            {"name": f"Own {owner.pk}", "channel": "email", "address": f"{owner.slug}@x.test"},
        )
        assert ok.status_code == 201, ok.content
        assert ok.json()["brand_id"] == owner.pk


@pytest.mark.parametrize(
    "rcpt",
    ["help@acme.test", "HELP@Acme.Test", "help+order-17@acme.test", "Help+X@ACME.TEST"],
)
def test_a_mail_reaches_exactly_one_inbox(brand: Brand, other_brand: Brand, rcpt: str) -> None:
    mine = conversations.create_inbox(
        brand_id=brand.pk, name="Mail", channel="email", address="help@acme.test"
    )
    conversations.create_inbox(
        brand_id=other_brand.pk, name="Mail", channel="email", address="help@globex.test"
    )
    assert services.inboxes_for(rcpt) == [mine]
    assert services.inboxes_for(f"<{rcpt}>") == [mine]
    assert services.inboxes_for("help@globex.test.acme.test") == []


def test_smtp_delivers_a_plus_address_to_its_inbox_once(
    listener: InboundController, brand: Brand, other_brand: Brand
) -> None:
    mine = conversations.create_inbox(
        brand_id=brand.pk, name="Mail", channel="email", address="help@acme.test"
    )
    raw = make_mail(to="help+orders@acme.test").as_bytes()
    send(listener, raw, to="HELP+orders@ACME.test")
    row = RawMail.objects.get()
    assert row.inbox_id == mine.pk and row.brand_id == brand.pk
    assert Message.objects.get(direction="in").brand_id == brand.pk


LOCAL = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
    min_size=1,
    max_size=20,
)
DOMAIN = st.sampled_from(["acme.test", "ACME.Test", "exämple.test", "xn--exmple-cua.test"])


@given(LOCAL, st.text(alphabet="abcxyz0123-", max_size=10), DOMAIN)
def test_address_key_folds_case_and_plus(local: str, tag: str, domain: str) -> None:
    key = inbox_address_key(f"{local}@{domain}")
    assert key == inbox_address_key(f"{local.upper()}+{tag}@{domain.upper()}")
    assert key == inbox_address_key(f"<{local.lower()}@{domain.lower()}>")
    assert key == key.casefold() and "+" not in key.partition("@")[0]


@given(st.text(max_size=60))
def test_address_key_never_fails_otherwise(value: str) -> None:
    try:
        key = inbox_address_key(value)
    except InvalidAddress:
        return
    assert "@" in key and key == inbox_address_key(key)


def test_setup_leaves_the_default_inbox_without_an_address_another_brand_claims(
    brand: Brand, other_brand: Brand, settings: object
) -> None:
    from wowdesk.core.services import default_brand
    from wowdesk.setup import ensure_defaults

    assert default_brand() == brand  # the first brand

    claimed = settings.CONFIG.support_address  # type: ignore[attr-defined]
    conversations.create_inbox(
        brand_id=other_brand.pk, name="Mail", channel="email", address=claimed.upper()
    )
    ensure_defaults()
    mine = Inbox.objects.get(brand=default_brand(), channel="email")
    assert mine.address == "" and mine.address_key == ""
    assert services.inboxes_for(claimed)[0].brand_id == other_brand.pk
