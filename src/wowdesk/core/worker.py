"""The task worker: django-tasks' database worker plus a sweeper that picks up what a
crash left behind (inbound envelopes not processed, outbox rows not sent)."""

from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections
from django.utils.crypto import get_random_string

log = logging.getLogger(__name__)


def start_mail_thread(stop: threading.Event) -> None:
    """IMAP pollers and stored mail left unprocessed (wowdesk.channels.email.imap)."""
    from wowdesk.channels.email.imap import start_mail_thread as start

    start(stop)


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
# While messages are arriving, scoring waits (the customer's message is acknowledged
# first, the enrichment follows), but never more than this long at a stretch; then it
# scores one batch per second until the burst is over.
EMOTION_MAX_DEFER = 30.0


def score_emotions_forever(
    stop: threading.Event, idle: float = EMOTION_IDLE, max_defer: float = EMOTION_MAX_DEFER
) -> None:
    """Drain unscored customer messages in batches; a full batch goes again at once,
    unless inbound messages are arriving right now (``channels.ingest.busy``)."""
    from wowdesk.channels.ingest import busy
    from wowdesk.intelligence.emotion import warm_up
    from wowdesk.intelligence.services import BATCH, score_pending

    # Load the model now, while the server is idle, not in the first burst of messages.
    try:
        warm_up()
    except Exception:
        log.exception("loading the emotion model failed")
    deferred_since: float | None = None
    while not stop.is_set():
        if busy():
            deferred_since = deferred_since or time.monotonic()
            if time.monotonic() - deferred_since < max_defer:
                stop.wait(0.2)
                continue
        else:
            deferred_since = None
        scored = 0
        try:
            close_old_connections()
            scored = score_pending()
        except Exception:
            log.exception("emotion scoring failed")
        finally:
            close_old_connections()
        if scored < BATCH or deferred_since is not None:
            stop.wait(idle)


def start_background_worker() -> threading.Event:
    """Run the worker and the sweeper in daemon threads of this process, and batch the
    routing and SLA reactions to new messages in another (core.events.Batcher)."""
    from wowdesk.core.events import batcher

    stop = threading.Event()
    batcher.start()

    def work() -> None:
        worker = _make_worker()
        while not stop.is_set():
            try:
                worker.run()
            except Exception:
                log.exception("embedded worker crashed; restarting in 1 s")
                time.sleep(1)

    threading.Thread(target=work, name="wowdesk-worker", daemon=True).start()
    start_side_threads(stop)
    return stop


def start_side_threads(stop: threading.Event) -> None:
    """What runs beside the task worker in every worker process: the sweeper, emotion
    scoring and the IMAP poller."""
    threading.Thread(
        target=sweep_forever, args=(stop,), name="wowdesk-sweeper", daemon=True
    ).start()
    threading.Thread(
        target=score_emotions_forever, args=(stop,), name="wowdesk-emotion", daemon=True
    ).start()
    start_mail_thread(stop)


def run_worker(interval: float = 0.5) -> None:
    """``wowdesk worker``: the worker in the foreground (Ctrl+C stops it after the task)."""
    stop = threading.Event()
    start_side_threads(stop)
    worker = _make_worker(interval)
    worker.configure_signals()
    try:
        worker.run()
    finally:
        stop.set()
