"""API: wfm (api_rosters)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["wfm"])
