"""Every inbound item is stored by one function, the writer's batch (``writer.run_jobs`` →
``ingest.store_batch``): in the writer thread when one runs and the caller is not in a
transaction (``wowdesk serve``, and the tests that commit for real: tests/conftest.py's
``ingest_writer``), in the caller's thread otherwise (a caller in a transaction, a test's
transaction, the CLI)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import transaction

from tests.conftest import ApiClient, inbound
from wowdesk.channels import ingest
from wowdesk.channels import writer as writer_module
from wowdesk.channels.models import EnvelopeStatus, InboundEnvelope
from wowdesk.channels.schema import InboundIn
from wowdesk.channels.writer import writer
from wowdesk.core.errors import InvalidInput
from wowdesk.core.models import Brand, Role
from wowdesk.core.services import AgentInput, create_agent, create_brand, create_token

Calls = list[tuple[str, int]]


@pytest.fixture
def batches(monkeypatch: pytest.MonkeyPatch) -> Calls:
    """(thread name, jobs) of every call of the writer's batch function."""
    seen: Calls = []
    real = writer_module.run_jobs

    def spy(jobs: list[Any], **kw: Any) -> Any:
        seen.append((threading.current_thread().name, len(jobs)))
        return real(jobs, **kw)

    monkeypatch.setattr(writer_module, "run_jobs", spy)
    return seen


def _token(brand: Brand) -> str:
    agent = create_agent(
        AgentInput(email=f"a-{brand.slug}@example.com", name="A", role=Role.AGENT),
        brands=[brand],
    )
    return create_token(agent)


def test_a_test_in_a_transaction_runs_the_batch_function_inline(
    brand: Brand, batches: Calls
) -> None:
    assert not writer.running
    api = ApiClient(_token(brand))
    for i in range(3):
        assert api.post("/inbound", inbound(f"inline-{i}")).status_code == 202
    me = threading.current_thread().name
    assert batches == [(me, 1)] * 3
    assert InboundEnvelope.objects.count() == 3


def test_a_committing_test_runs_the_writer_thread(transactional_db: None, batches: Calls) -> None:
    assert writer.running  # started by tests/conftest.py's ingest_writer
    brand = create_brand(name="Acme", slug="acme")
    api = ApiClient(_token(brand))
    for i in range(3):
        assert api.post("/inbound", inbound(f"thread-{i}")).status_code == 202
    assert {name for name, _n in batches} == {writer.thread_name}
    assert sum(n for _name, n in batches) == 3
    assert InboundEnvelope.objects.count() == 3


def test_a_caller_in_a_transaction_stores_inline_with_the_writer_running(
    transactional_db: None, batches: Calls
) -> None:
    assert writer.running
    brand = create_brand(name="Acme", slug="acme")
    with transaction.atomic():
        result = ingest.ingest(brand.pk, InboundIn.model_validate(inbound("in-atomic")))
        assert InboundEnvelope.objects.filter(external_id="in-atomic").exists()
    assert result.message_id is not None
    assert batches == [(threading.current_thread().name, 1)]


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise InvalidInput("no such conversation", field="conversation_id")


def test_a_rejection_comes_back_inline(
    brand: Brand, batches: Calls, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An item stored and then refused is kept (rejected) and raised to its caller."""
    monkeypatch.setattr(ingest, "_deliver", _refuse)
    with pytest.raises(InvalidInput):
        ingest.ingest(brand.pk, InboundIn.model_validate(inbound("rej-inline")))
    assert batches == [(threading.current_thread().name, 1)]
    assert InboundEnvelope.objects.get().status == EnvelopeStatus.REJECTED


def test_a_rejection_comes_back_from_the_thread(
    transactional_db: None, batches: Calls, monkeypatch: pytest.MonkeyPatch
) -> None:
    brand = create_brand(name="Acme", slug="acme")
    monkeypatch.setattr(ingest, "_deliver", _refuse)
    with pytest.raises(InvalidInput):
        ingest.ingest(brand.pk, InboundIn.model_validate(inbound("rej-thread")))
    assert batches == [(writer.thread_name, 1)]
    assert InboundEnvelope.objects.get().status == EnvelopeStatus.REJECTED


@pytest.mark.no_ingest_writer
def test_the_marker_leaves_the_thread_off(transactional_db: None) -> None:
    assert not writer.running
