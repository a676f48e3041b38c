"""The reads the follow-ups API and pages share: the list with its filters, one follow-up
for a reader, and what a person may do with it. Scoping is ``permissions.followups_visible``
(supervisors: every follow-up of their brands; agents: those assigned to them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BooleanField, Case, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from wowdesk.core import permissions
from wowdesk.core.errors import Forbidden, InvalidInput, NotFound
from wowdesk.core.models import Agent
from wowdesk.surveys.models import FollowUp, FollowUpKind, FollowUpStatus

MAX_ID = 2**62


@dataclass(frozen=True)
class FollowUpFilter:
    status: str = ""  # open | done | "" (both)
    assignee: str = ""  # "me", "none", an agent id, "" (anyone)
    kind: str = ""
    overdue: bool = False
    brand_id: int | None = None


def parse_filter(
    *,
    status: str = "",
    assignee: str = "",
    kind: str = "",
    overdue: str = "",
    brand: str | int | None = None,
) -> FollowUpFilter:
    """The list's filters from query parameters (400/422 naming the one that is wrong)."""
    status = (status or "").strip()
    if status and status not in FollowUpStatus.values:
        raise InvalidInput(_("Status is open or done."), field="status")
    kind = (kind or "").strip()
    if kind and kind not in FollowUpKind.values:
        raise InvalidInput(_("Unknown kind of follow-up."), field="kind")
    assignee = (assignee or "").strip()
    if assignee and assignee not in ("me", "none") and not _is_id(assignee):
        raise InvalidInput(_("Assignee is me, none or an agent's id."), field="assignee")
    overdue = (overdue or "").strip()
    if overdue not in ("", "0", "1", "true", "false"):
        raise InvalidInput(_("Overdue is 1 or 0."), field="overdue")
    brand_id: int | None = None
    if brand not in (None, ""):
        if not _is_id(str(brand)):
            raise InvalidInput(_("Brand is a brand's id."), field="brand")
        brand_id = int(str(brand))
    return FollowUpFilter(
        status=status,
        assignee=assignee,
        kind=kind,
        overdue=overdue in ("1", "true"),
        brand_id=brand_id,
    )


def _is_id(raw: str) -> bool:
    return raw.isascii() and raw.isdigit() and 0 < int(raw) < MAX_ID


def visible(agent: Agent) -> QuerySet[FollowUp]:
    """Every follow-up ``agent`` may see."""
    return FollowUp.objects.filter(permissions.followups_visible(agent))


def listed(agent: Agent, f: FollowUpFilter, now: dt.datetime | None = None) -> QuerySet[FollowUp]:
    """The follow-ups of the list: open ones first, overdue first, then by deadline; done
    ones by when they were closed, newest first."""
    now = now or timezone.now()
    qs = visible(agent)
    if f.brand_id is not None:
        permissions.check_brand(agent, f.brand_id)
        qs = qs.filter(brand_id=f.brand_id)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.assignee == "me":
        qs = qs.filter(assignee_id=agent.pk)
    elif f.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif f.assignee:
        qs = qs.filter(assignee_id=int(f.assignee))
    if f.overdue:
        qs = qs.filter(status=FollowUpStatus.OPEN, due_at__lt=now)
    return qs.annotate(
        is_open=Case(
            When(status=FollowUpStatus.OPEN, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    ).order_by("-is_open", "due_at", "-done_at", "-id")


def with_relations(qs: QuerySet[FollowUp]) -> QuerySet[FollowUp]:
    """What a row shows, without a query per row."""
    return qs.select_related(
        "brand",
        "assignee",
        "done_by",
        "conversation__customer",
        "customer",
        "response",
        "purchase",
    )


def get_for_agent(agent: Agent, pk: int) -> FollowUp:
    """One follow-up ``agent`` may see: 404 when missing, 403 when it is another brand's
    (or, to an agent, not theirs)."""
    if not 0 < pk < MAX_ID:
        raise NotFound(_("No such follow-up."))
    found = with_relations(FollowUp.objects.filter(pk=pk)).first()
    if found is None:
        raise NotFound(_("No such follow-up."))
    if not visible(agent).filter(pk=pk).exists():
        raise Forbidden(_("This follow-up is not yours to see."))
    return found


def check_may_work(agent: Agent, followup: FollowUp) -> None:
    """403 unless ``agent`` may change ``followup`` (a supervisor of its brand, its
    assignee)."""
    if not permissions.may_work_followup(agent, followup.brand_id, followup.assignee_id):
        raise Forbidden(_("Only a supervisor of the brand or the assignee changes this."))


def check_may_reassign(agent: Agent, followup: FollowUp) -> None:
    """403 unless ``agent`` supervises the follow-up's brand: only supervisors reassign
    (an assignee closes or reopens their own)."""
    if not permissions.has_role_in(agent, "supervisor", followup.brand_id):
        raise Forbidden(
            _("Only a supervisor of the brand reassigns follow-ups."), field="assignee_id"
        )


def is_overdue(followup: FollowUp, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return followup.status == FollowUpStatus.OPEN and followup.due_at < now
