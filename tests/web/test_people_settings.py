"""The settings area's people pages: an agent's page, teams, sites and SLA policies. Every
role of each of two brands: who may open them, who may change what, the other brand's ids
(not found) and another brand's ids posted in a form (a form error, nothing changes)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tests.factories import quick_conversation
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation
from wowdesk.core import services as core
from wowdesk.core.models import Agent, Brand, Membership, Role, Site, Team
from wowdesk.routing import services as routing
from wowdesk.routing.models import ConversationSla, SlaPolicy

ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass
class Side:
    brand: Brand
    people: dict[str, Agent]
    worker: Agent  # an agent of the brand whose page the others open
    team: Team
    site: Site
    policy: SlaPolicy


def _side(brand: Brand, make_agent: Callable[..., Agent], tag: str) -> Side:
    people = {r: make_agent(r, brands=[brand], name=f"{r} {tag}") for r in ROLES}
    worker = make_agent(
        Role.AGENT, brands=[brand], name=f"Worker {tag}", shifts=("mon-fri 09:00-17:00",)
    )
    return Side(
        brand=brand,
        people=people,
        worker=worker,
        team=core.create_team(brand_id=brand.pk, name=f"Team {tag}", member_ids=[worker.pk]),
        site=core.create_site(name=f"Site {tag}", timezone_name="UTC", brand_ids=[brand.pk]),
        policy=routing.create_sla_policy(
            brand_id=brand.pk, actor=None, name=f"Policy {tag}", first_response_minutes=60
        ),
    )


@pytest.fixture
def sides(brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent]) -> dict[str, Side]:
    return {"a": _side(brand, make_agent, "A"), "b": _side(other_brand, make_agent, "B")}


def signed_in(agent: Agent) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


def detail_urls(side: Side) -> list[str]:
    return [
        f"/settings/agents/{side.worker.pk}/",
        f"/settings/teams/{side.team.pk}/",
        f"/settings/sites/{side.site.pk}/",
        f"/settings/sla/{side.policy.pk}/",
    ]


LISTS = ["/settings/agents/", "/settings/teams/", "/settings/sites/", "/settings/sla/"]


def week(**rows: str) -> dict[str, str]:
    return {day: rows.get(day, "") for day in DAYS}


def agent_post(agent: Agent, **over: Any) -> dict[str, Any]:
    """What the agent page posts for ``agent`` unchanged (an admin's form)."""
    data: dict[str, Any] = {
        "display_name": agent.display_name,
        "skills": ", ".join(agent.skills),
        "site": agent.site_id or "",
        "timezone": agent.timezone,
        "capacity": agent.capacity,
        "is_active": "on" if agent.is_active else "",
        "lang_code": list(agent.languages),
        "lang_level": [str(agent.language_levels.get(c, 3)) for c in agent.languages],
    }
    for day, row in week(
        mon="09:00-17:00",
        tue="09:00-17:00",
        wed="09:00-17:00",
        thu="09:00-17:00",
        fri="09:00-17:00",
    ).items():
        data[f"shift_{day}"] = row
    for brand_id, role in Membership.objects.filter(agent=agent).values_list("brand_id", "role"):
        data[f"role_{brand_id}"] = role
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def team_post(team: Team, **over: Any) -> dict[str, Any]:
    data = {
        "name": team.name,
        "description": team.description,
        "members": list(team.members.values_list("id", flat=True)),
    }
    data.update(over)
    return data


def site_post(site: Site, **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": site.name,
        "timezone": site.timezone,
        "country": site.country,
        "subdivision": site.subdivision,
        "brands": list(site.brands.values_list("id", flat=True)),
    }
    for day in DAYS:
        data[f"hours_{day}"] = ""
    data.update(over)
    return data


def sla_post(**over: Any) -> dict[str, Any]:
    data = {
        "name": "Gold",
        "priority": "",
        "channel": "",
        "first_response_minutes_0": "1",
        "first_response_minutes_1": "30",
        "next_response_minutes_0": "",
        "next_response_minutes_1": "",
        "resolution_minutes_0": "24",
        "resolution_minutes_1": "0",
        "business_hours": "on",
        "is_active": "on",
    }
    data.update(over)
    return data


# --- who may open what ------------------------------------------------------------------


@pytest.mark.parametrize("home", ["a", "b"])
@pytest.mark.parametrize("role", ROLES)
def test_pages_per_role_and_brand(sides: dict[str, Side], role: str, home: str) -> None:
    mine, theirs = sides[home], sides["b" if home == "a" else "a"]
    client = signed_in(mine.people[role])
    for url in LISTS + detail_urls(mine):
        response = client.get(url)
        assert response.status_code == (403 if role == Role.AGENT else 200), url
    for url in detail_urls(theirs):
        assert client.get(url).status_code == (403 if role == Role.AGENT else 404), url
    if role == Role.AGENT:
        return
    for url, other_name in (
        ("/settings/agents/", theirs.worker.display_name),
        ("/settings/teams/", theirs.team.name),
        ("/settings/sites/", theirs.site.name),
        ("/settings/sla/", theirs.policy.name),
    ):
        body = client.get(url).content.decode()
        assert other_name not in body, url
    # the add forms are the administrators'
    forms = {
        "/settings/teams/": 'id="team-form"',
        "/settings/sites/": 'id="site-form"',
        "/settings/sla/": 'id="sla-form"',
    }
    for url, marker in forms.items():
        assert (marker in client.get(url).content.decode()) == (role == Role.ADMIN), url


def test_anonymous_visitors_go_to_the_login(sides: dict[str, Side]) -> None:
    for url in LISTS + detail_urls(sides["a"]):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


# --- who may change what ------------------------------------------------------------------


@pytest.mark.parametrize("home", ["a", "b"])
@pytest.mark.parametrize("role", ROLES)
def test_who_may_change_teams_sites_and_policies(
    sides: dict[str, Side], role: str, home: str
) -> None:
    mine, theirs = sides[home], sides["b" if home == "a" else "a"]
    client = signed_in(mine.people[role])
    expected = {Role.AGENT: 403, Role.SUPERVISOR: 403, Role.ADMIN: 302}[role]
    for side, status in ((mine, expected), (theirs, 403 if role == Role.AGENT else 404)):
        posts = [
            (f"/settings/teams/{side.team.pk}/", team_post(side.team, name="Renamed")),
            (f"/settings/sites/{side.site.pk}/", site_post(side.site, name="Renamed")),
            (f"/settings/sla/{side.policy.pk}/", sla_post(name="Renamed")),
        ]
        for url, data in posts:
            assert client.post(url, data).status_code == status, url
        changed = status == 302
        side.team.refresh_from_db()
        side.site.refresh_from_db()
        side.policy.refresh_from_db()
        assert (side.team.name == "Renamed") == changed
        assert (side.site.name == "Renamed") == changed
        assert (side.policy.name == "Renamed") == changed
        for url in (
            f"/settings/teams/{side.team.pk}/delete/",
            f"/settings/sla/{side.policy.pk}/delete/",
        ):
            if not changed:
                assert client.post(url).status_code == status, url
        assert Team.objects.filter(pk=side.team.pk).exists()
        assert SlaPolicy.objects.filter(pk=side.policy.pk).exists()
    creates = [
        ("/settings/teams/", {"brand": mine.brand.pk, "name": "New team"}),
        ("/settings/sites/", site_post(mine.site, name="New site")),
        ("/settings/sla/", sla_post(brand=mine.brand.pk, name="New policy")),
    ]
    for url, data in creates:
        assert client.post(url, data).status_code == expected, url
    made = role == Role.ADMIN
    assert Team.objects.filter(name="New team", brand=mine.brand).exists() == made
    assert Site.objects.filter(name="New site", brands=mine.brand).exists() == made
    assert SlaPolicy.objects.filter(name="New policy", brand=mine.brand).exists() == made


@pytest.mark.parametrize("home", ["a", "b"])
@pytest.mark.parametrize("role", ROLES)
def test_who_may_change_an_agent(sides: dict[str, Side], role: str, home: str) -> None:
    """Admins change everything; supervisors only shifts, skills and capacity (a post of
    anything else changes nothing); agents nothing; another brand's agent is not found."""
    mine, theirs = sides[home], sides["b" if home == "a" else "a"]
    client = signed_in(mine.people[role])
    data = agent_post(
        mine.worker,
        display_name="Changed Name",
        timezone="Europe/Berlin",
        skills="billing, lamps",
        capacity="4",
        cap_chat="2",
        shift_mon="08:00-12:00",
        shift_sat="10:00-14:00",
        lang_code=["de", "fr"],
        lang_level=["5", "1"],
    )
    response = client.post(f"/settings/agents/{mine.worker.pk}/", data)
    worker = Agent.objects.get(pk=mine.worker.pk)
    if role == Role.AGENT:
        assert response.status_code == 403
        assert worker.display_name == mine.worker.display_name
        assert worker.shifts == ["mon-fri 09:00-17:00"]
    else:
        assert response.status_code == 302, response.content.decode()[-3000:]
        assert worker.shifts == ["mon 08:00-12:00", "tue-fri 09:00-17:00", "sat 10:00-14:00"]
        assert worker.skills == ["billing", "lamps"]
        assert worker.capacity == 4 and worker.channel_capacity == {"chat": 2}
        if role == Role.ADMIN:
            assert worker.display_name == "Changed Name"
            assert worker.timezone == "Europe/Berlin"
            assert worker.languages == ["de", "fr"]
            assert worker.language_levels == {"de": 5, "fr": 1}
        else:
            assert worker.display_name == mine.worker.display_name
            assert worker.timezone == "UTC"
            assert worker.languages == []
    other = client.post(f"/settings/agents/{theirs.worker.pk}/", agent_post(theirs.worker))
    assert other.status_code == (403 if role == Role.AGENT else 404)
    untouched = Agent.objects.get(pk=theirs.worker.pk)
    assert untouched.shifts == ["mon-fri 09:00-17:00"] and untouched.capacity == 10


# --- another brand's ids posted in a form ---------------------------------------------------


@pytest.mark.parametrize("home", ["a", "b"])
def test_another_brands_ids_in_a_form_are_form_errors(sides: dict[str, Side], home: str) -> None:
    mine, theirs = sides[home], sides["b" if home == "a" else "a"]
    client = signed_in(mine.people[Role.ADMIN])
    cases = [
        (
            f"/settings/agents/{mine.worker.pk}/",
            agent_post(mine.worker, site=theirs.site.pk),
            "site",
        ),
        (
            f"/settings/teams/{mine.team.pk}/",
            team_post(mine.team, members=[theirs.worker.pk]),
            "members",
        ),
        ("/settings/teams/", {"brand": theirs.brand.pk, "name": "Forged"}, "brand"),
        (
            "/settings/teams/",
            {"brand": mine.brand.pk, "name": "Forged", "members": [theirs.people["agent"].pk]},
            "members",
        ),
        (
            f"/settings/sites/{mine.site.pk}/",
            site_post(mine.site, brands=[theirs.brand.pk]),
            "brands",
        ),
        (
            "/settings/sites/",
            site_post(mine.site, name="Forged", brands=[theirs.brand.pk]),
            "brands",
        ),
        ("/settings/sla/", sla_post(brand=theirs.brand.pk, name="Forged"), "brand"),
    ]
    for url, data, field in cases:
        response = client.post(url, data)
        assert response.status_code == 400, (url, field)
        assert f'data-field="{field}"' in response.content.decode(), (url, field)
    assert Agent.objects.get(pk=mine.worker.pk).site_id is None
    assert list(mine.team.members.values_list("id", flat=True)) == [mine.worker.pk]
    assert not Team.objects.filter(name="Forged").exists()
    assert not Site.objects.filter(name="Forged").exists()
    assert not SlaPolicy.objects.filter(name="Forged").exists()
    assert list(mine.site.brands.values_list("id", flat=True)) == [mine.brand.pk]
    # a role in a brand I do not administer is no field of the form: posting it changes nothing
    client.post(
        f"/settings/agents/{mine.worker.pk}/",
        agent_post(mine.worker, **{f"role_{theirs.brand.pk}": Role.ADMIN}),
    )
    assert dict(Membership.objects.filter(agent=mine.worker).values_list("brand_id", "role")) == {
        mine.brand.pk: Role.AGENT
    }


# --- the agent page's rules ----------------------------------------------------------------


def test_roles_per_brand_only_in_brands_i_administer(
    brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    third = core.create_brand(name="Initech", slug="initech")
    boss = make_agent(Role.ADMIN, brands=[brand])
    core.set_membership(boss, third.pk, Role.ADMIN, actor=None)
    shared = make_agent(Role.AGENT, brands=[brand, other_brand], name="Sam Both")
    client = signed_in(boss)
    page = client.get(f"/settings/agents/{shared.pk}/")
    fields = set(page.context["form"].fields)
    assert {f"role_{brand.pk}", f"role_{third.pk}"} <= fields
    assert f"role_{other_brand.pk}" not in fields
    # active is shared with Globex, which the boss does not administer
    assert "is_active" not in fields
    response = client.post(
        f"/settings/agents/{shared.pk}/",
        agent_post(
            shared,
            is_active="",
            **{f"role_{brand.pk}": Role.SUPERVISOR, f"role_{third.pk}": Role.AGENT},
        ),
    )
    assert response.status_code == 302
    roles = dict(Membership.objects.filter(agent=shared).values_list("brand_id", "role"))
    assert roles == {brand.pk: "supervisor", other_brand.pk: "agent", third.pk: "agent"}
    shared.refresh_from_db()
    assert shared.is_active and shared.role == Role.SUPERVISOR
    # taken out of a brand
    client.post(f"/settings/agents/{shared.pk}/", agent_post(shared, **{f"role_{third.pk}": ""}))
    roles = dict(Membership.objects.filter(agent=shared).values_list("brand_id", "role"))
    assert roles == {brand.pk: "supervisor", other_brand.pk: "agent"}


def test_an_admin_deactivates_an_agent_of_their_brands_only_but_not_themselves(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    boss = make_agent(Role.ADMIN)
    worker = make_agent(Role.AGENT, name="Leaving")
    client = signed_in(boss)
    assert (
        client.post(f"/settings/agents/{worker.pk}/", agent_post(worker, is_active="")).status_code
        == 302
    )
    worker.refresh_from_db()
    assert not worker.is_active
    assert (
        client.post(
            f"/settings/agents/{worker.pk}/", agent_post(worker, is_active="on")
        ).status_code
        == 302
    )
    worker.refresh_from_db()
    assert worker.is_active
    # no deactivating oneself, no taking one's own admin role away
    assert "is_active" not in client.get(f"/settings/agents/{boss.pk}/").context["form"].fields
    client.post(f"/settings/agents/{boss.pk}/", agent_post(boss, is_active=""))
    boss.refresh_from_db()
    assert boss.is_active
    for role in (Role.SUPERVISOR, Role.AGENT, ""):
        refused = client.post(
            f"/settings/agents/{boss.pk}/", agent_post(boss, **{f"role_{brand.pk}": role})
        )
        assert refused.status_code == 400
    assert Membership.objects.get(agent=boss, brand=brand).role == Role.ADMIN


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"shift_mon": "9-17"}, None),
        ({"shift_tue": "09:00-17:00, 18:00"}, None),
        ({"shift_wed": "25:00-26:00"}, None),
        ({"shift_sun": "10:00-10:00"}, None),
        ({"lang_code": ["d e"], "lang_level": ["3"]}, "languages"),
        ({"lang_code": ["de"], "lang_level": ["9"]}, "languages"),
        ({"capacity": "-1"}, "capacity"),
        ({"capacity": "lots"}, "capacity"),
        ({"cap_chat": "-2"}, "cap_chat"),
        ({"timezone": "Mars/Base"}, "timezone"),
        ({"display_name": "two\nlines"}, "display_name"),
        ({"display_name": ""}, "display_name"),
    ],
)
def test_bad_agent_input_is_a_form_error(
    make_agent: Callable[..., Agent], over: dict[str, Any], field: str | None
) -> None:
    boss = make_agent(Role.ADMIN)
    worker = make_agent(Role.AGENT, shifts=("mon-fri 09:00-17:00",), languages=("en",))
    response = signed_in(boss).post(f"/settings/agents/{worker.pk}/", agent_post(worker, **over))
    assert response.status_code == 400
    body = response.content.decode()
    assert 'role="alert"' in body
    if field is not None:
        assert f'data-field="{field}"' in body
    after = Agent.objects.get(pk=worker.pk)
    assert (after.shifts, after.languages, after.capacity) == (["mon-fri 09:00-17:00"], ["en"], 10)


def test_the_agent_page_shows_shifts_languages_and_capacity(
    make_agent: Callable[..., Agent],
) -> None:
    boss = make_agent(Role.ADMIN)
    worker = make_agent(
        Role.AGENT,
        shifts=("mon-fri 09:00-17:00", "sat 22:00-06:00"),
        languages=("de:5", "en", "fr:1", "it:4"),
        channel_capacity={"chat": 3},
    )
    page = signed_in(boss).get(f"/settings/agents/{worker.pk}/")
    form = page.context["form"]
    assert [form[f"shift_{d}"].value() for d in DAYS] == ["09:00-17:00"] * 5 + ["22:00-06:00", ""]
    assert form["cap_chat"].value() == 3
    rows = page.context["language_rows"]
    assert [(r["code"], r["level"]) for r in rows if r["code"]] == [
        ("de", "5"),
        ("en", "3"),
        ("fr", "1"),
        ("it", "4"),
    ]
    # a level between the named ones stays choosable, so saving keeps it
    assert ("4", "level 4") in page.context["level_choices"]
    body = page.content.decode()
    assert "data-week-grid" in body and "/static/web/week.js" in body


# --- teams ---------------------------------------------------------------------------------


def test_team_create_rename_members_and_delete(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    boss = make_agent(Role.ADMIN)
    ann, bob = make_agent(name="Ann"), make_agent(name="Bob")
    client = signed_in(boss)
    created = client.post(
        "/settings/teams/",
        {"brand": brand.pk, "name": "Lamps", "members": [ann.pk], "required_skills": "lamps"},
    )
    assert created.status_code == 302
    team = Team.objects.get(brand=brand, name="Lamps")
    assert list(team.members.all()) == [ann] and team.required_skills == ["lamps"]
    duplicate = client.post("/settings/teams/", {"brand": brand.pk, "name": "Lamps"})
    assert duplicate.status_code == 409 and 'data-field="name"' in duplicate.content.decode()
    client.post(
        f"/settings/teams/{team.pk}/",
        team_post(team, name="Lights", members=[ann.pk, bob.pk], required_skills="lamps, de"),
    )
    team.refresh_from_db()
    assert team.name == "Lights" and set(team.members.all()) == {ann, bob}
    assert team.required_skills == ["lamps", "de"]
    page = client.get(f"/settings/teams/{team.pk}/")
    assert page.context["form"]["required_skills"].value() == "lamps, de"
    conv = quick_conversation(brand)
    conversations.update_conversation(conv, actor=boss, team_id=team.pk)
    page = client.get(f"/settings/teams/{team.pk}/").content.decode()
    assert "Its 1 conversation stays with its assignee and status, without a team." in page
    assert client.post(f"/settings/teams/{team.pk}/delete/").status_code == 302
    assert not Team.objects.filter(pk=team.pk).exists()
    assert Conversation.objects.get(pk=conv.pk).team_id is None


# --- sites ---------------------------------------------------------------------------------


def test_site_with_hours_holidays_and_closed_dates(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    boss = make_agent(Role.ADMIN)
    client = signed_in(boss)
    data = {
        "name": "Berlin",
        "timezone": "Europe/Berlin",
        "country": "de",
        "subdivision": "be",
        "brands": [brand.pk],
        "add_closed": "2026-12-31",
        **{f"hours_{d}": "08:00-12:00, 13:00-18:00" for d in DAYS[:5]},
        "hours_sat": "10:00-14:00",
        "hours_sun": "",
    }
    response = client.post("/settings/sites/", data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    site = Site.objects.get(name="Berlin")
    assert (site.country, site.subdivision, site.timezone) == ("DE", "BE", "Europe/Berlin")
    assert site.hours["mon"] == [["08:00", "12:00"], ["13:00", "18:00"]]
    assert site.hours["sat"] == [["10:00", "14:00"]] and "sun" not in site.hours
    assert site.closed_dates == ["2026-12-31"]
    page = client.get(f"/settings/sites/{site.pk}/")
    body = page.content.decode()
    holidays = body.split('id="holidays"')[1].split("</section>")[0]
    assert "Christmas Day" in holidays, holidays
    assert "Women&#x27;s Day" in holidays  # a holiday of Berlin, not of all Germany
    assert page.context["form"]["hours_mon"].value() == "08:00-12:00, 13:00-18:00"
    # add one closed date and remove the other
    client.post(
        f"/settings/sites/{site.pk}/",
        {**data, "add_closed": "2026-12-24", "remove_closed": ["2026-12-31"]},
    )
    site.refresh_from_db()
    assert site.closed_dates == ["2026-12-24"]


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"country": "XX"}, "country"),
        ({"country": "D1"}, "country"),
        ({"country": "DE", "subdivision": "ZZ"}, "subdivision"),
        ({"hours_mon": "8-12"}, None),
        ({"hours_fri": "09:00-09:00"}, None),
        ({"add_closed": "2026-02-30"}, "add_closed"),
        ({"timezone": "Nowhere/City"}, "timezone"),
        ({"name": ""}, "name"),
        ({"name": "two\nlines"}, "name"),
        ({"brands": []}, "brands"),
    ],
)
def test_bad_site_input_is_a_form_error(
    brand: Brand, make_agent: Callable[..., Agent], over: dict[str, Any], field: str | None
) -> None:
    site = core.create_site(name="Porto", timezone_name="Europe/Lisbon", brand_ids=[brand.pk])
    client = signed_in(make_agent(Role.ADMIN))
    response = client.post(f"/settings/sites/{site.pk}/", site_post(site, **over))
    assert response.status_code == 400
    body = response.content.decode()
    assert 'role="alert"' in body
    if field:
        assert f'data-field="{field}"' in body
    site.refresh_from_db()
    assert (site.name, site.country, site.hours, site.timezone) == (
        "Porto",
        "",
        {},
        "Europe/Lisbon",
    )


def test_a_site_shared_with_a_brand_i_do_not_administer_is_read_only(
    brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    site = core.create_site(
        name="Shared", timezone_name="UTC", brand_ids=[brand.pk, other_brand.pk]
    )
    client = signed_in(make_agent(Role.ADMIN, brands=[brand]))
    page = client.get(f"/settings/sites/{site.pk}/")
    assert page.status_code == 200 and not page.context["may_edit"]
    assert (
        client.post(f"/settings/sites/{site.pk}/", site_post(site, name="Mine now")).status_code
        == 403
    )
    site.refresh_from_db()
    assert site.name == "Shared"


# --- SLA policies --------------------------------------------------------------------------


def test_sla_policy_in_hours_and_minutes_with_its_conversation_count(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    client = signed_in(make_agent(Role.ADMIN))
    response = client.post(
        "/settings/sla/", sla_post(brand=brand.pk, priority="urgent", channel="chat")
    )
    assert response.status_code == 302
    policy = SlaPolicy.objects.get(name="Gold")
    assert (policy.first_response_minutes, policy.next_response_minutes) == (90, None)
    assert policy.resolution_minutes == 24 * 60
    assert (policy.priority, policy.channel, policy.business_hours) == ("urgent", "chat", True)
    for _i in range(2):
        conv = quick_conversation(brand)
        ConversationSla.objects.update_or_create(
            conversation=conv, defaults={"brand": brand, "policy": policy}
        )
    listing = client.get("/settings/sla/")
    row = next(r for r in listing.context["rows"] if r["policy"].pk == policy.pk)
    assert (row["count"], row["first"], row["resolution"]) == (2, "1 h 30 min", "24 h")
    detail = client.get(f"/settings/sla/{policy.pk}/")
    assert "Its clock runs on 2 conversations." in detail.content.decode()
    assert 'name="first_response_minutes_0" value="1"' in detail.content.decode()
    assert 'name="first_response_minutes_1" value="30"' in detail.content.decode()
    client.post(
        f"/settings/sla/{policy.pk}/",
        sla_post(first_response_minutes_0="0", first_response_minutes_1="45", business_hours=""),
    )
    policy.refresh_from_db()
    assert policy.first_response_minutes == 45 and not policy.business_hours
    assert client.post(f"/settings/sla/{policy.pk}/delete/").status_code == 302
    assert not SlaPolicy.objects.filter(pk=policy.pk).exists()


@pytest.mark.parametrize(
    "over",
    [
        {"first_response_minutes_0": "", "first_response_minutes_1": ""},
        {"first_response_minutes_0": "0", "first_response_minutes_1": "0"},
        {"first_response_minutes_1": "75"},
        {"resolution_minutes_0": "-1"},
        {"next_response_minutes_0": "x"},
        {"priority": "sometime"},
        {"channel": "pigeon"},
        {"name": ""},
    ],
)
def test_bad_sla_input_is_a_form_error(
    brand: Brand, make_agent: Callable[..., Agent], over: dict[str, str]
) -> None:
    client = signed_in(make_agent(Role.ADMIN))
    response = client.post("/settings/sla/", sla_post(brand=brand.pk, **over))
    assert response.status_code == 400
    assert 'data-field="' in response.content.decode()
    assert not SlaPolicy.objects.filter(brand=brand).exists()


# --- Simplified Chinese ----------------------------------------------------------------------


def test_the_people_pages_have_no_english_in_chinese(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    from django.conf import settings

    from tests.test_i18n import visible_english

    boss = make_agent(Role.ADMIN, name="王芳")
    worker = make_agent(
        Role.AGENT, name="李伟", shifts=("mon-fri 09:00-17:00",), languages=("zh:5",)
    )
    brand.name = "品牌甲"
    brand.save()
    team = core.create_team(brand_id=brand.pk, name="灯具组", member_ids=[worker.pk])
    site = core.create_site(name="上海", timezone_name="UTC", brand_ids=[brand.pk])
    policy = routing.create_sla_policy(
        brand_id=brand.pk, actor=None, name="金牌", first_response_minutes=90
    )
    client = signed_in(boss)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    found = {}
    for url in [
        *LISTS,
        f"/settings/agents/{worker.pk}/",
        f"/settings/teams/{team.pk}/",
        f"/settings/sites/{site.pk}/",
        f"/settings/sla/{policy.pk}/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        # IANA time zone names (Europe/Berlin) are identifiers, not English
        html = re.sub(
            r'<select[^>]*name="timezone".*?</select>', " ", response.content.decode(), flags=re.S
        )
        # examples of codes in help texts: skills, ISO 3166, a subdivision
        english = visible_english(html) - {"billing", "lamps", "product", "ISO", "BY"}
        if english:
            found[url] = sorted(english)
    assert found == {}


@pytest.mark.parametrize("pk", ["0", "99999999999999999999", "9223372036854775808"])
def test_out_of_range_ids_are_not_found(make_agent: Callable[..., Agent], pk: str) -> None:
    client = signed_in(make_agent(Role.ADMIN))
    for url in (
        f"/settings/agents/{pk}/",
        f"/settings/teams/{pk}/",
        f"/settings/sites/{pk}/",
        f"/settings/sla/{pk}/",
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url
    for url in (f"/settings/teams/{pk}/delete/", f"/settings/sla/{pk}/delete/"):
        assert client.post(url).status_code == 404, url


def test_holiday_names_follow_the_ui_language_where_the_calendar_has_it(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    from django.conf import settings

    site = core.create_site(name="Beijing", timezone_name="Asia/Shanghai", brand_ids=[brand.pk])
    core.update_site(site, actor=None, country="CN")
    client = signed_in(make_agent(Role.SUPERVISOR))
    english = dict(client.get(f"/settings/sites/{site.pk}/").context["holidays"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    chinese = dict(client.get(f"/settings/sites/{site.pk}/").context["holidays"])
    assert english.keys() == chinese.keys() and english
    assert "New Year's Day" in english.values()
    assert "元旦" in chinese.values()


@pytest.mark.parametrize("name", ["", "   ", "two\nlines", "tab\there", "x" * 201])
def test_a_bad_team_name_is_a_form_error(
    brand: Brand, make_agent: Callable[..., Agent], name: str
) -> None:
    client = signed_in(make_agent(Role.ADMIN))
    team = core.create_team(brand_id=brand.pk, name="Lamps")
    for url, data in (
        ("/settings/teams/", {"brand": brand.pk, "name": name}),
        (f"/settings/teams/{team.pk}/", team_post(team, name=name)),
    ):
        response = client.post(url, data)
        assert response.status_code == 400, (url, name)
        assert 'data-field="name"' in response.content.decode()
    assert list(Team.objects.values_list("name", flat=True)) == ["Lamps"]
