"""Background work the apps register (core.jobs) and its composition (wowdesk.worker)."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from wowdesk import worker
from wowdesk.channels import ingest
from wowdesk.core import jobs

CALLS: list[str] = []
RAN = threading.Event()
LOOPED = threading.Event()


def counting_job() -> dict[str, int]:
    CALLS.append("job")
    if len(CALLS) >= 3:
        RAN.set()
    return {"done": 1}


def failing_job() -> None:
    CALLS.append("fail")
    if CALLS.count("fail") >= 2:
        RAN.set()
    raise RuntimeError("a job that fails")


def waiting_loop(stop: threading.Event) -> None:
    LOOPED.set()
    stop.wait()


def always_busy() -> bool:
    return True


def never_busy() -> bool:
    return False


@pytest.fixture(autouse=True)
def fresh() -> Any:
    CALLS.clear()
    RAN.clear()
    LOOPED.clear()
    yield


def test_each_app_registers_its_own_background_work() -> None:
    """The sweeper every 30 s and the IMAP poller from channels, the emotion scorer
    from intelligence; the core registers none."""
    found = {j.name: (j.app, j.path, j.every) for j in jobs.jobs()}
    assert found["sweeper"] == ("channels", "wowdesk.channels.tasks.sweep", 30.0)
    assert found["routing"] == ("routing", "wowdesk.routing.jobs.sweep", 30.0)
    assert found["webhooks"] == ("webhooks", "wowdesk.webhooks.services.deliver_due", 30.0)
    loops = {loop.name: (loop.app, loop.path) for loop in jobs.loops()}
    assert loops["mail"] == ("channels", "wowdesk.channels.email.imap.run_mail_forever")
    assert loops["emotion"] == (
        "intelligence",
        "wowdesk.intelligence.scoring.score_emotions_forever",
    )
    every = [*jobs.jobs(), *jobs.loops()]
    assert all(not item.path.startswith("wowdesk.core.") for item in every)


def test_a_job_runs_again_after_it_failed() -> None:
    with jobs.isolated():
        jobs.every(0.01, "flaky", f"{__name__}.failing_job")
        stop = threading.Event()
        (thread,) = worker.start_side_threads(stop)
        try:
            assert RAN.wait(30)
        finally:
            stop.set()
            thread.join(30)
    assert not thread.is_alive()
    assert CALLS.count("fail") >= 2


def test_the_composition_starts_one_thread_per_job_and_loop_and_stops_them() -> None:
    with jobs.isolated():
        jobs.every(0.01, "counter", f"{__name__}.counting_job")
        jobs.loop("waiter", f"{__name__}.waiting_loop")
        stop = threading.Event()
        threads = worker.start_side_threads(stop)
        try:
            assert sorted(t.name for t in threads) == ["wowdesk-counter", "wowdesk-waiter"]
            assert all(t.daemon for t in threads)
            assert RAN.wait(30)
            assert LOOPED.wait(30)
        finally:
            stop.set()
            for t in threads:
                t.join(30)
    assert not any(t.is_alive() for t in threads)
    assert CALLS.count("job") >= 3


def test_registering_a_name_again_replaces_it_and_isolated_restores() -> None:
    before = {j.name for j in jobs.jobs()}
    with jobs.isolated():
        assert jobs.jobs() == [] and jobs.loops() == []
        jobs.every(5, "x", f"{__name__}.counting_job")
        jobs.every(7, "x", f"{__name__}.counting_job")
        assert [(j.name, j.every) for j in jobs.jobs()] == [("x", 7.0)]
    assert {j.name for j in jobs.jobs()} == before


@pytest.mark.parametrize("seconds", [0, -1, -0.5])
def test_a_job_needs_a_positive_period(seconds: float) -> None:
    with jobs.isolated(), pytest.raises(ValueError):
        jobs.every(seconds, "bad", f"{__name__}.counting_job")


def test_busy_is_any_registered_check() -> None:
    with jobs.isolated():
        assert not jobs.busy()
        jobs.mark_busy(f"{__name__}.never_busy")
        assert not jobs.busy()
        jobs.mark_busy(f"{__name__}.always_busy")
        jobs.mark_busy(f"{__name__}.always_busy")  # twice: once
        assert jobs.busy()


def test_ingest_marks_the_house_busy(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """The emotion scorer asks core.jobs.busy, which channels.ingest answers."""
    import os
    import time

    monkeypatch.setattr(ingest, "_last_ingest", [0.0])
    monkeypatch.setattr(ingest, "_last_touch", [0.0])
    past = time.time() - 10
    if ingest._busy_file().exists():
        os.utime(ingest._busy_file(), (past, past))
    assert not jobs.busy()
    ingest._note_busy()
    assert jobs.busy()
