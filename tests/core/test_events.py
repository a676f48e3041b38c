"""The event registry: every emit checks its payload's keys against the event's type, and
a commit listener's own test (``events.when``) decides whether it runs, and whether a
transaction is opened for it at all."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wowdesk.core import events
from wowdesk.core.events import Event, PayloadError, emit, when

pytestmark = pytest.mark.django_db

MESSAGE = {"message_id": 1, "conversation_id": 2, "brand_id": 3, "direction": "in"}
CUSTOMER = {"customer_id": 1, "brand_id": 3}


@pytest.fixture
def bare_events() -> Iterator[None]:
    with events.isolated():
        yield


@pytest.mark.parametrize(
    "event, payload",
    [
        (Event.MESSAGE_CREATED, {k: v for k, v in MESSAGE.items() if k != "brand_id"}),
        (Event.MESSAGE_CREATED, {**MESSAGE, "brand": 3}),
        (Event.MESSAGE_CREATED, {}),
        (Event.CONVERSATION_CREATED, MESSAGE),
        (Event.CUSTOMER_CREATED, {"brand_id": 3}),
        (Event.CUSTOMER_UPDATED, {**CUSTOMER, "changes": {}, "extra": 1}),
        (Event.ENVELOPE_FAILED, {"envelope_id": 1}),
    ],
)
def test_emit_refuses_a_payload_that_is_not_the_events_type(
    bare_events: None, event: Event, payload: dict[str, Any]
) -> None:
    with pytest.raises(PayloadError):
        emit(event, **payload)


@pytest.mark.parametrize(
    "event, payload",
    [
        (Event.MESSAGE_CREATED, MESSAGE),
        (Event.MESSAGE_CREATED, {**MESSAGE, "actor_id": None, "rule_id": 4}),
        (Event.ENVELOPE_FAILED, {"envelope_id": 1, "attempts": 2}),
    ],
)
def test_emit_takes_a_payload_of_the_events_type(
    bare_events: None, event: Event, payload: dict[str, Any]
) -> None:
    emit(event, **payload)


def test_every_event_has_its_keys() -> None:
    for event, kind in events.PAYLOADS.items():
        required, allowed = events._KEYS[event]
        assert required == kind.__required_keys__  # type: ignore[attr-defined]
        assert allowed == required | kind.__optional_keys__  # type: ignore[attr-defined]
    assert set(events._KEYS) == set(Event)


def _register(monkeypatch: pytest.MonkeyPatch, table: dict[str, Callable[..., None]]) -> None:
    monkeypatch.setattr(events, "import_string", lambda path: table[path])
    for path in table:
        events.listen(Event.MESSAGE_CREATED, path)


def test_a_commit_listener_runs_only_when_its_test_says_so(
    monkeypatch: pytest.MonkeyPatch, bare_events: None, django_capture_on_commit_callbacks: Any
) -> None:
    seen: list[tuple[str, int]] = []

    @when(lambda brand_id, **_: brand_id == 3)
    def picky(brand_id: int, **_: Any) -> None:
        seen.append(("picky", brand_id))

    def plain(brand_id: int, **_: Any) -> None:
        seen.append(("plain", brand_id))

    _register(monkeypatch, {"picky": picky, "plain": plain})
    for brand_id in (3, 4, 5):
        with django_capture_on_commit_callbacks(execute=True):
            emit(Event.MESSAGE_CREATED, **{**MESSAGE, "brand_id": brand_id})
    assert seen == [("picky", 3), ("plain", 3), ("plain", 4), ("plain", 5)]


def test_no_transaction_when_no_listener_is_wanted(
    monkeypatch: pytest.MonkeyPatch, bare_events: None, django_capture_on_commit_callbacks: Any
) -> None:
    seen: list[int] = []
    wanted: list[int] = []

    @when(lambda brand_id, **_: brand_id in wanted)
    def one(brand_id: int, **_: Any) -> None:
        seen.append(brand_id)

    @when(lambda brand_id, **_: brand_id in wanted and brand_id > 10)
    def two(brand_id: int, **_: Any) -> None:
        seen.append(-brand_id)

    _register(monkeypatch, {"one": one, "two": two})
    for brand_id in (3, 4, 11):
        with (
            CaptureQueriesContext(connection) as q,
            django_capture_on_commit_callbacks(execute=True) as callbacks,
        ):
            emit(Event.MESSAGE_CREATED, **{**MESSAGE, "brand_id": brand_id})
        assert len(callbacks) == 1
        assert q.captured_queries == []  # not even a savepoint
    assert seen == []
    wanted.extend([4, 11])
    for brand_id in (3, 4, 11):
        with (
            CaptureQueriesContext(connection) as q,
            django_capture_on_commit_callbacks(execute=True),
        ):
            emit(Event.MESSAGE_CREATED, **{**MESSAGE, "brand_id": brand_id})
        assert bool(q.captured_queries) == (brand_id in wanted)  # the listeners' savepoints
    assert seen == [4, 11, -11]


def test_a_failing_test_lets_the_listener_run(
    monkeypatch: pytest.MonkeyPatch, bare_events: None, django_capture_on_commit_callbacks: Any
) -> None:
    seen: list[int] = []

    def broken(**_: Any) -> bool:
        raise RuntimeError("cache away")

    @when(broken)
    def listener(brand_id: int, **_: Any) -> None:
        seen.append(brand_id)

    _register(monkeypatch, {"listener": listener})
    with django_capture_on_commit_callbacks(execute=True):
        emit(Event.MESSAGE_CREATED, **MESSAGE)
    assert seen == [3]
