"""Assignments: only supervisors assign, to trainees of the scenario's brand; the trainee is
notified; done when a session of it finishes; the API per role of two brands; progress;
query counts of the list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.training.test_pages_helpers import ROLES, play, scenario
from wowdesk.core.errors import Forbidden, InvalidInput
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.notifications.models import Kind, Notification
from wowdesk.notifications.present import title
from wowdesk.training import assignment_services
from wowdesk.training.models import Assignment, AssignmentStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent]) -> dict[str, Agent]:
    return {
        "agent": make_agent(Role.AGENT),
        "trainee": make_agent(Role.AGENT),
        "supervisor": make_agent(Role.SUPERVISOR),
        "admin": make_agent(Role.ADMIN),
        "other_agent": make_agent(Role.AGENT, brands=[other_brand]),
        "other_supervisor": make_agent(Role.SUPERVISOR, brands=[other_brand]),
    }


def test_only_supervisors_assign_to_trainees_of_the_brand(
    brand: Brand, other_brand: Brand, people: dict[str, Agent]
) -> None:
    sc = scenario(people["supervisor"], brand.pk)
    theirs = scenario(people["other_supervisor"], other_brand.pk)
    with pytest.raises(Forbidden):
        assignment_services.assign(
            people["agent"], scenario_id=sc.pk, trainee_ids=[people["trainee"].pk]
        )
    with pytest.raises(Forbidden):
        assignment_services.assign(
            people["supervisor"], scenario_id=theirs.pk, trainee_ids=[people["other_agent"].pk]
        )
    with pytest.raises(InvalidInput) as bad:
        assignment_services.assign(
            people["supervisor"],
            scenario_id=sc.pk,
            trainee_ids=[people["trainee"].pk, people["other_agent"].pk],
        )
    assert bad.value.field and bad.value.field.startswith("trainee_ids.")
    with pytest.raises(InvalidInput):
        assignment_services.assign(people["supervisor"], scenario_id=sc.pk, trainee_ids=[])
    assert not Assignment.objects.exists()
    rows = assignment_services.assign(
        people["supervisor"],
        scenario_id=sc.pk,
        trainee_ids=[people["trainee"].pk, people["agent"].pk],
        note="Practise the apology first",
        review_id=42,
    )
    assert {r.trainee_id for r in rows} == {people["trainee"].pk, people["agent"].pk}
    note = Notification.objects.get(agent=people["trainee"], kind=Kind.TRAINING_ASSIGNED)
    assert title(note) == "Training assigned: Broken lamp"
    assert not Notification.objects.filter(agent=people["supervisor"]).exists()


def test_an_assignment_is_done_when_a_session_of_it_finishes(
    brand: Brand, people: dict[str, Agent]
) -> None:
    sc = scenario(people["supervisor"], brand.pk)
    (row,) = assignment_services.assign(
        people["supervisor"], scenario_id=sc.pk, trainee_ids=[people["trainee"].pk]
    )
    session = play(people["trainee"], sc, row)
    assert session.score is not None
    row.refresh_from_db()
    assert row.status == AssignmentStatus.DONE and row.done_at is not None
    (p,) = [
        x
        for x in assignment_services.progress(people["supervisor"], brand.pk)
        if x.agent_id == people["trainee"].pk
    ]
    assert (p.assigned, p.done, p.sessions) == (1, 1, 1)
    assert p.average == round(session.score, 1) and p.last_session is not None
    assert p.by_difficulty["medium"] == round(session.score, 1) and p.by_difficulty["hard"] is None


@pytest.mark.parametrize("role", ROLES)
def test_the_api_per_role_and_brand(
    role: str,
    brand: Brand,
    other_brand: Brand,
    people: dict[str, Agent],
    make_api: Callable[..., Any],
) -> None:
    api = make_api(people[role])
    sc = scenario(people["supervisor"], brand.pk)
    theirs = scenario(people["other_supervisor"], other_brand.pk)
    (their_row,) = assignment_services.assign(
        people["other_supervisor"], scenario_id=theirs.pk, trainee_ids=[people["other_agent"].pk]
    )
    (for_agent,) = assignment_services.assign(
        people["supervisor"], scenario_id=sc.pk, trainee_ids=[people["agent"].pk]
    )
    made = api.post(
        "/training/assignments",
        {"scenario_id": sc.pk, "trainee_ids": [people["trainee"].pk], "due_on": "2030-01-31"},
    )
    into_other = api.post(
        "/training/assignments",
        {"scenario_id": theirs.pk, "trainee_ids": [people["other_agent"].pk]},
    )
    assert into_other.status_code == 403
    assert api.patch(f"/training/assignments/{their_row.pk}", {"note": "x"}).status_code == 403
    assert api.get("/training/assignments", brand=other_brand.pk).status_code == 403
    assert api.get("/training/progress", brand=other_brand.pk).status_code == 403
    listed = api.get("/training/assignments").json()["items"]
    assert their_row.pk not in {a["id"] for a in listed}
    if role == "agent":
        assert made.status_code == 403
        assert [a["id"] for a in listed] == [for_agent.pk]
        assert (
            api.patch(f"/training/assignments/{for_agent.pk}", {"status": "done"}).status_code
            == 403
        )
        assert api.get("/training/progress").status_code == 403
        return
    assert made.status_code == 201, made.json()
    (item,) = made.json()["items"]
    assert item["due_on"] == "2030-01-31" and item["scenario_title"] == "Broken lamp"
    assert {a["id"] for a in listed} == {for_agent.pk, item["id"]}
    bad = api.post(
        "/training/assignments", {"scenario_id": sc.pk, "trainee_ids": [people["other_agent"].pk]}
    )
    assert bad.status_code == 422 and bad.json()["field"] == "trainee_ids.0"
    bad_date = api.post(
        "/training/assignments",
        {"scenario_id": sc.pk, "trainee_ids": [people["agent"].pk], "due_on": "3000-01-01"},
    )
    assert bad_date.status_code == 422
    patched = api.patch(f"/training/assignments/{item['id']}", {"status": "done", "due_on": None})
    assert patched.status_code == 200 and patched.json()["status"] == "done"
    assert patched.json()["due_on"] is None and patched.json()["done_at"]
    assert api.patch(f"/training/assignments/{item['id']}", {"status": "x"}).status_code == 422
    progress = api.get("/training/progress").json()
    assert progress["brand_id"] == brand.pk
    rows = {r["agent_id"]: r for r in progress["items"]}
    assert rows[people["trainee"].pk]["done"] == 1 and people["other_agent"].pk not in rows
    assert api.get("/training/progress", team=999999).status_code == 404


def test_a_page_of_50_assignments_costs_what_a_page_of_5_costs(
    brand: Brand,
    make_agent: Callable[..., Agent],
    people: dict[str, Agent],
    make_api: Callable[..., Any],
    django_assert_num_queries: Callable[..., Any],
) -> None:
    api = make_api(people["supervisor"])
    sc = scenario(people["supervisor"], brand.pk)
    trainees = [make_agent(Role.AGENT) for _ in range(50)]
    assignment_services.assign(
        people["supervisor"], scenario_id=sc.pk, trainee_ids=[t.pk for t in trainees[:5]]
    )
    api.get("/training/assignments")  # warm the caches
    api.get("/training/progress")

    def count(path: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert api.get(path).status_code == 200
        return len(ctx.captured_queries)

    small, small_progress = count("/training/assignments"), count("/training/progress")
    assignment_services.assign(
        people["supervisor"], scenario_id=sc.pk, trainee_ids=[t.pk for t in trainees[5:]]
    )
    assert count("/training/assignments") == small
    assert count("/training/progress") == small_progress
