"""The demo never writes into a brand it did not make."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from wowdesk.conversations.models import Conversation
from wowdesk.core.errors import Conflict
from wowdesk.core.models import Brand
from wowdesk.customers.models import Customer
from wowdesk.demo.seed import DemoSize, seed_demo


@pytest.mark.django_db
def test_refuses_a_brand_it_did_not_make(brand: Brand) -> None:
    """``brand`` (conftest) has the slug ``acme``: the demo must not write into it."""
    with pytest.raises(Conflict):
        seed_demo(DemoSize(customers=4, conversations=4), console=Console(file=io.StringIO()))
    assert not Conversation.objects.exists()
    assert not Customer.objects.exists()
