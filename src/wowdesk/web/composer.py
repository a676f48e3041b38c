"""The reply composer's helpers (``web/_composer.html``, ``static/web/composer.js``): the
colleagues an internal note may mention, a reply's translation before it is sent, and
forwarding a conversation to an outside address. Views only parse input, call the services
and render (the conventions); a write runs in one transaction here at the edge."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages as flash
from django.db import transaction
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Channel, Conversation
from wowdesk.core.errors import InvalidInput, ServiceError
from wowdesk.core.input import check_text
from wowdesk.core.models import Agent
from wowdesk.web.auth import agent_required

MAX_MENTIONABLE = 500  # colleagues listed for one conversation's @mention
# A comma-, semicolon- or space-separated list of addresses typed in a CC or BCC field.
ADDRESS_SEPARATORS = re.compile(r"[\s,;]+")


def initials(name: str) -> str:
    """Up to two letters for an avatar: the first of the first and of the last word."""
    words = [w for w in name.split() if w]
    if not words:
        return "?"
    first = words[0][0]
    return (first + words[-1][0]).upper() if len(words) > 1 else first.upper()


def split_addresses(raw: str) -> list[str]:
    """The addresses of a CC or BCC field, as typed (the service checks each)."""
    return [a for a in ADDRESS_SEPARATORS.split(raw.strip()) if a]


def mentionable(conversation: Conversation, viewer: Agent) -> list[dict[str, Any]]:
    """The active colleagues of the conversation's brand (not the viewer), by name."""
    rows = (
        Agent.objects.filter(brands=conversation.brand_id, is_active=True)
        .exclude(pk=viewer.pk)
        .order_by("display_name", "id")
        .values_list("id", "display_name")
        .distinct()[:MAX_MENTIONABLE]
    )
    return [{"id": pk, "name": name, "initials": initials(name)} for pk, name in rows]


def speaks(agent: Agent, ui_language: str, language: str) -> bool:
    """Whether the agent reads ``language`` (one of their languages, or the page's)."""
    from wowdesk.intelligence.translation import known_source, same_language

    source = known_source(language)
    if source is None:
        return True  # an unknown language: nothing to offer a translation into
    return any(same_language(source, code) for code in (*agent.languages, ui_language) if code)


def translation_configured() -> bool:
    from wowdesk.intelligence.translate import provider
    from wowdesk.intelligence.translation import NoTranslationProvider

    return not isinstance(provider(), NoTranslationProvider)


def language_name(code: str) -> str:
    """A language's name in the active language (``de`` → "German"), else its code."""
    from django.utils.translation import get_language_info

    base = code.split("-")[0].lower()
    for candidate in (code.lower(), {"zh": "zh-hans"}.get(base, base)):
        try:
            return str(get_language_info(candidate)["name_translated"])
        except KeyError:
            continue
    return code


def composer_context(request: HttpRequest, conversation: Conversation) -> dict[str, Any]:
    """What ``_composer.html`` shows besides the draft: the copy fields of an email
    conversation, and the translation preview when the customer writes in a language the
    agent does not read and a provider is configured."""
    agent: Agent = request.agent  # type: ignore[attr-defined]
    language = conversation.language or ""
    preview = bool(
        language
        and not speaks(agent, request.LANGUAGE_CODE or agent.ui_language or "", language)
        and translation_configured()
    )
    return {
        "is_email": conversation.inbox.channel == Channel.EMAIL,
        "preview_language": language if preview else "",
        "preview_language_name": language_name(language) if preview else "",
    }


def _conversation(request: HttpRequest, pk: int) -> Conversation:
    from wowdesk.web.views import _conversation as one

    return one(request, pk)


def _refusal(exc: ServiceError) -> JsonResponse:
    return JsonResponse({"field": exc.field or "", "detail": exc.message}, status=exc.status or 400)


@require_GET
@agent_required()
def mentions(request: HttpRequest, pk: int) -> JsonResponse:
    """``[{id, name, initials}]``: whom a note on this conversation may mention."""
    conversation = _conversation(request, pk)
    agent: Agent = request.agent  # type: ignore[attr-defined]
    return JsonResponse(mentionable(conversation, agent), safe=False)


@require_POST
@agent_required()
def preview_translation(request: HttpRequest, pk: int) -> JsonResponse:
    """The draft ``body`` in the conversation's language (``target`` overrides it), to read
    before sending: ``{available, text, detail, source_language, target_language}``."""
    from wowdesk.intelligence.translate import translate

    conversation = _conversation(request, pk)
    try:
        body = check_text(request.POST.get("body", ""), "body", max_length=conversations.MAX_BODY)
        if not body.strip():
            raise InvalidInput(_("Write the reply first."), field="body")
        target = (request.POST.get("target") or conversation.language or "").strip()[:16]
        if not target:
            raise InvalidInput(_("The conversation's language is not known."), field="target")
    except ServiceError as exc:
        return _refusal(exc)
    result = translate(body, target, None)
    return JsonResponse(
        {
            "available": bool(result.available and result.text),
            "text": result.text or "",
            "detail": result.detail,
            "source_language": result.source_language or "",
            "target_language": result.target_language,
        }
    )


@require_POST
@agent_required()
def forward(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The composer's "Forward": the thread to ``to``, with an optional ``note``."""
    from wowdesk.web.views import _back, _refused

    conversation = _conversation(request, pk)
    agent: Agent = request.agent  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            line = conversations.forward_conversation(
                conversation,
                actor=agent,
                to=request.POST.get("to", ""),
                note=request.POST.get("note", ""),
                language=get_language() or "",
            )
    except ServiceError as exc:
        return _refused(request, conversation, exc)
    flash.success(request, _("Forwarded to %(to)s.") % {"to": line.meta["forward"]["to"]})
    return _back(request, conversation)
