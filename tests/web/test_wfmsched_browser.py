"""Swaps in a real browser: an agent asks to hand a shift to a colleague from their
schedule, a supervisor approves it on the requests page, and the colleague's schedule shows
the shift (and routing follows it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.web.pages import LoginPage
from tests.web.pages_wfmsched import RequestsPage, SchedulePage
from tests.wfm.test_requests import at, published
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.routing import services as routing
from wowdesk.wfm.models import RosterShift, ShiftRequest

PASSWORD = "correct-horse-battery-staple"


def test_agent_swaps_a_shift_and_the_supervisor_approves(
    page: Any, brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    def person(role: str, name: str, langs: tuple[str, ...] = ("de",)) -> Agent:
        return make_agent(
            role,
            email=f"{name.lower()}@example.com",
            name=name,
            password=PASSWORD,
            languages=langs,
            timezone="UTC",
        )

    ana, ben = person(Role.AGENT, "Ana"), person(Role.AGENT, "Ben")
    person(Role.AGENT, "Cy", ("en",))
    person(Role.SUPERVISOR, "Sol", ("en",))
    published(brand, [(ana, 1, 8, 16, "de")], off=(ben,))
    shift = RosterShift.objects.get(agent=ana)

    LoginPage(page).open().login("ana@example.com", PASSWORD)
    mine = SchedulePage(page).open()
    assert mine.shift_ids() == [shift.pk]
    assert mine.shift_text(shift.pk).startswith("08:00–16:00")
    # only Ben speaks German and is free
    assert mine.colleagues(shift.pk)[1:] == ["Ben"]
    mine.ask_swap(shift.pk, "Ben", "My sister's wedding")
    assert mine.request_status() == ["pending"]
    req = ShiftRequest.objects.get(agent=ana)

    page.context.clear_cookies()
    LoginPage(page).open().login("sol@example.com", PASSWORD)
    board = RequestsPage(page).open()
    assert board.pending_ids() == [req.pk]
    board.approve(req.pk, "Enjoy the wedding")
    assert board.pending_ids() == []

    page.context.clear_cookies()
    LoginPage(page).open().login("ben@example.com", PASSWORD)
    assert SchedulePage(page).open().shift_ids() == [shift.pk]
    page.context.clear_cookies()
    LoginPage(page).open().login("ana@example.com", PASSWORD)
    mine = SchedulePage(page).open()
    assert mine.shift_ids() == []
    assert mine.request_status() == ["approved"]
    fresh_ben = Agent.objects.get(pk=ben.pk)
    assert routing.on_shift(fresh_ben, at(1, 9)) is True
