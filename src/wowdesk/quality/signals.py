"""Which conversations are worth a review, pure (no Django).

``detect`` turns the facts of one resolved conversation into the signals it shows;
``pre_score`` adds their weights up to a 0–100 hint ("likely needs attention"), shown with
its reasons beside the queue and never used as a review's score. ``in_sample`` picks a
random share of conversations, the same ones all day (a hash of the day and the id), so
ordinary conversations get reviewed too and the queue does not reshuffle on every load.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

# signal → weight in the pre-score (they add up, capped at 100)
WEIGHTS: dict[str, int] = {
    "emotion_falling": 30,
    "detractor": 35,
    "reopened": 20,
    "grant_above_limit": 20,
    "long": 10,
    "new_agent": 10,
    "sample": 0,
}
SIGNALS = tuple(WEIGHTS)
EMOTION_DROP = 0.3  # last customer message this much below the first (scale −1 … 1)
LONG_MESSAGES = 20
LONG_DAYS = 3.0
NEW_AGENT_DAYS = 90
SAMPLE_RATE = 0.1


@dataclass(frozen=True)
class Facts:
    """What the queue knows about one resolved conversation."""

    conversation_id: int
    first_emotion: float | None = None  # of the customer's first scored message
    last_emotion: float | None = None  # of their last one
    reopened: int = 0
    detractor: bool = False
    message_count: int = 0
    open_days: float = 0.0
    grant_above_limit: bool = False
    agent_tenure_days: int | None = None  # None: no agent


def detect(f: Facts, day: dt.date, sample_rate: float = SAMPLE_RATE) -> list[str]:
    """The signals ``f`` shows, in ``SIGNALS`` order."""
    found: list[str] = []
    if (
        f.first_emotion is not None
        and f.last_emotion is not None
        and f.first_emotion - f.last_emotion >= EMOTION_DROP
    ):
        found.append("emotion_falling")
    if f.detractor:
        found.append("detractor")
    if f.reopened > 0:
        found.append("reopened")
    if f.grant_above_limit:
        found.append("grant_above_limit")
    if f.message_count >= LONG_MESSAGES or f.open_days >= LONG_DAYS:
        found.append("long")
    if f.agent_tenure_days is not None and f.agent_tenure_days < NEW_AGENT_DAYS:
        found.append("new_agent")
    if in_sample(f.conversation_id, day, sample_rate):
        found.append("sample")
    return found


def pre_score(signals: list[str]) -> int:
    """0–100: the hint shown beside a queued conversation (a sampled one with no other
    signal scores 0)."""
    return min(100, sum(WEIGHTS.get(s, 0) for s in signals))


def in_sample(conversation_id: int, day: dt.date, rate: float = SAMPLE_RATE) -> bool:
    """Whether the conversation is in ``day``'s random sample: stable for the day."""
    if rate <= 0:
        return False
    digest = hashlib.sha256(f"{day.isoformat()}:{conversation_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate
