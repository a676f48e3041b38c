"""API: analytics (api_topics)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["analytics"])
