"""``events.emit_many``: each payload checked and given to the ``transaction`` listeners at
once; after commit, a listener with a form for many (``events.many``) is called once with
the payloads its ``when`` test wants, the others once per payload, one failing call does
not stop the rest; ``batch`` listeners get one list; nothing runs after a rollback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from wowdesk.core import events
from wowdesk.core.events import Event, PayloadError, Phase, emit_many, many, when

pytestmark = pytest.mark.django_db

CALLS: list[tuple[str, Any]] = []
HERE = __name__


def _payload(i: int, **more: Any) -> dict[str, Any]:
    return {"conversation_id": i, "brand_id": 1, "changes": {"priority": "high"}, **more}


def on_many(payloads: list[dict[str, Any]]) -> None:
    CALLS.append(("many", [p["conversation_id"] for p in payloads]))


@when(lambda conversation_id, **_: conversation_id % 2 == 0)
@many(on_many)
def wants_even(*, conversation_id: int, **_: Any) -> None:
    CALLS.append(("one-even", conversation_id))


def each(*, conversation_id: int, **_: Any) -> None:
    if conversation_id == 3:
        raise RuntimeError("this one fails")
    CALLS.append(("each", conversation_id))


def inside(*, conversation_id: int, **_: Any) -> None:
    CALLS.append(("inside", conversation_id))


def batch(payloads: list[dict[str, Any]]) -> None:
    CALLS.append(("batch", [p["conversation_id"] for p in payloads]))


@pytest.fixture
def listening() -> Iterator[None]:
    CALLS.clear()
    with events.isolated(HERE):
        ev = Event.CONVERSATION_UPDATED
        events.listen(ev, f"{HERE}.wants_even", phase=Phase.COMMIT)
        events.listen(ev, f"{HERE}.each", phase=Phase.COMMIT)
        events.listen(ev, f"{HERE}.inside", phase=Phase.TRANSACTION)
        events.listen(ev, f"{HERE}.batch", phase=Phase.BATCH)
        yield
    CALLS.clear()


def test_after_commit_once_for_many_once_each_for_others(
    listening: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        emit_many(Event.CONVERSATION_UPDATED, [_payload(i) for i in range(1, 6)])
        assert [("inside", i) for i in range(1, 6)] == CALLS  # at once, in order
    assert CALLS[5:] == [
        ("many", [2, 4]),  # the ``when`` test applied to each payload
        ("each", 1),
        ("each", 2),
        ("each", 4),  # 3 failed, logged; 5 still runs
        ("each", 5),
        ("batch", [1, 2, 3, 4, 5]),
    ]


def test_a_single_emit_calls_the_listener_not_its_form_for_many(
    listening: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        events.emit(Event.CONVERSATION_UPDATED, **_payload(2))
    assert ("one-even", 2) in CALLS and not any(c[0] == "many" for c in CALLS)


def test_nothing_after_a_rollback_and_bad_payloads_refused(
    listening: None, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as hooks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        emit_many(Event.CONVERSATION_UPDATED, [_payload(1), _payload(2)])
        raise RuntimeError("roll back")
    assert hooks == [] and CALLS == [("inside", 1), ("inside", 2)]
    CALLS.clear()
    for bad in ({"conversation_id": 1}, _payload(1, surprise=True)):
        with pytest.raises(PayloadError):
            emit_many(Event.CONVERSATION_UPDATED, [_payload(2), bad])
    assert CALLS == []  # every payload checked before any listener runs
