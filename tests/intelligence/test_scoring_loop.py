"""The emotion scorer's loop (intelligence.scoring): it waits while inbound items are
arriving (core.jobs.busy, which channels.ingest answers), at most ``max_defer`` at a
stretch."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from wowdesk.core import jobs
from wowdesk.intelligence import emotion, scoring
from wowdesk.intelligence import services as intelligence

BUSY = [True]


def busy_flag() -> bool:
    return BUSY[0]


class CountingStop(threading.Event):
    """A stop event that sets itself after ``waits`` waits (no clock involved)."""

    def __init__(self, waits: int) -> None:
        super().__init__()
        self.left = waits
        self.waited: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waited.append(float(timeout or 0))
        self.left -= 1
        if self.left <= 0:
            self.set()
        return self.is_set()


@pytest.fixture
def scored(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []

    def score_pending(**_: Any) -> int:
        calls.append(1)
        return 0

    monkeypatch.setattr(intelligence, "score_pending", score_pending)
    monkeypatch.setattr(emotion, "warm_up", lambda: None)
    # no database here: a connection an earlier test left open is not this loop's concern
    monkeypatch.setattr(scoring, "close_old_connections", lambda: None)
    return calls


@pytest.mark.parametrize("busy", [True, False])
def test_scoring_waits_while_items_arrive(scored: list[int], busy: bool) -> None:
    BUSY[0] = busy
    with jobs.isolated():
        jobs.mark_busy(f"{__name__}.busy_flag")
        stop = CountingStop(waits=5)
        scoring.score_emotions_forever(stop, idle=1.0, max_defer=3600.0)
    if busy:
        assert scored == []  # deferred every time
        assert stop.waited == [0.2] * 5
    else:
        assert len(scored) == 5  # one batch per idle wait
        assert stop.waited == [1.0] * 5


def test_scoring_goes_on_once_deferred_for_max_defer(scored: list[int]) -> None:
    BUSY[0] = True
    with jobs.isolated():
        jobs.mark_busy(f"{__name__}.busy_flag")
        stop = CountingStop(waits=3)
        scoring.score_emotions_forever(stop, idle=1.0, max_defer=0.0)
    # deferred since "now" for 0 s already: a batch, then the idle wait, each round
    assert len(scored) == 3
    assert stop.waited == [1.0] * 3
