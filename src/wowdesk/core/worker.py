"""The task worker: django-tasks' database worker plus a sweeper that picks up what a
crash left behind (inbound envelopes not processed, outbox rows not sent)."""

from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections
from django.utils.crypto import get_random_string

log = logging.getLogger(__name__)

SWEEP_EVERY = 30.0


def _make_worker(interval: float = 0.5):  # type: ignore[no-untyped-def]
    from django_tasks_db.management.commands.db_worker import Worker

    return Worker(
        queue_names=["*"],
        interval=interval,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=get_random_string(32),
        excluded_queue_names=[],
    )


def sweep_forever(stop: threading.Event, every: float = SWEEP_EVERY) -> None:
    from wowdesk.channels.tasks import sweep

    while not stop.wait(every):
        try:
            close_old_connections()
            done = sweep()
            if any(done.values()):
                log.info("sweeper: %s", done)
        except Exception:
            log.exception("sweeper failed")
        finally:
            close_old_connections()


EMOTION_IDLE = 1.0


def score_emotions_forever(stop: threading.Event, idle: float = EMOTION_IDLE) -> None:
    """Drain unscored customer messages in batches; a full batch goes again at once."""
    from wowdesk.intelligence.services import BATCH, score_pending

    while not stop.is_set():
        scored = 0
        try:
            close_old_connections()
            scored = score_pending()
        except Exception:
            log.exception("emotion scoring failed")
        finally:
            close_old_connections()
        if scored < BATCH:
            stop.wait(idle)


def start_background_worker() -> threading.Event:
    """Run the worker and the sweeper in daemon threads of this process."""
    stop = threading.Event()

    def work() -> None:
        worker = _make_worker()
        while not stop.is_set():
            try:
                worker.run()
            except Exception:
                log.exception("embedded worker crashed; restarting in 1 s")
                time.sleep(1)

    threading.Thread(target=work, name="wowdesk-worker", daemon=True).start()
    threading.Thread(
        target=sweep_forever, args=(stop,), name="wowdesk-sweeper", daemon=True
    ).start()
    threading.Thread(
        target=score_emotions_forever, args=(stop,), name="wowdesk-emotion", daemon=True
    ).start()
    return stop


def run_worker(interval: float = 0.5) -> None:
    """``wowdesk worker``: the worker in the foreground (Ctrl+C stops it after the task)."""
    stop = threading.Event()
    threading.Thread(
        target=sweep_forever, args=(stop,), name="wowdesk-sweeper", daemon=True
    ).start()
    threading.Thread(
        target=score_emotions_forever, args=(stop,), name="wowdesk-emotion", daemon=True
    ).start()
    worker = _make_worker(interval)
    worker.configure_signals()
    try:
        worker.run()
    finally:
        stop.set()
