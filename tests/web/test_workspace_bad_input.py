"""The workspace forms refuse what the API refuses, with a 4xx naming the field and
nothing stored: NUL and control characters, over-long text and query parameters, ids
that are not ids, too many tags, and new tags from agents (only supervisors and admins
create tags, as ``POST /api/v1/tags``). Each role of each of two brands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import quick_conversation
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Direction, Tag
from wowdesk.core.models import Agent, Brand, Role

ROLES = [Role.AGENT, Role.SUPERVISOR, Role.ADMIN]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


@pytest.fixture
def people(
    make_agent: Callable[..., Agent], brand: Brand, other_brand: Brand
) -> dict[tuple[str, str], Agent]:
    """One agent, supervisor and admin in each of two brands."""
    return {
        (role, b.slug): make_agent(role, brands=[b]) for role in ROLES for b in (brand, other_brand)
    }


def client_for(agent: Agent) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


def replies(conversation: Conversation) -> int:
    return conversation.messages.exclude(direction__in=[Direction.IN, Direction.ACTIVITY]).count()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("Hello\x00there", "body"),
        ("x" * (conversations.MAX_BODY + 1), "Message"),
        ("   ", "Message"),
    ],
)
def test_reply_refused_with_the_field_and_the_draft_kept(
    people: dict[tuple[str, str], Agent], brand: Brand, role: str, body: str, field: str
) -> None:
    conversation = quick_conversation(brand)
    client = client_for(people[(role, brand.slug)])
    r = client.post(f"/inbox/c/{conversation.pk}/reply/", {"body": body, "mode": "reply"})
    assert 400 <= r.status_code < 500
    assert field in r.content.decode()
    assert replies(conversation) == 0
    if r.status_code != 400:  # the page again, with what was typed
        assert body[:50] in r.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_a_reply_to_the_other_brand_is_not_found(
    people: dict[tuple[str, str], Agent], brand: Brand, other_brand: Brand, role: str
) -> None:
    theirs = quick_conversation(other_brand)
    client = client_for(people[(role, brand.slug)])
    r = client.post(f"/inbox/c/{theirs.pk}/reply/", {"body": "x\x00"})
    assert r.status_code in (400, 404)
    assert client.post(f"/inbox/c/{theirs.pk}/reply/", {"body": "ok"}).status_code == 404
    assert replies(theirs) == 0


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"assignee": "abc"}, "Assignee"),
        ({"assignee": "1e999"}, "Assignee"),
        ({"assignee": "99999999999999999999999"}, "Assignee"),
        ({"team": "NaN"}, "Team"),
        ({"team": "-1"}, "Team"),
        ({"status": "open\r\nX"}, "Status"),
        ({"status": "nope"}, "Status"),
        ({"priority": "x" * 5000}, "Priority"),
        ({"tags": "ok,bad\nline"}, "Tags"),
        ({"tags": ",".join(f"t{i}" for i in range(conversations.MAX_TAGS + 1))}, "Tags"),
        ({"tags": "x" * 65}, "Tags"),
        ({"tags": "a" * 10_000}, "Tags"),
        ({"tags": "vip\x00"}, "tags"),
    ],
)
def test_side_panel_refuses_bad_values_with_the_field(
    people: dict[tuple[str, str], Agent],
    brand: Brand,
    role: str,
    data: dict[str, str],
    field: str,
) -> None:
    conversation = quick_conversation(brand)
    before = (conversation.status, conversation.priority, conversation.assignee_id)
    # only the tags asked for exist, so no tag would be new for anyone
    for name in data.get("tags", "").split(","):
        if name and "\x00" not in name and len(name) <= 64 and "\n" not in name:
            conversations.ensure_tags(brand.pk, [name])
    tags_before = Tag.objects.count()
    r = client_for(people[(role, brand.slug)]).post(f"/inbox/c/{conversation.pk}/update/", data)
    assert 400 <= r.status_code < 500, r.status_code
    assert field in r.content.decode()
    conversation.refresh_from_db()
    assert (conversation.status, conversation.priority, conversation.assignee_id) == before
    assert conversation.tags.count() == 0 and Tag.objects.count() == tags_before


@pytest.mark.parametrize(
    ("role", "allowed"), [(Role.AGENT, False), (Role.SUPERVISOR, True), (Role.ADMIN, True)]
)
def test_only_supervisors_and_admins_create_tags_from_the_side_panel(
    people: dict[tuple[str, str], Agent], brand: Brand, role: str, allowed: bool
) -> None:
    conversations.ensure_tags(brand.pk, ["refund"])
    conversation = quick_conversation(brand)
    client = client_for(people[(role, brand.slug)])
    r = client.post(f"/inbox/c/{conversation.pk}/update/", {"tags": "refund, brand-new"})
    names = sorted(t.name for t in conversation.tags.all())
    if allowed:
        assert r.status_code == 302
        assert names == ["brand-new", "refund"]
    else:
        assert r.status_code == 403
        assert "brand-new" in r.content.decode()
        assert names == [] and not Tag.objects.filter(name="brand-new").exists()
    # an existing tag is anyone's to use
    r = client.post(f"/inbox/c/{conversation.pk}/update/", {"tags": "refund"})
    assert r.status_code == 302
    assert [t.name for t in conversation.tags.all()] == ["refund"]


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR])
def test_the_api_applies_the_same_tag_rule(
    people: dict[tuple[str, str], Agent], brand: Brand, make_api: Any, role: str
) -> None:
    conversation = quick_conversation(brand)
    api = make_api(people[(role, brand.slug)])
    r = api.patch(f"/conversations/{conversation.pk}", {"tags": ["brand-new"]})
    if role == Role.AGENT:
        assert r.status_code == 403 and r.json()["field"] == "tags"
        assert not Tag.objects.filter(name="brand-new").exists()
    else:
        assert r.status_code == 200
    too_many = [f"t{i}" for i in range(conversations.MAX_TAGS + 1)]
    r = api.patch(f"/conversations/{conversation.pk}", {"tags": too_many})
    assert r.status_code == 422 and r.json()["field"] == "tags"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/inbox/", {"q": "x" * 201}, "q"),
        ("/inbox/list/", {"q": "a\x00b"}, "q"),
        ("/inbox/list/", {"language": "e" * 5000}, "language"),
        ("/inbox/", {"tz": "Z" * 5000}, "tz"),
        ("/inbox/", {"view": "mine\r\n"}, "view"),
        ("/inbox/", {"x" * 5000: "1"}, "x"),
    ],
)
def test_inbox_query_parameters_refused_with_the_field(
    people: dict[tuple[str, str], Agent],
    brand: Brand,
    role: str,
    path: str,
    params: Any,
    field: str,
) -> None:
    r = client_for(people[(role, brand.slug)]).get(path, params)
    assert r.status_code == 400
    assert r.content.decode().startswith(field)


def test_a_search_within_the_limit_works(
    people: dict[tuple[str, str], Agent], brand: Brand
) -> None:
    quick_conversation(brand, subject="Lamp")
    r = client_for(people[(Role.AGENT, brand.slug)]).get("/inbox/list/", {"q": "L" * 200})
    assert r.status_code == 200


@pytest.mark.parametrize(
    ("path", "data", "field"),
    [
        ("/login/", {"username": "ana\x00@example.com", "password": "x"}, "username"),
        ("/admin/login/", {"username": "a", "password": "p\x00"}, "password"),
        ("/settings/language/", {"language": "en\x00"}, "language"),
    ],
)
def test_every_page_refuses_nul_in_a_form_field(
    db: None, path: str, data: dict[str, str], field: str
) -> None:
    """PostgreSQL cannot store NUL: refused before any view, the field named."""
    r = Client().post(path, data)
    assert r.status_code == 400
    assert r.content.decode().startswith(f"{field}:")


def test_a_multipart_reply_with_nul_is_refused(
    people: dict[tuple[str, str], Agent], brand: Brand
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    conversation = quick_conversation(brand)
    r = client_for(people[(Role.AGENT, brand.slug)]).post(
        f"/inbox/c/{conversation.pk}/reply/",
        {"body": "a\x00b", "attachments": SimpleUploadedFile("a.txt", b"\x00binary is fine")},
    )
    assert r.status_code == 400 and r.content.decode().startswith("body:")
    assert replies(conversation) == 0


def test_a_refused_side_panel_shows_what_is_stored(
    people: dict[tuple[str, str], Agent], brand: Brand
) -> None:
    """A change refused halfway (the status set, then a new tag refused) is rolled back,
    and the page shows the conversation as stored, not as half-changed."""
    conversation = quick_conversation(brand)
    client = client_for(people[(Role.AGENT, brand.slug)])
    r = client.post(
        f"/inbox/c/{conversation.pk}/update/", {"status": "pending", "tags": "brand-new"}
    )
    assert r.status_code == 403
    conversation.refresh_from_db()
    assert conversation.status == "open"
    assert r.context["conversation"].status == "open"
