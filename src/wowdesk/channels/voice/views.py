"""Webhooks the phone system posts call events to (``/hooks/voice/<inbox id>/…``).

Thin: check the signature, parse, hand to ``services.handle``. A bad signature stores
nothing (401 without one, 403 with a wrong one); a body that cannot be read is kept as a
rejected envelope and answered with 400 and the reason; never a 500 for bad input.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from wowdesk.channels import inbox_secrets
from wowdesk.channels.social import signing
from wowdesk.channels.social.services import park_raw
from wowdesk.channels.voice import events, services
from wowdesk.channels.webhooks import json_error
from wowdesk.conversations.models import Channel, Inbox
from wowdesk.core import input as edge
from wowdesk.core.errors import ServiceError

TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _inbox(inbox_id: int) -> Inbox | None:
    return Inbox.objects.filter(pk=inbox_id, channel=Channel.VOICE).first()


def _not_found() -> JsonResponse:
    return json_error(_("No voice inbox with this id."), 404, "not_found")


def _refused(exc: signing.SignatureError) -> JsonResponse:
    return json_error(
        _("The request signature was refused: %(reason)s") % {"reason": exc.reason},
        401 if exc.missing else 403,
        "bad_signature",
    )


def _malformed(inbox: Inbox, raw: bytes, exc: Exception) -> JsonResponse:
    envelope = park_raw(inbox, raw=raw, error=f"malformed call event: {exc}")
    return json_error(
        _("The body is not a call event we can read: %(reason)s") % {"reason": exc},
        400,
        "malformed",
        envelope_id=envelope.pk,
    )


def _handled(inbox: Inbox, event: events.CallEvent | None) -> dict[str, Any]:
    if event is None:
        return {"status": "ignored"}
    result = services.handle(inbox, event)
    return {
        "call_id": result.call_id,
        "event": result.event,
        "status": result.status,
        "message_id": result.message_id,
        "conversation_id": result.conversation_id,
        "duplicate": result.duplicate,
    }


def _signed_json(request: HttpRequest, inbox: Inbox) -> Any:
    """The JSON body once our generic signature holds; raises SignatureError or ValueError."""
    signing.verify(
        inbox_secrets.secret(inbox, "secret"),
        request.body,
        request.headers.get(signing.SIGNATURE_HEADER),
        request.headers.get(signing.TIMESTAMP_HEADER),
        now=time.time(),
    )
    return edge.loads(request.body)  # JSON as JSON is written (no NaN, 1e999, depth)


def _signed_event(
    request: HttpRequest, inbox_id: int, parse: Callable[[dict[str, Any], Inbox], Any]
) -> HttpResponse:
    """Check the signature, parse, hand the event on; a bad body is kept and refused."""
    inbox = _inbox(inbox_id)
    if inbox is None:
        return _not_found()
    try:
        event = parse(_signed_json(request, inbox), inbox)
    except signing.SignatureError as exc:
        return _refused(exc)
    except (ValueError, RecursionError, KeyError, IndexError) as exc:
        return _malformed(inbox, request.body, exc)
    try:
        return JsonResponse(_handled(inbox, event), status=202)
    except ServiceError as exc:
        return _malformed(inbox, request.body, ValueError(exc.message))


@csrf_exempt
@require_POST
def generic_event(request: HttpRequest, inbox_id: int) -> HttpResponse:
    """Our documented event format (docs/channels.md, Voice)."""
    return _signed_event(request, inbox_id, lambda data, inbox: events.parse_generic(data))


@csrf_exempt
@require_POST
def asterisk_event(request: HttpRequest, inbox_id: int) -> HttpResponse:
    """An Asterisk ARI event, forwarded by the ARI bridge and signed like ``generic_event``."""
    return _signed_event(
        request,
        inbox_id,
        lambda data, inbox: events.parse_asterisk(
            data, recording_url=str(inbox.settings.get("recording_url") or "")
        ),
    )


@csrf_exempt
@require_POST
def twilio_event(request: HttpRequest, inbox_id: int) -> HttpResponse:
    """Twilio's voice webhook, status callback and recording/transcription callbacks:
    form-encoded, signed with ``X-Twilio-Signature`` over the URL Twilio called (the
    inbox's ``public_base_url`` setting when a proxy changes scheme or host) and every
    parameter. Answers TwiML (the inbox's ``twiml`` setting for a ringing call)."""
    inbox = _inbox(inbox_id)
    if inbox is None:
        return _not_found()
    token = inbox_secrets.secret(inbox, "twilio_auth_token")
    base = str(inbox.settings.get("public_base_url") or "").rstrip("/")
    url = base + request.get_full_path() if base else request.build_absolute_uri()
    signature = request.headers.get("X-Twilio-Signature", "")
    params = [(k, v) for k, values in request.POST.lists() for v in values]
    if not token:
        return _refused(signing.SignatureError("no Twilio auth token is configured"))
    if not signature:
        return _refused(signing.SignatureError("X-Twilio-Signature is required", missing=True))
    if not events.twilio_valid(token, url, params, signature):
        return _refused(signing.SignatureError("X-Twilio-Signature does not match"))
    try:
        event = events.parse_twilio(dict(params))
        _handled(inbox, event)
    except (ValueError, ServiceError) as exc:
        reason: Any = exc.message if isinstance(exc, ServiceError) else exc
        return _malformed(inbox, request.body, ValueError(reason))
    twiml = TWIML_EMPTY
    if event is not None and event.kind == events.CallEventKind.RINGING:
        twiml = str(inbox.settings.get("twiml") or TWIML_EMPTY)
    return HttpResponse(twiml, content_type="text/xml")
