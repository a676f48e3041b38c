"""The quality pages per role of two brands: the queue and "My reviews", the review form
(draft, share, refusals naming the field), a review read, acknowledged and answered,
scorecards in the settings area, calibration; and their query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.quality.helpers import resolved
from wowdesk.core.models import Agent, Brand
from wowdesk.notifications.models import Notification
from wowdesk.quality import services
from wowdesk.quality.models import Review, Scorecard

pytestmark = pytest.mark.django_db


def login(agent: Agent) -> Client:
    c = Client()
    c.force_login(agent.user)
    return c


FORM = {
    "score-empathy": "4",
    "score-accuracy": "yes",
    "score-resolution": "no",
    "score-clarity": "5",
    "score-policy": "na",
    "note": "Offer the replacement sooner.",
}


def test_queue_for_reviewers_my_reviews_for_agents(
    brand: Brand, other_brand: Brand, people: dict[str, Any]
) -> None:
    a = people["agents"]
    c = resolved(brand, a["agent"])
    theirs = resolved(other_brand, a["their_agent"])
    for who in ("supervisor", "admin"):
        html = login(a[who]).get("/quality/").content.decode()
        assert f'id="queue-{c.pk}"' in html and f'id="queue-{theirs.pk}"' not in html
        assert "data-pre-score" in html
    html = login(a["agent"]).get("/quality/").content.decode()
    assert 'id="qa-queue"' not in html and 'id="qa-mine-title"' in html
    html = login(a["their_supervisor"]).get("/quality/").content.decode()
    assert f'id="queue-{theirs.pk}"' in html and f'id="queue-{c.pk}"' not in html


def test_a_reviewer_scores_the_agent_reads_acknowledges_and_replies(
    brand: Brand, people: dict[str, Any]
) -> None:
    a = people["agents"]
    c = resolved(brand, a["agent"])
    url = f"/quality/review/{c.pk}/"
    # agents and the other brand cannot open the form
    assert login(a["agent"]).get(url).status_code == 403
    assert login(a["their_supervisor"]).get(url).status_code == 403
    assert login(a["supervisor"]).get("/quality/review/999999/").status_code == 404
    sup = login(a["supervisor"])
    page = sup.get(url)
    assert page.status_code == 200 and 'data-criterion="empathy"' in page.content.decode()
    # a bad answer: the page again with the reason, nothing stored
    bad = sup.post(url, {**FORM, "score-accuracy": "maybe", "action": "share"})
    assert bad.status_code == 422 and 'id="qa-error"' in bad.content.decode()
    assert not Review.objects.exists()
    # a draft, then shared
    r = sup.post(url, {**FORM, "action": "draft"})
    assert r.status_code == 302
    review = Review.objects.get()
    assert review.status == "draft" and not Notification.objects.filter(agent=a["agent"]).exists()
    assert login(a["agent"]).get(f"/quality/reviews/{review.pk}/").status_code == 403
    r = sup.post(url, {**FORM, "note": "Shared now.", "action": "share"})
    assert r.status_code == 302 and Review.objects.count() == 1
    review.refresh_from_db()
    assert review.status == "shared" and review.note == "Shared now."
    # (25*.75 + 25*1 + 25*0 + 15*1) / 90
    assert review.score == pytest.approx(round(100 * 58.75 / 90, 2))
    assert Notification.objects.filter(agent=a["agent"], kind="review_received").exists()
    # the agent reads it (no ranking, no handle time), acknowledges, replies
    me = login(a["agent"])
    html = me.get(f"/quality/reviews/{review.pk}/").content.decode()
    assert "Shared now." in html and 'id="qa-acknowledge"' in html
    assert "handle time" not in html.lower()
    assert me.post(f"/quality/reviews/{review.pk}/acknowledge/").status_code == 302
    assert me.post(f"/quality/reviews/{review.pk}/comment/", {"body": "Got it"}).status_code == 302
    empty = me.post(f"/quality/reviews/{review.pk}/comment/", {"body": " "})
    assert empty.status_code == 422
    # a colleague and the other brand cannot read or reply
    for who in ("colleague", "their_supervisor"):
        assert login(a[who]).get(f"/quality/reviews/{review.pk}/").status_code == 403
        r = login(a[who]).post(f"/quality/reviews/{review.pk}/comment/", {"body": "x"})
        assert r.status_code == 403
    # the reviewer answers, and sees the coaching link
    html = sup.get(f"/quality/reviews/{review.pk}/").content.decode()
    assert f"/training/team/?agent={a['agent'].pk}&amp;review={review.pk}" in html
    assert "Got it" in html
    assert sup.post(f"/quality/reviews/{review.pk}/comment/", {"body": "Great"}).status_code == 302
    html = login(a["agent"]).get("/quality/").content.decode()
    assert f'id="review-{review.pk}"' in html


def test_scorecards_settings_page(brand: Brand, other_brand: Brand, people: dict[str, Any]) -> None:
    a = people["agents"]
    assert login(a["agent"]).get("/quality/scorecards/").status_code in (302, 403)
    sup = login(a["supervisor"])
    page = sup.get("/quality/scorecards/")
    assert page.status_code == 200
    card = Scorecard.objects.get(brand=brand)
    assert f'id="scorecard-{card.pk}"' in page.content.decode()
    assert sup.get(f"/quality/scorecards/?brand={other_brand.pk}").status_code == 403
    rows = {
        "brand": brand.pk,
        "name": "Chat",
        "active": "1",
        "key": ["empathy", "handle_time", ""],
        "label": ["Empathy", "Handle time", ""],
        "weight": ["50", "50", "1"],
        "kind": ["scale_1_5", "yes_no_na", "yes_no_na"],
        "description": ["", "", ""],
    }
    bad = sup.post("/quality/scorecards/", rows)
    assert bad.status_code == 422 and 'data-field="criteria.1.key"' in bad.content.decode()
    ok = sup.post(
        "/quality/scorecards/",
        {**rows, "key": ["empathy", "tone", ""], "label": ["Empathy", "Tone", ""]},
    )
    assert ok.status_code == 302
    chat = Scorecard.objects.get(brand=brand, name="Chat")
    assert [c["key"] for c in chat.criteria] == ["empathy", "tone"]
    # the other brand's supervisor cannot change it
    other = login(a["their_supervisor"]).post(
        "/quality/scorecards/", {**rows, "brand": brand.pk, "scorecard": chat.pk}
    )
    assert other.status_code == 403
    other = login(a["their_supervisor"]).post(
        "/quality/scorecards/", {**rows, "brand": other_brand.pk, "scorecard": chat.pk}
    )
    assert other.status_code == 403


def test_calibration_pages(brand: Brand, other_brand: Brand, people: dict[str, Any]) -> None:
    a = people["agents"]
    c = resolved(brand, a["agent"])
    assert login(a["agent"]).get("/quality/calibration/").status_code in (302, 403)
    sup = login(a["supervisor"])
    assert sup.get("/quality/calibration/").status_code == 200
    r = sup.post(
        "/quality/calibration/",
        {"conversation": c.pk, "reviewers": [a["supervisor"].pk, a["admin"].pk]},
    )
    assert r.status_code == 302
    url = r["Location"]
    html = sup.get(url).content.decode()
    assert 'id="cal-blind"' in html and 'id="cal-score"' in html
    assert login(a["their_supervisor"]).get(url).status_code == 403
    bad = login(a["their_supervisor"]).post(
        "/quality/calibration/", {"conversation": c.pk, "reviewers": [a["their_supervisor"].pk]}
    )
    assert bad.status_code == 403
    session_id = int(url.rstrip("/").rsplit("/", 1)[1])
    form = f"/quality/review/{c.pk}/"
    assert sup.post(form, {**FORM, "calibration": session_id}).status_code == 302
    assert login(a["admin"]).post(form, {**FORM, "calibration": session_id}).status_code == 302
    html = sup.get(url).content.decode()
    assert 'id="cal-alpha">1.00<' in html and 'id="cal-percent">100 %<' in html


def test_pages_cost_the_same_for_5_and_50_reviews(brand: Brand, people: dict[str, Any]) -> None:
    a = people["agents"]
    card = services.default_scorecard(brand.pk)
    c = resolved(brand, a["agent"])

    def add(n: int) -> None:
        for _ in range(n):
            services.create_review(
                conversation=c, scorecard=card, reviewer=a["supervisor"], scores={}, share=True
            )

    def count(who: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert login(a[who]).get("/quality/").status_code == 200
        return len(ctx.captured_queries)

    add(5)
    for w in ("agent", "supervisor"):
        count(w)  # warm the caches of a first visit
    few = {w: count(w) for w in ("agent", "supervisor")}
    add(45)
    assert {w: count(w) for w in ("agent", "supervisor")} == few


def test_quality_pages_have_no_english_in_chinese(brand: Brand, people: dict[str, Any]) -> None:
    from django.conf import settings

    from tests.test_i18n import visible_english

    a = people["agents"]

    def zh(agent: Agent) -> Client:
        c = login(agent)
        c.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
        return c

    worker = a["agent"]
    from wowdesk.core import services as core

    core.update_agent(worker, actor=None, display_name="王芳")
    core.update_agent(a["supervisor"], actor=None, display_name="李娜")
    core.update_agent(a["admin"], actor=None, display_name="张伟")
    c = resolved(brand, worker, subject="灯坏了", body="灯到了就是坏的", name="陈静")
    sup = zh(a["supervisor"])
    assert sup.get("/quality/scorecards/").status_code == 200  # makes the card in Chinese
    assert sup.post(f"/quality/review/{c.pk}/", {**FORM, "note": "很好", "action": "share"})
    review = Review.objects.get()
    r = sup.post(
        "/quality/calibration/",
        {"conversation": c.pk, "reviewers": [a["supervisor"].pk, a["admin"].pk]},
    )
    session = r["Location"]
    pages = {
        "queue": sup.get("/quality/"),
        "form": sup.get(f"/quality/review/{c.pk}/"),
        "review": sup.get(f"/quality/reviews/{review.pk}/"),
        "mine": zh(worker).get(f"/quality/reviews/{review.pk}/"),
        "my list": zh(worker).get("/quality/"),
        "scorecards": sup.get("/quality/scorecards/"),
        "calibration": sup.get("/quality/calibration/"),
        "session": sup.get(session),
    }
    found = {}
    for name, response in pages.items():
        assert response.status_code == 200, name
        english = visible_english(response.content.decode())
        if english:
            found[name] = sorted(english)
    assert found == {}
