"""Every write of follow-ups (``FollowUp``): open one for an unhappy answer, a hard case's
check-in or a warranty about to lapse; close it with an outcome, reopen, reassign; record
the message it sent and the overdue alert. Each change is announced as
``followup.created`` / ``followup.updated``.

The rules (docs/followups.md):

* an answer is unhappy when NPS ≤ 6, CSAT ≤ 2 or CES ≤ 3 (``is_unhappy``); it opens one
  follow-up (at most one per answer) when its brand's (or inbox's) ``followup_detractors``
  is on, due ``followup_hours`` later, with the why as its reason;
* who gets it (``choose_assignee``): the lead of the team of the time when there is one,
  active and working for the brand; else the brand's supervisor with the fewest open
  follow-ups (the lowest id on a tie); else nobody (every supervisor sees it);
* a why added later replaces the reason; an answer changed to one that is no longer
  unhappy leaves the task open with a note in its reason (someone already acts on it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wowdesk.core.errors import InvalidInput
from wowdesk.core.events import Event, emit
from wowdesk.core.input import check_text
from wowdesk.core.models import Agent, Membership, Role, Team
from wowdesk.surveys.models import (
    FollowUp,
    FollowUpKind,
    FollowUpStatus,
    SurveyResponse,
    SurveySettings,
)

MAX_OUTCOME = 5000
MAX_REASON = 5000

# The highest score that is unhappy, per kind (NPS detractors 0–6, CSAT 1–2, CES 1–3).
UNHAPPY_UP_TO: dict[str, int] = {"nps": 6, "csat": 2, "ces": 3}


def is_unhappy(kind: str, score: int) -> bool:
    """Whether an answer of ``kind`` with ``score`` opens a follow-up."""
    limit = UNHAPPY_UP_TO.get(kind)
    return limit is not None and score <= limit


def settings_for(brand_id: int, inbox_id: int | None = None) -> SurveySettings:
    """The survey settings that hold for a conversation of ``inbox_id`` in the brand: the
    inbox's row, else the brand's, else the defaults (an unsaved row)."""
    rows = {
        s.inbox_id: s
        for s in SurveySettings.objects.filter(brand_id=brand_id).filter(
            Q(inbox__isnull=True) | Q(inbox_id=inbox_id)
        )
    }
    found = rows.get(inbox_id) if inbox_id is not None else None
    return found or rows.get(None) or SurveySettings(brand_id=brand_id, inbox_id=None)


def choose_assignee(brand_id: int, team_id: int | None) -> Agent | None:
    """The team's lead (active, working for the brand), else the brand's active supervisor
    with the fewest open follow-ups, else None."""
    if team_id is not None:
        team = Team.objects.filter(pk=team_id, brand_id=brand_id).select_related("lead").first()
        lead = team.lead if team is not None else None
        if (
            lead is not None
            and lead.is_active
            and Membership.objects.filter(agent_id=lead.pk, brand_id=brand_id).exists()
        ):
            return lead
    return (
        Agent.objects.filter(
            is_active=True,
            memberships__brand_id=brand_id,
            memberships__role=Role.SUPERVISOR,
        )
        .annotate(
            open_followups=Count(
                "followups",
                filter=Q(followups__status=FollowUpStatus.OPEN, followups__brand_id=brand_id),
            )
        )
        .order_by("open_followups", "id")
        .first()
    )


def _announce(followup: FollowUp, event: Event) -> None:
    emit(
        event,
        followup_id=followup.pk,
        brand_id=followup.brand_id,
        kind=str(followup.kind),
        status=str(followup.status),
        conversation_id=followup.conversation_id,
        assignee_id=followup.assignee_id,
    )


def create_followup(
    *,
    brand_id: int,
    kind: str,
    due_at: dt.datetime,
    reason: str = "",
    conversation_id: int | None = None,
    customer_id: int | None = None,
    response: SurveyResponse | None = None,
    purchase_id: int | None = None,
    assignee: Agent | None = None,
    team_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> FollowUp:
    """Open a follow-up (``followup.created``)."""
    followup = FollowUp.objects.create(
        brand_id=brand_id,
        kind=kind,
        due_at=due_at,
        reason=reason[:MAX_REASON],
        conversation_id=conversation_id,
        customer_id=customer_id,
        response=response,
        purchase_id=purchase_id,
        assignee=assignee,
        team_id=team_id,
        details=details or {},
    )
    _announce(followup, Event.FOLLOWUP_CREATED)
    return followup


def _score_line(kind: str, score: int) -> str:
    return f"{kind.upper()} {score}"


def follow_up_answer(response: SurveyResponse, *, updated: bool = False) -> FollowUp | None:
    """What an answer (new or changed) does to the follow-ups: open one for an unhappy
    answer when the rule is on; a why added later becomes the task's reason; a changed
    answer no longer unhappy is noted on the task, which stays. Returns the follow-up
    the answer has, if any."""
    existing = FollowUp.objects.filter(response_id=response.pk).first()
    unhappy = is_unhappy(response.kind, response.score)
    if existing is not None:
        reason = response.comment.strip() or existing.reason
        if not unhappy:
            note = _("The customer changed the answer to %(score)s.") % {
                "score": _score_line(response.kind, response.score)
            }
            reason = f"{reason}\n{note}".strip() if note not in reason else reason
        if reason != existing.reason:
            existing.reason = reason[:MAX_REASON]
            existing.save(update_fields=["reason", "updated_at"])
            _announce(existing, Event.FOLLOWUP_UPDATED)
        return existing
    if not unhappy:
        return None
    settings = settings_for(response.brand_id, response.inbox_id)
    if not settings.followup_detractors:
        return None
    team_id = response.team_id
    return create_followup(
        brand_id=response.brand_id,
        kind=FollowUpKind.DETRACTOR,
        due_at=timezone.now() + dt.timedelta(hours=settings.followup_hours),
        reason=response.comment.strip(),
        conversation_id=response.conversation_id,
        customer_id=response.customer_id,
        response=response,
        assignee=choose_assignee(response.brand_id, team_id),
        team_id=team_id,
    )


def close_followup(followup: FollowUp, *, actor: Agent, outcome: str) -> FollowUp:
    """Done, with what came of it (required: the loop is closed by saying how)."""
    text = check_text(outcome, "outcome", max_length=MAX_OUTCOME).strip()
    if not text:
        raise InvalidInput(_("Say what came of it."), field="outcome")
    followup.status = FollowUpStatus.DONE
    followup.outcome = text
    followup.done_at = timezone.now()
    followup.done_by = actor
    followup.save(update_fields=["status", "outcome", "done_at", "done_by", "updated_at"])
    _announce(followup, Event.FOLLOWUP_UPDATED)
    return followup


def reopen_followup(followup: FollowUp, *, actor: Agent) -> FollowUp:
    """Open again: due ``followup_hours`` from now, the overdue alert may come again; the
    earlier outcome is kept until it is closed again."""
    if followup.status == FollowUpStatus.OPEN:
        return followup
    conversation_inbox = None
    if followup.conversation_id is not None and followup.conversation is not None:
        conversation_inbox = followup.conversation.inbox_id
    hours = settings_for(followup.brand_id, conversation_inbox).followup_hours
    followup.status = FollowUpStatus.OPEN
    followup.done_at = None
    followup.done_by = None
    followup.due_at = timezone.now() + dt.timedelta(hours=hours)
    followup.overdue_alerted_at = None
    followup.save(
        update_fields=["status", "done_at", "done_by", "due_at", "overdue_alerted_at", "updated_at"]
    )
    _announce(followup, Event.FOLLOWUP_UPDATED)
    return followup


def reassign_followup(followup: FollowUp, *, assignee_id: int | None) -> FollowUp:
    """Give it to an active agent of its brand (None: to nobody)."""
    if assignee_id is not None:
        ok = Membership.objects.filter(
            agent_id=assignee_id, brand_id=followup.brand_id, agent__is_active=True
        ).exists()
        if not ok:
            raise InvalidInput(
                _("The assignee must be an active agent of the brand."), field="assignee_id"
            )
    if followup.assignee_id == assignee_id:
        return followup
    followup.assignee_id = assignee_id
    followup.overdue_alerted_at = None  # a new assignee of an overdue task hears of it
    followup.save(update_fields=["assignee", "overdue_alerted_at", "updated_at"])
    _announce(followup, Event.FOLLOWUP_UPDATED)
    return followup


def change_followup(
    followup: FollowUp,
    *,
    actor: Agent,
    status: str | None = None,
    outcome: str | None = None,
    assignee_id: int | Any | None = ...,
) -> FollowUp:
    """The one change a person makes (the API's PATCH, the page's forms): reassign, then
    close with an outcome or reopen."""
    if assignee_id is not ...:
        reassign_followup(followup, assignee_id=assignee_id)
    if status == FollowUpStatus.DONE:
        close_followup(followup, actor=actor, outcome=outcome or "")
    elif status == FollowUpStatus.OPEN:
        reopen_followup(followup, actor=actor)
    elif outcome is not None and followup.status == FollowUpStatus.DONE:
        close_followup(followup, actor=actor, outcome=outcome)
    return followup


def mark_message_sent(followup: FollowUp) -> FollowUp:
    """The check-in or offer message went out (once is enough: the button goes)."""
    followup.message_sent_at = timezone.now()
    followup.save(update_fields=["message_sent_at", "updated_at"])
    _announce(followup, Event.FOLLOWUP_UPDATED)
    return followup


def mark_overdue_alerted(ids: list[int], when: dt.datetime) -> int:
    """The overdue alert of these follow-ups was sent (it is sent once)."""
    return FollowUp.objects.filter(pk__in=ids, overdue_alerted_at__isnull=True).update(
        overdue_alerted_at=when
    )
