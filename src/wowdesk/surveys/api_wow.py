"""API: surveys (api_wow)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["surveys"])
