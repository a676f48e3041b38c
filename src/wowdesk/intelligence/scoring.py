"""The emotion scorer: a worker loop (registered in ``IntelligenceConfig.ready``) that
drains unscored customer messages in batches (``services.score_pending``)."""

from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections

from wowdesk.core import jobs

log = logging.getLogger(__name__)

EMOTION_IDLE = 1.0
# While messages are arriving, scoring waits (the customer's message is acknowledged
# first, the enrichment follows), but never more than this long at a stretch; then it
# scores one batch per second until the burst is over.
EMOTION_MAX_DEFER = 30.0


def score_emotions_forever(
    stop: threading.Event, idle: float = EMOTION_IDLE, max_defer: float = EMOTION_MAX_DEFER
) -> None:
    """Drain unscored customer messages in batches; a full batch goes again at once,
    unless inbound messages are arriving right now (``core.jobs.busy``)."""
    from wowdesk.intelligence.emotion import warm_up
    from wowdesk.intelligence.services import BATCH, score_pending

    # Load the model now, while the server is idle, not in the first burst of messages.
    try:
        warm_up()
    except Exception:
        log.exception("loading the emotion model failed")
    deferred_since: float | None = None
    while not stop.is_set():
        if jobs.busy():
            deferred_since = deferred_since or time.monotonic()
            if time.monotonic() - deferred_since < max_defer:
                stop.wait(0.2)
                continue
        else:
            deferred_since = None
        scored = 0
        try:
            close_old_connections()
            scored = score_pending()
        except Exception:
            log.exception("emotion scoring failed")
        finally:
            close_old_connections()
        if scored < BATCH or deferred_since is not None:
            stop.wait(idle)
