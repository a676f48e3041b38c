"""API: surveys (api_followups)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["surveys"])
