"""The WOW wall and the voice of the customer in a real browser: an agent nominates a
conversation from its side panel and finds it on the wall; a supervisor reads the topics,
the driver of detractors, and drills down to the conversations behind it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.analytics.test_topics_job import world
from tests.web.pages import LoginPage
from tests.web.pages_voc import NominatePanel, TopicsPage, WowWallPage
from wowdesk.analytics import topics_jobs
from wowdesk.analytics.models import Topic
from wowdesk.conversations.models import Conversation
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.surveys import wow_services
from wowdesk.surveys.models import WowStory

PASSWORD = "correct-horse-battery-staple"


def test_nominate_then_see_filter_and_hide_on_the_wall(
    page: Any, brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    from tests.factories import quick_conversation

    hero = make_agent(Role.AGENT, name="Ana Costa")
    other = make_agent(Role.AGENT, name="Bo Lin")
    make_agent(Role.SUPERVISOR, email="kim@example.com", name="Kim", password=PASSWORD)
    mine = quick_conversation(brand, body="My parcel is lost")
    Conversation.objects.filter(pk=mine.pk).update(assignee=hero)
    theirs = quick_conversation(brand, body="Wrong size")
    Conversation.objects.filter(pk=theirs.pk).update(assignee=other)
    LoginPage(page).open().login("kim@example.com", PASSWORD)

    NominatePanel(page).open(mine.pk).nominate("Ana drove the parcel over herself.")
    wow_services.do_nominate(hero, theirs.pk, "Bo found the right size in another store.")
    wall = WowWallPage(page).open()
    assert sorted(wall.stories()) == [
        "Ana drove the parcel over herself.",
        "Bo found the right size in another store.",
    ]
    assert sorted(wall.agents()) == ["Ana Costa", "Bo Lin"]
    assert wall.filter_agent("Ana Costa").stories() == ["Ana drove the parcel over herself."]
    story = WowStory.objects.get(conversation=mine)
    wall.hide(story.pk)
    assert WowStory.objects.get(pk=story.pk).hidden
    assert WowWallPage(page).open().stories() == ["Bo found the right size in another store."]


def test_topics_drivers_and_drill_down(
    page: Any, brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    ids = world(brand)
    topics_jobs.run(brand.pk)
    late = Topic.objects.get(members__conversation_id=ids["late"][0])
    make_agent(Role.SUPERVISOR, email="kim@example.com", name="Kim", password=PASSWORD)
    LoginPage(page).open().login("kim@example.com", PASSWORD)
    topics = TopicsPage(page).open()
    assert len(topics.topic_ids()) == 2 and late.pk in topics.topic_ids()
    assert topics.driver_ids() == [late.pk]
    assert topics.cell(late.pk, "nps").startswith("-100")
    assert topics.cell(late.pk, "volume") == "6"
    topics.drill(late.pk)
    assert sorted(topics.member_conversations()) == sorted(ids["late"])
