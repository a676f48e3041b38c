"""core.fastsql: on SQLite its statements go straight to the driver unless queries are being
recorded; both ways must write the same rows and raise Django's errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Direction, Message
from wowdesk.core import fastsql
from wowdesk.core.models import Brand
from wowdesk.customers.models import Customer, Identity
from wowdesk.customers.services import _add_identity

pytestmark = pytest.mark.django_db


def _row(pk: int) -> tuple[Any, ...]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {fastsql.table(Message)} WHERE id = %s", [pk])
        row = cursor.fetchone()
    assert row is not None
    return tuple(row[1:])  # all but the id


def _message(conversation: Conversation, when: dt.datetime) -> Message:
    return fastsql.insert(
        Message,
        conversation=conversation,
        brand_id=conversation.brand_id,
        direction=Direction.IN,
        channel="api",
        body="Bonjour, ma commande n'est pas arrivée.",
        external_id="x",
        meta={"k": ["v", 1], "nested": {"é": None}},
        language="fr",
        language_confidence=0.75,
        sent_at=when,
        created_at=when,
    )


def _no_cursor(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the statement went through Django's cursor")


@pytest.fixture
def conversation(brand: Brand) -> Conversation:
    inbox = conversations.default_inbox(brand.pk, "api")
    customer = Customer.objects.create(brand=brand, name="Ana")
    return conversations.create_conversation(
        inbox=inbox, customer=customer, subject="Late", language="fr"
    )


def test_driver_and_cursor_write_the_same_row(
    conversation: Conversation, monkeypatch: pytest.MonkeyPatch
) -> None:
    when = timezone.now()
    if connection.vendor == "sqlite":  # the statement must not go through Django's cursor
        with monkeypatch.context() as patched:
            patched.setattr(connections[DEFAULT_DB_ALIAS], "cursor", _no_cursor)
            straight = _message(conversation, when)
    else:
        straight = _message(conversation, when)
    assert not connection.queries_logged
    with CaptureQueriesContext(connection) as recorded:  # Django's cursor path
        through_django = _message(conversation, when)
    assert any("INSERT" in q["sql"] for q in recorded.captured_queries)
    assert _row(straight.pk) == _row(through_django.pk)
    # and the ORM reads back what was given
    again = Message.objects.get(pk=straight.pk)
    assert again.created_at == when and again.meta == {"k": ["v", 1], "nested": {"é": None}}


def test_non_utc_datetimes_take_djangos_conversion(conversation: Conversation) -> None:
    berlin = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    message = _message(conversation, berlin)
    assert Message.objects.get(pk=message.pk).sent_at == berlin


def test_driver_path_raises_djangos_errors(brand: Brand) -> None:
    customer = Customer.objects.create(brand=brand, name="Ana")
    values = {"brand_id": brand.pk, "customer_id": customer.pk, "kind": "email", "value": "a@x"}
    fastsql.insert(Identity, **values)
    with pytest.raises(IntegrityError), transaction.atomic():
        fastsql.insert(Identity, **values)
    # an error that left an inner block without a savepoint breaks the transaction, as
    # with the ORM: the next statement is refused
    with transaction.atomic():
        with pytest.raises(IntegrityError), transaction.atomic(savepoint=False):
            fastsql.insert(Identity, **values)
        with pytest.raises(TransactionManagementError):
            fastsql.update(Customer, customer.pk, name="Bea")
        transaction.set_rollback(True)


def test_an_identity_added_twice_is_kept_once(brand: Brand) -> None:
    customer = Customer.objects.create(brand=brand, name="Ana")
    _add_identity(customer, "email", "ana@example.com")
    _add_identity(customer, "email", "ana@example.com")  # a racing request: no error
    assert Identity.objects.filter(brand=brand, value="ana@example.com").count() == 1


def test_update_sets_and_increments(conversation: Conversation) -> None:
    before = conversation.message_count
    assert fastsql.update(
        Conversation, conversation.pk, subject="Now", message_count=fastsql.Increment(2)
    )
    conversation.refresh_from_db()
    assert (conversation.subject, conversation.message_count) == ("Now", before + 2)


def test_select_for_update_locks_where_the_database_has_row_locks(brand: Brand) -> None:
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        found = fastsql.select(Brand, "id = %s", [brand.pk], limit=1, for_update=True)
        plain = fastsql.select(Brand, "id = %s", [brand.pk], limit=1)
    assert [b.pk for b in found] == [b.pk for b in plain] == [brand.pk]
    locked, unlocked = (q["sql"] for q in ctx.captured_queries if "SELECT" in q["sql"])
    assert locked.endswith("FOR UPDATE") is connection.features.has_select_for_update
    assert not unlocked.endswith("FOR UPDATE")
