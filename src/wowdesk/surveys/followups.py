"""Closing the loop: the listener and jobs that open follow-ups, and what a follow-up says.

* ``survey.answered`` (after commit) → ``followup_services.follow_up_answer``: an unhappy
  answer opens a follow-up, a why added later updates it;
* the job ``followup-checkins`` (every ``CHECKIN_SECONDS``): a hard case resolved
  ``checkin_days`` ago and not reopened since gets a check-in task "did our fix work?" for
  the agent who handled it, with a prepared message in the customer's language;
* the job ``followup-warranty`` (every ``WARRANTY_SECONDS``): a purchase whose warranty ends
  within ``warranty_days_before`` days gets one task (or one offer) — brands that turn it on;
* the job ``followup-overdue`` (every ``OVERDUE_SECONDS``): an open follow-up past its
  deadline notifies its assignee and the brand's supervisors, and raises an alert on the
  supervisor board, once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from wowdesk.core.models import Agent, AlertKind, Brand, Membership, Role
from wowdesk.surveys import texts
from wowdesk.surveys.models import FollowUp, FollowUpKind, FollowUpStatus, SurveySettings

CHECKIN_SECONDS = 900.0
WARRANTY_SECONDS = 3600.0
OVERDUE_SECONDS = 120.0

# A hard case: reopened at least once, long (this many messages or days open), or angry
# at the start (the first customer message's emotion label).
LONG_MESSAGES = 12
LONG_DAYS = 3
NEGATIVE_LABELS = ("angry", "frustrated")
# A check-in is looked for up to this long after its day (a worker that was down catches
# up); older resolutions are left.
CHECKIN_LOOKBACK = dt.timedelta(days=2)
BATCH = 500


def register() -> None:
    """Listeners, alerts and jobs of this part (called from ``SurveysConfig.ready``)."""
    from wowdesk.core import alerts, events, jobs
    from wowdesk.core.events import Event, Phase
    from wowdesk.web.panels import register_panel

    events.listen(
        Event.SURVEY_ANSWERED, "wowdesk.surveys.followups.on_survey_answered", phase=Phase.COMMIT
    )
    jobs.every(CHECKIN_SECONDS, "followup-checkins", "wowdesk.surveys.followups.run_checkins")
    jobs.every(WARRANTY_SECONDS, "followup-warranty", "wowdesk.surveys.followups.run_warranty")
    jobs.every(OVERDUE_SECONDS, "followup-overdue", "wowdesk.surveys.followups.run_overdue")
    alerts.register(AlertKind.FOLLOWUP_OVERDUE, overdue_sentence)
    register_panel(
        "surveys",
        "surveys/_conversation_panel.html",
        order=70,
        context=panel_context,
    )


def panel_context(request: Any, conversation: Any) -> dict[str, Any] | None:
    from wowdesk.surveys import followup_views

    return followup_views.panel_context(request, conversation)


# --- what a follow-up says ------------------------------------------------------------------


def overdue_sentence(params: dict[str, Any]) -> str:
    number = params.get("number")
    if number:
        return _("The follow-up of #%(number)s is past its deadline.") % {"number": number}
    return _("A follow-up is past its deadline.")


CRITERIA = {
    "reopened": lambda: _("reopened"),
    "long": lambda: _("long"),
    "angry": lambda: _("angry at the start"),
}


def reason_text(followup: FollowUp) -> str:
    """Why the task exists, in the reader's language: the customer's why for an unhappy
    answer, the criteria of a check-in, the product and date of a warranty."""
    details = followup.details or {}
    if followup.kind == FollowUpKind.CHECKIN:
        said = [CRITERIA[c]() for c in details.get("criteria", []) if c in CRITERIA]
        if said:
            return _("A hard case (%(criteria)s): did our fix work?") % {
                "criteria": ", ".join(said)
            }
        return _("Did our fix work?")
    if followup.kind == FollowUpKind.WARRANTY and details.get("product"):
        return _("The warranty of %(product)s ends on %(date)s.") % {
            "product": details.get("product", ""),
            "date": details.get("warranty_until", ""),
        }
    return followup.reason


def prepared_message(followup: FollowUp) -> str:
    """The message the assignee can send with one click (check-ins; warranty offers), in
    the customer's language (else the brand's default, else English); "" for none."""
    details = followup.details or {}
    if followup.kind == FollowUpKind.CHECKIN:
        key = "checkin"
    elif followup.kind == FollowUpKind.WARRANTY and details.get("action") == "offer":
        key = "warranty.offer"
    else:
        return ""
    conversation = followup.conversation
    customer = followup.customer or (conversation.customer if conversation else None)
    language = (conversation.language if conversation else "") or (
        customer.language if customer else ""
    )
    brand = followup.brand
    name = (customer.name.split()[0] if customer and customer.name.strip() else "").strip()
    return texts.text(
        key,
        language,
        brand.default_language,
        name=name,
        brand=brand.name,
        product=str(details.get("product", "")),
        date=str(details.get("warranty_until", "")),
    ).replace(" ,", ",")


# --- the listener ---------------------------------------------------------------------------


def on_survey_answered(*, response_id: int, updated: bool = False, **_payload: Any) -> None:
    """An answer (or a changed one): open or update its follow-up."""
    from wowdesk.surveys import followup_services
    from wowdesk.surveys.models import SurveyResponse

    response = SurveyResponse.objects.filter(pk=response_id).first()
    if response is not None:
        followup_services.follow_up_answer(response, updated=updated)


# --- the jobs -------------------------------------------------------------------------------


def _brand_settings() -> dict[int, SurveySettings]:
    """Every brand's own settings (the defaults for a brand without a row)."""
    rows = {s.brand_id: s for s in SurveySettings.objects.filter(inbox__isnull=True)}
    return {
        pk: rows.get(pk) or SurveySettings(brand_id=pk)
        for pk in Brand.objects.values_list("id", flat=True)
    }


def _inbox_overrides(field: str) -> dict[int, Any]:
    return dict(SurveySettings.objects.filter(inbox__isnull=False).values_list("inbox_id", field))


def hard_case_criteria(
    *, reopened: bool, message_count: int, opened: dt.datetime, resolved: dt.datetime, label: str
) -> list[str]:
    """Which of the hard-case criteria a resolved conversation meets (empty: an easy one)."""
    found = []
    if reopened:
        found.append("reopened")
    if message_count >= LONG_MESSAGES or resolved - opened >= dt.timedelta(days=LONG_DAYS):
        found.append("long")
    if label in NEGATIVE_LABELS:
        found.append("angry")
    return found


def run_checkins(now: dt.datetime | None = None) -> int:
    """Open the check-ins that are due; returns how many were opened."""
    from wowdesk.conversations.models import Conversation, Direction, Message, Status
    from wowdesk.core.models import AuditLog
    from wowdesk.surveys import followup_services

    now = now or timezone.now()
    opened = 0
    inbox_enabled = _inbox_overrides("checkin_enabled")
    inbox_days = _inbox_overrides("checkin_days")
    for brand_id, settings in _brand_settings().items():
        days = {settings.checkin_days} | set(inbox_days.values())
        if not settings.checkin_enabled and not any(inbox_enabled.values()):
            continue
        earliest = now - dt.timedelta(days=max(days)) - CHECKIN_LOOKBACK
        latest = now - dt.timedelta(days=min(days))
        first_label = (
            Message.objects.filter(conversation_id=OuterRef("pk"), direction=Direction.IN)
            .order_by("created_at", "id")
            .values("emotion_label")[:1]
        )
        done = FollowUp.objects.filter(
            conversation_id=OuterRef("pk"),
            kind=FollowUpKind.CHECKIN,
            created_at__gte=OuterRef("resolved_at"),
        )
        rows = list(
            Conversation.objects.filter(
                brand_id=brand_id,
                status=Status.RESOLVED,
                resolved_at__gt=earliest,
                resolved_at__lte=latest,
                merged_into__isnull=True,
            )
            .exclude(Exists(done))
            .annotate(first_label=Subquery(first_label))
            .select_related("assignee")
            .order_by("resolved_at", "id")[:BATCH]
        )
        if not rows:
            continue
        reopened = set(
            AuditLog.objects.filter(
                object_type="conversation",
                object_id__in=[str(c.pk) for c in rows],
                action="conversation.update",
                before__status=Status.RESOLVED,
            ).values_list("object_id", flat=True)
        )
        members = set(
            Membership.objects.filter(
                brand_id=brand_id, agent__is_active=True, agent_id__in={c.assignee_id for c in rows}
            ).values_list("agent_id", flat=True)
        )
        with transaction.atomic():
            for c in rows:
                enabled = inbox_enabled.get(c.inbox_id, settings.checkin_enabled)
                wait = dt.timedelta(days=inbox_days.get(c.inbox_id, settings.checkin_days))
                assert c.resolved_at is not None
                if not enabled or c.resolved_at > now - wait:
                    continue
                criteria = hard_case_criteria(
                    reopened=str(c.pk) in reopened,
                    message_count=c.message_count,
                    opened=c.created_at,
                    resolved=c.resolved_at,
                    label=getattr(c, "first_label", None) or "",
                )
                if not criteria:
                    continue
                assignee: Agent | None = c.assignee if c.assignee_id in members else None
                if assignee is None:
                    assignee = followup_services.choose_assignee(brand_id, c.team_id)
                followup_services.create_followup(
                    brand_id=brand_id,
                    kind=FollowUpKind.CHECKIN,
                    due_at=now + dt.timedelta(hours=settings.followup_hours),
                    reason=_("Check-in after a hard case: %(criteria)s")
                    % {"criteria": ", ".join(CRITERIA[c]() for c in criteria)},
                    conversation_id=c.pk,
                    customer_id=c.customer_id,
                    assignee=assignee,
                    team_id=c.team_id,
                    details={"criteria": criteria, "resolved_at": c.resolved_at.isoformat()},
                )
                opened += 1
    return opened


def run_warranty(today: dt.date | None = None) -> int:
    """Open one task (or offer) per purchase whose warranty ends soon, for the brands that
    turned it on; returns how many were opened."""
    from wowdesk.conversations.models import Conversation
    from wowdesk.customers.models import Purchase
    from wowdesk.surveys import followup_services

    now = timezone.now()
    today = today or timezone.localdate()
    opened = 0
    for settings in SurveySettings.objects.filter(inbox__isnull=True, warranty_enabled=True):
        brand_id = settings.brand_id
        latest_conversation = (
            Conversation.objects.filter(customer_id=OuterRef("customer_id"), brand_id=brand_id)
            .order_by("-updated_at", "-id")
            .values("id")[:1]
        )
        purchases = list(
            Purchase.objects.filter(
                brand_id=brand_id,
                warranty_until__gte=today,
                warranty_until__lte=today + dt.timedelta(days=settings.warranty_days_before),
            )
            .exclude(Exists(FollowUp.objects.filter(purchase_id=OuterRef("pk"))))
            .annotate(conversation_id=Subquery(latest_conversation))
            .order_by("warranty_until", "id")[:BATCH]
        )
        with transaction.atomic():
            for purchase in purchases:
                assert purchase.warranty_until is not None
                followup_services.create_followup(
                    brand_id=brand_id,
                    kind=FollowUpKind.WARRANTY,
                    due_at=min(
                        now + dt.timedelta(hours=settings.followup_hours),
                        dt.datetime.combine(purchase.warranty_until, dt.time(23, 59), dt.UTC),
                    ),
                    reason=_("The warranty of %(product)s ends on %(date)s.")
                    % {"product": purchase.product, "date": purchase.warranty_until.isoformat()},
                    conversation_id=getattr(purchase, "conversation_id", None),
                    customer_id=purchase.customer_id,
                    purchase_id=purchase.pk,
                    assignee=followup_services.choose_assignee(brand_id, None),
                    details={
                        "product": purchase.product,
                        "warranty_until": purchase.warranty_until.isoformat(),
                        "action": settings.warranty_action,
                    },
                )
                opened += 1
    return opened


def run_overdue(now: dt.datetime | None = None) -> int:
    """Tell the assignee and the brand's supervisors of each follow-up past its deadline,
    and raise an alert on the board — once per follow-up; returns how many."""
    from wowdesk.core import alerts
    from wowdesk.notifications import services as notifications
    from wowdesk.notifications.models import Kind
    from wowdesk.surveys import followup_services

    now = now or timezone.now()
    due = list(
        FollowUp.objects.filter(
            status=FollowUpStatus.OPEN, due_at__lt=now, overdue_alerted_at__isnull=True
        )
        .select_related("conversation")
        .order_by("due_at", "id")[:BATCH]
    )
    if not due:
        return 0
    supervisors: dict[int, list[int]] = {}
    for agent_id, brand_id in Membership.objects.filter(
        brand_id__in={f.brand_id for f in due}, role=Role.SUPERVISOR, agent__is_active=True
    ).values_list("agent_id", "brand_id"):
        supervisors.setdefault(brand_id, []).append(agent_id)
    drafts: list[notifications.Draft] = []
    with transaction.atomic():
        for f in due:
            number = f.conversation.number if f.conversation is not None else None
            params: dict[str, Any] = {"followup_id": f.pk, "kind": str(f.kind)}
            if number is not None:
                params["number"] = number
            told = set(supervisors.get(f.brand_id, []))
            if f.assignee_id is not None:
                told.add(f.assignee_id)
            drafts.extend(
                notifications.Draft(
                    agent_id=agent_id,
                    brand_id=f.brand_id,
                    kind=Kind.FOLLOWUP_OVERDUE,
                    conversation_id=f.conversation_id,
                    params=params,
                )
                for agent_id in sorted(told)
            )
            alerts.create(
                f.brand_id,
                AlertKind.FOLLOWUP_OVERDUE,
                overdue_sentence(params),
                conversation_id=f.conversation_id,
                params=params,
            )
        notifications.deliver(drafts)
        followup_services.mark_overdue_alerted([f.pk for f in due], now)
    return len(due)
