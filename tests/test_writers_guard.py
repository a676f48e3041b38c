"""tests/writers_guard.py: the run-time check of "one writer per table" catches each kind
of write from another app's code, and lets the owner, tests and generic helpers write."""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests import writers_guard
from tests.factories import make_conversation, make_customer
from wowdesk.conversations.models import Conversation, Tag
from wowdesk.core import fastsql
from wowdesk.core.models import Brand
from wowdesk.customers.models import Customer

pytestmark = pytest.mark.django_db


def _as_module(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` as if it were defined in module ``name`` (its frames carry that name)."""
    scope = {**fn.__globals__, "__name__": name}
    return types.FunctionType(fn.__code__, scope, fn.__name__, fn.__defaults__, fn.__closure__)


@pytest.fixture
def caught() -> Iterator[list[str]]:
    """The violations found in the test body (taken away, so the test itself passes)."""
    found = writers_guard.violations
    yield found
    found.clear()


WRITES: list[Callable[[Brand], Any]] = [
    lambda brand: Customer.objects.filter(brand=brand).update(notes="x"),
    lambda brand: Customer.objects.filter(brand=brand).delete(),
    lambda brand: Customer.objects.create(brand=brand, name="x"),
    lambda brand: Customer.objects.bulk_create([Customer(brand=brand, name="y")]),
    lambda brand: Customer.objects.get_or_create(brand=brand, name="z"),
    lambda brand: Customer.objects.bulk_update(list(Customer.objects.all()), ["notes"]),
    lambda brand: Customer.objects.first().save(),  # type: ignore[union-attr]
    lambda brand: fastsql.insert(Customer, brand_id=brand.pk, name="w"),
    lambda brand: fastsql.update(Customer, Customer.objects.first().pk, notes="v"),  # type: ignore[union-attr]
]


@pytest.mark.parametrize("write", range(len(WRITES)))
def test_another_apps_write_is_caught(brand: Brand, caught: list[str], write: int) -> None:
    make_customer(brand)
    assert caught == []
    _as_module("wowdesk.routing.services", WRITES[write])(brand)
    assert caught and all("wowdesk.routing.services writes customers.Customer" in v for v in caught)


@pytest.mark.parametrize(
    "module", ["wowdesk.setup", "wowdesk.web.views", "wowdesk.channels.ingest"]
)
def test_each_foreign_module_is_caught(brand: Brand, caught: list[str], module: str) -> None:
    conversation = make_conversation(brand)
    _as_module(module, lambda: Conversation.objects.filter(pk=conversation.pk).update(priority=2))()
    assert len(caught) == 1 and caught[0].startswith(f"{module} writes conversations.Conversation")


def test_owners_tests_and_allowed_modules_write(brand: Brand, caught: list[str]) -> None:
    make_conversation(brand)
    _as_module(
        "wowdesk.conversations.services", lambda: Tag.objects.create(brand=brand, name="a")
    )()
    _as_module("wowdesk.demo.seed", lambda: Tag.objects.create(brand=brand, name="b"))()
    _as_module("wowdesk.web.views", lambda: Tag.objects.filter(name="a").count())()  # a read
    Tag.objects.create(brand=brand, name="c")  # the test itself
    assert caught == []
