"""The per-process table of brand rows (core/brand_cache.py): no query while nothing
changed, and a change in one process reaches the others through Django's cache."""

from __future__ import annotations

import pytest

from wowdesk.core.brand_cache import BrandCache


def test_loads_once_until_changed() -> None:
    loads: list[int] = []

    def load() -> dict[int, str]:
        loads.append(1)
        return {1: f"v{len(loads)}"}

    table = BrandCache("test-once", load, check_every=3600)
    assert table.get(1) == "v1"
    assert table.get(2) is None
    assert table.get(1) == "v1"
    assert len(loads) == 1
    table._bump()  # what changed() does after the commit
    assert table.get(1) == "v2"
    assert len(loads) == 2


@pytest.mark.django_db
def test_a_change_in_another_process_is_seen() -> None:
    """Two tables on one key stand for two processes sharing Django's cache."""
    data = {1: "old"}
    here = BrandCache("test-shared", lambda: dict(data), check_every=0)
    there = BrandCache("test-shared", lambda: dict(data), check_every=0)
    assert there.get(1) == "old"
    data[1] = "new"
    here._bump()
    assert there.get(1) == "new"


def test_another_process_checks_at_most_every_interval() -> None:
    data = {1: "old"}
    here = BrandCache("test-interval", lambda: dict(data), check_every=0)
    there = BrandCache("test-interval", lambda: dict(data), check_every=3600)
    assert there.get(1) == "old"
    data[1] = "new"
    here._bump()
    assert there.get(1) == "old"  # within its interval it trusts its copy
    there._checked -= 7200
    assert there.get(1) == "new"
