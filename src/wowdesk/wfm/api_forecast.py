"""API: wfm (api_forecast)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["wfm"])
