"""Fixtures of the survey tests: the real SMTP sink of the email tests, commits that run
their listeners, resolved conversations."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest

from tests.channels.email.conftest import sink  # noqa: F401  (the SMTP sink fixture)


@pytest.fixture
def commits(
    django_capture_on_commit_callbacks: Any,
) -> Callable[[], AbstractContextManager[Any]]:
    """``with commits():`` runs the block's after-commit listeners at its end."""

    def run() -> AbstractContextManager[Any]:
        return django_capture_on_commit_callbacks(execute=True)  # type: ignore[no-any-return]

    return run


@pytest.fixture(autouse=True)
def _no_public_url(settings: Any) -> Iterator[None]:
    import dataclasses

    settings.CONFIG = dataclasses.replace(settings.CONFIG, public_url="https://help.acme.test")
    yield
