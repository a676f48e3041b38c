"""Policies: abuse reports and restrictions (listeners, panels).

The part that builds it replaces this frame."""

from __future__ import annotations


def register() -> None:
    """Register this part's listeners, jobs and panels."""
