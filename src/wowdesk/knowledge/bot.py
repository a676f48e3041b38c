"""Knowledge: bot."""

from __future__ import annotations


def register() -> None:
    """Listeners, panels and jobs of this part (called from ``KnowledgeConfig.ready``)."""
