"""Presence from the workspace's tabs: online while a tab is open and its person active,
away after ``away_after`` (the brand's routing setting, else
``WOWDESK_AWAY_AFTER_MINUTES``) without input in any tab, offline
``GRACE`` seconds after the last tab closed or fell silent.

Each open tab (one WebSocket, ``web/consumers.py``) is an entry in the Django cache (Redis
in cluster mode, so every process sees every tab of an agent), refreshed by the tab's
heartbeat: ``{channel name: {"seen": t, "active": t}}`` under one key per agent, with
the time the last tab closed. A tab not heard from for ``TAB_TTL`` seconds is gone (its
browser or its server process died); the sweeper (``sweep``, every 30 s) puts agents with
no live tab offline. Agents who never opened the workspace (API users) are not swept.

What the system sets is marked ``presence_auto``: activity or a tab coming back puts
that agent online again; a state the person chose (the switch, the API) stays.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Min

from wowdesk.core.models import Agent, Presence

TAB_TTL = 60.0  # seconds: three missed heartbeats (web/consumers.HEARTBEAT = 20)
GRACE = 60.0  # seconds after the last tab closed before the agent is offline
KEY_TTL = 7 * 24 * 3600  # the record that an agent uses the workspace
LOCK_TRIES = 50


def _key(agent_id: int) -> str:
    return f"wowdesk:tabs:{agent_id}"


def away_after(agent_id: int | None = None) -> float:
    """Seconds without input before an agent is away: the shortest ``away_after_minutes``
    of the agent's brands' routing settings, else ``WOWDESK_AWAY_AFTER_MINUTES``."""
    if agent_id is not None:
        from wowdesk.routing.models import RoutingSettings

        minutes = RoutingSettings.objects.filter(
            brand__agents=agent_id, away_after_minutes__isnull=False
        ).aggregate(m=Min("away_after_minutes"))["m"]
        if minutes:
            return float(minutes) * 60
    return float(getattr(settings, "WOWDESK_AWAY_AFTER_MINUTES", 10)) * 60


class _Locked:
    """A short cross-process lock around one agent's read-modify-write (``cache.add`` is
    atomic on every backend); after about half a second the update goes ahead anyway."""

    def __init__(self, agent_id: int) -> None:
        self.key = f"{_key(agent_id)}:lock"
        self.held = False

    def __enter__(self) -> None:
        for _ in range(LOCK_TRIES):
            if cache.add(self.key, 1, timeout=2):
                self.held = True
                return
            time.sleep(0.01)

    def __exit__(self, *exc: object) -> None:
        if self.held:
            cache.delete(self.key)


def _read(agent_id: int) -> dict[str, Any]:
    record = cache.get(_key(agent_id))
    if not isinstance(record, dict) or not isinstance(record.get("tabs"), dict):
        return {"tabs": {}, "closed_at": None}
    return record


def live_tabs(record: dict[str, Any], now: float) -> dict[str, dict[str, float]]:
    return {k: v for k, v in record["tabs"].items() if now - v["seen"] <= TAB_TTL}


def _update(
    agent_id: int, channel_name: str, *, idle: float | None = None, closed: bool = False
) -> dict[str, Any]:
    now = time.time()
    with _Locked(agent_id):
        record = _read(agent_id)
        tabs = live_tabs(record, now)
        if closed:
            tabs.pop(channel_name, None)
            if not tabs:
                record["closed_at"] = now
        else:
            entry = tabs.get(channel_name) or {"seen": now, "active": now}
            entry["seen"] = now
            entry["active"] = now - (idle or 0.0)
            tabs[channel_name] = entry
            record["closed_at"] = None
        record["tabs"] = tabs
        cache.set(_key(agent_id), record, timeout=KEY_TTL)
    return record


def _last_active(record: dict[str, Any], now: float) -> float | None:
    tabs = live_tabs(record, now)
    return max((t["active"] for t in tabs.values()), default=None)


def _agent(agent_id: int) -> Agent | None:
    return Agent.objects.filter(pk=agent_id, is_active=True).first()


def _set(agent: Agent, status: str, *, auto: bool) -> None:
    from wowdesk.routing.services import set_presence

    with transaction.atomic():
        set_presence(agent, status, by=None if auto else agent, auto=auto)


def tab_opened(agent_id: int, channel_name: str) -> str | None:
    """A workspace tab connected. An agent the system had put away or offline is online
    again. Returns the presence now."""
    _update(agent_id, channel_name, idle=0.0)
    agent = _agent(agent_id)
    if agent is None:
        return None
    if agent.presence != Presence.ONLINE and agent.presence_auto:
        _set(agent, Presence.ONLINE, auto=False)
    return agent.presence


def heartbeat(agent_id: int, channel_name: str, idle: float | None) -> str | None:
    """A tab's heartbeat, with the seconds since the person's last input in it (None: not
    told). No input in any tab for ``away_after()``: away; input again: online (only if
    the system had set away). Returns the presence now."""
    record = _update(agent_id, channel_name, idle=idle)
    agent = _agent(agent_id)
    if agent is None:
        return None
    now = time.time()
    active = _last_active(record, now)
    idle_for = now - active if active is not None else 0.0
    limit = away_after(agent_id)
    if agent.presence == Presence.ONLINE and idle_for >= limit:
        _set(agent, Presence.AWAY, auto=True)
    elif agent.presence != Presence.ONLINE and agent.presence_auto and idle_for < limit:
        _set(agent, Presence.ONLINE, auto=False)
    return agent.presence


def tab_closed(agent_id: int, channel_name: str) -> int:
    """A tab disconnected. Returns how many live tabs the agent still has."""
    record = _update(agent_id, channel_name, closed=True)
    return len(live_tabs(record, time.time()))


def settle(agent_id: int, now: float | None = None) -> bool:
    """Offline if the agent has no live tab and the last one closed (or fell silent)
    at least ``GRACE`` seconds ago; True if so. A page change closes one socket and opens
    the next within a second: that is no going offline."""
    now = now or time.time()
    record = cache.get(_key(agent_id))
    if not isinstance(record, dict) or not isinstance(record.get("tabs"), dict):
        return False  # never used the workspace (or the cache forgot): left as it is
    if live_tabs(record, now):
        return False
    seen = max((t["seen"] for t in record["tabs"].values()), default=0.0)
    gone_since = max(record.get("closed_at") or 0.0, seen + TAB_TTL if seen else 0.0)
    if not gone_since or now - gone_since < GRACE:
        return False
    agent = _agent(agent_id)
    if agent is None or agent.presence == Presence.OFFLINE:
        return False
    changed = agent.presence_changed_at
    if changed is not None and now - changed.timestamp() < GRACE:
        return False  # just signed in (or set present): the first tab is on its way
    _set(agent, Presence.OFFLINE, auto=True)
    return True


def sweep(now: float | None = None) -> dict[str, int]:
    """Every 30 s from the worker: agents whose browser died or whose tabs all closed are
    offline (their live chats and calls go back to the queue)."""
    gone = 0
    present = Agent.objects.filter(is_active=True).exclude(presence=Presence.OFFLINE)
    for agent_id in present.values_list("id", flat=True):
        if settle(agent_id, now):
            gone += 1
    return {"presence_offline": gone}
