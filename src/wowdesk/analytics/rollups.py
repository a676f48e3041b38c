"""Analytics: the rollups kept up to date from events. The part that builds it replaces
this frame."""

from __future__ import annotations


def register() -> None:
    """Register this part's listeners and jobs."""


def rebuild(brand_ids: list[int] | None = None) -> int:
    """Recompute every rollup (of these brands) from the tables; the rows written. The demo
    seeder and ``wowdesk analytics-rebuild`` call it after bulk writes that emit no events."""
    return 0
