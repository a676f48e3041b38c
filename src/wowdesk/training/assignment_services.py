"""The writer of ``Assignment`` (a supervisor asks trainees to practise a scenario) and the
reads of the team page: assignments and progress per trainee.

Only supervisors and administrators of the scenario's brand assign, and only to agents who
work for that brand; the trainee gets a ``training_assigned`` notification. An assignment
is done when a session of it finishes (``services.finish_session`` marks it) or when a
supervisor says so.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from wowdesk.core import audit, permissions
from wowdesk.core.errors import InvalidInput, NotFound
from wowdesk.core.input import check_date, check_text
from wowdesk.core.models import Agent, Membership, Team
from wowdesk.training.models import (
    Assignment,
    AssignmentStatus,
    Difficulty,
    Scenario,
    SessionStatus,
    TrainingSession,
)

MAX_NOTE = 2000
MAX_TRAINEES = 200


def _scenario(actor: Agent, scenario_id: int) -> Scenario:
    scenario = Scenario.objects.filter(pk=scenario_id).first()
    if scenario is None:
        raise NotFound(_("No such scenario."), field="scenario_id")
    permissions.check_manages_training(actor, scenario.brand_id)
    if scenario.archived:
        raise InvalidInput(_("This scenario is archived."), field="scenario_id", code="archived")
    return scenario


def _note(note: str | None) -> str:
    return check_text((note or "").strip(), "note", max_length=MAX_NOTE)


def _due(due_on: dt.date | None) -> dt.date | None:
    return check_date(due_on, "due_on") if due_on is not None else None


def assign(
    actor: Agent,
    *,
    scenario_id: int,
    trainee_ids: Iterable[int],
    due_on: dt.date | None = None,
    note: str | None = None,
    review_id: int | None = None,
) -> list[Assignment]:
    """Assign a scenario to trainees of its brand; each gets a notification."""
    scenario = _scenario(actor, scenario_id)
    ids = sorted({int(i) for i in trainee_ids})
    if not ids:
        raise InvalidInput(_("Choose at least one trainee."), field="trainee_ids")
    if len(ids) > MAX_TRAINEES:
        raise InvalidInput(
            _("At most %(n)d trainees at once.") % {"n": MAX_TRAINEES}, field="trainee_ids"
        )
    members = set(
        Membership.objects.filter(
            brand_id=scenario.brand_id, agent_id__in=ids, agent__is_active=True
        ).values_list("agent_id", flat=True)
    )
    for i, pk in enumerate(ids):
        if pk not in members:
            raise InvalidInput(
                _("This agent does not work for the scenario's brand."),
                field=f"trainee_ids.{i}",
                code="not_member",
            )
    text, due = _note(note), _due(due_on)
    rows = Assignment.objects.bulk_create(
        [
            Assignment(
                brand_id=scenario.brand_id,
                scenario=scenario,
                trainee_id=pk,
                assigned_by=actor,
                review_id=review_id,
                note=text,
                due_on=due,
            )
            for pk in ids
        ]
    )
    if not all(r.pk for r in rows):  # databases that return no ids (none here today)
        rows = list(
            Assignment.objects.filter(
                scenario=scenario, trainee_id__in=ids, assigned_by=actor
            ).order_by("-id")[: len(ids)]
        )
    audit.record_many(
        [
            audit.unsaved(
                action="training_assignment.created",
                obj=r,
                actor=actor,
                brand_id=r.brand_id,
                after={"scenario": scenario.pk, "trainee": r.trainee_id, "due_on": str(due or "")},
            )
            for r in rows
        ]
    )
    _notify(actor, scenario, rows)
    return rows


def _notify(actor: Agent, scenario: Scenario, rows: list[Assignment]) -> None:
    from wowdesk.notifications.models import Kind
    from wowdesk.notifications.services import Draft, deliver

    deliver(
        Draft(
            agent_id=r.trainee_id,
            brand_id=r.brand_id,
            kind=Kind.TRAINING_ASSIGNED,
            actor_id=actor.pk,
            params={
                "scenario": scenario.title,
                "actor": actor.display_name,
                "excerpt": scenario.title,
                "assignment_id": r.pk,
                "due_on": r.due_on.isoformat() if r.due_on else "",
            },
        )
        for r in rows
    )


def update_assignment(
    actor: Agent,
    assignment_id: int,
    *,
    due_on: dt.date | None = None,
    clear_due: bool = False,
    note: str | None = None,
    status: str | None = None,
) -> Assignment:
    """Change the due date, the note or the status (supervisors of the brand)."""
    row = permissions.get_for_agent(Assignment.objects.all(), actor, assignment_id)
    permissions.check_manages_training(actor, row.brand_id)
    before = {"due_on": str(row.due_on or ""), "note": row.note, "status": row.status}
    if clear_due:
        row.due_on = None
    elif due_on is not None:
        row.due_on = _due(due_on)
    if note is not None:
        row.note = _note(note)
    if status is not None:
        if status not in AssignmentStatus.values:
            raise InvalidInput(_("Unknown status."), field="status", code="invalid")
        if status != row.status:
            row.status = status
            row.done_at = timezone.now() if status == AssignmentStatus.DONE else None
    row.save()
    after = {"due_on": str(row.due_on or ""), "note": row.note, "status": row.status}
    old, new = audit.diff(before, after)
    if new:
        audit.record(
            action="training_assignment.updated",
            obj=row,
            actor=actor,
            brand_id=row.brand_id,
            before=old,
            after=new,
        )
    return row


def assignments_for(
    actor: Agent,
    *,
    brand_id: int | None = None,
    trainee_id: int | None = None,
    status: str | None = None,
) -> QuerySet[Assignment]:
    """The assignments ``actor`` sees (their own; every one of the brands where they manage
    training), newest first."""
    rows = Assignment.objects.filter(permissions.training_sessions_visible(actor))
    if brand_id is not None:
        permissions.check_brand(actor, brand_id)
        rows = rows.filter(brand_id=brand_id)
    if trainee_id is not None:
        rows = rows.filter(trainee_id=trainee_id)
    if status is not None:
        if status not in AssignmentStatus.values:
            raise InvalidInput(_("Unknown status."), field="status", code="invalid")
        rows = rows.filter(status=status)
    return rows.select_related("scenario", "trainee", "assigned_by").order_by("-created_at", "-id")


# --- progress per trainee ---------------------------------------------------------------------


@dataclass
class TraineeProgress:
    agent_id: int
    name: str
    assigned: int = 0
    done: int = 0
    sessions: int = 0
    average: float | None = None
    last_session: dt.datetime | None = None
    by_difficulty: dict[str, float | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "agent_id": self.agent_id,
            "name": self.name,
            "assigned": self.assigned,
            "done": self.done,
            "sessions": self.sessions,
            "average": self.average,
            "last_session": self.last_session,
            "by_difficulty": self.by_difficulty,
        }


def progress(actor: Agent, brand_id: int, *, team_id: int | None = None) -> list[TraineeProgress]:
    """Per agent of the brand (of the team, if given): assignments given and done, finished
    sessions, their average score, the last one, and the average per scenario difficulty.
    Supervisors of the brand; four queries whatever the number of trainees."""
    permissions.check_manages_training(actor, brand_id)
    agents = Agent.objects.filter(memberships__brand_id=brand_id, is_active=True)
    if team_id is not None:
        if not Team.objects.filter(pk=team_id, brand_id=brand_id).exists():
            raise NotFound(_("No such team."), field="team")
        agents = agents.filter(teams__id=team_id)
    people = list(
        agents.distinct().order_by("display_name", "id").values_list("pk", "display_name")[:500]
    )
    ids = [pk for pk, _name in people]
    rows = {pk: TraineeProgress(agent_id=pk, name=name) for pk, name in people}
    for row in (
        Assignment.objects.filter(brand_id=brand_id, trainee_id__in=ids)
        .values("trainee_id")
        .annotate(n=Count("id"), done=Count("id", filter=Q(status=AssignmentStatus.DONE)))
    ):
        p = rows[row["trainee_id"]]
        p.assigned, p.done = row["n"], row["done"]
    finished = TrainingSession.objects.filter(
        brand_id=brand_id, trainee_id__in=ids, status=SessionStatus.FINISHED
    )
    for row in finished.values("trainee_id").annotate(
        n=Count("id"), avg=Avg("score"), last=Max("finished_at")
    ):
        p = rows[row["trainee_id"]]
        p.sessions, p.last_session = row["n"], row["last"]
        p.average = round(row["avg"], 1) if row["avg"] is not None else None
    per: dict[int, dict[str, float | None]] = defaultdict(dict)
    for row in finished.values("trainee_id", "scenario__difficulty").annotate(avg=Avg("score")):
        avg = row["avg"]
        per[row["trainee_id"]][row["scenario__difficulty"]] = (
            round(avg, 1) if avg is not None else None
        )
    for pk, p in rows.items():
        p.by_difficulty = {d: per[pk].get(d) for d in Difficulty.values}
    return list(rows.values())
