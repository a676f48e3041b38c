"""What a server process does once it has loaded everything it keeps for its lifetime."""

from __future__ import annotations

import gc

# New objects between two collections of the youngest generation (Python's default: 700).
# A list page makes tens of thousands; at 700, collections in the middle of a request move
# its live objects to the older generations, where they die as cycles and wait for a full
# collection, a pause in the read paths' p99 (bench/read.py; the numbers are in
# bench/results/design-measurements.md).
YOUNG_GENERATION_THRESHOLD = 5000


def freeze_startup_objects() -> None:
    """Move every object alive now (Django's app registry, models, URL patterns, the
    language and emotion models) out of the garbage collector's reach. Python's full
    collections otherwise walk them all again and again, a pause on the longest
    conversation pages (``bench/pages.py``).
    Then collect the youngest generation less often (:data:`YOUNG_GENERATION_THRESHOLD`)."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, older, oldest)
