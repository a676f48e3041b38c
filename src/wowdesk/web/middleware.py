"""The Content-Security-Policy header of every HTML page (on with HTTPS, or ``WOWDESK_CSP=1``).

Pages load scripts only from the project's own static files (no inline script, no
``eval``); styles may be inline (the chat widget and htmx insert ``<style>`` elements);
images come from the site itself, ``data:`` URLs, or, once an agent asks to show a
message's remote images, from any HTTPS or HTTP address. WebSockets connect to the same
host. Nothing may frame the pages but the site itself.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: https: http:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "frame-ancestors 'self'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


def policy_for(request: HttpRequest) -> str:
    """The policy with the WebSocket origin of this host spelled out (``'self'`` covers
    ``ws:``/``wss:`` only in newer browsers)."""
    scheme = "wss" if request.is_secure() else "ws"
    return POLICY.replace(
        "connect-src 'self'", f"connect-src 'self' {scheme}://{request.get_host()}"
    )


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            getattr(settings, "WOWDESK_CSP", False)
            and "Content-Security-Policy" not in response
            and response.get("Content-Type", "").startswith("text/html")
        ):
            response["Content-Security-Policy"] = policy_for(request)
        return response
