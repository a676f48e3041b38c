"""The demo's training: per demo brand, scenarios made from a few resolved demo conversations
(anonymised by ``training.services``) and two authored ones, assignments from a supervisor
to agents (one already practised and scored), and one brand culture card that adapts the
built-in German card. Idempotent (a brand that has scenarios is left alone), deterministic
(the conversations are taken in id order), and fast (a handful of rows per brand).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from wowdesk.conversations.models import Conversation, Direction, Status
from wowdesk.core.errors import ServiceError
from wowdesk.core.models import Agent, Brand, Membership, Role

#: Conversations turned into scenarios per brand (resolved ones with a customer message and
#: an agent's reply, in id order).
FROM_CONVERSATIONS = 2

AUTHORED: tuple[dict[str, Any], ...] = (
    {
        "title": "Late delivery to a customer in Japan",
        "product": "",
        "market": "JP",
        "language": "en",
        "mood": "worried",
        "difficulty": "medium",
        "opening": (
            "Good afternoon. I ordered a gift ten days ago and it has still not arrived. "
            "The birthday is on Saturday. Could you please tell me what is happening?"
        ),
        "facts": {
            "order": "[order number]",
            "ordered": "ten days ago",
            "deadline": "Saturday",
            "carrier": "the parcel is held at the depot",
        },
        "expected_resolution": (
            "Apologise for the inconvenience, explain that the parcel is held at the depot, "
            "and send it again by express so that it arrives before Saturday."
        ),
        "key_points": ["apologise", "express", "before Saturday"],
        "policy_limits": [{"action": "shipping_upgrade"}],
    },
    {
        "title": "Angry customer: device dead after the update",
        "product": "",
        "market": "DE",
        "language": "en",
        "mood": "angry",
        "difficulty": "hard",
        "opening": (
            "Your update killed my device. It does not turn on anymore. This is the second "
            "time this year and I want my money back. Now."
        ),
        "facts": {
            "order": "[order number]",
            "bought": "eight months ago",
            "symptom": "no light, no sound after the night's update",
        },
        "expected_resolution": (
            "Acknowledge the frustration, offer a free replacement sent today with a "
            "prepaid return label, or a refund within the policy limit."
        ),
        "key_points": ["replacement", "return label", "today"],
        "policy_limits": [
            {"action": "refund", "limit": 100, "currency": "USD"},
            {"action": "replacement"},
        ],
    },
)

#: The trainee's lines in the demo's already played session.
PRACTICE = (
    "I am so sorry, I understand how frustrating this is. Could you tell me your order number?",
    "Thank you. I will send you a free replacement today with a prepaid return label.",
)

CULTURE_CARD = {
    "country": "DE",
    "title": "Germany (our way)",
    "body": (
        "Use \u201cSie\u201d and the customer's family name.\n"
        "Give exact dates and the order reference in every answer.\n"
        "Solution first, small talk last.\n"
        "Our promise: a replacement ships within one working day."
    ),
}


def _people(brand: Brand) -> tuple[Agent | None, list[Agent]]:
    rows = list(
        Membership.objects.filter(brand=brand, agent__is_active=True)
        .select_related("agent")
        .order_by("agent__user__email")
    )
    supervisor = next((m.agent for m in rows if m.role in (Role.SUPERVISOR, Role.ADMIN)), None)
    agents = [m.agent for m in rows if m.role == Role.AGENT]
    return supervisor, agents


def _sources(brand: Brand, n: int) -> list[Conversation]:
    """Resolved conversations with an agent's reply, the first ``n`` by id."""
    replied = Conversation.objects.filter(
        brand=brand, status=Status.RESOLVED, messages__direction=Direction.OUT
    ).values_list("pk", flat=True)
    ids = sorted(set(replied[: n * 20]))[:n]
    return list(Conversation.objects.filter(pk__in=ids).select_related("customer").order_by("pk"))


def seed_training(brand: Brand) -> dict[str, int]:
    """The brand's training demo; counts of what was made (nothing on a second run)."""
    from wowdesk.training import assignment_services, culture_services
    from wowdesk.training import services as sim
    from wowdesk.training.models import CultureCard, Scenario

    made = {"scenarios": 0, "assignments": 0, "sessions": 0, "culture_cards": 0}
    if Scenario.objects.filter(brand=brand).exists():
        return made
    supervisor, agents = _people(brand)
    if supervisor is None:
        return made
    with transaction.atomic():
        scenarios = []
        for conversation in _sources(brand, FROM_CONVERSATIONS):
            try:
                with transaction.atomic():
                    scenarios.append(
                        sim.create_scenario_from_conversation(supervisor, conversation)
                    )
            except ServiceError:  # a conversation the builder refuses is skipped
                continue
        for fields in AUTHORED:
            scenarios.append(sim.save_scenario(supervisor, brand.pk, **fields))
        made["scenarios"] = len(scenarios)
        if agents and scenarios:
            due = timezone.localdate() + dt.timedelta(days=7)
            first = assignment_services.assign(
                supervisor,
                scenario_id=scenarios[0].pk,
                trainee_ids=[a.pk for a in agents[:3]],
                due_on=due,
                note="Practise the opening apology and the concrete next step.",
            )
            made["assignments"] = len(first)
            # one of them already practised: a finished, scored session
            hard = scenarios[-1]
            (done,) = assignment_services.assign(
                supervisor, scenario_id=hard.pk, trainee_ids=[agents[0].pk], due_on=due
            )
            made["assignments"] += 1
            session = sim.start_session(agents[0], hard, done)
            for line in PRACTICE:
                session.refresh_from_db()
                if (session.state or {}).get("outcome"):
                    break
                sim.send_message(agents[0], session, line)
            session.refresh_from_db()
            sim.finish_session(agents[0], session)
            made["sessions"] = 1
        if not CultureCard.objects.filter(brand=brand, country=CULTURE_CARD["country"]).exists():
            culture_services.create_card(supervisor, brand.pk, **CULTURE_CARD)
            made["culture_cards"] = 1
    return made
