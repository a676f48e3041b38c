"""The survey link's token: the survey's id, signed with the install's secret key (no
login, nothing to guess). Expiry is the survey's own ``expires_at``, checked by the page;
the signature only proves the link was made here for that survey."""

from __future__ import annotations

from django.core import signing

SALT = "wowdesk.surveys.link"


def make_token(survey_id: int) -> str:
    """The token in ``/s/<token>`` for one survey."""
    return signing.dumps(survey_id, salt=SALT, compress=False)


def read_token(token: str) -> int | None:
    """The survey id a token names, or None when it was not made here (or was altered)."""
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
