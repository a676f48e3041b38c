"""Who may see and change what. The one place brand and role scoping is decided: the API,
the pages and (later) the realtime layer all call these."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from wowdesk.core.errors import Forbidden, NotFound
from wowdesk.core.models import Agent, Role

if TYPE_CHECKING:
    from wowdesk.conversations.models import Conversation, Message

M = TypeVar("M", bound=Model)


def visible_brand_ids(agent: Agent) -> set[int]:
    """The brands an agent works for. Cached on the instance for the request."""
    cached: set[int] | None = getattr(agent, "_brand_ids", None)
    if cached is None:
        if agent.user.is_superuser:
            from wowdesk.core.models import Brand

            cached = set(Brand.objects.values_list("id", flat=True))
        else:
            cached = set(agent.brands.values_list("id", flat=True))
        agent._brand_ids = cached  # type: ignore[attr-defined]
    return cached


def sees_every_brand(agent: Agent) -> bool:
    """Whether the agent's brands are all there are: then scoping a list removes nothing."""
    from wowdesk.core.models import Brand

    seen = visible_brand_ids(agent)
    return not Brand.objects.exclude(id__in=seen).exists()


def scope(queryset: QuerySet[M], agent: Agent, field: str = "brand_id") -> QuerySet[M]:
    """Restrict a queryset to the agent's brands."""
    return queryset.filter(**{f"{field}__in": visible_brand_ids(agent)})


def require_role(agent: Agent, role: str) -> None:
    if not agent.has_role(role):
        raise Forbidden(_("This needs the %(role)s role.") % {"role": Role(role).label})


def check_brand(agent: Agent, brand_id: int) -> None:
    if brand_id not in visible_brand_ids(agent):
        raise Forbidden(_("This belongs to a brand you do not work for."))


def get_for_agent(queryset: QuerySet[M], agent: Agent, pk: int, field: str = "brand_id") -> M:
    """Fetch one object: 404 if it does not exist, 403 if it belongs to another brand."""
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise NotFound(_("Not found."), field="id")
    check_brand(agent, int(getattr(obj, field)))
    return obj


def pick_brand(agent: Agent, brand_id: int | None) -> int:
    """The brand a new object goes into: the one asked for (if allowed) or the agent's only one."""
    ids = visible_brand_ids(agent)
    if brand_id is not None:
        check_brand(agent, brand_id)
        return brand_id
    if len(ids) == 1:
        return next(iter(ids))
    if not ids:
        raise Forbidden(_("You do not work for any brand."))
    raise Forbidden(_("You work for several brands: say which one (brand_id)."))


def check_supervisor_of(agent: Agent, brand_id: int) -> None:
    """Supervisor actions (the board's reassign, acknowledge, presence): a supervisor or
    administrator who works for the brand."""
    check_brand(agent, brand_id)
    require_role(agent, Role.SUPERVISOR)


def may_retry(agent: Agent, author_id: int | None, conversation: Conversation) -> bool:
    """Whether ``agent`` may send a failed reply (by ``author_id``) of ``conversation``
    again: its author, the conversation's assignee, or a supervisor of its brand."""
    if conversation.brand_id not in visible_brand_ids(agent):
        return False
    return agent.has_role(Role.SUPERVISOR) or agent.pk in (author_id, conversation.assignee_id)


def check_may_retry(agent: Agent, message: Message) -> None:
    """``may_retry``, raising: 403 for another brand's message or another agent's reply."""
    check_brand(agent, message.brand_id)
    if may_retry(agent, message.author_id, message.conversation):
        return
    raise Forbidden(
        _("Only its author, the assignee or a supervisor can send this reply again."),
        field="outbox_id",
    )
