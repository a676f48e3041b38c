"""The widget's HTTP endpoints (its ``/chat-demo`` page is in ``web/chat_demo.py``):
configuration, a visitor's file upload, and the signed links to a conversation's files.

A page on a domain the inbox does not allow (``allowed_domains``) is refused (403) by
both, as the WebSocket refuses it; the desk's own host (demo page, settings preview) is
always allowed."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from wowdesk.channels.chat import services, tokens
from wowdesk.conversations.models import Inbox
from wowdesk.conversations.services import MAX_ATTACHMENT_BYTES
from wowdesk.core.errors import Forbidden, InvalidInput, NotFound, ServiceError
from wowdesk.core.ratelimit import RateLimited


def _cors(response: HttpResponse, origin: str | None) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = origin or "*"
    response["Vary"] = "Origin"
    response["Cache-Control"] = "no-store"
    return response


def _error(exc: ServiceError, status: int, origin: str | None) -> HttpResponse:
    body = {"detail": exc.message, "field": exc.field or "", "code": exc.code}
    response = JsonResponse(body, status=status)
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return _cors(response, origin)


def _inbox_for(request: HttpRequest, ref: str) -> Inbox:
    inbox = services.find_inbox(ref)
    services.check_origin(inbox, request.headers.get("Origin"), request.get_host())
    return inbox


@require_GET
def widget_config(request: HttpRequest, ref: str) -> HttpResponse:
    """What the widget needs before its WebSocket opens: its settings (pre-chat form,
    greetings, colour…), whether an agent is on shift now and the expected answer time."""
    origin = request.headers.get("Origin")
    try:
        inbox = _inbox_for(request, ref)
    except NotFound as exc:
        return _error(exc, 404, None)
    except Forbidden as exc:
        return _error(exc, 403, None)
    return _cors(
        JsonResponse(
            {
                **services.widget_settings(inbox).public(),
                "online": services.agents_on_shift(inbox.brand_id),
                "estimate": services.answer_estimate(inbox),
                "socket": "/ws/chat/",
            }
        ),
        origin,
    )


@csrf_exempt  # a visitor's page on another site; the signed visitor token authenticates
@require_http_methods(["POST", "OPTIONS"])
def upload(request: HttpRequest, ref: str) -> HttpResponse:
    """A visitor sends a file: multipart ``token`` (the widget's visitor token),
    ``client_id`` and ``file``. 201 with the message id; 400 naming the field (no file,
    too large, a program, a type that is not accepted); 403 for another site or a forged
    token; 429 over the chat rate."""
    origin = request.headers.get("Origin")
    if request.method == "OPTIONS":
        return _cors(HttpResponse(status=204), origin)
    language = "zh-hans" if request.POST.get("lang", "").lower().startswith("zh") else "en"
    with translation.override(language):
        try:
            inbox = _inbox_for(request, ref)
            visitor = tokens.read(request.POST.get("token", ""), inbox.pk)
            if visitor is None:
                raise Forbidden(translation.gettext("Open the chat first."), field="token")
            f = request.FILES.get("file")
            if f is None:
                raise InvalidInput(translation.gettext("Choose a file."), field="file")
            if (f.size or 0) > MAX_ATTACHMENT_BYTES:  # before reading it into memory
                raise InvalidInput(
                    translation.gettext("A file may be at most 25 MB."), field="file"
                )
            result = services.upload_file(
                inbox,
                visitor,
                client_id=request.POST.get("client_id", ""),
                filename=f.name or "file",
                content=f.read(),
                language=language,
            )
        except NotFound as exc:
            return _error(exc, 404, origin)
        except Forbidden as exc:
            return _error(exc, 403, origin)
        except RateLimited as exc:
            return _error(exc, 429, origin)
        except ServiceError as exc:
            return _error(exc, 400, origin)
    services.tell_visitor_of(result.message_id)
    return _cors(
        JsonResponse(
            {
                "message_id": result.message_id,
                "conversation_id": result.conversation_id,
                "duplicate": result.duplicate,
            },
            status=201,
        ),
        origin,
    )


@require_GET
def file(request: HttpRequest, signed: str) -> HttpResponseBase:
    """A file of a chat conversation, by its signed link: an image inline, anything else
    as a download; never sniffed into another type by the browser."""
    try:
        attachment = services.read_file_link(signed)
    except NotFound as exc:
        return JsonResponse({"detail": exc.message}, status=404)
    inline = attachment.content_type in services.INLINE_TYPES
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=attachment.filename,
        content_type=attachment.content_type if inline else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["Cache-Control"] = "private, max-age=3600"
    return response
