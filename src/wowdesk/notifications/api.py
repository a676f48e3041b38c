"""API: the caller's own notifications and preferences (any agent)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from wowdesk.core.api import me
from wowdesk.core.schemas import ERRORS
from wowdesk.notifications import present, services
from wowdesk.notifications.models import Kind

router = Router(tags=["notifications"])
MAX_PAGE = 100


class NotificationOut(Schema):
    id: int
    kind: str
    brand_id: int
    conversation_id: int | None
    actor_id: int | None
    title: str
    detail: str
    count: int
    created_at: dt.datetime
    updated_at: dt.datetime
    read_at: dt.datetime | None


class NotificationPage(Schema):
    items: list[NotificationOut]
    unread: int


class ReadAll(Schema):
    marked: int
    unread: int


class PreferencesOut(Schema):
    in_app: dict[str, bool]
    desktop: bool
    sound: bool


class PreferencesPatch(Schema):
    in_app: dict[str, bool] | None = Field(None, max_length=len(Kind.values))
    desktop: bool | None = None
    sound: bool | None = None


def _prefs_out(agent: object) -> PreferencesOut:
    pref = services.preferences(agent)  # type: ignore[arg-type]
    return PreferencesOut(
        in_app={k: pref.wants(k) for k in Kind.values}, desktop=pref.desktop, sound=pref.sound
    )


@router.get("/notifications", response={200: NotificationPage, **ERRORS})
def list_notifications(
    request: HttpRequest,
    unread: bool = False,
    limit: int = Query(30, ge=1, le=MAX_PAGE),
    offset: int = Query(0, ge=0, le=10**6),
) -> NotificationPage:
    agent = me(request)
    qs = services.mine(agent)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    rows = list(qs[offset : offset + limit])
    return NotificationPage(
        items=[NotificationOut(**present.as_dict(n)) for n in rows],
        unread=services.unread_count(agent),
    )


@router.get("/notifications/preferences", response={200: PreferencesOut, **ERRORS})
def get_preferences(request: HttpRequest) -> PreferencesOut:
    return _prefs_out(me(request))


@router.patch("/notifications/preferences", response={200: PreferencesOut, **ERRORS})
def patch_preferences(request: HttpRequest, payload: PreferencesPatch) -> PreferencesOut:
    agent = me(request)
    with transaction.atomic():
        services.set_preferences(
            agent, in_app=payload.in_app, desktop=payload.desktop, sound=payload.sound
        )
    return _prefs_out(agent)


@router.post("/notifications/read-all", response={200: ReadAll, **ERRORS})
def read_all(request: HttpRequest) -> ReadAll:
    agent = me(request)
    with transaction.atomic():
        marked = services.mark_all_read(agent)
    return ReadAll(marked=marked, unread=services.unread_count(agent))


@router.post("/notifications/{notification_id}/read", response={200: NotificationOut, **ERRORS})
def read_one(request: HttpRequest, notification_id: int) -> NotificationOut:
    agent = me(request)
    with transaction.atomic():
        row = services.mark_read(agent, notification_id)
    return NotificationOut(**present.as_dict(row))
