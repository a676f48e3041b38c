"""The right to be forgotten and the export of everything about a customer
(customers/privacy.py, every app's privacy.py, policies/api_privacy.py)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core.files.storage import default_storage

from tests.conftest import ApiClient
from tests.customers import privacy_world
from tests.customers.privacy_world import EMAIL, NAME, PHRASE, World
from tests.factories import make_customer
from wowdesk.analytics import rollups
from wowdesk.analytics import services as analytics
from wowdesk.conversations.models import Conversation, Message
from wowdesk.core.errors import Conflict, InvalidInput
from wowdesk.core.models import Agent, AuditLog, Brand, Role
from wowdesk.customers import privacy
from wowdesk.customers import services as customers
from wowdesk.customers.models import Customer, Identity, Purchase
from wowdesk.policies.models import AbuseReport, Grant
from wowdesk.surveys.models import Survey, SurveyResponse
from wowdesk.training.models import Scenario

Commits = Callable[[], AbstractContextManager[Any]]


@pytest.fixture
def commits(django_capture_on_commit_callbacks: Any) -> Commits:
    def run() -> AbstractContextManager[Any]:
        return django_capture_on_commit_callbacks(execute=True)  # type: ignore[no-any-return]

    return run


@pytest.fixture
def world(brand: Brand, agent: Agent, commits: Commits) -> World:
    return privacy_world.build(brand, agent, commits=commits)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> Iterator[None]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    yield


def _report_numbers(admin: Agent, brand: Brand) -> dict[str, Any]:
    rollups.rebuild([brand.pk])
    out = analytics.metrics(admin, {"brand": str(brand.pk), "previous": "0", "group_by": "channel"})
    return {"totals": out["totals"], "groups": out["groups"]}


def test_erasing_leaves_no_personal_data_anywhere(
    world: World, admin: Agent, brand: Brand, commits: Commits
) -> None:
    before = privacy_world.scan(world.needles)
    # the scan finds them everywhere before
    where = {hit.split("#")[0] for hit in before}
    assert where >= {
        "customers.Customer",
        "customers.Identity",
        "customers.Purchase",
        "conversations.Conversation",
        "conversations.Message",
        "conversations.Attachment",
        "ingest.InboundEnvelope",
        "surveys.SurveyResponse",
        "surveys.FollowUp",
        "knowledge.BotSession",
        "webhooks.WebhookDelivery",
        "notifications.Notification",
        "policies.Grant",
        "policies.Approval",
        "policies.AbuseReport",
        "analytics.Topic",
        "analytics.TopicMember",
        "core.AuditLog",
        "core.Alert",
    }, where
    numbers_before = _report_numbers(admin, brand)
    assert numbers_before["groups"], numbers_before  # there is something to compare
    messages_before = Message.objects.filter(conversation__in=world.conversations).count()
    assert world.attachment_files and default_storage.exists(world.attachment_files[0])

    with commits():
        report = privacy.erase_customer(admin, world.customer, confirm=EMAIL)

    assert privacy_world.scan(world.needles) == []
    assert report.counts["messages"] == messages_before
    assert report.counts["conversations"] == 2
    assert report.counts["identities"] >= 2
    assert report.counts["abuse_reports"] == 1
    assert report.counts["grants"] == 1
    # the rows stay, anonymous: counts and reports do not change
    assert Message.objects.filter(conversation__in=world.conversations).count() == messages_before
    assert Conversation.objects.filter(customer=world.customer).count() == 2
    assert SurveyResponse.objects.filter(customer=world.customer).count() == 1
    assert Grant.objects.filter(customer=world.customer, amount=25).count() == 1
    assert Purchase.objects.filter(customer=world.customer, product="Kettle").count() == 1
    assert _report_numbers(admin, brand) == numbers_before
    # attachments are gone from storage; abuse reports deleted; scenarios unlinked
    assert not default_storage.exists(world.attachment_files[0])
    assert privacy_world.attachments_of(world) == 0
    assert not AbuseReport.objects.filter(customer=world.customer).exists()
    assert not Scenario.objects.filter(source_conversation__in=world.conversations).exists()
    # a survey not yet answered expires: its link opens nothing any more
    assert not Survey.objects.filter(customer=world.customer, status="sent").exists()
    customer = Customer.objects.get(pk=world.customer.pk)
    assert customer.erased_at is not None
    assert (customer.name, customer.email, customer.phone, customer.notes) == ("", "", "", "")
    assert not Identity.objects.filter(customer=customer).exists()


def test_search_indexes_forget_the_customer(world: World, admin: Agent, brand: Brand) -> None:
    found = customers.search_customers(Customer.objects.filter(brand=brand), "Zephyrine")
    assert found.exists()
    privacy.erase_customer(admin, world.customer)
    assert not customers.search_customers(
        Customer.objects.filter(brand=brand), "Zephyrine"
    ).exists()
    assert not customers.search_customers(Customer.objects.filter(brand=brand), "quill").exists()
    from wowdesk.conversations.search import MESSAGE_WORDS
    from wowdesk.core import textsearch

    matches = textsearch.groups_saying(MESSAGE_WORDS, "marmalade teapot")
    if matches is not None:
        assert not Conversation.objects.filter(matches.members()).exists()


def test_the_audit_row_holds_counts_never_values(world: World, admin: Agent) -> None:
    privacy.erase_customer(admin, world.customer)
    row = AuditLog.objects.get(action="customer.erase", object_id=str(world.customer.pk))
    assert row.actor == admin
    assert row.after["counts"]["messages"] >= 3
    text = json.dumps([row.before, row.after]).lower()
    for needle in world.needles:
        assert needle.lower() not in text
    # earlier audit rows about the customer keep who and what, not the values
    update = AuditLog.objects.get(action="customer.update", object_id=str(world.customer.pk))
    assert update.actor is not None
    assert NAME not in json.dumps(update.after)
    assert privacy.erasure_of(Customer.objects.get(pk=world.customer.pk)) == row


def test_refuses_a_second_erasure_and_a_merged_record(brand: Brand, admin: Agent) -> None:
    survivor = make_customer(brand, name="Survivor")
    merged = make_customer(brand, name="Merged Person", email="merged.person@example.org")
    customers.merge_customers(survivor, merged, actor=admin)
    merged.refresh_from_db()
    with pytest.raises(Conflict):
        privacy.erase_customer(admin, merged)
    report = privacy.erase_customer(admin, survivor)
    assert report.counts["customers"] == 2  # the tombstone merged into it too
    merged.refresh_from_db()
    assert (merged.name, merged.email, merged.erased_at is not None) == ("", "", True)
    survivor.refresh_from_db()
    with pytest.raises(Conflict):
        privacy.erase_customer(admin, survivor)


def test_the_confirmation_must_name_the_customer(brand: Brand, admin: Agent) -> None:
    customer = make_customer(brand, email="who.is.this@example.org")
    with pytest.raises(InvalidInput) as exc:
        privacy.erase_customer(admin, customer, confirm="somebody@example.org")
    assert exc.value.field == "confirm"
    assert privacy.confirmation_matches(customer, " Who.Is.This@example.org ")
    assert privacy.confirmation_matches(customer, str(customer.pk))
    assert not privacy.confirmation_matches(customer, "")


def test_the_export_holds_every_section(world: World, admin: Agent) -> None:
    data = privacy.export_customer(admin, world.customer)
    for section in (
        "customer",
        "conversations",
        "inbound",
        "surveys",
        "followups",
        "bot_sessions",
        "grants",
        "abuse_reports",
        "audit",
    ):
        assert section in data, section
    assert data["customer"]["name"] == NAME
    assert {i["value"] for i in data["customer"]["identities"]} >= {EMAIL}
    assert data["customer"]["purchases"][0]["serial_number"] == privacy_world.SERIAL
    assert len(data["conversations"]) == 2
    bodies = " ".join(m["body"] for c in data["conversations"] for m in c["messages"])
    assert PHRASE in bodies
    assert data["surveys"][0]["answer"]["comment"].startswith("The ")
    assert data["grants"][0]["reason"].startswith(NAME)
    assert data["abuse_reports"][0]["note"].startswith(NAME)
    assert data["followups"] and data["bot_sessions"] and data["audit"]
    assert AuditLog.objects.filter(
        action="customer.export", object_id=str(world.customer.pk), actor=admin
    ).exists()


def test_the_export_streams_conversation_by_conversation(brand: Brand, admin: Agent) -> None:
    customer = make_customer(brand)
    chunks = list(privacy.stream_export(admin, customer))
    assert len(chunks) > 3
    data = json.loads("".join(chunks))
    assert data["conversations"] == [] and data["customer"]["id"] == customer.pk


# --- the API: per role, per brand ---------------------------------------------------------


@pytest.fixture
def two_brands(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> dict[str, Any]:
    apis = {}
    for b in (brand, other_brand):
        for role in (Role.AGENT, Role.SUPERVISOR, Role.ADMIN):
            apis[(b.slug, role)] = make_api(make_agent(role, brands=[b]))
    return {
        "apis": apis,
        "mine": make_customer(brand, email="mine@example.org"),
        "theirs": make_customer(other_brand, email="theirs@example.org"),
    }


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR])
def test_agents_and_supervisors_may_not_erase_or_export(
    two_brands: dict[str, Any], role: str
) -> None:
    api = two_brands["apis"][("acme", role)]
    mine = two_brands["mine"]
    assert api.get(f"/customers/{mine.pk}/export").status_code == 403
    r = api.post(f"/customers/{mine.pk}/erase", {"confirm": mine.email})
    assert r.status_code == 403
    assert Customer.objects.get(pk=mine.pk).erased_at is None


def test_an_admin_exports_and_erases_their_brands_customer(two_brands: dict[str, Any]) -> None:
    api = two_brands["apis"][("acme", Role.ADMIN)]
    mine = two_brands["mine"]
    r = api.get(f"/customers/{mine.pk}/export")
    assert r.status_code == 200
    assert r["Content-Disposition"].startswith("attachment;")
    data = json.loads(b"".join(r.streaming_content))
    assert data["customer"]["email"] == "mine@example.org"

    r = api.post(f"/customers/{mine.pk}/erase", {"confirm": "not-the-email@example.org"})
    assert r.status_code == 422 and r.json()["field"] == "confirm"
    r = api.post(f"/customers/{mine.pk}/erase", {"confirm": "mine@example.org"})
    assert r.status_code == 200, r.content
    assert r.json()["customer_id"] == mine.pk
    assert r.json()["counts"]["identities"] == 1
    assert Customer.objects.get(pk=mine.pk).email == ""
    r = api.post(f"/customers/{mine.pk}/erase", {"confirm": str(mine.pk)})
    assert r.status_code == 409


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_nobody_reaches_another_brands_customer(two_brands: dict[str, Any], role: str) -> None:
    api = two_brands["apis"][("acme", role)]
    theirs = two_brands["theirs"]
    assert api.get(f"/customers/{theirs.pk}/export").status_code in (403, 404)
    r = api.post(f"/customers/{theirs.pk}/erase", {"confirm": theirs.email})
    assert r.status_code in (403, 404)
    assert Customer.objects.get(pk=theirs.pk).erased_at is None
    assert api.get("/customers/999999999/export").status_code == 404


def test_the_other_brands_admin_works_on_their_own(two_brands: dict[str, Any]) -> None:
    api = two_brands["apis"][("globex", Role.ADMIN)]
    theirs, mine = two_brands["theirs"], two_brands["mine"]
    assert api.get(f"/customers/{mine.pk}/export").status_code == 403
    assert api.post(f"/customers/{theirs.pk}/erase", {"confirm": theirs.email}).status_code == 200


def test_without_a_token_nothing(two_brands: dict[str, Any], anon_api: ApiClient) -> None:
    mine = two_brands["mine"]
    assert anon_api.get(f"/customers/{mine.pk}/export").status_code == 401
    assert anon_api.post(f"/customers/{mine.pk}/erase", {"confirm": "x"}).status_code == 401
