import gc
from collections.abc import Iterator

import pytest
from django.test import override_settings

from wowdesk.config import Config
from wowdesk.core.startup import YOUNG_GENERATION_THRESHOLD, freeze_startup_objects


@pytest.fixture
def collector() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    yield before
    gc.unfreeze()
    gc.set_threshold(*before)


def _config(redis_url: str) -> Config:
    from dataclasses import replace

    from django.conf import settings

    return replace(settings.CONFIG, redis_url=redis_url)


def test_startup_objects_are_frozen_and_young_collections_made_rarer(
    collector: tuple[int, int, int],
) -> None:
    kept = [object() for _ in range(3)]
    _, older, oldest = collector
    with override_settings(CONFIG=_config("")):
        freeze_startup_objects()
    assert gc.get_freeze_count() > len(kept)
    assert gc.get_threshold() == (YOUNG_GENERATION_THRESHOLD, older, oldest)


def test_with_redis_the_collector_keeps_its_pace(collector: tuple[int, int, int]) -> None:
    with override_settings(CONFIG=_config("redis://127.0.0.1:6379/0")):
        freeze_startup_objects()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == collector
