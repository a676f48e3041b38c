"""Writes of the web app: the sign-in throttle (and the limit on password-reset mails).

Every failed sign-in counts twice: under the pair (normalised username, client address) and
under the client address alone. ``MAX_FAILURES`` failures of one pair within ``WINDOW``
lock that pair for ``LOCK_SECONDS``; ``ADDRESS_MAX_FAILURES`` failures from one address
(any usernames) lock the address. A locked sign-in is refused before the password is
hashed, so a flood of wrong passwords costs one indexed read each, not an Argon2 hash.

The counters live in the database (``web.LoginThrottle``): a lock survives a restart and
cannot be pushed out of a cache by a flood of other keys.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import unicodedata

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from wowdesk.conversations.models import Conversation
from wowdesk.core.models import Agent
from wowdesk.web.models import ConversationSeen, LoginThrottle

MAX_FAILURES = 5
# "Forgot password?" mails: per address and per client within WINDOW
RESET_MAILS_PER_ADDRESS = 3
RESET_MAILS_PER_CLIENT = 20
ADDRESS_MAX_FAILURES = 30
WINDOW = dt.timedelta(minutes=15)
LOCK_SECONDS = 15 * 60
# Rows untouched this long are removed when the next failure is written.
FORGET_AFTER = dt.timedelta(days=1)


def client_ip(request: HttpRequest | None) -> str:
    """The client's address: the peer (``REMOTE_ADDR``), or behind a reverse proxy the
    last entry of ``WOWDESK_CLIENT_IP_HEADER`` (the one the proxy itself appended; entries
    before it come from the client and prove nothing)."""
    if request is None:
        return "unknown"
    header = getattr(settings, "WOWDESK_CLIENT_IP_HEADER", "")
    if header:
        meta = "HTTP_" + header.upper().replace("-", "_")
        entries = [e.strip() for e in str(request.META.get(meta, "")).split(",") if e.strip()]
        if entries:
            try:
                return str(ipaddress.ip_address(entries[-1]))
            except ValueError:
                pass
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def normalise_username(username: str) -> str:
    """NFKC, case folded, outer spaces removed: ``ＡＮＡ@Example.com `` is ``ana@example.com``."""
    return unicodedata.normalize("NFKC", username).casefold().strip()


def address_scope(ip: str) -> str:
    """The unit an address is counted in: the address itself, or its /64 for IPv6 (one
    host usually holds a whole /64)."""
    try:
        parsed = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is None:
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False))
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(parsed)


def pair_key(username: str, ip: str) -> str:
    raw = f"pair\0{normalise_username(username)}\0{address_scope(ip)}".encode()
    return hashlib.sha256(raw).hexdigest()


def address_key(ip: str) -> str:
    return hashlib.sha256(f"address\0{address_scope(ip)}".encode()).hexdigest()


def _current(row: LoginThrottle, now: dt.datetime) -> int:
    return row.failures if row.window_started_at > now - WINDOW else 0


def failures(username: str, ip: str) -> int:
    """Failures of this pair counted in the current window."""
    row = LoginThrottle.objects.filter(key=pair_key(username, ip)).first()
    return _current(row, timezone.now()) if row is not None else 0


def locked(username: str, ip: str) -> bool:
    """True while the pair or the address is locked. One read, no password hashing."""
    now = timezone.now()
    return LoginThrottle.objects.filter(
        key__in=[pair_key(username, ip), address_key(ip)], locked_until__gt=now
    ).exists()


def _bump(key: str, limit: int, now: dt.datetime) -> int:
    for _attempt in range(2):
        try:
            with transaction.atomic():
                row = LoginThrottle.objects.select_for_update().filter(key=key).first()
                if row is None:
                    row = LoginThrottle.objects.create(key=key, failures=0, window_started_at=now)
                if row.window_started_at <= now - WINDOW:
                    row.failures = 0
                    row.window_started_at = now
                row.failures += 1
                if row.failures >= limit:
                    row.locked_until = now + dt.timedelta(seconds=LOCK_SECONDS)
                    # The next window starts after the lock: a lock does not re-arm itself.
                    row.failures = 0
                    row.window_started_at = row.locked_until
                row.save(update_fields=["failures", "window_started_at", "locked_until"])
                return row.failures
        except IntegrityError:  # another process created the row first: count on it
            continue
    return 0


def record_failure(username: str, ip: str) -> None:
    """Count a failed sign-in for the pair and the address; lock either at its limit."""
    now = timezone.now()
    _bump(pair_key(username, ip), MAX_FAILURES, now)
    _bump(address_key(ip), ADDRESS_MAX_FAILURES, now)
    LoginThrottle.objects.filter(
        Q(window_started_at__lt=now - FORGET_AFTER),
        Q(locked_until__isnull=True) | Q(locked_until__lt=now),
    ).delete()


def clear_failures(username: str, ip: str) -> None:
    """A right password: the pair starts afresh (the address keeps its count)."""
    LoginThrottle.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lte=timezone.now()),
        key=pair_key(username, ip),
    ).delete()


def allow_reset_mail(email: str, ip: str) -> bool:
    """Whether a password-reset mail to ``email`` may go out now; counts it if so. Keeps
    "Forgot password?" from flooding someone's mailbox (the page answers the same)."""
    now = timezone.now()
    to_key = hashlib.sha256(f"reset\0{normalise_username(email)}".encode()).hexdigest()
    from_key = hashlib.sha256(f"reset-client\0{address_scope(ip)}".encode()).hexdigest()
    if LoginThrottle.objects.filter(key__in=[to_key, from_key], locked_until__gt=now).exists():
        return False
    _bump(to_key, RESET_MAILS_PER_ADDRESS, now)
    _bump(from_key, RESET_MAILS_PER_CLIENT, now)
    return True


def mark_seen(agent: Agent, conversation: Conversation, now: dt.datetime | None = None) -> None:
    """The agent opened the conversation: its "seen" row says when (one update, or an insert
    the first time). Outside any caller's transaction it commits at once."""
    now = now or timezone.now()
    updated = ConversationSeen.objects.filter(agent=agent, conversation=conversation).update(
        seen_at=now
    )
    if updated:
        return
    try:
        with transaction.atomic():
            ConversationSeen.objects.create(agent=agent, conversation=conversation, seen_at=now)
    except IntegrityError:  # another tab of the same agent inserted it first
        ConversationSeen.objects.filter(agent=agent, conversation=conversation).update(seen_at=now)
