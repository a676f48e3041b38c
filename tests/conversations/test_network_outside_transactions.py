"""No network call is made while a database transaction is open: on SQLite an open write
transaction holds the database's one write lock for as long as the provider takes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection

from tests.conftest import ApiClient, inbound
from wowdesk.conversations.models import Message
from wowdesk.intelligence.translate import reset_provider
from wowdesk.intelligence.translation import Translation

pytestmark = pytest.mark.django_db(transaction=True)


class OutsideTransactionProvider:
    """A translation provider that fails the call if a transaction is open around it."""

    provider_id = "fake"
    model = ""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, bool]] = []

    def translate(self, text: str, target: str, source: str | None = None) -> Translation:
        self.calls.append((text, target, connection.in_atomic_block))
        return Translation(
            text=f"[{target}] {text}",
            source_language=source or "en",
            target_language=target,
            provider=self.provider_id,
            available=True,
        )


@pytest.fixture
def provider() -> Iterator[OutsideTransactionProvider]:
    fake = OutsideTransactionProvider()
    reset_provider(fake)
    yield fake
    reset_provider(None)


def test_a_translated_reply_calls_the_provider_with_no_transaction_open(
    api: ApiClient, provider: OutsideTransactionProvider
) -> None:
    for i, target in enumerate(["de", "zh", "ja"]):
        cid = api.post("/inbound", inbound(f"net-{i}", body="Where is my order?")).json()[
            "conversation_id"
        ]
        sent = api.post(
            f"/conversations/{cid}/replies", {"body": "It ships today.", "translate_to": target}
        )
        assert sent.status_code == 201, sent.json()
        assert sent.json()["body"] == f"[{target}] It ships today."
        assert Message.objects.get(pk=sent.json()["id"]).outbox.status == "queued"
    assert [(target, in_atomic) for _text, target, in_atomic in provider.calls] == [
        ("de", False),
        ("zh", False),
        ("ja", False),
    ]


def test_the_translation_previews_call_the_provider_with_no_transaction_open(
    api: ApiClient, provider: OutsideTransactionProvider
) -> None:
    cid = api.post("/inbound", inbound("net-p", body="Where is my order?")).json()[
        "conversation_id"
    ]
    mid = api.get(f"/conversations/{cid}").json()["messages"][0]["id"]
    assert api.get(f"/messages/{mid}/translation", target="fr").status_code == 200
    preview = api.post(f"/conversations/{cid}/reply-translation", {"body": "Soon.", "target": "it"})
    assert preview.status_code == 200
    assert [(target, in_atomic) for _text, target, in_atomic in provider.calls] == [
        ("fr", False),
        ("it", False),
    ]


def test_a_refused_translation_writes_nothing(api: ApiClient) -> None:
    class Unavailable(OutsideTransactionProvider):
        def translate(self, text: str, target: str, source: str | None = None) -> Translation:
            self.calls.append((text, target, connection.in_atomic_block))
            return Translation(None, None, target, "fake", available=False, detail="down")

    fake = Unavailable()
    reset_provider(fake)
    try:
        cid = api.post("/inbound", inbound("net-r", body="Hello")).json()["conversation_id"]
        refused = api.post(f"/conversations/{cid}/replies", {"body": "Hi", "translate_to": "de"})
    finally:
        reset_provider(None)
    assert refused.status_code == 422 and refused.json()["field"] == "translate_to"
    assert fake.calls == [("Hi", "de", False)]
    assert not Message.objects.filter(conversation_id=cid, direction="out").exists()
