"""The schedule page, the requests page and the board tile: every role of two brands."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.wfm.test_requests import at, published
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.wfm.models import RosterShift, ShiftRequest


def signed_in(agent: Agent) -> Client:
    c = Client()
    c.force_login(agent.user)
    return c


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_pages_for_every_role_of_two_brands(
    role: str, make_agent: Callable[..., Agent], brand: Brand, other_brand: Brand
) -> None:
    me = make_agent(role, brands=[brand], languages=("de",), timezone="Europe/Berlin")
    mate = make_agent(Role.AGENT, brands=[brand], languages=("de",), timezone="UTC")
    stranger = make_agent(Role.AGENT, brands=[other_brand], languages=("de",), timezone="UTC")
    published(brand, [(me, 1, 8, 16, "de"), (mate, 3, 8, 16, "de")])
    published(other_brand, [(stranger, 1, 8, 16, "de")])
    ours = ShiftRequest.objects.create(
        brand=brand, agent=mate, kind="time_off", start=at(1, 1), end=at(1, 2)
    )
    theirs = ShiftRequest.objects.create(
        brand=other_brand, agent=stranger, kind="time_off", start=at(1, 1), end=at(1, 2)
    )
    planner = role != Role.AGENT
    c = signed_in(me)

    page = c.get("/wfm/schedule/")
    assert page.status_code == 200
    html = page.content.decode()
    mine = RosterShift.objects.get(agent=me)
    # next week's shift is shown (in the agent's zone: 09:00 in Berlin) and can be swapped
    # with the colleague who speaks German and is free
    assert f'data-shift-id="{mine.pk}"' in html and "09:00" in html
    assert f'<option value="{mate.pk}">' in html
    assert f'value="{stranger.pk}"' not in html
    assert c.get(f"/wfm/schedule/?agent={mate.pk}").status_code == (200 if planner else 403)
    assert c.get(f"/wfm/schedule/?agent={stranger.pk}").status_code == 404

    # ask for a swap from the page
    r = c.post("/wfm/schedule/swap/", {"shift_id": mine.pk, "other_agent_id": mate.pk})
    assert r.status_code == 302
    req = ShiftRequest.objects.get(agent=me, kind="swap")
    assert req.other_agent_id == mate.pk
    # another brand's shift cannot be asked for
    c.post("/wfm/schedule/swap/", {"shift_id": RosterShift.objects.get(agent=stranger).pk})
    assert not ShiftRequest.objects.filter(agent=me, shift__agent=stranger).exists()
    # time off from the page, in the agent's zone
    day = at(5, 0).date().isoformat()
    r = c.post("/wfm/schedule/time-off/", {"start": f"{day}T09:00", "end": f"{day}T12:00"})
    off = ShiftRequest.objects.get(agent=me, kind="time_off")
    assert off.start == at(5, 8)  # 09:00 in Berlin in winter
    assert c.post(f"/wfm/requests/{off.pk}/cancel/").status_code == 302
    off.refresh_from_db()
    assert off.status == "cancelled"
    c.post(f"/wfm/requests/{theirs.pk}/cancel/")
    theirs.refresh_from_db()
    assert theirs.status == "pending"

    # the requests page and deciding: planners of the brand only
    page = c.get("/wfm/requests/")
    assert page.status_code == (200 if planner else 403)
    if planner:
        html = page.content.decode()
        assert f'data-request-id="{ours.pk}"' in html
        assert f'data-request-id="{theirs.pk}"' not in html
    c.post(f"/wfm/requests/{ours.pk}/decide/", {"decision": "decline", "note": "busy week"})
    c.post(f"/wfm/requests/{theirs.pk}/decide/", {"decision": "approve"})
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.status == ("declined" if planner else "pending")
    assert theirs.status == "pending"

    # the board tile
    board = c.get("/supervisor/")
    if planner:
        assert 'class="tile-wfm-requests"' in board.content.decode()


def test_anonymous_goes_to_sign_in(db: None) -> None:
    assert Client().get("/wfm/schedule/").status_code == 302
    assert Client().get("/wfm/requests/").status_code == 302


def test_time_off_in_the_brand_picked(
    make_agent: Callable[..., Agent], brand: Brand, other_brand: Brand
) -> None:
    both = make_agent(Role.AGENT, brands=[brand, other_brand], timezone="UTC")
    c = signed_in(both)
    assert 'id="off-brand"' in c.get("/wfm/schedule/").content.decode()
    day = at(5, 0).date().isoformat()
    c.post(
        "/wfm/schedule/time-off/",
        {"start": f"{day}T09:00", "end": f"{day}T12:00", "brand": other_brand.pk},
    )
    assert ShiftRequest.objects.get(agent=both).brand_id == other_brand.pk
