"""API: wfm (api_staffing)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["wfm"])
