"""Quality: listeners, jobs and panels of the app — none yet.

The review queue needs no listener of its own: it reads its signals when it is asked
(``quality/queue.py``), from what the analytics facts, messages, survey answers and
approvals already hold."""

from __future__ import annotations


def register() -> None:
    """Register this part's listeners, jobs and panels (none: see the module)."""
