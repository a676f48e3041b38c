"""The settings pages for tags and macros (supervisors and admins): per role in each of two
brands, the other brand's ids, bad input, and what each write did."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import quick_conversation
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Macro, Tag
from wowdesk.core.models import Agent, Brand, Role, Team

ROLES = [Role.AGENT, Role.SUPERVISOR, Role.ADMIN]
HOMES = ["brand", "other_brand"]


def login(agent: Agent) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


@pytest.fixture
def world(
    request: pytest.FixtureRequest, brand: Brand, other_brand: Brand
) -> Callable[[str], tuple[Brand, Brand]]:
    def pick(home: str) -> tuple[Brand, Brand]:
        mine = brand if home == "brand" else other_brand
        theirs = other_brand if home == "brand" else brand
        return mine, theirs

    return pick


# --- tags -----------------------------------------------------------------------------


@pytest.mark.parametrize("home", HOMES)
@pytest.mark.parametrize("role", ROLES)
def test_tags_page_per_role_and_brand(
    make_agent: Callable[..., Agent],
    world: Callable[[str], tuple[Brand, Brand]],
    role: str,
    home: str,
) -> None:
    mine, theirs = world(home)
    me = make_agent(role, brands=[mine])
    client = login(me)
    own = conversations.create_tag(brand_id=mine.pk, name="refund")
    other = conversations.create_tag(brand_id=theirs.pk, name="secret-plan")
    page = client.get("/settings/tags/")
    created = client.post("/settings/tags/", {"brand": mine.pk, "name": "VIP", "color": "#112233"})
    foreign = client.post(
        "/settings/tags/", {"brand": theirs.pk, "name": "sneaky", "color": "#112233"}
    )
    renamed = client.post(f"/settings/tags/{other.pk}/", {"name": "hacked", "color": "#000000"})
    merged = client.post(f"/settings/tags/{other.pk}/merge/", {"into": own.pk})
    deleted = client.post(f"/settings/tags/{other.pk}/delete/")
    assert Tag.objects.get(pk=other.pk).name == "secret-plan"  # never touched
    assert not Tag.objects.filter(name="sneaky").exists()
    if role == Role.AGENT:
        assert {page.status_code, created.status_code, renamed.status_code} == {403}
        assert not Tag.objects.filter(name="vip").exists()
        return
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-tag="refund"' in body and "secret-plan" not in body
    assert created.status_code == 302
    assert Tag.objects.get(brand=mine, name="vip").color == "#112233"
    assert foreign.status_code == 400
    assert (renamed.status_code, merged.status_code, deleted.status_code) == (404, 404, 404)


def test_usage_counts_are_right_and_read_in_one_query(
    make_agent: Callable[..., Agent], brand: Brand
) -> None:
    client = login(make_agent(Role.SUPERVISOR))
    tags = [conversations.create_tag(brand_id=brand.pk, name=f"t{i}") for i in range(3)]
    for n, tag in enumerate(tags):
        for _ in range(n + 1):
            quick_conversation(brand).tags.add(tag)
    with CaptureQueriesContext(connection) as few:
        body = client.get("/settings/tags/").content.decode()
    for n, tag in enumerate(tags):
        assert f'data-tag-id="{tag.pk}" data-tag="{tag.name}">' in body
        row = body.split(f'data-tag-id="{tag.pk}"')[1]
        assert f"<td data-uses>{n + 1}</td>" in row.split("</tr>")[0]
    for i in range(3, 9):
        quick_conversation(brand).tags.add(
            conversations.create_tag(brand_id=brand.pk, name=f"t{i}")
        )
    with CaptureQueriesContext(connection) as many:
        client.get("/settings/tags/")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_rename_follows_in_macros(make_agent: Callable[..., Agent], brand: Brand) -> None:
    client = login(make_agent(Role.SUPERVISOR))
    tag = conversations.create_tag(brand_id=brand.pk, name="refund")
    conversations.create_tag(brand_id=brand.pk, name="vip")
    macro = Macro.objects.create(
        brand=brand, name="R", body="x", actions={"tags": ["refund", "vip"], "status": "pending"}
    )
    assert (
        client.post(
            f"/settings/tags/{tag.pk}/", {"name": "Refunds", "color": "#aa0000"}
        ).status_code
        == 302
    )
    tag.refresh_from_db()
    assert (tag.name, tag.color) == ("refunds", "#aa0000")
    macro.refresh_from_db()
    assert macro.actions == {"tags": ["refunds", "vip"], "status": "pending"}


@pytest.mark.parametrize(
    "post, field",
    [
        ({"name": "", "color": "#000000"}, "name"),
        ({"name": "vip", "color": "#000000"}, "name"),  # taken
        ({"name": "ok", "color": "red"}, "color"),
        ({"name": "a\nb", "color": "#000000"}, "name"),
        ({"name": "x" * 65, "color": "#000000"}, "name"),
    ],
)
def test_a_bad_rename_is_refused_and_changes_nothing(
    make_agent: Callable[..., Agent], brand: Brand, post: dict[str, str], field: str
) -> None:
    client = login(make_agent(Role.ADMIN))
    tag = conversations.create_tag(brand_id=brand.pk, name="refund")
    conversations.create_tag(brand_id=brand.pk, name="vip")
    response = client.post(f"/settings/tags/{tag.pk}/", post)
    assert response.status_code == 400
    assert 'id="tag-error"' in response.content.decode()
    tag.refresh_from_db()
    assert (tag.name, tag.color) == ("refund", "#6b7280")


def test_merge_moves_conversations_and_macros_then_deletes_the_source(
    make_agent: Callable[..., Agent], brand: Brand
) -> None:
    client = login(make_agent(Role.SUPERVISOR))
    source = conversations.create_tag(brand_id=brand.pk, name="refnd")
    into = conversations.create_tag(brand_id=brand.pk, name="refund")
    only_source = quick_conversation(brand)
    both = quick_conversation(brand)
    only_into = quick_conversation(brand)
    only_source.tags.add(source)
    both.tags.add(source, into)
    only_into.tags.add(into)
    macro = Macro.objects.create(
        brand=brand, name="M", body="x", actions={"tags": ["refnd", "refund"]}
    )
    response = client.post(f"/settings/tags/{source.pk}/merge/", {"into": into.pk})
    assert response.status_code == 302
    assert not Tag.objects.filter(pk=source.pk).exists()
    for conversation in (only_source, both, only_into):
        assert list(
            Conversation.objects.get(pk=conversation.pk).tags.values_list("name", flat=True)
        ) == ["refund"]
    macro.refresh_from_db()
    assert macro.actions == {"tags": ["refund"]}


def test_merge_into_itself_or_another_brands_tag_is_refused(
    make_agent: Callable[..., Agent], brand: Brand, other_brand: Brand
) -> None:
    client = login(make_agent(Role.ADMIN, brands=[brand, other_brand]))
    tag = conversations.create_tag(brand_id=brand.pk, name="a")
    theirs = conversations.create_tag(brand_id=other_brand.pk, name="b")
    for into in (tag.pk, theirs.pk, "x", ""):
        assert client.post(f"/settings/tags/{tag.pk}/merge/", {"into": into}).status_code == 400
    assert Tag.objects.filter(pk__in=[tag.pk, theirs.pk]).count() == 2


def test_delete_removes_the_tag_from_conversations(
    make_agent: Callable[..., Agent], brand: Brand
) -> None:
    client = login(make_agent(Role.SUPERVISOR))
    tag = conversations.create_tag(brand_id=brand.pk, name="gone")
    conversation = quick_conversation(brand)
    conversation.tags.add(tag)
    assert client.post(f"/settings/tags/{tag.pk}/delete/").status_code == 302
    assert not Tag.objects.filter(pk=tag.pk).exists()
    assert not conversation.tags.exists()


# --- macros ---------------------------------------------------------------------------


def macro_post(brand: Brand | None, **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Refund done",
        "language": ["en", "de", ""],
        "body": ["Hi {{ customer.first_name }}, refunded.", "Hallo, erstattet.", ""],
        "status": "resolved",
        "priority": "",
        "team_id": "",
    }
    if brand is not None:
        data["brand"] = brand.pk
    data.update(over)
    return data


@pytest.mark.parametrize("home", HOMES)
@pytest.mark.parametrize("role", ROLES)
def test_macros_pages_per_role_and_brand(
    make_agent: Callable[..., Agent],
    world: Callable[[str], tuple[Brand, Brand]],
    role: str,
    home: str,
) -> None:
    mine, theirs = world(home)
    me = make_agent(role, brands=[mine])
    client = login(me)
    other = Macro.objects.create(brand=theirs, name="Their macro", body="theirs")
    listed = client.get("/settings/macros/")
    created = client.post("/settings/macros/new/", macro_post(mine))
    foreign = client.post("/settings/macros/new/", macro_post(theirs, name="Sneaky"))
    edit_other = client.get(f"/settings/macros/{other.pk}/")
    post_other = client.post(f"/settings/macros/{other.pk}/", macro_post(None, name="Hacked"))
    delete_other = client.post(f"/settings/macros/{other.pk}/delete/")
    assert Macro.objects.get(pk=other.pk).name == "Their macro"
    assert not Macro.objects.filter(name="Sneaky").exists()
    if role == Role.AGENT:
        assert {listed.status_code, created.status_code, edit_other.status_code} == {403}
        assert not Macro.objects.filter(name="Refund done").exists()
        return
    assert listed.status_code == 200
    assert "Their macro" not in listed.content.decode()
    assert created.status_code == 302
    rows = Macro.objects.filter(brand=mine, name="Refund done").order_by("language")
    assert [(m.language, m.actions) for m in rows] == [
        ("de", {"status": "resolved"}),
        ("en", {"status": "resolved"}),
    ]
    assert foreign.status_code == 400
    assert (edit_other.status_code, post_other.status_code, delete_other.status_code) == (
        404,
        404,
        404,
    )
    page = client.get("/settings/macros/").content.decode()
    assert 'data-macro="Refund done"' in page and "de, en" in page


def test_a_macro_with_every_action_and_then_edited(
    make_agent: Callable[..., Agent], brand: Brand
) -> None:
    me = make_agent(Role.SUPERVISOR)
    client = login(me)
    team = Team.objects.create(brand=brand, name="Billing")
    conversations.create_tag(brand_id=brand.pk, name="refund")
    post = macro_post(
        brand, priority="high", team_id=str(team.pk), tags=["refund"], assign_to_me="on"
    )
    assert client.post("/settings/macros/new/", post).status_code == 302
    first = Macro.objects.filter(brand=brand, name="Refund done").order_by("id").first()
    assert first is not None
    expected = {
        "status": "resolved",
        "priority": "high",
        "tags": ["refund"],
        "team_id": team.pk,
        "assign_to_me": True,
    }
    assert first.actions == expected
    listed = client.get("/settings/macros/").content.decode()
    for words in ("Status: Resolved", "Priority: High", "Tags: refund", "Team: Billing"):
        assert words in listed
    assert "Assign to me" in listed and "team_id" not in listed
    page = client.get(f"/settings/macros/{first.pk}/").content.decode()
    assert "{{ customer.first_name }}" in page  # the variables are listed
    assert "Hallo, erstattet." in page
    # Rename, drop the German text, add a fallback; actions cleared.
    edit = {
        "name": "Refunded",
        "language": ["en", "de", ""],
        "body": ["Refunded.", "", "Refunded (any)."],
        "status": "",
        "priority": "",
        "team_id": "",
    }
    assert client.post(f"/settings/macros/{first.pk}/", edit).status_code == 302
    rows = Macro.objects.filter(brand=brand).order_by("language")
    assert [(m.name, m.language, m.body, m.actions) for m in rows] == [
        ("Refunded", "", "Refunded (any).", {}),
        ("Refunded", "en", "Refunded.", {}),
    ]


@pytest.mark.parametrize(
    "over, field",
    [
        ({"name": ""}, "name"),
        ({"language": ["en", "en"], "body": ["a", "b"]}, "variants"),
        ({"language": [""], "body": [""]}, "variants"),
        ({"status": "exploded"}, "actions.status"),
        ({"priority": "asap"}, "actions.priority"),
        ({"tags": ["no-such-tag"]}, "actions.tags"),
        ({"tags": ["theirs"]}, "actions.tags"),
        ({"team_id": "999999"}, "actions.team_id"),
        ({"team_id": "THEIRS"}, "actions.team_id"),
        ({"name": "Taken"}, "name"),
        ({"name": "Two\nlines"}, "name"),
        ({"language": ["en; DROP"], "body": ["a"]}, "variants"),
        ({"language": ["x" * 40], "body": ["a"]}, "variants"),
        ({"body": ["y" * 20_001, "", ""]}, "variants"),
    ],
)
def test_bad_macro_input_is_refused_naming_the_field(
    make_agent: Callable[..., Agent],
    brand: Brand,
    other_brand: Brand,
    over: dict[str, Any],
    field: str,
) -> None:
    client = login(make_agent(Role.ADMIN, brands=[brand, other_brand]))
    conversations.create_tag(brand_id=other_brand.pk, name="theirs")
    their_team = Team.objects.create(brand=other_brand, name="Theirs")
    Macro.objects.create(brand=brand, name="Taken", body="x")
    if over.get("team_id") == "THEIRS":
        over = {**over, "team_id": str(their_team.pk)}
    before = Macro.objects.count()
    response = client.post("/settings/macros/new/", macro_post(brand, **over))
    assert response.status_code == 400
    assert f'data-field="{field}' in response.content.decode()  # variants.<i>.<part>
    assert Macro.objects.count() == before


def test_the_listed_variables_are_the_ones_filled_in(brand: Brand, agent: Agent) -> None:
    conversation = quick_conversation(brand)
    names = conversations.macro_variables(conversation, agent)
    assert set(conversations.MACRO_VARIABLE_NAMES) == set(names)


def test_a_nul_in_a_macro_text_is_refused_at_the_edge(
    make_agent: Callable[..., Agent], brand: Brand
) -> None:
    client = login(make_agent(Role.SUPERVISOR))
    response = client.post("/settings/macros/new/", macro_post(brand, body=["a\x00b", "", ""]))
    assert response.status_code == 400 and "body" in response.content.decode()
    assert not Macro.objects.exists()
