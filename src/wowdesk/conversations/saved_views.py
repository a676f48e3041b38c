"""Saved views: a named filter of the conversation list for oneself, a team or the brand
(who sees and edits which: ``core.permissions``), and their counts.

A count is the list's own count (``queries.Listing.total``: the same filters, searches
and brand wall as the list), kept in the cache for ``COUNT_TTL`` seconds per view and
agent: a sidebar of N views costs at most N COUNT queries, none while cached.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from wowdesk.conversations import queries
from wowdesk.conversations.models import SavedView, ViewScope
from wowdesk.core import audit, permissions
from wowdesk.core.errors import Forbidden, InvalidInput, NotFound
from wowdesk.core.input import check_line
from wowdesk.core.models import Agent

COUNT_TTL = 30  # seconds a view's count is kept
MAX_NAME = 80
MAX_VIEWS = 200  # saved views an agent owns


def visible_views(agent: Agent) -> QuerySet[SavedView]:
    return SavedView.objects.filter(permissions.saved_views_visible(agent)).order_by("name", "id")


def get_view(agent: Agent, view_id: int) -> SavedView:
    """A view the agent sees; NotFound for any other (another brand's, another's own)."""
    view = SavedView.objects.filter(pk=view_id).first()
    if view is None or not permissions.may_see_saved_view(agent, view):
        raise NotFound(_("Not found."), field="id")
    return view


def clean_params(params: Any, agent: Agent | None = None) -> dict[str, str]:
    """The list's parameters as stored: known keys, non-empty text values; checked by
    building the query (``queries.query_from_params``, refusals name ``params.<key>``)
    and, with ``agent``, its custom field filters against the agent's brands' fields."""
    query = queries.query_from_params(params, field="params")
    if agent is not None:
        try:
            queries.check_custom(agent, query.custom)
        except InvalidInput as exc:
            exc.field = f"params.{exc.field}"
            raise
    return {k: str(v).strip() for k, v in params.items() if v not in (None, "")}


def _name(name: Any) -> str:
    if not isinstance(name, str):
        raise InvalidInput(_("A view needs a name."), field="name")
    text = check_line(name, "name", max_length=MAX_NAME).strip()
    if not text:
        raise InvalidInput(_("A view needs a name."), field="name")
    return text


def _scope(agent: Agent, brand_id: int, scope: str, team_id: int | None) -> int | None:
    if scope not in ViewScope.values:
        raise InvalidInput(_("Share with personal, team or brand."), field="scope")
    permissions.check_may_share_view(agent, brand_id, scope, team_id)
    return team_id if scope == ViewScope.TEAM else None


def create_view(
    agent: Agent,
    *,
    brand_id: int,
    name: Any,
    params: Any,
    scope: str = ViewScope.PERSONAL,
    team_id: int | None = None,
) -> SavedView:
    permissions.check_brand(agent, brand_id)
    if SavedView.objects.filter(owner=agent).count() >= MAX_VIEWS:
        raise InvalidInput(
            _("You have %(n)d saved views; delete one first.") % {"n": MAX_VIEWS}, field="name"
        )
    view = SavedView.objects.create(
        brand_id=brand_id,
        owner=agent,
        name=_name(name),
        params=clean_params(params, agent),
        scope=scope,
        team_id=_scope(agent, brand_id, scope, team_id),
    )
    audit.record(
        action="saved_view.create",
        obj=view,
        actor=agent,
        brand_id=brand_id,
        after={"name": view.name, "scope": view.scope, "params": view.params},
    )
    return view


def update_view(agent: Agent, view: SavedView, **fields: Any) -> SavedView:
    """Rename, change the filters or the sharing (``name``, ``params``, ``scope``,
    ``team_id``) of a view the agent may edit."""
    if not permissions.may_edit_saved_view(agent, view):
        raise Forbidden(_("Only its owner or a supervisor may change this view."))
    before = {"name": view.name, "scope": view.scope, "params": view.params}
    if "name" in fields:
        view.name = _name(fields["name"])
    if "params" in fields:
        view.params = clean_params(fields["params"], agent)
    if "scope" in fields or "team_id" in fields:
        scope = fields.get("scope", view.scope)
        view.team_id = _scope(agent, view.brand_id, scope, fields.get("team_id", view.team_id))
        view.scope = scope
    view.save()
    b, a = audit.diff(before, {"name": view.name, "scope": view.scope, "params": view.params})
    if a:
        audit.record(
            action="saved_view.update",
            obj=view,
            actor=agent,
            brand_id=view.brand_id,
            before=b,
            after=a,
        )
    return view


def delete_view(agent: Agent, view: SavedView) -> None:
    if not permissions.may_edit_saved_view(agent, view):
        raise Forbidden(_("Only its owner or a supervisor may delete this view."))
    audit.record(
        action="saved_view.delete",
        obj=view,
        actor=agent,
        brand_id=view.brand_id,
        before={"name": view.name, "scope": view.scope},
    )
    view.delete()


def query_of(view: SavedView) -> queries.ConversationQuery:
    return queries.query_from_params(dict(view.params), field="params")


def listing(agent: Agent, view: SavedView) -> queries.Listing:
    """The view's list as ``agent`` sees it (their brands; ``me`` is the agent)."""
    return queries.Listing(agent, query_of(view))


def _count_key(agent: Agent, view: SavedView) -> str:
    return f"wowdesk:view-count:{view.pk}:{agent.pk}:{view.updated_at.timestamp()}"


def counts(agent: Agent, views: list[SavedView]) -> dict[int, int]:
    """Each view's number of conversations: one cache read for all, one COUNT for each
    view not cached (then kept ``COUNT_TTL`` seconds)."""
    keys = {_count_key(agent, v): v for v in views}
    found: dict[str, int] = cache.get_many(list(keys))
    out: dict[int, int] = {}
    fresh: dict[str, int] = {}
    for key, view in keys.items():
        if key in found:
            out[view.pk] = found[key]
            continue
        try:
            n = listing(agent, view).total()
        except InvalidInput:  # a filter that no longer parses: shown without a count
            continue
        out[view.pk] = fresh[key] = n
    if fresh:
        cache.set_many(fresh, COUNT_TTL)
    return out
