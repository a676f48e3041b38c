"""Scenarios made from the real demo's resolved conversations hold no personal data: no
customer name, email, phone, order, invoice or serial number, street address or agent name
of the source rows appears in any field of the scenario (JSON included)."""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.forms.models import model_to_dict
from rich.console import Console

from wowdesk.conversations.models import Conversation, Direction, Message, Status
from wowdesk.core.models import Agent, Membership, Role
from wowdesk.customers.models import Identity, Purchase
from wowdesk.demo import catalog
from wowdesk.demo.seed import DemoReport, DemoSize, seed_demo
from wowdesk.training import services
from wowdesk.training.models import Scenario

SIZE = DemoSize(customers=40, conversations=160)
DEMO_SLUGS = [b.slug for b in catalog.BRANDS]
MAX_SCENARIOS = 80


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[DemoReport]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed_demo(SIZE, seed=11, console=Console(file=io.StringIO()))
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded: DemoReport, db: None) -> DemoReport:
    return seeded


def _admin_of(brand_id: int) -> Agent:
    membership = Membership.objects.filter(brand_id=brand_id, role=Role.ADMIN).first()
    assert membership is not None
    return membership.agent


def _secrets(conversation: Conversation) -> dict[str, set[str]]:
    """What must not survive, by kind."""
    customer = conversation.customer
    words: set[str] = set()
    for name in [customer.name]:
        words.update(w for w in re.split(r"[\s,.]+", name or "") if len(w) >= 2)
    agents: set[str] = set()
    authors = Message.objects.filter(
        conversation=conversation, direction=Direction.OUT, author__isnull=False
    ).values_list("author__display_name", "author__user__first_name", "author__user__last_name")
    for row in authors:
        for name in row:
            agents.update(w for w in re.split(r"[\s,.]+", name or "") if len(w) >= 3)
    contacts = {customer.email, customer.phone} | set(
        Identity.objects.filter(customer=customer).values_list("value", flat=True)
    )
    numbers: set[str] = set()
    for order_ref, serial in Purchase.objects.filter(customer=customer).values_list(
        "order_ref", "serial_number"
    ):
        numbers.update(x for x in (order_ref, serial) if x)
        if order_ref and "-" in order_ref:
            numbers.add("INV-" + order_ref.split("-", 1)[1])
    return {
        "customer name": words,
        "agent name": agents,
        "contact": {c for c in contacts if c and len(c) >= 5},
        "number": numbers,
    }


def _leaks(text: str, secrets: dict[str, set[str]]) -> list[tuple[str, str]]:
    found = []
    low = text.lower()
    digits = re.sub(r"\D", "", text)
    for kind, values in secrets.items():
        for value in values:
            v = value.lower()
            if kind.endswith("name"):
                # names in Chinese, Japanese or Korean stand inside words ("田中様")
                bounded = not _CJK.fullmatch(v)
                pattern = rf"(?<!\w){re.escape(v)}(?!\w)" if bounded else re.escape(v)
                if re.search(pattern, low) or (
                    not bounded
                    and 2 <= len(v) <= 4
                    and re.search(re.escape(v[: 2 if len(v) == 4 else 1]) + _HONORIFIC, low)
                ):
                    found.append((kind, value))
            elif v in low:
                found.append((kind, value))
            elif kind == "contact" and value.startswith("+"):
                tail = re.sub(r"\D", "", value)[-7:]
                if len(tail) == 7 and tail in digits:
                    found.append((kind, value))
    return found


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]+")
_HONORIFIC = r"(?:先生|女士|小姐|様|さん|님|씨)"
_STREET = re.compile(
    r"\b\d{1,5}\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|Road|Avenue|Lane|Drive|Boulevard)\b"
    r"|\b[A-ZÄÖÜ][a-zäöüß]+(?:straße|strasse|weg|gasse|platz)\s+\d{1,4}\b"
)


def test_scenarios_from_demo_conversations_hold_no_personal_data(demo: DemoReport) -> None:
    conversations = list(
        Conversation.objects.filter(brand__slug__in=DEMO_SLUGS, status=Status.RESOLVED)
        .filter(messages__direction=Direction.OUT)
        .select_related("customer")
        .distinct()
        .order_by("id")[:MAX_SCENARIOS]
    )
    assert len(conversations) >= 30
    admins = {c.brand_id: _admin_of(c.brand_id) for c in conversations}
    problems: list[tuple[int, str, str, str]] = []
    languages = set()
    raw_leaks = 0  # the check has teeth: the source rows do hold such data
    for conversation in conversations:
        bodies = " ".join(
            Message.objects.filter(conversation=conversation).values_list("body", flat=True)
        )
        raw_leaks += bool(_leaks(bodies, _secrets(conversation)))
        scenario = services.create_scenario_from_conversation(
            admins[conversation.brand_id], conversation
        )
        fields = model_to_dict(Scenario.objects.get(pk=scenario.pk))
        fields.pop("source_conversation")  # the link is kept for staff, never shown to trainees
        fields.pop("created_by")
        text = json.dumps(fields, ensure_ascii=False, default=str)
        languages.add(scenario.language)
        assert scenario.opening and scenario.transcript
        for kind, value in _leaks(text, _secrets(conversation)):
            problems.append((conversation.pk, kind, value, text[:200]))
        for m in _STREET.finditer(text):
            problems.append((conversation.pk, "street address", m.group(0), ""))
    assert problems == []
    assert raw_leaks >= len(conversations) // 3, raw_leaks
    if os.environ.get("SHOW_SCENARIOS"):
        for s in Scenario.objects.order_by("id")[:6]:
            print(json.dumps(model_to_dict(s), ensure_ascii=False, default=str, indent=1))
    assert len(languages) >= 2  # the demo is multilingual: so are its scenarios


def test_a_demo_scenario_can_be_played_to_the_end(demo: DemoReport) -> None:
    conversation = (
        Conversation.objects.filter(
            brand__slug__in=DEMO_SLUGS, status=Status.RESOLVED, language__startswith="en"
        )
        .filter(messages__direction=Direction.OUT)
        .select_related("customer")
        .order_by("id")
        .first()
    )
    assert conversation is not None
    admin = _admin_of(conversation.brand_id)
    scenario = services.create_scenario_from_conversation(admin, conversation)
    session = services.start_session(admin, scenario)
    # the trainee offers what the agent did, with empathy
    services.send_message(
        admin, session, f"I'm sorry for the trouble, I understand. {scenario.expected_resolution}"
    )
    session.refresh_from_db()
    finished = services.finish_session(admin, session)
    assert finished.score is not None and 0 <= finished.score <= 100
    assert set(finished.feedback) == {"empathy", "accuracy", "resolution", "clarity", "policy"}
