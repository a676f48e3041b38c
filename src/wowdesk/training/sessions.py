"""Training: sessions (listeners, jobs).

A role-play needs neither listeners nor jobs: each trainee message is answered within its
request (``services.prepare_turn`` then ``services.record_turn``) and the score is computed
when the trainee finishes (``services.finish_session``)."""

from __future__ import annotations


def register() -> None:
    """Register this part's listeners, jobs and panels (none: see the module's docstring)."""
