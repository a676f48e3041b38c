"""Rate limits per API token (the inbound endpoint, its fast path too) and per chat
visitor (core/ratelimit.py), in the embedded store and in Redis."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from hypothesis import given
from hypothesis import strategies as st

from tests.channels.chat.servers import free_port, redis_server
from tests.channels.test_fastpath import CountingApp, call, headers_for
from tests.conftest import ApiClient, inbound
from wowdesk.asgi import django_asgi_app
from wowdesk.channels.fastpath import InboundFastPath
from wowdesk.channels.models import InboundEnvelope
from wowdesk.channels.writer import writer
from wowdesk.core import ratelimit
from wowdesk.core.models import Agent, Role
from wowdesk.core.ratelimit import MemoryStore, Rate, RedisStore, gcra
from wowdesk.core.services import AgentInput, create_agent, create_brand, create_token


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Iterator[Clock]:
    """A frozen clock for the process's store: budgets refill only when a test says so."""
    frozen = Clock()
    ratelimit.use(MemoryStore(clock=frozen))
    yield frozen
    ratelimit.use(None)


def limits(settings: Any, **rates: int) -> None:
    settings.CONFIG = dataclasses.replace(settings.CONFIG, **rates)


# --- the algorithm ---------------------------------------------------------------------


def test_a_burst_of_the_whole_budget_then_one_per_interval() -> None:
    clock = Clock()
    store = MemoryStore(clock=clock)
    rate = Rate(20, 10.0)
    assert all(store.hit("v", rate).allowed for _ in range(20))
    refused = store.hit("v", rate)
    assert not refused.allowed and refused.retry_after == pytest.approx(0.5)
    assert store.hit("other", rate).allowed  # keys are separate budgets
    clock.now += 0.5
    assert store.hit("v", rate).allowed
    assert not store.hit("v", rate).allowed
    clock.now += 10
    assert sum(store.hit("v", rate).allowed for _ in range(30)) == 20


@given(
    st.integers(1, 50),
    st.floats(0.5, 20),
    st.lists(st.floats(0, 5, allow_nan=False), min_size=1, max_size=200),
)
def test_never_more_than_the_burst_plus_the_rate(
    count: int, period: float, gaps: list[float]
) -> None:
    rate = Rate(count, period)
    now, tat, allowed = 0.0, None, 0
    for gap in gaps:
        now += gap
        decision, new = gcra(tat, now, rate)
        if decision.allowed:
            allowed += 1
            tat = new
        else:
            assert decision.retry_after > 0
        assert allowed <= count + now * count / period + 1e-6


@given(st.integers(1, 50), st.floats(0.5, 20), st.integers(1, 100))
def test_hits_at_the_rate_are_never_refused(count: int, period: float, n: int) -> None:
    rate = Rate(count, period)
    tat = None
    for i in range(n):
        decision, tat = gcra(tat, i * period / count, rate)
        assert decision.allowed


def test_the_default_inbound_rate_carries_the_bench() -> None:
    # bench/ingest.py: about 800 items a second with one token, for a while
    clock = Clock()
    store = MemoryStore(clock=clock)
    rate = Rate(2000, 1.0)  # WOWDESK_INBOUND_RATE's default
    for i in range(800 * 5):
        clock.now = 1000.0 + i / 800
        assert store.hit("token:bench", rate).allowed


def test_redis_store_shares_one_budget_between_processes() -> None:
    with redis_server(free_port()) as url:
        clock = Clock()
        one, two = RedisStore(url, clock=clock), RedisStore(url, clock=clock)
        rate = Rate(5, 10.0)
        assert [one.hit("v", rate).allowed for _ in range(3)] == [True] * 3
        assert [two.hit("v", rate).allowed for _ in range(3)] == [True, True, False]
        refused = one.hit("v", rate)
        assert not refused.allowed and refused.retry_after == pytest.approx(2.0)
        clock.now += 2.0
        assert two.hit("v", rate).allowed
        assert one.hit("w", rate).allowed


# --- the inbound API, through Django and through the fast path --------------------------


def test_inbound_refuses_a_token_over_its_rate_with_retry_after(
    settings: Any, clock: Clock, api: ApiClient, make_api: Any, agent: Agent
) -> None:
    limits(settings, inbound_rate=3)
    for i in range(3):
        assert api.post("/inbound", inbound(f"r-{i}")).status_code == 202
    refused = api.post("/inbound", inbound("r-3"))
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert int(refused["Retry-After"]) >= 1
    assert not InboundEnvelope.objects.filter(external_id="r-3").exists()
    # another token of the same agent has its own budget
    assert make_api(agent).post("/inbound", inbound("r-4")).status_code == 202
    clock.now += 1
    assert api.post("/inbound", inbound("r-3")).status_code == 202


def test_rate_zero_turns_the_limit_off(settings: Any, clock: Clock, api: ApiClient) -> None:
    limits(settings, inbound_rate=0)
    assert all(api.post("/inbound", inbound(f"z-{i}")).status_code == 202 for i in range(30))


@pytest.fixture
def running_writer(transactional_db: None) -> Iterator[None]:
    writer.start()
    yield
    writer.stop()


def test_the_fast_path_refuses_as_django_does(
    settings: Any, clock: Clock, running_writer: None
) -> None:
    limits(settings, inbound_rate=2)
    brand = create_brand(name="Acme", slug="acme")
    agent = create_agent(
        AgentInput(email="a@example.com", name="A", role=Role.AGENT), brands=[brand]
    )
    token = create_token(agent)
    fast = CountingApp()
    app = InboundFastPath(fast)
    answers = [
        call(app, json.dumps(inbound(f"fp-{i}")).encode(), headers_for(token)) for i in range(3)
    ]
    assert [a[0] for a in answers] == [202, 202, 429]
    assert fast.calls == 0  # all three answered before Django
    _status, headers, body = answers[2]
    assert json.loads(body)["code"] == "rate_limited"
    assert int(headers[b"retry-after"]) >= 1
    # Django's answer to the same token over its rate: the same status, body and headers
    d_status, d_headers, d_body = call(
        django_asgi_app, json.dumps(inbound("fp-9")).encode(), headers_for(token)
    )
    assert d_status == 429
    assert json.loads(d_body) == json.loads(body)
    drop = {b"content-length"}
    assert {k: v for k, v in d_headers.items() if k not in drop} == {
        k: v for k, v in headers.items() if k not in drop
    }
    assert InboundEnvelope.objects.count() == 2


def test_settings_are_read_from_the_environment() -> None:
    from wowdesk.config import Config

    cfg = Config.from_env({"WOWDESK_CHAT_RATE": "5", "WOWDESK_INBOUND_RATE": "0"})
    assert (cfg.chat_rate, cfg.inbound_rate) == (5, 0)
    default = Config.from_env({})
    assert (default.chat_rate, default.inbound_rate) == (20, 2000)
    assert django_settings.CONFIG.chat_rate >= 0
