"""The context panel registry: registered panels render in order, a panel whose context
function answers None is hidden for that conversation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from tests.factories import quick_conversation
from wowdesk.core.models import Agent, Brand
from wowdesk.web import panels


@pytest.fixture
def restore_panels() -> Iterator[None]:
    saved = dict(panels._PANELS)
    yield
    panels._PANELS.clear()
    panels._PANELS.update(saved)


def test_panels_render_in_order_and_can_hide(
    brand: Brand, agent: Agent, restore_panels: None
) -> None:
    conversation = quick_conversation(brand, subject="Lamp")
    other = quick_conversation(brand, subject="Chair")
    panels.register_panel(
        "late", "web/_related.html", order=900, context=lambda r, c: {"n": c.number}
    )
    panels.register_panel(
        "early",
        "web/_related.html",
        order=1,
        context=lambda r, c: None if c.pk == other.pk else {},
    )
    client = Client()
    client.force_login(agent.user)
    body = client.get(f"/inbox/c/{conversation.pk}/").content.decode()
    assert body.index('data-panel="early"') < body.index('data-panel="late"')
    body = client.get(f"/inbox/c/{other.pk}/").content.decode()
    assert 'data-panel="late"' in body and 'data-panel="early"' not in body
