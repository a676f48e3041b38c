"""Refuse NUL characters in API input with a clear 400 (PostgreSQL cannot store them;
SQLite can, so both databases behave the same way).

The inbound endpoint is exempt: a message from a channel must not be lost over a stray
NUL, so its schema strips NULs from the text instead (``channels/schema.py``).

The pages (the workspace, the admin, the login) get the same rule, and their query
parameters the API's length limit (``core/input.py``): a 400 naming the field. The
channels' webhooks (``/hooks/``) are exempt, as the inbound endpoint is."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

EXEMPT = {"/api/v1/inbound"}
EXEMPT_PREFIXES = ("/hooks/", "/static/")


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(("/api/", *EXEMPT_PREFIXES)):
            refused = _page_input_refused(request)
            if refused is not None:
                return refused
        if request.path.startswith("/api/") and request.path not in EXEMPT:
            try:
                has_nul = self._has_nul(request)
            except MultiPartParserError:
                body = {
                    "detail": str(_("The multipart form data cannot be read.")),
                    "field": None,
                    "code": "invalid",
                }
                return HttpResponse(json.dumps(body), status=400, content_type="application/json")
        else:
            has_nul = False
        if has_nul:
            field = _nul_field(request)
            detail = _("NUL characters are not allowed in the input.")
            body = {
                "detail": f"{field}: {detail}" if field else detail,
                "field": field,
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
            if request.content_type == "multipart/form-data":
                # uploaded files are bytes; the form's text fields may hold no NUL
                return any("\x00" in k or "\x00" in v for k, v in request.POST.items())
            body = request.body
            return b"\x00" in body or b"\\u0000" in body
        return False


def _nul_field(request: HttpRequest) -> str | None:
    """Where the NUL is: a query parameter's name, or the JSON body's field."""
    from wowdesk.core import input as edge

    try:
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                return key
    except ValueError:
        return None
    if request.content_type == "multipart/form-data":
        return next((k for k, v in request.POST.items() if "\x00" in f"{k}{v}"), None)
    if request.method in ("POST", "PUT", "PATCH") and request.body:
        try:
            edge.loads(request.body, allow_nul=False)
        except edge.BadInput as exc:
            return exc.field or None
    return None


def _page_input_refused(request: HttpRequest) -> HttpResponse | None:
    """A page's query parameters and form fields: no NUL or control character in a query
    parameter, none over ``MAX_QUERY_VALUE``; no NUL in a form field. Multi-line form
    fields (a reply) keep their line breaks; their lengths are the services' to check."""
    from wowdesk.core import input as edge

    try:
        for key, values in request.GET.lists():
            edge.check_query(key, key)
            for value in values:
                edge.check_query(value, key)
        if request.method in ("POST", "PUT", "PATCH") and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            for key, values in request.POST.lists():
                edge.check_line(key, key, max_length=edge.MAX_QUERY_VALUE)
                for value in values:
                    edge.check_text(value, key)
    except edge.BadInput as exc:
        text = f"{exc.field}: {exc.message}" if exc.field else exc.message
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    return None
