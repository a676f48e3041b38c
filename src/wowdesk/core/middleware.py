"""Refuse NUL characters in API input with a clear 400 (PostgreSQL cannot store them;
SQLite can, so both databases behave the same way).

The inbound endpoint is exempt: a message from a channel must not be lost over a stray
NUL, so its schema strips NULs from the text instead (``channels/schema.py``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

EXEMPT = {"/api/v1/inbound"}


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.path.startswith("/api/")
            and request.path not in EXEMPT
            and self._has_nul(request)
        ):
            body = {
                "detail": _("NUL characters are not allowed in the input."),
                "field": None,
                "code": "invalid",
            }
            return HttpResponse(json.dumps(body), status=400, content_type="application/json")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or b"\x00" in unquote_to_bytes(query):
            return True
        if "%00" in request.path or "\x00" in request.path:
            return True
        if request.method in ("POST", "PUT", "PATCH"):
            body = request.body
            return b"\x00" in body or b"\\u0000" in body
        return False
