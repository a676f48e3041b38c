import gc
from collections.abc import Iterator

import pytest

from wowdesk.core.startup import YOUNG_GENERATION_THRESHOLD, freeze_startup_objects


@pytest.fixture
def collector() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    yield before
    gc.unfreeze()
    gc.set_threshold(*before)


def test_startup_objects_are_frozen_and_young_collections_made_rarer(
    collector: tuple[int, int, int],
) -> None:
    kept = [object() for _ in range(3)]
    _, older, oldest = collector
    freeze_startup_objects()
    assert gc.get_freeze_count() > len(kept)
    assert gc.get_threshold() == (YOUNG_GENERATION_THRESHOLD, older, oldest)
