"""A daemon thread that serves a queue: the shape of the event batcher (core/events.py)
and the ingest writer (channels/writer.py)."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class QueueThread(ABC, Generic[T]):
    """Items go into ``_queue`` (``_put``); ``_loop`` runs in the thread and returns once
    ``_stop`` is set. ``stop`` waits for it, then calls ``_after_stop``."""

    thread_name = "wowdesk-queue"

    def __init__(self) -> None:
        self._queue: deque[T] = deque()
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._start_lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        with self._start_lock:
            if self.running:
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name=self.thread_name, daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """End the thread once it has handled what is queued."""
        thread = self._thread
        if thread is None:
            return
        self._stop.set()
        with self._ready:
            self._ready.notify()
        thread.join(timeout)
        self._thread = None
        self._after_stop()

    def _put(self, item: T) -> None:
        with self._ready:
            self._queue.append(item)
            self._ready.notify()

    @abstractmethod
    def _loop(self) -> None:
        """The thread's body: serve ``_queue`` until ``_stop`` is set."""

    def _after_stop(self) -> None:
        """What runs after the thread ended (in the caller of ``stop``)."""
