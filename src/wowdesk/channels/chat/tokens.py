"""Who a chat visitor is: signed visitor tokens and the brand's identity verification.

A visitor token is ``django.core.signing`` output (HMAC with the install's secret key) of
the inbox id and a random visitor id. The widget keeps it in ``localStorage``; the server
only believes a token it signed itself, for the inbox it was issued for.

Identity verification (as Intercom and Chatwoot do it): the brand's own site computes
``HMAC-SHA256(inbox secret, user id)`` on its server and puts the user id and that hash in
the script tag. A right hash ties the visitor to a stable id derived from the brand and
the user id, so the same person finds their conversation on any device, and the same
user id of two brands are two visitors; a wrong hash is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.core import signing

SALT = "wowdesk.chat.visitor"
# A token older than this is refused and the visitor starts afresh.
MAX_AGE_SECONDS = 400 * 24 * 3600


@dataclass(frozen=True)
class Visitor:
    inbox_id: int
    visitor_id: str
    verified: bool = False


def new_visitor_id() -> str:
    """Random, lower case (identity handles are case folded), 128 bits."""
    return "v" + secrets.token_hex(16)


def verified_visitor_id(brand_id: int, user_id: str) -> str:
    """The same user id of the same brand always maps to the same visitor id; the same
    user id in another brand is another visitor (another identity, another socket group)."""
    return "u" + hashlib.sha256(f"{brand_id}:{user_id}".encode()).hexdigest()[:32]


def legacy_verified_visitor_id(user_id: str) -> str:
    """The id a verified visitor had before it named the brand (found again only inside
    the same brand's identities: ``chat.services.open_session``)."""
    return "u" + hashlib.sha256(user_id.encode("utf-8")).hexdigest()[:32]


def issue(visitor: Visitor) -> str:
    payload = {"i": visitor.inbox_id, "v": visitor.visitor_id, "u": int(visitor.verified)}
    return signing.dumps(payload, salt=SALT, compress=False)


def read(token: str, inbox_id: int) -> Visitor | None:
    """The visitor a token names, or None if it is forged, expired or for another inbox."""
    if not token or len(token) > 500:
        return None
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("i") != inbox_id:
        return None
    visitor_id = data.get("v")
    if not isinstance(visitor_id, str) or not visitor_id:
        return None
    return Visitor(inbox_id=inbox_id, visitor_id=visitor_id, verified=bool(data.get("u")))


def user_hash(secret: str, user_id: str) -> str:
    """What the brand's server computes: hex HMAC-SHA256 of the user id."""
    return hmac.new(secret.encode("utf-8"), user_id.encode("utf-8"), hashlib.sha256).hexdigest()


def check_user_hash(secret: str, user_id: str, given: str) -> bool:
    if not secret or not user_id or not given:
        return False
    return hmac.compare_digest(user_hash(secret, user_id), given.strip().lower())
