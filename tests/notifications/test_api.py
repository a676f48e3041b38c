"""``/api/v1/notifications``: each agent reads and marks only their own, in every role and
brand; preferences refuse what they do not know."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import ApiClient
from tests.factories import make_conversation
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.notifications import services
from wowdesk.notifications.models import Kind, Notification

ROLES = [Role.AGENT, Role.SUPERVISOR, Role.ADMIN]


def _give(agent: Agent, brand: Brand, n: int = 2) -> list[int]:
    conv = make_conversation(brand)
    rows = services.deliver(
        services.Draft(
            agent_id=agent.pk,
            brand_id=brand.pk,
            kind=Kind.APPROVAL_NEEDED,
            params={"what": f"thing {i}"},
            conversation_id=conv.pk if i == 0 else None,
        )
        for i in range(n)
    )
    return [r.pk for r in rows]


@pytest.mark.parametrize("home", ["brand", "other_brand"])
@pytest.mark.parametrize("role", ROLES)
def test_own_notifications_per_role_and_brand(
    request: pytest.FixtureRequest,
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
    role: str,
    home: str,
) -> None:
    mine_brand: Brand = request.getfixturevalue(home)
    away = other_brand if mine_brand == brand else brand
    me = make_agent(role, brands=[mine_brand])
    colleague = make_agent(role, brands=[mine_brand])  # same brand, same role
    stranger = make_agent(role, brands=[away])  # the other brand
    my_ids = _give(me, mine_brand)
    theirs = _give(colleague, mine_brand) + _give(stranger, away)
    api = make_api(me)

    got = api.get("/notifications").json()
    assert {i["id"] for i in got["items"]} == set(my_ids)
    assert got["unread"] == 2
    assert {i["title"] for i in got["items"]} == {
        "Approval needed: thing 0",
        "Approval needed: thing 1",
    }
    for other in theirs:
        response = api.post(f"/notifications/{other}/read")
        assert response.status_code == 404, other
        assert response.json()["field"] == "id"
    assert Notification.objects.filter(pk__in=theirs, read_at__isnull=False).count() == 0

    assert api.post(f"/notifications/{my_ids[0]}/read").status_code == 200
    unread = api.get("/notifications", unread=1).json()
    assert [i["id"] for i in unread["items"]] == [my_ids[1]]
    assert unread["unread"] == 1
    done = api.post("/notifications/read-all").json()
    assert done == {"marked": 1, "unread": 0}
    assert Notification.objects.filter(pk__in=theirs, read_at__isnull=True).count() == 4
    assert make_api(colleague).get("/notifications").json()["unread"] == 2


def test_another_brands_rows_stay_hidden_after_leaving_it(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    from wowdesk.core.models import Membership

    me = make_agent(Role.AGENT, brands=[brand, other_brand])
    [gone, _] = _give(me, other_brand)
    Membership.objects.filter(agent=me, brand=other_brand).delete()
    api = make_api(me)
    assert api.get("/notifications").json() == {"items": [], "unread": 0}
    assert api.post(f"/notifications/{gone}/read").status_code == 404


@pytest.mark.parametrize("bad", [0, -1, 2**63, 99999999])
def test_unknown_ids(api: ApiClient, bad: int) -> None:
    assert api.post(f"/notifications/{bad}/read").status_code in (404, 422)


def test_anonymous(anon_api: ApiClient) -> None:
    assert anon_api.get("/notifications").status_code == 401
    assert anon_api.post("/notifications/read-all").status_code == 401
    assert anon_api.get("/notifications/preferences").status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_preferences(
    make_agent: Callable[..., Agent], make_api: Callable[[Agent | None], ApiClient], role: str
) -> None:
    me = make_agent(role)
    api = make_api(me)
    assert api.get("/notifications/preferences").json() == {
        "in_app": {k: True for k in Kind.values},
        "desktop": False,
        "sound": False,
    }
    got = api.patch(
        "/notifications/preferences", {"in_app": {"mentioned": False}, "sound": True}
    ).json()
    assert got["in_app"]["mentioned"] is False and got["in_app"]["assigned"] is True
    assert got["sound"] is True and got["desktop"] is False
    again = api.patch("/notifications/preferences", {"desktop": True}).json()
    assert again["in_app"]["mentioned"] is False and again["desktop"] is True
    other = make_api(make_agent(role)).get("/notifications/preferences").json()
    assert other["sound"] is False  # one agent's settings are theirs alone


@pytest.mark.parametrize(
    "body,field",
    [
        ({"in_app": {"nonsense": True}}, "in_app.nonsense"),
        ({"in_app": {"mentioned": "maybe"}}, "in_app.mentioned"),
        ({"desktop": "loud"}, "desktop"),
        ({"in_app": ["mentioned"]}, "in_app"),
    ],
)
def test_bad_preferences_name_the_field(
    api: ApiClient, body: dict[str, object], field: str
) -> None:
    response = api.patch("/notifications/preferences", body)
    assert response.status_code == 422
    assert response.json()["field"] == field
