"""The proposals page in a real browser: a knowledge manager edits a proposed article, then
accepts it (published with the edits), dismisses another; a refused edit keeps the text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.web.pages import LoginPage
from tests.web.pages_loop import ProposalsPage
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.knowledge.models import Article, ArticleStatus, Proposal

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def manager_page(page: Any, brand: Brand, make_agent: Callable[..., Agent]) -> Any:
    make_agent(Role.SUPERVISOR, email="kim@example.com", name="Kim", password=PASSWORD)
    LoginPage(page).open().login("kim@example.com", PASSWORD)
    return page


def _proposal(brand: Brand, title: str, group: Proposal | None = None) -> Proposal:
    return Proposal.objects.create(
        brand=brand,
        kind=Proposal.Kind.NEW_ARTICLE,
        language="en",
        title=title,
        body="Set the 5 GHz band to 80 MHz channel width and restart the hub.",
        group=group,
    )


def test_edit_then_accept_and_dismiss(manager_page: Any, brand: Brand) -> None:
    first = _proposal(brand, "Hub drops off the Wi-Fi 6 mesh at night")
    second = _proposal(brand, "Hub disconnects from the mesh", group=first)
    other = _proposal(brand, "Gift wrapping an order")
    page = ProposalsPage(manager_page).open()
    assert sorted(page.group_sizes()) == [1, 2]
    assert set(page.ids()) == {first.pk, second.pk, other.pk}

    page.edit(
        first.pk,
        title="The hub drops off Wi-Fi 6 mesh networks",
        body="In the router, set the 5 GHz band to **80 MHz** and restart the hub.",
    )
    page.accept(first.pk)
    article = Article.objects.get(brand=brand)
    assert article.title == "The hub drops off Wi-Fi 6 mesh networks"
    assert "<strong>80 MHz</strong>" in article.body_html
    assert article.status == ArticleStatus.PUBLISHED
    assert first.pk not in page.ids()

    page.dismiss(second.pk)
    assert Proposal.objects.get(pk=second.pk).status == Proposal.Status.DISMISSED
    assert page.ids() == [other.pk]

    # an empty body is refused; what was typed stays on the page
    page.edit(other.pk, title="Gift wrapping, step by step", body=" ")
    manager_page.locator(f"#body-{other.pk}").evaluate("el => el.removeAttribute('required')")
    page.accept(other.pk)
    assert page.error
    assert page.proposal(other.pk).locator("input[name=title]").input_value() == (
        "Gift wrapping, step by step"
    )
    assert Proposal.objects.get(pk=other.pk).status == Proposal.Status.OPEN

    accepted = ProposalsPage(manager_page).open("accepted")
    assert accepted.ids() == [first.pk]
