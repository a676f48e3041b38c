"""Django's SQLite backend with writers queued on a lock instead of SQLite's busy handler.

SQLite admits one writer at a time. A second ``BEGIN IMMEDIATE`` waits in SQLite's busy
handler, which sleeps in growing steps (up to 100 ms) and polls: the lock is often free
for most of a sleep while the waiters doze, and under concurrent ingest that, not the
work, set the pace (``bench/ingest.py``; py-spy showed a fifth of the server's samples
in ``BEGIN IMMEDIATE``). Here a write transaction first takes a lock that wakes the next
waiter the moment it is released: a ``threading.Lock`` between the threads of a process,
then an ``flock`` on a file beside the database between processes (several uvicorn
workers, ``wowdesk worker``). Both are released at commit, rollback or close.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import sqlite3
import threading
import time
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base
from django.db.backends.sqlite3.features import DatabaseFeatures as SqliteFeatures

_locks: dict[str, threading.Lock] = {}
_files: dict[str, int] = {}
_guard = threading.Lock()


def _lock_for(name: str) -> tuple[threading.Lock, int | None]:
    with _guard:
        lock = _locks.get(name)
        if lock is None:
            lock = _locks[name] = threading.Lock()
        fd = _files.get(name)
        if fd is None and name and name != ":memory:" and not name.startswith("file:"):
            fd = _files[name] = os.open(f"{name}.writelock", os.O_RDWR | os.O_CREAT, 0o600)
        return lock, fd


@functools.lru_cache(maxsize=4096)
def qmark(query: str) -> str:
    """Django's ``%s`` placeholders as SQLite's ``?`` (``%%`` as ``%``), once per query."""
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class CursorWrapper(base.SQLiteCursorWrapper):
    """Django's cursor, converting each query's ``%s`` to ``?`` once, not on every
    execution (a regular expression per statement: 5 % of the ingest path's CPU)."""

    def convert_query(self, query: str, *, param_names: list[str] | None = None) -> str:
        if param_names is None:
            return qmark(query)
        return super().convert_query(query, param_names=param_names)  # type: ignore[misc,no-any-return]


@functools.cache
def _variable_limit() -> int:
    with contextlib.closing(sqlite3.connect(":memory:")) as probe:
        return min(probe.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER), 32766)


class DatabaseFeatures(SqliteFeatures):
    """Django assumes 999 variables per statement, the limit of SQLite builds before
    3.32; the library's own limit (32,766 and more since) lets a set-wise write of a few
    hundred rows (a bulk change's activity lines) be one INSERT."""

    @property
    def max_query_params(self) -> int:  # type: ignore[override]
        return _variable_limit()


class DatabaseWrapper(base.DatabaseWrapper):
    _holds_write_lock = False
    features_class = DatabaseFeatures

    def create_cursor(self, name: str | None = None) -> Any:
        return self.connection.cursor(factory=CursorWrapper)

    def _take_write_lock(self) -> None:
        name = str(self.settings_dict["NAME"])
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 30))
        lock, fd = _lock_for(name)
        if not lock.acquire(timeout=timeout):
            raise OperationalError(f"database is locked (waited {timeout:.0f} s for the writer)")
        if fd is not None:
            try:
                self._flock(fd, timeout)
            except BaseException:
                lock.release()
                raise
        self._holds_write_lock = True

    @staticmethod
    def _flock(fd: int, timeout: float) -> None:
        # Another process may be writing: poll every half millisecond (a blocking flock
        # cannot time out), so the wait ends within that of its commit.
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise OperationalError("database is locked (another process writes)") from None
                time.sleep(0.0005)

    def _drop_write_lock(self) -> None:
        if not self._holds_write_lock:
            return
        self._holds_write_lock = False
        name = str(self.settings_dict["NAME"])
        lock, fd = _lock_for(name)
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
        lock.release()

    def _start_transaction_under_autocommit(self) -> None:
        self._take_write_lock()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._drop_write_lock()
            raise

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]
        finally:
            self._drop_write_lock()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]
        finally:
            self._drop_write_lock()

    def _close(self) -> Any:
        try:
            return super()._close()  # type: ignore[misc]
        finally:
            self._drop_write_lock()
