"""Background work that the apps register: periodic jobs and long-running loops.

The core knows the mechanism, not the work. Each app registers its own in its
``AppConfig.ready`` (by dotted path, like event listeners), and the composition root
(``wowdesk/worker.py``) starts one daemon thread per job and per loop in every worker
process (``wowdesk worker``, or ``wowdesk serve`` in the embedded mode):

* :func:`every`: a function called every ``seconds`` (a sweeper);
* :func:`loop`: a function that runs until the ``threading.Event`` it is given is set
  (a poller, a scorer);
* :func:`mark_busy` / :func:`busy`: a check that says "inbound items are arriving right
  now", so that background enrichment can wait and acknowledging customers comes first.
  The app that takes inbound items registers it; others ask :func:`busy` without
  importing that app.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import close_old_connections
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """``path`` (a function taking no argument) is called every ``every`` seconds."""

    name: str
    path: str
    every: float

    @property
    def app(self) -> str:
        return app_of(self.path)


@dataclass(frozen=True)
class Loop:
    """``path`` (a function taking a stop ``threading.Event``) runs until it is set."""

    name: str
    path: str

    @property
    def app(self) -> str:
        return app_of(self.path)


_jobs: dict[str, Job] = {}
_loops: dict[str, Loop] = {}
_busy_checks: list[str] = []


def app_of(path: str) -> str:
    """The app a registered function belongs to, from its dotted path
    (``wowdesk.channels.tasks.sweep`` → ``channels``)."""
    parts = path.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "wowdesk" else parts[0]


def every(seconds: float, name: str, path: str) -> None:
    """Register a periodic job; registering a name again replaces it."""
    if seconds <= 0:
        raise ValueError(f"a job runs every positive number of seconds, not {seconds!r}")
    _jobs[name] = Job(name=name, path=path, every=float(seconds))


def loop(name: str, path: str) -> None:
    """Register a long-running loop; registering a name again replaces it."""
    _loops[name] = Loop(name=name, path=path)


def mark_busy(path: str) -> None:
    """Register a check (a function taking no argument, returning a bool) that says
    whether inbound items are arriving right now."""
    if path not in _busy_checks:
        _busy_checks.append(path)


def jobs() -> list[Job]:
    return list(_jobs.values())


def loops() -> list[Loop]:
    return list(_loops.values())


def busy() -> bool:
    """Whether any registered check says inbound items are arriving right now."""
    return any(import_string(path)() for path in _busy_checks)


@contextlib.contextmanager
def isolated() -> Iterator[None]:
    """Tests: no job, loop or busy check is registered inside the block; what was
    registered before is back after it."""
    saved = dict(_jobs), dict(_loops), list(_busy_checks)
    _jobs.clear()
    _loops.clear()
    _busy_checks.clear()
    try:
        yield
    finally:
        _jobs.clear()
        _loops.clear()
        _jobs.update(saved[0])
        _loops.update(saved[1])
        _busy_checks[:] = saved[2]


def run_job(job: Job, stop: threading.Event) -> None:
    """Call the job every ``job.every`` seconds until ``stop`` is set (the first call one
    period after the start). A failing run is logged; the next one comes as usual."""
    func: Callable[[], Any] = import_string(job.path)
    while not stop.wait(job.every):
        try:
            close_old_connections()
            done = func()
            if done and (not isinstance(done, Mapping) or any(done.values())):
                log.info("%s: %s", job.name, done)
        except Exception:
            log.exception("%s failed", job.name)
        finally:
            close_old_connections()


def run_loop(found: Loop, stop: threading.Event) -> None:
    """Run the loop until ``stop`` is set; the loop returning early or failing is logged."""
    func: Callable[[threading.Event], Any] = import_string(found.path)
    try:
        func(stop)
    except Exception:
        log.exception("%s failed", found.name)
    finally:
        close_old_connections()


def enqueue_later(t: Any, when: dt.datetime, *args: Any) -> None:
    """Enqueue a task (Django's tasks API) with ``run_after`` where the backend can defer;
    otherwise the app's periodic job picks the work up when it is due."""
    if t.get_backend().supports_defer:
        t.using(run_after=when).enqueue(*args)
