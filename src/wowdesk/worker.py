"""The composition root of background work: django-tasks' database worker plus every
periodic job and loop the apps registered (``core.jobs``), in one process.

``wowdesk worker`` runs it in the foreground (:func:`run_worker`); ``wowdesk serve`` in the
embedded mode runs it in daemon threads of the server process
(:func:`start_background_worker`, called by ``wowdesk.asgi``).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.utils.crypto import get_random_string

from wowdesk.core import jobs

log = logging.getLogger(__name__)


def make_db_worker(interval: float = 0.5) -> Any:
    """django-tasks-db's worker for every queue of the default backend."""
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


def start_side_threads(stop: threading.Event) -> list[threading.Thread]:
    """What runs beside the task worker in every worker process: one daemon thread per
    registered job (``wowdesk-<name>``) and per registered loop, until ``stop`` is set."""
    threads = [
        threading.Thread(
            target=jobs.run_job, args=(job, stop), name=f"wowdesk-{job.name}", daemon=True
        )
        for job in jobs.jobs()
    ] + [
        threading.Thread(
            target=jobs.run_loop, args=(found, stop), name=f"wowdesk-{found.name}", daemon=True
        )
        for found in jobs.loops()
    ]
    for thread in threads:
        thread.start()
    return threads


def start_background_worker() -> threading.Event:
    """Run the task worker, the jobs and the loops in daemon threads of this process, and
    batch the routing and SLA reactions to new messages in another (core.events.Batcher).
    Setting the returned event stops the jobs and loops."""
    from wowdesk.core.events import batcher

    stop = threading.Event()
    batcher.start()

    def work() -> None:
        worker = make_db_worker()
        while not stop.is_set():
            try:
                worker.run()
            except Exception:
                log.exception("embedded worker crashed; restarting in 1 s")
                time.sleep(1)

    threading.Thread(target=work, name="wowdesk-worker", daemon=True).start()
    start_side_threads(stop)
    return stop


def run_worker(interval: float = 0.5) -> None:
    """``wowdesk worker``: the worker in the foreground (Ctrl+C stops it after the task)."""
    stop = threading.Event()
    start_side_threads(stop)
    worker = make_db_worker(interval)
    worker.configure_signals()
    try:
        worker.run()
    finally:
        stop.set()
