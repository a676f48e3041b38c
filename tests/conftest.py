"""Shared fixtures: brands, agents with tokens, an API client that speaks JSON."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

from wowdesk.core.models import Agent, Brand, Role
from wowdesk.core.services import AgentInput, create_agent, create_brand, create_token

# Property tests check outcomes, never speed: no per-example deadline (the two suites run
# at once on two cores, and a busy machine would otherwise fail a correct example).
hypothesis_settings.register_profile("wowdesk", deadline=None)
hypothesis_settings.load_profile("wowdesk")

_seq = itertools.count(1)


class ApiClient:
    """A test client for /api/v1 with a bearer token (or none)."""

    def __init__(self, token: str | None = None) -> None:
        self.client = Client()
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self._headers())

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(
            f"/api/v1{path}",
            json.dumps(body or {}),
            content_type="application/json",
            headers=self._headers(),
        )

    def patch(self, path: str, body: Any = None) -> Any:
        return self.client.patch(
            f"/api/v1{path}",
            json.dumps(body or {}),
            content_type="application/json",
            headers=self._headers(),
        )

    def delete(self, path: str) -> Any:
        return self.client.delete(f"/api/v1{path}", headers=self._headers())


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Iterator[None]:
    """Every test starts with untouched rate-limit budgets (core/ratelimit.py)."""
    from wowdesk.core import ratelimit

    ratelimit.use(None)
    yield
    ratelimit.use(None)


@pytest.fixture(autouse=True)
def default_language() -> Iterator[None]:
    """Every test starts and ends in the installation's default language: a language a
    test (or a view it called) switched on in this thread does not leak into the next."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fresh_brand_caches() -> Iterator[None]:
    """Webhook subscriptions and automation rules cached per process, and Django's cache
    (the bulk toolbar's choices, undo tokens, suggestions…), start empty: a rolled-back
    test leaves its rows in no cache, and a later test's brand with the same id does not
    see them."""
    from django.core.cache import cache

    from wowdesk.automations.services import active_rules
    from wowdesk.conversations.services import answer_bot_inboxes
    from wowdesk.core.fields import definitions
    from wowdesk.webhooks.services import subscriptions

    for table in (subscriptions, active_rules, definitions, answer_bot_inboxes):
        table.clear()
    cache.clear()
    yield
    for table in (subscriptions, active_rules, definitions, answer_bot_inboxes):
        table.clear()


@pytest.fixture(autouse=True)
def ingest_writer(request: pytest.FixtureRequest) -> Iterator[None]:
    """Inbound items are stored as in ``wowdesk serve``. A test that commits for real
    (``transactional_db``, ``django_db(transaction=True)``, ``live_server``) runs the
    writer thread (channels/writer.py: its own connection, batches, reactions after the
    answers); any other test runs in a transaction, where ``ingest.ingest`` calls the
    writer's batch function (``writer.run_jobs``) in the test's thread with a batch of
    one: the same code, without a thread that could not see the test's uncommitted rows.
    ``@pytest.mark.no_ingest_writer`` leaves the thread off."""
    marker = request.node.get_closest_marker("django_db")
    commits = (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or bool(marker and marker.kwargs.get("transaction"))
    )
    if not commits or request.node.get_closest_marker("no_ingest_writer"):
        yield
        return
    from wowdesk.channels.writer import writer

    # set up first, so that the thread is stopped before the database is emptied
    request.getfixturevalue("transactional_db")
    started = not writer.running
    writer.start()
    try:
        yield
    finally:
        if started:
            writer.stop()


@pytest.fixture
def brand(db: None) -> Brand:
    return create_brand(name="Acme", slug="acme")


@pytest.fixture
def other_brand(db: None) -> Brand:
    return create_brand(name="Globex", slug="globex")


@pytest.fixture
def make_agent(db: None, brand: Brand) -> Callable[..., Agent]:
    def make(role: str = Role.AGENT, brands: list[Brand] | None = None, **kw: Any) -> Agent:
        n = next(_seq)
        data = AgentInput(
            email=kw.pop("email", f"agent{n}@example.com"),
            name=kw.pop("name", f"Agent {n}"),
            role=role,
            **kw,
        )
        return create_agent(data, brands=brands if brands is not None else [brand])

    return make


@pytest.fixture
def make_api(db: None) -> Callable[[Agent | None], ApiClient]:
    def make(agent: Agent | None) -> ApiClient:
        return ApiClient(create_token(agent) if agent is not None else None)

    return make


@pytest.fixture
def agent(make_agent: Callable[..., Agent]) -> Agent:
    return make_agent(Role.AGENT, languages=("en", "de"))


@pytest.fixture
def admin(make_agent: Callable[..., Agent]) -> Agent:
    return make_agent(Role.ADMIN)


@pytest.fixture
def api(make_api: Callable[[Agent | None], ApiClient], agent: Agent) -> ApiClient:
    return make_api(agent)


@pytest.fixture
def admin_api(make_api: Callable[[Agent | None], ApiClient], admin: Agent) -> ApiClient:
    return make_api(admin)


@pytest.fixture
def anon_api() -> ApiClient:
    return ApiClient(None)


def inbound(external_id: str = "m-1", **over: Any) -> dict[str, Any]:
    """A valid ``POST /api/v1/inbound`` body; override any field."""
    body: dict[str, Any] = {
        "channel": "api",
        "external_id": external_id,
        "from": {"name": "Ana Lima", "email": "ana@example.com"},
        "subject": "My lamp arrived broken",
        "body": "Hello, the lamp I ordered arrived with a cracked shade.",
    }
    body.update(over)
    return body


@pytest.fixture
def event_log() -> Iterator[Any]:
    """Every event emitted during the test, recorded in the emitter's transaction
    (``tests.eventlog.of(Event.X)`` gives the payloads of one event)."""
    from tests import eventlog
    from wowdesk.core.events import Event, Phase, listen, unlisten

    eventlog.LOG.clear()
    for event in Event:
        listen(event, eventlog.path(event), phase=Phase.TRANSACTION)
    try:
        yield eventlog
    finally:
        for event in Event:
            unlisten(event, eventlog.path(event), phase=Phase.TRANSACTION)
        eventlog.LOG.clear()


@pytest.fixture(scope="session", autouse=True)
def _writers_watched() -> Iterator[list[str]]:
    """Every ORM and fastsql write of the session is checked (tests/writers_guard.py)."""
    from tests import writers_guard

    with writers_guard.guard() as found:
        yield found


@pytest.fixture(autouse=True)
def one_writer_per_table(_writers_watched: list[str]) -> Iterator[None]:
    """A test fails when the code it runs writes another app's table (its owner's
    service, or a listener of the owner, must do it)."""
    from tests import writers_guard

    with writers_guard._lock:
        _writers_watched.clear()
    yield
    with writers_guard._lock:
        found = sorted(set(_writers_watched))
        _writers_watched.clear()
    if found:
        pytest.fail("writes to another app's table:\n" + "\n".join(found), pytrace=False)
