"""The searchable tables are registered by the apps that own them (core.textsearch knows
the mechanism only); repair puts back the triggers of every registered index."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.db.models.signals import post_migrate

from tests.factories import make_customer
from wowdesk.conversations.search import CONVERSATION_SUBJECT, MESSAGE_WORDS
from wowdesk.core import textsearch
from wowdesk.core.models import Brand
from wowdesk.customers.models import Customer, Identity
from wowdesk.customers.search import CUSTOMER_CONTACT, IDENTITY_VALUE

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite full-text tables and triggers"
)


def test_each_app_registers_its_own_tables() -> None:
    tables = {ix.table: ix for ix in textsearch.registered()}
    assert tables == {
        "conversations_conversation": CONVERSATION_SUBJECT,
        "conversations_message": MESSAGE_WORDS,
        "customers_customer": CUSTOMER_CONTACT,
        "customers_identity": IDENTITY_VALUE,
    }
    # the core declares no table of its own
    assert not [
        name for name, value in vars(textsearch).items() if isinstance(value, textsearch.TextIndex)
    ]


def test_registering_again_changes_nothing() -> None:
    before = textsearch.registered()
    textsearch.register(CUSTOMER_CONTACT, MESSAGE_WORDS)
    assert textsearch.registered() == before


@sqlite_only
def test_repair_runs_after_every_migrate(db: None) -> None:
    """``post_migrate`` (connected by the core) puts back a dropped trigger."""
    with connection.cursor() as cur:
        cur.execute(f"DROP TRIGGER {MESSAGE_WORDS.trigger('au')}")
    core = apps.get_app_config("core")
    post_migrate.send(
        sender=core,
        app_config=core,
        verbosity=0,
        interactive=False,
        using="default",
        apps=apps,
        plan=[],
    )
    assert MESSAGE_WORDS.trigger("au") in _triggers()


def _triggers() -> set[str]:
    with connection.cursor() as cur:
        cur.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {r[0] for r in cur.fetchall()}


@sqlite_only
@pytest.mark.parametrize("ix", [CUSTOMER_CONTACT, IDENTITY_VALUE], ids=lambda ix: ix.table)
def test_repair_puts_back_the_triggers_of_another_apps_index(
    brand: Brand, ix: textsearch.TextIndex
) -> None:
    with connection.cursor() as cur:
        cur.execute(f"DROP TRIGGER {ix.trigger('ai')}")
    assert ix.trigger("ai") not in _triggers()
    customer = make_customer(brand, name="Zebulon Quartermain", email="zq@example.org")
    textsearch.repair()
    assert ix.trigger("ai") in _triggers()
    model = Customer if ix is CUSTOMER_CONTACT else Identity
    term = "quartermain" if ix is CUSTOMER_CONTACT else "zq@example"
    found = model.objects.filter(textsearch.contains(ix, term))
    owner = "pk" if ix is CUSTOMER_CONTACT else "customer_id"
    assert list(found.values_list(owner, flat=True)) == [customer.pk]


@sqlite_only
def test_repair_leaves_unregistered_tables_alone(brand: Brand) -> None:
    """An index no app registers is not the core's to repair."""
    with connection.cursor() as cur:
        cur.execute(f"DROP TRIGGER {IDENTITY_VALUE.trigger('ai')}")
    saved = dict(textsearch._registry)
    textsearch._registry.pop(IDENTITY_VALUE.fts)
    try:
        textsearch.repair()
        assert IDENTITY_VALUE.trigger("ai") not in _triggers()
    finally:
        textsearch._registry.clear()
        textsearch._registry.update(saved)
        textsearch.repair()
    assert IDENTITY_VALUE.trigger("ai") in _triggers()
