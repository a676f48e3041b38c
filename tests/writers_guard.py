"""The run-time half of "one writer per table" (the static half: scripts/check_writers.py).

While a test runs, every ORM write (``Model.save``/``delete``, ``QuerySet.update``/
``delete``/``bulk_create``/``bulk_update``) and every ``fastsql`` write is checked: the
first frame of wowdesk code that is not a generic core helper must belong to the app that
owns the model. Tests, migrations and the allowed modules of scripts/check_writers.py
write freely. Violations are collected (a listener may swallow an exception) and fail the
test at its end (the ``one_writer_per_table`` fixture in tests/conftest.py).
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from django.db import models

# Frames that write on behalf of the owning app's service (they are handed its rows).
GENERIC = {
    "wowdesk.core.fastsql": None,  # every function
    "wowdesk.core.services": {"save_fields", "delete_row"},
}
# Modules that may write any app's tables (the allow-list of scripts/check_writers.py).
EXEMPT = ("wowdesk.demo.",)

_lock = threading.Lock()
violations: list[str] = []


def _app_of_module(name: str) -> str | None:
    """``wowdesk.channels.email.services`` → ``channels``; ``wowdesk.setup`` → ``""``;
    None for code outside wowdesk."""
    if not name.startswith("wowdesk."):
        return None
    parts = name.split(".")
    return parts[1] if len(parts) > 2 else ""


def _writer(frame: FrameType | None) -> tuple[str, FrameType] | None:
    """The module of the first wowdesk or test frame that is not a generic helper."""
    while frame is not None:
        name = str(frame.f_globals.get("__name__", ""))
        if name.startswith("tests.") or name == "tests" or ".migrations." in name:
            return None
        if name.startswith("wowdesk."):
            generic = GENERIC.get(name, ())
            if not (generic is None or frame.f_code.co_name in generic):
                return name, frame
        frame = frame.f_back
    return None


def _check(model: type[models.Model] | None, what: str) -> None:
    if model is None:
        return
    owner = _app_of_module(model.__module__)
    if owner is None:
        return  # Django's own tables (users, sessions, tasks)
    found = _writer(sys._getframe(2))
    if found is None:
        return
    module, frame = found
    if module.startswith(EXEMPT):
        return
    app = _app_of_module(module)
    if app != owner:
        where = f"{frame.f_code.co_filename}:{frame.f_lineno} ({frame.f_code.co_name})"
        with _lock:
            violations.append(f"{module} writes {owner}.{model.__name__} ({what}) at {where}")


def _wrap_method(owner: Any, name: str, model_of: Callable[[Any], Any]) -> Callable[[], None]:
    original = getattr(owner, name)

    @functools.wraps(original)
    def guarded(self: Any, *args: Any, **kwargs: Any) -> Any:
        _check(model_of(self), name)
        return original(self, *args, **kwargs)

    setattr(owner, name, guarded)
    return lambda: setattr(owner, name, original)


def _wrap_fastsql(name: str) -> Callable[[], None]:
    from wowdesk.core import fastsql

    original = getattr(fastsql, name)

    @functools.wraps(original)
    def guarded(model: Any, *args: Any, **kwargs: Any) -> Any:
        _check(model, f"fastsql.{name}")
        return original(model, *args, **kwargs)

    setattr(fastsql, name, guarded)
    return lambda: setattr(fastsql, name, original)


@contextmanager
def guard() -> Iterator[list[str]]:
    """Watch every write inside the block; yields the list of violations found."""
    undo = [
        _wrap_method(models.Model, "save", type),
        _wrap_method(models.Model, "delete", type),
        *(
            _wrap_method(models.QuerySet, name, lambda qs: qs.model)
            for name in ("update", "delete", "bulk_create", "bulk_update")
        ),
        _wrap_fastsql("insert"),
        _wrap_fastsql("update"),
    ]
    with _lock:
        violations.clear()
    try:
        yield violations
    finally:
        for restore in reversed(undo):
            restore()
