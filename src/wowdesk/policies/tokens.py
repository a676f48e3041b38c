"""The signed approve/decline link mailed to a supervisor: the approval's id, the
supervisor's id and the moment it was made, signed with the install's secret key.

It works without signing in because it names one supervisor and one approval; it expires
after ``MAX_AGE`` and is good once (a decided approval is not decided again).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core import signing
from django.utils import timezone

SALT = "wowdesk.policies.approval-link"
MAX_AGE = dt.timedelta(days=3)


@dataclass(frozen=True)
class LinkToken:
    approval_id: int
    agent_id: int
    issued_at: dt.datetime

    def expired(self, now: dt.datetime | None = None) -> bool:
        return (now or timezone.now()) - self.issued_at > MAX_AGE


def make_token(approval_id: int, agent_id: int, *, now: dt.datetime | None = None) -> str:
    """The token in ``/policies/approve/<token>/`` for ``agent_id`` to decide ``approval_id``."""
    issued = int((now or timezone.now()).timestamp())
    return signing.dumps([approval_id, agent_id, issued], salt=SALT, compress=False)


def read_token(token: str) -> LinkToken | None:
    """What a token names, or None when it was not made here (or was altered)."""
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if (
        not isinstance(value, list)
        or len(value) != 3
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        return None
    try:
        issued = dt.datetime.fromtimestamp(value[2], tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return LinkToken(approval_id=value[0], agent_id=value[1], issued_at=issued)
