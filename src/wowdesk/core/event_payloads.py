"""The typed payload of each event (core/events.py): what ``emit`` must be given (checked
at every emit) and what a listener receives as keyword arguments. Ids and plain values
only, so a payload can be queued, batched and sent to a webhook as JSON as it is.

No ``from __future__ import annotations`` here: ``TypedDict`` reads ``NotRequired`` from
the evaluated annotations.
"""

from typing import Any, NotRequired, TypedDict


class ConversationCreated(TypedDict):
    conversation_id: int
    brand_id: int


class ConversationUpdated(TypedDict):
    conversation_id: int
    brand_id: int
    # field -> new value (status, priority, assignee_id, team_id, tags, merged_into, …)
    changes: dict[str, Any]
    # field -> value before the change, for the fields in ``changes`` that had one
    before: NotRequired[dict[str, Any]]
    actor_id: NotRequired[int | None]  # the agent who made it; None: the system
    rule_id: NotRequired[int | None]  # the automation rule that made it
    source: NotRequired[str]  # the system part that made it ("routing"); absent: a person


class MessageCreated(TypedDict):
    message_id: int
    conversation_id: int
    brand_id: int
    direction: str  # in | out | note
    actor_id: NotRequired[int | None]
    rule_id: NotRequired[int | None]


class MessageDeliveryChanged(TypedDict):
    message_id: int
    conversation_id: int
    brand_id: int
    outbox_id: int
    state: str  # queued | sent | failed


class MessageAnnotated(TypedDict):
    message_id: int
    conversation_id: int
    brand_id: int
    # what was learned: {"language": "de"}, {"emotion_label": "angry", "emotion": 0.8}, …
    fields: dict[str, Any]


class CustomerCreated(TypedDict):
    customer_id: int
    brand_id: int


class CustomerUpdated(TypedDict):
    customer_id: int
    brand_id: int
    changes: dict[str, Any]
    before: NotRequired[dict[str, Any]]


class CustomerMerged(TypedDict):
    customer_id: int  # the one that stays
    merged_id: int  # the one folded into it (gone after the merge)
    brand_id: int


class AlertRaised(TypedDict):
    alert_id: int
    brand_id: int
    kind: str


class SlaChanged(TypedDict):
    conversation_id: int
    brand_id: int
    target: str  # first_response | next_response | resolution
    due_at: str  # ISO 8601


class InboxCreated(TypedDict):
    inbox_id: int
    brand_id: int
    channel: str


class OutboundQueued(TypedDict):
    outbox_id: int


class EnvelopeFailed(TypedDict):
    envelope_id: int
    attempts: int


class SurveyAnswered(TypedDict):
    survey_id: int
    response_id: int
    conversation_id: int
    brand_id: int
    kind: str  # csat | nps | ces
    score: int
    # the answer changed (a new score or a why added later), not a first answer
    updated: NotRequired[bool]
    # on a change: the score before it (the same as ``score`` when only the why changed),
    # so that counts kept per score can move one answer from one score to the other
    previous_score: NotRequired[int | None]


class FollowUpChanged(TypedDict):
    followup_id: int
    brand_id: int
    kind: str  # detractor | checkin | warranty
    status: str  # open | done
    conversation_id: NotRequired[int | None]
    assignee_id: NotRequired[int | None]


class GrantChanged(TypedDict):
    grant_id: int
    brand_id: int
    conversation_id: int
    agent_id: int | None
    action: str
    status: str  # granted | pending_approval | declined | cancelled
    approval_id: NotRequired[int | None]


class CustomerRestricted(TypedDict):
    customer_id: int
    brand_id: int
    level: str  # warned | restricted | blocked; "" when lifted
    channel: NotRequired[str]


class CustomerErasing(TypedDict):
    """Sent inside the erasing transaction, before the customer's own fields are wiped:
    each app's listener (phase ``transaction``) removes or anonymises what it keeps about
    the customer."""

    customer_id: int
    brand_id: int


class ReviewCreated(TypedDict):
    review_id: int
    brand_id: int
    conversation_id: int
    agent_id: int | None
    score: float | None
