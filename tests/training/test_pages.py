"""The training pages per role of two brands: the trainee's home, the role-play (say and
finish without reload), the scenario library and form, the review of a scenario made from a
conversation, the team page; query counts of the lists."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import make_reply, quick_conversation
from tests.training.test_pages_helpers import ROLES, login, play, scenario
from wowdesk.conversations import services as conversations
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.training import assignment_services
from wowdesk.training import services as sim
from wowdesk.training.models import Assignment, Scenario, ScenarioSource, TrainingSession

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent]) -> dict[str, Agent]:
    return {
        "agent": make_agent(Role.AGENT),
        "supervisor": make_agent(Role.SUPERVISOR),
        "admin": make_agent(Role.ADMIN),
        "other_agent": make_agent(Role.AGENT, brands=[other_brand]),
        "other_supervisor": make_agent(Role.SUPERVISOR, brands=[other_brand]),
    }


def queries(c: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ROLES)
def test_the_home_and_the_role_play_per_role_and_brand(
    role: str, brand: Brand, other_brand: Brand, people: dict[str, Agent]
) -> None:
    me = people[role]
    sc = scenario(people["supervisor"], brand.pk, title="Broken lamp", market="DE")
    scenario(people["supervisor"], brand.pk, title="Late parcel", market="JP", difficulty="hard")
    theirs = scenario(people["other_supervisor"], other_brand.pk, title="Globex only")
    (mine,) = assignment_services.assign(
        people["supervisor"] if role != "supervisor" else people["admin"],
        scenario_id=sc.pk,
        trainee_ids=[me.pk],
        review_id=7,
        note="Start with the apology",
    )
    c = login(me)
    html = c.get("/training/").content.decode()
    assert f'data-assignment-id="{mine.pk}"' in html and "after review #7" in html
    assert "Broken lamp" in html and "Late parcel" in html and "Globex only" not in html
    filtered = c.get("/training/?market=JP&difficulty=hard").content.decode()
    assert "Late parcel" in filtered and f'data-scenario-id="{sc.pk}"' not in filtered
    # the other brand's scenario: no practice, no page
    assert c.post(f"/training/scenarios/{theirs.pk}/practise/").status_code == 403
    assert c.get(f"/training/scenarios/{theirs.pk}/").status_code == 403
    # practise the assignment
    started = c.post(f"/training/scenarios/{sc.pk}/practise/", {"assignment": mine.pk})
    assert started.status_code == 302
    session = TrainingSession.objects.get(trainee=me)
    assert started["Location"] == f"/training/sessions/{session.pk}/"
    page = c.get(started["Location"]).content.decode()
    assert "My lamp arrived with a cracked shade" in page and 'id="tr-composer"' in page
    assert "training/roleplay.js" in page and "<script>" not in page
    assert "Apologise and send a replacement" not in page  # revealed only after finishing
    said = c.post(
        f"/training/sessions/{session.pk}/say/",
        {
            "body": "I am so sorry about the cracked shade. "
            "I will send a replacement shade for free."
        },
    )
    assert said.status_code == 200
    answer = said.json()
    assert answer["body"] and isinstance(answer["mood_label"], str) and answer["mood_label"]
    assert c.post(f"/training/sessions/{session.pk}/say/", {"body": ""}).status_code == 400
    done = c.post(f"/training/sessions/{session.pk}/finish/")
    assert done.status_code == 200, done.content
    result = done.json()
    assert 0 <= result["score"] <= 100
    assert {f["key"] for f in result["feedback"]} >= {"empathy", "resolution"}
    assert result["expected_resolution"].startswith("Apologise")
    mine.refresh_from_db()
    assert mine.status == "done"
    after = c.get(f"/training/sessions/{session.pk}/").content.decode()
    assert 'id="tr-composer"' not in after and "Apologise and send a replacement" in after
    assert f'data-session-id="{session.pk}"' in c.get("/training/").content.decode()
    # another brand's person cannot read or play it
    outsider = login(people["other_supervisor"])
    assert outsider.get(f"/training/sessions/{session.pk}/").status_code == 403
    assert outsider.post(f"/training/sessions/{session.pk}/say/", {"body": "hi"}).status_code == 403
    assert outsider.post(f"/training/sessions/{session.pk}/finish/").status_code == 403


def test_supervisors_read_sessions_of_their_brand_and_agents_only_their_own(
    brand: Brand, people: dict[str, Agent], make_agent: Callable[..., Agent]
) -> None:
    sc = scenario(people["supervisor"], brand.pk)
    session = play(people["agent"], sc)
    colleague = make_agent(Role.AGENT)
    assert login(colleague).get(f"/training/sessions/{session.pk}/").status_code == 403
    page = login(people["supervisor"]).get(f"/training/sessions/{session.pk}/")
    assert page.status_code == 200 and 'id="tr-composer"' not in page.content.decode()
    assert (
        login(people["supervisor"])
        .post(f"/training/sessions/{session.pk}/say/", {"body": "x"})
        .status_code
        == 403
    )


@pytest.mark.parametrize("role", ROLES)
def test_the_scenario_library_and_form_per_role_and_brand(
    role: str, brand: Brand, other_brand: Brand, people: dict[str, Agent]
) -> None:
    c = login(people[role])
    theirs = scenario(people["other_supervisor"], other_brand.pk, title="Globex only")
    form = {
        "title": "Wrong size",
        "product": "Boots",
        "market": "jp",
        "language": "ja",
        "mood": "angry",
        "difficulty": "hard",
        "opening": "The boots are the wrong size.",
        "fact_key": ["order", "size", ""],
        "fact_value": ["[order number]", "42", ""],
        "expected_resolution": "Exchange for size 43, free return label.",
        "key_points": "exchange\nreturn label",
        "policy_limits": "refund 80 EUR\nreplacement",
    }
    page = c.get("/training/scenarios/")
    assert page.status_code == 200 and "Globex only" not in page.content.decode()
    saved = c.post("/training/scenarios/save/", form)
    edit_theirs = c.post("/training/scenarios/save/", {**form, "id": theirs.pk})
    archive_theirs = c.post(f"/training/scenarios/{theirs.pk}/archive/", {"archived": "1"})
    assert edit_theirs.status_code == 403 and archive_theirs.status_code == 403
    assert Scenario.objects.get(pk=theirs.pk).title == "Globex only"
    if role == "agent":
        assert saved.status_code == 403 and 'id="tr-author-form"' not in page.content.decode()
        return
    assert saved.status_code == 302, saved.content
    made = Scenario.objects.get(title="Wrong size")
    assert made.brand_id == brand.pk and made.market == "JP" and made.mood == "angry"
    assert made.facts == {"order": "[order number]", "size": "42"}
    assert made.key_points == ["exchange", "return label"]
    assert made.policy_limits == [
        {"action": "refund", "limit": 80.0, "currency": "EUR"},
        {"action": "replacement"},
    ]
    edit = c.get(f"/training/scenarios/?edit={made.pk}").content.decode()
    assert 'value="Wrong size"' in edit and "refund 80 EUR" in edit
    bad = c.post("/training/scenarios/save/", {**form, "policy_limits": "refund lots"})
    assert bad.status_code == 400
    bad = c.post("/training/scenarios/save/", {**form, "title": ""})
    assert bad.status_code == 400
    assert c.post(f"/training/scenarios/{made.pk}/archive/", {"archived": "1"}).status_code == 302
    assert Scenario.objects.get(pk=made.pk).archived
    assert "Wrong size" in c.get("/training/scenarios/?archived=1").content.decode()
    # trainees no longer see it
    assert "Wrong size" not in login(people["agent"]).get("/training/").content.decode()
    assert login(people["agent"]).get(f"/training/scenarios/{made.pk}/").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_make_a_training_scenario_from_a_conversation(
    role: str, brand: Brand, other_brand: Brand, people: dict[str, Agent]
) -> None:
    conversation = quick_conversation(
        brand,
        name="Greta Schmidt",
        email="greta.schmidt@example.com",
        body="Hello, I am Greta Schmidt. My order 123456 never arrived at Hauptstrasse 5.",
    )
    make_reply(conversation, people["supervisor"], "Sorry Greta, I am sending a new parcel today.")
    c = login(people[role])
    panel = c.get(f"/inbox/c/{conversation.pk}/").content.decode()
    assert 'id="tr-make-scenario"' not in panel  # not resolved yet
    conversations.update_conversation(conversation, actor=people["admin"], status="resolved")
    panel = c.get(f"/inbox/c/{conversation.pk}/").content.decode()
    made = c.post(f"/training/from-conversation/{conversation.pk}/")
    theirs = quick_conversation(other_brand)
    assert c.post(f"/training/from-conversation/{theirs.pk}/").status_code == 403
    if role == "agent":
        assert 'id="tr-make-scenario"' not in panel and made.status_code == 403
        return
    assert 'id="tr-make-scenario"' in panel
    assert made.status_code == 302
    sc = Scenario.objects.get(source_conversation=conversation)
    assert sc.source == ScenarioSource.CONVERSATION and sc.archived  # held back for review
    review = c.get(made["Location"]).content.decode()
    assert 'id="tr-offer"' in review
    for secret in ("Greta", "Schmidt", "greta.schmidt@example.com", "123456"):
        assert secret not in review, secret
    assert c.post(f"/training/scenarios/{sc.pk}/archive/", {"archived": "0"}).status_code == 302
    assert (
        f'data-scenario-id="{sc.pk}"' in login(people["agent"]).get("/training/").content.decode()
    )


@pytest.mark.parametrize("role", ROLES)
def test_the_team_page_per_role_and_brand(
    role: str, brand: Brand, other_brand: Brand, people: dict[str, Agent]
) -> None:
    c = login(people[role])
    sc = scenario(people["supervisor"], brand.pk)
    theirs = scenario(people["other_supervisor"], other_brand.pk)
    play(people["agent"], sc)
    page = c.get(f"/training/team/?agent={people['agent'].pk}&review=12&scenario={sc.pk}")
    assign = c.post(
        "/training/team/assign/",
        {
            "scenario": sc.pk,
            "trainee": [people["agent"].pk],
            "due_on": "2030-02-01",
            "note": "Go",
            "review": "12",
        },
    )
    into_other = c.post(
        "/training/team/assign/", {"scenario": theirs.pk, "trainee": [people["other_agent"].pk]}
    )
    if role == "agent":
        assert (
            page.status_code == 403 and assign.status_code == 403 and into_other.status_code == 403
        )
        assert not Assignment.objects.exists()
        return
    assert page.status_code == 200
    html = page.content.decode()
    assert f'value="{people["agent"].pk}" checked' in html and 'name="review" value="12"' in html
    assert f'data-agent-id="{people["agent"].pk}"' in html
    assert f'data-agent-id="{people["other_agent"].pk}"' not in html
    chart = json.loads(
        html.split('id="tr-progress-data"')[1].split(">", 1)[1].split("</script>")[0]
    )
    assert people["agent"].display_name in chart["labels"]
    assert assign.status_code == 302
    row = Assignment.objects.get(trainee=people["agent"])
    assert row.review_id == 12 and str(row.due_on) == "2030-02-01" and row.brand_id == brand.pk
    assert into_other.status_code == 302  # refused with a message
    assert not Assignment.objects.filter(scenario=theirs).exists()
    assert "Globex" not in c.get(f"/training/team/?brand={other_brand.pk}").content.decode()


def test_the_lists_cost_the_same_for_50_rows_as_for_5(
    brand: Brand, people: dict[str, Agent], make_agent: Callable[..., Agent]
) -> None:
    sup, me = people["supervisor"], people["agent"]
    trainees = [make_agent(Role.AGENT) for _ in range(3)]

    def grow(n: int) -> None:
        for i in range(n):
            sc = scenario(sup, brand.pk, title=f"S{i}", product=f"P{i}", market="DE")
            assignment_services.assign(
                sup, scenario_id=sc.pk, trainee_ids=[me.pk, *[t.pk for t in trainees]]
            )
            play(me, sc)

    grow(5)
    agent_c, sup_c = login(me), login(sup)
    for c, path in (
        (agent_c, "/training/"),
        (sup_c, "/training/scenarios/"),
        (sup_c, "/training/team/"),
    ):
        c.get(path)
    small = [
        queries(agent_c, "/training/"),
        queries(sup_c, "/training/scenarios/"),
        queries(sup_c, "/training/team/"),
    ]
    grow(45)
    big = [
        queries(agent_c, "/training/"),
        queries(sup_c, "/training/scenarios/"),
        queries(sup_c, "/training/team/"),
    ]
    assert big == small


def test_an_arabic_scenario_is_played_right_to_left(brand: Brand, people: dict[str, Agent]) -> None:
    sc = scenario(
        people["supervisor"],
        brand.pk,
        language="ar",
        market="SA",
        opening="وصل المصباح مكسوراً. أنا غاضب جداً.",
    )
    session = sim.start_session(people["agent"], sc)
    html = login(people["agent"]).get(f"/training/sessions/{session.pk}/").content.decode()
    assert 'lang="ar" dir="rtl"' in html and 'id="tr-body" name="body"' in html
    assert 'dir="rtl" lang="ar"' in html  # the composer too
    plain = sim.start_session(people["agent"], scenario(people["supervisor"], brand.pk))
    html = login(people["agent"]).get(f"/training/sessions/{plain.pk}/").content.decode()
    assert 'dir="rtl"' not in html


def test_the_scenario_shows_its_policy_limits_in_words_of_the_readers_language(
    brand: Brand, people: dict[str, Agent]
) -> None:
    sc = scenario(
        people["supervisor"],
        brand.pk,
        policy_limits=[
            {"action": "goodwill_credit", "limit": 25, "currency": "EUR"},
            {"action": "shipping_upgrade"},
        ],
    )
    c = login(people["supervisor"])
    html = c.get(f"/training/scenarios/{sc.pk}/").content.decode()
    assert "<li>Goodwill credit 25 EUR</li>" in html
    assert "goodwill_credit" not in html.split('id="tr-limits"')[1].split("</ul>")[0]
    c.post("/i18n/setlang/", {"language": "zh-hans"})
    zh = c.get(f"/training/scenarios/{sc.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    limits = zh.split('id="tr-limits"')[1].split("</ul>")[0]
    assert "goodwill" not in limits.lower() and "shipping" not in limits.lower()


def test_the_facts_of_a_scenario_made_from_a_conversation_are_named_in_the_readers_language(
    brand: Brand, people: dict[str, Agent]
) -> None:
    sc = scenario(
        people["supervisor"],
        brand.pk,
        facts={
            "problem": "lamp broken",
            "order": "[number]",
            "customer_name": "[name]",
            "Mine": "x",
        },
    )
    c = login(people["supervisor"])
    c.post("/i18n/setlang/", {"language": "zh-hans"})
    zh = c.get(f"/training/scenarios/{sc.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    facts = zh.split('id="tr-facts"')[1].split("</dl>")[0]
    assert "<dt>问题</dt>" in facts and "<dt>订单</dt>" in facts
    assert "customer_name" not in facts and "<dt>Mine</dt>" in facts
