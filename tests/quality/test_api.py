"""``/api/v1/qa/*``: per role of two brands (allowed, 403/404, the other brand's ids),
scores, comments and their notifications, bad input naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from tests.quality.helpers import resolved
from wowdesk.core.models import Brand
from wowdesk.notifications.models import Notification
from wowdesk.notifications.present import title
from wowdesk.quality import services
from wowdesk.quality.models import Review

pytestmark = pytest.mark.django_db


def scores(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "empathy": 5,
        "accuracy": "yes",
        "resolution": "yes",
        "clarity": 3,
        "policy": "na",
    }
    base.update(over)
    return base


def test_reviewers_score_agents_read_their_own_and_reply(
    brand: Brand, other_brand: Brand, people: dict[str, Any]
) -> None:
    a, api = people["agents"], people["api"]
    mine = resolved(brand, a["agent"])
    theirs = resolved(other_brand, a["their_agent"])
    card = services.default_scorecard(brand.pk)
    their_card = services.default_scorecard(other_brand.pk)
    body = {
        "conversation_id": mine.pk,
        "scorecard_id": card.pk,
        "scores": scores(),
        "note": "Lovely tone; say what happens next.",
    }
    # agents do not review; the other brand's supervisor cannot see the conversation
    assert api["agent"].post("/qa/reviews", body).status_code == 403
    assert api["their_supervisor"].post("/qa/reviews", body).status_code == 403
    # another brand's scorecard is refused
    r = api["supervisor"].post("/qa/reviews", {**body, "scorecard_id": their_card.pk})
    assert r.status_code == 403
    r = api["supervisor"].post("/qa/reviews", body)
    assert r.status_code == 201, r.content
    review = r.json()
    # (25*1 + 25*1 + 25*1 + 15*0.5) / 90 — policy N/A left out of the weights
    assert review["score"] == pytest.approx(round(100 * 82.5 / 90, 2))
    assert review["status"] == "shared" and review["agent"]["id"] == a["agent"].pk
    n = Notification.objects.get(agent=a["agent"], kind="review_received")
    assert n.params["review_id"] == review["id"]
    assert title(n) == f"Sue Supervisor shared a review of #{mine.number} with you"
    # who reads it
    rid = review["id"]
    assert api["agent"].get(f"/qa/reviews/{rid}").status_code == 200
    assert api["colleague"].get(f"/qa/reviews/{rid}").status_code == 403
    assert api["admin"].get(f"/qa/reviews/{rid}").status_code == 200
    assert api["their_supervisor"].get(f"/qa/reviews/{rid}").status_code == 403
    assert api["supervisor"].get("/qa/reviews/999999").status_code == 404
    lists = {k: [i["id"] for i in api[k].get("/qa/reviews").json()["items"]] for k in api}
    assert lists["agent"] == [rid] and lists["supervisor"] == [rid] and lists["admin"] == [rid]
    assert lists["colleague"] == [] and lists["their_supervisor"] == []
    assert api["supervisor"].get("/qa/reviews", agent=a["colleague"].pk).json()["items"] == []
    # the agent replies, the reviewer is told and answers; a colleague cannot
    r = api["agent"].post(f"/qa/reviews/{rid}/comments", {"body": "Thanks, will do."})
    assert r.status_code == 201, r.content
    told = Notification.objects.get(agent=a["supervisor"], kind="review_received")
    assert title(told) == f"Ana Agent replied to the review of #{mine.number}"
    assert api["colleague"].post(f"/qa/reviews/{rid}/comments", {"body": "x"}).status_code == 403
    r = api["supervisor"].post(f"/qa/reviews/{rid}/comments", {"body": "Great."})
    assert [c["body"] for c in r.json()["comments"]] == ["Thanks, will do.", "Great."]
    assert api["agent"].post(f"/qa/reviews/{rid}/comments", {"body": ""}).status_code == 422
    # the agent acknowledges; a supervisor cannot do it for them
    assert api["supervisor"].post(f"/qa/reviews/{rid}/acknowledge").status_code == 403
    r = api["agent"].post(f"/qa/reviews/{rid}/acknowledge")
    assert r.status_code == 200 and r.json()["acknowledged_at"]
    # the other brand reviews its own
    r = api["their_supervisor"].post(
        "/qa/reviews",
        {"conversation_id": theirs.pk, "scorecard_id": their_card.pk, "scores": {}},
    )
    assert r.status_code == 201 and r.json()["score"] is None  # nothing applied


def test_drafts_stay_with_reviewers(brand: Brand, people: dict[str, Any]) -> None:
    a, api = people["agents"], people["api"]
    c = resolved(brand, a["agent"])
    card = services.default_scorecard(brand.pk)
    r = api["supervisor"].post(
        "/qa/reviews",
        {"conversation_id": c.pk, "scorecard_id": card.pk, "scores": scores(), "share": False},
    )
    rid = r.json()["id"]
    assert r.json()["status"] == "draft"
    assert api["agent"].get(f"/qa/reviews/{rid}").status_code == 403
    assert not Notification.objects.filter(agent=a["agent"]).exists()
    assert api["agent"].post(f"/qa/reviews/{rid}/share").status_code == 403
    assert api["supervisor"].post(f"/qa/reviews/{rid}/share").json()["status"] == "shared"
    assert api["agent"].get(f"/qa/reviews/{rid}").status_code == 200


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"scores": {"empathy": 7}}, "scores.empathy"),
        ({"scores": {"accuracy": "maybe"}}, "scores.accuracy"),
        ({"scores": {"speed": "yes"}}, "scores.speed"),
        ({"note": "a\x00b"}, None),
    ],
)
def test_bad_scores_name_the_field(
    brand: Brand, people: dict[str, Any], over: dict[str, Any], field: str | None
) -> None:
    c = resolved(brand, people["agents"]["agent"])
    card = services.default_scorecard(brand.pk)
    r = people["api"]["supervisor"].post(
        "/qa/reviews", {"conversation_id": c.pk, "scorecard_id": card.pk, "scores": {}, **over}
    )
    assert r.status_code in (400, 422), r.content
    if field:
        assert r.json()["field"] == field
    assert not Review.objects.exists()


def test_scorecards_per_role_and_never_handle_time(
    brand: Brand, other_brand: Brand, people: dict[str, Any]
) -> None:
    api = people["api"]
    criteria = [
        {"key": "empathy", "label": "Empathy", "weight": 60, "kind": "scale_1_5"},
        {"key": "resolution", "label": "Resolution", "weight": 40, "kind": "yes_no_na"},
    ]
    assert (
        api["agent"].post("/qa/scorecards", {"name": "X", "criteria": criteria}).status_code == 403
    )
    r = api["supervisor"].post("/qa/scorecards", {"name": "Email", "criteria": criteria})
    assert r.status_code == 201, r.content
    sid = r.json()["id"]
    dup = api["admin"].post("/qa/scorecards", {"name": "Email", "criteria": criteria})
    assert dup.status_code == 409
    bad = api["supervisor"].post(
        "/qa/scorecards",
        {"name": "Fast", "criteria": [{"key": "aht", "label": "Average handle time"}]},
    )
    assert bad.status_code == 422 and bad.json()["field"] == "criteria.0.key"
    bad = api["supervisor"].patch(
        f"/qa/scorecards/{sid}",
        {"criteria": [{"key": "speed", "label": "Handle time", "weight": 10}]},
    )
    assert bad.status_code == 422
    zero = api["supervisor"].patch(
        f"/qa/scorecards/{sid}", {"criteria": [{"key": "a", "label": "A", "weight": 0}]}
    )
    assert zero.status_code == 422 and zero.json()["field"] == "criteria"
    r = api["admin"].patch(f"/qa/scorecards/{sid}", {"name": "Email 2", "active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    assert api["agent"].patch(f"/qa/scorecards/{sid}", {"name": "Y"}).status_code == 403
    assert api["their_supervisor"].patch(f"/qa/scorecards/{sid}", {"name": "Y"}).status_code == 403
    # every agent reads their brand's scorecards, not the other brand's
    assert [s["id"] for s in api["agent"].get("/qa/scorecards").json()] == [sid]
    assert api["their_supervisor"].get("/qa/scorecards").json() == []
    assert api["their_agent"].get("/qa/scorecards", brand_id=brand.pk).status_code == 403


def test_calibration_is_blind_until_answered(
    brand: Brand, other_brand: Brand, people: dict[str, Any], make_agent: Any
) -> None:
    a, api = people["agents"], people["api"]
    c = resolved(brand, a["agent"])
    card = services.default_scorecard(brand.pk)
    reviewers = [a["supervisor"].pk, a["admin"].pk]
    body = {"conversation_id": c.pk, "scorecard_id": card.pk, "reviewer_ids": reviewers}
    assert api["agent"].post("/qa/calibrations", body).status_code == 403
    assert api["their_supervisor"].post("/qa/calibrations", body).status_code == 403
    bad = api["supervisor"].post(
        "/qa/calibrations", {**body, "reviewer_ids": [a["supervisor"].pk, a["agent"].pk]}
    )
    assert bad.status_code == 422 and bad.json()["field"] == "reviewer_ids.1"
    r = api["supervisor"].post("/qa/calibrations", body)
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    review = {"conversation_id": c.pk, "scorecard_id": card.pk, "calibration_id": cid}
    r = api["supervisor"].post("/qa/reviews", {**review, "scores": scores()})
    assert r.status_code == 201 and r.json()["status"] == "draft"
    first = r.json()["id"]
    assert api["supervisor"].post("/qa/reviews", {**review, "scores": scores()}).status_code == 409
    # the admin has not answered: blind
    seen = api["admin"].get(f"/qa/calibrations/{cid}").json()
    assert seen["visible"] is False and seen["alpha"] is None
    assert all(not c["values"] for c in seen["criteria"])
    assert api["admin"].get(f"/qa/reviews/{first}").status_code == 403
    r = api["admin"].post("/qa/reviews", {**review, "scores": scores(clarity=4)})
    assert r.status_code == 201
    seen = api["admin"].get(f"/qa/calibrations/{cid}").json()
    assert seen["visible"] is True
    assert 0 < seen["alpha"] < 1 and seen["percent_agreement"] == pytest.approx(
        3 / 4
    )  # policy N/A: 4 units
    assert api["admin"].get(f"/qa/reviews/{first}").status_code == 200
    # calibration answers never reach the agent
    assert api["agent"].get("/qa/reviews").json()["items"] == []
    assert api["agent"].get(f"/qa/calibrations/{cid}").status_code == 403
    assert api["their_supervisor"].get(f"/qa/calibrations/{cid}").status_code == 403
    assert api["supervisor"].get("/qa/calibrations/999999").status_code == 404
    assert [s["id"] for s in api["supervisor"].get("/qa/calibrations").json()] == [cid]
    assert api["their_supervisor"].get("/qa/calibrations").json() == []
    # only its reviewers answer
    outsider = make_agent("supervisor")
    from tests.conftest import ApiClient
    from wowdesk.core.services import create_token

    r = ApiClient(create_token(outsider)).post("/qa/reviews", {**review, "scores": scores()})
    assert r.status_code == 403


def test_lists_cost_the_same_for_5_and_50(brand: Brand, people: dict[str, Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    a, api = people["agents"], people["api"]
    card = services.default_scorecard(brand.pk)
    c = resolved(brand, a["agent"])
    reviewers = [a["supervisor"].pk, a["admin"].pk]

    def add(n: int) -> None:
        for _ in range(n):
            services.create_review(
                conversation=c, scorecard=card, reviewer=a["supervisor"], scores={}, share=True
            )
            session = services.create_calibration(
                conversation=c, scorecard=card, reviewer_ids=reviewers, actor=a["supervisor"]
            )
            services.create_review(
                conversation=c,
                scorecard=card,
                reviewer=a["admin"],
                scores=scores(),
                calibration=session,
            )

    def cost() -> tuple[int, int, int]:
        out = []
        for path, who, params in (
            ("/qa/reviews", "supervisor", {"page_size": 50}),
            ("/qa/reviews", "agent", {"page_size": 50}),
            ("/qa/calibrations", "supervisor", {}),
        ):
            with CaptureQueriesContext(connection) as ctx:
                assert api[who].get(path, **params).status_code == 200
            out.append(len(ctx.captured_queries))
        return out[0], out[1], out[2]

    add(5)
    cost()  # warm the caches of a first request
    few = cost()
    add(45)
    assert cost() == few
