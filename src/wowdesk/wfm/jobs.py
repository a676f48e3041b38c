"""Workforce management: jobs (rosters solved in the background, intraday re-forecast).

The part that builds it replaces this frame."""

from __future__ import annotations


def register() -> None:
    """Register this part's listeners and jobs."""
