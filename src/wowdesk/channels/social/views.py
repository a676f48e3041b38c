"""The webhook every social or messaging inbox receives at (``/hooks/social/<inbox id>``).

The inbox's ``network`` setting says whose format and signature to expect:

- ``generic``: ``X-Wowdesk-Signature`` / ``X-Wowdesk-Timestamp`` with the ``secret``;
- ``whatsapp`` and ``messenger``: ``X-Hub-Signature-256`` with the Meta ``app_secret``,
  and the ``GET`` verification handshake with the ``verify_token``;
- ``telegram``: ``X-Telegram-Bot-Api-Secret-Token`` equal to the ``secret_token``.

A bad signature stores nothing (401 without one, 403 with a wrong one). A body we cannot
read is kept as a rejected envelope and answered 400 with the reason; never a 500.
"""

from __future__ import annotations

import hmac
import time

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from wowdesk.channels import inbox_secrets
from wowdesk.channels.social import signing
from wowdesk.channels.social.networks import NETWORKS, PARSERS
from wowdesk.channels.social.services import park_raw, receive
from wowdesk.channels.webhooks import json_error
from wowdesk.conversations.models import Channel, Inbox
from wowdesk.core import input as edge


def network_of(inbox: Inbox) -> str:
    return str(inbox.settings.get("network") or "generic")


def authenticate(request: HttpRequest, inbox: Inbox, network: str) -> None:
    """Raise SignatureError unless the request carries the network's proof."""
    settings = inbox_secrets.opened(inbox)
    if network in ("whatsapp", "messenger"):
        signing.verify_hub(
            str(settings.get("app_secret") or ""),
            request.body,
            request.headers.get("X-Hub-Signature-256"),
        )
    elif network == "telegram":
        signing.verify_secret_token(
            str(settings.get("secret_token") or ""),
            request.headers.get("X-Telegram-Bot-Api-Secret-Token"),
        )
    else:
        signing.verify(
            str(settings.get("secret") or ""),
            request.body,
            request.headers.get(signing.SIGNATURE_HEADER),
            request.headers.get(signing.TIMESTAMP_HEADER),
            now=time.time(),
        )


def verify_subscription(request: HttpRequest, inbox: Inbox) -> HttpResponse:
    """Meta's handshake: ``hub.mode=subscribe``, ``hub.verify_token``, ``hub.challenge``;
    answer the challenge as plain text when the token matches, else 403."""
    expected = inbox_secrets.secret(inbox, "verify_token")
    given = request.GET.get("hub.verify_token", "")
    if (
        request.GET.get("hub.mode") == "subscribe"
        and expected
        and hmac.compare_digest(expected.encode(), given.encode())
    ):
        return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
    return json_error(_("The verify token does not match."), 403, "bad_verify_token")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook(request: HttpRequest, inbox_id: int) -> HttpResponse:
    inbox = Inbox.objects.filter(pk=inbox_id, channel=Channel.SOCIAL).first()
    if inbox is None:
        return json_error(_("No social inbox with this id."), 404, "not_found")
    network = network_of(inbox)
    if network not in NETWORKS:
        return json_error(_("This inbox's network is not supported."), 404, "not_found")
    if request.method == "GET":
        if network in ("whatsapp", "messenger"):
            return verify_subscription(request, inbox)
        return json_error(_("Send events with POST."), 405, "method_not_allowed")
    try:
        authenticate(request, inbox, network)
    except signing.SignatureError as exc:
        return json_error(
            _("The request signature was refused: %(reason)s") % {"reason": exc.reason},
            401 if exc.missing else 403,
            "bad_signature",
        )
    try:
        messages = PARSERS[network](edge.loads(request.body))
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and MalformedPayload too
        envelope = park_raw(inbox, raw=request.body, error=f"malformed {network} payload: {exc}")
        return json_error(
            _("The body is not a %(network)s webhook payload we can read: %(reason)s")
            % {"network": network, "reason": exc},
            400,
            "malformed",
            envelope_id=envelope.pk,
        )
    results = receive(inbox, messages)
    return JsonResponse(
        {
            "received": len(results),
            "results": [
                {
                    "external_id": r.external_id,
                    "status": r.status,
                    "message_id": r.message_id,
                    "conversation_id": r.conversation_id,
                    "duplicate": r.duplicate,
                    **({"error": r.error} if r.error else {}),
                }
                for r in results
            ],
        }
    )
