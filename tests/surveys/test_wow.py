"""The WOW wall: promoters' whys become stories, nominations, hiding and editing per role,
the brand wall, and the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import ApiClient
from tests.factories import quick_conversation
from tests.surveys.voc_helpers import answer
from wowdesk.conversations.models import Conversation
from wowdesk.core.events import Event, emit
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.surveys import wow, wow_services
from wowdesk.surveys.models import SurveyResponse, WowSource, WowStory

pytestmark = pytest.mark.django_db


def assigned(brand: Brand, agent: Agent, **kw: str) -> Conversation:
    conversation = quick_conversation(brand, **kw)
    Conversation.objects.filter(pk=conversation.pk).update(assignee=agent)
    conversation.refresh_from_db()
    return conversation


def answered(response: SurveyResponse, updated: bool = False) -> None:
    emit(
        Event.SURVEY_ANSWERED,
        survey_id=response.survey_id,
        response_id=response.pk,
        conversation_id=response.conversation_id,
        brand_id=response.brand_id,
        kind=response.kind,
        score=response.score,
        updated=updated,
    )


def test_a_promoters_why_becomes_a_story_once(
    brand: Brand, make_agent: Callable[..., Agent], django_capture_on_commit_callbacks: Any
) -> None:
    agent = make_agent(Role.AGENT, name="Mei Chen")
    conversation = assigned(brand, agent, name="Maria Lopez")
    response = answer(conversation, "nps", 10, "Maria, Mei fixed it in five minutes, wonderful!")
    with django_capture_on_commit_callbacks(execute=True):
        answered(response)
    with django_capture_on_commit_callbacks(execute=True):
        answered(response, updated=True)
    story = WowStory.objects.get()
    assert story.source == WowSource.PROMOTER
    assert story.agent_id == agent.pk and story.response_id == response.pk
    assert "Maria" not in story.story and "five minutes" in story.story
    # the customer changes the answer to a 6: the story leaves the wall
    SurveyResponse.objects.filter(pk=response.pk).update(score=6)
    response.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        answered(response, updated=True)
    assert WowStory.objects.get().hidden


@pytest.mark.parametrize(
    ("kind", "score", "comment", "made"),
    [
        ("nps", 9, "Really quick and kind help", True),
        ("csat", 5, "非常感谢你们的帮助", True),
        ("nps", 8, "Really quick and kind help", False),  # a passive
        ("csat", 4, "Really quick and kind help", False),
        ("nps", 10, "ok", False),  # says too little
        ("ces", 7, "Really quick and kind help", False),
    ],
)
def test_which_answers_make_a_story(
    brand: Brand, kind: str, score: int, comment: str, made: bool
) -> None:
    response = answer(quick_conversation(brand), kind, score, comment)
    wow.on_survey_answered(response_id=response.pk, kind=kind, score=score)
    assert WowStory.objects.exists() is made


def test_nominate_by_any_agent_of_the_brand(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    hero = make_agent(Role.AGENT, name="Ana Costa")
    colleague = make_agent(Role.AGENT)
    stranger = make_agent(Role.ADMIN, brands=[other_brand])
    conversation = assigned(brand, hero)
    api = make_api(colleague)
    created = api.post(
        "/wow", {"conversation_id": conversation.pk, "story": "Stayed late to find the parcel."}
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["agent"] == {"id": hero.pk, "name": "Ana Costa"}
    assert body["nominated_by"]["id"] == colleague.pk and body["source"] == "nomination"
    for story in ("", "   ", "x" * (wow_services.MAX_STORY + 1)):
        bad = api.post("/wow", {"conversation_id": conversation.pk, "story": story})
        assert bad.status_code == 400 and bad.json()["field"] == "story"
    assert api.post("/wow", {"conversation_id": 10**9, "story": "x"}).status_code == 404
    other = make_api(stranger).post("/wow", {"conversation_id": conversation.pk, "story": "x"})
    assert other.status_code == 403
    assert WowStory.objects.count() == 1


def test_list_per_brand_and_filters(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    a1, a2 = make_agent(Role.AGENT), make_agent(Role.AGENT)
    theirs = make_agent(Role.AGENT, brands=[other_brand])
    wow_services.do_nominate(a2, assigned(brand, a1).pk, "One")
    wow_services.do_nominate(a1, assigned(brand, a2).pk, "Two")
    wow_services.do_nominate(theirs, assigned(other_brand, theirs).pk, "Elsewhere")
    mine = make_api(a1).get("/wow").json()
    assert [s["story"] for s in mine["items"]] == ["Two", "One"] and mine["total"] == 2
    only = make_api(a1).get("/wow", agent=a1.pk).json()
    assert [s["story"] for s in only["items"]] == ["One"]
    assert make_api(a1).get("/wow", brand=other_brand.pk).status_code == 403
    assert make_api(a1).get("/wow", **{"from": "1800-01-01"}).status_code == 422
    assert [s["story"] for s in make_api(theirs).get("/wow").json()["items"]] == ["Elsewhere"]


def test_hide_edit_delete_per_role(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    nominator, bystander = make_agent(Role.AGENT), make_agent(Role.AGENT)
    supervisor = make_agent(Role.SUPERVISOR)
    other_admin = make_agent(Role.ADMIN, brands=[other_brand])
    story = wow_services.do_nominate(nominator, assigned(brand, bystander).pk, "Kind words")
    url = f"/wow/{story.pk}"
    assert make_api(bystander).patch(url, {"hidden": True}).status_code == 403
    assert make_api(other_admin).patch(url, {"hidden": True}).status_code == 403
    assert (
        make_api(nominator).patch(url, {"story": "Kinder words"}).json()["story"] == "Kinder words"
    )
    assert make_api(nominator).patch(url, {"story": ""}).status_code == 400
    assert make_api(supervisor).patch(url, {"hidden": True}).json()["hidden"] is True
    assert make_api(bystander).get("/wow").json()["total"] == 0
    assert make_api(supervisor).get("/wow", hidden="true").json()["total"] == 1
    assert make_api(bystander).delete(url).status_code == 403
    assert make_api(supervisor).delete(url).status_code == 204
    assert make_api(supervisor).delete(url).status_code == 404


def test_wall_page_and_panel_nomination(brand: Brand, make_agent: Callable[..., Agent]) -> None:
    hero = make_agent(Role.AGENT, name="Ana Costa")
    agent = make_agent(Role.AGENT)
    conversation = assigned(brand, hero)
    client = Client()
    client.force_login(agent.user)
    page = client.get(reverse("web:conversation", args=[conversation.pk]))
    assert b"wow-nominate-form" in page.content
    posted = client.post(reverse("wow:nominate", args=[conversation.pk]), {"story": "Found it!"})
    assert posted.status_code == 302
    wall = client.get(reverse("wow:wall"))
    assert wall.status_code == 200
    assert "Found it!" in wall.content.decode() and "Ana Costa" in wall.content.decode()
    assert (
        client.post(reverse("wow:nominate", args=[conversation.pk]), {"story": ""}).status_code
        == 302
    )
    assert WowStory.objects.count() == 1
    story = WowStory.objects.get()
    assert client.post(reverse("wow:hide", args=[story.pk])).status_code == 302  # the nominator
    assert "Found it!" not in client.get(reverse("wow:wall")).content.decode()


def test_wall_and_panel_in_chinese_have_no_english(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    from tests.test_i18n import _chinese_client, visible_english

    hero = make_agent(Role.SUPERVISOR, name="王芳")
    conversation = assigned(brand, hero, name="李雷", body="你好")
    wow_services.do_nominate(hero, conversation.pk, "她帮客户找回了包裹")
    client = _chinese_client(hero.user)
    wall = client.get(reverse("wow:wall")).content.decode()
    assert "惊喜墙" in wall and "她帮客户找回了包裹" in wall
    assert visible_english(wall) == set()
    panel = client.get(reverse("web:conversation", args=[conversation.pk])).content.decode()
    assert "提名上惊喜墙" in panel


def test_the_wall_reads_a_constant_number_of_queries(
    brand: Brand, make_agent: Callable[..., Agent], django_assert_max_num_queries: Any
) -> None:
    agent = make_agent(Role.SUPERVISOR)
    client = Client()
    client.force_login(agent.user)

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("wow:wall")).status_code == 200
        return len(ctx.captured_queries)

    wow_services.do_nominate(agent, assigned(brand, agent).pk, "First")
    few = count()
    for i in range(6):
        hero = make_agent(Role.AGENT)
        conversation = assigned(brand, hero)
        wow_services.do_add_promoter_story(
            answer(conversation, "nps", 10, f"Wonderful quick help number {i}").pk
        )
    assert count() == few


def test_a_new_story_is_announced_to_the_brands_open_walls(
    brand: Brand, make_agent: Callable[..., Agent], monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[tuple[str, str, dict[str, Any]]] = []
    monkeypatch.setattr(
        wow_services, "publish", lambda group, kind, **data: sent.append((group, kind, data))
    )
    agent = make_agent(Role.AGENT)
    story = wow_services.do_nominate(agent, assigned(brand, agent).pk, "Live!")
    assert sent == [
        (f"brand.{brand.pk}", "wow.story", {"story_id": story.pk, "brand_id": brand.pk})
    ]
    from wowdesk.web.consumers import FORWARDED

    assert "wow.story" in FORWARDED
